//! Input components, one file per kind. `InputControl` holds the ONE match
//! from an interface spec input's kind to its component; every page, detected
//! or declared, builds its form from these.

mod audio_input;
mod boolean_input;
mod file_drop;
mod file_input;
mod image_input;
mod json_input;
mod number_input;
mod table_input;
mod text_input;
mod video_input;

pub use file_drop::FileDrop;

use crate::interface::spec::{FieldKind, InputSpec};
use crate::interface::InputValue;
use audio_input::AudioInput;
use boolean_input::BooleanInput;
use file_input::FileInput;
use image_input::ImageInput;
use json_input::JsonInput;
use leptos::prelude::*;
use number_input::NumberInput;
use table_input::TableInput;
use text_input::TextInput;
use video_input::VideoInput;

/// The element id of an input's control (its `<label for>`).
pub fn control_id(input: &InputSpec) -> String {
    format!("spec-{}", input.id)
}

/// The typed text of a value, and a setter: what the text-like controls bind to.
pub(crate) fn text_binding(value: RwSignal<InputValue>) -> (impl Fn() -> String + Copy, impl Fn(String) + Copy) {
    (move || value.with(|v| v.text().to_string()), move |t: String| value.set(InputValue::Text(t)))
}

/// The shown name of an input: its label, else its id.
pub fn label_of(input: &InputSpec) -> String {
    if input.label.is_empty() { input.id.clone() } else { input.label.clone() }
}

/// The component of one input of the spec.
#[component]
pub fn InputControl(
    /// The input's spec.
    input: InputSpec,
    /// Its value.
    value: RwSignal<InputValue>,
    /// Whether a paste anywhere on the page goes to this input (one per page).
    #[prop(optional)]
    paste: bool,
) -> impl IntoView {
    match input.kind {
        FieldKind::Text => view! { <TextInput input value/> }.into_any(),
        FieldKind::Json => view! { <JsonInput input value/> }.into_any(),
        FieldKind::Number => view! { <NumberInput input value/> }.into_any(),
        FieldKind::Boolean => view! { <BooleanInput input value/> }.into_any(),
        FieldKind::Image => view! { <ImageInput input value paste/> }.into_any(),
        FieldKind::Audio => view! { <AudioInput input value/> }.into_any(),
        FieldKind::Video => view! { <VideoInput input value/> }.into_any(),
        FieldKind::File => view! { <FileInput input value paste/> }.into_any(),
        FieldKind::Table => view! { <TableInput input value/> }.into_any(),
    }
}

/// The preview URL of a file value, revoked when it changes or goes away.
/// The URL points at the blob itself: nothing is copied.
pub(crate) fn preview_url(value: RwSignal<InputValue>) -> Memo<Option<std::sync::Arc<crate::browser::ObjectUrl>>> {
    Memo::new(move |_| {
        value.with(|v| v.file().and_then(|f| crate::browser::ObjectUrl::of_blob(f.data.blob())).map(std::sync::Arc::new))
    })
}

/// Name, size and type of the chosen file.
#[component]
pub(crate) fn FileFacts(value: RwSignal<InputValue>) -> impl IntoView {
    move || {
        value.with(|v| {
            v.file().map(|f| view! {
                <dl class="facts-row facts-row--file">
                    <div><dt>"Name"</dt><dd>{f.name.clone()}</dd></div>
                    <div><dt>"Size"</dt><dd>{crate::oscar::decode::human_size(f.size)}</dd></div>
                    <div><dt>"Type"</dt><dd>{if f.mime.is_empty() { "unknown".to_string() } else { f.mime.clone() }}</dd></div>
                </dl>
            })
        })
    }
}
