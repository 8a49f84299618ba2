use super::{control_id, label_of, text_binding};
use crate::interface::spec::{Control, InputSpec};
use crate::interface::InputValue;
use leptos::prelude::*;

/// Text: a one-line box, a multi-line box or a drop-down of options, as the spec's control says.
#[component]
pub fn TextInput(
    /// The input's spec.
    input: InputSpec,
    /// The input's value.
    value: RwSignal<InputValue>,
) -> impl IntoView {
    let (id, label) = (control_id(&input), label_of(&input));
    let (text, set) = text_binding(value);
    match input.control {
        Control::Select => view! {
            <label class="field__label" for=id.clone()>{label}</label>
            <select id=id class="field__input" on:change:target=move |e| set(e.target().value())>
                {input.options.iter().map(|o| {
                    let (shown, val, chosen) = (o.clone(), o.clone(), o.clone());
                    view! { <option value=val selected=move || text() == chosen>{shown}</option> }
                }).collect_view()}
            </select>
        }
        .into_any(),
        Control::Text => view! {
            <label class="field__label" for=id.clone()>{label}</label>
            <input id=id class="field__input" type="text" prop:value=text on:input:target=move |e| set(e.target().value())/>
        }
        .into_any(),
        // A textarea, the default (also for controls only numbers use).
        Control::Textarea | Control::Number | Control::Slider | Control::Checkbox => view! {
            <label class="field__label" for=id.clone()>{label}</label>
            <textarea id=id class="field__input field__input--area" rows="6" spellcheck="true"
                prop:value=text on:input:target=move |e| set(e.target().value())></textarea>
        }
        .into_any(),
    }
}
