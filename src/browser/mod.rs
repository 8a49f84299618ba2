//! The door to the browser's local I/O: files the user picks, blobs and
//! object URLs for showing outputs, the camera and the microphone, and the
//! clipboard. Nothing here touches the network (that is `net`) or storage
//! (that is `session`).

pub mod embed;
pub mod history;
pub mod media;

use crate::interface::{BlobRef, FileValue};
use base64::Engine;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File};

/// A `File` the user chose, as an input value: its bytes stay in the browser.
pub fn file_value(file: File) -> FileValue {
    let (name, mime) = (file.name(), file.type_());
    FileValue::new(name, mime, BlobRef::new(file.into()))
}

/// Bytes as an input file (examples, snapshots), moved into a browser blob.
pub fn bytes_file(name: &str, mime: &str, bytes: &[u8]) -> Option<FileValue> {
    Some(FileValue::new(name, mime, BlobRef::new(blob(bytes, mime)?)))
}

/// Reads any blob's bytes into wasm memory (for decoders and templates only).
pub async fn read_blob(blob: &Blob) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| "The browser could not read this file. Pick it again.".to_string())?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Reads a blob's text (UTF-8, lossy).
pub async fn read_text(blob: &Blob) -> Result<String, String> {
    read_blob(blob).await.map(|b| String::from_utf8_lossy(&b).into_owned())
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

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// A `Uint8Array` seen through the methods js-sys does not bind yet.
    type Base64Bytes;
    /// `Uint8Array.prototype.toBase64` (TC39 "Uint8Array to/from base64"; Chromium 140+).
    #[wasm_bindgen(method, js_name = toBase64)]
    fn to_base64(this: &Base64Bytes) -> js_sys::JsString;

    /// The browser's `TextEncoder`, writing a JS string into a buffer (web-sys
    /// takes a Rust string, which would copy the text into wasm memory).
    #[wasm_bindgen(js_name = TextEncoder)]
    type JsTextEncoder;
    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new() -> JsTextEncoder;
    #[wasm_bindgen(method, js_class = "TextEncoder", js_name = encodeInto)]
    fn encode_into(this: &JsTextEncoder, text: &js_sys::JsString, dest: &Uint8Array) -> JsValue;
}

/// Whether the browser encodes base64 itself (checked on every use, so a
/// benchmark can take it away to measure the fallback).
pub fn has_native_base64() -> bool {
    js_sys::Reflect::get(&Uint8Array::new_with_length(0), &JsValue::from_str("toBase64")).is_ok_and(|f| f.is_function())
}

/// Base64 of a blob, as a `text/plain` blob. It reads the blob in big
/// slices (`Blob.slice`) and encodes each in steps of [`BASE64_CHUNK`]
/// bytes, with the browser's own `toBase64` when it has one (the bytes then
/// never enter wasm memory), else in wasm. Each encoded step becomes a blob
/// part at once and the page gets a turn between steps, so no step blocks
/// it for long and a 100 MB file never becomes one 133 MB string.
/// `progress` gets the share done. (Profiled in `e2e/examples/probe_paths.rs`.)
pub async fn base64_of_blob(source: &Blob, progress: impl Fn(f64)) -> Result<Blob, String> {
    use crate::oscar::invoke::{chunks, BASE64_CHUNK, READ_CHUNK};
    let size = source.size() as u64;
    // Native: the text goes through one reused buffer into each blob part
    // (a blob made from bytes is much cheaper than one made from a string).
    let native = has_native_base64().then(|| {
        (JsTextEncoder::new(), Uint8Array::new_with_length(crate::oscar::invoke::base64_len(BASE64_CHUNK as usize) as u32))
    });
    let engine = base64::engine::general_purpose::STANDARD;
    let parts = Array::new();
    let mut text = String::new();
    for read in chunks(size, READ_CHUNK) {
        let slice = source
            .slice_with_f64_and_f64(read.start as f64, read.end as f64)
            .map_err(|e| js_error_message(&e))?;
        let buffer = JsFuture::from(slice.array_buffer())
            .await
            .map_err(|_| "The browser could not read this file. Pick it again.".to_string())?;
        let bytes = Uint8Array::new(&buffer);
        for step in chunks(read.end - read.start, BASE64_CHUNK) {
            let view = bytes.subarray(step.start as u32, step.end as u32);
            let part = match &native {
                Some((encoder, buffer)) => {
                    let encoded = view.unchecked_ref::<Base64Bytes>().to_base64();
                    // Base64 is ASCII: as many bytes as characters.
                    let _ = encoder.encode_into(&encoded, buffer);
                    buffer.subarray(0, encoded.length())
                }
                None => {
                    text.clear();
                    engine.encode_string(view.to_vec(), &mut text);
                    Uint8Array::from(text.as_bytes())
                }
            };
            let part = Blob::new_with_blob_sequence(&Array::of1(&part)).map_err(|e| js_error_message(&e))?;
            parts.push(&part);
            progress((read.start + step.end) as f64 / size.max(1) as f64);
            if size > BASE64_CHUNK {
                yield_to_browser().await;
            }
        }
    }
    let options = BlobPropertyBag::new();
    options.set_type("text/plain");
    Blob::new_with_blob_sequence_and_options(&parts, &options).map_err(|e| js_error_message(&e))
}

/// Leaves a User Timing mark (seen in profiles and by the benchmarks). Only
/// the latest mark of a name is kept: the browser keeps every mark until it
/// is cleared, so a long session would pile them up otherwise.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        p.clear_marks_with_mark_name(name);
        let _ = p.mark(name);
    }
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
        Self::of_blob(&blob(bytes, mime)?)
    }
    /// A URL for a blob as it is (a picked file: no copy).
    pub fn of_blob(blob: &Blob) -> Option<Self> {
        web_sys::Url::create_object_url_with_blob(blob).ok().map(Self)
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

/// Saves bytes as a file, through a click on a link made for it. Its object
/// URL lives until the next download, so the browser has time to read it;
/// only the latest one is kept.
pub fn download(bytes: &[u8], mime: &str, name: &str) {
    if let Some(b) = blob(bytes, mime) {
        download_blob(&b, name);
    }
}

/// Saves a blob as a file (see [`download`]), without copying it into wasm.
pub fn download_blob(blob: &Blob, name: &str) {
    thread_local! {
        static LAST: std::cell::RefCell<Option<ObjectUrl>> = const { std::cell::RefCell::new(None) };
    }
    let Some(url) = ObjectUrl::of_blob(blob) else { return };
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(url.as_str());
        a.set_download(name);
        a.click();
    }
    LAST.with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = Some(url);
        }
    });
}

/// Copies text to the clipboard; false when the browser refused.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let promise = window.navigator().clipboard().write_text(text);
    JsFuture::from(promise).await.is_ok()
}

/// A blob made of `parts` (blobs and byte arrays) in order, without
/// copying the blobs' bytes into wasm.
pub fn blob_of_parts(parts: &Array, mime: &str) -> Option<Blob> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_blob_sequence_and_options(parts, &options).ok()
}

/// Every file of a `FileList` (a multiple picker, a folder, a drop).
pub fn all_files(list: Option<web_sys::FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
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

/// What a drop holds as file-system entries (files and folders). The
/// entries must be taken while the drop event lasts; `None` when the
/// browser has no `webkitGetAsEntry` (then only `files` is there).
pub fn dropped_entries(dt: &web_sys::DataTransfer) -> Option<Vec<JsValue>> {
    let items = dt.items();
    let mut out = Vec::new();
    for i in 0..items.length() {
        let Some(item) = items.get(i) else { continue };
        let get = js_sys::Reflect::get(&item, &"webkitGetAsEntry".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
        if let Ok(entry) = get.call0(&item) {
            if !entry.is_null() && !entry.is_undefined() {
                out.push(entry);
            }
        }
    }
    Some(out)
}

/// Calls `method(resolve, reject)` on `target` and waits for it (the
/// callback style of the file-system entry API).
async fn callback_call(target: &JsValue, method: &str) -> Result<JsValue, String> {
    let f = js_sys::Reflect::get(target, &method.into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| format!("this browser has no {method}"))?;
    let target = target.clone();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if let Err(e) = f.call2(&target, &resolve, &reject) {
            let _ = reject.call1(&JsValue::NULL, &e);
        }
    });
    JsFuture::from(promise).await.map_err(|e| js_error_message(&e))
}

/// Every file under dropped entries, folders walked in depth (hidden files
/// left out), at most `cap`; and the entries that could not be read.
pub async fn files_of_entries(entries: Vec<JsValue>, cap: usize) -> (Vec<File>, usize) {
    let mut stack = entries;
    stack.reverse();
    let (mut files, mut unread) = (Vec::new(), 0);
    while let Some(entry) = stack.pop() {
        if files.len() >= cap {
            break;
        }
        let name = js_sys::Reflect::get(&entry, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        let is_dir = js_sys::Reflect::get(&entry, &"isDirectory".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
        if is_dir {
            let Ok(reader) = js_sys::Reflect::get(&entry, &"createReader".into())
                .and_then(|f| f.dyn_into::<js_sys::Function>().map_err(JsValue::from))
                .and_then(|f| f.call0(&entry))
            else {
                unread += 1;
                continue;
            };
            // readEntries gives a batch at a time, until an empty one.
            let mut children = Vec::new();
            loop {
                match callback_call(&reader, "readEntries").await {
                    Ok(batch) => {
                        let batch = Array::from(&batch);
                        if batch.length() == 0 {
                            break;
                        }
                        children.extend(batch.iter());
                    }
                    Err(_) => {
                        unread += 1;
                        break;
                    }
                }
            }
            children.sort_by_key(|c| js_sys::Reflect::get(c, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default());
            stack.extend(children.into_iter().rev());
        } else {
            match callback_call(&entry, "file").await.map(|f| f.dyn_into::<File>()) {
                Ok(Ok(f)) => files.push(f),
                _ => unread += 1,
            }
        }
    }
    (files, unread)
}

/// A unix time as the browser's locale writes it; "—" when unknown.
pub fn local_time(unix: Option<i64>) -> String {
    match unix {
        Some(t) => String::from(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t as f64 * 1000.0)).to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)),
        None => "—".into(),
    }
}
