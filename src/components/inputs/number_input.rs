use super::{control_id, label_of, text_binding};
use crate::interface::spec::{Control, InputSpec};
use crate::interface::InputValue;
use leptos::prelude::*;

/// A number: a number box, or a slider from `min` to `max`.
#[component]
pub fn NumberInput(
    /// The input's spec.
    input: InputSpec,
    /// The input's value.
    value: RwSignal<InputValue>,
) -> impl IntoView {
    let (id, label) = (control_id(&input), label_of(&input));
    let (text, set) = text_binding(value);
    let step = input.step.map(|s| s.to_string()).unwrap_or_else(|| "any".into());
    if input.control == Control::Slider {
        return view! {
            <label class="field__label" for=id.clone()>{label}" "<output class="slider-value">{text}</output></label>
            <input id=id class="slider" type="range" min=input.min.unwrap_or(0.0) max=input.max.unwrap_or(1.0)
                step=step prop:value=text on:input:target=move |e| set(e.target().value())/>
        }
        .into_any();
    }
    view! {
        <label class="field__label" for=id.clone()>{label}</label>
        // Committed on change: rewriting a number field while it is typed
        // into ("2." is not a number yet) would garble it.
        <input id=id class="field__input" type="number" min=input.min max=input.max
            step=step prop:value=text on:change:target=move |e| set(e.target().value())/>
    }
    .into_any()
}
