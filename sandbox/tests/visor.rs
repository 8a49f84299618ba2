//! What the stand-in offers Visor's interface specs and deployment tests: spec annotations,
//! the two-input DEEPaaS-style service, recorded `/run` bodies, the operator
//! `interfaces.json`, and the StaticSite builder.

mod common;

use common::{b64, get_auth, req, run, start, token, unb64};
use oscar_sandbox::{
    demo_example_files, demo_interfaces_json, fixtures, Options, StaticSite, ANNOTATION,
};
use serde_json::{json, Value};
use std::path::PathBuf;

fn annotation(svc: &Value) -> Option<String> {
    svc["annotations"][ANNOTATION].as_str().map(str::to_string)
}

#[tokio::test]
async fn spec_annotations() {
    let sb = start(Options::default()).await;
    let list = get_auth(&sb, "/system/services").await.json();
    let by = |n: &str| {
        list.as_array()
            .expect("array")
            .iter()
            .find(|s| s["name"] == n)
            .cloned()
            .expect(n)
    };
    let spec = |n: &str| -> Value {
        serde_json::from_str(&annotation(&by(n)).expect("annotation")).expect("spec JSON")
    };

    let k = spec("kokoro-tts");
    assert_eq!(k["visor"], 1);
    assert_eq!(k["mode"], "both");
    let ids: Vec<&str> = k["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["model", "language", "message", "speed", "volume"]);
    assert_eq!(k["inputs"][0]["control"], "select");
    assert_eq!(
        k["inputs"][0]["options"],
        json!(["af_bella", "af_sarah", "am_adam", "bf_emma"])
    );
    assert_eq!(k["inputs"][1]["options"], json!(["en-us", "en-gb", "es"]));
    assert_eq!(k["inputs"][2]["control"], "textarea");
    assert_eq!(
        k["inputs"][2]["default"],
        "This is an audio sample generated using the kokoro-tts service."
    );
    assert_eq!(k["inputs"][3]["control"], "slider");
    assert_eq!(k["inputs"][3]["min"], 0.5);
    assert_eq!(k["inputs"][3]["max"], 2.0);
    assert_eq!(k["inputs"][3]["step"], 0.1);
    assert_eq!(k["inputs"][4]["default"], 3.1);
    assert_eq!(k["request"]["encoding"], "template");
    assert_eq!(
        k["request"]["template"],
        json!({"model":"{{model}}","language":"{{language}}","message":"{{message}}",
               "config":{"speed":"{{speed}}","volume":"{{volume}}","output":"wav"}})
    );
    assert_eq!(k["outputs"], json!([{"kind":"audio","label":"Speech"}]));
    assert_eq!(k["examples"].as_array().map(Vec::len), Some(2));

    let c = spec("image-caption");
    assert_eq!(c["mode"], "sync");
    assert_eq!(c["inputs"][0]["kind"], "image");
    assert_eq!(c["inputs"][0]["accept"], json!(["image/png", "image/jpeg"]));
    assert_eq!(c["inputs"][2]["kind"], "boolean");
    assert_eq!(c["inputs"][2]["default"], false);
    assert_eq!(c["outputs"][0]["kind"], "json");
    assert!(c["outputs"][0].get("pointer").is_none());
    assert_eq!(c["examples"].as_array().map(Vec::len), Some(1));
    let svc = by("image-caption");
    assert!(svc["input"].is_null(), "sync only");
    assert_eq!(svc["log_level"], "CRITICAL");

    let m = spec("imagemagick");
    assert_eq!(m["request"]["encoding"], "base64");
    assert_eq!(m["outputs"][0]["kind"], "zip");
    let entries: Vec<(String, String, String)> = m["outputs"][0]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["match"].as_str().unwrap_or_default().into(),
                e["kind"].as_str().unwrap_or_default().into(),
                e["label"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("*_gray.png".into(), "image".into(), "Grayscale".into()),
            ("*_edges.png".into(), "image".into(), "Edges".into()),
            ("*_metrics.json".into(), "json".into(), "Metrics".into()),
        ]
    );

    let broken = annotation(&by("broken-spec")).expect("broken annotation");
    let b: Value = serde_json::from_str(&broken).expect("still JSON");
    assert_eq!(b["inputs"][0]["kind"], "hologram");

    for plain in [
        "cowsay",
        "grayify",
        "plants-classification",
        "plants-classification-sync",
        "text-to-speech",
        "table-stats",
        "echo",
    ] {
        assert_eq!(annotation(&by(plain)), None, "{plain} has no spec");
    }
}

/// The template of image-caption filled in, like Visor does.
fn caption_body(png: &[u8], caption: &str, shout: bool) -> Vec<u8> {
    json!({
        "oscar-files": [{"key": "image", "file_format": "png", "data": b64(png)}],
        "caption": caption,
        "shout": shout
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn image_caption_runs_the_template_body() {
    let sb = start(Options::default()).await;
    let png = fixtures::png(6, 4, [10, 200, 30]);
    let body = caption_body(&png, "a green field", true);
    let r = run(&sb, "image-caption", Some("application/json"), &body).await;
    assert_eq!(r.status, 200);
    let result: Value = serde_json::from_slice(&unb64(&r.text())).expect("result.json");
    assert_eq!(
        result,
        json!({"caption": "A GREEN FIELD", "width": 6, "height": 4, "mean_rgb": [10.0, 200.0, 30.0]})
    );
    assert_eq!(sb.last_run_body("image-caption"), Some(body));

    let body = caption_body(&fixtures::jpeg(9, 5, [200, 40, 90]), "quiet", false);
    let r = run(&sb, "image-caption", None, &body).await;
    let result: Value = serde_json::from_slice(&unb64(&r.text())).expect("result.json");
    assert_eq!(result["caption"], "quiet");
    assert_eq!(result["width"], 9);

    // Broken input: the script's traceback, no file.
    let r = run(&sb, "image-caption", None, br#"{"caption":"x"}"#).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("KeyError: 'oscar-files'"), "{}", r.text());

    // The spec's own example expectation holds for its example file.
    let (path, _, leaf) = demo_example_files()
        .into_iter()
        .find(|(p, _, _)| p == "examples/leaf.png")
        .expect("leaf example");
    assert_eq!(path, "examples/leaf.png");
    let r = run(
        &sb,
        "image-caption",
        None,
        &caption_body(&leaf, "a green leaf", true),
    )
    .await;
    let got: Value = serde_json::from_slice(&unb64(&r.text())).expect("result.json");
    let svc = get_auth(&sb, "/system/services/image-caption").await.json();
    let spec: Value = serde_json::from_str(&annotation(&svc).expect("spec")).expect("spec");
    let want: Value = serde_json::from_str(
        spec["examples"][0]["expected"]["text"]
            .as_str()
            .expect("expected text"),
    )
    .expect("expected JSON");
    assert_eq!(got, want);
}

#[tokio::test]
async fn last_run_body_is_exact() {
    let sb = start(Options::default()).await;
    assert_eq!(sb.last_run_body("kokoro-tts"), None);
    let body = br#"{"model":"bf_emma","language":"en-gb","message":"Hi","config":{"speed":0.7,"volume":3.1,"output":"wav"}}"#;
    let r = run(&sb, "kokoro-tts", Some("application/json"), body).await;
    assert_eq!(r.status, 200);
    assert_eq!(sb.last_run_body("kokoro-tts").as_deref(), Some(&body[..]));
    // Bytes as received, not re-encoded; the latest wins; refused requests count too.
    let odd = b"  {\"message\" : \"\xc3\xa9\"}\n";
    run(&sb, "kokoro-tts", None, odd).await;
    assert_eq!(sb.last_run_body("kokoro-tts").as_deref(), Some(&odd[..]));
    let r = req(&sb.url(), "POST", "/run/kokoro-tts", &[], b"no auth").await;
    assert_eq!(r.status, 401);
    assert_eq!(
        sb.last_run_body("kokoro-tts").as_deref(),
        Some(&b"no auth"[..])
    );
    // Per service; /job bodies are kept apart.
    assert_eq!(sb.last_run_body("echo"), None);
    let t = format!("Bearer {}", token(&sb, "echo").await);
    let r = req(
        &sb.url(),
        "POST",
        "/job/echo",
        &[("Authorization", &t)],
        b"aGk=",
    )
    .await;
    assert_eq!(r.status, 201);
    assert_eq!(sb.last_job_body("echo").as_deref(), Some(&b"aGk="[..]));
    assert_eq!(sb.last_run_body("echo"), None);
    assert_eq!(sb.last_run_body("no-such-service"), None);
}

#[tokio::test]
async fn kokoro_takes_the_filled_template() {
    let sb = start(Options::default()).await;
    let body = br#"{"model":"bf_emma","language":"en-gb","message":"Good morning","config":{"speed":0.7,"volume":3.1,"output":"wav"}}"#;
    let r = run(&sb, "kokoro-tts", Some("application/json"), body).await;
    let wav = unb64(&r.text());
    assert!(wav.starts_with(b"RIFF"));
}

fn site_dir(tag: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("oscar-sandbox-visor-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("assets")).expect("mkdir");
    std::fs::write(dir.join("index.html"), "<!doctype html><title>app</title>").expect("write");
    std::fs::write(dir.join("app-1.js"), "console.log(1)").expect("write");
    std::fs::write(dir.join("interfaces.json"), "{\"stale\":true}").expect("write");
    dir
}

#[tokio::test]
async fn ui_serves_the_demo_interfaces_json() {
    let dir = site_dir("ui");
    let sb = start(Options {
        ui_dir: Some(dir.clone()),
        ..Options::default()
    })
    .await;
    let r = req(&sb.url(), "GET", "/ui/interfaces.json", &[], b"").await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("application/json"));
    assert_eq!(
        r.text(),
        demo_interfaces_json(),
        "overrides the ui dir's file"
    );
    let v = r.json();
    assert_eq!(v["visor"], 1);
    let tts = &v["services"]["text-to-speech"];
    assert_eq!(tts["inputs"][0]["kind"], "text");
    assert_eq!(tts["inputs"][0]["control"], "textarea");
    assert_eq!(tts["inputs"][0]["label"], "Text to read");
    assert_eq!(tts["outputs"][0]["kind"], "audio");
    let labels: Vec<&str> = tts["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .map(|e| e["label"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(labels, ["Hello", "Good morning"]);
    // The example files the specs point to.
    let r = req(&sb.url(), "GET", "/ui/examples/leaf.png", &[], b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert!(r.body.starts_with(b"\x89PNG"));
    // Without --ui there is no /ui/.
    let plain = start(Options::default()).await;
    let r = req(&plain.url(), "GET", "/ui/interfaces.json", &[], b"").await;
    assert_eq!(r.status, 404);
    drop(sb);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn static_site_builder() {
    let dir = site_dir("builder");
    std::fs::write(dir.join("404.html"), "<!doctype html><title>lost</title>").expect("write");
    let csp = "default-src 'self'; connect-src *";
    let site = StaticSite::builder(dir.clone())
        .prefix("/visor/")
        .header("Content-Security-Policy", csp)
        .header("bad header name", "ignored")
        .file(
            "/visor/interfaces.json",
            "application/json",
            b"{\"visor\":1,\"services\":{}}".to_vec(),
        )
        .file(
            "/parent.html",
            "text/html; charset=utf-8",
            b"<iframe></iframe>".to_vec(),
        )
        .start(0)
        .await
        .expect("site starts");
    let u = site.url();
    let r = req(&u, "GET", "/visor/", &[], b"").await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("<title>app</title>"));
    assert_eq!(r.header("content-security-policy"), Some(csp));
    let r = req(&u, "GET", "/visor?x=1", &[], b"").await;
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some("/visor/?x=1"));
    assert_eq!(r.header("content-security-policy"), Some(csp));
    let r = req(&u, "GET", "/", &[], b"").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-security-policy"), Some(csp));
    assert_eq!(req(&u, "GET", "/app-1.js", &[], b"").await.status, 404);
    assert_eq!(
        req(&u, "GET", "/visor/app-1.js", &[], b"").await.text(),
        "console.log(1)"
    );
    // Extra files override the directory, inside and outside the prefix.
    let r = req(&u, "GET", "/visor/interfaces.json", &[], b"").await;
    assert_eq!(r.text(), "{\"visor\":1,\"services\":{}}");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let r = req(&u, "GET", "/parent.html", &[], b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "<iframe></iframe>");
    // SPA fallback on by default, under the prefix; the basename asset fallback too.
    let r = req(&u, "GET", "/visor/services/cowsay", &[], b"").await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("<title>app</title>"));
    assert_eq!(
        req(&u, "GET", "/visor/services/app-1.js", &[], b"")
            .await
            .text(),
        "console.log(1)"
    );
    drop(site);

    // A dumb static host: unknown paths get 404.html with 404.
    let site = StaticSite::builder(dir.clone())
        .spa_fallback(false)
        .start(0)
        .await
        .expect("site starts");
    let u = site.url();
    assert_eq!(req(&u, "GET", "/", &[], b"").await.status, 200);
    let r = req(&u, "GET", "/services/cowsay", &[], b"").await;
    assert_eq!(r.status, 404);
    assert!(r.text().contains("<title>lost</title>"));
    let r = req(&u, "GET", "/services/app-1.js", &[], b"").await;
    assert_eq!(r.status, 404, "a dumb host has no asset-by-name rule");
    assert_eq!(req(&u, "GET", "/app-1.js", &[], b"").await.status, 200, "real files are served");
    drop(site);
    std::fs::remove_file(dir.join("404.html")).expect("rm");
    let site = StaticSite::builder(dir.clone())
        .spa_fallback(false)
        .start(0)
        .await
        .expect("site starts");
    let r = req(&site.url(), "GET", "/services/cowsay", &[], b"").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.text(), "404 page not found");
    drop(site);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn static_sites_serve_precompressed_gzip_to_clients_that_take_it() {
    let dir = site_dir("gzip");
    let js = b"console.log('a bundle that a real host would compress');".repeat(20);
    std::fs::write(dir.join("app.js"), &js).expect("js");
    // Not real gzip: the host serves the file the build wrote, as nginx's gzip_static does.
    std::fs::write(dir.join("app.js.gz"), b"pretend-gzip").expect("gz");
    let site = StaticSite::builder(dir.clone()).spa_fallback(false).start(0).await.expect("site starts");
    let u = site.url();
    let r = req(&u, "GET", "/app.js", &[("Accept-Encoding", "gzip, deflate, br")], b"").await;
    assert_eq!((r.status, r.header("content-encoding")), (200, Some("gzip")));
    assert_eq!(r.body, b"pretend-gzip");
    assert_eq!(r.header("content-type"), Some("text/javascript; charset=utf-8"), "the type of the file, not of the .gz");
    assert_eq!(r.header("vary"), Some("accept-encoding"));
    // No gzip asked for, or refused: the file as it is.
    for accept in [None, Some("gzip;q=0, identity"), Some("br")] {
        let headers: Vec<(&str, &str)> = accept.map(|a| vec![("Accept-Encoding", a)]).unwrap_or_default();
        let r = req(&u, "GET", "/app.js", &headers, b"").await;
        assert_eq!((r.header("content-encoding"), r.body.clone()), (None, js.clone()), "{accept:?}");
    }
    // A file the build did not compress is sent as it is.
    let r = req(&u, "GET", "/index.html", &[("Accept-Encoding", "gzip")], b"").await;
    assert_eq!((r.status, r.header("content-encoding")), (200, None));
    drop(site);
    let _ = std::fs::remove_dir_all(dir);
}
