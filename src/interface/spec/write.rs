//! Writing a spec back: canonical pretty JSON, and the FDL annotation snippet.

use super::node::Node;
use super::{Encoding, Example, FieldKind, InputSpec, LabelsAt, OutputSpec, Spec, ANNOTATION_KEY};
use serde_json::Number;

/// The spec as pretty JSON (two-space indent) in canonical form: keys in the order of the docs, defaults
/// left out (label equal to the id, the kind's default control, `required: true`, empty lists and texts),
/// `mode`, `request` and `outputs` always written, the template in its own key order, json defaults and
/// example values written as the JSON they hold. `parse_spec(&to_json(s)) == Ok(s)` for any spec
/// `parse_spec` returned.
pub fn to_json(spec: &Spec) -> String {
    spec_node(spec).to_pretty()
}

/// A YAML snippet to paste into an FDL service definition: the spec as a literal block scalar under
/// `annotations:` (so nothing needs escaping: JSON strings never hold raw line breaks).
///
/// ```text
/// annotations:
///   oscar-visor/interface: |
///     {
///       "visor": 1,
///       …
///     }
/// ```
pub fn to_fdl_annotation(spec: &Spec) -> String {
    let mut out = format!("annotations:\n  {ANNOTATION_KEY}: |\n");
    for line in to_json(spec).lines() {
        out.push_str("    ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

struct Obj(Vec<(String, Node)>);

impl Obj {
    fn new() -> Self {
        Obj(Vec::new())
    }
    fn put(&mut self, key: &str, value: Node) {
        self.0.push((key.to_string(), value));
    }
    fn text(&mut self, key: &str, value: &str) {
        if !value.is_empty() {
            self.put(key, Node::String(value.to_string()));
        }
    }
    fn num(&mut self, key: &str, value: Option<f64>) {
        if let Some(f) = value {
            // Whole numbers without a fraction (`0`, not `0.0`); the value read back is the same f64.
            let n = if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                Some(Number::from(f as i64))
            } else {
                Number::from_f64(f)
            };
            if let Some(n) = n {
                self.put(key, Node::Number(n));
            }
        }
    }
    fn list(&mut self, key: &str, items: &[String]) {
        if !items.is_empty() {
            self.put(key, Node::Array(items.iter().cloned().map(Node::String).collect()));
        }
    }
    fn done(self) -> Node {
        Node::Object(self.0)
    }
}

fn spec_node(spec: &Spec) -> Node {
    let mut o = Obj::new();
    o.put("visor", Node::Number(spec.version.into()));
    o.text("title", &spec.title);
    o.text("description", &spec.description);
    o.put("mode", Node::String(spec.mode.id().into()));
    o.put("inputs", Node::Array(spec.inputs.iter().map(input_node).collect()));
    let mut request = Obj::new();
    request.put("encoding", Node::String(spec.encoding.id().into()));
    if let Encoding::Template(t) = &spec.encoding {
        request.put("template", t.node().clone());
    }
    o.put("request", request.done());
    o.put("outputs", Node::Array(spec.outputs.iter().map(output_node).collect()));
    if !spec.examples.is_empty() {
        o.put(
            "examples",
            Node::Array(spec.examples.iter().map(|e| example_node(spec, e)).collect()),
        );
    }
    o.done()
}

/// A value as written: json inputs hold JSON text, written as the JSON it is.
fn value_node(kind: Option<FieldKind>, value: &serde_json::Value) -> Node {
    match (kind, value) {
        (Some(FieldKind::Json), serde_json::Value::String(text)) => match Node::parse(text) {
            Ok(n @ (Node::Object(_) | Node::Array(_))) => n,
            _ => Node::String(text.clone()),
        },
        _ => Node::from_value(value),
    }
}

fn input_node(i: &InputSpec) -> Node {
    let mut o = Obj::new();
    o.put("id", Node::String(i.id.clone()));
    o.put("kind", Node::String(i.kind.id().into()));
    if i.label != i.id {
        o.text("label", &i.label);
    }
    o.text("description", &i.description);
    o.list("accept", &i.accept);
    if i.control
        != i.kind
            .default_control(!i.options.is_empty(), i.min.is_some() && i.max.is_some())
    {
        o.put("control", Node::String(i.control.id().into()));
    }
    o.list("options", &i.options);
    o.num("min", i.min);
    o.num("max", i.max);
    o.num("step", i.step);
    if let Some(d) = &i.default {
        o.put("default", value_node(Some(i.kind), d));
    }
    if !i.required {
        o.put("required", Node::Bool(false));
    }
    o.done()
}

fn output_node(out: &OutputSpec) -> Node {
    let mut o = Obj::new();
    o.put("kind", Node::String(out.kind.id().into()));
    o.text("label", &out.label);
    if let Some(p) = &out.pointer {
        o.put("pointer", Node::String(p.clone()));
    }
    if let Some(at) = &out.labels {
        let mut l = Obj::new();
        match at {
            LabelsAt::Arrays { labels, scores } => {
                l.put("labels", Node::String(labels.clone()));
                l.put("scores", Node::String(scores.clone()));
            }
            LabelsAt::List { list, label, score } => {
                l.put("list", Node::String(list.clone()));
                l.put("label", Node::String(label.clone()));
                l.put("score", Node::String(score.clone()));
            }
        }
        o.put("labels", l.done());
    }
    if !out.entries.is_empty() {
        let rules = out
            .entries
            .iter()
            .map(|r| {
                let mut e = Obj::new();
                e.put("match", Node::String(r.pattern.clone()));
                e.put("kind", Node::String(r.kind.id().into()));
                e.text("label", &r.label);
                e.done()
            })
            .collect();
        o.put("entries", Node::Array(rules));
    }
    o.done()
}

fn example_node(spec: &Spec, e: &Example) -> Node {
    let mut o = Obj::new();
    o.text("label", &e.label);
    let inputs = e
        .inputs
        .iter()
        .map(|(id, v)| (id.clone(), value_node(spec.input(id).map(|i| i.kind), v)))
        .collect();
    o.put("inputs", Node::Object(inputs));
    if let Some(x) = &e.expected {
        let mut x_obj = Obj::new();
        x_obj.put("kind", Node::String(x.kind.id().into()));
        if let Some(t) = &x.text {
            x_obj.put("text", Node::String(t.clone()));
        }
        if let Some(u) = &x.url {
            x_obj.put("url", Node::String(u.clone()));
        }
        o.put("expected", x_obj.done());
    }
    o.done()
}
