//! The API port: routing like gin, auth like OSCAR (§2), CORS like the Helm ingress (§4),
//! fault switches for tests.

use crate::catalogue;
use crate::model::{parse_service, valid_service_name, Service};
use crate::run;
use crate::statics;
use crate::util::{empty, json, new_token, not_found, response, set_header, text, Resp, TEXT};
use crate::{ConfigShape, Faults, Impersonate, Options};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use hyper::{Method, Request, StatusCode};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

const MAX_BODY: usize = 64 * 1024 * 1024;
const SERVICES_NAMESPACE: &str = "oscar-svc";
const K8S_VERSION: &str = "v1.31.4+k3s1";
const MINIO_ACCESS_KEY: &str = "minioadmin";
const MINIO_SECRET_KEY: &str = "minioadmin-secret";

pub(crate) struct Shared {
    pub username: String,
    pub password: String,
    pub minio_endpoint: String,
    pub cors: AtomicBool,
    pub faults: RwLock<Faults>,
    pub request_count: AtomicU64,
    config_shape: ConfigShape,
    serverless: bool,
    #[allow(dead_code)] // the job list arrives in the next stage
    pub legacy_jobs: bool,
    ui_dir: Option<PathBuf>,
    expected_basic: String,
    services: RwLock<BTreeMap<String, Service>>,
}

impl Shared {
    pub fn new(opts: Options, port: u16) -> Shared {
        let minio_endpoint = format!("http://127.0.0.1:{}", port.wrapping_add(1));
        let expected_basic = format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", opts.username, opts.password))
        );
        let mut shared = Shared {
            username: opts.username,
            password: opts.password,
            minio_endpoint,
            cors: AtomicBool::new(opts.cors),
            faults: RwLock::new(opts.faults),
            request_count: AtomicU64::new(0),
            config_shape: opts.config_shape,
            serverless: opts.serverless_backend,
            legacy_jobs: opts.legacy_jobs,
            ui_dir: opts.ui_dir,
            expected_basic,
            services: RwLock::new(BTreeMap::new()),
        };
        let mut map = BTreeMap::new();
        for mut svc in catalogue::demo_services()
            .into_iter()
            .chain(catalogue::extra_services(opts.extra_services))
        {
            shared.finalize(&mut svc, None);
            map.insert(svc.name.clone(), svc);
        }
        shared.services = RwLock::new(map);
        shared
    }

    /// Fill what OSCAR fills on create/update: token, defaults, labels, hidden MinIO provider.
    fn finalize(&self, svc: &mut Service, prev: Option<&Service>) {
        // v4: the token is preserved on update (§2, PR #498).
        svc.token = prev.map(|p| p.token.clone()).unwrap_or_else(new_token);
        if let Some(p) = prev {
            svc.owner = p.owner.clone();
        } else if svc.owner.is_empty() {
            svc.owner = "cluster_admin".into();
        }
        if svc.memory.is_empty() {
            svc.memory = "256Mi".into();
        }
        if svc.cpu.is_empty() {
            svc.cpu = "0.2".into();
        }
        if svc.log_level.is_empty() {
            svc.log_level = "INFO".into();
        }
        if svc.visibility.is_empty() {
            svc.visibility = "private".into();
        }
        svc.namespace = SERVICES_NAMESPACE.into();
        let mut labels = svc.labels.take().unwrap_or_default();
        let name = svc.name.clone();
        let owner_name = if svc.owner == "cluster_admin" {
            self.username.clone()
        } else {
            svc.owner.clone()
        };
        for (k, v) in [
            ("applicationId", name.clone()),
            ("networking.knative.dev/visibility", "cluster-local".into()),
            ("oscar.grycap/user-service", "true".into()),
            ("oscar_service", name.clone()),
            ("owner_name", owner_name),
            ("queue", format!("root.oscar-queue.{name}")),
        ] {
            labels.insert(k.into(), v);
        }
        svc.labels = Some(labels);
        // Secrets are blanked in responses (§5).
        if let Some(secrets) = svc.environment.secrets.as_mut() {
            secrets.values_mut().for_each(String::clear);
        }
        let mut providers = match svc.storage_providers.take() {
            Some(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        let minio = providers.entry("minio").or_insert_with(|| json!({}));
        if !minio.is_object() {
            *minio = json!({});
        }
        if let Some(m) = minio.as_object_mut() {
            m.insert(
                "default".into(),
                json!({"endpoint": self.minio_endpoint, "verify": false,
                       "access_key": "hidden", "secret_key": "hidden", "region": "us-east-1"}),
            );
        }
        svc.storage_providers = Some(serde_json::Value::Object(providers));
        if let Some(vol) = svc.volume.as_ref() {
            svc.volume_status.enabled = true;
            svc.volume_status.name = vol
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| format!("{name}-volume"));
            svc.volume_status.phase = "Bound".into();
        }
    }

    fn get(&self, name: &str) -> Option<Service> {
        self.services.read().ok()?.get(name).cloned()
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
}

impl Route {
    fn is_system(&self) -> bool {
        !matches!(self, Route::Run(_) | Route::Job(_))
    }
}

fn match_route(method: &Method, path: &str, serverless: bool) -> Option<Route> {
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
    Ok(resp)
}

async fn route(state: &Shared, req: Request<Incoming>, cors: bool) -> Result<Resp, std::io::Error> {
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
            return Ok(statics::serve(ui, &method, rel).await);
        }
    }
    let is_system = path.starts_with("/system/");
    if !(is_system || path.starts_with("/run/") || path.starts_with("/job/")) {
        return Ok(not_found());
    }
    if let Some(r) = apply_faults(state, is_system).await? {
        return Ok(r);
    }

    let Some(route) = match_route(&method, &path, state.serverless) else {
        // gin's RedirectTrailingSlash: 301 for GET, 307 otherwise.
        if let Some(trimmed) = path.strip_suffix('/') {
            if match_route(&method, trimmed, state.serverless).is_some() {
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

    if route.is_system() && !basic_ok(state, &req) {
        let mut r = empty(StatusCode::UNAUTHORIZED);
        set_header(
            &mut r,
            "www-authenticate",
            "Basic realm=\"Authorization Required\"",
        );
        return Ok(r);
    }

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
        Route::ListServices => list_services(state),
        Route::GetService(name) => get_service(state, &name),
        Route::CreateService => create_service(state, &body),
        Route::UpdateService => update_service(state, &body),
        Route::DeleteService(name) => delete_service(state, &name),
        Route::Run(name) => run_service(state, &name, auth.as_deref(), content_type, &body).await,
        Route::Job(name) => job_service(state, &name, auth.as_deref()),
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
    if f.drop_connection && is_system {
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
    if f.error_every > 0 && n.is_multiple_of(u64::from(f.error_every)) {
        return Ok(Some(text(
            StatusCode::SERVICE_UNAVAILABLE,
            "service unavailable",
        )));
    }
    Ok(None)
}

/// gin.BasicAuth compares the whole header with the precomputed value.
fn basic_ok(state: &Shared, req: &Request<Incoming>) -> bool {
    req.headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == state.expected_basic)
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
        "access_key": MINIO_ACCESS_KEY,
        "secret_key": MINIO_SECRET_KEY,
        "region": "us-east-1",
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

fn list_services(state: &Shared) -> Resp {
    match state.services.read() {
        Ok(map) => json(StatusCode::OK, &map.values().collect::<Vec<_>>()),
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

fn get_service(state: &Shared, name: &str) -> Resp {
    if !valid_service_name(name) {
        return invalid_name(name);
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
fn create_service(state: &Shared, body: &[u8]) -> Resp {
    let mut svc = match parse_service(body) {
        Ok(s) => s,
        Err(e) => return not_valid(&e),
    };
    svc.owner = String::new(); // basic-auth creator = cluster_admin
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
    map.insert(svc.name.clone(), svc);
    empty(StatusCode::CREATED)
}

fn update_service(state: &Shared, body: &[u8]) -> Resp {
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
    state.finalize(&mut svc, Some(prev));
    map.insert(svc.name.clone(), svc);
    empty(StatusCode::NO_CONTENT)
}

fn delete_service(state: &Shared, name: &str) -> Resp {
    let Ok(mut map) = state.services.write() else {
        return text(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
    };
    match map.remove(name) {
        Some(_) => empty(StatusCode::NO_CONTENT),
        None => empty(StatusCode::NOT_FOUND),
    }
}

/// `/run` and `/job` auth (§2): Bearer only; a 64-char token is a service token, anything
/// else would be an OIDC JWT, which the stand-in does not trust.
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
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(Box::new(text(
            StatusCode::BAD_GATEWAY,
            "token is malformed: token contains an invalid number of segments",
        )));
    }
    let iss = URL_SAFE_NO_PAD
        .decode(parts[1].trim_end_matches('='))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.get("iss").and_then(|i| i.as_str()).map(str::to_string))
        .unwrap_or_default();
    Err(Box::new(text(
        StatusCode::UNAUTHORIZED,
        format!("'{iss}' is not listed as an authorized issuer"),
    )))
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
    let mut r = match run::invoke(&svc, body).await {
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

fn job_service(state: &Shared, name: &str, auth: Option<&str>) -> Resp {
    match bearer_check(state, name, auth) {
        Ok(_) => empty(StatusCode::CREATED),
        Err(r) => *r,
    }
}
