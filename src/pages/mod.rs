//! One component per route.

mod embed;
mod jobs;
mod login;
mod not_found;
mod service;
mod services;
mod workflows;

pub use embed::EmbedPage;
pub use jobs::JobsPage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use service::{ApiTab, BatchTab, HistoryTab, ServicePage};
pub use services::ServicesPage;
pub use workflows::{WorkflowPage, WorkflowsPage};
