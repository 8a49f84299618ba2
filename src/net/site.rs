//! Files deployed next to the app: `config.json` and `interfaces.json`.

use crate::oscar::siteconfig::SiteConfig;
use gloo_net::http::Request;

/// The URL of a file next to the app (the router base on this origin).
pub fn beside_app(base: &str, file: &str) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    if file.starts_with("http://") || file.starts_with("https://") {
        return file.to_string();
    }
    format!("{origin}{base}/{}", file.trim_start_matches("./").trim_start_matches('/'))
}

/// Loads `config.json`; a missing or broken file gives the defaults and a
/// warning to show.
pub async fn load_site_config(base: &str) -> (SiteConfig, Option<String>) {
    match Request::get(&beside_app(base, "config.json")).send().await {
        Ok(r) if r.status() == 200 => match r.text().await {
            Ok(body) => SiteConfig::parse(&body),
            Err(_) => (SiteConfig::default(), Some("config.json could not be read; the defaults are used.".into())),
        },
        Ok(r) => (
            SiteConfig::default(),
            Some(format!("config.json is missing (HTTP {}); the defaults are used.", r.status())),
        ),
        Err(_) => (SiteConfig::default(), Some("config.json could not be loaded; the defaults are used.".into())),
    }
}

/// Loads the operator's `interfaces.json`: `Ok(None)` if there is none, and
/// why it is not used when it is too large or broken.
pub async fn load_interfaces(base: &str, location: &str) -> Result<Option<serde_json::Value>, String> {
    use crate::interface::spec::{interfaces_too_large, parse_interfaces, MAX_INTERFACES_BYTES};
    let Ok(r) = Request::get(&beside_app(base, location)).send().await else { return Ok(None) };
    if r.status() != 200 {
        return Ok(None);
    }
    // A length past the cap is refused before the body is read.
    let declared = r.headers().get("content-length").and_then(|n| n.trim().parse::<usize>().ok());
    if let Some(n) = declared.filter(|n| *n > MAX_INTERFACES_BYTES) {
        return Err(interfaces_too_large(n));
    }
    let Ok(text) = r.text().await else { return Ok(None) };
    parse_interfaces(&text).map(Some)
}

/// The operator's interfaces: the first page that asks starts their load,
/// once `config.json` (which says where they are) was tried.
pub fn use_interfaces() -> leptos::prelude::RwSignal<Option<serde_json::Value>> {
    use leptos::prelude::*;
    let site = crate::context::use_site();
    let base = crate::context::use_base();
    Effect::new(move |_| {
        if site.loaded.get() && !site.interfaces_asked.get_value() {
            site.interfaces_asked.set_value(true);
            let location = site.config.with_untracked(|c| c.interfaces.clone());
            let base = base.0.clone();
            leptos::task::spawn_local(async move {
                match load_interfaces(&base, &location).await {
                    Ok(found) => {
                        let _ = site.interfaces.try_set(found);
                    }
                    Err(why) => {
                        let _ = site.warning.try_set(Some(why));
                    }
                }
            });
        }
    });
    site.interfaces
}

/// Fetches a file next to the app (an example input or expected output).
pub async fn fetch_bytes(url: &str) -> Option<Vec<u8>> {
    let r = Request::get(url).send().await.ok()?;
    if r.status() != 200 {
        return None;
    }
    r.binary().await.ok()
}
