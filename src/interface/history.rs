//! Run history: what a record holds, and how two runs compare. Records are
//! kept in this browser's IndexedDB (`crate::browser::history`), per cluster
//! endpoint and service; they never hold a password, a token or storage
//! keys, only what was run and what came back.

use super::batch::cut;
use super::payload::Values;
use super::spec::Spec;
use super::values::InputValue;
use crate::oscar::decode::{human_size, sniff};
use crate::oscar::labels::parse_labels;
use serde::{Deserialize, Serialize};

/// The inputs and output kept with one run, at most (else only summaries).
pub const KEEP_CAP: u64 = 20 * 1024 * 1024;
/// Runs listed at most per service (the oldest go first).
pub const MAX_RUNS: usize = 200;
/// Lines a diff compares at most on each side.
pub const DIFF_MAX_LINES: usize = 2_000;

/// One run, as recorded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Unique: the start time in ms and a counter.
    pub id: String,
    /// `<endpoint> <service>`: what a page lists.
    pub scope: String,
    pub service: String,
    /// `Date.now()` at the start.
    pub at_ms: f64,
    /// "sync", "async", "job" or "batch".
    pub how: String,
    pub ok: bool,
    pub seconds: f64,
    pub input_summary: String,
    pub output_summary: String,
    /// The error, for a failed run.
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub job: Option<String>,
    /// The interface the run used (its JSON).
    #[serde(default)]
    pub spec: String,
    /// The typed inputs, by input id.
    #[serde(default)]
    pub values: Vec<(String, String)>,
    /// The files given, by input id: (id, name, MIME type). Their bytes
    /// are kept next to the record when `kept` says so.
    #[serde(default)]
    pub files: Vec<(String, String, String)>,
    /// The output's file name (its bytes are kept next to the record).
    #[serde(default)]
    pub output_name: Option<String>,
    /// Bytes of inputs and output kept with the record (0: summaries only).
    #[serde(default)]
    pub kept_bytes: u64,
    /// Why the bytes were not kept, when they were not.
    #[serde(default)]
    pub not_kept: Option<String>,
}

/// What a page lists: one cluster's runs of one service.
pub fn scope(endpoint: &str, service: &str) -> String {
    format!("{} {service}", endpoint.trim_end_matches('/'))
}

impl Record {
    /// "12 Dec 14:03 · sync · 1.2 s": the list's line, from the local time parts.
    pub fn line(&self, when: &str) -> String {
        let status = if self.ok { "succeeded" } else { "failed" };
        format!("{when} · {} · {status} · {}", self.how, seconds_text(self.seconds))
    }
}

/// "0.4 s", "12 s", "3 min 5 s".
pub fn seconds_text(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return "—".into();
    }
    if s < 10.0 {
        format!("{s:.1} s")
    } else if s < 60.0 {
        format!("{} s", s.round() as u64)
    } else {
        let whole = s.round() as u64;
        format!("{} min {} s", whole / 60, whole % 60)
    }
}

/// Whether bytes of this size are kept; otherwise, why not.
pub fn keep(keep_on: bool, bytes: u64) -> Result<(), String> {
    if !keep_on {
        return Err("Inputs and outputs are not kept (the switch is off).".into());
    }
    if bytes > KEEP_CAP {
        return Err(format!("Not kept: {} is over the {} a run may keep.", human_size(bytes), human_size(KEEP_CAP)));
    }
    Ok(())
}

/// Characters of one input's value in a summary.
const VALUE_CHARS: usize = 60;

/// The inputs in a line: "Caption: a red leaf · Image: leaf.png (2.1 KB)".
pub fn input_summary(spec: &Spec, values: &Values) -> String {
    let mut parts = Vec::new();
    for input in &spec.inputs {
        let label = if input.label.is_empty() { input.id.as_str() } else { input.label.as_str() };
        match values.get(&input.id) {
            Some(InputValue::Text(t)) if !t.trim().is_empty() => {
                let one_line: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
                parts.push(format!("{label}: {}", cut(&one_line, VALUE_CHARS)));
            }
            Some(InputValue::File(f)) => parts.push(format!("{label}: {} ({})", f.name, human_size(f.size))),
            _ => {}
        }
    }
    if parts.is_empty() {
        "No input".into()
    } else {
        parts.join(" · ")
    }
}

/// What the history uses, in a line.
pub fn usage_line(runs: usize, bytes: u64) -> String {
    match runs {
        0 => "No runs recorded in this browser yet.".into(),
        1 => format!("1 run recorded; inputs and outputs use {} in this browser.", human_size(bytes)),
        n => format!("{n} runs recorded; inputs and outputs use {} in this browser.", human_size(bytes)),
    }
}

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    /// Only in the first run.
    Gone(String),
    /// Only in the second run.
    Added(String),
}

/// A line diff of two texts (longest common subsequence), or `None` when
/// either side has more than [`DIFF_MAX_LINES`] lines (the work is their
/// product) or is not text.
pub fn line_diff(a: &str, b: &str) -> Option<Vec<DiffLine>> {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    if a.len() > DIFF_MAX_LINES || b.len() > DIFF_MAX_LINES {
        return None;
    }
    // Common prefix and suffix first: most pairs differ in a few lines.
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..].iter().rev().zip(b[head..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (ma, mb) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let (n, m) = (ma.len(), mb.len());
    let mut table = vec![0u16; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i * (m + 1) + j] = if ma[i] == mb[j] {
                table[(i + 1) * (m + 1) + j + 1].saturating_add(1)
            } else {
                table[(i + 1) * (m + 1) + j].max(table[i * (m + 1) + j + 1])
            };
        }
    }
    let mut out: Vec<DiffLine> = a[..head].iter().map(|l| DiffLine::Same(l.to_string())).collect();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && ma[i] == mb[j] {
            out.push(DiffLine::Same(ma[i].to_string()));
            i += 1;
            j += 1;
        } else if j < m && (i == n || table[i * (m + 1) + j + 1] >= table[(i + 1) * (m + 1) + j]) {
            out.push(DiffLine::Added(mb[j].to_string()));
            j += 1;
        } else {
            out.push(DiffLine::Gone(ma[i].to_string()));
            i += 1;
        }
    }
    out.extend(a[a.len() - tail..].iter().map(|l| DiffLine::Same(l.to_string())));
    Some(out)
}

/// Text to diff: the output as UTF-8, JSON pretty-printed so that a
/// changed value is a changed line; `None` for binary outputs.
pub fn diff_text(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    if !sniff(bytes).is_text() {
        return None;
    }
    Some(match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) if v.is_object() || v.is_array() => serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_string()),
        _ => text.to_string(),
    })
}

/// One class's score in two runs.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelDelta {
    pub label: String,
    pub first: Option<f64>,
    pub second: Option<f64>,
}

/// Per-label scores of two classifier outputs, by the larger score; `None`
/// unless both are labels.
pub fn label_deltas(a: &[u8], b: &[u8], top: usize) -> Option<Vec<LabelDelta>> {
    let la = parse_labels(std::str::from_utf8(a).ok()?)?;
    let lb = parse_labels(std::str::from_utf8(b).ok()?)?;
    let mut out: Vec<LabelDelta> = la
        .entries
        .iter()
        .map(|e| LabelDelta { label: e.label.clone(), first: Some(e.score), second: lb.entries.iter().find(|x| x.label == e.label).map(|x| x.score) })
        .collect();
    for e in &lb.entries {
        if !out.iter().any(|d| d.label == e.label) {
            out.push(LabelDelta { label: e.label.clone(), first: None, second: Some(e.score) });
        }
    }
    let best = |d: &LabelDelta| d.first.unwrap_or(0.0).max(d.second.unwrap_or(0.0));
    out.sort_by(|x, y| best(y).total_cmp(&best(x)));
    out.truncate(top);
    Some(out)
}

/// "+12.5 pts", "−3.0 pts", "new", "gone".
pub fn delta_text(d: &LabelDelta) -> String {
    match (d.first, d.second) {
        (Some(a), Some(b)) => {
            let pts = (b - a) * 100.0;
            if pts.abs() < 0.05 {
                "same".into()
            } else if pts > 0.0 {
                format!("+{pts:.1} pts")
            } else {
                format!("−{:.1} pts", -pts)
            }
        }
        (None, Some(_)) => "only in the second".into(),
        (Some(_), None) => "only in the first".into(),
        (None, None) => String::new(),
    }
}

/// Parses stored records, skipping any that do not read (an older shape).
pub fn parse(json: &str) -> Option<Record> {
    serde_json::from_str(json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_marks_changed_lines_and_keeps_the_rest() {
        let d = line_diff("a\nb\nc\nd", "a\nB\nc\nd\ne").expect("small");
        assert_eq!(
            d,
            vec![
                DiffLine::Same("a".into()),
                DiffLine::Added("B".into()),
                DiffLine::Gone("b".into()),
                DiffLine::Same("c".into()),
                DiffLine::Same("d".into()),
                DiffLine::Added("e".into()),
            ]
        );
        assert_eq!(line_diff("x", "x"), Some(vec![DiffLine::Same("x".into())]));
        let big = "l\n".repeat(DIFF_MAX_LINES + 1);
        assert_eq!(line_diff(&big, "l"), None, "too long to diff");
    }

    #[test]
    fn json_is_diffed_pretty_so_a_changed_value_is_one_line() {
        let a = diff_text(br#"{"caption":"a","width":48}"#).expect("text");
        let b = diff_text(br#"{"caption":"b","width":48}"#).expect("text");
        let d = line_diff(&a, &b).expect("small");
        let changed: Vec<_> = d.iter().filter(|l| !matches!(l, DiffLine::Same(_))).collect();
        assert_eq!(changed.len(), 2, "{d:?}");
        assert_eq!(diff_text(&[0x89, b'P', b'N', b'G', 0, 0, 0]), None);
    }

    #[test]
    fn label_scores_are_compared_per_label() {
        let a = br#"{"labels":["rose","tulip"],"probabilities":[0.9,0.1]}"#;
        let b = br#"{"labels":["tulip","daisy"],"probabilities":[0.6,0.4]}"#;
        let d = label_deltas(a, b, 10).expect("labels");
        assert_eq!(d[0].label, "rose");
        assert_eq!(delta_text(&d[0]), "only in the first");
        let tulip = d.iter().find(|x| x.label == "tulip").expect("tulip");
        assert_eq!(delta_text(tulip), "+50.0 pts");
        assert_eq!(label_deltas(b"hello", a, 10), None);
    }

    #[test]
    fn big_outputs_and_the_switch_keep_only_summaries() {
        assert!(keep(true, KEEP_CAP).is_ok());
        assert!(keep(true, KEEP_CAP + 1).unwrap_err().contains("over the 20.0 MB"));
        assert!(keep(false, 10).is_err());
        assert_eq!(usage_line(2, 2048), "2 runs recorded; inputs and outputs use 2.0 KB in this browser.");
    }

    #[test]
    fn the_input_summary_names_each_given_input_on_one_line() {
        let spec = crate::interface::spec::parse_spec(
            r#"{"visor":1,"inputs":[{"id":"caption","kind":"text","label":"Caption"},{"id":"n","kind":"number"},{"id":"img","kind":"image","label":"Image"}],
               "request":{"encoding":"template","template":{"c":"{{caption}}","n":"{{n}}","i":"{{img}}"}}}"#,
        )
        .expect("spec");
        let file = crate::interface::FileValue::new("leaf.png", "image/png", crate::interface::BlobRef::from_bytes(&[0; 2048]));
        let values: Values = [
            ("caption".to_string(), InputValue::Text("a  red\nleaf".into())),
            ("n".to_string(), InputValue::Text(String::new())),
            ("img".to_string(), InputValue::File(file)),
        ]
        .into();
        assert_eq!(input_summary(&spec, &values), "Caption: a red leaf · Image: leaf.png (2.0 KB)");
        assert_eq!(input_summary(&spec, &Values::new()), "No input");
    }

    #[test]
    fn records_round_trip_and_old_shapes_still_read() {
        let r = Record { id: "1-0".into(), scope: scope("http://x/", "cowsay"), how: "sync".into(), ok: true, ..Record::default() };
        assert_eq!(r.scope, "http://x cowsay");
        assert_eq!(parse(&serde_json::to_string(&r).expect("json")), Some(r));
        let old = parse(r#"{"id":"1","scope":"s","service":"c","at_ms":1,"how":"sync","ok":true,"seconds":1,"input_summary":"","output_summary":""}"#);
        assert!(old.is_some());
        assert_eq!(seconds_text(0.42), "0.4 s");
        assert_eq!(seconds_text(185.0), "3 min 5 s");
    }
}
