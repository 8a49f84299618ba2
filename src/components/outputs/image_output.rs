use super::{owned_url, DownloadLink, Shown, Unshowable};
use leptos::prelude::*;

/// An image viewer: fit to the panel or natural size, and download. SVG is
/// shown through `<img>` from a blob URL, so its scripts never run.
#[component]
pub fn ImageOutput(
    /// The image bytes.
    shown: Shown,
    /// Its MIME type.
    mime: &'static str,
) -> impl IntoView {
    let Some(src) = owned_url(&shown.bytes, mime) else {
        return view! { <Unshowable message="The browser could not prepare this image."/> }.into_any();
    };
    let natural = RwSignal::new(false);
    view! {
        <div class="image-view">
            <div class="button-row">
                <button type="button" class="button button--ghost" aria-pressed=move || natural.get().to_string()
                    on:click=move |_| natural.update(|n| *n = !*n)>
                    {move || if natural.get() { "Fit to panel" } else { "Natural size" }}
                </button>
                <DownloadLink shown=shown.clone() mime/>
            </div>
            <div class="image-view__frame" class:image-view__frame--natural=move || natural.get()>
                <img class="output-image" src=src alt=format!("Output image {}", shown.name)/>
            </div>
        </div>
    }
    .into_any()
}
