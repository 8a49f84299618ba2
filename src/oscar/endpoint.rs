//! The cluster address a user types at login, checked before any request.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A validated OSCAR cluster base URL: `http(s)://host[:port][/path]`, with no
/// trailing slash, no credentials, no query and no fragment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Endpoint(String);

impl Endpoint {
    /// Parses what the user typed, or says in plain words what to fix.
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.trim();
        if text.is_empty() {
            return Err("Enter the cluster's address, for example https://oscar.example.org.".into());
        }
        if text.chars().any(char::is_whitespace) {
            return Err("The address cannot contain spaces.".into());
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(format!(
                "Start the address with https:// or http://, for example https://{}.",
                text.trim_start_matches('/')
            ));
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(format!("“{scheme}://” is not a web address. Use https:// or http://."));
        }
        if rest.contains(['?', '#']) {
            return Err("Remove the query (?…) or fragment (#…) from the address.".into());
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err("Do not put a username or password in the address; use the fields below.".into());
        }
        let (host, port) = split_host_port(authority)?;
        if !valid_host(host) {
            return Err(format!("“{authority}” is not a valid host name."));
        }
        if let Some(port) = port {
            match port.parse::<u16>() {
                Ok(p) if p > 0 => {}
                _ => return Err(format!("“{port}” is not a valid port (1–65535).")),
            }
        }
        let path = path.trim_end_matches('/');
        if path.contains("//") {
            return Err("The address has an empty path segment (“//”).".into());
        }
        Ok(Self(format!("{scheme}://{}{path}", authority.to_ascii_lowercase())))
    }

    /// The base URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The full URL of an API path such as `/system/config`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.0, path)
    }
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), String> {
    if authority.is_empty() {
        return Err("The address has no host name.".into());
    }
    if let Some(rest) = authority.strip_prefix('[') {
        // IPv6 literal: [::1]:8080
        let Some(end) = rest.find(']') else {
            return Err("The IPv6 address is missing its closing “]”.".into());
        };
        let after = &rest[end + 1..];
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or("Unexpected text after the IPv6 address.")?),
        };
        return Ok((&authority[..end + 2], port));
    }
    Ok(match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

fn valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty() && inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Endpoint {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Endpoint> for String {
    fn from(value: Endpoint) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_cluster_addresses() {
        let ok = |s: &str| Endpoint::parse(s).map(|e| e.0);
        assert_eq!(ok("https://oscar.example.org").as_deref(), Ok("https://oscar.example.org"));
        assert_eq!(ok("  HTTPS://Oscar.Example.org/ ").as_deref(), Ok("https://oscar.example.org"));
        assert_eq!(ok("http://127.0.0.1:8080").as_deref(), Ok("http://127.0.0.1:8080"));
        assert_eq!(ok("http://localhost:8080/oscar/").as_deref(), Ok("http://localhost:8080/oscar"));
        assert_eq!(ok("http://[::1]:8080").as_deref(), Ok("http://[::1]:8080"));
    }

    #[test]
    fn rejects_malformed_addresses_with_a_hint() {
        for (input, hint) in [
            ("", "Enter the cluster"),
            ("oscar.example.org", "https://oscar.example.org"),
            ("ftp://oscar.example.org", "Use https://"),
            ("https://", "no host"),
            ("https://exa mple.org", "spaces"),
            ("https://user:pw@oscar.example.org", "username or password"),
            ("https://oscar.example.org:99999", "valid port"),
            ("https://oscar.example.org:abc", "valid port"),
            ("https://oscar..org", "valid host"),
            ("https://-bad-.org", "valid host"),
            ("https://oscar.example.org/?x=1", "query"),
            ("http://[::1", "closing"),
        ] {
            let err = Endpoint::parse(input).expect_err(input);
            assert!(err.contains(hint), "{input:?} -> {err:?} lacks {hint:?}");
        }
    }

    #[test]
    fn builds_api_urls() {
        let e = Endpoint::parse("http://127.0.0.1:8080/").expect("valid");
        assert_eq!(e.url("/system/config"), "http://127.0.0.1:8080/system/config");
    }
}
