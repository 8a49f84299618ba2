//! Benchmark: the service list with the stand-in's 11 demo services versus
//! 1,011 (1,000 extra). Measures, in the page with `performance.now()`, the
//! time from navigation start to the rendered list and from a filter
//! keystroke to the updated list, and prints medians and the ratio.
//! `scripts/bench.sh` runs it against the release `dist/`.

use e2e::{with_app, Options, Page, Sandbox};
use serde_json::json;

const RUNS: usize = 9;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

/// Milliseconds from navigation start until the count is shown, and until
/// the service list's answer had arrived (the rest is the app's own work).
const LOAD_JS: &str = r#"
const done = arguments[arguments.length - 1];
const check = () => {
  const c = document.querySelector('.service-count');
  if (c && c.textContent.endsWith('services')) requestAnimationFrame(() => {
    const list = performance.getEntriesByType('resource').find(e => e.name.endsWith('/system/services'));
    const mark = n => performance.getEntriesByName('visor:' + n)[0]?.startTime ?? NaN;
    done([performance.now(), list ? list.responseEnd : NaN, mark('services-parsed'), mark('services-indexed')]);
  });
  else setTimeout(check, 5);
};
check();"#;

/// Milliseconds from setting the filter to the next painted frame with the new count.
const FILTER_JS: &str = r#"
const [query, done] = arguments;
const input = document.getElementById('service-filter');
const count = document.querySelector('.service-count');
const before = count.textContent;
const t0 = performance.now();
input.value = query;
input.dispatchEvent(new Event('input', { bubbles: true }));
const check = () => {
  if (count.textContent !== before) requestAnimationFrame(() => done(performance.now() - t0));
  else setTimeout(check, 1);
};
check();"#;

async fn measure(page: &Page, url: &str, user: &str, pass: &str, query: &str) -> (f64, f64, f64) {
    page.open("/login").await;
    page.log_in(url, user, pass).await;
    page.wait_text(".service-count", |t| t.ends_with("services")).await;
    let (mut loads, mut answered, mut parsed, mut indexed) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        page.client.refresh().await.expect("reload");
        let ms = page.client.execute_async(LOAD_JS, vec![]).await.expect("load timing");
        loads.push(ms[0].as_f64().unwrap_or(f64::NAN));
        answered.push(ms[1].as_f64().unwrap_or(f64::NAN));
        parsed.push(ms[2].as_f64().unwrap_or(f64::NAN) - ms[1].as_f64().unwrap_or(f64::NAN));
        indexed.push(ms[3].as_f64().unwrap_or(f64::NAN) - ms[2].as_f64().unwrap_or(f64::NAN));
    }
    let mut filters = Vec::new();
    for i in 0..RUNS * 2 {
        let q = if i % 2 == 0 { query } else { "" };
        let ms = page.client.execute_async(FILTER_JS, vec![json!(q)]).await.expect("filter timing");
        if i % 2 == 0 {
            filters.push(ms.as_f64().unwrap_or(f64::NAN));
        }
    }
    page.press("Log out").await;
    println!("  ({url}: answer → parsed {:.1} ms, parsed → indexed {:.1} ms)", median(parsed), median(indexed));
    (median(loads), median(answered), median(filters))
}

#[tokio::main]
async fn main() {
    let small = Sandbox::start(Options::default()).await.expect("stand-in");
    let large = Sandbox::start(Options { extra_services: 1000, ..Options::default() }).await.expect("stand-in");
    let (su, lu) = (small.url(), large.url());
    let (user, pass) = (small.username().to_string(), small.password().to_string());
    with_app(move |page| async move {
        let (s_load, s_answer, s_filter) = measure(&page, &su, &user, &pass, "cow").await;
        let (l_load, l_answer, l_filter) = measure(&page, &lu, &user, &pass, "svc-09").await;
        println!("service list, medians of {RUNS} runs (ms)");
        println!("{:<28}{:>12}{:>12}{:>8}", "", "11 services", "1,011", "ratio");
        println!("{:<28}{:>12.1}{:>12.1}{:>8.2}", "load to rendered list", s_load, l_load, l_load / s_load);
        println!("{:<28}{:>12.1}{:>12.1}{:>8.2}", "  of which: list answered", s_answer, l_answer, l_answer / s_answer);
        println!("{:<28}{:>12.1}{:>12.1}{:>8.2}", "  answer to rendered list", s_load - s_answer, l_load - l_answer, (l_load - l_answer) / (s_load - s_answer));
        println!("{:<28}{:>12.1}{:>12.1}{:>8.2}", "filter keystroke to frame", s_filter, l_filter, l_filter / s_filter);
    })
    .await;
}
