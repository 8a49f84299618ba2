use super::Unshowable;
use crate::interface::outputs::{LABELS_ALL_CAP, LABELS_SHOWN};
use crate::oscar::labels::parse_labels;
use leptos::prelude::*;
use std::sync::Arc;

/// A classification: the top class, then the first `LABELS_SHOWN` classes
/// with confidence bars, and "Show all" for the rest (up to `LABELS_ALL_CAP`).
#[component]
pub fn LabelOutput(
    /// JSON (or a Python dict) in one of the known classification shapes.
    bytes: Arc<[u8]>,
    /// Where the labels and scores are, when the interface spec says.
    #[prop(default = None)]
    at: Option<crate::interface::spec::LabelsAt>,
) -> impl IntoView {
    let declared = at.as_ref().and_then(|at| {
        let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        crate::interface::spec::labels_at(&value, at)
    });
    let labels = declared.or_else(|| std::str::from_utf8(&bytes).ok().and_then(parse_labels));
    let Some(labels) = labels else {
        return view! { <Unshowable message="This output is not a classification result."/> }.into_any();
    };
    let top = labels.entries.first().map(|t| (t.label.clone(), t.score));
    let total = labels.entries.len();
    let all = RwSignal::new(false);
    let entries = StoredValue::new(labels.entries);
    let shown = move || {
        let n = if all.get() { LABELS_ALL_CAP } else { LABELS_SHOWN };
        entries.with_value(|e| e.iter().take(n).cloned().collect::<Vec<_>>())
    };
    view! {
        <div class="labels">
            {top.map(|(label, score)| view! {
                <p class="labels__top"><span class="labels__top-name">{label}</span>
                   <span class="labels__top-score">{format!("{:.1}%", score * 100.0)}</span></p>
            })}
            <ol class="labels__list">
                {move || shown().into_iter().map(|e| view! {
                    <li class="labels__item">
                        <span class="labels__name">{e.label.clone()}</span>
                        <meter class="labels__bar" min="0" max="1" value=e.score aria-label=format!("{} confidence", e.label)></meter>
                        <span class="labels__score">{format!("{:.1}%", e.score * 100.0)}</span>
                    </li>
                }).collect_view()}
            </ol>
            {move || (total > LABELS_SHOWN && !all.get()).then(|| view! {
                <button type="button" class="button button--ghost" on:click=move |_| all.set(true)>
                    {if total > LABELS_ALL_CAP {
                        format!("Show the top {LABELS_ALL_CAP} of {total} classes")
                    } else {
                        format!("Show all {total} classes")
                    }}
                </button>
            })}
        </div>
    }
    .into_any()
}
