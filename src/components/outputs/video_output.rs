use super::{owned_url, DownloadLink, Shown, Unshowable};
use leptos::prelude::*;

/// A video player, with download.
#[component]
pub fn VideoOutput(
    /// The video bytes.
    shown: Shown,
    /// Its MIME type.
    mime: &'static str,
) -> impl IntoView {
    let Some(src) = owned_url(&shown.bytes, mime) else {
        return view! { <Unshowable message="The browser could not prepare this video."/> }.into_any();
    };
    view! {
        <video class="output-video" controls=true preload="metadata" src=src aria-label="Output video"></video>
        <div class="button-row"><DownloadLink shown mime/></div>
    }
    .into_any()
}
