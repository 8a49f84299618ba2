//! `GET /system/config` (OSCAR-API.md §6): flat in v2, `{config, minio_provider}`
//! since v3, plus `allowed_image_repositories` since v4. Unknown fields and
//! `null`s are tolerated; a body of another shape means "this is not OSCAR".

use super::lenient::{null_default, stringish};
use super::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Which generation of the config response the cluster sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfigShape {
    V2,
    V3,
    V4,
}

/// The MinIO that backs the cluster's buckets. With Basic auth these are the
/// root keys, so they are a secret like the password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MinioProvider {
    #[serde(default, deserialize_with = "stringish")]
    pub endpoint: String,
    #[serde(default, deserialize_with = "null_default")]
    pub verify: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub access_key: Secret,
    #[serde(default, deserialize_with = "null_default")]
    pub secret_key: Secret,
    #[serde(default, deserialize_with = "stringish")]
    pub region: String,
}

/// What the app needs to know about a cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterConfig {
    pub shape: ConfigShape,
    pub name: String,
    pub namespace: String,
    pub services_namespace: String,
    /// `knative` (or another backend) when the cluster can run `/run`; empty
    /// when there is no serverless backend, and `/run` is then not routed.
    pub serverless_backend: String,
    pub gpu_available: bool,
    pub kueue_enable: bool,
    pub volume_enable: bool,
    pub oidc_groups: Vec<String>,
    pub minio: Option<MinioProvider>,
    pub allowed_image_repositories: Vec<String>,
}

/// The fields of the inner `config` object (v3+) or the flat body (v2).
#[derive(Deserialize, Default)]
struct Fields {
    #[serde(default, deserialize_with = "stringish")]
    name: String,
    #[serde(default, deserialize_with = "stringish")]
    namespace: String,
    #[serde(default, deserialize_with = "stringish")]
    services_namespace: String,
    #[serde(default, deserialize_with = "stringish")]
    serverless_backend: String,
    #[serde(default, deserialize_with = "null_default")]
    gpu_available: bool,
    #[serde(default, deserialize_with = "null_default")]
    kueue_enable: bool,
    #[serde(default, deserialize_with = "null_default")]
    volume_enable: bool,
    #[serde(default, deserialize_with = "null_default")]
    oidc_groups: Vec<Option<String>>,
    #[serde(default)]
    minio_provider: Option<MinioProvider>,
}

/// Keys only an OSCAR config has; one of them must be present.
const OSCAR_KEYS: [&str; 4] = ["services_namespace", "serverless_backend", "minio_provider", "namespace"];

impl ClusterConfig {
    /// Parses the body of `GET /system/config`. The error says, in a few
    /// words, why the body is not an OSCAR config.
    pub fn parse(body: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(body).map_err(|_| describe_non_json(body))?;
        let Value::Object(top) = value else {
            return Err("it sent JSON, but not an object".into());
        };
        let (shape, inner) = match top.get("config") {
            Some(Value::Object(inner)) => {
                let shape = if top.contains_key("allowed_image_repositories") { ConfigShape::V4 } else { ConfigShape::V3 };
                (shape, inner.clone())
            }
            _ if OSCAR_KEYS.iter().any(|k| top.contains_key(*k)) => (ConfigShape::V2, top.clone()),
            _ => return Err("it sent JSON without the fields of an OSCAR configuration".into()),
        };
        let fields: Fields = serde_json::from_value(Value::Object(inner))
            .map_err(|e| format!("its configuration has an unexpected field type ({e})"))?;
        let minio = match shape {
            ConfigShape::V2 => fields.minio_provider,
            _ => provider_at(&top)?,
        };
        let allowed_image_repositories = match top.get("allowed_image_repositories") {
            Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
            _ => Vec::new(),
        };
        Ok(Self {
            shape,
            name: fields.name,
            namespace: fields.namespace,
            services_namespace: fields.services_namespace,
            serverless_backend: fields.serverless_backend,
            gpu_available: fields.gpu_available,
            kueue_enable: fields.kueue_enable,
            volume_enable: fields.volume_enable,
            oidc_groups: fields.oidc_groups.into_iter().flatten().filter(|g| !g.is_empty()).collect(),
            minio,
            allowed_image_repositories,
        })
    }

    /// Whether `POST /run` exists on this cluster (it needs a serverless backend).
    pub fn supports_sync(&self) -> bool {
        !self.serverless_backend.is_empty()
    }

    /// The name to show for the cluster.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() { "OSCAR cluster" } else { &self.name }
    }
}

fn provider_at(top: &Map<String, Value>) -> Result<Option<MinioProvider>, String> {
    match top.get("minio_provider") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| format!("its MinIO settings have an unexpected shape ({e})")),
    }
}

fn describe_non_json(body: &str) -> String {
    let head = body.trim_start().get(..200).unwrap_or(body.trim_start()).to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<head") {
        "it sent a web page (HTML) instead of JSON".into()
    } else if head.is_empty() {
        "it sent an empty answer".into()
    } else {
        "it sent something that is not JSON".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V4: &str = r#"{
      "config": {"name": "oscar", "namespace": "oscar", "services_namespace": "oscar-svc",
                 "controller_service_account": "oscar-sa", "gpu_available": false, "interLink_available": false,
                 "serverless_backend": "knative", "yunikorn_enable": false, "kueue_enable": true,
                 "volume_enable": true, "oidc_groups": [""], "minio_quota_enabled": false},
      "minio_provider": {"endpoint": "https://minio.oscar.example.org", "verify": true,
                         "access_key": "minio", "secret_key": "minio123", "region": "us-east-1"},
      "allowed_image_repositories": []
    }"#;

    #[test]
    fn parses_v4_shape() {
        let c = ClusterConfig::parse(V4).expect("v4 parses");
        assert_eq!(c.shape, ConfigShape::V4);
        assert_eq!(c.services_namespace, "oscar-svc");
        assert!(c.supports_sync());
        assert!(c.kueue_enable && c.volume_enable);
        assert!(c.oidc_groups.is_empty(), "[\"\"] means no OIDC groups");
        let m = c.minio.expect("minio provider");
        assert_eq!(m.endpoint, "https://minio.oscar.example.org");
        assert_eq!(m.secret_key.expose(), "minio123");
    }

    #[test]
    fn parses_v3_shape_without_serverless_backend() {
        let body = r#"{"config":{"name":"oscar","namespace":"oscar","services_namespace":"oscar-svc",
            "gpu_available":true,"yunikorn_enable":false,"oidc_groups":null},
            "minio_provider":{"endpoint":"http://minio:9000","verify":false,"access_key":"a","secret_key":"b","region":null}}"#;
        let c = ClusterConfig::parse(body).expect("v3 parses");
        assert_eq!(c.shape, ConfigShape::V3);
        assert!(!c.supports_sync());
        assert!(c.gpu_available);
        assert_eq!(c.minio.map(|m| m.region), Some(String::new()));
    }

    #[test]
    fn parses_v2_flat_shape() {
        let body = r#"{"minio_provider":{"endpoint":"https://minio.example","verify":true,"access_key":"minio",
            "secret_key":"secret","region":"us-east-1"},"name":"oscar","namespace":"oscar",
            "services_namespace":"oscar-svc","gpu_available":false,"serverless_backend":"openfaas","yunikorn_enable":false}"#;
        let c = ClusterConfig::parse(body).expect("v2 parses");
        assert_eq!(c.shape, ConfigShape::V2);
        assert_eq!(c.serverless_backend, "openfaas");
        assert_eq!(c.minio.map(|m| m.access_key.expose().to_string()), Some("minio".into()));
    }

    #[test]
    fn tolerates_nulls_and_unknown_fields() {
        let body = r#"{"config":{"name":null,"namespace":"oscar","future_flag":{"x":1},"serverless_backend":null},
            "minio_provider":null,"allowed_image_repositories":null,"brand_new":[1,2]}"#;
        let c = ClusterConfig::parse(body).expect("nulls tolerated");
        assert_eq!(c.shape, ConfigShape::V4);
        assert_eq!(c.display_name(), "OSCAR cluster");
        assert!(c.minio.is_none());
    }

    #[test]
    fn rejects_bodies_that_are_not_oscar() {
        for (body, why) in [
            ("<!DOCTYPE html><html><head><title>x</title></head></html>", "HTML"),
            ("", "empty"),
            ("Ok", "not JSON"),
            ("[1,2,3]", "not an object"),
            (r#"{"status":"ok","message":"hello"}"#, "without the fields"),
            (r#"{"config":"nope"}"#, "without the fields"),
            (r#"{"config":{"gpu_available":"yes"}}"#, "unexpected field type"),
        ] {
            let err = ClusterConfig::parse(body).expect_err(body);
            assert!(err.contains(why), "{body:?} -> {err:?}");
        }
    }

    #[test]
    fn debug_output_hides_minio_keys() {
        let c = ClusterConfig::parse(V4).expect("v4 parses");
        let shown = format!("{c:?}");
        assert!(!shown.contains("minio123"));
    }
}
