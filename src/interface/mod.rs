//! The interface model: what the app offers for a service, decided by pure
//! functions from the service definition and the cluster's configuration.
//! It decides how a service can be invoked, its input component, and how
//! an output is shown; declared interfaces will layer on top of this.

pub mod asyncplan;
pub mod batch;
pub mod blob;
pub mod examples;
pub mod history;
pub mod inputs;
pub mod listing;
pub mod outputs;
pub mod payload;
pub mod share;
pub mod snippets;
pub mod spec;
pub mod table;
pub mod values;

pub use asyncplan::AsyncPlan;
pub use inputs::{choose_input, InputChoice, InputKind};
pub use listing::{Modes, ServiceCard, ServiceIndex};
pub use outputs::{default_view, OutputView};
pub use blob::BlobRef;
pub use outputs::Shown;
pub use payload::Payload;
pub use values::{FileValue, InputValue};
