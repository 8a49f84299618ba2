//! A batch: many inputs through one service, each an item with its own
//! status. Async batches upload every input under a batch prefix of the
//! input bucket (a few at a time) and let the cluster run a job per file;
//! one listing of the output prefix per poll finds every output, and job
//! pages say which failed. Sync batches keep up to "At once" `POST /run`
//! requests in flight, slowing down when the cluster says it is busy.
//! Inputs stay browser files until they are sent; outputs are kept as
//! summaries, with blobs in the browser, fetched again when a row opens.
//! The state (no secrets) is saved for a reload to reattach.

use super::{build, encode_body, upload_blob, Request, Ticker};
use crate::interface::batch::{self as core, ListPace, Pace, SavedBatch, SavedItem, Status, Summary, SummaryRow};
use crate::interface::payload::Values;
use crate::interface::spec::{FieldKind, Spec};
use crate::interface::{AsyncPlan, BlobRef, FileValue, InputValue, Shown};
use crate::net::storage::{job_list, job_logs, submit_job, StorageClient};
use crate::oscar::decode::decode_run_body;
use crate::oscar::jobs::JobStatus;
use crate::oscar::ApiError;
use crate::session::{store, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Clocks of the storage and the cluster may differ a little.
const SLACK_SECS: i64 = 10;
/// The most job-list pages read per look.
const JOB_PAGES: usize = 10;
/// Jobs are read every this many listings.
const JOBS_EVERY: u32 = 3;
/// Output summaries fetched per look while uploads are still going on: they
/// compete with the uploads for the storage's connections.
const SUMMARIES_WHILE_UPLOADING: usize = 4;
/// Output summaries fetched at once once the uploads are done.
const SUMMARIES_AT_ONCE: usize = 6;
/// The log text an item keeps (its tail).
const LOG_KEEP: usize = 16 * 1024;
/// Saved at most this often while the batch runs.
const SAVE_EVERY_MS: f64 = 1000.0;

/// What an item gives the spec's first input.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    File(FileValue),
    /// A line of "One input per line".
    Line(String),
    /// A row of "Inputs from a CSV": a value per input id.
    Row(std::collections::BTreeMap<String, InputValue>),
}

/// An item's state as it moves.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemState {
    pub status: Status,
    /// Share of the upload sent, 0..=1.
    pub sent: f64,
    pub started_ms: f64,
    pub seconds: Option<f64>,
    pub summary: Option<Summary>,
    pub error: Option<String>,
    /// The output's key in the output bucket (async).
    pub output_key: Option<String>,
    /// The job that ran it, once known.
    pub job: Option<String>,
    pub logs: Option<String>,
    /// An object URL of an image output, for the row's thumbnail.
    pub thumb: Option<String>,
    busy_tries: u32,
}

/// One input of the batch.
#[derive(Clone)]
pub struct Item {
    pub index: usize,
    pub name: String,
    pub size: u64,
    /// The line's text, for a line item.
    pub preview: Option<String>,
    /// An object URL of an image input, for its thumbnail.
    pub thumb: Option<String>,
    /// The input, while the browser has it (a reload loses it).
    pub source: StoredValue<Option<Source>>,
    pub state: RwSignal<ItemState>,
    /// The output kept in the browser (sync outputs, image outputs).
    pub output: StoredValue<Option<BlobRef>>,
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index && self.state == other.state
    }
}

impl Item {
    pub fn status(&self) -> Status {
        self.state.with(|s| s.status)
    }

    /// "Run all" sends it: queued or not sent, with its input here.
    pub fn can_start(&self) -> bool {
        matches!(self.status(), Status::Queued | Status::NotSent) && self.source.with_value(Option::is_some)
    }
}

/// How the batch runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// `POST /run` per input.
    Sync,
    /// Upload to the input bucket; a job per file.
    Bucket,
    /// `POST /job` per input (no input bucket).
    Job,
}

/// Where the batch runs.
#[derive(Clone)]
pub struct BatchTarget {
    pub session: Session,
    pub way: Way,
    pub plan: Option<AsyncPlan>,
    /// Sync requests in flight at most.
    pub at_once: u32,
}

/// A batch's state, observed through its signals.
#[derive(Clone, Copy)]
pub struct Batch {
    pub items: RwSignal<Vec<Item>>,
    pub running: RwSignal<bool>,
    /// Following outputs of an async batch (after the uploads, or after a reload).
    pub watching: RwSignal<bool>,
    pub notice: RwSignal<Option<String>>,
    pub started: RwSignal<f64>,
    pub now: RwSignal<f64>,
    pub way: RwSignal<Way>,
    id: StoredValue<String>,
    service: StoredValue<String>,
    token: StoredValue<String>,
    started_unix: StoredValue<i64>,
    /// "Cancel remaining": no new item starts.
    cancel: StoredValue<Arc<AtomicBool>>,
    /// The page is gone: every loop ends.
    gone: StoredValue<Arc<AtomicBool>>,
    owner: StoredValue<Owner>,
    client: StoredValue<Option<Rc<StorageClient>>, LocalStorage>,
    output: StoredValue<Option<(String, String)>>,
    seen_jobs: StoredValue<HashSet<String>>,
    /// `Date.now()` of the last save.
    saved_at: StoredValue<f64>,
}

impl Batch {
    /// The batch of `service`, with what a reload left of an earlier one.
    pub fn new(service: String, token: String) -> Self {
        let gone = Arc::new(AtomicBool::new(false));
        let flag = gone.clone();
        let batch = Self {
            items: RwSignal::new(Vec::new()),
            running: RwSignal::new(false),
            watching: RwSignal::new(false),
            notice: RwSignal::new(None),
            started: RwSignal::new(0.0),
            now: RwSignal::new(0.0),
            way: RwSignal::new(Way::Sync),
            id: StoredValue::new(String::new()),
            service: StoredValue::new(service.clone()),
            token: StoredValue::new(token),
            started_unix: StoredValue::new(0),
            cancel: StoredValue::new(Arc::new(AtomicBool::new(false))),
            gone: StoredValue::new(gone),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            client: StoredValue::new_local(None),
            output: StoredValue::new(None),
            seen_jobs: StoredValue::new(HashSet::new()),
            saved_at: StoredValue::new(0.0),
        };
        let items = batch.items;
        on_cleanup(move || {
            flag.store(true, Ordering::SeqCst);
            items.try_with_untracked(|v| v.iter().for_each(revoke_urls));
        });
        if let Some(saved) = store::load_batch(&service).as_deref().and_then(SavedBatch::parse) {
            batch.restore(saved.reloaded());
        }
        // A reload or a closed tab: keep the very latest state.
        let leaving = window_event_listener(leptos::ev::pagehide, move |_| batch.save(true));
        on_cleanup(move || leaving.remove());
        batch
    }

    fn restore(&self, saved: SavedBatch) {
        self.id.set_value(saved.id);
        self.started_unix.set_value(saved.started_unix);
        self.way.set(if saved.sync { Way::Sync } else { Way::Bucket });
        let items = saved
            .items
            .into_iter()
            .map(|s| {
                let state = ItemState { status: s.status, seconds: s.seconds, summary: s.summary, error: s.error, output_key: s.output, ..ItemState::default() };
                self.item(s.index, s.name, s.size, None, None, state)
            })
            .collect();
        self.items.set(items);
        let lost = self.items.with_untracked(|v| v.iter().filter(|i| i.status() == Status::NotSent).count());
        if lost > 0 {
            self.notice.set(Some(format!(
                "{lost} inputs were not sent before the page was reloaded: the browser forgets files on a reload. Add the same files again (a folder or a ZIP does too), then press “Run all” to send them."
            )));
        }
    }

    fn item(&self, index: usize, name: String, size: u64, preview: Option<String>, source: Option<Source>, state: ItemState) -> Item {
        self.owner.with_value(|o| {
            o.with(|| {
                let thumb = match &source {
                    Some(Source::File(f)) if f.mime.starts_with("image/") => object_url(f.data.blob()),
                    _ => None,
                };
                Item {
                    index,
                    name,
                    size,
                    preview,
                    thumb,
                    source: StoredValue::new(source),
                    state: RwSignal::new(state),
                    output: StoredValue::new(None),
                }
            })
        })
    }

    /// Whether any item is in flight.
    pub fn busy(&self) -> bool {
        self.running.get() || self.watching.get()
    }

    fn next_index(&self) -> usize {
        self.items.with_untracked(|v| v.iter().map(|i| i.index + 1).max().unwrap_or(0))
    }

    /// Adds files; a file named like an item a reload left unsent fills that
    /// item again. Says how many were left out past [`core::MAX_ITEMS`].
    pub fn add_files(&self, files: Vec<FileValue>) {
        let mut left_out = 0;
        let mut index = self.next_index();
        let mut added = Vec::new();
        // Items a reload left without their file, by name.
        let mut lost: std::collections::HashMap<String, VecDeque<Item>> = std::collections::HashMap::new();
        self.items.with_untracked(|v| {
            for i in v.iter().filter(|i| i.status() == Status::NotSent && i.source.with_value(Option::is_none)) {
                lost.entry(i.name.clone()).or_default().push_back(i.clone());
            }
        });
        let count = self.items.with_untracked(Vec::len);
        for file in files {
            if let Some(item) = lost.get_mut(&file.name).and_then(VecDeque::pop_front) {
                item.source.set_value(Some(Source::File(file)));
                item.state.set(ItemState::default());
                continue;
            }
            if count + added.len() >= core::MAX_ITEMS {
                left_out += 1;
                continue;
            }
            let (name, size) = (file.name.clone(), file.size);
            added.push(self.item(index, name, size, None, Some(Source::File(file)), ItemState::default()));
            index += 1;
        }
        self.items.update(|v| v.extend(added));
        self.say_left_out(left_out);
        self.save(true);
    }

    /// Adds one item per line (already checked by [`core::split_lines`]).
    pub fn add_lines(&self, lines: Vec<String>, json: bool) {
        let mut index = self.next_index();
        let room = core::MAX_ITEMS.saturating_sub(self.items.with_untracked(Vec::len));
        let left_out = lines.len().saturating_sub(room);
        let ext = if json { "json" } else { "txt" };
        let added: Vec<Item> = lines
            .into_iter()
            .take(room)
            .map(|line| {
                let name = format!("line-{:05}.{ext}", index + 1);
                let preview = core_cut(&line);
                let item = self.item(index, name, line.len() as u64, Some(preview), Some(Source::Line(line)), ItemState::default());
                index += 1;
                item
            })
            .collect();
        self.items.update(|v| v.extend(added));
        self.say_left_out(left_out);
        self.save(true);
    }

    /// Adds one item per CSV row (from [`core::csv_rows`]). A file input's
    /// cell names a file added with "Files": that file moves into the row.
    /// Nothing is added when a named file is missing.
    pub fn add_rows(&self, rows: Vec<std::collections::BTreeMap<String, String>>, spec: &Spec) -> Result<usize, String> {
        let file_ids: HashSet<&str> = spec.inputs.iter().filter(|i| i.kind.is_file()).map(|i| i.id.as_str()).collect();
        let files: std::collections::HashMap<String, (usize, FileValue)> = self.items.with_untracked(|v| {
            v.iter()
                .filter(|i| i.status() == Status::Queued)
                .filter_map(|i| match i.source.get_value() {
                    Some(Source::File(f)) => Some((i.name.clone(), (i.index, f))),
                    _ => None,
                })
                .collect()
        });
        let mut missing: Vec<String> = rows
            .iter()
            .flat_map(|r| r.iter().filter(|(id, cell)| file_ids.contains(id.as_str()) && !cell.is_empty()).map(|(_, cell)| cell.clone()))
            .filter(|name| !files.contains_key(name))
            .collect();
        missing.sort();
        missing.dedup();
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
            let more = if missing.len() > 5 { format!(" and {} more", missing.len() - 5) } else { String::new() };
            return Err(format!("The CSV names files that were not added: {}{more}. Add them with “Files” first, then the CSV.", shown.join(", ")));
        }
        let room = core::MAX_ITEMS.saturating_sub(self.items.with_untracked(Vec::len));
        if rows.len() > room {
            return Err(format!("A batch takes at most {} inputs; this CSV has {} rows. Split it.", core::MAX_ITEMS, rows.len()));
        }
        let mut used = HashSet::new();
        let mut index = self.next_index();
        let count = rows.len();
        let added: Vec<Item> = rows
            .into_iter()
            .map(|row| {
                let mut size = 0;
                let mut preview = Vec::new();
                let mut values = std::collections::BTreeMap::new();
                for (id, cell) in row {
                    if cell.is_empty() {
                        continue;
                    }
                    if file_ids.contains(id.as_str()) {
                        if let Some((from, f)) = files.get(&cell) {
                            used.insert(*from);
                            size += f.size;
                            preview.push(format!("{id}: {}", f.name));
                            values.insert(id, InputValue::File(f.clone()));
                        }
                    } else {
                        size += cell.len() as u64;
                        preview.push(format!("{id}: {cell}"));
                        values.insert(id, InputValue::Text(cell));
                    }
                }
                let name = format!("row-{:05}", index + 1);
                let item = self.item(index, name, size, Some(core_cut(&preview.join(" · "))), Some(Source::Row(values)), ItemState::default());
                index += 1;
                item
            })
            .collect();
        self.items.update(|v| {
            v.retain(|i| {
                let keep = !used.contains(&i.index);
                if !keep {
                    revoke_urls(i);
                }
                keep
            });
            v.extend(added);
        });
        self.save(true);
        Ok(count)
    }

    fn say_left_out(&self, left_out: usize) {
        if left_out > 0 {
            self.notice.set(Some(format!(
                "{left_out} inputs were left out: a batch takes at most {}. Run these, then add the rest.",
                core::MAX_ITEMS
            )));
        }
    }

    /// Removes an item that is not in flight.
    pub fn remove(&self, index: usize) {
        self.items.update(|v| {
            if let Some(at) = v.iter().position(|i| i.index == index && !matches!(i.status(), Status::Uploading | Status::Waiting)) {
                revoke_urls(&v.remove(at));
            }
        });
        self.save(true);
    }

    /// Forgets every item (when nothing is in flight).
    pub fn clear(&self) {
        if self.running.get_untracked() || self.watching.get_untracked() {
            return;
        }
        self.items.update(|v| {
            v.iter().for_each(revoke_urls);
            v.clear();
        });
        self.id.set_value(String::new());
        self.notice.set(None);
        self.seen_jobs.update_value(HashSet::clear);
        store::clear_batch(&self.service.get_value());
    }

    /// "Cancel remaining": items not started are not sent; what is on the
    /// cluster may still finish, and its outputs keep arriving here.
    pub fn cancel_remaining(&self) {
        self.cancel.with_value(|c| c.store(true, Ordering::SeqCst));
        let mut cancelled = 0;
        self.items.with_untracked(|v| {
            for item in v.iter().filter(|i| i.status() == Status::Queued) {
                item.state.update(|s| {
                    s.status = Status::NotSent;
                    s.error = Some("Cancelled before it was sent.".into());
                });
                cancelled += 1;
            }
        });
        let way = self.way.get_untracked();
        let rest = if way == Way::Sync {
            "Requests already sent finish on their own."
        } else {
            "Jobs already on the cluster may still finish: their outputs keep arriving here."
        };
        self.notice.set(Some(format!("Cancelled {cancelled} items that had not started. {rest}")));
        self.save(true);
    }

    /// Runs every queued item.
    pub fn start(&self, target: BatchTarget, spec: Spec, base: Values) {
        if self.running.get_untracked() {
            return;
        }
        // Queued items, and those cancelled earlier whose input is still here.
        let queued: VecDeque<usize> = self.indices(Item::can_start);
        if queued.is_empty() {
            return;
        }
        for index in &queued {
            if let Some(item) = self.by_index(*index) {
                if item.status() == Status::NotSent {
                    item.state.set(ItemState::default());
                }
            }
        }
        if self.id.with_value(String::is_empty) {
            self.id.set_value(core::batch_id((js_sys::Math::random() * 9.0e15) as u64));
            self.started_unix.set_value((js_sys::Date::now() / 1000.0) as i64);
        }
        let fresh = Arc::new(AtomicBool::new(false));
        self.cancel.set_value(fresh);
        self.way.set(target.way);
        self.notice.set(None);
        self.running.set(true);
        self.started.set(js_sys::Date::now());
        self.now.set(js_sys::Date::now());
        let batch = *self;
        spawn_local(async move {
            let ticker = Ticker::start(batch.now);
            let spec = Rc::new(spec);
            let base = Rc::new(base);
            match target.way {
                Way::Sync | Way::Job => batch.run_requests(&target, spec, base, queued).await,
                Way::Bucket => {
                    if let Some(plan) = target.plan.clone() {
                        let client = Rc::new(StorageClient::new(target.session.clone(), plan.clone()));
                        batch.client.set_value(Some(client.clone()));
                        batch.output.set_value(plan.output.clone());
                        // Outputs are followed while the uploads go on: the first
                        // items are done long before a big batch is all uploaded.
                        if !batch.watching.get_untracked() {
                            let (session, client) = (target.session.clone(), client.clone());
                            spawn_local(async move {
                                batch.follow(&session, client).await;
                                batch.save(true);
                            });
                        }
                        batch.upload_all(&client, &plan, spec, base, queued).await;
                    }
                }
            }
            drop(ticker);
            let _ = batch.running.try_set(false);
            batch.save(true);
        });
    }

    /// "Retry failed": failed items whose input is still here run again.
    pub fn retry_failed(&self, target: BatchTarget, spec: Spec, base: Values) {
        if self.running.get_untracked() {
            return;
        }
        self.items.with_untracked(|v| {
            for item in v.iter().filter(|i| i.status() == Status::Failed && i.source.with_value(Option::is_some)) {
                item.state.set(ItemState::default());
            }
        });
        self.start(target, spec, base);
    }

    /// After a reload: follow an async batch whose uploads were done.
    pub fn reattach(&self, session: Session, plan: AsyncPlan) {
        let waiting = self.items.with_untracked(|v| v.iter().any(|i| i.status() == Status::Waiting));
        if !waiting || self.id.with_value(String::is_empty) || self.watching.get_untracked() {
            return;
        }
        let client = Rc::new(StorageClient::new(session.clone(), plan.clone()));
        self.client.set_value(Some(client.clone()));
        self.output.set_value(plan.output.clone());
        let reattached = "Reattached to the batch: outputs that arrived while the page was away are picked up.";
        self.notice.update(|n| {
            *n = Some(match n.take() {
                Some(before) => format!("{reattached} {before}"),
                None => reattached.to_string(),
            })
        });
        let batch = *self;
        spawn_local(async move {
            batch.follow(&session, client).await;
            batch.save(true);
        });
    }

    fn indices(&self, keep: impl Fn(&Item) -> bool) -> VecDeque<usize> {
        self.items.with_untracked(|v| v.iter().filter(|i| keep(i)).map(|i| i.index).collect())
    }

    fn by_index(&self, index: usize) -> Option<Item> {
        self.items.try_with_untracked(|v| v.iter().find(|i| i.index == index).cloned()).flatten()
    }

    fn stopped(&self) -> bool {
        self.gone.try_with_value(|g| g.load(Ordering::SeqCst)).unwrap_or(true)
    }

    fn cancelled(&self) -> bool {
        self.stopped() || self.cancel.try_with_value(|c| c.load(Ordering::SeqCst)).unwrap_or(true)
    }

    /// The payload of one item: the form's values, with the item in the spec's first input.
    async fn payload(spec: &Spec, base: &Values, item: &Item) -> Result<crate::interface::Payload, String> {
        let source = item.source.try_get_value().flatten().ok_or("The input is no longer here. Add the file again.")?;
        let mut values = base.clone();
        let first = spec.inputs.first().map(|i| i.id.clone());
        match (source, first) {
            (Source::Row(row), _) => values.extend(row),
            (Source::File(f), Some(id)) => {
                values.insert(id, InputValue::File(f));
            }
            (Source::Line(t), Some(id)) => {
                values.insert(id, InputValue::Text(t));
            }
            _ => {}
        }
        build(&Request { spec: spec.clone(), values }).await
    }

    /// Sync (`POST /run`) or `POST /job` per item, with at most "At once" in flight.
    async fn run_requests(&self, target: &BatchTarget, spec: Rc<Spec>, base: Rc<Values>, queue: VecDeque<usize>) {
        let queue = Rc::new(RefCell::new(queue));
        let pace = Rc::new(RefCell::new(Pace::new(target.at_once)));
        let in_flight = Rc::new(Cell::new(0u32));
        let mut next_start = 0.0;
        loop {
            if self.stopped() {
                return;
            }
            if self.cancelled() {
                // Items put back after a busy answer are not sent either.
                for index in queue.borrow_mut().drain(..) {
                    if let Some(item) = self.by_index(index) {
                        item.state.update(|s| {
                            s.status = Status::NotSent;
                            s.error = Some("Cancelled before it was sent.".into());
                        });
                    }
                }
            }
            if queue.borrow().is_empty() && in_flight.get() == 0 {
                return;
            }
            let now = js_sys::Date::now();
            let room = in_flight.get() < pace.borrow().allowed();
            let next = if room && now >= next_start { queue.borrow_mut().pop_front() } else { None };
            let Some(index) = next else {
                crate::browser::sleep_ms(25).await;
                continue;
            };
            let Some(item) = self.by_index(index) else { continue };
            in_flight.set(in_flight.get() + 1);
            let (batch, target, spec, base) = (*self, target.clone(), spec.clone(), base.clone());
            let (queue, shared_pace, in_flight) = (queue.clone(), pace.clone(), in_flight.clone());
            spawn_local(async move {
                let pace = shared_pace;
                let result = batch.request_one(&target, &spec, &base, &item).await;
                in_flight.set(in_flight.get().saturating_sub(1));
                match result {
                    Ok(()) => pace.borrow_mut().ok(),
                    Err(e) if is_busy(&e) && item.state.with_untracked(|s| s.busy_tries) < core::BUSY_RETRIES => {
                        let mut p = pace.borrow_mut();
                        p.busy();
                        item.state.update(|s| {
                            s.busy_tries += 1;
                            s.status = Status::Queued;
                            s.error = Some(format!("The cluster was busy; trying again at a slower pace ({e})"));
                        });
                        queue.borrow_mut().push_back(item.index);
                    }
                    Err(e) => batch.fail(&item, message_of(&e)),
                }
                batch.save(false);
            });
            next_start = js_sys::Date::now() + f64::from(pace.borrow().pause_ms);
        }
    }

    async fn request_one(&self, target: &BatchTarget, spec: &Spec, base: &Values, item: &Item) -> Result<(), ApiError> {
        item.state.update(|s| {
            s.status = Status::Uploading;
            s.started_ms = js_sys::Date::now();
            s.sent = 0.0;
        });
        let payload = Self::payload(spec, base, item).await.map_err(ApiError::InvalidInput)?;
        let body = encode_body(payload, |_| {}).await?;
        let service = self.service.get_value();
        let token = self.token.get_value();
        if target.way == Way::Job {
            submit_job(&target.session, &service, &token, &body).await?;
            let seconds = self.seconds_of(item);
            item.state.update(|s| {
                s.status = Status::Done;
                s.seconds = Some(seconds);
                s.error = None;
                s.summary = Some(Summary { line: "Submitted as a job: see its logs on the Jobs page".into(), ..Summary::default() });
            });
            return Ok(());
        }
        let state = item.state;
        let answer = crate::net::run_service(&target.session, &service, &token, &body, &|_| {}, move |sent, total| {
            let share = if total > 0.0 { sent / total } else { 0.0 };
            let _ = state.try_update(|s| {
                s.sent = share;
                if share >= 1.0 {
                    s.status = Status::Waiting;
                }
            });
        })
        .await?;
        let out = decode_run_body(&answer);
        let summary = core::summarize(&out.bytes);
        let mime = out.detected.kind.mime();
        let blob = crate::browser::blob(&out.bytes, mime);
        let thumb = if summary.image { blob.as_ref().and_then(object_url) } else { None };
        let _ = item.output.try_set_value(blob.map(BlobRef::new));
        let logs = (!out.logs.is_empty()).then(|| tail_text(&out.logs.join("\n")));
        let seconds = self.seconds_of(item);
        let ext = out.detected.kind.extension().to_string();
        let _ = item.state.try_update(|s| {
            s.status = Status::Done;
            s.seconds = Some(seconds);
            s.summary = Some(summary);
            s.error = None;
            s.logs = logs;
            s.thumb = thumb;
            s.output_key = Some(format!("output.{ext}"));
        });
        Ok(())
    }

    fn seconds_of(&self, item: &Item) -> f64 {
        let start = item.state.with_untracked(|s| s.started_ms);
        ((js_sys::Date::now() - start) / 1000.0).max(0.0)
    }

    fn fail(&self, item: &Item, why: String) {
        let seconds = self.seconds_of(item);
        let _ = item.state.try_update(|s| {
            s.status = Status::Failed;
            s.seconds = Some(seconds);
            s.error = Some(why);
        });
    }

    /// Uploads every queued item, [`core::UPLOADS_AT_ONCE`] at a time.
    async fn upload_all(&self, client: &Rc<StorageClient>, plan: &AsyncPlan, spec: Rc<Spec>, base: Rc<Values>, queue: VecDeque<usize>) {
        let queue = Rc::new(RefCell::new(queue));
        let workers = Rc::new(Cell::new(core::UPLOADS_AT_ONCE));
        for _ in 0..core::UPLOADS_AT_ONCE {
            let (batch, client, plan, spec, base, queue, workers) =
                (*self, client.clone(), plan.clone(), spec.clone(), base.clone(), queue.clone(), workers.clone());
            spawn_local(async move {
                loop {
                    if batch.cancelled() {
                        break;
                    }
                    let next = queue.borrow_mut().pop_front();
                    let Some(item) = next.and_then(|i| batch.by_index(i)) else { break };
                    if let Err(e) = batch.upload_one(&client, &plan, &spec, &base, &item).await {
                        batch.fail(&item, message_of(&e));
                    }
                    // At most once a second: a reload saves the latest on `pagehide`.
                    batch.save(false);
                }
                workers.set(workers.get() - 1);
            });
        }
        while workers.get() > 0 && !self.stopped() {
            crate::browser::sleep_ms(50).await;
        }
    }

    async fn upload_one(&self, client: &StorageClient, plan: &AsyncPlan, spec: &Spec, base: &Values, item: &Item) -> Result<(), ApiError> {
        item.state.update(|s| {
            s.status = Status::Uploading;
            s.started_ms = js_sys::Date::now();
        });
        let payload = Self::payload(spec, base, item).await.map_err(ApiError::InvalidInput)?;
        let (upload, mime) = payload.upload_name();
        let blob = upload_blob(&payload, &mime)?;
        // A CSV row's name has no extension: take the one of what it sends.
        let name = if item.name.contains('.') { item.name.clone() } else { format!("{}-{upload}", item.name) };
        let key = core::input_key(&plan.input_prefix, &self.id.get_value(), item.index, &name);
        let target = client.upload_target(&key, &mime).await?;
        let state = item.state;
        client
            .put(&target, &blob, move |sent, total| {
                let _ = state.try_update(|s| s.sent = if total > 0.0 { sent / total } else { 0.0 });
            }, &|_| {})
            .await?;
        let _ = item.state.try_update(|s| {
            s.status = Status::Waiting;
            s.sent = 1.0;
        });
        Ok(())
    }

    /// Follows the outputs of an async batch: one listing of the batch's
    /// output prefix per poll, job pages every few polls, until every
    /// uploaded item is done or failed.
    async fn follow(&self, session: &Session, client: Rc<StorageClient>) {
        let _ = self.watching.try_set(true);
        let ticker = Ticker::start(self.now);
        let id = self.id.get_value();
        let output = self.output.get_value();
        let service = self.service.get_value();
        let mut pace = ListPace::new();
        let mut polls = 0u32;
        let mut quiet_looks = 0u32;
        let mut to_summarize: VecDeque<(usize, String, f64)> = VecDeque::new();
        // Items whose output was listed (they stay waiting until summarised).
        let mut listed: HashSet<usize> = HashSet::new();
        // The first look comes a second in: jobs need that long to start anyway.
        let mut next_look = js_sys::Date::now() + f64::from(core::LIST_MIN_MS);
        loop {
            if self.stopped() {
                break;
            }
            let waiting: HashSet<usize> = self.indices(|i| i.status() == Status::Waiting).into_iter().collect();
            let uploading = self.running.get_untracked();
            if waiting.is_empty() && !uploading && to_summarize.is_empty() {
                break;
            }
            let mut changed = false;
            // One listing of the batch's outputs per look, never more than one a second.
            if js_sys::Date::now() >= next_look {
                if let Some((bucket, prefix)) = &output {
                    match client.list(bucket, &core::output_list_prefix(prefix, &id)).await {
                        Ok(objects) => {
                            for object in objects {
                                let Some(index) = core::item_of_output(&object.key, &id) else { continue };
                                if !waiting.contains(&index) || !listed.insert(index) {
                                    continue;
                                }
                                let Some(item) = self.by_index(index) else { continue };
                                // Done once its summary is in: the row and the summary file say what came out.
                                let seconds = self.seconds_of(&item);
                                let key = object.key.clone();
                                item.state.update(|s| s.output_key = Some(key.clone()));
                                to_summarize.push_back((index, key, seconds));
                                changed = true;
                            }
                        }
                        Err(e) if e.needs_login() => {
                            let _ = self.notice.try_set(Some(format!("Stopped following the batch: {e} Then open this page again: the batch reattaches.")));
                            break;
                        }
                        // A failed listing is tried again at the next look.
                        Err(_) => {}
                    }
                }
                polls += 1;
                if polls.is_multiple_of(JOBS_EVERY) || output.is_none() {
                    match self.read_jobs(session, &service, &id, output.is_none()).await {
                        Some((active, found)) => {
                            changed |= found;
                            quiet_looks = if active == 0 && !uploading && !changed { quiet_looks + 1 } else { 0 };
                            if quiet_looks >= 3 {
                                self.no_output_for_waiting(output.as_ref());
                            }
                        }
                        None => quiet_looks = 0,
                    }
                }
                next_look = js_sys::Date::now() + f64::from(pace.next(changed));
            }
            // While uploads go on they come first: a few summaries per look.
            let summaries = if uploading { SUMMARIES_WHILE_UPLOADING } else { SUMMARIES_AT_ONCE };
            // A few at once: each is a small GET, and one after the other they add up.
            let take: Vec<(usize, String, f64)> = (0..summaries).map_while(|_| to_summarize.pop_front()).collect();
            if let Some((bucket, _)) = &output {
                let client = &client;
                futures::future::join_all(take.into_iter().map(|(index, key, seconds)| async move {
                    let Some(item) = self.by_index(index) else { return };
                    self.summarize_output(client, bucket, &key, &item).await;
                    let _ = item.state.try_update(|s| {
                        s.status = Status::Done;
                        s.seconds = Some(seconds);
                        s.error = None;
                    });
                }))
                .await;
            }
            self.save(changed);
            if to_summarize.is_empty() || uploading {
                let wait = (next_look - js_sys::Date::now()).max(0.0);
                crate::browser::sleep_ms(wait as u32).await;
            }
        }
        drop(ticker);
        let _ = self.watching.try_set(false);
    }

    /// Reads job pages: how many of the batch's jobs are still active, and
    /// marks items whose job failed (their logs name the input). Without an
    /// output bucket, a finished job is the item's result. `None` when the
    /// job list could not be read.
    async fn read_jobs(&self, session: &Session, service: &str, id: &str, results_from_jobs: bool) -> Option<(usize, bool)> {
        let since = self.started_unix.get_value() - SLACK_SECS;
        let mut token: Option<String> = None;
        let mut active = 0;
        let mut found = false;
        for _ in 0..JOB_PAGES {
            let page = job_list(session, service, token.as_deref()).await.ok()?;
            for job in &page.jobs {
                if job.creation_unix.is_some_and(|t| t < since) {
                    continue;
                }
                match job.status {
                    JobStatus::Pending | JobStatus::Running | JobStatus::Suspended => active += 1,
                    JobStatus::Failed => found |= self.job_finished(session, service, id, &job.name, false).await,
                    JobStatus::Succeeded if results_from_jobs => found |= self.job_finished(session, service, id, &job.name, true).await,
                    _ => {}
                }
            }
            let older = page.jobs.last().and_then(|j| j.creation_unix).is_some_and(|t| t < since);
            match page.next_page {
                Some(next) if !older => token = Some(next),
                _ => break,
            }
        }
        Some((active, found))
    }

    /// A finished job of the batch, seen for the first time: its logs say
    /// which item it ran.
    async fn job_finished(&self, session: &Session, service: &str, id: &str, job: &str, ok: bool) -> bool {
        let fresh = self.seen_jobs.try_update_value(|s| s.insert(job.to_string())).unwrap_or(false);
        if !fresh {
            return false;
        }
        let Ok(logs) = job_logs(session, service, job).await else { return false };
        let Some(item) = core::item_of_logs(&logs, id).and_then(|i| self.by_index(i)) else { return false };
        if item.status() != Status::Waiting {
            return false;
        }
        let seconds = self.seconds_of(&item);
        let last = logs.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").to_string();
        let _ = item.state.try_update(|s| {
            s.status = if ok { Status::Done } else { Status::Failed };
            s.seconds = Some(seconds);
            s.job = Some(job.to_string());
            s.logs = Some(tail_text(&logs));
            if ok {
                s.summary = Some(Summary { line: core_cut(&last), ..Summary::default() });
            } else {
                s.error = Some(format!("The job {job} failed. Its logs say: {}", core_cut(&last)));
            }
        });
        true
    }

    /// Every job is over and the outputs stopped coming: what still waits
    /// will get no output.
    fn no_output_for_waiting(&self, output: Option<&(String, String)>) {
        let path = output.map(|(b, p)| format!("{b}/{p}")).unwrap_or_default();
        self.items.with_untracked(|v| {
            for item in v.iter().filter(|i| i.status() == Status::Waiting && i.state.with_untracked(|s| s.output_key.is_none())) {
                self.fail(item, format!(
                    "Its job ended without an output under {path} named after the input. Check the Jobs page: the script may name its outputs otherwise."
                ));
            }
        });
    }

    async fn summarize_output(&self, client: &StorageClient, bucket: &str, key: &str, item: &Item) {
        match client.get(bucket, key, |_, _| {}).await {
            Ok(bytes) => {
                let summary = core::summarize(&bytes);
                let mut thumb = None;
                if summary.image {
                    let blob = crate::browser::blob(&bytes, crate::oscar::decode::sniff(&bytes).mime());
                    thumb = blob.as_ref().and_then(object_url);
                    let _ = item.output.try_set_value(blob.map(BlobRef::new));
                }
                let _ = item.state.try_update(|s| {
                    s.summary = Some(summary);
                    s.thumb = thumb;
                });
            }
            Err(e) => {
                let _ = item.state.try_update(|s| s.summary = Some(Summary { line: format!("Could not fetch the output: {e}"), ..Summary::default() }));
            }
        }
    }

    /// The output of an item, to show in full: kept in the browser, or
    /// fetched from the output bucket.
    pub async fn open(&self, index: usize) -> Result<Option<Shown>, String> {
        let item = self.by_index(index).ok_or("This item is gone.")?;
        let key = item.state.with_untracked(|s| s.output_key.clone());
        let Some(key) = key else { return Ok(None) };
        let name = key.rsplit('/').next().unwrap_or(&key).to_string();
        let bytes = self.output_bytes(&item, &key).await?;
        Ok(Some(Shown { name, bytes: Arc::from(bytes) }))
    }

    async fn output_bytes(&self, item: &Item, key: &str) -> Result<Vec<u8>, String> {
        if let Some(blob) = item.output.try_get_value().flatten() {
            return crate::browser::read_blob(blob.blob()).await;
        }
        let client = self.client.try_get_value().flatten();
        let output = self.output.try_get_value().flatten();
        match (client, output) {
            (Some(c), Some((bucket, _))) => c.get(&bucket, key, |_, _| {}).await.map_err(|e| e.to_string()),
            _ => Err("This output is no longer here: the page was reloaded. Find it in the service's output bucket.".into()),
        }
    }

    /// A client for outputs after a reload (no run started since).
    pub fn connect(&self, session: Session, plan: AsyncPlan) {
        if self.client.with_value(Option::is_none) {
            self.output.set_value(plan.output.clone());
            self.client.set_value(Some(Rc::new(StorageClient::new(session, plan))));
        }
    }

    /// The summary rows, one per input.
    pub fn summary_rows(&self) -> Vec<SummaryRow> {
        self.items.with_untracked(|v| {
            v.iter()
                .map(|i| {
                    i.state.with_untracked(|s| SummaryRow {
                        input: i.name.clone(),
                        status: s.status.label(),
                        seconds: s.seconds,
                        output: s.output_key.as_deref().map(|k| k.rsplit('/').next().unwrap_or(k).to_string()).unwrap_or_default(),
                        label: s.summary.as_ref().and_then(|m| m.label.clone()),
                        score: s.summary.as_ref().and_then(|m| m.score),
                        error: s.error.clone().unwrap_or_default(),
                    })
                })
                .collect()
        })
    }

    /// A ZIP of every output, named after its input, built in the browser
    /// one output at a time.
    pub async fn results_zip(&self, progress: impl Fn(usize, usize)) -> Result<web_sys::Blob, String> {
        let id = self.id.get_value();
        let done: Vec<(Item, String)> = self.items.with_untracked(|v| {
            v.iter().filter_map(|i| i.state.with_untracked(|s| s.output_key.clone().filter(|_| s.status == Status::Done)).map(|k| (i.clone(), k))).collect()
        });
        if done.is_empty() {
            return Err("No output has arrived yet.".into());
        }
        let names: Vec<String> = done.iter().map(|(i, k)| core::result_name(&i.name, k, &id)).collect();
        let names = core::unique_names(&names);
        let parts = js_sys::Array::new();
        let mut writer = crate::oscar::zip::ZipWriter::new();
        for (n, ((item, key), name)) in done.iter().zip(&names).enumerate() {
            progress(n, done.len());
            let bytes = self.output_bytes(item, key).await?;
            let header = writer
                .entry(name, crate::oscar::zip::crc32(&bytes), bytes.len() as u64)
                .map_err(|e| format!("The results are too big for one ZIP ({e}). Download them from the output bucket."))?;
            parts.push(&js_sys::Uint8Array::from(header.as_slice()));
            parts.push(&js_sys::Uint8Array::from(bytes.as_slice()));
        }
        parts.push(&js_sys::Uint8Array::from(writer.finish().as_slice()));
        progress(done.len(), done.len());
        crate::browser::blob_of_parts(&parts, "application/zip").ok_or_else(|| "The browser could not build the ZIP (out of memory?).".into())
    }

    /// Saves the state for a reload; while running, at most once a second.
    fn save(&self, now: bool) {
        let Some(last) = self.saved_at.try_get_value() else { return };
        let t = js_sys::Date::now();
        if !now && t - last < SAVE_EVERY_MS {
            return;
        }
        self.saved_at.set_value(t);
        let service = self.service.get_value();
        let items: Vec<SavedItem> = self.items.with_untracked(|v| {
            v.iter()
                .map(|i| {
                    i.state.with_untracked(|s| SavedItem {
                        index: i.index,
                        name: i.name.clone(),
                        size: i.size,
                        status: s.status,
                        seconds: s.seconds,
                        output: s.output_key.clone(),
                        summary: s.summary.clone(),
                        error: s.error.clone(),
                    })
                })
                .collect()
        });
        if items.is_empty() {
            store::clear_batch(&service);
            return;
        }
        let saved = SavedBatch {
            id: self.id.get_value(),
            service: service.clone(),
            sync: self.way.get_untracked() == Way::Sync,
            started_unix: self.started_unix.get_value(),
            items,
        };
        if let Ok(json) = serde_json::to_string(&saved) {
            if !store::save_batch(&service, &json) {
                let _ = self.notice.try_set(Some("This batch is too big to keep across a reload: the browser's session storage is full. Keep this page open until it ends.".into()));
            }
        }
    }
}

/// Whether the cluster said it is busy: a slower pace may work.
fn is_busy(e: &ApiError) -> bool {
    match e {
        ApiError::ColdStart { status } | ApiError::Unavailable { status } => matches!(status, 502..=504),
        ApiError::Unexpected { status, .. } => *status == 429,
        ApiError::ConnectionLost => true,
        _ => false,
    }
}

/// An item's error message; a 413 says what to do in a batch.
fn message_of(e: &ApiError) -> String {
    match e {
        ApiError::TooLarge => "Too large for sync (HTTP 413): run the batch asynchronously, through the input bucket.".into(),
        e => e.to_string(),
    }
}

fn core_cut(text: &str) -> String {
    core::cut(text.trim(), core::SUMMARY_CHARS)
}

fn tail_text(text: &str) -> String {
    if text.len() <= LOG_KEEP {
        return text.to_string();
    }
    let mut at = text.len() - LOG_KEEP;
    while !text.is_char_boundary(at) {
        at += 1;
    }
    format!("…{}", &text[at..])
}

fn object_url(blob: &web_sys::Blob) -> Option<String> {
    web_sys::Url::create_object_url_with_blob(blob).ok()
}

fn revoke_urls(item: &Item) {
    if let Some(u) = &item.thumb {
        let _ = web_sys::Url::revoke_object_url(u);
    }
    item.state.try_with_untracked(|s| {
        if let Some(u) = &s.thumb {
            let _ = web_sys::Url::revoke_object_url(u);
        }
    });
}

/// Whether the spec's first input takes a line of text or JSON ("One input per line").
pub fn takes_lines(spec: &Spec) -> Option<bool> {
    match spec.inputs.first().map(|i| i.kind) {
        Some(FieldKind::Json) => Some(true),
        Some(FieldKind::Text) => Some(false),
        _ => None,
    }
}
