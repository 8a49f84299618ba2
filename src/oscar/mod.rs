//! The pure core that knows OSCAR: its JSON shapes, its endpoints, its status
//! codes and quirks (see OSCAR-API.md). Nothing here touches the browser, so
//! all of it is tested natively with `cargo test`.

pub mod auth;
pub mod config;
pub mod decode;
pub mod endpoint;
pub mod error;
pub mod invoke;
pub mod jobs;
pub mod labels;
pub mod lenient;
pub mod s3;
pub mod service;
pub mod sigv4;
pub mod siteconfig;
pub mod storage;
pub mod workflow;
pub mod zip;

pub use auth::{Credentials, Secret};
pub use config::{ClusterConfig, ConfigShape, MinioProvider};
pub use endpoint::Endpoint;
pub use error::ApiError;
pub use service::{Service, ServiceList, ServiceName, ServiceToken};
