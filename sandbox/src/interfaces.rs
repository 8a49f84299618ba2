//! Visor interface specs (docs/interface-spec.md) carried by some demo services in their
//! `oscar-visor/interface` annotation, the operator `interfaces.json` of the demo, and the
//! example input files the specs point to.

use crate::fixtures;
use serde_json::{json, Value};

/// The annotation key Visor reads.
pub const ANNOTATION: &str = "oscar-visor/interface";

/// The OIDC subject of the demo user (`--oidc` prints a token for it).
pub const DEMO_USER: &str = "user-1@egi.eu";

pub(crate) fn kokoro_spec() -> Value {
    json!({
        "visor": 1,
        "title": "Kokoro text to speech",
        "description": "Reads a message aloud with one of the Kokoro voices.",
        "mode": "both",
        "inputs": [
            {"id": "model", "kind": "text", "label": "Voice", "control": "select",
             "options": ["af_bella", "af_sarah", "am_adam", "bf_emma"], "default": "af_bella"},
            {"id": "language", "kind": "text", "label": "Language", "control": "select",
             "options": ["en-us", "en-gb", "es"], "default": "en-us"},
            {"id": "message", "kind": "text", "label": "Message", "control": "textarea",
             "description": "What to say",
             "default": "This is an audio sample generated using the kokoro-tts service."},
            {"id": "speed", "kind": "number", "label": "Speed", "control": "slider",
             "min": 0.5, "max": 2.0, "step": 0.1, "default": 1.0},
            {"id": "volume", "kind": "number", "label": "Volume", "control": "number",
             "default": 3.1}
        ],
        "request": {
            "encoding": "template",
            "template": {
                "model": "{{model}}",
                "language": "{{language}}",
                "message": "{{message}}",
                "config": {"speed": "{{speed}}", "volume": "{{volume}}", "output": "wav"}
            }
        },
        "outputs": [{"kind": "audio", "label": "Speech"}],
        "examples": [
            {"label": "A slow British greeting",
             "inputs": {"model": "bf_emma", "language": "en-gb",
                        "message": "Good morning, and welcome to OSCAR.", "speed": 0.7, "volume": 3.1}},
            {"label": "A quick Spanish hello",
             "inputs": {"model": "am_adam", "language": "es",
                        "message": "Hola, buenos dias.", "speed": 1.5, "volume": 3.1}}
        ]
    })
}

pub(crate) fn image_caption_spec() -> Value {
    json!({
        "visor": 1,
        "title": "Image caption",
        "description": "Captions an image and measures it (DEEPaaS-style: the image travels as base64 inside JSON).",
        "mode": "sync",
        "inputs": [
            {"id": "image", "kind": "image", "label": "Image", "accept": ["image/png", "image/jpeg"]},
            {"id": "caption", "kind": "text", "label": "Caption", "default": "A picture"},
            {"id": "shout", "kind": "boolean", "label": "Shout", "control": "checkbox",
             "default": false, "required": false}
        ],
        "request": {
            "encoding": "template",
            "template": {
                "oscar-files": [{"key": "image", "file_format": "png", "data": "{{image}}"}],
                "caption": "{{caption}}",
                "shout": "{{shout}}"
            }
        },
        "outputs": [{"kind": "json", "label": "Result"}],
        "examples": [
            {"label": "A shouted leaf",
             "inputs": {"image": "examples/leaf.png", "caption": "a green leaf", "shout": true},
             "expected": {"kind": "json", "text": leaf_caption_result("A GREEN LEAF")}}
        ]
    })
}

pub(crate) fn imagemagick_spec() -> Value {
    json!({
        "visor": 1,
        "title": "ImageMagick: grayscale, edges, metrics",
        "description": "Converts an image to grayscale, finds its edges and measures it; the results come back as a ZIP.",
        "mode": "both",
        "inputs": [
            {"id": "image", "kind": "image", "label": "Image",
             "accept": ["image/png", "image/jpeg", ".png", ".jpg", ".jpeg"]}
        ],
        "request": {"encoding": "base64"},
        "outputs": [{
            "kind": "zip",
            "label": "Results",
            "entries": [
                {"match": "*_gray.png", "kind": "image", "label": "Grayscale"},
                {"match": "*_edges.png", "kind": "image", "label": "Edges"},
                {"match": "*_metrics.json", "kind": "json", "label": "Metrics"}
            ]
        }],
        "examples": [{"label": "A leaf", "inputs": {"image": "examples/leaf.png"}}]
    })
}

/// The first stage of a demo workflow: one image in, run through the bucket.
pub(crate) fn workflow_entry_spec(title: &str, description: &str) -> Value {
    json!({
        "visor": 1,
        "title": title,
        "description": description,
        "mode": "async",
        "inputs": [
            {"id": "image", "kind": "image", "label": "Image",
             "accept": ["image/png", "image/jpeg", ".png", ".jpg", ".jpeg"]}
        ],
        "examples": [{"label": "A leaf", "inputs": {"image": "examples/leaf.png"}}]
    })
}

/// Deliberately invalid (`hologram` is no input kind): Visor must report it and detect.
pub(crate) const BROKEN_SPEC: &str = r#"{"visor":1,"inputs":[{"id":"x","kind":"hologram"}]}"#;

fn text_to_speech_spec() -> Value {
    json!({
        "visor": 1,
        "title": "Text to speech (Coqui)",
        "description": "Reads a text aloud.",
        "mode": "both",
        "inputs": [
            {"id": "text", "kind": "text", "label": "Text to read", "control": "textarea"}
        ],
        "request": {"encoding": "base64"},
        "outputs": [{"kind": "audio", "label": "Speech"}],
        "examples": [
            {"label": "Hello", "inputs": {"text": "Hello"}},
            {"label": "Good morning", "inputs": {"text": "Good morning"}}
        ]
    })
}

/// The operator `interfaces.json` of the demo: a spec for `text-to-speech`, which has no
/// annotation. Served at `/ui/interfaces.json` with `--ui`.
pub fn demo_interfaces_json() -> String {
    json!({"visor": 1, "services": {"text-to-speech": text_to_speech_spec()}}).to_string()
}

/// The example input of the specs: a 48x32 leaf-green PNG.
fn leaf_png() -> Vec<u8> {
    fixtures::png(48, 32, LEAF_RGB)
}

const LEAF_RGB: [u8; 3] = [60, 140, 50];

fn leaf_caption_result(caption: &str) -> String {
    json!({"caption": caption, "width": 48, "height": 32,
           "mean_rgb": LEAF_RGB.map(f64::from)})
    .to_string()
}

/// Files the specs' examples refer to, as (URL path relative to the app, content type,
/// bytes). With `--ui` they are served under `/ui/`; give them to a [`crate::StaticSite`]
/// with its builder's `file` to serve them next to the app elsewhere.
pub fn demo_example_files() -> Vec<(String, &'static str, Vec<u8>)> {
    vec![("examples/leaf.png".into(), "image/png", leaf_png())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scripts::{handler_for, Input};

    #[test]
    fn leaf_example_expectation_matches_the_handler() {
        let png = leaf_png();
        let body = json!({
            "oscar-files": [{"key": "image", "file_format": "png",
                             "data": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &png)}],
            "caption": "a green leaf",
            "shout": true
        })
        .to_string();
        let out = handler_for("image-caption")(
            &crate::model::Service::default(),
            &Input {
                bytes: body.as_bytes(),
                path: "/tmp/x/event-file-1",
            },
        );
        assert_eq!(out.files.len(), 1, "{}", out.stdout);
        let got: Value = serde_json::from_slice(&out.files[0].1).expect("json");
        let want: Value = serde_json::from_str(&leaf_caption_result("A GREEN LEAF")).expect("json");
        assert_eq!(got, want);
    }
}
