//! Turns the body of `POST /run/{service}` into something to show.
//!
//! OSCAR-API.md §7: the body is the FaaS Supervisor's log lines (unless
//! `log_level: CRITICAL`) followed by the payload, which is base64 of the one
//! output file, base64 of a ZIP when there are several, or the script's plain
//! stdout+stderr when it wrote no file. Nothing says which, so we guess, then
//! sniff magic bytes (the dashboard's `detectBinaryMimeType` does the same,
//! with fewer types).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// What an output is, from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// UTF-8 text (ASCII art, tracebacks, transcripts).
    Text,
    /// A JSON object or array.
    Json,
    /// Comma-separated table.
    Csv,
    /// Tab-separated table.
    Tsv,
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// GIF image.
    Gif,
    /// WebP image.
    Webp,
    /// BMP image.
    Bmp,
    /// SVG image (text).
    Svg,
    /// PDF document.
    Pdf,
    /// ZIP archive (several output files, §7).
    Zip,
    /// WAV audio.
    Wav,
    /// MPEG audio (MP3; also MP1/MP2 frames).
    Mp3,
    /// Ogg container, shown as audio.
    Ogg,
    /// FLAC audio.
    Flac,
    /// ISO-BMFF (`ftyp`): MP4, MOV, and also M4A audio, which browsers play
    /// fine through a `<video>` element.
    Mp4,
    /// WebM / Matroska.
    Webm,
    /// Anything else.
    Binary,
}

impl Kind {
    fn info(&self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::Text => ("text/plain", "txt", "Text"),
            Kind::Json => ("application/json", "json", "JSON"),
            Kind::Csv => ("text/csv", "csv", "CSV table"),
            Kind::Tsv => ("text/tab-separated-values", "tsv", "TSV table"),
            Kind::Png => ("image/png", "png", "PNG image"),
            Kind::Jpeg => ("image/jpeg", "jpg", "JPEG image"),
            Kind::Gif => ("image/gif", "gif", "GIF image"),
            Kind::Webp => ("image/webp", "webp", "WebP image"),
            Kind::Bmp => ("image/bmp", "bmp", "BMP image"),
            Kind::Svg => ("image/svg+xml", "svg", "SVG image"),
            Kind::Pdf => ("application/pdf", "pdf", "PDF document"),
            Kind::Zip => ("application/zip", "zip", "ZIP archive"),
            Kind::Wav => ("audio/wav", "wav", "WAV audio"),
            Kind::Mp3 => ("audio/mpeg", "mp3", "MP3 audio"),
            Kind::Ogg => ("audio/ogg", "ogg", "Ogg audio"),
            Kind::Flac => ("audio/flac", "flac", "FLAC audio"),
            Kind::Mp4 => ("video/mp4", "mp4", "MP4 video"),
            Kind::Webm => ("video/webm", "webm", "WebM video"),
            Kind::Binary => ("application/octet-stream", "bin", "Binary data"),
        }
    }

    /// MIME type for a Blob / download.
    pub fn mime(&self) -> &'static str {
        self.info().0
    }

    /// File extension without the dot, for a download name.
    pub fn extension(&self) -> &'static str {
        self.info().1
    }

    /// Human label, e.g. "PNG image".
    pub fn label(&self) -> &'static str {
        self.info().2
    }

    /// Shown with `<img>` (SVG included).
    pub fn is_image(&self) -> bool {
        matches!(
            self,
            Kind::Png | Kind::Jpeg | Kind::Gif | Kind::Webp | Kind::Bmp | Kind::Svg
        )
    }

    /// Shown with `<audio>`.
    pub fn is_audio(&self) -> bool {
        matches!(self, Kind::Wav | Kind::Mp3 | Kind::Ogg | Kind::Flac)
    }

    /// Shown with `<video>`.
    pub fn is_video(&self) -> bool {
        matches!(self, Kind::Mp4 | Kind::Webm)
    }

    /// Shown as text (SVG is text too, but shown as an image).
    pub fn is_text(&self) -> bool {
        matches!(self, Kind::Text | Kind::Json | Kind::Csv | Kind::Tsv)
    }
}

/// The result of sniffing an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    /// What the bytes are.
    pub kind: Kind,
}

/// A decoded `/run` response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutput {
    /// Supervisor log messages (continuation lines joined with `\n`), plus
    /// any stray lines found between them and a trailing base64 payload.
    pub logs: Vec<String>,
    /// The payload: decoded file bytes, or the text as sent.
    pub bytes: Vec<u8>,
    /// True when the payload was base64 (an output file, §7 cases 1–2).
    pub was_base64: bool,
    /// What the payload is.
    pub detected: Detected,
}

impl RunOutput {
    /// The payload as text, when it is UTF-8.
    pub fn as_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes).ok()
    }
}

/// Decodes a `/run` body. Never fails: at worst the bytes come back as they
/// were, sniffed as text or binary.
///
/// Steps: strip the leading supervisor logs ([`strip_supervisor_logs`]); if
/// the rest is base64 ([`looks_like_base64`]) decode it; else, like the
/// dashboard's `extractBase64Payload`, try the trailing lines alone (stray
/// stderr lines may sit between logs and payload; they join the logs); else
/// keep the rest as text, minus leading blank lines and trailing whitespace
/// (leading spaces matter for ASCII art).
pub fn decode_run_body(body: &[u8]) -> RunOutput {
    // Logs are text; the payload after them might not be (a raw binary body
    // from a proxy or mock), so look for logs in the longest UTF-8 prefix.
    let valid = match std::str::from_utf8(body) {
        Ok(s) => s,
        Err(e) => body
            .get(..e.valid_up_to())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default(),
    };
    let (mut logs, rest) = strip_supervisor_logs(valid);
    let payload = body.get(valid.len() - rest.len()..).unwrap_or_default();
    let (bytes, was_base64) = match std::str::from_utf8(payload) {
        Ok(text) => {
            if let Some(bytes) = looks_like_base64(text) {
                (bytes, true)
            } else if let Some((noise, bytes)) = trailing_base64(text) {
                logs.extend(
                    noise
                        .lines()
                        .map(str::trim_end)
                        .filter(|l| !l.is_empty())
                        .map(String::from),
                );
                (bytes, true)
            } else {
                (
                    text.trim_start_matches(['\r', '\n'])
                        .trim_end()
                        .as_bytes()
                        .to_vec(),
                    false,
                )
            }
        }
        Err(_) => (payload.to_vec(), false),
    };
    let detected = Detected {
        kind: sniff(&bytes),
    };
    RunOutput {
        logs,
        bytes,
        was_base64,
        detected,
    }
}

/// Finds a base64 block in the last lines of `text`; returns the text before
/// it and the decoded bytes. Tries the longest run of base64-alphabet lines
/// first, then drops up to two leading lines (a stray word like `Done` is in
/// the base64 alphabet too).
fn trailing_base64(text: &str) -> Option<(&str, Vec<u8>)> {
    let trimmed = text.trim_end();
    let mut starts = Vec::new();
    let mut end = trimmed.len();
    for line in trimmed.rsplit('\n') {
        let l = line.trim();
        if l.is_empty() || !l.bytes().all(is_b64_byte) {
            break;
        }
        let start = end - line.len();
        starts.push(start);
        end = start.saturating_sub(1);
    }
    starts
        .iter()
        .rev()
        .filter(|&&s| s > 0)
        .take(3)
        .find_map(|&start| {
            let (noise, block) = (trimmed.get(..start)?, trimmed.get(start..)?);
            let bytes = looks_like_base64(block)?;
            Some((noise, bytes))
        })
}

fn is_b64_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=')
}

const LEVELS: [&str; 6] = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "WARN"];

/// True for a line in Python logging's default `asctime` format as the
/// supervisor uses it: `2026-06-10 09:12:03,123 - supervisor - INFO - msg`
/// (any logger name; a known level in the 2nd or 3rd field).
fn is_log_line(line: &str) -> bool {
    let b = line.as_bytes();
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let stamp = digits(0, 4)
        && at(4, b'-')
        && digits(5, 2)
        && at(7, b'-')
        && digits(8, 2)
        && at(10, b' ')
        && digits(11, 2)
        && at(13, b':')
        && digits(14, 2)
        && at(16, b':')
        && digits(17, 2);
    if !stamp {
        return false;
    }
    // The first 19 bytes are ASCII, so 19 is a char boundary.
    let mut rest = line.get(19..).unwrap_or_default();
    if let Some(r) = rest.strip_prefix([',', '.']) {
        rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    rest.strip_prefix(" - ").is_some_and(|r| {
        r.split(" - ")
            .take(2)
            .any(|field| LEVELS.contains(&field.trim()))
    })
}

/// Splits leading supervisor log lines (§7) from the payload.
///
/// The log block starts at the first non-blank line (if that is a log line)
/// and ends at the last log line. Lines without a timestamp between two log
/// lines continue the previous message (tracebacks, multi-line messages) and
/// are joined to it with `\n`; lines after the last log line are the payload,
/// since nothing tells a continuation from the payload there. Returns the
/// messages and the rest of `body` (starting after the last log line).
pub fn strip_supervisor_logs(body: &str) -> (Vec<String>, &str) {
    let mut logs: Vec<String> = Vec::new();
    let mut pending: Vec<&str> = Vec::new();
    let mut end = 0;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        offset += line.len();
        let text = line.trim_end_matches(['\n', '\r']);
        if is_log_line(text) {
            if let Some(last) = logs.last_mut() {
                for more in pending.drain(..) {
                    last.push('\n');
                    last.push_str(more);
                }
            }
            pending.clear();
            logs.push(text.to_string());
            end = offset;
        } else if text.trim().is_empty() {
            continue;
        } else if logs.is_empty() {
            break;
        } else {
            pending.push(text);
        }
    }
    (logs, body.get(end..).unwrap_or_default())
}

/// Returns the decoded bytes when the trimmed `text` is confidently base64.
///
/// Rules: only the standard alphabet plus `=` padding and line breaks (any
/// other character, spaces included, means text); lines of one width but
/// for a shorter last one (as `base64` wraps); length a multiple of 4;
/// decodes strictly (canonical padding and trailing bits). Then, because many
/// words are valid base64 too, it must also be convincing:
/// * shorter than 16 characters: needs a digit, `+`, `/` or `=`, *and* the
///   decoded bytes must have a known signature or be text — so `test`,
///   `Done`, `abcd`, `1234` stay text while `SGk=` ("Hi") decodes;
/// * 16 characters or more: accepted, except that hex-only strings (a
///   SHA-256 digest) and letters-only ones under 64 characters or of one
///   case (a long word) again need a signature or text
///   ([`base64_needs_evidence`]).
pub fn looks_like_base64(text: &str) -> Option<Vec<u8>> {
    let mut compact = Vec::with_capacity(text.len());
    let (mut width, mut last) = (None, 0usize);
    for line in text.trim().lines() {
        let line = line.trim_end_matches('\r');
        // Wrapped base64 has lines of one width and a shorter last line;
        // anything else is a word followed by base64, or text.
        if *width.get_or_insert(line.len()) != last && last != 0 {
            return None;
        }
        if line.is_empty() || !line.bytes().all(is_b64_byte) {
            return None;
        }
        compact.extend_from_slice(line.as_bytes());
        last = line.len();
    }
    let width = width.unwrap_or_default();
    if compact.is_empty() || compact.len() % 4 != 0 || last > width {
        return None;
    }
    let bytes = STANDARD.decode(&compact).ok()?;
    let needs_evidence = base64_needs_evidence(&compact);
    let letters_only = compact.iter().all(u8::is_ascii_alphabetic);
    if compact.len() < 16 && letters_only {
        return None;
    }
    if needs_evidence && sniff(&bytes) == Kind::Binary {
        return None;
    }
    Some(bytes)
}

/// Whether compact base64 text could as well be a word or a digest, so that
/// it is taken for base64 only if what it decodes to is recognisable: under
/// 16 characters; hex only (a SHA-256 digest); letters only, when under 64
/// characters or all of one case (a long word). Mixed-case letters of 64 or
/// more are base64: a binary file with long zero runs encodes that way.
pub fn base64_needs_evidence(compact: &[u8]) -> bool {
    let letters_only = compact.iter().all(u8::is_ascii_alphabetic);
    let one_case = compact.iter().all(u8::is_ascii_lowercase) || compact.iter().all(u8::is_ascii_uppercase);
    compact.len() < 16 || compact.iter().all(u8::is_ascii_hexdigit) || (letters_only && (compact.len() < 64 || one_case))
}

/// Identifies bytes by magic signature, then as text (SVG, JSON, CSV/TSV,
/// plain), else [`Kind::Binary`].
pub fn sniff(bytes: &[u8]) -> Kind {
    let at = |off: usize, magic: &[u8]| bytes.get(off..off + magic.len()) == Some(magic);
    if at(0, b"\x89PNG\r\n\x1a\n") {
        Kind::Png
    } else if at(0, b"\xFF\xD8\xFF") {
        Kind::Jpeg
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Kind::Gif
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Kind::Webp
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        Kind::Wav
    } else if at(0, b"%PDF-") {
        Kind::Pdf
    } else if at(0, b"PK\x03\x04") || at(0, b"PK\x05\x06") {
        Kind::Zip
    } else if at(0, b"OggS") {
        Kind::Ogg
    } else if at(0, b"fLaC") {
        Kind::Flac
    } else if at(0, b"\x1A\x45\xDF\xA3") {
        Kind::Webm
    } else if at(4, b"ftyp") {
        // AVIF/HEIF images share the container; we have no image kind for
        // them and a <video> would not show them.
        let image = [b"avif", b"avis", b"heic", b"heix", b"mif1", b"msf1"]
            .iter()
            .any(|brand| at(8, *brand));
        if image {
            Kind::Binary
        } else {
            Kind::Mp4
        }
    } else if at(0, b"BM") && bmp_header_ok(bytes) {
        Kind::Bmp
    } else if at(0, b"ID3") || mpeg_frame_ok(bytes) {
        Kind::Mp3
    } else {
        sniff_text(bytes)
    }
}

/// "BM" alone is too weak (text can start with it): also require a known
/// DIB header size at offset 14.
fn bmp_header_ok(b: &[u8]) -> bool {
    let dib = b
        .get(14..18)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes);
    matches!(dib, Some(12 | 40 | 52 | 56 | 64 | 108 | 124))
}

/// An MPEG audio frame header: 11 sync bits, then no reserved version,
/// layer, bitrate or sample-rate values.
fn mpeg_frame_ok(b: &[u8]) -> bool {
    let (Some(&b0), Some(&b1), Some(&b2)) = (b.first(), b.get(1), b.get(2)) else {
        return false;
    };
    b0 == 0xFF
        && b1 & 0xE0 == 0xE0
        && (b1 >> 3) & 3 != 1
        && (b1 >> 1) & 3 != 0
        && !matches!(b2 >> 4, 0 | 15)
        && (b2 >> 2) & 3 != 3
}

fn sniff_text(bytes: &[u8]) -> Kind {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(b) {
        Ok(t) => t,
        // Cut inside a multi-byte character at the very end: still text.
        Err(e) if e.error_len().is_none() => b
            .get(..e.valid_up_to())
            .and_then(|v| std::str::from_utf8(v).ok())
            .unwrap_or_default(),
        Err(_) => return Kind::Binary,
    };
    // Control characters other than whitespace and ESC (coloured logs) mean
    // binary; allow 1 in 100 for stray bytes in long outputs.
    let controls = text
        .bytes()
        .filter(|&c| (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B)) || c == 0x7F)
        .count();
    if controls * 100 > text.len() {
        return Kind::Binary;
    }
    let t = text.trim();
    if is_svg(t) {
        Kind::Svg
    } else if (t.starts_with('{') || t.starts_with('['))
        && serde_json::from_str::<serde_json::Value>(t).is_ok_and(|v| v.is_object() || v.is_array())
    {
        Kind::Json
    } else if consistent_delimiters(t, b'\t') {
        Kind::Tsv
    } else if consistent_delimiters(t, b',') {
        Kind::Csv
    } else {
        Kind::Text
    }
}

/// `<svg` after an optional XML declaration, comments and doctype.
fn is_svg(text: &str) -> bool {
    let mut t = text.trim_start_matches('\u{feff}');
    loop {
        t = t.trim_start();
        let next = if let Some(r) = t.strip_prefix("<?") {
            r.split_once("?>")
        } else if let Some(r) = t.strip_prefix("<!--") {
            r.split_once("-->")
        } else if let Some(r) = t.strip_prefix("<!") {
            // A doctype may carry an internal subset: `<!DOCTYPE svg [ ... ]>`.
            match r.split_once('>') {
                Some((head, _)) if head.contains('[') => r.split_once("]>"),
                other => other,
            }
        } else {
            break;
        };
        match next {
            Some((_, after)) => t = after,
            None => return false,
        }
    }
    t.strip_prefix("<svg")
        .is_some_and(|r| r.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/'))
}

/// At least two non-blank records with the same, non-zero number of
/// `delim`s outside double quotes (quoted fields may hold delimiters and
/// line breaks).
fn consistent_delimiters(text: &str, delim: u8) -> bool {
    let mut expected = None;
    let (mut count, mut records, mut in_quotes, mut blank) = (0usize, 0usize, false, true);
    for c in text.bytes().chain(std::iter::once(b'\n')) {
        match c {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                if !blank {
                    if *expected.get_or_insert(count) != count {
                        return false;
                    }
                    records += 1;
                }
                (count, blank) = (0, true);
                continue;
            }
            _ if c == delim && !in_quotes => count += 1,
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            blank = false;
        }
    }
    !in_quotes && records >= 2 && expected.is_some_and(|n| n > 0)
}

/// A size for people: "512 B", "1.2 MB" (units of 1024).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KB", "MB", "GB", "TB", "PB", "EB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    // 1023.95 would print as "1024.0"; move to the next unit instead.
    while value >= 1023.95 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS.get(unit).unwrap_or(&"EB"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "2026-06-10 09:12:03,123 - supervisor - INFO - Executing user_script.sh\n";

    #[test]
    fn short_words_stay_text() {
        for word in [
            "test",
            "Done",
            "abcd",
            "1234",
            "True",
            "null",
            "OK",
            "Finished",
            "Hello world",
        ] {
            assert_eq!(looks_like_base64(word), None, "{word}");
        }
        let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assert_eq!(looks_like_base64(hash), None);
        assert_eq!(looks_like_base64("Internationalization"), None);
    }

    #[test]
    fn base64_decodes() {
        assert_eq!(looks_like_base64("SGk=\n").as_deref(), Some(&b"Hi"[..]));
        assert_eq!(
            looks_like_base64("aGVsbG8gd29y\nbGQ=").as_deref(),
            Some(&b"hello world"[..])
        );
        // A word before base64 breaks the line widths.
        assert_eq!(looks_like_base64("Done\naGVsbG8gd29ybGQ="), None);
        // Bad padding / trailing bits are refused by the strict engine.
        assert_eq!(looks_like_base64("SGl="), None);
    }

    #[test]
    fn logs_and_continuations() {
        let body = format!("{LOG}Traceback (most recent call last):\n  File x\n{LOG}\nhello\n");
        let (logs, rest) = strip_supervisor_logs(&body);
        assert_eq!(logs.len(), 2);
        assert!(logs[0].ends_with("Traceback (most recent call last):\n  File x"));
        assert_eq!(rest, "\nhello\n");
        let (logs, rest) = strip_supervisor_logs("hello\n2026-06-10 09:12:03,123 - s - INFO - x\n");
        assert!(logs.is_empty());
        assert!(rest.starts_with("hello"));
        assert!(!is_log_line(
            "2026-06-10 09:12:03,123 - supervisor - NOTE - x"
        ));
        assert!(is_log_line("2026-06-10 09:12:03 - supervisor - ERROR - x"));
    }

    #[test]
    fn decode_text_and_base64_bodies() {
        let out = decode_run_body(format!("{LOG}  ^__^\n  (oo)\n\n").as_bytes());
        assert_eq!(
            (out.logs.len(), out.was_base64, out.detected.kind),
            (1, false, Kind::Text)
        );
        assert_eq!(out.as_text(), Some("  ^__^\n  (oo)"));
        let out =
            decode_run_body(format!("{LOG}{LOG}V29yZHM6IDMgLyBDaGFyYWN0ZXJzOiA0NAo=\n").as_bytes());
        assert_eq!(
            (out.logs.len(), out.was_base64, out.detected.kind),
            (2, true, Kind::Text)
        );
        assert_eq!(out.bytes, b"Words: 3 / Characters: 44\n");
        let out = decode_run_body(b"\xff\xfe\x00binary");
        assert_eq!((out.was_base64, out.detected.kind), (false, Kind::Binary));
        let out = decode_run_body(b"");
        assert_eq!((out.bytes.len(), out.detected.kind), (0, Kind::Text));
    }

    #[test]
    fn sniff_text_kinds() {
        assert_eq!(sniff(b"{\"a\": 1}"), Kind::Json);
        assert_eq!(sniff(b"{'a': 1}"), Kind::Text);
        assert_eq!(sniff(b"a,b\n1,2\n"), Kind::Csv);
        assert_eq!(sniff(b"a\tb\n1\t2"), Kind::Tsv);
        assert_eq!(sniff(b"a,b\n1,2,3\n"), Kind::Text);
        assert_eq!(sniff(b"one line, with comma"), Kind::Text);
        assert_eq!(sniff("\u{feff}<!-- c --><svg/>".as_bytes()), Kind::Svg);
        assert_eq!(sniff(b"<svgfoo>"), Kind::Text);
        assert_eq!(sniff(b"BM is a text"), Kind::Text);
        assert_eq!(sniff(b"\xff\xf1\x50\x80"), Kind::Binary); // AAC ADTS, not MP3
        assert_eq!(sniff(b"\0\0\0\x1cftypavif"), Kind::Binary);
        assert_eq!(
            sniff("h\u{e9}".as_bytes().get(..2).unwrap_or_default()),
            Kind::Text
        );
    }

    #[test]
    fn kind_metadata() {
        assert_eq!(Kind::Png.label(), "PNG image");
        assert_eq!(Kind::Jpeg.extension(), "jpg");
        assert_eq!(Kind::Svg.mime(), "image/svg+xml");
        assert!(Kind::Svg.is_image() && !Kind::Svg.is_text());
        assert!(Kind::Flac.is_audio() && Kind::Webm.is_video() && Kind::Csv.is_text());
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(1_258_291), "1.2 MB");
        assert_eq!(human_size(1024 * 1024 - 1), "1.0 MB");
        assert_eq!(human_size(u64::MAX), "16.0 EB");
    }
}
