//! The runner: one model of a run of a service, whichever way it goes:
//! `POST /run` (sync), an upload to the input bucket, or `POST /job`
//! (async). Its phases are data in signals; it calls the core (payload,
//! decoding, run rules) and the doors (`net`, `browser`, `session`) and
//! draws nothing. A page makes one `Run` per output panel; a batch or a
//! history can make many and watch their signals from outside.

mod asynchronous;
pub mod batch;
pub mod prepared;
pub mod workflow;
mod sync;

use crate::interface::payload::{self, Payload, Values};
use crate::interface::spec::Spec;
use crate::interface::{AsyncPlan, Shown};
use crate::net::storage::StorageClient;
use crate::net::xhr::XhrHandle;
use crate::net::RunBody;
use crate::oscar::jobs::Job;
use crate::oscar::s3::ObjectInfo;
use crate::oscar::storage::PendingRun;
use crate::oscar::ApiError;
use crate::session::{store, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How a run goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// `POST /run`, waiting for the answer.
    Sync,
    /// Through the input bucket (or `POST /job` when there is none), following the job.
    Async,
}

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase {
    /// Not started.
    Idle,
    /// Reading files a JSON body embeds, building the body.
    Preparing,
    /// Base64-encoding the input; the share done.
    Encoding { done: f64 },
    /// Sending the input.
    Uploading { sent: f64, total: f64 },
    /// Waiting for the service (sync) or the job and its output (async).
    Waiting,
    /// Fetching an output from the output bucket.
    Downloading { got: f64, total: f64 },
    /// Finished with an outcome.
    Done,
    /// Finished with an error.
    Failed,
    /// Stopped by the user.
    Stopped,
}

impl Phase {
    /// Its name, for timing marks.
    pub fn name(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Preparing => "preparing",
            Self::Encoding { .. } => "encoding",
            Self::Uploading { .. } => "uploading",
            Self::Waiting => "waiting",
            Self::Downloading { .. } => "downloading",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Stopped => "stopped",
        }
    }

    /// Still in flight.
    pub fn is_active(self) -> bool {
        !matches!(self, Self::Idle | Self::Done | Self::Failed | Self::Stopped)
    }
}

/// What a finished run gives.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The output to show (none when a job wrote nothing to show).
    pub shown: Option<Shown>,
    pub seconds: f64,
    /// What was sent, in one line.
    pub input_summary: String,
    /// A `/run` answer that held an output file in base64 (not the script's text).
    pub base64: bool,
}

/// What to run: the interface and the form's values at the click.
#[derive(Clone, Debug)]
pub struct Request {
    pub spec: Spec,
    pub values: Values,
}

/// Where to run it.
#[derive(Clone)]
pub struct Target {
    pub session: Session,
    pub service: String,
    pub how: How,
    /// The bucket route of an async run (`None`: `POST /job`).
    pub plan: Option<AsyncPlan>,
}

/// One run's state, observed through its signals.
#[derive(Clone, Copy)]
pub struct Run {
    pub phase: RwSignal<Phase>,
    pub how: RwSignal<How>,
    /// `Date.now()` at the start, and now (ticking while active).
    pub started: RwSignal<f64>,
    pub now: RwSignal<f64>,
    pub error: RwSignal<Option<ApiError>>,
    pub outcome: RwSignal<Option<Arc<Outcome>>>,
    /// Log lines: the supervisor's lines of a `/run` body, or the job's logs.
    pub logs: RwSignal<Vec<String>>,
    /// The job of an async run, as last seen.
    pub job: RwSignal<Option<Job>>,
    /// The outputs an async run found, when there are several.
    pub outputs: RwSignal<Vec<ObjectInfo>>,
    /// A note about the run (resumed, stopped waiting).
    pub notice: RwSignal<Option<String>>,
    /// Waiting for long: ask whether to go on.
    pub long_wait: RwSignal<bool>,
    stop: StoredValue<Arc<AtomicBool>>,
    cancel: StoredValue<Option<XhrHandle>, LocalStorage>,
    client: StoredValue<Option<Rc<StorageClient>>, LocalStorage>,
    output_bucket: StoredValue<Option<String>>,
    /// Jobs earlier runs matched: a later run does not take them (§8).
    claimed: StoredValue<Vec<String>>,
    /// The service token: in memory only, for as long as the run's owner.
    token: StoredValue<String>,
}

impl Run {
    /// A fresh run, owned by the current reactive owner: when it goes (the
    /// page is left), any wait loop ends and requests are aborted.
    pub fn new(token: String) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        on_cleanup(move || flag.store(true, Ordering::SeqCst));
        Self {
            phase: RwSignal::new(Phase::Idle),
            how: RwSignal::new(How::Sync),
            started: RwSignal::new(0.0),
            now: RwSignal::new(0.0),
            error: RwSignal::new(None),
            outcome: RwSignal::new(None),
            logs: RwSignal::new(Vec::new()),
            job: RwSignal::new(None),
            outputs: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            long_wait: RwSignal::new(false),
            stop: StoredValue::new(stop),
            cancel: StoredValue::new_local(None),
            client: StoredValue::new_local(None),
            output_bucket: StoredValue::new(None),
            claimed: StoredValue::new(Vec::new()),
            token: StoredValue::new(token),
        }
    }

    /// In flight.
    pub fn running(&self) -> bool {
        self.phase.with(|p| p.is_active())
    }

    /// Whether there is anything to show (an outcome, an error, a job, a notice).
    pub fn has_content(&self) -> bool {
        self.outcome.with(Option::is_some)
            || !self.logs.with(Vec::is_empty)
            || self.error.with(Option::is_some)
            || self.job.with(Option::is_some)
            || self.notice.with(Option::is_some)
    }

    /// Seconds since the start.
    pub fn elapsed(&self) -> f64 {
        (self.now.get() - self.started.get()).max(0.0) / 1000.0
    }

    /// The service token (empty once the page is gone).
    fn token(&self) -> String {
        self.token.try_get_value().unwrap_or_default()
    }

    /// Whether `ticket` is the run in force (not one that was stopped and
    /// replaced while its task was still inside an await).
    fn is_current(&self, ticket: &Ticket) -> bool {
        self.stop.try_with_value(|s| Arc::ptr_eq(s, &ticket.0)).unwrap_or(false)
    }

    /// Moves to `phase`. Entering a new phase also leaves a User Timing
    /// mark (`visor:encoding`, …), so a profile or a benchmark can see
    /// where a run's time goes.
    fn set_phase(&self, phase: Phase) {
        enter(self.phase, phase);
    }

    /// Clears the state for a new run and returns its ticket; any earlier
    /// run still in an await is told to stop, and writes nothing more.
    fn reset(&self, how: How) -> Ticket {
        self.stop.with_value(|old| old.store(true, Ordering::SeqCst));
        let ticket = Ticket(Arc::new(AtomicBool::new(false)));
        self.stop.set_value(ticket.0.clone());
        self.how.set(how);
        self.error.set(None);
        self.outcome.set(None);
        self.logs.set(Vec::new());
        self.job.set(None);
        self.outputs.set(Vec::new());
        self.notice.set(None);
        self.long_wait.set(false);
        self.started.set(js_sys::Date::now());
        self.now.set(js_sys::Date::now());
        ticket
    }

    /// Starts a run of `request` at `target` (nothing happens while one is in flight).
    pub fn start(&self, target: Target, request: Request) {
        if self.running() {
            return;
        }
        let summary = payload::preview(&request.spec, &request.values);
        let ticket = self.reset(target.how);
        self.set_phase(Phase::Preparing);
        let run = *self;
        spawn_local(async move {
            let ticker = Ticker::start(run.now);
            let result = match build(&request).await {
                Err(why) => Err(ApiError::InvalidInput(why)),
                Ok(payload) => match target.how {
                    How::Sync => run.run_sync(&target, payload, summary, &ticket).await,
                    How::Async => run.run_async(target, payload, summary, &ticket).await,
                },
            };
            drop(ticker);
            run.finish(&ticket, result);
        });
    }

    /// Reattaches to an async run that was pending before a reload.
    pub fn resume(&self, session: Session, plan: AsyncPlan, pending: PendingRun) {
        let ticket = self.reset(How::Async);
        self.notice.set(Some(format!("Resumed waiting for the run of {}.", pending.file_name)));
        self.set_phase(Phase::Waiting);
        let run = *self;
        spawn_local(async move {
            let ticker = Ticker::start(run.now);
            let result = run.reattach(session, plan, pending, &ticket).await;
            drop(ticker);
            run.finish(&ticket, result);
        });
    }

    /// Cancels an upload or a sync request, or stops waiting for a job
    /// (which may go on on the cluster).
    pub fn cancel(&self, service: &str) {
        self.stop.with_value(|s| s.store(true, Ordering::SeqCst));
        self.cancel.with_value(|h| if let Some(h) = h { h.abort() });
        // A sync request ends through its aborted XHR, with a "Cancelled" alert.
        if self.how.get_untracked() == How::Async {
            store::clear_pending(service);
            if self.running() {
                self.notice.set(Some(
                    "Stopped waiting. The job may still run: its output will appear in the output bucket and on the Jobs page."
                        .into(),
                ));
                self.set_phase(Phase::Stopped);
            }
        }
    }

    /// The user chose to keep waiting after the long-wait prompt.
    pub fn keep_waiting(&self) {
        self.long_wait.set(false);
    }

    fn finish(&self, ticket: &Ticket, result: Result<Outcome, ApiError>) {
        if !self.is_current(ticket) {
            return;
        }
        let _ = self.cancel.try_update_value(|c| *c = None);
        match result {
            Ok(outcome) => {
                let _ = self.outcome.try_set(Some(Arc::new(outcome)));
                self.set_phase(Phase::Done);
            }
            // Stopping an async wait is said in a notice; a cancelled request in an alert.
            Err(ApiError::Cancelled) if ticket.stopped() && self.how.try_get_untracked() == Some(How::Async) => {
                self.set_phase(Phase::Stopped)
            }
            Err(ApiError::Cancelled) => {
                let _ = self.error.try_set(Some(ApiError::Cancelled));
                self.set_phase(Phase::Stopped);
            }
            Err(e) => {
                let _ = self.error.try_set(Some(e));
                self.set_phase(Phase::Failed);
            }
        }
    }

    fn seconds(&self) -> f64 {
        (js_sys::Date::now() - self.started.try_get_untracked().unwrap_or(0.0)) / 1000.0
    }

    /// The body of `/run` or `/job`, with the encoding's progress in the phase.
    async fn encode(&self, payload: Payload) -> Result<RunBody, ApiError> {
        let phase = self.phase;
        encode_body(payload, move |done| enter(phase, Phase::Encoding { done })).await
    }
}

/// The body of `/run` or `/job`: JSON as is, anything else base64-encoded
/// by the browser from a blob (`progress` gets the share done).
pub(crate) async fn encode_body(payload: Payload, progress: impl Fn(f64)) -> Result<RunBody, ApiError> {
    let encoded = match payload {
        // JSON goes as it is: nothing to encode.
        Payload::Json(text) => return Ok(RunBody::Json(text)),
        Payload::Bytes { bytes, mime, .. } => {
            progress(0.0);
            let blob = crate::browser::blob(&bytes, mime).ok_or_else(|| ApiError::InvalidInput(OUT_OF_MEMORY.into()))?;
            crate::browser::base64_of_blob(&blob, progress).await
        }
        Payload::File(f) => {
            progress(0.0);
            prepared::body(&f, progress).await
        }
    };
    encoded.map(RunBody::Base64).map_err(ApiError::InvalidInput)
}

/// What an async run uploads: the bytes as they are (a picked file goes as it is).
pub(crate) fn upload_blob(payload: &Payload, mime: &str) -> Result<web_sys::Blob, ApiError> {
    match payload {
        Payload::Json(text) => crate::browser::blob(text.as_bytes(), mime),
        Payload::Bytes { bytes, .. } => crate::browser::blob(bytes, mime),
        Payload::File(f) => Some(f.data.blob().clone()),
    }
    .ok_or_else(|| ApiError::InvalidInput(OUT_OF_MEMORY.into()))
}

/// Moves `signal` to `phase` (see [`Run::set_phase`]); does nothing once
/// the run's owner is gone.
fn enter(signal: RwSignal<Phase>, phase: Phase) {
    let Some(before) = signal.try_get_untracked() else { return };
    if std::mem::discriminant(&before) != std::mem::discriminant(&phase) {
        crate::browser::mark(&format!("visor:{}", phase.name()));
    }
    let _ = signal.try_set(phase);
}

const OUT_OF_MEMORY: &str = "The browser could not prepare the input (out of memory?). Try a smaller file.";

/// Reads what a JSON body must embed, then builds the payload.
async fn build(request: &Request) -> Result<Payload, String> {
    let mut read = BTreeMap::new();
    for (id, file) in payload::files_to_read(&request.spec, &request.values) {
        read.insert(id.to_string(), crate::browser::read_blob(file.data.blob()).await?);
    }
    payload::build(&request.spec, &request.values, &read)
}

/// One run's own stop flag: set by Cancel, or when another run replaces it.
pub(crate) struct Ticket(Arc<AtomicBool>);

impl Ticket {
    /// This run was stopped (or replaced).
    pub(crate) fn stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Updates `now` while a run is in flight, for the elapsed time.
struct Ticker(Option<IntervalHandle>);

impl Ticker {
    fn start(now: RwSignal<f64>) -> Self {
        let tick = move || {
            let _ = now.try_set(js_sys::Date::now());
        };
        Self(set_interval_with_handle(tick, std::time::Duration::from_millis(100)).ok())
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        if let Some(t) = self.0.take() {
            t.clear();
        }
    }
}
