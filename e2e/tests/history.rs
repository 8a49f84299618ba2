//! Run history: every run is recorded in IndexedDB, survives a reload and a
//! log-out, opens again, compares with another, and runs again; and the
//! stored records never hold a secret.

use e2e::{eventually, with_app, Options, Page, Sandbox};
use oscar_sandbox::fixtures;
use serde_json::{json, Value};
use std::sync::Arc;

async fn open_logged_in(page: &Page, oscar: &Sandbox, service: &str) {
    page.open(&format!("/services/{service}")).await;
    page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
    page.wait_text("h2", |t| t == "Input").await;
}

async fn run(page: &Page) {
    page.press("Run").await;
    page.wait_text(".run-caption", |t| t.starts_with("Finished in")).await;
}

/// The History tab's rows, once there are `n` of them.
async fn history_rows(page: &Page, n: usize) -> Vec<String> {
    page.press("History").await;
    eventually(&format!("{n} runs in the history"), || async {
        let rows = page.texts(".history-run__text").await;
        (rows.len() == n).then_some(rows)
    })
    .await
}

/// Presses `label` in the history row whose text contains `needle`.
async fn press_in_row(page: &Page, needle: &str, label: &str) {
    let xpath = format!("//li[contains(@class,'history-run')][.//*[contains(normalize-space(), \"{needle}\")]]//button[normalize-space()='{label}']");
    eventually(&format!("“{label}” in the run with {needle}"), || async {
        let b = page.client.find(fantoccini::Locator::XPath(&xpath)).await.ok()?;
        b.click().await.ok()
    })
    .await;
}

async fn select_row(page: &Page, needle: &str) {
    let xpath = format!("//li[contains(@class,'history-run')][.//*[contains(normalize-space(), \"{needle}\")]]//input[@type='checkbox']");
    let b = page.client.find(fantoccini::Locator::XPath(&xpath)).await.expect("the row's checkbox");
    b.click().await.expect("select");
}

/// Every stored record, as JSON text, with its blobs' sizes.
async fn stored_records(page: &Page) -> String {
    let script = r#"const done = arguments[0];
        const req = indexedDB.open('oscar-visor-history');
        req.onerror = () => done('cannot open');
        req.onsuccess = () => {
            const all = req.result.transaction('runs').objectStore('runs').getAll();
            all.onsuccess = () => done(JSON.stringify(all.result.map(r => ({ id: r.id, scope: r.scope, record: r.record,
                blobs: Object.fromEntries(Object.entries(r.blobs || {}).map(([k, b]) => [k, b.size])) }))));
            all.onerror = () => done('cannot read');
        };"#;
    page.client.execute_async(script, vec![]).await.expect("read IndexedDB").as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_are_recorded_survive_reload_and_log_out_and_compare_and_run_again() {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    with_app(move |page| async move {
        open_logged_in(&page, &oscar, "cowsay").await;
        page.fill("JSON", r#"{"message": "first moo"}"#).await;
        run(&page).await;
        page.fill("JSON", r#"{"message": "second moo"}"#).await;
        run(&page).await;

        // A reload keeps them, newest first.
        page.client.refresh().await.expect("reload");
        page.wait_text("h2", |t| t == "Input").await;
        let rows = history_rows(&page, 2).await;
        assert!(rows[0].contains("second moo") && rows[1].contains("first moo"), "newest first: {rows:?}");
        assert!(rows.iter().all(|r| r.contains("sync · succeeded")), "{rows:?}");
        page.wait_text(".history .field__hint", |t| t.starts_with("2 runs recorded;")).await;

        // Open shows the output again, with the same output view.
        press_in_row(&page, "first moo", "Open").await;
        page.wait_text(".history-opened .output-text", |t| t.contains("< first moo >")).await;

        // Compare: both outputs side by side and a line diff.
        select_row(&page, "first moo").await;
        select_row(&page, "second moo").await;
        page.press("Compare").await;
        page.wait_text(".compare-side", |t| t.contains("< second moo >")).await;
        let gone = page.wait_text(".diff__gone", |t| t.contains("first moo")).await;
        let added = page.wait_text(".diff__added", |t| t.contains("second moo")).await;
        assert!(gone.starts_with("- ") && added.starts_with("+ "), "{gone} / {added}");

        // Run again puts the inputs back in the form, on the Single tab.
        press_in_row(&page, "first moo", "Run again").await;
        page.wait_text(".notice", |t| t.starts_with("Inputs from the run of")).await;
        assert!(page.value_of("JSON").await.contains("first moo"));
        let single = page.js("return document.getElementById('tab-single').checkVisibility()").await;
        assert_eq!(single, json!(true));

        // No secret in what is stored.
        let stored = stored_records(&page).await;
        assert!(stored.contains("first moo"), "{stored}");
        let token = oscar.service_token("cowsay").expect("token");
        let keys = oscar.minio_keys();
        for secret in [oscar.password(), token.as_str(), keys.access_key.as_str(), keys.secret_key.as_str()] {
            assert!(!stored.contains(secret), "a secret is stored in IndexedDB");
        }

        // Log out leaves the history; logging in again finds it.
        page.press("Log out").await;
        page.wait_path("the login page", |p| p.starts_with("/login")).await;
        open_logged_in(&page, &oscar, "cowsay").await;
        history_rows(&page, 2).await;

        // Delete one, then clear the rest behind a confirmation.
        press_in_row(&page, "second moo", "Delete").await;
        history_rows(&page, 1).await;
        page.press("Clear history").await;
        page.wait_text(".confirm", |t| t.contains("Delete all 1 runs of cowsay")).await;
        page.press("Delete all").await;
        page.wait_text(".empty-state", |t| t.starts_with("No runs yet")).await;
        assert_eq!(stored_records(&page).await, "[]");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classifier_runs_compare_per_label_and_run_again_brings_the_file_back() {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    let green = e2e::temp_file("green leaf.png", &fixtures::png(32, 32, [40, 160, 40]));
    let red = e2e::temp_file("red flower.png", &fixtures::png(32, 32, [200, 30, 60]));
    with_app(move |page| async move {
        open_logged_in(&page, &oscar, "plants-classification-sync").await;
        for image in [&green, &red] {
            page.field("Image file").await.send_keys(&image.display().to_string()).await.expect("choose");
            let name = image.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            page.wait_text(".send-preview", |t| t.contains(&name)).await;
            run(&page).await;
        }
        history_rows(&page, 2).await;
        select_row(&page, "green leaf.png").await;
        select_row(&page, "red flower.png").await;
        page.press("Compare").await;
        let table = page.wait_text(".compare-labels", |t| t.contains("Change")).await;
        assert!(table.contains(" pts") || table.contains("only in the"), "per-label changes: {table}");

        // The input file was kept: Run again gives it back to the form.
        press_in_row(&page, "green leaf.png", "Run again").await;
        page.wait_text(".send-preview", |t| t.contains("green leaf.png")).await;
        run(&page).await;
        history_rows(&page, 3).await;
        let stored: Value = serde_json::from_str(&stored_records(&page).await).expect("records");
        let kept = stored.as_array().map(|a| a.iter().filter(|r| r["blobs"]["out"].as_u64().is_some_and(|n| n > 0)).count());
        assert_eq!(kept, Some(3), "outputs are kept with the runs: {stored}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_indexeddb_runs_work_and_the_history_says_why_it_is_off() {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    with_app(move |page| async move {
        // A browser that refuses IndexedDB, as some private windows do.
        page.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": "Object.defineProperty(window, 'indexedDB', { get() { return undefined; } });"}),
        )
        .await;
        open_logged_in(&page, &oscar, "cowsay").await;
        page.fill("JSON", r#"{"message": "no history"}"#).await;
        run(&page).await;
        page.wait_text(".output-text", |t| t.contains("< no history >")).await;
        page.press("History").await;
        page.wait_text(".history .notice", |t| t.contains("private window")).await;
        assert!(page.died().await.is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_switch_off_only_summaries_are_kept() {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    with_app(move |page| async move {
        open_logged_in(&page, &oscar, "cowsay").await;
        page.press("History").await;
        page.field("Keep inputs and outputs in this browser").await.click().await.expect("switch off");
        page.press("Single").await;
        page.fill("JSON", r#"{"message": "summary only"}"#).await;
        run(&page).await;
        let rows = history_rows(&page, 1).await;
        assert!(rows[0].contains("not kept (the switch is off)"), "{rows:?}");
        let stored: Value = serde_json::from_str(&stored_records(&page).await).expect("records");
        assert_eq!(stored[0]["blobs"], json!({}), "{stored}");
        press_in_row(&page, "summary only", "Open").await;
        page.wait_text(".history-opened", |t| t.contains("not kept")).await;
    })
    .await;
}
