//! Async runs (OSCAR-API.md §8): upload the input to the service's input
//! bucket (or `POST /job` when there is none), find the job that started
//! after it, wait for the outputs that belong to the run, and fetch the
//! first. OSCAR links none of these, so they are joined by name and time.
//! A pending run is kept in sessionStorage (no secrets) so that a reload
//! reattaches to it.

use super::{Outcome, Phase, Run, Target, Ticket};
use crate::interface::payload::Payload;
use crate::interface::{AsyncPlan, Shown};
use crate::net::storage::{job_list, job_logs, submit_job, StorageClient};
use crate::oscar::jobs::{job_of_run, Job, JobStatus};
use crate::oscar::s3::ObjectInfo;
use crate::oscar::storage::{input_key, output_belongs_to_run, unique_id, Backoff, PendingRun, RunMarker};
use crate::oscar::ApiError;
use crate::session::{store, Session};
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;

/// After this long, ask whether to keep waiting.
const LONG_WAIT_SECS: f64 = 120.0;
/// Clocks of the storage and the cluster may differ a little.
const SLACK_SECS: i64 = 10;
/// The most job-list pages read per poll.
const JOB_PAGES: usize = 5;

/// What the wait loop follows.
struct Watch<'a> {
    session: &'a Session,
    service: &'a str,
    client: Option<Rc<StorageClient>>,
    output: Option<(String, String)>,
    since: i64,
    marker: Option<RunMarker>,
    summary: String,
    ticket: &'a Ticket,
}

impl Run {
    pub(super) async fn run_async(&self, target: Target, payload: Payload, summary: String, ticket: &Ticket) -> Result<Outcome, ApiError> {
        let Target { session, service, plan, .. } = target;
        match plan {
            Some(plan) => self.upload_and_watch(session, service, plan, payload, summary, ticket).await,
            None => {
                let body = self.encode(payload).await?;
                let submitted = (js_sys::Date::now() / 1000.0) as i64;
                submit_job(&session, &service, &self.token(), &body).await?;
                self.set_phase(Phase::Waiting);
                let watch = Watch { session: &session, service: &service, client: None, output: None, since: submitted, marker: None, summary, ticket };
                self.watch(watch).await
            }
        }
    }

    async fn upload_and_watch(
        &self,
        session: Session,
        service: String,
        plan: AsyncPlan,
        payload: Payload,
        summary: String,
        ticket: &Ticket,
    ) -> Result<Outcome, ApiError> {
        let (name, mime) = payload.upload_name();
        let blob = super::upload_blob(&payload, &mime)?;
        let size = payload.size() as f64;
        self.set_phase(Phase::Uploading { sent: 0.0, total: size });
        let id = unique_id((js_sys::Math::random() * 9.0e15) as u64);
        let key = input_key(&plan.input_prefix, &id, &name);
        let output = plan.output.clone();
        let bucket = plan.input_bucket.clone();
        let client = Rc::new(StorageClient::new(session.clone(), plan));
        let _ = self.client.try_update_value(|c| *c = Some(client.clone()));
        let target = client.upload_target(&key, &mime).await?;
        let (phase, cancel) = (self.phase, self.cancel);
        let uploaded = client
            .put(&target, &blob, move |sent, total| super::enter(phase, Phase::Uploading { sent, total }), &|h| {
                { let _ = cancel.try_update_value(|c| *c = Some(h)); }
            })
            .await?;
        if ticket.stopped() {
            return Err(ApiError::Cancelled);
        }
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
        self.set_phase(Phase::Waiting);
        let watch = Watch { session: &session, service: &service, client: Some(client), output, since: uploaded, marker: Some(marker), summary, ticket };
        self.watch(watch).await
    }

    pub(super) async fn reattach(&self, session: Session, plan: AsyncPlan, pending: PendingRun, ticket: &Ticket) -> Result<Outcome, ApiError> {
        let client = Rc::new(StorageClient::new(session.clone(), plan));
        let _ = self.client.try_update_value(|c| *c = Some(client.clone()));
        let output = (!pending.output_bucket.is_empty()).then(|| (pending.output_bucket.clone(), pending.output_prefix.clone()));
        let watch = Watch {
            session: &session,
            service: &pending.service,
            client: Some(client),
            output,
            since: pending.marker.uploaded_unix,
            marker: Some(pending.marker.clone()),
            summary: pending.file_name.clone(),
            ticket,
        };
        self.watch(watch).await
    }

    /// Follows the job and the output bucket until the run's outputs are there.
    async fn watch(&self, w: Watch<'_>) -> Result<Outcome, ApiError> {
        let bucket = w.output.as_ref().map(|(b, _)| b.clone());
        let _ = self.output_bucket.try_update_value(|b| *b = bucket);
        let mut backoff = Backoff::new();
        let mut succeeded_seen = 0;
        let mut last_found: Vec<String> = Vec::new();
        let mut wait_from = js_sys::Date::now();
        let mut mine: Option<String> = None;
        loop {
            if w.ticket.stopped() {
                return Err(ApiError::Cancelled);
            }
            let mut found = Vec::new();
            if let (Some(c), Some((bucket, prefix)), Some(m)) = (&w.client, &w.output, &w.marker) {
                found = c.list(bucket, prefix).await?.into_iter().filter(|o| output_belongs_to_run(o, prefix, m, 2)).collect();
            }
            let job = match self.find_job(&w, mine.as_deref()).await {
                Err(e) if e.needs_login() => return Err(e),
                found => found.ok().flatten(),
            };
            // Stopped while listing: this run writes nothing more.
            if w.ticket.stopped() {
                return Err(ApiError::Cancelled);
            }
            let _ = self.job.try_set(job.clone());
            let name = job.as_ref().map(|j| j.name.clone()).unwrap_or_default();
            if mine.is_none() && !name.is_empty() {
                // This run's job from now on; later runs of the page skip it.
                mine = Some(name.clone());
                let _ = self.claimed.try_update_value(|c| c.push(name.clone()));
            }
            match job.map(|j| j.status) {
                Some(JobStatus::Failed) => {
                    self.fetch_logs(w.session, w.service, &name).await;
                    store::clear_pending(w.service);
                    return Err(ApiError::JobFailed { job: name });
                }
                Some(JobStatus::Succeeded) if !found.is_empty() || w.output.is_none() => {
                    self.fetch_logs(w.session, w.service, &name).await;
                    return self.deliver(w.service, found, w.summary).await;
                }
                // Succeeded, but no output yet: list once more, then say so.
                Some(JobStatus::Succeeded) => {
                    succeeded_seen += 1;
                    if succeeded_seen >= 2 {
                        self.fetch_logs(w.session, w.service, &name).await;
                        store::clear_pending(w.service);
                        let path = w.output.map(|(b, p)| format!("{b}/{p}")).unwrap_or_default();
                        return Err(ApiError::NoOutput { job: name, path });
                    }
                }
                // No visible job (e.g. no permission on the job list): outputs
                // that stay the same for two looks are the result.
                None if !found.is_empty() => {
                    let keys: Vec<String> = found.iter().map(|o| o.key.clone()).collect();
                    if keys == last_found {
                        return self.deliver(w.service, found, w.summary).await;
                    }
                    last_found = keys;
                }
                _ => {}
            }
            if (js_sys::Date::now() - wait_from) / 1000.0 > LONG_WAIT_SECS {
                let _ = self.long_wait.try_set(true);
                while self.long_wait.try_get_untracked().unwrap_or(false) && !w.ticket.stopped() {
                    crate::browser::sleep_ms(250).await;
                }
                wait_from = js_sys::Date::now();
                backoff.reset();
            }
            crate::browser::sleep_ms(backoff.next_delay_ms()).await;
        }
    }

    /// The run's job, reading the job list a page at a time (newest first)
    /// until it shows up or the pages get older than the run.
    async fn find_job(&self, w: &Watch<'_>, mine: Option<&str>) -> Result<Option<Job>, ApiError> {
        let claimed = self.claimed.try_get_value().unwrap_or_default();
        let mut token: Option<String> = None;
        for _ in 0..JOB_PAGES {
            let page = job_list(w.session, w.service, token.as_deref()).await?;
            if let Some(job) = job_of_run(&page.jobs, w.service, w.since, SLACK_SECS, mine, &claimed) {
                return Ok(Some(job.clone()));
            }
            // Newest first: a page that ends before the run holds nothing newer.
            let older = page.jobs.last().and_then(|j| j.creation_unix).is_some_and(|t| t < w.since - SLACK_SECS);
            match page.next_page {
                Some(next) if !older => token = Some(next),
                _ => break,
            }
        }
        Ok(None)
    }

    async fn fetch_logs(&self, session: &Session, service: &str, job: &str) {
        if job.is_empty() {
            return;
        }
        if let Ok(text) = job_logs(session, service, job).await {
            let _ = self.logs.try_set(text.lines().map(str::to_string).collect());
        }
    }

    /// Lists the run's outputs and opens the first.
    async fn deliver(&self, service: &str, mut found: Vec<ObjectInfo>, summary: String) -> Result<Outcome, ApiError> {
        store::clear_pending(service);
        found.sort_by(|a, b| a.key.cmp(&b.key));
        let first = found.first().map(|o| o.key.clone());
        let _ = self.outputs.try_set(found);
        let shown = match first {
            Some(key) => Some(self.download(&key).await?),
            None => None,
        };
        Ok(Outcome { shown, seconds: self.seconds(), input_summary: summary, base64: false })
    }

    async fn download(&self, key: &str) -> Result<Shown, ApiError> {
        let client = self.client.try_get_value().flatten().ok_or(ApiError::Cancelled)?;
        let bucket = self.output_bucket.try_get_value().flatten().ok_or(ApiError::Cancelled)?;
        let phase = self.phase;
        self.set_phase(Phase::Downloading { got: 0.0, total: 0.0 });
        let bytes = client
            .get(&bucket, key, move |got, total| super::enter(phase, Phase::Downloading { got, total }))
            .await?;
        let name = key.rsplit('/').next().unwrap_or(key).to_string();
        Ok(Shown { name, bytes: Arc::from(bytes) })
    }

    /// Opens another of the run's outputs in place of the one shown.
    pub async fn open(&self, key: String) {
        let before = self.phase.try_get_untracked().unwrap_or(Phase::Done);
        let result = self.download(&key).await;
        self.set_phase(before);
        match result {
            Ok(shown) => {
                let _ = self.outcome.try_update(|o| {
                    if let Some(o) = o {
                        *o = Arc::new(Outcome { shown: Some(shown), ..(**o).clone() });
                    }
                });
            }
            Err(e) => {
                let _ = self.error.try_set(Some(e));
            }
        }
    }
}
