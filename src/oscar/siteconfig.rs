//! `config.json` next to `index.html`: the operator's site settings. It is
//! optional; a missing or broken file means defaults plus a visible warning,
//! never a blank page.

use serde::Deserialize;
use serde_json::Value;

/// The site settings, with defaults for everything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteConfig {
    /// Pre-filled cluster endpoint at login.
    pub endpoint: Option<String>,
    /// When true, the endpoint is fixed and its field hidden.
    pub fixed_endpoint: bool,
    /// Parent origins allowed to embed the app and hand it credentials.
    pub embed_origins: Vec<String>,
    /// Where the operator's `interfaces.json` is, relative to the app.
    pub interfaces: String,
    /// The product name shown in the header and the title.
    pub title: String,
    /// A logo URL relative to the app (shown in the header).
    pub logo: Option<String>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            endpoint: None,
            fixed_endpoint: false,
            embed_origins: Vec::new(),
            interfaces: "interfaces.json".into(),
            title: "OSCAR Visor".into(),
            logo: None,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Raw {
    endpoint: Option<String>,
    fixed_endpoint: Option<bool>,
    embed_origins: Option<Vec<String>>,
    interfaces: Option<String>,
    title: Option<String>,
    logo: Option<String>,
}

impl SiteConfig {
    /// Parses `config.json`; on error, the defaults and a warning to show.
    pub fn parse(body: &str) -> (Self, Option<String>) {
        let value: Value = match serde_json::from_str(body) {
            Ok(v) => v,
            Err(e) => return (Self::default(), Some(format!("config.json is not valid JSON ({e}); the defaults are used."))),
        };
        let raw: Raw = match serde_json::from_value(value) {
            Ok(r) => r,
            Err(e) => return (Self::default(), Some(format!("config.json has a field of the wrong type ({e}); the defaults are used."))),
        };
        let d = Self::default();
        let mut warning = None;
        let endpoint = raw.endpoint.map(|e| e.trim().trim_end_matches('/').to_string()).filter(|e| !e.is_empty());
        let fixed = raw.fixed_endpoint.unwrap_or(false);
        if fixed && endpoint.is_none() {
            warning = Some("config.json asks for a fixed endpoint but gives none; the field stays visible.".to_string());
        }
        let embed_origins: Vec<String> = raw
            .embed_origins
            .unwrap_or_default()
            .into_iter()
            .map(|o| o.trim().trim_end_matches('/').to_string())
            .filter(|o| {
                let ok = o.starts_with("https://") || o.starts_with("http://");
                if !ok {
                    warning = Some(format!("config.json: “{o}” is not an origin (https://host[:port]); it is ignored."));
                }
                ok
            })
            .collect();
        let cfg = Self {
            fixed_endpoint: fixed && endpoint.is_some(),
            endpoint,
            embed_origins,
            interfaces: raw.interfaces.filter(|s| !s.trim().is_empty()).unwrap_or(d.interfaces),
            title: raw.title.filter(|s| !s.trim().is_empty()).unwrap_or(d.title),
            logo: raw.logo.filter(|s| !s.trim().is_empty()),
        };
        (cfg, warning)
    }

    /// Whether a parent page at `origin` may embed the app and log it in.
    pub fn allows_parent(&self, origin: &str) -> bool {
        self.embed_origins.iter().any(|o| o == origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_is_read() {
        let (c, w) = SiteConfig::parse(
            r#"{"endpoint":"https://oscar.example.org/","fixed_endpoint":true,"embed_origins":["https://dashboard.oscar.grycap.net/"],
                "interfaces":"specs/interfaces.json","title":"My Visor","logo":"logo.svg","future":1}"#,
        );
        assert_eq!(w, None);
        assert_eq!(c.endpoint.as_deref(), Some("https://oscar.example.org"));
        assert!(c.fixed_endpoint);
        assert!(c.allows_parent("https://dashboard.oscar.grycap.net"));
        assert!(!c.allows_parent("https://evil.example.org"));
        assert_eq!(c.interfaces, "specs/interfaces.json");
        assert_eq!(c.title, "My Visor");
    }

    #[test]
    fn broken_files_give_defaults_and_a_warning() {
        let (c, w) = SiteConfig::parse("{not json");
        assert_eq!(c, SiteConfig::default());
        assert!(w.is_some_and(|w| w.contains("not valid JSON")));
        let (c, w) = SiteConfig::parse(r#"{"embed_origins":"https://x"}"#);
        assert_eq!(c, SiteConfig::default());
        assert!(w.is_some_and(|w| w.contains("wrong type")));
        let (c, w) = SiteConfig::parse(r#"{"fixed_endpoint":true,"embed_origins":["dashboard"]}"#);
        assert!(!c.fixed_endpoint && c.embed_origins.is_empty());
        assert!(w.is_some());
        assert_eq!(SiteConfig::parse("{}"), (SiteConfig::default(), None));
    }
}
