//! Deploying anywhere: the same dist/ under a sub-path with a strict CSP,
//! on a host that only serves 404.html, inside a parent page's iframe with
//! credentials handed over by postMessage; and OIDC access tokens.

use e2e::{dist_dir, eventually, fixture, strict_csp, visor_dist_dir, with_browser, Options, Page, Sandbox};
use oscar_sandbox::{fixtures, StaticSite};
use serde_json::json;
use std::sync::Arc;

async fn stand_in() -> Arc<Sandbox> {
    Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"))
}

async fn run_and_wait(page: &Page) {
    page.press("Run").await;
    page.wait_text(".run-caption", |t| t.starts_with("Finished in")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_a_sub_path_with_a_strict_csp_nothing_is_refused() {
    let oscar = stand_in().await;
    let csp = strict_csp(&[&oscar.url(), &oscar.s3_url()], "'none'");
    let site = StaticSite::builder(dist_dir()).prefix("/visor/").header("Content-Security-Policy", &csp).start(0).await.expect("site");
    let image = std::env::temp_dir().join(format!("visor-csp-{}.png", std::process::id()));
    std::fs::write(&image, fixtures::png_gradient(30, 20)).expect("fixture");
    with_browser(format!("{}/visor", site.url()), move |page| async move {
        page.open("/services/grayify").await;
        page.wait_path("login under /visor", |p| p.starts_with("/visor/login")).await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
        page.wait_path("the deep link under /visor", |p| p == "/visor/services/grayify").await;
        page.field("Image file").await.send_keys(&image.display().to_string()).await.expect("choose");
        run_and_wait(&page).await;
        // blob: images and the output decode under img-src.
        eventually("the gray image", || async {
            let w = page.js("const i = document.querySelector('.output-image'); return i && i.complete ? i.naturalWidth : 0").await;
            w.as_u64().filter(|w| *w == 30)
        })
        .await;
        // A reload of the deep link still works under the sub-path.
        page.client.refresh().await.expect("reload");
        page.wait_text("h2", |t| t == "Input").await;
        let violations = page.csp_violations().await;
        assert!(violations.is_empty(), "CSP violations: {violations:?}");
    })
    .await;
}

/// A deep link on a host that serves real files and, for anything else,
/// 404.html (GitHub Pages and the like): the app starts, sends the visitor to
/// log in, and back to the deep link.
async fn deep_link_on_a_404_only_host(app_url: String, base: &'static str) {
    let oscar = stand_in().await;
    with_browser(app_url, move |page| async move {
        page.open("/services/cowsay").await;
        page.wait_path("login with a way back", |p| p == format!("{base}/login?next=/services/cowsay")).await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
        page.wait_path("back at the deep link", |p| p == format!("{base}/services/cowsay")).await;
        page.wait_text("h1", |t| t == "cowsay").await;
        // The host sends the build's precompressed wasm, as real hosts do.
        let wire = page.js("const w = performance.getEntriesByType('resource').find(e => e.name.endsWith('.wasm')); return w ? [w.encodedBodySize, w.decodedBodySize] : null").await;
        let (sent, size) = (wire[0].as_f64().unwrap_or(0.0), wire[1].as_f64().unwrap_or(0.0));
        assert!(size > 0.0 && sent < size * 0.6, "the wasm came gzipped: {sent} bytes on the wire for {size}");
        // A reload of the deep link is answered by 404.html again, and works.
        page.client.refresh().await.expect("reload");
        page.wait_text(".facts-row--page", |t| t.contains("ghcr.io/grycap/cowsay")).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_only_serves_404_html_deep_links_with_the_relative_build_at_the_root() {
    let site = StaticSite::builder(dist_dir()).spa_fallback(false).start(0).await.expect("site");
    deep_link_on_a_404_only_host(site.url(), "").await;
    drop(site);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_only_serves_404_html_deep_links_with_the_public_url_build_under_visor() {
    let site = StaticSite::builder(visor_dist_dir()).prefix("/visor/").spa_fallback(false).start(0).await.expect("site");
    deep_link_on_a_404_only_host(format!("{}/visor", site.url()), "/visor").await;
    drop(site);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_embedding_page_hands_over_credentials_and_the_frame_fits() {
    let oscar = stand_in().await;
    // The parent first, so its origin can be allowed in the app's config.json.
    let parent = StaticSite::builder(std::env::temp_dir())
        .spa_fallback(false)
        .file("/parent.html", "text/html", fixture("parent.html"))
        .file("/parent.js", "text/javascript", fixture("parent.js"))
        .start(0)
        .await
        .expect("parent site");
    let stranger = StaticSite::builder(std::env::temp_dir())
        .spa_fallback(false)
        .file("/parent.html", "text/html", fixture("parent.html"))
        .file("/parent.js", "text/javascript", fixture("parent.js"))
        .start(0)
        .await
        .expect("stranger site");
    let config = json!({ "embed_origins": [parent.url()] }).to_string().into_bytes();
    // Both may frame the app (frame-ancestors); only the parent may log it in (config.json).
    let csp = strict_csp(&[&oscar.url(), &oscar.s3_url()], &format!("{} {}", parent.url(), stranger.url()));
    let app = StaticSite::builder(dist_dir())
        .file("/config.json", "application/json", config)
        .header("Content-Security-Policy", &csp)
        .start(0)
        .await
        .expect("app site");
    let app_url = app.url();
    let creds = json!({ "endpoint": oscar.url(), "username": oscar.username(), "password": oscar.password() });
    let stranger_url = stranger.url();
    with_browser(parent.url(), move |page| async move {
        // A parent whose origin is not allowed is ignored: the frame keeps its own login.
        page.client.goto(&format!("{stranger_url}/parent.html?app={app_url}")).await.expect("stranger");
        page.wait_text("#status", |t| t == "ready").await;
        page.client.execute("window.visorLogin(arguments[0]); return null", vec![creds.clone()]).await.expect("send");
        page.client.enter_frame(0).await.expect("frame");
        page.field("Endpoint").await;
        let ignored = eventually("the ignored-message log", || async {
            page.console().await.into_iter().find(|m| m.contains("ignored a message from"))
        })
        .await;
        assert!(!ignored.contains(oscar.password()), "the message content is not logged");
        page.client.enter_parent_frame().await.expect("parent");
        assert_eq!(page.texts("#status").await, vec!["ready".to_string()]);

        // The allowed parent signs the frame in; no header, and the height is reported.
        page.client.goto(&format!("{}/parent.html?app={app_url}", page.app_url)).await.expect("parent");
        page.wait_text("#status", |t| t == "ready").await;
        page.client.execute("window.visorLogin(arguments[0]); return null", vec![creds]).await.expect("send");
        page.wait_text("#status", |t| t == "signed-in").await;
        page.client.enter_frame(0).await.expect("frame");
        page.wait_text("h1", |t| t == "cowsay").await;
        assert!(page.texts(".app-header").await.is_empty(), "no header in embed mode");
        run_and_wait(&page).await;
        page.wait_text(".output-text", |t| t.contains("Hello from OSCAR Visor")).await;
        let violations = page.csp_violations().await;
        assert!(violations.is_empty(), "CSP violations in the frame: {violations:?}");
        page.client.enter_parent_frame().await.expect("parent");
        let height: u64 = page.wait_text("#height", |t| t.parse::<u64>().is_ok_and(|h| h > 400)).await.parse().unwrap_or(0);
        assert!(height > 400, "the frame reported its content height");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oidc_token_logs_in_sees_its_services_and_recovers_from_expiry() {
    let oscar = stand_in().await;
    let site = StaticSite::start(dist_dir(), 0).await.expect("site");
    let short = oscar.issue_token("user-1@egi.eu", 600);
    with_browser(site.url(), move |page| async move {
        page.open("/login").await;
        page.fill("Endpoint", &oscar.url()).await;
        page.client.find(fantoccini::Locator::Css("input[name=login-method][value=token]")).await.expect("token option").click().await.expect("click");
        page.fill("Access token", &short).await;
        page.press("Log in").await;
        page.wait_path("the list", |p| p == "/services").await;
        page.wait_text(".app-header__user", |t| t == "user-1@egi.eu").await;
        let names = page.texts(".service-card__name").await;
        assert!(!names.is_empty());
        assert!(!names.contains(&"grayify".to_string()), "a private service of another owner is hidden: {names:?}");

        page.open("/services/cowsay").await;
        page.fill("JSON", r#"{"message": "kept through a re-login"}"#).await;
        // An hour passes on the issuer's clock: the token has expired.
        oscar.advance_token_clock(3600);
        let token = oscar.issue_token("user-1@egi.eu", 3600);
        page.press("Run").await;
        page.alert_containing("refused these credentials").await;
        page.press("Log in again").await;
        page.wait_text("[role=dialog]", |t| t.contains("stay as they are")).await;
        page.client.find(fantoccini::Locator::Css("[role=dialog] input[name=login-method][value=token]")).await.expect("token option").click().await.expect("click");
        page.fill("Access token", &token).await;
        page.press("Log in").await;
        eventually("the dialog to close", || async { page.texts("[role=dialog]").await.is_empty().then_some(()) }).await;
        assert!(page.value_of("JSON").await.contains("kept through a re-login"), "the input stayed");
        run_and_wait(&page).await;
        page.wait_text(".output-text", |t| t.contains("< kept through a re-login >")).await;
        page.assert_secret_stays_in_session_storage(&token).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_json_fixes_the_endpoint_and_a_broken_one_warns() {
    let oscar = stand_in().await;
    let fixed = json!({ "endpoint": oscar.url(), "fixed_endpoint": true, "title": "Lab cluster" }).to_string().into_bytes();
    let site = StaticSite::builder(dist_dir()).file("/config.json", "application/json", fixed).start(0).await.expect("site");
    let broken = StaticSite::builder(dist_dir()).file("/config.json", "application/json", b"{ oops".to_vec()).start(0).await.expect("site");
    let broken_url = broken.url();
    with_browser(site.url(), move |page| async move {
        page.open("/login").await;
        page.wait_text(".login-form", |t| t.contains(&format!("Cluster: {}", oscar.url()))).await;
        assert!(page.texts("#login-endpoint").await.is_empty(), "no endpoint field");
        page.wait_text(".app-header__brand", |t| t.ends_with("Lab cluster")).await;
        page.fill("Username", oscar.username()).await;
        page.fill("Password", oscar.password()).await;
        page.press("Log in").await;
        page.wait_path("the list", |p| p == "/services").await;

        page.client.goto(&format!("{broken_url}/login")).await.expect("broken site");
        page.wait_text(".site-warning", |t| t.contains("config.json is not valid JSON")).await;
        page.field("Endpoint").await;
    })
    .await;
}

/// A copy of a build, to take files away from.
fn copy_of(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read dir").flatten() {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).expect("copy");
            }
        }
    }
    let to = std::env::temp_dir().join(format!("visor-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&to);
    copy(dir, &to);
    to
}

/// The run page's chunk does not arrive (the network went away, or a new
/// deploy removed it): the page says so with "Reload" and "Try again" instead
/// of dying, and "Try again" shows the page once the chunk is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunk_that_does_not_load_says_so_and_try_again_recovers() {
    let oscar = stand_in().await;
    let dir = copy_of(&dist_dir(), "chunkless");
    let chunk: Vec<_> = std::fs::read_dir(&dir)
        .expect("dist")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("split_run_page-")))
        .collect();
    assert!(!chunk.is_empty(), "dist/ has no run-page chunk: build it with `trunk build --release`");
    let away = |p: &std::path::PathBuf| p.with_extension("away");
    for p in &chunk {
        std::fs::rename(p, away(p)).expect("take the chunk away");
    }
    let site = StaticSite::start(dir.clone(), 0).await.expect("site");
    with_browser(site.url(), move |page| async move {
        page.open("/login").await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
        page.wait_path("the list", |p| p == "/services").await;
        let link = page.client.find(fantoccini::Locator::Css("a.service-card__link[href$='/services/cowsay']")).await.expect("cowsay");
        link.click().await.expect("open cowsay");
        let alert = page.alert_containing("could not be loaded").await;
        assert!(alert.contains("Reload") && alert.contains("Try again"), "a way out: {alert}");
        // The wasm did not abort: no `unreachable` in the console.
        assert_eq!(page.died().await, None, "the app lives on");
        for p in &chunk {
            std::fs::rename(away(p), p).expect("bring the chunk back");
        }
        page.press("Try again").await;
        page.wait_text("h1", |t| t == "cowsay").await;
        page.wait_text("h2", |t| t == "Input").await;
    })
    .await;
    drop(site);
    let _ = std::fs::remove_dir_all(dir);
}
