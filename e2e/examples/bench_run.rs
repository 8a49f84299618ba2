//! Benchmark of the run path, against curl in the same run (`scripts/bench.sh`):
//!
//! 1. click → label on screen, for the sync plant classifier and an
//!    incompressible PNG of 1 MB and 10 MB, against curl posting the same
//!    request with the body already in base64; with where the time goes
//!    (the runner's User Timing marks);
//! 2. base64 throughput in the page, with the browser's `toBase64` and with
//!    the wasm fallback (the prototype method taken away);
//! 3. a 100 MB file prepared for a sync run: the longest main-thread task
//!    and the peak memory of all Chromium processes (PSS) above the level
//!    before the click, as a multiple of the file size;
//! 4. the same file uploaded by an async run (grayify's input bucket),
//!    against curl PUTting it to a presigned URL.
//!
//! Medians over several runs; ratios, since these machines are shared.

use base64::Engine;
use e2e::{with_app, Options, Page, Sandbox};
use oscar_sandbox::fixtures;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

const RUNS: usize = 7;
const CLASSIFIER: &str = "plants-classification-sync";

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN)
}

/// A header file for curl, so that no credential is on a command line.
fn header_file(dir: &Path, name: &str, header: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{header}\n")).expect("header file");
    path
}

/// Runs curl and returns its output and `time_total` in ms (the last line).
fn curl(args: &[&str]) -> (String, f64) {
    let out = Command::new("curl").args(["-s", "-w", "\n%{time_total}"]).args(args).output().expect("curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, time) = text.rsplit_once('\n').unwrap_or(("", "nan"));
    (body.to_string(), time.trim().parse::<f64>().unwrap_or(f64::NAN) * 1000.0)
}

/// Clicks Run and resolves when a new top label is painted: the time, the
/// longest main-thread task, and the runner's marks relative to the click.
const RUN_JS: &str = r#"
const done = arguments[arguments.length - 1];
performance.clearMarks();
const longest = { ms: 0 };
const obs = new PerformanceObserver(l => l.getEntries().forEach(e => { longest.ms = Math.max(longest.ms, e.duration); }));
obs.observe({ type: 'longtask' });
const old = document.querySelector('.labels__top-name');
const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Run');
const marks = t0 => Object.fromEntries(performance.getEntriesByType('mark')
  .filter(m => m.name.startsWith('visor:')).map(m => [m.name.slice(6), Math.round((m.startTime - t0) * 10) / 10]));
const t0 = performance.now();
const finish = () => requestAnimationFrame(() => {
  const ms = performance.now() - t0;
  mo.disconnect(); obs.disconnect();
  done({ ms, longest: longest.ms, marks: marks(t0) });
});
const mo = new MutationObserver(() => {
  const el = document.querySelector('.labels__top-name');
  if (el && el !== old && el.textContent) finish();
  const alert = document.querySelector('.alert--error');
  if (alert) { mo.disconnect(); obs.disconnect(); done({ error: alert.textContent }); }
});
mo.observe(document.body, { subtree: true, childList: true, characterData: true });
button.click();"#;

/// Clicks Run and resolves at the runner's mark `until`: the time, the longest task,
/// the encoding time (encoding → uploading), and the wasm memory before and after.
const PREPARE_JS: &str = r#"
const [until] = arguments;
const done = arguments[arguments.length - 1];
performance.clearMarks();
const longest = { ms: 0 };
const obs = new PerformanceObserver(l => l.getEntries().forEach(e => { longest.ms = Math.max(longest.ms, e.duration); }));
obs.observe({ type: 'longtask' });
const mark = n => performance.getEntriesByName('visor:' + n)[0]?.startTime;
const wasm0 = window.wasmBindings.wasm_memory_bytes();
const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Run');
const stale = document.querySelector('.alert--error');
const t0 = performance.now();
button.click();
const check = () => {
  const alert = document.querySelector('.alert--error');
  if (mark(until) === undefined) {
    if (alert && alert !== stale) {
      obs.disconnect();
      done({ error: alert.textContent, marks: performance.getEntriesByType('mark').map(m => m.name) });
      return;
    }
    setTimeout(check, 5); return;
  }
  // Let a long task that ended at the mark reach the observer.
  setTimeout(() => {
    obs.disconnect();
    done({ ms: mark(until) - t0, longest: longest.ms, encode: (mark('uploading') ?? NaN) - (mark('encoding') ?? NaN),
           wasm0, wasm1: window.wasmBindings.wasm_memory_bytes() });
  }, 60);
};
check();"#;

/// Sums the PSS (kB → bytes) of every Chromium process.
fn chromium_pss() -> u64 {
    chromium_processes().iter().map(|(_, pss)| pss).sum()
}

/// Every Chromium process: its command name and PSS in bytes.
fn chromium_processes() -> Vec<(String, u64)> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
        .filter(|e| {
            std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim().starts_with("chrom"))
        })
        .filter_map(|e| {
            let comm = std::fs::read_to_string(e.path().join("comm")).ok()?;
            let rollup = std::fs::read_to_string(e.path().join("smaps_rollup")).ok()?;
            let kb = rollup.lines().find(|l| l.starts_with("Pss:"))?.split_whitespace().nth(1)?.parse::<u64>().ok()?;
            Some((comm.trim().to_string(), kb * 1024))
        })
        .collect()
}

/// Samples [`chromium_pss`] every few ms until stopped; the peak.
struct Sampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sampler {
    fn start() -> Self {
        let (stop, peak) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
        let (s, p) = (stop.clone(), peak.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                p.fetch_max(chromium_pss(), Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        });
        Self { stop, peak, thread: Some(thread) }
    }

    fn peak(mut self) -> u64 {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.peak.load(Ordering::SeqCst)
    }
}

async fn choose(page: &Page, label: &str, path: &Path) {
    page.field(label).await.send_keys(&path.display().to_string()).await.expect("choose");
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    page.wait_text(".send-preview", |t| t.contains(&name)).await;
}

async fn cancel_and_settle(page: &Page) {
    page.js("[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Cancel')?.click(); return null").await;
    e2e::eventually("the run to end", || async {
        let idle = page.js("return [...document.querySelectorAll('button')].some(b => b.textContent.trim() === 'Run' && !b.disabled)").await;
        (idle == json!(true)).then_some(())
    })
    .await;
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(f64::NAN)
}

#[tokio::main]
async fn main() {
    let oscar = Sandbox::start(Options::default()).await.expect("stand-in");
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    let dir = std::env::temp_dir().join(format!("visor-bench-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let b64 = base64::engine::general_purpose::STANDARD;

    // Inputs: incompressible PNGs, and their base64 bodies for curl.
    let mut images = Vec::new();
    for mb in [1usize, 10] {
        let side = ((mb * 1_000_000 / 3) as f64).sqrt() as u32;
        let png = fixtures::png_noise(side, side, 0x9E37_79B9 + mb as u64);
        let path = dir.join(format!("noise-{mb}mb.png"));
        std::fs::write(&path, &png).expect("png");
        let body = dir.join(format!("noise-{mb}mb.b64"));
        std::fs::write(&body, b64.encode(&png)).expect("b64");
        images.push((mb, png.len(), path, body));
    }
    let big = dir.join("input-100mb.bin");
    let bytes = fixtures::noise(100_000_000, 0x2545_F491_4F6C_DD1D);
    std::fs::write(&big, &bytes).expect("100 MB input");
    drop(bytes);

    let basic = header_file(&dir, "basic.h", &format!("Authorization: Basic {}", b64.encode(format!("{user}:{pass}"))));
    let (svc, _) = curl(&["-H", &format!("@{}", basic.display()), &format!("{url}/system/services/{CLASSIFIER}")]);
    let token = serde_json::from_str::<Value>(&svc).ok().and_then(|v| v["token"].as_str().map(String::from)).expect("service token");
    let bearer = header_file(&dir, "bearer.h", &format!("Authorization: Bearer {token}"));

    let dir2 = dir.clone();
    with_app(move |page| async move {
        page.open(&format!("/services/{CLASSIFIER}")).await;
        page.log_in(&url, &user, &pass).await;
        page.wait_text("h2", |t| t == "Input").await;
        let native = page.js("return typeof Uint8Array.prototype.toBase64 === 'function'").await;
        println!("Chromium has Uint8Array.prototype.toBase64: {native}");

        println!("\n1. click → label on screen, {CLASSIFIER}, incompressible PNG (median of {RUNS})");
        println!("{:>7}{:>10}{:>12}{:>8}{:>16}   where the time goes (ms from the click, median run)", "input", "Visor", "curl (b64)", "ratio", "longest task");
        for (mb, size, path, body) in &images {
            choose(&page, "Image file", path).await;
            let (mut visor, mut base, mut longest, mut runs) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for _ in 0..RUNS {
                let (_, ms) = curl(&[
                    "-o", "/dev/null", "-X", "POST", "-H", &format!("@{}", bearer.display()), "-H", "Content-Type: text/plain",
                    "--data-binary", &format!("@{}", body.display()), &format!("{url}/run/{CLASSIFIER}"),
                ]);
                base.push(ms);
                let r = page.client.execute_async(RUN_JS, vec![]).await.expect("timed run");
                assert!(r.get("error").is_none(), "the run failed: {r}");
                visor.push(num(&r, "ms"));
                longest.push(num(&r, "longest"));
                runs.push(r);
            }
            let (v, c) = (median(visor.clone()), median(base));
            let mid = runs.iter().min_by(|a, b| (num(a, "ms") - v).abs().total_cmp(&(num(b, "ms") - v).abs())).cloned().unwrap_or_default();
            println!("{:>5}MB{:>8.0}ms{:>10.0}ms{:>7.2}x{:>14.0}ms   {}", mb, v, c, v / c, median(longest), mid["marks"]);
            let _ = size;
        }

        println!("\n2. base64 in the page (echo service, encoding → uploading, median of 5)");
        page.open("/services/echo").await;
        page.wait_text("h2", |t| t == "Input").await;
        page.field("Input type").await.select_by_label("File").await.expect("file kind");
        // 100 MB: files this big are not encoded ahead of the click (smaller ones are).
        for (label, path) in [("100 MB", big.clone())] {
            choose(&page, "File", &path).await;
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(1) as f64;
            for (how, prep) in [("native toBase64", ""), ("wasm fallback", "delete Uint8Array.prototype.toBase64;")] {
                if !prep.is_empty() {
                    page.js(&format!("window.__toBase64 = Uint8Array.prototype.toBase64; {prep} return null")).await;
                }
                let mut rates = Vec::new();
                let mut longest = Vec::new();
                for _ in 0..RUNS.min(5) {
                    let r = page.client.execute_async(PREPARE_JS, vec![json!("uploading")]).await.expect("encode");
                    assert!(r.get("error").is_none(), "{r}");
                    rates.push(size / 1e6 / (num(&r, "encode") / 1000.0));
                    longest.push(num(&r, "longest"));
                    cancel_and_settle(&page).await;
                }
                if !prep.is_empty() {
                    page.js("Uint8Array.prototype.toBase64 = window.__toBase64; return null").await;
                }
                println!("{label:>7} {how:<16}{:>8.0} MB/s   longest task {:.0} ms", median(rates), median(longest));
            }
        }

        println!("\n3. 100 MB prepared for a sync run (echo): longest task and peak memory over the level before the click");
        let procs = chromium_processes();
        println!("  ({} Chromium processes, {:.0} MB before the first click)", procs.len(), procs.iter().map(|p| p.1).sum::<u64>() as f64 / 1e6);
        let (mut peaks, mut longest, mut wasm) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..5 {
            let before = chromium_pss();
            let sampler = Sampler::start();
            let r = page.client.execute_async(PREPARE_JS, vec![json!("uploading")]).await.expect("prepare");
            let peak = sampler.peak();
            assert!(r.get("error").is_none(), "{r}");
            peaks.push(peak.saturating_sub(before) as f64 / 100e6);
            longest.push(num(&r, "longest"));
            wasm.push((num(&r, "wasm1") - num(&r, "wasm0")) / 1e6);
            cancel_and_settle(&page).await;
        }
        println!("  longest task {:.0} ms (budget 50) · peak memory {:.2}× the file (budget 2.5) · wasm memory grew {:.1} MB",
            median(longest), median(peaks), median(wasm));

        println!("\n4. the same 100 MB through the async path (upload to grayify's input bucket), against curl PUT to a presigned URL");
        page.open("/services/grayify").await;
        page.wait_text("h2", |t| t == "Input").await;
        choose(&page, "Image file", &big).await;
        let radio = page.client.find(fantoccini::Locator::Css("input[name=run-mode][value=async]")).await.expect("async");
        radio.click().await.expect("async");
        let (mut visor, mut base) = (Vec::new(), Vec::new());
        for i in 0..RUNS {
            let presign = json!({"object_key": format!("bench/curl-{i}.bin"), "operation": "upload", "expires_in": 600, "content_type": "application/octet-stream"});
            let (answer, _) = curl(&["-X", "POST", "-H", &format!("@{}", basic.display()), "-H", "Content-Type: application/json",
                "--data", &presign.to_string(), &format!("{url}/system/buckets/grayify/presign")]);
            let put = serde_json::from_str::<Value>(&answer).ok().and_then(|v| v["url"].as_str().map(String::from)).expect("presigned url");
            let (_, ms) = curl(&["-o", "/dev/null", "-X", "PUT", "-H", "Content-Type: application/octet-stream",
                "--data-binary", &format!("@{}", big.display()), &put]);
            base.push(ms);
            let r = page.client.execute_async(PREPARE_JS, vec![json!("waiting")]).await.expect("upload");
            assert!(r.get("error").is_none(), "{r}");
            visor.push(num(&r, "ms"));
            cancel_and_settle(&page).await;
        }
        let (v, c) = (median(visor), median(base));
        println!("  click → uploaded {v:.0} ms · curl PUT {c:.0} ms · ratio {:.2}x (budget 1.5)", v / c);
        let _ = dir2;
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}
