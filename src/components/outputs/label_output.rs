use super::Unshowable;
use crate::oscar::labels::parse_labels;
use leptos::prelude::*;
use std::sync::Arc;

/// A classification: the top class, then every class with a confidence bar.
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
    view! {
        <div class="labels">
            {top.map(|(label, score)| view! {
                <p class="labels__top"><span class="labels__top-name">{label}</span>
                   <span class="labels__top-score">{format!("{:.1}%", score * 100.0)}</span></p>
            })}
            <ol class="labels__list">
                {labels.entries.into_iter().map(|e| view! {
                    <li class="labels__item">
                        <span class="labels__name">{e.label.clone()}</span>
                        <meter class="labels__bar" min="0" max="1" value=e.score aria-label=format!("{} confidence", e.label)></meter>
                        <span class="labels__score">{format!("{:.1}%", e.score * 100.0)}</span>
                    </li>
                }).collect_view()}
            </ol>
        </div>
    }
    .into_any()
}
