//! Credentials and secrets. A secret never prints: its `Debug` is redacted so
//! that a stray `{:?}` cannot leak it into the console or a test log.

use base64::Engine;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A string that must never be shown or logged.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret itself, for the one place that needs it: a request header.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// How the app authenticates on `/system/*` (OSCAR-API.md §2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Credentials {
    /// OSCAR's own user (`OSCAR_USERNAME` / `OSCAR_PASSWORD`).
    Basic { username: String, password: Secret },
}

impl Credentials {
    /// The value of the `Authorization` header.
    pub fn authorization(&self) -> String {
        match self {
            Self::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose());
                format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
            }
        }
    }

    /// Who is logged in, for the header of the page.
    pub fn user_label(&self) -> &str {
        match self {
            Self::Basic { username, .. } => username,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_matches_rfc7617_example() {
        let c = Credentials::Basic { username: "Aladdin".into(), password: Secret::new("open sesame") };
        assert_eq!(c.authorization(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    }

    #[test]
    fn basic_header_encodes_utf8() {
        let c = Credentials::Basic { username: "test".into(), password: Secret::new("123£") };
        assert_eq!(c.authorization(), "Basic dGVzdDoxMjPCow==");
    }

    #[test]
    fn debug_never_shows_the_password() {
        let c = Credentials::Basic { username: "oscar".into(), password: Secret::new("hunter2") };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("oscar"));
    }
}
