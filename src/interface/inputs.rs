//! Which input component a service gets, decided from what is known about
//! it: annotations and env, its input `suffix` filters, and the names of the
//! OSCAR example services. Declared interfaces (a later layer) go on top.

use crate::oscar::Service;

/// The input components the run page offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputKind {
    Text,
    Json,
    Image,
    Audio,
    Video,
    File,
    Table,
}

impl InputKind {
    /// Every kind, in the order of the switcher.
    pub const ALL: [InputKind; 7] = [
        InputKind::Text,
        InputKind::Json,
        InputKind::Image,
        InputKind::Audio,
        InputKind::Video,
        InputKind::Table,
        InputKind::File,
    ];

    /// The label of its input on a detected page.
    pub fn field_label(self) -> &'static str {
        match self {
            Self::Image => "Image file",
            Self::Audio => "Audio file",
            Self::Video => "Video file",
            other => other.label(),
        }
    }

    /// The name shown in the switcher.
    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "Text",
            Self::Json => "JSON",
            Self::Image => "Image",
            Self::Audio => "Audio",
            Self::Video => "Video",
            Self::File => "File",
            Self::Table => "Table",
        }
    }

    /// The `accept` attribute of its file picker.
    pub fn accept(self) -> &'static str {
        match self {
            Self::Image => "image/*",
            Self::Audio => "audio/*",
            Self::Video => "video/*",
            Self::Table => ".csv,.tsv,text/csv,text/tab-separated-values",
            Self::Json => ".json,application/json",
            Self::Text => ".txt,text/plain",
            Self::File => "",
        }
    }

    /// Parses a kind name or a MIME type (`image/png`, `csv`, `json`, ...).
    pub fn from_hint(hint: &str) -> Option<Self> {
        let h = hint.trim().to_ascii_lowercase();
        let head = h.split('/').next().unwrap_or_default();
        Some(match (head, h.as_str()) {
            (_, "json" | "application/json" | "text/json") => Self::Json,
            (_, "csv" | "tsv" | "table" | "text/csv" | "text/tab-separated-values") => Self::Table,
            (_, "text" | "txt" | "string" | "text/plain") => Self::Text,
            (_, "file" | "binary" | "application/octet-stream") => Self::File,
            ("image", _) => Self::Image,
            ("audio", _) => Self::Audio,
            ("video", _) => Self::Video,
            ("text", _) => Self::Text,
            _ => return None,
        })
    }

    /// The kind of a file suffix from an `input.suffix` filter.
    pub fn from_suffix(suffix: &str) -> Option<Self> {
        let s = suffix.trim().trim_start_matches('.').to_ascii_lowercase();
        Some(match s.as_str() {
            "jpg" | "jpeg" | "png" | "gif" | "webp" | "bmp" | "tif" | "tiff" | "svg" => Self::Image,
            "wav" | "mp3" | "ogg" | "flac" | "m4a" | "opus" => Self::Audio,
            "mp4" | "avi" | "mov" | "mkv" | "webm" => Self::Video,
            "csv" | "tsv" => Self::Table,
            "json" => Self::Json,
            "txt" | "md" => Self::Text,
            _ => return None,
        })
    }

    /// Whether the input is a file the user picks (as opposed to typed text).
    pub fn is_file(self) -> bool {
        matches!(self, Self::Image | Self::Audio | Self::Video | Self::File)
    }
}

/// The input component chosen for a service, and why (shown on the page).
#[derive(Clone, Debug, PartialEq)]
pub struct InputChoice {
    pub kind: InputKind,
    pub reason: String,
    /// A starting value for text and JSON inputs.
    pub sample: String,
}

/// What the OSCAR examples and Hub services take (OSCAR-API.md §10). Matched
/// against the service name; the first matching fragment wins.
const CATALOGUE: &[(&str, InputKind, &str)] = &[
    ("cowsay", InputKind::Json, "{\n  \"message\": \"Hello from OSCAR Visor\"\n}"),
    ("kokoro", InputKind::Json, "{\n  \"model\": \"af_bella\",\n  \"language\": \"en-gb\",\n  \"message\": \"This is an audio sample generated using the kokoro-tts service.\",\n  \"config\": {\"speed\": 1.0, \"volume\": 3.1, \"output\": \"wav\"}\n}"),
    ("dog-breed", InputKind::Image, ""),
    ("text-to-speech", InputKind::Text, "Hello from OSCAR Visor"),
    ("tts", InputKind::Text, "Hello from OSCAR Visor"),
    ("stable-diffusion", InputKind::Text, "a lighthouse on a cliff at sunset, oil painting"),
    ("vosk", InputKind::Audio, ""),
    ("stt", InputKind::Audio, ""),
    ("whisper", InputKind::Audio, ""),
    ("speech-to-text", InputKind::Audio, ""),
    ("video", InputKind::Video, ""),
    ("mask-detector", InputKind::Video, ""),
    ("radiomics", InputKind::Video, ""),
    ("plant", InputKind::Image, ""),
    ("grayify", InputKind::Image, ""),
    ("imagemagick", InputKind::Image, ""),
    ("yolo", InputKind::Image, ""),
    ("fish", InputKind::Image, ""),
    ("fire", InputKind::Image, ""),
    ("pose", InputKind::Image, ""),
    ("thermal", InputKind::Image, ""),
    ("detector", InputKind::Image, ""),
    ("table", InputKind::Table, ""),
    ("csv", InputKind::Table, ""),
    ("iris", InputKind::Json, "{\n  \"instances\": [[6.8, 2.8, 4.8, 1.4]]\n}"),
    ("sklearn", InputKind::Json, "{\n  \"instances\": [[6.8, 2.8, 4.8, 1.4]]\n}"),
    ("simple-test", InputKind::Text, "Hello from OSCAR Visor"),
    ("stress-test", InputKind::Text, "Hello from OSCAR Visor"),
    ("sleep-test", InputKind::Text, "Hello"),
    ("echo", InputKind::File, ""),
];

/// The catalogue's starting value of `kind` for a service (empty if none).
pub fn sample_for(service: &Service, kind: InputKind) -> String {
    let name = service.name.as_str().to_ascii_lowercase();
    CATALOGUE
        .iter()
        .find(|(frag, k, _)| name.contains(frag) && *k == kind)
        .map(|(_, _, s)| s.to_string())
        .unwrap_or_default()
}

/// Decides the input component for a service.
pub fn choose_input(service: &Service) -> InputChoice {
    let name = service.name.as_str().to_ascii_lowercase();
    let choice = |kind: InputKind, reason: String| InputChoice { kind, reason, sample: sample_for(service, kind) };

    // 1. Annotations that name an input type (e.g. `oscar.grycap/input-type: image/png`).
    for (key, value) in &service.annotations {
        let k = key.to_ascii_lowercase();
        if k.contains("input") && (k.contains("type") || k.contains("kind") || k.contains("mime")) {
            if let Some(kind) = InputKind::from_hint(value) {
                return choice(kind, format!("from the annotation {key}"));
            }
        }
    }
    // 2. Env, as cowsay's INPUT_TYPE=json.
    for (key, value) in &service.environment.variables {
        if key.eq_ignore_ascii_case("INPUT_TYPE") {
            if let Some(kind) = InputKind::from_hint(value) {
                return choice(kind, format!("from its environment ({key}={value})"));
            }
        }
    }
    // 3. Input suffix filters: the files its input bucket accepts.
    let suffixes: Vec<&String> = service.input.iter().flat_map(|io| io.suffix.iter()).collect();
    if let Some((kind, suffix)) = suffixes.iter().find_map(|s| InputKind::from_suffix(s).map(|k| (k, s))) {
        return choice(kind, format!("from its input filter (.{})", suffix.trim_start_matches('.')));
    }
    // 4. The catalogue of OSCAR example services.
    if let Some((frag, kind, sample)) = CATALOGUE.iter().find(|(frag, _, _)| name.contains(frag)) {
        return InputChoice {
            kind: *kind,
            reason: format!("like the OSCAR example “{frag}”"),
            sample: sample.to_string(),
        };
    }
    choice(InputKind::File, "nothing tells its input type, so any file".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(json: &str) -> Service {
        Service::from_value(serde_json::from_str(json).expect("json")).expect("service")
    }

    #[test]
    fn env_input_type_json_picks_json_with_a_sample() {
        let c = choose_input(&service(r#"{"name":"cowsay","environment":{"variables":{"INPUT_TYPE":"json"}}}"#));
        assert_eq!(c.kind, InputKind::Json);
        assert!(c.reason.contains("INPUT_TYPE=json"));
        assert!(c.sample.contains("\"message\""));
    }

    #[test]
    fn annotations_win_over_everything() {
        let c = choose_input(&service(
            r#"{"name":"cowsay","annotations":{"oscar.grycap/input-type":"audio/wav"},
               "environment":{"variables":{"INPUT_TYPE":"json"}}}"#,
        ));
        assert_eq!(c.kind, InputKind::Audio);
    }

    #[test]
    fn suffix_filters_pick_the_kind() {
        let c = choose_input(&service(
            r#"{"name":"x","input":[{"storage_provider":"minio","path":"x/in","suffix":["wav"]}]}"#,
        ));
        assert_eq!(c.kind, InputKind::Audio);
        let c = choose_input(&service(r#"{"name":"y","input":[{"path":"y/in","suffix":[".CSV"]}]}"#));
        assert_eq!(c.kind, InputKind::Table);
    }

    #[test]
    fn example_names_are_recognised() {
        for (name, kind) in [
            ("plants-classification-sync", InputKind::Image),
            ("grayify", InputKind::Image),
            ("text-to-speech", InputKind::Text),
            ("vosk-stt", InputKind::Audio),
            ("kokoro-tts", InputKind::Json),
            ("table-stats", InputKind::Table),
            ("mask-detector-workflow", InputKind::Video),
            ("something-else", InputKind::File),
        ] {
            assert_eq!(choose_input(&service(&format!(r#"{{"name":"{name}"}}"#))).kind, kind, "{name}");
        }
    }

    #[test]
    fn hints_parse_names_and_mime_types() {
        assert_eq!(InputKind::from_hint("image/png"), Some(InputKind::Image));
        assert_eq!(InputKind::from_hint("text/json"), Some(InputKind::Json));
        assert_eq!(InputKind::from_hint("text/plain"), Some(InputKind::Text));
        assert_eq!(InputKind::from_hint("text/csv"), Some(InputKind::Table));
        assert_eq!(InputKind::from_hint("application/zip"), None);
    }
}
