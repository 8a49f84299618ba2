//! A malicious service cannot run code in the app: HTML, SVG and JavaScript
//! in every field of its definition, its interface spec and its outputs are
//! shown as text or through inert image elements. Served without any CSP, so
//! this is the app's own escaping at work.

use e2e::{eventually, with_app, Options, Sandbox};
use serde_json::json;
use std::sync::Arc;

const PAYLOADS: [&str; 3] = [
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<script>window.__pwned='script'</script>",
    "<svg onload=\"window.__pwned='svg'\"></svg>",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malicious_service_cannot_run_code() {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    let evil = PAYLOADS.join(" ");
    let spec = json!({
        "visor": 1, "title": evil, "description": evil,
        "inputs": [{"id": "doc", "kind": "file", "label": format!("Document {evil}"), "description": evil}],
        "examples": [{"label": evil, "inputs": {}}]
    });
    let service = json!({
        "name": "evil", "image": evil, "cpu": evil, "memory": evil, "script": evil, "log_level": "INFO",
        "visibility": "public",
        "environment": {"variables": {"HTML": evil}},
        "annotations": {"oscar-visor/interface": spec.to_string(), "note": evil},
        "labels": {"x": evil}
    });
    assert_eq!(oscar.add_service(&service.to_string()), 201, "the stand-in takes the service");
    let dir = std::env::temp_dir().join(format!("visor-evil-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let html = dir.join("page.html");
    std::fs::write(&html, format!("<!doctype html><html><body>{evil}<iframe srcdoc=\"<script>parent.__pwned='frame'</script>\"></iframe></body></html>")).expect("html");
    let svg = dir.join("image.svg");
    std::fs::write(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\" onload=\"window.__pwned='svg-file'\"><script>window.__pwned='svg-script'</script><rect width=\"10\" height=\"10\"/></svg>").expect("svg");
    with_app(move |page| async move {
        page.open("/login").await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
        page.wait_text(".service-card", |t| t.starts_with("evil")).await;
        page.open("/services/evil").await;
        page.wait_text("h2", |t| t == "Input").await;
        let text = page.js("return document.body.innerText").await;
        assert!(text.as_str().unwrap_or_default().contains("<script>window.__pwned='script'</script>"), "markup is shown as text");

        for (path, kind) in [(&html, "Text"), (&svg, "SVG image")] {
            // The label holds quotes, so find the input by its id.
            let input = page.client.find(fantoccini::Locator::Id("spec-doc")).await.expect("file input");
            input.send_keys(&path.display().to_string()).await.expect("choose");
            page.press("Run").await;
            page.wait_text(".run-caption", |t| t.starts_with("Finished in")).await;
            page.wait_text(".output-body__kind", |t| t.ends_with(kind)).await;
        }
        // Every other way to show the SVG and the HTML, too.
        for view in ["Text", "Image", "Download", "JSON", "Table"] {
            page.field("Render as").await.select_by_label(view).await.expect("render as");
        }
        page.wait_text(".logs summary", |t| t.starts_with("Logs (")).await;
        page.client.find(fantoccini::Locator::Css(".logs summary")).await.expect("logs").click().await.expect("open");
        page.client.find(fantoccini::Locator::Css(".editor__summary")).await.expect("editor").click().await.expect("open");
        page.open("/services/evil/jobs").await;
        page.wait_text(".service-count", |t| t.ends_with("jobs") || t.ends_with("job")).await;
        page.open("/services").await;
        page.wait_text(".service-card", |t| t.starts_with("evil")).await;
        let pwned = eventually("the page to settle", || async { Some(page.js("return window.__pwned ?? null").await) }).await;
        assert_eq!(pwned, json!(null), "no payload ran");
        // The check can fail: the same payload inserted as HTML does run.
        page.js(&format!("document.body.insertAdjacentHTML('beforeend', {}); return null", json!(PAYLOADS[0]))).await;
        eventually("the planted payload to run", || async {
            (page.js("return window.__pwned ?? null").await == json!("img")).then_some(())
        })
        .await;
    })
    .await;
}

/// A stand-in with a service `name` that gives back the file it gets, whose
/// page has one file input with the id `input`.
async fn echo_service(name: &str, input: &str) -> Arc<Sandbox> {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    let spec = json!({"visor": 1, "inputs": [{"id": input, "kind": "file", "label": "File"}]});
    let service = json!({
        "name": name, "image": "ghcr.io/example/echo", "log_level": "CRITICAL", "cpu": "0.5", "memory": "256Mi",
        "script": "cp \"$INPUT_FILE_PATH\" \"$TMP_OUTPUT_DIR/\"",
        "annotations": {"oscar-visor/interface": spec.to_string()},
    });
    assert_eq!(oscar.add_service(&service.to_string()), 201, "the stand-in takes the service");
    oscar
}

/// A 3 MB text output shows its first megabyte and says so; "Show all" shows
/// the rest, and the page stays responsive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_text_output_shows_its_start_and_all_on_request() {
    let oscar = echo_service("echo-text", "doc").await;
    let line = "The quick brown fox jumps over the lazy dog.\n";
    let text: String = line.repeat(3 * 1024 * 1024 / line.len() + 1);
    let file = e2e::temp_file("big.txt", text.as_bytes());
    with_app(move |page| async move {
        page.open("/login").await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
        page.wait_path("the list", |p| p == "/services").await;
        page.open("/services/echo-text").await;
        page.wait_text("h2", |t| t == "Input").await;
        let input = page.client.find(fantoccini::Locator::Id("spec-doc")).await.expect("file input");
        input.send_keys(&file.display().to_string()).await.expect("choose");
        page.press("Run").await;
        page.wait_text(".run-caption", |t| t.starts_with("Finished in")).await;
        page.wait_text(".output-body .notice", |t| t.starts_with("Showing the first 1.0 MB of 3.0 MB")).await;
        let shown = page.js("return document.querySelector('.output-text').textContent.length").await;
        assert_eq!(shown.as_u64(), Some(1024 * 1024), "the first MiB of ASCII");
        page.press("Show all").await;
        eventually("all of the text", || async {
            let n = page.js("return document.querySelector('.output-text').textContent.length").await;
            (n.as_u64() == Some(text.len() as u64)).then_some(())
        })
        .await;
        assert!(page.texts(".output-body .notice").await.is_empty(), "no note once all is shown");
    })
    .await;
}

/// Hostile ZIP outputs: a bomb whose 16 entries all point at one deflated
/// stream, and an entry that inflates over 1,000 times its size. The app lists
/// without unpacking, refuses both with what it found and the limit, offers
/// the raw ZIP, and stays alive: the console has no abort, and the list opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zip_bombs_in_an_output_are_refused_and_the_app_lives_on() {
    let oscar = echo_service("echo-zip", "archive").await;
    let bomb = e2e::temp_file("bomb.zip", &oscar_sandbox::fixtures::zip_bomb(16, 16 << 20));
    let ratio = e2e::temp_file("ratio.zip", &oscar_sandbox::fixtures::zip_deflated(&[("zeros.bin", vec![0; 8 << 20]), ("ok.txt", b"fine".to_vec())]));
    with_app(move |page| async move {
        page.open("/login").await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
        page.wait_text(".service-card", |t| t.starts_with("echo-zip")).await;
        page.open("/services/echo-zip").await;
        page.wait_text("h2", |t| t == "Input").await;
        let run_with = |file: std::path::PathBuf| {
            let page = page.clone();
            async move {
                let input = page.client.find(fantoccini::Locator::Id("spec-archive")).await.expect("file input");
                input.send_keys(&file.display().to_string()).await.expect("choose");
                page.press("Run").await;
                page.wait_text(".run-caption", |t| t.starts_with("Finished in")).await;
            }
        };
        run_with(bomb).await;
        page.wait_text(".notice", |t| t.contains("share their data")).await;
        let raw = page.texts("a[download]").await;
        assert!(raw.iter().any(|t| t.starts_with("Download")), "the raw ZIP is offered: {raw:?}");

        run_with(ratio).await;
        let names = eventually("two entries listed", || async {
            let n = page.texts(".zip-list__name").await;
            (n.len() == 2).then_some(n)
        })
        .await;
        assert_eq!(names, ["zeros.bin", "ok.txt"]);
        let open = "(//li[contains(@class,'zip-list__entry')])[1]//button[normalize-space()='Open']";
        page.client.find(fantoccini::Locator::XPath(open)).await.expect("Open").click().await.expect("click");
        let refused = page.wait_text(".zip-list .field__error", |t| t.contains("times its packed size")).await;
        assert!(refused.contains("1000×") && refused.contains("Download the whole ZIP"), "names the limit and the way out: {refused}");
        // The honest entry still opens.
        let open = "(//li[contains(@class,'zip-list__entry')])[2]//button[normalize-space()='Open']";
        page.client.find(fantoccini::Locator::XPath(open)).await.expect("Open").click().await.expect("click");
        page.wait_text(".zip-list__view", |t| t.contains("fine")).await;

        assert_eq!(page.died().await, None, "the app lives on");
        page.open("/services").await;
        page.wait_text(".service-card", |t| t.starts_with("echo-zip")).await;
    })
    .await;
}

/// A 230,000-value JSON output: the tree says its branches start closed, puts
/// only what is opened in the page, and opens branch by branch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_json_output_starts_closed_and_opens_branch_by_branch() {
    let oscar = echo_service("echo-json", "data").await;
    let rows: Vec<serde_json::Value> = (0..75_000).map(|i| json!({"i": i, "ok": i % 2 == 0})).collect();
    let file = e2e::temp_file("rows.json", json!({"rows": rows}).to_string().as_bytes());
    with_app(move |page| async move {
        page.open("/login").await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
        page.wait_path("the list", |p| p == "/services").await;
        page.open("/services/echo-json").await;
        page.wait_text("h2", |t| t == "Input").await;
        let input = page.client.find(fantoccini::Locator::Id("spec-data")).await.expect("file input");
        input.send_keys(&file.display().to_string()).await.expect("choose");
        page.press("Run").await;
        page.wait_text(".output-body .field__hint", |t| t.contains("more than 100000 values")).await;
        let items = "return document.querySelectorAll('.json-tree li').length";
        assert_eq!(page.js(items).await, json!(1), "only the closed root is in the page");
        let open_last = "const s = [...document.querySelectorAll('.json-tree summary')].pop(); s.click(); return null";
        page.js(open_last).await;
        page.wait_text(".json-tree", |t| t.contains("rows")).await;
        assert_eq!(page.js(items).await, json!(2), "the root's one key");
        page.js(open_last).await;
        page.wait_text(".json-tree", |t| t.contains("… 74500 more")).await;
        assert_eq!(page.js(items).await, json!(2 + 500 + 1), "500 rows and the count of the rest");
        assert_eq!(page.died().await, None, "the app lives on");
    })
    .await;
}

/// A service whose interface annotation is 2 MiB: the page says the spec is
/// too large and what the limit is, shows the detected interface instead,
/// runs, and the app lives on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_annotation_is_refused_and_the_page_still_runs() {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    let huge = json!({"visor": 1, "title": "x".repeat(2 << 20), "inputs": [{"id": "t", "kind": "text"}]});
    let service = json!({
        "name": "huge-spec", "image": "ghcr.io/example/echo", "log_level": "CRITICAL", "cpu": "0.5", "memory": "256Mi",
        "script": "cp \"$INPUT_FILE_PATH\" \"$TMP_OUTPUT_DIR/\"",
        "annotations": {"oscar-visor/interface": huge.to_string()},
    });
    assert_eq!(oscar.add_service(&service.to_string()), 201, "the stand-in takes the service");
    with_app(move |page| async move {
        page.open("/login").await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
        page.wait_text(".service-card", |t| t.starts_with("huge-spec")).await;
        page.open("/services/huge-spec").await;
        let alert = page.alert_containing("too large").await;
        assert!(alert.contains("at most 1048576"), "names the limit: {alert}");
        page.field("Input type").await.select_by_label("Text").await.expect("the detected interface");
        page.fill("Text", "still works").await;
        page.press("Run").await;
        page.wait_text(".output-text", |t| t.contains("still works")).await;
        assert_eq!(page.died().await, None, "the app lives on");
        page.open("/services").await;
        page.wait_text(".service-card", |t| t.starts_with("huge-spec")).await;
    })
    .await;
}
