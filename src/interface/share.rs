//! Share links: a run page's typed inputs (text, JSON, numbers, choices and
//! yes/no) in the URL's fragment, `#inputs?caption=a%20leaf&shout=true`.
//! Browsers never send a fragment to a server. Files are never in it, and
//! nothing else of the session is.

use super::payload::Values;
use super::spec::{FieldKind, Spec};
use super::InputValue;
use crate::routes::encode_component;

/// What a share link's fragment starts with.
pub const PREFIX: &str = "#inputs?";
/// The longest value a link carries (characters); longer ones are left out.
pub const MAX_VALUE_CHARS: usize = 4096;

/// Whether an input of this kind goes into a link (files do not).
pub fn shareable(kind: FieldKind) -> bool {
    matches!(kind, FieldKind::Text | FieldKind::Json | FieldKind::Number | FieldKind::Boolean)
}

/// The fragment for the form as it is, and the labels of the inputs left
/// out (files, and values over [`MAX_VALUE_CHARS`]). Blank inputs are not
/// in it.
pub fn fragment(spec: &Spec, values: &Values) -> (String, Vec<String>) {
    let mut parts = Vec::new();
    let mut left_out = Vec::new();
    for input in &spec.inputs {
        let label = if input.label.is_empty() { input.id.clone() } else { input.label.clone() };
        match values.get(&input.id) {
            Some(InputValue::Text(t)) if t.is_empty() => {}
            Some(InputValue::Text(t)) if shareable(input.kind) && t.chars().count() <= MAX_VALUE_CHARS => {
                parts.push(format!("{}={}", encode_component(&input.id), encode_component(t)));
            }
            None | Some(InputValue::Empty) => {}
            Some(_) => left_out.push(label),
        }
    }
    (format!("{PREFIX}{}", parts.join("&")), left_out)
}

/// The pairs of a share link's fragment (`None` for any other fragment,
/// such as `#main`).
pub fn parse(fragment: &str) -> Option<Vec<(String, String)>> {
    let query = fragment.strip_prefix(PREFIX)?;
    Some(
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .filter_map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let (k, v) = (decode(k), decode(v));
                (!k.is_empty() && v.chars().count() <= MAX_VALUE_CHARS).then_some((k, v))
            })
            .collect(),
    )
}

/// The values of `pairs` that fit the spec: shareable inputs it has, by id.
pub fn values_for(spec: &Spec, pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter(|(id, _)| spec.inputs.iter().any(|i| &i.id == id && shareable(i.kind)))
        .cloned()
        .collect()
}

/// Percent-decoding (`%20`, and `+` kept as it is); bad escapes stay as written.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interface::spec::parse_spec;
    use crate::interface::FileValue;

    fn spec() -> Spec {
        parse_spec(
            r#"{"visor":1,"inputs":[{"id":"image","kind":"image","label":"Image"},{"id":"caption","kind":"text","label":"Caption"},
            {"id":"shout","kind":"boolean"},{"id":"n","kind":"number"}],"request":{"encoding":"template","template":{"i":"{{image}}","c":"{{caption}}","s":"{{shout}}","n":"{{n}}"}}}"#,
        )
        .expect("spec")
    }

    #[test]
    fn typed_inputs_go_in_the_link_and_come_back_the_same() {
        let spec = spec();
        let mut values = Values::new();
        values.insert("caption".into(), InputValue::Text("a red & green leaf = 100% é #1".into()));
        values.insert("shout".into(), InputValue::Text("true".into()));
        values.insert("n".into(), InputValue::Text(String::new()));
        values.insert("image".into(), InputValue::File(FileValue::new("leaf.png", "image/png", crate::interface::BlobRef::from_bytes(b"x"))));
        let (fragment, left_out) = fragment(&spec, &values);
        assert!(fragment.starts_with(PREFIX) && !fragment.contains("leaf.png") && !fragment.contains(' '), "{fragment}");
        assert_eq!(left_out, ["Image"], "the file is named as left out");
        let pairs = parse(&fragment).expect("ours");
        assert_eq!(pairs, [("caption".to_string(), "a red & green leaf = 100% é #1".to_string()), ("shout".into(), "true".into())]);
        assert_eq!(values_for(&spec, &pairs), pairs);
    }

    #[test]
    fn other_fragments_unknown_inputs_and_long_values_are_ignored() {
        assert_eq!(parse("#main"), None);
        assert_eq!(parse(""), None);
        let spec = spec();
        let pairs = parse("#inputs?image=evil.png&nope=1&caption=hi&%zz=bad").expect("ours");
        assert_eq!(values_for(&spec, &pairs), [("caption".to_string(), "hi".to_string())], "no file and no unknown input");
        let long = format!("#inputs?caption={}", "a".repeat(MAX_VALUE_CHARS + 1));
        assert_eq!(parse(&long), Some(vec![]));
        let mut values = Values::new();
        values.insert("caption".into(), InputValue::Text("a".repeat(MAX_VALUE_CHARS + 1)));
        assert_eq!(fragment(&spec, &values).1, ["Caption"]);
        values.insert("caption".into(), InputValue::Text("a".repeat(MAX_VALUE_CHARS)));
        assert!(fragment(&spec, &values).1.is_empty());
    }
}
