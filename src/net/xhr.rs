//! XMLHttpRequest, for the one thing `fetch` cannot do: report upload
//! progress. The request is aborted when its handle says so (Cancel) or when
//! the future is dropped (the page was left).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ProgressEvent, XmlHttpRequest, XmlHttpRequestEventTarget};

/// How an exchange ended without an HTTP answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XhrFailure {
    /// Connection refused, DNS, CORS refusal, or the connection dropped.
    Network,
    /// Cancelled by the user.
    Aborted,
    /// No answer within the timeout.
    Timeout,
}

/// A handle that can cancel an ongoing request.
#[derive(Clone)]
pub struct XhrHandle(XmlHttpRequest);

impl XhrHandle {
    pub fn abort(&self) {
        let _ = self.0.abort();
    }
}

/// Aborts the request if the future is dropped before it finished.
struct AbortOnDrop {
    xhr: XmlHttpRequest,
    done: bool,
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.xhr.abort();
        }
    }
}

/// What a request carries.
pub enum XhrBody<'a> {
    Bytes(&'a [u8]),
    /// Sent by the browser without a copy in wasm memory.
    Blob(&'a web_sys::Blob),
}

/// One request to send.
pub struct XhrRequest<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: XhrBody<'a>,
    pub timeout_ms: u32,
}

/// Creates the request object; keep its handle to cancel.
pub fn prepare() -> Result<(XmlHttpRequest, XhrHandle), XhrFailure> {
    let xhr = XmlHttpRequest::new().map_err(|_| XhrFailure::Network)?;
    Ok((xhr.clone(), XhrHandle(xhr)))
}

/// Sends and waits for the answer: `(status, body text)`. `on_upload` gets
/// (bytes sent, total) as the body goes out.
pub async fn send(
    xhr: XmlHttpRequest,
    req: XhrRequest<'_>,
    on_upload: impl Fn(f64, f64) + 'static,
) -> Result<(u16, String), XhrFailure> {
    xhr.open_with_async(req.method, req.url, true).map_err(|_| XhrFailure::Network)?;
    for (name, value) in req.headers {
        xhr.set_request_header(name, value).map_err(|_| XhrFailure::Network)?;
    }
    xhr.set_timeout(req.timeout_ms);

    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() {
            on_upload(e.loaded(), e.total());
        }
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }

    // Every way the request can end resolves the promise with its name.
    let mut keep: Vec<Closure<dyn FnMut()>> = Vec::new();
    let ended = js_sys::Promise::new(&mut |resolve, _| {
        for (event, setter) in [
            ("load", XmlHttpRequestEventTarget::set_onload as fn(&XmlHttpRequestEventTarget, Option<&js_sys::Function>)),
            ("error", XmlHttpRequestEventTarget::set_onerror),
            ("abort", XmlHttpRequestEventTarget::set_onabort),
            ("timeout", XmlHttpRequestEventTarget::set_ontimeout),
        ] {
            let resolve = resolve.clone();
            let cb = Closure::<dyn FnMut()>::new(move || {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(event));
            });
            setter(&xhr, Some(cb.as_ref().unchecked_ref()));
            keep.push(cb);
        }
    });

    let mut guard = AbortOnDrop { xhr: xhr.clone(), done: false };
    let sent = match req.body {
        XhrBody::Bytes(b) => xhr.send_with_opt_u8_array(Some(b)),
        XhrBody::Blob(b) => xhr.send_with_opt_blob(Some(b)),
    };
    sent.map_err(|_| XhrFailure::Network)?;
    let how = JsFuture::from(ended).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
    guard.done = true;
    drop(progress);
    drop(keep);
    match how.as_str() {
        "load" => Ok((xhr.status().unwrap_or(0), xhr.response_text().ok().flatten().unwrap_or_default())),
        "abort" => Err(XhrFailure::Aborted),
        "timeout" => Err(XhrFailure::Timeout),
        _ => Err(XhrFailure::Network),
    }
}
