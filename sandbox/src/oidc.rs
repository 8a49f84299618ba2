//! Test OIDC tokens (OSCAR-API.md §2): the stand-in is its own issuer, `<url>/oidc`, and signs
//! HS256 JWTs with a per-sandbox random key. Real OSCAR checks RS256 tokens against the
//! issuer's JWKS; what a client sees (status codes, bodies) is the same.

use crate::util::random_bytes;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::time::{SystemTime, UNIX_EPOCH};

/// The group every issued token belongs to (Keycloak `group_membership`, §2 `OIDC_GROUPS`).
pub(crate) const GROUP: &str = "/oscar-users";

pub(crate) struct Oidc {
    key: Vec<u8>,
    pub issuer: String,
    /// Seconds added to the clock for issuing and checking tokens, so a test
    /// can let a token expire without waiting.
    clock_offset: std::sync::atomic::AtomicI64,
}

/// Why a bearer token is refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenError {
    /// Not a JWT at all (golang-jwt's parse error text).
    Malformed(String),
    /// A JWT from an issuer the cluster does not trust.
    UnknownIssuer(String),
    /// Our issuer, but a bad signature, algorithm, expiry or group.
    Invalid,
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn mac(key: &[u8]) -> Option<Hmac<Sha256>> {
    Hmac::<Sha256>::new_from_slice(key).ok()
}

fn decode_part(part: &str, what: &str) -> Result<Value, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|e| {
            TokenError::Malformed(format!(
                "token is malformed: could not base64 decode {what}: {e}"
            ))
        })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        TokenError::Malformed(format!(
            "token is malformed: could not JSON decode {what}: {e}"
        ))
    })
}

impl Oidc {
    pub fn new(issuer: String) -> Oidc {
        Oidc {
            key: random_bytes(32),
            issuer,
            clock_offset: std::sync::atomic::AtomicI64::new(0),
        }
    }

    /// Moves the token clock forward by `secs`.
    pub fn advance_clock(&self, secs: i64) {
        self.clock_offset.fetch_add(secs, std::sync::atomic::Ordering::SeqCst);
    }

    fn now(&self) -> i64 {
        now_secs() + self.clock_offset.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A signed JWT for `sub`, valid for `ttl_secs` (negative: already expired).
    pub fn issue(&self, sub: &str, ttl_secs: i64) -> String {
        let now = self.now();
        let header = json!({"alg": "HS256", "typ": "JWT"});
        let payload = json!({
            "iss": self.issuer,
            "sub": sub,
            "iat": now,
            "exp": now.saturating_add(ttl_secs),
            "group_membership": [GROUP],
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let sig = match mac(&self.key) {
            Some(mut m) => {
                m.update(signing_input.as_bytes());
                m.finalize().into_bytes().to_vec()
            }
            None => Vec::new(),
        };
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    /// The `sub` of a token this issuer signed and that is still valid.
    pub fn verify(&self, token: &str) -> Result<String, TokenError> {
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() != 3 {
            return Err(TokenError::Malformed(
                "token is malformed: token contains an invalid number of segments".into(),
            ));
        }
        let header = decode_part(parts[0], "header")?;
        let claims = decode_part(parts[1], "claim")?;
        let iss = claims
            .get("iss")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if iss != self.issuer {
            return Err(TokenError::UnknownIssuer(iss.to_string()));
        }
        if header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return Err(TokenError::Invalid);
        }
        let sig = URL_SAFE_NO_PAD
            .decode(parts[2].trim_end_matches('='))
            .map_err(|_| TokenError::Invalid)?;
        let mut m = mac(&self.key).ok_or(TokenError::Invalid)?;
        m.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
        m.verify_slice(&sig).map_err(|_| TokenError::Invalid)?;
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or(TokenError::Invalid)?;
        if exp <= self.now() {
            return Err(TokenError::Invalid);
        }
        let in_group = claims
            .get("group_membership")
            .and_then(Value::as_array)
            .is_some_and(|g| g.iter().any(|x| x.as_str() == Some(GROUP)));
        if !in_group {
            return Err(TokenError::Invalid);
        }
        match claims.get("sub").and_then(Value::as_str) {
            Some(sub) if !sub.is_empty() => Ok(sub.to_string()),
            _ => Err(TokenError::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_failures() {
        let o = Oidc::new("http://127.0.0.1:1/oidc".into());
        let t = o.issue("user-1@egi.eu", 60);
        assert_eq!(o.verify(&t), Ok("user-1@egi.eu".to_string()));
        assert_eq!(o.verify(&o.issue("u", -5)), Err(TokenError::Invalid));
        // Another sandbox's key, same issuer: bad signature.
        let other = Oidc::new(o.issuer.clone());
        assert_eq!(o.verify(&other.issue("u", 60)), Err(TokenError::Invalid));
        let foreign = Oidc::new("https://aai.egi.eu/auth/realms/egi".into());
        assert_eq!(
            o.verify(&foreign.issue("u", 60)),
            Err(TokenError::UnknownIssuer(
                "https://aai.egi.eu/auth/realms/egi".into()
            ))
        );
        assert!(matches!(o.verify("abc"), Err(TokenError::Malformed(_))));
        assert!(matches!(o.verify("a.b.c"), Err(TokenError::Malformed(_))));
        assert!(matches!(o.verify("..."), Err(TokenError::Malformed(_))));
        // Tampered payload keeps the old signature.
        let parts: Vec<&str> = t.split('.').collect();
        let mut claims = decode_part(parts[1], "claim").expect("claims");
        claims["sub"] = json!("admin");
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            parts[2]
        );
        assert_eq!(o.verify(&forged), Err(TokenError::Invalid));
    }
}
