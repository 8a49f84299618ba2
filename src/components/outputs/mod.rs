//! Output components, one file per kind. `OutputBody` holds the ONE match
//! from `OutputView` to its component, and the "Render as" menu.

mod audio_output;
mod download_output;
mod image_output;
mod json_output;
mod label_output;
mod pdf_output;
mod table_output;
mod text_output;
mod video_output;
mod zip_output;

use crate::interface::spec::OutputSpec;
use crate::interface::{default_view, OutputView};
use crate::oscar::decode::sniff;
use audio_output::AudioOutput;
use download_output::DownloadOutput;
use image_output::ImageOutput;
use json_output::JsonOutput;
use label_output::LabelOutput;
use leptos::prelude::*;
use pdf_output::PdfOutput;
use table_output::TableOutput;
use text_output::TextOutput;
use video_output::VideoOutput;
use zip_output::ZipOutput;

pub use crate::interface::Shown;

/// Shows bytes as what they are, with a "Render as" menu to override.
#[component]
pub fn OutputBody(
    /// What to show.
    shown: Shown,
    /// A prefix for element ids, unique per nesting level.
    #[prop(into)]
    id: String,
    /// What the interface spec says about this output, if anything.
    #[prop(default = None)]
    hint: Option<OutputSpec>,
) -> impl IntoView {
    let kind = sniff(&shown.bytes);
    let detected = hint.as_ref().and_then(|h| h.kind.view()).unwrap_or_else(|| default_view(kind, &shown.bytes));
    let pointer = hint.as_ref().and_then(|h| h.pointer.clone());
    let labels_at = hint.as_ref().and_then(|h| h.labels.clone());
    let rules = hint.as_ref().map(|h| h.entries.clone()).unwrap_or_default();
    let view_as = RwSignal::new(detected);
    let select_id = format!("{id}-render-as");
    let shown = StoredValue::new(shown);
    let mime = kind.mime();
    view! {
        <div class="output-body">
            <div class="output-body__bar">
                <span class="output-body__kind">{format!("Detected: {}", kind.label())}</span>
                <label class="output-body__render" for=select_id.clone()>"Render as"</label>
                <select id=select_id class="field__input field__input--select"
                    on:change:target=move |e| {
                        if let Some(v) = OutputView::from_id(&e.target().value()) { view_as.set(v); }
                    }>
                    {OutputView::ALL.into_iter().map(|v| view! {
                        <option value=v.id() selected=v == detected>{v.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            {move || {
                let s = shown.get_value();
                let nested = format!("{id}-zip");
                match view_as.get() {
                    OutputView::Text => view! { <TextOutput bytes=s.bytes/> }.into_any(),
                    OutputView::Label => view! { <LabelOutput bytes=s.bytes at=labels_at.clone()/> }.into_any(),
                    OutputView::Image => view! { <ImageOutput shown=s mime/> }.into_any(),
                    OutputView::Json => view! { <JsonOutput bytes=s.bytes pointer=pointer.clone()/> }.into_any(),
                    OutputView::Table => view! { <TableOutput bytes=s.bytes/> }.into_any(),
                    OutputView::Audio => view! { <AudioOutput shown=s mime/> }.into_any(),
                    OutputView::Video => view! { <VideoOutput shown=s mime/> }.into_any(),
                    OutputView::Pdf => view! { <PdfOutput shown=s/> }.into_any(),
                    OutputView::Zip => view! { <ZipOutput shown=s id=nested rules=rules.clone()/> }.into_any(),
                    OutputView::Download => view! { <DownloadOutput shown=s mime/> }.into_any(),
                }
            }}
        </div>
    }
}

/// A short note when bytes cannot be shown the chosen way.
#[component]
fn Unshowable(
    /// What went wrong, in plain words.
    #[prop(into)]
    message: String,
) -> impl IntoView {
    view! { <p class="notice" role="status">{message}" Try another “Render as”, or download it."</p> }
}

/// A download link for bytes.
#[component]
fn DownloadLink(
    /// What to download.
    shown: Shown,
    /// Its MIME type.
    mime: &'static str,
) -> impl IntoView {
    owned_url(&shown.bytes, mime).map(|href| {
        view! { <a class="button button--ghost" href=href download=shown.name.clone()>{format!("Download {}", shown.name)}</a> }
    })
}

/// An object URL for bytes that lives as long as the current component:
/// the reactive owner holds it and revokes it on cleanup.
fn owned_url(bytes: &[u8], mime: &str) -> Option<String> {
    let url = crate::browser::ObjectUrl::new(bytes, mime)?;
    let href = url.as_str().to_string();
    StoredValue::new(url);
    Some(href)
}
