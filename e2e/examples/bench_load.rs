//! Benchmark: page load → usable, from a cold HTTP cache, median of RUNS.
//! - Visor's login page: the "Log in" button is there and enabled;
//! - a deep link to a run page with a session: the "Run" button is there and
//!   enabled (the chunks of the run page included);
//! - and, when `GRADIO_URL` is set (scripts/bench.sh starts the seed's Gradio
//!   pattern on the stand-in if Gradio is installed), the same figure for the
//!   Gradio app's button, with the ratios.
//!
//! The clock is the page's own: a script added to every new document (over
//! the DevTools protocol) watches from navigation start for the button and
//! notes `performance.now()` at the first frame it is usable.

use e2e::{with_browser, Options, Page, Sandbox};
use oscar_sandbox::StaticSite;
use serde_json::json;

const RUNS: usize = 7;

/// Notes when a button with the wanted text (kept in the origin's
/// sessionStorage across the loads) is in the DOM and enabled.
const WATCH_JS: &str = r#"
(() => {
  const wanted = sessionStorage.getItem('bench.wanted');
  if (!wanted) return;
  const check = () => {
    const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === wanted && !b.disabled);
    if (b) { window.__usable = performance.now(); return; }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();"#;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

/// When the last of the page's scripts and wasm had arrived (ms), the rest
/// being compile, start-up and rendering.
const ARRIVED_JS: &str = r#"
return Math.max(0, ...performance.getEntriesByType('resource')
  .filter(e => /\.(wasm|js)$/.test(new URL(e.name).pathname)).map(e => e.responseEnd));"#;

/// Loads `url` RUNS times from a cold cache; medians in milliseconds to a
/// usable `button`, and to the arrival of its code.
async fn time_to_usable(page: &Page, url: &str, button: &str) -> (f64, f64) {
    page.js(&format!("sessionStorage.setItem('bench.wanted', {}); return null", json!(button))).await;
    let (mut times, mut arrived) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        page.cdp("Network.clearBrowserCache", json!({})).await;
        page.client.goto(url).await.expect("navigate");
        let t = e2e::eventually(&format!("a usable “{button}” on {url}"), || async {
            page.js("return window.__usable ?? null").await.as_f64()
        })
        .await;
        times.push(t);
        arrived.push(page.js(ARRIVED_JS).await.as_f64().unwrap_or(f64::NAN));
    }
    (median(times), median(arrived))
}

fn row(what: &str, (usable, arrived): (f64, f64)) {
    println!("  {what:<44}{usable:>9.1}{arrived:>12.1}");
}

#[tokio::main]
async fn main() {
    let oscar = Sandbox::start(Options::default()).await.expect("stand-in");
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    let site = StaticSite::start(e2e::dist_dir(), 0).await.expect("serve dist/");
    let gradio = std::env::var("GRADIO_URL").ok();
    with_browser(site.url(), move |page| async move {
        page.cdp("Network.enable", json!({})).await;
        page.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": WATCH_JS })).await;
        page.open("/login").await;
        let login = time_to_usable(&page, &format!("{}/login", page.app_url), "Log in").await;
        page.log_in(&url, &user, &pass).await;
        page.wait_text(".service-count", |t| t.ends_with("services")).await;
        let deep = time_to_usable(&page, &format!("{}/services/cowsay", page.app_url), "Run").await;
        println!("page load → usable, cold cache, medians of {RUNS} (ms)");
        println!("  {:<44}{:>9}{:>12}", "", "usable", "code in by");
        row("Visor login page → “Log in”", login);
        row("Visor deep link /services/cowsay → “Run”", deep);
        if let Some(g) = gradio {
            page.client.goto(&g).await.expect("gradio");
            let gradio = time_to_usable(&page, &g, "Submit").await;
            row("Gradio app (seed pattern) → “Submit”", gradio);
            println!("  ratios to Gradio: login {:.2}× (goal ≤ 0.20), deep link {:.2}× (goal ≤ 0.25)", login.0 / gradio.0, deep.0 / gradio.0);
        } else {
            println!("  (Gradio not installed: no side-by-side figure; scripts/bench.sh installs it)");
        }
    })
    .await;
    drop(site);
}

