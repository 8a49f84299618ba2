//! AWS Signature Version 4 for S3 (path style), as MinIO and the presign endpoint use it:
//! query-string presigning and header signing. Public so that tests can sign their own requests.

use crate::util::{hex, utc_parts};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::time::SystemTime;

/// The `x-amz-content-sha256` / canonical payload of a presigned URL.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Access key, secret key and region of one S3 identity.
#[derive(Clone, Debug)]
pub struct Keys {
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
}

/// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, `/` kept when
/// `keep_slash` (object keys in paths), everything else `%XX` upper-case.
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; the error branch cannot happen.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// (`YYYYMMDD`, `YYYYMMDDTHHMMSSZ`).
fn amz_dates(t: SystemTime) -> (String, String) {
    let (y, mo, d, h, mi, s, _) = utc_parts(t);
    let date = format!("{y:04}{mo:02}{d:02}");
    let stamp = format!("{date}T{h:02}{mi:02}{s:02}Z");
    (date, stamp)
}

fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn signature(keys: &Keys, date: &str, stamp: &str, canonical_request: &str) -> String {
    let scope = format!("{date}/{}/s3/aws4_request", keys.region);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let k = hmac(
        format!("AWS4{}", keys.secret_key).as_bytes(),
        date.as_bytes(),
    );
    let k = hmac(&k, keys.region.as_bytes());
    let k = hmac(&k, b"s3");
    let k = hmac(&k, b"aws4_request");
    hex(&hmac(&k, to_sign.as_bytes()))
}

/// A presigned URL: `endpoint` is `http://host:port`, `path` the unencoded `/bucket/key`,
/// `query` extra parameters (e.g. `list-type=2`), valid `expires_secs` from `now`.
/// Only `host` is signed, so any other header may be sent with it.
pub fn presign_url(
    endpoint: &str,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    keys: &Keys,
    expires_secs: u64,
    now: SystemTime,
) -> String {
    let host = endpoint
        .split_once("://")
        .map(|(_, h)| h)
        .unwrap_or(endpoint)
        .trim_end_matches('/');
    let (date, stamp) = amz_dates(now);
    let mut q: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    q.push(("X-Amz-Algorithm".into(), "AWS4-HMAC-SHA256".into()));
    q.push((
        "X-Amz-Credential".into(),
        format!("{}/{date}/{}/s3/aws4_request", keys.access_key, keys.region),
    ));
    q.push(("X-Amz-Date".into(), stamp.clone()));
    q.push(("X-Amz-Expires".into(), expires_secs.to_string()));
    q.push(("X-Amz-SignedHeaders".into(), "host".into()));
    let cq = canonical_query(&q);
    let cpath = uri_encode(path, true);
    let creq = format!("{method}\n{cpath}\n{cq}\nhost:{host}\n\nhost\n{UNSIGNED_PAYLOAD}");
    let sig = signature(keys, &date, &stamp, &creq);
    format!("{endpoint}{cpath}?{cq}&X-Amz-Signature={sig}")
}

/// Headers that sign a request in the `Authorization` header: returns `Authorization`,
/// `x-amz-date` and `x-amz-content-sha256` to add. `headers` are extra headers to sign
/// (besides `host`); `path` is unencoded.
#[allow(clippy::too_many_arguments)]
pub fn sign_headers(
    method: &str,
    host: &str,
    path: &str,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
    payload: &[u8],
    keys: &Keys,
    now: SystemTime,
) -> Vec<(String, String)> {
    let (date, stamp) = amz_dates(now);
    let payload_hash = sha256_hex(payload);
    let mut h: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    h.push(("host".into(), host.to_string()));
    h.push(("x-amz-date".into(), stamp.clone()));
    h.push(("x-amz-content-sha256".into(), payload_hash.clone()));
    h.sort();
    let canonical_headers: String = h.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed: Vec<&str> = h.iter().map(|(k, _)| k.as_str()).collect();
    let signed = signed.join(";");
    let q: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let creq = format!(
        "{method}\n{}\n{}\n{canonical_headers}\n{signed}\n{payload_hash}",
        uri_encode(path, true),
        canonical_query(&q)
    );
    let sig = signature(keys, &date, &stamp, &creq);
    vec![
        (
            "Authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{date}/{}/s3/aws4_request, SignedHeaders={signed}, Signature={sig}",
                keys.access_key, keys.region
            ),
        ),
        ("x-amz-date".into(), stamp),
        ("x-amz-content-sha256".into(), payload_hash),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    /// The presigned GET example of the AWS S3 SigV4 documentation.
    #[test]
    fn aws_presign_example() {
        let keys = Keys {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            region: "us-east-1".into(),
        };
        // 2013-05-24T00:00:00Z
        let now = UNIX_EPOCH + Duration::from_secs(1_369_353_600);
        let url = presign_url(
            "https://examplebucket.s3.amazonaws.com",
            "GET",
            "/test.txt",
            &[],
            &keys,
            86_400,
            now,
        );
        assert!(url.ends_with(
            "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        ));
        assert!(url.contains(
            "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        ));
    }

    /// The GET Object example (with Range) of the AWS S3 SigV4 header-signing documentation.
    #[test]
    fn aws_header_example() {
        let keys = Keys {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            region: "us-east-1".into(),
        };
        let now = UNIX_EPOCH + Duration::from_secs(1_369_353_600);
        let h = sign_headers(
            "GET",
            "examplebucket.s3.amazonaws.com",
            "/test.txt",
            &[],
            &[("Range", "bytes=0-9")],
            b"",
            &keys,
            now,
        );
        assert!(h[0].1.ends_with(
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        ));
    }

    #[test]
    fn encoding() {
        assert_eq!(uri_encode("in/a b+c.jpg", true), "in/a%20b%2Bc.jpg");
        assert_eq!(uri_encode("a/b", false), "a%2Fb");
    }
}
