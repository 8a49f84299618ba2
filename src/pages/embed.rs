use crate::context::use_site;
use crate::browser::embed::{message_data, post_to_parent, reply, report_height};
use crate::components::LoginForm;
use crate::net;
use crate::oscar::{Credentials, Endpoint, Secret};
use crate::pages::ServicePage;
use crate::session::{use_session, Session};
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use serde_json::{json, Value};

/// Credentials from a handshake message.
fn credentials_from(data: &Value) -> Result<(Endpoint, Credentials), String> {
    let endpoint = Endpoint::parse(data.get("endpoint").and_then(Value::as_str).unwrap_or_default())?;
    let text = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_string);
    let credentials = match (text("token"), text("username"), text("password")) {
        (Some(token), _, _) if !token.trim().is_empty() => Credentials::Bearer { token: Secret::new(token) },
        (_, Some(username), Some(password)) => Credentials::Basic { username, password: Secret::new(password) },
        _ => return Err("the message has neither a token nor a username and password".into()),
    };
    Ok((endpoint, credentials))
}

/// `/embed/services/:name`: one service's run page for an iframe in the
/// OSCAR dashboard. The frame announces itself, accepts credentials by
/// `postMessage` only from origins allowed in config.json, confirms, and
/// reports its height. Without a handshake it shows its own login.
#[component]
pub fn EmbedPage() -> impl IntoView {
    let session = use_session();
    let site = use_site();
    let params = use_params_map();
    let name = params.with_untracked(|p| p.get("name").unwrap_or_default());
    let status = RwSignal::new(None::<String>);

    // Keep the height observer for as long as the page.
    let reporter = StoredValue::new_local(report_height());
    on_cleanup(move || reporter.set_value(None));

    let listener = window_event_listener(ev::message, move |event: web_sys::MessageEvent| {
        let origin = event.origin();
        let Some(data) = message_data(&event) else { return };
        if !site.config.with_untracked(|c| c.allows_parent(&origin)) {
            // Logged without the content: it may hold credentials.
            leptos::logging::warn!("OSCAR Visor ignored a message from {origin}: that origin is not allowed in config.json");
            return;
        }
        if data.get("type").and_then(Value::as_str) != Some("oscar-visor:login") {
            return;
        }
        let (endpoint, credentials) = match credentials_from(&data) {
            Ok(c) => c,
            Err(why) => {
                reply(&event, &json!({"type": "oscar-visor:login-result", "ok": false, "error": why}));
                return;
            }
        };
        status.set(Some("Signing in…".into()));
        spawn_local(async move {
            let outcome = match net::login(&endpoint, &credentials).await {
                Ok(config) => session.log_in(Session::new(endpoint, credentials, config)),
                Err(e) => Err(e.to_string()),
            };
            let answer = match &outcome {
                Ok(()) => json!({"type": "oscar-visor:login-result", "ok": true}),
                Err(why) => json!({"type": "oscar-visor:login-result", "ok": false, "error": why}),
            };
            reply(&event, &answer);
            status.set(outcome.err());
        });
    });
    on_cleanup(move || listener.remove());

    // Announce the frame once the site settings (allowed origins) are known.
    let announced = StoredValue::new(false);
    let service = name.clone();
    Effect::new(move |_| {
        if site.loaded.get() && !announced.get_value() {
            announced.set_value(true);
            post_to_parent(&json!({"type": "oscar-visor:ready", "service": service}));
        }
    });

    let on_success = Callback::new(move |s: Session| {
        if let Err(e) = session.log_in(s) {
            status.set(Some(e));
        }
    });
    view! {
        <Show when=move || session.is_logged_in() fallback=move || view! {
            <section class="page page--narrow">
                {move || status.get().map(|s| view! { <p class="notice" role="status">{s}</p> })}
                <LoginForm on_success/>
            </section>
        }>
            <ServicePage embedded=true/>
        </Show>
    }
}
