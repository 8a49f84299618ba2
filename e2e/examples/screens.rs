//! Saves screenshots of the main pages (phone and desktop widths, light and
//! dark) to e2e/artifacts/, for reviewing the look. Not a test.
//! `cargo run -p e2e --example screens` after `trunk build --release`.

use e2e::{with_app, Options, Sandbox};

#[tokio::main]
async fn main() {
    let oscar = Sandbox::start(Options::default()).await.expect("stand-in");
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    let out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&out).expect("artifacts dir");
    with_app(move |page| async move {
        let shoot = |name: String| {
            let page = page.clone();
            let out = out.clone();
            async move {
                let png = page.client.screenshot().await.expect("screenshot");
                std::fs::write(out.join(format!("{name}.png")), png).expect("write png");
            }
        };
        for (w, h) in [(360, 780), (1280, 860)] {
            page.client.set_window_size(w, h).await.expect("resize");
            page.open("/login").await;
            page.field("Endpoint").await;
            shoot(format!("login-{w}")).await;
            page.log_in(&url, &user, "wrong").await;
            page.alert_containing("refused").await;
            shoot(format!("login-error-{w}")).await;
            page.fill("Password", &pass).await;
            page.press("Log in").await;
            page.wait_text(".service-count", |t| t.ends_with("services")).await;
            shoot(format!("services-{w}")).await;
            page.open("/workflows").await;
            page.wait_text(".service-count", |t| t.ends_with("workflows")).await;
            shoot(format!("workflows-{w}")).await;
            page.open("/workflows/tiles-split").await;
            page.wait_text("h2", |t| t == "Input of tiles-split").await;
            let leaf = e2e::temp_file("leaf.png", &oscar_sandbox::fixtures::png(48, 48, [40, 180, 60]));
            page.field("Image").await.send_keys(&leaf.display().to_string()).await.expect("file");
            page.press("Run workflow").await;
            page.wait_text(".workflow-run__status", |t| t.contains("went through every stage")).await;
            shoot(format!("workflow-run-{w}")).await;
            page.js("document.querySelector('.workflow-run').scrollIntoView()").await;
            shoot(format!("workflow-stages-{w}")).await;
            page.open("/services/grayify").await;
            page.wait_text(".facts-row--page", |t| t.contains("Image")).await;
            shoot(format!("service-{w}")).await;
            page.open("/services/plants-classification-sync").await;
            page.wait_text("h2", |t| t == "Input").await;
            page.press("Batch").await;
            let files: Vec<String> = [[220, 30, 40], [30, 200, 60], [235, 200, 40]]
                .iter()
                .enumerate()
                .map(|(i, rgb)| e2e::temp_file(&format!("leaf-{i}.png"), &oscar_sandbox::fixtures::png(24, 24, *rgb)).display().to_string())
                .collect();
            page.field("Files").await.send_keys(&files.join("\n")).await.expect("files");
            page.press("Run all").await;
            page.wait_text(".batch__line", |t| t.starts_with("3 of 3 done")).await;
            shoot(format!("batch-{w}")).await;
            page.press("Log out").await;
            page.wait_path("login", |p| p.starts_with("/login")).await;
        }
    })
    .await;
}
