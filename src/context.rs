//! The app-wide context values and their `use_*` hooks, apart from the root
//! (`app.rs`) so that components need not import it.

use crate::oscar::siteconfig::SiteConfig;
use leptos::prelude::*;

/// The path prefix the app is served under (`""` at a domain root, `/ui`
/// under OSCAR). Plain links prepend it.
#[derive(Clone, Debug, Default)]
pub struct AppBase(pub String);

impl AppBase {
    /// The full href of an in-app path.
    pub fn href(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

/// The base of the current app, `""` when none was provided (tests).
pub fn use_base() -> AppBase {
    use_context::<AppBase>().unwrap_or_default()
}

/// The site settings from `config.json`, and the operator's interfaces.
#[derive(Clone, Copy)]
pub struct Site {
    pub config: RwSignal<SiteConfig>,
    /// Why the defaults are used, when config.json is missing or broken.
    pub warning: RwSignal<Option<String>>,
    /// The operator's `interfaces.json`, once loaded (`None` if there is none).
    /// Loaded when a run page first asks (`net::site::use_interfaces`), not at
    /// start-up: the login page and the list never need it.
    pub interfaces: RwSignal<Option<serde_json::Value>>,
    /// Whether its load was started.
    pub interfaces_asked: StoredValue<bool>,
    /// Whether config.json was tried (the embed handshake waits for it).
    pub loaded: RwSignal<bool>,
}

/// The site settings; defaults outside the app (tests).
pub fn use_site() -> Site {
    use_context::<Site>().unwrap_or_else(|| Site {
        config: RwSignal::new(SiteConfig::default()),
        warning: RwSignal::new(None),
        interfaces: RwSignal::new(None),
        interfaces_asked: StoredValue::new(false),
        loaded: RwSignal::new(true),
    })
}

