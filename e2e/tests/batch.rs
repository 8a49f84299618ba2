//! Batch runs in Chromium against the stand-in, with real files: the async
//! path through the input bucket (a job per file), the sync path with
//! "At once", lines as inputs, a ZIP unpacked into inputs, "Retry failed",
//! a reload in the middle, and the two downloads read back from disk.

use e2e::{eventually, with_app, Options, Page, Sandbox};
use fantoccini::Locator;
use oscar_sandbox::{fixtures, Faults};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;

async fn stand_in(opts: Options) -> Arc<Sandbox> {
    Arc::new(Sandbox::start(opts).await.expect("stand-in"))
}

/// Logs in, opens a service and its "Batch" tab.
async fn open_batch(page: &Page, oscar: &Sandbox, service: &str) {
    page.open(&format!("/services/{service}")).await;
    page.wait_path("the login page", |p| p.starts_with("/login")).await;
    page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
    page.wait_text("h2", |t| t == "Input").await;
    page.press("Batch").await;
    page.wait_text("h2", |t| t == "Results").await;
    // Only the chosen tab shows: the single run's panels are out of sight.
    let shown = page.js("return [document.getElementById('tab-single').checkVisibility(), document.getElementById('tab-batch').checkVisibility(), document.getElementById('tab-button-batch').getAttribute('aria-selected')]").await;
    assert_eq!(shown, json!([false, true, "true"]), "the Batch tab shows alone");
}

/// Gives the "Files" picker several files at once.
async fn add_files(page: &Page, files: &[PathBuf]) {
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    page.field("Files").await.send_keys(&paths.join("\n")).await.expect("choose files");
}

/// The rows of the results table: (input, status, output summary).
async fn rows(page: &Page) -> Vec<(String, String, String)> {
    let v = page
        .js("return [...document.querySelectorAll('.batch-row')].map(r => [r.querySelector('.batch-row__name').textContent, r.querySelector('.batch-status').textContent, r.querySelector('.batch-row__summary').textContent])")
        .await;
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| {
                    let r = r.as_array()?;
                    let s = |i: usize| r.get(i).and_then(|x| x.as_str()).unwrap_or_default().to_string();
                    Some((s(0), s(1), s(2)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Waits until the progress line says `n of total done`.
/// The rows' input names, sorted, once there are `n` rows.
async fn sorted_names(page: &Page, n: usize) -> Vec<String> {
    let mut names: Vec<String> = eventually(&format!("{n} rows"), || async {
        let r = rows(page).await;
        (r.len() == n).then_some(r.into_iter().map(|r| r.0).collect())
    })
    .await;
    names.sort();
    names
}

async fn wait_done(page: &Page, line: &str) -> String {
    page.wait_text(".batch__line", |t| t.starts_with(line)).await
}

/// Lets downloads land in `dir` and returns it.
async fn downloads_to(page: &Page) -> PathBuf {
    let dir = e2e::temp_file("unused", b"").parent().map(Path::to_path_buf).expect("temp dir");
    page.cdp("Browser.setDownloadBehavior", json!({ "behavior": "allow", "downloadPath": dir.display().to_string() })).await;
    dir
}

/// Waits for a finished download named `name` in `dir`.
async fn downloaded(dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    eventually(&format!("the download {name}"), || async {
        let partial = std::fs::read_dir(dir).ok()?.flatten().any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"));
        if partial {
            return None;
        }
        std::fs::read(&path).ok().filter(|b| !b.is_empty())
    })
    .await
}

/// The names of the entries of a ZIP (its central directory).
fn zip_names(zip: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut at = 0;
    while let Some(pos) = zip[at..].windows(4).position(|w| w == b"PK\x01\x02") {
        let start = at + pos;
        let len = u16::from_le_bytes([zip[start + 28], zip[start + 29]]) as usize;
        names.push(String::from_utf8_lossy(&zip[start + 46..start + 46 + len]).into_owned());
        at = start + 46 + len;
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_batch_of_images_and_a_zip_gets_a_label_per_row_and_both_downloads() {
    let oscar = stand_in(Options { job_delay_ms: 150, max_jobs: 2, ..Options::default() }).await;
    let red = e2e::temp_file("red.png", &fixtures::png(24, 24, [220, 30, 40]));
    let green = e2e::temp_file("green.png", &fixtures::png(24, 24, [30, 200, 60]));
    let zip = fixtures::zip_deflated(&[
        ("leaves/yellow.png", fixtures::png(24, 24, [235, 200, 40])),
        ("leaves/blue.png", fixtures::png(24, 24, [30, 60, 220])),
    ]);
    let zip = e2e::temp_file("more leaves.zip", &zip);
    with_app(move |page| async move {
        open_batch(&page, &oscar, "plants-classification").await;
        let async_mode = page.client.find(Locator::Css("input[name=batch-mode][value=async]")).await.expect("async option");
        assert_eq!(async_mode.prop("checked").await.ok().flatten().as_deref(), Some("true"), "async is the default with an input bucket");
        add_files(&page, &[red, green]).await;
        add_files(&page, &[zip]).await;
        let names = eventually("four inputs in the list", || async {
            let r = rows(&page).await;
            (r.len() == 4).then_some(r)
        })
        .await;
        let mut names: Vec<String> = names.into_iter().map(|r| r.0).collect();
        names.sort();
        assert_eq!(names, ["blue.png", "green.png", "red.png", "yellow.png"], "the ZIP became one input per entry");
        let thumbs = page.js("return document.querySelectorAll('.batch-row__input img').length").await;
        assert_eq!(thumbs.as_u64(), Some(4), "image inputs have thumbnails");

        page.press("Run all").await;
        wait_done(&page, "4 of 4 done").await;
        for (name, status, summary) in rows(&page).await {
            assert_eq!(status, "done", "{name}");
            assert!(summary.contains(" · ") && summary.ends_with('%'), "{name} shows its top label and score: {summary}");
        }
        // Every input went under one batch prefix of the input bucket.
        let keys = oscar.object_keys("plants");
        let inputs: Vec<&String> = keys.iter().filter(|k| k.starts_with("input/b")).collect();
        assert_eq!(inputs.len(), 4, "{keys:?}");
        let prefix = inputs[0].split('/').nth(1).unwrap_or_default();
        assert!(inputs.iter().all(|k| k.split('/').nth(1) == Some(prefix)), "{keys:?}");

        let dir = downloads_to(&page).await;
        page.press("Download summary").await;
        let csv = String::from_utf8(downloaded(&dir, "batch-summary.csv").await).expect("utf-8");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "input,status,seconds,output,label,score,error");
        assert_eq!(lines.len(), 5, "{csv}");
        for line in &lines[1..] {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f[1], "done", "{line}");
            assert!(!f[4].is_empty() && f[5].parse::<f64>().is_ok_and(|s| s > 0.0 && s <= 1.0), "a label and a score: {line}");
        }
        page.press("Download results").await;
        let mut entries = zip_names(&downloaded(&dir, "batch-results.zip").await);
        entries.sort();
        assert_eq!(entries, ["blue.json", "green.json", "red.json", "yellow.json"], "outputs are named after their inputs");

        // A row opens the full output view: the label component.
        let open = page.client.find(Locator::Css(".batch-row .batch-row__actions button")).await.expect("Open");
        open.click().await.expect("open a row");
        page.wait_text(".batch-opened .labels__top-name", |t| !t.is_empty()).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_batch_two_at_once_fails_one_input_alone_and_retries_what_failed() {
    let oscar = stand_in(Options::default()).await;
    let files: Vec<PathBuf> = [[220, 30, 40], [30, 200, 60], [235, 200, 40]]
        .iter()
        .enumerate()
        .map(|(i, rgb)| e2e::temp_file(&format!("leaf{i}.png"), &fixtures::png(24, 24, *rgb)))
        .chain([e2e::temp_file("notes.txt", b"not an image at all")])
        .collect();
    with_app(move |page| async move {
        open_batch(&page, &oscar, "plants-classification-sync").await;
        page.fill("At once", "2").await;
        add_files(&page, &files).await;
        eventually("four inputs", || async { (rows(&page).await.len() == 4).then_some(()) }).await;
        page.press("Run all").await;
        wait_done(&page, "3 of 4 done · 1 failed").await;
        let rows_now = rows(&page).await;
        let failed: Vec<_> = rows_now.iter().filter(|r| r.1 == "failed").collect();
        assert_eq!(failed.len(), 1, "{rows_now:?}");
        assert_eq!(failed[0].0, "notes.txt");
        assert!(failed[0].2.contains("crashed (HTTP 500)"), "its own message: {}", failed[0].2);
        assert!(rows_now.iter().filter(|r| r.1 == "done").all(|r| r.2.ends_with('%')), "{rows_now:?}");
        let most = oscar.most_runs_in_flight("plants-classification-sync");
        assert!((1..=2).contains(&most), "at most two requests at once: {most}");

        // The ingress now refuses big bodies: the images fail with 413 and say what to do.
        oscar.set_faults(Faults { max_body: Some(64), ..Faults::default() });
        page.press("Clear").await;
        add_files(&page, &files[..2]).await;
        eventually("two inputs", || async { (rows(&page).await.len() == 2).then_some(()) }).await;
        page.press("Run all").await;
        wait_done(&page, "0 of 2 done · 2 failed").await;
        assert!(rows(&page).await.iter().all(|r| r.2.contains("run the batch asynchronously")), "{:?}", rows(&page).await);
        oscar.set_faults(Faults::default());
        page.press("Retry failed").await;
        wait_done(&page, "2 of 2 done").await;
        assert!(rows(&page).await.iter().all(|r| r.1 == "done"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_input_per_line_runs_cowsay_once_per_line() {
    let oscar = stand_in(Options::default()).await;
    with_app(move |page| async move {
        open_batch(&page, &oscar, "cowsay").await;
        page.fill("One input per line", "{\"message\": \"hello\"}\n\n{\"message\": \"from a batch\"}\n").await;
        page.press("Add lines").await;
        eventually("two line inputs", || async { (rows(&page).await.len() == 2).then_some(()) }).await;
        page.fill("One input per line", "{oops").await;
        page.press("Add lines").await;
        page.alert_containing("Line 1 is not JSON").await;
        page.press("Run all").await;
        wait_done(&page, "2 of 2 done").await;
        let open = page.client.find(Locator::Css(".batch-row:nth-child(2) .batch-row__actions button")).await.expect("Open");
        open.click().await.expect("open the second row");
        page.wait_text(".batch-opened", |t| t.contains("from a batch")).await;
        // The whole batch is one run in the history.
        page.press("History").await;
        page.wait_text(".history-run__text", |t| t.contains("batch (sync) · succeeded") && t.contains("2 inputs") && t.contains("2 done")).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_batch_reattaches_after_a_reload_and_its_outputs_keep_arriving() {
    // Slow jobs, one at a time: the reload comes while most are queued.
    let oscar = stand_in(Options { job_delay_ms: 700, max_jobs: 1, ..Options::default() }).await;
    let files: Vec<PathBuf> = (0..3).map(|i| e2e::temp_file(&format!("photo{i}.png"), &fixtures::png_gradient(20 + i, 16))).collect();
    with_app(move |page| async move {
        open_batch(&page, &oscar, "grayify").await;
        add_files(&page, &files).await;
        eventually("three inputs", || async { (rows(&page).await.len() == 3).then_some(()) }).await;
        page.press("Run all").await;
        eventually("every input uploaded", || async {
            let r = rows(&page).await;
            r.iter().all(|r| r.1 == "waiting" || r.1 == "done").then_some(())
        })
        .await;
        let before = rows(&page).await;
        assert!(before.iter().any(|r| r.1 == "waiting"), "the reload comes before the end: {before:?}");
        page.client.refresh().await.expect("reload");
        // The page opens on the batch, with the rows it had.
        page.wait_text("h2", |t| t == "Results").await;
        page.wait_text(".notice", |t| t.contains("Reattached")).await;
        wait_done(&page, "3 of 3 done").await;
        let after = rows(&page).await;
        assert_eq!(after.len(), 3);
        assert!(after.iter().all(|r| r.1 == "done" && r.2.starts_with("Image")), "{after:?}");
        let thumbs = page.js("return [...document.querySelectorAll('.batch-row__output img')].filter(i => i.complete && i.naturalWidth > 0).length").await;
        assert_eq!(thumbs.as_u64(), Some(3), "gray thumbnails for every row");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_remaining_stops_what_has_not_started_and_run_all_sends_it_later() {
    let oscar = stand_in(Options::default()).await;
    let files: Vec<PathBuf> = (0..5).map(|i| e2e::temp_file(&format!("slow{i}.png"), &fixtures::png(16, 16, [40, 90 + i as u8, 40]))).collect();
    with_app(move |page| async move {
        open_batch(&page, &oscar, "plants-classification-sync").await;
        page.fill("At once", "1").await;
        add_files(&page, &files).await;
        eventually("five inputs", || async { (rows(&page).await.len() == 5).then_some(()) }).await;
        // Each run now takes a while: there is time to cancel after the first.
        oscar.set_faults(Faults { latency_ms: 400, ..Faults::default() });
        page.press("Run all").await;
        wait_done(&page, "1 of 5 done").await;
        page.press("Cancel remaining").await;
        let notice = page.wait_text(".batch__results .notice", |t| t.starts_with("Cancelled")).await;
        assert!(notice.contains("finish on their own"), "{notice}");
        eventually("the batch to stop", || async {
            let busy = page.js("return document.querySelector('.batch__results').getAttribute('aria-busy')").await;
            (busy.as_str() == Some("false")).then_some(())
        })
        .await;
        let now = rows(&page).await;
        let not_sent = now.iter().filter(|r| r.1 == "not sent").count();
        let done = now.iter().filter(|r| r.1 == "done").count();
        assert!(not_sent >= 2 && done + not_sent == 5, "the rest was not sent: {now:?}");
        oscar.set_faults(Faults::default());
        page.press("Run all").await;
        wait_done(&page, "5 of 5 done").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_gives_each_row_its_inputs_with_files_named_from_above() {
    let oscar = stand_in(Options::default()).await;
    let red = e2e::temp_file("red leaf.png", &fixtures::png(20, 10, [220, 30, 40]));
    let green = e2e::temp_file("green.png", &fixtures::png(12, 30, [30, 200, 60]));
    let csv = e2e::temp_file("inputs.csv", b"image,caption,shout\n\"red leaf.png\",a red leaf,true\ngreen.png,a quiet one,false\n");
    let wrong = e2e::temp_file("wrong.csv", b"image,colour\nx.png,red\n");
    let missing = e2e::temp_file("missing.csv", b"image,caption\nnowhere.png,hi\n");
    with_app(move |page| async move {
        open_batch(&page, &oscar, "image-caption").await;
        page.field("Inputs from a CSV").await.send_keys(&wrong.display().to_string()).await.expect("csv");
        page.alert_containing("“colour” is no input").await;
        page.field("Inputs from a CSV").await.send_keys(&missing.display().to_string()).await.expect("csv");
        page.alert_containing("nowhere.png").await;
        add_files(&page, &[red, green]).await;
        eventually("two files", || async { (rows(&page).await.len() == 2).then_some(()) }).await;
        page.field("Inputs from a CSV").await.send_keys(&csv.display().to_string()).await.expect("csv");
        let names = eventually("two rows in place of the files", || async {
            let r = rows(&page).await;
            (r.len() == 2 && r.iter().all(|r| r.0.starts_with("row-"))).then_some(r)
        })
        .await;
        assert_eq!(names.len(), 2);
        page.press("Run all").await;
        wait_done(&page, "2 of 2 done").await;
        let summaries: Vec<String> = rows(&page).await.into_iter().map(|r| r.2).collect();
        assert!(summaries.iter().any(|s| s.contains("A RED LEAF") && s.contains("\"height\":10")), "the first row: its image and its caption, shouted: {summaries:?}");
        assert!(summaries.iter().any(|s| s.contains("a quiet one") && s.contains("\"height\":30")), "the second row, as typed: {summaries:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_folder_becomes_one_input_per_file() {
    let oscar = stand_in(Options::default()).await;
    let first = e2e::temp_file("a.png", &fixtures::png(8, 8, [10, 200, 10]));
    let dir = first.parent().map(Path::to_path_buf).expect("folder");
    std::fs::create_dir_all(dir.join("more")).expect("subfolder");
    std::fs::write(dir.join("b.png"), fixtures::png(8, 8, [200, 10, 10])).expect("b");
    std::fs::write(dir.join("more/c.png"), fixtures::png(8, 8, [10, 10, 200])).expect("c");
    with_app(move |page| async move {
        open_batch(&page, &oscar, "plants-classification-sync").await;
        page.field("Folder").await.send_keys(&dir.display().to_string()).await.expect("choose a folder");
        let names = sorted_names(&page, 3).await;
        assert_eq!(names, ["a.png", "b.png", "c.png"], "its subfolders too");
        page.press("Run all").await;
        wait_done(&page, "3 of 3 done").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_folder_becomes_one_input_per_file_subfolders_too() {
    let oscar = stand_in(Options::default()).await;
    let first = e2e::temp_file("leaf 1.png", &fixtures::png(8, 8, [10, 200, 10]));
    let dir = first.parent().map(Path::to_path_buf).expect("folder");
    std::fs::create_dir_all(dir.join("deeper/still")).expect("subfolders");
    std::fs::write(dir.join("deeper/leaf 2.png"), fixtures::png(8, 8, [200, 10, 10])).expect("2");
    std::fs::write(dir.join("deeper/still/leaf 3.png"), fixtures::png(8, 8, [10, 10, 200])).expect("3");
    std::fs::write(dir.join(".DS_Store"), b"hidden").expect("hidden");
    with_app(move |page| async move {
        open_batch(&page, &oscar, "plants-classification-sync").await;
        // A real drag of the folder from the desktop, through Chrome's input pipeline.
        let at = page.js("const r = document.querySelector('#tab-batch .file-drop').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]").await;
        let (x, y) = (at[0].as_f64().unwrap_or_default(), at[1].as_f64().unwrap_or_default());
        let data = serde_json::json!({"items": [], "files": [dir.display().to_string()], "dragOperationsMask": 1});
        for kind in ["dragEnter", "dragOver", "drop"] {
            page.cdp("Input.dispatchDragEvent", serde_json::json!({"type": kind, "x": x, "y": y, "data": data})).await;
        }
        let names = sorted_names(&page, 3).await;
        assert_eq!(names, ["leaf 1.png", "leaf 2.png", "leaf 3.png"], "subfolders walked, hidden files left out");
        page.press("Run all").await;
        wait_done(&page, "3 of 3 done").await;
    })
    .await;
}
