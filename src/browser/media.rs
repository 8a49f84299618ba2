//! Camera snapshots and microphone recordings.

use super::js_error_message;
use js_sys::Array;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobEvent, HtmlCanvasElement, HtmlVideoElement, MediaRecorder, MediaStream, MediaStreamConstraints};

/// Asks for the camera (`video`) or the microphone (`audio`).
pub async fn open_stream(video: bool) -> Result<MediaStream, String> {
    let devices = web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .ok_or("This browser has no camera or microphone access (it needs HTTPS or localhost).")?;
    let constraints = MediaStreamConstraints::new();
    if video {
        constraints.set_video(&JsValue::TRUE);
    } else {
        constraints.set_audio(&JsValue::TRUE);
    }
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| js_error_message(&e))?;
    let stream = JsFuture::from(promise).await.map_err(|e| {
        let what = if video { "camera" } else { "microphone" };
        format!("Could not use the {what}: {}. Allow access in the browser and try again.", js_error_message(&e))
    })?;
    stream.dyn_into::<MediaStream>().map_err(|_| "The browser returned no media stream.".to_string())
}

/// Stops every track, turning the camera or microphone light off.
pub fn stop_stream(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// Draws the current video frame into a PNG.
pub async fn snapshot(video: &HtmlVideoElement) -> Result<Vec<u8>, String> {
    // A camera can take a moment to deliver its first frame.
    for _ in 0..100 {
        if video.video_width() > 0 && video.video_height() > 0 {
            break;
        }
        super::sleep_ms(50).await;
    }
    let (w, h) = (video.video_width(), video.video_height());
    if w == 0 || h == 0 {
        return Err("The camera has not started yet; try again in a moment.".into());
    }
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|e| js_error_message(&e))?
        .dyn_into()
        .map_err(|_| "no canvas")?;
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        .ok_or("The browser has no 2D canvas.")?;
    ctx.draw_image_with_html_video_element(video, 0.0, 0.0).map_err(|e| js_error_message(&e))?;
    let url = canvas.to_data_url_with_type("image/png").map_err(|e| js_error_message(&e))?;
    let b64 = url.split_once(',').map(|(_, b)| b).unwrap_or_default();
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| "The snapshot could not be encoded.".into())
}

/// A microphone recording in progress.
pub struct Recording {
    recorder: MediaRecorder,
    stream: MediaStream,
    chunks: Rc<RefCell<Vec<Blob>>>,
    _on_data: Closure<dyn FnMut(BlobEvent)>,
}

impl Recording {
    /// Starts recording from a microphone stream.
    pub fn start(stream: MediaStream) -> Result<Self, String> {
        let recorder = MediaRecorder::new_with_media_stream(&stream).map_err(|e| js_error_message(&e))?;
        let chunks = Rc::new(RefCell::new(Vec::new()));
        let sink = chunks.clone();
        let on_data = Closure::<dyn FnMut(BlobEvent)>::new(move |e: BlobEvent| {
            if let Some(b) = e.data() {
                sink.borrow_mut().push(b);
            }
        });
        recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
        recorder.start().map_err(|e| js_error_message(&e))?;
        Ok(Self { recorder, stream, chunks, _on_data: on_data })
    }

    /// Stops and returns the recording as a blob and its MIME type.
    pub async fn finish(self) -> Result<(Blob, String), String> {
        let recorder = self.recorder.clone();
        let stopped = js_sys::Promise::new(&mut |resolve, _| {
            recorder.set_onstop(Some(&resolve));
        });
        let _ = self.recorder.stop();
        let _ = JsFuture::from(stopped).await;
        stop_stream(&self.stream);
        let mime = self.recorder.mime_type();
        let parts: Array = self.chunks.borrow().iter().collect();
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(&mime);
        let blob = Blob::new_with_blob_sequence_and_options(&parts, &options).map_err(|e| js_error_message(&e))?;
        Ok((blob, if mime.is_empty() { "audio/webm".into() } else { mime }))
    }
}
