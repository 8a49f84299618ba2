//! Small helpers: randomness from /dev/urandom, timestamps, response builders.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) type Resp = Response<Full<Bytes>>;

pub(crate) const TEXT: &str = "text/plain; charset=utf-8";
pub(crate) const JSON: &str = "application/json; charset=utf-8";

/// `n` random bytes from /dev/urandom; falls back to a time-seeded mixer if it cannot be read.
pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    let ok = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_ok();
    if !ok {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut x = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9_7f4a_7c15)
            ^ COUNTER.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed);
        for b in buf.iter_mut() {
            // splitmix64
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            *b = (z ^ (z >> 31)) as u8;
        }
    }
    buf
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A service token as OSCAR makes it: hex of 32 random bytes (§2).
pub(crate) fn new_token() -> String {
    hex(&random_bytes(32))
}

/// Decode `%XX` escapes (invalid ones are kept as they are); invalid UTF-8 is replaced.
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hexval = |c: u8| char::from(c).to_digit(16);
            if let (Some(h), Some(l)) = (hexval(b[i + 1]), hexval(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A random UUID v4 string.
pub(crate) fn new_uuid() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// (year, month, day, hour, minute, second, millisecond) in UTC, now.
pub(crate) fn now_utc() -> (i64, u32, u32, u32, u32, u32, u32) {
    let (y, mo, d, h, mi, s, nanos) = utc_parts(SystemTime::now());
    (y, mo, d, h, mi, s, nanos / 1_000_000)
}

/// (year, month, day, hour, minute, second, nanosecond) in UTC of `t` (clamped at the epoch).
pub(crate) fn utc_parts(t: SystemTime) -> (i64, u32, u32, u32, u32, u32, u32) {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        sod / 3600,
        (sod / 60) % 60,
        sod % 60,
        d.subsec_nanos(),
    )
}

/// RFC 3339 in UTC with whole seconds, like Go's `metav1.Time`: `2026-06-10T09:12:03Z`.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, _) = utc_parts(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// RFC 3339 with nanoseconds, like the kubelet's `--timestamps` log prefix.
pub(crate) fn rfc3339_nano(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, ns) = utc_parts(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ns:09}Z")
}

/// Python logging's default asctime: `2026-06-10 09:12:03,123`.
pub(crate) fn log_time() -> String {
    let (y, mo, d, h, mi, s, ms) = now_utc();
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02},{ms:03}")
}

pub(crate) fn response(
    status: StatusCode,
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> Resp {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    if let Some(ct) = content_type {
        if let Ok(v) = HeaderValue::from_str(ct) {
            r.headers_mut().insert(CONTENT_TYPE, v);
        }
    }
    r
}

/// A gin `c.Status(code)`: no body, no content type.
pub(crate) fn empty(status: StatusCode) -> Resp {
    response(status, None, Bytes::new())
}

/// A gin `c.String(code, ...)`.
pub(crate) fn text(status: StatusCode, body: impl Into<String>) -> Resp {
    response(status, Some(TEXT), body.into())
}

pub(crate) fn json(status: StatusCode, v: &impl serde::Serialize) -> Resp {
    match serde_json::to_vec(v) {
        Ok(b) => response(status, Some(JSON), b),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// gin's NoRoute answer.
pub(crate) fn not_found() -> Resp {
    response(
        StatusCode::NOT_FOUND,
        Some("text/plain"),
        "404 page not found",
    )
}

pub(crate) fn set_header(r: &mut Resp, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

/// Python's `base64.b64decode(s)` (non-validating): characters outside the alphabet are
/// skipped, a complete `=` padding ends the data, a dangling group is an error.
pub(crate) fn py_b64decode(text: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut quad, mut acc, mut pads, mut data_chars) = (0u32, 0u32, 0u32, 0usize);
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                if quad >= 2 {
                    pads += 1;
                    if quad + pads >= 4 {
                        return Ok(out);
                    }
                }
                continue;
            }
            _ => continue,
        };
        pads = 0;
        data_chars += 1;
        acc = (acc << 6) | u32::from(v);
        quad += 1;
        match quad {
            2 => out.push((acc >> 4) as u8),
            3 => out.push((acc >> 2) as u8),
            4 => {
                out.push(acc as u8);
                quad = 0;
                acc = 0;
            }
            _ => {}
        }
    }
    match quad {
        0 => Ok(out),
        1 => Err(format!(
            "binascii.Error: Invalid base64-encoded string: number of data characters ({data_chars}) cannot be 1 more than a multiple of 4"
        )),
        _ => Err("binascii.Error: Incorrect padding".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_64_lower_hex() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert!(t
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_ne!(t, new_token());
    }

    #[test]
    fn uuid_v4_shape() {
        let u = new_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn rfc3339_shapes() {
        let t = UNIX_EPOCH + std::time::Duration::new(1_781_082_723, 5);
        assert_eq!(rfc3339(t), "2026-06-10T09:12:03Z");
        assert_eq!(rfc3339_nano(t), "2026-06-10T09:12:03.000000005Z");
    }

    #[test]
    fn log_time_shape() {
        let t = log_time();
        assert_eq!(t.len(), 23);
        assert!(t.starts_with("20"));
        assert_eq!(&t[19..20], ",");
    }
}
