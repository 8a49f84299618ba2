//! Where a spec comes from: the user's edit, the service's annotation, the
//! site's `interfaces.json`, or detection from the service definition and its
//! OSCAR Hub RO-Crate.

use super::node::Node;
use super::parse::{parse_node, parse_spec};
use super::{
    Encoding, Example, FieldKind, InputSpec, Mode, OutputKind, OutputSpec, Spec, SpecError, ANNOTATION_KEY, SPEC_VERSION,
};
use crate::interface::examples::examples_for;
use crate::interface::inputs::sample_for;
use crate::interface::{choose_input, InputKind};
use crate::oscar::Service;
use serde_json::Value as J;

/// What an OSCAR Hub RO-Crate (`ro-crate-metadata.json`) tells about a service.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RoCrateHints {
    /// The root's `serviceType`, lower-cased: `synchronous`, `asynchronous`, `exposed`.
    pub service_types: Vec<String>,
    /// `encodingFormat` of the sample inputs, in order, without repeats.
    pub input_formats: Vec<String>,
    /// `encodingFormat` of the expected outputs, in order, without repeats.
    pub output_formats: Vec<String>,
    /// The sample inputs: file name (`@id`) and MIME type (empty when not given).
    pub samples: Vec<(String, String)>,
}

/// The most graph entities read from an RO-Crate.
const MAX_ENTITIES: usize = 10_000;
/// The most sample inputs and expected outputs read from an RO-Crate.
const MAX_REFS: usize = 100;

/// Reads an RO-Crate tolerantly; `None` when it is not JSON with an `@graph` array (or a bare array).
///
/// * `service_types`: the root dataset's (`@id` `./`, or what the metadata descriptor is `about`)
///   `serviceType`, a string or an array.
/// * Sample inputs: the `item` of every `HowToSupply` and the `object` of every action, in order.
/// * Expected outputs: the `result` of every action, plus the entities whose `@id` starts with
///   `#expected` (the Hub crates' results sometimes name an id that does not exist, e.g. kokoro-tts's
///   `#expected-json` for its `#expected-audio`). Only entities with an `encodingFormat` count.
pub fn parse_ro_crate(json: &str) -> Option<RoCrateHints> {
    let root: J = serde_json::from_str(json).ok()?;
    let graph = match &root {
        J::Object(map) => map.get("@graph")?.as_array()?,
        J::Array(items) => items,
        _ => return None,
    };
    let graph = graph.get(..graph.len().min(MAX_ENTITIES)).unwrap_or_default();
    let id_of = |e: &J| e.get("@id").and_then(J::as_str).map(str::to_string);
    let mut by_id: std::collections::HashMap<&str, &J> = std::collections::HashMap::new();
    for e in graph {
        if let Some(id) = e.get("@id").and_then(J::as_str) {
            by_id.entry(id).or_insert(e);
        }
    }
    let entity = |id: &str| by_id.get(id).copied();
    let has_type = |e: &J, ty: &str| match e.get("@type") {
        Some(J::String(s)) => s == ty,
        Some(J::Array(items)) => items.iter().any(|t| t.as_str() == Some(ty)),
        _ => false,
    };
    let formats = |e: &J| -> Vec<String> {
        match e.get("encodingFormat") {
            Some(J::String(s)) => vec![s.trim().to_string()],
            Some(J::Array(items)) => items
                .iter()
                .filter_map(J::as_str)
                .map(|s| s.trim().to_string())
                .collect(),
            _ => Vec::new(),
        }
    };

    let about = graph
        .iter()
        .find(|e| id_of(e).as_deref() == Some("ro-crate-metadata.json"))
        .and_then(|d| d.get("about"))
        .and_then(|a| a.get("@id"))
        .and_then(J::as_str)
        .unwrap_or("./");
    let mut hints = RoCrateHints::default();
    if let Some(root) = entity(about).or_else(|| entity("./")) {
        match root.get("serviceType") {
            Some(J::String(s)) => hints.service_types.push(s.trim().to_ascii_lowercase()),
            Some(J::Array(items)) => hints.service_types.extend(
                items
                    .iter()
                    .filter_map(J::as_str)
                    .map(|s| s.trim().to_ascii_lowercase()),
            ),
            _ => {}
        }
    }

    let mut input_ids: Vec<String> = Vec::new();
    let mut output_ids: Vec<String> = Vec::new();
    let push = |ids: &mut Vec<String>, v: Option<&J>| {
        let refs: Vec<&J> = match v {
            Some(J::Array(items)) => items.iter().collect(),
            Some(other) => vec![other],
            None => Vec::new(),
        };
        for r in refs {
            let id = match r {
                J::String(s) => Some(s.clone()),
                other => id_of(other),
            };
            if let Some(id) = id.filter(|id| ids.len() < MAX_REFS && !ids.contains(id)) {
                ids.push(id);
            }
        }
    };
    for e in graph {
        if has_type(e, "HowToSupply") {
            push(&mut input_ids, e.get("item"));
        }
        push(&mut input_ids, e.get("object"));
        push(&mut output_ids, e.get("result"));
    }
    for e in graph {
        if let Some(id) =
            id_of(e).filter(|id| output_ids.len() < MAX_REFS && id.starts_with("#expected") && !output_ids.contains(id))
        {
            output_ids.push(id);
        }
    }

    // Formats are de-duplicated through a set, and at most MAX_REFS are kept:
    // a crate that lists 100,000 of them costs one pass, not one per pair.
    let add = |list: &mut Vec<String>, seen: &mut std::collections::HashSet<String>, f: String| {
        if !f.is_empty() && list.len() < MAX_REFS && seen.insert(f.clone()) {
            list.push(f);
        }
    };
    let mut seen = std::collections::HashSet::new();
    for id in &input_ids {
        let Some(e) = entity(id) else { continue };
        let fs = formats(e);
        hints
            .samples
            .push((id.clone(), fs.first().cloned().unwrap_or_default()));
        for f in fs {
            add(&mut hints.input_formats, &mut seen, f);
        }
    }
    let mut seen = std::collections::HashSet::new();
    for id in &output_ids {
        for f in entity(id).map(formats).unwrap_or_default() {
            add(&mut hints.output_formats, &mut seen, f);
        }
    }
    Some(hints)
}

/// The spec detected for a service without a declared one.
///
/// * The input kind is [`choose_input`]'s (annotations, `INPUT_TYPE`, input suffix filters, the OSCAR
///   example catalogue). When that is only "any file", the RO-Crate decides: the first sample input format
///   that names a kind, else the first sample file's suffix. (RO-Crate samples are examples, not limits,
///   so they never override a more specific choice: cowsay's sample is `text/plain` but it takes JSON.)
/// * One input, id `input`, label the kind's name, its description says why it was chosen.
/// * json → encoding json, with the catalogue sample (when it is JSON) as the default; every other kind →
///   base64 (text gets the catalogue sample as default, and the textarea control).
/// * `accept`: the input suffix filters (`.wav`), else the kind's usual list (`image/*`).
/// * One auto output; mode from the RO-Crate's `serviceType` (synchronous → sync, asynchronous → async,
///   both or anything else → both), else both. Title: the service name.
/// * Examples: the app's examples for the service (by name) that are of the chosen kind.
pub fn detect_spec(service: &Service, hints: Option<&RoCrateHints>) -> Spec {
    detect_spec_as(service, hints, None)
}

/// [`detect_spec`], with the input kind the user chose in "Input type" instead of the detected one.
pub fn detect_spec_as(service: &Service, hints: Option<&RoCrateHints>, chosen: Option<InputKind>) -> Spec {
    let choice = choose_input(service);
    let mut kind = choice.kind;
    let mut reason = choice.reason.clone();
    if let Some(k) = chosen.filter(|k| *k != choice.kind) {
        kind = k;
        reason = "as chosen in “Input type”".into();
    } else if kind == InputKind::File {
        if let Some(h) = hints {
            let from_format = h
                .input_formats
                .iter()
                .find_map(|f| InputKind::from_hint(f).map(|k| (k, f.clone())));
            let from_name = || {
                h.samples.iter().find_map(|(name, _)| {
                    let suffix = name.rsplit_once('.').map(|(_, s)| s)?;
                    InputKind::from_suffix(suffix).map(|k| (k, name.clone()))
                })
            };
            if let Some((k, why)) = from_format.filter(|(k, _)| *k != InputKind::File).or_else(from_name) {
                kind = k;
                reason = format!("from its OSCAR Hub sample ({why})");
            }
        }
    }
    let field_kind = FieldKind::from_input_kind(kind);
    let mut input = InputSpec::new("input", field_kind);
    input.label = kind.field_label().to_string();
    input.description = format!("{} input, {reason}.", kind.label());
    let suffixes: Vec<String> = service
        .input
        .iter()
        .flat_map(|io| io.suffix.iter())
        .map(|s| s.trim().trim_start_matches('.'))
        .filter(|s| !s.is_empty())
        .map(|s| format!(".{s}"))
        .collect();
    if kind.is_file() || kind == InputKind::Table {
        input.accept = if suffixes.is_empty() {
            kind.accept()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        } else {
            suffixes
        };
    }
    let sample = if kind == choice.kind {
        choice.sample.clone()
    } else {
        sample_for(service, kind)
    };
    let sample = sample.as_str();
    let encoding = match kind {
        InputKind::Json => {
            input.default = Node::parse(sample).ok().map(|n| J::String(n.to_pretty()));
            Encoding::Json
        }
        InputKind::Text => {
            if !sample.is_empty() {
                input.default = Some(J::String(sample.to_string()));
            }
            Encoding::Base64
        }
        _ => Encoding::Base64,
    };
    let mode = hints.map_or(Mode::Both, |h| {
        let sync = h.service_types.iter().any(|t| t == "synchronous" || t == "sync");
        let async_ = h.service_types.iter().any(|t| t == "asynchronous" || t == "async");
        match (sync, async_) {
            (true, false) => Mode::Sync,
            (false, true) => Mode::Async,
            _ => Mode::Both,
        }
    });
    Spec {
        version: SPEC_VERSION,
        title: service.name.as_str().to_string(),
        description: String::new(),
        mode,
        inputs: vec![input],
        encoding,
        outputs: vec![OutputSpec::new(OutputKind::Auto)],
        examples: examples_for(service.name.as_str())
            .iter()
            .filter(|e| e.kind == kind)
            .filter_map(|e| {
                let value = e.text.or(e.url)?;
                Some(Example {
                    label: e.label.to_string(),
                    inputs: [("input".to_string(), J::String(value.to_string()))].into(),
                    expected: None,
                })
            })
            .collect(),
    }
}

/// Where the spec in use came from, in order of precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The user's edit in this browser.
    UserEdit,
    /// The service's `oscar-visor/interface` annotation.
    Annotation,
    /// The site's `interfaces.json`.
    Operator,
    /// Detected.
    Detected,
}

impl Source {
    /// Shown as "interface from: …".
    pub fn label(self) -> &'static str {
        match self {
            Self::UserEdit => "your edit",
            Self::Annotation => "the service's annotation",
            Self::Operator => "the site's interfaces.json",
            Self::Detected => "detection",
        }
    }
}

/// The spec in use, where it came from, and the declared specs that were present but broken.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    /// The spec to use.
    pub spec: Spec,
    /// Where it came from.
    pub source: Source,
    /// Specs that were present but did not parse, with their errors, in precedence order.
    pub problems: Vec<(Source, Vec<SpecError>)>,
}

/// Picks the spec: user edit > annotation (`service.annotations[ANNOTATION_KEY]`, JSON text) > operator
/// `interfaces.json` (`services[<name>]`, a spec object or its JSON text) > [`detect_spec`]. A present but
/// broken spec records its errors in `problems` and the next source is tried. A blank edit or annotation
/// counts as absent; an `interfaces.json` whose `services` is not an object is a problem (path `services`).
///
/// An operator spec given as a JSON object arrives as a `serde_json::Value`, whose keys are sorted (this
/// build has no `preserve_order`), so its template renders in sorted key order; one given as JSON text
/// keeps the author's order. Either way the body is the same JSON.
pub fn resolve(
    service: &Service,
    user_edit: Option<&str>,
    operator: Option<&serde_json::Value>,
    hints: Option<&RoCrateHints>,
) -> Resolved {
    resolve_as(service, user_edit, operator, hints, None)
}

/// [`resolve`], where a detected spec takes the input kind chosen in "Input type" ([`detect_spec_as`]).
pub fn resolve_as(
    service: &Service,
    user_edit: Option<&str>,
    operator: Option<&serde_json::Value>,
    hints: Option<&RoCrateHints>,
    detected_kind: Option<InputKind>,
) -> Resolved {
    let mut problems = Vec::new();
    let mut attempt = |source: Source, parsed: Result<Spec, Vec<SpecError>>| match parsed {
        Ok(spec) => Some(Resolved {
            spec,
            source,
            problems: Vec::new(),
        }),
        Err(errors) => {
            problems.push((source, errors));
            None
        }
    };
    let found = user_edit
        .filter(|t| !t.trim().is_empty())
        .and_then(|t| attempt(Source::UserEdit, parse_spec(t)))
        .or_else(|| {
            service
                .annotations
                .get(ANNOTATION_KEY)
                .filter(|t| !t.trim().is_empty())
                .and_then(|t| attempt(Source::Annotation, parse_spec(t)))
        })
        .or_else(|| {
            let services = operator?.get("services")?;
            let Some(map) = services.as_object() else {
                return attempt(
                    Source::Operator,
                    Err(vec![SpecError::new(
                        "services",
                        "should be an object of specs by service name",
                    )]),
                );
            };
            match map.get(service.name.as_str())? {
                J::String(text) => attempt(Source::Operator, parse_spec(text)),
                J::Null => None,
                value => attempt(Source::Operator, parse_node(&Node::from_value(value))),
            }
        });
    match found {
        Some(r) => Resolved { problems, ..r },
        None => Resolved {
            spec: detect_spec_as(service, hints, detected_kind),
            source: Source::Detected,
            problems,
        },
    }
}
