//! The stand-in's job table (OSCAR-API.md §8): jobs by name, with status,
//! times and log lines, paged like Kubernetes lists. The runner that fills it
//! is `jobs`.

use crate::util::{new_uuid, random_bytes, rfc3339, rfc3339_nano};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};
use tokio::task::AbortHandle;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Pending,
    Running,
    Succeeded,
    Failed,
}

impl Status {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Status::Pending => "Pending",
            Status::Running => "Running",
            Status::Succeeded => "Succeeded",
            Status::Failed => "Failed",
        }
    }
}

pub(crate) struct Job {
    pub(crate) service: String,
    pub(crate) status: Status,
    pub(crate) creation: SystemTime,
    pub(crate) start: Option<SystemTime>,
    pub(crate) finish: Option<SystemTime>,
    pub(crate) lines: Vec<(SystemTime, String)>,
    pub(crate) task: Option<AbortHandle>,
}

/// What the job works on: an object in the S3 server, or the body of `POST /job`.
pub(crate) enum JobInput {
    Object { bucket: String, key: String },
    Event(Vec<u8>),
}

/// The in-memory job table.
pub(crate) struct Jobs {
    pub(crate) map: Mutex<BTreeMap<String, Job>>,
    pub delay: Duration,
    pub page_size: usize,
    /// The cluster's capacity: a job runs once it holds a slot.
    pub slots: Option<std::sync::Arc<tokio::sync::Semaphore>>,
}

/// One page of jobs: (name → info, continue token, jobs left after this page).
pub(crate) type JobPage = (Map<String, Value>, Option<String>, usize);

/// Why a job list cannot be answered.
pub(crate) enum ListError {
    BadToken,
}

impl Jobs {
    pub fn new(delay_ms: u64, page_size: usize, max_jobs: usize) -> Jobs {
        Jobs {
            map: Mutex::new(BTreeMap::new()),
            delay: Duration::from_millis(delay_ms),
            page_size: page_size.max(1),
            slots: (max_jobs > 0).then(|| std::sync::Arc::new(tokio::sync::Semaphore::new(max_jobs))),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Job>> {
        match self.map.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    pub(crate) fn update(&self, name: &str, f: impl FnOnce(&mut Job)) {
        if let Some(j) = self.lock().get_mut(name) {
            f(j);
        }
    }

    pub(crate) fn push_line(&self, name: &str, line: String) {
        self.update(name, |j| j.lines.push((SystemTime::now(), line)));
    }

    /// One page of a service's jobs, in name order (like a Kubernetes list), as
    /// (jobs, continue token, remaining count).
    pub fn list(
        &self,
        service: &str,
        page: Option<&str>,
        paginate: bool,
    ) -> Result<JobPage, ListError> {
        let after = match page.filter(|p| !p.is_empty()) {
            Some(token) => Some(decode_token(token).ok_or(ListError::BadToken)?),
            None => None,
        };
        let map = self.lock();
        let all: Vec<(&String, &Job)> = map
            .iter()
            .filter(|(_, j)| j.service == service)
            .filter(|(n, _)| after.as_ref().is_none_or(|a| n.as_str() > a.as_str()))
            .collect();
        let take = if paginate { self.page_size } else { all.len() };
        let mut out = Map::new();
        for (name, j) in all.iter().take(take) {
            let mut v = json!({"status": j.status.name(), "creation_time": rfc3339(j.creation)});
            if let Some(t) = j.start {
                v["start_time"] = json!(rfc3339(t));
            }
            if let Some(t) = j.finish {
                v["finish_time"] = json!(rfc3339(t));
            }
            out.insert((*name).clone(), v);
        }
        let remaining = all.len().saturating_sub(take);
        let next = (remaining > 0)
            .then(|| {
                all.get(take.saturating_sub(1))
                    .map(|(n, _)| encode_token(n))
            })
            .flatten();
        Ok((out, next, remaining))
    }

    /// The pod log of a job, optionally with the kubelet's RFC 3339 timestamps.
    pub fn logs(&self, service: &str, job: &str, timestamps: bool) -> Option<String> {
        let map = self.lock();
        let j = map.get(job).filter(|j| j.service == service)?;
        let mut s = String::new();
        for (t, line) in &j.lines {
            if timestamps {
                s.push_str(&rfc3339_nano(*t));
                s.push(' ');
            }
            s.push_str(line);
            s.push('\n');
        }
        Some(s)
    }

    /// `DELETE /system/logs/{service}`: succeeded jobs, or every job with `all`.
    pub fn delete_service_jobs(&self, service: &str, all: bool) {
        self.lock().retain(|_, j| {
            let gone = j.service == service && (all || j.status == Status::Succeeded);
            if gone {
                if let Some(t) = j.task.take() {
                    t.abort();
                }
            }
            !gone
        });
    }

    pub fn delete_job(&self, service: &str, job: &str) -> bool {
        let mut map = self.lock();
        if map.get(job).is_some_and(|j| j.service == service) {
            if let Some(t) = map.remove(job).and_then(|mut j| j.task.take()) {
                t.abort();
            }
            true
        } else {
            false
        }
    }

    /// Stop every running job task (the sandbox is going away).
    pub fn abort_all(&self) {
        for j in self.lock().values_mut() {
            if let Some(t) = j.task.take() {
                t.abort();
            }
        }
    }
}

/// A Kubernetes-like continue token: base64url of `{"v":"meta.k8s.io/v1","rv":N,"start":"<name>\u0000"}`.
pub(crate) fn encode_token(after: &str) -> String {
    let rv =
        u32::from_le_bytes(random_bytes(4).try_into().unwrap_or([1, 0, 0, 0])) % 900_000 + 100_000;
    let v = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": format!("{after}\u{0}")});
    URL_SAFE_NO_PAD.encode(v.to_string())
}

pub(crate) fn decode_token(token: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get("start")?
        .as_str()
        .map(|s| s.trim_end_matches('\u{0}').to_string())
}

/// `<service>-<uuid4>`, the service name cut to 16 characters if it has 25 or more (§3).
pub(crate) fn job_name(service: &str) -> String {
    let base = if service.len() >= 25 {
        &service[..16]
    } else {
        service
    };
    format!("{}-{}", base.trim_end_matches('-'), new_uuid())
}

/// `bucket/prefix` → (bucket, prefix without slashes).
pub(crate) fn split_path(path: &str) -> (String, String) {
    let p = path.trim_matches('/');
    match p.split_once('/') {
        Some((b, rest)) => (b.to_string(), rest.trim_matches('/').to_string()),
        None => (p.to_string(), String::new()),
    }
}

