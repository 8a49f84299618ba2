//! S3 answers from MinIO (OSCAR-API.md §8 step 5): the ListObjectsV2 XML,
//! the `<Error>` body, HTTP and RFC 3339 dates, and user-facing messages for
//! the failures a browser talking to MinIO directly runs into.
//!
//! No XML crate (wasm size): a small scanner that knows just these shapes,
//! ignores attributes, namespaces and comments, and never panics on garbage.

use super::sigv4::civil;
use thiserror::Error;

/// One object of a listing.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ObjectInfo {
    /// The full key, entities decoded.
    pub key: String,
    /// Bytes; 0 when missing or unreadable.
    pub size: u64,
    /// `LastModified` as unix seconds, when readable.
    pub last_modified_unix: Option<i64>,
    /// The ETag without its quotes.
    pub etag: String,
}

/// One page of `GET /{bucket}?list-type=2`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Listing {
    /// The objects of this page, in the server's order.
    pub objects: Vec<ObjectInfo>,
    /// Whether more pages follow.
    pub is_truncated: bool,
    /// The `continuation-token` for the next page.
    pub next_continuation_token: Option<String>,
}

/// The `<Error>` body of a failed S3 request.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct S3ErrorBody {
    /// E.g. `NoSuchBucket`, `SignatureDoesNotMatch`.
    pub code: String,
    /// The server's explanation (English, for logs).
    pub message: String,
}

/// A token of the scanner. Names are local (prefix after ':' dropped).
#[derive(Debug, PartialEq, Eq)]
enum Tok<'a> {
    Open(&'a str),
    Close(&'a str),
    Text(&'a str),
}

/// Splits XML into open/close/text tokens; `None` when a tag never ends.
fn tokenize(xml: &str) -> Option<Vec<Tok<'_>>> {
    let mut toks = Vec::new();
    let mut rest = xml;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            toks.push(Tok::Text(rest));
            break;
        };
        if lt > 0 {
            toks.push(Tok::Text(&rest[..lt]));
        }
        let tag = &rest[lt..];
        // Comments, declarations and processing instructions carry nothing.
        let skip_to = if tag.starts_with("<!--") {
            Some("-->")
        } else if tag.starts_with("<?") {
            Some("?>")
        } else if tag.starts_with("<!") {
            Some(">")
        } else {
            None
        };
        if let Some(end) = skip_to {
            let close = tag.find(end)?;
            rest = &tag[close + end.len()..];
            continue;
        }
        let gt = tag.find('>')?;
        let inner = &tag[1..gt];
        rest = &tag[gt + 1..];
        let (closing, body) = match inner.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, inner),
        };
        let self_closing = !closing && body.ends_with('/');
        let name = body.trim_end_matches('/').split(|c: char| c.is_whitespace()).next().unwrap_or("");
        let name = name.rsplit(':').next().unwrap_or(name);
        if name.is_empty() {
            return None;
        }
        if closing {
            toks.push(Tok::Close(name));
        } else {
            toks.push(Tok::Open(name));
            if self_closing {
                toks.push(Tok::Close(name));
            }
        }
    }
    Some(toks)
}

/// Decodes the five XML entities and numeric references; unknown or broken
/// references are kept as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        // Entity names are short: looking only a few bytes ahead keeps a
        // run of bare '&' linear instead of quadratic.
        let semi = after.bytes().take(13).position(|b| b == b';');
        let decoded = semi.and_then(|semi| {
            let name = &after[1..semi];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let n = if let Some(h) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok()
                    } else if let Some(d) = name.strip_prefix('#') {
                        d.parse::<u32>().ok()
                    } else {
                        None
                    };
                    n.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a document holds two levels down: the root's name, the text of its
/// direct children, and for each child named `group` (`Contents`) the text
/// of that child's own children. Deeper text (`Owner/ID`) is ignored.
struct Walk<'a> {
    root: &'a str,
    /// Direct children of the root: (name, text).
    top: Vec<(&'a str, String)>,
    /// For each `<group>` under the root: its direct children.
    groups: Vec<Vec<(&'a str, String)>>,
    closed: bool,
}

/// Listings and errors are four levels deep; anything far deeper is not
/// S3, and a bound keeps hostile nesting from costing quadratic time.
const MAX_DEPTH: usize = 32;

fn walk<'a>(xml: &'a str, group: &str) -> Option<Walk<'a>> {
    let toks = tokenize(xml)?;
    let mut stack: Vec<&str> = Vec::new();
    let mut walk = Walk { root: "", top: Vec::new(), groups: Vec::new(), closed: false };
    for tok in toks {
        match tok {
            Tok::Open(name) => {
                if stack.is_empty() {
                    if !walk.root.is_empty() {
                        // A second root: whatever follows is not ours.
                        break;
                    }
                    walk.root = name;
                }
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                stack.push(name);
                match stack.len() {
                    2 if name == group => walk.groups.push(Vec::new()),
                    2 => walk.top.push((name, String::new())),
                    3 if stack.get(1) == Some(&group) => {
                        if let Some(g) = walk.groups.last_mut() {
                            g.push((name, String::new()));
                        }
                    }
                    _ => {}
                }
            }
            Tok::Close(name) => {
                // Tolerant: close up to the matching open, ignore strays.
                if let Some(pos) = stack.iter().rposition(|n| *n == name) {
                    stack.truncate(pos);
                    if stack.is_empty() {
                        walk.closed = true;
                        break;
                    }
                }
            }
            Tok::Text(text) => {
                let slot = match stack.len() {
                    2 if stack.get(1) != Some(&group) => walk.top.last_mut(),
                    3 if stack.get(1) == Some(&group) => walk.groups.last_mut().and_then(|g| g.last_mut()),
                    _ => None,
                };
                if let Some((_, value)) = slot {
                    value.push_str(text);
                }
            }
        }
    }
    if walk.root.is_empty() {
        return None;
    }
    Some(walk)
}

fn field<'a>(pairs: &'a [(&str, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

/// Parses a ListObjectsV2 answer (`<ListBucketResult>`). An `<Error>` body,
/// garbage or a cut-off document is an error with a short reason.
pub fn parse_list_objects_v2(xml: &str) -> Result<Listing, String> {
    let walk =
        walk(xml, "Contents").ok_or_else(|| "the storage answered with something that is not XML".to_string())?;
    if walk.root == "Error" {
        let code = field(&walk.top, "Code").map(decode_entities).unwrap_or_default();
        return Err(format!("the storage refused the listing ({})", code.trim()));
    }
    if walk.root != "ListBucketResult" {
        return Err(format!("the storage answered <{}>, not a bucket listing", walk.root));
    }
    if !walk.closed {
        return Err("the bucket listing was cut short".to_string());
    }
    let objects = walk
        .groups
        .iter()
        .filter_map(|g| {
            let key = decode_entities(field(g, "Key")?);
            if key.is_empty() {
                return None;
            }
            let etag = decode_entities(field(g, "ETag").unwrap_or_default().trim());
            Some(ObjectInfo {
                key,
                size: field(g, "Size").and_then(|s| s.trim().parse().ok()).unwrap_or(0),
                last_modified_unix: field(g, "LastModified").and_then(|s| parse_rfc3339(s.trim())),
                etag: etag.trim_matches('"').to_string(),
            })
        })
        .collect();
    let is_truncated = field(&walk.top, "IsTruncated").is_some_and(|s| s.trim().eq_ignore_ascii_case("true"));
    let next_continuation_token =
        field(&walk.top, "NextContinuationToken").map(|s| decode_entities(s.trim())).filter(|s| !s.is_empty());
    Ok(Listing { objects, is_truncated, next_continuation_token })
}

/// Parses an `<Error><Code>…</Code><Message>…</Message></Error>` body.
pub fn parse_error(xml: &str) -> Option<S3ErrorBody> {
    let walk = walk(xml, "")?;
    if walk.root != "Error" {
        return None;
    }
    let get = |name| field(&walk.top, name).map(|s| decode_entities(s.trim())).unwrap_or_default();
    let code = get("Code");
    if code.is_empty() {
        return None;
    }
    Some(S3ErrorBody { code, message: get("Message") })
}

/// The bucket an `<Error>` names: `<BucketName>`, else `<Resource>`'s first
/// segment (MinIO sends both; AWS only the first).
fn error_bucket(xml: &str) -> Option<String> {
    let walk = walk(xml, "")?;
    let named = field(&walk.top, "BucketName").map(|s| decode_entities(s.trim())).filter(|s| !s.is_empty());
    named.or_else(|| {
        let resource = decode_entities(field(&walk.top, "Resource")?.trim());
        let first = resource.trim_start_matches('/').split(['/', '?']).next().unwrap_or("").to_string();
        Some(first).filter(|s| !s.is_empty())
    })
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Unix seconds of a UTC date and time, after checking every field's range.
fn unix_of(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    let valid = (0..=9999).contains(&y)
        && (1..=12).contains(&mo)
        && d >= 1
        && d <= days_in_month(y, mo)
        && (0..24).contains(&h)
        && (0..60).contains(&mi)
        && (0..=60).contains(&s);
    if !valid {
        return None;
    }
    // Hinnant's days_from_civil; the year range above keeps it small.
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = if mo > 2 { mo - 3 } else { mo + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s)
}

/// A fixed-width run of ASCII digits.
fn digits(s: &str, range: std::ops::Range<usize>) -> Option<i64> {
    let part = s.get(range)?;
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// Parses an HTTP `Date` (`Sun, 06 Nov 1994 08:49:37 GMT`; the weekday is
/// optional and not checked). Used to measure the clock skew to MinIO.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = match s.split_once(',') {
        Some((_, rest)) => rest.trim_start(),
        None => s,
    };
    let mut parts = s.split_whitespace();
    let day = parts.next()?;
    let month = parts.next()?;
    let year = parts.next()?;
    let time = parts.next()?;
    let zone = parts.next()?;
    if parts.next().is_some() || !(zone.eq_ignore_ascii_case("GMT") || zone.eq_ignore_ascii_case("UTC")) {
        return None;
    }
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let mo = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))?;
    let d = if (1..=2).contains(&day.len()) { digits(day, 0..day.len())? } else { return None };
    let y = if year.len() == 4 { digits(year, 0..4)? } else { return None };
    if time.len() != 8 || time.as_bytes().get(2) != Some(&b':') || time.as_bytes().get(5) != Some(&b':') {
        return None;
    }
    let mo = i64::try_from(mo).ok()? + 1;
    unix_of(y, mo, d, digits(time, 0..2)?, digits(time, 3..5)?, digits(time, 6..8)?)
}

/// Parses RFC 3339 (`2026-06-10T09:12:03Z`, with optional fraction, which
/// is dropped, and `Z` or a `±HH:MM` offset) to unix seconds.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 20
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let base = unix_of(
        digits(s, 0..4)?,
        digits(s, 5..7)?,
        digits(s, 8..10)?,
        digits(s, 11..13)?,
        digits(s, 14..16)?,
        digits(s, 17..19)?,
    )?;
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = frac.get(n..)?;
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let rb = rest.as_bytes();
            let sign = match rb.first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            if rb.len() != 6 || rb.get(3) != Some(&b':') {
                return None;
            }
            let (h, m) = (digits(rest, 1..3)?, digits(rest, 4..6)?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    Some(base - offset)
}

/// Formats unix seconds as `2026-06-10T09:12:03Z`.
pub fn format_rfc3339(unix: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(unix);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// What went wrong with a request to MinIO, with a message saying what to do.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum S3Problem {
    /// `SignatureDoesNotMatch`, `InvalidAccessKeyId`, an expired URL.
    #[error("The storage refused the signature: the storage keys or this computer's clock are wrong. Log in again to fetch fresh keys, and check that the clock is set automatically.")]
    SignatureOrClock,
    /// `AccessDenied`: the keys are valid but may not use this bucket.
    #[error("These storage keys have no permission on this bucket. Ask the service owner or the cluster administrator for access to it.")]
    AccessDenied,
    /// `NoSuchBucket`, with the bucket's name when known.
    #[error("{}", no_such_bucket(.0))]
    NoSuchBucket(String),
    /// `NoSuchKey`: the object is gone (deleted or not yet written).
    #[error("The file is not in the bucket any more. It may have been deleted; reload the list of results.")]
    NoSuchKey,
    /// `RequestTimeTooSkewed`: the clock is too far from the server's.
    #[error("This computer's clock is too far from the storage server's. Set the clock to update automatically, then try again.")]
    TooSkewed,
    /// Anything else, by status and S3 code.
    #[error("The storage answered with HTTP {status}{}. Try again; if it keeps happening, tell the cluster administrator.", if .code.is_empty() { String::new() } else { format!(" ({code})") })]
    Other {
        /// The HTTP status.
        status: u16,
        /// The S3 error code, empty if the body had none.
        code: String,
    },
}

fn no_such_bucket(bucket: &str) -> String {
    let name = if bucket.is_empty() { String::new() } else { format!(" “{bucket}”") };
    format!("The bucket{name} does not exist on the cluster's storage. The service may have been deleted or recreated: reload the service, or ask its owner.")
}

/// Maps a failed S3 answer (status and XML body) to a [`S3Problem`].
pub fn classify(status: u16, body: &str) -> S3Problem {
    let Some(err) = parse_error(body) else {
        return S3Problem::Other { status, code: String::new() };
    };
    let message = err.message.to_ascii_lowercase();
    match err.code.as_str() {
        "SignatureDoesNotMatch" | "InvalidAccessKeyId" | "AuthorizationQueryParametersError" | "ExpiredToken" => {
            S3Problem::SignatureOrClock
        }
        "RequestTimeTooSkewed" => S3Problem::TooSkewed,
        // A presigned URL used outside its window: MinIO says "Request has
        // expired" or "Request is not valid yet" under AccessDenied.
        "AccessDenied" if message.contains("not valid yet") => S3Problem::TooSkewed,
        "AccessDenied" if message.contains("expired") => S3Problem::SignatureOrClock,
        "AccessDenied" | "AllAccessDisabled" => S3Problem::AccessDenied,
        "NoSuchBucket" => S3Problem::NoSuchBucket(error_bucket(body).unwrap_or_default()),
        "NoSuchKey" => S3Problem::NoSuchKey,
        _ => S3Problem::Other { status, code: err.code },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_handles_self_closing_comments_and_prefixes() {
        let toks = tokenize("<?xml version=\"1.0\"?><!-- c --><s3:A x=\"1\"><B/>t</s3:A>").expect("ok");
        assert_eq!(toks, vec![Tok::Open("A"), Tok::Open("B"), Tok::Close("B"), Tok::Text("t"), Tok::Close("A")]);
        assert!(tokenize("<A").is_none());
        assert!(tokenize("<!-- never closed").is_none());
        assert!(tokenize("<>").is_none());
    }

    #[test]
    fn entities() {
        assert_eq!(decode_entities("a&amp;b&lt;&gt;&quot;&apos;&#65;&#x42;&#X43;"), "a&b<>\"'ABC");
        assert_eq!(decode_entities("&bogus; & &#xD800; &#99999999999;"), "&bogus; & &#xD800; &#99999999999;");
        assert_eq!(decode_entities("é&amp;"), "é&");
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_rfc3339("1994-11-06T08:49:37Z"), Some(784_111_777));
        assert_eq!(parse_rfc3339("1994-11-06T10:49:37.5+02:00"), Some(784_111_777));
        assert_eq!(format_rfc3339(784_111_777), "1994-11-06T08:49:37Z");
        assert_eq!(parse_rfc3339("2024-02-30T00:00:00Z"), None);
    }
}
