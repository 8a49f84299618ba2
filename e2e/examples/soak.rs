//! Soak with faults (`scripts/bench.sh soak`): one page, no reloads, against
//! the stand-in answering every 7th API request with a 503 and closing every
//! 11th connection unanswered, with 50 ms of latency on all of them:
//!
//! * 500 sync runs across three services, in blocks of 25, each block
//!   followed by 5 async runs (grayify through its buckets): 100 in all,
//!   each clicked and followed to its end;
//! * a run that meets a fault must end with an error alert holding "Retry",
//!   and the run after it is started with that Retry;
//! * no run may stay "Running…": one that has not ended within its deadline
//!   is counted as stuck;
//! * the wasm memory and the JS heap (after a forced GC) after the first 50
//!   runs and at the end, which must be within 10% of each other.
//!
//! `SOAK_SYNC` and `SOAK_ASYNC` change the counts. Exits non-zero if a run
//! was stuck, a fault showed no Retry, or memory grew more than 10%.

use e2e::{with_app, Faults, Options, Page, Sandbox};
use oscar_sandbox::fixtures;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Installed once in the page as `window.__soakRun(retry, deadline)`, so that
/// every run calls the same few bytes of script (a new script per run would
/// grow the JS heap with its compiled code, which is not the app's memory).
/// Clicks Run (or the error's Retry) and resolves when the run ends: its
/// phase mark, the error text and whether it offered Retry, and whether the
/// button still said "Running…" a frame later.
const INSTALL_JS: &str = r#"
window.__soakRun = (retry, deadline) => new Promise(done => {
  performance.clearMarks();
  const buttons = () => [...document.querySelectorAll('button')];
  const alertRetry = () => [...document.querySelectorAll('.alert--error button')].find(b => b.textContent.trim() === 'Retry');
  const start = retry ? alertRetry() : buttons().find(b => b.textContent.trim() === 'Run');
  if (!start) { done({ ended: 'nobutton', text: document.querySelector('main')?.innerText.slice(0, 300) }); return; }
  const t0 = performance.now();
  start.click();
  const check = () => {
    const end = ['done', 'failed'].find(m => performance.getEntriesByName('visor:' + m).length);
    if (!end) {
      if (performance.now() - t0 > deadline) { done({ ended: 'stuck' }); return; }
      setTimeout(check, 10); return;
    }
    requestAnimationFrame(() => setTimeout(() => {
      const alert = document.querySelector('.alert--error');
      const running = buttons().some(b => b.textContent.trim() === 'Running…');
      done({ ended: end, running, text: end === 'failed' && alert ? alert.innerText : '', retry: !!alertRetry() });
    }, 0));
  };
  check();
});
return null;"#;

const RUN_JS: &str = "const d = arguments[arguments.length - 1]; window.__soakRun(arguments[0], arguments[1]).then(d);";

#[derive(Default)]
struct Tally {
    ok: usize,
    errors: BTreeMap<&'static str, usize>,
    stuck: usize,
    no_retry: Vec<String>,
    still_running: usize,
    /// Runs started with the previous error's Retry that then worked.
    recovered: usize,
}

/// What kind of fault an error alert describes.
fn kind_of(text: &str) -> &'static str {
    let t = text.to_lowercase();
    if t.contains("503") || t.contains("unavailable") {
        "503"
    } else if t.contains("connection") || t.contains("network") || t.contains("reach") {
        "dropped connection"
    } else if t.contains("time") {
        "timeout"
    } else {
        "other"
    }
}

/// wasm memory, JS heap after a full GC, DOM nodes and JS event listeners.
async fn memory(page: &Page) -> (f64, f64, f64, f64) {
    // The browser's own buffer of resource timings fills with every request
    // (up to 250): not the app's memory.
    page.js("performance.clearResourceTimings(); window.__soakSeen = null; return null").await;
    // The console keeps a message per failed request (a browser buffer).
    page.cdp("Runtime.discardConsoleEntries", json!({})).await;
    page.cdp("Log.clear", json!({})).await;
    page.cdp("HeapProfiler.collectGarbage", json!({})).await;
    let heap = page.cdp("Runtime.getHeapUsage", json!({})).await;
    let wasm = page.js("return window.wasmBindings.wasm_memory_bytes()").await;
    let dom = page.cdp("Memory.getDOMCounters", json!({})).await;
    let n = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    (n(&wasm), n(&heap["usedSize"]), n(&dom["nodes"]), n(&dom["jsEventListeners"]))
}

/// Opens a service by clicking through the app (no reload): the header's
/// link to the list, then the card; a fault on the way is retried.
async fn open_service(page: &Page, name: &str) {
    let probe = format!(
        r#"const input = [...document.querySelectorAll('h2')].some(h => h.textContent === 'Input');
           const open = input && location.pathname.endsWith('/services/{name}');
           const card = document.querySelector('a[href$="/services/{name}"]');
           // A page that did not load (not a run's error on a loaded page).
           const again = !input && [...document.querySelectorAll('.alert--error button, main button')].find(b => ['Retry', 'Try again'].includes(b.textContent.trim()));
           const here = location.pathname.endsWith('/services/{name}');
           return open ? 'open' : again ? 'error' : card ? 'card' : here ? 'loading' : 'other';"#
    );
    for _ in 0..20 {
        let state = page.js(&probe).await;
        let action = match state.as_str() {
            Some("open") => return,
            Some("error") => "window.__soakSeen = document.querySelector('.alert--error'); [...document.querySelectorAll('.alert--error button, main button')].find(b => ['Retry', 'Try again'].includes(b.textContent.trim()))?.click()".to_string(),
            Some("loading") => String::new(),
            Some("card") => format!("document.querySelector('a[href$=\"/services/{name}\"]').click()"),
            _ => "document.querySelector('.app-header__brand')?.click()".to_string(),
        };
        if !action.is_empty() {
            page.js(&action).await;
        }
        // Wait (up to 10 s, then look again) until the click shows
        // something else: the page, a new error, or the list.
        let before = state.as_str().unwrap_or_default().to_string();
        let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < until {
            let now = page.js(&probe).await;
            let fresh = page.js("return document.querySelector('.alert--error') !== (window.__soakSeen ?? null)").await;
            if now.as_str() != Some(before.as_str()) || (before == "error" && fresh.as_bool() == Some(true)) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    let text = page.js("return location.pathname + ': ' + document.querySelector('main')?.innerText.slice(0, 400)").await;
    panic!("could not open {name} through the faults: {text}");
}

/// Counts one run's end; whether the next run should start with Retry.
fn tally_run(tally: &Mutex<Tally>, r: &Value, retried: bool, done: usize) -> bool {
    let mut t = tally.lock().expect("tally");
    if r["running"].as_bool() == Some(true) {
        t.still_running += 1;
    }
    match r["ended"].as_str() {
        Some("done") => {
            t.ok += 1;
            if retried {
                t.recovered += 1;
            }
            false
        }
        Some("failed") => {
            let text = r["text"].as_str().unwrap_or_default().to_string();
            *t.errors.entry(kind_of(&text)).or_default() += 1;
            let retry = r["retry"].as_bool() == Some(true);
            if !retry {
                t.no_retry.push(text);
            }
            retry
        }
        Some("stuck") => {
            t.stuck += 1;
            false
        }
        other => panic!("run {done} did not start ({other:?}): {}", r["text"]),
    }
}

async fn soak(page: Page, oscar: Arc<Sandbox>, sync_runs: usize, async_runs: usize, tally: Arc<Mutex<Tally>>) -> ((f64, f64, f64, f64), (f64, f64, f64, f64)) {
    let dir = std::env::temp_dir().join(format!("visor-soak-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let image = dir.join("leaf.png");
    let _ = std::fs::write(&image, fixtures::png_gradient(48, 32));

    page.open("/login").await;
    page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
    page.wait_path("the list", |p| p == "/services").await;
    page.js(INSTALL_JS).await;
    oscar.set_faults(Faults { latency_ms: 50, error_every: 7, drop_every: 11, ..Faults::default() });

    // Blocks of 25 sync runs on one service each, turn about, with a block
    // of 5 async runs after each: every path is warm after the first 50.
    let services = ["cowsay", "plants-classification-sync", "echo"];
    let mut schedule = Vec::new();
    let (mut sync_left, mut async_left) = (sync_runs, async_runs);
    while sync_left + async_left > 0 {
        let n = sync_left.min(25);
        if n > 0 {
            schedule.push((services[schedule.len() / 2 % services.len()], n, false));
        }
        let a = async_left.min(if sync_left > n { 5 } else { async_left });
        if a > 0 {
            schedule.push(("grayify", a, true));
        }
        (sync_left, async_left) = (sync_left - n, async_left - a);
    }
    let total = sync_runs + async_runs;
    let mut start_mem = (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    let mut done = 0;
    for (name, runs, is_async) in schedule {
        open_service(&page, name).await;
        match name {
            "cowsay" => page.fill("JSON", r#"{"message": "moo from the soak"}"#).await,
            "plants-classification-sync" | "grayify" => {
                page.field("Image file").await.send_keys(&image.display().to_string()).await.expect("image");
            }
            _ => {
                page.field("Input type").await.select_by_label("Text").await.expect("text input");
                page.fill("Text", "echo from the soak").await;
            }
        }
        if is_async {
            let radio = page.client.find(fantoccini::Locator::Css("input[name=run-mode][value=async]")).await.expect("async option");
            radio.click().await.expect("choose async");
        }
        let mut retry_next = false;
        for _ in 0..runs {
            let deadline = if is_async { 120_000 } else { 30_000 };
            let r: Value = page.client.execute_async(RUN_JS, vec![json!(retry_next), json!(deadline)]).await.expect("run script");
            done += 1;
            retry_next = tally_run(&tally, &r, retry_next, done);
            if done % 50 == 0 {
                let m = memory(&page).await;
                if done == 50 {
                    start_mem = m;
                }
                eprintln!("[soak] {done}/{total} runs; wasm {:.2} MiB, JS heap {:.2} MiB, DOM nodes {}, listeners {}", m.0 / 1048576.0, m.1 / 1048576.0, m.2, m.3);
            }
        }
        if let Some(why) = page.died().await {
            panic!("the app died after {done} runs: {why}");
        }
    }
    (start_mem, memory(&page).await)
}

#[tokio::main]
async fn main() {
    let count = |var: &str, default: usize| std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (sync_runs, async_runs) = (count("SOAK_SYNC", 500), count("SOAK_ASYNC", 100));
    let oscar = Arc::new(Sandbox::start(Options { job_delay_ms: 50, ..Options::default() }).await.expect("stand-in"));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let memory = Arc::new(Mutex::new(None));
    let (t, m) = (tally.clone(), memory.clone());
    let started = std::time::Instant::now();
    with_app(move |page| async move {
        let figures = soak(page, oscar, sync_runs, async_runs, t).await;
        *m.lock().expect("memory") = Some(figures);
    })
    .await;
    let t = tally.lock().expect("tally");
    let Some(((wasm0, heap0, nodes0, listeners0), (wasm1, heap1, nodes1, listeners1))) = *memory.lock().expect("memory") else {
        panic!("the soak did not finish")
    };
    let errors: usize = t.errors.values().sum();
    println!("\nSoak: {sync_runs} sync + {async_runs} async runs on one page, faults: 503 every 7th request, drop every 11th, 50 ms latency");
    println!("| | |\n|---|---|");
    println!("| runs accounted for | {} of {} ({} ok, {errors} ended with an error, {} stuck) |", t.ok + errors + t.stuck, sync_runs + async_runs, t.ok, t.stuck);
    for (kind, n) in &t.errors {
        println!("| errors shown: {kind} | {n} |");
    }
    println!("| errors without Retry | {} |", t.no_retry.len());
    println!("| runs after an error started with Retry that worked | {} |", t.recovered);
    println!("| button still “Running…” after a run ended | {} |", t.still_running);
    println!("| wasm memory after 50 runs → end | {:.1} MiB → {:.1} MiB ({:+.1}%) |", wasm0 / 1048576.0, wasm1 / 1048576.0, (wasm1 / wasm0 - 1.0) * 100.0);
    println!("| JS heap after 50 runs → end (after GC) | {:.1} MiB → {:.1} MiB ({:+.1}%) |", heap0 / 1048576.0, heap1 / 1048576.0, (heap1 / heap0 - 1.0) * 100.0);
    println!("| wall time | {:.0} s |", started.elapsed().as_secs_f64());
    for text in t.no_retry.iter().take(5) {
        println!("  no Retry on: {text}");
    }
    println!("| DOM nodes after 50 runs → end | {nodes0} → {nodes1} |");
    println!("| JS event listeners after 50 runs → end | {listeners0} → {listeners1} |");
    let flat = wasm1 <= wasm0 * 1.1 && heap1 <= heap0 * 1.1;
    if t.stuck > 0 || !t.no_retry.is_empty() || t.still_running > 0 || !flat {
        eprintln!("soak FAILED: stuck {}, without Retry {}, still running {}, memory flat {flat}", t.stuck, t.no_retry.len(), t.still_running);
        std::process::exit(1);
    }
}
