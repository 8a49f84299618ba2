use super::{control_id, label_of, preview_url, FileDrop, FileFacts};
use crate::browser::media::{open_stream, snapshot, stop_stream};
use crate::interface::spec::InputSpec;
use crate::interface::InputValue;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// An image: picked, dropped, pasted, or snapped from the webcam; with a preview.
#[component]
pub fn ImageInput(
    /// The input's spec.
    input: InputSpec,
    /// The input's value.
    value: RwSignal<InputValue>,
    /// Whether a paste on the page is taken as the image.
    #[prop(optional)]
    paste: bool,
) -> impl IntoView {
    let url = preview_url(value);
    let camera = StoredValue::new_local(None::<web_sys::MediaStream>);
    let camera_on = RwSignal::new(false);
    // The first frame has arrived: only then is there something to snap.
    let camera_ready = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let video = NodeRef::<html::Video>::new();

    let close = move || {
        camera.update_value(|s| {
            if let Some(s) = s.take() {
                stop_stream(&s);
            }
        });
        camera_on.set(false);
        camera_ready.set(false);
    };
    on_cleanup(move || {
        // The stream is a local value: stop it if the page goes away.
        camera.try_update_value(|s| {
            if let Some(s) = s.take() {
                stop_stream(&s);
            }
        });
    });
    let open = move |_| {
        error.set(None);
        spawn_local(async move {
            match open_stream(true).await {
                Ok(stream) => {
                    camera_on.set(true);
                    if let Some(v) = video.get_untracked() {
                        v.set_src_object(Some(&stream));
                        let _ = v.play();
                    }
                    camera.set_value(Some(stream));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let snap = move |_| {
        let Some(v) = video.get_untracked() else { return };
        let v: web_sys::HtmlVideoElement = v.unchecked_into();
        spawn_local(async move {
            match snapshot(&v).await.and_then(|png| {
                crate::browser::bytes_file("snapshot.png", "image/png", &png).ok_or_else(|| "The snapshot could not be kept.".to_string())
            }) {
                Ok(file) => {
                    value.set(InputValue::File(file));
                    close();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <FileDrop id=control_id(&input) label=label_of(&input) accept=input.accept_attr() paste value/>
        <div class="camera">
            <video class="camera__view" class:camera__view--off=move || !camera_on.get() node_ref=video
                autoplay=true muted=true playsinline=true aria-label="Camera"
                on:loadeddata=move |_| camera_ready.set(true)></video>
            <div class="button-row">
                <Show when=move || camera_on.get() fallback=move || view! {
                    <button type="button" class="button button--secondary" on:click=open>"Use camera"</button>
                }>
                    <button type="button" class="button button--secondary" on:click=snap
                        disabled=move || !camera_ready.get()>"Take snapshot"</button>
                    <button type="button" class="button button--ghost" on:click=move |_| close()>"Close camera"</button>
                </Show>
            </div>
            {move || error.get().map(|e| view! { <p class="field__error" role="alert">{e}</p> })}
        </div>
        {move || url.get().map(|u| view! {
            <img class="media-preview media-preview--image" src=u.as_str().to_string() alt="Preview of the input image"/>
        })}
        <FileFacts value/>
    }
}
