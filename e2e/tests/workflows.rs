//! Workflows in Chromium against the stand-in's two demo workflows
//! (anon-blur → anon-detect, tiles-split → tiles-classify): the list with
//! its drawings, runs followed stage by stage, a failing stage, a reload
//! mid-run, and an axe audit of both pages.

use e2e::{eventually, with_app, Options, Page, Sandbox};
use oscar_sandbox::fixtures;
use std::path::Path;
use std::sync::Arc;

async fn stand_in(options: Options) -> Arc<Sandbox> {
    Arc::new(Sandbox::start(options).await.expect("stand-in"))
}

/// Logs in on `path` and waits for a workflow page's input form.
async fn open_workflow(page: &Page, oscar: &Sandbox, entry: &str) {
    page.open(&format!("/workflows/{entry}")).await;
    page.wait_path("the login page", |p| p.starts_with("/login")).await;
    page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
    page.wait_text("h2", |t| t == format!("Input of {entry}")).await;
}

async fn run_with(page: &Page, image: &Path) {
    page.field("Image").await.send_keys(&image.display().to_string()).await.expect("choose file");
    let name = image.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    page.wait_text(".send-preview", |t| t.contains(&name)).await;
    page.press("Run workflow").await;
}

/// Clicks the element `css` finds, once it is there.
async fn click(page: &Page, css: &str) {
    eventually(&format!("{css} to click"), || async {
        let e = page.client.find(fantoccini::Locator::Css(css)).await.ok()?;
        e.click().await.ok()
    })
    .await;
}

/// The state badge of a stage's card.
async fn wait_stage(page: &Page, stage: &str, state: &str) {
    page.wait_text(&format!(".workflow-stage[data-stage='{stage}'] .wf-badge"), |t| t == state).await;
}

/// The natural widths of the images a stage's card shows.
async fn stage_image_widths(page: &Page, stage: &str) -> Vec<u64> {
    let script = format!(
        "return [...document.querySelectorAll(\".workflow-stage[data-stage='{stage}'] .workflow-object img\")].map(i => i.complete ? i.naturalWidth : 0)"
    );
    let v = page.js(&script).await;
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_u64()).collect()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workflows_page_lists_both_demo_workflows_drawn_and_as_a_list() {
    let oscar = stand_in(Options::default()).await;
    with_app(move |page| async move {
        page.open("/services").await;
        page.wait_path("the login page", |p| p.starts_with("/login")).await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
        page.wait_path("the list", |p| p == "/services").await;
        // The header's link leads there.
        let link = page.client.find(fantoccini::Locator::LinkText("Workflows")).await.expect("header link");
        link.click().await.expect("follow");
        page.wait_path("the workflows page", |p| p == "/workflows").await;
        page.wait_text(".service-count", |t| t == "2 workflows").await;
        let titles = page.texts(".workflow-card__title").await;
        assert_eq!(titles, ["anon-blur → anon-detect", "tiles-split → tiles-classify"]);
        // Each drawing: two boxes, the bucket between them on the arrow.
        let boxes = page.texts(".workflow-card .wf-name").await;
        assert_eq!(boxes, ["anon-blur", "anon-detect", "tiles-split", "tiles-classify"]);
        let labels = page.texts(".workflow-card .wf-label").await;
        for path in ["anon/input", "anon/intermediate", "anon/result", "tiles/in", "tiles/med", "tiles/out"] {
            assert!(labels.iter().any(|l| l == path), "{path} on an arrow: {labels:?}");
        }
        // The same graph as an ordered list, which the drawing points to.
        let steps = page.texts(".workflow-card .workflow-steps li").await;
        assert_eq!(steps[0], "anon-blur reads anon/input and writes anon/intermediate; feeds anon-detect (through anon/intermediate).");
        let described = page.js("const s = document.querySelector('.workflow-svg'); return document.getElementById(s.getAttribute('aria-describedby'))?.tagName ?? ''").await;
        assert_eq!(described.as_str(), Some("OL"));
        let notes = page.texts(".workflow-notes li").await;
        assert!(notes.iter().any(|n| n == "“anon-detect” is a last stage: no service reads its output anon/result."), "{notes:?}");
        let problems = page.axe_serious().await;
        assert!(problems.is_empty(), "axe on /workflows: {problems:#?}");
        // A phone: the drawing scales down instead of overflowing.
        page.client.set_window_size(390, 844).await.expect("phone size");
        let overflow = eventually("the page fits a phone", || async {
            let v = page.js("const s = document.querySelector('.workflow-svg').getBoundingClientRect(); return s.width > 0 && s.right <= window.innerWidth + 1 && document.documentElement.scrollWidth <= window.innerWidth + 1").await;
            v.as_bool().filter(|b| *b)
        })
        .await;
        assert!(overflow);
        click(&page, "a[aria-label='Open and run the workflow from tiles-split']").await;
        page.wait_path("one workflow", |p| p == "/workflows/tiles-split").await;
        page.wait_text("h2", |t| t == "Input of tiles-split").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_stage_run_shows_the_intermediate_and_the_final_output() {
    let oscar = stand_in(Options::default()).await;
    let image = e2e::temp_file("street.png", &fixtures::png_gradient(48, 32));
    with_app(move |page| async move {
        open_workflow(&page, &oscar, "anon-blur").await;
        run_with(&page, &image).await;
        wait_stage(&page, "anon-blur", "Done").await;
        wait_stage(&page, "anon-detect", "Done").await;
        page.wait_text(".workflow-run__status", |t| t == "The run of street.png went through every stage.").await;
        // Each stage's job, its status and the object it wrote, in the usual views.
        let jobs = page.texts(".workflow-stage[data-stage='anon-detect'] .workflow-jobs .badge").await;
        assert_eq!(jobs, ["Succeeded"]);
        let widths = eventually("both images shown", || async {
            let (a, b) = (stage_image_widths(&page, "anon-blur").await, stage_image_widths(&page, "anon-detect").await);
            (a == [48] && b == [48]).then_some(())
        })
        .await;
        let _ = widths;
        let names = page.texts(".workflow-object__name .mono").await;
        assert!(names[0].ends_with("-street.png") && names[1].ends_with("-street_boxes.png"), "{names:?}");
        let heads = page.texts(".workflow-stage__outputs").await;
        assert_eq!(heads, ["Written for the next stage: 1 object", "Final output: 1 object"]);
        // The boxes of the live drawing say so too.
        let done = page.js("return document.querySelectorAll('#wf-live-title ~ g .wf-box--done, .wf-box--done').length").await;
        assert_eq!(done.as_u64(), Some(2));
        let problems = page.axe_serious().await;
        assert!(problems.is_empty(), "axe on a finished run: {problems:#?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_out_run_shows_every_tiles_result() {
    let oscar = stand_in(Options::default()).await;
    let image = e2e::temp_file("meadow.png", &fixtures::png_gradient(40, 40));
    with_app(move |page| async move {
        open_workflow(&page, &oscar, "tiles-split").await;
        run_with(&page, &image).await;
        wait_stage(&page, "tiles-split", "Done").await;
        page.wait_text(".workflow-stage[data-stage='tiles-split'] .workflow-stage__outputs", |t| t == "Written for the next stage: 4 objects").await;
        wait_stage(&page, "tiles-classify", "Done").await;
        // One job per tile, and each tile's labels with their confidence bars.
        let jobs = page.texts(".workflow-stage[data-stage='tiles-classify'] .workflow-jobs .badge").await;
        assert_eq!(jobs, ["Succeeded"; 4]);
        let tiles = eventually("the four tiles drawn", || async {
            let w = stage_image_widths(&page, "tiles-split").await;
            (w == [20, 20, 20, 20]).then_some(w)
        })
        .await;
        assert_eq!(tiles.len(), 4);
        let tops = eventually("four label views", || async {
            let t = page.texts(".workflow-stage[data-stage='tiles-classify'] .labels__top-name").await;
            (t.len() == 4).then_some(t)
        })
        .await;
        assert!(tops.iter().all(|t| !t.is_empty()), "{tops:?}");
        let names = page.texts(".workflow-stage[data-stage='tiles-classify'] .workflow-object__name .mono").await;
        for k in 1..=4 {
            assert!(names.iter().any(|n| n.ends_with(&format!("-meadow_tile{k}.json"))), "tile {k}: {names:?}");
        }
        page.wait_text(".workflow-stage[data-stage='tiles-classify'] .workflow-stage__outputs", |t| t == "Final output: 4 objects").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_second_stage_shows_its_logs_and_keeps_the_first_output() {
    let oscar = stand_in(Options::default()).await;
    let tiny = e2e::temp_file("tiny.png", &fixtures::png_gradient(8, 8));
    with_app(move |page| async move {
        open_workflow(&page, &oscar, "anon-blur").await;
        run_with(&page, &tiny).await;
        wait_stage(&page, "anon-detect", "Failed").await;
        page.wait_text(".workflow-run__status", |t| t == "The run of tiny.png is over; a stage failed.").await;
        let logs = page.wait_text(".workflow-stage[data-stage='anon-detect'] .logs__text", |t| t.contains("ValueError: image too small for the detector: 8x8")).await;
        assert!(logs.contains("supervisor"), "the job's own logs: {logs}");
        wait_stage(&page, "anon-blur", "Done").await;
        eventually("the first stage's image kept", || async { (stage_image_widths(&page, "anon-blur").await == [8]).then_some(()) }).await;
        // A succeeded job's logs come on request.
        click(&page, "button[aria-label^='Logs of anon-blur-']").await;
        page.wait_text(".workflow-stage[data-stage='anon-blur'] .logs__text", |t| t.contains("[blurry-faces] 8x8 image")).await;
        let problems = page.axe_serious().await;
        assert!(problems.is_empty(), "axe on a failed run: {problems:#?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_mid_run_reattaches() {
    // Slow jobs, so that the reload lands while the first stage runs.
    let oscar = stand_in(Options { job_delay_ms: 1500, ..Options::default() }).await;
    let image = e2e::temp_file("slow.png", &fixtures::png_gradient(32, 32));
    let secret = oscar.password().to_string();
    with_app(move |page| async move {
        open_workflow(&page, &oscar, "anon-blur").await;
        run_with(&page, &image).await;
        wait_stage(&page, "anon-blur", "Running").await;
        let stored = page.js("return sessionStorage.getItem('oscar-visor.workflow.anon-blur') ?? ''").await;
        let stored = stored.as_str().unwrap_or_default().to_string();
        assert!(stored.contains("slow.png"), "the run is kept for a reload: {stored}");
        assert!(!stored.contains(&secret), "no secret in the stored run");
        page.client.refresh().await.expect("reload");
        page.wait_text(".notice", |t| t == "Resumed following the run of slow.png.").await;
        wait_stage(&page, "anon-detect", "Done").await;
        eventually("both images shown", || async {
            let (a, b) = (stage_image_widths(&page, "anon-blur").await, stage_image_widths(&page, "anon-detect").await);
            (a == [32] && b == [32]).then_some(())
        })
        .await;
        let left = page.js("return sessionStorage.getItem('oscar-visor.workflow.anon-blur')").await;
        assert!(left.is_null(), "a finished run is forgotten");
    })
    .await;
}
