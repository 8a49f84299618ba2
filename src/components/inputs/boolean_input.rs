use super::{control_id, label_of};
use crate::interface::spec::InputSpec;
use crate::interface::InputValue;
use leptos::prelude::*;

/// A yes/no value: a checkbox.
#[component]
pub fn BooleanInput(
    /// The input's spec.
    input: InputSpec,
    /// The input's value ("true" or "false").
    value: RwSignal<InputValue>,
) -> impl IntoView {
    let id = control_id(&input);
    view! {
        <label class="checkbox" for=id.clone()>
            <input id=id.clone() type="checkbox" prop:checked=move || value.with(|v| v.text() == "true")
                on:change:target=move |e| value.set(InputValue::Text(e.target().checked().to_string()))/>
            " "{label_of(&input)}
        </label>
    }
}
