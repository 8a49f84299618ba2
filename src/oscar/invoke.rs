//! Building a `POST /run/{service}` request and reading its status
//! (OSCAR-API.md §7): the body is the input in base64, or a JSON object as is.

use super::error::short_detail;
use super::ApiError;
use serde_json::Value;

/// Where a JSON text fails to parse, for an inline error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for JsonProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Line {}, column {}: {}", self.line, self.column, self.message)
    }
}

/// Checks that the text is JSON that OSCAR passes through verbatim: a JSON
/// object. (The FaaS Supervisor base64-decodes anything else, and treats an
/// object with `event`, `Records` or `httpMethod` keys as a storage/API event.)
pub fn validate_json(text: &str) -> Result<(), JsonProblem> {
    let value: Value = serde_json::from_str(text).map_err(|e| JsonProblem {
        line: e.line(),
        column: e.column(),
        message: capitalise(e.to_string().split(" at line").next().unwrap_or_default()),
    })?;
    let Value::Object(map) = value else {
        return Err(JsonProblem {
            line: 1,
            column: 1,
            message: "OSCAR passes only a JSON object ({ … }) to the service as is. Wrap the value in an object, or send it as a file.".into(),
        });
    };
    for key in ["event", "Records", "httpMethod"] {
        if map.contains_key(key) {
            return Err(JsonProblem {
                line: 1,
                column: 1,
                message: format!("OSCAR reads an object with a top-level “{key}” key as an event, not as input. Rename the key or send the JSON as a file."),
            });
        }
    }
    Ok(())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The size of the base64 text for `n` input bytes (4 chars per 3 bytes).
pub fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

/// How much of a file is base64-encoded in one step: a multiple of 3, so
/// that the encoded chunks concatenate into the encoding of the whole file.
/// Small enough that a step never blocks the page for long.
pub const BASE64_CHUNK: u64 = 3 * 1024 * 1024;

/// How much of a file is read at once: reads are much cheaper in big
/// slices (profiled), and a multiple of [`BASE64_CHUNK`].
pub const READ_CHUNK: u64 = 4 * BASE64_CHUNK;

/// The consecutive ranges of `0..size` of at most `chunk` bytes, in order.
pub fn chunks(size: u64, chunk: u64) -> impl Iterator<Item = std::ops::Range<u64>> {
    let chunk = chunk.max(1);
    (0..size.div_ceil(chunk)).map(move |i| i * chunk..((i + 1) * chunk).min(size))
}

/// The largest body the Helm chart's ingress accepts by default (1 MiB,
/// OSCAR-API.md §7, §12); bigger sync bodies likely get a 413.
pub const INGRESS_BODY_LIMIT: usize = 1024 * 1024;

/// Maps a non-200 answer of `/run` to what the user should know. `retried`
/// says whether the token was already refreshed once.
pub fn run_error(status: u16, body: &str, service: &str, retried: bool) -> ApiError {
    let detail = short_detail(body);
    match status {
        401 if retried => ApiError::TokenRefused { service: service.to_string() },
        401 => ApiError::Unauthorized,
        404 => ApiError::ServiceGone { service: service.to_string() },
        413 => ApiError::TooLarge,
        502..=504 => ApiError::ColdStart { status },
        // The watchdog answers 500 `exit status 1\n<output>` when the supervisor dies.
        500 => ApiError::ServiceCrashed { status, detail },
        _ => ApiError::from_status(status, body, &format!("service “{service}”")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_objects_pass_and_problems_have_a_position() {
        assert!(validate_json(r#"{"message": "hi"}"#).is_ok());
        let p = validate_json("{\n  \"message\": \"hi\",\n}").expect_err("trailing comma");
        assert_eq!(p.line, 3);
        assert!(p.to_string().starts_with("Line 3, column"), "{p}");
        let p = validate_json("[1, 2]").expect_err("array");
        assert!(p.message.contains("JSON object"));
        let p = validate_json(r#"{"Records": []}"#).expect_err("event");
        assert!(p.message.contains("event"));
        assert!(validate_json("").is_err());
    }

    #[test]
    fn run_statuses_get_their_own_messages() {
        assert_eq!(run_error(401, "", "cowsay", false), ApiError::Unauthorized);
        assert!(run_error(401, "", "cowsay", true).to_string().contains("refused"));
        assert!(run_error(404, "", "cowsay", false).to_string().contains("cowsay"));
        let big = run_error(413, "<html>413</html>", "x", false).to_string();
        assert!(big.contains("asynchronous") || big.contains("async"), "{big}");
        assert!(matches!(run_error(504, "", "x", false), ApiError::ColdStart { status: 504 }));
        let crash = run_error(500, "exit status 1\nTraceback", "x", false).to_string();
        assert!(crash.contains("exit status 1"), "{crash}");
    }

    #[test]
    fn base64_length() {
        assert_eq!(base64_len(0), 0);
        assert_eq!(base64_len(1), 4);
        assert_eq!(base64_len(3), 4);
        assert_eq!(base64_len(4), 8);
    }

    #[test]
    fn chunked_base64_is_the_base64_of_the_whole() {
        use base64::Engine;
        let engine = base64::engine::general_purpose::STANDARD;
        for size in [0u64, 1, 2, BASE64_CHUNK - 1, BASE64_CHUNK + 1, READ_CHUNK, READ_CHUNK + BASE64_CHUNK + 2] {
            let bytes: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            let ranges: Vec<_> = chunks(size, READ_CHUNK).collect();
            assert!(ranges.iter().all(|r| r.end > r.start), "{size}: no empty chunk");
            // Read in big slices, encode each in steps, as the browser does.
            let joined: String = ranges
                .iter()
                .flat_map(|read| chunks(read.end - read.start, BASE64_CHUNK).map(move |r| read.start + r.start..read.start + r.end))
                .map(|r| engine.encode(&bytes[r.start as usize..r.end as usize]))
                .collect();
            assert_eq!(joined, engine.encode(&bytes), "{size}");
            assert_eq!(joined.len(), base64_len(size as usize));
        }
    }
}
