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
