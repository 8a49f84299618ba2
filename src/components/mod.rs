//! Reusable view pieces, one component per file.

mod alert;
pub mod api_snippets;
mod app_header;
pub mod batch_panel;
mod guard;
pub mod history_panel;
pub mod inputs;
mod interface_editor;
mod login_form;
pub mod outputs;
mod relogin;
mod service_card;
pub mod run_output;
pub mod spec_form;
pub mod tabs;
pub mod workflow_drawing;

pub use alert::{ApiErrorAlert, ErrorAlert};
pub use app_header::AppHeader;
pub use guard::Guard;
pub use interface_editor::InterfaceEditor;
pub use login_form::LoginForm;
pub use relogin::{provide_relogin, use_relogin, ReloginDialog};
pub use service_card::ServiceCardView;
