use super::{DownloadLink, OutputBody, Shown, Unshowable};
use crate::oscar::decode::human_size;
use crate::oscar::zip::{self, ZipEntry};
use leptos::prelude::*;
use std::sync::Arc;

/// A ZIP's entries, listed without unpacking any. An entry is inflated only
/// when it is opened or downloaded, within `zip::ENTRY_CAP` and
/// `zip::RATIO_CAP`; opening one past `zip::KEPT_CAP` of open entries closes
/// the oldest (`zip::admit`). Archives built to multiply one stream
/// (overlapping entries) are refused while listing. The raw ZIP can always
/// be downloaded.
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
        Err(e) => {
            return view! {
                <Unshowable message=format!("This is not a readable ZIP: {e}.")/>
                <DownloadLink shown=shown.clone() mime="application/zip"/>
            }
            .into_any()
        }
    };
    let open = RwSignal::new(Vec::<(usize, u64)>::new());
    let count = entries.len();
    let zip_bytes = shown.bytes.clone();
    view! {
        <div class="zip-head">
            <p class="field__hint">{format!("{count} entries in {}", shown.name)}</p>
            <DownloadLink shown=shown.clone() mime="application/zip"/>
        </div>
        <ul class="zip-list">
            {entries.into_iter().filter(|e| !e.is_dir).enumerate().map(|(i, entry)| {
                let rule = crate::interface::spec::zip_rule_for(&rules, entry.file_name()).cloned();
                view! { <ZipEntryRow entry i zip=zip_bytes.clone() open rule nested=format!("{id}-{i}")/> }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Inflates one entry (bounded by the caps), as something to show.
fn unpack(zip_bytes: &[u8], entry: &ZipEntry) -> Result<Shown, String> {
    zip::read(zip_bytes, entry, zip::ENTRY_CAP)
        .map(|b| Shown { name: entry.file_name().to_string(), bytes: Arc::from(b) })
        .map_err(|e| format!("“{}” cannot be unpacked here: {e}. Download the whole ZIP to open it on your computer.", entry.file_name()))
}

/// One entry: its name and size, "Open" (inline, through the same decoding)
/// and "Download"; an entry that breaks a cap says which, in its place.
#[component]
fn ZipEntryRow(
    entry: ZipEntry,
    i: usize,
    zip: Arc<[u8]>,
    open: RwSignal<Vec<(usize, u64)>>,
    rule: Option<crate::interface::spec::ZipRule>,
    nested: String,
) -> impl IntoView {
    let caption = rule.as_ref().map(|r| r.label.clone()).filter(|l| !l.is_empty());
    let hint = rule.map(|r| crate::interface::spec::OutputSpec::new(r.kind));
    let failed = RwSignal::new(None::<String>);
    let entry = StoredValue::new(entry);
    let zip = StoredValue::new(zip);
    let name = entry.with_value(|e| e.name.clone());
    let size = entry.with_value(|e| human_size(e.size));
    let declared = entry.with_value(|e| e.size);
    // A memo: opening another entry must not re-inflate this one.
    let is_open = Memo::new(move |_| open.with(|o| o.iter().any(|(j, _)| *j == i)));
    let download = move |_| match zip.with_value(|z| entry.with_value(|e| unpack(z, e))) {
        Ok(s) => crate::browser::download(&s.bytes, "application/octet-stream", &s.name),
        Err(why) => failed.set(Some(why)),
    };
    view! {
        <li class="zip-list__entry">
            <div class="zip-list__head">
                {caption.map(|c| view! { <span class="zip-list__caption">{c}</span> })}
                <span class="zip-list__name mono">{name}</span>
                <span class="zip-list__size">{size}</span>
                <button type="button" class="button button--ghost" aria-expanded=move || is_open.get().to_string()
                    on:click=move |_| open.update(|o| {
                        *o = if is_open.get_untracked() {
                            o.iter().copied().filter(|(j, _)| *j != i).collect()
                        } else {
                            zip::admit(o, (i, declared))
                        }
                    })>
                    {move || if is_open.get() { "Close" } else { "Open" }}
                </button>
                <button type="button" class="button button--ghost" on:click=download>"Download"</button>
            </div>
            {move || failed.get().map(|why| view! { <p class="field__error" role="alert">{why}</p> })}
            {move || is_open.get().then(|| match zip.with_value(|z| entry.with_value(|e| unpack(z, e))) {
                Ok(s) => view! { <div class="zip-list__view"><OutputBody shown=s id=nested.clone() hint=hint.clone()/></div> }.into_any(),
                Err(why) => view! { <p class="field__error" role="alert">{why}</p> }.into_any(),
            })}
        </li>
    }
}
