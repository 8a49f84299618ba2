use crate::components::run_output::RunOutput;
use crate::components::spec_form::{ExpectedOutput, FormValues, SpecExamples, SpecForm};
use crate::components::{ErrorAlert, InterfaceEditor};
use crate::context::use_base;
use crate::interface::payload;
use crate::interface::spec::{resolve_as, Expected, Resolved, Source};
use crate::interface::{share, AsyncPlan, InputKind, InputValue, Modes};
use crate::net;
use crate::oscar::{ApiError, Service};
use crate::routes;
use crate::components::batch_panel::BatchPanel;
use crate::lazy::{self, LazyPage};
use crate::run::batch::Batch;
use crate::run::{How, Phase, Request, Run, Target};
use crate::session::{store, use_session};
use crate::components::api_snippets::ApiSnippets;
use crate::components::history_panel::{values_of, History, HistoryPanel};
use crate::components::tabs::TabList;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/services/:name`: the run page. Input on the left, output on the right
/// (stacked on a phone), the service's facts above.
#[component]
pub fn ServicePage(
    /// Shown in a frame of another page: no way back to the list.
    #[prop(optional)]
    embedded: bool,
) -> impl IntoView {
    let session = use_session();
    let cluster = Memo::new(move |_| session.0.with(|s| s.as_ref().map(|s| s.endpoint.to_string())));
    let params = use_params_map();
    let name = move || params.with(|p| p.get("name").unwrap_or_default());
    let service = LocalResource::new(move || {
        // Keyed on the cluster, not the credentials: a re-login keeps the page.
        let (_cluster, name) = (cluster.get(), name());
        let current = session.0.get_untracked();
        async move {
            let Some(s) = current else { return Err(ApiError::Unauthorized) };
            let service = net::get_service(&s, &name).await?;
            let modes = Modes::of(&service, &s.config);
            Ok::<_, ApiError>((service, modes))
        }
    });
    // After a re-login, retry a page that failed to load (a loaded page
    // stays as it is, with whatever the user entered).
    Effect::new(move |previous: Option<()>| {
        session.0.track();
        if previous.is_some() && matches!(service.get_untracked(), Some(Err(_))) {
            service.refetch();
        }
    });
    let back = use_base().href(routes::SERVICES);
    view! {
        <section class="page page--wide">
            {(!embedded).then(|| view! { <nav class="breadcrumb" aria-label="Breadcrumb"><a href=back.clone()>"Services"</a></nav> })}
            <h1 class="page__title">{name}</h1>
            {move || match service.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading the service…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorAlert message=e.to_string() action_label="Try again" on_action=Callback::new(move |()| service.refetch())/>
                }.into_any(),
                Some(Ok((s, modes))) => view! { <InterfacedRun service=s modes/> }.into_any(),
            }}
        </section>
    }
}

/// Resolves the service's interface (your edit, its annotation, the site's
/// interfaces.json, or detection, with the "Input type" the user chose),
/// shows the run page built from it, and the editor that changes it live.
/// The form's values live here, so a changed interface keeps them.
#[component]
fn InterfacedRun(service: Service, modes: Modes) -> impl IntoView {
    let session = use_session();
    let interfaces = crate::net::site::use_interfaces();
    let endpoint = session.0.with_untracked(|s| s.as_ref().map(|s| s.endpoint.to_string()).unwrap_or_default());
    let name = service.name.to_string();
    let edit = RwSignal::new(store::load_spec_edit(&endpoint, &name));
    let detected_kind = RwSignal::new(None::<InputKind>);
    let values = FormValues::new();
    let stored = StoredValue::new(service.clone());
    let resolved = Memo::new(move |_| {
        let (user, kind) = (edit.get(), detected_kind.get());
        interfaces.with(|ops| stored.with_value(|s| resolve_as(s, user.as_deref(), ops.as_ref(), None, kind)))
    });
    let on_edit = Callback::new(move |text: Option<String>| {
        match &text {
            Some(t) => store::save_spec_edit(&endpoint, &name, t),
            None => store::clear_spec_edit(&endpoint, &name),
        }
        edit.set(text);
    });
    view! {
        <RunView service modes resolved values detected_kind/>
        <InterfaceEditor resolved on_edit/>
    }
}

/// The service's facts, and the input and output side by side: one form
/// built from the interface spec, one runner for sync and async.
#[component]
fn RunView(
    service: Service,
    modes: Modes,
    resolved: Memo<Resolved>,
    values: FormValues,
    detected_kind: RwSignal<Option<InputKind>>,
) -> impl IntoView {
    let session = use_session();
    let name = service.name.to_string();
    let spec = Memo::new(move |_| resolved.with(|r| r.spec.clone()));
    let detected = Memo::new(move |_| resolved.with(|r| r.source == Source::Detected));
    let run = Run::new(service.token.expose().to_string());
    let plan = session.0.with_untracked(|s| s.as_ref().and_then(|s| AsyncPlan::for_service(&service, &s.config)));
    let mode = RwSignal::new(if modes.sync { How::Sync } else { How::Async });
    if let (Some(plan), Some(pending), Some(s)) = (plan.clone(), store::load_pending(&name), session.0.get_untracked()) {
        mode.set(How::Async);
        run.resume(s, plan, pending);
    }
    let async_target = match &plan {
        Some(p) => format!("upload to {}/{}", p.input_bucket, p.input_prefix),
        None => "POST /job".to_string(),
    };
    // A spec may allow only one way to run.
    let can_sync = Memo::new(move |_| modes.sync && spec.with(|s| s.mode.allows_sync()));
    let can_async = Memo::new(move |_| spec.with(|s| s.mode.allows_async()));
    Effect::new(move |_| {
        if !can_sync.get() {
            mode.set(How::Async);
        } else if !can_async.get() {
            mode.set(How::Sync);
        }
    });

    // The form's values as they change: one snapshot per change serves the
    // preview line, the size notice and the encoding ahead.
    let form = Memo::new(move |_| spec.with(|sp| values.tracked(sp)));
    // A file for a sync run is encoded as soon as it is given.
    Effect::new(move |_| {
        if mode.get() == How::Sync {
            spec.with(|sp| form.with(|v| payload::single_file(sp, v).map(crate::run::prepared::prepare)));
        }
    });

    let endpoint = session.0.with_untracked(|s| s.as_ref().map(|s| s.endpoint.to_string()).unwrap_or_default());
    let history = History::new(&endpoint, &name);
    // What this page last started, for its record in the history.
    let last_request = StoredValue::new(None::<Request>);
    let plan_kind = if plan.is_some() { "async" } else { "job" };
    Effect::new(move |before: Option<Phase>| {
        let now = run.phase.get();
        if before.is_some_and(Phase::is_active) && matches!(now, Phase::Done | Phase::Failed) {
            history.record(run, last_request.get_value(), plan_kind);
        }
        now
    });
    let batch_plan = plan.clone();
    let api_plan = plan.clone();
    let api_service = name.clone();
    let start = {
        let name = name.clone();
        move || {
            if run.running() {
                return;
            }
            let Some(session) = session.0.get_untracked() else { return };
            let spec = spec.get_untracked();
            let values = values.now(&spec);
            let target = Target { session, service: name.clone(), how: mode.get_untracked(), plan: plan.clone() };
            last_request.set_value(Some(Request { spec: spec.clone(), values: values.clone() }));
            run.start(target, Request { spec, values });
        }
    };
    let start = StoredValue::new(start);
    let run_now = Callback::new(move |()| start.with_value(|r| r()));
    let on_keydown = move |e: KeyboardEvent| {
        if (e.ctrl_key() || e.meta_key()) && e.key() == "Enter" {
            e.prevent_default();
            run_now.run(());
        }
    };
    // What the form would send, worked out once per change for the line and the size notice.
    let described = Memo::new(move |_| spec.with(|sp| form.with(|v| payload::describe(sp, v))));
    let preview = move || described.with(|d| match d {
        Ok((line, _)) => line.clone(),
        Err(why) => why.clone(),
    });
    let too_large = move || described.with(|d| d.as_ref().is_ok_and(|(_, size)| payload::likely_too_large(*size)));
    let expected = RwSignal::new(None::<Expected>);
    let hint = Signal::derive(move || spec.with(|s| s.outputs.first().cloned()));
    let jobs_href = use_base().href(&routes::jobs(&name));
    // A share link's inputs, once, into the form; it never runs on its own.
    let shared_note = RwSignal::new(None::<String>);
    if let Some(pairs) = store::take_shared(&name).as_deref().and_then(share::parse) {
        let sp = spec.get_untracked();
        let fitting = share::values_for(&sp, &pairs);
        let mut labels = Vec::new();
        for (id, value) in fitting {
            if let Some(input) = sp.inputs.iter().find(|i| i.id == id) {
                values.of(input).set(InputValue::Text(value));
                labels.push(if input.label.is_empty() { input.id.clone() } else { input.label.clone() });
            }
        }
        shared_note.set(Some(if labels.is_empty() {
            "This shared link's inputs do not fit this page (its interface may have changed since): nothing was filled in.".into()
        } else {
            format!("Inputs from a shared link: {}. Check them, then press Run.", labels.join(", "))
        }));
    }
    let link = RwSignal::new(None::<(String, Vec<String>, bool)>);
    let page_href = use_base().href(&routes::service(&name));
    let copy_link = move |_| {
        let sp = spec.get_untracked();
        let (fragment, left_out) = share::fragment(&sp, &values.now(&sp));
        let url = format!("{}{page_href}{fragment}", window().location().origin().unwrap_or_default());
        leptos::task::spawn_local(async move {
            let copied = crate::browser::copy_text(&url).await;
            let _ = link.try_set(Some((url, left_out, copied)));
        });
    };
    let kind_now = move || spec.with(|s| s.inputs.first().and_then(|i| i.kind.input_kind()));
    let output_service = name.clone();
    let page_name = name.clone();
    let batch = Batch::new(name.clone(), service.token.expose().to_string());
    // A batch is recorded once all of it is final.
    Effect::new(move |before: Option<bool>| {
        let busy = batch.running.get() || batch.watching.get();
        let all_final = batch.items.with(|v| !v.is_empty() && v.iter().all(|i| i.status().is_final()));
        if before == Some(true) && !busy && all_final {
            history.record_batch(batch);
        }
        busy
    });
    // A batch a reload left in flight opens on its tab.
    let tab = RwSignal::new(if batch.items.with_untracked(|v| v.iter().any(|i| !i.status().is_final())) { BATCH } else { SINGLE });

    // "Run again": the run's inputs back in the form, on the Single tab.
    let on_run_again = Callback::new(move |stored: send_wrapper::SendWrapper<crate::browser::history::Stored>| {
        let sp = spec.get_untracked();
        let (given, missing) = values_of(&stored, &sp);
        for input in &sp.inputs {
            if let Some(v) = given.get(&input.id) {
                values.of(input).set(v.clone());
            }
        }
        let mut note = format!("Inputs from the run of {}. Check them, then press Run.", crate::components::history_panel::when(stored.record.at_ms));
        if !missing.is_empty() {
            note.push_str(&format!(" Not kept, choose again: {}.", missing.join(", ")));
        }
        shared_note.set(Some(note));
        tab.set(SINGLE);
    });
    // The tabs and the API section load their code the first time they show.
    let (batch_seen, history_seen, api_seen) = (RwSignal::new(false), RwSignal::new(false), RwSignal::new(false));
    Effect::new(move |_| match tab.get() {
        BATCH => batch_seen.set(true),
        HISTORY => history_seen.set(true),
        _ => {}
    });
    provide_context(RunParts { batch, spec, values, modes, plan: batch_plan, hint, history, on_run_again, service: api_service, form, mode, run });
    let _ = api_plan;
    view! {
        <dl class="facts-row facts-row--page">
            <div><dt>"Image"</dt><dd class="mono">{service.image.clone()}</dd></div>
            <div><dt>"CPU"</dt><dd>{service.cpu.clone()}</dd></div>
            <div><dt>"Memory"</dt><dd>{service.memory.clone()}</dd></div>
            <div><dt>"Runs"</dt><dd><span class="badge" class:badge--sync=modes.sync class:badge--async=modes.asynchronous>{modes.label()}</span></dd></div>
            <div><dd><a href=jobs_href>"Jobs and logs"</a></dd></div>
        </dl>
        <TabList label="How to run" tabs=RUN_TABS selected=tab/>
        <div id="tab-single" role="tabpanel" aria-labelledby="tab-button-single" hidden=move || tab.get() != SINGLE>
        <div class="run-layout">
            <section class="panel" aria-labelledby="input-title" on:keydown=on_keydown>
                <div class="panel__head">
                    <h2 id="input-title">"Input"</h2>
                    <Show when=move || detected.get()>
                        <div class="kind-switch">
                            <label class="field__label" for="input-kind">"Input type"</label>
                            <select id="input-kind" class="field__input field__input--select"
                                on:change:target=move |e| {
                                    if let Some(k) = InputKind::ALL.into_iter().find(|k| k.label() == e.target().value()) { detected_kind.set(Some(k)); }
                                }>
                                {InputKind::ALL.into_iter().map(|k| view! {
                                    <option value=k.label() selected=move || kind_now() == Some(k)>{k.label()}</option>
                                }).collect_view()}
                            </select>
                        </div>
                    </Show>
                </div>
                {move || shared_note.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
                {move || {
                    let sp = spec.get();
                    let title = (!sp.title.is_empty() && sp.title != page_name).then(|| view! { <p class="spec-title">{sp.title.clone()}</p> });
                    let description = (!sp.description.is_empty()).then(|| view! { <p class="field__hint">{sp.description.clone()}</p> });
                    view! {
                        {title}
                        {description}
                        <SpecForm spec=sp.clone() values/>
                        <SpecExamples spec=sp values on_run=run_now expected/>
                    }
                }}
                <p class="send-preview" role="status">{preview}</p>
                {move || {
                    let target = async_target.clone();
                    match (can_sync.get(), can_async.get()) {
                        (true, false) => view! { <p class="field__hint">"Runs synchronously (POST /run)."</p> }.into_any(),
                        (true, true) => view! {
                            <fieldset class="mode-switch">
                                <legend class="field__label">"Run"</legend>
                                <label class="mode-switch__option">
                                    <input type="radio" name="run-mode" value="sync" prop:checked=move || mode.get() == How::Sync
                                        on:change=move |_| mode.set(How::Sync)/>
                                    " Synchronously (POST /run)"
                                </label>
                                <label class="mode-switch__option">
                                    <input type="radio" name="run-mode" value="async" prop:checked=move || mode.get() == How::Async
                                        on:change=move |_| mode.set(How::Async)/>
                                    {format!(" Asynchronously ({target})")}
                                </label>
                            </fieldset>
                        }.into_any(),
                        (false, _) => view! { <p class="field__hint">{format!("Runs asynchronously: {target}.")}</p> }.into_any(),
                    }
                }}
                <Show when=move || too_large() && mode.get() == How::Sync>
                    <p class="notice">"This input is over 1 MB once encoded. Many clusters refuse sync requests that large (HTTP 413); the service's input bucket takes any size."</p>
                </Show>
                <Show when=move || !can_sync.get() && mode.get() == How::Sync>
                    <p class="notice">"This cluster cannot run this service synchronously: it has no serverless backend, or the service serves its own API. Upload to its input bucket to run it asynchronously."</p>
                </Show>
                <div class="button-row">
                    <button type="button" class="button button--primary" disabled=move || run.running() || (!can_sync.get() && mode.get() == How::Sync)
                        aria-keyshortcuts="Control+Enter" on:click=move |_| run_now.run(())>
                        {move || if run.running() { "Running…" } else { "Run" }}
                    </button>
                    <Show when=move || run.running()>
                        <button type="button" class="button button--secondary"
                            on:click={
                                let name = name.clone();
                                move |_| run.cancel(&name)
                            }>"Cancel"</button>
                    </Show>
                    <span class="field__hint">"Ctrl+Enter runs"</span>
                </div>
                <div class="share-row">
                    <button type="button" class="button button--ghost" on:click=copy_link>"Copy link"</button>
                    <span class="field__hint">"A link to this page with the typed inputs after its “#”, which browsers never send to a server. Files and credentials are never in it."</span>
                </div>
                {move || link.get().map(|(url, left_out, copied)| view! {
                    <label class="field__label" for="share-link">{if copied { "Link copied" } else { "Copy this link" }}</label>
                    <input id="share-link" class="field__input mono" readonly prop:value=url/>
                    {(!left_out.is_empty()).then(|| view! { <p class="field__hint">{format!("Not in the link: {}.", left_out.join(", "))}</p> })}
                })}
            </section>
            <section class="panel" aria-labelledby="output-title" aria-busy=move || run.running().to_string()>
                <div class="panel__head"><h2 id="output-title">"Output"</h2></div>
                <RunOutput run service=output_service.clone() hint retry=run_now/>
                {move || expected.get().map(|e| view! { <ExpectedOutput expected=e/> })}
                <Show when=move || !run.running() && !run.has_content() && expected.with(Option::is_none)>
                    <p class="empty-state empty-state--panel">"Run the service to see its output here."</p>
                </Show>
            </section>
        </div>
        <details class="panel api" on:toggle=move |e| { if event_target::<web_sys::HtmlDetailsElement>(&e).open() { api_seen.set(true); } }>
            <summary><h2 class="api__title">"Use via API"</h2></summary>
            {move || api_seen.get().then(|| view! { <LazyPage load=lazy::api_snippets/> })}
        </details>
        </div>
        <div id="tab-batch" role="tabpanel" aria-labelledby="tab-button-batch" hidden=move || tab.get() != BATCH>
            {move || batch_seen.get().then(|| view! { <LazyPage load=lazy::batch_panel/> })}
        </div>
        <div id="tab-history" role="tabpanel" aria-labelledby="tab-button-history" hidden=move || tab.get() != HISTORY>
            {move || history_seen.get().then(|| view! { <LazyPage load=lazy::history_panel/> })}
        </div>
    }
}

/// What the run page's lazily loaded parts take (their chunks are cut
/// apart from the page's: `crate::lazy`), handed over as context.
#[derive(Clone)]
struct RunParts {
    batch: Batch,
    spec: Memo<crate::interface::spec::Spec>,
    values: FormValues,
    modes: Modes,
    plan: Option<AsyncPlan>,
    hint: Signal<Option<crate::interface::spec::OutputSpec>>,
    history: History,
    on_run_again: Callback<send_wrapper::SendWrapper<crate::browser::history::Stored>>,
    service: String,
    form: Memo<crate::interface::payload::Values>,
    mode: RwSignal<How>,
    run: Run,
}

/// The Batch tab, from its chunk.
#[component]
pub fn BatchTab() -> impl IntoView {
    use_context::<RunParts>().map(|p| view! { <BatchPanel batch=p.batch spec=p.spec values=p.values modes=p.modes plan=p.plan hint=p.hint/> })
}

/// The History tab, from its chunk.
#[component]
pub fn HistoryTab() -> impl IntoView {
    use_context::<RunParts>().map(|p| view! { <HistoryPanel history=p.history hint=p.hint on_run_again=p.on_run_again/> })
}

/// "Use via API", from its chunk, once the section is first opened.
#[component]
pub fn ApiTab() -> impl IntoView {
    use_context::<RunParts>().map(|p| view! { <ApiSnippets service=p.service spec=p.spec form=p.form mode=p.mode plan=p.plan run=p.run/> })
}

/// The run page's tabs.
const RUN_TABS: &[(&str, &str)] = &[("single", "Single"), ("batch", "Batch"), ("history", "History")];
const SINGLE: usize = 0;
const BATCH: usize = 1;
const HISTORY: usize = 2;
