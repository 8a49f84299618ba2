use super::{DownloadLink, OutputBody, Shown, Unshowable};
use crate::oscar::decode::human_size;
use crate::oscar::zip;
use leptos::prelude::*;
use std::sync::Arc;

/// The largest entry unpacked in the browser (guards against zip bombs).
const ENTRY_LIMIT: usize = 256 * 1024 * 1024;

/// A ZIP's entries; each can be opened inline (through the same decoding)
/// or downloaded.
#[component]
pub fn ZipOutput(
    /// The ZIP bytes.
    shown: Shown,
    /// An id prefix for the nested views.
    #[prop(into)]
    id: String,
    /// How entries show, from the interface spec (first matching rule).
    #[prop(optional)]
    rules: Vec<crate::interface::spec::ZipRule>,
) -> impl IntoView {
    let entries = match zip::list(&shown.bytes) {
        Ok(e) => e,
        Err(e) => return view! { <Unshowable message=format!("This is not a readable ZIP: {e}.")/> }.into_any(),
    };
    let zip_bytes = shown.bytes.clone();
    view! {
        <p class="field__hint">{format!("{} entries in {}", entries.len(), shown.name)}</p>
        <ul class="zip-list">
            {entries.into_iter().filter(|e| !e.is_dir).enumerate().map(|(i, entry)| {
                let opened = RwSignal::new(false);
                let name = entry.name.clone();
                let read = zip::read(&zip_bytes, &entry, ENTRY_LIMIT)
                    .map(|b| Shown { name: entry.file_name().to_string(), bytes: Arc::from(b) })
                    .map_err(|e| e.to_string());
                let nested = format!("{id}-{i}");
                let rule = crate::interface::spec::zip_rule_for(&rules, entry.file_name()).cloned();
                let caption = rule.as_ref().map(|r| r.label.clone()).filter(|l| !l.is_empty());
                let hint = rule.map(|r| crate::interface::spec::OutputSpec::new(r.kind));
                view! {
                    <li class="zip-list__entry">
                        <div class="zip-list__head">
                            {caption.map(|c| view! { <span class="zip-list__caption">{c}</span> })}
                            <span class="zip-list__name mono">{name.clone()}</span>
                            <span class="zip-list__size">{human_size(entry.size)}</span>
                            {match read.clone() {
                                Ok(s) => view! {
                                    <button type="button" class="button button--ghost" aria-expanded=move || opened.get().to_string()
                                        on:click=move |_| opened.update(|o| *o = !*o)>
                                        {move || if opened.get() { "Close" } else { "Open" }}
                                    </button>
                                    <DownloadLink shown=s mime="application/octet-stream"/>
                                }.into_any(),
                                Err(e) => view! { <span class="field__error">{e}</span> }.into_any(),
                            }}
                        </div>
                        {move || (opened.get()).then(|| read.clone().ok().map(|s| view! {
                            <div class="zip-list__view"><OutputBody shown=s id=nested.clone() hint=hint.clone()/></div>
                        }))}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
