//! A tiny raw HTTP/1.1 client and sandbox helpers shared by the integration tests.
#![allow(dead_code)]

use base64::Engine;
use oscar_sandbox::{Options, Sandbox};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

pub fn host_port(url: &str) -> &str {
    url.strip_prefix("http://").expect("http url")
}

/// One request on a fresh connection (`Connection: close`), read to EOF.
pub async fn raw(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Reply> {
    let mut s = TcpStream::connect(host_port(url)).await?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        host_port(url),
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await?;
    s.write_all(body).await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no response head")
        })?;
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok(Reply {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
    })
}

pub async fn req(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    raw(url, method, path, headers, body)
        .await
        .expect("HTTP exchange")
}

pub fn basic(sb: &Sandbox) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            sb.username(),
            sb.password()
        ))
    )
}

pub async fn get_auth(sb: &Sandbox, path: &str) -> Reply {
    let auth = basic(sb);
    req(&sb.url(), "GET", path, &[("Authorization", &auth)], b"").await
}

pub async fn start(opts: Options) -> Sandbox {
    Sandbox::start(opts).await.expect("sandbox starts")
}

/// The service's token, read with basic auth like the real clients do.
pub async fn token(sb: &Sandbox, service: &str) -> String {
    get_auth(sb, &format!("/system/services/{service}"))
        .await
        .json()["token"]
        .as_str()
        .expect("token")
        .to_string()
}

/// `POST /run/<service>` with the service token and an optional Content-Type.
pub async fn run(sb: &Sandbox, service: &str, content_type: Option<&str>, body: &[u8]) -> Reply {
    let bearer = format!("Bearer {}", token(sb, service).await);
    let mut h = vec![("Authorization", bearer.as_str())];
    if let Some(ct) = content_type {
        h.push(("Content-Type", ct));
    }
    req(&sb.url(), "POST", &format!("/run/{service}"), &h, body).await
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim_end_matches('\n'))
        .expect("base64 payload")
}
