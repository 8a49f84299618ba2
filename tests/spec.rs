//! Native tests of declared interfaces (docs/interface-spec.md): good specs for
//! real services (kokoro-tts, cowsay, a DEEPaaS image classifier, a
//! two-input service, imagemagick's ZIP), rendering their `/run` bodies,
//! hostile specs (errors with paths, never a panic: release builds abort on
//! panic), newer format versions, the canonical JSON and FDL snippet, where a
//! spec comes from (`resolve`), and detection from the OSCAR Hub RO-Crates in
//! tests/fixtures/spec/hub/ (copied from grycap/oscar-hub).

use oscar_visor::interface::spec::{
    detect_spec, json_pointer, labels_at, parse_ro_crate, parse_spec, render_body, resolve, to_fdl_annotation, to_json,
    zip_rule_for, Control, Encoding, FieldKind, LabelsAt, Mode, OutputKind, RenderedBody, RoCrateHints, Source, Spec,
    SpecError, Template, Value, ZipRule, ANNOTATION_KEY, MAX_ERRORS, MAX_INPUTS, MAX_PATH_CHARS, SPEC_VERSION,
};
use oscar_visor::interface::{InputKind, OutputView};
use oscar_visor::oscar::Service;
use serde_json::json;
use std::collections::BTreeMap;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/spec/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn spec(name: &str) -> Spec {
    parse_spec(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn errors(json: &str) -> Vec<SpecError> {
    match parse_spec(json) {
        Ok(s) => panic!("expected errors, parsed {s:?}"),
        Err(e) => e,
    }
}

fn paths(json: &str) -> Vec<String> {
    errors(json).into_iter().map(|e| e.path).collect()
}

fn has_error(json: &str, path: &str, needle: &str) {
    let errs = errors(json);
    assert!(
        errs.iter().any(|e| e.path == path && e.message.contains(needle)),
        "no error at {path:?} containing {needle:?} in {errs:#?}"
    );
}

fn service(v: serde_json::Value) -> Service {
    Service::from_value(v).expect("service")
}

fn hints(name: &str) -> RoCrateHints {
    parse_ro_crate(&fixture(&format!("hub/{name}/ro-crate-metadata.json"))).expect("ro-crate")
}

fn values(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn json_body(spec: &Spec, vals: &BTreeMap<String, Value>) -> String {
    match render_body(spec, vals) {
        Ok(RenderedBody::Json(t)) => t,
        other => panic!("expected a JSON body, got {other:?}"),
    }
}

const GOOD: [&str; 5] = [
    "kokoro-tts.json",
    "cowsay.json",
    "deepaas-plants.json",
    "two-inputs.json",
    "imagemagick-zip.json",
];

// ---------------------------------------------------------------- good specs

#[test]
fn kokoro_template_with_controls_renders_exactly() {
    let s = spec("kokoro-tts.json");
    assert_eq!(s.version, 1);
    assert_eq!(s.title, "Kokoro text to speech");
    assert_eq!(s.mode, Mode::Both);
    let controls: Vec<(&str, Control)> = s.inputs.iter().map(|i| (i.id.as_str(), i.control)).collect();
    assert_eq!(
        controls,
        [
            ("model", Control::Select),
            ("language", Control::Select), // options and no control: a select
            ("message", Control::Textarea),
            ("speed", Control::Slider),
            ("volume", Control::Number),
            ("output", Control::Select),
        ]
    );
    let speed = s.input("speed").expect("speed");
    assert_eq!((speed.min, speed.max, speed.step), (Some(0.5), Some(2.0), Some(0.1)));
    assert_eq!(speed.kind, FieldKind::Number);
    assert!(speed.required);
    assert_eq!(s.input("model").map(|i| i.label.as_str()), Some("Voice"));
    assert_eq!(s.input("nope"), None);
    assert!(matches!(&s.encoding, Encoding::Template(_)));
    assert_eq!(s.outputs.len(), 1);
    assert_eq!(s.outputs[0].kind.view(), Some(OutputView::Audio));
    assert_eq!(s.examples[0].inputs.get("speed"), Some(&json!(0.8)));
    assert!(s.notes().is_empty());

    let vals = values(&[
        ("model", Value::Text("af_bella".into())),
        ("language", Value::Text("en-gb".into())),
        ("message", Value::Text("Hi".into())),
        ("speed", Value::Number(0.8)),
        ("volume", Value::Number(3.1)),
        ("output", Value::Text("wav".into())),
    ]);
    assert_eq!(
        json_body(&s, &vals),
        r#"{"model":"af_bella","language":"en-gb","message":"Hi","config":{"speed":0.8,"volume":3.1,"output":"wav"}}"#
    );

    // The defaults alone make a body too.
    let defaults = s.default_values();
    assert_eq!(defaults.get("speed"), Some(&Value::Number(1.0)));
    assert_eq!(defaults.get("model"), Some(&Value::Text("af_bella".into())));
    assert_eq!(
        json_body(&s, &defaults),
        r#"{"model":"af_bella","language":"en-gb","message":"Hello from OSCAR Visor","config":{"speed":1,"volume":3.1,"output":"wav"}}"#
    );
    // A number typed as text is read as a number; a missing required value names the input.
    let mut typed = vals.clone();
    typed.insert("speed".into(), Value::Text(" 1.5 ".into()));
    assert!(json_body(&s, &typed).contains(r#""speed":1.5"#));
    typed.insert("speed".into(), Value::Text("fast".into()));
    assert_eq!(render_body(&s, &typed).map_err(|e| e.path), Err("speed".to_string()));
    let mut missing = vals;
    missing.remove("message");
    let err = render_body(&s, &missing).expect_err("missing message");
    assert_eq!(err.path, "message");
    assert!(err.message.contains("Message"), "{err}");
}

#[test]
fn cowsay_sends_its_json_as_is() {
    let s = spec("cowsay.json");
    assert_eq!(s.encoding, Encoding::Json);
    assert_eq!(s.mode, Mode::Sync);
    let body = s.input("body").expect("body");
    assert_eq!(body.control, Control::Textarea);
    // json defaults are kept as JSON text.
    assert_eq!(
        body.default,
        Some(json!("{\n  \"message\": \"Moo from OSCAR Visor\"\n}"))
    );
    let text = "{\"message\":  \"Hello\"}";
    assert_eq!(
        render_body(&s, &values(&[("body", Value::Text(text.into()))])),
        Ok(RenderedBody::Json(text.into()))
    );
    assert_eq!(
        render_body(&s, &values(&[("body", Value::Json(json!({"message": "x"})))])),
        Ok(RenderedBody::Json(r#"{"message":"x"}"#.into()))
    );
    assert_eq!(
        json_body(&s, &s.default_values()),
        "{\n  \"message\": \"Moo from OSCAR Visor\"\n}"
    );
    for bad in ["[1]", "not json", "{\"event\": 1}", ""] {
        let err = render_body(&s, &values(&[("body", Value::Text(bad.into()))])).expect_err(bad);
        assert_eq!(err.path, "body", "{bad}");
    }
    assert_eq!(
        s.examples[0].inputs.get("body"),
        Some(&json!("{\n  \"message\": \"Hello there. Mootastic!\"\n}"))
    );
    assert_eq!(
        s.examples[0].expected.as_ref().and_then(|e| e.text.as_deref()),
        Some("Mootastic")
    );
}

#[test]
fn deepaas_image_travels_as_base64_inside_json() {
    let s = spec("deepaas-plants.json");
    let image = s.input("image").expect("image");
    assert_eq!(image.kind, FieldKind::Image);
    assert_eq!(image.kind.input_kind(), Some(InputKind::Image));
    assert_eq!(image.accept, ["image/jpeg", ".jpg", ".png"]);
    assert_eq!(image.accept_attr(), "image/jpeg,.jpg,.png");
    let body = json_body(&s, &values(&[("image", Value::Bytes(vec![0xff, 0xd8, 0xff, 0xe0]))]));
    assert_eq!(
        body,
        r#"{"oscar-files":[{"key":"data","file_format":"jpg","data":"/9j/4A=="}]}"#
    );
    assert_eq!(
        render_body(&s, &values(&[("image", Value::Bytes(vec![]))])).map_err(|e| e.path),
        Err("image".into())
    );
    assert_eq!(
        render_body(&s, &BTreeMap::new()).map_err(|e| e.path),
        Err("image".into())
    );

    // Its answer, read where the spec says.
    let at = s.outputs[0].labels.as_ref().expect("labels");
    assert_eq!(
        at,
        &LabelsAt::List {
            list: "/predictions".into(),
            label: "label".into(),
            score: "probability".into()
        }
    );
    let answer = json!({"status": "ok", "predictions": [
        {"label": "Rosa", "probability": 0.2}, {"label": "Bellis perennis", "probability": 0.7}, {"oops": 1}
    ]});
    let labels = labels_at(&answer, at).expect("labels");
    assert_eq!(
        labels.top().map(|l| (l.label.as_str(), l.score)),
        Some(("Bellis perennis", 0.7))
    );
    assert_eq!(labels.entries.len(), 2);
}

#[test]
fn two_inputs_and_optional_values() {
    let s = spec("two-inputs.json");
    assert_eq!(s.mode, Mode::Async);
    assert_eq!(s.input("prompt").map(|i| i.control), Some(Control::Text));
    assert_eq!(s.input("steps").map(|i| i.control), Some(Control::Slider));
    assert_eq!(s.input("hd").map(|i| i.control), Some(Control::Checkbox));
    assert_eq!(s.input("seed").map(|i| i.required), Some(false));
    let vals = values(&[
        ("prompt", Value::Text("a \"cat\"".into())),
        ("steps", Value::Number(30.0)),
        ("hd", Value::Boolean(true)),
    ]);
    // No seed: the member is left out; placeholders inside longer strings become text.
    assert_eq!(
        json_body(&s, &vals),
        r#"{"prompt":"a \"cat\"","steps":30,"hd":true,"note":"Prompt: a \"cat\" (30 steps)"}"#
    );
    let mut with_seed = vals;
    with_seed.insert("seed".into(), Value::Number(-7.25));
    assert!(json_body(&s, &with_seed).contains(r#""seed":-7.25"#));
    assert_eq!(s.outputs[1].pointer.as_deref(), Some("/meta"));
    assert_eq!(s.default_values().get("hd"), Some(&Value::Boolean(false)));
    assert_eq!(s.default_values().get("seed"), None);
}

#[test]
fn zip_rules_map_entries() {
    let s = spec("imagemagick-zip.json");
    assert_eq!(s.encoding, Encoding::Base64);
    let rules = &s.outputs[0].entries;
    assert_eq!(rules.len(), 4);
    let hit = |name: &str| zip_rule_for(rules, name).map(|r| (r.kind, r.label.as_str()));
    assert_eq!(hit("photo_gray.png"), Some((OutputKind::Image, "Grayscale")));
    assert_eq!(hit("out/photo_edges.png"), Some((OutputKind::Image, "Edges")));
    assert_eq!(hit("photo_metrics.json"), Some((OutputKind::Json, "Metrics")));
    assert_eq!(hit("notes.txt"), Some((OutputKind::Text, "")));
    assert_eq!(hit("photo.png"), None);
    let dir = [ZipRule {
        pattern: "out/?/*.png".into(),
        kind: OutputKind::Image,
        label: "x".into(),
    }];
    assert!(zip_rule_for(&dir, "out/a/b.png").is_some());
    assert!(zip_rule_for(&dir, "b.png").is_none());
    // base64: the bytes themselves (text as UTF-8).
    assert_eq!(
        render_body(&s, &values(&[("image", Value::Bytes(vec![1, 2]))])),
        Ok(RenderedBody::Bytes(vec![1, 2]))
    );
    assert_eq!(
        render_body(&s, &values(&[("image", Value::Text("hé".into()))])),
        Ok(RenderedBody::Bytes("hé".into()))
    );
}

#[test]
fn pointers_and_labels() {
    let v = json!({"a/b": [10, {"m~n": "x"}], "": 1, "r": {"labels": ["a", 2], "probabilities": [0.25, 0.75]}});
    assert_eq!(json_pointer(&v, ""), Some(&v));
    assert_eq!(json_pointer(&v, "/a~1b/0"), Some(&json!(10)));
    assert_eq!(json_pointer(&v, "/a~1b/1/m~0n"), Some(&json!("x")));
    assert_eq!(json_pointer(&v, "/"), Some(&json!(1)));
    for bad in ["a", "/a~1b/01", "/a~1b/9", "/a~2b", "/zz"] {
        assert_eq!(json_pointer(&v, bad), None, "{bad}");
    }
    let at = LabelsAt::Arrays {
        labels: "/r/labels".into(),
        scores: "/r/probabilities".into(),
    };
    let l = labels_at(&v, &at).expect("labels");
    assert_eq!(
        l.entries.iter().map(|e| e.label.as_str()).collect::<Vec<_>>(),
        ["2", "a"]
    );
    // Percentages and numeric strings.
    let pct = json!({"l": ["x", "y"], "s": ["30", 70]});
    let l = labels_at(
        &pct,
        &LabelsAt::Arrays {
            labels: "/l".into(),
            scores: "/s".into(),
        },
    )
    .expect("pct");
    assert_eq!(l.top().map(|t| (t.label.as_str(), t.score)), Some(("y", 0.7)));
    for bad in [
        json!({"l": ["x"], "s": [0.1, 0.2]}),
        json!({"l": [], "s": []}),
        json!({"l": ["x"], "s": [-1]}),
        json!(3),
    ] {
        assert_eq!(
            labels_at(
                &bad,
                &LabelsAt::Arrays {
                    labels: "/l".into(),
                    scores: "/s".into()
                }
            ),
            None,
            "{bad}"
        );
    }
}

// ------------------------------------------------------------ canonical form

#[test]
fn to_json_round_trips_and_is_stable() {
    for name in GOOD {
        let s = spec(name);
        let text = to_json(&s);
        let again = parse_spec(&text).unwrap_or_else(|e| panic!("{name}: {e:?}\n{text}"));
        assert_eq!(again, s, "{name}");
        assert_eq!(to_json(&again), text, "{name}");
    }
    // Numbers come back exactly (serde_json's float_roundtrip).
    for n in ["6.56e+25", "0.30000000000000004", "1e300", "-2.2250738585072014e-308", "123456789.123456789"] {
        let text = format!(r#"{{"visor":1,"inputs":[{{"id":"n","kind":"number","default":{n},"min":{n},"max":1e301}}],"request":{{"encoding":"template","template":{{"n":"{{{{n}}}}"}}}}}}"#);
        let s = parse_spec(&text).unwrap_or_else(|e| panic!("{n}: {e:?}"));
        let again = parse_spec(&to_json(&s)).unwrap_or_else(|e| panic!("{n}: {e:?}"));
        assert_eq!(again, s, "{n} round-trips");
    }
    // The template keeps its written order in the canonical JSON.
    let text = to_json(&spec("kokoro-tts.json"));
    let template = text.split("\"template\": {").nth(1).expect("template");
    let order: Vec<usize> = [
        "\"model\"",
        "\"language\"",
        "\"message\"",
        "\"config\"",
        "\"speed\"",
        "\"volume\"",
        "\"output\"",
    ]
    .iter()
    .map(|k| template.find(k).unwrap_or_else(|| panic!("{k} in {text}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(text.contains("\"min\": 0,"), "whole numbers without a fraction: {text}");
    assert!(text.starts_with("{\n  \"visor\": 1,\n  \"title\""), "{text}");
}

#[test]
fn fdl_snippet_is_a_yaml_block_scalar_holding_the_json() {
    for name in GOOD {
        let s = spec(name);
        let yaml = to_fdl_annotation(&s);
        let head = format!("annotations:\n  {ANNOTATION_KEY}: |\n");
        assert!(yaml.starts_with(&head), "{yaml}");
        let body = &yaml[head.len()..];
        assert!(yaml.ends_with("}\n"));
        let mut json = String::new();
        for line in body.lines() {
            assert!(line.starts_with("    "), "indented: {line:?}");
            assert!(!line.contains('\t'));
            json.push_str(&line[4..]);
            json.push('\n');
        }
        assert!(body.lines().next().is_some_and(|l| l == "    {"));
        assert_eq!(json.trim_end(), to_json(&s));
        assert_eq!(parse_spec(&json).as_ref(), Ok(&s));
    }
    // Text that would need escaping in YAML is safe inside the block scalar.
    let tricky = r##"{"visor":1,"title":"a: b # c\n- d","inputs":[{"id":"x","kind":"text"}]}"##;
    let yaml = to_fdl_annotation(&parse_spec(tricky).expect("tricky"));
    assert!(yaml.contains(r#"    "title": "a: b # c\n- d","#), "{yaml}");
}

// ------------------------------------------------------------- hostile specs

#[test]
fn empty_and_non_object_specs() {
    assert_eq!(paths(""), [""]);
    assert_eq!(paths("   \n"), [""]);
    assert_eq!(paths("null"), [""]);
    assert_eq!(paths("[1,2]"), [""]);
    assert_eq!(paths("\"spec\""), [""]);
    assert_eq!(paths("{\"visor\":1,"), [""]);
    assert_eq!(paths("{}"), ["visor", "inputs"]);
    has_error(r#"{"visor":1,"inputs":[]}"#, "inputs", "at least one input");
    has_error(r#"{"visor":0,"inputs":[{"id":"a","kind":"text"}]}"#, "visor", "≥ 1");
    has_error(
        r#"{"visor":1.5,"inputs":[{"id":"a","kind":"text"}]}"#,
        "visor",
        "whole number",
    );
    has_error(r#"{"inputs":[{"id":"a","kind":"text"}]}"#, "visor", "missing");
    has_error(
        r#"{"visor":-1,"inputs":[{"id":"a","kind":"text"}]}"#,
        "visor",
        "whole number",
    );
    has_error(
        r#"{"visor":1e300,"inputs":[{"id":"a","kind":"text"}]}"#,
        "visor",
        "whole number",
    );
    has_error(
        r#"{"visor":true,"inputs":[{"id":"a","kind":"text"}]}"#,
        "visor",
        "should be a number",
    );
    assert_eq!(
        parse_spec(r#"{"visor":1.0,"inputs":[{"id":"a","kind":"text"}]}"#).map(|s| s.version),
        Ok(1)
    );
    let huge = parse_spec(r#"{"visor":99999999999,"inputs":[{"id":"a","kind":"text"}]}"#).expect("huge version");
    assert!(huge.is_future());
}

#[test]
fn wrong_types_everywhere_are_reported_with_paths() {
    let errs = paths(
        r#"{"visor":"1","title":5,"description":[],"mode":3,"inputs":{"a":1},"request":[],"outputs":"x","examples":5}"#,
    );
    for p in [
        "visor",
        "title",
        "description",
        "mode",
        "inputs",
        "request",
        "outputs",
        "examples",
    ] {
        assert!(errs.iter().any(|e| e == p), "{p} in {errs:?}");
    }
    let errs = paths(
        r#"{"visor":1,"inputs":[
            {"id":5,"kind":true,"label":[],"description":{},"required":"yes","min":"0","accept":"x","options":[1]},
            7,
            {"id":"b","kind":"number","default":"three","step":0},
            {"id":"c","kind":"boolean","default":1},
            {"id":"d","kind":"image","default":{}},
            {"id":"e","kind":"text","control":"slider"},
            {"id":"f","kind":"image","control":"textarea"}
          ],
          "outputs":[{"kind":"sparkles","label":1,"pointer":5,"labels":"x","entries":{}}, null, {"kind":"zip","entries":[3,{"kind":"image"}]}],
          "examples":[{"label":2,"inputs":[],"expected":"x"}, {"inputs":{"zz":1}}]}"#,
    );
    for p in [
        "inputs[0].id",
        "inputs[0].kind",
        "inputs[0].label",
        "inputs[0].description",
        "inputs[0].required",
        "inputs[0].min",
        "inputs[0].accept",
        "inputs[0].options[0]",
        "inputs[1]",
        "inputs[2].default",
        "inputs[2].step",
        "inputs[3].default",
        "inputs[4].default",
        "inputs[5].control",
        "inputs[6].control",
        "outputs[0].kind",
        "outputs[0].label",
        "outputs[0].pointer",
        "outputs[0].labels",
        "outputs[0].entries",
        "outputs[1]",
        "outputs[2].entries[0]",
        "outputs[2].entries[1].match",
        "examples[0].label",
        "examples[0].inputs",
        "examples[0].expected",
        "examples[1].inputs.zz",
    ] {
        assert!(errs.iter().any(|e| e == p), "{p} in {errs:#?}");
    }
}

#[test]
fn validation_rules() {
    let one = |input: &str| format!(r#"{{"visor":1,"inputs":[{input}]}}"#);
    has_error(&one(r#"{"id":"a b","kind":"text"}"#), "inputs[0].id", "not a valid id");
    has_error(&one(r#"{"kind":"text"}"#), "inputs[0].id", "missing");
    has_error(&one(r#"{"id":"a"}"#), "inputs[0].kind", "missing");
    has_error(&one(r#"{"id":"a","kind":"colour"}"#), "inputs[0].kind", "unknown kind");
    has_error(
        &one(r#"{"id":"a","kind":"number","control":"select","options":["1"]}"#),
        "inputs[0].control",
        "does not fit",
    );
    has_error(
        &one(r#"{"id":"a","kind":"number","min":5,"max":1}"#),
        "inputs[0].min",
        "greater than max",
    );
    has_error(
        &one(r#"{"id":"a","kind":"number","control":"slider","min":0}"#),
        "inputs[0].control",
        "min and max",
    );
    has_error(
        &one(r#"{"id":"a","kind":"number","min":0,"max":1,"default":2}"#),
        "inputs[0].default",
        "outside",
    );
    has_error(
        &one(r#"{"id":"a","kind":"text","control":"select"}"#),
        "inputs[0].options",
        "needs options",
    );
    has_error(
        &one(r#"{"id":"a","kind":"text","control":"text","options":["x"]}"#),
        "inputs[0].options",
        "only for a select",
    );
    has_error(
        &one(r#"{"id":"a","kind":"text","options":["x"],"default":"y"}"#),
        "inputs[0].default",
        "not one of",
    );
    has_error(
        &one(r#"{"id":"a","kind":"text","min":1}"#),
        "inputs[0].min",
        "only number inputs",
    );
    has_error(
        &one(r#"{"id":"a","kind":"json","default":"{oops"}"#),
        "inputs[0].default",
        "not JSON",
    );
    has_error(&one(r#"{"id":"a","kind":"number"}"#), "request", "template");
    let example = |v: &str| {
        format!(r#"{{"visor":1,"inputs":[{{"id":"a","kind":"image"}}],"examples":[{{"inputs":{{"a":{v}}}}}]}}"#)
    };
    has_error(&example("5"), "examples[0].inputs.a", "URL");
    assert!(parse_spec(&example("\"examples/cat.png\"")).is_ok());

    let two = r#"{"id":"a","kind":"text"},{"id":"b","kind":"image"}"#;
    has_error(
        &format!(r#"{{"visor":1,"inputs":[{two}],"request":{{"encoding":"base64"}}}}"#),
        "request.encoding",
        "2 inputs",
    );
    has_error(&format!(r#"{{"visor":1,"inputs":[{two}]}}"#), "request", "template");
    has_error(
        r#"{"visor":1,"inputs":[{"id":"a","kind":"boolean"}],"request":{"encoding":"base64"}}"#,
        "request.encoding",
        "boolean",
    );
    has_error(
        r#"{"visor":1,"inputs":[{"id":"a","kind":"text"}],"request":{"encoding":"json"}}"#,
        "request.encoding",
        "text input",
    );
    has_error(
        r#"{"visor":1,"inputs":[{"id":"a","kind":"text"}],"request":{"encoding":"gzip"}}"#,
        "request.encoding",
        "unknown",
    );
    has_error(
        r#"{"visor":1,"inputs":[{"id":"a","kind":"text"}],"request":{"encoding":"template"}}"#,
        "request.template",
        "missing",
    );
    has_error(
        r#"{"visor":1,"inputs":[{"id":"a","kind":"text"}],"request":{"encoding":"template","template":["{{a}}"]}}"#,
        "request.template",
        "object",
    );
    has_error(
        r#"{"visor":1,"inputs":[{"id":"a","kind":"text"}],"request":{"template":{"event":"{{a}}"}}}"#,
        "request.template",
        "event",
    );
    has_error(
        &format!(r#"{{"visor":1,"inputs":[{two}],"request":{{"template":{{"x":"{{{{a}}}}"}}}}}}"#),
        "request.template",
        "required input “b”",
    );
    // An optional input may be left out of the template (a note, not an error).
    let ok = parse_spec(
        r#"{"visor":1,"inputs":[{"id":"a","kind":"text"},{"id":"b","kind":"text","required":false}],"request":{"template":{"x":"{{a}}"}}}"#,
    )
    .expect("optional input unused");
    assert_eq!(ok.notes().len(), 1);
    // Inference without `request`.
    let infer = |kind: &str| parse_spec(&one(&format!(r#"{{"id":"a","kind":"{kind}"}}"#))).map(|s| s.encoding);
    assert_eq!(infer("json"), Ok(Encoding::Json));
    assert_eq!(infer("audio"), Ok(Encoding::Base64));
    assert_eq!(infer("text"), Ok(Encoding::Base64));
    // No outputs: one auto; an explicit empty list stays empty.
    let s = parse_spec(&one(r#"{"id":"a","kind":"text"}"#)).expect("minimal");
    assert_eq!(s.outputs.len(), 1);
    assert_eq!(s.outputs[0].kind, OutputKind::Auto);
    assert_eq!(s.outputs[0].kind.view(), None);
    let s = parse_spec(r#"{"visor":1,"inputs":[{"id":"a","kind":"text"}],"outputs":[]}"#).expect("no outputs");
    assert!(s.outputs.is_empty());
    assert_eq!(parse_spec(&to_json(&s)), Ok(s));
}

#[test]
fn outputs_are_checked() {
    let with = |outputs: &str| format!(r#"{{"visor":1,"inputs":[{{"id":"a","kind":"text"}}],"outputs":[{outputs}]}}"#);
    has_error(
        &with(r#"{"kind":"image","entries":[{"match":"*"}]}"#),
        "outputs[0].entries",
        "only zip outputs",
    );
    has_error(
        &with(r#"{"kind":"text","labels":{"labels":"/l","scores":"/s"}}"#),
        "outputs[0].labels",
        "only label outputs",
    );
    has_error(
        &with(r#"{"kind":"json","pointer":"result"}"#),
        "outputs[0].pointer",
        "not a JSON pointer",
    );
    has_error(
        &with(r#"{"kind":"json","pointer":"/a~2"}"#),
        "outputs[0].pointer",
        "not a JSON pointer",
    );
    has_error(
        &with(r#"{"kind":"label","labels":{"labels":"labels","scores":"/s"}}"#),
        "outputs[0].labels.labels",
        "pointer",
    );
    has_error(
        &with(r#"{"kind":"label","labels":{"list":"x"}}"#),
        "outputs[0].labels.list",
        "pointer",
    );
    has_error(
        &with(r#"{"kind":"label","labels":{"labels":"/l"}}"#),
        "outputs[0].labels",
        "scores",
    );
    let s = parse_spec(&with(r#"{"kind":"label","labels":{"list":"/p"}}"#)).expect("list defaults");
    assert_eq!(
        s.outputs[0].labels,
        Some(LabelsAt::List {
            list: "/p".into(),
            label: "label".into(),
            score: "score".into()
        })
    );
}

#[test]
fn duplicate_ids_and_unknown_placeholders() {
    has_error(
        r#"{"visor":1,"inputs":[{"id":"a","kind":"text"},{"id":"a","kind":"number"}],"request":{"template":{"x":"{{a}}"}}}"#,
        "inputs[1].id",
        "duplicate id “a” (also inputs[0])",
    );
    let json = r#"{"visor":1,"inputs":[{"id":"a","kind":"text"}],
        "request":{"encoding":"template","template":{"x":"{{a}}","config":{"speed":"{{speed}}","list":["ok","see {{nope}}"]}}}}"#;
    has_error(json, "request.template.config.speed", "{{speed}} names no input");
    has_error(json, "request.template.config.list[1]", "{{nope}} names no input");
    // An input with other problems is still known: no second error for its placeholder.
    let errs = errors(
        r#"{"visor":1,"inputs":[{"id":"a","kind":"number","min":3,"max":1}],"request":{"template":{"x":"{{a}}"}}}"#,
    );
    assert_eq!(
        errs.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
        ["inputs[0].min"]
    );
    has_error(
        r#"{"visor":1,"inputs":[{"id":"a","kind":"text"}],"examples":[{"inputs":{"b":"x"}}]}"#,
        "examples[0].inputs.b",
        "names no input",
    );
}

#[test]
fn an_unknown_placeholder_under_a_long_key_is_reported_within_bounds() {
    // 16,000 mentions of an unknown input under a 128 KiB key (a 256 KiB
    // annotation): each problem used to keep its own copy of the path (2 GiB).
    let key = "k".repeat(128 * 1024);
    let template = "{{nope}}".repeat(16_000);
    let json = format!(
        r#"{{"visor":1,"inputs":[{{"id":"a","kind":"text"}}],"request":{{"encoding":"template","template":{{"{key}":"{template} {{{{a}}}}"}}}}}}"#
    );
    let started = std::time::Instant::now();
    let errs = errors(&json);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(errs.len(), MAX_ERRORS + 1, "capped, with a count of the rest");
    assert!(errs[0].message.contains("{{nope}} names no input"), "{:?}", errs[0]);
    assert!(errs.iter().all(|e| e.path.chars().count() <= MAX_PATH_CHARS), "paths are cut");
    assert!(errs[0].path.starts_with("request.template.kkk") && errs[0].path.contains('…'), "{}", &errs[0].path[..40]);
    assert!(errs.last().is_some_and(|e| e.message.contains("15950 more problems")), "{:?}", errs.last());
    // A path at the limit is kept whole; one character more is cut.
    assert_eq!(SpecError::new("p".repeat(MAX_PATH_CHARS), "m").path.chars().count(), MAX_PATH_CHARS);
    let cut = SpecError::new("p".repeat(MAX_PATH_CHARS + 1), "m").path;
    assert!(cut.chars().count() <= MAX_PATH_CHARS && cut.contains('…'));
}

#[test]
fn ten_thousand_inputs_are_refused_without_flooding() {
    let inputs: Vec<String> = (0..10_000)
        .map(|i| format!(r#"{{"id":"in{i}","kind":"text"}}"#))
        .collect();
    let json = format!(r#"{{"visor":1,"inputs":[{}]}}"#, inputs.join(","));
    let errs = errors(&json);
    assert!(
        errs.iter().any(|e| e.path == "inputs" && e.message.contains("10000")),
        "{errs:?}"
    );
    assert!(errs.len() <= MAX_ERRORS + 1);

    // Many broken ones: capped, with a "more" line.
    let broken: Vec<String> = (0..MAX_INPUTS)
        .map(|_| r#"{"id":"?","kind":"?"}"#.to_string())
        .collect();
    let errs = errors(&format!(r#"{{"visor":1,"inputs":[{}]}}"#, broken.join(",")));
    assert_eq!(errs.len(), MAX_ERRORS + 1);
    assert!(errs.last().is_some_and(|e| e.message.contains("more problems")));

    // Huge lists.
    let options: Vec<String> = (0..100_000).map(|i| format!("\"o{i}\"")).collect();
    let json = format!(
        r#"{{"visor":1,"inputs":[{{"id":"a","kind":"text","options":[{}]}}]}}"#,
        options.join(",")
    );
    has_error(&json, "inputs[0].options", "at most");
    let too_big = format!(r#"{{"visor":1,"title":"{}","inputs":[]}}"#, "x".repeat(2 << 20));
    has_error(&too_big, "", "too large");
}

#[test]
fn deep_nesting_never_panics() {
    for open in ["[", "{\"a\":"] {
        let close = if open == "[" { "]" } else { "}" };
        let deep = format!("{}1{}", open.repeat(100_000), close.repeat(100_000));
        assert_eq!(paths(&deep), [""]);
        let in_template = format!(
            r#"{{"visor":1,"inputs":[{{"id":"a","kind":"text"}}],"request":{{"template":{{"x":{}"{{{{a}}}}"{}}}}}}}"#,
            open.repeat(100_000),
            close.repeat(100_000)
        );
        assert_eq!(paths(&in_template), [""]);
        let in_default = format!(
            r#"{{"visor":1,"inputs":[{{"id":"a","kind":"json","default":{}1{}}}]}}"#,
            open.repeat(100_000),
            close.repeat(100_000)
        );
        assert_eq!(paths(&in_default), [""]);
    }
    // Nesting within the limit works and renders.
    let template = format!(r#"{}"{{{{a}}}}"{}"#, "[".repeat(100), "]".repeat(100));
    let s = parse_spec(&format!(
        r#"{{"visor":1,"inputs":[{{"id":"a","kind":"text"}}],"request":{{"template":{{"x":{template}}}}}}}"#
    ))
    .expect("100 deep");
    assert!(json_body(&s, &values(&[("a", Value::Text("v".into()))])).contains("[[\"v\"]]"));
    // A deep JSON value given to a json input (programmatically) is cut, not a crash.
    let mut deep = json!(1);
    for _ in 0..2_000 {
        deep = serde_json::Value::Array(vec![deep]);
    }
    let s = parse_spec(r#"{"visor":1,"inputs":[{"id":"j","kind":"json"}],"request":{"template":{"x":"{{j}}"}}}"#)
        .expect("json");
    let mut vals = BTreeMap::new();
    vals.insert("j".to_string(), Value::Json(deep));
    assert_eq!(render_body(&s, &vals).map_err(|e| e.path), Err("j".into()));
}

/// Replaces every part of the good specs with values of other types: never a panic, and every spec that
/// still parses round-trips and renders with its defaults without panicking.
#[test]
fn mutated_specs_never_panic() {
    let replacements = [
        json!(null),
        json!(0),
        json!(-1.5e300),
        json!("x"),
        json!("{{nope}}"),
        json!(""),
        json!([]),
        json!({}),
        json!(true),
        json!(vec![json!(null); 500]),
        json!({"visor": 2, "id": "z", "kind": "zip"}),
    ];
    let mut parsed = 0;
    let mut checked = 0;
    for name in GOOD {
        let original: serde_json::Value = serde_json::from_str(&fixture(name)).expect("json");
        let mut pointers = Vec::new();
        collect_pointers(&original, String::new(), &mut pointers);
        for pointer in &pointers {
            for r in &replacements {
                let mut v = original.clone();
                if let Some(slot) = v.pointer_mut(pointer) {
                    *slot = r.clone();
                }
                checked += 1;
                if let Ok(s) = parse_spec(&v.to_string()) {
                    parsed += 1;
                    assert_eq!(parse_spec(&to_json(&s)).as_ref(), Ok(&s), "{name} {pointer} = {r}");
                    let _ = render_body(&s, &s.default_values());
                    let _ = to_fdl_annotation(&s);
                }
            }
        }
    }
    assert!(checked > 1000, "{checked}");
    assert!(parsed > 100, "{parsed}");
}

fn collect_pointers(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                collect_pointers(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn render_refuses_bad_values() {
    let s = spec("two-inputs.json");
    let base = values(&[
        ("prompt", Value::Text("p".into())),
        ("steps", Value::Number(2.0)),
        ("hd", Value::Boolean(false)),
    ]);
    for (id, bad) in [
        ("steps", Value::Number(f64::NAN)),
        ("steps", Value::Number(f64::INFINITY)),
        ("steps", Value::Bytes(vec![1])),
        ("hd", Value::Text("maybe".into())),
        ("prompt", Value::Bytes(vec![0xff, 0xfe])),
    ] {
        let mut vals = base.clone();
        vals.insert(id.into(), bad.clone());
        assert_eq!(
            render_body(&s, &vals).map_err(|e| e.path),
            Err(id.to_string()),
            "{bad:?}"
        );
    }
    // Empty text is a value for text inputs, and missing for numbers.
    let mut vals = base.clone();
    vals.insert("prompt".into(), Value::Text(String::new()));
    assert!(json_body(&s, &vals).starts_with(r#"{"prompt":"","#));
    vals.insert("steps".into(), Value::Text(" ".into()));
    assert_eq!(render_body(&s, &vals).map_err(|e| e.path), Err("steps".into()));
    // A hand-built spec whose template names no input is an error, not a panic.
    let mut broken = s.clone();
    broken.encoding = Encoding::Template(Template::from_value(&json!({"x": "{{ghost}}"})));
    assert_eq!(
        render_body(&broken, &base).map_err(|e| e.path),
        Err("request.template".into())
    );
    broken.encoding = Encoding::Base64;
    assert_eq!(
        render_body(&broken, &base).map_err(|e| e.path),
        Err("request.encoding".into())
    );
}

// ---------------------------------------------------------- future versions

#[test]
fn future_versions_and_unknown_fields_still_parse() {
    let v1 = r#"{"visor":1,"theme":"dark","inputs":[{"id":"a","kind":"text","colour":"red"}],
                "request":{"encoding":"base64","compress":true},"outputs":[{"kind":"text","x":1}],"extra":[1,2]}"#;
    let s = parse_spec(v1).expect("unknown fields are ignored");
    assert!(!s.is_future());
    assert!(s.notes().is_empty());

    let v2 = r#"{"visor":2,"title":"Next","layout":{"columns":2},
        "inputs":[{"id":"a","kind":"text","control":"richtext","validate":"^a"},
                  {"id":"n","kind":"number","control":"knob","min":0,"max":1}],
        "mode":"streaming",
        "request":{"encoding":"template","template":{"a":"{{a}}","n":"{{n}}"},"headers":{"x":"y"}},
        "outputs":[{"kind":"hologram","label":"3D"},{"kind":"text"}]}"#;
    let s = parse_spec(v2).expect("a newer version parses what it understands");
    assert_eq!(s.version, 2);
    assert!(s.is_future());
    assert!(s.notes().iter().any(|n| n.contains("version 2")), "{:?}", s.notes());
    assert_eq!(s.title, "Next");
    assert_eq!(s.mode, Mode::Both);
    assert_eq!(s.input("a").map(|i| i.control), Some(Control::Textarea));
    assert_eq!(s.input("n").map(|i| i.control), Some(Control::Slider));
    assert_eq!(s.outputs[0].kind, OutputKind::Auto);
    assert_eq!(s.outputs[0].label, "3D");
    assert_eq!(parse_spec(&to_json(&s)), Ok(s.clone()));
    // Still an error in a future spec: what it cannot do without.
    has_error(
        r#"{"visor":2,"inputs":[{"id":"a","kind":"hologram"}]}"#,
        "inputs[0].kind",
        "unknown",
    );
}

// ------------------------------------------------------------ RO-Crates

#[test]
fn ro_crates_from_the_hub() {
    let k = hints("kokoro-tts");
    assert_eq!(k.service_types, ["asynchronous"]);
    assert_eq!(k.input_formats, ["text/json"]);
    assert_eq!(k.output_formats, ["audio/wav"]);
    assert_eq!(k.samples, [("input.json".to_string(), "text/json".to_string())]);

    let p = hints("plants-classification");
    assert_eq!(p.service_types, ["asynchronous", "synchronous"]);
    assert_eq!(p.input_formats, ["image/png"]);
    assert_eq!(p.output_formats, ["text/plain"]);

    let v = hints("vosk-stt");
    assert_eq!(v.service_types, ["asynchronous"]);
    assert_eq!(v.input_formats, ["audio/wav"]);
    assert_eq!(v.output_formats, ["text/plain"]);
    assert_eq!(v.samples, [("input_en.wav".to_string(), "audio/wav".to_string())]);

    let c = hints("cowsay");
    assert_eq!(c.service_types, ["synchronous"]);
    assert_eq!(c.input_formats, ["text/plain"]);
    assert!(c.output_formats.is_empty());

    let i = hints("imagemagick");
    assert_eq!(i.service_types, ["asynchronous", "synchronous"]);
    assert_eq!(i.input_formats, ["image/png"]);
    assert_eq!(i.output_formats, ["application/zip"]);

    for bad in [
        "",
        "nope",
        "[]",
        "{}",
        r#"{"@graph": 3}"#,
        r#"{"@graph": [1, "x", {"@id": 5}, {"serviceType": []}]}"#,
    ] {
        let h = parse_ro_crate(bad);
        assert!(h.is_none() || h == Some(RoCrateHints::default()), "{bad}: {h:?}");
    }
    let many: Vec<String> = (0..20_000)
        .map(|i| {
            format!(
                r#"{{"@id":"f{i}","@type":"HowToSupply","item":{{"@id":"f{}"}},"encodingFormat":"image/png"}}"#,
                i + 1
            )
        })
        .collect();
    let h = parse_ro_crate(&format!(r#"{{"@graph":[{}]}}"#, many.join(","))).expect("many");
    assert_eq!((h.samples.len(), h.input_formats.len()), (100, 1));
    let deep = format!("{{\"@graph\":{}{}}}", "[".repeat(50_000), "]".repeat(50_000));
    assert_eq!(parse_ro_crate(&deep), None);
    // 100,000 distinct formats on one sample: one pass, and 100 kept.
    let formats: Vec<String> = (0..100_000).map(|i| format!("\"type/x{i}\"")).collect();
    let crate_json = format!(
        r#"{{"@graph":[{{"@id":"s","@type":"HowToSupply","item":{{"@id":"s"}},"encodingFormat":[{}]}}]}}"#,
        formats.join(",")
    );
    let h = parse_ro_crate(&crate_json).expect("formats");
    assert_eq!(h.input_formats.len(), 100);
    assert_eq!(h.input_formats.first().map(String::as_str), Some("type/x0"));
}

fn hub_service(name: &str, extra: serde_json::Value) -> Service {
    let mut v = json!({
        "name": name,
        "input": [{"storage_provider": "minio.default", "path": format!("{name}/input")}],
        "output": [{"storage_provider": "minio.default", "path": format!("{name}/output")}],
    });
    if let (Some(map), serde_json::Value::Object(extra)) = (v.as_object_mut(), extra) {
        map.extend(extra);
    }
    service(v)
}

#[test]
fn detection_from_hub_services() {
    // kokoro-tts: a JSON sample becomes encoding json with the sample as default.
    let s = detect_spec(&hub_service("kokoro-tts", json!({})), Some(&hints("kokoro-tts")));
    assert_eq!(s.title, "kokoro-tts");
    assert_eq!(s.mode, Mode::Async);
    assert_eq!(s.encoding, Encoding::Json);
    assert_eq!(s.inputs.len(), 1);
    assert_eq!(s.inputs[0].kind, FieldKind::Json);
    let default = s.inputs[0]
        .default
        .as_ref()
        .and_then(|d| d.as_str())
        .expect("default text");
    let sample: serde_json::Value = serde_json::from_str(&fixture("hub/kokoro-tts/input.json")).expect("input.json");
    let parsed: serde_json::Value = serde_json::from_str(default).expect("default is JSON");
    assert_eq!(parsed["model"], sample["model"]);
    assert_eq!(parsed["config"], sample["config"]);
    assert!(
        default.find("\"model\"") < default.find("\"config\""),
        "sample order kept: {default}"
    );
    assert_eq!(s.outputs.len(), 1);
    assert_eq!(s.outputs[0].kind, OutputKind::Auto);
    assert!(matches!(render_body(&s, &s.default_values()), Ok(RenderedBody::Json(t)) if t.contains("af_bella")));

    // cowsay (its FDL sets INPUT_TYPE=json; the Hub sample says text/plain, which does not override).
    let s = detect_spec(
        &service(json!({"name": "cowsay", "environment": {"Variables": {"INPUT_TYPE": "json"}}})),
        Some(&hints("cowsay")),
    );
    assert_eq!(
        (s.mode, &s.encoding, s.inputs[0].kind),
        (Mode::Sync, &Encoding::Json, FieldKind::Json)
    );
    assert!(s.inputs[0]
        .default
        .as_ref()
        .and_then(|d| d.as_str())
        .is_some_and(|d| d.contains("message")));

    for (name, kind, mode, accept) in [
        ("plants-classification", FieldKind::Image, Mode::Both, "image/*"),
        ("vosk-stt", FieldKind::Audio, Mode::Async, "audio/*"),
        ("imagemagick", FieldKind::Image, Mode::Both, "image/*"),
    ] {
        let s = detect_spec(&hub_service(name, json!({})), Some(&hints(name)));
        assert_eq!(
            (s.inputs[0].kind, s.mode, &s.encoding),
            (kind, mode, &Encoding::Base64),
            "{name}"
        );
        assert_eq!(s.inputs[0].accept, [accept], "{name}");
        assert_eq!(s.inputs[0].id, "input");
        assert!(s.inputs[0].required);
        assert_eq!(parse_spec(&to_json(&s)), Ok(s.clone()), "{name}");
        assert_eq!(
            render_body(&s, &values(&[("input", Value::Bytes(vec![7]))])),
            Ok(RenderedBody::Bytes(vec![7]))
        );
    }

    // A service the catalogue does not know: the Hub sample decides.
    let mystery = hub_service("mystery", json!({}));
    assert_eq!(detect_spec(&mystery, None).inputs[0].kind, FieldKind::File);
    assert_eq!(detect_spec(&mystery, None).mode, Mode::Both);
    let s = detect_spec(&mystery, Some(&hints("plants-classification")));
    assert_eq!(s.inputs[0].kind, FieldKind::Image);
    assert!(
        s.inputs[0].description.contains("image/png"),
        "{}",
        s.inputs[0].description
    );
    assert_eq!(
        detect_spec(&mystery, Some(&hints("vosk-stt"))).inputs[0].kind,
        FieldKind::Audio
    );
    let s = detect_spec(&mystery, Some(&hints("kokoro-tts")));
    assert_eq!(
        (s.inputs[0].kind, &s.encoding, &s.inputs[0].default),
        (FieldKind::Json, &Encoding::Json, &None)
    );
    // Only a sample file name.
    let by_name = RoCrateHints {
        samples: vec![("clip.mp4".into(), String::new())],
        ..RoCrateHints::default()
    };
    assert_eq!(detect_spec(&mystery, Some(&by_name)).inputs[0].kind, FieldKind::Video);
    let exposed = RoCrateHints {
        service_types: vec!["exposed".into()],
        ..RoCrateHints::default()
    };
    assert_eq!(detect_spec(&mystery, Some(&exposed)).mode, Mode::Both);
}

#[test]
fn detection_from_suffixes() {
    let s = detect_spec(
        &service(json!({"name": "x", "input": [{"path": "x/in", "suffix": ["wav", ".mp3"]}]})),
        None,
    );
    assert_eq!(s.inputs[0].kind, FieldKind::Audio);
    assert_eq!(s.inputs[0].accept, [".wav", ".mp3"]);
    assert_eq!(s.encoding, Encoding::Base64);
    let s = detect_spec(
        &service(json!({"name": "y", "input": [{"path": "y/in", "suffix": [".CSV"]}]})),
        None,
    );
    assert_eq!(s.inputs[0].kind, FieldKind::Table);
    assert_eq!(s.inputs[0].accept, [".CSV"]);
    // Suffix filters beat the Hub sample.
    let s = detect_spec(
        &service(json!({"name": "z", "input": [{"path": "z/in", "suffix": ["jpg"]}]})),
        Some(&hints("vosk-stt")),
    );
    assert_eq!(s.inputs[0].kind, FieldKind::Image);
    assert_eq!(s.mode, Mode::Async);
    // A text service gets its catalogue sample.
    let s = detect_spec(&service(json!({"name": "text-to-speech"})), None);
    assert_eq!(s.inputs[0].kind, FieldKind::Text);
    assert_eq!(s.inputs[0].control, Control::Textarea);
    assert_eq!(
        render_body(&s, &s.default_values()),
        Ok(RenderedBody::Bytes(b"Hello from OSCAR Visor".to_vec()))
    );
}

// ------------------------------------------------------------- precedence

fn annotated(annotation: Option<&str>) -> Service {
    let mut v = json!({"name": "kokoro-tts", "input": [{"path": "kokoro-tts/in"}]});
    if let Some(a) = annotation {
        v["annotations"] = json!({});
        v["annotations"][ANNOTATION_KEY] = json!(a);
    }
    service(v)
}

fn titled(title: &str) -> String {
    format!(r#"{{"visor":1,"title":"{title}","inputs":[{{"id":"t","kind":"text"}}]}}"#)
}

#[test]
fn resolve_follows_the_precedence() {
    let operator = json!({"visor": 1, "services": {
        "kokoro-tts": serde_json::from_str::<serde_json::Value>(&titled("operator")).expect("json"),
        "other": titled("other"),
    }});
    let svc = annotated(Some(&titled("annotation")));
    let r = resolve(&svc, Some(&titled("edit")), Some(&operator), None);
    assert_eq!(
        (r.source, r.spec.title.as_str(), r.problems.len()),
        (Source::UserEdit, "edit", 0)
    );
    assert_eq!(r.source.label(), "your edit");

    let r = resolve(&svc, None, Some(&operator), None);
    assert_eq!((r.source, r.spec.title.as_str()), (Source::Annotation, "annotation"));
    assert_eq!(r.source.label(), "the service's annotation");
    let r = resolve(&svc, Some("  "), Some(&operator), None);
    assert_eq!(r.source, Source::Annotation);

    // A broken edit falls back, and says why.
    let r = resolve(&svc, Some(r#"{"visor":1}"#), Some(&operator), None);
    assert_eq!(r.source, Source::Annotation);
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].0, Source::UserEdit);
    assert_eq!(r.problems[0].1[0].path, "inputs");

    // A broken annotation falls back to the operator's, then to detection.
    let broken = annotated(Some(
        r#"{"visor":1,"inputs":[{"id":"a","kind":"text","control":"slider"}]}"#,
    ));
    let r = resolve(&broken, None, Some(&operator), None);
    assert_eq!((r.source, r.spec.title.as_str()), (Source::Operator, "operator"));
    assert_eq!(r.source.label(), "the site's interfaces.json");
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].0, Source::Annotation);
    assert_eq!(r.problems[0].1[0].path, "inputs[0].control");

    let r = resolve(&broken, None, None, Some(&hints("kokoro-tts")));
    assert_eq!(r.source, Source::Detected);
    assert_eq!(r.source.label(), "detection");
    assert_eq!(r.spec.mode, Mode::Async);
    assert_eq!(r.spec.encoding, Encoding::Json);
    assert_eq!(r.problems.len(), 1);

    let broken_operator = json!({"services": {"kokoro-tts": {"visor": 1, "inputs": "x"}}});
    let r = resolve(&broken, None, Some(&broken_operator), None);
    assert_eq!(r.source, Source::Detected);
    assert_eq!(
        r.problems.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [Source::Annotation, Source::Operator]
    );
    assert_eq!(r.problems[1].1[0].path, "inputs");

    // The operator's file: a spec as JSON text works too; an unlisted service is no problem; a bad file is.
    let plain = annotated(None);
    let text_operator = json!({"services": {"kokoro-tts": titled("as text")}});
    assert_eq!(resolve(&plain, None, Some(&text_operator), None).spec.title, "as text");
    let r = resolve(&plain, None, Some(&json!({"services": {"other": {}}})), None);
    assert_eq!((r.source, r.problems.len()), (Source::Detected, 0));
    let r = resolve(&plain, None, Some(&json!({"services": []})), None);
    assert_eq!(r.source, Source::Detected);
    assert_eq!(r.problems[0].1[0].path, "services");
    let r = resolve(&plain, None, None, None);
    assert_eq!((r.source, r.problems.len()), (Source::Detected, 0));
    assert_eq!(r.spec, detect_spec(&plain, None));

    // Detection works through the same door as declared specs.
    assert_eq!(r.spec.version, SPEC_VERSION);
}

#[test]
fn detection_is_a_spec_with_examples_and_the_input_type_switch_edits_it() {
    use oscar_visor::interface::spec::detect_spec_as;
    use oscar_visor::interface::InputKind;
    let cowsay = service(json!({"name": "cowsay", "environment": {"Variables": {"INPUT_TYPE": "json"}}}));
    let s = detect_spec(&cowsay, None);
    assert_eq!((s.inputs[0].kind, &s.encoding, s.inputs[0].label.as_str()), (FieldKind::Json, &Encoding::Json, "JSON"));
    // The app's Hub sample is an example of the detected page, with its JSON text.
    assert_eq!(s.examples.len(), 1, "{:?}", s.examples);
    assert_eq!(s.examples[0].label, "Hub sample");
    assert!(s.examples[0].inputs["input"].as_str().is_some_and(|t| t.contains("\"message\"")));
    // "Input type" → Text: a base64 text input with the text examples, saying why.
    let t = detect_spec_as(&cowsay, None, Some(InputKind::Text));
    assert_eq!((t.inputs[0].kind, &t.encoding), (FieldKind::Text, &Encoding::Base64));
    assert!(t.inputs[0].description.contains("Input type"), "{}", t.inputs[0].description);
    assert_eq!(t.examples.iter().map(|e| e.label.as_str()).collect::<Vec<_>>(), ["Hello"]);
    // Choosing the detected kind again gives the detected spec back.
    assert_eq!(detect_spec_as(&cowsay, None, Some(InputKind::Json)), s);
    // Files: the picker is labelled by kind, and examples are files next to the app.
    let plants = detect_spec(&service(json!({"name": "plants-classification-sync"})), None);
    assert_eq!(plants.inputs[0].label, "Image file");
    assert_eq!(plants.examples[0].inputs["input"], json!("examples/leaf.png"));
    assert_eq!(parse_spec(&to_json(&plants)), Ok(plants.clone()), "a detected spec exports and reads back");
    let audio = detect_spec_as(&service(json!({"name": "plants-classification-sync"})), None, Some(InputKind::Audio));
    assert_eq!((audio.inputs[0].label.as_str(), audio.inputs[0].accept.clone()), ("Audio file", vec!["audio/*".to_string()]));
    assert!(audio.examples.is_empty(), "the leaf is no audio example");
}

// ------------------------------------------------------------ interfaces.json

#[test]
fn interfaces_json_is_read_up_to_its_cap() {
    use oscar_visor::interface::spec::{parse_interfaces, MAX_INTERFACES_BYTES};
    let padded = |len: usize| {
        let head = r#"{"services":{}}"#;
        format!("{head}{}", " ".repeat(len - head.len()))
    };
    for len in [MAX_INTERFACES_BYTES - 1, MAX_INTERFACES_BYTES] {
        assert_eq!(parse_interfaces(&padded(len)), Ok(serde_json::json!({"services": {}})), "{len} bytes");
    }
    let over = parse_interfaces(&padded(MAX_INTERFACES_BYTES + 1)).expect_err("one byte over");
    assert!(over.contains("more than the 8.0 MB read"), "{over}");
    let broken = parse_interfaces("{").expect_err("broken");
    assert!(broken.starts_with("interfaces.json is not valid JSON"), "{broken}");
}
