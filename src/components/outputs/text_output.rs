use crate::interface::outputs::{text_head, TEXT_ALL_CAP, TEXT_SHOWN_CAP};
use crate::oscar::decode::human_size;
use leptos::prelude::*;
use std::sync::Arc;

/// Text in monospace, with ASCII art and whitespace preserved. A big output
/// shows its first `TEXT_SHOWN_CAP` bytes and says so, with "Show all" up to
/// `TEXT_ALL_CAP`; the rest only through "Render as" → Download.
#[component]
pub fn TextOutput(
    /// The bytes, shown as UTF-8 (invalid sequences replaced).
    bytes: Arc<[u8]>,
) -> impl IntoView {
    let all = RwSignal::new(false);
    let total = bytes.len();
    let cap = move || if all.get() { TEXT_ALL_CAP } else { TEXT_SHOWN_CAP };
    let text = move || String::from_utf8_lossy(text_head(&bytes, cap()).0).into_owned();
    let note = move || {
        let shown = cap();
        (total > shown).then(|| {
            let more = (!all.get() && total <= TEXT_ALL_CAP).then(|| {
                view! { <button type="button" class="button button--ghost" on:click=move |_| all.set(true)>"Show all"</button> }
            });
            let rest = if total <= TEXT_ALL_CAP { "" } else { " Download it for the rest." };
            view! {
                <p class="notice" role="status">
                    {format!("Showing the first {} of {}.{rest} ", human_size(shown as u64), human_size(total as u64))}
                    {more}
                </p>
            }
        })
    };
    view! {
        {note}
        <pre class="output-text" tabindex="0" aria-label="Output text">{text}</pre>
    }
}
