//! Soak with faults (`scripts/bench.sh soak`): one page, no reloads, against
//! the stand-in answering every 7th API request with a 503 and closing every
//! 11th connection unanswered, with 50 ms of latency on all of them:
//!
//! * 500 sync runs across three services, then 100 async runs (grayify
//!   through its buckets), each clicked and followed to its end;
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

/// Clicks Run (or the error's Retry) and resolves when the run ends: its
/// phase mark, the error text and whether it offered Retry, and whether the
/// button still said "Running…" a frame later.
const RUN_JS: &str = r#"
const [retry, deadline] = arguments;
const done = arguments[arguments.length - 1];
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
    done({ ended: end, ms: performance.now() - t0, running, text: end === 'failed' && alert ? alert.innerText : '',
           retry: !!alertRetry() });
  }, 0));
};
check();"#;

#[derive(Default)]
struct Tally {
    ok: usize,
    errors: BTreeMap<&'static str, usize>,
    stuck: usize,
    no_retry: Vec<String>,
    still_running: usize,
    /// The same run's body kept: a run that fails then works with Retry.
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

async fn memory(page: &Page) -> (f64, f64) {
    page.cdp("HeapProfiler.collectGarbage", json!({})).await;
    let heap = page.cdp("Runtime.getHeapUsage", json!({})).await;
    let wasm = page.js("return window.wasmBindings.wasm_memory_bytes()").await;
    (wasm.as_f64().unwrap_or(f64::NAN), heap["usedSize"].as_f64().unwrap_or(f64::NAN))
}

/// Opens a service by clicking through the app (no reload): the header's
/// link to the list, then the card; a fault on the way is retried.
async fn open_service(page: &Page, name: &str) {
    let probe = format!(
        r#"const open = document.querySelector('h2')?.textContent === 'Input' && location.pathname.endsWith('/services/{name}');
           const card = document.querySelector('a[href$="/services/{name}"]');
           const again = [...document.querySelectorAll('.alert--error button, main button')].find(b => ['Retry', 'Try again'].includes(b.textContent.trim()));
           return open ? 'open' : again ? 'error' : card ? 'card' : 'other';"#
    );
    for _ in 0..20 {
        let state = page.js(&probe).await;
        let action = match state.as_str() {
            Some("open") => return,
            Some("error") => "[...document.querySelectorAll('.alert--error button, main button')].find(b => ['Retry', 'Try again'].includes(b.textContent.trim()))?.click()".to_string(),
            Some("card") => format!("document.querySelector('a[href$=\"/services/{name}\"]').click()"),
            _ => "document.querySelector('.app-header__brand')?.click()".to_string(),
        };
        page.js(&action).await;
        // Wait until the click shows something else: the page, an error, or the list.
        let before = state.as_str().unwrap_or_default().to_string();
        e2e::eventually("the click to show", || async {
            let now = page.js(&probe).await;
            (now.as_str() != Some(before.as_str()) || before == "error").then_some(())
        })
        .await;
    }
    panic!("could not open {name} through the faults");
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

async fn soak(page: Page, oscar: Arc<Sandbox>, sync_runs: usize, async_runs: usize, tally: Arc<Mutex<Tally>>) -> ((f64, f64), (f64, f64)) {
    let dir = std::env::temp_dir().join(format!("visor-soak-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let image = dir.join("leaf.png");
    let _ = std::fs::write(&image, fixtures::png_gradient(48, 32));

    page.open("/login").await;
    page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
    page.wait_path("the list", |p| p == "/services").await;
    oscar.set_faults(Faults { latency_ms: 50, error_every: 7, drop_every: 11, ..Faults::default() });

    // (service, how to fill its input once), in blocks of 25 runs.
    let services = ["cowsay", "plants-classification-sync", "echo"];
    let mut start_mem = (f64::NAN, f64::NAN);
    let mut retry_next;
    let mut done = 0;
    let total = sync_runs + async_runs;
    let mut block = 0;
    while done < total {
        let is_async = done >= sync_runs;
        let name = if is_async { "grayify" } else { services[block % services.len()] };
        block += 1;
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
        retry_next = false;
        let block_end = if is_async { total } else { (done + 25).min(sync_runs) };
        while done < block_end {
            let deadline = if is_async { 120_000 } else { 30_000 };
            let r: Value = page
                .client
                .execute_async(RUN_JS, vec![json!(retry_next), json!(deadline)])
                .await
                .expect("run script");
            done += 1;
            retry_next = tally_run(&tally, &r, retry_next, done);
            if done == 50 {
                start_mem = memory(&page).await;
            }
            if done % 50 == 0 {
                eprintln!("[soak] {done}/{total} runs");
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
    let Some(((wasm0, heap0), (wasm1, heap1))) = *memory.lock().expect("memory") else {
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
    let flat = wasm1 <= wasm0 * 1.1 && heap1 <= heap0 * 1.1;
    if t.stuck > 0 || !t.no_retry.is_empty() || t.still_running > 0 || !flat {
        eprintln!("soak FAILED: stuck {}, without Retry {}, still running {}, memory flat {flat}", t.stuck, t.no_retry.len(), t.still_running);
        std::process::exit(1);
    }
}
