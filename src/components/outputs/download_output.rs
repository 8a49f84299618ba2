use super::{DownloadLink, Shown};
use crate::oscar::decode::human_size;
use leptos::prelude::*;

/// A file to download: its name, size and type.
#[component]
pub fn DownloadOutput(
    /// The bytes.
    shown: Shown,
    /// Their MIME type.
    mime: &'static str,
) -> impl IntoView {
    view! {
        <dl class="facts-row facts-row--file">
            <div><dt>"Name"</dt><dd>{shown.name.clone()}</dd></div>
            <div><dt>"Size"</dt><dd>{human_size(shown.bytes.len() as u64)}</dd></div>
            <div><dt>"Type"</dt><dd>{mime}</dd></div>
        </dl>
        <div class="button-row"><DownloadLink shown mime/></div>
    }
}
