//! Interfaces as data: pages built from a service's annotation, the site's
//! interfaces.json, the user's edit, or detection; examples; the editor.

use base64::Engine;
use e2e::{dist_dir, eventually, with_app, with_browser, Options, Page, Sandbox};
use oscar_sandbox::fixtures;
use serde_json::{json, Value};
use std::sync::Arc;

async fn stand_in() -> Arc<Sandbox> {
    Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"))
}

async fn open(page: &Page, oscar: &Sandbox, service: &str) {
    page.open(&format!("/services/{service}")).await;
    page.wait_path("login", |p| p.starts_with("/login")).await;
    page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
    page.wait_text("h2", |t| t == "Input").await;
}

async fn again(page: &Page, service: &str) {
    page.open(&format!("/services/{service}")).await;
    page.wait_text("h1", |t| t == service).await;
    page.wait_text("h2", |t| t == "Input").await;
}

async fn finished(page: &Page) {
    page.wait_text(".run-caption", |t| t.starts_with("Finished in")).await;
}

fn last_body(oscar: &Sandbox, service: &str) -> Value {
    let body = oscar.last_run_body(service).expect("the stand-in received a body");
    serde_json::from_slice(&body).expect("the body is JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_annotation_gives_declared_controls_and_the_exact_template_body() {
    let oscar = stand_in().await;
    let handle = oscar.clone();
    with_app(move |page| async move {
        open(&page, &oscar, "kokoro-tts").await;
        page.wait_text(".editor__source", |t| t == "interface from: the service's annotation").await;
        page.field("Voice").await.select_by_label("am_adam").await.expect("voice");
        page.field("Language").await.select_by_label("en-gb").await.expect("language");
        page.fill("Message", "Hi there").await;
        page.js("const s = document.getElementById('spec-speed'); s.value = '0.8'; s.dispatchEvent(new Event('input', {bubbles: true})); return null").await;
        page.fill("Volume", "2.5").await;
        page.press("Run").await;
        finished(&page).await;
        let body = last_body(&handle, "kokoro-tts");
        assert_eq!(
            body,
            json!({"model": "am_adam", "language": "en-gb", "message": "Hi there",
                   "config": {"speed": 0.8, "volume": 2.5, "output": "wav"}}),
            "the body is the template filled in"
        );
        assert!(page.client.find(fantoccini::Locator::Css(".output-audio")).await.is_ok(), "the declared audio output");

        // Two inputs, DEEPaaS-style: the image travels as base64 inside the JSON.
        again(&page, "image-caption").await;
        let png = fixtures::png(12, 8, [200, 100, 50]);
        let path = std::env::temp_dir().join(format!("visor-caption-{}.png", std::process::id()));
        std::fs::write(&path, &png).expect("fixture");
        page.field("Image").await.send_keys(&path.display().to_string()).await.expect("choose");
        page.fill("Caption", "a leaf").await;
        page.field("Shout").await.click().await.expect("check");
        page.wait_text(".send-preview", |t| t.contains("JSON object")).await;
        page.press("Run").await;
        finished(&page).await;
        let body = last_body(&handle, "image-caption");
        assert_eq!(body["oscar-files"][0]["data"], json!(base64::engine::general_purpose::STANDARD.encode(&png)));
        assert_eq!((body["caption"].clone(), body["shout"].clone()), (json!("a leaf"), json!(true)));
        page.wait_text(".json-tree", |t| t.contains("A LEAF")).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clicking_an_example_fills_the_inputs_and_runs() {
    let oscar = stand_in().await;
    let handle = oscar.clone();
    with_app(move |page| async move {
        open(&page, &oscar, "kokoro-tts").await;
        page.press("A slow British greeting").await;
        finished(&page).await;
        assert_eq!(page.value_of("Voice").await, "bf_emma");
        let body = last_body(&handle, "kokoro-tts");
        assert_eq!((body["model"].clone(), body["config"]["speed"].clone()), (json!("bf_emma"), json!(0.7)));

        // A declared example with a file shipped with the app, and its expected output.
        again(&page, "image-caption").await;
        page.press("A shouted leaf").await;
        finished(&page).await;
        page.wait_text(".json-tree", |t| t.contains("caption")).await;

        // A detected page gets the Hub's sample input.
        again(&page, "cowsay").await;
        page.press("Hub sample").await;
        page.wait_text(".output-text", |t| t.contains("Mootastic")).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_spec_is_detected_and_a_broken_annotation_says_why_and_falls_back() {
    let oscar = stand_in().await;
    with_app(move |page| async move {
        open(&page, &oscar, "grayify").await;
        page.wait_text(".editor__source", |t| t == "interface from: detection").await;
        assert_eq!(page.value_of("Input type").await, "Image", "a sensible detected page");

        again(&page, "broken-spec").await;
        let alert = page.alert_containing("is broken and was skipped").await;
        assert!(alert.contains("inputs[0].kind"), "names the bad field: {alert}");
        page.wait_text(".editor__source", |t| t == "interface from: detection").await;
        page.field("Input type").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_changes_the_page_live_survives_a_reload_and_resets() {
    let oscar = stand_in().await;
    with_app(move |page| async move {
        open(&page, &oscar, "echo").await;
        page.client.find(fantoccini::Locator::Css(".editor__summary")).await.expect("editor").click().await.expect("open");
        page.fill("Title", "My echo").await;
        // A change event applies it.
        page.js("document.getElementById('spec-title').dispatchEvent(new Event('change', {bubbles: true})); return null").await;
        page.wait_text(".spec-title", |t| t == "My echo").await;
        page.wait_text(".editor__source", |t| t == "interface from: your edit").await;

        // Broken JSON is refused with its path, and the page keeps the last good spec.
        page.js(r#"const t = document.getElementById('spec-json');
                   t.value = t.value.replace('"visor": 1', '"visor": "one"');
                   t.dispatchEvent(new Event('input', {bubbles: true})); return null"#).await;
        page.wait_text(".editor__errors", |t| t.contains("visor")).await;
        assert_eq!(page.texts(".spec-title").await, vec!["My echo".to_string()]);

        page.client.refresh().await.expect("reload");
        page.wait_text(".spec-title", |t| t == "My echo").await;
        page.wait_text(".editor__source", |t| t == "interface from: your edit").await;
        let stored = page.js("return Object.keys(localStorage).filter(k => k.startsWith('oscar-visor.spec.')).length").await;
        assert_eq!(stored, json!(1));

        page.client.find(fantoccini::Locator::Css(".editor__summary")).await.expect("editor").click().await.expect("open");
        page.press("Reset to detected").await;
        page.wait_text(".editor__source", |t| t == "interface from: detection").await;
        eventually("the title to go", || async { page.texts(".spec-title").await.is_empty().then_some(()) }).await;
        page.assert_secret_stays_in_session_storage_except_specs(oscar.password()).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sites_interfaces_json_describes_a_service() {
    let oscar = Arc::new(Sandbox::start(Options { ui_dir: Some(dist_dir()), ..Options::default() }).await.expect("stand-in"));
    with_browser(format!("{}/ui", oscar.url()), move |page| async move {
        page.open("/services/text-to-speech").await;
        page.wait_path("login", |p| p.starts_with("/ui/login")).await;
        page.fill("Username", oscar.username()).await;
        page.fill("Password", oscar.password()).await;
        page.press("Log in").await;
        page.wait_text(".editor__source", |t| t == "interface from: the site's interfaces.json").await;
        page.press("Good morning").await;
        finished(&page).await;
        assert_eq!(page.value_of("Text to read").await, "Good morning");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_examples_expected_output_shows_from_the_click_and_stays_beside_the_real_one() {
    let oscar = stand_in().await;
    with_app(move |page| async move {
        open(&page, &oscar, "image-caption").await;
        assert!(page.texts(".expected").await.is_empty(), "no expectation before an example is chosen");
        // Record whether the expectation was on the page before the run finished.
        page.js(r#"window.__order = [];
            new MutationObserver(() => {
              for (const [what, css] of [['expected', '.expected'], ['finished', '.run-caption']]) {
                if (document.querySelector(css) && !window.__order.includes(what)) window.__order.push(what);
              }
            }).observe(document.body, { subtree: true, childList: true });
            return null"#).await;
        page.press("A shouted leaf").await;
        finished(&page).await;
        page.wait_text(".json-tree", |t| t.contains("caption")).await;
        let order = page.js("return window.__order").await;
        assert_eq!(order, json!(["expected", "finished"]), "the expectation shows from the click on");
        let expected = page.wait_text(".expected", |t| t.contains("A GREEN LEAF")).await;
        assert!(expected.starts_with("expected"), "marked as expected: {expected}");
        // Both side by side in the output panel: what came and what was promised.
        let both = page.js("const p = document.querySelector('[aria-labelledby=output-title]'); return !!(p.querySelector('.expected') && p.querySelector('.output-body'))").await;
        assert_eq!(both, json!(true));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spec_of_a_newer_format_and_an_unused_input_say_so_on_the_page() {
    let oscar = stand_in().await;
    with_app(move |page| async move {
        open(&page, &oscar, "echo").await;
        assert!(page.texts(".spec-notes").await.is_empty(), "a detected page has nothing to note");
        page.client.find(fantoccini::Locator::Css(".editor__summary")).await.expect("editor").click().await.expect("open");
        let spec = json!({
            "visor": 2,
            "title": "Echo from the future",
            "inputs": [{"id": "text", "kind": "text"}, {"id": "extra", "kind": "text", "required": false}],
            "request": {"encoding": "template", "template": {"text": "{{text}}"}}
        });
        page.js(&format!(
            "const t = document.getElementById('spec-json'); t.value = {}; t.dispatchEvent(new Event('input', {{bubbles: true}})); return null",
            serde_json::to_string(&spec.to_string()).expect("json string")
        ))
        .await;
        page.wait_text(".editor__source", |t| t == "interface from: your edit").await;
        let notes = page.wait_text(".spec-notes", |t| t.contains("format version 2")).await;
        assert!(notes.contains("this app knows version 1"), "{notes}");
        assert!(notes.contains("“extra” is not used by the request template"), "{notes}");
        // The notes sit outside the collapsed editor, where everyone sees them.
        page.client.find(fantoccini::Locator::Css(".editor__summary")).await.expect("editor").click().await.expect("close");
        let shown = page.js("const n = document.querySelector('.spec-notes'); return n.getBoundingClientRect().height > 0").await;
        assert_eq!(shown, json!(true));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_type_edits_the_detected_spec_and_switching_back_keeps_what_was_given() {
    let oscar = stand_in().await;
    let image = e2e::temp_file("kept.png", &fixtures::png(12, 8, [10, 200, 30]));
    with_app(move |page| async move {
        open(&page, &oscar, "echo").await;
        page.field("Input type").await.select_by_label("Text").await.expect("text");
        page.fill("Text", "typed before switching").await;
        page.field("Input type").await.select_by_label("Image").await.expect("image");
        page.field("Image file").await.send_keys(&image.display().to_string()).await.expect("choose");
        page.wait_text(".send-preview", |t| t.contains("kept.png")).await;
        // The editor shows the detected spec as edited by "Input type".
        page.client.find(fantoccini::Locator::Css(".editor__summary")).await.expect("editor").click().await.expect("open");
        let spec: Value = serde_json::from_str(&page.value_of("Interface spec (JSON)").await).expect("spec JSON");
        assert_eq!(spec["inputs"][0]["kind"], json!("image"), "{spec}");
        assert_eq!(spec["request"]["encoding"], json!("base64"));
        page.wait_text(".editor__source", |t| t == "interface from: detection").await;
        // Back to Text: the typed text is still there; back to Image: so is the file.
        page.field("Input type").await.select_by_label("Text").await.expect("text again");
        assert_eq!(page.value_of("Text").await, "typed before switching");
        page.field("Input type").await.select_by_label("Image").await.expect("image again");
        page.wait_text(".send-preview", |t| t.contains("kept.png")).await;
        page.press("Run").await;
        finished(&page).await;
        assert_eq!(page.output_image_width().await, 12, "the kept file is what was sent");
    })
    .await;
}
