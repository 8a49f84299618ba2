use super::{control_id, label_of, preview_url, FileDrop, FileFacts};
use crate::interface::spec::InputSpec;
use crate::interface::InputValue;
use leptos::prelude::*;

/// A video file, with a player to check it.
#[component]
pub fn VideoInput(
    /// The input's spec.
    input: InputSpec,
    /// The input's value.
    value: RwSignal<InputValue>,
) -> impl IntoView {
    let url = preview_url(value);
    view! {
        <FileDrop id=control_id(&input) label=label_of(&input) accept=input.accept_attr() value/>
        {move || url.get().map(|u| view! {
            <video class="media-preview" controls=true preload="metadata" src=u.as_str().to_string()
                aria-label="Preview of the input video"></video>
        })}
        <FileFacts value/>
    }
}
