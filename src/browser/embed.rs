//! Talking to the page that embeds the app in an iframe (the OSCAR
//! dashboard): the handshake messages and the content height.

use serde_json::{json, Value};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The message type prefix of the embedding protocol.
pub const PREFIX: &str = "oscar-visor:";

fn to_js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

/// Whether the app runs inside a frame.
pub fn in_frame() -> bool {
    let Some(w) = web_sys::window() else { return false };
    match (w.parent().ok().flatten(), w.top().ok().flatten()) {
        (Some(parent), _) => !js_sys::Object::is(&parent, &w),
        _ => false,
    }
}

/// Posts a message without secrets to the parent, whatever its origin.
pub fn post_to_parent(message: &Value) {
    if !in_frame() {
        return;
    }
    if let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
        let _ = parent.post_message(&to_js(message), "*");
    }
}

/// Replies to the window that sent `event`, only at its own origin.
pub fn reply(event: &web_sys::MessageEvent, message: &Value) {
    let Some(source) = event.source() else { return };
    // A cross-origin window is a proxy that fails `instanceof Window` in
    // this realm, yet takes postMessage.
    let win: web_sys::Window = source.unchecked_into();
    let _ = win.post_message(&to_js(message), &event.origin());
}

/// The JSON data of a message, if it is one of ours.
pub fn message_data(event: &web_sys::MessageEvent) -> Option<Value> {
    let text = js_sys::JSON::stringify(&event.data()).ok()?.as_string()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    value.get("type")?.as_str()?.starts_with(PREFIX).then_some(value)
}

/// Watches the content height for the parent; disconnects when dropped.
pub struct HeightReporter {
    observer: web_sys::ResizeObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl Drop for HeightReporter {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Reports the content height to the parent whenever it changes, so the
/// iframe can fit it. Keep the returned reporter alive.
pub fn report_height() -> Option<HeightReporter> {
    if !in_frame() {
        return None;
    }
    let body = web_sys::window()?.document()?.body()?;
    let target = body.clone();
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries: js_sys::Array| {
        let height = target.scroll_height();
        post_to_parent(&json!({ "type": "oscar-visor:height", "height": height }));
    });
    let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(&body);
    Some(HeightReporter { observer, _callback: callback })
}
