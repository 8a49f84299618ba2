//! A workflow run: upload one input to the first stage's input bucket,
//! then follow every stage the run reaches, poll by poll, until all of them
//! are over. What belongs to the run is worked out by the core
//! (`oscar::workflow`) from listings and job lists, so a reload picks up
//! where it was from sessionStorage (no secrets in it).

use super::{build, upload_blob, Request, Ticket};
use crate::interface::{AsyncPlan, Shown};
use crate::net::storage::{job_list, job_logs, StorageClient};
use crate::oscar::jobs::JobStatus;
use crate::oscar::storage::{input_key, unique_id, Backoff, RunMarker};
use crate::oscar::workflow::{run_over, run_objects, stage_jobs, PendingWorkflow, Seen, StageState, Workflow};
use crate::oscar::ApiError;
use crate::session::{store, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Outputs bigger than this are listed, not fetched on their own.
pub const SHOW_CAP: u64 = 8 * 1024 * 1024;
/// The most outputs of one stage fetched on their own.
pub const SHOW_MAX: usize = 12;

/// Where a workflow run is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Flow {
    Idle,
    /// Sending the input to the first stage.
    Uploading { sent: f64, total: f64 },
    /// Following the stages.
    Following,
    /// Every stage is over.
    Over,
    /// Stopped by an error (the stages seen so far stay).
    Failed,
    /// The user stopped following (the jobs go on).
    Stopped,
}

impl Flow {
    pub fn is_active(self) -> bool {
        matches!(self, Self::Uploading { .. } | Self::Following)
    }
}

/// One workflow run, observed through its signals.
#[derive(Clone, Copy)]
pub struct WorkflowRun {
    pub flow: RwSignal<Flow>,
    pub error: RwSignal<Option<ApiError>>,
    /// A note (resumed; the connection dropped and polling goes on).
    pub notice: RwSignal<Option<String>>,
    /// What the last poll saw, per stage.
    pub seen: RwSignal<Vec<Seen>>,
    pub states: RwSignal<Vec<StageState>>,
    /// Logs by job name, as fetched (failed jobs on their own; others on request).
    pub logs: RwSignal<BTreeMap<String, Result<String, String>>>,
    /// Fetched outputs by key.
    pub shown: RwSignal<BTreeMap<String, Result<Shown, String>>>,
    /// The input's name, for the page.
    pub file_name: RwSignal<String>,
    workflow: StoredValue<Option<Arc<Workflow>>>,
    entry: StoredValue<usize>,
    stop: StoredValue<Arc<AtomicBool>>,
    client: StoredValue<Option<Rc<StorageClient>>, LocalStorage>,
    session: StoredValue<Option<Session>>,
}

impl WorkflowRun {
    /// A run owned by the current reactive owner: leaving the page stops following.
    pub fn new(workflow: Arc<Workflow>, entry: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        on_cleanup(move || flag.store(true, Ordering::SeqCst));
        let n = workflow.stages.len();
        Self {
            flow: RwSignal::new(Flow::Idle),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            seen: RwSignal::new(vec![Seen::default(); n]),
            states: RwSignal::new(vec![StageState::NotReached; n]),
            logs: RwSignal::new(BTreeMap::new()),
            shown: RwSignal::new(BTreeMap::new()),
            file_name: RwSignal::new(String::new()),
            workflow: StoredValue::new(Some(workflow)),
            entry: StoredValue::new(entry),
            stop: StoredValue::new(stop),
            client: StoredValue::new_local(None),
            session: StoredValue::new(None),
        }
    }

    pub fn running(&self) -> bool {
        self.flow.with(|f| f.is_active())
    }

    fn workflow(&self) -> Option<Arc<Workflow>> {
        self.workflow.try_get_value().flatten()
    }

    fn entry_name(&self) -> String {
        let entry = self.entry.get_value();
        self.workflow().and_then(|w| w.stages.get(entry).map(|s| s.name.clone())).unwrap_or_default()
    }

    /// Clears the page for a new run; an earlier loop is told to stop.
    fn reset(&self, session: &Session, plan: AsyncPlan) -> Ticket {
        self.stop.with_value(|old| old.store(true, Ordering::SeqCst));
        let ticket = Ticket(Arc::new(AtomicBool::new(false)));
        self.stop.set_value(ticket.0.clone());
        let n = self.workflow().map_or(0, |w| w.stages.len());
        self.error.set(None);
        self.notice.set(None);
        self.seen.set(vec![Seen::default(); n]);
        self.states.set(vec![StageState::NotReached; n]);
        self.logs.set(BTreeMap::new());
        self.shown.set(BTreeMap::new());
        self.session.set_value(Some(session.clone()));
        self.client.set_value(Some(Rc::new(StorageClient::new(session.clone(), plan))));
        ticket
    }

    /// Uploads the form's input to the first stage and follows the run.
    pub fn start(&self, session: Session, plan: AsyncPlan, request: Request) {
        if self.running() {
            return;
        }
        let ticket = self.reset(&session, plan.clone());
        self.flow.set(Flow::Uploading { sent: 0.0, total: 0.0 });
        let run = *self;
        spawn_local(async move {
            let result = match run.upload(&plan, &request).await {
                Ok(pending) => {
                    store::save_pending_workflow(&pending);
                    run.follow(&session, pending.marker, &ticket).await
                }
                Err(e) => Err(e),
            };
            run.finish(&ticket, result);
        });
    }

    /// Reattaches to a run a reload interrupted.
    pub fn resume(&self, session: Session, plan: AsyncPlan, pending: PendingWorkflow) {
        let ticket = self.reset(&session, plan);
        self.file_name.set(pending.file_name.clone());
        self.notice.set(Some(format!("Resumed following the run of {}.", pending.file_name)));
        self.flow.set(Flow::Following);
        let run = *self;
        spawn_local(async move {
            let result = run.follow(&session, pending.marker, &ticket).await;
            run.finish(&ticket, result);
        });
    }

    /// Stops following (the cluster's jobs go on).
    pub fn stop(&self) {
        self.stop.with_value(|s| s.store(true, Ordering::SeqCst));
        store::clear_pending_workflow(&self.entry_name());
        if self.running() {
            self.notice.set(Some("Stopped following. The jobs may still run: their outputs land in the buckets shown above.".into()));
            self.flow.set(Flow::Stopped);
        }
    }

    fn finish(&self, ticket: &Ticket, result: Result<(), ApiError>) {
        if ticket.stopped() {
            return;
        }
        match result {
            Ok(()) => {
                store::clear_pending_workflow(&self.entry_name());
                let _ = self.flow.try_set(Flow::Over);
            }
            Err(e) => {
                // A run the page cannot follow now (e.g. the session ended)
                // stays pending: a reload after logging in reattaches.
                if !e.needs_login() {
                    store::clear_pending_workflow(&self.entry_name());
                }
                let _ = self.error.try_set(Some(e));
                let _ = self.flow.try_set(Flow::Failed);
            }
        }
    }

    async fn upload(&self, plan: &AsyncPlan, request: &Request) -> Result<PendingWorkflow, ApiError> {
        let client = self.client.try_get_value().flatten().ok_or(ApiError::Cancelled)?;
        let payload = build(request).await.map_err(ApiError::InvalidInput)?;
        let (name, mime) = payload.upload_name();
        let _ = self.file_name.try_set(name.clone());
        let blob = upload_blob(&payload, &mime)?;
        let id = unique_id((js_sys::Math::random() * 9.0e15) as u64);
        let key = input_key(&plan.input_prefix, &id, &name);
        let target = client.upload_target(&key, &mime).await?;
        let flow = self.flow;
        let uploaded = client
            .put(&target, &blob, move |sent, total| {
                let _ = flow.try_set(Flow::Uploading { sent, total });
            }, &|_| {})
            .await?;
        let _ = self.flow.try_set(Flow::Following);
        Ok(PendingWorkflow { entry: self.entry_name(), input_key: key, marker: RunMarker::new(&id, &name, uploaded), file_name: name })
    }

    /// Polls the stages the run has reached and not finished: one job list
    /// and one listing per output path each, with backoff, until all are over.
    async fn follow(&self, session: &Session, marker: RunMarker, ticket: &Ticket) -> Result<(), ApiError> {
        let workflow = self.workflow().ok_or(ApiError::Cancelled)?;
        let client = self.client.try_get_value().flatten().ok_or(ApiError::Cancelled)?;
        let entry = self.entry.get_value();
        let n = workflow.stages.len();
        let mut seen = vec![Seen::default(); n];
        let mut backoff = Backoff::new();
        let mut asked_logs: BTreeSet<String> = BTreeSet::new();
        let mut troubled = false;
        loop {
            if ticket.stopped() {
                return Err(ApiError::Cancelled);
            }
            let mut changed = false;
            let mut trouble = None;
            for s in 0..n {
                // States again for each stage: one reached in this round is polled in it.
                if workflow.states(entry, &seen)[s] != StageState::Running {
                    continue;
                }
                let inputs = workflow.inputs_of(s, entry, &seen);
                let (since, expected) = if s == entry {
                    (marker.uploaded_unix, 1)
                } else {
                    (inputs.iter().filter_map(|(_, o)| o.last_modified_unix).min().unwrap_or(marker.uploaded_unix), inputs.len())
                };
                let stage = &workflow.stages[s];
                match self.look(session, &client, stage, &marker, since, expected).await {
                    Ok(now) => {
                        if now != seen[s] {
                            changed = true;
                            seen[s] = now;
                        }
                    }
                    Err(e) if e.needs_login() => return Err(e),
                    Err(e) => trouble = Some(e),
                }
                if ticket.stopped() {
                    return Err(ApiError::Cancelled);
                }
            }
            let states = workflow.states(entry, &seen);
            let _ = self.seen.try_set(seen.clone());
            let _ = self.states.try_set(states.clone());
            // A dropped connection is said while it lasts, and only then.
            match trouble {
                Some(e) => {
                    let _ = self.notice.try_set(Some(format!("{e} Trying again…")));
                    troubled = true;
                }
                None if troubled => {
                    let _ = self.notice.try_set(None);
                    troubled = false;
                }
                None => {}
            }
            self.fetch_new(&client, &seen).await;
            self.fetch_failed_logs(session, &workflow, &seen, &mut asked_logs).await;
            if run_over(&states) {
                return Ok(());
            }
            if changed {
                backoff.reset();
            }
            crate::browser::sleep_ms(backoff.next_delay_ms()).await;
        }
    }

    /// One look at a stage: its jobs first, then its outputs, so that a
    /// listing taken after the last job finished holds all it wrote.
    async fn look(&self, session: &Session, client: &StorageClient, stage: &crate::oscar::workflow::Stage, marker: &RunMarker, since: i64, expected: usize) -> Result<Seen, ApiError> {
        let page = job_list(session, &stage.name, None).await?;
        let jobs = stage_jobs(&page.jobs, &stage.name, since, expected);
        let mut outputs = Vec::new();
        for place in stage.followed_outputs() {
            let listing = client.list(&place.bucket, &place.prefix).await?;
            outputs.push((place.clone(), run_objects(&listing, place, marker, since)));
        }
        Ok(Seen { jobs, outputs })
    }

    /// Fetches the outputs that arrived, up to [`SHOW_MAX`] a stage and [`SHOW_CAP`] each.
    async fn fetch_new(&self, client: &StorageClient, seen: &[Seen]) {
        for stage_seen in seen {
            let mut count = 0;
            for (place, objects) in &stage_seen.outputs {
                for o in objects {
                    count += 1;
                    let known = self.shown.try_with_untracked(|m| m.contains_key(&o.key)).unwrap_or(true);
                    if known || count > SHOW_MAX || o.size > SHOW_CAP {
                        continue;
                    }
                    let got = client.get(&place.bucket, &o.key, |_, _| {}).await;
                    let name = o.key.rsplit('/').next().unwrap_or(&o.key).to_string();
                    let entry = got.map(|bytes| Shown { name, bytes: Arc::from(bytes) }).map_err(|e| e.to_string());
                    let _ = self.shown.try_update(|m| m.insert(o.key.clone(), entry));
                }
            }
        }
    }

    /// Fetches an output that was not fetched on its own (too big, or past the first few).
    pub fn show(&self, bucket: String, key: String) {
        let Some(client) = self.client.try_get_value().flatten() else { return };
        let shown = self.shown;
        spawn_local(async move {
            let got = client.get(&bucket, &key, |_, _| {}).await;
            let name = key.rsplit('/').next().unwrap_or(&key).to_string();
            let entry = got.map(|bytes| Shown { name, bytes: Arc::from(bytes) }).map_err(|e| e.to_string());
            let _ = shown.try_update(|m| m.insert(key, entry));
        });
    }

    /// The logs of every failed job, once each: a failed stage shows them in place.
    async fn fetch_failed_logs(&self, session: &Session, workflow: &Workflow, seen: &[Seen], asked: &mut BTreeSet<String>) {
        for (s, stage_seen) in seen.iter().enumerate() {
            for job in stage_seen.jobs.iter().filter(|j| j.status == JobStatus::Failed) {
                if asked.insert(job.name.clone()) {
                    let got = job_logs(session, &workflow.stages[s].name, &job.name).await.map_err(|e| e.to_string());
                    let _ = self.logs.try_update(|m| m.insert(job.name.clone(), got));
                }
            }
        }
    }

    /// Fetches one job's logs, on request.
    pub fn load_logs(&self, service: String, job: String) {
        let Some(session) = self.session.try_get_value().flatten() else { return };
        let logs = self.logs;
        spawn_local(async move {
            let got = job_logs(&session, &service, &job).await.map_err(|e| e.to_string());
            let _ = logs.try_update(|m| m.insert(job, got));
        });
    }
}
