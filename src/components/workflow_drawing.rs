//! A workflow drawn as inline SVG from the core's layout (stages as boxes,
//! buckets on the arrows), with the same graph as an ordered list for screen
//! readers and small screens, and the notes about its shape.

use crate::oscar::workflow::{ArrowKind, StageState, Workflow};
use leptos::prelude::*;
use std::sync::Arc;

/// The CSS modifier of a stage's state.
pub fn state_class(state: StageState) -> &'static str {
    match state {
        StageState::NotReached => "not-reached",
        StageState::Running => "running",
        StageState::Done => "done",
        StageState::Failed => "failed",
        StageState::Skipped => "skipped",
    }
}

fn arrow_class(kind: ArrowKind) -> &'static str {
    match kind {
        ArrowKind::Entry => "wf-arrow wf-arrow--entry",
        ArrowKind::Flow => "wf-arrow",
        ArrowKind::Back => "wf-arrow wf-arrow--back",
        ArrowKind::Result => "wf-arrow wf-arrow--result",
        ArrowKind::External => "wf-arrow wf-arrow--external",
    }
}

/// The drawing, the ordered list and the notes.
#[component]
pub fn WorkflowDrawing(
    workflow: Arc<Workflow>,
    /// Unique per page: ids inside the SVG derive from it.
    #[prop(into)]
    id: String,
    /// A run's stage states, to colour the boxes.
    #[prop(optional, into)]
    states: Option<Signal<Vec<StageState>>>,
) -> impl IntoView {
    let layout = workflow.layout();
    let names: Vec<String> = workflow.stages.iter().map(|s| s.name.clone()).collect();
    let marker = format!("{id}-head");
    let marker_url = format!("url(#{marker})");
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let list_id = format!("{id}-steps");
    let described_by = list_id.clone();
    let state_of = move |i: usize| states.map(|s| s.with(|v| v.get(i).copied().unwrap_or(StageState::NotReached)));
    let arrows = layout.arrows.iter().map(|a| {
        let dashed = a.kind == ArrowKind::External;
        view! {
            <g class=arrow_class(a.kind)>
                <path d=a.d.clone() fill="none" marker-end=marker_url.clone() stroke-dasharray=dashed.then_some("6 4")/>
                <text x=a.label_x.to_string() y=a.label_y.to_string() class="wf-label">{a.label.clone()}</text>
            </g>
        }
    }).collect_view();
    let boxes = layout.boxes.clone().into_iter().map(|b| {
        let (i, name) = (b.stage, names[b.stage].clone());
        let class = move || match state_of(i) {
            Some(s) => format!("wf-box wf-box--{}", state_class(s)),
            None => "wf-box".to_string(),
        };
        let cx = b.x + b.w / 2.0;
        view! {
            <g class=class>
                <rect x=b.x.to_string() y=b.y.to_string() width=b.w.to_string() height=b.h.to_string() rx="8"/>
                <text x=cx.to_string() y=(b.y + if states.is_some() { 19.0 } else { 27.0 }).to_string() text-anchor="middle" class="wf-name">{name}</text>
                {move || state_of(i).map(|s| view! {
                    <text x=cx.to_string() y=(b.y + 35.0).to_string() text-anchor="middle" class="wf-state">{s.label()}</text>
                })}
            </g>
        }
    }).collect_view();
    let steps = workflow.steps();
    let notes: Vec<String> = workflow.notes.iter().map(|n| workflow.note_text(n)).collect();
    let summary = format!("Workflow of {} stages: {}. The list below describes it.", names.len(), names.join(" → "));
    view! {
        <figure class="workflow-figure">
            <svg class="workflow-svg" viewBox=format!("0 0 {} {}", layout.width, layout.height) role="img"
                aria-labelledby=labelled_by aria-describedby=described_by
                style=format!("max-width: {}px", layout.width.ceil())>
                <title id=title_id>{summary}</title>
                <defs>
                    <marker id=marker viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="wf-head"/>
                    </marker>
                </defs>
                {arrows}
                {boxes}
            </svg>
            <figcaption>
                <ol class="workflow-steps" id=list_id>
                    {steps.into_iter().enumerate().map(|(i, line)| view! {
                        <li>
                            {line}
                            {move || state_of(i).map(|s| view! { <span class=format!("wf-step-state wf-step-state--{}", state_class(s))>{format!(" ({})", s.label())}</span> })}
                        </li>
                    }).collect_view()}
                </ol>
                {(!notes.is_empty()).then(|| view! {
                    <ul class="workflow-notes">{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                })}
            </figcaption>
        </figure>
    }
}
