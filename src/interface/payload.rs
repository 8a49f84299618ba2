//! From the form's values to what a run sends (OSCAR-API.md §7): one
//! builder for every page, detected or declared. Files are not read here:
//! a base64 body of one file is encoded by the browser from the blob, and
//! only a JSON body that embeds files (a template, or a JSON file sent as
//! is) needs their bytes, which the runner reads first ([`files_to_read`]).

use super::spec::{render_body, Encoding, FieldKind, RenderedBody, Spec, Value};
use super::values::{FileValue, InputValue};
use crate::oscar::decode::human_size;
use crate::oscar::invoke::{base64_len, INGRESS_BODY_LIMIT};
use std::collections::BTreeMap;

/// The form's values, by input id.
pub type Values = BTreeMap<String, InputValue>;

/// What a run sends.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// A JSON body, passed to the service as is.
    Json(String),
    /// Typed bytes: base64 in a `/run` body, or uploaded as the file `name`.
    Bytes { bytes: Vec<u8>, name: &'static str, mime: &'static str },
    /// A file: base64 in a `/run` body, or uploaded as it is.
    File(FileValue),
}

impl Payload {
    /// The file an async run uploads: name and MIME type.
    pub fn upload_name(&self) -> (String, String) {
        match self {
            Self::Json(_) => ("input.json".into(), "application/json".into()),
            Self::Bytes { name, mime, .. } => (name.to_string(), mime.to_string()),
            Self::File(f) => (f.upload_name(), f.upload_mime()),
        }
    }

    /// How many bytes it is before any encoding.
    pub fn size(&self) -> u64 {
        match self {
            Self::Json(t) => t.len() as u64,
            Self::Bytes { bytes, .. } => bytes.len() as u64,
            Self::File(f) => f.size,
        }
    }
}

/// The single-file shortcut: a base64 spec whose one input holds a file
/// (sent as the base64 of the file, which the browser can make ahead).
pub fn single_file<'a>(spec: &Spec, values: &'a Values) -> Option<&'a FileValue> {
    match (&spec.encoding, spec.inputs.as_slice()) {
        (Encoding::Base64, [input]) => values.get(&input.id).and_then(InputValue::file),
        _ => None,
    }
}

/// The files whose bytes [`build`] needs (by input id): those a JSON body embeds.
pub fn files_to_read<'a>(spec: &Spec, values: &'a Values) -> Vec<(&'a str, &'a FileValue)> {
    if matches!(spec.encoding, Encoding::Base64) {
        return Vec::new();
    }
    spec.inputs
        .iter()
        .filter_map(|i| values.get_key_value(&i.id))
        .filter_map(|(id, v)| v.file().map(|f| (id.as_str(), f)))
        .collect()
}

/// The typed values `render_body` takes. Blank values count as not given;
/// files take their bytes from `read` (see [`files_to_read`]).
fn typed(spec: &Spec, values: &Values, read: &BTreeMap<String, Vec<u8>>) -> Result<BTreeMap<String, Value>, String> {
    let mut out = BTreeMap::new();
    for input in &spec.inputs {
        let value = match values.get(&input.id) {
            None | Some(InputValue::Empty) => continue,
            Some(InputValue::Text(t)) if t.is_empty() => continue,
            Some(InputValue::Text(t)) if input.kind.is_file() => Value::Bytes(t.as_bytes().to_vec()),
            Some(InputValue::Text(t)) => Value::Text(t.clone()),
            Some(InputValue::File(f)) => match read.get(&input.id) {
                Some(bytes) => Value::Bytes(bytes.clone()),
                None => return Err(format!("The file {} could not be read. Choose it again.", f.name)),
            },
        };
        out.insert(input.id.clone(), value);
    }
    Ok(out)
}

/// What to call typed bytes when they are uploaded.
fn typed_name(spec: &Spec) -> (&'static str, &'static str) {
    match spec.inputs.first().map(|i| i.kind) {
        Some(FieldKind::Table) => ("input.csv", "text/csv"),
        Some(FieldKind::Json) => ("input.json", "application/json"),
        _ => ("input.txt", "text/plain"),
    }
}

/// Builds what a run sends, or says what is missing or wrong.
pub fn build(spec: &Spec, values: &Values, read: &BTreeMap<String, Vec<u8>>) -> Result<Payload, String> {
    if let Some(file) = single_file(spec, values) {
        return Ok(Payload::File(file.clone()));
    }
    match render_body(spec, &typed(spec, values, read)?).map_err(|e| e.message)? {
        RenderedBody::Json(text) => Ok(Payload::Json(text)),
        RenderedBody::Bytes(bytes) => {
            let (name, mime) = typed_name(spec);
            Ok(Payload::Bytes { bytes, name, mime })
        }
    }
}

/// What a run would send, in one line, and about how big the `/run` body
/// is; or why nothing can be sent yet. Reads no file: a template's files
/// count by their size.
pub fn describe(spec: &Spec, values: &Values) -> Result<(String, usize), String> {
    if let Some(f) = single_file(spec, values) {
        let b64 = base64_len(f.size as usize);
        return Ok((format!("Sends {} in base64: {}.", f.describe(), human_size(b64 as u64)), b64));
    }
    let files = files_to_read(spec, values);
    // One stand-in byte per file: enough to count as given.
    let stand_ins: BTreeMap<String, Vec<u8>> = files.iter().map(|(id, _)| (id.to_string(), vec![0])).collect();
    let payload = build(spec, values, &stand_ins)?;
    let file_bytes: u64 = files.iter().map(|(_, f)| f.size).sum();
    Ok(match payload {
        Payload::Json(text) if !files.is_empty() && matches!(spec.encoding, Encoding::Template(_)) => {
            let size = text.len() + base64_len(file_bytes as usize);
            (
                format!("Sends a JSON object built from the interface, with its files in base64: about {}.", human_size(size as u64)),
                size,
            )
        }
        Payload::Json(_) if !files.is_empty() => {
            let name = files.first().map(|(_, f)| f.name.clone()).unwrap_or_default();
            (format!("Sends {name} as the JSON object, as is ({}).", human_size(file_bytes)), file_bytes as usize)
        }
        Payload::Json(text) if matches!(spec.encoding, Encoding::Template(_)) => {
            (format!("Sends a JSON object built from the interface ({}).", human_size(text.len() as u64)), text.len())
        }
        Payload::Json(text) => (format!("Sends the JSON object as is ({}).", human_size(text.len() as u64)), text.len()),
        Payload::Bytes { bytes, name, .. } => {
            let what = if name.ends_with(".csv") { "the table as CSV" } else { "the text as UTF-8" };
            let b64 = base64_len(bytes.len());
            (format!("Sends {what} ({}) in base64: {}.", human_size(bytes.len() as u64), human_size(b64 as u64)), b64)
        }
        Payload::File(f) => {
            let b64 = base64_len(f.size as usize);
            (format!("Sends {} in base64: {}.", f.describe(), human_size(b64 as u64)), b64)
        }
    })
}

/// The preview line: [`describe`]'s sentence, or what is missing.
pub fn preview(spec: &Spec, values: &Values) -> String {
    describe(spec, values).map(|(line, _)| line).unwrap_or_else(|why| why)
}

/// Whether a `/run` body of `size` bytes is likely above the ingress limit (a 413 is coming).
pub fn likely_too_large(size: usize) -> bool {
    size > INGRESS_BODY_LIMIT
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interface::blob::BlobRef;
    use crate::interface::spec::{parse_spec, InputSpec, Mode, Spec, SPEC_VERSION};

    fn one(kind: FieldKind, encoding: Encoding) -> Spec {
        let mut input = InputSpec::new("input", kind);
        input.label = "Input".into();
        Spec {
            version: SPEC_VERSION,
            title: String::new(),
            description: String::new(),
            mode: Mode::Both,
            inputs: vec![input],
            encoding,
            outputs: Vec::new(),
            examples: Vec::new(),
        }
    }

    fn with(value: InputValue) -> Values {
        [("input".to_string(), value)].into()
    }

    fn file(name: &str, bytes: &[u8]) -> FileValue {
        FileValue::new(name, "image/png", BlobRef::from_bytes(bytes))
    }

    #[test]
    fn a_single_file_is_sent_without_reading_it() {
        let spec = one(FieldKind::Image, Encoding::Base64);
        let f = file("a.png", &[0u8; 3000]);
        let values = with(InputValue::File(f.clone()));
        assert!(files_to_read(&spec, &values).is_empty());
        assert_eq!(build(&spec, &values, &BTreeMap::new()), Ok(Payload::File(f)));
        assert_eq!(preview(&spec, &values), "Sends a.png (2.9 KB, image/png) in base64: 3.9 KB.");
    }

    #[test]
    fn text_and_tables_are_typed_bytes_named_for_uploads() {
        let spec = one(FieldKind::Text, Encoding::Base64);
        let values = with(InputValue::Text("Hello".into()));
        let p = build(&spec, &values, &BTreeMap::new()).expect("text");
        assert_eq!(p, Payload::Bytes { bytes: b"Hello".to_vec(), name: "input.txt", mime: "text/plain" });
        assert_eq!(preview(&spec, &values), "Sends the text as UTF-8 (5 B) in base64: 8 B.");
        let table = one(FieldKind::Table, Encoding::Base64);
        let values = with(InputValue::Text("a,b\n1,2\n".into()));
        assert_eq!(build(&table, &values, &BTreeMap::new()).map(|p| p.upload_name().0), Ok("input.csv".to_string()));
        assert!(preview(&table, &values).starts_with("Sends the table as CSV"));
    }

    #[test]
    fn nothing_given_says_so() {
        let spec = one(FieldKind::Image, Encoding::Base64);
        assert_eq!(preview(&spec, &Values::new()), "“Input” is required.");
        let text = one(FieldKind::Text, Encoding::Base64);
        assert!(build(&text, &with(InputValue::Text(String::new())), &BTreeMap::new()).is_err());
    }

    #[test]
    fn json_goes_as_is_and_bad_json_says_where() {
        let spec = one(FieldKind::Json, Encoding::Json);
        let values = with(InputValue::Text(r#"{"message":"hi"}"#.into()));
        assert_eq!(build(&spec, &values, &BTreeMap::new()), Ok(Payload::Json(r#"{"message":"hi"}"#.into())));
        assert!(preview(&spec, &values).contains("as is"));
        let bad = with(InputValue::Text("{\"a\": }".into()));
        assert!(preview(&spec, &bad).contains("Line 1, column"), "{}", preview(&spec, &bad));
        // A JSON file is read, then sent as is.
        let f = file("doc.json", br#"{"a":1}"#);
        let values = with(InputValue::File(f));
        assert_eq!(files_to_read(&spec, &values).len(), 1);
        let read = [("input".to_string(), br#"{"a":1}"#.to_vec())].into();
        assert_eq!(build(&spec, &values, &read), Ok(Payload::Json(r#"{"a":1}"#.into())));
        assert!(build(&spec, &values, &BTreeMap::new()).is_err(), "unread files are not guessed");
    }

    #[test]
    fn templates_embed_files_and_preview_without_reading_them() {
        let spec = parse_spec(
            r#"{"visor":1,"inputs":[{"id":"img","kind":"image"},{"id":"shout","kind":"boolean","required":false}],
                "request":{"encoding":"template","template":{"image":"{{img}}","shout":"{{shout}}"}}}"#,
        )
        .expect("spec");
        let mut values = Values::new();
        values.insert("img".into(), InputValue::File(file("leaf.png", &[1, 2, 3])));
        values.insert("shout".into(), InputValue::Text("true".into()));
        let (line, size) = describe(&spec, &values).expect("describe");
        assert!(line.starts_with("Sends a JSON object built from the interface, with its files in base64"), "{line}");
        assert!(size > 4);
        let read = [("img".to_string(), vec![1u8, 2, 3])].into();
        assert_eq!(build(&spec, &values, &read), Ok(Payload::Json(r#"{"image":"AQID","shout":true}"#.into())));
    }

    #[test]
    fn big_bodies_are_flagged() {
        let spec = one(FieldKind::File, Encoding::Base64);
        let size = |v: InputValue| describe(&spec, &with(v)).map(|(_, size)| size).unwrap_or(0);
        assert!(likely_too_large(size(InputValue::File(file("x", &vec![0u8; 900_000])))), "900 KB is 1.2 MB in base64");
        assert!(!likely_too_large(size(InputValue::Text("x".into()))));
    }
}
