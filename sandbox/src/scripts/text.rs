//! Text in, text out: cowsay, the echo, and the test services (noisy, slow, failing).

use super::{traceback, Input, ScriptOutput};
use crate::model::Service;
use crate::util::log_time;

pub(super) fn echo_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    // cp "$INPUT_FILE_PATH" "$TMP_OUTPUT_DIR/$(basename "$INPUT_FILE_PATH")"
    ScriptOutput::file(input.file_name(), input.bytes.to_vec())
}

/// OSCAR ignores the script's exit code: the traceback is the answer, with status 200.
pub(super) fn fail_handler(_svc: &Service, _input: &Input) -> ScriptOutput {
    ScriptOutput::stdout(traceback(
        &[(
            "/opt/predict.py",
            12,
            "<module>",
            "model = load(\"model.h5\")",
        )],
        "OSError: Unable to open file (file signature not found)",
    ))
}

/// Like OSCAR's simple-test (`Words: N`, `Characters: M`), with a chatty logger on stderr.
pub(super) fn noisy_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let text = String::from_utf8_lossy(input.bytes);
    let words = text.split_whitespace().count();
    let chars = text.chars().count();
    let mut s = String::new();
    let mut log = |level: &str, msg: String| {
        s.push_str(&format!("{} - noisy-test - {level} - {msg}\n", log_time()));
    };
    log(
        "INFO",
        "Loading configuration from /opt/noisy/config.yaml".into(),
    );
    log(
        "DEBUG",
        "config = {'lowercase': False, 'strip': True, 'chunk_size': 4096}".into(),
    );
    log("INFO", format!("Reading input file {}", input.path));
    log(
        "DEBUG",
        format!("Read {} bytes in 1 chunk(s)", input.bytes.len()),
    );
    if std::str::from_utf8(input.bytes).is_err() {
        log(
            "WARNING",
            "Input is not valid UTF-8; invalid bytes replaced with U+FFFD".into(),
        );
    }
    for (i, line) in text.lines().take(8).enumerate() {
        log(
            "DEBUG",
            format!(
                "line {}: {} word(s), {} char(s)",
                i + 1,
                line.split_whitespace().count(),
                line.chars().count()
            ),
        );
    }
    for (i, word) in text.split_whitespace().take(12).enumerate() {
        log(
            "DEBUG",
            format!("token {}: {word:?} ({} chars)", i + 1, word.chars().count()),
        );
    }
    if !text.ends_with('\n') {
        log(
            "WARNING",
            "Input has no trailing newline; counting the last line anyway".into(),
        );
    }
    log(
        "INFO",
        format!("Counted {words} word(s) and {chars} character(s)"),
    );
    log("DEBUG", "Releasing tokenizer resources".into());
    log("INFO", "Done".into());
    s.push_str(&format!("Words: {words}\nCharacters: {chars}\n"));
    ScriptOutput::stdout(s)
}

/// `sleep "$SLEEP_SECONDS"` happens in the supervisor (async); this writes the result file.
pub(super) fn sleep_handler(svc: &Service, input: &Input) -> ScriptOutput {
    let n = super::sleep_seconds(svc);
    ScriptOutput {
        stdout: format!("Sleeping {n} seconds\n"),
        files: vec![(
            format!("{}-out.txt", input.file_name()),
            format!("Slept {n} seconds\n").into_bytes(),
        )],
        failed: false,
    }
}

pub(super) fn cowsay_handler(svc: &Service, input: &Input) -> ScriptOutput {
    let path = input.path;
    let input = input.bytes;
    let message = if svc.env("INPUT_TYPE") == Some("json") {
        // jq '.message' -r
        match serde_json::from_slice::<serde_json::Value>(input) {
            Ok(serde_json::Value::Object(m)) => match m.get("message") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => "null".into(),
            },
            Ok(_) => {
                return ScriptOutput::stdout(format!(
                    "jq: error (at {}:0): Cannot index {} with \"message\"\n{}",
                    path,
                    "string",
                    cowsay("")
                ))
            }
            Err(_) => {
                return ScriptOutput::stdout(format!(
                    "jq: error (at <stdin>:1): Invalid literal at line 1, column {}\n{}",
                    input.len().min(999) + 1,
                    cowsay("")
                ))
            }
        }
    } else {
        String::from_utf8_lossy(input).into_owned()
    };
    ScriptOutput::stdout(cowsay(&message))
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
    fn noisy_counts() {
        let svc = Service::default();
        let out = noisy_handler(
            &svc,
            &Input {
                bytes: b"The quick brown fox jumped over the lazy dog",
                path: "/tmp/x/event-file-1",
            },
        );
        assert!(
            out.stdout.ends_with("Words: 9\nCharacters: 44\n"),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains(" - noisy-test - DEBUG - "));
        assert!(out.stdout.contains(" - noisy-test - WARNING - "));
        assert!(out.files.is_empty());
    }
}
