//! Workflows: services chained by buckets (OSCAR-API.md §8). OSCAR has no
//! workflow object: a workflow is services where one's output path is read
//! by the next. This module finds them in the service list, lays them out
//! for a drawing, and works out, from listings and job lists alone, how far
//! one input has gone through them. Nothing here touches the browser.

use super::jobs::{is_job_of, Job, JobStatus};
use super::s3::ObjectInfo;
use super::service::{Service, StorageIo};
use super::storage::{split_storage_path, RunMarker};
use std::collections::{BTreeMap, BTreeSet};

/// The provider that triggers jobs: the cluster's own MinIO (§5).
pub const CLUSTER_MINIO: &str = "minio.default";

/// Where a stage reads or writes: a provider and a bucket path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    /// `<kind>.<id>`: `minio` and an empty provider are `minio.default`.
    pub provider: String,
    pub bucket: String,
    /// No slashes at the ends, none doubled; may be empty.
    pub prefix: String,
}

impl Place {
    /// The place of an `input` or `output` entry of `service`.
    pub fn of(io: &StorageIo, service: &str) -> Self {
        let raw = io.storage_provider.trim().to_ascii_lowercase();
        let provider = match raw.split_once('.') {
            _ if raw.is_empty() => CLUSTER_MINIO.to_string(),
            Some((kind, id)) if !id.is_empty() => format!("{kind}.{id}"),
            Some((kind, _)) => format!("{kind}.default"),
            None => format!("{raw}.default"),
        };
        let (bucket, prefix) = split_storage_path(&io.path, service);
        Self { provider, bucket, prefix }
    }

    /// Only the cluster's MinIO starts jobs, so only it is followed.
    pub fn followed(&self) -> bool {
        self.provider == CLUSTER_MINIO
    }

    /// `bucket/prefix` (or the bucket alone).
    pub fn path(&self) -> String {
        if self.prefix.is_empty() {
            self.bucket.clone()
        } else {
            format!("{}/{}", self.bucket, self.prefix)
        }
    }

    /// The path, with the provider in front when it is not the cluster's MinIO.
    pub fn label(&self) -> String {
        if self.followed() {
            self.path()
        } else {
            format!("{}: {}", self.provider, self.path())
        }
    }

    fn segments(&self) -> impl Iterator<Item = &str> {
        self.prefix.split('/').filter(|s| !s.is_empty())
    }

    /// Same provider and bucket, and one prefix is the other or a folder
    /// above it: what one writes there, the other may read.
    pub fn overlaps(&self, other: &Place) -> bool {
        if self.provider != other.provider || self.bucket != other.bucket {
            return false;
        }
        let (a, b): (Vec<&str>, Vec<&str>) = (self.segments().collect(), other.segments().collect());
        let n = a.len().min(b.len());
        a[..n] == b[..n]
    }

    /// Whether `key` (of `bucket`) is an object under this place.
    pub fn holds(&self, bucket: &str, key: &str) -> bool {
        if bucket != self.bucket || key.ends_with('/') || key.is_empty() {
            return false;
        }
        self.prefix.is_empty() || key.strip_prefix(self.prefix.as_str()).is_some_and(|r| r.starts_with('/') && r.len() > 1)
    }
}

/// A service as a stage: where it reads and where it writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub name: String,
    pub inputs: Vec<Place>,
    pub outputs: Vec<Place>,
}

impl Stage {
    fn of(service: &Service) -> Self {
        let name = service.name.as_str();
        let places = |ios: &[StorageIo]| {
            let mut v: Vec<Place> = ios.iter().filter(|io| !io.path.trim().is_empty()).map(|io| Place::of(io, name)).collect();
            v.dedup();
            v
        };
        Self { name: name.to_string(), inputs: places(&service.input), outputs: places(&service.output) }
    }

    /// The input places that start jobs.
    pub fn followed_inputs(&self) -> impl Iterator<Item = &Place> {
        self.inputs.iter().filter(|p| p.followed())
    }

    /// The output places that can start jobs (and are listed while a run goes).
    pub fn followed_outputs(&self) -> impl Iterator<Item = &Place> {
        self.outputs.iter().filter(|p| p.followed())
    }

    /// Whether an object written at `at` starts this stage.
    fn reads(&self, at: &Place) -> bool {
        self.followed_inputs().any(|i| i.overlaps(at))
    }
}

/// A bucket path between two stages: `from` writes at `place`, `to` reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub from: usize,
    pub to: usize,
    pub place: Place,
    /// Goes back to an earlier (or the same) stage: part of a cycle.
    pub back: bool,
}

/// Something a user should know about a workflow's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// The stage writes into its own input: each output starts it again.
    Loop { stage: usize, place: Place },
    /// Stages that feed each other round in a circle.
    Cycle { stages: Vec<usize> },
    /// An output that no stage reads (a last stage's result, or a stray path).
    Unread { stage: usize, place: Place },
    /// An output on another provider: shown, not followed.
    External { stage: usize, place: Place },
    /// A last stage that writes nothing to storage.
    NoOutput { stage: usize },
}

/// One connected group of two or more chained services.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workflow {
    /// In running order: layer by layer, by name within a layer.
    pub stages: Vec<Stage>,
    pub links: Vec<Link>,
    /// Each stage's row in the drawing (0 for the stages that start it).
    pub layer: Vec<usize>,
    pub notes: Vec<Note>,
}

/// What the service list holds: its workflows, and single services that
/// write into their own input (a loop no workflow shows).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Detected {
    pub workflows: Vec<Workflow>,
    pub lone_loops: Vec<(String, Place)>,
}

/// Finds the workflows of a service list: a link wherever one service's
/// output (on the cluster's MinIO) is, is inside, or holds another's input.
pub fn detect(services: &[Service]) -> Detected {
    let mut stages: Vec<Stage> = services.iter().map(Stage::of).collect();
    stages.sort_by(|a, b| a.name.cmp(&b.name));
    stages.dedup_by(|a, b| a.name == b.name);
    let n = stages.len();
    // Links between all stages, self-links included.
    let mut raw: Vec<(usize, usize, Place)> = Vec::new();
    for (i, from) in stages.iter().enumerate() {
        for out in from.followed_outputs() {
            for (j, to) in stages.iter().enumerate() {
                if to.reads(out) {
                    raw.push((i, j, out.clone()));
                }
            }
        }
    }
    // Groups through links between different stages (union-find).
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (a, b, _) in raw.iter().filter(|(a, b, _)| a != b) {
        let (ra, rb) = (root(&mut parent, *a), root(&mut parent, *b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut detected = Detected::default();
    for members in groups.into_values() {
        if members.len() < 2 {
            let i = members[0];
            if let Some((_, _, place)) = raw.iter().find(|(a, b, _)| *a == i && *b == i) {
                detected.lone_loops.push((stages[i].name.clone(), place.clone()));
            }
            continue;
        }
        let links: Vec<(usize, usize, Place)> = raw.iter().filter(|(a, _, _)| members.contains(a)).cloned().collect();
        detected.workflows.push(build(&stages, &members, &links));
    }
    detected.workflows.sort_by(|a, b| a.stages[0].name.cmp(&b.stages[0].name));
    detected
}

/// Orders a group (Kahn's algorithm by name; a cycle is broken at its
/// first stage by name), gives each stage its layer, and notes its quirks.
fn build(all: &[Stage], members: &[usize], raw: &[(usize, usize, Place)]) -> Workflow {
    let mut preds: BTreeMap<usize, BTreeSet<usize>> = members.iter().map(|m| (*m, BTreeSet::new())).collect();
    for (a, b, _) in raw.iter().filter(|(a, b, _)| a != b) {
        preds.entry(*b).or_default().insert(*a);
    }
    let mut order: Vec<usize> = Vec::new();
    let mut left: BTreeSet<usize> = members.iter().copied().collect();
    while !left.is_empty() {
        let ready = left.iter().copied().find(|m| preds[m].iter().all(|p| !left.contains(p)));
        // All left are in cycles: start at the one with fewest waiting inputs.
        let next = ready.unwrap_or_else(|| {
            left.iter().copied().min_by_key(|m| (preds[m].iter().filter(|p| left.contains(p)).count(), all[*m].name.clone())).unwrap_or(members[0])
        });
        left.remove(&next);
        order.push(next);
    }
    let pos: BTreeMap<usize, usize> = order.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    // Layers along forward links (longest path).
    let mut layer_of: BTreeMap<usize, usize> = BTreeMap::new();
    for m in &order {
        let layer = preds[m].iter().filter(|p| pos[*p] < pos[m]).filter_map(|p| layer_of.get(p)).map(|l| l + 1).max().unwrap_or(0);
        layer_of.insert(*m, layer);
    }
    order.sort_by(|a, b| layer_of[a].cmp(&layer_of[b]).then(pos[a].cmp(&pos[b])));
    let index: BTreeMap<usize, usize> = order.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let stages: Vec<Stage> = order.iter().map(|m| all[*m].clone()).collect();
    let layer: Vec<usize> = order.iter().map(|m| layer_of[m]).collect();
    let mut links: Vec<Link> = raw
        .iter()
        .map(|(a, b, place)| {
            let (from, to) = (index[a], index[b]);
            Link { from, to, place: place.clone(), back: layer[to] <= layer[from] && (to <= from) }
        })
        .collect();
    links.sort_by(|a, b| (a.from, a.to, &a.place).cmp(&(b.from, b.to, &b.place)));
    links.dedup();
    let mut notes = Vec::new();
    for l in links.iter().filter(|l| l.from == l.to) {
        notes.push(Note::Loop { stage: l.from, place: l.place.clone() });
    }
    for l in links.iter().filter(|l| l.back && l.from != l.to) {
        // The cycle: the back link's target, forward to its source.
        let mut stages: Vec<usize> = (l.to..=l.from).filter(|s| reaches(&links, l.to, *s) && reaches(&links, *s, l.from)).collect();
        stages.dedup();
        notes.push(Note::Cycle { stages });
    }
    for (i, s) in stages.iter().enumerate() {
        let read: Vec<&Place> = links.iter().filter(|l| l.from == i).map(|l| &l.place).collect();
        for out in &s.outputs {
            if !out.followed() {
                notes.push(Note::External { stage: i, place: out.clone() });
            } else if !read.contains(&out) {
                notes.push(Note::Unread { stage: i, place: out.clone() });
            }
        }
        if s.outputs.is_empty() {
            notes.push(Note::NoOutput { stage: i });
        }
    }
    Workflow { stages, links, layer, notes }
}

/// Whether `to` can be reached from `from` along forward links.
fn reaches(links: &[Link], from: usize, to: usize) -> bool {
    let mut seen = BTreeSet::from([from]);
    let mut todo = vec![from];
    while let Some(s) = todo.pop() {
        if s == to {
            return true;
        }
        for l in links.iter().filter(|l| l.from == s && !l.back) {
            if seen.insert(l.to) {
                todo.push(l.to);
            }
        }
    }
    false
}

impl Workflow {
    /// The stage a run starts at: the first that no other stage feeds.
    pub fn entry(&self) -> usize {
        self.sources().first().copied().unwrap_or(0)
    }

    /// Stages no other stage feeds (forward).
    pub fn sources(&self) -> Vec<usize> {
        (0..self.stages.len()).filter(|s| !self.links.iter().any(|l| l.to == *s && l.from != *s && !l.back)).collect()
    }

    /// The stages that feed `stage` (itself left out).
    pub fn upstream(&self, stage: usize) -> Vec<usize> {
        let mut v: Vec<usize> = self.links.iter().filter(|l| l.to == stage && l.from != stage).map(|l| l.from).collect();
        v.dedup();
        v
    }

    /// The stages `stage` feeds (itself left out).
    pub fn downstream(&self, stage: usize) -> Vec<usize> {
        let mut v: Vec<usize> = self.links.iter().filter(|l| l.from == stage && l.to != stage).map(|l| l.to).collect();
        v.dedup();
        v
    }

    /// The index of a stage by service name.
    pub fn stage(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.name == name)
    }

    /// Whether it goes round: a loop or a cycle.
    pub fn has_cycle(&self) -> bool {
        self.links.iter().any(|l| l.back)
    }

    /// A note in words.
    pub fn note_text(&self, note: &Note) -> String {
        let name = |s: &usize| format!("“{}”", self.stages[*s].name);
        match note {
            Note::Loop { stage, place } => format!(
                "{} writes into its own input ({}): each output starts it again, until something stops it.",
                name(stage),
                place.path()
            ),
            Note::Cycle { stages } => {
                let names: Vec<String> = stages.iter().map(name).collect();
                format!("{} feed each other in a circle: an input may go round without end.", names.join(" → "))
            }
            Note::Unread { stage, place } if self.downstream(*stage).is_empty() => {
                format!("{} is a last stage: no service reads its output {}.", name(stage), place.path())
            }
            Note::Unread { stage, place } => format!("{} also writes to {}, which no service reads.", name(stage), place.path()),
            Note::External { stage, place } => format!(
                "{} also writes to {} on another storage provider: shown here, not followed.",
                name(stage),
                place.label()
            ),
            Note::NoOutput { stage } => format!("{} writes no output to storage.", name(stage)),
        }
    }

    /// The ordered list a screen reader reads instead of the drawing.
    pub fn steps(&self) -> Vec<String> {
        (0..self.stages.len())
            .map(|i| {
                let s = &self.stages[i];
                let reads: Vec<String> = s.inputs.iter().map(Place::label).collect();
                let mut line = format!("{} reads {}", s.name, if reads.is_empty() { "no bucket".to_string() } else { reads.join(", ") });
                let feeds: Vec<String> = self
                    .links
                    .iter()
                    .filter(|l| l.from == i)
                    .map(|l| format!("{} (through {})", self.stages[l.to].name, l.place.path()))
                    .collect();
                let writes: Vec<String> = s.outputs.iter().map(Place::label).collect();
                if !writes.is_empty() {
                    line.push_str(&format!(" and writes {}", writes.join(", ")));
                }
                if !feeds.is_empty() {
                    line.push_str(&format!("; feeds {}", feeds.join(", ")));
                }
                line.push('.');
                line
            })
            .collect()
    }
}

// ---------------------------------------------------------------- drawing

/// A stage's box in the drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct Rect {
    pub stage: usize,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// What an arrow stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArrowKind {
    /// Into the first stages: their input bucket.
    Entry,
    /// Between two stages.
    Flow,
    /// Back to an earlier stage or the same one.
    Back,
    /// Out of a stage: a result nobody reads.
    Result,
    /// Out to another provider, not followed.
    External,
}

/// An arrow: an SVG path and its bucket label.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub kind: ArrowKind,
    /// The `d` of an SVG `<path>`.
    pub d: String,
    pub label: String,
    pub label_x: f64,
    pub label_y: f64,
}

/// The drawing of a workflow, top to bottom (narrow, so it reads on a phone).
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub boxes: Vec<Rect>,
    pub arrows: Vec<Arrow>,
}

const BOX_W: f64 = 200.0;
const BOX_H: f64 = 44.0;
const GAP_X: f64 = 48.0;
const GAP_Y: f64 = 84.0;
const MARGIN: f64 = 16.0;
const STUB: f64 = 56.0;
/// Room on the right for arrows that go back.
const SIDE: f64 = 64.0;
/// About how wide a character of a label is, in drawing units.
const CHAR_W: f64 = 7.0;

impl Workflow {
    /// Where everything goes, in drawing units (the SVG's viewBox).
    pub fn layout(&self) -> Layout {
        let rows = self.layer.iter().copied().max().map_or(0, |m| m + 1);
        let mut row_members: Vec<Vec<usize>> = vec![Vec::new(); rows];
        for (i, l) in self.layer.iter().enumerate() {
            row_members[*l].push(i);
        }
        let widest = row_members.iter().map(Vec::len).max().unwrap_or(1) as f64;
        let longest_label = self
            .stages
            .iter()
            .flat_map(|s| s.inputs.iter().chain(s.outputs.iter()))
            .map(|p| p.label().chars().count())
            .max()
            .unwrap_or(0) as f64;
        let inner = (widest * BOX_W + (widest - 1.0) * GAP_X).max(BOX_W / 2.0 + longest_label * CHAR_W + 12.0);
        let width = MARGIN * 2.0 + inner + SIDE;
        let mut boxes = Vec::new();
        for (row, members) in row_members.iter().enumerate() {
            let n = members.len() as f64;
            let row_w = n * BOX_W + (n - 1.0) * GAP_X;
            let x0 = MARGIN + (inner - row_w) / 2.0;
            let y = MARGIN + STUB + row as f64 * (BOX_H + GAP_Y);
            for (k, s) in members.iter().enumerate() {
                boxes.push(Rect { stage: *s, x: x0 + k as f64 * (BOX_W + GAP_X), y, w: BOX_W, h: BOX_H });
            }
        }
        boxes.sort_by_key(|b| b.stage);
        let height = MARGIN * 2.0 + STUB * 2.0 + rows as f64 * BOX_H + rows.saturating_sub(1) as f64 * GAP_Y;
        let mut arrows = Vec::new();
        let label_right = |x: f64| x + 8.0;
        for s in self.sources() {
            let b = &boxes[s];
            let cx = b.x + b.w / 2.0;
            let label = self.stages[s].inputs.iter().map(Place::label).collect::<Vec<_>>().join(", ");
            arrows.push(Arrow {
                kind: ArrowKind::Entry,
                d: format!("M {cx} {} L {cx} {}", b.y - STUB + 6.0, b.y - 2.0),
                label,
                label_x: label_right(cx),
                label_y: b.y - STUB / 2.0,
            });
        }
        for l in &self.links {
            let (a, b) = (&boxes[l.from], &boxes[l.to]);
            let arrow = if l.from == l.to {
                let x = a.x + a.w;
                Arrow {
                    kind: ArrowKind::Back,
                    d: format!("M {x} {} C {} {}, {} {}, {x} {}", a.y + 10.0, x + 44.0, a.y - 6.0, x + 44.0, a.y + a.h + 6.0, a.y + a.h - 10.0),
                    label: l.place.path(),
                    label_x: x + 4.0,
                    label_y: a.y + a.h + 20.0,
                }
            } else if l.back {
                let (x1, y1, x2, y2) = (a.x + a.w, a.y + a.h / 2.0, b.x + b.w, b.y + b.h / 2.0);
                let out = MARGIN + inner + SIDE - 8.0;
                Arrow {
                    kind: ArrowKind::Back,
                    d: format!("M {x1} {y1} C {out} {y1}, {out} {y2}, {} {y2}", x2 + 2.0),
                    label: l.place.path(),
                    label_x: (x1.max(x2) + out) / 2.0 - 20.0,
                    label_y: (y1 + y2) / 2.0,
                }
            } else {
                let (x1, y1, x2, y2) = (a.x + a.w / 2.0, a.y + a.h, b.x + b.w / 2.0, b.y - 2.0);
                let ym = (y1 + y2) / 2.0;
                Arrow {
                    kind: ArrowKind::Flow,
                    d: format!("M {x1} {y1} C {x1} {ym}, {x2} {ym}, {x2} {y2}"),
                    label: l.place.path(),
                    label_x: label_right((x1 + x2) / 2.0),
                    label_y: ym + 4.0,
                }
            };
            arrows.push(arrow);
        }
        for note in &self.notes {
            let (stage, place, kind) = match note {
                Note::Unread { stage, place } => (*stage, place, ArrowKind::Result),
                Note::External { stage, place } => (*stage, place, ArrowKind::External),
                _ => continue,
            };
            let b = &boxes[stage];
            let k = arrows.iter().filter(|a| matches!(a.kind, ArrowKind::Result | ArrowKind::External) && a.d.contains(&format!("M {} {}", b.x + b.w / 2.0, b.y + b.h))).count() as f64;
            let cx = b.x + b.w / 2.0;
            let ex = cx + k * 24.0;
            arrows.push(Arrow {
                kind,
                d: format!("M {cx} {} L {ex} {}", b.y + b.h, b.y + b.h + STUB - 6.0),
                label: place.label(),
                label_x: label_right(ex),
                label_y: b.y + b.h + STUB / 2.0 + k * 14.0,
            });
        }
        Layout { width, height, boxes, arrows }
    }
}

// ------------------------------------------------------- following a run

/// How close, in seconds, the clocks of the storage and the cluster are taken to be.
pub const SLACK_SECS: i64 = 10;

/// The objects of a listing at `place` that belong to a run. Names first:
/// an object whose name carries the run's marker (`<id>-<name>` or
/// `<id>-<stem>`) is the run's. When none does (a script that renames its
/// outputs), the objects that appeared since the run began are.
pub fn run_objects(listing: &[ObjectInfo], place: &Place, marker: &RunMarker, since_unix: i64) -> Vec<ObjectInfo> {
    let under: Vec<&ObjectInfo> = listing.iter().filter(|o| place.holds(&place.bucket, &o.key)).collect();
    let named = |o: &&ObjectInfo| [&marker.unique, &marker.stem].iter().any(|m| m.len() > 1 && o.key.rsplit('/').next().unwrap_or("").contains(m.as_str()));
    let mut mine: Vec<ObjectInfo> = if under.iter().any(named) {
        under.into_iter().filter(named).cloned().collect()
    } else {
        let since = since_unix.saturating_sub(SLACK_SECS);
        under.into_iter().filter(|o| o.last_modified_unix.is_some_and(|t| t >= since)).cloned().collect()
    };
    mine.sort_by(|a, b| a.key.cmp(&b.key));
    mine
}

/// The jobs of `service` that are the run's at a stage `expected` inputs
/// reached since `since_unix`: the earliest created since then (queued
/// ones, with no time yet, count as the newest), at most one per input.
/// Jobs from up to [`SLACK_SECS`] before count only when too few came
/// after, the nearest first: the storage's and the cluster's clocks may
/// differ, but a run just before this one must not lend it its job (and a
/// job that finished before `since_unix` never counts).
pub fn stage_jobs(jobs: &[Job], service: &str, since_unix: i64, expected: usize) -> Vec<Job> {
    let early = since_unix.saturating_sub(SLACK_SECS);
    // A job that finished before the input arrived is not the input's.
    let mine = jobs.iter().filter(|j| is_job_of(&j.name, service) && j.finish_unix.is_none_or(|f| f >= since_unix));
    let mut after: Vec<&Job> = mine.clone().filter(|j| j.creation_unix.map_or(!j.status.is_finished(), |t| t >= since_unix)).collect();
    after.sort_by_key(|j| (j.creation_unix.unwrap_or(i64::MAX), j.name.clone()));
    let mut before: Vec<&Job> = mine.filter(|j| j.creation_unix.is_some_and(|t| t >= early && t < since_unix)).collect();
    before.sort_by_key(|j| (std::cmp::Reverse(j.creation_unix), j.name.clone()));
    let lacking = expected.saturating_sub(after.len());
    let mut v: Vec<Job> = before.into_iter().take(lacking).chain(after).take(expected).cloned().collect();
    v.sort_by_key(|j| (j.creation_unix.unwrap_or(i64::MAX), j.name.clone()));
    v
}

/// Where a stage of a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageState {
    /// Nothing has reached it yet.
    NotReached,
    /// Inputs arrived; jobs pending or running.
    Running,
    /// Every input's job succeeded.
    Done,
    /// Every input's job finished, and at least one failed.
    Failed,
    /// Earlier stages are over and nothing reached this one.
    Skipped,
}

impl StageState {
    /// Will not change any more.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Done | Self::Failed | Self::Skipped)
    }

    /// Its word on the page.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotReached => "Not reached yet",
            Self::Running => "Running",
            Self::Done => "Done",
            Self::Failed => "Failed",
            Self::Skipped => "Nothing reached it",
        }
    }
}

/// What the last poll saw of one stage.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Seen {
    /// The run's jobs of this stage.
    pub jobs: Vec<Job>,
    /// The run's objects at each followed output place, listed after the jobs were read.
    pub outputs: Vec<(Place, Vec<ObjectInfo>)>,
}

impl Seen {
    /// Every output object of the stage, once each, by key.
    pub fn all_outputs(&self) -> Vec<ObjectInfo> {
        let mut v: Vec<ObjectInfo> = self.outputs.iter().flat_map(|(p, os)| os.iter().map(move |o| (p, o))).map(|(_, o)| o.clone()).collect();
        v.sort_by(|a, b| a.key.cmp(&b.key));
        v.dedup_by(|a, b| a.key == b.key);
        v
    }
}

impl Workflow {
    /// The objects that reached `stage`: the upload for the entry stage,
    /// else what upstream stages wrote where this one reads.
    pub fn inputs_of(&self, stage: usize, entry: usize, seen: &[Seen]) -> Vec<(String, ObjectInfo)> {
        let mut v: Vec<(String, ObjectInfo)> = Vec::new();
        if stage == entry {
            return v;
        }
        for up in self.upstream(stage) {
            for (place, objects) in seen.get(up).map(|s| s.outputs.as_slice()).unwrap_or(&[]) {
                if self.stages[stage].reads(place) {
                    for o in objects {
                        let hit = self.stages[stage].followed_inputs().any(|i| i.holds(&place.bucket, &o.key));
                        if hit && !v.iter().any(|(b, x)| *b == place.bucket && x.key == o.key) {
                            v.push((place.bucket.clone(), o.clone()));
                        }
                    }
                }
            }
        }
        v
    }

    /// Every stage's state, from what was seen. `entry` is where the upload
    /// went (it has one input). A stage is done once its upstream is over
    /// and each of its inputs has a finished job.
    pub fn states(&self, entry: usize, seen: &[Seen]) -> Vec<StageState> {
        let mut states = vec![StageState::NotReached; self.stages.len()];
        // Stages in order; a cycle's back links are ignored here.
        for s in 0..self.stages.len() {
            let inputs = if s == entry { 1 } else { self.inputs_of(s, entry, seen).len() };
            let ups: Vec<usize> = self.links.iter().filter(|l| l.to == s && !l.back).map(|l| l.from).collect();
            let upstream_over = s == entry || ups.iter().all(|u| states[*u].is_final());
            let jobs = seen.get(s).map(|x| x.jobs.as_slice()).unwrap_or(&[]);
            let finished = jobs.iter().filter(|j| j.status.is_finished()).count();
            let failed = jobs.iter().any(|j| j.status == JobStatus::Failed);
            states[s] = if inputs == 0 {
                if upstream_over { StageState::Skipped } else { StageState::NotReached }
            } else if upstream_over && finished >= inputs && finished == jobs.len() {
                if failed { StageState::Failed } else { StageState::Done }
            } else {
                StageState::Running
            };
        }
        states
    }
}

/// Whether a run is over: every stage will stay as it is.
pub fn run_over(states: &[StageState]) -> bool {
    states.iter().all(|s| s.is_final())
}

/// A workflow run in flight, kept in sessionStorage so that a reload
/// reattaches. Names and times only, never a secret.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PendingWorkflow {
    /// The first stage's service.
    pub entry: String,
    /// The uploaded object's key, in the entry's input bucket.
    pub input_key: String,
    /// How the run's objects are recognised in every stage.
    pub marker: RunMarker,
    /// The name the user gave, for display.
    pub file_name: String,
}

impl PendingWorkflow {
    /// Reads a stored run; `None` if unreadable or incomplete.
    pub fn from_json(s: &str) -> Option<Self> {
        let run: Self = serde_json::from_str(s).ok()?;
        (!run.entry.is_empty() && !run.input_key.is_empty() && run.marker.unique.len() > 1).then_some(run)
    }

    /// The JSON to store.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(json: serde_json::Value) -> Service {
        Service::from_value(json).expect("service")
    }

    fn svc(name: &str, input: &[(&str, &str)], output: &[(&str, &str)]) -> Service {
        let io = |v: &[(&str, &str)]| v.iter().map(|(p, path)| serde_json::json!({"storage_provider": p, "path": path})).collect::<Vec<_>>();
        service(serde_json::json!({"name": name, "input": io(input), "output": io(output)}))
    }

    #[test]
    fn places_are_tolerant() {
        let io = |p: &str, path: &str| StorageIo { storage_provider: p.into(), path: path.into(), ..StorageIo::default() };
        let a = Place::of(&io("minio", "bucket/in/"), "x");
        let b = Place::of(&io("minio.default", "/bucket//in"), "x");
        let c = Place::of(&io("", "bucket"), "x");
        assert_eq!(a, b);
        assert_eq!(c.path(), "x/bucket");
        assert!(Place::of(&io("MinIO.Default", "bucket/in"), "x").followed());
        let whole = Place::of(&io("minio", "bucket/"), "x");
        assert_eq!(whole.path(), "bucket");
        assert!(whole.overlaps(&a) && a.overlaps(&whole));
        assert!(!Place::of(&io("minio", "bucket/inx"), "x").overlaps(&a));
        assert!(!Place::of(&io("s3.aws", "bucket/in"), "x").overlaps(&a));
        assert!(a.holds("bucket", "in/f.png") && !a.holds("bucket", "in/") && !a.holds("bucket", "input/f"));
        assert_eq!(Place::of(&io("webdav", "d/p"), "x").label(), "webdav.default: d/p");
    }

    #[test]
    fn cycles_fan_in_and_loops_are_found() {
        let list = vec![
            svc("a", &[("minio", "w/in")], &[("minio", "w/mid")]),
            svc("b", &[("minio", "w/mid")], &[("minio", "w/in")]),
            svc("lone", &[("minio", "l/in")], &[("minio", "l/")]),
        ];
        let d = detect(&list);
        assert_eq!(d.workflows.len(), 1);
        let w = &d.workflows[0];
        assert!(w.has_cycle());
        assert_eq!(w.stages[w.entry()].name, "a");
        assert!(w.notes.iter().any(|n| matches!(n, Note::Cycle { stages } if stages.len() == 2)), "{:?}", w.notes);
        assert_eq!(d.lone_loops, vec![("lone".to_string(), Place::of(&list[2].output[0], "lone"))]);

        let fan_in = vec![
            svc("left", &[("minio", "f/l")], &[("minio", "f/join")]),
            svc("right", &[("minio", "f/r")], &[("minio", "f/join/")]),
            svc("join", &[("minio", "f/join")], &[("minio", "f/out")]),
        ];
        let w = &detect(&fan_in).workflows[0];
        assert_eq!(w.sources().len(), 2);
        let j = w.stage("join").expect("join");
        assert_eq!(w.upstream(j).len(), 2);
        assert_eq!(w.layer[j], 1);
        let layout = w.layout();
        assert_eq!(layout.boxes.len(), 3);
        assert_eq!(layout.arrows.iter().filter(|a| a.kind == ArrowKind::Entry).count(), 2);
        assert!(layout.boxes.iter().all(|b| b.x >= 0.0 && b.x + b.w <= layout.width && b.y + b.h <= layout.height));
    }

    #[test]
    fn following_counts_fan_out_objects() {
        let list = vec![
            svc("split", &[("minio", "v/in")], &[("minio", "v/med")]),
            svc("classify", &[("minio", "v/med")], &[("minio", "v/out")]),
        ];
        let w = &detect(&list).workflows[0];
        let marker = RunMarker::new("abcd1234", "clip.png", 1000);
        let obj = |key: &str, t: i64| ObjectInfo { key: key.into(), size: 1, last_modified_unix: Some(t), etag: String::new() };
        let job = |svc: &str, n: u8, status: JobStatus| Job {
            name: format!("{svc}-{n:08}-0000-4000-8000-000000000000"),
            status,
            creation_unix: Some(1001),
            start_unix: None,
            finish_unix: None,
        };
        let listing = vec![obj("med/abcd1234-clip_1.png", 1002), obj("med/abcd1234-clip_2.png", 1002), obj("med/other.png", 1003)];
        let med = w.stages[0].outputs[0].clone();
        let frames = run_objects(&listing, &med, &marker, 1000);
        assert_eq!(frames.len(), 2, "the other run's frame is not this run's");
        let mut seen = vec![Seen { jobs: vec![job("split", 1, JobStatus::Succeeded)], outputs: vec![(med.clone(), frames)] }, Seen::default()];
        assert_eq!(w.states(0, &seen), vec![StageState::Done, StageState::Running]);
        seen[1].jobs = vec![job("classify", 1, JobStatus::Succeeded)];
        assert_eq!(w.states(0, &seen)[1], StageState::Running, "one of two frames done");
        seen[1].jobs.push(job("classify", 2, JobStatus::Failed));
        assert_eq!(w.states(0, &seen)[1], StageState::Failed);
        assert!(run_over(&w.states(0, &seen)));
        // Nothing came out of the first stage: the second is skipped.
        seen[0].outputs[0].1.clear();
        assert_eq!(w.states(0, &seen)[1], StageState::Skipped);
        // Renamed outputs: the time window decides.
        let renamed = vec![obj("med/frame-1.png", 990), obj("med/frame-2.png", 1001)];
        assert_eq!(run_objects(&renamed, &med, &marker, 1000).len(), 2, "within the clock slack");
        assert_eq!(run_objects(&renamed, &med, &marker, 1020).len(), 0);
    }

    #[test]
    fn jobs_of_the_window() {
        let job = |n: u8, t: Option<i64>, status| Job { name: format!("s-{n:08}-0000-4000-8000-000000000000"), status, creation_unix: t, start_unix: None, finish_unix: None };
        let jobs = vec![job(1, Some(10), JobStatus::Succeeded), job(2, Some(100), JobStatus::Running), job(3, None, JobStatus::Pending)];
        let names = |v: Vec<Job>| v.into_iter().map(|j| j.name[..10].to_string()).collect::<Vec<_>>();
        assert_eq!(names(stage_jobs(&jobs, "s", 100, 2)), ["s-00000002", "s-00000003"]);
        assert_eq!(names(stage_jobs(&jobs, "s", 100, 1)), ["s-00000002"], "never more jobs than inputs");
        assert!(stage_jobs(&jobs, "other", 0, 5).is_empty());
        // A job of a run 4 s before this one's upload is not this run's once
        // this run's own job is there; before that, the clock slack lets it in.
        let earlier = vec![job(4, Some(96), JobStatus::Succeeded), job(5, Some(101), JobStatus::Running)];
        assert_eq!(names(stage_jobs(&earlier, "s", 100, 1)), ["s-00000005"]);
        assert_eq!(names(stage_jobs(&earlier[..1], "s", 100, 1)), ["s-00000004"]);
        assert!(stage_jobs(&earlier[..1], "s", 120, 1).is_empty());
        let mut over = earlier[0].clone();
        over.finish_unix = Some(98);
        assert!(stage_jobs(&[over], "s", 100, 1).is_empty(), "finished before the upload");
    }
}
