//! Declared interfaces: the "interface spec" (docs/interface-spec.md, format
//! version [`SPEC_VERSION`]) that says which inputs and outputs a service has
//! and how to turn them into a `/run` body and back, where a spec comes from
//! ([`resolve`]: your edit > the service's annotation > the site's
//! `interfaces.json` > detection), and the detected spec when none is declared.
//!
//! Everything here is pure and total: hostile specs (any JSON, any size,
//! any nesting) give errors with the path of the bad field, never a panic
//! (release builds abort on panic).
//!
//! Rules chosen where the format leaves room (all documented on the items):
//! * [`parse_spec`] reports every problem (at most [`MAX_ERRORS`], then one
//!   "… more" entry), with paths such as `inputs[1].control`.
//! * Limits: [`MAX_SPEC_BYTES`] of text, [`MAX_INPUTS`] inputs,
//!   [`MAX_OUTPUTS`] outputs, [`MAX_EXAMPLES`] examples, [`MAX_LIST`] options,
//!   accept entries or ZIP rules each, JSON nesting 128 (serde_json's limit).
//! * The request template keeps the key order its author wrote ([`Template`]).

mod detect;
mod node;
mod parse;
mod render;
mod write;

pub use detect::{detect_spec, detect_spec_as, parse_ro_crate, resolve, resolve_as, Resolved, RoCrateHints, Source};
pub use parse::parse_spec;
pub use render::{json_pointer, labels_at, render_body, zip_rule_for, RenderedBody, Value, GLOB_CAP};
pub use write::{to_fdl_annotation, to_json};

use crate::interface::{InputKind, OutputView};
use node::Node;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// The format version this app writes and fully understands.
pub const SPEC_VERSION: u32 = 1;

/// The service annotation that holds a spec (its JSON text).
pub const ANNOTATION_KEY: &str = "oscar-visor/interface";

/// The most spec text [`parse_spec`] reads (1 MiB).
pub const MAX_SPEC_BYTES: usize = 1 << 20;
/// The most inputs a spec may declare.
pub const MAX_INPUTS: usize = 64;
/// The most outputs a spec may declare.
pub const MAX_OUTPUTS: usize = 64;
/// The most examples a spec may carry.
pub const MAX_EXAMPLES: usize = 100;
/// The most entries of `options`, `accept` and `entries` lists.
pub const MAX_LIST: usize = 1000;
/// The most errors [`parse_spec`] lists (then one "… more problems" entry).
pub const MAX_ERRORS: usize = 50;
/// The longest input id.
pub const MAX_ID_LEN: usize = 64;
/// The largest `interfaces.json` read (8 MiB: many specs of the operator's).
pub const MAX_INTERFACES_BYTES: usize = 8 << 20;

/// Reads the operator's `interfaces.json`, or says why it is not used.
pub fn parse_interfaces(text: &str) -> Result<serde_json::Value, String> {
    if text.len() > MAX_INTERFACES_BYTES {
        return Err(interfaces_too_large(text.len()));
    }
    serde_json::from_str(text).map_err(|e| format!("interfaces.json is not valid JSON ({e}); its interfaces are not used."))
}

/// Why an `interfaces.json` of `bytes` is not used.
pub fn interfaces_too_large(bytes: usize) -> String {
    format!(
        "interfaces.json is {}, more than the {} read; its interfaces are not used.",
        crate::oscar::decode::human_size(bytes as u64),
        crate::oscar::decode::human_size(MAX_INTERFACES_BYTES as u64)
    )
}

/// The longest path a problem names (characters); a longer one keeps its
/// start and end around an ellipsis.
pub const MAX_PATH_CHARS: usize = 200;

/// What an input holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// Typed text.
    Text,
    /// A JSON value.
    Json,
    /// An image file.
    Image,
    /// An audio file.
    Audio,
    /// A video file.
    Video,
    /// Any file.
    File,
    /// A table (CSV/TSV file or typed CSV).
    Table,
    /// A number.
    Number,
    /// A yes/no value.
    Boolean,
}

impl FieldKind {
    /// Every kind, in the order of the docs.
    pub const ALL: [FieldKind; 9] = [
        FieldKind::Text,
        FieldKind::Json,
        FieldKind::Image,
        FieldKind::Audio,
        FieldKind::Video,
        FieldKind::File,
        FieldKind::Table,
        FieldKind::Number,
        FieldKind::Boolean,
    ];

    /// The name used in specs (`"text"`, `"image"`, ...).
    pub fn id(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
            Self::Image => "image",
            Self::Audio => "audio",
            Self::Video => "video",
            Self::File => "file",
            Self::Table => "table",
            Self::Number => "number",
            Self::Boolean => "boolean",
        }
    }

    /// The kind of a spec name.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    /// The input component of the run page for this kind (`None` for number and boolean, which are form controls).
    pub fn input_kind(self) -> Option<InputKind> {
        Some(match self {
            Self::Text => InputKind::Text,
            Self::Json => InputKind::Json,
            Self::Image => InputKind::Image,
            Self::Audio => InputKind::Audio,
            Self::Video => InputKind::Video,
            Self::File => InputKind::File,
            Self::Table => InputKind::Table,
            Self::Number | Self::Boolean => return None,
        })
    }

    /// The field kind of an input component.
    pub fn from_input_kind(kind: InputKind) -> Self {
        match kind {
            InputKind::Text => Self::Text,
            InputKind::Json => Self::Json,
            InputKind::Image => Self::Image,
            InputKind::Audio => Self::Audio,
            InputKind::Video => Self::Video,
            InputKind::File => Self::File,
            InputKind::Table => Self::Table,
        }
    }

    /// File kinds (image, audio, video, file, table): their bytes travel as base64 in templates.
    pub fn is_file(self) -> bool {
        matches!(self, Self::Image | Self::Audio | Self::Video | Self::File | Self::Table)
    }

    /// The controls a spec may choose for this kind (empty: the kind has its own component).
    pub fn controls(self) -> &'static [Control] {
        match self {
            Self::Text => &[Control::Text, Control::Textarea, Control::Select],
            Self::Json => &[Control::Textarea],
            Self::Number => &[Control::Number, Control::Slider],
            Self::Boolean => &[Control::Checkbox],
            Self::Image | Self::Audio | Self::Video | Self::File | Self::Table => &[],
        }
    }

    /// The control used when a spec names none: text → select with options, else textarea;
    /// number → slider with both min and max, else number; boolean → checkbox; json → textarea;
    /// file kinds → text (not used: they have their own component).
    pub fn default_control(self, has_options: bool, has_range: bool) -> Control {
        match self {
            Self::Text if has_options => Control::Select,
            Self::Text | Self::Json => Control::Textarea,
            Self::Number if has_range => Control::Slider,
            Self::Number => Control::Number,
            Self::Boolean => Control::Checkbox,
            Self::Image | Self::Audio | Self::Video | Self::File | Self::Table => Control::Text,
        }
    }
}

/// The form control of a text, number or boolean input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Control {
    /// A one-line text box.
    Text,
    /// A multi-line text box.
    Textarea,
    /// A drop-down of `options`.
    Select,
    /// A number box.
    Number,
    /// A slider from `min` to `max`.
    Slider,
    /// A checkbox.
    Checkbox,
}

impl Control {
    /// Every control.
    pub const ALL: [Control; 6] = [
        Control::Text,
        Control::Textarea,
        Control::Select,
        Control::Number,
        Control::Slider,
        Control::Checkbox,
    ];

    /// The name used in specs.
    pub fn id(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Textarea => "textarea",
            Self::Select => "select",
            Self::Number => "number",
            Self::Slider => "slider",
            Self::Checkbox => "checkbox",
        }
    }

    /// The control of a spec name.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == id)
    }
}

/// One declared input.
#[derive(Clone, Debug, PartialEq)]
pub struct InputSpec {
    /// Unique id, `[A-Za-z0-9_-]{1,64}`; templates name it as `{{id}}`.
    pub id: String,
    /// What it holds.
    pub kind: FieldKind,
    /// Shown name (defaults to the id).
    pub label: String,
    /// Help text.
    pub description: String,
    /// MIME types or suffixes accepted (file kinds).
    pub accept: Vec<String>,
    /// The control, resolved ([`FieldKind::default_control`] when the spec names none).
    pub control: Control,
    /// Choices of a select.
    pub options: Vec<String>,
    /// Lowest number.
    pub min: Option<f64>,
    /// Highest number.
    pub max: Option<f64>,
    /// Number step.
    pub step: Option<f64>,
    /// Initial value (file kinds: a URL relative to the app).
    pub default: Option<serde_json::Value>,
    /// Must be given to run (default true).
    pub required: bool,
}

impl InputSpec {
    /// A required input of `kind` with the default control and the id as label.
    pub fn new(id: &str, kind: FieldKind) -> Self {
        Self {
            id: id.to_string(),
            kind,
            label: id.to_string(),
            description: String::new(),
            accept: Vec::new(),
            control: kind.default_control(false, false),
            options: Vec::new(),
            min: None,
            max: None,
            step: None,
            default: None,
            required: true,
        }
    }

    /// The `accept` attribute of a file picker: the declared list, or the kind's usual one.
    pub fn accept_attr(&self) -> String {
        if !self.accept.is_empty() {
            return self.accept.join(",");
        }
        self.kind
            .input_kind()
            .map(|k| k.accept().to_string())
            .unwrap_or_default()
    }

    /// The default as a filled value (`None` without one, or for file kinds whose default is a URL to fetch).
    pub fn default_value(&self) -> Option<Value> {
        use serde_json::Value as J;
        let d = self.default.as_ref()?;
        Some(match (self.kind, d) {
            (FieldKind::Number, J::Number(n)) => Value::Number(n.as_f64()?),
            (FieldKind::Number, J::String(s)) => Value::Number(s.trim().parse::<f64>().ok().filter(|f| f.is_finite())?),
            (FieldKind::Boolean, J::Bool(b)) => Value::Boolean(*b),
            (FieldKind::Boolean, J::String(s)) => Value::Boolean(s.trim().parse::<bool>().ok()?),
            (FieldKind::Json, J::String(s)) => Value::Text(s.clone()),
            (FieldKind::Json, v) => Value::Json(v.clone()),
            (FieldKind::Text, J::String(s)) => Value::Text(s.clone()),
            (FieldKind::Text, J::Null) => return None,
            (FieldKind::Text, v) => Value::Text(v.to_string()),
            _ => return None,
        })
    }
}

/// A request template: any JSON with `"{{id}}"` placeholders, kept in the key order it was written in.
#[derive(Clone, Debug, PartialEq)]
pub struct Template(Node);

impl Template {
    /// Parses template JSON text (keeps key order).
    pub fn parse(text: &str) -> Result<Self, String> {
        Node::parse(text).map(Template).map_err(|e| e.to_string())
    }

    /// From a `serde_json` value (whose keys are sorted).
    pub fn from_value(value: &serde_json::Value) -> Self {
        Template(Node::from_value(value))
    }

    /// The template as a `serde_json` value (keys sorted).
    pub fn to_value(&self) -> serde_json::Value {
        self.0.to_value()
    }

    /// Pretty JSON text, in order.
    pub fn to_pretty(&self) -> String {
        self.0.to_pretty()
    }

    /// The input ids its placeholders name, in order of first use.
    pub fn placeholders(&self) -> Vec<String> {
        let mut ids = Vec::new();
        render::visit_placeholders(&self.0, "", 0, &mut |_, id| {
            if !ids.iter().any(|i| i == id) {
                ids.push(id.to_string());
            }
        });
        ids
    }

    pub(crate) fn node(&self) -> &Node {
        &self.0
    }
}

impl From<serde_json::Value> for Template {
    fn from(value: serde_json::Value) -> Self {
        Self::from_value(&value)
    }
}

impl Serialize for Template {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// How the inputs become the `/run` body.
#[derive(Clone, Debug, PartialEq)]
pub enum Encoding {
    /// The single input's bytes, base64-encoded by the caller.
    Base64,
    /// The single JSON input, sent as is.
    Json,
    /// A JSON template with `{{id}}` placeholders.
    Template(Template),
}

impl Encoding {
    /// The name used in specs.
    pub fn id(&self) -> &'static str {
        match self {
            Self::Base64 => "base64",
            Self::Json => "json",
            Self::Template(_) => "template",
        }
    }
}

/// How the service may be invoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `/run` only.
    Sync,
    /// Through the input bucket only.
    Async,
    /// Either.
    Both,
}

impl Mode {
    /// The name used in specs.
    pub fn id(self) -> &'static str {
        match self {
            Self::Sync => "sync",
            Self::Async => "async",
            Self::Both => "both",
        }
    }

    /// The mode of a spec name.
    pub fn from_id(id: &str) -> Option<Self> {
        [Self::Sync, Self::Async, Self::Both].into_iter().find(|m| m.id() == id)
    }

    /// Sync runs are offered.
    pub fn allows_sync(self) -> bool {
        matches!(self, Self::Sync | Self::Both)
    }

    /// Async runs are offered.
    pub fn allows_async(self) -> bool {
        matches!(self, Self::Async | Self::Both)
    }
}

/// How an output is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputKind {
    /// Detected from the bytes.
    Auto,
    /// Plain text.
    Text,
    /// Ranked labels.
    Label,
    /// An image.
    Image,
    /// JSON.
    Json,
    /// A table.
    Table,
    /// Audio.
    Audio,
    /// Video.
    Video,
    /// A PDF.
    Pdf,
    /// A ZIP archive's entries.
    Zip,
    /// A download link.
    Download,
}

impl OutputKind {
    /// Every kind.
    pub const ALL: [OutputKind; 11] = [
        OutputKind::Auto,
        OutputKind::Text,
        OutputKind::Label,
        OutputKind::Image,
        OutputKind::Json,
        OutputKind::Table,
        OutputKind::Audio,
        OutputKind::Video,
        OutputKind::Pdf,
        OutputKind::Zip,
        OutputKind::Download,
    ];

    /// The name used in specs.
    pub fn id(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            other => other.view().map(OutputView::id).unwrap_or("auto"),
        }
    }

    /// The kind of a spec name.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    /// The output view (`None` for auto: detect from the bytes).
    pub fn view(self) -> Option<OutputView> {
        Some(match self {
            Self::Auto => return None,
            Self::Text => OutputView::Text,
            Self::Label => OutputView::Label,
            Self::Image => OutputView::Image,
            Self::Json => OutputView::Json,
            Self::Table => OutputView::Table,
            Self::Audio => OutputView::Audio,
            Self::Video => OutputView::Video,
            Self::Pdf => OutputView::Pdf,
            Self::Zip => OutputView::Zip,
            Self::Download => OutputView::Download,
        })
    }

    /// The kind of an output view.
    pub fn from_view(view: OutputView) -> Self {
        Self::ALL
            .into_iter()
            .find(|k| k.view() == Some(view))
            .unwrap_or(Self::Auto)
    }
}

/// Where a label output's labels and scores are (JSON pointers, RFC 6901).
#[derive(Clone, Debug, PartialEq)]
pub enum LabelsAt {
    /// Two parallel arrays.
    Arrays {
        /// Pointer to the array of labels.
        labels: String,
        /// Pointer to the array of scores.
        scores: String,
    },
    /// An array of objects.
    List {
        /// Pointer to the array.
        list: String,
        /// Field of each object holding the label.
        label: String,
        /// Field of each object holding the score.
        score: String,
    },
}

/// How ZIP entries whose names match `pattern` are shown.
#[derive(Clone, Debug, PartialEq)]
pub struct ZipRule {
    /// File-name glob with `*` and `?` (`match` in specs).
    pub pattern: String,
    /// View of matching entries (auto: from their bytes).
    pub kind: OutputKind,
    /// Caption of matching entries.
    pub label: String,
}

/// One declared output.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputSpec {
    /// How it is shown.
    pub kind: OutputKind,
    /// Caption.
    pub label: String,
    /// The part of a JSON output worth showing (RFC 6901).
    pub pointer: Option<String>,
    /// Where labels and scores are (label outputs).
    pub labels: Option<LabelsAt>,
    /// How ZIP entries show (zip outputs), first match wins.
    pub entries: Vec<ZipRule>,
}

impl OutputSpec {
    /// An output of `kind` with nothing else declared.
    pub fn new(kind: OutputKind) -> Self {
        Self {
            kind,
            label: String::new(),
            pointer: None,
            labels: None,
            entries: Vec::new(),
        }
    }
}

/// A ready-made set of input values.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// Its name.
    pub label: String,
    /// Values by input id (file kinds: a URL relative to the app).
    pub inputs: BTreeMap<String, serde_json::Value>,
    /// What the service should answer.
    pub expected: Option<Expected>,
}

/// The expected answer of an example.
#[derive(Clone, Debug, PartialEq)]
pub struct Expected {
    /// How it is shown.
    pub kind: OutputKind,
    /// The expected text.
    pub text: Option<String>,
    /// The expected file, relative to the app.
    pub url: Option<String>,
}

/// A parsed, validated interface spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// The `visor` format version it declared (may exceed [`SPEC_VERSION`]: see [`Spec::is_future`]).
    pub version: u32,
    /// Page title.
    pub title: String,
    /// Page description.
    pub description: String,
    /// How it may be invoked.
    pub mode: Mode,
    /// One or more inputs.
    pub inputs: Vec<InputSpec>,
    /// How inputs become the body.
    pub encoding: Encoding,
    /// Zero or more outputs.
    pub outputs: Vec<OutputSpec>,
    /// Ready-made inputs.
    pub examples: Vec<Example>,
}

impl Spec {
    /// The input with `id`.
    pub fn input(&self, id: &str) -> Option<&InputSpec> {
        self.inputs.iter().find(|i| i.id == id)
    }

    /// The inputs' defaults as filled values ([`InputSpec::default_value`]; file kinds are left out).
    pub fn default_values(&self) -> BTreeMap<String, Value> {
        self.inputs
            .iter()
            .filter_map(|i| i.default_value().map(|v| (i.id.clone(), v)))
            .collect()
    }

    /// Declared a newer format than this app knows: read for what it understands.
    pub fn is_future(&self) -> bool {
        self.version > SPEC_VERSION
    }

    /// Notices to show with the spec (not errors): a newer format, optional inputs a template leaves out.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.is_future() {
            notes.push(format!(
                "This interface uses format version {}; this app knows version {SPEC_VERSION}, so newer parts are ignored.",
                self.version
            ));
        }
        if let Encoding::Template(t) = &self.encoding {
            let used = t.placeholders();
            for input in &self.inputs {
                if !used.contains(&input.id) {
                    notes.push(format!("The input “{}” is not used by the request template.", input.id));
                }
            }
        }
        notes
    }
}

/// A problem in a spec, or in the values given to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    /// Where: a spec path such as `inputs[1].control` or `request.template.config.speed`;
    /// for [`render_body`] the input id; empty for the whole spec.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl SpecError {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: cut_path(path.into()),
            message: message.into(),
        }
    }
}

/// A path of at most [`MAX_PATH_CHARS`]: its start and end, around "…".
fn cut_path(path: String) -> String {
    let count = path.chars().count();
    if count <= MAX_PATH_CHARS {
        return path;
    }
    let keep = (MAX_PATH_CHARS - 1) / 2;
    let head: String = path.chars().take(keep).collect();
    let tail: String = path.chars().skip(count - keep).collect();
    format!("{head}…{tail}")
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for SpecError {}

/// An input id is `[A-Za-z0-9_-]{1,64}`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A JSON pointer in RFC 6901 syntax: empty, or `/`-separated tokens where `~` is followed by `0` or `1`.
pub fn is_valid_pointer(pointer: &str) -> bool {
    if pointer.is_empty() {
        return true;
    }
    if !pointer.starts_with('/') {
        return false;
    }
    let bytes = pointer.as_bytes();
    bytes
        .iter()
        .enumerate()
        .all(|(i, &b)| b != b'~' || matches!(bytes.get(i + 1), Some(b'0' | b'1')))
}

#[cfg(test)]
mod tests;
