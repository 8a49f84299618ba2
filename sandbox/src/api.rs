//! The API port: routing like gin, auth like OSCAR (§2), CORS like the Helm ingress (§4),
//! fault switches for tests.

use crate::interfaces;
use crate::jobs::{self, split_path, ListError};
use crate::model::{parse_service, valid_service_name, Service};
use crate::oidc::TokenError;
use crate::run;
use crate::sigv4;
use crate::statics;
use crate::storage::{self, valid_bucket_name, ACCESS_KEY, REGION, SECRET_KEY};
use crate::util::{
    empty, json, not_found, response, rfc3339, set_header, text, Resp, TEXT,
};
use crate::{ConfigShape, Impersonate};
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use hyper::{Method, Request, StatusCode};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

const MAX_BODY: usize = 64 * 1024 * 1024;
use crate::state::SERVICES_NAMESPACE;
pub(crate) use crate::state::{user_may_see, BucketMeta, Caller, Shared};
const K8S_VERSION: &str = "v1.31.4+k3s1";

impl Shared {
    /// Creates a service from its JSON as `POST /system/services` would, as
    /// the cluster admin; the status code OSCAR would answer.
    pub(crate) fn add_service(&self, json: &str) -> u16 {
        create_service(self, &Caller::Admin, json.as_bytes()).status().as_u16()
    }
}

enum Route {
    Info,
    Config,
    ListServices,
    CreateService,
    UpdateService,
    GetService(String),
    DeleteService(String),
    Run(String),
    Job(String),
    ListBuckets,
    CreateBucket,
    UpdateBucket,
    GetBucket(String),
    DeleteBucket(String),
    Presign(String),
    ListJobs(String),
    DeleteJobs(String),
    JobLogs(String, String),
    DeleteJob(String, String),
}

impl Route {
    fn is_system(&self) -> bool {
        !matches!(self, Route::Run(_) | Route::Job(_))
    }
}

fn match_route(method: &Method, path: &str, serverless: bool, presign: bool) -> Option<Route> {
    let segs: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return None;
    }
    let m = method.clone();
    Some(match (m, segs.as_slice()) {
        (Method::GET, ["system", "info"]) => Route::Info,
        (Method::GET, ["system", "config"]) => Route::Config,
        (Method::GET, ["system", "services"]) => Route::ListServices,
        (Method::POST, ["system", "services"]) => Route::CreateService,
        (Method::PUT, ["system", "services"]) => Route::UpdateService,
        (Method::GET, ["system", "services", n]) => Route::GetService(n.to_string()),
        (Method::DELETE, ["system", "services", n]) => Route::DeleteService(n.to_string()),
        (Method::POST, ["run", n]) if serverless => Route::Run(n.to_string()),
        (Method::POST, ["job", n]) => Route::Job(n.to_string()),
        (Method::GET, ["system", "buckets"]) => Route::ListBuckets,
        (Method::POST, ["system", "buckets"]) => Route::CreateBucket,
        (Method::PUT, ["system", "buckets"]) => Route::UpdateBucket,
        (Method::GET, ["system", "buckets", b]) => Route::GetBucket(b.to_string()),
        (Method::DELETE, ["system", "buckets", b]) => Route::DeleteBucket(b.to_string()),
        (Method::POST, ["system", "buckets", b, "presign"]) if presign => {
            Route::Presign(b.to_string())
        }
        (Method::GET, ["system", "logs", n]) => Route::ListJobs(n.to_string()),
        (Method::DELETE, ["system", "logs", n]) => Route::DeleteJobs(n.to_string()),
        (Method::GET, ["system", "logs", n, j]) => Route::JobLogs(n.to_string(), j.to_string()),
        (Method::DELETE, ["system", "logs", n, j]) => {
            Route::DeleteJob(n.to_string(), j.to_string())
        }
        _ => return None,
    })
}

fn add_cors(r: &mut Resp) {
    set_header(r, "access-control-allow-origin", "*");
    set_header(r, "access-control-allow-credentials", "true");
    set_header(
        r,
        "access-control-allow-methods",
        "PUT, GET, POST, OPTIONS, DELETE",
    );
    set_header(
        r,
        "access-control-allow-headers",
        "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization",
    );
}

pub(crate) async fn handle(
    state: std::sync::Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Resp, std::io::Error> {
    let cors = state.cors.load(Ordering::SeqCst);
    let mut resp = route(&state, req, cors).await?;
    if cors {
        add_cors(&mut resp);
    }
    // Browsers silently resend a request whose kept-alive socket closes
    // unanswered; one connection per request makes a dropped one seen.
    let dropping = match state.faults.read() {
        Ok(g) => g.drop_every > 0,
        Err(p) => p.into_inner().drop_every > 0,
    };
    if dropping {
        set_header(&mut resp, "connection", "close");
    }
    Ok(resp)
}

async fn route(
    state: &Arc<Shared>,
    req: Request<Incoming>,
    cors: bool,
) -> Result<Resp, std::io::Error> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();

    // ingress-nginx answers every preflight itself (§4); without the ingress gin says 404.
    if method == Method::OPTIONS && cors {
        let mut r = empty(StatusCode::NO_CONTENT);
        set_header(&mut r, "access-control-max-age", "1728000");
        set_header(&mut r, "content-type", "text/plain charset=UTF-8");
        return Ok(r);
    }
    if path == "/health" && method == Method::GET {
        return Ok(text(StatusCode::OK, "Ok"));
    }
    if let Some(ui) = state.ui_dir.as_ref() {
        if path == "/" && method == Method::GET {
            return Ok(redirect(StatusCode::FOUND, "/ui/"));
        }
        if path == "/ui" && method == Method::GET {
            return Ok(redirect(StatusCode::MOVED_PERMANENTLY, "/ui/"));
        }
        if let Some(rel) = path.strip_prefix("/ui/") {
            if method == Method::GET || method == Method::HEAD {
                if rel == "interfaces.json" {
                    let mut r = response(
                        StatusCode::OK,
                        Some("application/json"),
                        interfaces::demo_interfaces_json(),
                    );
                    set_header(&mut r, "cache-control", "no-cache");
                    return Ok(r);
                }
                if let Some((_, ct, bytes)) = interfaces::demo_example_files()
                    .into_iter()
                    .find(|(p, _, _)| p == rel)
                {
                    return Ok(response(StatusCode::OK, Some(ct), bytes));
                }
            }
            return Ok(statics::serve(ui, &method, rel, true, statics::accepts_gzip(req.headers())).await);
        }
    }
    let is_system = path.starts_with("/system/");
    if !(is_system || path.starts_with("/run/") || path.starts_with("/job/")) {
        return Ok(not_found());
    }
    if let Some(r) = apply_faults(state, is_system).await? {
        return Ok(r);
    }
    if !is_system {
        if let Some(r) = ingress_body_limit(state, &req) {
            return Ok(r);
        }
    }

    let presign = state.presign.load(Ordering::SeqCst);
    let Some(route) = match_route(&method, &path, state.serverless, presign) else {
        // gin's RedirectTrailingSlash: 301 for GET, 307 otherwise.
        if let Some(trimmed) = path.strip_suffix('/') {
            if match_route(&method, trimmed, state.serverless, presign).is_some() {
                let mut loc = trimmed.to_string();
                if let Some(q) = req.uri().query() {
                    loc = format!("{loc}?{q}");
                }
                let code = if method == Method::GET {
                    StatusCode::MOVED_PERMANENTLY
                } else {
                    StatusCode::TEMPORARY_REDIRECT
                };
                return Ok(redirect(code, &loc));
            }
        }
        return Ok(not_found());
    };

    let caller = if route.is_system() {
        match system_auth(state, &req) {
            Ok(c) => c,
            Err(r) => return Ok(*r),
        }
    } else {
        Caller::Admin
    };

    let query = req.uri().query().unwrap_or_default().to_string();
    let content_type = req.headers().get(CONTENT_TYPE).cloned();
    let auth = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(text(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large",
            ))
        }
    };

    Ok(match route {
        Route::Info => json(StatusCode::OK, &info(state)),
        Route::Config => json(StatusCode::OK, &config(state)),
        Route::ListServices => list_services(state, &caller),
        Route::GetService(name) => get_service(state, &caller, &name),
        Route::CreateService => create_service(state, &caller, &body),
        Route::UpdateService => update_service(state, &caller, &body),
        Route::DeleteService(name) => delete_service(state, &caller, &name),
        Route::Run(name) => {
            state.record_body(false, &name, &body);
            run_service(state, &name, auth.as_deref(), content_type, &body).await
        }
        Route::Job(name) => {
            state.record_body(true, &name, &body);
            job_service(state, &name, auth.as_deref(), &body)
        }
        Route::ListBuckets => list_buckets(state),
        Route::CreateBucket => create_bucket(state, &body),
        Route::UpdateBucket => update_bucket(state, &body),
        Route::GetBucket(b) => get_bucket(state, &b, &query),
        Route::DeleteBucket(b) => delete_bucket(state, &b),
        Route::Presign(b) => presign_object(state, &b, &body),
        Route::ListJobs(n) => match forbidden(state, &caller, &n) {
            Some(r) => r,
            None => list_jobs(state, &n, &query),
        },
        Route::DeleteJobs(n) => match forbidden(state, &caller, &n) {
            Some(r) => r,
            None => delete_jobs(state, &n, &query),
        },
        Route::JobLogs(n, j) => match forbidden(state, &caller, &n) {
            Some(r) => r,
            None => job_logs(state, &n, &j, &query),
        },
        Route::DeleteJob(n, j) => match forbidden(state, &caller, &n) {
            Some(r) => r,
            None => delete_job(state, &n, &j),
        },
    })
}

fn redirect(code: StatusCode, location: &str) -> Resp {
    let body = if code == StatusCode::MOVED_PERMANENTLY || code == StatusCode::FOUND {
        format!(
            "<a href=\"{location}\">{}</a>.\n\n",
            code.canonical_reason().unwrap_or("Redirect")
        )
    } else {
        String::new()
    };
    let ct = (!body.is_empty()).then_some("text/html; charset=utf-8");
    let mut r = response(code, ct, body);
    set_header(&mut r, "location", location);
    r
}

/// Faults in the order a real failure would show: slowness, then a dead or foreign upstream,
/// then error statuses.
async fn apply_faults(state: &Shared, is_system: bool) -> Result<Option<Resp>, std::io::Error> {
    let f = match state.faults.read() {
        Ok(g) => g.clone(),
        Err(p) => p.into_inner().clone(),
    };
    if f.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(f.latency_ms)).await;
    }
    if (f.drop_connection && is_system) || (f.drop_run && !is_system) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault: drop connection",
        ));
    }
    if is_system {
        match f.impersonate {
            Some(Impersonate::Html) => {
                return Ok(Some(response(
                    StatusCode::OK,
                    Some("text/html; charset=utf-8"),
                    "<!doctype html>\n<html><head><title>Welcome</title></head><body><h1>It works!</h1><p>This is not the server you are looking for.</p></body></html>\n",
                )))
            }
            Some(Impersonate::ForeignJson) => {
                return Ok(Some(response(
                    StatusCode::OK,
                    Some("application/json"),
                    r#"{"status":"ok","message":"hello"}"#,
                )))
            }
            None => {}
        }
    }
    if let Some(code) = f.force_status {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let reason = status
            .canonical_reason()
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| "error".into());
        return Ok(Some(text(status, reason)));
    }
    let n = state.request_count.fetch_add(1, Ordering::SeqCst) + 1;
    if f.drop_every > 0 && n.is_multiple_of(u64::from(f.drop_every)) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault: drop every Nth connection",
        ));
    }
    if f.drop_every > 0 && n.is_multiple_of(u64::from(f.drop_every)) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault: drop every Nth connection",
        ));
    }
    if f.error_every > 0 && n.is_multiple_of(u64::from(f.error_every)) {
        return Ok(Some(text(
            StatusCode::SERVICE_UNAVAILABLE,
            "service unavailable",
        )));
    }
    Ok(None)
}

/// ingress-nginx's `proxy-body-size` (1 MiB by default, §7): a bigger body
/// on /run or /job gets its HTML 413 page before OSCAR sees it.
fn ingress_body_limit(state: &Shared, req: &Request<Incoming>) -> Option<Resp> {
    let limit = match state.faults.read() {
        Ok(g) => g.max_body?,
        Err(p) => p.into_inner().max_body?,
    };
    let length = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())?;
    (length > limit).then(|| {
        response(
            StatusCode::PAYLOAD_TOO_LARGE,
            Some("text/html"),
            "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
        )
    })
}

/// gin.BasicAuth compares the whole header with the precomputed value.
fn basic_ok(state: &Shared, req: &Request<Incoming>) -> bool {
    req.headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == state.expected_basic)
}

/// `/system/*` auth (§2): with OIDC on, a `Bearer` header goes to the OIDC middleware
/// (non-JWT → 400 with the parse error, foreign issuer → 401 text, bad signature, expiry or
/// group → 401 empty); anything else is gin's Basic auth.
fn system_auth(state: &Shared, req: &Request<Incoming>) -> Result<Caller, Box<Resp>> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if state.oidc_system {
        if let Some(token) = header.strip_prefix("Bearer ") {
            return match state.oidc.verify(token.trim()) {
                Ok(sub) => Ok(Caller::User(sub)),
                Err(TokenError::Malformed(e)) => Err(Box::new(text(StatusCode::BAD_REQUEST, e))),
                Err(TokenError::UnknownIssuer(iss)) => Err(Box::new(text(
                    StatusCode::UNAUTHORIZED,
                    format!("'{iss}' is not listed as an authorized issuer"),
                ))),
                Err(TokenError::Invalid) => Err(Box::new(empty(StatusCode::UNAUTHORIZED))),
            };
        }
    }
    if basic_ok(state, req) {
        return Ok(Caller::Admin);
    }
    let mut r = empty(StatusCode::UNAUTHORIZED);
    set_header(
        &mut r,
        "www-authenticate",
        "Basic realm=\"Authorization Required\"",
    );
    Err(Box::new(r))
}

/// 403 for an OIDC user asking about a service they may not see (None: go on; a missing
/// service is left to the handler's 404).
fn forbidden(state: &Shared, caller: &Caller, name: &str) -> Option<Resp> {
    let Caller::User(sub) = caller else {
        return None;
    };
    let svc = state.get(name)?;
    (!caller.may_see(&svc)).then(|| {
        text(
            StatusCode::FORBIDDEN,
            format!("User {sub} doesn't have permission to get this service"),
        )
    })
}

fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

fn info(state: &Shared) -> serde_json::Value {
    let mut v = json!({
        "version": "v4.1.2-sandbox",
        "git_commit": "sandbox",
        "architecture": arch(),
        "kubernetes_version": K8S_VERSION,
    });
    if state.serverless {
        v["serverless_backend"] = json!({"name": "Knative", "version": K8S_VERSION});
    }
    v
}

fn config(state: &Shared) -> serde_json::Value {
    let minio = json!({
        "endpoint": state.minio_endpoint,
        "verify": false,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "region": REGION,
    });
    let mut cfg = json!({
        "name": "oscar",
        "namespace": "oscar",
        "services_namespace": SERVICES_NAMESPACE,
        "gpu_available": false,
        "yunikorn_enable": false,
    });
    if state.serverless {
        cfg["serverless_backend"] = json!("knative");
    }
    match state.config_shape {
        ConfigShape::V2 => {
            cfg["minio_provider"] = minio;
            cfg
        }
        ConfigShape::V3 | ConfigShape::V4 => {
            cfg["controller_service_account"] = json!("oscar-sa");
            cfg["interLink_available"] = json!(false);
            cfg["kueue_enable"] = json!(false);
            cfg["oidc_groups"] = json!([""]);
            if state.config_shape == ConfigShape::V3 {
                return json!({"config": cfg, "minio_provider": minio});
            }
            cfg["volume_enable"] = json!(true);
            cfg["minio_quota_enabled"] = json!(false);
            json!({"config": cfg, "minio_provider": minio, "allowed_image_repositories": []})
        }
    }
}

fn list_services(state: &Shared, caller: &Caller) -> Resp {
    match state.services.read() {
        Ok(map) => json(
            StatusCode::OK,
            &map.values()
                .filter(|s| caller.may_see(s))
                .collect::<Vec<_>>(),
        ),
        Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    }
}

fn invalid_name(name: &str) -> Resp {
    text(
        StatusCode::BAD_REQUEST,
        format!(
            "invalid service name \"{name}\": must be a valid Kubernetes label value of at most 39 lowercase alphanumeric characters or '-'"
        ),
    )
}

fn get_service(state: &Shared, caller: &Caller, name: &str) -> Resp {
    if !valid_service_name(name) {
        return invalid_name(name);
    }
    if let Some(r) = forbidden(state, caller, name) {
        return r;
    }
    match state.get(name) {
        Some(svc) => json(StatusCode::OK, &svc),
        None => empty(StatusCode::NOT_FOUND),
    }
}

fn not_valid(msg: &str) -> Resp {
    text(
        StatusCode::BAD_REQUEST,
        format!("The service specification is not valid: {msg}"),
    )
}

/// Duplicate names answer 409 with OSCAR's text (the §3 table lists both 400 and 409;
/// the k8s AlreadyExists path is a conflict).
fn create_service(state: &Shared, caller: &Caller, body: &[u8]) -> Resp {
    let mut svc = match parse_service(body) {
        Ok(s) => s,
        Err(e) => return not_valid(&e),
    };
    // Basic-auth creator = cluster_admin; an OIDC creator owns the service (§5).
    svc.owner = match caller {
        Caller::Admin => String::new(),
        Caller::User(sub) => sub.clone(),
    };
    state.finalize(&mut svc, None);
    let Ok(mut map) = state.services.write() else {
        return text(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
    };
    if map.contains_key(&svc.name) {
        return text(
            StatusCode::CONFLICT,
            "A service with the provided name already exists",
        );
    }
    state.create_buckets(&svc);
    map.insert(svc.name.clone(), svc);
    empty(StatusCode::CREATED)
}

fn update_service(state: &Shared, caller: &Caller, body: &[u8]) -> Resp {
    let mut svc = match parse_service(body) {
        Ok(s) => s,
        Err(e) => return not_valid(&e),
    };
    let Ok(mut map) = state.services.write() else {
        return text(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
    };
    let Some(prev) = map.get(&svc.name) else {
        return empty(StatusCode::NOT_FOUND);
    };
    if !caller.may_modify(prev) {
        return text(
            StatusCode::FORBIDDEN,
            "This user isn't the owner of the service",
        );
    }
    state.finalize(&mut svc, Some(prev));
    state.create_buckets(&svc);
    map.insert(svc.name.clone(), svc);
    empty(StatusCode::NO_CONTENT)
}

fn delete_service(state: &Shared, caller: &Caller, name: &str) -> Resp {
    let Ok(mut map) = state.services.write() else {
        return text(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
    };
    if map.get(name).is_some_and(|s| !caller.may_modify(s)) {
        return text(
            StatusCode::FORBIDDEN,
            "This user isn't the owner of the service",
        );
    }
    match map.remove(name) {
        Some(_) => {
            // The service's jobs go with it (they carry its label).
            state.jobs.delete_service_jobs(name, true);
            empty(StatusCode::NO_CONTENT)
        }
        None => empty(StatusCode::NOT_FOUND),
    }
}

/// `/run` and `/job` auth (§2): Bearer only; a 64-char token is a service token, anything
/// else an OIDC JWT: malformed → 502 with the parse error, foreign issuer → 401 text, bad
/// signature or expired → 401 empty, valid but the user may not see the service → 404.
fn bearer_check(state: &Shared, name: &str, auth: Option<&str>) -> Result<Service, Box<Resp>> {
    let Some(token) = auth.and_then(|a| a.strip_prefix("Bearer ")).map(str::trim) else {
        return Err(Box::new(empty(StatusCode::UNAUTHORIZED)));
    };
    if token.len() == 64 {
        return match state.get(name) {
            Some(svc) if svc.token == token => Ok(svc),
            _ => Err(Box::new(empty(StatusCode::UNAUTHORIZED))),
        };
    }
    match state.oidc.verify(token) {
        Ok(sub) => match state.get(name) {
            Some(svc) if user_may_see(&sub, &svc) => Ok(svc),
            _ => Err(Box::new(empty(StatusCode::NOT_FOUND))),
        },
        Err(TokenError::Malformed(e)) => Err(Box::new(text(StatusCode::BAD_GATEWAY, e))),
        Err(TokenError::UnknownIssuer(iss)) => Err(Box::new(text(
            StatusCode::UNAUTHORIZED,
            format!("'{iss}' is not listed as an authorized issuer"),
        ))),
        Err(TokenError::Invalid) => Err(Box::new(empty(StatusCode::UNAUTHORIZED))),
    }
}

async fn run_service(
    state: &Shared,
    name: &str,
    auth: Option<&str>,
    content_type: Option<HeaderValue>,
    body: &Bytes,
) -> Resp {
    let svc = match bearer_check(state, name, auth) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let started = Instant::now();
    state.run_in_flight(name, true);
    let invoked = run::invoke(&svc, body).await;
    state.run_in_flight(name, false);
    let mut r = match invoked {
        Ok(out) => {
            let mut r = response(StatusCode::OK, None, out);
            // The watchdog echoes the request Content-Type (§7).
            if let Some(ct) = content_type {
                r.headers_mut().insert(CONTENT_TYPE, ct);
            }
            r
        }
        // The supervisor crashed (e.g. a body that is not base64); the watchdog says 500.
        Err(run::Crash(out)) => response(StatusCode::INTERNAL_SERVER_ERROR, Some(TEXT), out),
    };
    set_header(
        &mut r,
        "x-duration-seconds",
        &format!("{:.6}", started.elapsed().as_secs_f64()),
    );
    r
}

fn job_service(state: &Arc<Shared>, name: &str, auth: Option<&str>, body: &[u8]) -> Resp {
    match bearer_check(state, name, auth) {
        Ok(svc) => {
            jobs::start(state, svc, jobs::input_from_body(body));
            empty(StatusCode::CREATED)
        }
        Err(r) => *r,
    }
}

/// `?name=value` of a raw query string (first occurrence, percent-decoded).
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        (k == name).then(|| crate::util::percent_decode(&v.replace('+', " ")))
    })
}

/// The services that use a bucket (input or output path), in name order.
fn bucket_owner_service(state: &Shared, bucket: &str) -> Option<Service> {
    state.services_snapshot().into_iter().find(|svc| {
        svc.input
            .iter()
            .chain(svc.output.iter())
            .flatten()
            .any(|io| split_path(&io.path).0 == bucket)
    })
}

fn bucket_meta(state: &Shared, bucket: &str) -> BucketMeta {
    if let Some(m) = state
        .bucket_meta
        .read()
        .ok()
        .and_then(|m| m.get(bucket).cloned())
    {
        return m;
    }
    match bucket_owner_service(state, bucket) {
        Some(svc) => BucketMeta {
            bucket_name: bucket.to_string(),
            visibility: svc.visibility.clone(),
            allowed_users: svc.allowed_users.clone(),
            owner: svc.owner.clone(),
        },
        None => BucketMeta {
            bucket_name: bucket.to_string(),
            visibility: "private".into(),
            allowed_users: Some(Vec::new()),
            owner: "cluster_admin".into(),
        },
    }
}

/// `GET /system/buckets` (v3.6): `[]MinIOBucket`, `null` when there is none.
fn list_buckets(state: &Shared) -> Resp {
    let all: Vec<BucketMeta> = state
        .store
        .buckets()
        .iter()
        .map(|b| bucket_meta(state, b))
        .collect();
    if all.is_empty() {
        return json(StatusCode::OK, &serde_json::Value::Null);
    }
    json(StatusCode::OK, &all)
}

fn parse_bucket_body(body: &[u8]) -> Result<BucketMeta, Box<Resp>> {
    let mut m: BucketMeta = serde_json::from_slice(body).map_err(|e| {
        Box::new(text(
            StatusCode::BAD_REQUEST,
            format!("Invalid bucket: {e}"),
        ))
    })?;
    if !valid_bucket_name(&m.bucket_name) {
        return Err(Box::new(text(
            StatusCode::BAD_REQUEST,
            format!("Invalid bucket name \"{}\"", m.bucket_name),
        )));
    }
    if m.visibility.is_empty() {
        m.visibility = "private".into();
    }
    if !["private", "public", "restricted"].contains(&m.visibility.as_str()) {
        return Err(Box::new(text(
            StatusCode::BAD_REQUEST,
            format!("Invalid visibility \"{}\"", m.visibility),
        )));
    }
    if m.allowed_users.is_none() {
        m.allowed_users = Some(Vec::new());
    }
    m.owner = "cluster_admin".into();
    Ok(m)
}

fn create_bucket(state: &Shared, body: &[u8]) -> Resp {
    let m = match parse_bucket_body(body) {
        Ok(m) => m,
        Err(r) => return *r,
    };
    match state.store.create_bucket(&m.bucket_name, None) {
        Ok(true) => {
            if let Ok(mut map) = state.bucket_meta.write() {
                map.insert(m.bucket_name.clone(), m);
            }
            empty(StatusCode::CREATED)
        }
        Ok(false) => text(
            StatusCode::CONFLICT,
            format!("Bucket \"{}\" already exists", m.bucket_name),
        ),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

fn update_bucket(state: &Shared, body: &[u8]) -> Resp {
    let m = match parse_bucket_body(body) {
        Ok(m) => m,
        Err(r) => return *r,
    };
    if !state.store.bucket_exists(&m.bucket_name) {
        return empty(StatusCode::NOT_FOUND);
    }
    if bucket_owner_service(state, &m.bucket_name).is_some() {
        return text(
            StatusCode::FORBIDDEN,
            "The bucket of a service cannot be modified",
        );
    }
    if let Ok(mut map) = state.bucket_meta.write() {
        map.insert(m.bucket_name.clone(), m);
    }
    empty(StatusCode::NO_CONTENT)
}

const BUCKET_PAGE: usize = 1000;

/// `GET /system/buckets/{b}` (v3.6.5+): `BucketListResponse`.
fn get_bucket(state: &Shared, bucket: &str, query: &str) -> Resp {
    let Some(objects) = state.store.list_objects(bucket) else {
        return empty(StatusCode::NOT_FOUND);
    };
    let after = query_param(query, "page").and_then(|p| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p.trim_end_matches('='))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
    });
    let limit = query_param(query, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0)
        .unwrap_or(BUCKET_PAGE)
        .min(BUCKET_PAGE);
    let rest: Vec<&storage::ObjectInfo> = objects
        .iter()
        .filter(|o| after.as_ref().is_none_or(|a| o.key.as_str() > a.as_str()))
        .collect();
    let page: Vec<serde_json::Value> = rest
        .iter()
        .take(limit)
        .map(|o| {
            json!({"object_name": o.key, "size_bytes": o.size,
                   "last_modified": rfc3339(o.modified)})
        })
        .collect();
    let truncated = rest.len() > limit;
    let mut v = json!({
        "bucket_name": bucket,
        "objects": page,
        "is_truncated": truncated,
        "returned_items": page.len(),
    });
    if truncated {
        if let Some(last) = rest.get(limit - 1) {
            v["next_page"] =
                json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&last.key));
        }
    }
    json(StatusCode::OK, &v)
}

fn delete_bucket(state: &Shared, bucket: &str) -> Resp {
    match state.store.delete_bucket(bucket) {
        Ok(true) => {
            if let Ok(mut map) = state.bucket_meta.write() {
                map.remove(bucket);
            }
            empty(StatusCode::NO_CONTENT)
        }
        Ok(false) => empty(StatusCode::NOT_FOUND),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PresignRequest {
    object_key: String,
    operation: String,
    expires_in: Option<i64>,
    content_type: String,
    extra_headers: Option<BTreeMap<String, String>>,
}

/// `POST /system/buckets/{b}/presign` (v3.6.4+).
fn presign_object(state: &Shared, bucket: &str, body: &[u8]) -> Resp {
    let req: PresignRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return text(StatusCode::BAD_REQUEST, format!("Invalid request: {e}")),
    };
    let key = req.object_key.trim_start_matches('/');
    if key.is_empty() {
        return text(StatusCode::BAD_REQUEST, "object_key is required");
    }
    let method = match req.operation.to_ascii_lowercase().as_str() {
        "upload" | "put" => "PUT",
        "download" | "get" => "GET",
        other => {
            return text(
                StatusCode::BAD_REQUEST,
                format!("Invalid operation \"{other}\": must be upload or download"),
            )
        }
    };
    let expires = req.expires_in.unwrap_or(900);
    if !(1..=604_800).contains(&expires) {
        return text(
            StatusCode::BAD_REQUEST,
            "expires_in must be between 1 and 604800 seconds",
        );
    }
    if !state.store.bucket_exists(bucket) {
        return text(
            StatusCode::NOT_FOUND,
            format!("Bucket \"{bucket}\" not found"),
        );
    }
    let now = SystemTime::now();
    let url = sigv4::presign_url(
        &state.store.url,
        method,
        &format!("/{bucket}/{key}"),
        &[],
        &storage::keys(),
        expires as u64,
        now,
    );
    let mut headers = serde_json::Map::new();
    if method == "PUT" && !req.content_type.is_empty() {
        headers.insert("Content-Type".into(), json!(req.content_type));
    }
    for (k, v) in req.extra_headers.unwrap_or_default() {
        headers.insert(k, json!(v));
    }
    json(
        StatusCode::OK,
        &json!({
            "object_key": key,
            "operation": req.operation.to_ascii_lowercase(),
            "method": method,
            "url": url,
            "expires_at": rfc3339(now + Duration::from_secs(expires as u64)),
            "headers": headers,
        }),
    )
}

/// `GET /system/logs/{service}`: `{jobs,next_page?,remaining_jobs?}` (v3.6.4+), or the
/// bare map of older servers with `legacy_jobs`.
fn list_jobs(state: &Shared, name: &str, query: &str) -> Resp {
    if state.get(name).is_none() {
        return empty(StatusCode::NOT_FOUND);
    }
    let page = query_param(query, "page");
    let paginate = !state.legacy_jobs;
    match state.jobs.list(name, page.as_deref(), paginate) {
        Ok((map, next, remaining)) => {
            if state.legacy_jobs {
                return json(StatusCode::OK, &map);
            }
            let mut v = json!({"jobs": map});
            if let Some(n) = next {
                v["next_page"] = json!(n);
                v["remaining_jobs"] = json!(remaining);
            }
            json(StatusCode::OK, &v)
        }
        Err(ListError::BadToken) => text(
            StatusCode::BAD_REQUEST,
            "continue key is not valid: illegal base64 data",
        ),
    }
}

fn delete_jobs(state: &Shared, name: &str, query: &str) -> Resp {
    if state.get(name).is_none() {
        return empty(StatusCode::NOT_FOUND);
    }
    let all = query_param(query, "all").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    state.jobs.delete_service_jobs(name, all);
    empty(StatusCode::NO_CONTENT)
}

fn job_logs(state: &Shared, name: &str, job: &str, query: &str) -> Resp {
    let ts = query_param(query, "timestamps").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    match state.jobs.logs(name, job, ts) {
        Some(logs) => text(StatusCode::OK, logs),
        None => empty(StatusCode::NOT_FOUND),
    }
}

fn delete_job(state: &Shared, name: &str, job: &str) -> Resp {
    if state.jobs.delete_job(name, job) {
        empty(StatusCode::NO_CONTENT)
    } else {
        empty(StatusCode::NOT_FOUND)
    }
}
