//! Real HTTP against a running stand-in on 127.0.0.1, with a tiny raw HTTP/1.1 client.

mod common;

use common::{basic, get_auth, host_port, raw, req, start};
use oscar_sandbox::{ConfigShape, Faults, Impersonate, Options, StaticSite};
use std::path::PathBuf;
use tokio::net::TcpStream;

const CORS_HEADERS: &str =
    "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization";

#[tokio::test]
async fn health_is_open() {
    let sb = start(Options::default()).await;
    assert!(sb.url().starts_with("http://127.0.0.1:"));
    let r = req(&sb.url(), "GET", "/health", &[], b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "Ok");
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/plain"));
}

#[tokio::test]
async fn system_requires_basic_auth_401_empty_with_cors() {
    // OIDC off (OSCAR's default OIDC_ENABLE=false): a Bearer is just failed Basic auth.
    // With OIDC on (the stand-in's default) "Bearer abc" is a 400, see tests/oidc.rs.
    let sb = start(Options {
        oidc: false,
        ..Options::default()
    })
    .await;
    for auth in [None, Some("Basic b3NjYXI6d3Jvbmc="), Some("Bearer abc")] {
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", *a)).collect();
        let r = req(&sb.url(), "GET", "/system/services", &headers, b"").await;
        assert_eq!(r.status, 401);
        assert!(r.body.is_empty());
        assert_eq!(
            r.header("www-authenticate"),
            Some("Basic realm=\"Authorization Required\"")
        );
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
        assert_eq!(r.header("access-control-allow-headers"), Some(CORS_HEADERS));
    }
    let r = get_auth(&sb, "/system/info").await;
    assert_eq!(r.status, 200);
    let info = r.json();
    assert_eq!(info["version"], "v4.1.2-sandbox");
    assert_eq!(info["serverless_backend"]["name"], "Knative");
}

#[tokio::test]
async fn preflight_204_and_cors_toggle() {
    let sb = start(Options::default()).await;
    let r = req(
        &sb.url(),
        "OPTIONS",
        "/system/services",
        &[
            ("Origin", "http://127.0.0.1:8000"),
            ("Access-Control-Request-Method", "GET"),
        ],
        b"",
    )
    .await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("PUT, GET, POST, OPTIONS, DELETE")
    );
    assert_eq!(r.header("access-control-allow-headers"), Some(CORS_HEADERS));
    assert_eq!(r.header("access-control-max-age"), Some("1728000"));
    // 404 and 500 carry the headers too.
    let r = req(&sb.url(), "GET", "/nope", &[], b"").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.text(), "404 page not found");
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));

    sb.set_cors(false);
    let r = req(&sb.url(), "OPTIONS", "/system/services", &[], b"").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = get_auth(&sb, "/system/info").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = req(&sb.url(), "GET", "/health", &[], b"").await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn cors_off_from_options() {
    let sb = start(Options {
        cors: false,
        ..Options::default()
    })
    .await;
    let r = req(&sb.url(), "GET", "/system/info", &[], b"").await;
    assert_eq!(r.status, 401);
    assert!(r
        .headers
        .iter()
        .all(|(k, _)| !k.starts_with("access-control-")));
}

#[tokio::test]
async fn config_shapes() {
    let sb = start(Options::default()).await;
    let c = get_auth(&sb, "/system/config").await.json();
    assert_eq!(c["config"]["serverless_backend"], "knative");
    assert_eq!(c["config"]["oidc_groups"], serde_json::json!([""]));
    assert!(c["allowed_image_repositories"].is_array());
    assert_eq!(c["minio_provider"]["access_key"], "minioadmin");
    assert!(c["minio_provider"]["endpoint"]
        .as_str()
        .unwrap_or_default()
        .starts_with("http://127.0.0.1:"));

    let sb = start(Options {
        config_shape: ConfigShape::V3,
        ..Options::default()
    })
    .await;
    let c = get_auth(&sb, "/system/config").await.json();
    assert!(c["config"].is_object());
    assert!(c["minio_provider"].is_object());
    assert!(c.get("allowed_image_repositories").is_none());

    let sb = start(Options {
        config_shape: ConfigShape::V2,
        serverless_backend: false,
        ..Options::default()
    })
    .await;
    let c = get_auth(&sb, "/system/config").await.json();
    assert!(c.get("config").is_none());
    assert_eq!(c["name"], "oscar");
    assert_eq!(c["minio_provider"]["secret_key"], "minioadmin-secret");
    assert!(c.get("serverless_backend").is_none());
    let info = get_auth(&sb, "/system/info").await.json();
    assert!(info.get("serverless_backend").is_none());
    // No Knative: /run is not routed.
    let r = req(
        &sb.url(),
        "POST",
        "/run/cowsay",
        &[("Authorization", "Bearer x")],
        b"{}",
    )
    .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn services_list_has_realistic_nulls() {
    let sb = start(Options {
        extra_services: 25,
        ..Options::default()
    })
    .await;
    let r = get_auth(&sb, "/system/services").await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("application/json"));
    let list = r.json();
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 18 + 25);
    let by = |n: &str| list.iter().find(|s| s["name"] == n).cloned().expect(n);
    let cowsay = by("cowsay");
    assert!(cowsay["input"].is_null());
    assert!(cowsay["output"].is_null());
    assert!(cowsay["bucket_list"].is_null());
    assert!(cowsay["environment"]["secrets"].is_null());
    assert_eq!(cowsay["environment"]["variables"]["INPUT_TYPE"], "json");
    assert_eq!(cowsay["log_level"], "CRITICAL");
    assert_eq!(cowsay["owner"], "cluster_admin");
    assert_eq!(cowsay["labels"]["oscar_service"], "cowsay");
    assert_eq!(
        cowsay["storage_providers"]["minio"]["default"]["access_key"],
        "hidden"
    );
    assert_eq!(cowsay["volume_status"]["enabled"], false);
    let tok = cowsay["token"].as_str().expect("token");
    assert_eq!(tok.len(), 64);
    assert!(tok
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    let plants = by("plants-classification");
    assert_eq!(plants["input"][0]["path"], "plants/input");
    assert_eq!(
        plants["input"][0]["suffix"],
        serde_json::json!(["jpg", "jpeg", "png"])
    );
    assert_eq!(plants["output"][0]["path"], "plants/output");
    let restricted = by("table-stats");
    assert_eq!(restricted["visibility"], "restricted");
    assert_eq!(
        restricted["allowed_users"].as_array().map(Vec::len),
        Some(2)
    );
    assert!(list.iter().any(|s| s["name"] == "svc-0025"));
}

#[tokio::test]
async fn get_unknown_404_empty_and_invalid_400() {
    let sb = start(Options::default()).await;
    let r = get_auth(&sb, "/system/services/cowsay").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["name"], "cowsay");
    let r = get_auth(&sb, "/system/services/does-not-exist").await;
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty());
    let r = get_auth(&sb, "/system/services/Bad_Name").await;
    assert_eq!(r.status, 400);
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/plain"));
    assert!(!r.body.is_empty());
    // gin's trailing-slash redirects.
    let r = get_auth(&sb, "/system/services/").await;
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some("/system/services"));
    let auth = basic(&sb);
    let r = req(
        &sb.url(),
        "POST",
        "/system/services/",
        &[("Authorization", &auth)],
        b"{}",
    )
    .await;
    assert_eq!(r.status, 307);
}

#[tokio::test]
async fn crud_round_trip() {
    let sb = start(Options::default()).await;
    let auth = basic(&sb);
    let h = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    let def = br##"{"name":"my-svc","image":"alpine","script":"#!/bin/sh\necho hi\n",
        "environment":{"Variables":{"A":"1"}},"expose":{"api_port":8080},"vo":null}"##;
    let r = req(&sb.url(), "POST", "/system/services", &h, def).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(r.body.is_empty());
    let r = req(&sb.url(), "POST", "/system/services", &h, def).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.text(), "A service with the provided name already exists");

    let svc = get_auth(&sb, "/system/services/my-svc").await.json();
    assert_eq!(svc["memory"], "256Mi");
    assert_eq!(svc["cpu"], "0.2");
    assert_eq!(svc["log_level"], "INFO");
    assert_eq!(svc["owner"], "cluster_admin");
    assert_eq!(svc["visibility"], "private");
    assert_eq!(svc["environment"]["variables"]["A"], "1");
    assert_eq!(svc["expose"]["api_port"], serde_json::json!([8080]));
    let token = svc["token"].as_str().expect("token").to_string();

    let bad = br#"{"name":"x-svc","script":"s"}"#;
    let r = req(&sb.url(), "POST", "/system/services", &h, bad).await;
    assert_eq!(r.status, 400);
    assert!(
        r.text()
            .starts_with("The service specification is not valid: "),
        "{}",
        r.text()
    );
    let r = req(&sb.url(), "POST", "/system/services", &h, b"{not json").await;
    assert_eq!(r.status, 400);

    let upd = br##"{"name":"my-svc","image":"alpine:3.20","script":"#!/bin/sh\n","memory":"1Gi"}"##;
    let r = req(&sb.url(), "PUT", "/system/services", &h, upd).await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    let svc = get_auth(&sb, "/system/services/my-svc").await.json();
    assert_eq!(svc["memory"], "1Gi");
    assert_eq!(svc["token"], token.as_str(), "v4 keeps the token on update");
    let upd404 = br#"{"name":"ghost","image":"a","script":"s"}"#;
    let r = req(&sb.url(), "PUT", "/system/services", &h, upd404).await;
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty());

    let r = req(&sb.url(), "DELETE", "/system/services/my-svc", &h, b"").await;
    assert_eq!(r.status, 204);
    let r = req(&sb.url(), "DELETE", "/system/services/my-svc", &h, b"").await;
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty());
    let r = get_auth(&sb, "/system/services/my-svc").await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn run_needs_service_token() {
    let sb = start(Options::default()).await;
    let token = get_auth(&sb, "/system/services/cowsay").await.json()["token"]
        .as_str()
        .expect("token")
        .to_string();
    let body = br#"{"message":"Moo from the sandbox"}"#;
    let r = req(&sb.url(), "POST", "/run/cowsay", &[], body).await;
    assert_eq!(r.status, 401);
    assert!(r.body.is_empty());
    let basic = basic(&sb);
    let r = req(
        &sb.url(),
        "POST",
        "/run/cowsay",
        &[("Authorization", &basic)],
        body,
    )
    .await;
    assert_eq!(r.status, 401, "basic auth is never accepted on /run");
    let wrong = format!("Bearer {}", "0".repeat(64));
    let r = req(
        &sb.url(),
        "POST",
        "/run/cowsay",
        &[("Authorization", &wrong)],
        body,
    )
    .await;
    assert_eq!(r.status, 401);

    let bearer = format!("Bearer {token}");
    let r = req(
        &sb.url(),
        "POST",
        "/run/cowsay",
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        body,
    )
    .await;
    assert_eq!(r.status, 200);
    let t = r.text();
    assert!(t.contains("< Moo from the sandbox >"), "{t}");
    assert!(t.contains("(oo)"));
    assert!(t.ends_with("\n"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.header("x-duration-seconds").is_some());

    // Another service's token does not open cowsay.
    let echo_token = get_auth(&sb, "/system/services/echo").await.json()["token"]
        .as_str()
        .expect("token")
        .to_string();
    let other = format!("Bearer {echo_token}");
    let r = req(
        &sb.url(),
        "POST",
        "/run/cowsay",
        &[("Authorization", &other)],
        body,
    )
    .await;
    assert_eq!(r.status, 401);
    // echo: base64 in, base64 of the same bytes out.
    let r = req(
        &sb.url(),
        "POST",
        "/run/echo",
        &[("Authorization", &other)],
        b"aGVsbG8=",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "aGVsbG8=\n");
    assert_eq!(
        r.header("content-type"),
        None,
        "no request content type, none echoed"
    );
    // /job with the token: 201 empty.
    let r = req(
        &sb.url(),
        "POST",
        "/job/echo",
        &[("Authorization", &other)],
        b"aGVsbG8=",
    )
    .await;
    assert_eq!(r.status, 201);
    assert!(r.body.is_empty());
    let r = req(&sb.url(), "POST", "/job/echo", &[], b"aGVsbG8=").await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn faults() {
    let sb = start(Options::default()).await;
    sb.set_faults(Faults {
        force_status: Some(500),
        ..Faults::default()
    });
    let r = get_auth(&sb, "/system/services").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.text(), "internal server error");
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(req(&sb.url(), "GET", "/health", &[], b"").await.status, 200);
    assert_eq!(
        req(&sb.url(), "OPTIONS", "/system/services", &[], b"")
            .await
            .status,
        204
    );

    sb.set_faults(Faults {
        impersonate: Some(Impersonate::Html),
        ..Faults::default()
    });
    let r = get_auth(&sb, "/system/info").await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));
    assert!(r.text().starts_with("<!doctype html>"));

    sb.set_faults(Faults {
        impersonate: Some(Impersonate::ForeignJson),
        ..Faults::default()
    });
    let r = req(&sb.url(), "GET", "/system/info", &[], b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["message"], "hello");

    sb.set_faults(Faults {
        error_every: 3,
        ..Faults::default()
    });
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(get_auth(&sb, "/system/info").await.status);
    }
    assert_eq!(statuses, vec![200, 200, 503, 200, 200, 503]);

    sb.set_faults(Faults {
        drop_every: 2,
        ..Faults::default()
    });
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        let auth = basic(&sb);
        outcomes.push(match raw(&sb.url(), "GET", "/system/info", &[("Authorization", auth.as_str())], b"").await {
            Ok(r) => r.status.to_string(),
            Err(e) => format!("{:?}", e.kind()),
        });
    }
    assert_eq!(outcomes, ["200", "UnexpectedEof", "200", "UnexpectedEof"]);

    sb.set_faults(Faults {
        drop_connection: true,
        ..Faults::default()
    });
    match raw(&sb.url(), "GET", "/system/info", &[], b"").await {
        Ok(r) => panic!("expected a dropped connection, got {}", r.status),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof),
    }

    sb.set_faults(Faults {
        latency_ms: 300,
        ..Faults::default()
    });
    let t = std::time::Instant::now();
    assert_eq!(get_auth(&sb, "/system/info").await.status, 200);
    assert!(t.elapsed() >= std::time::Duration::from_millis(300));

    sb.set_faults(Faults::default());
    assert_eq!(get_auth(&sb, "/system/info").await.status, 200);
}

fn site_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("oscar-sandbox-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("assets")).expect("mkdir");
    std::fs::write(dir.join("index.html"), "<!doctype html><title>app</title>").expect("write");
    std::fs::write(dir.join("app-123.js"), "console.log(1)").expect("write");
    std::fs::write(dir.join("app-123_bg.wasm"), b"\0asm\x01\0\0\0").expect("write");
    std::fs::write(dir.join("assets/logo.svg"), "<svg/>").expect("write");
    dir
}

#[tokio::test]
async fn static_site_spa_rules() {
    let dir = site_dir("static");
    let site = StaticSite::start(dir.clone(), 0)
        .await
        .expect("site starts");
    let u = site.url();
    let r = req(&u, "GET", "/", &[], b"").await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = req(&u, "GET", "/app-123_bg.wasm", &[], b"").await;
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert_eq!(r.body, b"\0asm\x01\0\0\0");
    let r = req(&u, "GET", "/assets/logo.svg", &[], b"").await;
    assert_eq!(r.header("content-type"), Some("image/svg+xml"));
    // Deep link: SPA fallback to index.html with 200.
    let r = req(&u, "GET", "/services/cowsay", &[], b"").await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("<title>app</title>"));
    // Relative asset from a deep link: served from the root by basename.
    let r = req(&u, "GET", "/services/app-123.js", &[], b"").await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/javascript"));
    assert_eq!(r.text(), "console.log(1)");
    // Traversal refused.
    let r = req(&u, "GET", "/../../etc/passwd", &[], b"").await;
    assert_eq!(r.status, 400);
    let r = req(&u, "GET", "/assets/%2e%2e/%2e%2e/etc/passwd", &[], b"").await;
    assert_eq!(r.status, 400);
    let r = req(&u, "POST", "/", &[], b"").await;
    assert_eq!(r.status, 405);
    drop(site);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn ui_under_api_port() {
    let dir = site_dir("ui");
    let sb = start(Options {
        ui_dir: Some(dir.clone()),
        ..Options::default()
    })
    .await;
    let r = req(&sb.url(), "GET", "/", &[], b"").await;
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/ui/"));
    let r = req(&sb.url(), "GET", "/ui/", &[], b"").await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("<title>app</title>"));
    let r = req(&sb.url(), "GET", "/ui/services/app-123_bg.wasm", &[], b"").await;
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    // Faults do not touch the UI.
    sb.set_faults(Faults {
        force_status: Some(502),
        ..Faults::default()
    });
    assert_eq!(
        req(&sb.url(), "GET", "/ui/jobs", &[], b"").await.status,
        200
    );
    drop(sb);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn drop_stops_server() {
    let sb = start(Options::default()).await;
    let url = sb.url();
    drop(sb);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(TcpStream::connect(host_port(&url)).await.is_err());
}
