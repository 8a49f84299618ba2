//! The logged-in session: a pure type, plus (in the browser) the one door to
//! `sessionStorage` and the context that pages read it from. Credentials live
//! in sessionStorage and in memory only: never localStorage, cookies or URLs.

use crate::oscar::{ClusterConfig, Credentials, Endpoint};
use serde::{Deserialize, Serialize};

#[cfg(target_arch = "wasm32")]
mod context;
#[cfg(target_arch = "wasm32")]
pub mod store;

#[cfg(target_arch = "wasm32")]
pub use context::{provide_session, use_session, SessionCtx};

/// Bumped when the stored shape changes; older entries are then dropped.
pub const SESSION_VERSION: u32 = 1;

/// Who is logged in to which cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub version: u32,
    pub endpoint: Endpoint,
    pub credentials: Credentials,
    pub config: ClusterConfig,
}

impl Session {
    pub fn new(endpoint: Endpoint, credentials: Credentials, config: ClusterConfig) -> Self {
        Self { version: SESSION_VERSION, endpoint, credentials, config }
    }

    /// Serialises for sessionStorage.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored session; anything unreadable or from another version is
    /// treated as "not logged in" rather than an error.
    pub fn from_json(json: &str) -> Option<Self> {
        serde_json::from_str::<Self>(json).ok().filter(|s| s.version == SESSION_VERSION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oscar::Secret;

    fn sample() -> Session {
        let config = ClusterConfig::parse(
            r#"{"config":{"name":"oscar","serverless_backend":"knative"},
                "minio_provider":{"endpoint":"http://127.0.0.1:9000","access_key":"ACCESS-KEY-1","secret_key":"SECRET-KEY-1"}}"#,
        )
        .expect("config");
        Session::new(
            Endpoint::parse("http://127.0.0.1:8080").expect("endpoint"),
            Credentials::Basic { username: "oscar".into(), password: Secret::new("PASSWORD-1") },
            config,
        )
    }

    #[test]
    fn round_trips_through_json() {
        let s = sample();
        assert_eq!(Session::from_json(&s.to_json()), Some(s));
    }

    #[test]
    fn garbage_and_old_versions_mean_logged_out() {
        assert_eq!(Session::from_json("not json"), None);
        assert_eq!(Session::from_json("{}"), None);
        let old = sample().to_json().replace("\"version\":1", "\"version\":0");
        assert_eq!(Session::from_json(&old), None);
        let bad_endpoint = sample().to_json().replace("http://127.0.0.1:8080", "nope");
        assert_eq!(Session::from_json(&bad_endpoint), None);
    }

    #[test]
    fn debug_hides_password_and_keys() {
        let shown = format!("{:?}", sample());
        for secret in ["PASSWORD-1", "ACCESS-KEY-1", "SECRET-KEY-1"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
