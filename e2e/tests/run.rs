//! Synchronous runs from the browser, as a user does them: open a service,
//! give it a real input (typed, or a file chosen in the picker), press Run,
//! and check what the output panel shows. Inputs are generated here.

use e2e::{eventually, with_app, Faults, Options, Page, Sandbox};
use oscar_sandbox::fixtures;
use serde_json::json;

/// Starts a stand-in and opens `service`'s page, logged in.
async fn open_service(page: &Page, oscar: &(String, String, String), service: &str) {
    page.open(&format!("/services/{service}")).await;
    page.log_in(&oscar.0, &oscar.1, &oscar.2).await;
    page.wait_text("h2", |t| t == "Input").await;
}

async fn stand_in(faults: Faults) -> (Sandbox, (String, String, String)) {
    let s = Sandbox::start(Options { faults, ..Options::default() }).await.expect("stand-in");
    let creds = (s.url(), s.username().to_string(), s.password().to_string());
    (s, creds)
}

/// Chooses the input kind in the "Input type" menu.
async fn choose_kind(page: &Page, kind: &str) {
    let select = page.field("Input type").await;
    select.select_by_label(kind).await.expect("choose input type");
}

/// Puts a file into the picker labelled `label`.
async fn choose_file(page: &Page, label: &str, path: &std::path::Path) {
    let input = page.field(label).await;
    input.send_keys(&path.display().to_string()).await.expect("choose file");
    page.wait_text(".send-preview", |t| t.contains(&path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()))
        .await;
}

/// Presses Run and waits until the output panel says the run finished.
async fn run(page: &Page) -> String {
    page.press("Run").await;
    page.wait_text(".run-caption", |t| t.starts_with("Finished in")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cowsay_takes_its_json_sample_and_shows_the_ascii_art() {
    let (_oscar, creds) = stand_in(Faults::default()).await;
    with_app(move |page| async move {
        open_service(&page, &creds, "cowsay").await;
        assert!(page.value_of("JSON").await.contains("\"message\""), "the JSON sample is pre-filled");
        page.fill("JSON", r#"{"message": "Moo from Visor"}"#).await;
        run(&page).await;
        let art = page.wait_text(".output-text", |t| t.contains("< Moo from Visor >")).await;
        assert!(art.contains("(oo)"), "{art}");
        // Ctrl+Enter runs too.
        page.fill("JSON", r#"{"message": "keyboard"}"#).await;
        page.field("JSON").await.send_keys("\u{E009}\u{E007}\u{E000}").await.expect("Ctrl+Enter");
        page.wait_text(".output-text", |t| t.contains("< keyboard >")).await;
        // Invalid JSON is refused with its position.
        page.fill("JSON", "{\"message\": }").await;
        page.wait_text("#spec-input-status", |t| t.starts_with("Line 1, column")).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plant_classifier_shows_the_top_label_and_bars_for_different_images() {
    let (_oscar, creds) = stand_in(Faults::default()).await;
    let red = e2e::temp_file("red.png", &fixtures::png(32, 32, [220, 30, 40]));
    let green = e2e::temp_file("green.png", &fixtures::png(32, 32, [30, 200, 60]));
    with_app(move |page| async move {
        open_service(&page, &creds, "plants-classification-sync").await;
        // Run with nothing given: it says what is missing, and nothing is sent.
        page.wait_text(".send-preview", |t| t == "“Image file” is required.").await;
        page.press("Run").await;
        page.alert_containing("“Image file” is required.").await;
        assert!(page.texts(".run-caption").await.is_empty(), "no run happened");
        choose_file(&page, "Image file", &red).await;
        let preview = page.js("return document.querySelector('.media-preview--image')?.naturalWidth ?? 0").await;
        assert!(preview.as_u64().is_some(), "an input preview is shown");
        run(&page).await;
        let red_top = page.wait_text(".labels__top-name", |t| !t.is_empty()).await;
        let bars = page.js("return document.querySelectorAll('.labels__bar').length").await;
        assert_eq!(bars, json!(5), "five confidence bars");

        choose_file(&page, "Image file", &green).await;
        run(&page).await;
        let green_top = page.wait_text(".labels__top-name", |t| !t.is_empty()).await;
        assert_ne!(red_top, green_top, "different images give different answers");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_dict_classification_and_imagemagick_zip() {
    let (_oscar, creds) = stand_in(Faults::default()).await;
    let image = e2e::temp_file("gradient.png", &fixtures::png_gradient(48, 32));
    with_app(move |page| async move {
        open_service(&page, &creds, "plants-classification").await;
        choose_file(&page, "Image file", &image).await;
        run(&page).await;
        page.wait_text(".labels__top-name", |t| !t.is_empty()).await;

        // imagemagick declares its interface: an "Image" input and a ZIP mapping.
        open_service_again(&page, "imagemagick").await;
        choose_file(&page, "Image", &image).await;
        run(&page).await;
        let names = eventually("three ZIP entries", || async {
            let n = page.texts(".zip-list__name").await;
            (n.len() == 3).then_some(n)
        })
        .await;
        assert!(names.iter().any(|n| n.ends_with("_gray.png")), "{names:?}");
        assert!(names.iter().any(|n| n.ends_with("_edges.png")), "{names:?}");
        assert!(names.iter().any(|n| n.ends_with("_metrics.json")), "{names:?}");
        for (i, name) in names.iter().enumerate() {
            if name.ends_with(".png") {
                let open = format!("(//li[contains(@class,'zip-list__entry')])[{}]//button[normalize-space()='Open']", i + 1);
                page.client.find(fantoccini::Locator::XPath(&open)).await.expect("Open").click().await.expect("click");
            }
        }
        let widths = page.output_image_widths().await;
        assert_eq!(widths, vec![48, 48], "both PNG entries decode at their size");
    })
    .await;
}

/// Goes to another service's page within the same session.
async fn open_service_again(page: &Page, service: &str) {
    page.open(&format!("/services/{service}")).await;
    page.wait_text("h1", |t| t == service).await;
    page.wait_text("h2", |t| t == "Input").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grayify_returns_an_image_and_its_supervisor_logs() {
    let (_oscar, creds) = stand_in(Faults::default()).await;
    let image = e2e::temp_file("photo.png", &fixtures::png_gradient(40, 30));
    with_app(move |page| async move {
        open_service(&page, &creds, "grayify").await;
        choose_file(&page, "Image file", &image).await;
        run(&page).await;
        assert_eq!(page.output_image_widths().await, vec![40]);
        let logs = page.wait_text(".logs summary", |t| t.starts_with("Logs (")).await;
        assert!(!logs.starts_with("Logs (0"), "{logs}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_to_speech_plays_audio_and_table_stats_shows_a_table() {
    let (_oscar, creds) = stand_in(Faults::default()).await;
    let csv = e2e::temp_file("people.csv", fixtures::csv_sample().as_bytes());
    with_app(move |page| async move {
        open_service(&page, &creds, "text-to-speech").await;
        page.fill("Text", "Hello from the browser").await;
        run(&page).await;
        let duration = eventually("the audio to load its duration", || async {
            let d = page.js("const a = document.querySelector('.output-audio'); return a && isFinite(a.duration) ? a.duration : 0").await;
            d.as_f64().filter(|d| *d > 0.0)
        })
        .await;
        assert!(duration > 0.5, "{duration}");

        // kokoro-tts declares its controls (voice, language, message, speed).
        open_service_again(&page, "kokoro-tts").await;
        assert_eq!(page.value_of("Voice").await, "af_bella", "the spec's default is chosen");
        run(&page).await;
        page.wait_text(".output-body__kind", |t| t == "Detected: WAV audio").await;

        open_service_again(&page, "table-stats").await;
        let input = page.field("Table file (CSV or TSV)").await;
        input.send_keys(&csv.display().to_string()).await.expect("choose csv");
        page.wait_text(".send-preview", |t| t.contains("table as CSV")).await;
        run(&page).await;
        let header = page.texts(".output-table th").await;
        assert_eq!(header, vec!["column", "count", "missing", "mean", "min", "max"]);
        assert!(page.texts(".output-table tbody tr").await.len() >= 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_round_trips_pdf_and_wav_and_noisy_logs_are_stripped() {
    let (_oscar, creds) = stand_in(Faults::default()).await;
    let pdf = e2e::temp_file("doc.pdf", &fixtures::pdf_minimal());
    let wav = e2e::temp_file("tone.wav", &fixtures::wav_tone(440.0, 700));
    with_app(move |page| async move {
        open_service(&page, &creds, "echo").await;
        choose_kind(&page, "File").await;
        choose_file(&page, "File", &pdf).await;
        run(&page).await;
        page.wait_text(".output-body__kind", |t| t == "Detected: PDF document").await;
        page.press("Show inline").await;
        page.wait_text(".output-body", |t| t.contains("Hide")).await;
        assert!(page.client.find(fantoccini::Locator::Css("iframe.output-pdf")).await.is_ok());

        choose_file(&page, "File", &wav).await;
        run(&page).await;
        page.wait_text(".output-body__kind", |t| t == "Detected: WAV audio").await;
        let duration = eventually("the echoed audio duration", || async {
            let d = page.js("const a = document.querySelector('.output-audio'); return a && isFinite(a.duration) ? a.duration : 0").await;
            d.as_f64().filter(|d| *d > 0.0)
        })
        .await;
        assert!((duration - 0.7).abs() < 0.1, "{duration}");

        open_service_again(&page, "noisy-test").await;
        choose_kind(&page, "Text").await;
        page.fill("Text", "one two three").await;
        run(&page).await;
        let out = page.wait_text(".output-text", |t| !t.is_empty()).await;
        assert!(!out.contains(" - supervisor - "), "log lines are not in the output: {out}");
        let logs = page.wait_text(".logs summary", |t| t.starts_with("Logs (")).await;
        assert!(!logs.starts_with("Logs (0"), "{logs}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_script_shows_its_error_text_as_output() {
    let (_oscar, creds) = stand_in(Faults::default()).await;
    with_app(move |page| async move {
        open_service(&page, &creds, "fail-test").await;
        choose_kind(&page, "Text").await;
        page.fill("Text", "anything").await;
        run(&page).await;
        let out = page.wait_text(".output-text", |t| t.contains("Traceback")).await;
        assert!(out.contains("Error"), "{out}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_run_shows_time_and_can_be_cancelled() {
    let (_oscar, creds) = stand_in(Faults::default()).await;
    with_app(move |page| async move {
        open_service(&page, &creds, "sleep-test").await;
        choose_kind(&page, "Text").await;
        page.fill("Text", "zzz").await;
        page.press("Run").await;
        page.wait_text(".run-status__what", |t| t.starts_with("Waiting for the service")).await;
        page.wait_text(".run-status__elapsed", |t| t != "0.0 s" && t.ends_with(" s")).await;
        page.press("Cancel").await;
        let msg = page.alert_containing("Cancelled").await;
        assert!(msg.contains("OSCAR may still finish"), "{msg}");
        assert_eq!(page.value_of("Text").await, "zzz", "the input stays");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_timeout_offers_retry_and_keeps_the_input() {
    let (oscar, creds) = stand_in(Faults::default()).await;
    let oscar = std::sync::Arc::new(oscar);
    let handle = oscar.clone();
    with_app(move |page| async move {
        open_service(&page, &creds, "cowsay").await;
        page.fill("JSON", r#"{"message": "second try"}"#).await;
        handle.set_faults(Faults { force_status: Some(504), ..Faults::default() });
        page.press("Run").await;
        let msg = page.alert_containing("HTTP 504").await;
        assert!(msg.contains("cold start"), "{msg}");
        assert!(page.value_of("JSON").await.contains("second try"), "the input stays");
        handle.set_faults(Faults::default());
        page.press("Retry").await;
        page.wait_text(".output-text", |t| t.contains("< second try >")).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_token_is_fetched_again_and_the_run_goes_through() {
    let (oscar, creds) = stand_in(Faults::default()).await;
    let oscar = std::sync::Arc::new(oscar);
    let handle = oscar.clone();
    with_app(move |page| async move {
        open_service(&page, &creds, "cowsay").await;
        // OSCAR before v4 regenerates the token on every service update.
        handle.rotate_tokens();
        page.fill("JSON", r#"{"message": "fresh token"}"#).await;
        run(&page).await;
        page.wait_text(".output-text", |t| t.contains("< fresh token >")).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_large_gone_dropped_and_cors_less_runs_each_say_what_to_do() {
    let (oscar, creds) = stand_in(Faults::default()).await;
    let oscar = std::sync::Arc::new(oscar);
    let handle = oscar.clone();
    let big = e2e::temp_file("big.bin", &vec![7u8; 900_000]);
    with_app(move |page| async move {
        open_service(&page, &creds, "echo").await;
        choose_kind(&page, "File").await;
        choose_file(&page, "File", &big).await;
        page.wait_text(".notice", |t| t.contains("over 1 MB once encoded")).await;
        handle.set_faults(Faults { max_body: Some(1024 * 1024), ..Faults::default() });
        page.press("Run").await;
        let msg = page.alert_containing("HTTP 413").await;
        assert!(msg.contains("asynchronously"), "points to async: {msg}");

        handle.set_faults(Faults { drop_run: true, ..Faults::default() });
        page.fill("File", "").await;
        choose_kind(&page, "Text").await;
        page.fill("Text", "hello").await;
        page.press("Run").await;
        page.alert_containing("connection to the cluster dropped").await;
        handle.set_faults(Faults::default());
        page.press("Retry").await;
        page.wait_text(".output-text", |t| t.contains("hello")).await;

        handle.set_cors(false);
        page.press("Run").await;
        page.alert_containing("cross-origin requests (CORS)").await;
        handle.set_cors(true);

        assert!(handle.remove_service("echo"));
        page.press("Run").await;
        let gone = page.alert_containing("no longer exists").await;
        assert!(gone.contains("echo"), "{gone}");
        assert_eq!(page.value_of("Text").await, "hello", "the input stays through every error");
    })
    .await;
}
