//! AWS Signature V4 presigning (query-string auth) for MinIO, path style.
//!
//! The browser uploads inputs to a service's bucket and lists its output
//! bucket straight against MinIO (OSCAR-API.md §8 step 2), with the keys from
//! `GET /system/config` (§6). A presigned URL carries the signature in its
//! query, so the request needs no `Authorization` header and no SDK; the
//! payload is `UNSIGNED-PAYLOAD` so a file is never hashed in wasm.
//!
//! The clock is a parameter: the caller passes the server's time (local time
//! corrected by the skew read from a `Date` header), never `SystemTime`.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;

/// The longest validity S3 and MinIO accept for a presigned URL (7 days).
pub const MAX_EXPIRES_SECS: u32 = 604_800;

/// The region MinIO answers to when none is configured.
pub const DEFAULT_REGION: &str = "us-east-1";

/// S3 keys for signing. `Debug` never shows the secret key.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct S3Credentials {
    /// The access key id, public half of the pair.
    pub access_key: String,
    /// The secret key: only ever fed to HMAC, never printed.
    pub secret_key: String,
    /// The region; empty means [`DEFAULT_REGION`].
    pub region: String,
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("region", &self.region)
            .finish()
    }
}

/// One request to presign against a path-style endpoint.
#[derive(Clone, Debug)]
pub struct PresignRequest<'a> {
    /// `GET`, `PUT`, `HEAD`, `DELETE`.
    pub method: &'a str,
    /// `http://127.0.0.1:9000` or `https://minio.example.org[/path]`.
    pub endpoint: &'a str,
    /// The bucket, first path segment.
    pub bucket: &'a str,
    /// The object key; empty for bucket-level requests (ListObjectsV2).
    pub key: &'a str,
    /// Extra query parameters, raw (e.g. `list-type=2`, `prefix`).
    pub query: &'a [(&'a str, &'a str)],
    /// The server's time, in unix seconds.
    pub now_unix: i64,
    /// Validity, 1..=[`MAX_EXPIRES_SECS`].
    pub expires_secs: u32,
    /// Headers to sign besides `host` (the browser must send them verbatim).
    pub signed_headers: &'a [(&'a str, &'a str)],
}

/// The host-level input of the signature, once the URL is canonical. Split
/// from [`presign`] so AWS's virtual-hosted example can be checked exactly.
#[derive(Clone, Debug)]
pub struct SigningInput<'a> {
    /// The HTTP method, upper case.
    pub method: &'a str,
    /// The `Host` header: lower-case host, `:port` unless it is the default.
    pub host: &'a str,
    /// The already URI-encoded path, starting with `/`.
    pub canonical_uri: &'a str,
    /// Extra query parameters, raw (encoded here).
    pub query: &'a [(&'a str, &'a str)],
    /// The server's time, in unix seconds.
    pub now_unix: i64,
    /// Validity in seconds.
    pub expires_secs: u32,
    /// Headers to sign besides `host`.
    pub signed_headers: &'a [(&'a str, &'a str)],
}

/// Every intermediate of a signature, so tests can compare with AWS's texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// The canonical request (method, URI, query, headers, payload hash).
    pub canonical_request: String,
    /// `AWS4-HMAC-SHA256\n<date>\n<scope>\n<hash of canonical request>`.
    pub string_to_sign: String,
    /// Lower-case hex of the HMAC.
    pub signature: String,
    /// The whole query string for the URL, `X-Amz-Signature` last.
    pub query: String,
}

/// `20130524T000000Z` and `20130524` for a unix time (UTC).
pub fn amz_date(unix: i64) -> (String, String) {
    let (y, mo, d, h, mi, s) = civil(unix);
    let day = format!("{y:04}{mo:02}{d:02}");
    (format!("{day}T{h:02}{mi:02}{s:02}Z"), day)
}

/// Splits unix seconds into UTC (year, month, day, hour, minute, second).
/// Howard Hinnant's `civil_from_days`; all i64 so no value can overflow.
pub(crate) fn civil(unix: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
}

/// AWS's URI encoding: unreserved `A-Za-z0-9-._~` kept, everything else as
/// upper-case `%XX` of its UTF-8 bytes; `/` kept only when `keep_slash`.
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        let keep = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if keep || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// An endpoint split into what a URL and a signature need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedEndpoint {
    /// `http` or `https`.
    pub scheme: String,
    /// The `Host` header value: lower case, default port dropped.
    pub host: String,
    /// A path prefix, encoded, without trailing slash (usually empty).
    pub base_path: String,
}

/// Parses `http[s]://host[:port][/path]`. Refuses user info, queries and
/// fragments: they would make the signed URL differ from the one sent.
pub fn parse_endpoint(endpoint: &str) -> Result<ParsedEndpoint, String> {
    let trimmed = endpoint.trim();
    let (scheme, rest) = match trimmed.split_once("://") {
        Some((s, r)) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {
            (s.to_ascii_lowercase(), r)
        }
        _ => return Err(format!("the storage address “{trimmed}” must start with http:// or https://")),
    };
    if rest.contains(['?', '#', '@', '\\']) || rest.chars().any(char::is_whitespace) {
        return Err(format!("the storage address “{trimmed}” must be a plain http(s)://host[:port] address"));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = authority.to_ascii_lowercase();
    // The port follows the last ':' unless that ':' is inside an IPv6 literal.
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority.as_str(), None),
    };
    let host_ok = !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '[' | ']' | ':'));
    if !host_ok {
        return Err(format!("the storage address “{trimmed}” has no valid host name"));
    }
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n != 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => return Err(format!("the storage address “{trimmed}” has an invalid port")),
        },
    };
    let default_port = if scheme == "https" { 443 } else { 80 };
    let host = match port {
        Some(p) if p != default_port => format!("{host}:{p}"),
        _ => host.to_string(),
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return Err(format!("the storage address “{trimmed}” has a '.' or '..' in its path"));
    }
    let base_path = segments.iter().map(|s| format!("/{}", uri_encode(s, false))).collect();
    Ok(ParsedEndpoint { scheme, host, base_path })
}

/// The canonical URI for a path-style request: `{base}/{bucket}[/{key}]`.
/// Refuses `.`/`..` key segments: browsers resolve them (even encoded), so
/// the URL sent would no longer match the one signed.
pub fn path_style_uri(base_path: &str, bucket: &str, key: &str) -> Result<String, String> {
    if bucket.is_empty() || bucket.contains('/') {
        return Err(format!("“{bucket}” is not a bucket name"));
    }
    if !key.is_empty() && key.split('/').any(|s| s == "." || s == "..") {
        return Err(format!("the object name “{key}” has a '.' or '..' segment"));
    }
    let mut uri = format!("{base_path}/{}", uri_encode(bucket, false));
    if !key.is_empty() {
        uri.push('/');
        uri.push_str(&uri_encode(key, true));
    }
    Ok(uri)
}

fn hmac(key: &[u8], data: &[u8]) -> Result<Vec<u8>, String> {
    // HMAC takes keys of any length; the error arm cannot happen, but a
    // release build aborts on panic, so it is propagated instead.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| "cannot sign".to_string())?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().to_vec())
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// Signs a canonical request for query-string auth (virtual-hosted or path
/// style alike: the caller supplies host and canonical URI).
pub fn sign(input: &SigningInput, creds: &S3Credentials) -> Result<Signed, String> {
    let method = input.method.trim().to_ascii_uppercase();
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!("“{}” is not an HTTP method", input.method));
    }
    if input.expires_secs == 0 || input.expires_secs > MAX_EXPIRES_SECS {
        return Err(format!("a presigned URL must be valid for 1 to {MAX_EXPIRES_SECS} seconds"));
    }
    if creds.access_key.trim().is_empty() || creds.secret_key.is_empty() {
        return Err("the storage keys are missing".to_string());
    }
    // A four-digit year, or the date would not be AWS's fixed-width format.
    if !(0..=9999).contains(&civil(input.now_unix).0) {
        return Err("the clock is out of range".to_string());
    }
    let (date_time, day) = amz_date(input.now_unix);
    let region = match creds.region.trim() {
        "" => DEFAULT_REGION,
        r => r,
    };
    let scope = format!("{day}/{region}/s3/aws4_request");

    // Headers: lower-case names, trimmed values with inner runs of spaces
    // collapsed, sorted; a repeated name joins its values with ','.
    let mut headers: Vec<(String, String)> = vec![("host".to_string(), input.host.to_string())];
    for (name, value) in input.signed_headers {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() || name == "host" || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
            continue;
        }
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        match headers.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => {
                v.push(',');
                v.push_str(&value);
            }
            None => headers.push((name, value)),
        }
    }
    headers.sort();
    let signed_names = headers.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(";");
    let canonical_headers: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();

    let credential = format!("{}/{scope}", creds.access_key.trim());
    let expires = input.expires_secs.to_string();
    let mut params: Vec<(String, String)> =
        input.query.iter().map(|(k, v)| (uri_encode(k, false), uri_encode(v, false))).collect();
    for (k, v) in [
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        ("X-Amz-Credential", credential.as_str()),
        ("X-Amz-Date", date_time.as_str()),
        ("X-Amz-Expires", expires.as_str()),
        ("X-Amz-SignedHeaders", signed_names.as_str()),
    ] {
        params.push((k.to_string(), uri_encode(v, false)));
    }
    params.sort();
    let canonical_query = params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");

    let canonical_request = format!(
        "{method}\n{}\n{canonical_query}\n{canonical_headers}\n{signed_names}\nUNSIGNED-PAYLOAD",
        input.canonical_uri
    );
    let string_to_sign =
        format!("AWS4-HMAC-SHA256\n{date_time}\n{scope}\n{}", hex(&Sha256::digest(canonical_request.as_bytes())));
    let k_date = hmac(format!("AWS4{}", creds.secret_key).as_bytes(), day.as_bytes())?;
    let k_region = hmac(&k_date, region.as_bytes())?;
    let k_service = hmac(&k_region, b"s3")?;
    let k_signing = hmac(&k_service, b"aws4_request")?;
    let signature = hex(&hmac(&k_signing, string_to_sign.as_bytes())?);
    let query = format!("{canonical_query}&X-Amz-Signature={signature}");
    Ok(Signed { canonical_request, string_to_sign, signature, query })
}

/// Presigns a path-style request; returns the full URL to fetch.
pub fn presign(req: &PresignRequest, creds: &S3Credentials) -> Result<String, String> {
    Ok(presign_detailed(req, creds)?.0)
}

/// Like [`presign`], also returning the intermediates (for tests and logs).
pub fn presign_detailed(req: &PresignRequest, creds: &S3Credentials) -> Result<(String, Signed), String> {
    let endpoint = parse_endpoint(req.endpoint)?;
    let canonical_uri = path_style_uri(&endpoint.base_path, req.bucket, req.key)?;
    let signed = sign(
        &SigningInput {
            method: req.method,
            host: &endpoint.host,
            canonical_uri: &canonical_uri,
            query: req.query,
            now_unix: req.now_unix,
            expires_secs: req.expires_secs,
            signed_headers: req.signed_headers,
        },
        creds,
    )?;
    let url = format!("{}://{}{canonical_uri}?{}", endpoint.scheme, endpoint.host, signed.query);
    Ok((url, signed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws_creds() -> S3Credentials {
        S3Credentials {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            region: "us-east-1".into(),
        }
    }

    #[test]
    fn aws_published_presigned_url_example() {
        // S3 docs, "Authenticating Requests: Using Query Parameters".
        let signed = sign(
            &SigningInput {
                method: "GET",
                host: "examplebucket.s3.amazonaws.com",
                canonical_uri: "/test.txt",
                query: &[],
                now_unix: 1_369_353_600,
                expires_secs: 86_400,
                signed_headers: &[],
            },
            &aws_creds(),
        )
        .expect("signs");
        assert_eq!(
            signed.canonical_request,
            "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD"
        );
        assert_eq!(signed.signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
        assert!(signed
            .query
            .ends_with("&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
    }

    #[test]
    fn amz_date_formats() {
        assert_eq!(amz_date(1_369_353_600), ("20130524T000000Z".into(), "20130524".into()));
        assert_eq!(amz_date(0).0, "19700101T000000Z");
        assert_eq!(amz_date(-1).0, "19691231T235959Z");
        assert_eq!(amz_date(951_782_400).1, "20000229");
    }

    #[test]
    fn encoding_follows_aws_rules() {
        assert_eq!(uri_encode("a b/c~d_e.f-g", true), "a%20b/c~d_e.f-g");
        assert_eq!(uri_encode("a/b+c=", false), "a%2Fb%2Bc%3D");
        assert_eq!(uri_encode("é", true), "%C3%A9");
    }

    #[test]
    fn endpoint_parsing() {
        let e = parse_endpoint("http://127.0.0.1:9000").expect("ok");
        assert_eq!((e.scheme.as_str(), e.host.as_str(), e.base_path.as_str()), ("http", "127.0.0.1:9000", ""));
        assert_eq!(parse_endpoint("HTTPS://MinIO.example.org:443/").expect("ok").host, "minio.example.org");
        assert_eq!(parse_endpoint("http://h:80").expect("ok").host, "h");
        assert_eq!(parse_endpoint("https://h/s3/").expect("ok").base_path, "/s3");
        assert_eq!(parse_endpoint("http://[::1]:9000").expect("ok").host, "[::1]:9000");
        for bad in [
            "",
            "minio:9000",
            "ftp://h",
            "http://",
            "http://u:p@h",
            "http://h:99999",
            "http://h:x",
            "http://h?x",
            "http://h/../x",
        ] {
            assert!(parse_endpoint(bad).is_err(), "{bad}");
        }
    }
}
