//! An order-keeping JSON tree. `serde_json` here is built without
//! `preserve_order`, so its `Value` sorts object keys; a request template
//! must keep the order its author wrote (services and people read bodies in
//! that order), so specs are read into this tree first.
//!
//! Depth: trees are only built by `serde_json`'s deserializer (recursion
//! limit 128) or converted from a `serde_json::Value`, and every recursive
//! walk here stops at [`MAX_DEPTH`], so hostile nesting cannot exhaust the
//! (small, wasm) stack.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Number, Value as Json};
use std::collections::HashMap;
use std::fmt;

/// How deep a tree may nest; deeper parts are cut to `null` on conversion.
pub(crate) const MAX_DEPTH: usize = 160;

/// A JSON value whose objects keep their key order (the last of duplicate keys wins, in the first's place).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A short name of the JSON type, for error messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::Array(_) => "an array",
            Node::Object(_) => "an object",
        }
    }

    /// The `serde_json` value (keys sorted).
    pub(crate) fn to_value(&self) -> Json {
        self.to_value_at(0)
    }

    fn to_value_at(&self, depth: usize) -> Json {
        if depth > MAX_DEPTH {
            return Json::Null;
        }
        match self {
            Node::Null => Json::Null,
            Node::Bool(b) => Json::Bool(*b),
            Node::Number(n) => Json::Number(n.clone()),
            Node::String(s) => Json::String(s.clone()),
            Node::Array(items) => Json::Array(items.iter().map(|v| v.to_value_at(depth + 1)).collect()),
            Node::Object(members) => {
                let mut map = Map::new();
                for (k, v) in members {
                    map.insert(k.clone(), v.to_value_at(depth + 1));
                }
                Json::Object(map)
            }
        }
    }

    /// From a `serde_json` value (its keys come sorted).
    pub(crate) fn from_value(value: &Json) -> Node {
        Self::from_value_at(value, 0)
    }

    fn from_value_at(value: &Json, depth: usize) -> Node {
        if depth > MAX_DEPTH {
            return Node::Null;
        }
        match value {
            Json::Null => Node::Null,
            Json::Bool(b) => Node::Bool(*b),
            Json::Number(n) => Node::Number(n.clone()),
            Json::String(s) => Node::String(s.clone()),
            Json::Array(items) => Node::Array(items.iter().map(|v| Self::from_value_at(v, depth + 1)).collect()),
            Json::Object(map) => Node::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Self::from_value_at(v, depth + 1)))
                    .collect(),
            ),
        }
    }

    /// Parses JSON text, keeping key order.
    pub(crate) fn parse(text: &str) -> Result<Node, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Compact JSON text, in order.
    pub(crate) fn to_compact(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Pretty JSON text (two-space indent), in order.
    pub(crate) fn to_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Serializes in order; past [`MAX_DEPTH`] writes `null`.
struct At<'a>(&'a Node, usize);

impl Serialize for At<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let At(node, depth) = *self;
        if depth > MAX_DEPTH {
            return s.serialize_unit();
        }
        match node {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Number(n) => n.serialize(s),
            Node::String(t) => s.serialize_str(t),
            Node::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&At(item, depth + 1))?;
                }
                seq.end()
            }
            Node::Object(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, &At(v, depth + 1))?;
                }
                map.end()
            }
        }
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        At(self, 0).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members: Vec<(String, Node)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            match index.get(&key).and_then(|&i| members.get_mut(i)) {
                Some(slot) => slot.1 = value,
                None => {
                    index.insert(key.clone(), members.len());
                    members.push((key, value));
                }
            }
        }
        Ok(Node::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_round_trips() {
        let n = Node::parse(r#"{"z":1,"a":{"y":[true,null,"s"],"b":2.5},"m":-3,"z":4}"#).expect("json");
        assert_eq!(n.to_compact(), r#"{"z":4,"a":{"y":[true,null,"s"],"b":2.5},"m":-3}"#);
        assert_eq!(
            Node::from_value(&n.to_value()).to_compact(),
            r#"{"a":{"b":2.5,"y":[true,null,"s"]},"m":-3,"z":4}"#
        );
    }

    #[test]
    fn deep_input_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(Node::parse(&deep).is_err());
    }
}
