//! Login, session and service list, as a user sees them in Chromium, against
//! the OSCAR stand-in on another origin.

use e2e::{closed_port, eventually, with_app, with_browser, ConfigShape, Faults, Impersonate, Options, Page, Sandbox};
use serde_json::json;

async fn sandbox(opts: Options) -> Sandbox {
    Sandbox::start(opts).await.expect("the stand-in starts")
}

/// Opens the login page and tries these credentials.
async fn attempt(page: &Page, endpoint: &str, user: &str, password: &str) {
    page.open("/login").await;
    page.log_in(endpoint, user, password).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_refused_and_the_form_is_kept() {
    let oscar = sandbox(Options::default()).await;
    let (url, user) = (oscar.url(), oscar.username().to_string());
    with_app(move |page| async move {
        attempt(&page, &url, &user, "not-the-password").await;
        let msg = page.alert_containing("refused these credentials").await;
        assert!(msg.contains("HTTP 401") && msg.contains("Check the username and password"), "{msg}");
        assert_eq!(page.path().await, "/login");
        assert_eq!(page.value_of("Endpoint").await, url);
        assert_eq!(page.value_of("Username").await, user);
        page.assert_secret_stays_in_session_storage("not-the-password").await;
        assert_eq!(page.js("return sessionStorage.length").await, json!(0), "nothing stored on failure");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_does_not_answer_is_reported() {
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    with_app(move |page| async move {
        attempt(&page, &endpoint, "oscar", "whatever").await;
        let msg = page.alert_containing("Nothing answered at").await;
        assert!(msg.contains(&endpoint) && msg.contains("Check the address"), "{msg}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_without_cors_is_explained() {
    let oscar = sandbox(Options { cors: false, ..Options::default() }).await;
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    with_app(move |page| async move {
        attempt(&page, &url, &user, &pass).await;
        let msg = page.alert_containing("cross-origin requests (CORS)").await;
        assert!(msg.contains("Helm chart") && msg.contains(&format!("{url}/ui/")), "{msg}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_is_not_oscar_is_recognised() {
    let oscar = sandbox(Options::default()).await;
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    let faults = |i| Faults { impersonate: Some(i), ..Faults::default() };
    oscar.set_faults(faults(Impersonate::Html));
    let oscar = std::sync::Arc::new(oscar);
    let handle = oscar.clone();
    with_app(move |page| async move {
        attempt(&page, &url, &user, &pass).await;
        let msg = page.alert_containing("not like an OSCAR cluster").await;
        assert!(msg.contains("web page (HTML)"), "{msg}");

        handle.set_faults(faults(Impersonate::ForeignJson));
        page.press("Log in").await;
        page.alert_containing("without the fields of an OSCAR configuration").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_malformed_addresses_get_their_own_messages() {
    let oscar = sandbox(Options {
        faults: Faults { force_status: Some(500), ..Faults::default() },
        ..Options::default()
    })
    .await;
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    with_app(move |page| async move {
        attempt(&page, &url, &user, &pass).await;
        let msg = page.alert_containing("internal error (HTTP 500)").await;
        assert!(msg.contains("try again in a minute"), "{msg}");

        page.fill("Endpoint", "oscar.example.org").await;
        page.press("Log in").await;
        let hint = page.alert_containing("Start the address with https://").await;
        assert!(hint.contains("https://oscar.example.org"), "{hint}");
        let invalid = page.field("Endpoint").await.attr("aria-invalid").await.ok().flatten();
        assert_eq!(invalid.as_deref(), Some("true"));
        assert_eq!(page.value_of("Endpoint").await, "oscar.example.org", "what was typed stays");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_lists_filters_survives_reload_and_logs_out() {
    let oscar = sandbox(Options::default()).await;
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    with_app(move |page| async move {
        attempt(&page, &url, &user, &pass).await;
        page.wait_path("the service list", |p| p == "/services").await;
        let count = page.wait_text(".service-count", |t| t.ends_with(" services")).await;
        let total: usize = count.split(' ').next().and_then(|n| n.parse().ok()).expect("a count");
        assert!(total >= 10, "{count}");
        let names = page.texts(".service-card__name").await;
        assert_eq!(names.len(), total);
        assert!(names.contains(&"cowsay".to_string()) && names.contains(&"grayify".to_string()), "{names:?}");
        let cowsay = page.wait_text(".service-card", |t| t.starts_with("cowsay")).await;
        assert!(cowsay.contains("sync") && cowsay.contains("CPU") && cowsay.contains("Memory"), "{cowsay}");
        let grayify = page.wait_text(".service-card", |t| t.starts_with("grayify")).await;
        assert!(grayify.contains("async"), "{grayify}");

        page.fill("Filter services", "cowsay").await;
        page.wait_text(".service-count", |t| *t == format!("1 of {total} services")).await;
        assert_eq!(page.texts(".service-card__name").await, vec!["cowsay".to_string()]);
        page.fill("Filter services", "no-such-service").await;
        page.wait_text(".empty-state", |t| t.contains("No service matches")).await;

        // A reload keeps the session (sessionStorage), and nothing leaks.
        page.client.refresh().await.expect("reload");
        page.wait_text(".service-count", |t| *t == format!("{total} services")).await;
        assert_eq!(page.path().await, "/services");
        page.assert_secret_stays_in_session_storage(&pass).await;
        assert_eq!(page.js("return sessionStorage.length").await, json!(1));

        page.press("Log out").await;
        page.wait_path("the login page", |p| p == "/login").await;
        assert_eq!(page.js("return sessionStorage.length").await, json!(0), "log out wipes the session");
        page.assert_secret_stays_in_session_storage(&pass).await;
        page.open("/services").await;
        page.wait_path("the guard to send us to login", |p| p.starts_with("/login")).await;
        assert!(page.texts(".service-card").await.is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_link_leads_through_login_back_to_the_service() {
    let oscar = sandbox(Options::default()).await;
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    with_app(move |page| async move {
        page.open("/services/cowsay").await;
        page.wait_path("the login page with a way back", |p| p == "/login?next=/services/cowsay").await;
        page.log_in(&url, &user, &pass).await;
        page.wait_path("the deep-linked service", |p| p == "/services/cowsay").await;
        page.wait_text("h1", |t| t == "cowsay").await;
        page.wait_text(".facts-row--page", |t| t.contains("ghcr.io/grycap/cowsay")).await;

        page.open("/no/such/page").await;
        page.wait_text("h1", |t| t == "Page not found").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v2_cluster_without_serverless_backend_and_a_thousand_services() {
    let oscar = sandbox(Options {
        config_shape: ConfigShape::V2,
        serverless_backend: false,
        extra_services: 1000,
        ..Options::default()
    })
    .await;
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    with_app(move |page| async move {
        attempt(&page, &url, &user, &pass).await;
        let count = page.wait_text(".service-count", |t| t.ends_with(" services")).await;
        let total: usize = count.split(' ').next().and_then(|n| n.parse().ok()).expect("a count");
        assert!(total > 1000, "{count}");
        // Without a serverless backend nothing runs sync; input buckets still run async.
        let grayify = page.wait_text(".service-card", |t| t.starts_with("grayify")).await;
        assert!(grayify.contains("async") && !grayify.contains("sync ·"), "{grayify}");
        let cowsay = page.wait_text(".service-card", |t| t.starts_with("cowsay")).await;
        assert!(cowsay.contains("no invocation"), "{cowsay}");

        page.fill("Filter services", "svc-09").await;
        page.wait_text(".service-count", |t| *t == format!("100 of {total} services")).await;
        // A page of cards at first; the rest load as the end of the list comes into view.
        let cards = || async { page.texts(".service-card__name").await.len() };
        let first = eventually("the first page of cards", || async {
            let n = cards().await;
            let button = page.texts(".list-more button").await.join("");
            (n > 0 && n < 100 && n % 24 == 0 && button == format!("Show more ({} not shown)", 100 - n)).then_some(n)
        })
        .await;
        page.js("document.querySelector('.list-more button').scrollIntoView(); return null").await;
        eventually("more cards on scrolling to the end", || async { (cards().await > first).then_some(()) }).await;
        // And "Show more" shows the rest, for keyboards and short screens.
        let shown = eventually("all 100 cards", || async {
            let n = cards().await;
            if n < 100 {
                page.js("[...document.querySelectorAll('.list-more button')].forEach(b => b.click()); return null").await;
            }
            (n == 100).then_some(n)
        })
        .await;
        assert_eq!(shown, 100);
        let names = page.texts(".service-card__name").await;
        assert!(names.iter().all(|n| n.starts_with("svc-09")), "only matches are shown");
        let hidden = page.js("return getComputedStyle(document.querySelector('.list-more')).display").await;
        assert_eq!(hidden, json!("none"), "nothing more to show");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_under_ui_by_the_cluster_it_suggests_that_cluster() {
    let oscar = sandbox(Options { ui_dir: Some(e2e::dist_dir()), ..Options::default() }).await;
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    with_browser(format!("{url}/ui"), move |page| async move {
        page.open("/services").await;
        page.wait_path("login under /ui", |p| p == "/ui/login").await;
        assert_eq!(page.value_of("Endpoint").await, url, "the serving cluster is suggested");
        page.fill("Username", &user).await;
        page.fill("Password", &pass).await;
        page.press("Log in").await;
        page.wait_path("the list under /ui", |p| p == "/ui/services").await;
        page.wait_text(".service-card__name", |t| t == "cowsay").await;
        let href = page.client.find(fantoccini::Locator::Css(".service-card__link")).await.expect("link");
        assert!(href.attr("href").await.ok().flatten().unwrap_or_default().starts_with("/ui/services/"));
    })
    .await;
}
