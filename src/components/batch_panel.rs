//! The run page's "Batch" tab: many inputs through the service, with one
//! row each, an overall progress line, and the results as a table, a ZIP
//! and a summary. It draws a [`Batch`] and calls its methods.

use crate::browser::{all_files, bytes_file, file_value, read_blob};
use crate::components::outputs::OutputBody;
use crate::components::spec_form::FormValues;
use crate::interface::batch::{self as core, progress_line, seconds_left, split_lines, Status};
use crate::interface::spec::{OutputSpec, Spec};
use crate::interface::{AsyncPlan, FileValue, Modes, Shown};
use crate::oscar::decode::{human_size, sniff};
use crate::oscar::zip;
use crate::run::batch::{takes_lines, Batch, BatchTarget, Item, Way};
use crate::session::use_session;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// The largest ZIP unpacked into inputs here (its bytes are read once).
const UNPACK_CAP: u64 = 512 * 1024 * 1024;

/// Sort order of the results table.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SortBy {
    Input,
    Status,
    Time,
}

#[component]
pub fn BatchPanel(
    batch: Batch,
    spec: Memo<Spec>,
    values: FormValues,
    modes: Modes,
    plan: Option<AsyncPlan>,
    /// What the interface says about the output, for the full view of a row.
    hint: Signal<Option<OutputSpec>>,
) -> impl IntoView {
    let session = use_session();
    let has_bucket = plan.is_some();
    let default_way = if has_bucket {
        Way::Bucket
    } else if modes.sync {
        Way::Sync
    } else {
        Way::Job
    };
    let way = RwSignal::new(if batch.items.with_untracked(|v| v.is_empty()) { default_way } else { batch.way.get_untracked() });
    let can_sync = Memo::new(move |_| modes.sync && spec.with(|s| s.mode.allows_sync()));
    let can_async = Memo::new(move |_| spec.with(|s| s.mode.allows_async()));
    let at_once = RwSignal::new(core::AT_ONCE_DEFAULT.to_string());
    let unpack = RwSignal::new(true);
    let lines = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let hover = RwSignal::new(false);
    let opened = RwSignal::new(None::<usize>);
    let sort = RwSignal::new(SortBy::Input);
    let filter = RwSignal::new(None::<Status>);
    let shown_rows = RwSignal::new(core::ROWS_SHOWN);
    let zipping = RwSignal::new(None::<String>);
    let summary_json = RwSignal::new(false);
    let plan = StoredValue::new(plan);
    // A folder picker: the attribute has no binding of its own.
    let folder = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = folder.get() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });

    // After a reload: follow what an async batch had uploaded.
    if let (Some(s), Some(p)) = (session.0.get_untracked(), plan.get_value()) {
        batch.connect(s.clone(), p.clone());
        batch.reattach(s, p);
    }

    let add = move |files: Vec<web_sys::File>| {
        problem.set(None);
        let files: Vec<FileValue> = files.into_iter().map(file_value).collect();
        let (zips, plain): (Vec<FileValue>, Vec<FileValue>) =
            files.into_iter().partition(|f| unpack.get_untracked() && (f.name.to_ascii_lowercase().ends_with(".zip") || matches!(f.mime.as_str(), "application/zip" | "application/x-zip-compressed")));
        batch.add_files(plain);
        for z in zips {
            spawn_local(async move {
                match unpack_zip(&z).await {
                    Ok(entries) if entries.is_empty() => problem.set(Some(format!("{} holds no files.", z.name))),
                    Ok(entries) => batch.add_files(entries),
                    Err(why) => problem.set(Some(format!("{} could not be unpacked: {why}", z.name))),
                }
            });
        }
    };
    let add_lines = move |_| {
        let json = spec.with_untracked(takes_lines).unwrap_or(false);
        match split_lines(&lines.get_untracked(), json) {
            Ok(l) if l.is_empty() => problem.set(Some("Type one input on each line first.".into())),
            Ok(l) => {
                problem.set(None);
                batch.add_lines(l, json);
                lines.set(String::new());
            }
            Err(why) => problem.set(Some(why)),
        }
    };
    let add_csv = move |e: ev::Event| {
        let input = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = input.as_ref().and_then(|i| crate::browser::first_file(i.files())) else { return };
        if let Some(i) = &input {
            i.set_value("");
        }
        problem.set(None);
        spawn_local(async move {
            let f = file_value(file);
            if f.size > core::MAX_CSV_BYTES {
                problem.set(Some(format!("{} is over {}: split it into several batches.", f.name, human_size(core::MAX_CSV_BYTES))));
                return;
            }
            let text = match crate::browser::read_text(f.data.blob()).await {
                Ok(t) => t,
                Err(why) => return problem.set(Some(why)),
            };
            let sp = spec.get_untracked();
            let ids: Vec<&str> = sp.inputs.iter().map(|i| i.id.as_str()).collect();
            match core::csv_rows(&text, &ids).and_then(|rows| batch.add_rows(rows, &sp)) {
                Ok(_) => {}
                Err(why) => problem.set(Some(format!("{}: {why}", f.name))),
            }
        });
    };
    let csv_hint = move || {
        spec.with(|s| {
            let ids: Vec<&str> = s.inputs.iter().map(|i| i.id.as_str()).collect();
            format!("One row per input, a column per input id ({}). A file input's column names a file added with “Files”.", ids.join(", "))
        })
    };
    let target = move || {
        let s = session.0.get_untracked()?;
        let at_once = at_once.get_untracked().trim().parse::<u32>().unwrap_or(core::AT_ONCE_DEFAULT);
        Some(BatchTarget { session: s, way: way.get_untracked(), plan: plan.get_value(), at_once })
    };
    let run_all = move |_| {
        let Some(t) = target() else { return };
        let sp = spec.get_untracked();
        let base = values.now(&sp);
        batch.start(t, sp, base);
    };
    let retry = move |_| {
        let Some(t) = target() else { return };
        let sp = spec.get_untracked();
        let base = values.now(&sp);
        batch.retry_failed(t, sp, base);
    };

    let statuses = Memo::new(move |_| batch.items.with(|v| core::counts(v.iter().map(|i| i.state.with(|s| s.status)))));
    let count = move |s: Status| statuses.with(|c| c.get(&s).copied().unwrap_or(0));
    let total = move || statuses.with(|c| c.values().sum::<usize>());
    let runnable = move || batch.items.with(|v| v.iter().any(Item::can_start));
    let line = move || {
        let (done, failed, total) = (count(Status::Done), count(Status::Failed), total());
        let finished = done + failed + count(Status::NotSent);
        let elapsed = (batch.now.get() - batch.started.get()) / 1000.0;
        let left = if batch.busy() { seconds_left(elapsed, finished, total) } else { None };
        progress_line(done, failed, total, left)
    };
    let rows = Memo::new(move |_| {
        let mut v: Vec<Item> = batch.items.with(|v| v.iter().filter(|i| filter.get().is_none_or(|f| i.state.with(|s| s.status) == f)).cloned().collect());
        match sort.get() {
            SortBy::Input => v.sort_by(|a, b| a.name.cmp(&b.name).then(a.index.cmp(&b.index))),
            SortBy::Status => v.sort_by_key(|i| (i.state.with(|s| s.status), i.index)),
            SortBy::Time => v.sort_by(|a, b| {
                let t = |i: &Item| i.state.with(|s| s.seconds.unwrap_or(f64::INFINITY));
                t(b).total_cmp(&t(a)).then(a.index.cmp(&b.index))
            }),
        }
        v
    });
    let visible = move || rows.with(|r| r.iter().take(shown_rows.get()).cloned().collect::<Vec<_>>());
    let hidden_rows = move || rows.with(Vec::len).saturating_sub(shown_rows.get());

    let download_results = move |_| {
        zipping.set(Some("Building the ZIP…".into()));
        spawn_local(async move {
            let progress = move |n: usize, of: usize| {
                let _ = zipping.try_set(Some(format!("Building the ZIP: {n} of {of} outputs…")));
            };
            match batch.results_zip(progress).await {
                Ok(blob) => {
                    crate::browser::download_blob(&blob, "batch-results.zip");
                    let _ = zipping.try_set(None);
                }
                Err(why) => {
                    let _ = zipping.try_set(None);
                    let _ = problem.try_set(Some(why));
                }
            }
        });
    };
    let download_summary = move |_| {
        let rows = batch.summary_rows();
        if summary_json.get_untracked() {
            crate::browser::download(core::summary_json(&rows).as_bytes(), "application/json", "batch-summary.json");
        } else {
            crate::browser::download(core::summary_csv(&rows).as_bytes(), "text/csv", "batch-summary.csv");
        }
    };
    // A drop may hold folders: walk them (the entries are taken now, while
    // the event lasts); a browser without entries gives the files alone.
    let on_drop = move |e: ev::DragEvent| {
        e.prevent_default();
        hover.set(false);
        let Some(dt) = e.data_transfer() else { return };
        match crate::browser::dropped_entries(&dt) {
            Some(entries) if !entries.is_empty() => spawn_local(async move {
                let (files, unread) = crate::browser::files_of_entries(entries, core::MAX_ITEMS + 1).await;
                add(files);
                if unread > 0 {
                    let _ = problem.try_set(Some(format!("{unread} of the dropped files or folders could not be read; add them with Files or Folder.")));
                }
            }),
            _ => add(all_files(dt.files())),
        }
    };
    let picked = move |e: ev::Event| {
        let input = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            add(all_files(input.files()));
            input.set_value("");
        }
    };
    let accept = move || spec.with(|s| s.inputs.first().map(|i| i.accept_attr()).unwrap_or_default());
    let async_label = move || match plan.get_value() {
        Some(p) => format!(" Asynchronously (upload to {}/{}, a job per file)", p.input_bucket, p.input_prefix),
        None => " Asynchronously (POST /job per input)".into(),
    };

    view! {
        <div class="batch">
            <section class="panel" aria-labelledby="batch-inputs-title">
                <div class="panel__head"><h2 id="batch-inputs-title">"Inputs"</h2></div>
                <p class="field__hint">"Each input runs through the service with the other fields of the Single tab as they are set there."</p>
                <div class="file-drop" class:file-drop--hover=move || hover.get()
                    on:dragover=move |e: ev::DragEvent| { e.prevent_default(); hover.set(true); }
                    on:dragleave=move |_| hover.set(false)
                    on:drop=on_drop>
                    <div class="batch__pickers">
                        <div>
                            <label class="field__label" for="batch-files">"Files"</label>
                            <input id="batch-files" class="file-drop__input" type="file" multiple accept=accept on:change=picked/>
                        </div>
                        <div>
                            <label class="field__label" for="batch-folder">"Folder"</label>
                            <input id="batch-folder" class="file-drop__input" type="file" multiple node_ref=folder on:change=picked/>
                        </div>
                    </div>
                    <p class="field__hint">"Or drop files or folders here."</p>
                    <label class="checkbox">
                        <input type="checkbox" prop:checked=move || unpack.get() on:change:target=move |e| unpack.set(e.target().checked())/>
                        " Unpack ZIP files into one input per entry"
                    </label>
                </div>
                <Show when=move || spec.with(|s| s.inputs.len() > 1)>
                    <label class="field__label" for="batch-csv">"Inputs from a CSV"</label>
                    <input id="batch-csv" class="file-drop__input" type="file" accept=".csv,.tsv,text/csv,text/tab-separated-values" on:change=add_csv/>
                    <p class="field__hint">{csv_hint}</p>
                </Show>
                <Show when=move || spec.with(takes_lines).is_some()>
                    <label class="field__label" for="batch-lines">"One input per line"</label>
                    <textarea id="batch-lines" class="field__input field__input--area" rows="5"
                        placeholder=move || if spec.with(takes_lines) == Some(true) { "One JSON object per line (JSONL)" } else { "One input per line" }
                        prop:value=move || lines.get() on:input:target=move |e| lines.set(e.target().value())></textarea>
                    <div class="button-row">
                        <button type="button" class="button button--secondary" on:click=add_lines>"Add lines"</button>
                    </div>
                </Show>
                {move || problem.get().map(|p| view! { <p class="alert alert--error" role="alert">{p}</p> })}
                <fieldset class="mode-switch">
                    <legend class="field__label">"Run"</legend>
                    <Show when=move || can_sync.get()>
                        <label class="mode-switch__option">
                            <input type="radio" name="batch-mode" value="sync" prop:checked=move || way.get() == Way::Sync
                                on:change=move |_| way.set(Way::Sync)/>
                            " Synchronously (POST /run per input)"
                        </label>
                    </Show>
                    <Show when=move || can_async.get() && (has_bucket || modes.asynchronous)>
                        <label class="mode-switch__option">
                            <input type="radio" name="batch-mode" value="async" prop:checked=move || way.get() != Way::Sync
                                on:change=move |_| way.set(if has_bucket { Way::Bucket } else { Way::Job })/>
                            {async_label}
                        </label>
                    </Show>
                </fieldset>
                <Show when=move || way.get() == Way::Sync>
                    <div class="field field--inline">
                        <label class="field__label" for="batch-at-once">"At once"</label>
                        <input id="batch-at-once" class="field__input field__input--number" type="number" min="1" max=core::AT_ONCE_MAX.to_string()
                            prop:value=move || at_once.get() on:input:target=move |e| at_once.set(e.target().value())/>
                        <span class="field__hint">"requests in flight; a busy cluster slows this down"</span>
                    </div>
                </Show>
                <div class="button-row">
                    <button type="button" class="button button--primary" disabled=move || batch.running.get() || !runnable() on:click=run_all>"Run all"</button>
                    <Show when=move || batch.busy()>
                        <button type="button" class="button button--secondary" on:click=move |_| batch.cancel_remaining()>"Cancel remaining"</button>
                    </Show>
                    <Show when=move || { !batch.running.get() && count(Status::Failed) > 0 }>
                        <button type="button" class="button button--secondary" on:click=retry>"Retry failed"</button>
                    </Show>
                    <Show when=move || { !batch.busy() && total() > 0 }>
                        <button type="button" class="button button--ghost" on:click=move |_| { opened.set(None); batch.clear(); }>"Clear"</button>
                    </Show>
                </div>
            </section>
            <section class="panel batch__results" aria-labelledby="batch-results-title" aria-busy=move || batch.busy().to_string()>
                <div class="panel__head"><h2 id="batch-results-title">"Results"</h2></div>
                {move || batch.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
                <Show when=move || { total() > 0 } fallback=|| view! { <p class="empty-state empty-state--panel">"Add files or lines, then press “Run all”."</p> }>
                    <div class="batch__progress">
                        <progress class="run-status__bar" max=move || total().max(1) value=move || count(Status::Done) + count(Status::Failed) + count(Status::NotSent)
                            aria-label="Batch progress"></progress>
                        <p class="batch__line" role="status" aria-live="polite">{line}</p>
                    </div>
                    <div class="batch__tools">
                        <label class="field__label" for="batch-filter">"Show"</label>
                        <select id="batch-filter" class="field__input field__input--select"
                            on:change:target=move |e| filter.set(Status::ALL.into_iter().find(|s| s.label() == e.target().value()))>
                            <option value="all">"All"</option>
                            {Status::ALL.into_iter().map(|s| view! { <option value=s.label()>{move || format!("{} ({})", s.label(), count(s))}</option> }).collect_view()}
                        </select>
                        <button type="button" class="button button--secondary" disabled=move || count(Status::Done) == 0 || zipping.get().is_some()
                            on:click=download_results>"Download results"</button>
                        <button type="button" class="button button--secondary" on:click=download_summary>"Download summary"</button>
                        <label class="checkbox">
                            <input type="checkbox" prop:checked=move || summary_json.get() on:change:target=move |e| summary_json.set(e.target().checked())/>
                            " as JSON"
                        </label>
                    </div>
                    {move || zipping.get().map(|z| view! { <p class="field__hint" role="status">{z}</p> })}
                    <div class="table-scroll" tabindex="0">
                        <table class="batch-table">
                            <thead>
                                <tr>
                                    <SortHeader label="Input" by=SortBy::Input sort/>
                                    <th scope="col">"Size"</th>
                                    <SortHeader label="Status" by=SortBy::Status sort/>
                                    <SortHeader label="Time" by=SortBy::Time sort/>
                                    <th scope="col">"Output"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=visible key=|i| i.index children=move |item| view! { <BatchRow item batch opened/> }/>
                            </tbody>
                        </table>
                    </div>
                    <Show when=move || { hidden_rows() > 0 }>
                        <button type="button" class="button button--ghost" on:click=move |_| shown_rows.update(|n| *n += core::ROWS_SHOWN)>
                            {move || format!("Show {} more rows ({} not shown)", hidden_rows().min(core::ROWS_SHOWN), hidden_rows())}
                        </button>
                    </Show>
                </Show>
                {move || opened.get().map(|index| view! { <OpenedItem batch index hint on_close=Callback::new(move |()| opened.set(None))/> })}
            </section>
        </div>
    }
}

#[component]
fn SortHeader(label: &'static str, by: SortBy, sort: RwSignal<SortBy>) -> impl IntoView {
    view! {
        <th scope="col" aria-sort=move || match (sort.get() == by, by) {
            (false, _) => "none",
            // The longest first.
            (true, SortBy::Time) => "descending",
            (true, _) => "ascending",
        }>
            <button type="button" class="batch-table__sort" on:click=move |_| sort.set(by)>{label}</button>
        </th>
    }
}

#[component]
fn BatchRow(item: Item, batch: Batch, opened: RwSignal<Option<usize>>) -> impl IntoView {
    let state = item.state;
    let index = item.index;
    let status = move || state.with(|s| s.status);
    let status_text = move || {
        state.with(|s| match s.status {
            Status::Uploading if s.sent > 0.0 && s.sent < 1.0 => format!("uploading {:.0}%", s.sent * 100.0),
            st => st.label().to_string(),
        })
    };
    let time = move || state.with(|s| s.seconds.map(|t| format!("{t:.1} s")).unwrap_or_default());
    let output = move || {
        state.with(|s| match (&s.error, &s.summary) {
            (Some(e), _) if s.status != Status::Done => e.clone(),
            (_, Some(sum)) => sum.line.clone(),
            _ if s.status == Status::Done => "…".into(),
            _ => String::new(),
        })
    };
    let out_thumb = move || state.with(|s| s.thumb.clone());
    let can_open = move || state.with(|s| s.status == Status::Done || s.logs.is_some() || s.error.is_some());
    let removable = move || !matches!(status(), Status::Uploading | Status::Waiting);
    let name = item.name.clone();
    view! {
        <tr class="batch-row" class:batch-row--failed=move || status() == Status::Failed data-index=index.to_string()>
            <td><div class="batch-row__input">
                {item.thumb.clone().map(|u| view! { <img class="batch-row__thumb" src=u alt="" loading="lazy" width="40" height="40"/> })}
                <span><span class="batch-row__name">{item.name.clone()}</span>
                {item.preview.clone().map(|p| view! { <span class="field__hint batch-row__preview">{p}</span> })}</span>
            </div></td>
            <td>{human_size(item.size)}</td>
            <td><span class="badge batch-status" class:badge--sync=move || status() == Status::Done class:badge--danger=move || status() == Status::Failed>{status_text}</span></td>
            <td class="batch-row__time">{time}</td>
            <td><div class="batch-row__output">
                {move || out_thumb().map(|u| view! { <img class="batch-row__thumb" src=u alt="Output thumbnail" width="40" height="40"/> })}
                <span class="batch-row__summary">{output}</span>
            </div></td>
            <td class="batch-row__actions">
                <Show when=can_open>
                    <button type="button" class="button button--ghost button--small" aria-label=format!("Open the output of {name}")
                        on:click=move |_| opened.set(Some(index))>"Open"</button>
                </Show>
                <Show when=move || removable() && !batch.running.get()>
                    <button type="button" class="button button--ghost button--small" aria-label=format!("Remove {}", item.name)
                        on:click=move |_| batch.remove(index)>"Remove"</button>
                </Show>
            </td>
        </tr>
    }
}

/// The full output of one row, with its job's logs.
#[component]
fn OpenedItem(batch: Batch, index: usize, hint: Signal<Option<OutputSpec>>, on_close: Callback<()>) -> impl IntoView {
    let item = batch.items.with_untracked(|v| v.iter().find(|i| i.index == index).cloned());
    let Some(item) = item else { return ().into_any() };
    let shown = RwSignal::new(None::<Result<Option<Shown>, String>>);
    spawn_local(async move {
        let got = batch.open(index).await;
        let _ = shown.try_set(Some(got));
    });
    let state = item.state;
    view! {
        <section class="batch-opened" aria-label=format!("Output of {}", item.name)>
            <div class="panel__head">
                <h3>{format!("Output of {}", item.name)}</h3>
                <button type="button" class="button button--ghost" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
            {move || state.with(|s| s.error.clone()).filter(|_| state.with(|s| s.status != Status::Done)).map(|e| view! { <p class="alert alert--error" role="alert">{e}</p> })}
            {move || match shown.get() {
                None => view! { <p class="loading" aria-busy="true">"Fetching the output…"</p> }.into_any(),
                Some(Ok(Some(s))) => view! { <OutputBody shown=s id=format!("batch-{index}") hint=hint.get_untracked()/> }.into_any(),
                Some(Ok(None)) => ().into_any(),
                Some(Err(why)) => view! { <p class="alert alert--error" role="alert">{why}</p> }.into_any(),
            }}
            {move || state.with(|s| s.logs.clone()).map(|l| view! {
                <details class="logs" open=move || state.with(|s| s.status == Status::Failed)>
                    <summary>"Logs"</summary>
                    <pre class="logs__text">{l}</pre>
                </details>
            })}
        </section>
    }
    .into_any()
}

/// The files of a ZIP, as inputs; each entry leaves wasm memory as a blob.
async fn unpack_zip(file: &FileValue) -> Result<Vec<FileValue>, String> {
    if file.size > UNPACK_CAP {
        return Err(format!("it is over {}; unpack it and add its files instead", human_size(UNPACK_CAP)));
    }
    let bytes = read_blob(file.data.blob()).await?;
    let entries = zip::list(&bytes).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for entry in entries.iter().filter(|e| !e.is_dir && !e.name.starts_with("__MACOSX/") && !e.file_name().starts_with('.')) {
        let data = zip::read(&bytes, entry, zip::ENTRY_CAP).map_err(|e| format!("{}: {e}", entry.name))?;
        let mime = sniff(&data).mime();
        if let Some(f) = bytes_file(entry.file_name(), mime, &data) {
            out.push(f);
        }
    }
    Ok(out)
}
