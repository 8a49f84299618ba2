//! The ways a user gives input: camera snapshot, microphone recording,
//! drag-and-drop, paste; and the "Render as" override on the output side.
//! The echo service returns its input, so what went in comes back out.

use base64::Engine;
use e2e::{eventually, with_app, Options, Page, Sandbox};
use oscar_sandbox::fixtures;
use serde_json::json;

async fn open_echo(page: &Page, oscar: &Sandbox, kind: &str) {
    page.open("/services/echo").await;
    page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
    page.wait_text("h2", |t| t == "Input").await;
    page.field("Input type").await.select_by_label(kind).await.expect("choose input type");
}

async fn run(page: &Page) {
    page.press("Run").await;
    page.wait_text(".run-caption", |t| t.starts_with("Finished in")).await;
}

/// Dispatches a drop (or a paste) of a file built in the page from base64.
async fn deliver_file(page: &Page, how: &str, name: &str, mime: &str, bytes: &[u8]) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    let script = r#"
        const [how, name, mime, b64] = arguments;
        const raw = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([raw], name, { type: mime }));
        if (how === 'drop') {
            document.querySelector('.file-drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        } else {
            window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
        }
        return null;"#;
    page.client.execute(script, vec![json!(how), json!(name), json!(mime), json!(b64)]).await.expect("deliver file");
    page.wait_text(".send-preview", |t| t.contains(name)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webcam_snapshot_is_sent_and_comes_back_as_an_image() {
    let oscar = Sandbox::start(Options::default()).await.expect("stand-in");
    with_app(move |page| async move {
        open_echo(&page, &oscar, "Image").await;
        page.press("Use camera").await;
        // The fake camera's first frame (two browsers share two cores here).
        eventually("the camera to show a frame", || async {
            let w = page.js("return document.querySelector('.camera__view')?.videoWidth ?? 0").await;
            w.as_u64().filter(|w| *w > 0)
        })
        .await;
        page.press("Take snapshot").await;
        let outcome = eventually("the snapshot or an error", || async {
            let alerts = page.texts("[role=alert]").await;
            if let Some(a) = alerts.into_iter().find(|a| !a.is_empty()) {
                return Some(Err(a));
            }
            page.texts(".send-preview").await.into_iter().find(|t| t.contains("snapshot.png")).map(Ok)
        })
        .await;
        assert!(outcome.is_ok(), "the snapshot failed: {outcome:?}");
        run(&page).await;
        assert!(page.output_image_width().await >= 160, "the snapshot has the camera's size");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_microphone_recording_is_sent() {
    let oscar = Sandbox::start(Options::default()).await.expect("stand-in");
    with_app(move |page| async move {
        open_echo(&page, &oscar, "Audio").await;
        page.press("Record").await;
        page.wait_text("[role=status]", |t| t == "Recording…").await;
        page.press("Stop recording").await;
        let outcome = eventually("the recording or an error", || async {
            if let Some(a) = page.texts("[role=alert]").await.into_iter().find(|a| !a.is_empty()) {
                return Some(Err(a));
            }
            page.texts(".send-preview").await.into_iter().find(|t| t.contains("recording.")).map(Ok)
        })
        .await;
        let preview = outcome.unwrap_or_else(|e| panic!("the recording failed: {e}"));
        assert!(!preview.contains("(0 B"), "{preview}");
        run(&page).await;
        page.wait_text(".output-body__kind", |t| t.starts_with("Detected: ") && !t.contains("Binary")).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_and_paste_take_a_file() {
    let oscar = Sandbox::start(Options::default()).await.expect("stand-in");
    with_app(move |page| async move {
        open_echo(&page, &oscar, "Image").await;
        deliver_file(&page, "drop", "dropped.png", "image/png", &fixtures::png(21, 13, [10, 20, 200])).await;
        run(&page).await;
        assert_eq!(page.output_image_width().await, 21);
        deliver_file(&page, "paste", "pasted.png", "image/png", &fixtures::png(17, 9, [200, 20, 10])).await;
        run(&page).await;
        assert_eq!(page.output_image_width().await, 17);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_is_a_tree_and_render_as_overrides_it() {
    let oscar = Sandbox::start(Options::default()).await.expect("stand-in");
    with_app(move |page| async move {
        open_echo(&page, &oscar, "File").await;
        let doc = br#"{"name": "visor", "nested": {"list": [1, 2, 3]}}"#;
        deliver_file(&page, "drop", "doc.json", "application/json", doc).await;
        run(&page).await;
        let tree = page.wait_text(".json-tree", |t| t.contains("name")).await;
        assert!(tree.contains("\"visor\"") && tree.contains("list"), "{tree}");
        page.field("Render as").await.select_by_label("Text").await.expect("render as text");
        page.wait_text(".output-text", |t| t.contains(r#""nested": {"list""#)).await;
        page.field("Render as").await.select_by_label("Download").await.expect("render as download");
        let facts = page.wait_text(".facts-row--file", |t| t.contains("output.json")).await;
        assert!(facts.contains("application/json"), "{facts}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_video_plays_on_both_sides() {
    let oscar = Sandbox::start(Options::default()).await.expect("stand-in");
    with_app(move |page| async move {
        open_echo(&page, &oscar, "Video").await;
        // Record half a second of an animated canvas into a WebM, in the page.
        let script = r#"
            const done = arguments[arguments.length - 1];
            const canvas = document.createElement('canvas');
            canvas.width = 64; canvas.height = 48;
            const ctx = canvas.getContext('2d');
            let frame = 0;
            const timer = setInterval(() => { ctx.fillStyle = `hsl(${frame++ * 20}, 80%, 50%)`; ctx.fillRect(0, 0, 64, 48); }, 30);
            const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType: 'video/webm' });
            const parts = [];
            recorder.ondataavailable = e => parts.push(e.data);
            recorder.onstop = () => {
                clearInterval(timer);
                const dt = new DataTransfer();
                dt.items.add(new File(parts, 'clip.webm', { type: 'video/webm' }));
                document.querySelector('.file-drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
                done(null);
            };
            recorder.start();
            setTimeout(() => recorder.stop(), 500);"#;
        page.client.execute_async(script, vec![]).await.expect("record a clip");
        page.wait_text(".send-preview", |t| t.contains("clip.webm")).await;
        let input_ready = eventually("the input video to load", || async {
            let w = page.js("const v = document.querySelector('.media-preview'); return v && v.readyState >= 1 ? v.videoWidth : 0").await;
            w.as_u64().filter(|w| *w > 0)
        })
        .await;
        assert_eq!(input_ready, 64);
        run(&page).await;
        page.wait_text(".output-body__kind", |t| t == "Detected: WebM video").await;
        let output_width = eventually("the output video to load", || async {
            let w = page.js("const v = document.querySelector('.output-video'); return v && v.readyState >= 1 ? v.videoWidth : 0").await;
            w.as_u64().filter(|w| *w > 0)
        })
        .await;
        assert_eq!(output_width, 64);
    })
    .await;
}
