//! Sync bodies encoded ahead of the click. When a file is given to a page
//! that runs synchronously, its base64 body is made in the background (the
//! way Gradio uploads a file as soon as it is picked), so that "Run" sends
//! at once. One body is kept, for the latest file; picking another lets the
//! old one go. Big files are left to the click: holding their body would
//! cost more memory than it saves time.

use crate::interface::{BlobRef, FileValue};
use js_sys::Promise;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Files up to this size are encoded ahead.
pub const AHEAD_LIMIT: u64 = 32 * 1024 * 1024;

struct Ahead {
    source: BlobRef,
    /// Resolves to the encoded blob, or rejects with the reason.
    body: Promise,
}

thread_local! {
    static AHEAD: RefCell<Option<Ahead>> = const { RefCell::new(None) };
}

/// Starts encoding `file` for a sync run, unless it is big or already done.
pub fn prepare(file: &FileValue) {
    if file.size > AHEAD_LIMIT || AHEAD.with_borrow(|a| a.as_ref().is_some_and(|a| a.source == file.data)) {
        return;
    }
    let blob = file.data.blob().clone();
    let body = Promise::new(&mut |resolve, reject| {
        let blob = blob.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = match crate::browser::base64_of_blob(&blob, |_| {}).await {
                Ok(encoded) => resolve.call1(&JsValue::NULL, &encoded),
                Err(why) => reject.call1(&JsValue::NULL, &JsValue::from_str(&why)),
            };
        });
    });
    AHEAD.set(Some(Ahead { source: file.data.clone(), body }));
}

/// The base64 body of `file`: the one made ahead if it is this file's,
/// else made now (`progress` gets the share done).
pub async fn body(file: &FileValue, progress: impl Fn(f64)) -> Result<web_sys::Blob, String> {
    let ahead = AHEAD.with_borrow(|a| a.as_ref().filter(|a| a.source == file.data).map(|a| a.body.clone()));
    match ahead {
        Some(promise) => match JsFuture::from(promise).await {
            Ok(blob) => blob.dyn_into::<web_sys::Blob>().map_err(|_| "The encoded input was lost. Try again.".to_string()),
            Err(why) => Err(why.as_string().unwrap_or_else(|| "The browser could not prepare the input.".into())),
        },
        None => crate::browser::base64_of_blob(file.data.blob(), progress).await,
    }
}
