//! The demo services' "scripts": one handler function per service, doing real work on the
//! input file's bytes. A handler never panics on bad input; it prints the error the real
//! script would print and writes no output file.

mod image;
mod speech;
mod stages;
mod table;
mod text;

use crate::model::Service;

/// What the supervisor hands the script: `$INPUT_FILE_PATH` and its content.
pub(crate) struct Input<'a> {
    pub bytes: &'a [u8],
    /// Full `$INPUT_FILE_PATH`, e.g. `/tmp/tmpk2x9q1ab/event-file-<uuid>`.
    pub path: &'a str,
}

impl Input<'_> {
    /// `basename "$INPUT_FILE_PATH"`.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }

    /// The stem used for output names: `input` for the supervisor's `event-file-<uuid>`
    /// (sync invocations carry no file name), else the basename without its extension.
    pub fn stem(&self) -> &str {
        let name = self.file_name();
        if name.starts_with("event-file-") {
            return "input";
        }
        match name.rsplit_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem,
            _ => name,
        }
    }
}

/// What a script leaves behind: its combined stdout/stderr and the files in `$TMP_OUTPUT_DIR`.
#[derive(Debug, Default)]
pub(crate) struct ScriptOutput {
    pub stdout: String,
    pub files: Vec<(String, Vec<u8>)>,
    /// The script exited non-zero: a sync run ends in the watchdog's 500.
    pub failed: bool,
}

impl ScriptOutput {
    pub fn stdout(s: impl Into<String>) -> ScriptOutput {
        ScriptOutput {
            stdout: s.into(),
            files: Vec::new(),
            failed: false,
        }
    }

    pub fn file(name: impl Into<String>, bytes: Vec<u8>) -> ScriptOutput {
        ScriptOutput {
            stdout: String::new(),
            files: vec![(name.into(), bytes)],
            failed: false,
        }
    }
}

/// A service's script: input file in, output out.
pub(crate) type Handler = fn(&Service, &Input) -> ScriptOutput;

/// The script of a service by name; services created through the API behave like `echo`.
pub(crate) fn handler_for(name: &str) -> Handler {
    match name {
        "cowsay" => text::cowsay_handler,
        "plants-classification-sync" => image::plants_sync_handler,
        "plants-classification" => image::plants_deepaas_handler,
        "imagemagick" => image::imagemagick_handler,
        "grayify" => image::grayify_handler,
        "text-to-speech" => speech::tts_handler,
        "kokoro-tts" => speech::kokoro_handler,
        "table-stats" => table::table_stats_handler,
        "noisy-test" => text::noisy_handler,
        "sleep-test" => text::sleep_handler,
        "fail-test" => text::fail_handler,
        "image-caption" => image::image_caption_handler,
        "anon-blur" => stages::anon_blur_handler,
        "anon-detect" => stages::anon_detect_handler,
        "tiles-split" => stages::tiles_split_handler,
        "tiles-classify" => stages::tiles_classify_handler,
        _ => text::echo_handler,
    }
}

/// The script as an asynchronous job runs it: the same work, with the output names (and, for
/// plants-classification, the AI4OS JSON shape) of the OSCAR examples' async scripts.
/// Sync invocations carry no file name, so the names stay those of `handler_for` there.
pub(crate) fn run_async(svc: &Service, input: &Input) -> ScriptOutput {
    let mut out = match svc.name.as_str() {
        "plants-classification" => image::plants_sync_handler(svc, input),
        name => handler_for(name)(svc, input),
    };
    let stem = input.stem().to_string();
    for (name, _) in out.files.iter_mut() {
        *name = match svc.name.as_str() {
            "text-to-speech" | "kokoro-tts" => format!("{stem}.wav"),
            "table-stats" => format!("{stem}_stats.csv"),
            "sleep-test" => format!("{stem}.txt"),
            // Named after the input, so that a batch's outputs do not overwrite each other.
            "plants-classification" => format!("{stem}.json"),
            _ => continue,
        };
    }
    out
}

/// Seconds the slow demo service sleeps (`SLEEP_SECONDS`, default 5, at most 60).
pub(crate) fn sleep_seconds(svc: &Service) -> u64 {
    if svc.name != "sleep-test" {
        return 0;
    }
    svc.env("SLEEP_SECONDS")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(5)
        .min(60)
}

/// A Python traceback as the scripts' interpreters print it.
pub(crate) fn traceback(frames: &[(&str, u32, &str, &str)], error: &str) -> String {
    let mut s = String::from("Traceback (most recent call last):\n");
    for (file, line, func, code) in frames {
        s.push_str(&format!(
            "  File \"{file}\", line {line}, in {func}\n    {code}\n"
        ));
    }
    s.push_str(error);
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn async_output_names() {
        use crate::fixtures;
        let mut svc = Service::default();
        let png = fixtures::png_gradient(8, 8);
        let cases: [(&str, &[u8], &str, &[&str]); 6] = [
            ("grayify", &png, "/tmp/a/photo.png", &["photo.png"]),
            (
                "plants-classification",
                &png,
                "/tmp/a/leaf.png",
                &["leaf.json"],
            ),
            (
                "text-to-speech",
                b"hello there",
                "/tmp/a/note.txt",
                &["note.wav"],
            ),
            (
                "imagemagick",
                &png,
                "/tmp/a/pic.png",
                &["pic_gray.png", "pic_edges.png", "pic_metrics.json"],
            ),
            (
                "table-stats",
                b"a,b\n1,2\n3,4\n",
                "/tmp/a/t.csv",
                &["t_stats.csv"],
            ),
            ("sleep-test", b"x", "/tmp/a/job.dat", &["job.txt"]),
        ];
        for (name, bytes, path, want) in cases {
            svc.name = name.into();
            let out = run_async(&svc, &Input { bytes, path });
            let got: Vec<&str> = out.files.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(got, want.to_vec(), "{name}");
        }
        svc.name = "plants-classification".into();
        let out = run_async(
            &svc,
            &Input {
                bytes: &png,
                path: "/tmp/a/leaf.png",
            },
        );
        let v: serde_json::Value = serde_json::from_slice(&out.files[0].1).expect("json");
        assert!(v["labels"].is_array() && v["probabilities"].is_array());
    }

    #[test]
    fn stems() {
        let i = |path| Input { bytes: b"", path };
        assert_eq!(i("/tmp/x/event-file-1234").stem(), "input");
        assert_eq!(i("/tmp/x/photo.big.jpg").stem(), "photo.big");
        assert_eq!(i("/tmp/x/.hidden").stem(), ".hidden");
        assert_eq!(i("noext").stem(), "noext");
        assert_eq!(i("/tmp/x/photo.jpg").file_name(), "photo.jpg");
    }

    /// Every handler survives truncated and corrupted real files (no panic).
    #[test]
    fn handlers_never_panic_on_mangled_input() {
        use crate::fixtures;
        let names = [
            "cowsay",
            "plants-classification-sync",
            "plants-classification",
            "imagemagick",
            "grayify",
            "text-to-speech",
            "kokoro-tts",
            "table-stats",
            "noisy-test",
            "sleep-test",
            "fail-test",
            "echo",
            "image-caption",
            "broken-spec",
        ];
        let seeds = [
            fixtures::png_gradient(17, 9),
            fixtures::jpeg(19, 11, [200, 40, 90]),
            fixtures::wav_tone(300.0, 20),
            fixtures::pdf_minimal(),
            fixtures::csv_sample().into_bytes(),
            br#"{"message":"hi","config":{"speed":"fast"}}"#.to_vec(),
            format!(
                r#"{{"oscar-files":[{{"key":"image","file_format":"png","data":"{}"}}],"caption":"hé","shout":true}}"#,
                base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    fixtures::png_gradient(9, 7)
                )
            )
            .into_bytes(),
            Vec::new(),
        ];
        let mut x: u32 = 12345;
        let mut inputs = Vec::new();
        for seed in &seeds {
            inputs.push(seed.clone());
            for cut in [1, 8, 16, 33, 60, 100, 200] {
                inputs.push(seed[..seed.len().min(cut)].to_vec());
            }
            for _ in 0..12 {
                let mut m = seed.clone();
                for _ in 0..4 {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    if !m.is_empty() {
                        let i = (x as usize >> 8) % m.len();
                        m[i] ^= (x >> 3) as u8 | 1;
                    }
                }
                inputs.push(m);
            }
        }
        let mut svc = Service::default();
        for name in names {
            svc.name = name.into();
            let h = handler_for(name);
            for bytes in &inputs {
                let out = h(
                    &svc,
                    &Input {
                        bytes,
                        path: "/tmp/tmpq/event-file-1",
                    },
                );
                assert!(!out.stdout.is_empty() || !out.files.is_empty() || name == "cowsay");
            }
        }
    }
}
