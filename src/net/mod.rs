//! The only code that talks to the network. Every call returns
//! `Result<T, ApiError>`, has a timeout, and is aborted when its future is
//! dropped (a page left, a resource re-run), so no answer lands on a stale view.

pub mod site;
pub mod storage;
pub mod xhr;

use crate::oscar::invoke::run_error;
use crate::oscar::{ApiError, ClusterConfig, Credentials, Endpoint, Service, ServiceList};
use crate::routes::encode_component;
use crate::session::Session;
use gloo_net::http::{Request, RequestBuilder};
use leptos::prelude::{set_timeout_with_handle, TimeoutHandle};
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use web_sys::{AbortController, RequestMode};

/// How long a `/system/*` call may take before the user is told.
pub(crate) const SYSTEM_TIMEOUT_SECS: u32 = 20;

/// Aborts its request when dropped, and after a timeout.
struct Flight {
    controller: Option<AbortController>,
    timer: Option<TimeoutHandle>,
    timed_out: Rc<Cell<bool>>,
}

impl Flight {
    fn start(seconds: u32) -> Self {
        let controller = AbortController::new().ok();
        let timed_out = Rc::new(Cell::new(false));
        let timer = controller.clone().and_then(|c| {
            let flag = timed_out.clone();
            set_timeout_with_handle(
                move || {
                    flag.set(true);
                    c.abort();
                },
                Duration::from_secs(u64::from(seconds)),
            )
            .ok()
        });
        Self { controller, timer, timed_out }
    }

    fn attach(&self, builder: RequestBuilder) -> RequestBuilder {
        builder.abort_signal(self.controller.as_ref().map(|c| c.signal()).as_ref())
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        if let Some(t) = self.timer.take() {
            t.clear();
        }
        if let Some(c) = self.controller.take() {
            c.abort();
        }
    }
}

/// A finished HTTP exchange: the status and the body text.
struct Answer {
    status: u16,
    body: String,
}

/// Sends a request and reads the whole body, mapping every failure.
async fn exchange(endpoint: &Endpoint, builder: RequestBuilder, seconds: u32) -> Result<Answer, ApiError> {
    exchange_with(endpoint, builder, None, seconds).await
}

/// [`exchange`] with an optional request body (JSON text, or a blob).
async fn exchange_with(
    endpoint: &Endpoint,
    builder: RequestBuilder,
    body: Option<wasm_bindgen::JsValue>,
    seconds: u32,
) -> Result<Answer, ApiError> {
    let flight = Flight::start(seconds);
    let builder = flight.attach(builder);
    let request = match body {
        Some(b) => builder.body(b),
        None => builder.build(),
    }
    .map_err(|_| ApiError::InvalidEndpoint("The browser refused to build this request; check the address.".into()))?;
    let response = match request.send().await {
        Ok(r) => r,
        Err(_) if flight.timed_out.get() => return Err(ApiError::Timeout { seconds }),
        Err(_) => return Err(diagnose_failure(endpoint).await),
    };
    let status = response.status();
    let body = match response.text().await {
        Ok(b) => b,
        Err(_) if flight.timed_out.get() => return Err(ApiError::Timeout { seconds }),
        Err(_) => return Err(ApiError::ConnectionLost),
    };
    Ok(Answer { status, body })
}

/// `fetch` and XHR say only "failed" for a dead host, a CORS refusal and a
/// dropped connection alike. Probes of a URL that needs no auth tell them
/// apart (see [`Reach`]).
async fn diagnose_failure(endpoint: &Endpoint) -> ApiError {
    let to = endpoint.to_string();
    match reach(&endpoint.url("/health")).await {
        Reach::Nothing => ApiError::Unreachable { endpoint: to },
        Reach::NoCors => ApiError::CorsBlocked { endpoint: to },
        Reach::Fine => ApiError::ConnectionLost,
    }
}

/// What probes of a URL say about a failed request to the same server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Nothing answers: the address or the network is wrong.
    Nothing,
    /// It answers, but not to cross-origin requests with an
    /// `Authorization` header (no CORS, or CORS without that header, §4).
    NoCors,
    /// It answers cross-origin too: the connection itself dropped.
    Fine,
}

/// Probes `url`: a no-cors request completes for any HTTP answer; a
/// cross-origin one with an `Authorization` header (harmless on a health
/// URL) needs the CORS preflight to pass, as the failed request did.
pub(crate) async fn reach(url: &str) -> Reach {
    let probe = |builder: RequestBuilder| async move {
        let flight = Flight::start(8);
        flight.attach(builder).send().await.is_ok()
    };
    if !probe(Request::get(url).mode(RequestMode::NoCors)).await {
        return Reach::Nothing;
    }
    if probe(Request::get(url).header("Authorization", "Bearer probe")).await {
        Reach::Fine
    } else {
        Reach::NoCors
    }
}

fn authorized(builder: RequestBuilder, credentials: &Credentials) -> RequestBuilder {
    builder.header("Authorization", &credentials.authorization())
}

/// Checks the credentials with `GET /system/config` and returns the parsed
/// configuration (OSCAR-API.md §6). Anything that is not an OSCAR config is
/// reported as "not OSCAR", with the reason.
pub async fn login(endpoint: &Endpoint, credentials: &Credentials) -> Result<ClusterConfig, ApiError> {
    let builder = authorized(Request::get(&endpoint.url("/system/config")), credentials);
    let answer = exchange(endpoint, builder, SYSTEM_TIMEOUT_SECS).await?;
    let not_oscar = |why: String| ApiError::NotOscar { endpoint: endpoint.to_string(), why };
    match answer.status {
        200 => ClusterConfig::parse(&answer.body).map_err(not_oscar),
        404 | 405 => Err(not_oscar(format!("it has no /system/config (HTTP {})", answer.status))),
        status => Err(ApiError::from_status(status, &answer.body, "configuration endpoint")),
    }
}

/// `GET /system/services`.
pub async fn list_services(session: &Session) -> Result<ServiceList, ApiError> {
    let builder = authorized(Request::get(&session.endpoint.url("/system/services")), &session.credentials);
    let answer = exchange(&session.endpoint, builder, SYSTEM_TIMEOUT_SECS).await?;
    match answer.status {
        200 => ServiceList::parse(&answer.body)
            .map_err(|why| ApiError::NotOscar { endpoint: session.endpoint.to_string(), why }),
        status => Err(ApiError::from_status(status, &answer.body, "service list")),
    }
}

/// `GET /system/services/{name}`.
pub async fn get_service(session: &Session, name: &str) -> Result<Service, ApiError> {
    let path = format!("/system/services/{}", encode_component(name));
    let builder = authorized(Request::get(&session.endpoint.url(&path)), &session.credentials);
    let answer = exchange(&session.endpoint, builder, SYSTEM_TIMEOUT_SECS).await?;
    match answer.status {
        200 => serde_json::from_str::<serde_json::Value>(&answer.body)
            .map_err(|_| "the service definition is not JSON".to_string())
            .and_then(Service::from_value)
            .map_err(|why| ApiError::NotOscar { endpoint: session.endpoint.to_string(), why }),
        status => Err(ApiError::from_status(status, &answer.body, &format!("service “{name}”"))),
    }
}

/// The body of a `/run` call, already encoded.
pub enum RunBody {
    /// A JSON object, passed to the service as is.
    Json(String),
    /// The input's bytes in base64, as built by `browser::base64_of_blob`.
    Base64(web_sys::Blob),
}

/// How long a sync run may take: OSCAR's own limits are 300 s (§7).
const RUN_TIMEOUT_SECS: u32 = 310;

/// `POST /run/{name}` with the service token (OSCAR-API.md §7). On a 401 the
/// token is fetched again once and the call retried, because clusters older
/// than v4 regenerate it on every service update (§12). Returns the raw body.
pub async fn run_service(
    session: &Session,
    name: &str,
    token: &str,
    body: &RunBody,
    cancel: &dyn Fn(xhr::XhrHandle),
    on_upload: impl Fn(f64, f64) + Clone + 'static,
) -> Result<Vec<u8>, ApiError> {
    let url = session.endpoint.url(&format!("/run/{}", encode_component(name)));
    let content_type = match body {
        RunBody::Json(_) => "application/json",
        RunBody::Base64(_) => "text/plain",
    };
    // With an OIDC login the user's own token runs the service (§2).
    let own = session.credentials.run_token();
    let mut token = own.unwrap_or(token).to_string();
    for attempt in 0..2 {
        let (request, handle) = xhr::prepare().map_err(|_| ApiError::ConnectionLost)?;
        cancel(handle);
        let bearer = format!("Bearer {token}");
        let headers = [("Authorization", bearer.as_str()), ("Content-Type", content_type)];
        let sent = xhr::send(
            request,
            xhr::XhrRequest {
                method: "POST",
                url: &url,
                headers: &headers,
                body: match body {
                    RunBody::Json(text) => xhr::XhrBody::Bytes(text.as_bytes()),
                    RunBody::Base64(blob) => xhr::XhrBody::Blob(blob),
                },
                timeout_ms: RUN_TIMEOUT_SECS * 1000,
            },
            xhr::Progress { upload: Box::new(on_upload.clone()), download: Box::new(|_, _| {}) },
        )
        .await;
        match sent {
            Ok(a) if a.status == 200 => return Ok(a.body),
            // An expired OIDC token: the fix is to log in again.
            Ok(a) if a.status == 401 && own.is_some() => return Err(ApiError::Unauthorized),
            Ok(a) if a.status == 401 && attempt == 0 => {
                // v4 answers 401 for a token of a deleted service too.
                token = match get_service(session, name).await {
                    Ok(service) => service.token.expose().to_string(),
                    Err(ApiError::NotFound(_)) => return Err(ApiError::ServiceGone { service: name.to_string() }),
                    Err(e) => return Err(e),
                };
            }
            Ok(a) => return Err(run_error(a.status, &String::from_utf8_lossy(&a.body), name, attempt > 0)),
            Err(xhr::XhrFailure::Aborted) => return Err(ApiError::Cancelled),
            Err(xhr::XhrFailure::Timeout) => return Err(ApiError::Timeout { seconds: RUN_TIMEOUT_SECS }),
            // Status 0: no answer. Tell a dead host from a CORS refusal.
            Err(xhr::XhrFailure::Network) => return Err(diagnose_failure(&session.endpoint).await),
        }
    }
    Err(ApiError::TokenRefused { service: name.to_string() })
}
