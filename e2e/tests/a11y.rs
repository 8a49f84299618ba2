//! Accessibility: an axe-core audit of every page and state, with zero
//! serious or critical violations; and keyboard-only use of the main flow.

use e2e::{with_app, Options, Page, Sandbox};
use oscar_sandbox::fixtures;
use std::sync::Arc;

async fn audit(page: &Page, state: &str, found: &mut Vec<String>) {
    for v in page.axe_serious().await {
        found.push(format!("{state}: {v}"));
    }
}

async fn finished(page: &Page) {
    page.wait_text(".run-caption", |t| t.starts_with("Finished in")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_and_state_passes_axe() {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    let image = std::env::temp_dir().join(format!("visor-a11y-{}.png", std::process::id()));
    std::fs::write(&image, fixtures::png(24, 24, [30, 160, 60])).expect("fixture");
    with_app(move |page| async move {
        let mut found = Vec::new();
        page.open("/login").await;
        page.field("Endpoint").await;
        audit(&page, "login", &mut found).await;
        page.log_in(&oscar.url(), oscar.username(), "wrong").await;
        page.alert_containing("refused").await;
        audit(&page, "login error", &mut found).await;
        page.fill("Password", oscar.password()).await;
        page.press("Log in").await;
        page.wait_text(".service-count", |t| t.ends_with("services")).await;
        audit(&page, "service list", &mut found).await;

        for (service, state) in [("cowsay", "text output"), ("plants-classification-sync", "label output"), ("imagemagick", "zip output")] {
            page.open(&format!("/services/{service}")).await;
            page.wait_text("h2", |t| t == "Input").await;
            if service != "cowsay" {
                let label = if service == "imagemagick" { "Image" } else { "Image file" };
                page.field(label).await.send_keys(&image.display().to_string()).await.expect("choose");
            }
            page.press("Run").await;
            finished(&page).await;
            if service == "imagemagick" {
                page.press("Open").await;
            }
            audit(&page, state, &mut found).await;
        }
        page.open("/services/grayify").await;
        page.wait_text("h2", |t| t == "Input").await;
        page.field("Image file").await.send_keys(&image.display().to_string()).await.expect("choose");
        page.press("Run").await;
        finished(&page).await;
        audit(&page, "image output", &mut found).await;
        page.client.find(fantoccini::Locator::Css(".editor__summary")).await.expect("editor").click().await.expect("open");
        audit(&page, "interface editor", &mut found).await;

        page.open("/services/kokoro-tts").await;
        page.wait_text("h2", |t| t == "Input").await;
        audit(&page, "declared controls", &mut found).await;
        page.press("Run").await;
        finished(&page).await;
        audit(&page, "audio output", &mut found).await;
        page.open("/services/image-caption").await;
        page.wait_text("h2", |t| t == "Input").await;
        page.press("A shouted leaf").await;
        finished(&page).await;
        audit(&page, "json output", &mut found).await;
        page.client.find(fantoccini::Locator::Css("details.api summary")).await.expect("Use via API").click().await.expect("open");
        page.wait_text("#tab-api-curl pre", |t| t.contains("/run/image-caption")).await;
        audit(&page, "API snippets", &mut found).await;
        page.open("/services/table-stats").await;
        page.wait_text("h2", |t| t == "Input").await;
        page.press("Plants table").await;
        finished(&page).await;
        audit(&page, "table output", &mut found).await;
        page.open("/services/plants-classification-sync").await;
        page.wait_text("h2", |t| t == "Input").await;
        page.press("Batch").await;
        page.wait_text("h2", |t| t == "Results").await;
        audit(&page, "empty batch", &mut found).await;
        page.field("Files").await.send_keys(&image.display().to_string()).await.expect("choose");
        page.press("Run all").await;
        page.wait_text(".batch__line", |t| t.starts_with("1 of 1 done")).await;
        page.press("Open").await;
        page.wait_text(".batch-opened .labels__top-name", |t| !t.is_empty()).await;
        audit(&page, "batch results", &mut found).await;
        page.open("/services/echo").await;
        page.wait_text("h2", |t| t == "Input").await;
        page.field("Input type").await.select_by_label("File").await.expect("file");
        page.field("File").await.send_keys(&e2e::temp_file("doc.pdf", &fixtures::pdf_minimal()).display().to_string()).await.expect("pdf");
        page.press("Run").await;
        finished(&page).await;
        page.press("Show inline").await;
        audit(&page, "pdf output", &mut found).await;
        page.field("Render as").await.select_by_label("Download").await.expect("download");
        audit(&page, "download output", &mut found).await;
        page.field("Render as").await.select_by_label("Video").await.expect("video");
        page.client.find(fantoccini::Locator::Css(".output-video")).await.expect("video element");
        audit(&page, "video output", &mut found).await;
        page.open("/services/grayify/jobs").await;
        page.wait_text(".service-count", |t| t.ends_with("jobs") || t.ends_with("job")).await;
        audit(&page, "jobs page", &mut found).await;
        page.open("/embed/services/cowsay").await;
        page.wait_text("h1", |t| t == "cowsay").await;
        audit(&page, "embed", &mut found).await;
        page.open("/nowhere").await;
        page.wait_text("h1", |t| t == "Page not found").await;
        audit(&page, "not found", &mut found).await;
        assert!(found.is_empty(), "serious or critical accessibility violations:\n{}", found.join("\n"));
        // The audit can fail: an image without a text alternative is caught.
        page.js("document.body.appendChild(Object.assign(document.createElement('img'), {src: 'nothing.png'})); return null").await;
        let caught = page.axe_serious().await;
        assert!(caught.iter().any(|v| v.starts_with("image-alt")), "axe reports a missing alt: {caught:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_flow_works_by_keyboard_alone() {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    with_app(move |page| async move {
        page.open("/login").await;
        let endpoint = page.field("Endpoint").await;
        endpoint.click().await.expect("focus");
        // Type into the focused field, Tab to the next, Enter submits.
        let active = |keys: String| {
            let page = page.clone();
            async move {
                let el = page.client.active_element().await.expect("focused element");
                el.send_keys(&keys).await.expect("keys");
            }
        };
        active(oscar.url()).await;
        active("\u{E004}".into()).await; // Tab: to the login method radios
        active("\u{E004}".into()).await; // Tab: out of the radio group
        active(oscar.username().to_string()).await;
        active("\u{E004}".into()).await;
        active(oscar.password().to_string()).await;
        active("\u{E007}".into()).await; // Enter
        page.wait_path("the list", |p| p == "/services").await;
        page.wait_text(".service-card__link", |t| !t.is_empty()).await;
        // Focus is visible: the focused element gets an outline.
        let outline = page
            .js("const a = document.querySelector('.service-card__link'); a.focus(); return getComputedStyle(a, '::after').outlineStyle")
            .await;
        assert_eq!(outline.as_str(), Some("solid"), "a visible focus ring on the card link");
        page.js("document.querySelector('.service-card__link').blur(); return null").await;
    })
    .await;
}
