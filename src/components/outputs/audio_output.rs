use super::{owned_url, DownloadLink, Shown, Unshowable};
use leptos::prelude::*;

/// An audio player, with download.
#[component]
pub fn AudioOutput(
    /// The audio bytes.
    shown: Shown,
    /// Its MIME type.
    mime: &'static str,
) -> impl IntoView {
    let Some(src) = owned_url(&shown.bytes, mime) else {
        return view! { <Unshowable message="The browser could not prepare this audio."/> }.into_any();
    };
    view! {
        <audio class="output-audio" controls=true preload="metadata" src=src aria-label="Output audio"></audio>
        <div class="button-row"><DownloadLink shown mime/></div>
    }
    .into_any()
}
