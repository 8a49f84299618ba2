//! OSCAR Visor: a Gradio-style page for every service of an OSCAR cluster.
//!
//! `oscar` and `interface` are the pure core (native tests); `net` and
//! `session` are the only doors to the network and to storage; components
//! and pages only wire signals to the core.

pub mod interface;
pub mod oscar;
pub mod routes;
pub mod session;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod net;
#[cfg(target_arch = "wasm32")]
pub mod pages;
