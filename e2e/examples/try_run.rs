//! Opens a service page, runs it with its default input and saves a
//! screenshot to e2e/artifacts/run-<service>-<width>.png (for reviewing by eye).
//! `cargo run -p e2e --example try_run -- cowsay 360`

use e2e::{with_app, Options, Sandbox};

#[tokio::main]
async fn main() {
    let service = std::env::args().nth(1).unwrap_or_else(|| "cowsay".into());
    let width: u32 = std::env::args().nth(2).and_then(|w| w.parse().ok()).unwrap_or(1280);
    let oscar = Sandbox::start(Options::default()).await.expect("stand-in");
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    let out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&out).expect("artifacts dir");
    with_app(move |page| async move {
        page.client.set_window_size(width, 1000).await.expect("resize");
        page.open(&format!("/services/{service}")).await;
        page.log_in(&url, &user, &pass).await;
        page.wait_text("h2", |t| t == "Input").await;
        page.press("Run").await;
        page.wait_text(".panel", |t| t.contains("Finished in") || t.contains("HTTP")).await;
        let png = page.client.screenshot().await.expect("screenshot");
        std::fs::write(out.join(format!("run-{service}-{width}.png")), png).expect("write");
    })
    .await;
}
