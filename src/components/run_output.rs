use crate::components::outputs::OutputBody;
use crate::components::ApiErrorAlert;
use crate::interface::spec::OutputSpec;
use crate::oscar::decode::human_size;
use crate::oscar::jobs::{Job, JobStatus};
use crate::run::{How, Phase, Run};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The output side of a run: where it is, its job, its error, its output
/// and its logs. It only renders the run's phases and result.
#[component]
pub fn RunOutput(
    /// The run to show.
    run: Run,
    /// The service, for "Stop" in the long-wait prompt.
    #[prop(into)]
    service: String,
    /// What the interface spec says about the output, if anything.
    #[prop(into)]
    hint: Signal<Option<OutputSpec>>,
    /// Runs again, for errors that offer "Retry".
    retry: Callback<()>,
) -> impl IntoView {
    let service = StoredValue::new(service);
    let elapsed = move || format!("{:.1} s", run.elapsed());
    view! {
        {move || run.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        // Built once per run and updated in place: upload progress fires often.
        <Show when=move || run.running()>
            <div class="run-status" role="status">
                <span class="run-status__what">{move || status_line(run.phase.get(), run.how.get())}</span>
                <span class="run-status__elapsed">{elapsed}</span>
                <progress class="run-status__bar" max=move || bar(run.phase.get()).1 value=move || bar(run.phase.get()).0
                    aria-label=move || bar_label(run.phase.get())></progress>
            </div>
        </Show>
        {move || run.job.get().map(|j| view! {
            <p class="job-line" role="status">
                <span class="badge" class:badge--sync=j.status == JobStatus::Succeeded class:badge--danger=j.status == JobStatus::Failed>{j.status.label()}</span>
                " "{job_line(&j, run.now.get() / 1000.0)}
            </p>
        })}
        <Show when=move || run.long_wait.get() && run.running()>
            <div class="notice" role="alert">
                <p>"This is taking a while. The job may be queued or slow; nothing is lost if you keep waiting."</p>
                <div class="button-row">
                    <button type="button" class="button button--secondary" on:click=move |_| run.keep_waiting()>"Keep waiting"</button>
                    <button type="button" class="button button--ghost" on:click=move |_| service.with_value(|s| run.cancel(s))>"Stop"</button>
                </div>
            </div>
        </Show>
        {move || run.error.get().map(|e| view! { <ApiErrorAlert error=e retry/> })}
        {move || {
            let outputs = run.outputs.get();
            (outputs.len() > 1).then(|| view! {
                <ul class="output-files" aria-label="Outputs of this run">
                    {outputs.into_iter().map(|o| {
                        let key = o.key.clone();
                        let name = o.key.rsplit('/').next().unwrap_or(&o.key).to_string();
                        view! {
                            <li><button type="button" class="button button--ghost"
                                on:click=move |_| { let key = key.clone(); spawn_local(async move { run.open(key).await }); }>
                                {format!("{name} ({})", human_size(o.size))}
                            </button></li>
                        }
                    }).collect_view()}
                </ul>
            })
        }}
        {move || run.outcome.get().map(|o| view! {
            <p class="run-caption">{format!("Finished in {:.1} s · {}", o.seconds, o.input_summary)}</p>
            {o.shown.clone().map(|s| view! { <OutputBody shown=s id="output" hint=hint.get_untracked()/> })}
        })}
        {move || {
            let lines = run.logs.get();
            (!lines.is_empty()).then(|| view! { <Logs lines open=run.error.with(Option::is_some)/> })
        }}
    }
}

/// The progress bar's value and maximum; no value: an indeterminate bar.
fn bar(phase: Phase) -> (Option<f64>, f64) {
    match phase {
        Phase::Encoding { done } => (Some(done), 1.0),
        Phase::Uploading { sent, total } => (Some(sent), total.max(1.0)),
        Phase::Downloading { got, total } if total > 0.0 => (Some(got), total),
        _ => (None, 1.0),
    }
}

fn bar_label(phase: Phase) -> &'static str {
    match phase {
        Phase::Encoding { .. } => "Encoding",
        Phase::Uploading { .. } => "Upload",
        Phase::Downloading { .. } => "Download",
        _ => "Waiting",
    }
}

/// What the run is doing, in words.
fn status_line(phase: Phase, how: How) -> String {
    match (phase, how) {
        (Phase::Preparing, _) => "Preparing the input…".into(),
        (Phase::Encoding { .. }, _) => "Encoding the input…".into(),
        (Phase::Uploading { sent, total }, _) => format!("Uploading {} of {}…", human_size(sent as u64), human_size(total as u64)),
        (Phase::Waiting, How::Sync) => "Waiting for the service…".into(),
        (Phase::Waiting, How::Async) => "Waiting for the job and its output…".into(),
        (Phase::Downloading { got, .. }, _) => format!("Downloading the output ({})…", human_size(got as u64)),
        (Phase::Idle | Phase::Done | Phase::Failed | Phase::Stopped, _) => String::new(),
    }
}

fn job_line(job: &Job, now_secs: f64) -> String {
    let from = job.start_unix.or(job.creation_unix);
    let to = job.finish_unix.map(|t| t as f64).unwrap_or(now_secs);
    let elapsed = from.map(|f| format!(" · {:.0} s", (to - f as f64).max(0.0))).unwrap_or_default();
    format!("Job {} · {}{elapsed}", job.name, job.status.label())
}

/// A run's log lines: the last `LOG_TAIL_LINES` (where errors are), with
/// "Show all" and a download of the whole log.
#[component]
fn Logs(lines: Vec<String>, open: bool) -> impl IntoView {
    use crate::interface::outputs::{tail, LOG_TAIL_LINES};
    let all = RwSignal::new(false);
    let count = lines.len();
    let lines = StoredValue::new(lines);
    let text = move || {
        lines.with_value(|l| if all.get() { l.join("\n") } else { tail(l, LOG_TAIL_LINES).0.join("\n") })
    };
    let download = move |_| {
        let whole = lines.with_value(|l| l.join("\n"));
        crate::browser::download(whole.as_bytes(), "text/plain", "logs.txt");
    };
    view! {
        <details class="logs" open=open>
            <summary>{format!("Logs ({count} lines)")}</summary>
            {move || (!all.get() && count > LOG_TAIL_LINES).then(|| view! {
                <p class="notice" role="status">
                    {format!("Showing the last {LOG_TAIL_LINES} of {count} lines. ")}
                    <button type="button" class="button button--ghost" on:click=move |_| all.set(true)>"Show all"</button>
                    <button type="button" class="button button--ghost" on:click=download>"Download the log"</button>
                </p>
            })}
            <pre class="logs__text">{text}</pre>
        </details>
    }
}
