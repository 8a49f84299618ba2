//! The service definition (OSCAR-API.md §5), read tolerantly: v2 `Variables`
//! and v3+ `variables`, `null` slices and maps, `expose.api_port` as a number
//! (v3) or an array (v4.1), and any field a newer OSCAR may add.

use super::lenient::{null_default, ports, string_map, stringish};
use super::MinioProvider;
use serde::{Deserialize, Deserializer, Serialize};
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// A service name as OSCAR accepts it (a k8s label value of 1–39 chars).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ServiceName(String);

impl ServiceName {
    pub fn parse(name: &str) -> Option<Self> {
        let ok = !name.is_empty()
            && name.len() <= 63
            && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name.ends_with(|c: char| c.is_ascii_alphanumeric());
        ok.then(|| Self(name.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The 64-hex token that `/run` and `/job` accept. Redacted in `Debug`.
#[derive(Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(transparent)]
pub struct ServiceToken(String);

impl ServiceToken {
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for ServiceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServiceToken(<redacted>)")
    }
}

/// An `input` or `output` entry: a bucket path on a storage provider.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Default)]
pub struct StorageIo {
    #[serde(default, deserialize_with = "stringish")]
    pub storage_provider: String,
    #[serde(default, deserialize_with = "stringish")]
    pub path: String,
    #[serde(default, deserialize_with = "null_default")]
    pub suffix: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub prefix: Vec<String>,
}

/// Knative scale bounds for sync runs (0 = scale to zero / unlimited).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Default)]
pub struct ScaleBounds {
    #[serde(default, deserialize_with = "null_default")]
    pub min_scale: i64,
    #[serde(default, deserialize_with = "null_default")]
    pub max_scale: i64,
}

/// The `expose` block of services that run their own HTTP API.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Default)]
pub struct Expose {
    #[serde(default, deserialize_with = "ports")]
    pub api_port: Vec<u16>,
    #[serde(default, rename = "nodePort", deserialize_with = "ports")]
    pub node_port: Vec<u16>,
    #[serde(default, deserialize_with = "null_default")]
    pub min_scale: i64,
    #[serde(default, deserialize_with = "null_default")]
    pub max_scale: i64,
}

/// `environment`: `Variables` in v2, `variables` since v3.5; Go decodes keys
/// case-insensitively, so both (in any case) are accepted here too.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Environment {
    pub variables: BTreeMap<String, String>,
    /// Names only: OSCAR blanks secret values in responses.
    pub secret_names: Vec<String>,
}

impl<'de> Deserialize<'de> for Environment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut env = Environment::default();
        if let Value::Object(map) = Value::deserialize(d)? {
            for (key, value) in map {
                let Value::Object(inner) = value else { continue };
                match key.to_ascii_lowercase().as_str() {
                    "variables" => env
                        .variables
                        .extend(inner.iter().map(|(k, v)| (k.clone(), super::lenient::value_to_string(v)))),
                    "secrets" => env.secret_names.extend(inner.keys().cloned()),
                    _ => {}
                }
            }
        }
        Ok(env)
    }
}

/// One OSCAR service as `GET /system/services` returns it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Service {
    pub name: ServiceName,
    #[serde(default, deserialize_with = "stringish")]
    pub image: String,
    #[serde(default, deserialize_with = "stringish")]
    pub cpu: String,
    #[serde(default, deserialize_with = "stringish")]
    pub memory: String,
    #[serde(default, deserialize_with = "null_default")]
    pub enable_gpu: bool,
    #[serde(default, deserialize_with = "stringish")]
    pub log_level: String,
    #[serde(default, deserialize_with = "null_default")]
    pub token: ServiceToken,
    #[serde(default, deserialize_with = "null_default")]
    pub input: Vec<StorageIo>,
    #[serde(default, deserialize_with = "null_default")]
    pub output: Vec<StorageIo>,
    #[serde(default, deserialize_with = "stringish")]
    pub script: String,
    #[serde(default, deserialize_with = "null_default")]
    pub synchronous: ScaleBounds,
    #[serde(default, deserialize_with = "null_default")]
    pub expose: Expose,
    #[serde(default, deserialize_with = "null_default")]
    pub environment: Environment,
    #[serde(default, deserialize_with = "string_map")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "string_map")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "stringish")]
    pub owner: String,
    #[serde(default, deserialize_with = "stringish")]
    pub visibility: String,
    #[serde(default, deserialize_with = "null_default")]
    pub allowed_users: Vec<String>,
    #[serde(default, deserialize_with = "stringish")]
    pub vo: String,
    #[serde(default, deserialize_with = "stringish")]
    pub namespace: String,
    /// The service's MinIO providers by id (`minio.<id>`); since v3.5 the
    /// default one carries `"hidden"` keys (§5).
    #[serde(default, rename = "storage_providers", deserialize_with = "minio_providers")]
    pub minio_providers: BTreeMap<String, MinioProvider>,
}

/// Reads `storage_providers.minio` (other provider kinds are not used here).
fn minio_providers<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, MinioProvider>, D::Error> {
    let value = Value::deserialize(d)?;
    let Some(Value::Object(minio)) = value.get("minio") else { return Ok(BTreeMap::new()) };
    Ok(minio
        .iter()
        .filter_map(|(id, v)| serde_json::from_value::<MinioProvider>(v.clone()).ok().map(|p| (id.clone(), p)))
        .collect())
}

impl Service {
    /// Decodes one service; the error names the service when it can.
    pub fn from_value(value: Value) -> Result<Self, String> {
        let label = value.get("name").and_then(Value::as_str).unwrap_or("(unnamed)").to_string();
        serde_json::from_value(value).map_err(|e| format!("service “{label}”: {e}"))
    }

    /// Has an input bucket, so an upload starts a job (async invocation).
    pub fn has_input_storage(&self) -> bool {
        self.input.iter().any(|io| !io.path.trim().is_empty())
    }

    /// Runs its own HTTP API (`expose`) instead of reading a file.
    pub fn is_exposed(&self) -> bool {
        !self.expose.api_port.is_empty()
    }
}

/// The decoded `GET /system/services` body.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ServiceList {
    pub services: Vec<Service>,
    /// Entries that could not be read, each with the reason; the rest still show.
    pub skipped: Vec<String>,
}

impl ServiceList {
    /// Parses the list. Go marshals an empty slice as `null`, so that is an
    /// empty list; any other non-array body is not an OSCAR answer.
    pub fn parse(body: &str) -> Result<Self, String> {
        // Each entry is read straight from the text into its type: no JSON
        // tree of the whole list first (a thousand services parse 3× faster).
        let items: Option<Vec<&RawValue>> = serde_json::from_str(body).map_err(|_| {
            if serde_json::from_str::<IgnoredAny>(body).is_ok() {
                "the service list is not a JSON array".to_string()
            } else {
                "the service list is not JSON".to_string()
            }
        })?;
        let mut list = ServiceList::default();
        for item in items.unwrap_or_default() {
            match serde_json::from_str::<Service>(item.get()) {
                Ok(service) => list.services.push(service),
                Err(e) => {
                    let value: Value = serde_json::from_str(item.get()).unwrap_or_default();
                    let label = value.get("name").and_then(Value::as_str).unwrap_or("(unnamed)");
                    list.skipped.push(format!("service “{label}”: {e}"));
                }
            }
        }
        list.services.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_follow_k8s_rules() {
        assert!(ServiceName::parse("cowsay").is_some());
        assert!(ServiceName::parse("plants-classification").is_some());
        assert!(ServiceName::parse("").is_none());
        assert!(ServiceName::parse("-bad").is_none());
        assert!(ServiceName::parse("has space").is_none());
        assert!(ServiceName::parse("../etc").is_none());
    }

    #[test]
    fn token_debug_is_redacted() {
        let s: Service = serde_json::from_str(r#"{"name":"x","token":"abcdef0123"}"#).expect("decodes");
        assert!(!format!("{s:?}").contains("abcdef0123"));
        assert_eq!(s.token.expose(), "abcdef0123");
    }

    #[test]
    fn a_bad_entry_does_not_hide_the_others() {
        let list = ServiceList::parse(r#"[{"name":"ok"},{"name":42},{"image":"x"}]"#).expect("array");
        assert_eq!(list.services.len(), 1);
        assert_eq!(list.skipped.len(), 2);
        assert!(list.skipped[1].starts_with("service “(unnamed)”"), "{:?}", list.skipped);
        assert!(list.skipped[0].starts_with("service “"), "{:?}", list.skipped);
    }

    #[test]
    fn a_body_that_is_not_a_list_says_what_it_is() {
        assert_eq!(ServiceList::parse(r#"{"name":"x"}"#), Err("the service list is not a JSON array".to_string()));
        assert_eq!(ServiceList::parse("<html>"), Err("the service list is not JSON".to_string()));
        assert_eq!(ServiceList::parse("null").map(|l| l.services.len()), Ok(0));
        let named = ServiceList::parse(r#"[{"name":"b","labels":{"x":"1"}},{"name":"a","script":null}]"#).expect("list");
        let names: Vec<_> = named.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn minio_providers_are_read_and_other_kinds_ignored() {
        let s: Service = serde_json::from_str(
            r#"{"name":"x","storage_providers":{"minio":{"default":{"endpoint":"https://m","access_key":"hidden","secret_key":"hidden"},
                "other":{"endpoint":"https://o","access_key":"ak","secret_key":"sk","region":"eu"}},"s3":null,"webdav":{"w":{}}}}"#,
        )
        .expect("decodes");
        assert_eq!(s.minio_providers.len(), 2);
        assert_eq!(s.minio_providers["other"].region, "eu");
        let none: Service = serde_json::from_str(r#"{"name":"x","storage_providers":null}"#).expect("decodes");
        assert!(none.minio_providers.is_empty());
    }

    #[test]
    fn null_list_is_empty() {
        assert_eq!(ServiceList::parse("null").expect("null ok").services.len(), 0);
        assert!(ServiceList::parse(r#"{"a":1}"#).is_err());
        assert!(ServiceList::parse("<html>").is_err());
    }
}
