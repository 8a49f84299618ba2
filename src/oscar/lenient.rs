//! Serde helpers for OSCAR's loose JSON: Go serialises nil slices and maps as
//! `null`, and fields changed type between releases (OSCAR-API.md §5, §12).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Treats `null` as the type's default (empty string, empty list, ...).
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A string field that may arrive as a string, a number, a bool or `null`
/// (Go's k8s quantities are strings, but hand-written JSON often has `1.0`).
pub fn stringish<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        other => value_to_string(&other),
    })
}

/// A list of ports that is a number in v3 (`"api_port": 8000`, 0 = none) and
/// an array since v4.1 (`"api_port": [8000]`).
pub fn ports<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u16>, D::Error> {
    let value = Value::deserialize(d)?;
    let one = |v: &Value| v.as_u64().and_then(|n| u16::try_from(n).ok()).filter(|n| *n != 0);
    Ok(match &value {
        Value::Array(items) => items.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    })
}

/// Renders any JSON scalar as the text a user would expect to see.
pub fn value_to_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// A `map[string]string` that may be `null` or hold non-string values.
pub fn string_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<std::collections::BTreeMap<String, String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), value_to_string(v))).collect(),
        _ => Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "ports")]
        p: Vec<u16>,
        #[serde(default, deserialize_with = "stringish")]
        s: String,
        #[serde(default, deserialize_with = "null_default")]
        l: Vec<String>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).expect("probe JSON decodes")
    }

    #[test]
    fn ports_accept_number_array_zero_and_null() {
        assert_eq!(probe(r#"{"p":8000}"#).p, vec![8000]);
        assert_eq!(probe(r#"{"p":[8000,9000]}"#).p, vec![8000, 9000]);
        assert!(probe(r#"{"p":0}"#).p.is_empty());
        assert!(probe(r#"{"p":null}"#).p.is_empty());
        assert!(probe(r#"{"p":70000}"#).p.is_empty());
    }

    #[test]
    fn strings_accept_numbers_and_null() {
        assert_eq!(probe(r#"{"s":1.5}"#).s, "1.5");
        assert_eq!(probe(r#"{"s":null}"#).s, "");
        assert_eq!(probe(r#"{"s":"256Mi"}"#).s, "256Mi");
    }

    #[test]
    fn null_lists_become_empty() {
        assert!(probe(r#"{"l":null}"#).l.is_empty());
        assert_eq!(probe(r#"{"l":["a"]}"#).l, vec!["a".to_string()]);
    }
}
