//! Examples for services without a declared interface: the OSCAR Hub's
//! sample inputs and small generated files, shipped with the app under
//! `examples/`, matched by service name.

use super::InputKind;

/// One clickable example of a detected page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DetectedExample {
    pub label: &'static str,
    pub kind: InputKind,
    /// Inline text (text and JSON kinds).
    pub text: Option<&'static str>,
    /// A file next to the app.
    pub url: Option<&'static str>,
}

const fn url(label: &'static str, kind: InputKind, url: &'static str) -> DetectedExample {
    DetectedExample { label, kind, text: None, url: Some(url) }
}

const fn text(label: &'static str, kind: InputKind, text: &'static str) -> DetectedExample {
    DetectedExample { label, kind, text: Some(text), url: None }
}

// Text samples are part of the app: a detected page fills them in directly.
const COWSAY: &str = include_str!("../../static/examples/cowsay.json");
const KOKORO: &str = include_str!("../../static/examples/kokoro-tts.json");
const FOX: &str = include_str!("../../static/examples/fox.txt");

/// Name fragment → examples; the first matching fragment wins.
const CATALOGUE: &[(&str, &[DetectedExample])] = &[
    ("cowsay", &[text("Hub sample", InputKind::Json, COWSAY), text("Hello", InputKind::Text, "Hello from OSCAR Visor")]),
    ("kokoro", &[text("Hub sample", InputKind::Json, KOKORO)]),
    ("text-to-speech", &[text("Hello", InputKind::Text, "Hello from OSCAR Visor"), text("A longer sentence", InputKind::Text, "The quick brown fox jumped over the lazy dog.")]),
    ("table", &[url("Plants table", InputKind::Table, "examples/plants.csv")]),
    ("simple-test", &[text("Hub sample", InputKind::Text, FOX)]),
    ("stress-test", &[text("Hub sample", InputKind::Text, FOX)]),
    ("noisy", &[text("A sentence", InputKind::Text, FOX)]),
    ("plant", &[url("A leaf", InputKind::Image, "examples/leaf.png")]),
    ("grayify", &[url("A leaf", InputKind::Image, "examples/leaf.png")]),
    ("imagemagick", &[url("A leaf", InputKind::Image, "examples/leaf.png")]),
    ("yolo", &[url("A leaf", InputKind::Image, "examples/leaf.png")]),
    ("vosk", &[url("A tone", InputKind::Audio, "examples/tone.wav")]),
    ("stt", &[url("A tone", InputKind::Audio, "examples/tone.wav")]),
    ("echo", &[url("A WAV file", InputKind::File, "examples/tone.wav"), url("A PNG file", InputKind::File, "examples/leaf.png")]),
];

/// The examples for a service, by its name.
pub fn examples_for(service: &str) -> &'static [DetectedExample] {
    let name = service.to_ascii_lowercase();
    CATALOGUE.iter().find(|(frag, _)| name.contains(frag)).map(|(_, e)| *e).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_services_get_examples_and_others_none() {
        assert!(examples_for("cowsay")[0].text.is_some_and(|t| t.contains("message")));
        assert_eq!(examples_for("plants-classification-sync")[0].kind, InputKind::Image);
        assert_eq!(examples_for("table-stats")[0].kind, InputKind::Table);
        assert!(examples_for("svc-0001").is_empty());
    }

    #[test]
    fn every_example_file_is_shipped() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
        for (_, examples) in CATALOGUE {
            for e in *examples {
                if let Some(u) = e.url {
                    assert!(dir.join(u).is_file(), "{u} is missing from static/");
                }
                assert!(e.text.is_some() != e.url.is_some());
            }
        }
    }
}
