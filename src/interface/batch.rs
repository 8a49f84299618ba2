//! Batch runs, the pure part: how a batch's inputs are named in the input
//! bucket, how outputs are matched back to them, what a row of the results
//! says about its output, the progress line, the pace of sync requests, the
//! summary files, and the state a reload reattaches to (no secrets in it).
//!
//! OSCAR links no output to its input (OSCAR-API.md §8): the supervisor keeps
//! the input's base name, and scripts name outputs after it. So every input
//! of a batch gets a base name that starts with the batch id and its index
//! (`<batch>-00007-leaf.png`), and one listing of `<output prefix>/<batch>-`
//! finds every output of the batch, whatever extension the script gave it.

use crate::oscar::decode::{human_size, sniff, Kind};
use crate::oscar::labels::parse_labels;
use crate::oscar::storage::{safe_name, stem, unique_id};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The most inputs one batch takes (the state of a reload must fit in sessionStorage).
pub const MAX_ITEMS: usize = 10_000;
/// "At once": the default number of sync requests in flight.
pub const AT_ONCE_DEFAULT: u32 = 4;
/// "At once": the most sync requests in flight a user may ask for.
pub const AT_ONCE_MAX: u32 = 32;
/// Uploads in flight at once for an async batch.
pub const UPLOADS_AT_ONCE: usize = 3;
/// Times an item meets a busy cluster (429/503) before it counts as failed.
pub const BUSY_RETRIES: u32 = 6;
/// The shortest wait between two listings of the output prefix: at most one
/// list request per second, whatever happens.
pub const LIST_MIN_MS: u32 = 1000;
/// The longest wait between two listings when nothing changes.
pub const LIST_MAX_MS: u32 = 8000;
/// Rows drawn at once in the results table ("Show more" draws the next).
pub const ROWS_SHOWN: usize = 200;
/// The characters of text kept as a row's summary.
pub const SUMMARY_CHARS: usize = 80;

/// Where an item of a batch is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    #[default]
    Queued,
    Uploading,
    Waiting,
    Done,
    Failed,
    /// Not started: cancelled, or its file was lost in a reload.
    NotSent,
}

impl Status {
    pub const ALL: [Status; 6] = [Self::Queued, Self::Uploading, Self::Waiting, Self::Done, Self::Failed, Self::NotSent];

    /// Its name in the table.
    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Uploading => "uploading",
            Self::Waiting => "waiting",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::NotSent => "not sent",
        }
    }

    /// Finished, one way or the other.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Done | Self::Failed | Self::NotSent)
    }
}

/// A fresh batch id: `b` and 8 base-36 characters from `random`.
pub fn batch_id(random: u64) -> String {
    format!("b{}", unique_id(random))
}

/// The base name an item's input gets: `<batch>-<index, 5 digits>-<safe name>`.
pub fn item_name(batch: &str, index: usize, file_name: &str) -> String {
    format!("{batch}-{index:05}-{}", safe_name(file_name))
}

/// The key of an item's input: under `<prefix>/<batch>/` in the input bucket.
pub fn input_key(input_prefix: &str, batch: &str, index: usize, file_name: &str) -> String {
    let prefix = input_prefix.trim_matches('/');
    let name = item_name(batch, index, file_name);
    if prefix.is_empty() {
        format!("{batch}/{name}")
    } else {
        format!("{prefix}/{batch}/{name}")
    }
}

/// The prefix one listing of the output bucket asks for: every output of the batch.
pub fn output_list_prefix(output_prefix: &str, batch: &str) -> String {
    let prefix = output_prefix.trim_matches('/');
    if prefix.is_empty() {
        format!("{batch}-")
    } else {
        format!("{prefix}/{batch}-")
    }
}

/// The index of the item an output belongs to, from its key's base name
/// (`…/<batch>-00007-leaf.json` → 7); `None` for anything else.
pub fn item_of_output(key: &str, batch: &str) -> Option<usize> {
    let base = key.rsplit('/').next()?;
    let rest = base.strip_prefix(batch)?.strip_prefix('-')?;
    let (digits, _) = rest.split_once('-')?;
    if digits.len() < 5 || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The index of the item a job's logs name, from the supervisor's
/// "Downloading file '<key>'" line.
pub fn item_of_logs(logs: &str, batch: &str) -> Option<usize> {
    logs.lines()
        .filter_map(|l| l.split("Downloading file '").nth(1))
        .filter_map(|rest| rest.split('\'').next())
        .find_map(|key| item_of_output(key, batch))
}

/// An output's name in the results ZIP: named after its input. An async
/// output loses its batch prefix (`b…-00007-leaf.json` → `leaf.json`); a
/// sync output (`output.json`) takes the input's stem (`leaf.json`).
pub fn result_name(input_name: &str, output_name: &str, batch: &str) -> String {
    let base = output_name.rsplit('/').next().unwrap_or(output_name);
    if let Some(rest) = base.strip_prefix(batch).and_then(|r| r.strip_prefix('-')) {
        if let Some((_, name)) = rest.split_once('-') {
            if !name.is_empty() {
                return name.to_string();
            }
        }
    }
    let input = safe_name(input_name);
    let ext = base.rsplit_once('.').map(|(_, e)| e).filter(|e| !e.is_empty());
    match ext {
        Some(ext) => format!("{}.{ext}", stem(&input)),
        None => input,
    }
}

/// Makes names unique in order: a second `a.json` becomes `a (2).json`.
pub fn unique_names(names: &[String]) -> Vec<String> {
    let mut taken = HashSet::new();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let mut candidate = name.clone();
        let mut n = 2;
        while !taken.insert(candidate.clone()) {
            candidate = match name.rsplit_once('.') {
                Some((s, e)) if !s.is_empty() => format!("{s} ({n}).{e}"),
                _ => format!("{name} ({n})"),
            };
            n += 1;
        }
        out.push(candidate);
    }
    out
}

/// What a row says about its output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// One line: "rose · 91%", the text's first line, "Image, 3.1 KB", "ZIP, 3 entries".
    pub line: String,
    /// The top label and its score, for a classifier.
    pub label: Option<String>,
    pub score: Option<f64>,
    /// The output is an image (the row shows a thumbnail).
    pub image: bool,
    pub bytes: u64,
}

/// Summarises an output's bytes for the results table.
pub fn summarize(bytes: &[u8]) -> Summary {
    let kind = sniff(bytes);
    let size = bytes.len() as u64;
    let plain = |line: String| Summary { line, bytes: size, ..Summary::default() };
    if kind.is_image() {
        return Summary { line: format!("Image, {}", human_size(size)), image: true, bytes: size, ..Summary::default() };
    }
    match kind {
        Kind::Zip => {
            let line = match crate::oscar::zip::list(bytes) {
                Ok(entries) => {
                    let files = entries.iter().filter(|e| !e.is_dir).count();
                    format!("ZIP, {files} {}", if files == 1 { "entry" } else { "entries" })
                }
                Err(_) => format!("ZIP, {}", human_size(size)),
            };
            plain(line)
        }
        _ if kind.is_text() => {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(1 << 20)]);
            if let Some(top) = parse_labels(&text).as_ref().and_then(|l| l.top().cloned()) {
                return Summary {
                    line: format!("{} · {:.0}%", cut(&top.label, SUMMARY_CHARS - 8), top.score * 100.0),
                    label: Some(top.label),
                    score: Some(top.score),
                    bytes: size,
                    image: false,
                };
            }
            // The first line that says something: ASCII art starts with a rule of `_`.
            let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
            let first = lines.clone().find(|l| l.chars().any(char::is_alphanumeric)).or_else(|| lines.next()).unwrap_or("(empty)");
            plain(cut(first, SUMMARY_CHARS))
        }
        _ if size == 0 => plain("(empty)".into()),
        _ => plain(format!("{}, {}", kind.label(), human_size(size))),
    }
}

/// `text` cut to `chars` characters, with "…" when it was longer.
pub fn cut(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// "37 of 120 done · 2 failed · about 1 min left".
pub fn progress_line(done: usize, failed: usize, total: usize, seconds_left: Option<f64>) -> String {
    let mut line = format!("{done} of {total} done");
    if failed > 0 {
        line.push_str(&format!(" · {failed} failed"));
    }
    if let Some(left) = seconds_left.filter(|s| s.is_finite() && *s >= 0.0) {
        line.push_str(" · ");
        line.push_str(&about_left(left));
    }
    line
}

fn about_left(seconds: f64) -> String {
    if seconds < 10.0 {
        "a few seconds left".into()
    } else if seconds < 60.0 {
        format!("about {} s left", (seconds / 10.0).round() as u64 * 10)
    } else if seconds < 3600.0 {
        format!("about {} min left", (seconds / 60.0).round() as u64)
    } else {
        format!("about {:.1} h left", seconds / 3600.0)
    }
}

/// The time left, from the pace so far: `elapsed` seconds for `finished` of `total`.
pub fn seconds_left(elapsed: f64, finished: usize, total: usize) -> Option<f64> {
    (finished > 0 && finished < total && elapsed > 0.0).then(|| elapsed / finished as f64 * (total - finished) as f64)
}

/// The pace of sync requests: up to "At once" in flight; a busy cluster
/// (429, 503) halves it and the next requests wait, successes bring it back.
#[derive(Clone, Debug, PartialEq)]
pub struct Pace {
    limit: u32,
    allowed: u32,
    ok_since_busy: u32,
    /// Milliseconds to wait before the next start.
    pub pause_ms: u32,
}

impl Pace {
    /// A pace of at most `at_once` requests (clamped to 1..=[`AT_ONCE_MAX`]).
    pub fn new(at_once: u32) -> Self {
        let limit = at_once.clamp(1, AT_ONCE_MAX);
        Self { limit, allowed: limit, ok_since_busy: 0, pause_ms: 0 }
    }

    /// Requests allowed in flight now.
    pub fn allowed(&self) -> u32 {
        self.allowed
    }

    /// The cluster said it is busy: halve, and pause longer each time.
    pub fn busy(&mut self) {
        self.allowed = (self.allowed / 2).max(1);
        self.ok_since_busy = 0;
        self.pause_ms = (self.pause_ms.max(250) * 2).min(8000);
    }

    /// A request went through: after as many successes as are allowed, one more.
    pub fn ok(&mut self) {
        self.ok_since_busy += 1;
        if self.ok_since_busy >= self.allowed {
            self.ok_since_busy = 0;
            self.pause_ms /= 2;
            if self.pause_ms < 100 {
                self.pause_ms = 0;
            }
            self.allowed = (self.allowed + 1).min(self.limit);
        }
    }
}

/// Waits between listings: [`LIST_MIN_MS`] after a change, ×1.5 while
/// nothing changes, up to [`LIST_MAX_MS`].
#[derive(Clone, Debug, PartialEq)]
pub struct ListPace(u32);

impl ListPace {
    pub fn new() -> Self {
        Self(LIST_MIN_MS)
    }

    /// The wait before the next listing; `changed` says whether the last one found something new.
    pub fn next(&mut self, changed: bool) -> u32 {
        self.0 = if changed { LIST_MIN_MS } else { (self.0 + self.0 / 2).min(LIST_MAX_MS) };
        self.0
    }
}

impl Default for ListPace {
    fn default() -> Self {
        Self::new()
    }
}

/// "One input per line": the non-blank lines, each checked as JSON when the
/// input is JSON (JSONL), with the first bad line named.
pub fn split_lines(text: &str, json: bool) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if json {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(line) {
                return Err(format!("Line {} is not JSON ({e}). Put one JSON object on each line.", n + 1));
            }
        }
        if out.len() == MAX_ITEMS {
            return Err(format!("A batch takes at most {MAX_ITEMS} inputs. Split the lines into several batches."));
        }
        out.push(line.to_string());
    }
    Ok(out)
}

/// The largest CSV of inputs read ("Inputs from a CSV").
pub const MAX_CSV_BYTES: u64 = 8 * 1024 * 1024;

/// "Inputs from a CSV" for a spec with several inputs: a header row of input
/// ids, then one item per row, each cell the value of its column's input (a
/// file input's cell names a file). Blank rows are skipped; a column that is
/// no input, or a header without any input, is refused with what to fix.
pub fn csv_rows(text: &str, ids: &[&str]) -> Result<Vec<BTreeMap<String, String>>, String> {
    let text = text.trim_start_matches('\u{feff}');
    let rows = crate::interface::table::parse(text, crate::interface::table::guess_delimiter(text), MAX_ITEMS + 2);
    let mut rows = rows.into_iter().filter(|r| r.iter().any(|c| !c.trim().is_empty()));
    let header: Vec<String> = rows.next().ok_or("The CSV is empty: put the input ids in its first row.")?.iter().map(|h| h.trim().to_string()).collect();
    let known = ids.join(", ");
    if let Some(bad) = header.iter().find(|h| !ids.contains(&h.as_str())) {
        return Err(format!("The column “{}” is no input of this service. Name the columns after its inputs: {known}.", cut(bad, 60)));
    }
    if header.is_empty() {
        return Err(format!("The CSV's first row names no input. Name the columns after the inputs: {known}."));
    }
    let mut seen = HashSet::new();
    if let Some(twice) = header.iter().find(|h| !seen.insert(h.as_str())) {
        return Err(format!("The column “{twice}” is there twice. Keep one column per input."));
    }
    let mut out = Vec::new();
    for row in rows {
        if out.len() == MAX_ITEMS {
            return Err(format!("A batch takes at most {MAX_ITEMS} inputs. Split the CSV into several batches."));
        }
        out.push(header.iter().cloned().zip(row.into_iter().map(|c| c.trim().to_string()).chain(std::iter::repeat(String::new()))).collect());
    }
    if out.is_empty() {
        return Err("The CSV has its header but no rows: add one row per input.".into());
    }
    Ok(out)
}

/// One row of the summary, as the downloads write it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryRow {
    pub input: String,
    pub status: &'static str,
    pub seconds: Option<f64>,
    pub output: String,
    pub label: Option<String>,
    pub score: Option<f64>,
    pub error: String,
}

/// The summary as CSV: a header and one row per input.
pub fn summary_csv(rows: &[SummaryRow]) -> String {
    let mut out = String::from("input,status,seconds,output,label,score,error\r\n");
    for r in rows {
        let fields = [
            csv_field(&r.input),
            r.status.to_string(),
            r.seconds.map(|s| format!("{s:.2}")).unwrap_or_default(),
            csv_field(&r.output),
            csv_field(r.label.as_deref().unwrap_or("")),
            r.score.map(|s| format!("{s:.4}")).unwrap_or_default(),
            csv_field(&r.error),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A CSV field, quoted when it must be (RFC 4180); a leading `=`, `+`, `-`
/// or `@` gets a `'`, so that a spreadsheet does not run it as a formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The summary as JSON: an array of row objects.
pub fn summary_json(rows: &[SummaryRow]) -> String {
    serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".into())
}

/// A batch as a reload finds it in sessionStorage: names, sizes, keys and
/// summaries, never a token, a password or a key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedBatch {
    pub id: String,
    pub service: String,
    /// Sync (`POST /run`) rather than through the bucket.
    pub sync: bool,
    /// Unix seconds at the start, on the storage's clock.
    pub started_unix: i64,
    pub items: Vec<SavedItem>,
}

/// One item of a saved batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedItem {
    pub index: usize,
    pub name: String,
    pub size: u64,
    pub status: Status,
    #[serde(default)]
    pub seconds: Option<f64>,
    #[serde(default)]
    pub output: Option<String>,
    #[serde(default)]
    pub summary: Option<Summary>,
    #[serde(default)]
    pub error: Option<String>,
}

impl SavedBatch {
    /// The saved state as it comes back after a reload: items in flight of
    /// a sync batch, and items an async batch had not uploaded, lost their
    /// file: they are "not sent". Uploaded async items keep waiting.
    pub fn reloaded(mut self) -> Self {
        for item in &mut self.items {
            let lost = match item.status {
                Status::Queued | Status::Uploading => true,
                Status::Waiting => self.sync,
                _ => false,
            };
            if lost {
                item.status = Status::NotSent;
                item.error = Some("Not sent before the page was reloaded. Add the file again to send it.".into());
            }
        }
        self
    }

    /// Parses what sessionStorage holds; anything unreadable is no batch.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// How many items are in each status.
pub fn counts(statuses: impl IntoIterator<Item = Status>) -> BTreeMap<Status, usize> {
    let mut out = BTreeMap::new();
    for s in statuses {
        *out.entry(s).or_insert(0) += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_outputs_meet_by_batch_and_index() {
        assert_eq!(input_key("input", "babc", 7, "leaf 1.png"), "input/babc/babc-00007-leaf_1.png");
        assert_eq!(input_key("", "babc", 0, "a.png"), "babc/babc-00000-a.png");
        assert_eq!(output_list_prefix("output/", "babc"), "output/babc-");
        assert_eq!(item_of_output("output/babc-00007-leaf_1.json", "babc"), Some(7));
        assert_eq!(item_of_output("output/babc-00007-leaf_1_gray.png", "babc"), Some(7));
        assert_eq!(item_of_output("output/bxyz-00007-leaf.json", "babc"), None);
        assert_eq!(item_of_output("output/babc-7-leaf.json", "babc"), None);
        assert_eq!(item_of_output(&format!("o/{}", item_name("babc", 123_456, "x.png")), "babc"), Some(123_456));
        assert_eq!(item_of_output("output/output.json", "babc"), None);
        let logs = "INFO - Downloading file 'input/babc/babc-00042-x.png' from bucket 'plants'\n";
        assert_eq!(item_of_logs(logs, "babc"), Some(42));
        assert_eq!(item_of_logs("nothing here", "babc"), None);
    }

    #[test]
    fn results_are_named_after_their_inputs() {
        assert_eq!(result_name("leaf.png", "output/babc-00003-leaf.json", "babc"), "leaf.json");
        assert_eq!(result_name("my leaf.png", "output.json", "babc"), "my_leaf.json");
        assert_eq!(result_name("notes", "output", "babc"), "notes");
        let names: Vec<String> = ["a.json", "a.json", "b", "b", "a.json"].iter().map(|s| s.to_string()).collect();
        assert_eq!(unique_names(&names), ["a.json", "a (2).json", "b", "b (2)", "a (3).json"]);
    }

    #[test]
    fn summaries_fit_the_output() {
        let labels = br#"{"labels":["rose","tulip"],"probabilities":[0.91,0.09]}"#;
        let s = summarize(labels);
        assert_eq!((s.label.as_deref(), s.line.as_str()), (Some("rose"), "rose · 91%"));
        assert_eq!(summarize(b"\n  hello world\nmore").line, "hello world");
        assert_eq!(summarize(b" _____\n< moo >\n -----").line, "< moo >", "cowsay's rule says nothing");
        assert_eq!(summarize(b"---\n***").line, "---");
        let long = "x".repeat(200);
        assert_eq!(summarize(long.as_bytes()).line.chars().count(), SUMMARY_CHARS + 1);
        let png = b"\x89PNG\r\n\x1a\n0000000000000000";
        assert!(summarize(png).image);
        assert_eq!(summarize(b"").line, "(empty)");
    }

    #[test]
    fn the_progress_line_says_what_is_done_and_left() {
        assert_eq!(progress_line(37, 2, 120, Some(61.0)), "37 of 120 done · 2 failed · about 1 min left");
        assert_eq!(progress_line(0, 0, 5, None), "0 of 5 done");
        assert_eq!(progress_line(3, 0, 5, Some(4.0)), "3 of 5 done · a few seconds left");
        assert_eq!(seconds_left(10.0, 5, 10), Some(10.0));
        assert_eq!(seconds_left(10.0, 10, 10), None);
        assert_eq!(seconds_left(10.0, 0, 10), None);
    }

    #[test]
    fn a_busy_cluster_slows_the_pace_and_successes_restore_it() {
        let mut p = Pace::new(4);
        assert_eq!(p.allowed(), 4);
        p.busy();
        assert_eq!((p.allowed(), p.pause_ms), (2, 500));
        p.busy();
        p.busy();
        assert_eq!(p.allowed(), 1);
        assert!(p.pause_ms > 500);
        for _ in 0..20 {
            p.ok();
        }
        assert_eq!((p.allowed(), p.pause_ms), (4, 0));
        assert_eq!(Pace::new(0).allowed(), 1);
        assert_eq!(Pace::new(1000).allowed(), AT_ONCE_MAX);
    }

    #[test]
    fn listings_never_come_faster_than_one_a_second() {
        let mut p = ListPace::new();
        let waits: Vec<u32> = (0..8).map(|i| p.next(i == 5)).collect();
        assert!(waits.iter().all(|w| *w >= LIST_MIN_MS), "{waits:?}");
        assert_eq!(waits[5], LIST_MIN_MS);
        assert_eq!(*waits.iter().max().unwrap_or(&0), LIST_MAX_MS.min(waits[4]));
    }

    #[test]
    fn lines_become_inputs_and_bad_json_is_named() {
        assert_eq!(split_lines("a\n\n b \n", false), Ok(vec!["a".into(), "b".into()]));
        assert_eq!(split_lines("{\"m\":1}\n[2]\n", true).map(|v| v.len()), Ok(2));
        let err = split_lines("{\"m\":1}\n{oops}\n", true).expect_err("bad line");
        assert!(err.starts_with("Line 2 is not JSON"), "{err}");
        let many = "x\n".repeat(MAX_ITEMS + 1);
        assert!(split_lines(&many, false).is_err());
        assert_eq!(split_lines(&"x\n".repeat(MAX_ITEMS), false).map(|v| v.len()), Ok(MAX_ITEMS));
    }

    #[test]
    fn a_csv_of_inputs_gives_one_item_per_row_and_says_what_is_wrong() {
        let ids = ["image", "threshold"];
        let rows = csv_rows("\u{feff}image,threshold\nleaf.png,0.5\n\n\"b, c.png\"\n", &ids).expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get("threshold").map(String::as_str), Some("0.5"));
        assert_eq!(rows[1].get("image").map(String::as_str), Some("b, c.png"));
        assert_eq!(rows[1].get("threshold").map(String::as_str), Some(""), "a short row leaves the rest blank");
        let tsv = csv_rows("threshold\timage\n1\tx.png\n", &ids).expect("tsv");
        assert_eq!(tsv[0].get("image").map(String::as_str), Some("x.png"));
        assert!(csv_rows("image,size\na,1\n", &ids).expect_err("unknown").contains("“size” is no input"));
        assert!(csv_rows("image,image\na,b\n", &ids).expect_err("twice").contains("twice"));
        assert!(csv_rows("image\n", &ids).expect_err("no rows").contains("no rows"));
        assert!(csv_rows("", &ids).expect_err("empty").contains("empty"));
        let many = format!("image\n{}", "a\n".repeat(MAX_ITEMS + 1));
        assert!(csv_rows(&many, &ids).is_err());
        let just = format!("image\n{}", "a\n".repeat(MAX_ITEMS));
        assert_eq!(csv_rows(&just, &ids).map(|r| r.len()), Ok(MAX_ITEMS));
    }

    #[test]
    fn the_summary_csv_quotes_and_defuses_fields() {
        let rows = [SummaryRow {
            input: "a,b.png".into(),
            status: "done",
            seconds: Some(1.5),
            output: "=SUM(A1)".into(),
            label: Some("say \"hi\"".into()),
            score: Some(0.5),
            error: String::new(),
        }];
        let csv = summary_csv(&rows);
        assert_eq!(csv.lines().nth(1), Some("\"a,b.png\",done,1.50,'=SUM(A1),\"say \"\"hi\"\"\",0.5000,"));
        assert!(summary_json(&rows).contains("\"label\": \"say \\\"hi\\\"\""));
    }

    #[test]
    fn a_reload_keeps_what_was_uploaded_and_marks_the_rest_not_sent() {
        let item = |index, status| SavedItem { index, name: format!("{index}.png"), size: 1, status, seconds: None, output: None, summary: None, error: None };
        let batch = SavedBatch {
            id: "babc".into(),
            service: "s".into(),
            sync: false,
            started_unix: 0,
            items: vec![item(0, Status::Done), item(1, Status::Waiting), item(2, Status::Uploading), item(3, Status::Queued)],
        };
        let text = serde_json::to_string(&batch).expect("json");
        let back = SavedBatch::parse(&text).expect("parse").reloaded();
        let statuses: Vec<Status> = back.items.iter().map(|i| i.status).collect();
        assert_eq!(statuses, [Status::Done, Status::Waiting, Status::NotSent, Status::NotSent]);
        let sync = SavedBatch { sync: true, ..batch }.reloaded();
        assert_eq!(sync.items[1].status, Status::NotSent);
        assert!(SavedBatch::parse("{not json").is_none());
    }

    /// The saved state stays in sessionStorage: Chromium and Firefox give an
    /// origin 5 M characters there. A full batch of done items, with long
    /// names, output keys and summaries, must fit (3.65 M characters today).
    #[test]
    fn a_full_batch_fits_in_session_storage() {
        let items = (0..MAX_ITEMS)
            .map(|index| SavedItem {
                index,
                name: format!("IMG_20261202_{index:05}_holiday-photo-long-name.jpg"),
                size: 3_456_789,
                status: Status::Done,
                seconds: Some(12.25),
                output: Some(format!("plants/output/bk3j9x2m1-{index:05}-IMG_20261202_{index:05}_holiday-photo-long-name.json")),
                summary: Some(Summary { line: "Taraxacum officinale (dandelion) · 97%".into(), label: Some("Taraxacum officinale (dandelion)".into()), score: Some(0.9731), image: false, bytes: 4_321 }),
                error: None,
            })
            .collect();
        let batch = SavedBatch { id: "bk3j9x2m1".into(), service: "plants-classification".into(), sync: false, started_unix: 1_790_000_000, items };
        let chars = serde_json::to_string(&batch).expect("json").chars().count();
        assert!(chars < 4_500_000, "{chars} characters for {MAX_ITEMS} items: over 90% of the quota");
    }
}
