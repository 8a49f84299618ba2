//! The OSCAR service definition as the server serializes it (OSCAR-API.md §5, v4.1.2 key order).
//!
//! Written from the contract, not shared with the app, so the stand-in can catch the app's
//! misreadings. Fields the real server may send as `null` are `Option`s serialized as `null`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

pub(crate) type StrMap = BTreeMap<String, String>;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Service {
    pub name: String,
    pub cluster_id: String,
    pub memory: String,
    pub cpu: String,
    pub total_memory: String,
    pub total_cpu: String,
    pub ephemeral_storage_request: String,
    pub enable_gpu: bool,
    pub enable_sgx: bool,
    pub image_prefetch: bool,
    pub synchronous: Synchronous,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub federation: Option<Value>,
    pub log_level: String,
    pub image: String,
    pub alpine: bool,
    pub token: String,
    pub file_stage_in: bool,
    pub input: Option<Vec<StorageIo>>,
    pub output: Option<Vec<StorageIo>>,
    pub script: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_pull_secrets: Option<Vec<String>>,
    pub expose: Expose,
    pub environment: Environment,
    pub annotations: Option<StrMap>,
    pub vo: String,
    pub labels: Option<StrMap>,
    pub storage_providers: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Value>,
    pub owner: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub interlink_node_name: String,
    pub visibility: String,
    pub allowed_users: Option<Vec<String>>,
    pub isolation_level: String,
    pub bucket_list: Option<Vec<String>>,
    pub mount: Mount,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<Value>,
    pub volume_status: VolumeStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kserve: Option<Value>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Synchronous {
    pub min_scale: i64,
    pub max_scale: i64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct StorageIo {
    pub storage_provider: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffix: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<Vec<String>>,
}

/// `expose.api_port` / `nodePort` were ints before v4.1 and are arrays since (§5, §12):
/// accept both on input, always answer the v4.1 array shape.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Expose {
    pub min_scale: i64,
    pub max_scale: i64,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "ports")]
    pub api_port: Option<Vec<i64>>,
    pub cpu_threshold: i64,
    pub rewrite_target: bool,
    #[serde(
        rename = "nodePort",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "ports"
    )]
    pub node_port: Option<Vec<i64>>,
    pub default_command: bool,
    pub set_auth: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub auth_type: String,
    pub health_path: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub probe_mode: String,
}

fn ports<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<i64>>, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Ok(None),
            Some(p) => Ok(Some(vec![p])),
            None => Err(D::Error::custom("port must be an integer")),
        },
        Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_i64()
                    .ok_or_else(|| D::Error::custom("port must be an integer"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        _ => Err(D::Error::custom(
            "cannot unmarshal into Go struct field Expose.expose.api_port of type []int",
        )),
    }
}

/// v2 used `Variables`; Go's JSON decoder is case-insensitive, so both spellings are accepted.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Environment {
    #[serde(alias = "Variables")]
    pub variables: Option<StrMap>,
    #[serde(alias = "Secrets")]
    pub secrets: Option<StrMap>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Mount {
    pub storage_provider: String,
    pub path: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct VolumeStatus {
    pub enabled: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub phase: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub error: String,
}

impl Service {
    pub fn env(&self, key: &str) -> Option<&str> {
        self.environment
            .variables
            .as_ref()
            .and_then(|v| v.get(key))
            .map(String::as_str)
    }
}

/// A Kubernetes-compatible service name: lowercase alphanumerics and '-', alphanumeric at both ends,
/// at most 39 characters (OSCAR's own limit, §5).
pub(crate) fn valid_service_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 39
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.first().is_some_and(|c| *c != b'-')
        && b.last().is_some_and(|c| *c != b'-')
}

/// Go treats `null` for a non-pointer field as "leave the zero value": drop nulls before decoding.
fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, x| !x.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

fn required(field: &str) -> String {
    format!(
        "Key: 'Service.{field}' Error:Field validation for '{field}' failed on the 'required' tag"
    )
}

/// Decode and validate a service definition like `POST`/`PUT /system/services` do.
/// The error is the part after `The service specification is not valid: `.
pub(crate) fn parse_service(body: &[u8]) -> Result<Service, String> {
    let mut v: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if !v.is_object() {
        return Err("json: cannot unmarshal non-object into Go value of type types.Service".into());
    }
    strip_nulls(&mut v);
    let mut svc: Service = serde_json::from_value(v).map_err(|e| e.to_string())?;
    let mut missing = Vec::new();
    if svc.name.is_empty() {
        missing.push(required("Name"));
    }
    if svc.image.is_empty() {
        missing.push(required("Image"));
    }
    if svc.script.is_empty() {
        missing.push(required("Script"));
    }
    if !missing.is_empty() {
        return Err(missing.join("\n"));
    }
    if !valid_service_name(&svc.name) {
        return Err(format!(
            "invalid service name \"{}\": must be a valid Kubernetes label value of at most 39 lowercase alphanumeric characters or '-'",
            svc.name
        ));
    }
    svc.log_level = svc.log_level.to_uppercase();
    if svc.log_level.is_empty() {
        svc.log_level = "INFO".into();
    }
    if !["NOTSET", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
        .contains(&svc.log_level.as_str())
    {
        return Err(format!("invalid log_level \"{}\"", svc.log_level));
    }
    if svc.visibility.is_empty() {
        svc.visibility = "private".into();
    }
    if !["private", "public", "restricted"].contains(&svc.visibility.as_str()) {
        return Err(format!(
            "invalid visibility \"{}\": must be private, public or restricted",
            svc.visibility
        ));
    }
    let name = svc.name.clone();
    for io in svc.input.iter_mut().chain(svc.output.iter_mut()).flatten() {
        if io.path.trim_matches('/').is_empty() {
            return Err("storage path cannot be empty".into());
        }
        if io.storage_provider.is_empty() {
            io.storage_provider = "minio.default".into();
        }
        // §5: a path without '/' becomes "<service>/<path>".
        let trimmed = io.path.trim_matches('/').to_string();
        io.path = if trimmed.contains('/') {
            trimmed
        } else {
            format!("{name}/{trimmed}")
        };
    }
    Ok(svc)
}
