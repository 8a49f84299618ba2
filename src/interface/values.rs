//! What the user put in an input, and how it travels to `/run` (§7).

use crate::oscar::decode::human_size;
use crate::oscar::invoke::{base64_len, validate_json, JsonProblem, INGRESS_BODY_LIMIT};

/// Sizes as usize, shown the one way the app shows sizes.
fn human(bytes: usize) -> String {
    human_size(bytes as u64)
}
use std::sync::Arc;

/// The content of one input component.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum InputValue {
    #[default]
    Empty,
    /// Typed text; sent as base64 of its UTF-8 bytes.
    Text(String),
    /// A JSON object; sent as is.
    Json(String),
    /// A file (picked, dropped, pasted, recorded or snapped); sent as base64.
    File { name: String, mime: String, bytes: Arc<[u8]> },
    /// A table as CSV text; sent as base64.
    Table(String),
}

/// How the value will be sent, for the preview and for building the body.
#[derive(Clone, Debug, PartialEq)]
pub enum Outgoing<'a> {
    Json(&'a str),
    Base64(&'a [u8]),
}

impl InputValue {
    /// What goes into the request, or why nothing can be sent yet.
    pub fn outgoing(&self) -> Result<Outgoing<'_>, String> {
        match self {
            Self::Empty => Err("Give the service an input first.".into()),
            Self::Text(t) | Self::Table(t) if t.is_empty() => Err("The input is empty.".into()),
            Self::Text(t) | Self::Table(t) => Ok(Outgoing::Base64(t.as_bytes())),
            Self::Json(t) => validate_json(t).map(|()| Outgoing::Json(t)).map_err(|p: JsonProblem| p.to_string()),
            Self::File { bytes, .. } => Ok(Outgoing::Base64(bytes)),
        }
    }

    /// The file an async run uploads to the input bucket: its name, MIME
    /// type and raw bytes (no base64: the storage takes bytes as they are).
    pub fn as_upload(&self) -> Result<(String, String, &[u8]), String> {
        let (name, mime) = match self {
            Self::Empty => return Err("Give the service an input first.".into()),
            Self::Text(t) | Self::Table(t) if t.is_empty() => return Err("The input is empty.".into()),
            Self::Text(_) => ("input.txt".into(), "text/plain".into()),
            Self::Table(_) => ("input.csv".into(), "text/csv".into()),
            Self::Json(t) => {
                validate_json(t).map_err(|p| p.to_string())?;
                ("input.json".into(), "application/json".into())
            }
            Self::File { name, mime, .. } => {
                let name = if name.is_empty() { "input".to_string() } else { name.clone() };
                let mime = if mime.is_empty() { "application/octet-stream".to_string() } else { mime.clone() };
                (name, mime)
            }
        };
        let bytes: &[u8] = match self {
            Self::Text(t) | Self::Table(t) | Self::Json(t) => t.as_bytes(),
            Self::File { bytes, .. } => bytes,
            Self::Empty => &[],
        };
        Ok((name, mime, bytes))
    }

    /// A one-line description of what will be sent.
    pub fn preview(&self) -> String {
        match self.outgoing() {
            Err(why) => why,
            Ok(Outgoing::Json(t)) => format!("Sends the JSON object as is ({}).", human(t.len())),
            Ok(Outgoing::Base64(bytes)) => {
                let what = match self {
                    Self::File { name, mime, .. } => {
                        let mime = if mime.is_empty() { "unknown type" } else { mime };
                        format!("{name} ({}, {mime})", human(bytes.len()))
                    }
                    Self::Table(_) => format!("the table as CSV ({})", human(bytes.len())),
                    _ => format!("the text as UTF-8 ({})", human(bytes.len())),
                };
                format!("Sends {what} in base64: {}.", human(base64_len(bytes.len())))
            }
        }
    }

    /// Whether the body is likely above the ingress limit (a 413 is coming).
    pub fn likely_too_large(&self) -> bool {
        match self.outgoing() {
            Ok(Outgoing::Base64(b)) => base64_len(b.len()) > INGRESS_BODY_LIMIT,
            Ok(Outgoing::Json(t)) => t.len() > INGRESS_BODY_LIMIT,
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_say_what_is_sent() {
        assert_eq!(InputValue::Empty.preview(), "Give the service an input first.");
        let text = InputValue::Text("Hello".into());
        assert_eq!(text.preview(), "Sends the text as UTF-8 (5 B) in base64: 8 B.");
        let json = InputValue::Json(r#"{"message":"hi"}"#.into());
        assert_eq!(json.outgoing(), Ok(Outgoing::Json(r#"{"message":"hi"}"#)));
        assert!(json.preview().contains("as is"));
        let file = InputValue::File { name: "a.png".into(), mime: "image/png".into(), bytes: vec![0u8; 3000].into() };
        assert_eq!(file.preview(), "Sends a.png (2.9 KB, image/png) in base64: 3.9 KB.");
    }

    #[test]
    fn uploads_carry_a_name_a_type_and_raw_bytes() {
        let text = InputValue::Text("hi".into());
        let (name, mime, bytes) = text.as_upload().expect("text");
        assert_eq!((name.as_str(), mime.as_str(), bytes), ("input.txt", "text/plain", &b"hi"[..]));
        let file = InputValue::File { name: "cat.png".into(), mime: String::new(), bytes: vec![1u8, 2].into() };
        let (name, mime, bytes) = file.as_upload().expect("file");
        assert_eq!((name.as_str(), mime.as_str(), bytes.len()), ("cat.png", "application/octet-stream", 2));
        assert!(InputValue::Json("[1]".into()).as_upload().is_err());
        assert!(InputValue::Empty.as_upload().is_err());
    }

    #[test]
    fn bad_json_cannot_be_sent_and_says_where() {
        let bad = InputValue::Json("{\"a\": }".into());
        assert!(bad.outgoing().unwrap_err().starts_with("Line 1, column"));
    }

    #[test]
    fn big_inputs_are_flagged() {
        let big = InputValue::File { name: "x".into(), mime: String::new(), bytes: vec![0u8; 900_000].into() };
        assert!(big.likely_too_large());
        assert!(!InputValue::Text("x".into()).likely_too_large());
    }
}
