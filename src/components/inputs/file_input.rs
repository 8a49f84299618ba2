use super::{control_id, label_of, FileDrop, FileFacts};
use crate::interface::spec::InputSpec;
use crate::interface::InputValue;
use leptos::prelude::*;

/// Any file, shown by name, size and type.
#[component]
pub fn FileInput(
    /// The input's spec.
    input: InputSpec,
    /// The input's value.
    value: RwSignal<InputValue>,
    /// Whether a paste on the page is taken as the file.
    #[prop(optional)]
    paste: bool,
) -> impl IntoView {
    view! {
        <FileDrop id=control_id(&input) label=label_of(&input) accept=input.accept_attr() paste value/>
        <FileFacts value/>
    }
}
