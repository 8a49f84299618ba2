//! OSCAR Visor: a Gradio-style page for every service of an OSCAR cluster.
//!
//! `oscar` and `interface` are the pure core (native tests); `net` and
//! `session` are the only doors to the network and to storage; components
//! and pages only wire signals to the core.

pub mod interface;
pub mod oscar;
pub mod routes;
pub mod session;

#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub mod fuzzing;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod context;
#[cfg(target_arch = "wasm32")]
pub mod lazy;
#[cfg(target_arch = "wasm32")]
pub mod net;
#[cfg(target_arch = "wasm32")]
pub mod pages;
#[cfg(target_arch = "wasm32")]
pub mod run;

/// The size of the app's wasm memory in bytes, for the benchmarks' memory
/// figures (`window.wasmBindings.wasm_memory_bytes()`).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    use wasm_bindgen::JsCast;
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64
}
