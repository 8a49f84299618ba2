//! The e2e harness: serves the built `dist/` on one port and runs the OSCAR
//! stand-in on others (cross-origin, as in a real deployment), starts
//! chromedriver and a headless Chromium, and gives tests a few user-level
//! actions: go to a page, fill a field by its label, press a button by its
//! text, and wait for what a user would see. Every wait polls a condition
//! with a deadline; there are no fixed sleeps.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use oscar_sandbox::StaticSite;
use serde_json::{json, Value};
use std::future::Future;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub use oscar_sandbox::{ConfigShape, Faults, Impersonate, Options, Sandbox};

/// How long a user-visible condition may take to appear.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The built app; `VISOR_DIST` overrides the default `<repo>/dist`.
pub fn dist_dir() -> PathBuf {
    built("VISOR_DIST", "dist", "`trunk build --release`")
}

/// The app built with `--public-url /visor/` (for hosts that only serve
/// 404.html under a sub-path); `VISOR_DIST_VISOR` overrides `<repo>/dist-visor`.
pub fn visor_dist_dir() -> PathBuf {
    built("VISOR_DIST_VISOR", "dist-visor", "`trunk build --release --public-url /visor/ --dist dist-visor`")
}

/// A build of the app: `$var`, else `<repo>/<dir>`; fails the test with how to make it.
fn built(var: &str, dir: &str, how: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(dir));
    assert!(
        path.join("index.html").is_file(),
        "{} has no index.html: build the app first ({how}, done by scripts/test.sh)",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// A port on 127.0.0.1 where nothing listens (for "endpoint does not answer").
pub fn closed_port() -> u16 {
    free_port()
}

static PROFILE_SEQ: AtomicUsize = AtomicUsize::new(0);

/// A chromedriver process with its own empty Chromium profile; both go away
/// on drop, even when the test panicked.
struct Driver {
    child: Child,
    port: u16,
    profile: PathBuf,
}

impl Driver {
    async fn start() -> Driver {
        let profile = std::env::temp_dir().join(format!(
            "visor-e2e-{}-{}",
            std::process::id(),
            PROFILE_SEQ.fetch_add(1, Ordering::SeqCst)
        ));
        let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        // Ready when chromedriver itself answers /status. The free port may
        // have been taken by another test's server before it could bind:
        // then it exits (or never answers), and another port is tried.
        for _ in 0..3 {
            let _ = std::fs::remove_dir_all(&profile);
            std::fs::create_dir_all(&profile).expect("profile dir");
            let port = free_port();
            let child = Command::new(&binary)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (scripts/install-tools.sh installs it)"));
            let mut driver = Driver { child, port, profile: profile.clone() };
            let deadline = Instant::now() + PATIENCE;
            loop {
                if chromedriver_ready(port).await {
                    return driver;
                }
                let exited = matches!(driver.child.try_wait(), Ok(Some(_)));
                if exited || Instant::now() >= deadline {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        panic!("chromedriver ({binary}) did not get ready on three ports");
    }
}

/// Whether chromedriver answers `GET /status` on `port` saying it is ready.
async fn chromedriver_ready(port: u16) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else { return false };
    let request = format!("GET /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => answer.extend_from_slice(&buf[..n]),
            _ => break,
        }
        if String::from_utf8_lossy(&answer).contains("\"ready\":true") {
            return true;
        }
    }
    false
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A browser tab on the app, plus the helpers tests use.
#[derive(Clone)]
pub struct Page {
    pub client: Client,
    /// Where `dist/` is served, e.g. `http://127.0.0.1:41234` (no slash).
    pub app_url: String,
}

/// Runs `body` against a fresh headless Chromium showing the app served from
/// `dist/` on its own port. The browser and driver are always shut down,
/// and a panic in `body` is re-raised afterwards so the test fails.
pub async fn with_app<F, Fut>(body: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let site = StaticSite::start(dist_dir(), 0).await.expect("serve dist/");
    with_browser(site.url(), body).await;
    drop(site);
}

/// Like [`with_app`], for an app served elsewhere (e.g. the stand-in's `/ui/`).
pub async fn with_browser<F, Fut>(app_url: String, body: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let driver = Driver::start().await;
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,900",
                // A fake camera and microphone, granted without a prompt.
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                format!("--user-data-dir={}", driver.profile.display()),
            ]
        },
        "goog:loggingPrefs": { "browser": "ALL" }
    });
    let Value::Object(caps) = caps else { unreachable!("a literal object") };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session in headless Chromium");
    let page = Page { client: client.clone(), app_url };
    let outcome = tokio::spawn(body(page.clone())).await;
    // A dead app fails the test, whatever it checked: a panic or an abort in
    // the wasm shows in the console as an uncaught `RuntimeError: unreachable`.
    let died = if outcome.is_ok() { page.died().await } else { None };
    let _ = client.close().await;
    drop(driver);
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("test task failed: {e}");
    }
    if let Some(line) = died {
        panic!("the app died during the test: {line}");
    }
}

/// chromedriver's console-log command (`POST /session/{id}/se/log`), which
/// drains the browser console messages collected since the last call.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "type": "browser" }).to_string()))
    }
}

/// chromedriver's DevTools command (`POST /session/{id}/goog/cdp/execute`):
/// the benchmarks clear the HTTP cache and add a script to every new document.
#[derive(Debug)]
struct Cdp(Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

/// Polls `probe` until it returns `Some`, or fails the test after `PATIENCE`.
pub async fn eventually<T, P, Fut>(what: &str, mut probe: P) -> T
where
    P: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out after {PATIENCE:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Page {
    /// Opens an in-app path such as `/login`.
    pub async fn open(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.app_url)).await.expect("navigate");
    }

    /// The current path and query, without the origin.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// The full current URL.
    pub async fn url(&self) -> String {
        self.client.current_url().await.expect("current url").to_string()
    }

    /// Waits until the path (with query) satisfies `pred`.
    pub async fn wait_path(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        eventually(what, || async {
            let p = self.path().await;
            pred(&p).then_some(p)
        })
        .await
    }

    /// The input labelled `label` (via `<label for>`), once it exists.
    pub async fn field(&self, label: &str) -> Element {
        let xpath = format!("//label[normalize-space()='{label}']");
        let id = eventually(&format!("a field labelled “{label}”"), || async {
            let l = self.client.find(Locator::XPath(&xpath)).await.ok()?;
            l.attr("for").await.ok().flatten()
        })
        .await;
        self.client.find(Locator::Id(&id)).await.expect("the labelled input")
    }

    /// Replaces the text of the field labelled `label`.
    pub async fn fill(&self, label: &str, value: &str) {
        let field = self.field(label).await;
        field.clear().await.expect("clear");
        if !value.is_empty() {
            field.send_keys(value).await.expect("type");
        }
    }

    /// The current value of the field labelled `label`.
    pub async fn value_of(&self, label: &str) -> String {
        self.field(label).await.prop("value").await.ok().flatten().unwrap_or_default()
    }

    /// Presses the button whose text is `text`.
    pub async fn press(&self, text: &str) {
        let xpath = format!("//button[normalize-space()='{text}']");
        // Find and click in one step: Leptos may re-render the button between
        // finding and clicking, which makes the old element stale.
        eventually(&format!("a button “{text}” to click"), || async {
            let b = self.client.find(Locator::XPath(&xpath)).await.ok()?;
            if !b.is_enabled().await.ok()? {
                return None;
            }
            b.click().await.ok()
        })
        .await;
    }

    /// The texts of all elements matching `css`, now.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for el in self.client.find_all(Locator::Css(css)).await.unwrap_or_default() {
            if let Ok(t) = el.text().await {
                out.push(t);
            }
        }
        out
    }

    /// Waits until an element matching `css` has text satisfying `pred`, and returns it.
    pub async fn wait_text(&self, css: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let texts = self.texts(css).await;
            if let Some(t) = texts.iter().find(|t| pred(t)) {
                return t.clone();
            }
            if Instant::now() >= deadline {
                let path = self.path().await;
                panic!("timed out after {PATIENCE:?} waiting for the expected text in {css} on {path}; saw {texts:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for an alert (`role="alert"`) containing `needle` and returns its text.
    pub async fn alert_containing(&self, needle: &str) -> String {
        eventually(&format!("an alert saying “{needle}”"), || async {
            let texts = self.texts("[role=alert]").await;
            texts.into_iter().find(|t| t.contains(needle))
        })
        .await
    }

    /// Runs a script in the page and returns its JSON result.
    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("script")
    }

    /// The browser console messages logged since the last call.
    pub async fn console(&self) -> Vec<String> {
        let entries = self.client.issue_cmd(BrowserLog).await.expect("browser log");
        entries
            .as_array()
            .map(|list| list.iter().filter_map(|e| e["message"].as_str().map(String::from)).collect())
            .unwrap_or_default()
    }

    /// The console line that says the wasm aborted (a panic, a failed
    /// allocation), if one was logged since the last [`Page::console`].
    pub async fn died(&self) -> Option<String> {
        self.console().await.into_iter().find(|l| l.contains("RuntimeError"))
    }

    /// Runs a Chrome DevTools Protocol command, e.g. `Network.clearBrowserCache`.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.client.issue_cmd(Cdp(json!({ "cmd": cmd, "params": params }))).await.expect("DevTools command")
    }

    /// Logs in through the form.
    pub async fn log_in(&self, endpoint: &str, username: &str, password: &str) {
        self.fill("Endpoint", endpoint).await;
        self.fill("Username", username).await;
        self.fill("Password", password).await;
        self.press("Log in").await;
    }

    /// Like [`Page::assert_secret_stays_in_session_storage`], for pages where
    /// the user saved interface specs (page layouts, the only thing the app
    /// keeps in localStorage): no other localStorage key, and no secret in them.
    pub async fn assert_secret_stays_in_session_storage_except_specs(&self, secret: &str) {
        let other = self.js("return Object.keys(localStorage).filter(k => !k.startsWith('oscar-visor.spec.')).length").await;
        assert_eq!(other, json!(0), "only interface specs live in localStorage");
        let specs = self.js("return Object.keys(localStorage).map(k => localStorage.getItem(k)).join('\\n')").await;
        assert!(!specs.as_str().unwrap_or_default().contains(secret), "a secret is in localStorage");
        self.js("localStorage.clear(); return null").await;
        self.assert_secret_stays_in_session_storage(secret).await;
    }

    /// Asserts that no secret left sessionStorage: localStorage and cookies
    /// are empty, and `secret` is in neither the URL, the page's text nor
    /// the console.
    pub async fn assert_secret_stays_in_session_storage(&self, secret: &str) {
        assert_eq!(self.js("return window.localStorage.length").await, json!(0), "localStorage must stay empty");
        assert_eq!(self.js("return document.cookie").await, json!(""), "no cookies");
        assert!(!self.url().await.contains(secret), "the password is in the URL");
        let text = self.js("return document.body.innerText").await;
        assert!(!text.as_str().unwrap_or_default().contains(secret), "the password is shown on the page");
        // A probe proves the console channel works, so "no leak" means something.
        self.js("console.info('visor-console-probe'); return null").await;
        let console = self.console().await;
        assert!(console.iter().any(|m| m.contains("visor-console-probe")), "the console log is readable");
        let leaked = console.iter().filter(|m| m.contains(secret)).count();
        assert_eq!(leaked, 0, "console messages contain the password");
    }
}

/// The CSP the README recommends, for `dist/` served with the stand-in's
/// API and S3 server as the only endpoints.
pub fn strict_csp(connect: &[&str], frame_ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; \
         media-src 'self' blob:; connect-src 'self' {}; frame-ancestors {frame_ancestors}",
        connect.join(" ")
    )
}

/// A fixture file of the e2e crate (e.g. the demo parent page).
pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// axe-core's script, installed by scripts/install-tools.sh.
fn axe_source() -> String {
    let tools = std::env::var("VISOR_TOOLS").map(PathBuf::from).unwrap_or_else(|_| {
        PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/oscar-visor/tools")
    });
    let path = tools.join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (scripts/install-tools.sh installs axe-core)", path.display()))
}

impl Page {
    /// Waits until every output image decoded, and returns their natural widths.
    pub async fn output_image_widths(&self) -> Vec<u64> {
        eventually("the output images to decode", || async {
            let widths = self
                .js("return [...document.querySelectorAll('.output-image')].map(i => i.complete ? i.naturalWidth : 0)")
                .await;
            let widths: Vec<u64> = widths.as_array()?.iter().filter_map(|w| w.as_u64()).collect();
            (!widths.is_empty() && widths.iter().all(|w| *w > 0)).then_some(widths)
        })
        .await
    }

    /// The natural width of the one output image, once it decoded.
    pub async fn output_image_width(&self) -> u64 {
        self.output_image_widths().await.first().copied().unwrap_or(0)
    }

    /// Messages of Content-Security-Policy violations in the console.
    pub async fn csp_violations(&self) -> Vec<String> {
        self.console().await.into_iter().filter(|m| m.contains("Content Security Policy")).collect()
    }

    /// Runs an axe-core audit of the current page state and returns the
    /// serious and critical violations as "rule: target" lines.
    pub async fn axe_serious(&self) -> Vec<String> {
        // Injected through WebDriver, which the page's CSP does not restrict.
        self.client.execute(&format!("{};return null", axe_source()), vec![]).await.expect("inject axe-core");
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] }).then(r => done(
                r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                  .flatMap(v => v.nodes.map(n => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${v.help}`))
            )).catch(e => done([`axe failed: ${e}`]));"#;
        let found = self.client.execute_async(script, vec![]).await.expect("axe.run");
        found.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default()
    }
}

static TEMP_SEQ: AtomicUsize = AtomicUsize::new(0);

/// Writes `bytes` as `name` into a fresh temporary folder (so the picker
/// shows the real name) and returns its path: an input file for a test.
pub fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "visor-input-{}-{}",
        std::process::id(),
        TEMP_SEQ.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write input file");
    path
}
