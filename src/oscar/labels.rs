//! Recognises classification results among a service's outputs so they can be
//! shown as a ranked label view (Gradio's `Label`). OSCAR has no output schema
//! (OSCAR-API.md §7), so this accepts the shapes the example and Hub services
//! actually emit (§10): AI4OS `{"labels":[..],"probabilities":[..]}`, DEEPaaS
//! `{"status":"ok","predictions":[{"label":..,"probability":..}]}`, plain
//! `{label: score}` maps, and the plants Hub script's Python-repr of those.
//!
//! Acceptance rules (anything else is `None`, shown as plain JSON/text):
//! * parallel `labels` + `probabilities`/`scores`/`confidences` arrays of equal,
//!   non-zero length (strings and numbers);
//! * a non-empty array of objects that each have a label (`label`, `class`,
//!   `name`, `class_name`, `label_name`) and a score (`probability`, `score`,
//!   `confidence`, `prob`);
//! * a wrapper object whose `predictions`/`prediction`/`results`/`result`/
//!   `output`/`outputs`/`data` key holds one of these (other keys such as
//!   `status` are ignored), or a one-element array around one, nested up to
//!   [`MAX_DEPTH`] levels;
//! * a plain map whose values are *all* numbers in `0..=1` (so
//!   `{"width": 3, "height": 4}` is not a classification).
//!
//! For the explicit shapes (not the plain map) scores above 1 are read as
//! percentages when all of them are `<= 100`. NaN, infinite or negative
//! scores reject the whole result.

use serde_json::{Map, Number, Value};

/// How deep wrappers and Python literals may nest before we give up; keeps
/// hostile input from exhausting the (small, wasm) stack.
pub const MAX_DEPTH: usize = 32;

/// A classification result, sorted by score, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// Entries sorted by descending score; `entries.first()` is the top class.
    pub entries: Vec<LabelScore>,
}

impl Labels {
    /// The top class.
    pub fn top(&self) -> Option<&LabelScore> {
        self.entries.first()
    }
}

/// One class and its confidence.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelScore {
    /// Class name as the model reports it.
    pub label: String,
    /// Confidence in `0..=1`.
    pub score: f64,
}

const LABEL_KEYS: [&str; 5] = ["label", "class", "name", "class_name", "label_name"];
const SCORE_KEYS: [&str; 4] = ["probability", "score", "confidence", "prob"];
const LIST_SCORE_KEYS: [&str; 4] = ["probabilities", "scores", "confidences", "probs"];
const WRAPPER_KEYS: [&str; 7] = [
    "predictions",
    "prediction",
    "results",
    "result",
    "output",
    "outputs",
    "data",
];

/// Parses a service's text output (JSON, or a Python literal as printed by
/// `print(dict)`). When the whole text does not parse, the span from the first
/// `{`/`[` to the last `}`/`]` is tried, since scripts often print a prefix.
pub fn parse_labels(text: &str) -> Option<Labels> {
    let text = text.trim().trim_start_matches('\u{feff}');
    let parse = |t: &str| {
        serde_json::from_str::<Value>(t)
            .ok()
            .or_else(|| python_literal_to_json(t))
    };
    if let Some(labels) = parse(text).as_ref().and_then(parse_labels_value) {
        return Some(labels);
    }
    let start = text.find(['{', '['])?;
    let end = text.rfind(['}', ']'])?;
    let inner = text.get(start..=end)?;
    (inner.len() < text.len())
        .then(|| parse(inner))
        .flatten()
        .as_ref()
        .and_then(parse_labels_value)
}

/// Recognises a classification in an already-parsed JSON value.
pub fn parse_labels_value(value: &Value) -> Option<Labels> {
    let (mut pairs, explicit) = find(value, 0)?;
    if pairs.is_empty() || pairs.iter().any(|(_, s)| !s.is_finite() || *s < 0.0) {
        return None;
    }
    let max = pairs.iter().map(|(_, s)| *s).fold(0.0, f64::max);
    if max > 1.0 {
        if !explicit || max > 100.0 {
            return None;
        }
        pairs.iter_mut().for_each(|(_, s)| *s /= 100.0);
    }
    let mut entries: Vec<LabelScore> = pairs
        .into_iter()
        .map(|(label, score)| LabelScore { label, score })
        .collect();
    // Stable sort keeps the model's order among ties.
    entries.sort_by(|a, b| b.score.total_cmp(&a.score));
    Some(Labels { entries })
}

type Pairs = Vec<(String, f64)>;

/// Returns the raw pairs and whether the shape was explicit (percentages ok).
fn find(value: &Value, depth: usize) -> Option<(Pairs, bool)> {
    if depth > MAX_DEPTH {
        return None;
    }
    match value {
        Value::Object(map) => {
            if let Some(pairs) = parallel_arrays(map) {
                return Some((pairs, true));
            }
            if let Some(found) = WRAPPER_KEYS
                .iter()
                .filter_map(|k| map.get(*k))
                .find_map(|v| find(v, depth + 1))
            {
                return Some(found);
            }
            plain_map(map).map(|pairs| (pairs, false))
        }
        Value::Array(items) => {
            let pairs: Option<Pairs> = items.iter().map(label_object).collect();
            match pairs {
                Some(pairs) if !pairs.is_empty() => Some((pairs, true)),
                // A batch of one: `[[{..}]]` or `[{"labels":..}]`.
                _ if items.len() == 1 => items.first().and_then(|v| find(v, depth + 1)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `{"labels":[..],"probabilities":[..]}`, tolerating a batch of one
/// (`[[..]]`) on either array.
fn parallel_arrays(map: &Map<String, Value>) -> Option<Pairs> {
    let unbatch = |v: &Value| -> Option<Vec<Value>> {
        let items = v.as_array()?;
        match items.as_slice() {
            [Value::Array(inner)] => Some(inner.clone()),
            _ => Some(items.clone()),
        }
    };
    let labels = unbatch(map.get("labels")?)?;
    let scores = unbatch(LIST_SCORE_KEYS.iter().find_map(|k| map.get(*k))?)?;
    if labels.len() != scores.len() {
        return None;
    }
    labels
        .iter()
        .zip(&scores)
        .map(|(l, s)| Some((label_text(l)?, s.as_f64()?)))
        .collect()
}

/// `{"label":"x","probability":0.9,...}` with synonyms.
fn label_object(value: &Value) -> Option<(String, f64)> {
    let map = value.as_object()?;
    let label = LABEL_KEYS
        .iter()
        .find_map(|k| map.get(*k).and_then(label_text))?;
    let score = SCORE_KEYS
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_f64))?;
    Some((label, score))
}

/// `{"cat": 0.9, "dog": 0.1}`: all values numbers in `0..=1`.
fn plain_map(map: &Map<String, Value>) -> Option<Pairs> {
    map.iter()
        .map(|(k, v)| {
            v.as_f64()
                .filter(|s| (0.0..=1.0).contains(s))
                .map(|s| (k.clone(), s))
        })
        .collect()
}

fn label_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Converts a Python literal (`repr` of dicts, lists, tuples, strings, numbers,
/// `True`/`False`/`None`) to JSON. Tolerates trailing commas, single or double
/// quotes, `u''`/`b''` prefixes, and numpy 2 scalars such as
/// `np.float32(0.61)` (a call with one argument becomes that argument).
/// `nan`/`inf` become `null`. Returns `None` on anything else or nesting
/// deeper than [`MAX_DEPTH`].
pub fn python_literal_to_json(text: &str) -> Option<Value> {
    let mut p = Py {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    (p.i == p.s.len()).then_some(v)
}

struct Py<'a> {
    s: &'a [u8],
    i: usize,
}

impl Py<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.peek() == Some(c);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'{' => {
                self.i += 1;
                let mut map = Map::new();
                while !self.eat(b'}') {
                    let key = match self.value(depth + 1)? {
                        Value::String(s) => s,
                        Value::Null => "None".into(),
                        other => other.to_string(),
                    };
                    if !self.eat(b':') {
                        return None;
                    }
                    map.insert(key, self.value(depth + 1)?);
                    if !self.eat(b',') {
                        if self.eat(b'}') {
                            break;
                        }
                        return None;
                    }
                }
                Some(Value::Object(map))
            }
            open @ (b'[' | b'(') => {
                self.i += 1;
                Some(Value::Array(
                    self.items(if open == b'[' { b']' } else { b')' }, depth)?,
                ))
            }
            b'\'' | b'"' => self.string().map(Value::String),
            c if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.') => self.number(),
            c if c.is_ascii_alphabetic() || c == b'_' => self.word(depth),
            _ => None,
        }
    }

    /// Items up to `close`, allowing a trailing comma.
    fn items(&mut self, close: u8, depth: usize) -> Option<Vec<Value>> {
        let mut out = Vec::new();
        while !self.eat(close) {
            out.push(self.value(depth + 1)?);
            if !self.eat(b',') {
                return self.eat(close).then_some(out);
            }
        }
        Some(out)
    }

    fn word(&mut self, depth: usize) -> Option<Value> {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
        {
            self.i += 1;
        }
        let word = std::str::from_utf8(self.s.get(start..self.i)?).ok()?;
        if matches!(self.peek(), Some(b'\'' | b'"'))
            && matches!(word, "u" | "b" | "r" | "U" | "B" | "R")
        {
            return self.string().map(Value::String);
        }
        if self.eat(b'(') {
            let mut args = self.items(b')', depth)?;
            return Some(if args.len() == 1 {
                args.pop()?
            } else {
                Value::Array(args)
            });
        }
        match word {
            "True" | "true" => Some(Value::Bool(true)),
            "False" | "false" => Some(Value::Bool(false)),
            "None" | "null" | "nan" | "inf" => Some(Value::Null),
            _ => None,
        }
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'+' | b'_'))
        {
            self.i += 1;
        }
        let raw = std::str::from_utf8(self.s.get(start..self.i)?)
            .ok()?
            .replace('_', "");
        let text = raw.strip_prefix('+').unwrap_or(&raw);
        if let Ok(n) = text.parse::<i64>() {
            return Some(Value::Number(n.into()));
        }
        let f = text.parse::<f64>().ok()?;
        Some(Number::from_f64(f).map_or(Value::Null, Value::Number))
    }

    fn string(&mut self) -> Option<String> {
        let quote = self.peek()?;
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                _ if c == quote => break,
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'0' => out.push(0),
                        b'x' | b'u' | b'U' => {
                            let n = match e {
                                b'x' => 2,
                                b'u' => 4,
                                _ => 8,
                            };
                            let hex = std::str::from_utf8(self.s.get(self.i..self.i + n)?).ok()?;
                            let ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                            self.i += n;
                            out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                        }
                        b'\\' | b'\'' | b'"' => out.push(e),
                        b'\n' => {}
                        _ => out.extend_from_slice(&[b'\\', e]),
                    }
                }
                _ => out.push(c),
            }
        }
        Some(String::from_utf8_lossy(&out).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn top(text: &str) -> Option<(String, f64)> {
        parse_labels(text).and_then(|l| l.top().map(|t| (t.label.clone(), t.score)))
    }

    #[test]
    fn shapes() {
        assert_eq!(
            top(r#"{"labels":["a","b"],"probabilities":[0.2,0.8]}"#),
            Some(("b".into(), 0.8))
        );
        assert_eq!(
            top(r#"{"predictions":{"labels":[["a","b"]],"scores":[[0.9,0.1]]}}"#),
            Some(("a".into(), 0.9))
        );
        assert_eq!(
            top(r#"[{"class":"x","score":0.3},{"name":"y","confidence":0.7}]"#),
            Some(("y".into(), 0.7))
        );
        assert_eq!(
            top(r#"{"predictions":{"status":"ok","predictions":[{"label":"z","prob":0.5}]}}"#),
            Some(("z".into(), 0.5))
        );
        assert_eq!(top(r#"{"cat":0.1,"dog":0.9}"#), Some(("dog".into(), 0.9)));
        assert_eq!(
            top(r#"[{"label":"p","probability":61},{"label":"q","probability":39}]"#),
            Some(("p".into(), 0.61))
        );
        assert_eq!(
            top("result: {'a': 0.25, 'b': 0.75,}\n"),
            Some(("b".into(), 0.75))
        );
    }

    #[test]
    fn rejects_non_classification() {
        for text in [
            r#"{"width": 3, "height": 4}"#,
            r#"{"cat": 0.5, "note": "x"}"#,
            r#"{}"#,
            r#"[]"#,
            r#"{"labels":["a"],"probabilities":[0.1,0.2]}"#,
            r#"{"labels":["a"],"probabilities":[-0.1]}"#,
            r#"{"labels":["a"],"probabilities":[150]}"#,
            "hello",
            "[1, 2, 3]",
        ] {
            assert_eq!(parse_labels(text), None, "{text}");
        }
    }

    #[test]
    fn python_literals() {
        let v = python_literal_to_json(
            r#"{'a': (1, 2.5e-3,), "b": [True, False, None], u'c': 'it\'s \x41\u00e9', 'd': np.float32(0.5), 'e': -inf}"#,
        );
        assert_eq!(
            v,
            Some(
                json!({"a": [1, 0.0025], "b": [true, false, null], "c": "it's Aé", "d": 0.5, "e": null})
            )
        );
        assert_eq!(python_literal_to_json("{'a': 1"), None);
        assert_eq!(python_literal_to_json("{'a' 1}"), None);
        assert_eq!(python_literal_to_json("'unterminated"), None);
        assert_eq!(python_literal_to_json("[1] x"), None);
        assert_eq!(python_literal_to_json("foo"), None);
        assert_eq!(python_literal_to_json(&"[".repeat(10_000)), None);
        assert_eq!(python_literal_to_json(&"(".repeat(20)), None);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut v = json!({"cat": 0.9});
        for _ in 0..200 {
            v = json!({ "predictions": v });
        }
        assert_eq!(parse_labels_value(&v), None);
        assert_eq!(
            parse_labels(&format!("{}1{}", "[".repeat(5000), "]".repeat(5000))),
            None
        );
    }
}
