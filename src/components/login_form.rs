use crate::components::ErrorAlert;
use crate::net;
use crate::oscar::{ApiError, Credentials, Endpoint, Secret};
use crate::session::Session;
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

/// The login form: endpoint, username and password, checked against
/// `GET /system/config`. What the user typed stays in place on any error.
#[component]
pub fn LoginForm(
    /// Pre-filled endpoint (e.g. the cluster the app is served from).
    #[prop(into, optional)]
    default_endpoint: String,
    /// The site fixes the endpoint (config.json): hide its field.
    #[prop(optional)]
    fixed_endpoint: bool,
    /// Called with the new session once the cluster accepted the credentials.
    on_success: Callback<Session>,
) -> impl IntoView {
    let endpoint = RwSignal::new(default_endpoint);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let with_token = RwSignal::new(false);
    let endpoint_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let endpoint_ref = NodeRef::<html::Input>::new();
    let password_ref = NodeRef::<html::Input>::new();

    let check = Action::new_local(|(endpoint, credentials): &(Endpoint, Credentials)| {
        let (endpoint, credentials) = (endpoint.clone(), credentials.clone());
        async move {
            let config = net::login(&endpoint, &credentials).await?;
            Ok::<_, ApiError>(Session::new(endpoint, credentials, config))
        }
    });

    Effect::new(move |_| {
        if let Some(result) = check.value().get() {
            match result {
                Ok(session) => on_success.run(session),
                Err(e) => {
                    let focus = match e {
                        ApiError::Unauthorized => password_ref.get_untracked(),
                        _ => endpoint_ref.get_untracked(),
                    };
                    error.set(Some(e));
                    if let Some(el) = focus {
                        let _ = el.focus();
                    }
                }
            }
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        match Endpoint::parse(&endpoint.get_untracked()) {
            Err(why) => {
                endpoint_error.set(Some(why));
                if let Some(el) = endpoint_ref.get_untracked() {
                    let _ = el.focus();
                }
            }
            Ok(parsed) => {
                endpoint_error.set(None);
                endpoint.set(parsed.to_string());
                let credentials = if with_token.get_untracked() {
                    Credentials::Bearer { token: Secret::new(token.get_untracked().trim().to_string()) }
                } else {
                    Credentials::Basic {
                        username: username.get_untracked().trim().to_string(),
                        password: Secret::new(password.get_untracked()),
                    }
                };
                check.dispatch_local((parsed, credentials));
            }
        }
    };

    let pending = check.pending();
    view! {
        <form class="login-form" method="post" novalidate=true on:submit=submit aria-busy=move || pending.get().to_string()
              aria-labelledby="login-title">
            <h1 id="login-title" class="login-form__title">"Log in to a cluster"</h1>
            <p class="login-form__lead">"Use the OSCAR endpoint and the credentials you use with oscar-cli."</p>
            {if fixed_endpoint {
                view! { <p class="field__hint">"Cluster: "<span class="mono">{move || endpoint.get()}</span></p> }.into_any()
            } else {
                view! {
                    <div class="field">
                        <label class="field__label" for="login-endpoint">"Endpoint"</label>
                        <input id="login-endpoint" class="field__input" type="text" inputmode="url" name="endpoint"
                            autocomplete="url" autocapitalize="off" spellcheck="false" required=true
                            placeholder="https://oscar.example.org" node_ref=endpoint_ref bind:value=endpoint
                            aria-invalid=move || endpoint_error.with(Option::is_some).to_string()
                            aria-describedby="login-endpoint-hint"/>
                        {move || match endpoint_error.get() {
                            Some(why) => view! { <p id="login-endpoint-hint" class="field__error" role="alert">{why}</p> }.into_any(),
                            None => view! { <p id="login-endpoint-hint" class="field__hint">"The cluster URL, as in oscar-cli's config."</p> }.into_any(),
                        }}
                    </div>
                }.into_any()
            }}
            <fieldset class="mode-switch">
                <legend class="field__label">"Sign in with"</legend>
                <label class="mode-switch__option">
                    <input type="radio" name="login-method" value="password" prop:checked=move || !with_token.get()
                        on:change=move |_| with_token.set(false)/>
                    " Username and password"
                </label>
                <label class="mode-switch__option">
                    <input type="radio" name="login-method" value="token" prop:checked=move || with_token.get()
                        on:change=move |_| with_token.set(true)/>
                    " OIDC access token"
                </label>
            </fieldset>
            <Show when=move || !with_token.get() fallback=move || view! {
                <div class="field">
                    <label class="field__label" for="login-token">"Access token"</label>
                    <input id="login-token" class="field__input mono" type="password" name="token" autocomplete="off"
                        spellcheck="false" required=true node_ref=password_ref bind:value=token
                        aria-describedby="login-token-hint"/>
                    <p id="login-token-hint" class="field__hint">"An OIDC access token for this cluster (e.g. from EGI Check-in or oidc-agent)."</p>
                </div>
            }>
                <div class="field">
                    <label class="field__label" for="login-username">"Username"</label>
                    <input id="login-username" class="field__input" type="text" name="username" autocomplete="username"
                        autocapitalize="off" spellcheck="false" required=true placeholder="oscar" bind:value=username/>
                </div>
                <div class="field">
                    <label class="field__label" for="login-password">"Password"</label>
                    <input id="login-password" class="field__input" type="password" name="password"
                        autocomplete="current-password" required=true node_ref=password_ref bind:value=password/>
                </div>
            </Show>
            {move || error.get().map(|e| view! { <ErrorAlert message=e.to_string()/> })}
            <button type="submit" class="button button--primary login-form__submit" disabled=move || pending.get()>
                {move || if pending.get() { "Checking…" } else { "Log in" }}
            </button>
        </form>
    }
}
