//! Benchmark: base64 encoding of 1, 10 and 100 MB inputs in the browser, as
//! the run page does it (chunked, yielding between chunks). Reports the
//! median throughput and the median of the longest main-thread task seen by a
//! `longtask` PerformanceObserver while encoding. `scripts/bench.sh` runs it.

use e2e::{with_app, Options, Sandbox};
use serde_json::json;

const RUNS: usize = 5;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

/// Clicks Run and resolves when encoding is over: [ms, longest task ms].
const ENCODE_JS: &str = r#"
const done = arguments[arguments.length - 1];
const longest = { ms: 0 };
const obs = new PerformanceObserver(list => list.getEntries().forEach(e => { longest.ms = Math.max(longest.ms, e.duration); }));
obs.observe({ type: 'longtask' });
const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Run');
const t0 = performance.now();
button.click();
const check = () => {
  const s = document.querySelector('.run-status__what');
  if (s && !s.textContent.startsWith('Encoding')) {
    const ms = performance.now() - t0;
    setTimeout(() => { obs.disconnect(); done([ms, longest.ms]); }, 0);
  } else setTimeout(check, 2);
};
check();"#;

#[tokio::main]
async fn main() {
    let oscar = Sandbox::start(Options::default()).await.expect("stand-in");
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    let dir = std::env::temp_dir().join(format!("visor-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let mut files = Vec::new();
    for mb in [1usize, 10, 100] {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let bytes: Vec<u8> = (0..mb * 1_000_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let path = dir.join(format!("input-{mb}mb.bin"));
        std::fs::write(&path, bytes).expect("write input");
        files.push((mb, path));
    }
    with_app(move |page| async move {
        page.open("/services/echo").await;
        page.log_in(&url, &user, &pass).await;
        page.wait_text("h2", |t| t == "Input").await;
        page.field("Input type").await.select_by_label("File").await.expect("file kind");
        println!("base64 encoding in the browser, medians of {RUNS} runs");
        println!("{:>8}{:>14}{:>16}{:>20}", "input", "time (ms)", "MB/s", "longest task (ms)");
        for (mb, path) in &files {
            page.field("File").await.send_keys(&path.display().to_string()).await.expect("choose");
            page.wait_text(".send-preview", |t| t.contains(&format!("input-{mb}mb.bin"))).await;
            let (mut times, mut longest) = (Vec::new(), Vec::new());
            for _ in 0..RUNS {
                let r = page.client.execute_async(ENCODE_JS, vec![]).await.expect("encode timing");
                let (ms, long) = (r[0].as_f64().unwrap_or(f64::NAN), r[1].as_f64().unwrap_or(f64::NAN));
                times.push(ms);
                longest.push(long);
                // Stop the upload that follows (small inputs may finish first).
                page.js("[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Cancel')?.click(); return null").await;
                e2e::eventually("the run to end", || async {
                    let idle = page.js("return [...document.querySelectorAll('button')].some(b => b.textContent.trim() === 'Run' && !b.disabled)").await;
                    (idle == json!(true)).then_some(())
                })
                .await;
            }
            let ms = median(times);
            println!("{:>6}MB{:>14.0}{:>16.1}{:>20.0}", mb, ms, *mb as f64 / (ms / 1000.0), median(longest));
        }
    })
    .await;
}
