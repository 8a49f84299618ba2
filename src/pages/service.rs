use crate::app::use_base;
use crate::components::inputs::{DetectedExamples, InputPanel, InputValues};
use crate::components::outputs::{OutputBody, Shown};
use crate::components::spec_inputs::{payload, ExpectedOutput, SpecExamples, SpecInputs, SpecValues};
use crate::components::{ApiErrorAlert, ErrorAlert, InterfaceEditor};
use crate::interface::spec::{resolve, Resolved, Source};
use crate::oscar::decode::human_size;
use crate::components::async_run::{AsyncOutput, AsyncRun};
use crate::session::store;
use crate::interface::{choose_input, AsyncPlan, InputChoice, InputKind, Modes, Outgoing};
use crate::net::xhr::XhrHandle;
use crate::net::{self, RunBody};
use crate::oscar::decode::decode_run_body;
use crate::oscar::{ApiError, Service};
use crate::routes;
use crate::session::use_session;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use std::sync::Arc;
use std::time::Duration;

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

/// What a finished run left to show.
#[derive(Clone, Debug, PartialEq)]
struct RunResult {
    logs: Vec<String>,
    shown: Shown,
    input_summary: String,
    seconds: f64,
}

/// Stops the elapsed-time ticker however the run ends.
struct Ticker(Option<IntervalHandle>);

impl Drop for Ticker {
    fn drop(&mut self) {
        if let Some(t) = self.0.take() {
            t.clear();
        }
    }
}

/// How the page runs the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// `POST /run`, waiting for the answer.
    Sync,
    /// Through the input bucket (or `POST /job`), following the job.
    Async,
}

/// Where a run in flight is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Encoding(f64),
    Uploading { sent: f64, total: f64 },
    Waiting,
}

/// Resolves the service's interface (your edit, its annotation, the site's
/// interfaces.json, or detection), shows the run page built from it, and
/// the editor that changes it live.
#[component]
fn InterfacedRun(service: Service, modes: Modes) -> impl IntoView {
    let session = use_session();
    let site = crate::app::use_site();
    let endpoint = session.0.with_untracked(|s| s.as_ref().map(|s| s.endpoint.to_string()).unwrap_or_default());
    let name = service.name.to_string();
    let edit = RwSignal::new(store::load_spec_edit(&endpoint, &name));
    let service = StoredValue::new(service);
    let resolved = Memo::new(move |_| {
        let user = edit.get();
        site.interfaces.with(|ops| service.with_value(|s| resolve(s, user.as_deref(), ops.as_ref(), None)))
    });
    let on_edit = Callback::new(move |text: Option<String>| {
        match &text {
            Some(t) => store::save_spec_edit(&endpoint, &name, t),
            None => store::clear_spec_edit(&endpoint, &name),
        }
        edit.set(text);
    });
    view! {
        {move || {
            let r = resolved.get();
            view! { <RunView service=service.get_value() modes resolved=r/> }
        }}
        <InterfaceEditor resolved on_edit/>
    }
}

/// The service's facts, and the input and output side by side.
#[component]
fn RunView(service: Service, modes: Modes, resolved: Resolved) -> impl IntoView {
    let session = use_session();
    let declared = resolved.source != Source::Detected;
    let spec = StoredValue::new(resolved.spec.clone());
    let spec_values = SpecValues::new(&resolved.spec);
    let output_hint = StoredValue::new(resolved.spec.outputs.first().cloned());
    let InputChoice { kind: chosen, reason, sample } = choose_input(&service);
    let kind = RwSignal::new(chosen);
    let values = InputValues::new(&sample, chosen);
    let name = service.name.to_string();
    // The service token lives in memory only, for as long as this page.
    let token = StoredValue::new(service.token.expose().to_string());

    let phase = RwSignal::new(None::<Phase>);
    let started = RwSignal::new(0.0_f64);
    let now = RwSignal::new(0.0_f64);
    let error = RwSignal::new(None::<ApiError>);
    let result = RwSignal::new(None::<Arc<RunResult>>);
    let cancel = StoredValue::new_local(None::<XhrHandle>);
    let sync_running = move || phase.with(Option::is_some);

    // Async: through the input bucket, or `POST /job` when there is none.
    let plan = session.0.with_untracked(|s| s.as_ref().and_then(|s| AsyncPlan::for_service(&service, &s.config)));
    let async_run = AsyncRun::new();
    let mode = RwSignal::new(if modes.sync { Mode::Sync } else { Mode::Async });
    let running = move || sync_running() || async_run.running();
    if let (Some(plan), Some(pending), Some(s)) = (plan.clone(), store::load_pending(&name), session.0.get_untracked()) {
        mode.set(Mode::Async);
        async_run.resume(s, plan, pending);
    }
    let async_target = match &plan {
        Some(p) => format!("upload to {}/{}", p.input_bucket, p.input_prefix),
        None => "POST /job".to_string(),
    };

    let run = {
        let name = name.clone();
        move || {
            if running() {
                return;
            }
            let Some(s) = session.0.get_untracked() else { return };
            // Cheap: file bytes are shared, not copied.
            let value = if declared {
                match spec.with_value(|sp| payload(sp, spec_values)) {
                    Ok(v) => v,
                    Err(why) => {
                        error.set(Some(ApiError::InvalidInput(why)));
                        return;
                    }
                }
            } else {
                values.of(kind.get_untracked()).get_untracked()
            };
            if mode.get_untracked() == Mode::Async {
                async_run.start(s, name.clone(), token.get_value(), plan.clone(), value);
                return;
            }
            if let Err(why) = value.outgoing() {
                error.set(Some(ApiError::InvalidInput(why)));
                return;
            }
            let summary = value.preview();
            let name = name.clone();
            error.set(None);
            result.set(None);
            started.set(js_sys::Date::now());
            now.set(js_sys::Date::now());
            let ticker = Ticker(set_interval_with_handle(move || now.set(js_sys::Date::now()), Duration::from_millis(100)).ok());
            phase.set(Some(Phase::Encoding(0.0)));
            spawn_local(async move {
                let body = match value.outgoing() {
                    Ok(Outgoing::Json(json)) => RunBody::Json(json.to_string()),
                    Ok(Outgoing::Base64(bytes)) => {
                        match crate::browser::base64_blob(bytes, |p| phase.set(Some(Phase::Encoding(p)))).await {
                            Some(blob) => RunBody::Base64(blob),
                            None => {
                                phase.set(None);
                                error.set(Some(ApiError::InvalidInput("The browser could not prepare the input (out of memory?). Try a smaller file.".into())));
                                return;
                            }
                        }
                    }
                    Err(_) => return,
                };
                phase.set(Some(Phase::Uploading { sent: 0.0, total: 1.0 }));
                let outcome = net::run_service(
                    &s,
                    &name,
                    &token.get_value(),
                    &body,
                    &|h| cancel.set_value(Some(h)),
                    move |sent, total| {
                        let next = if sent >= total { Phase::Waiting } else { Phase::Uploading { sent, total } };
                        phase.set(Some(next));
                    },
                )
                .await;
                drop(ticker);
                let seconds = (js_sys::Date::now() - started.get_untracked()) / 1000.0;
                phase.set(None);
                cancel.set_value(None);
                match outcome {
                    Ok(bytes) => {
                        let out = decode_run_body(&bytes);
                        let shown = Shown { name: format!("output.{}", out.detected.kind.extension()), bytes: Arc::from(out.bytes) };
                        result.set(Some(Arc::new(RunResult { logs: out.logs, shown, input_summary: summary, seconds })));
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let run = StoredValue::new(run);
    let on_keydown = move |e: KeyboardEvent| {
        if (e.ctrl_key() || e.meta_key()) && e.key() == "Enter" {
            e.prevent_default();
            run.with_value(|r| r());
        }
    };
    let elapsed = move || format!("{:.1} s", (now.get() - started.get()).max(0.0) / 1000.0);
    let too_large = move || !declared && values.of(kind.get()).with(|v| v.likely_too_large());
    let preview = move || {
        if declared {
            spec.with_value(|sp| spec_values.preview(sp))
        } else {
            values.of(kind.get()).with(|v| v.preview())
        }
    };
    // A declared spec may allow only one way to run.
    let can_sync = modes.sync && resolved.spec.mode.allows_sync();
    let can_async = !declared || resolved.spec.mode.allows_async();
    if !can_sync {
        mode.set(Mode::Async);
    } else if !can_async {
        mode.set(Mode::Sync);
    }
    let expected = RwSignal::new(None::<crate::interface::spec::Expected>);
    let jobs_href = use_base().href(&routes::jobs(&name));
    let output_service = name.clone();

    view! {
        <dl class="facts-row facts-row--page">
            <div><dt>"Image"</dt><dd class="mono">{service.image.clone()}</dd></div>
            <div><dt>"CPU"</dt><dd>{service.cpu.clone()}</dd></div>
            <div><dt>"Memory"</dt><dd>{service.memory.clone()}</dd></div>
            <div><dt>"Runs"</dt><dd><span class="badge" class:badge--sync=modes.sync class:badge--async=modes.asynchronous>{modes.label()}</span></dd></div>
            <div><dd><a href=jobs_href>"Jobs and logs"</a></dd></div>
        </dl>
        <div class="run-layout">
            <section class="panel" aria-labelledby="input-title" on:keydown=on_keydown>
                {if declared {
                    let sp = spec.get_value();
                    view! {
                        <div class="panel__head"><h2 id="input-title">"Input"</h2></div>
                        {(!sp.title.is_empty() && sp.title != name).then(|| view! { <p class="spec-title">{sp.title.clone()}</p> })}
                        {(!sp.description.is_empty()).then(|| view! { <p class="field__hint">{sp.description.clone()}</p> })}
                        <SpecInputs spec=sp.clone() values=spec_values/>
                        <SpecExamples spec=sp values=spec_values on_run=Callback::new(move |()| run.with_value(|r| r())) expected/>
                    }.into_any()
                } else {
                    view! {
                        <div class="panel__head">
                            <h2 id="input-title">"Input"</h2>
                            <div class="kind-switch">
                                <label class="field__label" for="input-kind">"Input type"</label>
                                <select id="input-kind" class="field__input field__input--select"
                                    on:change:target=move |e| {
                                        if let Some(k) = InputKind::ALL.into_iter().find(|k| k.label() == e.target().value()) { kind.set(k); }
                                    }>
                                    {InputKind::ALL.into_iter().map(|k| view! {
                                        <option value=k.label() selected=k == chosen>{k.label()}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                        </div>
                        <p class="field__hint">{format!("Chosen {reason}.")}</p>
                        <InputPanel kind=kind values/>
                        <DetectedExamples service=name.clone() kind values on_run=Callback::new(move |()| run.with_value(|r| r()))/>
                    }.into_any()
                }}
                <p class="send-preview" role="status">{preview}</p>
                {if can_sync && !can_async {
                    view! { <p class="field__hint">"Runs synchronously (POST /run)."</p> }.into_any()
                } else if can_sync {
                    let target = async_target.clone();
                    view! {
                        <fieldset class="mode-switch">
                            <legend class="field__label">"Run"</legend>
                            <label class="mode-switch__option">
                                <input type="radio" name="run-mode" value="sync" prop:checked=move || mode.get() == Mode::Sync
                                    on:change=move |_| mode.set(Mode::Sync)/>
                                " Synchronously (POST /run)"
                            </label>
                            <label class="mode-switch__option">
                                <input type="radio" name="run-mode" value="async" prop:checked=move || mode.get() == Mode::Async
                                    on:change=move |_| mode.set(Mode::Async)/>
                                {format!(" Asynchronously ({target})")}
                            </label>
                        </fieldset>
                    }.into_any()
                } else {
                    view! { <p class="field__hint">{format!("Runs asynchronously: {async_target}.")}</p> }.into_any()
                }}
                <Show when=move || too_large() && mode.get() == Mode::Sync>
                    <p class="notice">"This input is over 1 MB once encoded. Many clusters refuse sync requests that large (HTTP 413); the service's input bucket takes any size."</p>
                </Show>
                <Show when=move || !can_sync && mode.get() == Mode::Sync>
                    <p class="notice">"This cluster cannot run this service synchronously: it has no serverless backend, or the service serves its own API. Upload to its input bucket to run it asynchronously."</p>
                </Show>
                <div class="button-row">
                    <button type="button" class="button button--primary" disabled=move || running() || (!can_sync && mode.get() == Mode::Sync)
                        aria-keyshortcuts="Control+Enter" on:click=move |_| run.with_value(|r| r())>
                        {move || if running() { "Running…" } else { "Run" }}
                    </button>
                    <Show when=running>
                        <button type="button" class="button button--secondary"
                            on:click={
                                let name = name.clone();
                                move |_| match mode.get_untracked() {
                                    Mode::Sync => cancel.with_value(|h| if let Some(h) = h { h.abort() }),
                                    Mode::Async => async_run.stop(&name),
                                }
                            }>"Cancel"</button>
                    </Show>
                    <span class="field__hint">"Ctrl+Enter runs"</span>
                </div>
            </section>
            <section class="panel" aria-labelledby="output-title" aria-busy=move || running().to_string()>
                <div class="panel__head"><h2 id="output-title">"Output"</h2></div>
                {move || phase.get().map(|p| view! {
                    <div class="run-status" role="status">
                        <span class="run-status__what">{match p {
                            Phase::Encoding(_) => "Encoding the input…".to_string(),
                            Phase::Uploading { sent, total } => format!("Uploading {} of {}…", human_size(sent as u64), human_size(total as u64)),
                            Phase::Waiting => "Waiting for the service…".to_string(),
                        }}</span>
                        <span class="run-status__elapsed">{elapsed}</span>
                        {match p {
                            Phase::Encoding(f) => view! { <progress class="run-status__bar" max="1" value=f aria-label="Encoding"></progress> }.into_any(),
                            Phase::Uploading { sent, total } => view! { <progress class="run-status__bar" max=total value=sent aria-label="Upload"></progress> }.into_any(),
                            Phase::Waiting => view! { <progress class="run-status__bar" aria-label="Waiting"></progress> }.into_any(),
                        }}
                    </div>
                })}
                {move || error.get().map(|e| view! {
                    <ApiErrorAlert error=e retry=Callback::new(move |()| run.with_value(|r| r()))/>
                })}
                {move || result.get().map(|r| view! {
                    <p class="run-caption">{format!("Finished in {:.1} s · {}", r.seconds, r.input_summary)}</p>
                    <OutputBody shown=r.shown.clone() id="output" hint=output_hint.get_value()/>
                    {(!r.logs.is_empty()).then(|| view! {
                        <details class="logs">
                            <summary>{format!("Logs ({} lines)", r.logs.len())}</summary>
                            <pre class="logs__text">{r.logs.join("\n")}</pre>
                        </details>
                    })}
                })}
                {move || (result.with(Option::is_none) && !running()).then(|| expected.get().map(|e| view! {
                    <ExpectedOutput expected=e/>
                })).flatten()}
                <Show when=move || mode.get() == Mode::Async || async_run.has_content()>
                    <AsyncOutput run=async_run service=output_service.clone() hint=output_hint.get_value()/>
                </Show>
                <Show when=move || !running() && result.with(Option::is_none) && error.with(Option::is_none) && !async_run.has_content()>
                    <p class="empty-state empty-state--panel">"Run the service to see its output here."</p>
                </Show>
            </section>
        </div>
    }
}
