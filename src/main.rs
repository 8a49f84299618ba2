//! Mounts the app. Native builds have nothing to run: the core is a library.

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(oscar_visor::app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("OSCAR Visor is a web app: build it with `trunk build` (see README.md).");
}
