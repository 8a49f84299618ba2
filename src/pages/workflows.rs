//! `/workflows`: the cluster's services chained by buckets, drawn; and
//! `/workflows/:name`: one workflow, run from its first stage and followed
//! stage by stage.

use crate::components::outputs::OutputBody;
use crate::components::spec_form::{FormValues, SpecForm};
use crate::components::workflow_drawing::{state_class, WorkflowDrawing};
use crate::components::ApiErrorAlert;
use crate::context::use_base;
use crate::interface::spec::resolve_as;
use crate::interface::{payload, AsyncPlan};
use crate::net;
use crate::oscar::jobs::{Job, JobStatus};
use crate::oscar::workflow::{detect, Detected, StageState, Workflow};
use crate::oscar::{ApiError, Service};
use crate::routes;
use crate::run::workflow::{Flow, WorkflowRun, SHOW_CAP, SHOW_MAX};
use crate::run::Request;
use crate::session::{store, use_session};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use std::sync::Arc;

/// The service list and the workflows found in it.
#[derive(Clone)]
struct Found {
    services: Arc<Vec<Service>>,
    detected: Arc<Detected>,
}

fn use_found() -> LocalResource<Result<Found, ApiError>> {
    let session = use_session();
    LocalResource::new(move || {
        let current = session.get();
        async move {
            let Some(s) = current else { return Err(ApiError::Unauthorized) };
            let list = net::list_services(&s).await?;
            let detected = detect(&list.services);
            Ok(Found { services: Arc::new(list.services), detected: Arc::new(detected) })
        }
    })
}

fn title_of(w: &Workflow) -> String {
    w.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(" → ")
}

/// `/workflows`: every connected group of two or more chained services.
#[component]
pub fn WorkflowsPage() -> impl IntoView {
    let found = use_found();
    let base = use_base();
    let retry = Callback::new(move |()| found.refetch());
    let body = move || match found.get() {
        None => view! { <p class="loading" aria-busy="true">"Looking for workflows…"</p> }.into_any(),
        Some(Err(e)) => view! { <ApiErrorAlert error=e retry/> }.into_any(),
        Some(Ok(f)) if f.detected.workflows.is_empty() => view! {
            <p class="empty-state">"No workflows on this cluster: no service reads a bucket path that another service writes."</p>
            <LoneLoops detected=f.detected.clone()/>
        }.into_any(),
        Some(Ok(f)) => {
            let count = f.detected.workflows.len();
            view! {
                <p class="service-count">{format!("{count} workflow{}", if count == 1 { "" } else { "s" })}</p>
                <div class="workflow-list">
                    {f.detected.workflows.iter().enumerate().map(|(i, w)| {
                        let w = Arc::new(w.clone());
                        let entry = w.stages[w.entry()].name.clone();
                        let href = base.href(&routes::workflow(&entry));
                        let title = title_of(&w);
                        let heading = format!("workflow-{i}-heading");
                        let labelled_by = heading.clone();
                        view! {
                            <article class="panel workflow-card" aria-labelledby=labelled_by>
                                <h2 id=heading class="workflow-card__title"><a href=href.clone()>{title}</a></h2>
                                <WorkflowDrawing workflow=w id=format!("wf-{i}")/>
                                <a class="button button--primary" href=href aria-label=format!("Open and run the workflow from {entry}")>"Open and run"</a>
                            </article>
                        }
                    }).collect_view()}
                </div>
                <LoneLoops detected=f.detected.clone()/>
            }.into_any()
        }
    };
    view! {
        <section class="page page--wide">
            <h1 class="page__title">"Workflows"</h1>
            <p class="field__hint">"Services chained by buckets: one writes where the next reads. Run a file through every stage and watch each one's jobs and outputs."</p>
            <div aria-busy=move || found.get().is_none().to_string()>{body}</div>
        </section>
    }
}

/// Single services that write into their own input: said, though no workflow shows them.
#[component]
fn LoneLoops(detected: Arc<Detected>) -> impl IntoView {
    (!detected.lone_loops.is_empty()).then(|| view! {
        <ul class="workflow-notes">
            {detected.lone_loops.iter().map(|(name, place)| view! {
                <li>{format!("“{name}” writes into its own input ({}): each output starts it again, until something stops it.", place.path())}</li>
            }).collect_view()}
        </ul>
    })
}

/// `/workflows/:name`: one workflow, its drawing, and a run through it.
#[component]
pub fn WorkflowPage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.with(|p| p.get("name").unwrap_or_default());
    let found = use_found();
    let base = use_base();
    let back = base.href(routes::WORKFLOWS);
    let retry = Callback::new(move |()| found.refetch());
    let body = move || {
        let name = name();
        match found.get() {
            None => view! { <p class="loading" aria-busy="true">"Loading the workflow…"</p> }.into_any(),
            Some(Err(e)) => view! { <ApiErrorAlert error=e retry/> }.into_any(),
            Some(Ok(f)) => {
                let hit = f.detected.workflows.iter().find_map(|w| w.stage(&name).map(|i| (w.clone(), i)));
                let Some((w, at)) = hit else {
                    return view! {
                        <p class="alert alert--error" role="alert">
                            {format!("“{name}” is not part of a workflow on this cluster: no other service reads what it writes, or writes what it reads. ")}
                            <a href=base.href(routes::WORKFLOWS)>"See the workflows"</a>
                        </p>
                    }.into_any();
                };
                let entry = if w.sources().contains(&at) { at } else { w.entry() };
                let Some(service) = f.services.iter().find(|s| s.name.as_str() == w.stages[entry].name).cloned() else {
                    return ().into_any();
                };
                view! { <WorkflowRunView workflow=Arc::new(w) entry service/> }.into_any()
            }
        }
    };
    view! {
        <section class="page page--wide">
            <nav class="breadcrumb" aria-label="Breadcrumb"><a href=back>"Workflows"</a></nav>
            <h1 class="page__title">{move || format!("Workflow from {}", name())}</h1>
            <div aria-busy=move || found.get().is_none().to_string()>{body}</div>
        </section>
    }
}

/// The first stage's input form, the live drawing, and every stage's jobs and outputs.
#[component]
fn WorkflowRunView(workflow: Arc<Workflow>, entry: usize, service: Service) -> impl IntoView {
    let session = use_session();
    let interfaces = crate::net::site::use_interfaces();
    let endpoint = session.0.with_untracked(|s| s.as_ref().map(|s| s.endpoint.to_string()).unwrap_or_default());
    let entry_name = service.name.to_string();
    let edit = store::load_spec_edit(&endpoint, &entry_name);
    let stored = StoredValue::new(service.clone());
    let spec = Memo::new(move |_| interfaces.with(|ops| stored.with_value(|s| resolve_as(s, edit.as_deref(), ops.as_ref(), None, None).spec)));
    let values = FormValues::new();
    let plan = session.0.with_untracked(|s| s.as_ref().and_then(|s| AsyncPlan::for_service(&service, &s.config)));
    let run = WorkflowRun::new(workflow.clone(), entry);
    if let (Some(plan), Some(pending), Some(s)) = (plan.clone(), store::load_pending_workflow(&entry_name), session.0.get_untracked()) {
        run.resume(s, plan, pending);
    }
    let can_run = plan.is_some();
    let plan = StoredValue::new(plan);
    let start = move || {
        let (Some(session), Some(plan)) = (session.0.get_untracked(), plan.get_value()) else { return };
        let spec = spec.get_untracked();
        let values = values.now(&spec);
        run.start(session, plan, Request { spec, values });
    };
    let form = Memo::new(move |_| spec.with(|sp| values.tracked(sp)));
    let input_path = workflow.stages[entry].inputs.first().map(|p| p.path()).unwrap_or_default();
    let to = input_path.clone();
    // A file goes to the bucket as it is; anything else as the body a job would get.
    let preview = move || spec.with(|sp| form.with(|v| match payload::single_file(sp, v) {
        Some(f) => format!("Uploads {} ({}) to {to}.", f.name, size_text(f.size)),
        None => match payload::describe(sp, v) {
            Ok((line, _)) => line,
            Err(why) => why,
        },
    }));
    let states = Signal::derive(move || run.states.get());
    let started = Signal::derive(move || run.flow.get() != Flow::Idle);
    let stages = workflow.stages.len();
    let order: Vec<usize> = (0..stages).collect();
    let wf = StoredValue::new(workflow.clone());
    view! {
        <div class="run-layout">
            <section class="panel" aria-labelledby="wf-input-title">
                <div class="panel__head"><h2 id="wf-input-title">{format!("Input of {entry_name}")}</h2></div>
                {move || {
                    let sp = spec.get();
                    let description = (!sp.description.is_empty()).then(|| view! { <p class="field__hint">{sp.description.clone()}</p> });
                    view! { {description}<SpecForm spec=sp values/> }
                }}
                <p class="send-preview" role="status">{preview}</p>
                {if can_run {
                    view! { <p class="field__hint">{format!("Each stage starts on what the one before it writes, from {input_path} on.")}</p> }.into_any()
                } else {
                    view! { <p class="notice">"The first stage has no input bucket on the cluster's MinIO, so Visor cannot start this workflow. Start it by writing to its input where it reads."</p> }.into_any()
                }}
                <div class="button-row">
                    <button type="button" class="button button--primary" disabled=move || !can_run || run.running()
                        on:click=move |_| start()>
                        {move || match run.flow.get() {
                            Flow::Uploading { .. } => "Uploading…",
                            Flow::Following => "Running…",
                            _ => "Run workflow",
                        }}
                    </button>
                    <Show when=move || run.running()>
                        <button type="button" class="button button--secondary" on:click=move |_| run.stop()>"Stop following"</button>
                    </Show>
                </div>
            </section>
            <section class="panel" aria-labelledby="wf-drawing-title">
                <div class="panel__head"><h2 id="wf-drawing-title">"Stages"</h2></div>
                {move || if started.get() {
                    view! { <WorkflowDrawing workflow=wf.get_value() id="wf-live" states/> }.into_any()
                } else {
                    view! { <WorkflowDrawing workflow=wf.get_value() id="wf-live"/> }.into_any()
                }}
            </section>
        </div>
        <section class="workflow-run" aria-labelledby="wf-run-title" aria-busy=move || run.running().to_string()>
            <h2 id="wf-run-title">"Run"</h2>
            <p class="workflow-run__status" role="status">{move || flow_line(&run)}</p>
            {move || run.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {move || run.error.get().map(|e| view! { <ApiErrorAlert error=e retry=Callback::new(move |()| start())/> })}
            <Show when=move || started.get()>
                {order.iter().map(|s| view! { <StageCard workflow=wf.get_value() stage=*s run/> }).collect_view()}
            </Show>
        </section>
    }
}

/// The run in one line.
fn flow_line(run: &WorkflowRun) -> String {
    let file = run.file_name.get();
    match run.flow.get() {
        Flow::Idle => "Give an input and press “Run workflow”.".into(),
        Flow::Uploading { sent, total } if total > 0.0 => format!("Uploading {file}: {:.0}%", sent / total * 100.0),
        Flow::Uploading { .. } => format!("Uploading {file}…"),
        Flow::Following => {
            let states = run.states.get();
            let over = states.iter().filter(|s| s.is_final()).count();
            format!("Following {file}: {over} of {} stages over.", states.len())
        }
        Flow::Over => {
            let failed = run.states.with(|v| v.iter().any(|s| *s == StageState::Failed));
            if failed { format!("The run of {file} is over; a stage failed.") } else { format!("The run of {file} went through every stage.") }
        }
        Flow::Failed => format!("Stopped following {file}."),
        Flow::Stopped => format!("Stopped following {file}."),
    }
}

fn seconds(job: &Job) -> String {
    match (job.start_unix.or(job.creation_unix), job.finish_unix) {
        (Some(a), Some(b)) => format!("{} s", (b - a).max(0)),
        _ => "—".into(),
    }
}

fn size_text(bytes: u64) -> String {
    crate::oscar::decode::human_size(bytes)
}

/// One stage of the run: its state, its jobs (failed ones with their logs),
/// and what it wrote, as it arrives.
#[component]
fn StageCard(workflow: Arc<Workflow>, stage: usize, run: WorkflowRun) -> impl IntoView {
    let s = workflow.stages[stage].clone();
    let last = workflow.downstream(stage).is_empty();
    let heading = format!("wf-stage-{stage}");
    let labelled_by = heading.clone();
    let state = Memo::new(move |_| run.states.with(|v| v.get(stage).copied().unwrap_or(StageState::NotReached)));
    let seen = Memo::new(move |_| run.seen.with(|v| v.get(stage).cloned().unwrap_or_default()));
    let name = s.name.clone();
    let data_stage = name.clone();
    let writes: Vec<String> = s.outputs.iter().map(|p| p.label()).collect();
    let reads: Vec<String> = s.inputs.iter().map(|p| p.label()).collect();
    let outputs_title = if last { "Final output" } else { "Written for the next stage" };
    view! {
        <section class=move || format!("panel workflow-stage workflow-stage--{}", state_class(state.get()))
            aria-labelledby=labelled_by data-stage=data_stage>
            <div class="panel__head">
                <h3 id=heading>{format!("{}. {}", stage + 1, s.name)}</h3>
                <span class=move || format!("badge wf-badge wf-badge--{}", state_class(state.get()))>{move || state.get().label()}</span>
            </div>
            <p class="field__hint">{format!("Reads {} · writes {}", if reads.is_empty() { "nothing".into() } else { reads.join(", ") }, if writes.is_empty() { "nothing".into() } else { writes.join(", ") })}</p>
            {move || {
                let jobs = seen.get().jobs;
                (!jobs.is_empty()).then(|| {
                    let name = name.clone();
                    view! {
                        <table class="table workflow-jobs">
                            <caption class="visually-hidden">{format!("Jobs of {name}")}</caption>
                            <thead><tr><th scope="col">"Job"</th><th scope="col">"Status"</th><th scope="col">"Created"</th><th scope="col">"Took"</th><th scope="col">"Logs"</th></tr></thead>
                            <tbody>
                                {jobs.into_iter().map(|j| view! { <JobLine job=j service=name.clone() run/> }).collect_view()}
                            </tbody>
                        </table>
                    }
                })
            }}
            {move || {
                let objects = seen.get().all_outputs();
                let count = objects.len();
                (count > 0).then(|| view! {
                    <h4 class="workflow-stage__outputs">{format!("{outputs_title}: {count} object{}", if count == 1 { "" } else { "s" })}</h4>
                    <div class="workflow-strip">
                        {objects.into_iter().enumerate().map(|(k, o)| {
                            let file = o.key.rsplit('/').next().unwrap_or(&o.key).to_string();
                            let key = o.key.clone();
                            let bucket = seen.with_untracked(|v| v.outputs.iter().find(|(_, os)| os.iter().any(|x| x.key == key)).map(|(p, _)| p.bucket.clone())).unwrap_or_default();
                            let id = format!("wf-{stage}-{k}");
                            let later = k >= SHOW_MAX || o.size > SHOW_CAP;
                            view! {
                                <figure class="workflow-object">
                                    <figcaption class="workflow-object__name"><span class="mono">{file}</span>" · "{size_text(o.size)}</figcaption>
                                    {move || match run.shown.with(|m| m.get(&key).cloned()) {
                                        Some(Ok(shown)) => view! { <OutputBody shown id=id.clone()/> }.into_any(),
                                        Some(Err(e)) => view! { <p class="field__error" role="alert">{e}</p> }.into_any(),
                                        None if later => {
                                            let (bucket, key) = (bucket.clone(), key.clone());
                                            view! { <button type="button" class="button button--ghost" on:click=move |_| run.show(bucket.clone(), key.clone())>"Show"</button> }.into_any()
                                        }
                                        None => view! { <p class="loading" aria-busy="true">"Fetching…"</p> }.into_any(),
                                    }}
                                </figure>
                            }
                        }).collect_view()}
                    </div>
                })
            }}
            {move || match state.get() {
                StageState::NotReached => Some(view! { <p class="field__hint">"Waiting for the stage before it."</p> }.into_any()),
                StageState::Skipped => Some(view! { <p class="field__hint">"Nothing reached this stage: the stage before it wrote nothing here."</p> }.into_any()),
                StageState::Running if seen.with(|v| v.jobs.is_empty()) => Some(view! { <p class="loading" aria-busy="true">"Waiting for its job to start…"</p> }.into_any()),
                _ => None,
            }}
        </section>
    }
}

/// One job of a stage; a failed one shows its logs in place.
#[component]
fn JobLine(job: Job, service: String, run: WorkflowRun) -> impl IntoView {
    let failed = job.status == JobStatus::Failed;
    let name = job.name.clone();
    let logs_key = name.clone();
    let logs = Memo::new(move |_| run.logs.with(|m| m.get(&logs_key).cloned()));
    let ask = {
        let (service, name) = (service.clone(), name.clone());
        move |_| run.load_logs(service.clone(), name.clone())
    };
    let status_class = if failed { "badge badge--danger" } else if job.status == JobStatus::Succeeded { "badge badge--sync" } else { "badge badge--muted" };
    view! {
        <tr class:workflow-jobs__failed=failed>
            <td class="mono">{job.name.clone()}</td>
            <td><span class=status_class>{job.status.label()}</span></td>
            <td>{crate::browser::local_time(job.creation_unix)}</td>
            <td>{seconds(&job)}</td>
            <td>
                <Show when=move || logs.with(Option::is_none) && job.status.is_finished()>
                    <button type="button" class="button button--ghost button--small" aria-label=format!("Logs of {name}") on:click=ask.clone()>"Logs"</button>
                </Show>
            </td>
        </tr>
        {move || logs.get().map(|r| view! {
            <tr class="workflow-jobs__logs"><td colspan="5">
                {match r {
                    Ok(text) => view! { <pre class="logs__text" tabindex="0" aria-label=format!("Logs of {}", job.name)>{text}</pre> }.into_any(),
                    Err(e) => view! { <p class="field__error" role="alert">{e}</p> }.into_any(),
                }}
            </td></tr>
        })}
    }
}
