use crate::context::{use_base, use_site};
use crate::components::LoginForm;
use crate::routes;
use crate::session::{use_session, Session};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// `/login`: the login form; afterwards, back to where the user was going.
#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let next = move || {
        query.with_untracked(|q| q.get("next")).and_then(|n| routes::safe_next(&n)).unwrap_or_else(|| routes::SERVICES.to_string())
    };
    let store_error = RwSignal::new(None::<String>);

    // Already logged in (e.g. the back button): go on.
    let go = navigate.clone();
    Effect::new(move |_| {
        if session.is_logged_in() {
            go(&next(), NavigateOptions { replace: true, ..Default::default() });
        }
    });

    let on_success = Callback::new(move |s: Session| match session.log_in(s) {
        Ok(()) => {} // the effect above navigates
        Err(why) => store_error.set(Some(why)),
    });
    let origin = window().location().origin().unwrap_or_default();
    let served_by = routes::cluster_serving_ui(&origin, &use_base().0).unwrap_or_default();
    let site = use_site();
    view! {
        <div class="login-page">
            <section class="login-page__panel">
                // The form waits for config.json, which may fix the endpoint.
                {move || site.loaded.get().then(|| {
                    let config = site.config.get();
                    let default_endpoint = config.endpoint.clone().unwrap_or_else(|| served_by.clone());
                    view! { <LoginForm default_endpoint fixed_endpoint=config.fixed_endpoint on_success/> }
                })}
                {move || store_error.get().map(|e| view! { <p class="alert alert--error" role="alert">{e}</p> })}
            </section>
            <aside class="login-page__about">
                <h2>"Try any OSCAR service from your browser"</h2>
                <p>"Visor gives every service of your cluster a page with inputs and outputs that fit it."</p>
                <p class="login-page__privacy">"Your credentials stay in this browser tab only, and are forgotten when you log out or close it."</p>
            </aside>
        </div>
    }
}
