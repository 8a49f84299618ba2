//! `oscar-sandbox`: a local stand-in for an OSCAR cluster, written from `OSCAR-API.md`.
//!
//! It speaks the OSCAR REST API on 127.0.0.1 with the real server's quirks (empty bodies,
//! plain-text errors, `WWW-Authenticate`, `null` fields, v2/v3/v4 config shapes) and the CORS
//! behaviour of the Helm chart's ingress. It shares no types with the app on purpose.

mod api;
mod catalogue;
pub mod fixtures;
mod interfaces;
mod job_table;
mod jobs;
mod media;
mod model;
mod oidc;
mod run;
mod scripts;
mod state;
pub mod sigv4;
mod statics;
mod storage;
mod store;
mod util;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
pub use interfaces::{demo_example_files, demo_interfaces_json, ANNOTATION, DEMO_USER};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// The shape of `GET /system/config` (OSCAR-API.md §6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConfigShape {
    /// v2.x: one flat object with `minio_provider` inside.
    V2,
    /// v3.x: `{config, minio_provider}`.
    V3,
    /// v4.x: `{config, minio_provider, allowed_image_repositories}`.
    #[default]
    V4,
}

/// Make `/system/*` answer like a server that is not OSCAR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impersonate {
    /// 200 `text/html` page (a web site, a login portal, ...).
    Html,
    /// 200 `application/json` that is not OSCAR's (`{"status":"ok","message":"hello"}`).
    ForeignJson,
}

/// Fault switches for tests. They apply to `/system/*`, `/run/*` and `/job/*` only.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Delay added before every API response.
    pub latency_ms: u64,
    /// Every API request answers this status with a short plain-text body.
    pub force_status: Option<u16>,
    /// If > 0, every Nth API request (counted since the last `set_faults`) answers 503.
    pub error_every: u32,
    /// If > 0, every Nth API request (same count) has its connection closed
    /// without an answer, as a proxy restart or a lost network does.
    pub drop_every: u32,
    /// Close the TCP connection without answering on `/system/*` requests.
    pub drop_connection: bool,
    /// Answer `/system/*` like something that is not OSCAR.
    pub impersonate: Option<Impersonate>,
    /// Close the connection without answering on `/run` and `/job`.
    pub drop_run: bool,
    /// Emulate the ingress body limit: larger `/run`/`/job` bodies get 413.
    pub max_body: Option<usize>,
}

/// How to start a [`Sandbox`].
#[derive(Clone, Debug)]
pub struct Options {
    /// TCP port on 127.0.0.1; 0 = ephemeral.
    pub port: u16,
    /// Basic-auth user of `/system/*` (default `oscar`).
    pub username: String,
    /// Basic-auth password (default `visor-demo`; a demo value, not a secret).
    pub password: String,
    /// Emulate the Helm chart's ingress CORS (default true).
    pub cors: bool,
    /// Shape of `GET /system/config` (default v4).
    pub config_shape: ConfigShape,
    /// Knative present (default true); false: no `serverless_backend`, `/run` is not routed.
    pub serverless_backend: bool,
    /// Answer the job list as the pre-v3.6.4 bare map, without pagination.
    pub legacy_jobs: bool,
    /// Add N generated services `svc-0001`, ... (large-catalogue tests).
    pub extra_services: usize,
    /// Serve this built app under `/ui/`, like OSCAR serves its dashboard.
    pub ui_dir: Option<PathBuf>,
    /// Initial fault switches.
    pub faults: Faults,
    /// TCP port of the S3 (MinIO) server on 127.0.0.1; 0 = ephemeral.
    pub s3_port: u16,
    /// Answer CORS on the S3 port like MinIO does (default true).
    pub s3_cors: bool,
    /// Route `POST /system/buckets/{b}/presign` (v3.6.4+; default true).
    pub presign: bool,
    /// Delay of each job step (Pending → Running → done), in ms (default 400).
    pub job_delay_ms: u64,
    /// Page size of `GET /system/logs/{service}` (OSCAR's `JOB_LISTING_LIMIT`, default 70).
    pub job_page_size: usize,
    /// Jobs running at once, like a cluster's capacity; the rest stay Pending (0 = no cap).
    pub max_jobs: usize,
    /// OSCAR's `OIDC_ENABLE` (default true): `/system/*` takes the stand-in's OIDC tokens
    /// ([`Sandbox::issue_token`]) as `Bearer`; false: only Basic auth, a Bearer gets 401.
    /// `/run` and `/job` take the tokens either way.
    pub oidc: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: 0,
            username: "oscar".into(),
            password: "visor-demo".into(),
            cors: true,
            config_shape: ConfigShape::V4,
            serverless_backend: true,
            legacy_jobs: false,
            extra_services: 0,
            ui_dir: None,
            faults: Faults::default(),
            s3_port: 0,
            s3_cors: true,
            presign: true,
            job_delay_ms: 400,
            job_page_size: 70,
            max_jobs: 0,
            oidc: true,
        }
    }
}

/// A running OSCAR stand-in. Dropping it stops the server and its connections.
pub struct Sandbox {
    url: String,
    state: Arc<api::Shared>,
    task: JoinHandle<()>,
    s3_task: JoinHandle<()>,
    /// The S3 backend's files; removed on drop.
    _s3_dir: tempfile::TempDir,
}

impl Sandbox {
    /// Bind 127.0.0.1:`opts.port` and serve on the current tokio runtime.
    pub async fn start(opts: Options) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(("127.0.0.1", opts.port)).await?;
        let port = listener.local_addr()?.port();
        let s3_listener = TcpListener::bind(("127.0.0.1", opts.s3_port)).await?;
        let s3_port = s3_listener.local_addr()?.port();
        let s3_dir = tempfile::Builder::new()
            .prefix("oscar-sandbox-s3-")
            .tempdir()?;
        let store = storage::Store::new(s3_dir.path(), s3_port, opts.s3_cors)?;
        let url = format!("http://127.0.0.1:{port}");
        let state = Arc::new(api::Shared::new(opts, store, &url));
        let task = tokio::spawn(accept_loop(listener, Site::Api(state.clone())));
        let s3_task = tokio::spawn(accept_loop(s3_listener, Site::S3(state.clone())));
        Ok(Sandbox {
            url,
            state,
            task,
            s3_task,
            _s3_dir: s3_dir,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Replace the fault switches (also restarts the `error_every` count).
    pub fn set_faults(&self, f: Faults) {
        match self.state.faults.write() {
            Ok(mut g) => *g = f,
            Err(poisoned) => *poisoned.into_inner() = f,
        }
        self.state.request_count.store(0, Ordering::SeqCst);
    }

    /// Turn the ingress CORS emulation on or off.
    pub fn set_cors(&self, on: bool) {
        self.state.cors.store(on, Ordering::SeqCst);
    }

    pub fn username(&self) -> &str {
        &self.state.username
    }

    pub fn password(&self) -> &str {
        &self.state.password
    }

    /// The MinIO endpoint advertised in `/system/config` (= [`Sandbox::s3_url`]).
    pub fn minio_endpoint(&self) -> String {
        self.state.minio_endpoint.clone()
    }

    /// The S3 server, `http://127.0.0.1:<port>` (path-style addressing).
    pub fn s3_url(&self) -> String {
        self.state.store.url.clone()
    }

    /// The MinIO keys of `/system/config`: access key, secret key, region.
    pub fn minio_keys(&self) -> sigv4::Keys {
        storage::keys()
    }

    /// Turn MinIO-like CORS on the S3 port on or off (off: no CORS headers, OPTIONS 403).
    pub fn set_s3_cors(&self, on: bool) {
        self.state.store.cors.store(on, Ordering::SeqCst);
    }

    /// A service's token (what `GET /system/services/<name>` tells its owner).
    pub fn service_token(&self, name: &str) -> Option<String> {
        self.state.get(name).map(|s| s.token)
    }

    /// Give every service a new token, as OSCAR before v4 did on each
    /// service update (§12); clients holding the old one get 401.
    pub fn rotate_tokens(&self) {
        self.state.rotate_tokens();
    }

    /// Creates a service from its JSON, as `POST /system/services` does;
    /// returns OSCAR's status code (201 on success).
    pub fn add_service(&self, json: &str) -> u16 {
        self.state.add_service(json)
    }

    /// Deletes a service, as if someone removed it while a page shows it.
    pub fn remove_service(&self, name: &str) -> bool {
        self.state.remove_service(name)
    }

    /// A test OIDC token (§2) for `sub`: an HS256 JWT signed with this sandbox's random key,
    /// `{"iss": "<url>/oidc", "sub", "iat", "exp", "group_membership": ["/oscar-users"]}`,
    /// valid for `ttl_secs` (negative: already expired). `/system/*` (with [`Options::oidc`]),
    /// `/run` and `/job` accept it; the caller is a non-admin user who sees services by
    /// visibility.
    pub fn issue_token(&self, sub: &str, ttl_secs: i64) -> String {
        self.state.oidc.issue(sub, ttl_secs)
    }

    /// Moves the clock of the token issuer forward, so tokens expire now
    /// without a test waiting for them (new tokens are issued on that clock).
    pub fn advance_token_clock(&self, secs: i64) {
        self.state.oidc.advance_clock(secs);
    }

    /// The issuer of [`Sandbox::issue_token`]'s tokens, `<url>/oidc`.
    pub fn oidc_issuer(&self) -> String {
        self.state.oidc.issuer.clone()
    }

    /// The last `POST /run/{service}` body received for an existing service, byte for byte
    /// (recorded before auth, so a refused request counts too).
    pub fn last_run_body(&self, service: &str) -> Option<Vec<u8>> {
        self.state.last_run_body(service)
    }

    /// The last `POST /job/{service}` body, like [`Sandbox::last_run_body`].
    pub fn last_job_body(&self, service: &str) -> Option<Vec<u8>> {
        self.state.last_job_body(service)
    }

    /// Route the presign endpoint or not (off: 404 `404 page not found`, like < v3.6.4).
    /// The most `/run` requests of `service` that were in flight at once.
    pub fn most_runs_in_flight(&self, service: &str) -> u32 {
        self.state.most_runs_in_flight(service)
    }

    /// Bucket listings the S3 server has answered so far.
    pub fn s3_list_requests(&self) -> u64 {
        self.state.store.list_requests.load(Ordering::Relaxed)
    }

    /// When the first job of `service` since `since` was created and the last one finished
    /// (none while one is still running): the cluster's own time for them.
    pub fn job_span(&self, service: &str, since: std::time::SystemTime) -> Option<(std::time::SystemTime, std::time::SystemTime)> {
        let jobs = self.state.jobs.lock();
        let mine: Vec<_> = jobs.values().filter(|j| j.service == service && j.creation >= since).collect();
        let first = mine.iter().map(|j| j.creation).min()?;
        let last = mine.iter().map(|j| j.finish).collect::<Option<Vec<_>>>()?.into_iter().max()?;
        Some((first, last))
    }

    /// The keys of every object in `bucket`, sorted (empty for no such bucket).
    pub fn object_keys(&self, bucket: &str) -> Vec<String> {
        self.state.store.list_objects(bucket).unwrap_or_default().into_iter().map(|o| o.key).collect()
    }

    pub fn set_presign(&self, on: bool) {
        self.state.presign.store(on, Ordering::SeqCst);
    }

    /// A presigned URL for `/bucket/key` on the S3 server (`query`: extra parameters, e.g.
    /// `list-type=2` with an empty key for a listing).
    pub fn s3_presign(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        query: &[(&str, &str)],
        expires_secs: u64,
    ) -> String {
        let path = if key.is_empty() {
            format!("/{bucket}")
        } else {
            format!("/{bucket}/{key}")
        };
        sigv4::presign_url(
            &self.s3_url(),
            method,
            &path,
            query,
            &storage::keys(),
            expires_secs,
            std::time::SystemTime::now(),
        )
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
        self.s3_task.abort();
        self.state.jobs.abort_all();
    }
}

/// A static file server for a built SPA, used by the e2e tests and the demo.
/// Serves a directory at "/" on 127.0.0.1 with an SPA fallback; no CORS headers.
/// [`StaticSite::builder`] gives a prefix, extra headers and files, and a dumb-host mode.
pub struct StaticSite {
    url: String,
    task: JoinHandle<()>,
}

impl StaticSite {
    pub async fn start(dir: PathBuf, port: u16) -> std::io::Result<StaticSite> {
        StaticSite::builder(dir).start(port).await
    }

    /// A site for `dir` with options (deployment tests).
    pub fn builder(dir: PathBuf) -> StaticSiteBuilder {
        StaticSiteBuilder {
            cfg: statics::SiteConfig::new(dir),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.url.clone()
    }
}

/// Options of a [`StaticSite`].
pub struct StaticSiteBuilder {
    cfg: statics::SiteConfig,
}

impl StaticSiteBuilder {
    /// Serve the directory under this path (e.g. `"/visor/"`); `GET /visor` redirects to
    /// `/visor/`, other paths answer 404.
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.cfg.prefix = statics::normalize_prefix(prefix);
        self
    }

    /// A header added to every response (e.g. `Content-Security-Policy`); an invalid name
    /// or value is ignored.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(k), Ok(v)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(value),
        ) {
            self.cfg.headers.push((k, v));
        }
        self
    }

    /// An extra file, or an override, at this exact URL path (e.g. `"/config.json"`,
    /// `"/visor/interfaces.json"`, `"/parent.html"`), outside the prefix too.
    pub fn file(mut self, path: &str, content_type: &str, body: Vec<u8>) -> Self {
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        self.cfg
            .files
            .insert(path, (content_type.to_string(), Bytes::from(body)));
        self
    }

    /// Default true: unknown non-file paths answer index.html. False: a plain 404, or the
    /// directory's `404.html` with status 404 (GitHub Pages). The basename asset fallback
    /// stays on in both modes.
    pub fn spa_fallback(mut self, on: bool) -> Self {
        self.cfg.spa_fallback = on;
        self
    }

    /// Bind 127.0.0.1:`port` (0 = ephemeral) and serve on the current tokio runtime.
    pub async fn start(self, port: u16) -> std::io::Result<StaticSite> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let task = tokio::spawn(accept_loop(listener, Site::Static(Arc::new(self.cfg))));
        Ok(StaticSite {
            url: format!("http://127.0.0.1:{port}"),
            task,
        })
    }
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
enum Site {
    Api(Arc<api::Shared>),
    S3(Arc<api::Shared>),
    Static(Arc<statics::SiteConfig>),
}

impl Site {
    async fn handle(self, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, std::io::Error> {
        match self {
            Site::Api(state) => api::handle(state, req).await,
            Site::S3(state) => storage::handle(state, req).await,
            Site::Static(cfg) => {
                let path = req.uri().path().to_string();
                let gzip = statics::accepts_gzip(req.headers());
                Ok(statics::serve_site(&cfg, req.method(), &path, req.uri().query(), gzip).await)
            }
        }
    }
}

/// Accept connections until aborted; connection tasks live in a JoinSet so that aborting
/// this task (dropping the set) also closes every open connection.
async fn accept_loop(listener: TcpListener, site: Site) {
    let mut conns = JoinSet::new();
    loop {
        while conns.try_join_next().is_some() {}
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let site = site.clone();
        conns.spawn(async move {
            let svc = service_fn(move |req| site.clone().handle(req));
            // A service error closes the connection without an answer (the drop fault).
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}
