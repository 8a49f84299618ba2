//! How a service is run asynchronously (OSCAR-API.md §8): which buckets, and
//! which storage endpoint and keys, if any, the browser may sign with.

use crate::oscar::sigv4::S3Credentials;
use crate::oscar::storage::{split_storage_path, usable_keys};
use crate::oscar::{ClusterConfig, MinioProvider, Service};

/// Direct access to the storage (for SigV4 presigning in the browser).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageAccess {
    pub endpoint: String,
    pub credentials: S3Credentials,
}

/// Everything an async run needs to know before it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsyncPlan {
    pub input_bucket: String,
    pub input_prefix: String,
    /// `None` when the service writes no output to storage.
    pub output: Option<(String, String)>,
    /// The storage endpoint, for messages (may be unknown).
    pub endpoint: String,
    /// Keys to sign with; `None` means only OSCAR's presign endpoint works.
    pub access: Option<StorageAccess>,
}

impl AsyncPlan {
    /// The plan for a service with an input bucket on a MinIO provider.
    pub fn for_service(service: &Service, config: &ClusterConfig) -> Option<Self> {
        let input = service.input.iter().find(|io| !io.path.trim().is_empty())?;
        let name = service.name.as_str();
        let (input_bucket, input_prefix) = split_storage_path(&input.path, name);
        let output = service
            .output
            .iter()
            .find(|io| !io.path.trim().is_empty())
            .map(|io| split_storage_path(&io.path, name));
        // "minio" is "minio.default" (§5).
        let (kind, id) = input.storage_provider.split_once('.').unwrap_or((input.storage_provider.as_str(), "default"));
        if !kind.is_empty() && kind != "minio" {
            return None;
        }
        let own = service.minio_providers.get(id);
        let cluster = config.minio.as_ref();
        let with_keys = |p: &MinioProvider| usable_keys(p.access_key.expose(), p.secret_key.expose());
        let provider = own.filter(|p| with_keys(p)).or(if id == "default" { cluster.filter(|p| with_keys(p)) } else { None });
        let endpoint = provider.or(own).or(cluster).map(|p| p.endpoint.clone()).unwrap_or_default();
        let access = provider.map(|p| StorageAccess {
            endpoint: p.endpoint.clone(),
            credentials: S3Credentials {
                access_key: p.access_key.expose().to_string(),
                secret_key: p.secret_key.expose().to_string(),
                region: p.region.clone(),
            },
        });
        Some(Self { input_bucket, input_prefix, output, endpoint, access })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(minio: &str) -> ClusterConfig {
        ClusterConfig::parse(&format!(r#"{{"config":{{"name":"c"}},"minio_provider":{minio}}}"#)).expect("config")
    }

    fn service(json: &str) -> Service {
        Service::from_value(serde_json::from_str(json).expect("json")).expect("service")
    }

    const GRAYIFY: &str = r#"{"name":"grayify","input":[{"storage_provider":"minio.default","path":"grayify/in"}],
        "output":[{"storage_provider":"minio.default","path":"grayify/out"}],
        "storage_providers":{"minio":{"default":{"endpoint":"http://127.0.0.1:9000","access_key":"hidden","secret_key":"hidden"}}}}"#;

    #[test]
    fn hidden_service_keys_fall_back_to_the_cluster_keys() {
        let plan = AsyncPlan::for_service(
            &service(GRAYIFY),
            &config(r#"{"endpoint":"http://127.0.0.1:9000","access_key":"ak","secret_key":"sk","region":"us-east-1"}"#),
        )
        .expect("plan");
        assert_eq!((plan.input_bucket.as_str(), plan.input_prefix.as_str()), ("grayify", "in"));
        assert_eq!(plan.output, Some(("grayify".into(), "out".into())));
        assert_eq!(plan.access.map(|a| a.credentials.access_key), Some("ak".into()));
    }

    #[test]
    fn without_usable_keys_only_the_presign_endpoint_remains() {
        let plan = AsyncPlan::for_service(&service(GRAYIFY), &config("null")).expect("plan");
        assert!(plan.access.is_none());
        assert_eq!(plan.endpoint, "http://127.0.0.1:9000");
    }

    #[test]
    fn sync_only_and_non_minio_services_have_no_plan() {
        assert!(AsyncPlan::for_service(&service(r#"{"name":"cowsay","input":null}"#), &config("null")).is_none());
        let webdav = r#"{"name":"w","input":[{"storage_provider":"webdav.x","path":"w/in"}]}"#;
        assert!(AsyncPlan::for_service(&service(webdav), &config("null")).is_none());
    }

    #[test]
    fn a_path_without_bucket_uses_the_service_name() {
        let s = service(r#"{"name":"svc","input":[{"storage_provider":"minio","path":"in"}]}"#);
        let plan = AsyncPlan::for_service(&s, &config("null")).expect("plan");
        assert_eq!((plan.input_bucket.as_str(), plan.input_prefix.as_str()), ("svc", "in"));
        assert!(plan.output.is_none());
    }
}
