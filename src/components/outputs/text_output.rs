use leptos::prelude::*;
use std::sync::Arc;

/// Text in monospace, with ASCII art and whitespace preserved.
#[component]
pub fn TextOutput(
    /// The bytes, shown as UTF-8 (invalid sequences replaced).
    bytes: Arc<[u8]>,
) -> impl IntoView {
    let text = String::from_utf8_lossy(&bytes).into_owned();
    view! { <pre class="output-text" tabindex="0" aria-label="Output text">{text}</pre> }
}
