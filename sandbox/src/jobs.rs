//! Asynchronous invocations (OSCAR-API.md §8): jobs `<service>-<uuid>` started by an object
//! created under a service's input path or by `POST /job/{service}`, moving Pending → Running →
//! Succeeded/Failed, with faas-supervisor-like logs, writing their outputs to the S3 server.

pub(crate) use crate::job_table::{split_path, JobInput, ListError, Status};
use crate::job_table::{job_name, Job};
use crate::state::Shared;
use crate::model::{Service, StorageIo};
use crate::run::{decode_input, tmp_dir};
use crate::scripts::{run_async, sleep_seconds, traceback, Input, ScriptOutput};
use crate::util::{log_time, new_uuid, percent_decode};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long the failing demo service runs before it fails.
const FAIL_AFTER: Duration = Duration::from_millis(1500);

fn is_minio(io: &StorageIo) -> bool {
    let p = io.storage_provider.as_str();
    p.is_empty() || p == "minio" || p.starts_with("minio.")
}

/// Does a file (name relative to the io path) pass the io's suffix/prefix filters?
fn passes_filters(io: &StorageIo, name: &str) -> bool {
    let suffix_ok = io
        .suffix
        .as_ref()
        .filter(|s| !s.is_empty())
        .is_none_or(|s| s.iter().any(|x| name.ends_with(x.as_str())));
    let prefix_ok = io
        .prefix
        .as_ref()
        .filter(|s| !s.is_empty())
        .is_none_or(|s| s.iter().any(|x| name.starts_with(x.as_str())));
    suffix_ok && prefix_ok
}

/// MinIO's notification for a new object: start a job of every service whose input path
/// (and filters) match. `from` is the service that wrote it (no self-triggering loops).
pub(crate) fn object_created(state: &Arc<Shared>, bucket: &str, key: &str, from: Option<&str>) {
    let services = state.services_snapshot();
    for svc in services {
        if Some(svc.name.as_str()) == from {
            continue;
        }
        let hit = svc.input.iter().flatten().any(|io| {
            if !is_minio(io) {
                return false;
            }
            let (b, prefix) = split_path(&io.path);
            if b != bucket {
                return false;
            }
            let rest = if prefix.is_empty() {
                Some(key)
            } else {
                key.strip_prefix(prefix.as_str())
                    .and_then(|r| r.strip_prefix('/'))
            };
            rest.is_some_and(|r| !r.is_empty() && passes_filters(io, r))
        });
        if hit {
            start(
                state,
                svc,
                JobInput::Object {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                },
            );
        }
    }
}

/// `POST /job/{service}`: a MinIO event JSON names an object; anything else is the payload.
pub(crate) fn input_from_body(body: &[u8]) -> JobInput {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        if let Some(rec) = v.pointer("/Records/0") {
            let bucket = rec.pointer("/s3/bucket/name").and_then(Value::as_str);
            let key = rec.pointer("/s3/object/key").and_then(Value::as_str);
            if let (Some(b), Some(k)) = (bucket, key) {
                return JobInput::Object {
                    bucket: b.to_string(),
                    key: percent_decode(&k.replace('+', " ")),
                };
            }
        }
    }
    JobInput::Event(body.to_vec())
}

/// Create a job and start its task; returns the job name.
pub(crate) fn start(state: &Arc<Shared>, svc: Service, input: JobInput) -> String {
    let name = job_name(&svc.name);
    state.jobs.lock().insert(
        name.clone(),
        Job {
            service: svc.name.clone(),
            status: Status::Pending,
            creation: SystemTime::now(),
            start: None,
            finish: None,
            lines: Vec::new(),
            task: None,
        },
    );
    let task = tokio::spawn(run(state.clone(), name.clone(), svc, input));
    let handle = task.abort_handle();
    let mut orphan = None;
    {
        let mut map = state.jobs.lock();
        match map.get_mut(&name) {
            Some(j) => j.task = Some(handle),
            None => orphan = Some(handle),
        }
    }
    if let Some(h) = orphan {
        h.abort();
    }
    name
}

/// faas-supervisor's logger lines, appended to the job's log as they happen.
struct Log<'a> {
    state: &'a Shared,
    job: &'a str,
}

impl Log<'_> {
    fn info(&self, msg: impl AsRef<str>) {
        self.level("INFO", msg);
    }

    fn level(&self, level: &str, msg: impl AsRef<str>) {
        self.state.jobs.push_line(
            self.job,
            format!("{} - supervisor - {level} - {}", log_time(), msg.as_ref()),
        );
    }

    /// Raw script output (stdout/stderr of the pod), line by line.
    fn raw(&self, text: &str) {
        for line in text.lines() {
            self.state.jobs.push_line(self.job, line.to_string());
        }
    }
}


fn content_type(name: &str, bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return "image/png";
    }
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        return "image/jpeg";
    }
    if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WAVE") {
        return "audio/wav";
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "json" => "application/json",
        "csv" => "text/csv",
        "txt" => "text/plain",
        "zip" => "application/zip",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Services whose script answers on stdout only: no output file is not a failure.
fn stdout_only(service: &str) -> bool {
    matches!(service, "cowsay" | "noisy-test")
}

async fn run(state: Arc<Shared>, name: String, svc: Service, input: JobInput) {
    let delay = state.jobs.delay;
    tokio::time::sleep(delay).await;
    // Pending until the cluster has room.
    let _slot = match &state.jobs.slots {
        Some(slots) => slots.clone().acquire_owned().await.ok(),
        None => None,
    };
    let started = tokio::time::Instant::now();
    state.jobs.update(&name, |j| {
        j.status = Status::Running;
        j.start = Some(SystemTime::now());
    });
    let ok = work(&state, &name, &svc, input).await;
    // Running lasts at least one step, so that a poller can see it.
    let elapsed = started.elapsed();
    if elapsed < delay {
        tokio::time::sleep(delay - elapsed).await;
    }
    state.jobs.update(&name, |j| {
        j.status = if ok {
            Status::Succeeded
        } else {
            Status::Failed
        };
        j.finish = Some(SystemTime::now());
        j.task = None;
    });
}

/// The supervisor inside the job's pod; false = the pod failed.
async fn work(state: &Arc<Shared>, job: &str, svc: &Service, input: JobInput) -> bool {
    let log = Log { state, job };
    log.info("SUPERVISOR: Initializing Binary supervisor");
    log.info("Received input event");
    log.info("Reading STORAGE_AUTH variables");
    log.info("Reading STORAGE_PATH variables");
    let in_dir = tmp_dir();
    let out_dir = tmp_dir();
    let (bytes, path) = match input {
        JobInput::Object { bucket, key } => {
            log.info("MINIO event received");
            log.info("Found 'MINIO' input provider");
            log.info(format!("Downloading file '{key}' from bucket '{bucket}'"));
            let file = key.rsplit('/').next().unwrap_or(&key).to_string();
            let path = format!("{in_dir}/{file}");
            match state.store.read_object(&bucket, &key).await {
                Ok(b) => {
                    log.info(format!(
                        "Successful download of file '{key}' from bucket '{bucket}' in path '{path}'"
                    ));
                    (b, path)
                }
                Err(_) => {
                    log.level("ERROR", "Exception launched:");
                    log.raw(&traceback(
                        &[
                            ("faassupervisor/supervisor.py", 79, "main", "supervisor.run()"),
                            ("faassupervisor/supervisor.py", 50, "run", "self._parse_input()"),
                            (
                                "faassupervisor/storage/providers/minio.py",
                                63,
                                "download_file",
                                "self.client.download_fileobj(bucket_name, file_key, data)",
                            ),
                        ],
                        &format!("botocore.exceptions.ClientError: An error occurred (404) when calling the HeadObject operation: Not Found ('{bucket}/{key}')"),
                    ));
                    return false;
                }
            }
        }
        JobInput::Event(body) => {
            log.info("Event type: UNKNOWN");
            match decode_input(&body) {
                Ok(b) => (b, format!("{in_dir}/event-file-{}", new_uuid())),
                Err(e) => {
                    log.level("ERROR", "Exception launched:");
                    log.raw(&crate::run::base64_traceback(&e));
                    return false;
                }
            }
        }
    };
    log.info(format!("INPUT_FILE_PATH variable set to '{path}'"));
    log.info(format!("TMP_OUTPUT_DIR variable set to '{out_dir}'"));
    log.info("Script file found in '/oscar/config/script.sh'");

    let secs = sleep_seconds(svc);
    if secs > 0 {
        tokio::time::sleep(Duration::from_secs(secs)).await;
    }
    if svc.name == "fail-test" {
        tokio::time::sleep(FAIL_AFTER).await;
    }
    let owned = svc.clone();
    let path2 = path.clone();
    let out = tokio::task::spawn_blocking(move || {
        run_async(
            &owned,
            &Input {
                bytes: &bytes,
                path: &path2,
            },
        )
    })
    .await
    .unwrap_or_else(|_| {
        ScriptOutput::stdout(
            "/oscar/config/script.sh: line 4:    23 Segmentation fault      (core dumped) \"$INPUT_FILE_PATH\"\n",
        )
    });
    log.raw(&out.stdout);
    if svc.name == "fail-test" || (out.files.is_empty() && !stdout_only(&svc.name)) {
        return false;
    }

    log.info(format!(
        "Searching for files to upload in folder '{out_dir}'"
    ));
    let outputs: Vec<&StorageIo> = svc
        .output
        .iter()
        .flatten()
        .filter(|o| is_minio(o))
        .collect();
    if outputs.is_empty() {
        log.level("WARNING", "There is no output defined for this function.");
        return true;
    }
    let mut ok = true;
    for o in outputs {
        log.info("Found 'MINIO' output provider");
        let (bucket, prefix) = split_path(&o.path);
        for (file, data) in out.files.iter().filter(|(f, _)| passes_filters(o, f)) {
            let key = if prefix.is_empty() {
                file.clone()
            } else {
                format!("{prefix}/{file}")
            };
            log.info(format!(
                "Uploading file '{out_dir}/{file}' to '{bucket}/{key}'"
            ));
            match state
                .store
                .put_object(&bucket, &key, data.clone(), content_type(file, data))
                .await
            {
                Ok(()) => object_created(state, &bucket, &key, Some(&svc.name)),
                Err(e) => {
                    log.level(
                        "ERROR",
                        format!("Error uploading file '{file}' to '{bucket}/{key}': {e}"),
                    );
                    ok = false;
                }
            }
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job_table::{decode_token, encode_token};

    #[test]
    fn names_and_tokens() {
        let n = job_name("grayify");
        assert!(n.starts_with("grayify-") && n.len() == "grayify-".len() + 36);
        let long = "a-very-long-service-name-indeed";
        assert!(job_name(long).starts_with("a-very-long-serv-"));
        let t = encode_token("grayify-abc");
        assert_eq!(decode_token(&t).as_deref(), Some("grayify-abc"));
        assert_eq!(decode_token("!!"), None);
    }

    #[test]
    fn filters_and_paths() {
        assert_eq!(split_path("grayify/in"), ("grayify".into(), "in".into()));
        assert_eq!(split_path("b/x/y/"), ("b".into(), "x/y".into()));
        let io = StorageIo {
            suffix: Some(vec!["jpg".into(), "png".into()]),
            ..StorageIo::default()
        };
        assert!(passes_filters(&io, "a.jpg"));
        assert!(!passes_filters(&io, "a.txt"));
    }

    #[test]
    fn minio_event_body() {
        let ev = br#"{"EventName":"s3:ObjectCreated:Put","Key":"grayify/in/a+b.jpg","Records":[{"eventSource":"minio:s3","s3":{"bucket":{"name":"grayify"},"object":{"key":"in%2Fa+b.jpg"}}}]}"#;
        match input_from_body(ev) {
            JobInput::Object { bucket, key } => {
                assert_eq!(bucket, "grayify");
                assert_eq!(key, "in/a b.jpg");
            }
            JobInput::Event(_) => panic!("expected an object"),
        }
        assert!(matches!(input_from_body(b"SGk="), JobInput::Event(_)));
    }
}
