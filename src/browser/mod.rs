//! The door to the browser's local I/O: files the user picks, blobs and
//! object URLs for showing outputs, the camera and the microphone, and the
//! clipboard. Nothing here touches the network (that is `net`) or storage
//! (that is `session`).

pub mod embed;
pub mod media;

use base64::Engine;
use js_sys::{Array, Uint8Array};
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File};

/// A file the user chose, read into memory.
#[derive(Clone, Debug, PartialEq)]
pub struct PickedFile {
    pub name: String,
    pub mime: String,
    pub bytes: Arc<[u8]>,
}

/// Reads a browser `File` (or `Blob`) into memory.
pub async fn read_file(file: &File) -> Result<PickedFile, String> {
    let bytes = read_blob(file).await?;
    Ok(PickedFile { name: file.name(), mime: file.type_(), bytes: bytes.into() })
}

/// Reads any blob's bytes.
pub async fn read_blob(blob: &Blob) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| "The browser could not read this file. Pick it again.".to_string())?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Lets the browser paint and handle input before the next chunk of work.
pub async fn yield_to_browser() {
    sleep_ms(0).await;
}

/// Waits `ms` milliseconds without blocking the page.
pub async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Base64-encodes in chunks into a `Blob`, yielding between chunks, so that
/// encoding a 100 MB file never blocks the page for long and the encoded text
/// never needs one huge copy in wasm memory. `progress` gets the share done.
pub async fn base64_blob(bytes: &[u8], progress: impl Fn(f64)) -> Option<Blob> {
    // A multiple of 3, so the chunks concatenate into one valid base64 text.
    const CHUNK: usize = 3 * 256 * 1024;
    let engine = base64::engine::general_purpose::STANDARD;
    let parts = Array::new();
    let mut text = String::with_capacity(CHUNK / 3 * 4);
    let total = bytes.len().max(1) as f64;
    for (i, chunk) in bytes.chunks(CHUNK).enumerate() {
        text.clear();
        engine.encode_string(chunk, &mut text);
        // A blob per chunk: the final blob then references them instead of
        // copying 100+ MB in one go.
        let part = Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(text.as_bytes()))).ok()?;
        parts.push(&part);
        if bytes.len() > CHUNK {
            progress(((i + 1) * CHUNK).min(bytes.len()) as f64 / total);
            yield_to_browser().await;
        }
    }
    let options = BlobPropertyBag::new();
    options.set_type("text/plain");
    Blob::new_with_blob_sequence_and_options(&parts, &options).ok()
}

/// Makes a blob of bytes with a MIME type.
pub fn blob(bytes: &[u8], mime: &str) -> Option<Blob> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

/// An object URL for showing bytes in `<img>`, `<audio>`, `<video>` or a
/// download link; revoked when dropped.
#[derive(Debug, PartialEq, Eq)]
pub struct ObjectUrl(String);

impl ObjectUrl {
    pub fn new(bytes: &[u8], mime: &str) -> Option<Self> {
        let blob = blob(bytes, mime)?;
        web_sys::Url::create_object_url_with_blob(&blob).ok().map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Drop for ObjectUrl {
    fn drop(&mut self) {
        let _ = web_sys::Url::revoke_object_url(&self.0);
    }
}

/// Copies text to the clipboard; false when the browser refused.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let promise = window.navigator().clipboard().write_text(text);
    JsFuture::from(promise).await.is_ok()
}

/// The first file of a `FileList` (from a picker, a drop or a paste).
pub fn first_file(list: Option<web_sys::FileList>) -> Option<File> {
    list.and_then(|l| l.get(0))
}

/// A readable message for a failed JS promise.
pub fn js_error_message(err: &JsValue) -> String {
    err.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
