use crate::interface::InputValue;
use leptos::prelude::*;

/// Free text, sent as base64 of its UTF-8 bytes.
#[component]
pub fn TextInput(
    /// The input's value.
    value: RwSignal<InputValue>,
) -> impl IntoView {
    let text = move || value.with(|v| match v { InputValue::Text(t) => t.clone(), _ => String::new() });
    view! {
        <label class="field__label" for="input-text">"Text"</label>
        <textarea id="input-text" class="field__input field__input--area" rows="8" spellcheck="true"
            prop:value=text
            on:input:target=move |e| value.set(InputValue::Text(e.target().value()))></textarea>
    }
}
