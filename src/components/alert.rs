use leptos::prelude::*;

/// An error message announced to screen readers, with an optional action
/// (e.g. "Try again") next to it.
#[component]
pub fn ErrorAlert(
    /// What went wrong and what to do, in plain words.
    #[prop(into)]
    message: Signal<String>,
    /// The label of the action button; no button when `None`.
    #[prop(optional, into)]
    action_label: Option<String>,
    /// Called when the action button is pressed.
    #[prop(optional)]
    on_action: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="alert alert--error" role="alert">
            <p class="alert__message">{move || message.get()}</p>
            {action_label.zip(on_action).map(|(label, cb)| view! {
                <button type="button" class="button button--secondary" on:click=move |_| cb.run(())>{label}</button>
            })}
        </div>
    }
}

/// An [`ApiError`] shown with the action that fits it: "Log in again" when
/// the credentials were refused, "Retry" when trying again may work.
#[component]
pub fn ApiErrorAlert(
    /// The error.
    error: crate::oscar::ApiError,
    /// What "Retry" does; no Retry button without it.
    #[prop(optional)]
    retry: Option<Callback<()>>,
) -> impl IntoView {
    let message = match &error {
        crate::oscar::ApiError::Cancelled => {
            "Cancelled. The request was stopped, but OSCAR may still finish the work on the cluster.".to_string()
        }
        other => other.to_string(),
    };
    if error.needs_login() {
        let relogin = crate::components::use_relogin();
        let open = Callback::new(move |()| relogin.0.set(true));
        return view! { <ErrorAlert message action_label="Log in again" on_action=open/> }.into_any();
    }
    match retry.filter(|_| error.is_retryable()) {
        Some(cb) => view! { <ErrorAlert message action_label="Retry" on_action=cb/> }.into_any(),
        None => view! { <ErrorAlert message/> }.into_any(),
    }
}
