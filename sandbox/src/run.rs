//! What happens inside a service: FaaS Supervisor input/output handling (OSCAR-API.md §7)
//! and one handler function per demo service (the "script").

use crate::model::Service;
use crate::util::log_time;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::time::Duration;

/// What a script leaves behind: stdout text, or files in `$TMP_OUTPUT_DIR`.
pub(crate) enum Output {
    Stdout(String),
    Files(Vec<(String, Vec<u8>)>),
}

/// A service's "script": input file bytes in, output out.
pub(crate) type Handler = fn(&Service, &[u8]) -> Output;

pub(crate) fn handler_for(name: &str) -> Handler {
    match name {
        "cowsay" => cowsay_handler,
        "fail-test" => fail_handler,
        "noisy-test" => noisy_handler,
        "sleep-test" => sleep_handler,
        _ => echo_handler,
    }
}

/// Extra wall time a service takes before answering (the slow demo service).
pub(crate) fn run_delay(svc: &Service) -> Duration {
    if svc.name == "sleep-test" {
        Duration::from_secs(sleep_seconds(svc))
    } else {
        Duration::ZERO
    }
}

fn sleep_seconds(svc: &Service) -> u64 {
    svc.env("SLEEP_SECONDS")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(5)
        .min(60)
}

/// The supervisor's `parse_event`/`save_event`: a JSON object is the file content as is;
/// a JSON string is unwrapped; anything else is base64-decoded.
pub(crate) fn decode_input(body: &[u8]) -> Result<Vec<u8>, String> {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        match v {
            serde_json::Value::Object(_) => return Ok(body.to_vec()),
            serde_json::Value::String(s) => return b64(s.as_bytes()),
            _ => {}
        }
    }
    b64(body)
}

fn b64(text: &[u8]) -> Result<Vec<u8>, String> {
    let cleaned: Vec<u8> = text
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    STANDARD
        .decode(&cleaned)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&cleaned))
        .map_err(|e| format!("binascii.Error: {e}"))
}

/// Supervisor log lines that precede the payload unless `log_level` is CRITICAL (§7).
fn supervisor_logs(svc: &Service, extra: &[String]) -> String {
    if !matches!(svc.log_level.as_str(), "INFO" | "DEBUG" | "NOTSET" | "") {
        return String::new();
    }
    let t = log_time();
    let mut lines = vec![
        format!("{t} - supervisor - INFO - SUPERVISOR: Initializing"),
        format!("{t} - supervisor - INFO - Received event: unknown"),
        format!("{t} - supervisor - INFO - Creating temporary folder /tmp/tmp5k2j1x9q"),
        format!("{t} - supervisor - INFO - Executing user script"),
    ];
    lines.extend(extra.iter().cloned());
    lines.push(format!(
        "{t} - supervisor - INFO - Script execution finished"
    ));
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// The body of a successful `/run`: logs, then stdout text or base64 of the single output file
/// (several files: a ZIP, in a later stage), plus the trailing newline of Python's `print`.
pub(crate) fn render(svc: &Service, out: Output) -> Vec<u8> {
    let extra = if svc.name == "noisy-test" {
        (1..=20)
            .map(|i| {
                format!(
                    "{} - supervisor - INFO - SCRIPT: step {i} of 20, still doing something noisy",
                    log_time()
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut body = supervisor_logs(svc, &extra);
    match out {
        Output::Stdout(s) => body.push_str(&s),
        Output::Files(files) => {
            // TODO(next stage): several files become a base64 ZIP; for now the first file.
            if let Some((_, bytes)) = files.into_iter().next() {
                body.push_str(&STANDARD.encode(bytes));
            }
        }
    }
    body.push('\n');
    body.into_bytes()
}

fn echo_handler(_svc: &Service, input: &[u8]) -> Output {
    Output::Files(vec![("event-file".into(), input.to_vec())])
}

fn fail_handler(_svc: &Service, _input: &[u8]) -> Output {
    Output::Stdout(
        "Processing /tmp/tmp5k2j1x9q/event-file\n/oscar/config/script.sh: line 5: /opt/model/run: not found"
            .into(),
    )
}

fn noisy_handler(_svc: &Service, input: &[u8]) -> Output {
    let text = String::from_utf8_lossy(input);
    let mut s: String = (1..=20)
        .map(|i| format!("step {i}: doing something noisy\n"))
        .collect();
    s.push_str(&format!("Words: {}", text.split_whitespace().count()));
    Output::Stdout(s)
}

fn sleep_handler(svc: &Service, _input: &[u8]) -> Output {
    let n = sleep_seconds(svc);
    Output::Files(vec![(
        "event-file-out.txt".into(),
        format!("Slept {n} seconds\n").into_bytes(),
    )])
}

fn cowsay_handler(svc: &Service, input: &[u8]) -> Output {
    let message = if svc.env("INPUT_TYPE") == Some("json") {
        // jq '.message' -r
        match serde_json::from_slice::<serde_json::Value>(input) {
            Ok(serde_json::Value::Object(m)) => match m.get("message") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => "null".into(),
            },
            Ok(_) => {
                return Output::Stdout(format!(
                    "jq: error (at {}:0): Cannot index {} with \"message\"\n{}",
                    "/tmp/tmp5k2j1x9q/event-file",
                    "string",
                    cowsay("")
                ))
            }
            Err(_) => {
                return Output::Stdout(format!(
                    "jq: error (at <stdin>:1): Invalid literal at line 1, column {}\n{}",
                    input.len().min(999) + 1,
                    cowsay("")
                ))
            }
        }
    } else {
        String::from_utf8_lossy(input).into_owned()
    };
    Output::Stdout(cowsay(&message))
}

/// A small cowsay: word-wrapped at 40 columns, the classic cow, a trailing newline.
pub(crate) fn cowsay(message: &str) -> String {
    const WIDTH: usize = 40;
    let mut lines: Vec<String> = Vec::new();
    for para in message
        .replace('\t', "        ")
        .trim_end_matches('\n')
        .split('\n')
    {
        let mut cur = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let mut word = word.to_string();
            while word.chars().count() > WIDTH {
                if !cur.is_empty() {
                    lines.push(std::mem::take(&mut cur));
                }
                let head: String = word.chars().take(WIDTH).collect();
                word = word.chars().skip(WIDTH).collect();
                lines.push(head);
            }
            if cur.is_empty() {
                cur = word;
            } else if cur.chars().count() + 1 + word.chars().count() <= WIDTH {
                cur.push(' ');
                cur.push_str(&word);
            } else {
                lines.push(std::mem::replace(&mut cur, word));
            }
        }
        lines.push(cur);
    }
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    out.push_str(&format!(" {}\n", "_".repeat(width + 2)));
    let n = lines.len();
    for (i, l) in lines.iter().enumerate() {
        let pad = " ".repeat(width - l.chars().count());
        let (a, b) = if n == 1 {
            ('<', '>')
        } else if i == 0 {
            ('/', '\\')
        } else if i == n - 1 {
            ('\\', '/')
        } else {
            ('|', '|')
        };
        out.push_str(&format!("{a} {l}{pad} {b}\n"));
    }
    out.push_str(&format!(" {}\n", "-".repeat(width + 2)));
    out.push_str(
        "        \\   ^__^\n         \\  (oo)\\_______\n            (__)\\       )\\/\\\n                ||----w |\n                ||     ||\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cowsay_single_line() {
        let c = cowsay("Hello there");
        assert!(c.starts_with(" _____________\n< Hello there >\n -------------\n"));
        assert!(c.contains("(oo)"));
        assert!(c.ends_with("||     ||\n"));
    }

    #[test]
    fn cowsay_wraps() {
        let c = cowsay(&"word ".repeat(20));
        assert!(c.contains("/ word"));
        assert!(c.contains("\\ word"));
        for l in c.lines().skip(1).take(3) {
            assert!(l.chars().count() <= 44, "{l}");
        }
    }

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
        assert!(decode_input(b"not base64!").is_err());
    }
}
