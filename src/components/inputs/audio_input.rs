use super::{control_id, label_of, preview_url, FileDrop, FileFacts};
use crate::browser::media::{open_stream, Recording};
use crate::interface::spec::InputSpec;
use crate::interface::{BlobRef, FileValue, InputValue};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Audio: a picked file or a recording from the microphone; with a player.
#[component]
pub fn AudioInput(
    /// The input's spec.
    input: InputSpec,
    /// The input's value.
    value: RwSignal<InputValue>,
) -> impl IntoView {
    let url = preview_url(value);
    let recording = StoredValue::new_local(None::<Recording>);
    let recording_on = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let start = move |_| {
        error.set(None);
        spawn_local(async move {
            match open_stream(false).await.and_then(Recording::start) {
                Ok(r) => {
                    recording.set_value(Some(r));
                    recording_on.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let stop = move |_| {
        let Some(r) = recording.try_update_value(Option::take).flatten() else { return };
        recording_on.set(false);
        spawn_local(async move {
            match r.finish().await {
                Ok((blob, mime)) => {
                    let ext = if mime.contains("ogg") { "ogg" } else { "webm" };
                    value.set(InputValue::File(FileValue::new(format!("recording.{ext}"), mime, BlobRef::new(blob))));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <FileDrop id=control_id(&input) label=label_of(&input) accept=input.accept_attr() value/>
        <div class="button-row">
            <Show when=move || recording_on.get() fallback=move || view! {
                <button type="button" class="button button--secondary" on:click=start>"Record"</button>
            }>
                <button type="button" class="button button--danger" on:click=stop>"Stop recording"</button>
                <span class="recording-dot" role="status">"Recording…"</span>
            </Show>
        </div>
        {move || error.get().map(|e| view! { <p class="field__error" role="alert">{e}</p> })}
        {move || url.get().map(|u| view! {
            <audio class="media-preview" controls=true src=u.as_str().to_string() aria-label="Preview of the input audio"></audio>
        })}
        <FileFacts value/>
    }
}
