use super::{FileDrop, FileFacts};
use crate::interface::InputValue;
use leptos::prelude::*;

/// Any file, shown by name, size and type.
#[component]
pub fn FileInput(
    /// The input's value.
    value: RwSignal<InputValue>,
) -> impl IntoView {
    view! {
        <FileDrop id="input-file" label="File" accept="" paste=true value/>
        <FileFacts value/>
    }
}
