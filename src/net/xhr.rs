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
    None,
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

/// A finished exchange.
pub struct XhrAnswer {
    pub status: u16,
    pub body: Vec<u8>,
    /// The `Date` header, when the server exposes it (MinIO does, §4).
    pub date: Option<String>,
}

/// Progress callbacks: (bytes done, total) for the upload and the download.
pub struct Progress {
    pub upload: Box<dyn Fn(f64, f64)>,
    pub download: Box<dyn Fn(f64, f64)>,
}

impl Progress {
    /// No progress reporting.
    pub fn none() -> Self {
        Self { upload: Box::new(|_, _| {}), download: Box::new(|_, _| {}) }
    }
}

/// Sends and waits for the whole answer, read as bytes.
pub async fn send(xhr: XmlHttpRequest, req: XhrRequest<'_>, progress: Progress) -> Result<XhrAnswer, XhrFailure> {
    xhr.open_with_async(req.method, req.url, true).map_err(|_| XhrFailure::Network)?;
    xhr.set_response_type(web_sys::XmlHttpRequestResponseType::Arraybuffer);
    for (name, value) in req.headers {
        xhr.set_request_header(name, value).map_err(|_| XhrFailure::Network)?;
    }
    xhr.set_timeout(req.timeout_ms);

    let Progress { upload, download } = progress;
    let up = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() {
            upload(e.loaded(), e.total());
        }
    });
    if let Ok(target) = xhr.upload() {
        target.set_onprogress(Some(up.as_ref().unchecked_ref()));
    }
    let down = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        download(e.loaded(), if e.length_computable() { e.total() } else { 0.0 });
    });
    xhr.set_onprogress(Some(down.as_ref().unchecked_ref()));

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
        XhrBody::None => xhr.send(),
        XhrBody::Bytes(b) => xhr.send_with_opt_u8_array(Some(b)),
        XhrBody::Blob(b) => xhr.send_with_opt_blob(Some(b)),
    };
    sent.map_err(|_| XhrFailure::Network)?;
    let how = JsFuture::from(ended).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
    guard.done = true;
    drop((up, down, keep));
    match how.as_str() {
        "load" => {
            let body = xhr.response().ok().map(|b| js_sys::Uint8Array::new(&b).to_vec()).unwrap_or_default();
            let date = xhr.get_response_header("Date").ok().flatten();
            Ok(XhrAnswer { status: xhr.status().unwrap_or(0), body, date })
        }
        "abort" => Err(XhrFailure::Aborted),
        "timeout" => Err(XhrFailure::Timeout),
        _ => Err(XhrFailure::Network),
    }
}
