use super::{owned_url, DownloadLink, Shown, Unshowable};
use leptos::prelude::*;

/// A PDF: opened in a new tab, downloaded, or shown inline on request. Inline
/// display is a click away because a strict CSP (no `frame-src blob:`)
/// forbids it; the page then still offers the other two.
#[component]
pub fn PdfOutput(
    /// The PDF bytes.
    shown: Shown,
) -> impl IntoView {
    let Some(src) = owned_url(&shown.bytes, "application/pdf") else {
        return view! { <Unshowable message="The browser could not prepare this PDF."/> }.into_any();
    };
    let inline = RwSignal::new(false);
    let frame_src = src.clone();
    view! {
        <div class="button-row">
            <a class="button button--ghost" href=src target="_blank" rel="noopener">"Open in a new tab"</a>
            <DownloadLink shown mime="application/pdf"/>
            <button type="button" class="button button--ghost" aria-pressed=move || inline.get().to_string()
                on:click=move |_| inline.update(|i| *i = !*i)>
                {move || if inline.get() { "Hide" } else { "Show inline" }}
            </button>
        </div>
        {move || inline.get().then(|| view! { <iframe class="output-pdf" src=frame_src.clone() title="Output PDF"></iframe> })}
    }
    .into_any()
}
