//! From filled inputs to the `/run` body, and from an answer to what a spec
//! declares in it (pointers, labels, ZIP rules).

use super::node::{Node, MAX_DEPTH};
use super::{is_valid_id, is_valid_pointer, Encoding, FieldKind, InputSpec, LabelsAt, Spec, SpecError, ZipRule};
use crate::oscar::invoke::validate_json;
use crate::oscar::labels::{parse_labels_value, Labels};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Number, Value as J};
use std::collections::{BTreeMap, HashMap};

/// A filled input.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Typed text (text inputs; also accepted for json text, numbers as text, and CSV typed into a table).
    Text(String),
    /// A number.
    Number(f64),
    /// A checkbox.
    Boolean(bool),
    /// A parsed JSON value.
    Json(serde_json::Value),
    /// A file's bytes (image, audio, video, file, table).
    Bytes(Vec<u8>),
}

/// The `/run` body built from a spec and its values.
#[derive(Clone, Debug, PartialEq)]
pub enum RenderedBody {
    /// JSON text, sent as is.
    Json(String),
    /// Bytes, to be base64-encoded by the caller.
    Bytes(Vec<u8>),
}

/// Builds the body. Rules:
/// * base64: the single input's bytes (text → UTF-8; json → its text; number/boolean → their text); an
///   empty value is an error.
/// * json: the single input's JSON text as is (a `Value::Text` is sent byte for byte); it must be an object
///   OSCAR passes on (see `validate_json`).
/// * template: the filled template, compact, in the template's key order. A string that is exactly
///   `"{{id}}"` (spaces inside the braces allowed) becomes the typed value: a string for text, a number for
///   number (whole numbers written without a fraction), a boolean for boolean, the parsed value for json
///   (key order kept for `Value::Text`), and the base64 of the bytes for file kinds. Inside a longer string
///   a placeholder becomes the value's text (file kinds: base64, so `"data:image/png;base64,{{img}}"`
///   works; json: compact text). An optional input without a value drops an object member that is exactly
///   its placeholder, becomes `null` in an array and `""` inside a longer string.
///
/// A missing required value is an error whose `path` is the input id; an empty text counts as given for
/// text inputs and as missing for the others.
pub fn render_body(spec: &Spec, values: &BTreeMap<String, Value>) -> Result<RenderedBody, SpecError> {
    match &spec.encoding {
        Encoding::Base64 => {
            let input = single(spec)?;
            let bytes = match values.get(&input.id) {
                None => return Err(missing(input)),
                Some(Value::Text(t)) => t.as_bytes().to_vec(),
                Some(Value::Bytes(b)) => b.clone(),
                Some(Value::Json(J::String(s))) => s.as_bytes().to_vec(),
                Some(Value::Json(v)) => v.to_string().into_bytes(),
                Some(Value::Number(n)) => number_text(*n).into_bytes(),
                Some(Value::Boolean(b)) => b.to_string().into_bytes(),
            };
            if bytes.is_empty() {
                return Err(SpecError::new(&input.id, format!("“{}” is empty.", input.label)));
            }
            Ok(RenderedBody::Bytes(bytes))
        }
        Encoding::Json => {
            let input = single(spec)?;
            let text = match values.get(&input.id) {
                None => return Err(missing(input)),
                Some(Value::Text(t)) => t.clone(),
                Some(Value::Json(J::String(s))) => s.clone(),
                Some(Value::Json(v)) => v.to_string(),
                Some(Value::Bytes(b)) => String::from_utf8(b.clone())
                    .map_err(|_| SpecError::new(&input.id, format!("“{}” is not UTF-8 text.", input.label)))?,
                Some(_) => {
                    return Err(SpecError::new(
                        &input.id,
                        format!("“{}” needs a JSON object.", input.label),
                    ))
                }
            };
            if text.trim().is_empty() {
                return Err(missing(input));
            }
            validate_json(&text).map_err(|p| SpecError::new(&input.id, format!("“{}”: {p}", input.label)))?;
            Ok(RenderedBody::Json(text))
        }
        Encoding::Template(template) => {
            let mut filled: HashMap<&str, Node> = HashMap::new();
            for input in &spec.inputs {
                match values.get(&input.id).map(|v| typed(input, v)).transpose()? {
                    Some(Some(node)) => {
                        filled.insert(input.id.as_str(), node);
                    }
                    _ if input.required => return Err(missing(input)),
                    _ => {}
                }
            }
            let body = fill(template.node(), &filled, spec, 0)?.unwrap_or(Node::Object(Vec::new()));
            let text = body.to_compact();
            validate_json(&text).map_err(|p| SpecError::new("", p.to_string()))?;
            Ok(RenderedBody::Json(text))
        }
    }
}

fn single(spec: &Spec) -> Result<&InputSpec, SpecError> {
    match spec.inputs.as_slice() {
        [input] => Ok(input),
        _ => Err(SpecError::new(
            "request.encoding",
            format!(
                "{} sends exactly one input; this spec has {}",
                spec.encoding.id(),
                spec.inputs.len()
            ),
        )),
    }
}

fn missing(input: &InputSpec) -> SpecError {
    SpecError::new(&input.id, format!("“{}” is required.", input.label))
}

/// A number as JSON: whole numbers (below 2^53) without a fraction.
fn number_node(f: f64) -> Option<Node> {
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        Some(Node::Number(Number::from(f as i64)))
    } else {
        Number::from_f64(f).map(Node::Number)
    }
}

fn number_text(f: f64) -> String {
    number_node(f).map(|n| n.to_compact()).unwrap_or_default()
}

/// The typed value of a filled input; `Ok(None)` when it counts as not given.
fn typed(input: &InputSpec, value: &Value) -> Result<Option<Node>, SpecError> {
    let bad = |what: &str| SpecError::new(&input.id, format!("“{}” {what}.", input.label));
    Ok(Some(match (input.kind, value) {
        (FieldKind::Text, Value::Text(s)) => Node::String(s.clone()),
        (FieldKind::Text, Value::Number(n)) => Node::String(number_text(*n)),
        (FieldKind::Text, Value::Boolean(b)) => Node::String(b.to_string()),
        (FieldKind::Text, Value::Json(J::String(s))) => Node::String(s.clone()),
        (FieldKind::Text, Value::Json(v)) => Node::String(v.to_string()),
        (FieldKind::Text, Value::Bytes(b)) => {
            Node::String(String::from_utf8(b.clone()).map_err(|_| bad("is not UTF-8 text"))?)
        }
        (FieldKind::Number, Value::Number(n)) if n.is_finite() => {
            number_node(*n).ok_or_else(|| bad("is not a number"))?
        }
        (FieldKind::Number, Value::Text(s)) if s.trim().is_empty() => return Ok(None),
        (FieldKind::Number, Value::Text(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .and_then(number_node)
            .ok_or_else(|| bad("is not a number"))?,
        (FieldKind::Number, Value::Json(J::Number(n))) => Node::Number(n.clone()),
        (FieldKind::Number, _) => return Err(bad("is not a number")),
        (FieldKind::Boolean, Value::Boolean(b)) | (FieldKind::Boolean, Value::Json(J::Bool(b))) => Node::Bool(*b),
        (FieldKind::Boolean, Value::Text(s)) => match s.trim() {
            "" => return Ok(None),
            "true" => Node::Bool(true),
            "false" => Node::Bool(false),
            _ => return Err(bad("is not true or false")),
        },
        (FieldKind::Boolean, _) => return Err(bad("is not true or false")),
        (FieldKind::Json, Value::Text(s)) if s.trim().is_empty() => return Ok(None),
        (FieldKind::Json, Value::Text(s)) => Node::parse(s).map_err(|e| bad(&format!("is not valid JSON ({e})")))?,
        (FieldKind::Json, Value::Json(v)) if deeper_than(v, MAX_VALUE_DEPTH) => {
            return Err(bad(&format!("nests too deeply (at most {MAX_VALUE_DEPTH} levels)")))
        }
        (FieldKind::Json, Value::Json(v)) => Node::from_value(v),
        (FieldKind::Json, Value::Bytes(b)) => {
            let text = std::str::from_utf8(b).map_err(|_| bad("is not UTF-8 text"))?;
            Node::parse(text).map_err(|e| bad(&format!("is not valid JSON ({e})")))?
        }
        (FieldKind::Json, Value::Number(n)) => number_node(*n).ok_or_else(|| bad("is not valid JSON"))?,
        (FieldKind::Json, Value::Boolean(b)) => Node::Bool(*b),
        (_, Value::Bytes(b)) if b.is_empty() => return Ok(None),
        (_, Value::Bytes(b)) => Node::String(STANDARD.encode(b)),
        (_, Value::Text(s)) if s.is_empty() => return Ok(None),
        (_, Value::Text(s)) => Node::String(STANDARD.encode(s.as_bytes())),
        (_, _) => return Err(bad("needs a file")),
    }))
}

/// How deep a JSON value given to a json input may nest (what is sent must parse on the other side, and
/// serde_json stops at 128 levels including the template's own).
const MAX_VALUE_DEPTH: usize = 100;

/// Whether `v` nests deeper than `max` levels (recursion bounded by `max`).
fn deeper_than(v: &J, max: usize) -> bool {
    match v {
        J::Array(items) => max == 0 || items.iter().any(|i| deeper_than(i, max - 1)),
        J::Object(map) => max == 0 || map.values().any(|i| deeper_than(i, max - 1)),
        _ => false,
    }
}

/// The text a value takes inside a longer string.
fn inline_text(node: &Node) -> String {
    match node {
        Node::String(s) => s.clone(),
        Node::Null => String::new(),
        other => other.to_compact(),
    }
}

/// Fills one template node; `None` drops it (an optional input left empty).
fn fill(node: &Node, filled: &HashMap<&str, Node>, spec: &Spec, depth: usize) -> Result<Option<Node>, SpecError> {
    if depth > MAX_DEPTH {
        return Err(SpecError::new("request.template", "nests too deeply"));
    }
    let known = |id: &str| -> Result<Option<&Node>, SpecError> {
        if spec.input(id).is_none() {
            return Err(SpecError::new(
                "request.template",
                format!("the placeholder {{{{{id}}}}} names no input"),
            ));
        }
        Ok(filled.get(id))
    };
    Ok(Some(match node {
        Node::String(s) => {
            let pieces = scan(s);
            match pieces.as_slice() {
                [Piece::Placeholder(id)] => return Ok(known(id)?.cloned()),
                _ if !pieces.iter().any(|p| matches!(p, Piece::Placeholder(_))) => node.clone(),
                _ => {
                    let mut out = String::new();
                    for piece in &pieces {
                        match piece {
                            Piece::Literal(t) => out.push_str(t),
                            Piece::Placeholder(id) => {
                                if let Some(v) = known(id)? {
                                    out.push_str(&inline_text(v));
                                }
                            }
                        }
                    }
                    Node::String(out)
                }
            }
        }
        Node::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(fill(item, filled, spec, depth + 1)?.unwrap_or(Node::Null));
            }
            Node::Array(out)
        }
        Node::Object(members) => {
            let mut out = Vec::with_capacity(members.len());
            for (k, v) in members {
                if let Some(v) = fill(v, filled, spec, depth + 1)? {
                    out.push((k.clone(), v));
                }
            }
            Node::Object(out)
        }
        other => other.clone(),
    }))
}

#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Literal(&'a str),
    Placeholder(&'a str),
}

/// Splits a template string into literal text and `{{id}}` placeholders. Braces around anything but a
/// well-formed id are literal text; the closing `}}` is looked for within 200 bytes.
fn scan(s: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        let after = rest.get(open + 2..).unwrap_or_default();
        let window = after.as_bytes().get(..after.len().min(200)).unwrap_or_default();
        let close = window.windows(2).position(|w| w == b"}}");
        let id = close
            .and_then(|c| after.get(..c))
            .map(str::trim)
            .filter(|id| is_valid_id(id));
        match (id, close) {
            (Some(id), Some(c)) => {
                let lit = rest.get(..open).unwrap_or_default();
                if !lit.is_empty() {
                    pieces.push(Piece::Literal(lit));
                }
                pieces.push(Piece::Placeholder(id));
                rest = after.get(c + 2..).unwrap_or_default();
            }
            _ => {
                // Not a placeholder: keep one brace and look again from the next (`{{{a}}}` is `{` + `{{a}}` + `}`).
                pieces.push(Piece::Literal(rest.get(..open + 1).unwrap_or_default()));
                rest = rest.get(open + 1..).unwrap_or_default();
            }
        }
    }
    if !rest.is_empty() {
        pieces.push(Piece::Literal(rest));
    }
    pieces
}

/// Calls `f(path, id)` for every placeholder in a template, with paths such as `request.template.config.speed`.
pub(crate) fn visit_placeholders(node: &Node, path: &str, depth: usize, f: &mut dyn FnMut(&str, &str)) {
    if depth > MAX_DEPTH {
        return;
    }
    match node {
        Node::String(s) => {
            for piece in scan(s) {
                if let Piece::Placeholder(id) = piece {
                    f(path, id);
                }
            }
        }
        Node::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                visit_placeholders(item, &format!("{path}[{i}]"), depth + 1, f);
            }
        }
        Node::Object(members) => {
            for (k, v) in members {
                visit_placeholders(v, &format!("{path}.{k}"), depth + 1, f);
            }
        }
        _ => {}
    }
}

/// The part of `value` at an RFC 6901 JSON pointer (`""` is the whole value; `~0` is `~`, `~1` is `/`;
/// array indices without leading zeros). `None` for a malformed pointer or a missing part.
pub fn json_pointer<'a>(value: &'a serde_json::Value, pointer: &str) -> Option<&'a serde_json::Value> {
    if !is_valid_pointer(pointer) {
        return None;
    }
    value.pointer(pointer)
}

/// Reads labels where a spec says they are, sorted by score, best first. Scores may be numbers or numeric
/// strings; labels strings or numbers. List entries missing either field are skipped. The rules of
/// [`crate::oscar::labels`] then apply: equal non-zero lengths, no negative scores, percentages (all ≤ 100
/// and some > 1) scaled to 0..1.
pub fn labels_at(value: &serde_json::Value, at: &LabelsAt) -> Option<Labels> {
    let label_of = |v: &J| match v {
        J::String(s) => Some(J::String(s.clone())),
        J::Number(n) => Some(J::String(n.to_string())),
        _ => None,
    };
    let score_of = |v: &J| match v {
        J::Number(n) => Some(J::Number(n.clone())),
        J::String(s) => s.trim().parse::<f64>().ok().and_then(Number::from_f64).map(J::Number),
        _ => None,
    };
    let (labels, scores): (Vec<J>, Vec<J>) = match at {
        LabelsAt::Arrays { labels, scores } => {
            let labels: Option<Vec<J>> = json_pointer(value, labels)?.as_array()?.iter().map(label_of).collect();
            let scores: Option<Vec<J>> = json_pointer(value, scores)?.as_array()?.iter().map(score_of).collect();
            (labels?, scores?)
        }
        LabelsAt::List { list, label, score } => json_pointer(value, list)?
            .as_array()?
            .iter()
            .filter_map(|item| Some((label_of(item.get(label)?)?, score_of(item.get(score)?)?)))
            .unzip(),
    };
    if labels.is_empty() || labels.len() != scores.len() {
        return None;
    }
    let mut shaped = serde_json::Map::new();
    shaped.insert("labels".into(), J::Array(labels));
    shaped.insert("probabilities".into(), J::Array(scores));
    parse_labels_value(&J::Object(shaped))
}

/// The first rule whose glob matches the entry (`*` any run of characters, `?` one character, case
/// sensitive). A pattern without `/` is matched against the entry's base name, one with `/` against the
/// whole path.
pub fn zip_rule_for<'a>(rules: &'a [ZipRule], file_name: &str) -> Option<&'a ZipRule> {
    let base = file_name.rsplit('/').next().unwrap_or(file_name);
    rules
        .iter()
        .find(|r| glob(&r.pattern, if r.pattern.contains('/') { file_name } else { base }))
}

/// The longest ZIP rule pattern that can match (characters); longer ones
/// match nothing.
pub const GLOB_CAP: usize = 1024;

/// Glob match with `*` and `?`, in time linear in the text: the pattern is
/// cut at its stars, the first and last pieces must sit at the ends, and each
/// piece between is found leftmost after the one before (which is optimal
/// for `*`), by a bit-parallel search that handles `?`. Each character of the
/// text is looked at once per 64 pattern characters, never backtracked over.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    if p.len() > GLOB_CAP {
        return false;
    }
    let t: Vec<char> = text.chars().collect();
    let pieces: Vec<&[char]> = p.split(|c| *c == '*').collect();
    let (first, last) = match pieces.as_slice() {
        [only] => return only.len() == t.len() && fits(only, &t),
        [first, .., last] => (*first, *last),
        [] => return true,
    };
    if t.len() < first.len() + last.len() || !fits(first, &t[..first.len()]) || !fits(last, &t[t.len() - last.len()..]) {
        return false;
    }
    let (mut at, end) = (first.len(), t.len() - last.len());
    for piece in pieces.iter().skip(1).take(pieces.len().saturating_sub(2)) {
        if piece.is_empty() {
            continue;
        }
        match find_piece(piece, t.get(at..end).unwrap_or_default()) {
            Some(i) => at += i + piece.len(),
            None => return false,
        }
    }
    true
}

/// Whether `piece` (no `*`) matches `text` of the same length.
fn fits(piece: &[char], text: &[char]) -> bool {
    piece.iter().zip(text).all(|(p, t)| *p == '?' || p == t)
}

/// Where `piece` (no `*`, `?` any character) first occurs in `text`: the
/// shift-and search, one bit per piece character in 64-bit words.
fn find_piece(piece: &[char], text: &[char]) -> Option<usize> {
    let m = piece.len();
    let words = m.div_ceil(64);
    // Per distinct character, the bits of the positions it (or `?`) fills.
    let mut any = vec![0u64; words];
    let mut masks: Vec<(char, Vec<u64>)> = Vec::new();
    for (i, c) in piece.iter().enumerate() {
        if *c == '?' {
            any[i / 64] |= 1 << (i % 64);
        } else if let Some((_, mask)) = masks.iter_mut().find(|(k, _)| k == c) {
            mask[i / 64] |= 1 << (i % 64);
        } else {
            let mut mask = vec![0u64; words];
            mask[i / 64] |= 1 << (i % 64);
            masks.push((*c, mask));
        }
    }
    masks.sort_by_key(|(c, _)| *c);
    let mut state = vec![0u64; words];
    for (j, c) in text.iter().enumerate() {
        let mask = masks.binary_search_by_key(c, |(k, _)| *k).ok().and_then(|i| masks.get(i)).map(|(_, m)| m);
        // state = ((state << 1) | 1) & (mask | any), across the words.
        let mut carry = 1u64;
        for w in 0..words {
            let shifted = (state[w] << 1) | carry;
            carry = state[w] >> 63;
            state[w] = shifted & (any[w] | mask.map_or(0, |m| m[w]));
        }
        if state[(m - 1) / 64] & (1 << ((m - 1) % 64)) != 0 {
            return Some(j + 1 - m);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_finds_placeholders_and_keeps_the_rest() {
        assert_eq!(scan("{{a}}"), vec![Piece::Placeholder("a")]);
        assert_eq!(scan("{{ a }}"), vec![Piece::Placeholder("a")]);
        assert_eq!(
            scan("Say {{msg}}!"),
            vec![Piece::Literal("Say "), Piece::Placeholder("msg"), Piece::Literal("!")]
        );
        let text = |s: &str| {
            scan(s)
                .iter()
                .map(|p| match p {
                    Piece::Literal(t) => t.to_string(),
                    Piece::Placeholder(id) => format!("<{id}>"),
                })
                .collect::<String>()
        };
        assert_eq!(text("{{not an id}} x"), "{{not an id}} x");
        assert!(scan("{{not an id}} x").iter().all(|p| matches!(p, Piece::Literal(_))));
        assert_eq!(
            scan("{{{a}}}"),
            vec![Piece::Literal("{"), Piece::Placeholder("a"), Piece::Literal("}")]
        );
        assert_eq!(text("é{{"), "é{{");
        // Linear on hostile input.
        let hostile = format!("{}{}", "{{ ".repeat(200_000), "}}");
        assert!(scan(&hostile).iter().all(|p| matches!(p, Piece::Literal(_))));
    }

    #[test]
    fn globs() {
        assert!(glob("*_gray.png", "cat_gray.png"));
        assert!(glob("?at.*", "cat.png"));
        assert!(!glob("?at.*", "at.png"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(glob("ñ?", "ñé"));
        assert!(!glob(&"*a".repeat(50), &"b".repeat(5_000)));
        assert!(glob("*.png", ".png") && !glob("*.png", "png"));
        assert!(glob("a*a", "aa") && !glob("a*a", "a"));
        assert!(glob("**x**", "x") && glob("*?*", "z") && !glob("*?*", ""));
        assert!(glob("*ab?d*", "xxabcabzdyy") && !glob("*ab?d*", "xxabcabzyy"));
    }

    #[test]
    fn globs_agree_with_a_plain_backtracking_matcher() {
        fn slow(p: &[char], t: &[char]) -> bool {
            match p.split_first() {
                None => t.is_empty(),
                Some(('*', rest)) => (0..=t.len()).any(|i| slow(rest, &t[i..])),
                Some((c, rest)) => t.split_first().is_some_and(|(tc, tr)| (*c == '?' || c == tc) && slow(rest, tr)),
            }
        }
        // Every pattern of up to 4 of "a b ? *" against every text of up to 5 of "a b".
        let mut patterns = vec![String::new()];
        for _ in 0..4 {
            let more: Vec<String> = patterns.iter().flat_map(|p| ["a", "b", "?", "*"].map(|c| format!("{p}{c}"))).collect();
            patterns.extend(more);
        }
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            let more: Vec<String> = texts.iter().flat_map(|t| ["a", "b"].map(|c| format!("{t}{c}"))).collect();
            texts.extend(more);
        }
        patterns.sort();
        patterns.dedup();
        texts.sort();
        texts.dedup();
        for p in &patterns {
            let pc: Vec<char> = p.chars().collect();
            for t in &texts {
                let tc: Vec<char> = t.chars().collect();
                assert_eq!(glob(p, t), slow(&pc, &tc), "glob({p:?}, {t:?})");
            }
        }
        // Pieces longer than one 64-bit word.
        let long = "ab?".repeat(40);
        let text = format!("zz{}zz", "abc".repeat(40));
        assert!(glob(&format!("*{long}*"), &text));
        assert!(!glob(&format!("*{long}x*"), &text));
    }

    #[test]
    fn a_long_rule_against_a_long_name_takes_milliseconds() {
        // 1,000 characters against 65,535 (the longest ZIP name): backtracking
        // took seconds per rule.
        let pattern = "*a".repeat(500);
        let name = "b".repeat(65_535);
        let started = std::time::Instant::now();
        for _ in 0..100 {
            assert!(!glob(&pattern, &name));
        }
        let worst = format!("*{}b*", "a".repeat(998));
        assert!(!glob(&worst, &"a".repeat(65_535)));
        assert!(glob(&format!("{}*", "?".repeat(GLOB_CAP - 1)), &"x".repeat(70_000)), "at the cap it matches");
        assert!(!glob(&"?".repeat(GLOB_CAP + 1), &"x".repeat(GLOB_CAP + 1)), "past the cap nothing matches");
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "took {:?}", started.elapsed());
    }

    #[test]
    fn numbers_are_whole_when_they_can_be() {
        assert_eq!(number_text(5.0), "5");
        assert_eq!(number_text(0.8), "0.8");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(1e300), "1e+300");
    }
}
