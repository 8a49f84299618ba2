//! Batch benchmark (`scripts/bench.sh batch`), against the stand-in with a
//! capacity of 16 jobs at once and quick job steps:
//!
//! 1. an async batch of `BATCH_ASYNC` (1,000) small images through the plant
//!    classifier's input bucket, to the end; its wall time against the
//!    stand-in's own time for the same jobs (first job created → last job
//!    finished), and the bucket listings per second while it waited;
//! 2. a sync batch of `BATCH_SYNC` (200) through `POST /run`, 4 at once;
//! 3. the longest main-thread task during each (a `longtask` observer);
//! 4. wasm memory and JS heap (after a GC) at the end, against the same page
//!    after a batch of 10.
//!
//! A benchmark, not a test: it prints figures, and exits non-zero only if a
//! batch did not end.

use e2e::{with_app, Options, Page, Sandbox};
use fantoccini::Locator;
use oscar_sandbox::fixtures;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// What one batch measured.
#[derive(Clone, Debug, Default)]
struct Figures {
    items: usize,
    wall_s: f64,
    cluster_s: f64,
    lists: u64,
    longest_task_ms: f64,
    wasm_mib: f64,
    heap_mib: f64,
}

fn inputs(n: usize, dir: &str) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let rgb = [(i * 37 % 256) as u8, (i * 91 % 256) as u8, (i * 53 % 256) as u8];
            e2e::temp_file(&format!("{dir}-{i:05}.png"), &fixtures::png(16, 16, rgb))
        })
        .collect()
}

async fn memory(page: &Page) -> (f64, f64) {
    page.cdp("HeapProfiler.collectGarbage", json!({})).await;
    let heap = page.cdp("Runtime.getHeapUsage", json!({})).await;
    let wasm = page.js("return window.wasmBindings.wasm_memory_bytes()").await;
    let mib = |v: &Value| v.as_f64().unwrap_or(f64::NAN) / 1048576.0;
    (mib(&wasm), mib(&heap["usedSize"]))
}

async fn line(page: &Page) -> String {
    page.js("return document.querySelector('.batch__line')?.textContent ?? ''").await.as_str().unwrap_or_default().to_string()
}

/// Adds the files, presses "Run all", waits for the end; returns the figures.
async fn run_batch(page: &Page, oscar: &Sandbox, service: &str, files: &[PathBuf], at_once: Option<u32>) -> Figures {
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    // "Clear" is there once an earlier batch has rows and has ended.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = page
            .js("const c = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Clear'); c?.click(); return document.querySelectorAll('.batch-row').length")
            .await;
        if left.as_u64() == Some(0) {
            break;
        }
        assert!(Instant::now() < deadline, "the earlier batch did not clear");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if let Some(n) = at_once {
        page.fill("At once", &n.to_string()).await;
    }
    let picker = page.field("Files").await;
    // Chromedriver takes many paths at once, one per line; in slices of 200.
    for chunk in paths.chunks(200) {
        picker.send_keys(&chunk.join("\n")).await.expect("choose files");
    }
    let want = format!("0 of {} done", files.len());
    let deadline = Instant::now() + Duration::from_secs(120);
    while !line(page).await.starts_with(&want) {
        assert!(Instant::now() < deadline, "the files were not all added: {}", line(page).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    page.js("window.__long = 0; if (!window.__longObs) { window.__longObs = new PerformanceObserver(l => l.getEntries().forEach(e => { window.__long = Math.max(window.__long, e.duration); })); window.__longObs.observe({ type: 'longtask' }); } return null").await;
    let lists0 = oscar.s3_list_requests();
    let since = SystemTime::now();
    let t0 = Instant::now();
    page.press("Run all").await;
    let done = format!("{n} of {n} done", n = files.len());
    let deadline = Instant::now() + Duration::from_secs(1800);
    loop {
        let l = line(page).await;
        let finished = l.starts_with(&done) || (l.contains("failed") && !l.contains("left") && {
            let busy = page.js("return document.querySelector('.batch__results')?.getAttribute('aria-busy')").await;
            busy.as_str() == Some("false")
        });
        if finished {
            break;
        }
        assert!(Instant::now() < deadline, "the batch did not end: {l}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let wall_s = t0.elapsed().as_secs_f64();
    let lists = oscar.s3_list_requests() - lists0;
    let cluster_s = oscar
        .job_span(service, since)
        .and_then(|(a, b)| b.duration_since(a).ok())
        .map_or(f64::NAN, |d| d.as_secs_f64());
    // The observer sees only tasks over 50 ms: 0 means none that long.
    let longest_task_ms = page.js("return window.__long").await.as_f64().unwrap_or(0.0);
    let (wasm_mib, heap_mib) = memory(page).await;
    println!("  {service}: {} — {wall_s:.1} s", line(page).await);
    Figures { items: files.len(), wall_s, cluster_s, lists, longest_task_ms, wasm_mib, heap_mib }
}

async fn open_batch(page: &Page, oscar: &Sandbox, service: &str, first: bool) {
    page.open(&format!("/services/{service}")).await;
    if first {
        page.wait_path("the login page", |p| p.starts_with("/login")).await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
    }
    page.wait_text("h2", |t| t == "Input").await;
    page.press("Batch").await;
    page.wait_text("h2", |t| t == "Results").await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let count = |var: &str, default: usize| std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (n_async, n_sync) = (count("BATCH_ASYNC", 1000), count("BATCH_SYNC", 200));
    let oscar = Arc::new(Sandbox::start(Options { job_delay_ms: 20, max_jobs: 16, ..Options::default() }).await.expect("stand-in"));
    let small = inputs(10, "small");
    let big = inputs(n_async, "leaf");
    let sync_files = inputs(n_sync, "sync");
    let out: Arc<Mutex<Vec<(String, Figures)>>> = Arc::new(Mutex::new(Vec::new()));
    let o = out.clone();
    with_app(move |page| async move {
        open_batch(&page, &oscar, "plants-classification", true).await;
        let ten = run_batch(&page, &oscar, "plants-classification", &small, None).await;
        let many = run_batch(&page, &oscar, "plants-classification", &big, None).await;
        open_batch(&page, &oscar, "plants-classification-sync", false).await;
        if let Ok(sync) = page.client.find(Locator::Css("input[name=batch-mode][value=sync]")).await {
            sync.click().await.expect("choose sync");
        }
        let sync = run_batch(&page, &oscar, "plants-classification-sync", &sync_files, Some(4)).await;
        o.lock().expect("figures").extend([("async 10".to_string(), ten), (format!("async {n_async}"), many), (format!("sync {n_sync}, 4 at once"), sync)]);
    })
    .await;
    let figures = out.lock().expect("figures").clone();
    println!("\nBatch runs against the stand-in (16 jobs at once, 20 ms job steps)");
    println!("| batch | wall | items/s | cluster's own time | overhead | listings (per s) | longest task | wasm | JS heap |\n|---|---|---|---|---|---|---|---|---|");
    for (name, f) in &figures {
        let overhead = if f.cluster_s.is_finite() { format!("{:+.1} s ({:.2}×)", f.wall_s - f.cluster_s, f.wall_s / f.cluster_s) } else { "—".into() };
        let cluster = if f.cluster_s.is_finite() { format!("{:.1} s", f.cluster_s) } else { "—".into() };
        println!(
            "| {name} ({} items) | {:.1} s | {:.0} | {cluster} | {overhead} | {} ({:.2}) | {:.0} ms | {:.1} MiB | {:.1} MiB |",
            f.items,
            f.wall_s,
            f.items as f64 / f.wall_s,
            f.lists,
            f.lists as f64 / f.wall_s,
            f.longest_task_ms,
            f.wasm_mib,
            f.heap_mib
        );
    }
    if let [(_, ten), (_, many), ..] = figures.as_slice() {
        println!(
            "\nMemory at the end, {} items against 10: wasm {:+.1}%, JS heap {:+.1}%",
            many.items,
            (many.wasm_mib / ten.wasm_mib - 1.0) * 100.0,
            (many.heap_mib / ten.heap_mib - 1.0) * 100.0
        );
    }
}
