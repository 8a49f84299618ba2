use crate::interface::InputValue;
use crate::oscar::invoke::validate_json;
use leptos::prelude::*;

/// A JSON object, validated as it is typed, with the error's position.
#[component]
pub fn JsonInput(
    /// The input's value.
    value: RwSignal<InputValue>,
) -> impl IntoView {
    let text = move || value.with(|v| match v { InputValue::Json(t) => t.clone(), _ => String::new() });
    let problem = Memo::new(move |_| {
        value.with(|v| match v {
            InputValue::Json(t) if !t.trim().is_empty() => validate_json(t).err().map(|p| p.to_string()),
            _ => None,
        })
    });
    view! {
        <label class="field__label" for="input-json">"JSON"</label>
        <textarea id="input-json" class="field__input field__input--area mono" rows="10" spellcheck="false"
            aria-invalid=move || problem.with(Option::is_some).to_string() aria-describedby="input-json-status"
            prop:value=text
            on:input:target=move |e| value.set(InputValue::Json(e.target().value()))></textarea>
        <p id="input-json-status" class=move || if problem.with(Option::is_some) { "field__error" } else { "field__hint" }
           role="status">
            {move || problem.get().unwrap_or_else(|| "Valid JSON object: sent to the service as is.".into())}
        </p>
    }
}
