//! The S3 server's backend (OSCAR-API.md §8): buckets and objects on disk
//! behind `s3s`, with SigV4 keys. The HTTP side (CORS, routing, MinIO
//! quirks, job starts) is `storage`.

use crate::sigv4::{self, Keys};
use crate::util::{hex, percent_decode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::{Method, Request};
use s3s::auth::SimpleAuth;
use s3s::crypto::{Checksum, Md5};
use s3s::service::{S3Service, S3ServiceBuilder};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

pub(crate) const ACCESS_KEY: &str = "minioadmin";
pub(crate) const SECRET_KEY: &str = "minioadmin-secret";
pub(crate) const REGION: &str = "us-east-1";

/// One object as `GET /system/buckets/{b}` lists it.
pub(crate) struct ObjectInfo {
    pub key: String,
    pub size: u64,
    pub modified: SystemTime,
}

pub(crate) struct Store {
    pub(crate) root: PathBuf,
    pub(crate) service: S3Service,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    pub(crate) host: String,
    pub cors: AtomicBool,
    /// Listings of a bucket answered (ListObjects and ListObjectsV2), for the benchmarks.
    pub list_requests: std::sync::atomic::AtomicU64,
}

pub(crate) fn keys() -> Keys {
    Keys {
        access_key: ACCESS_KEY.into(),
        secret_key: SECRET_KEY.into(),
        region: REGION.into(),
    }
}

/// S3 bucket naming rules (3–63 chars of `a-z0-9.-`, alphanumeric at both ends, no `..`).
pub(crate) fn valid_bucket_name(b: &str) -> bool {
    let bytes = b.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'.')
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && !b.contains("..")
}

/// A key that stays inside its bucket directory.
pub(crate) fn safe_key(key: &str) -> bool {
    !key.is_empty()
        && Path::new(key)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

impl Store {
    pub fn new(root: &Path, port: u16, cors: bool) -> std::io::Result<Store> {
        let fs =
            s3s_fs::FileSystem::new(root).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        let mut b = S3ServiceBuilder::new(fs);
        b.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let host = format!("127.0.0.1:{port}");
        Ok(Store {
            root: root.to_path_buf(),
            service: b.build(),
            url: format!("http://{host}"),
            host,
            cors: AtomicBool::new(cors),
            list_requests: std::sync::atomic::AtomicU64::new(0),
        })
    }

    pub(crate) fn bucket_dir(&self, bucket: &str) -> Option<PathBuf> {
        valid_bucket_name(bucket).then(|| self.root.join(bucket))
    }

    pub fn bucket_exists(&self, bucket: &str) -> bool {
        self.bucket_dir(bucket).is_some_and(|d| d.is_dir())
    }

    /// Create a bucket (and a folder in it, like OSCAR's `createBuckets`); Ok(false) if it existed.
    pub fn create_bucket(&self, bucket: &str, folder: Option<&str>) -> std::io::Result<bool> {
        let Some(dir) = self.bucket_dir(bucket) else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "invalid bucket name",
            ));
        };
        let existed = dir.is_dir();
        std::fs::create_dir_all(&dir)?;
        if let Some(f) = folder.map(|f| f.trim_matches('/')).filter(|f| safe_key(f)) {
            std::fs::create_dir_all(dir.join(f))?;
        }
        Ok(!existed)
    }

    /// Remove a bucket and everything in it (with s3s-fs's side files); Ok(false) if there was none.
    pub fn delete_bucket(&self, bucket: &str) -> std::io::Result<bool> {
        match self.bucket_dir(bucket) {
            Some(dir) if dir.is_dir() => {
                std::fs::remove_dir_all(dir)?;
                let side = format!(".bucket-{}.", URL_SAFE_NO_PAD.encode(bucket));
                if let Ok(rd) = std::fs::read_dir(&self.root) {
                    for e in rd.filter_map(Result::ok) {
                        if e.file_name().to_string_lossy().starts_with(&side) {
                            let _ = std::fs::remove_file(e.path());
                        }
                    }
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The ETag (unquoted) s3s-fs recorded for an object, else the MD5 of its content.
    pub(crate) fn etag(&self, bucket: &str, key: &str) -> Option<String> {
        let dir = self.bucket_dir(bucket)?;
        if !safe_key(key) {
            return None;
        }
        let info = self.root.join(format!(
            ".bucket-{}.object-{}.internal.json",
            URL_SAFE_NO_PAD.encode(bucket),
            URL_SAFE_NO_PAD.encode(key)
        ));
        let recorded = std::fs::read(info)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v.get("e_tag").and_then(|e| e.as_str()).map(str::to_string));
        if recorded.is_some() {
            return recorded;
        }
        let data = std::fs::read(dir.join(key)).ok()?;
        Some(hex(&<Md5 as Checksum>::checksum(&data)))
    }

    /// s3s-fs lists objects without `<ETag>`; MinIO (and the app) have one: add it.
    pub(crate) fn add_list_etags(&self, bucket: &str, xml: &str, url_encoded: bool) -> String {
        let mut out = String::with_capacity(xml.len() + 64);
        let mut rest = xml;
        while let Some(start) = rest.find("<Contents>") {
            let Some(len) = rest[start..].find("</Contents>") else {
                break;
            };
            let end = start + len;
            out.push_str(&rest[..start]);
            let block = &rest[start..end];
            let key_end = block.find("</Key>");
            match (block.find("<Key>"), key_end) {
                (Some(k0), Some(k1)) if !block.contains("<ETag>") && k0 + 5 <= k1 => {
                    let raw = xml_unescape(&block[k0 + 5..k1]);
                    let key = if url_encoded {
                        percent_decode(&raw)
                    } else {
                        raw
                    };
                    out.push_str(&block[..k1 + 6]);
                    if let Some(tag) = self.etag(bucket, &key) {
                        out.push_str(&format!("<ETag>&quot;{tag}&quot;</ETag>"));
                    }
                    out.push_str(&block[k1 + 6..]);
                }
                _ => out.push_str(block),
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    pub fn buckets(&self) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(&self.root)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| valid_bucket_name(n))
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    /// Every object of a bucket, sorted by key; None if the bucket does not exist.
    pub fn list_objects(&self, bucket: &str) -> Option<Vec<ObjectInfo>> {
        let dir = self.bucket_dir(bucket).filter(|d| d.is_dir())?;
        let mut out = Vec::new();
        let mut stack = vec![(dir, String::new())];
        while let Some((d, prefix)) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.filter_map(Result::ok) {
                let Ok(name) = e.file_name().into_string() else {
                    continue;
                };
                let Ok(meta) = e.metadata() else { continue };
                let key = format!("{prefix}{name}");
                if meta.is_dir() {
                    stack.push((e.path(), format!("{key}/")));
                } else {
                    out.push(ObjectInfo {
                        key,
                        size: meta.len(),
                        modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Some(out)
    }

    /// The supervisor's download, straight from the backend's files.
    pub async fn read_object(&self, bucket: &str, key: &str) -> std::io::Result<Vec<u8>> {
        match self.bucket_dir(bucket) {
            Some(dir) if safe_key(key) => tokio::fs::read(dir.join(key)).await,
            _ => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "NoSuchKey",
            )),
        }
    }

    /// The supervisor's upload: a SigV4-signed PutObject through the S3 server itself, so the
    /// object gets its ETag, Content-Type and Last-Modified like any other.
    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), String> {
        let path = format!("/{bucket}/{key}");
        let len = bytes.len().to_string();
        let signed = sigv4::sign_headers(
            "PUT",
            &self.host,
            &path,
            &[],
            &[("content-type", content_type)],
            &bytes,
            &keys(),
            SystemTime::now(),
        );
        let mut b = Request::builder()
            .method(Method::PUT)
            .uri(format!("{}{}", self.url, sigv4::uri_encode(&path, true)))
            .header("host", &self.host)
            .header("content-type", content_type)
            .header("content-length", len);
        for (k, v) in &signed {
            b = b.header(k.as_str(), v.as_str());
        }
        let req = b
            .body(s3s::Body::from(Bytes::from(bytes)))
            .map_err(|e| e.to_string())?;
        let resp = self
            .service
            .call(req)
            .await
            .map_err(|_| "S3 request failed".to_string())?;
        if resp.status().is_success() {
            Ok(())
        } else {
            let status = resp.status();
            let body = resp
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            Err(format!(
                "S3 error {}: {}",
                status.as_u16(),
                error_code(&body).unwrap_or_default()
            ))
        }
    }
}

pub(crate) fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// `<Code>...</Code>` of an S3 XML error.
pub(crate) fn error_code(body: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(body);
    let start = s.find("<Code>")? + 6;
    let end = s[start..].find("</Code>")? + start;
    Some(s[start..end].to_string())
}
