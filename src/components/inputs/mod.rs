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

/// Clickable examples of a detected page: one click picks the input kind,
/// fills it (fetching example files shipped with the app) and runs.
#[component]
pub fn DetectedExamples(
    /// The service, to find its examples.
    #[prop(into)]
    service: String,
    /// The input kind in use.
    kind: RwSignal<InputKind>,
    /// Every kind's value.
    values: InputValues,
    /// Runs the service once the input is filled.
    on_run: Callback<()>,
) -> impl IntoView {
    let examples = crate::interface::examples::examples_for(&service);
    if examples.is_empty() {
        return ().into_any();
    }
    let error = RwSignal::new(None::<String>);
    let base = crate::app::use_base().0;
    view! {
        <div class="examples">
            <h3 class="examples__title">"Examples"</h3>
            <div class="button-row">
                {examples.iter().map(|e| {
                    let (e, base) = (*e, base.clone());
                    view! {
                        <button type="button" class="button button--secondary example" on:click=move |_| {
                            let base = base.clone();
                            error.set(None);
                            leptos::task::spawn_local(async move {
                                let value = match (e.text, e.url) {
                                    (Some(t), _) if e.kind == InputKind::Json => InputValue::Json(t.into()),
                                    (Some(t), _) => InputValue::Text(t.into()),
                                    (None, Some(u)) => match crate::net::site::fetch_bytes(&crate::net::site::beside_app(&base, u)).await {
                                        Some(bytes) => {
                                            let text = || String::from_utf8_lossy(&bytes).into_owned();
                                            match e.kind {
                                                InputKind::Json => InputValue::Json(text()),
                                                InputKind::Text => InputValue::Text(text()),
                                                InputKind::Table => InputValue::Table(text()),
                                                _ => InputValue::File {
                                                    name: u.rsplit('/').next().unwrap_or(u).to_string(),
                                                    mime: crate::oscar::decode::sniff(&bytes).mime().to_string(),
                                                    bytes: bytes.into(),
                                                },
                                            }
                                        }
                                        None => {
                                            error.set(Some(format!("The example file {u} could not be loaded.")));
                                            return;
                                        }
                                    },
                                    (None, None) => return,
                                };
                                kind.set(e.kind);
                                values.of(e.kind).set(value);
                                on_run.run(());
                            });
                        }>{e.label}</button>
                    }
                }).collect_view()}
            </div>
            {move || error.get().map(|e| view! { <p class="field__error" role="alert">{e}</p> })}
        </div>
    }
    .into_any()
}
