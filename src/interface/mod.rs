//! The interface model: what the app offers for a service, decided by pure
//! functions from the service definition and the cluster's configuration.
//! This issue covers how a service can be invoked and the list model; the
//! input/output component mapping grows here in later issues.

pub mod listing;

pub use listing::{Modes, ServiceCard, ServiceIndex};
