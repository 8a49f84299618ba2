//! Object storage and jobs (OSCAR-API.md §3, §8): OSCAR's presign endpoint,
//! MinIO over S3 with SigV4-presigned URLs signed in the browser, and the
//! job list and logs. Uploads and downloads go through XHR for progress.

use super::xhr::{self, Progress, XhrAnswer, XhrBody, XhrHandle, XhrRequest};
use super::{reach, authorized, Reach, exchange, exchange_with, RunBody, SYSTEM_TIMEOUT_SECS};
use crate::interface::AsyncPlan;
use crate::oscar::jobs::{parse_job_list, JobPage};
use crate::oscar::s3::{classify, parse_http_date, parse_list_objects_v2, ObjectInfo, S3Problem};
use crate::oscar::sigv4::{presign, PresignRequest};
use crate::oscar::storage::{clock_skew, list_query, PresignAnswer, PresignBody};
use crate::oscar::ApiError;
use crate::routes::encode_component;
use crate::session::Session;
use gloo_net::http::Request;
use std::cell::Cell;

/// How long presigned URLs stay valid.
const URL_SECS: u32 = 900;
/// Uploads and downloads may be big: give them time.
const TRANSFER_TIMEOUT_MS: u32 = 30 * 60 * 1000;

fn local_now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// Where to send an upload, and the headers that must go with it.
pub struct UploadTarget {
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// Whether OSCAR's presign endpoint gave it (else it was signed here).
    pub via_oscar: bool,
}

/// Talks to one service's buckets, keeping the storage server's clock.
pub struct StorageClient {
    session: Session,
    plan: AsyncPlan,
    /// Seconds to add to this computer's clock to get the storage's.
    skew: Cell<i64>,
}

impl StorageClient {
    pub fn new(session: Session, plan: AsyncPlan) -> Self {
        Self { session, plan, skew: Cell::new(0) }
    }

    /// Now, on the storage server's clock (as far as it is known).
    pub fn server_now(&self) -> i64 {
        local_now() + self.skew.get()
    }

    /// Learns the server's clock from a `Date` header; true if it moved.
    fn learn_clock(&self, date: Option<&str>) -> bool {
        let Some(server) = date.and_then(parse_http_date) else { return false };
        let skew = clock_skew(server, local_now());
        let moved = (skew - self.skew.get()).abs() > 2;
        self.skew.set(skew);
        moved
    }

    /// A SigV4-presigned URL, or why there are no keys to sign with.
    fn signed_url(&self, method: &str, bucket: &str, key: &str, query: &[(&str, &str)]) -> Result<String, ApiError> {
        let access = self.plan.access.as_ref().ok_or(ApiError::NoStorageAccess)?;
        let request = PresignRequest {
            method,
            endpoint: &access.endpoint,
            bucket,
            key,
            query,
            now_unix: self.server_now(),
            expires_secs: URL_SECS,
            signed_headers: &[],
        };
        presign(&request, &access.credentials).map_err(ApiError::InvalidInput)
    }

    /// One S3 exchange; a failure without an answer is told apart as
    /// "unreachable" or "no CORS", naming the storage endpoint.
    async fn s3(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: XhrBody<'_>,
        progress: Progress,
        cancel: &dyn Fn(XhrHandle),
    ) -> Result<XhrAnswer, ApiError> {
        let (request, handle) = xhr::prepare().map_err(|_| ApiError::ConnectionLost)?;
        cancel(handle);
        let req = XhrRequest { method, url, headers, body, timeout_ms: TRANSFER_TIMEOUT_MS };
        match xhr::send(request, req, progress).await {
            Ok(answer) => {
                self.learn_clock(answer.date.as_deref());
                Ok(answer)
            }
            Err(xhr::XhrFailure::Aborted) => Err(ApiError::Cancelled),
            Err(xhr::XhrFailure::Timeout) => Err(ApiError::Timeout { seconds: TRANSFER_TIMEOUT_MS / 1000 }),
            Err(xhr::XhrFailure::Network) => {
                let endpoint = self.storage_endpoint(url);
                match reach(&format!("{endpoint}/minio/health/live")).await {
                    Reach::Nothing => Err(ApiError::StorageUnreachable { endpoint }),
                    Reach::NoCors => Err(ApiError::StorageCors { endpoint }),
                    Reach::Fine => Err(ApiError::ConnectionLost),
                }
            }
        }
    }

    /// The origin of a storage URL, for messages and the reachability probe.
    fn storage_endpoint(&self, url: &str) -> String {
        let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
        let end = url[after_scheme..].find('/').map(|i| i + after_scheme).unwrap_or(url.len());
        url.get(..end).unwrap_or(url).to_string()
    }

    /// Where to upload `key` in the input bucket: OSCAR's presign endpoint
    /// first (v3.6.4+, no keys needed), else a URL signed here.
    pub async fn upload_target(&self, key: &str, content_type: &str) -> Result<UploadTarget, ApiError> {
        let bucket = &self.plan.input_bucket;
        let body = PresignBody {
            object_key: key.to_string(),
            operation: "upload".into(),
            expires_in: URL_SECS,
            content_type: Some(content_type.to_string()),
        };
        match self.oscar_presign(bucket, &body).await? {
            Some(presigned) => {
                let mut headers: Vec<(String, String)> = presigned.headers.into_iter().collect();
                if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
                    headers.push(("Content-Type".into(), content_type.into()));
                }
                Ok(UploadTarget { url: presigned.url, headers, via_oscar: true })
            }
            // No presign endpoint: a cluster older than v3.6.4.
            None => {
                self.sync_clock().await;
                let url = self.signed_url("PUT", bucket, key, &[])?;
                Ok(UploadTarget { url, headers: vec![("Content-Type".into(), content_type.into())], via_oscar: false })
            }
        }
    }

    /// `POST /system/buckets/{b}/presign` (v3.6.4+); `None` when the
    /// cluster has no such endpoint (404 or 405).
    async fn oscar_presign(&self, bucket: &str, body: &PresignBody) -> Result<Option<PresignAnswer>, ApiError> {
        let path = format!("/system/buckets/{}/presign", encode_component(bucket));
        let builder = authorized(Request::post(&self.session.endpoint.url(&path)), &self.session.credentials)
            .header("Content-Type", "application/json");
        let json = serde_json::to_string(body).unwrap_or_default();
        let answer = exchange_with(&self.session.endpoint, builder, Some(json.into()), SYSTEM_TIMEOUT_SECS).await?;
        match answer.status {
            200 => PresignAnswer::parse(&answer.body)
                .map(Some)
                .map_err(|why| ApiError::NotOscar { endpoint: self.session.endpoint.to_string(), why }),
            404 | 405 => Ok(None),
            status => Err(ApiError::from_status(status, &answer.body, &format!("bucket “{bucket}”"))),
        }
    }

    /// Before signing here, learn the storage's clock with a cheap request.
    async fn sync_clock(&self) {
        if self.plan.access.is_some() {
            let _ = self.list_page(&self.plan.input_bucket, &self.plan.input_prefix, None, 1).await;
        }
    }

    /// Uploads the body; returns the upload time on the server's clock.
    pub async fn put(
        &self,
        target: &UploadTarget,
        body: &web_sys::Blob,
        on_progress: impl Fn(f64, f64) + 'static,
        cancel: &dyn Fn(XhrHandle),
    ) -> Result<i64, ApiError> {
        let headers: Vec<(&str, &str)> = target.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let progress = Progress { upload: Box::new(on_progress), download: Box::new(|_, _| {}) };
        let answer = self.s3("PUT", &target.url, &headers, XhrBody::Blob(body), progress, cancel).await?;
        match answer.status {
            200..=299 => Ok(answer.date.as_deref().and_then(parse_http_date).unwrap_or_else(|| self.server_now())),
            status => Err(ApiError::Storage(classify(status, &String::from_utf8_lossy(&answer.body)))),
        }
    }

    async fn list_page(
        &self,
        bucket: &str,
        prefix: &str,
        token: Option<&str>,
        attempt: u8,
    ) -> Result<crate::oscar::s3::Listing, ApiError> {
        let query = list_query(prefix, token);
        let url = self.signed_url("GET", bucket, "", &query)?;
        let answer = self.s3("GET", &url, &[], XhrBody::None, Progress::none(), &|_| {}).await?;
        let text = String::from_utf8_lossy(&answer.body);
        match answer.status {
            200 => parse_list_objects_v2(&text).map_err(|_| ApiError::Storage(S3Problem::Other { status: 200, code: "unreadable listing".into() })),
            status => match classify(status, &text) {
                // The clock was off: the answer's Date fixed it; sign again once.
                S3Problem::TooSkewed | S3Problem::SignatureOrClock if attempt == 0 => {
                    Box::pin(self.list_page(bucket, prefix, token, 1)).await
                }
                problem => Err(ApiError::Storage(problem)),
            },
        }
    }

    /// Every object under `prefix` (ListObjectsV2, following continuation).
    pub async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, ApiError> {
        if self.plan.access.is_none() {
            return self.list_via_oscar(bucket, prefix).await;
        }
        let mut objects = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..50 {
            let page = self.list_page(bucket, prefix, token.as_deref(), 0).await?;
            objects.extend(page.objects);
            match page.next_continuation_token.filter(|_| page.is_truncated) {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        Ok(objects)
    }

    /// `GET /system/buckets/{b}` (v3.6.5+), when there are no keys to sign with.
    async fn list_via_oscar(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, ApiError> {
        let path = format!("/system/buckets/{}", encode_component(bucket));
        let builder = authorized(Request::get(&self.session.endpoint.url(&path)), &self.session.credentials);
        let answer = exchange(&self.session.endpoint, builder, SYSTEM_TIMEOUT_SECS).await?;
        if answer.status != 200 {
            return Err(ApiError::from_status(answer.status, &answer.body, &format!("bucket “{bucket}”")));
        }
        let value: serde_json::Value = serde_json::from_str(&answer.body).unwrap_or_default();
        let objects = value.get("objects").and_then(|o| o.as_array()).cloned().unwrap_or_default();
        let want = format!("{}/", prefix.trim_matches('/'));
        Ok(objects
            .iter()
            .filter_map(|o| {
                let key = o.get("object_name")?.as_str()?.to_string();
                Some(ObjectInfo {
                    size: o.get("size_bytes").and_then(|s| s.as_u64()).unwrap_or(0),
                    last_modified_unix: o.get("last_modified").and_then(|t| t.as_str()).and_then(crate::oscar::s3::parse_rfc3339),
                    etag: String::new(),
                    key,
                })
            })
            .filter(|o| prefix.is_empty() || o.key.starts_with(&want))
            .collect())
    }

    /// Downloads an object, through OSCAR's presign endpoint or a URL signed here.
    pub async fn get(&self, bucket: &str, key: &str, on_progress: impl Fn(f64, f64) + 'static) -> Result<Vec<u8>, ApiError> {
        let url = match self.plan.access {
            Some(_) => self.signed_url("GET", bucket, key, &[])?,
            None => self.presigned_download(bucket, key).await?,
        };
        let progress = Progress { upload: Box::new(|_, _| {}), download: Box::new(on_progress) };
        let answer = self.s3("GET", &url, &[], XhrBody::None, progress, &|_| {}).await?;
        match answer.status {
            200 => Ok(answer.body),
            status => Err(ApiError::Storage(classify(status, &String::from_utf8_lossy(&answer.body)))),
        }
    }

    async fn presigned_download(&self, bucket: &str, key: &str) -> Result<String, ApiError> {
        let body = PresignBody { object_key: key.into(), operation: "download".into(), expires_in: URL_SECS, content_type: None };
        self.oscar_presign(bucket, &body).await?.map(|a| a.url).ok_or(ApiError::NoStorageAccess)
    }
}

/// `GET /system/logs/{service}[?page=]`: both the paginated and the legacy shape.
pub async fn job_list(session: &Session, service: &str, page: Option<&str>) -> Result<JobPage, ApiError> {
    let mut path = format!("/system/logs/{}", encode_component(service));
    if let Some(p) = page {
        path.push_str(&format!("?page={}", encode_component(p)));
    }
    let builder = authorized(Request::get(&session.endpoint.url(&path)), &session.credentials);
    let answer = exchange(&session.endpoint, builder, SYSTEM_TIMEOUT_SECS).await?;
    match answer.status {
        200 => parse_job_list(&answer.body).map_err(|why| ApiError::NotOscar { endpoint: session.endpoint.to_string(), why }),
        status => Err(ApiError::from_status(status, &answer.body, &format!("service “{service}”"))),
    }
}

/// `GET /system/logs/{service}/{job}`: the job's logs as plain text.
pub async fn job_logs(session: &Session, service: &str, job: &str) -> Result<String, ApiError> {
    let path = format!("/system/logs/{}/{}", encode_component(service), encode_component(job));
    let builder = authorized(Request::get(&session.endpoint.url(&path)), &session.credentials);
    let answer = exchange(&session.endpoint, builder, SYSTEM_TIMEOUT_SECS).await?;
    match answer.status {
        200 => Ok(answer.body),
        status => Err(ApiError::from_status(status, &answer.body, &format!("job “{job}”"))),
    }
}

/// `DELETE /system/logs/{service}/{job}`.
pub async fn delete_job(session: &Session, service: &str, job: &str) -> Result<(), ApiError> {
    let path = format!("/system/logs/{}/{}", encode_component(service), encode_component(job));
    let builder = authorized(Request::delete(&session.endpoint.url(&path)), &session.credentials);
    let answer = exchange(&session.endpoint, builder, SYSTEM_TIMEOUT_SECS).await?;
    match answer.status {
        200..=299 => Ok(()),
        status => Err(ApiError::from_status(status, &answer.body, &format!("job “{job}”"))),
    }
}

/// `DELETE /system/logs/{service}`: finished (succeeded) jobs, or all of them.
pub async fn delete_jobs(session: &Session, service: &str, all: bool) -> Result<(), ApiError> {
    let mut path = format!("/system/logs/{}", encode_component(service));
    if all {
        path.push_str("?all=true");
    }
    let builder = authorized(Request::delete(&session.endpoint.url(&path)), &session.credentials);
    let answer = exchange(&session.endpoint, builder, SYSTEM_TIMEOUT_SECS).await?;
    match answer.status {
        200..=299 => Ok(()),
        status => Err(ApiError::from_status(status, &answer.body, &format!("service “{service}”"))),
    }
}

/// `POST /job/{service}` with the service token: 201 and an empty body;
/// OSCAR returns no job id (§8).
pub async fn submit_job(session: &Session, service: &str, token: &str, body: &RunBody) -> Result<(), ApiError> {
    let url = session.endpoint.url(&format!("/job/{}", encode_component(service)));
    let (content_type, payload): (&str, wasm_bindgen::JsValue) = match body {
        RunBody::Json(t) => ("application/json", t.as_str().into()),
        RunBody::Base64(b) => ("text/plain", b.clone().into()),
    };
    let token = session.credentials.run_token().unwrap_or(token);
    let builder = Request::post(&url).header("Authorization", &format!("Bearer {token}")).header("Content-Type", content_type);
    let answer = exchange_with(&session.endpoint, builder, Some(payload), SYSTEM_TIMEOUT_SECS).await?;
    match answer.status {
        200..=299 => Ok(()),
        401 | 403 => Err(ApiError::JobRefused { status: answer.status, detail: crate::oscar::error::short_detail(&answer.body) }),
        status => Err(ApiError::from_status(status, &answer.body, &format!("service “{service}”"))),
    }
}
