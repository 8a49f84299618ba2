//! Static file serving for a built SPA (StaticSite and the API port's `/ui/`).

use crate::util::{empty, response, set_header, text, Resp};
use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, StatusCode};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How a [`crate::StaticSite`] serves its directory.
#[derive(Clone, Debug)]
pub(crate) struct SiteConfig {
    pub root: PathBuf,
    /// `/` or `/<prefix>/`: the URL path the directory is served under.
    pub prefix: String,
    /// Added to every response.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Extra files by exact URL path: (content type, body).
    pub files: HashMap<String, (String, Bytes)>,
    /// Unknown non-file paths answer index.html (else 404, with 404.html if there is one).
    pub spa_fallback: bool,
}

impl SiteConfig {
    pub fn new(root: PathBuf) -> SiteConfig {
        SiteConfig {
            root,
            prefix: "/".into(),
            headers: Vec::new(),
            files: HashMap::new(),
            spa_fallback: true,
        }
    }
}

/// `/visor`, `visor/`, `/visor/` → `/visor/`; empty or `/` → `/`.
pub(crate) fn normalize_prefix(prefix: &str) -> String {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        format!("/{trimmed}/")
    }
}

/// One request to a static site: extra files, then the prefix, then the directory.
pub(crate) async fn serve_site(
    cfg: &SiteConfig,
    method: &Method,
    path: &str,
    query: Option<&str>,
    gzip: bool,
) -> Resp {
    let mut r = site_response(cfg, method, path, query, gzip).await;
    for (k, v) in &cfg.headers {
        r.headers_mut().insert(k.clone(), v.clone());
    }
    r
}

async fn site_response(cfg: &SiteConfig, method: &Method, path: &str, query: Option<&str>, gzip: bool) -> Resp {
    if method == Method::GET || method == Method::HEAD {
        if let Some((ct, body)) = cfg.files.get(path) {
            let mut r = response(StatusCode::OK, Some(ct), body.clone());
            if ct.starts_with("text/html") {
                set_header(&mut r, "cache-control", "no-cache");
            }
            return r;
        }
    }
    if cfg.prefix == "/" {
        return serve(
            &cfg.root,
            method,
            path.trim_start_matches('/'),
            cfg.spa_fallback,
            gzip,
        )
        .await;
    }
    let bare = cfg.prefix.trim_end_matches('/');
    if path == bare {
        let mut loc = cfg.prefix.clone();
        if let Some(q) = query {
            loc = format!("{loc}?{q}");
        }
        let mut r = response(
            StatusCode::MOVED_PERMANENTLY,
            Some("text/html; charset=utf-8"),
            format!("<a href=\"{loc}\">Moved Permanently</a>.\n"),
        );
        set_header(&mut r, "location", &loc);
        return r;
    }
    match path.strip_prefix(cfg.prefix.as_str()) {
        Some(rel) => serve(&cfg.root, method, rel, cfg.spa_fallback, gzip).await,
        None => text(StatusCode::NOT_FOUND, "404 page not found"),
    }
}

pub(crate) fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "wav" => "audio/wav",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "xml" => "application/xml",
        "webmanifest" => "application/manifest+json",
        "zip" => "application/zip",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = b.get(i + 1..i + 3)?;
            let h = std::str::from_utf8(h).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn is_file(p: &Path) -> bool {
    tokio::fs::metadata(p).await.is_ok_and(|m| m.is_file())
}

/// Whether a request's `Accept-Encoding` takes gzip (and does not refuse it with `q=0`).
pub(crate) fn accepts_gzip(headers: &hyper::HeaderMap) -> bool {
    headers
        .get_all(hyper::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut bits = part.split(';').map(str::trim);
            let coding = bits.next().unwrap_or_default();
            let refused = bits.any(|b| b.replace(' ', "") == "q=0" || b.replace(' ', "") == "q=0.0");
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

/// A file as it is, or its precompressed `<file>.gz` when the client takes
/// gzip and the build wrote one, as nginx's `gzip_static` does.
async fn send_file(path: &Path, gzip: bool) -> Resp {
    let zipped = {
        let mut p = path.as_os_str().to_owned();
        p.push(".gz");
        PathBuf::from(p)
    };
    let (bytes, encoded) = match (gzip, tokio::fs::read(&zipped).await) {
        (true, Ok(bytes)) => (Ok(bytes), true),
        _ => (tokio::fs::read(path).await, false),
    };
    match bytes {
        Ok(bytes) => {
            let mut r = response(StatusCode::OK, Some(content_type(path)), bytes);
            if encoded {
                set_header(&mut r, "content-encoding", "gzip");
            }
            set_header(&mut r, "vary", "accept-encoding");
            if path.extension().is_some_and(|e| e == "html") {
                set_header(&mut r, "cache-control", "no-cache");
            }
            r
        }
        Err(_) => text(StatusCode::NOT_FOUND, "404 page not found"),
    }
}

/// Serve `rel` (URL path relative to the site root, without leading '/') from `root`.
///
/// Missing paths: a file-like last segment falls back to the root file of that basename
/// (relative asset URLs asked from a deep link), else index.html with 200 (SPA fallback).
/// Without the SPA fallback the host is like GitHub Pages: real files, and for anything
/// else a 404 with the body of `404.html` if the directory has one, else a plain 404.
pub(crate) async fn serve(root: &Path, method: &Method, rel: &str, spa_fallback: bool, gzip: bool) -> Resp {
    if method != Method::GET && method != Method::HEAD {
        let mut r = empty(StatusCode::METHOD_NOT_ALLOWED);
        set_header(&mut r, "allow", "GET, HEAD");
        return r;
    }
    let Some(decoded) = percent_decode(rel) else {
        return text(StatusCode::BAD_REQUEST, "bad request");
    };
    let mut path: PathBuf = root.to_path_buf();
    let mut last = None;
    for seg in decoded.split('/') {
        if seg == ".." || seg.contains('\\') || seg.contains('\0') {
            return text(
                StatusCode::BAD_REQUEST,
                "bad request: path traversal refused",
            );
        }
        if seg.is_empty() || seg == "." {
            continue;
        }
        path.push(seg);
        last = Some(seg);
    }
    if tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_dir()) {
        path.push("index.html");
    }
    if is_file(&path).await {
        return send_file(&path, gzip).await;
    }
    if let Some(seg) = last.filter(|s| spa_fallback && s.contains('.')) {
        let at_root = root.join(seg);
        if is_file(&at_root).await {
            return send_file(&at_root, gzip).await;
        }
    }
    let not_found = root.join("404.html");
    if !spa_fallback {
        if is_file(&not_found).await {
            let mut r = send_file(&not_found, gzip).await;
            *r.status_mut() = StatusCode::NOT_FOUND;
            return r;
        }
        return text(StatusCode::NOT_FOUND, "404 page not found");
    }
    let index = root.join("index.html");
    if is_file(&index).await {
        return send_file(&index, gzip).await;
    }
    if is_file(&not_found).await {
        let mut r = send_file(&not_found, gzip).await;
        *r.status_mut() = StatusCode::OK;
        return r;
    }
    text(StatusCode::NOT_FOUND, "404 page not found")
}
