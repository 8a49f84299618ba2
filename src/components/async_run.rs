//! The async side of the run page (OSCAR-API.md §8): upload the input to the
//! service's input bucket, find the job that started after the upload, wait
//! for outputs that belong to the run, and show them. OSCAR links none of
//! these, so they are joined here by name and time. A pending run is kept in
//! sessionStorage (no secrets) so a reload reattaches to it.

use crate::components::outputs::{OutputBody, Shown};
use crate::components::ApiErrorAlert;
use crate::interface::{AsyncPlan, InputValue};
use crate::net::storage::{job_list, job_logs, submit_job, StorageClient};
use crate::net::xhr::XhrHandle;
use crate::net::RunBody;
use crate::oscar::decode::human_size;
use crate::oscar::jobs::{job_started_after, Job, JobStatus};
use crate::oscar::s3::ObjectInfo;
use crate::oscar::storage::{input_key, output_belongs_to_run, unique_id, Backoff, PendingRun, RunMarker};
use crate::oscar::ApiError;
use crate::session::{store, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// After this long, ask whether to keep waiting.
const LONG_WAIT_SECS: f64 = 120.0;
/// Clocks of the storage and the cluster may differ a little.
const SLACK_SECS: i64 = 10;

/// Where an async run is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AsyncPhase {
    Uploading { sent: f64, total: f64 },
    Waiting,
    Downloading { got: f64, total: f64 },
}

/// The signals of an async run, shared by the input side (which starts it)
/// and the output side (which shows it).
#[derive(Clone, Copy)]
pub struct AsyncRun {
    pub phase: RwSignal<Option<AsyncPhase>>,
    job: RwSignal<Option<Job>>,
    logs: RwSignal<Option<String>>,
    outputs: RwSignal<Vec<ObjectInfo>>,
    shown: RwSignal<Option<Shown>>,
    error: RwSignal<Option<ApiError>>,
    notice: RwSignal<Option<String>>,
    long_wait: RwSignal<bool>,
    started: RwSignal<f64>,
    now: RwSignal<f64>,
    file: RwSignal<Option<String>>,
    stop: StoredValue<Arc<AtomicBool>>,
    cancel: StoredValue<Option<XhrHandle>, LocalStorage>,
    client: StoredValue<Option<Rc<StorageClient>>, LocalStorage>,
    output_path: StoredValue<Option<(String, String)>>,
}

impl Default for AsyncRun {
    fn default() -> Self {
        Self::new()
    }
}

impl AsyncRun {
    /// Fresh state, owned by the current component: leaving the page ends
    /// any wait loop.
    pub fn new() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        // Leaving the page ends any wait loop.
        on_cleanup(move || flag.store(true, Ordering::SeqCst));
        Self {
            phase: RwSignal::new(None),
            job: RwSignal::new(None),
            logs: RwSignal::new(None),
            outputs: RwSignal::new(Vec::new()),
            shown: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            long_wait: RwSignal::new(false),
            started: RwSignal::new(0.0),
            now: RwSignal::new(0.0),
            file: RwSignal::new(None),
            stop: StoredValue::new(stop),
            cancel: StoredValue::new_local(None),
            client: StoredValue::new_local(None),
            output_path: StoredValue::new(None),
        }
    }

    /// Whether there is anything to show (a result, an error, a job).
    pub fn has_content(&self) -> bool {
        self.shown.with(Option::is_some)
            || self.error.with(Option::is_some)
            || self.job.with(Option::is_some)
            || self.notice.with(Option::is_some)
            || self.logs.with(Option::is_some)
    }

    pub fn running(&self) -> bool {
        self.phase.with(Option::is_some)
    }

    fn stopped(&self) -> bool {
        self.stop.try_with_value(|s| s.load(Ordering::SeqCst)).unwrap_or(true)
    }

    fn reset(&self, file: Option<String>) {
        let fresh = Arc::new(AtomicBool::new(false));
        self.stop.set_value(fresh);
        self.job.set(None);
        self.logs.set(None);
        self.outputs.set(Vec::new());
        self.shown.set(None);
        self.error.set(None);
        self.notice.set(None);
        self.long_wait.set(false);
        self.file.set(file);
        self.started.set(js_sys::Date::now());
        self.now.set(js_sys::Date::now());
    }

    /// Stops waiting (the job itself may go on) or cancels an upload.
    pub fn stop(&self, service: &str) {
        self.stop.with_value(|s| s.store(true, Ordering::SeqCst));
        self.cancel.with_value(|h| if let Some(h) = h { h.abort() });
        store::clear_pending(service);
        if self.phase.get_untracked().is_some() {
            self.phase.set(None);
            self.notice.set(Some(
                "Stopped waiting. The job may still run: its output will appear in the output bucket and on the Jobs page."
                    .into(),
            ));
        }
    }

    /// Starts a run: upload to the input bucket, or `POST /job` when the
    /// service has no input bucket.
    pub fn start(&self, session: Session, service: String, token: String, plan: Option<AsyncPlan>, value: InputValue) {
        if self.running() {
            return;
        }
        // The file goes straight into a Blob (one copy, into the browser),
        // not into another buffer in wasm memory: inputs may be large.
        let prepared = value.as_upload().and_then(|(n, m, b)| {
            let blob = crate::browser::blob(b, &m).ok_or("The browser could not prepare the file (out of memory?).")?;
            Ok((n, m, blob, b.len()))
        });
        let (name, mime, blob, size) = match prepared {
            Ok(p) => p,
            Err(why) => {
                self.error.set(Some(ApiError::InvalidInput(why)));
                return;
            }
        };
        self.reset(Some(name.clone()));
        self.phase.set(Some(AsyncPhase::Uploading { sent: 0.0, total: size as f64 }));
        let run = *self;
        spawn_local(async move {
            let ticker = Ticker::start(run.now);
            let outcome = match plan {
                Some(plan) => run.upload_and_watch(session, service, plan, name, mime, blob).await,
                None => run.submit_and_watch(session, service, token, value).await,
            };
            drop(ticker);
            run.finish(outcome);
        });
    }

    /// Reattaches to a run that was pending before a reload.
    pub fn resume(&self, session: Session, plan: AsyncPlan, pending: PendingRun) {
        self.reset(Some(pending.file_name.clone()));
        self.notice.set(Some(format!("Resumed waiting for the run of {}.", pending.file_name)));
        self.phase.set(Some(AsyncPhase::Waiting));
        let run = *self;
        spawn_local(async move {
            let ticker = Ticker::start(run.now);
            let client = Rc::new(StorageClient::new(session.clone(), plan));
            run.client.set_value(Some(client.clone()));
            let output = (!pending.output_bucket.is_empty()).then(|| (pending.output_bucket.clone(), pending.output_prefix.clone()));
            let outcome = run.watch(&session, &pending.service, Some(client), output, pending.marker.uploaded_unix, Some(pending.marker)).await;
            drop(ticker);
            run.finish(outcome);
        });
    }

    fn finish(&self, outcome: Result<(), ApiError>) {
        if let Err(e) = outcome {
            if !self.stopped() || !matches!(e, ApiError::Cancelled) {
                let _ = self.error.try_set(Some(e));
            }
        }
        let _ = self.phase.try_set(None);
    }

    async fn upload_and_watch(
        &self,
        session: Session,
        service: String,
        plan: AsyncPlan,
        name: String,
        mime: String,
        blob: web_sys::Blob,
    ) -> Result<(), ApiError> {
        let id = unique_id((js_sys::Math::random() * 9.0e15) as u64);
        let key = input_key(&plan.input_prefix, &id, &name);
        let output = plan.output.clone();
        let bucket = plan.input_bucket.clone();
        let client = Rc::new(StorageClient::new(session.clone(), plan));
        self.client.set_value(Some(client.clone()));
        let target = client.upload_target(&key, &mime).await?;
        let phase = self.phase;
        let cancel = self.cancel;
        let uploaded = client
            .put(&target, &blob, move |sent, total| phase.set(Some(AsyncPhase::Uploading { sent, total })), &|h| {
                cancel.set_value(Some(h))
            })
            .await?;
        let marker = RunMarker::new(&id, &name, uploaded);
        let (output_bucket, output_prefix) = output.clone().unwrap_or_default();
        store::save_pending(&PendingRun {
            service: service.clone(),
            bucket,
            input_key: key,
            output_bucket,
            output_prefix,
            marker: marker.clone(),
            file_name: name,
        });
        self.phase.set(Some(AsyncPhase::Waiting));
        self.watch(&session, &service, Some(client), output, uploaded, Some(marker)).await
    }

    async fn submit_and_watch(&self, session: Session, service: String, token: String, value: InputValue) -> Result<(), ApiError> {
        let body = match value.outgoing() {
            Ok(crate::interface::Outgoing::Json(t)) => RunBody::Json(t.to_string()),
            Ok(crate::interface::Outgoing::Base64(b)) => RunBody::Base64(
                crate::browser::base64_blob(b, |_| {}).await.ok_or(ApiError::InvalidInput("The browser could not prepare the input.".into()))?,
            ),
            Err(why) => return Err(ApiError::InvalidInput(why)),
        };
        let submitted = (js_sys::Date::now() / 1000.0) as i64;
        submit_job(&session, &service, &token, &body).await?;
        self.phase.set(Some(AsyncPhase::Waiting));
        self.watch(&session, &service, None, None, submitted, None).await
    }

    /// Follows the job and the output bucket until the run's outputs are there.
    async fn watch(
        &self,
        session: &Session,
        service: &str,
        client: Option<Rc<StorageClient>>,
        output: Option<(String, String)>,
        since: i64,
        marker: Option<RunMarker>,
    ) -> Result<(), ApiError> {
        self.output_path.set_value(output.clone());
        let mut backoff = Backoff::new();
        let mut succeeded_seen = 0;
        let mut last_found: Vec<String> = Vec::new();
        let mut wait_from = js_sys::Date::now();
        loop {
            if self.stopped() {
                return Err(ApiError::Cancelled);
            }
            let mut found = Vec::new();
            if let (Some(c), Some((bucket, prefix)), Some(m)) = (&client, &output, &marker) {
                found = c.list(bucket, prefix).await?.into_iter().filter(|o| output_belongs_to_run(o, prefix, m, 2)).collect();
            }
            let job = match job_list(session, service, None).await {
                Ok(page) => job_started_after(&page.jobs, service, since, SLACK_SECS).cloned(),
                Err(e) if e.needs_login() => return Err(e),
                Err(_) => None,
            };
            let _ = self.job.try_set(job.clone());
            let status = job.as_ref().map(|j| j.status);
            match status {
                Some(JobStatus::Failed) => {
                    let name = job.map(|j| j.name).unwrap_or_default();
                    self.fetch_logs(session, service, &name).await;
                    store::clear_pending(service);
                    return Err(ApiError::JobFailed { job: name });
                }
                Some(JobStatus::Succeeded) if !found.is_empty() || output.is_none() => {
                    let name = job.map(|j| j.name).unwrap_or_default();
                    self.fetch_logs(session, service, &name).await;
                    return self.deliver(service, found).await;
                }
                // Succeeded, but no output yet: list once more, then say so.
                Some(JobStatus::Succeeded) => {
                    succeeded_seen += 1;
                    if succeeded_seen >= 2 {
                        let name = job.map(|j| j.name).unwrap_or_default();
                        self.fetch_logs(session, service, &name).await;
                        store::clear_pending(service);
                        let path = output.map(|(b, p)| format!("{b}/{p}")).unwrap_or_default();
                        return Err(ApiError::NoOutput { job: name, path });
                    }
                }
                // No visible job (e.g. no permission on the job list): outputs
                // that stay the same for two looks are the result.
                None if !found.is_empty() => {
                    let keys: Vec<String> = found.iter().map(|o| o.key.clone()).collect();
                    if keys == last_found {
                        return self.deliver(service, found).await;
                    }
                    last_found = keys;
                }
                _ => {}
            }
            if (js_sys::Date::now() - wait_from) / 1000.0 > LONG_WAIT_SECS {
                let _ = self.long_wait.try_set(true);
                while self.long_wait.try_get_untracked().unwrap_or(false) && !self.stopped() {
                    crate::browser::sleep_ms(250).await;
                }
                wait_from = js_sys::Date::now();
                backoff.reset();
            }
            crate::browser::sleep_ms(backoff.next_delay_ms()).await;
        }
    }

    async fn fetch_logs(&self, session: &Session, service: &str, job: &str) {
        if job.is_empty() {
            return;
        }
        if let Ok(text) = job_logs(session, service, job).await {
            let _ = self.logs.try_set(Some(text));
        }
    }

    /// Lists the run's outputs and opens the first.
    async fn deliver(&self, service: &str, mut found: Vec<ObjectInfo>) -> Result<(), ApiError> {
        store::clear_pending(service);
        found.sort_by(|a, b| a.key.cmp(&b.key));
        let first = found.first().map(|o| o.key.clone());
        let _ = self.outputs.try_set(found);
        match first {
            Some(key) => self.open(key).await,
            None => Ok(()),
        }
    }

    /// Downloads one output and shows it.
    async fn open(&self, key: String) -> Result<(), ApiError> {
        let Some(client) = self.client.try_get_value().flatten() else { return Ok(()) };
        let Some((bucket, _)) = self.output_path.try_get_value().flatten() else { return Ok(()) };
        let phase = self.phase;
        phase.set(Some(AsyncPhase::Downloading { got: 0.0, total: 0.0 }));
        let bytes = client.get(&bucket, &key, move |got, total| phase.set(Some(AsyncPhase::Downloading { got, total }))).await?;
        let name = key.rsplit('/').next().unwrap_or(&key).to_string();
        let _ = self.shown.try_set(Some(Shown { name, bytes: Arc::from(bytes) }));
        let _ = self.phase.try_set(None);
        Ok(())
    }
}

/// Updates `now` while a run is in flight, for the elapsed time.
struct Ticker(Option<IntervalHandle>);

impl Ticker {
    fn start(now: RwSignal<f64>) -> Self {
        Self(set_interval_with_handle(move || { let _ = now.try_set(js_sys::Date::now()); }, std::time::Duration::from_millis(250)).ok())
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        if let Some(t) = self.0.take() {
            t.clear();
        }
    }
}

fn job_line(job: &Job, now_secs: f64) -> String {
    let from = job.start_unix.or(job.creation_unix);
    let to = job.finish_unix.map(|t| t as f64).unwrap_or(now_secs);
    let elapsed = from.map(|f| format!(" · {:.0} s", (to - f as f64).max(0.0))).unwrap_or_default();
    format!("Job {} · {}{elapsed}", job.name, job.status.label())
}

/// The output side of an async run.
#[component]
pub fn AsyncOutput(
    /// The run's state.
    run: AsyncRun,
    /// The service, for Stop.
    #[prop(into)]
    service: String,
    /// What the interface spec says about the output, if anything.
    #[prop(default = None)]
    hint: Option<crate::interface::spec::OutputSpec>,
) -> impl IntoView {
    let service = StoredValue::new(service);
    let elapsed = move || format!("{:.1} s", (run.now.get() - run.started.get()).max(0.0) / 1000.0);
    view! {
        {move || run.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        {move || run.phase.get().map(|p| view! {
            <div class="run-status" role="status">
                <span class="run-status__what">{match p {
                    AsyncPhase::Uploading { sent, total } => format!("Uploading {} of {}…", human_size(sent as u64), human_size(total as u64)),
                    AsyncPhase::Waiting => "Waiting for the job and its output…".to_string(),
                    AsyncPhase::Downloading { got, .. } => format!("Downloading the output ({})…", human_size(got as u64)),
                }}</span>
                <span class="run-status__elapsed">{elapsed}</span>
                {match p {
                    AsyncPhase::Uploading { sent, total } => view! { <progress class="run-status__bar" max=total value=sent aria-label="Upload"></progress> }.into_any(),
                    AsyncPhase::Downloading { got, total } if total > 0.0 => view! { <progress class="run-status__bar" max=total value=got aria-label="Download"></progress> }.into_any(),
                    _ => view! { <progress class="run-status__bar" aria-label="Waiting"></progress> }.into_any(),
                }}
            </div>
        })}
        {move || run.job.get().map(|j| view! {
            <p class="job-line" role="status">
                <span class="badge" class:badge--sync=j.status == JobStatus::Succeeded class:badge--danger=j.status == JobStatus::Failed>{j.status.label()}</span>
                " "{job_line(&j, run.now.get() / 1000.0)}
            </p>
        })}
        <Show when=move || run.long_wait.get() && run.running()>
            <div class="notice" role="alert">
                <p>"This is taking a while. The job may be queued or slow; nothing is lost if you keep waiting."</p>
                <div class="button-row">
                    <button type="button" class="button button--secondary" on:click=move |_| run.long_wait.set(false)>"Keep waiting"</button>
                    <button type="button" class="button button--ghost" on:click=move |_| service.with_value(|s| run.stop(s))>"Stop"</button>
                </div>
            </div>
        </Show>
        {move || run.error.get().map(|e| view! { <ApiErrorAlert error=e/> })}
        {move || {
            let outputs = run.outputs.get();
            (outputs.len() > 1).then(|| view! {
                <ul class="output-files" aria-label="Outputs of this run">
                    {outputs.into_iter().map(|o| {
                        let key = o.key.clone();
                        let name = o.key.rsplit('/').next().unwrap_or(&o.key).to_string();
                        view! {
                            <li><button type="button" class="button button--ghost"
                                on:click=move |_| { let key = key.clone(); spawn_local(async move { if let Err(e) = run.open(key).await { run.error.set(Some(e)); } }); }>
                                {format!("{name} ({})", human_size(o.size))}
                            </button></li>
                        }
                    }).collect_view()}
                </ul>
            })
        }}
        {move || run.shown.get().map(|s| view! { <OutputBody shown=s id="async-output" hint=hint.clone()/> })}
        {move || run.logs.get().map(|l| {
            let lines = l.lines().count();
            view! {
                <details class="logs" open=run.error.with(Option::is_some)>
                    <summary>{format!("Logs ({lines} lines)")}</summary>
                    <pre class="logs__text">{l}</pre>
                </details>
            }
        })}
    }
}
