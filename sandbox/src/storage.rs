//! Object storage like OSCAR's MinIO (OSCAR-API.md §8): a real S3 server (`s3s` over `s3s-fs`
//! in a temp dir) that checks SigV4 with the keys of `/system/config`, answers CORS as MinIO
//! does, and tells the job runner when an object is created (MinIO's bucket notification).

pub(crate) use crate::store::{keys, valid_bucket_name, ObjectInfo, Store, ACCESS_KEY, REGION, SECRET_KEY};
use crate::state::Shared;
use crate::jobs;
use crate::util::{hex, percent_decode, random_bytes, response, set_header, Resp};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use std::sync::atomic::Ordering;
use std::sync::Arc;

const EXPOSE_HEADERS: &str =
    "ETag, Date, Content-Length, Content-Type, Last-Modified, x-amz-request-id, x-amz-version-id";

fn query_has(query: Option<&str>, name: &str) -> bool {
    query.is_some_and(|q| {
        q.split('&')
            .any(|p| p.split('=').next().is_some_and(|k| k == name))
    })
}

fn s3_error(status: StatusCode, code: &str, message: &str) -> Resp {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    response(status, Some("application/xml"), body)
}

fn add_cors(r: &mut Resp, origin: &str) {
    for name in [
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-expose-headers",
        "access-control-allow-methods",
        "access-control-allow-headers",
    ] {
        r.headers_mut().remove(name);
    }
    set_header(r, "access-control-allow-origin", origin);
    set_header(r, "vary", "Origin");
    set_header(r, "access-control-allow-credentials", "true");
    set_header(r, "access-control-expose-headers", EXPOSE_HEADERS);
}

/// One request on the S3 port.
pub(crate) async fn handle(
    state: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Resp, std::io::Error> {
    let store = &state.store;
    let cors = store.cors.load(Ordering::SeqCst);
    let origin = req
        .headers()
        .get("origin")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let method = req.method().clone();
    if method == Method::OPTIONS {
        if !cors {
            return Ok(s3_error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "CORS is not enabled for this server",
            ));
        }
        let mut r = response(StatusCode::NO_CONTENT, None, Bytes::new());
        add_cors(&mut r, origin.as_deref().unwrap_or("*"));
        set_header(
            &mut r,
            "access-control-allow-methods",
            "GET, PUT, HEAD, POST, DELETE",
        );
        if let Some(h) = req
            .headers()
            .get("access-control-request-headers")
            .and_then(|v| v.to_str().ok())
        {
            set_header(&mut r, "access-control-allow-headers", h);
        }
        return Ok(r);
    }

    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    if method == Method::GET && !path.trim_matches('/').is_empty() && !path.trim_matches('/').contains('/') {
        store.list_requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    let resp = match store.service.call(req.map(s3s::Body::from)).await {
        Ok(r) => r,
        Err(_) => {
            return Ok(s3_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "We encountered an internal error, please try again.",
            ))
        }
    };
    let (parts, body) = resp.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return Err(std::io::Error::other(e.to_string())),
    };
    // ListObjects(V2) of a bucket: fill in the ETags.
    let bucket_only = path.trim_matches('/');
    let body = if method == Method::GET
        && parts.status == StatusCode::OK
        && !bucket_only.is_empty()
        && !bucket_only.contains('/')
        && body.windows(10).any(|w| w == b"<Contents>")
    {
        let xml = String::from_utf8_lossy(&body);
        let url_encoded = query
            .as_deref()
            .is_some_and(|q| q.split('&').any(|p| p == "encoding-type=url"));
        Bytes::from(store.add_list_etags(&percent_decode(bucket_only), &xml, url_encoded))
    } else {
        body
    };
    let mut r = response(parts.status, None, body);
    *r.headers_mut() = parts.headers;
    if method != Method::HEAD {
        // The body is whole here (and may have been rewritten): hyper sets the length.
        r.headers_mut().remove("content-length");
    }
    if !r.headers().contains_key("x-amz-request-id") {
        let id = hex(&random_bytes(8)).to_ascii_uppercase();
        set_header(&mut r, "x-amz-request-id", &id);
    }
    set_header(&mut r, "server", "MinIO");
    if cors {
        if let Some(o) = origin.as_deref() {
            add_cors(&mut r, o);
        }
    }

    // MinIO's s3:ObjectCreated:* notifications (Put, Copy, CompleteMultipartUpload).
    if r.status() == StatusCode::OK {
        let q = query.as_deref();
        let (bucket, key) = match path.trim_start_matches('/').split_once('/') {
            Some((b, k)) => (percent_decode(b), percent_decode(k)),
            None => (String::new(), String::new()),
        };
        let created = !key.is_empty()
            && !key.ends_with('/')
            && match method {
                Method::PUT => ![
                    "partNumber",
                    "uploadId",
                    "acl",
                    "tagging",
                    "retention",
                    "legal-hold",
                ]
                .iter()
                .any(|n| query_has(q, n)),
                Method::POST => query_has(q, "uploadId"),
                _ => false,
            };
        if created {
            jobs::object_created(&state, &bucket, &key, None);
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::safe_key;

    #[test]
    fn bucket_names() {
        assert!(valid_bucket_name("grayify"));
        assert!(valid_bucket_name("a.b-c1"));
        assert!(!valid_bucket_name("ab"));
        assert!(!valid_bucket_name("Upper"));
        assert!(!valid_bucket_name("a..b"));
        assert!(!valid_bucket_name("-ab"));
        assert!(!valid_bucket_name("a/b"));
    }

    #[test]
    fn keys_and_decoding() {
        assert!(safe_key("in/x.jpg"));
        assert!(!safe_key("../x"));
        assert!(!safe_key("/x"));
        assert_eq!(percent_decode("in/a%20b%2B.jpg"), "in/a b+.jpg");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
