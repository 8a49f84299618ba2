use super::{control_id, label_of, text_binding};
use crate::interface::spec::InputSpec;
use crate::interface::InputValue;
use crate::oscar::invoke::validate_json;
use leptos::prelude::*;

/// A JSON object, validated as it is typed, with the error's position.
#[component]
pub fn JsonInput(
    /// The input's spec.
    input: InputSpec,
    /// The input's value.
    value: RwSignal<InputValue>,
) -> impl IntoView {
    let (id, label) = (control_id(&input), label_of(&input));
    let status_id = format!("{id}-status");
    let (text, set) = text_binding(value);
    let problem = Memo::new(move |_| {
        value.with(|v| match v {
            InputValue::Text(t) if !t.trim().is_empty() => validate_json(t).err().map(|p| p.to_string()),
            _ => None,
        })
    });
    view! {
        <label class="field__label" for=id.clone()>{label}</label>
        <textarea id=id class="field__input field__input--area mono" rows="10" spellcheck="false"
            aria-invalid=move || problem.with(Option::is_some).to_string() aria-describedby=status_id.clone()
            prop:value=text
            on:input:target=move |e| set(e.target().value())></textarea>
        <p id=status_id class=move || if problem.with(Option::is_some) { "field__error" } else { "field__hint" }
           role="status">
            {move || problem.get().unwrap_or_else(|| "Valid JSON.".into())}
        </p>
    }
}
