//! The S3 (MinIO) port, buckets, presign, and asynchronous jobs, over real HTTP on 127.0.0.1.

mod common;

use common::{basic, get_auth, req, start, token, Reply};
use oscar_sandbox::sigv4::{self, uri_encode};
use oscar_sandbox::{fixtures, Options, Sandbox};
use serde_json::{json, Value};
use std::time::{Duration, Instant, SystemTime};

fn quick() -> Options {
    Options {
        job_delay_ms: 150,
        ..Options::default()
    }
}

/// Split a presigned URL into (base, path-and-query) for the raw client.
fn split_url(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").expect("http url");
    let slash = rest.find('/').expect("path");
    (
        format!("http://{}", &rest[..slash]),
        rest[slash..].to_string(),
    )
}

async fn post_json(sb: &Sandbox, path: &str, body: &Value) -> Reply {
    let auth = basic(sb);
    req(
        &sb.url(),
        "POST",
        path,
        &[
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    )
    .await
}

async fn delete_auth(sb: &Sandbox, path: &str) -> Reply {
    let auth = basic(sb);
    req(&sb.url(), "DELETE", path, &[("Authorization", &auth)], b"").await
}

/// Ask the presign endpoint for a URL.
async fn presign(sb: &Sandbox, bucket: &str, key: &str, op: &str) -> Value {
    let r = post_json(
        sb,
        &format!("/system/buckets/{bucket}/presign"),
        &json!({"object_key": key, "operation": op, "expires_in": 900, "content_type": "image/png"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

/// Upload through a presigned PUT from the endpoint, like the app does.
async fn upload(sb: &Sandbox, bucket: &str, key: &str, body: &[u8]) -> Reply {
    let p = presign(sb, bucket, key, "upload").await;
    let (base, path) = split_url(p["url"].as_str().expect("url"));
    req(&base, "PUT", &path, &[("Content-Type", "image/png")], body).await
}

/// A header-signed S3 request (SigV4 `Authorization`).
async fn s3(sb: &Sandbox, method: &str, path: &str, query: &[(&str, &str)], body: &[u8]) -> Reply {
    let url = sb.s3_url();
    let host = url.strip_prefix("http://").expect("http");
    let signed = sigv4::sign_headers(
        method,
        host,
        path,
        query,
        &[],
        body,
        &sb.minio_keys(),
        SystemTime::now(),
    );
    let headers: Vec<(&str, &str)> = signed
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut target = uri_encode(path, true);
    if !query.is_empty() {
        let q: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", uri_encode(k, false), uri_encode(v, false)))
            .collect();
        target = format!("{target}?{}", q.join("&"));
    }
    req(&url, method, &target, &headers, body).await
}

async fn jobs_of(sb: &Sandbox, service: &str) -> Value {
    let r = get_auth(sb, &format!("/system/logs/{service}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

/// Poll until the service has `n` jobs, all finished; returns the job map.
async fn wait_finished(sb: &Sandbox, service: &str, n: usize) -> serde_json::Map<String, Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = jobs_of(sb, service).await;
        let jobs = v["jobs"].as_object().cloned().unwrap_or_default();
        let done = jobs
            .values()
            .filter(|j| matches!(j["status"].as_str(), Some("Succeeded" | "Failed")))
            .count();
        if jobs.len() >= n && done == jobs.len() {
            return jobs;
        }
        assert!(Instant::now() < deadline, "jobs of {service} not done: {v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn config_points_at_the_s3_server_with_its_keys() {
    let sb = start(quick()).await;
    let cfg = get_auth(&sb, "/system/config").await.json();
    let m = &cfg["minio_provider"];
    assert_eq!(m["endpoint"], json!(sb.s3_url()));
    assert_eq!(sb.minio_endpoint(), sb.s3_url());
    assert_ne!(sb.s3_url(), sb.url());
    let keys = sb.minio_keys();
    assert_eq!(m["access_key"], json!(keys.access_key));
    assert_eq!(m["secret_key"], json!(keys.secret_key));
    assert_eq!(m["region"], json!("us-east-1"));
    assert_eq!(keys.access_key, "minioadmin");
    assert_eq!(keys.secret_key, "minioadmin-secret");
}

#[tokio::test]
async fn presigned_put_is_accepted_and_bad_auth_is_403() {
    let sb = start(quick()).await;
    let r = post_json(
        &sb,
        "/system/buckets",
        &json!({"bucket_name": "scratch", "visibility": "private", "allowed_users": []}),
    )
    .await;
    assert_eq!(r.status, 201);
    assert!(r.body.is_empty());

    let p = presign(&sb, "scratch", "dir/a b+c.png", "upload").await;
    assert_eq!(p["method"], "PUT");
    assert_eq!(p["object_key"], "dir/a b+c.png");
    assert_eq!(p["operation"], "upload");
    assert_eq!(p["headers"]["Content-Type"], "image/png");
    let expires = p["expires_at"].as_str().expect("expires_at");
    assert!(expires.ends_with('Z') && expires.contains('T'), "{expires}");
    let url = p["url"].as_str().expect("url");
    assert!(url.starts_with(&format!("{}/scratch/dir/a%20b%2Bc.png?", sb.s3_url())));
    assert!(url.contains("X-Amz-Signature="));

    let body = fixtures::png(4, 4, [10, 200, 30]);
    let (base, path) = split_url(url);
    let put = req(&base, "PUT", &path, &[("Content-Type", "image/png")], &body).await;
    assert_eq!(put.status, 200, "{}", put.text());
    assert!(put.header("etag").is_some());
    assert!(put.header("date").is_some(), "S3 answers carry Date");

    // Download with a presigned GET.
    let g = presign(&sb, "scratch", "dir/a b+c.png", "download").await;
    assert_eq!(g["method"], "GET");
    let (base, path) = split_url(g["url"].as_str().expect("url"));
    let got = req(&base, "GET", &path, &[], b"").await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, body);
    assert_eq!(got.header("content-type"), Some("image/png"));
    assert!(got.header("last-modified").is_some());

    // Header-signed requests work too.
    let h = s3(&sb, "GET", "/scratch/dir/a b+c.png", &[], b"").await;
    assert_eq!(h.status, 200);
    assert_eq!(h.body, body);

    // Unsigned → 403.
    let anon = req(&sb.s3_url(), "PUT", "/scratch/x.txt", &[], b"hi").await;
    assert_eq!(anon.status, 403, "{}", anon.text());
    let anon = req(&sb.s3_url(), "GET", "/scratch/dir/a%20b%2Bc.png", &[], b"").await;
    assert_eq!(anon.status, 403);

    // A tampered signature → 403 SignatureDoesNotMatch.
    let p = presign(&sb, "scratch", "other.png", "upload").await;
    let url = p["url"].as_str().expect("url");
    let cut = url.len() - 4;
    let bad = format!("{}0000", &url[..cut]);
    let bad = if bad == url {
        format!("{}1111", &url[..cut])
    } else {
        bad
    };
    let (base, path) = split_url(&bad);
    let r = req(&base, "PUT", &path, &[], b"x").await;
    assert_eq!(r.status, 403);
    assert!(r.text().contains("SignatureDoesNotMatch"), "{}", r.text());
    // ...and a PUT to another key with a valid URL of a different key is refused too.
    let (base, path) = split_url(url);
    let path = path.replace("/other.png", "/evil.png");
    let r = req(&base, "PUT", &path, &[], b"x").await;
    assert_eq!(r.status, 403);
    assert!(r.text().contains("SignatureDoesNotMatch"));
}

#[tokio::test]
async fn presign_endpoint_errors_and_switch() {
    let sb = start(quick()).await;
    for exp in [0, -5, 604_801] {
        let r = post_json(
            &sb,
            "/system/buckets/grayify/presign",
            &json!({"object_key": "in/x.png", "operation": "upload", "expires_in": exp}),
        )
        .await;
        assert_eq!(r.status, 400, "expires_in {exp}");
    }
    let r = post_json(
        &sb,
        "/system/buckets/grayify/presign",
        &json!({"object_key": "in/x.png", "operation": "upload", "expires_in": 604_800}),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = post_json(
        &sb,
        "/system/buckets/no-such-bucket/presign",
        &json!({"object_key": "x", "operation": "download", "expires_in": 60}),
    )
    .await;
    assert_eq!(r.status, 404);
    let r = post_json(
        &sb,
        "/system/buckets/grayify/presign",
        &json!({"object_key": "x", "operation": "move", "expires_in": 60}),
    )
    .await;
    assert_eq!(r.status, 400);
    // Basic auth is required.
    let r = req(
        &sb.url(),
        "POST",
        "/system/buckets/grayify/presign",
        &[],
        br#"{"object_key":"x","operation":"upload"}"#,
    )
    .await;
    assert_eq!(r.status, 401);

    sb.set_presign(false);
    let r = post_json(
        &sb,
        "/system/buckets/grayify/presign",
        &json!({"object_key": "in/x.png", "operation": "upload", "expires_in": 60}),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.text(), "404 page not found");

    let sb = start(Options {
        presign: false,
        ..quick()
    })
    .await;
    let r = post_json(
        &sb,
        "/system/buckets/grayify/presign",
        &json!({"object_key": "in/x.png", "operation": "upload", "expires_in": 60}),
    )
    .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn s3_cors_like_minio_and_off() {
    let sb = start(quick()).await;
    let origin = "http://127.0.0.1:8000";
    let r = req(
        &sb.s3_url(),
        "OPTIONS",
        "/grayify/in/x.png",
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "PUT"),
            (
                "Access-Control-Request-Headers",
                "authorization,content-type,x-amz-date,x-amz-content-sha256",
            ),
        ],
        b"",
    )
    .await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some(origin));
    assert_eq!(r.header("vary"), Some("Origin"));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("GET, PUT, HEAD, POST, DELETE")
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("authorization,content-type,x-amz-date,x-amz-content-sha256")
    );

    // Actual responses (even errors) echo the origin and expose ETag & co.
    let r = req(
        &sb.s3_url(),
        "GET",
        "/grayify?list-type=2",
        &[("Origin", origin)],
        b"",
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("access-control-allow-origin"), Some(origin));
    let expose = r
        .header("access-control-expose-headers")
        .unwrap_or_default();
    for h in [
        "ETag",
        "Date",
        "Content-Length",
        "Last-Modified",
        "x-amz-request-id",
    ] {
        assert!(expose.contains(h), "{expose}");
    }
    assert!(r.header("date").is_some());
    let body = fixtures::png(2, 2, [1, 2, 3]);
    let p = presign(&sb, "grayify", "in/cors.png", "upload").await;
    let (base, path) = split_url(p["url"].as_str().expect("url"));
    let put = req(&base, "PUT", &path, &[("Origin", origin)], &body).await;
    assert_eq!(put.status, 200);
    assert_eq!(put.header("access-control-allow-origin"), Some(origin));
    assert!(put.header("etag").is_some());
    // No Origin: no CORS headers.
    let r = req(&sb.s3_url(), "GET", "/grayify", &[], b"").await;
    assert!(r.header("access-control-allow-origin").is_none());

    sb.set_s3_cors(false);
    let r = req(
        &sb.s3_url(),
        "OPTIONS",
        "/grayify/in/x.png",
        &[("Origin", origin), ("Access-Control-Request-Method", "PUT")],
        b"",
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(r.header("access-control-allow-origin").is_none());
    let r = req(&sb.s3_url(), "GET", "/grayify", &[("Origin", origin)], b"").await;
    assert!(r.header("access-control-allow-origin").is_none());

    let sb = start(Options {
        s3_cors: false,
        ..quick()
    })
    .await;
    let r = req(
        &sb.s3_url(),
        "OPTIONS",
        "/grayify/x",
        &[("Origin", origin)],
        b"",
    )
    .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn upload_to_grayify_runs_a_job_and_writes_the_output() {
    let sb = start(Options {
        job_delay_ms: 300,
        ..Options::default()
    })
    .await;
    assert_eq!(jobs_of(&sb, "grayify").await, json!({"jobs": {}}));
    let img = fixtures::jpeg(16, 12, [200, 40, 90]);
    let put = upload(&sb, "grayify", "in/photo.jpg", &img).await;
    assert_eq!(put.status, 200);

    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    let (job, info) = loop {
        let v = jobs_of(&sb, "grayify").await;
        let jobs = v["jobs"].as_object().cloned().unwrap_or_default();
        assert!(jobs.len() <= 1, "{v}");
        assert!(v.get("next_page").is_none());
        if let Some((name, j)) = jobs.into_iter().next() {
            let st = j["status"].as_str().unwrap_or_default().to_string();
            if seen.last() != Some(&st) {
                seen.push(st.clone());
            }
            match st.as_str() {
                "Pending" => {
                    assert!(j["creation_time"].is_string());
                    assert!(j.get("start_time").is_none());
                }
                "Running" => assert!(j["start_time"].is_string()),
                _ => {}
            }
            if st == "Succeeded" || st == "Failed" {
                break (name, j);
            }
        }
        assert!(Instant::now() < deadline, "job never finished: {seen:?}");
        tokio::time::sleep(Duration::from_millis(40)).await;
    };
    assert_eq!(seen, ["Pending", "Running", "Succeeded"]);
    assert!(job.starts_with("grayify-") && job.len() == "grayify-".len() + 36);
    for k in ["creation_time", "start_time", "finish_time"] {
        let t = info[k].as_str().expect(k);
        assert!(t.len() == 20 && t.ends_with('Z'), "{k}: {t}");
    }

    // Same name in the output folder, a grayscale PNG.
    let list = s3(
        &sb,
        "GET",
        "/grayify",
        &[("list-type", "2"), ("prefix", "out/")],
        b"",
    )
    .await;
    assert_eq!(list.status, 200, "{}", list.text());
    let xml = list.text();
    assert!(xml.contains("<Key>out/photo.jpg</Key>"), "{xml}");
    assert!(xml.contains("<ETag>"));
    assert!(xml.contains("<LastModified>"));
    assert!(!xml.contains("<Key>in/photo.jpg</Key>"));
    let out = s3(&sb, "GET", "/grayify/out/photo.jpg", &[], b"").await;
    assert_eq!(out.status, 200);
    assert!(out.body.starts_with(b"\x89PNG"));
    assert_eq!(out.header("content-type"), Some("image/png"));

    // The same objects through the OSCAR API.
    let b = get_auth(&sb, "/system/buckets/grayify").await;
    assert_eq!(b.status, 200);
    let b = b.json();
    assert_eq!(b["bucket_name"], "grayify");
    let names: Vec<&str> = b["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .filter_map(|o| o["object_name"].as_str())
        .collect();
    assert_eq!(names, ["in/photo.jpg", "out/photo.jpg"]);
    assert_eq!(b["objects"][0]["size_bytes"], json!(img.len()));
    assert!(b["objects"][0]["last_modified"].is_string());
    assert_eq!(b["is_truncated"], false);
    assert_eq!(b["returned_items"], 2);

    // Logs: supervisor lines and the script's output.
    let r = get_auth(&sb, &format!("/system/logs/grayify/{job}")).await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/plain"));
    let logs = r.text();
    assert!(logs.contains("in/photo.jpg"), "{logs}");
    assert!(logs.contains("Downloading file"), "{logs}");
    assert!(logs.contains("SCRIPT: Invoked Image Grayifier"), "{logs}");
    assert!(
        logs.contains("Uploading file '") && logs.contains("to 'grayify/out/photo.jpg'"),
        "{logs}"
    );
    let ts = get_auth(&sb, &format!("/system/logs/grayify/{job}?timestamps=true"))
        .await
        .text();
    let first = ts.lines().next().unwrap_or_default();
    let (stamp, rest) = first.split_once(' ').expect("timestamp prefix");
    assert!(
        stamp.starts_with("20") && stamp.ends_with('Z') && stamp.contains('T'),
        "{first}"
    );
    assert!(logs.starts_with(rest));
}

#[tokio::test]
async fn outputs_of_the_other_services() {
    let sb = start(Options {
        job_delay_ms: 50,
        ..Options::default()
    })
    .await;
    let img = fixtures::png_gradient(24, 16);
    assert_eq!(
        upload(&sb, "plants", "input/leaf.png", &img).await.status,
        200
    );
    assert_eq!(
        upload(&sb, "imagemagick", "input/pic.png", &img)
            .await
            .status,
        200
    );
    assert_eq!(
        upload(&sb, "tts", "input/note.txt", b"Hello there")
            .await
            .status,
        200
    );
    let csv = fixtures::csv_sample();
    assert_eq!(
        upload(&sb, "table-stats", "input/t.csv", csv.as_bytes())
            .await
            .status,
        200
    );
    // Suffix filters: a .txt in plants/input starts nothing.
    assert_eq!(
        upload(&sb, "plants", "input/readme.txt", b"hi")
            .await
            .status,
        200
    );
    for svc in [
        "plants-classification",
        "imagemagick",
        "text-to-speech",
        "table-stats",
    ] {
        let jobs = wait_finished(&sb, svc, 1).await;
        assert_eq!(jobs.len(), 1, "{svc}");
        let st = jobs.values().next().map(|j| j["status"].clone());
        assert_eq!(st, Some(json!("Succeeded")), "{svc}");
    }
    let keys = |b: &'static str| {
        let sb = &sb;
        async move {
            get_auth(sb, &format!("/system/buckets/{b}")).await.json()["objects"]
                .as_array()
                .expect("objects")
                .iter()
                .filter_map(|o| o["object_name"].as_str().map(str::to_string))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        keys("plants").await,
        ["input/leaf.png", "input/readme.txt", "output/leaf.json"]
    );
    assert_eq!(
        keys("imagemagick").await,
        [
            "input/pic.png",
            "output/pic_edges.png",
            "output/pic_gray.png",
            "output/pic_metrics.json"
        ]
    );
    assert_eq!(keys("tts").await, ["input/note.txt", "output/note.wav"]);
    assert_eq!(
        keys("table-stats").await,
        ["input/t.csv", "output/t_stats.csv"]
    );
    let out = s3(&sb, "GET", "/plants/output/leaf.json", &[], b"").await;
    let v: Value = serde_json::from_slice(&out.body).expect("json");
    assert_eq!(v["labels"].as_array().map(Vec::len), Some(5));
    assert_eq!(v["probabilities"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn multipart_upload_completion_starts_a_job() {
    let sb = start(quick()).await;
    let r = s3(&sb, "POST", "/grayify/in/big.png", &[("uploads", "")], b"").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let xml = r.text();
    let id = xml
        .split("<UploadId>")
        .nth(1)
        .and_then(|s| s.split("</UploadId>").next())
        .expect("upload id")
        .to_string();
    let img = fixtures::png(8, 8, [9, 9, 9]);
    let r = s3(
        &sb,
        "PUT",
        "/grayify/in/big.png",
        &[("partNumber", "1"), ("uploadId", &id)],
        &img,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let etag = r.header("etag").expect("etag").to_string();
    // An uploaded part is not an object yet: no job.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(jobs_of(&sb, "grayify").await["jobs"], json!({}));
    let done = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    );
    let r = s3(
        &sb,
        "POST",
        "/grayify/in/big.png",
        &[("uploadId", &id)],
        done.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let jobs = wait_finished(&sb, "grayify", 1).await;
    assert_eq!(
        jobs.values().next().map(|j| j["status"].clone()),
        Some(json!("Succeeded"))
    );
    let list = s3(
        &sb,
        "GET",
        "/grayify",
        &[("list-type", "2"), ("prefix", "out/")],
        b"",
    )
    .await;
    assert!(list.text().contains("<Key>out/big.png</Key>"));
}

#[tokio::test]
async fn fail_test_job_fails_with_a_traceback() {
    let sb = start(quick()).await;
    let t0 = Instant::now();
    assert_eq!(
        upload(&sb, "fail-test", "in/sample.bin", b"data")
            .await
            .status,
        200
    );
    let jobs = wait_finished(&sb, "fail-test", 1).await;
    assert!(t0.elapsed() >= Duration::from_millis(1500));
    let (name, j) = jobs.iter().next().expect("a job");
    assert_eq!(j["status"], "Failed");
    assert!(j["finish_time"].is_string());
    let logs = get_auth(&sb, &format!("/system/logs/fail-test/{name}"))
        .await
        .text();
    assert!(
        logs.contains("Traceback (most recent call last):"),
        "{logs}"
    );
    assert!(
        logs.trim_end()
            .ends_with("OSError: Unable to open file (file signature not found)"),
        "{logs}"
    );
    let list = s3(
        &sb,
        "GET",
        "/fail-test",
        &[("list-type", "2"), ("prefix", "out/")],
        b"",
    )
    .await;
    assert!(!list.text().contains("<Key>"));
}

#[tokio::test]
async fn job_endpoint_starts_a_job() {
    let sb = start(quick()).await;
    let bearer = format!("Bearer {}", token(&sb, "cowsay").await);
    let r = req(
        &sb.url(),
        "POST",
        "/job/cowsay",
        &[("Authorization", bearer.as_str())],
        br#"{"message":"Moo from a job"}"#,
    )
    .await;
    assert_eq!(r.status, 201);
    assert!(r.body.is_empty());
    let r = req(&sb.url(), "POST", "/job/cowsay", &[], b"x").await;
    assert_eq!(r.status, 401);
    let jobs = wait_finished(&sb, "cowsay", 1).await;
    assert_eq!(jobs.len(), 1);
    let (name, j) = jobs.iter().next().expect("job");
    assert_eq!(j["status"], "Succeeded");
    let logs = get_auth(&sb, &format!("/system/logs/cowsay/{name}"))
        .await
        .text();
    assert!(logs.contains("Moo from a job"), "{logs}");
    assert!(logs.contains("event-file-"), "{logs}");

    // A job without a file name: outputs are named from the stem `input`.
    let bearer = format!("Bearer {}", token(&sb, "text-to-speech").await);
    let r = req(
        &sb.url(),
        "POST",
        "/job/text-to-speech",
        &[("Authorization", bearer.as_str())],
        common::b64(b"Hi from a job").as_bytes(),
    )
    .await;
    assert_eq!(r.status, 201);
    wait_finished(&sb, "text-to-speech", 1).await;
    let list = s3(
        &sb,
        "GET",
        "/tts",
        &[("list-type", "2"), ("prefix", "output/")],
        b"",
    )
    .await;
    assert!(
        list.text().contains("<Key>output/input.wav</Key>"),
        "{}",
        list.text()
    );

    // Bad base64 → the job fails with the supervisor's traceback.
    let bearer = format!("Bearer {}", token(&sb, "echo").await);
    let r = req(
        &sb.url(),
        "POST",
        "/job/echo",
        &[("Authorization", bearer.as_str())],
        b"not base64!",
    )
    .await;
    assert_eq!(r.status, 201);
    let jobs = wait_finished(&sb, "echo", 1).await;
    let (name, j) = jobs.iter().next().expect("job");
    assert_eq!(j["status"], "Failed");
    let logs = get_auth(&sb, &format!("/system/logs/echo/{name}"))
        .await
        .text();
    assert!(
        logs.trim_end()
            .ends_with("cannot be 1 more than a multiple of 4"),
        "{logs}"
    );
}

async fn start_jobs(sb: &Sandbox, service: &str, bodies: &[&[u8]]) {
    let bearer = format!("Bearer {}", token(sb, service).await);
    for b in bodies {
        let r = req(
            &sb.url(),
            "POST",
            &format!("/job/{service}"),
            &[("Authorization", bearer.as_str())],
            b,
        )
        .await;
        assert_eq!(r.status, 201);
    }
}

/// `max_jobs` is the cluster's capacity: never more jobs Running at once,
/// the rest Pending, and every job still ends.
#[tokio::test]
async fn max_jobs_caps_running_jobs_and_all_finish() {
    let sb = start(Options {
        job_delay_ms: 60,
        max_jobs: 2,
        ..Options::default()
    })
    .await;
    start_jobs(&sb, "echo", &[b"SGk=", b"SGk=", b"SGk=", b"SGk=", b"SGk=", b"SGk="]).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut most_running = 0;
    loop {
        let v = jobs_of(&sb, "echo").await;
        let jobs = v["jobs"].as_object().cloned().unwrap_or_default();
        let count = |s: &str| jobs.values().filter(|j| j["status"] == s).count();
        most_running = most_running.max(count("Running"));
        assert!(count("Running") <= 2, "over capacity: {v}");
        if count("Succeeded") == 6 {
            break;
        }
        assert!(Instant::now() < deadline, "jobs did not end: {v}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(most_running, 2, "the capacity was used");
}

#[tokio::test]
async fn job_list_pagination_and_legacy_shape() {
    let sb = start(Options {
        job_delay_ms: 20,
        job_page_size: 2,
        ..Options::default()
    })
    .await;
    start_jobs(&sb, "echo", &[b"SGk=", b"SGk=", b"SGk=", b"SGk=", b"SGk="]).await;
    let mut names = Vec::new();
    let mut page: Option<String> = None;
    let mut remaining = Vec::new();
    loop {
        let path = match &page {
            Some(p) => format!("/system/logs/echo?page={p}"),
            None => "/system/logs/echo".to_string(),
        };
        let r = get_auth(&sb, &path).await;
        assert_eq!(r.status, 200);
        let v = r.json();
        let jobs = v["jobs"].as_object().expect("jobs");
        assert!(jobs.len() <= 2);
        names.extend(jobs.keys().cloned());
        match v.get("next_page").and_then(Value::as_str) {
            Some(p) => {
                remaining.push(v["remaining_jobs"].as_u64().expect("remaining"));
                page = Some(p.to_string());
            }
            None => {
                assert!(v.get("remaining_jobs").is_none());
                break;
            }
        }
    }
    assert_eq!(remaining, [3, 1]);
    assert_eq!(names.len(), 5);
    let mut dedup = names.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 5);
    let r = get_auth(&sb, "/system/logs/echo?page=not-a-token").await;
    assert_eq!(r.status, 400);
    assert_eq!(get_auth(&sb, "/system/logs/nope").await.status, 404);

    let sb = start(Options {
        job_delay_ms: 20,
        job_page_size: 2,
        legacy_jobs: true,
        ..Options::default()
    })
    .await;
    start_jobs(&sb, "echo", &[b"SGk=", b"SGk=", b"SGk="]).await;
    let v = get_auth(&sb, "/system/logs/echo").await.json();
    let map = v.as_object().expect("bare map");
    assert_eq!(map.len(), 3);
    assert!(map.keys().all(|k| k.starts_with("echo-")));
    assert!(map.values().all(|j| j["status"].is_string()));
}

#[tokio::test]
async fn delete_semantics() {
    let sb = start(Options {
        job_delay_ms: 20,
        ..Options::default()
    })
    .await;
    start_jobs(&sb, "echo", &[b"SGk=", b"SGk=", b"not base64!"]).await;
    let jobs = wait_finished(&sb, "echo", 3).await;
    let failed: Vec<&String> = jobs
        .iter()
        .filter(|(_, j)| j["status"] == "Failed")
        .map(|(n, _)| n)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(delete_auth(&sb, "/system/logs/echo").await.status, 204);
    let left = jobs_of(&sb, "echo").await;
    let left: Vec<&String> = left["jobs"].as_object().expect("jobs").keys().collect();
    assert_eq!(left, failed);

    start_jobs(&sb, "echo", &[b"SGk="]).await;
    wait_finished(&sb, "echo", 2).await;
    assert_eq!(
        delete_auth(&sb, "/system/logs/echo?all=true").await.status,
        204
    );
    assert_eq!(jobs_of(&sb, "echo").await, json!({"jobs": {}}));

    start_jobs(&sb, "echo", &[b"SGk="]).await;
    let jobs = wait_finished(&sb, "echo", 1).await;
    let name = jobs.keys().next().expect("job").clone();
    assert_eq!(
        get_auth(&sb, &format!("/system/logs/cowsay/{name}"))
            .await
            .status,
        404
    );
    assert_eq!(
        delete_auth(&sb, &format!("/system/logs/cowsay/{name}"))
            .await
            .status,
        404
    );
    assert_eq!(
        delete_auth(&sb, &format!("/system/logs/echo/{name}"))
            .await
            .status,
        204
    );
    assert_eq!(
        delete_auth(&sb, &format!("/system/logs/echo/{name}"))
            .await
            .status,
        404
    );
    let r = get_auth(&sb, &format!("/system/logs/echo/{name}")).await;
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty());
    assert_eq!(delete_auth(&sb, "/system/logs/nope").await.status, 404);
}

#[tokio::test]
async fn buckets_crud() {
    let sb = start(quick()).await;
    let r = get_auth(&sb, "/system/buckets").await;
    assert_eq!(r.status, 200);
    let list = r.json();
    let arr = list.as_array().expect("array");
    let gray = arr
        .iter()
        .find(|b| b["bucket_name"] == "grayify")
        .expect("service bucket");
    assert_eq!(gray["visibility"], "private");
    assert_eq!(gray["owner"], "cluster_admin");
    assert!(gray["allowed_users"].is_array());
    for b in [
        "plants",
        "imagemagick",
        "tts",
        "table-stats",
        "sleep-test",
        "fail-test",
        "kokoro-tts",
    ] {
        assert!(arr.iter().any(|x| x["bucket_name"] == b), "{b}");
    }

    let body = json!({"bucket_name": "my-data", "visibility": "public", "allowed_users": []});
    assert_eq!(post_json(&sb, "/system/buckets", &body).await.status, 201);
    assert_eq!(post_json(&sb, "/system/buckets", &body).await.status, 409);
    let bad = json!({"bucket_name": "No_Good", "visibility": "private"});
    assert_eq!(post_json(&sb, "/system/buckets", &bad).await.status, 400);
    let bad = json!({"bucket_name": "fine-name", "visibility": "secret"});
    assert_eq!(post_json(&sb, "/system/buckets", &bad).await.status, 400);
    let list = get_auth(&sb, "/system/buckets").await.json();
    let mine = list
        .as_array()
        .expect("array")
        .iter()
        .find(|b| b["bucket_name"] == "my-data")
        .cloned()
        .expect("created");
    assert_eq!(mine["visibility"], "public");
    let r = get_auth(&sb, "/system/buckets/my-data").await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["objects"], json!([]));
    assert_eq!(v["returned_items"], 0);
    // The S3 server sees it.
    assert_eq!(
        s3(&sb, "PUT", "/my-data/k.txt", &[], b"hello").await.status,
        200
    );
    let v = get_auth(&sb, "/system/buckets/my-data").await.json();
    assert_eq!(v["objects"][0]["object_name"], "k.txt");
    assert_eq!(v["objects"][0]["size_bytes"], 5);

    assert_eq!(
        delete_auth(&sb, "/system/buckets/my-data").await.status,
        204
    );
    assert_eq!(
        delete_auth(&sb, "/system/buckets/my-data").await.status,
        404
    );
    assert_eq!(get_auth(&sb, "/system/buckets/my-data").await.status, 404);
    assert_eq!(s3(&sb, "GET", "/my-data/k.txt", &[], b"").await.status, 404);

    // A new service with storage gets its buckets.
    let svc = json!({"name": "new-svc", "image": "alpine", "script": "echo",
                     "input": [{"storage_provider": "minio.default", "path": "fresh-in/data"}],
                     "output": [{"storage_provider": "minio.default", "path": "fresh-out/res"}]});
    assert_eq!(post_json(&sb, "/system/services", &svc).await.status, 201);
    assert_eq!(get_auth(&sb, "/system/buckets/fresh-in").await.status, 200);
    assert_eq!(get_auth(&sb, "/system/buckets/fresh-out").await.status, 200);
    // ... and its uploads run the default (echo) script.
    assert_eq!(
        upload(&sb, "fresh-in", "data/file.txt", b"abc")
            .await
            .status,
        200
    );
    let jobs = wait_finished(&sb, "new-svc", 1).await;
    assert_eq!(
        jobs.values().next().map(|j| j["status"].clone()),
        Some(json!("Succeeded"))
    );
    let out = s3(&sb, "GET", "/fresh-out/res/file.txt", &[], b"").await;
    assert_eq!(out.status, 200);
    assert_eq!(out.body, b"abc");
}

#[tokio::test]
async fn s3_port_option_and_temp_dir_cleanup() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("probe");
    let port = probe.local_addr().expect("addr").port();
    drop(probe);
    let sb = start(Options {
        s3_port: port,
        ..quick()
    })
    .await;
    assert_eq!(sb.s3_url(), format!("http://127.0.0.1:{port}"));
    let r = req(&sb.s3_url(), "GET", "/", &[], b"").await;
    assert_eq!(r.status, 403);
    drop(sb);
    tokio::time::sleep(Duration::from_millis(50)).await;
    // The port is free again once the sandbox is gone.
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err());
}

#[tokio::test]
async fn head_keeps_the_length_and_list_v1_has_etags() {
    let sb = start(quick()).await;
    let body = b"0123456789abcdef".to_vec();
    let put = s3(&sb, "PUT", "/grayify/notes/a&b.txt", &[], &body).await;
    assert_eq!(put.status, 200);
    let etag = put.header("etag").expect("etag").to_string();
    let h = s3(&sb, "HEAD", "/grayify/notes/a&b.txt", &[], b"").await;
    assert_eq!(h.status, 200);
    assert_eq!(h.header("content-length"), Some("16"));
    assert_eq!(h.header("etag"), Some(etag.as_str()));
    let l = s3(&sb, "GET", "/grayify", &[("prefix", "notes/")], b"").await;
    assert_eq!(l.status, 200);
    let xml = l.text();
    assert!(xml.contains("<Key>notes/a&amp;b.txt</Key>"), "{xml}");
    let quoted = etag.replace('"', "&quot;");
    assert!(
        xml.contains(&format!("<ETag>{quoted}</ETag>")),
        "{xml} {etag}"
    );
}
