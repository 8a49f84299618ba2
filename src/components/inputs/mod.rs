//! Input components, one file per kind. `InputPanel` holds the ONE match
//! from the interface model's `InputKind` to its component.

mod audio_input;
mod file_drop;
mod file_input;
mod image_input;
mod json_input;
mod table_input;
mod text_input;
mod video_input;

pub use file_drop::FileDrop;

use crate::interface::{InputKind, InputValue};
use audio_input::AudioInput;
use file_input::FileInput;
use image_input::ImageInput;
use json_input::JsonInput;
use leptos::prelude::*;
use table_input::TableInput;
use text_input::TextInput;
use video_input::VideoInput;

/// One value per input kind, so switching kinds never loses what was given.
#[derive(Clone, Copy)]
pub struct InputValues([RwSignal<InputValue>; 7]);

impl InputValues {
    /// Empty values, with `sample` pre-filled for text-like kinds.
    pub fn new(sample: &str, kind: InputKind) -> Self {
        let values = InputKind::ALL.map(|k| {
            let start = match k {
                InputKind::Json if kind == InputKind::Json && !sample.is_empty() => InputValue::Json(sample.into()),
                InputKind::Text if kind == InputKind::Text && !sample.is_empty() => InputValue::Text(sample.into()),
                _ => InputValue::Empty,
            };
            RwSignal::new(start)
        });
        Self(values)
    }

    /// The value of one kind.
    pub fn of(&self, kind: InputKind) -> RwSignal<InputValue> {
        let i = InputKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        self.0[i]
    }
}

/// The input component for the chosen kind.
#[component]
pub fn InputPanel(
    /// The kind currently chosen.
    #[prop(into)]
    kind: Signal<InputKind>,
    /// Every kind's value.
    values: InputValues,
) -> impl IntoView {
    move || {
        let k = kind.get();
        let value = values.of(k);
        match k {
            InputKind::Text => view! { <TextInput value/> }.into_any(),
            InputKind::Json => view! { <JsonInput value/> }.into_any(),
            InputKind::Image => view! { <ImageInput value/> }.into_any(),
            InputKind::Audio => view! { <AudioInput value/> }.into_any(),
            InputKind::Video => view! { <VideoInput value/> }.into_any(),
            InputKind::File => view! { <FileInput value/> }.into_any(),
            InputKind::Table => view! { <TableInput value/> }.into_any(),
        }
    }
}

/// The preview URL of a file value, revoked when it changes or goes away.
pub(crate) fn preview_url(value: RwSignal<InputValue>) -> Memo<Option<std::sync::Arc<crate::browser::ObjectUrl>>> {
    Memo::new(move |_| {
        value.with(|v| match v {
            InputValue::File { bytes, mime, .. } => {
                crate::browser::ObjectUrl::new(bytes, mime).map(std::sync::Arc::new)
            }
            _ => None,
        })
    })
}

/// Name, size and type of the chosen file.
#[component]
pub(crate) fn FileFacts(value: RwSignal<InputValue>) -> impl IntoView {
    move || {
        value.with(|v| match v {
            InputValue::File { name, mime, bytes } => Some(view! {
                <dl class="facts-row facts-row--file">
                    <div><dt>"Name"</dt><dd>{name.clone()}</dd></div>
                    <div><dt>"Size"</dt><dd>{crate::oscar::decode::human_size(bytes.len() as u64)}</dd></div>
                    <div><dt>"Type"</dt><dd>{if mime.is_empty() { "unknown".to_string() } else { mime.clone() }}</dd></div>
                </dl>
            }),
            _ => None,
        })
    }
}
