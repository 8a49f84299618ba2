use crate::components::LoginForm;
use crate::session::{use_session, Session};
use leptos::prelude::*;

/// Asks for a fresh login without leaving the page, so that what the user
/// typed or chose stays in place (e.g. after an access token expired).
#[derive(Clone, Copy)]
pub struct Relogin(pub RwSignal<bool>);

/// Provides the re-login switch to the tree below.
pub fn provide_relogin() -> Relogin {
    let r = Relogin(RwSignal::new(false));
    provide_context(r);
    r
}

/// The re-login switch; a detached one outside the app (tests).
pub fn use_relogin() -> Relogin {
    use_context::<Relogin>().unwrap_or_else(|| Relogin(RwSignal::new(false)))
}

/// A modal login over the current page.
#[component]
pub fn ReloginDialog() -> impl IntoView {
    let relogin = use_relogin();
    let session = use_session();
    let endpoint = move || session.0.with_untracked(|s| s.as_ref().map(|s| s.endpoint.to_string()).unwrap_or_default());
    let store_error = RwSignal::new(None::<String>);
    let on_success = Callback::new(move |s: Session| match session.log_in(s) {
        Ok(()) => relogin.0.set(false),
        Err(e) => store_error.set(Some(e)),
    });
    view! {
        <Show when=move || relogin.0.get()>
            <div class="dialog-backdrop">
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="login-title">
                    <p class="notice">"Your session was refused by the cluster. Log in again: this page and what you entered stay as they are."</p>
                    <LoginForm default_endpoint=endpoint() on_success/>
                    {move || store_error.get().map(|e| view! { <p class="alert alert--error" role="alert">{e}</p> })}
                    <div class="button-row">
                        <button type="button" class="button button--ghost" on:click=move |_| {
                            relogin.0.set(false);
                            session.log_out();
                        }>"Log out instead"</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
