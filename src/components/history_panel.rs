use super::outputs::OutputBody;
use crate::browser::history::{self as store, HistoryError, Stored};
use crate::interface::batch::summarize;
use crate::interface::history::{self, delta_text, diff_text, label_deltas, line_diff, usage_line, DiffLine, Record};
use crate::interface::payload::Values;
use crate::interface::spec::{to_json, OutputSpec, Spec};
use crate::interface::{InputValue, Shown};
use crate::oscar::decode::sniff;
use crate::interface::batch::Status;
use crate::run::batch::{Batch, Way as BatchWay};
use crate::run::{How, Phase, Request, Run};
use crate::session::store as prefs;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use std::sync::Arc;

/// One page's history: its runs, newest first, and what the panel says.
#[derive(Clone, Copy)]
pub struct History {
    scope: StoredValue<String>,
    service: StoredValue<String>,
    /// `None` while loading.
    pub runs: RwSignal<Option<Result<Vec<Record>, HistoryError>>>,
    pub notice: RwSignal<Option<String>>,
    pub keep: RwSignal<bool>,
    pub usage: RwSignal<Option<(usize, u64)>>,
    /// The start time of the run last recorded (a run is recorded once).
    recorded: StoredValue<f64>,
    seq: StoredValue<u32>,
}

impl History {
    pub fn new(endpoint: &str, service: &str) -> Self {
        let h = Self {
            scope: StoredValue::new(history::scope(endpoint, service)),
            service: StoredValue::new(service.to_string()),
            runs: RwSignal::new(None),
            notice: RwSignal::new(None),
            keep: RwSignal::new(prefs::load_history_keep()),
            usage: RwSignal::new(None),
            recorded: StoredValue::new(0.0),
            seq: StoredValue::new(0),
        };
        h.reload();
        h
    }

    /// Reads the list and the usage again.
    pub fn reload(&self) {
        let h = *self;
        let scope = self.scope.get_value();
        spawn_local(async move {
            let runs = store::list(&scope).await;
            let usage = store::usage().await.ok();
            let _ = h.runs.try_set(Some(runs));
            let _ = h.usage.try_set(usage);
        });
    }

    /// Records `run` once it has finished (its request, when this page started it).
    pub fn record(&self, run: Run, request: Option<Request>, plan_kind: &'static str) {
        let started = run.started.get_untracked();
        if self.recorded.get_value() == started {
            return;
        }
        self.recorded.set_value(started);
        let seq = self.seq.get_value();
        self.seq.set_value(seq + 1);
        let ok = run.phase.get_untracked() == Phase::Done;
        let outcome = run.outcome.get_untracked();
        let how = if run.how.get_untracked() == How::Sync { "sync" } else { plan_kind };
        let mut rec = Record {
            id: format!("{}-{seq}", started as u64),
            scope: self.scope.get_value(),
            service: self.service.get_value(),
            at_ms: started,
            how: how.into(),
            ok,
            seconds: outcome.as_ref().map(|o| o.seconds).unwrap_or_else(|| (js_sys::Date::now() - started) / 1000.0),
            job: run.job.get_untracked().map(|j| j.name),
            ..Record::default()
        };
        rec.input_summary = match (&request, &outcome) {
            (Some(r), _) => history::input_summary(&r.spec, &r.values),
            (None, Some(o)) => o.input_summary.clone(),
            (None, None) => String::new(),
        };
        let shown = outcome.as_ref().and_then(|o| o.shown.clone());
        rec.output_summary = match (&shown, run.error.get_untracked()) {
            (_, Some(e)) if !ok => e.to_string(),
            (Some(s), _) => summarize(&s.bytes).line,
            (None, _) => "No output".into(),
        };
        if !ok {
            rec.error = Some(rec.output_summary.clone());
        }
        let mut inputs = Vec::new();
        if let Some(r) = &request {
            rec.spec = to_json(&r.spec);
            for input in &r.spec.inputs {
                match r.values.get(&input.id) {
                    Some(InputValue::Text(t)) if !t.is_empty() => rec.values.push((input.id.clone(), t.clone())),
                    Some(InputValue::File(f)) => {
                        rec.files.push((input.id.clone(), f.name.clone(), f.mime.clone()));
                        inputs.push((input.id.clone(), f.data.blob().clone(), f.size));
                    }
                    _ => {}
                }
            }
        }
        rec.output_name = shown.as_ref().map(|s| s.name.clone());
        let bytes: u64 = inputs.iter().map(|(_, _, n)| n).sum::<u64>() + shown.as_ref().map_or(0, |s| s.bytes.len() as u64);
        let (blobs, output) = match history::keep(self.keep.get_untracked(), bytes) {
            Ok(()) => {
                rec.kept_bytes = bytes;
                let out = shown.as_ref().and_then(|s| crate::browser::blob(&s.bytes, sniff(&s.bytes).mime()));
                (inputs.into_iter().map(|(id, b, _)| (id, b)).collect::<Vec<_>>(), out)
            }
            Err(why) => {
                rec.not_kept = Some(why);
                (Vec::new(), None)
            }
        };
        let h = *self;
        spawn_local(async move {
            let result = store::put(&rec, &blobs, output.as_ref()).await;
            if let Err(e) = &result {
                let _ = h.notice.try_set(Some(e.to_string()));
            }
            if !matches!(result, Err(HistoryError::Unavailable)) {
                h.prune().await;
            }
            h.reload();
        });
    }

    /// Records a batch once everything in it is final: counts only (each
    /// output stays in the batch's own results and download).
    pub fn record_batch(&self, batch: Batch) {
        let started = batch.started.get_untracked();
        if self.recorded.get_value() == started {
            return;
        }
        self.recorded.set_value(started);
        let (names, statuses): (Vec<String>, Vec<Status>) = batch.items.with_untracked(|v| v.iter().map(|i| (i.name.clone(), i.status())).unzip());
        let counts = crate::interface::batch::counts(statuses);
        let n = |s: Status| counts.get(&s).copied().unwrap_or(0);
        let way = match batch.way.get_untracked() {
            BatchWay::Sync => "sync",
            BatchWay::Bucket => "async",
            BatchWay::Job => "job",
        };
        let shown: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
        let more = if names.len() > 3 { ", …" } else { "" };
        let mut done = format!("{} done", n(Status::Done));
        for (s, word) in [(Status::Failed, "failed"), (Status::NotSent, "not sent")] {
            if n(s) > 0 {
                done.push_str(&format!(" · {} {word}", n(s)));
            }
        }
        let rec = Record {
            id: format!("{}-batch", started as u64),
            scope: self.scope.get_value(),
            service: self.service.get_value(),
            at_ms: started,
            how: format!("batch ({way})"),
            ok: n(Status::Failed) == 0 && n(Status::NotSent) == 0,
            seconds: (js_sys::Date::now() - started) / 1000.0,
            input_summary: format!("{} inputs: {}{more}", names.len(), shown.join(", ")),
            output_summary: done,
            not_kept: Some("A batch keeps its counts here; its outputs are in the Batch tab's results.".into()),
            ..Record::default()
        };
        let h = *self;
        spawn_local(async move {
            if let Err(e) = store::put(&rec, &[], None).await {
                let _ = h.notice.try_set(Some(e.to_string()));
            }
            h.reload();
        });
    }

    /// Keeps at most [`history::MAX_RUNS`] runs of this page.
    async fn prune(&self) {
        let Ok(runs) = store::list(&self.scope.get_value()).await else { return };
        let old: Vec<String> = runs.iter().skip(history::MAX_RUNS).map(|r| r.id.clone()).collect();
        if !old.is_empty() {
            let _ = store::delete(&old).await;
        }
    }
}

/// The local date and time of a record.
pub fn when(at_ms: f64) -> String {
    let d = js_sys::Date::new(&at_ms.into());
    String::from(d.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

/// The output kept with a run, read back.
async fn shown_of(stored: &Stored) -> Option<Result<Shown, String>> {
    let blob = stored.output.as_ref()?;
    let name = stored.record.output_name.clone().unwrap_or_else(|| "output".into());
    Some(crate::browser::read_blob(blob).await.map(|bytes| Shown { name, bytes: Arc::from(bytes) }))
}

/// What is open below the list.
#[derive(Clone, PartialEq)]
enum View {
    None,
    Open(String),
    Compare(String, String),
}

/// "History": this page's runs, newest first, with Open, Run again,
/// Delete, Compare and Clear history.
#[component]
pub fn HistoryPanel(history: History, hint: Signal<Option<OutputSpec>>, on_run_again: Callback<SendWrapper<Stored>>) -> impl IntoView {
    let selected = RwSignal::new(Vec::<String>::new());
    let view = RwSignal::new(View::None);
    let confirm_clear = RwSignal::new(false);
    let delete = move |ids: Vec<String>| {
        spawn_local(async move {
            if let Err(e) = store::delete(&ids).await {
                let _ = history.notice.try_set(Some(e.to_string()));
            }
            let _ = selected.try_update(|s| s.retain(|x| !ids.contains(x)));
            let _ = view.try_update(|v| {
                if matches!(v, View::Open(id) if ids.contains(id)) || matches!(v, View::Compare(a, b) if ids.contains(a) || ids.contains(b)) {
                    *v = View::None;
                }
            });
            history.reload();
        });
    };
    let run_again = move |id: String| {
        spawn_local(async move {
            match store::get(&id).await {
                Ok(Some(stored)) => on_run_again.run(SendWrapper::new(stored)),
                Ok(None) => {
                    let _ = history.notice.try_set(Some("That run is no longer in the history.".into()));
                }
                Err(e) => {
                    let _ = history.notice.try_set(Some(e.to_string()));
                }
            }
        });
    };
    let toggle = move |id: String| selected.update(|s| if let Some(at) = s.iter().position(|x| *x == id) { s.remove(at); } else { s.push(id); });
    let count = move || history.runs.with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, Vec::len));
    view! {
        <section class="panel history" aria-labelledby="history-title">
            <div class="panel__head">
                <h2 id="history-title">"History"</h2>
                <label class="history__keep" for="history-keep">
                    <input type="checkbox" id="history-keep" prop:checked=move || history.keep.get()
                        on:change:target=move |e| { let on = e.target().checked(); prefs::save_history_keep(on); history.keep.set(on); }/>
                    " Keep inputs and outputs in this browser"
                </label>
            </div>
            <p class="field__hint">
                {move || history.usage.get().map(|(n, b)| usage_line(n, b))}
                " Runs are kept in this browser only, with no password, token or storage key. Logging out leaves them; “Clear history” removes them."
            </p>
            {move || history.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            <div class="button-row">
                <button type="button" class="button button--secondary" disabled=move || selected.with(|s| s.len() != 2)
                    on:click=move |_| selected.with_untracked(|s| if let [a, b] = s.as_slice() { view.set(View::Compare(a.clone(), b.clone())); })>"Compare"</button>
                <span class="field__hint">{move || match selected.with(Vec::len) { 2 => "Two runs selected.".to_string(), n => format!("Select two runs to compare ({n} selected).") }}</span>
                <button type="button" class="button button--ghost" disabled=move || count() == 0 on:click=move |_| confirm_clear.set(true)>"Clear history"</button>
            </div>
            <Show when=move || confirm_clear.get()>
                <div class="confirm" role="alertdialog" aria-label="Clear history">
                    <p>{move || format!("Delete all {} runs of {} from this browser? This cannot be undone.", count(), history.service.get_value())}</p>
                    <div class="button-row">
                        <button type="button" class="button button--danger" on:click=move |_| {
                            confirm_clear.set(false);
                            let ids = history.runs.with_untracked(|r| r.as_ref().and_then(|r| r.as_ref().ok()).map(|v| v.iter().map(|r| r.id.clone()).collect()).unwrap_or_default());
                            delete(ids);
                        }>"Delete all"</button>
                        <button type="button" class="button button--ghost" on:click=move |_| confirm_clear.set(false)>"Keep them"</button>
                    </div>
                </div>
            </Show>
            {move || match history.runs.get() {
                None => view! { <p class="loading" aria-busy="true">"Reading the history…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="notice" role="status">{e.to_string()}</p> }.into_any(),
                Some(Ok(runs)) if runs.is_empty() => view! { <p class="empty-state">"No runs yet. Each run of this service is recorded here, in this browser."</p> }.into_any(),
                Some(Ok(runs)) => view! {
                    <ul class="history-list">
                        {runs.into_iter().map(|r| {
                            let id = r.id.clone();
                            let at = when(r.at_ms);
                            let line = r.line(&at);
                            let (id1, id2, id3, id4) = (id.clone(), id.clone(), id.clone(), id.clone());
                            view! {
                                <li class="history-run" class:history-run--failed=!r.ok>
                                    <input type="checkbox" aria-label=format!("Select the run of {at}")
                                        prop:checked=move || selected.with(|s| s.contains(&id1)) on:change=move |_| toggle(id2.clone())/>
                                    <div class="history-run__text">
                                        <span class="history-run__line">{line}</span>
                                        <span class="history-run__io">{format!("{} → {}", r.input_summary, r.output_summary)}</span>
                                        {r.job.clone().map(|j| view! { <span class="field__hint mono">{format!("Job {j}")}</span> })}
                                        {r.not_kept.clone().map(|n| view! { <span class="field__hint">{n}</span> })}
                                    </div>
                                    <div class="history-run__actions">
                                        <button type="button" class="button button--ghost" on:click=move |_| view.set(View::Open(id3.clone()))>"Open"</button>
                                        <button type="button" class="button button--ghost" on:click={ let id = id4.clone(); move |_| run_again(id.clone()) }>"Run again"</button>
                                        <button type="button" class="button button--ghost" on:click={ let id = id.clone(); move |_| delete(vec![id.clone()]) }>"Delete"</button>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            {move || match view.get() {
                View::None => ().into_any(),
                View::Open(id) => view! { <OpenedRun id hint on_close=Callback::new(move |()| view.set(View::None))/> }.into_any(),
                View::Compare(a, b) => view! { <CompareRuns a b hint on_close=Callback::new(move |()| view.set(View::None))/> }.into_any(),
            }}
        </section>
    }
}

/// One side of an opened or compared run: the record and its output.
#[derive(Clone)]
struct Loaded {
    record: Record,
    shown: Option<Result<Shown, String>>,
}

async fn load(id: &str) -> Result<Loaded, String> {
    match store::get(id).await {
        Ok(Some(stored)) => {
            let shown = shown_of(&stored).await;
            Ok(Loaded { record: stored.record, shown })
        }
        Ok(None) => Err("That run is no longer in the history.".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// A record's facts and its output view.
fn run_view(l: &Loaded, id: String, hint: Option<OutputSpec>) -> impl IntoView {
    let r = &l.record;
    let output = match &l.shown {
        Some(Ok(s)) => view! { <OutputBody shown=s.clone() id hint/> }.into_any(),
        Some(Err(why)) => view! { <p class="alert alert--error" role="alert">{why.clone()}</p> }.into_any(),
        None => view! { <p class="field__hint">{r.not_kept.clone().unwrap_or_else(|| r.output_summary.clone())}</p> }.into_any(),
    };
    view! {
        <dl class="facts-row">
            <div><dt>"When"</dt><dd>{when(r.at_ms)}</dd></div>
            <div><dt>"How"</dt><dd>{r.how.clone()}</dd></div>
            <div><dt>"Took"</dt><dd>{history::seconds_text(r.seconds)}</dd></div>
            <div><dt>"Status"</dt><dd>{if r.ok { "succeeded" } else { "failed" }}</dd></div>
        </dl>
        <p class="history-run__io">{format!("Input: {}", r.input_summary)}</p>
        {r.error.clone().map(|e| view! { <p class="alert alert--error" role="alert">{e}</p> })}
        {output}
    }
}

#[component]
fn OpenedRun(id: String, hint: Signal<Option<OutputSpec>>, on_close: Callback<()>) -> impl IntoView {
    let loaded = LocalResource::new({
        let id = id.clone();
        move || {
            let id = id.clone();
            async move { load(&id).await }
        }
    });
    view! {
        <section class="history-opened" aria-label="Opened run">
            <div class="panel__head"><h3>"Opened run"</h3>
                <button type="button" class="button button--ghost" on:click=move |_| on_close.run(())>"Close"</button></div>
            {move || match loaded.get() {
                None => view! { <p class="loading" aria-busy="true">"Reading the run…"</p> }.into_any(),
                Some(Err(why)) => view! { <p class="alert alert--error" role="alert">{why}</p> }.into_any(),
                Some(Ok(l)) => run_view(&l, format!("history-{}", l.record.id), hint.get_untracked()).into_any(),
            }}
        </section>
    }
}

#[component]
fn CompareRuns(a: String, b: String, hint: Signal<Option<OutputSpec>>, on_close: Callback<()>) -> impl IntoView {
    let loaded = LocalResource::new(move || {
        let (a, b) = (a.clone(), b.clone());
        async move {
            // The older run first, so a diff reads from then to now.
            let (x, y) = (load(&a).await?, load(&b).await?);
            Ok::<_, String>(if x.record.at_ms <= y.record.at_ms { (x, y) } else { (y, x) })
        }
    });
    view! {
        <section class="history-compare" aria-label="Compared runs">
            <div class="panel__head"><h3>"Compare"</h3>
                <button type="button" class="button button--ghost" on:click=move |_| on_close.run(())>"Close"</button></div>
            {move || match loaded.get() {
                None => view! { <p class="loading" aria-busy="true">"Reading the runs…"</p> }.into_any(),
                Some(Err(why)) => view! { <p class="alert alert--error" role="alert">{why}</p> }.into_any(),
                Some(Ok((x, y))) => {
                    let bytes = |l: &Loaded| l.shown.as_ref().and_then(|s| s.as_ref().ok()).map(|s| s.bytes.clone());
                    let (bx, by) = (bytes(&x), bytes(&y));
                    let difference = match (&bx, &by) {
                        (Some(p), Some(q)) => differences(p, q).into_any(),
                        _ => view! { <p class="field__hint">"One of the runs kept no output: compare their summaries above."</p> }.into_any(),
                    };
                    view! {
                        <div class="compare-grid">
                            <div class="compare-side"><h4>"Earlier"</h4>{run_view(&x, format!("cmp-a-{}", x.record.id), hint.get_untracked())}</div>
                            <div class="compare-side"><h4>"Later"</h4>{run_view(&y, format!("cmp-b-{}", y.record.id), hint.get_untracked())}</div>
                        </div>
                        <h4>"Differences"</h4>
                        {difference}
                    }.into_any()
                }
            }}
        </section>
    }
}

/// Label score changes for classifiers, a line diff for text and JSON.
fn differences(a: &[u8], b: &[u8]) -> impl IntoView {
    if let Some(deltas) = label_deltas(a, b, 20) {
        let pct = |s: Option<f64>| s.map(|s| format!("{:.1}%", s * 100.0)).unwrap_or_else(|| "—".into());
        return view! {
            <table class="batch-table compare-labels">
                <caption class="visually-hidden">"Scores per label"</caption>
                <thead><tr><th scope="col">"Label"</th><th scope="col">"Earlier"</th><th scope="col">"Later"</th><th scope="col">"Change"</th></tr></thead>
                <tbody>
                    {deltas.into_iter().map(|d| view! {
                        <tr><td>{d.label.clone()}</td><td>{pct(d.first)}</td><td>{pct(d.second)}</td><td>{delta_text(&d)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any();
    }
    let diff = match (diff_text(a), diff_text(b)) {
        (Some(x), Some(y)) => line_diff(&x, &y),
        _ => return view! { <p class="field__hint">"These outputs are not text: compare them side by side above."</p> }.into_any(),
    };
    let Some(lines) = diff else {
        return view! { <p class="field__hint">{format!("These outputs are too long to diff here (over {} lines).", history::DIFF_MAX_LINES)}</p> }.into_any();
    };
    if lines.iter().all(|l| matches!(l, DiffLine::Same(_))) {
        return view! { <p class="field__hint compare-same">"The two outputs are the same."</p> }.into_any();
    }
    view! {
        <pre class="diff" aria-label="Line differences, earlier to later">
            {lines.into_iter().map(|l| match l {
                DiffLine::Same(t) => view! { <span class="diff__same">{format!("  {t}\n")}</span> }.into_any(),
                DiffLine::Gone(t) => view! { <del class="diff__gone">{format!("- {t}\n")}</del> }.into_any(),
                DiffLine::Added(t) => view! { <ins class="diff__added">{format!("+ {t}\n")}</ins> }.into_any(),
            }).collect_view()}
        </pre>
    }
    .into_any()
}

/// What a run again puts in the form: the typed values, and the files
/// kept with it, for the inputs the interface still has.
pub fn values_of(stored: &Stored, spec: &Spec) -> (Values, Vec<String>) {
    let mut out = Values::new();
    let mut missing = Vec::new();
    for (id, v) in &stored.record.values {
        if spec.inputs.iter().any(|i| &i.id == id) {
            out.insert(id.clone(), InputValue::Text(v.clone()));
        }
    }
    for (id, name, mime) in &stored.record.files {
        match stored.inputs.iter().find(|(i, _)| i == id) {
            Some((_, blob)) if spec.inputs.iter().any(|i| &i.id == id) => {
                out.insert(id.clone(), InputValue::File(crate::interface::FileValue::new(name.clone(), mime.clone(), crate::interface::BlobRef::new(blob.clone()))));
            }
            _ => missing.push(name.clone()),
        }
    }
    (out, missing)
}
