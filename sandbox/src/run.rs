//! The FaaS Supervisor behind the watchdog (OSCAR-API.md §7): input decoding, the script run,
//! the response body (logs, then base64 of one file / of a ZIP of several / stdout text).

use crate::media::zip_stored;
use crate::model::Service;
use crate::scripts::{handler_for, sleep_seconds, traceback, Input, ScriptOutput};
use crate::util::{log_time, new_uuid, py_b64decode, random_bytes};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::time::Duration;

/// The supervisor's `parse_event`/`save_event`: a JSON object is the file content as is;
/// a JSON string is unwrapped, then base64-decoded; anything else is base64-decoded.
pub(crate) fn decode_input(body: &[u8]) -> Result<Vec<u8>, String> {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        match v {
            serde_json::Value::Object(_) => return Ok(body.to_vec()),
            serde_json::Value::String(s) => return py_b64decode(s.as_bytes()),
            _ => {}
        }
    }
    py_b64decode(body)
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Debug,
    Info,
    Warning,
    Error,
    Critical,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
        }
    }

    /// The service's `log_level` as the supervisor's logger threshold.
    fn threshold(svc: &Service) -> Level {
        match svc.log_level.to_ascii_uppercase().as_str() {
            "NOTSET" | "DEBUG" => Level::Debug,
            "WARNING" | "WARN" => Level::Warning,
            "ERROR" => Level::Error,
            "CRITICAL" => Level::Critical,
            _ => Level::Info,
        }
    }
}

/// The supervisor's logger: `asctime - supervisor - LEVEL - message`, filtered by log_level.
struct Log {
    threshold: Level,
    text: String,
}

impl Log {
    fn new(svc: &Service) -> Log {
        Log {
            threshold: Level::threshold(svc),
            text: String::new(),
        }
    }

    fn line(&mut self, level: Level, msg: impl AsRef<str>) {
        if level >= self.threshold {
            self.text.push_str(&format!(
                "{} - supervisor - {} - {}\n",
                log_time(),
                level.name(),
                msg.as_ref()
            ));
        }
    }
}

/// `/tmp/tmp` + 8 chars, like Python's `tempfile.mkdtemp()`.
pub(crate) fn tmp_dir() -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_";
    let name: String = random_bytes(8)
        .iter()
        .map(|b| char::from(CHARS[usize::from(*b) % CHARS.len()]))
        .collect();
    format!("/tmp/tmp{name}")
}

/// A supervisor crash: the watchdog answers 500 `exit status 1\n<output>`.
pub(crate) struct Crash(pub Vec<u8>);

/// One `/run` invocation: the response body of a 200, or the watchdog's 500 body.
pub(crate) async fn invoke(svc: &Service, body: &[u8]) -> Result<Vec<u8>, Crash> {
    let mut log = Log::new(svc);
    log.line(Level::Info, "SUPERVISOR: Initializing Binary supervisor");
    log.line(Level::Info, "Received input event");
    log.line(Level::Debug, format!("Event size: {} bytes", body.len()));
    let in_dir = tmp_dir();
    let out_dir = tmp_dir();
    log.line(
        Level::Debug,
        format!("Created temporary input folder '{in_dir}'"),
    );
    log.line(
        Level::Debug,
        format!("Created temporary output folder '{out_dir}'"),
    );
    log.line(Level::Info, "Reading STORAGE_AUTH variables");
    log.line(Level::Info, "Reading STORAGE_PATH variables");
    log.line(Level::Info, "Event type: UNKNOWN");
    let input = match decode_input(body) {
        Ok(i) => i,
        Err(e) => {
            let tb = base64_traceback(&e);
            log.line(Level::Error, "Exception launched:");
            let mut out = b"exit status 1\n".to_vec();
            out.extend_from_slice(log.text.as_bytes());
            out.extend_from_slice(tb.as_bytes());
            return Err(Crash(out));
        }
    };
    let path = format!("{in_dir}/event-file-{}", new_uuid());
    log.line(
        Level::Info,
        format!("INPUT_FILE_PATH variable set to '{path}'"),
    );
    log.line(
        Level::Info,
        format!("TMP_OUTPUT_DIR variable set to '{out_dir}'"),
    );
    log.line(
        Level::Info,
        "Script file found in '/oscar/config/script.sh'",
    );

    let secs = sleep_seconds(svc);
    if secs > 0 {
        tokio::time::sleep(Duration::from_secs(secs)).await;
    }
    let handler = handler_for(&svc.name);
    let owned = svc.clone();
    let path2 = path.clone();
    let out = tokio::task::spawn_blocking(move || {
        handler(
            &owned,
            &Input {
                bytes: &input,
                path: &path2,
            },
        )
    })
    .await
    .unwrap_or_else(|_| {
        // A panicking handler is a crashed script: its shell's message, status still 200.
        ScriptOutput::stdout(
            "/oscar/config/script.sh: line 4:    23 Segmentation fault      (core dumped) \"$INPUT_FILE_PATH\"\n",
        )
    });

    for line in out.stdout.lines() {
        log.line(Level::Debug, line.trim());
    }
    if out.failed {
        log.line(Level::Error, "Exception launched:");
        let mut body = b"exit status 1\n".to_vec();
        body.extend_from_slice(log.text.as_bytes());
        body.extend_from_slice(out.stdout.as_bytes());
        return Err(Crash(body));
    }
    match svc.output.as_deref() {
        Some(outputs) if !outputs.is_empty() => {
            for o in outputs {
                log.line(Level::Info, "Found 'MINIO' output provider");
                for (name, _) in &out.files {
                    log.line(
                        Level::Info,
                        format!(
                            "Uploading file '{out_dir}/{name}' to path '{}/{name}'",
                            o.path
                        ),
                    );
                }
            }
        }
        _ => log.line(
            Level::Warning,
            "There is no output defined for this function.",
        ),
    }
    log.line(Level::Info, "Creating response");
    Ok(render(log.text, out))
}

/// Logs first, then: one file → its base64; several → base64 of a ZIP; none → stdout.
/// The base64 line ends with Python `print`'s newline.
fn render(logs: String, out: ScriptOutput) -> Vec<u8> {
    let mut body = logs.into_bytes();
    match out.files.len() {
        0 => body.extend_from_slice(out.stdout.as_bytes()),
        1 => {
            body.extend_from_slice(STANDARD.encode(&out.files[0].1).as_bytes());
            body.push(b'\n');
        }
        _ => {
            body.extend_from_slice(STANDARD.encode(zip_stored(&out.files)).as_bytes());
            body.push(b'\n');
        }
    }
    body
}

/// The traceback the FaaS Supervisor prints when the body is not base64
/// (§7), for /run and for jobs alike.
pub(crate) fn base64_traceback(error: &str) -> String {
    traceback(
        &[
            ("faassupervisor/supervisor.py", 79, "main", "supervisor.run()"),
            ("faassupervisor/supervisor.py", 52, "run", "self._parse_input()"),
            ("faassupervisor/events/unknown.py", 52, "save_event", "base64.b64decode(self.event),"),
            ("base64.py", 87, "b64decode", "return binascii.a2b_base64(s)"),
        ],
        error,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_json_object_passes_through() {
        assert_eq!(
            decode_input(br#"{"message":"hi"}"#).ok(),
            Some(br#"{"message":"hi"}"#.to_vec())
        );
    }

    #[test]
    fn decode_base64_and_json_string() {
        assert_eq!(decode_input(b"SGk=\n").ok(), Some(b"Hi".to_vec()));
        assert_eq!(decode_input(b"\"SGk=\"").ok(), Some(b"Hi".to_vec()));
        assert_eq!(
            decode_input(b"not base64!").err().as_deref(),
            Some("binascii.Error: Invalid base64-encoded string: number of data characters (9) cannot be 1 more than a multiple of 4")
        );
        assert_eq!(
            decode_input(b"SGk").err().as_deref(),
            Some("binascii.Error: Incorrect padding")
        );
    }

    #[test]
    fn python_b64_leniency() {
        // Junk is skipped, data after complete padding is ignored, like CPython.
        assert_eq!(py_b64decode(b"S G\tk=").ok(), Some(b"Hi".to_vec()));
        assert_eq!(py_b64decode(b"SGk=garbage").ok(), Some(b"Hi".to_vec()));
        assert_eq!(py_b64decode(b"SGVsbG8=").ok(), Some(b"Hello".to_vec()));
        assert_eq!(py_b64decode(b"SGVsbA==").ok(), Some(b"Hell".to_vec()));
        assert_eq!(py_b64decode(b"").ok(), Some(Vec::new()));
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(
            py_b64decode(STANDARD.encode(&all).as_bytes()).ok(),
            Some(all)
        );
    }

    #[test]
    fn render_shapes() {
        let one = ScriptOutput::file("a", b"hello".to_vec());
        assert_eq!(render(String::new(), one), b"aGVsbG8=\n");
        let text = ScriptOutput::stdout("plain\n");
        assert_eq!(render("LOG\n".into(), text), b"LOG\nplain\n");
        let two = ScriptOutput {
            stdout: "ignored".into(),
            files: vec![("a".into(), vec![1]), ("b".into(), vec![2])],
            failed: false,
        };
        let body = render(String::new(), two);
        let zip = STANDARD
            .decode(body.strip_suffix(b"\n").expect("newline"))
            .expect("base64");
        assert!(zip.starts_with(b"PK\x03\x04"));
    }
}
