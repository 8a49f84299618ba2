//! Asynchronous runs through object storage, cross-origin on three ports
//! (the app, the stand-in's API, its S3 server): upload, follow the job,
//! show the output next to the input; reattach after a reload; the jobs page.

use e2e::{eventually, with_app, Options, Page, Sandbox};
use oscar_sandbox::fixtures;
use std::sync::Arc;

async fn stand_in() -> Arc<Sandbox> {
    Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"))
}

/// Logs in, opens a service and switches it to asynchronous runs.
async fn open_async(page: &Page, oscar: &Sandbox, service: &str) {
    page.open(&format!("/services/{service}")).await;
    page.wait_path("the login page", |p| p.starts_with("/login")).await;
    page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
    page.wait_text("h2", |t| t == "Input").await;
    let radio = page.client.find(fantoccini::Locator::Css("input[name=run-mode][value=async]")).await.expect("async option");
    radio.click().await.expect("choose async");
}

async fn choose_file(page: &Page, label: &str, path: &std::path::Path) {
    page.field(label).await.send_keys(&path.display().to_string()).await.expect("choose file");
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    page.wait_text(".send-preview", |t| t.contains(&name)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_grayify_shows_the_gray_image_next_to_the_original() {
    let oscar = stand_in().await;
    let image = e2e::temp_file("holiday photo.png", &fixtures::png_gradient(36, 24));
    with_app(move |page| async move {
        open_async(&page, &oscar, "grayify").await;
        choose_file(&page, "Image file", &image).await;
        page.press("Run").await;
        page.wait_text(".job-line", |t| t.contains("Succeeded")).await;
        assert_eq!(page.output_image_width().await, 36, "the gray image has the input's size");
        let input_preview = page.js("return document.querySelector('.media-preview--image')?.naturalWidth ?? 0").await;
        assert_eq!(input_preview.as_u64(), Some(36), "the original stays next to it");
        page.wait_text(".logs summary", |t| t.starts_with("Logs (")).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_text_to_speech_plays_and_sigv4_is_used_without_presign() {
    let oscar = stand_in().await;
    oscar.set_presign(false);
    with_app(move |page| async move {
        open_async(&page, &oscar, "text-to-speech").await;
        page.fill("Text", "Hello from an async run").await;
        page.press("Run").await;
        page.wait_text(".job-line", |t| t.contains("Succeeded")).await;
        let duration = eventually("the audio duration", || async {
            let d = page.js("const a = document.querySelector('.output-audio'); return a && isFinite(a.duration) ? a.duration : 0").await;
            d.as_f64().filter(|d| *d > 0.0)
        })
        .await;
        assert!(duration > 0.5, "{duration}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_shows_its_logs() {
    let oscar = stand_in().await;
    with_app(move |page| async move {
        open_async(&page, &oscar, "fail-test").await;
        page.field("Input type").await.select_by_label("Text").await.expect("text");
        page.fill("Text", "boom").await;
        page.press("Run").await;
        let msg = page.alert_containing("failed").await;
        assert!(msg.contains("fail-test-"), "names the job: {msg}");
        page.wait_text(".logs__text", |t| t.contains("Traceback")).await;
        assert_eq!(page.value_of("Text").await, "boom", "the input stays");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_during_the_wait_reattaches_and_shows_the_result() {
    let oscar = stand_in().await;
    with_app(move |page| async move {
        open_async(&page, &oscar, "sleep-test").await;
        page.field("Input type").await.select_by_label("Text").await.expect("text");
        page.fill("Text", "nap").await;
        page.press("Run").await;
        page.wait_text(".run-status__what", |t| t.starts_with("Waiting for the job")).await;
        page.client.refresh().await.expect("reload");
        page.wait_text(".notice", |t| t.contains("Resumed waiting for the run of input.txt")).await;
        page.wait_text(".output-text", |t| t.contains("Slept")).await;
        let pending = page.js("return Object.keys(sessionStorage).filter(k => k.startsWith('oscar-visor.pending')).length").await;
        assert_eq!(pending, serde_json::json!(0), "the finished run is forgotten");
        page.assert_secret_stays_in_session_storage(oscar.password()).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jobs_page_lists_opens_logs_and_deletes() {
    let oscar = stand_in().await;
    let image = e2e::temp_file("leaf.png", &fixtures::png(20, 20, [20, 180, 40]));
    with_app(move |page| async move {
        open_async(&page, &oscar, "grayify").await;
        choose_file(&page, "Image file", &image).await;
        page.press("Run").await;
        page.wait_text(".job-line", |t| t.contains("Succeeded")).await;

        page.open("/services/grayify/jobs").await;
        page.wait_text(".service-count", |t| t == "1 job").await;
        page.wait_text(".job-row", |t| t.contains("Succeeded") && t.contains("grayify-")).await;
        page.press("Logs").await;
        page.wait_text(".job-row .logs__text", |t| t.contains("supervisor")).await;
        page.press("Outputs").await;
        page.wait_text(".job-row .output-files", |t| t.contains("leaf.png")).await;
        page.press("Delete all").await;
        page.wait_text("[role=alertdialog]", |t| t.contains("cannot be undone")).await;
        page.press("Delete").await;
        page.wait_text(".service-count", |t| t == "0 jobs").await;
        page.wait_text(".empty-state", |t| t.contains("no jobs")).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_without_cors_is_explained() {
    let oscar = stand_in().await;
    oscar.set_s3_cors(false);
    let s3 = oscar.s3_url();
    with_app(move |page| async move {
        open_async(&page, &oscar, "text-to-speech").await;
        page.fill("Text", "no cors here").await;
        page.press("Run").await;
        let msg = page.alert_containing("cross-origin requests (CORS)").await;
        assert!(msg.contains(&s3), "names the storage endpoint: {msg}");
        assert_eq!(page.value_of("Text").await, "no cors here");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jobs_page_pages_through_next_page() {
    let oscar = Arc::new(Sandbox::start(Options { job_page_size: 1, ..Options::default() }).await.expect("stand-in"));
    with_app(move |page| async move {
        open_async(&page, &oscar, "text-to-speech").await;
        for text in ["first run", "second run"] {
            page.fill("Text", text).await;
            page.press("Run").await;
            page.wait_text(".job-line", |t| t.contains("Succeeded")).await;
            eventually("the run to end", || async { page.texts(".run-status").await.is_empty().then_some(()) }).await;
        }
        page.open("/services/text-to-speech/jobs").await;
        page.wait_text(".service-count", |t| t == "1 job").await;
        page.press("Load more").await;
        page.wait_text(".service-count", |t| t == "2 jobs").await;
        assert!(page.texts("button").await.iter().all(|b| b != "Load more"), "no more pages");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_without_input_bucket_runs_through_post_job() {
    let oscar = stand_in().await;
    with_app(move |page| async move {
        page.open("/services/cowsay").await;
        page.wait_path("login", |p| p.starts_with("/login")).await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
        page.wait_text("h2", |t| t == "Input").await;
        page.wait_text(".mode-switch", |t| t.contains("Asynchronously (POST /job)")).await;
        page.client.find(fantoccini::Locator::Css("input[name=run-mode][value=async]")).await.expect("async").click().await.expect("choose");
        page.fill("JSON", r#"{"message": "queued moo"}"#).await;
        page.press("Run").await;
        page.wait_text(".job-line", |t| t.contains("Succeeded") && t.contains("cowsay-")).await;
        let logs = eventually("the job's logs", || async {
            let t = page.js("return document.querySelector('.logs__text')?.textContent ?? null").await;
            t.as_str().map(String::from)
        })
        .await;
        assert!(logs.contains("queued moo"), "the logs show the script's output: {logs}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_after_a_stopped_one_shows_its_own_job_not_the_first_ones() {
    // Slow jobs, so that the first one is still running when it is stopped.
    let oscar = Arc::new(Sandbox::start(Options { job_delay_ms: 1500, ..Options::default() }).await.expect("stand-in"));
    let not_an_image = e2e::temp_file("notes.png", b"these are notes, not a picture");
    let image = e2e::temp_file("leaf.png", &fixtures::png_gradient(20, 10));
    with_app(move |page| async move {
        open_async(&page, &oscar, "grayify").await;
        choose_file(&page, "Image file", &not_an_image).await;
        page.press("Run").await;
        let first = page.wait_text(".job-line", |t| t.contains("grayify-")).await;
        let first_job = first.split_whitespace().find(|w| w.starts_with("grayify-")).unwrap_or_default().to_string();
        page.press("Cancel").await;
        page.wait_text(".notice", |t| t.contains("Stopped waiting")).await;
        // Its job fails later on the cluster; the next run must not take it.
        choose_file(&page, "Image file", &image).await;
        page.press("Run").await;
        page.wait_text(".job-line", |t| t.contains("Succeeded")).await;
        assert_eq!(page.output_image_width().await, 20, "the second run's own output");
        let line = page.texts(".job-line").await.join(" ");
        assert!(!first_job.is_empty() && !line.contains(&first_job), "the first run's job {first_job} is not this run's: {line}");
        assert!(page.texts(".alert--error").await.is_empty(), "no failure from the stopped run shows");
    })
    .await;
}
