//! Reading and validating a spec: every problem, each with its path.

use super::node::Node;
use super::render::visit_placeholders;
use super::{
    is_valid_id, is_valid_pointer, Control, Encoding, Example, Expected, FieldKind, InputSpec, LabelsAt, Mode,
    OutputKind, OutputSpec, Spec, SpecError, Template, ZipRule, MAX_ERRORS, MAX_EXAMPLES, MAX_ID_LEN, MAX_INPUTS,
    MAX_LIST, MAX_OUTPUTS, MAX_SPEC_BYTES, SPEC_VERSION,
};
use crate::oscar::invoke::validate_json;
use std::collections::{BTreeMap, HashMap};

/// Parses and validates a spec (docs/interface-spec.md), returning every problem found, each with the path
/// of the bad field (at most [`MAX_ERRORS`], then one "… more problems" entry).
///
/// Validated: `visor` present and ≥ 1; input ids unique and `[A-Za-z0-9_-]{1,64}`; at least one input;
/// the control fits the kind (text: text/textarea/select; number: number/slider; boolean: checkbox; json:
/// textarea; file kinds: none); a select has options and options need a select; a slider has min and max;
/// min ≤ max, step > 0, and min/max/step only on numbers; defaults fit their kind, range and options; the
/// encoding fits the inputs (base64: exactly one input, not number/boolean; json: exactly one input, of kind
/// json; template: a JSON object whose every placeholder names an input and that uses every required
/// input); ZIP rules only on zip outputs; labels only on label outputs; pointers in RFC 6901 syntax;
/// examples name existing inputs with values of the right type.
///
/// Unknown fields are ignored, and `null` counts as absent. A spec with `"visor"` above [`SPEC_VERSION`]
/// gets no error for that ([`Spec::is_future`], [`Spec::notes`]), and unknown control, mode and output
/// kind names in it fall back to the defaults instead of being errors.
///
/// Without `request`, the encoding is inferred: one json input → json; one other input (not number or
/// boolean) → base64; otherwise it is an error. Without `outputs`, there is one auto output.
///
/// For json inputs, a default (and an example value) is kept as JSON *text* in the author's key order: an
/// object or array is stored as its pretty text, a string must itself be valid JSON text (stored pretty too).
pub fn parse_spec(json: &str) -> Result<Spec, Vec<SpecError>> {
    if json.len() > MAX_SPEC_BYTES {
        return Err(vec![SpecError::new(
            "",
            format!("the spec is too large ({} bytes; at most {MAX_SPEC_BYTES})", json.len()),
        )]);
    }
    if json.trim().is_empty() {
        return Err(vec![SpecError::new("", "the spec is empty")]);
    }
    match Node::parse(json) {
        Ok(root) => parse_node(&root),
        Err(e) => Err(vec![SpecError::new("", format!("not valid JSON: {e}"))]),
    }
}

/// Validates a spec already read as a tree.
pub(crate) fn parse_node(root: &Node) -> Result<Spec, Vec<SpecError>> {
    let mut cx = Cx::default();
    let spec = cx.spec(root);
    if cx.errors.is_empty() {
        spec.ok_or_else(|| vec![SpecError::new("", "the spec could not be read")])
    } else {
        if cx.dropped > 0 {
            cx.errors
                .push(SpecError::new("", format!("… and {} more problems", cx.dropped)));
        }
        Err(cx.errors)
    }
}

#[derive(Default)]
struct Cx {
    errors: Vec<SpecError>,
    dropped: usize,
    future: bool,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn quote_list(names: impl IntoIterator<Item = &'static str>) -> String {
    names
        .into_iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn fmt_num(f: f64) -> String {
    format!("{f}")
}

impl Cx {
    fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(SpecError::new(path, message));
        } else {
            self.dropped += 1;
        }
    }

    fn field<'a>(&self, obj: &'a Node, key: &str) -> Option<&'a Node> {
        obj.get(key).filter(|v| !matches!(v, Node::Null))
    }

    fn string(&mut self, obj: &Node, key: &str, path: &str) -> Option<String> {
        match self.field(obj, key)? {
            Node::String(s) => Some(s.clone()),
            other => {
                self.err(
                    join(path, key),
                    format!("should be a string, not {}", other.type_name()),
                );
                None
            }
        }
    }

    fn number(&mut self, obj: &Node, key: &str, path: &str) -> Option<f64> {
        match self.field(obj, key)? {
            Node::Number(n) => n.as_f64().filter(|f| f.is_finite()),
            other => {
                self.err(
                    join(path, key),
                    format!("should be a number, not {}", other.type_name()),
                );
                None
            }
        }
    }

    fn boolean(&mut self, obj: &Node, key: &str, path: &str) -> Option<bool> {
        match self.field(obj, key)? {
            Node::Bool(b) => Some(*b),
            other => {
                self.err(
                    join(path, key),
                    format!("should be true or false, not {}", other.type_name()),
                );
                None
            }
        }
    }

    fn array<'a>(&mut self, obj: &'a Node, key: &str, path: &str) -> Option<&'a [Node]> {
        match self.field(obj, key)? {
            Node::Array(items) => Some(items),
            other => {
                self.err(
                    join(path, key),
                    format!("should be an array, not {}", other.type_name()),
                );
                None
            }
        }
    }

    fn strings(&mut self, obj: &Node, key: &str, path: &str) -> Vec<String> {
        let Some(items) = self.array(obj, key, path) else {
            return Vec::new();
        };
        let path = join(path, key);
        if items.len() > MAX_LIST {
            self.err(&path, format!("has {} entries; at most {MAX_LIST}", items.len()));
        }
        let mut out = Vec::new();
        for (i, item) in items.iter().take(MAX_LIST).enumerate() {
            match item {
                Node::String(s) => out.push(s.clone()),
                other => self.err(
                    format!("{path}[{i}]"),
                    format!("should be a string, not {}", other.type_name()),
                ),
            }
        }
        out
    }

    fn pointer(&mut self, obj: &Node, key: &str, path: &str) -> Option<String> {
        let p = self.string(obj, key, path)?;
        if is_valid_pointer(&p) {
            Some(p)
        } else {
            self.err(
                join(path, key),
                format!("“{p}” is not a JSON pointer (RFC 6901: empty or starting with “/”, “~” only as ~0 or ~1)"),
            );
            None
        }
    }

    fn output_kind(&mut self, obj: &Node, key: &str, path: &str) -> OutputKind {
        let Some(name) = self.string(obj, key, path) else {
            return OutputKind::Auto;
        };
        match OutputKind::from_id(&name) {
            Some(k) => k,
            None if self.future => OutputKind::Auto,
            None => {
                self.err(
                    join(path, key),
                    format!(
                        "unknown output kind “{name}” (one of {})",
                        quote_list(OutputKind::ALL.map(OutputKind::id))
                    ),
                );
                OutputKind::Auto
            }
        }
    }

    fn spec(&mut self, root: &Node) -> Option<Spec> {
        if !matches!(root, Node::Object(_)) {
            self.err("", format!("a spec is a JSON object, not {}", root.type_name()));
            return None;
        }
        let version = match root.get("visor") {
            None | Some(Node::Null) => {
                self.err("visor", format!("missing: the format version ({SPEC_VERSION})"));
                SPEC_VERSION
            }
            Some(Node::Number(n)) => match n.as_u64().or_else(|| {
                // `1.0` is as good as `1`.
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 1.0 && *f <= f64::from(u32::MAX))
                    .map(|f| f as u64)
            }) {
                Some(v) if v >= 1 => u32::try_from(v).unwrap_or(u32::MAX),
                _ => {
                    self.err("visor", format!("should be a whole number ≥ 1, not {n}"));
                    SPEC_VERSION
                }
            },
            Some(other) => {
                self.err("visor", format!("should be a number, not {}", other.type_name()));
                SPEC_VERSION
            }
        };
        self.future = version > SPEC_VERSION;
        let title = self.string(root, "title", "").unwrap_or_default();
        let description = self.string(root, "description", "").unwrap_or_default();
        let mode = match self.string(root, "mode", "") {
            None => Mode::Both,
            Some(m) => match Mode::from_id(&m) {
                Some(mode) => mode,
                None if self.future => Mode::Both,
                None => {
                    self.err(
                        "mode",
                        format!("unknown mode “{m}” (one of \"sync\", \"async\", \"both\")"),
                    );
                    Mode::Both
                }
            },
        };

        // Inputs. `known` holds every well-formed id, even of inputs with other problems, so that later
        // checks (template, examples) do not report them again.
        let mut inputs = Vec::new();
        let mut known: HashMap<String, usize> = HashMap::new();
        match root.get("inputs") {
            None | Some(Node::Null) => self.err("inputs", "missing: a spec needs at least one input"),
            Some(Node::Array(items)) => {
                if items.is_empty() {
                    self.err("inputs", "is empty: a spec needs at least one input");
                }
                if items.len() > MAX_INPUTS {
                    self.err("inputs", format!("has {} inputs; at most {MAX_INPUTS}", items.len()));
                }
                for (i, item) in items.iter().take(MAX_INPUTS).enumerate() {
                    let path = format!("inputs[{i}]");
                    let (id, input) = self.input(item, &path);
                    if let Some(id) = id {
                        if let Some(first) = known.get(&id) {
                            self.err(join(&path, "id"), format!("duplicate id “{id}” (also inputs[{first}])"));
                            continue;
                        }
                        known.insert(id, i);
                    }
                    if let Some(input) = input {
                        inputs.push(input);
                    }
                }
            }
            Some(other) => self.err(
                "inputs",
                format!("should be an array of inputs, not {}", other.type_name()),
            ),
        }

        let encoding = self.request(root, &inputs, &known);

        let outputs = match self.array(root, "outputs", "") {
            None => vec![OutputSpec::new(OutputKind::Auto)],
            Some(items) => {
                if items.len() > MAX_OUTPUTS {
                    self.err("outputs", format!("has {} outputs; at most {MAX_OUTPUTS}", items.len()));
                }
                let mut outputs = Vec::new();
                for (i, item) in items.iter().take(MAX_OUTPUTS).enumerate() {
                    if let Some(o) = self.output(item, &format!("outputs[{i}]")) {
                        outputs.push(o);
                    }
                }
                outputs
            }
        };

        let mut examples = Vec::new();
        if let Some(items) = self.array(root, "examples", "") {
            if items.len() > MAX_EXAMPLES {
                self.err(
                    "examples",
                    format!("has {} examples; at most {MAX_EXAMPLES}", items.len()),
                );
            }
            for (i, item) in items.iter().take(MAX_EXAMPLES).enumerate() {
                if let Some(e) = self.example(item, &format!("examples[{i}]"), &inputs, &known) {
                    examples.push(e);
                }
            }
        }

        Some(Spec {
            version,
            title,
            description,
            mode,
            inputs,
            encoding: encoding?,
            outputs,
            examples,
        })
    }

    /// The input's id (when well-formed) and the input (when it has no problem that prevents building it).
    fn input(&mut self, node: &Node, path: &str) -> (Option<String>, Option<InputSpec>) {
        if !matches!(node, Node::Object(_)) {
            self.err(path, format!("an input is an object, not {}", node.type_name()));
            return (None, None);
        }
        let before = self.errors.len() + self.dropped;
        let id = match self.string(node, "id", path) {
            None if self.field(node, "id").is_none() => {
                self.err(join(path, "id"), "missing: every input needs an id");
                None
            }
            None => None,
            Some(id) if is_valid_id(&id) => Some(id),
            Some(id) => {
                self.err(
                    join(path, "id"),
                    format!(
                        "“{}” is not a valid id (1–{MAX_ID_LEN} of A–Z a–z 0–9 _ -)",
                        truncate(&id, 80)
                    ),
                );
                None
            }
        };
        let kind = match self.string(node, "kind", path) {
            None if self.field(node, "kind").is_none() => {
                self.err(join(path, "kind"), "missing: the kind of value (text, json, image, …)");
                None
            }
            None => None,
            Some(k) => {
                let kind = FieldKind::from_id(&k);
                if kind.is_none() {
                    self.err(
                        join(path, "kind"),
                        format!(
                            "unknown kind “{}” (one of {})",
                            truncate(&k, 80),
                            quote_list(FieldKind::ALL.map(FieldKind::id))
                        ),
                    );
                }
                kind
            }
        };
        let label = self.string(node, "label", path);
        let description = self.string(node, "description", path).unwrap_or_default();
        let accept = self.strings(node, "accept", path);
        let options = self.strings(node, "options", path);
        let min = self.number(node, "min", path);
        let max = self.number(node, "max", path);
        let step = self.number(node, "step", path);
        let required = self.boolean(node, "required", path).unwrap_or(true);
        let control_name = self.string(node, "control", path);
        let Some(kind) = kind else { return (id, None) };

        if kind != FieldKind::Number {
            for (key, v) in [("min", min), ("max", max), ("step", step)] {
                if v.is_some() {
                    self.err(
                        join(path, key),
                        format!("only number inputs have {key}, not {} ones", kind.id()),
                    );
                }
            }
        }
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                self.err(
                    join(path, "min"),
                    format!("min ({}) is greater than max ({})", fmt_num(lo), fmt_num(hi)),
                );
            }
        }
        if let Some(s) = step {
            if s <= 0.0 {
                self.err(
                    join(path, "step"),
                    format!("should be greater than 0, not {}", fmt_num(s)),
                );
            }
        }
        let default_control = kind.default_control(!options.is_empty(), min.is_some() && max.is_some());
        let control = match control_name {
            None => default_control,
            Some(name) => match Control::from_id(&name) {
                Some(c) if kind.controls().contains(&c) => c,
                Some(_) if self.future => default_control,
                Some(c) => {
                    if kind.controls().is_empty() {
                        self.err(join(path, "control"), format!("{} inputs take no control", kind.id()));
                    } else {
                        self.err(
                            join(path, "control"),
                            format!(
                                "“{}” does not fit a {} input (one of {})",
                                c.id(),
                                kind.id(),
                                quote_list(kind.controls().iter().map(|c| c.id()))
                            ),
                        );
                    }
                    default_control
                }
                None if self.future => default_control,
                None => {
                    self.err(
                        join(path, "control"),
                        format!(
                            "unknown control “{}” (one of {})",
                            truncate(&name, 80),
                            quote_list(Control::ALL.map(Control::id))
                        ),
                    );
                    default_control
                }
            },
        };
        if control == Control::Select && options.is_empty() {
            self.err(join(path, "options"), "a select needs options");
        }
        if !options.is_empty() && control != Control::Select {
            self.err(
                join(path, "options"),
                format!("options are only for a select, not a {} control", control.id()),
            );
        }
        if control == Control::Slider && (min.is_none() || max.is_none()) {
            self.err(join(path, "control"), "a slider needs both min and max");
        }
        let default = self.default_value(node, path, kind, &options, min, max);

        let built = self.errors.len() + self.dropped == before;
        let input = id.clone().filter(|_| built).map(|id| InputSpec {
            label: label.filter(|l| !l.is_empty()).unwrap_or_else(|| id.clone()),
            id,
            kind,
            description,
            accept,
            control,
            options,
            min,
            max,
            step,
            default,
            required,
        });
        (id, input)
    }

    /// A default checked against the kind; json defaults become JSON text.
    fn default_value(
        &mut self,
        node: &Node,
        path: &str,
        kind: FieldKind,
        options: &[String],
        min: Option<f64>,
        max: Option<f64>,
    ) -> Option<serde_json::Value> {
        let value = self.field(node, "default")?;
        let path = join(path, "default");
        self.value_of_kind(value, &path, kind, options, min, max)
    }

    /// A value (default or example) checked against an input's kind.
    fn value_of_kind(
        &mut self,
        value: &Node,
        path: &str,
        kind: FieldKind,
        options: &[String],
        min: Option<f64>,
        max: Option<f64>,
    ) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        match (kind, value) {
            (FieldKind::Json, Node::String(text)) => match Node::parse(text) {
                Ok(n) => Some(J::String(n.to_pretty())),
                Err(e) => {
                    self.err(path, format!("is not JSON text: {e}"));
                    None
                }
            },
            (FieldKind::Json, other) => Some(J::String(other.to_pretty())),
            (FieldKind::Number, Node::Number(n)) => {
                let f = n.as_f64().unwrap_or(0.0);
                if min.is_some_and(|lo| f < lo) || max.is_some_and(|hi| f > hi) {
                    let lo = min.map(fmt_num).unwrap_or_else(|| "…".into());
                    let hi = max.map(fmt_num).unwrap_or_else(|| "…".into());
                    self.err(path, format!("{} is outside {lo}–{hi}", fmt_num(f)));
                    return None;
                }
                Some(J::Number(n.clone()))
            }
            (FieldKind::Boolean, Node::Bool(b)) => Some(J::Bool(*b)),
            (FieldKind::Text, Node::String(s)) => {
                if !options.is_empty() && !options.contains(s) {
                    self.err(path, format!("“{}” is not one of the options", truncate(s, 80)));
                    return None;
                }
                Some(J::String(s.clone()))
            }
            (k, Node::String(s)) if k.is_file() => Some(J::String(s.clone())),
            (k, other) => {
                let want = match k {
                    FieldKind::Number => "a number",
                    FieldKind::Boolean => "true or false",
                    FieldKind::Text => "a string",
                    _ => "a URL (string) of a file relative to the app",
                };
                self.err(
                    path,
                    format!("should be {want} for a {} input, not {}", k.id(), other.type_name()),
                );
                None
            }
        }
    }

    fn request(&mut self, root: &Node, inputs: &[InputSpec], known: &HashMap<String, usize>) -> Option<Encoding> {
        let request = self.field(root, "request");
        if let Some(r) = request {
            if !matches!(r, Node::Object(_)) {
                self.err("request", format!("should be an object, not {}", r.type_name()));
                return None;
            }
        }
        let name = request.and_then(|r| self.string(r, "encoding", "request"));
        let template = request.and_then(|r| self.field(r, "template"));
        let count = known.len().max(inputs.len());
        let single = (count == 1).then(|| inputs.first()).flatten();
        let name = match name {
            Some(n) => n,
            None if template.is_some() => "template".to_string(),
            // A single input with problems of its own: nothing to infer from, and nothing more to report.
            None if count == 1 && single.is_none() => return None,
            None => match single.map(|i| i.kind) {
                Some(FieldKind::Json) => return Some(Encoding::Json),
                Some(FieldKind::Number | FieldKind::Boolean) | None => {
                    if count > 0 {
                        self.err(
                            if request.is_some() { "request.encoding" } else { "request" },
                            "missing: with several inputs, or a number or boolean one, the request needs \"encoding\": \"template\" and a template",
                        );
                    }
                    return None;
                }
                Some(_) => return Some(Encoding::Base64),
            },
        };
        match name.as_str() {
            "base64" => {
                if count != 1 {
                    self.err(
                        "request.encoding",
                        format!("base64 sends one input's bytes, but there are {count} inputs; use a template"),
                    );
                } else if let Some(i) = single.filter(|i| matches!(i.kind, FieldKind::Number | FieldKind::Boolean)) {
                    self.err(
                        "request.encoding",
                        format!(
                            "base64 sends a file or text, not the {} input “{}”; use a template",
                            i.kind.id(),
                            i.id
                        ),
                    );
                }
                Some(Encoding::Base64)
            }
            "json" => {
                if count != 1 {
                    self.err(
                        "request.encoding",
                        format!("json sends one json input as is, but there are {count} inputs; use a template"),
                    );
                } else if let Some(i) = single.filter(|i| i.kind != FieldKind::Json) {
                    self.err(
                        "request.encoding",
                        format!(
                            "json sends a json input as is, but “{}” is a {} input",
                            i.id,
                            i.kind.id()
                        ),
                    );
                }
                Some(Encoding::Json)
            }
            "template" => {
                let Some(t) = template else {
                    self.err("request.template", "missing: the JSON body with {{id}} placeholders");
                    return None;
                };
                if !matches!(t, Node::Object(_)) {
                    self.err(
                        "request.template",
                        format!(
                            "should be a JSON object (OSCAR passes only objects as is), not {}",
                            t.type_name()
                        ),
                    );
                    return None;
                }
                if let Err(p) = validate_json(&t.to_compact()) {
                    self.err("request.template", p.message);
                }
                let mut used: Vec<String> = Vec::new();
                // Problems are reported as found, within MAX_ERRORS: a
                // template that names an unknown input 16,000 times under a
                // long key costs no copy of that key per mention.
                visit_placeholders(t, "request.template", 0, &mut |at, id| {
                    if !known.contains_key(id) {
                        self.err(at, format!("the placeholder {{{{{id}}}}} names no input"));
                    } else if !used.iter().any(|u| u == id) {
                        used.push(id.to_string());
                    }
                });
                for input in inputs.iter().filter(|i| i.required && !used.contains(&i.id)) {
                    self.err(
                        "request.template",
                        format!(
                            "does not use the required input “{}” (add \"{{{{{}}}}}\" or make it optional)",
                            input.id, input.id
                        ),
                    );
                }
                Some(Encoding::Template(Template(t.clone())))
            }
            other => {
                self.err(
                    "request.encoding",
                    format!(
                        "unknown encoding “{}” (one of \"base64\", \"json\", \"template\")",
                        truncate(other, 80)
                    ),
                );
                None
            }
        }
    }

    fn output(&mut self, node: &Node, path: &str) -> Option<OutputSpec> {
        if !matches!(node, Node::Object(_)) {
            self.err(path, format!("an output is an object, not {}", node.type_name()));
            return None;
        }
        let kind = self.output_kind(node, "kind", path);
        let label = self.string(node, "label", path).unwrap_or_default();
        let pointer = self.pointer(node, "pointer", path);
        let labels = match self.field(node, "labels") {
            None => None,
            Some(_) if kind != OutputKind::Label => {
                self.err(
                    join(path, "labels"),
                    format!("only label outputs have labels, not {} ones", kind.id()),
                );
                None
            }
            Some(l) => self.labels(l, &join(path, "labels")),
        };
        let mut entries = Vec::new();
        if let Some(items) = self.array(node, "entries", path) {
            let epath = join(path, "entries");
            if kind != OutputKind::Zip {
                self.err(&epath, format!("only zip outputs have entries, not {} ones", kind.id()));
            } else {
                if items.len() > MAX_LIST {
                    self.err(&epath, format!("has {} rules; at most {MAX_LIST}", items.len()));
                }
                for (i, item) in items.iter().take(MAX_LIST).enumerate() {
                    let rpath = format!("{epath}[{i}]");
                    if !matches!(item, Node::Object(_)) {
                        self.err(&rpath, format!("a rule is an object, not {}", item.type_name()));
                        continue;
                    }
                    let pattern = self.string(item, "match", &rpath);
                    let kind = self.output_kind(item, "kind", &rpath);
                    let label = self.string(item, "label", &rpath).unwrap_or_default();
                    match pattern {
                        Some(p) if !p.is_empty() => entries.push(ZipRule {
                            pattern: p,
                            kind,
                            label,
                        }),
                        _ => self.err(join(&rpath, "match"), "missing: a file-name glob such as \"*.png\""),
                    }
                }
            }
        }
        Some(OutputSpec {
            kind,
            label,
            pointer,
            labels,
            entries,
        })
    }

    fn labels(&mut self, node: &Node, path: &str) -> Option<LabelsAt> {
        if !matches!(node, Node::Object(_)) {
            self.err(path, format!("should be an object, not {}", node.type_name()));
            return None;
        }
        if self.field(node, "list").is_some() {
            let list = self.pointer(node, "list", path)?;
            let label = self.string(node, "label", path).unwrap_or_else(|| "label".into());
            let score = self.string(node, "score", path).unwrap_or_else(|| "score".into());
            return Some(LabelsAt::List { list, label, score });
        }
        if self.field(node, "labels").is_none() || self.field(node, "scores").is_none() {
            self.err(path, "needs \"labels\" and \"scores\" pointers, or a \"list\" pointer");
            return None;
        }
        let labels = self.pointer(node, "labels", path);
        let scores = self.pointer(node, "scores", path);
        Some(LabelsAt::Arrays {
            labels: labels?,
            scores: scores?,
        })
    }

    fn example(
        &mut self,
        node: &Node,
        path: &str,
        inputs: &[InputSpec],
        known: &HashMap<String, usize>,
    ) -> Option<Example> {
        if !matches!(node, Node::Object(_)) {
            self.err(path, format!("an example is an object, not {}", node.type_name()));
            return None;
        }
        let label = self.string(node, "label", path).unwrap_or_default();
        let mut values = BTreeMap::new();
        match self.field(node, "inputs") {
            None => {}
            Some(Node::Object(members)) => {
                for (id, value) in members.iter().take(MAX_INPUTS * 4) {
                    let vpath = format!("{path}.inputs.{}", truncate(id, 80));
                    if !known.contains_key(id) {
                        self.err(vpath, format!("“{}” names no input", truncate(id, 80)));
                        continue;
                    }
                    if matches!(value, Node::Null) {
                        continue;
                    }
                    let Some(input) = inputs.iter().find(|i| &i.id == id) else {
                        continue;
                    };
                    if let Some(v) = self.value_of_kind(value, &vpath, input.kind, &[], None, None) {
                        values.insert(id.clone(), v);
                    }
                }
            }
            Some(other) => self.err(
                join(path, "inputs"),
                format!("should be an object of values by input id, not {}", other.type_name()),
            ),
        }
        let expected = match self.field(node, "expected") {
            None => None,
            Some(e @ Node::Object(_)) => {
                let epath = join(path, "expected");
                Some(Expected {
                    kind: self.output_kind(e, "kind", &epath),
                    text: self.string(e, "text", &epath),
                    url: self.string(e, "url", &epath),
                })
            }
            Some(other) => {
                self.err(
                    join(path, "expected"),
                    format!("should be an object, not {}", other.type_name()),
                );
                None
            }
        };
        Some(Example {
            label,
            inputs: values,
            expected,
        })
    }
}

/// At most `max` characters of `s`, for messages.
fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or_default()),
        None => s.to_string(),
    }
}
