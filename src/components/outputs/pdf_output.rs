use super::{owned_url, DownloadLink, Shown, Unshowable};
use leptos::prelude::*;

/// A PDF: inline in the browser's viewer, or downloaded.
#[component]
pub fn PdfOutput(
    /// The PDF bytes.
    shown: Shown,
) -> impl IntoView {
    let Some(src) = owned_url(&shown.bytes, "application/pdf") else {
        return view! { <Unshowable message="The browser could not prepare this PDF."/> }.into_any();
    };
    view! {
        <div class="button-row">
            <a class="button button--ghost" href=src.clone() target="_blank" rel="noopener">"Open in a new tab"</a>
            <DownloadLink shown mime="application/pdf"/>
        </div>
        <iframe class="output-pdf" src=src title="Output PDF" sandbox=""></iframe>
    }
    .into_any()
}
