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
    /// An OIDC access token (EGI Check-in, Keycloak, ...), sent as
    /// `Authorization: Bearer` on `/system/*`, and on `/run` and `/job`
    /// instead of the service token (OSCAR v3.3+, §2).
    Bearer { token: Secret },
}

impl Credentials {
    /// The value of the `Authorization` header.
    pub fn authorization(&self) -> String {
        match self {
            Self::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose());
                format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
            }
            Self::Bearer { token } => format!("Bearer {}", token.expose().trim()),
        }
    }

    /// Who is logged in, for the header of the page.
    pub fn user_label(&self) -> String {
        match self {
            Self::Basic { username, .. } => username.clone(),
            Self::Bearer { token } => jwt_subject(token.expose()).unwrap_or_else(|| "OIDC user".into()),
        }
    }

    /// The user's own token, when it may replace the service token on
    /// `/run` and `/job` (OIDC logins).
    pub fn run_token(&self) -> Option<&str> {
        match self {
            Self::Basic { .. } => None,
            Self::Bearer { token } => Some(token.expose().trim()),
        }
    }
}

/// The `sub` (or `preferred_username`/`email`) claim of a JWT, read without
/// verifying it: only to show who is logged in. `None` for anything else.
pub fn jwt_subject(token: &str) -> Option<String> {
    let payload = token.trim().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    ["preferred_username", "email", "sub"]
        .iter()
        .find_map(|k| claims.get(*k).and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(String::from))
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
    fn bearer_tokens_are_sent_and_name_their_user() {
        // {"sub":"user-1@egi.eu"} base64url
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTFAZWdpLmV1In0.sig";
        let c = Credentials::Bearer { token: Secret::new(format!(" {token}\n")) };
        assert_eq!(c.authorization(), format!("Bearer {token}"));
        assert_eq!(c.user_label(), "user-1@egi.eu");
        assert_eq!(c.run_token(), Some(token));
        assert!(!format!("{c:?}").contains("eyJ"));
        assert_eq!(jwt_subject("not-a-jwt"), None);
        assert_eq!(jwt_subject("a.!!!.c"), None);
        let basic = Credentials::Basic { username: "oscar".into(), password: Secret::new("x") };
        assert_eq!(basic.run_token(), None);
    }

    #[test]
    fn debug_never_shows_the_password() {
        let c = Credentials::Basic { username: "oscar".into(), password: Secret::new("hunter2") };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("oscar"));
    }
}
