//! What a visit really downloads, listed by headless Chromium from the
//! page's own Resource Timing (not assumed from the files in dist/):
//! the login page of a cold browser, the service list after a reload, and
//! what opening a run page adds. Sizes are the bytes on the wire (gzip, as the
//! stand-in's host sends them) and the bytes as a host without compression
//! would send them. `scripts/bundle-size.sh` runs it.

use e2e::{with_app, Options, Page, Sandbox};

/// Every same-origin file the page fetched (the document included), as
/// `[name, wire bytes, raw bytes]`; the cluster's API calls are not app code.
const ENTRIES_JS: &str = r#"
const nav = performance.getEntriesByType('navigation')[0];
const all = [nav, ...performance.getEntriesByType('resource')];
return all.filter(e => e && new URL(e.name).origin === location.origin)
  .map(e => [new URL(e.name).pathname, e.encodedBodySize, e.decodedBodySize]);"#;

#[derive(Default)]
struct Seen {
    files: Vec<(String, u64, u64)>,
}

impl Seen {
    async fn read(page: &Page) -> Seen {
        let list = page.js(ENTRIES_JS).await;
        let files = list
            .as_array()
            .map(|l| {
                l.iter()
                    .map(|e| {
                        let n = |i: usize| e[i].as_u64().unwrap_or(0);
                        (e[0].as_str().unwrap_or("?").to_string(), n(1), n(2))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Seen { files }
    }

    fn without(self, before: &Seen) -> Seen {
        let files = self.files.into_iter().filter(|f| !before.files.iter().any(|b| b.0 == f.0)).collect();
        Seen { files }
    }

    fn print(&self, title: &str) {
        println!("\n{title}");
        println!("  {:<48} {:>10} {:>10}", "file", "gzip", "raw");
        for (name, wire, raw) in &self.files {
            let short = name.rsplit('/').next().unwrap_or(name);
            let short = if short.is_empty() || !short.contains('.') { format!("{name} (page)") } else { short.to_string() };
            println!("  {short:<48} {wire:>10} {raw:>10}");
        }
        let (wire, raw) = self.files.iter().fold((0, 0), |(w, r), f| (w + f.1, r + f.2));
        println!("  {:<48} {wire:>10} {raw:>10}  ({:.1} KiB gzip)", "total", wire as f64 / 1024.0);
    }
}

#[tokio::main]
async fn main() {
    let oscar = Sandbox::start(Options::default()).await.expect("stand-in");
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    with_app(move |page| async move {
        page.open("/login").await;
        page.field("Endpoint").await;
        page.wait_text("button", |t| t == "Log in").await;
        Seen::read(&page).await.print("First load: the login page, usable, from a cold browser");

        page.log_in(&url, &user, &pass).await;
        page.wait_text(".service-count", |t| t.ends_with("services")).await;
        page.client.refresh().await.expect("reload");
        page.wait_text(".service-count", |t| t.ends_with("services")).await;
        let list = Seen::read(&page).await;
        list.print("First load: the service list after a reload (with a session)");

        let link = page.client.find(fantoccini::Locator::Css(".service-card__link")).await.expect("a service");
        link.click().await.expect("open it");
        page.wait_text("button", |t| t == "Run").await;
        Seen::read(&page).await.without(&list).print("What opening a run page from the list adds");

        page.client.refresh().await.expect("reload");
        page.wait_text("button", |t| t == "Run").await;
        Seen::read(&page).await.print("A deep link to a run page (reload, with a session)");
    })
    .await;
}
