use crate::context::use_base;
use crate::components::outputs::{OutputBody, Shown};
use crate::components::ApiErrorAlert;
use crate::interface::AsyncPlan;
use crate::net::storage::{delete_job, delete_jobs, job_list, job_logs, StorageClient};
use crate::net;
use crate::oscar::jobs::{Job, JobStatus};
use crate::oscar::s3::ObjectInfo;
use crate::oscar::ApiError;
use crate::routes;
use crate::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use std::sync::Arc;

/// Outputs written this long after a job finished still count as its own.
const OUTPUT_SLACK_SECS: i64 = 30;

use crate::browser::local_time as when;

/// `/services/:name/jobs`: the service's jobs, newest first, with logs,
/// outputs and deletion.
#[component]
pub fn JobsPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let name = params.with_untracked(|p| p.get("name").unwrap_or_default());
    let jobs = RwSignal::new(Vec::<Job>::new());
    let next_page = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let confirm = RwSignal::new(None::<bool>); // Some(all)
    let generation = RwSignal::new(0u32);

    let load = {
        let name = name.clone();
        move |page: Option<String>| {
            let Some(s) = session.0.get_untracked() else { return };
            let name = name.clone();
            loading.set(true);
            spawn_local(async move {
                match job_list(&s, &name, page.as_deref()).await {
                    Ok(p) => {
                        let append = page.is_some();
                        let _ = jobs.try_update(|j| if append { j.extend(p.jobs) } else { *j = p.jobs });
                        let _ = next_page.try_set(p.next_page);
                        let _ = error.try_set(None);
                    }
                    Err(e) => { let _ = error.try_set(Some(e)); }
                }
                let _ = loading.try_set(false);
            });
        }
    };
    let load = StoredValue::new_local(load);
    load.with_value(|l| l(None));

    let remove_many = {
        let name = name.clone();
        move |all: bool| {
            let Some(s) = session.0.get_untracked() else { return };
            let name = name.clone();
            confirm.set(None);
            spawn_local(async move {
                match delete_jobs(&s, &name, all).await {
                    Ok(()) => load.with_value(|l| l(None)),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let remove_many = StoredValue::new_local(remove_many);

    // The service, for its output bucket (to find a job's outputs).
    let plan = LocalResource::new({
        let name = name.clone();
        move || {
            let (current, name) = (session.get(), name.clone());
            async move {
                let s = current?;
                let service = net::get_service(&s, &name).await.ok()?;
                AsyncPlan::for_service(&service, &s.config).map(|p| (s, p))
            }
        }
    });

    let back = use_base().href(&routes::service(&name));
    let title = format!("Jobs of {name}");
    let service_name = StoredValue::new(name);
    view! {
        <section class="page">
            <nav class="breadcrumb" aria-label="Breadcrumb"><a href=back>{service_name.get_value()}</a></nav>
            <div class="page__head">
                <h1>{title}</h1>
                <div class="button-row">
                    <button type="button" class="button button--ghost" on:click=move |_| { generation.update(|g| *g += 1); load.with_value(|l| l(None)); }>"Refresh"</button>
                    <button type="button" class="button button--ghost" on:click=move |_| confirm.set(Some(false))>"Delete finished"</button>
                    <button type="button" class="button button--ghost" on:click=move |_| confirm.set(Some(true))>"Delete all"</button>
                </div>
            </div>
            {move || confirm.get().map(|all| view! {
                <div class="notice confirm" role="alertdialog" aria-labelledby="confirm-text">
                    <p id="confirm-text">{if all {
                        "Delete ALL jobs of this service, including running ones, and their logs? This cannot be undone."
                    } else {
                        "Delete the finished (succeeded) jobs of this service and their logs? This cannot be undone."
                    }}</p>
                    <div class="button-row">
                        <button type="button" class="button button--danger" on:click=move |_| remove_many.with_value(|r| r(all))>"Delete"</button>
                        <button type="button" class="button button--secondary" on:click=move |_| confirm.set(None)>"Keep them"</button>
                    </div>
                </div>
            })}
            {move || error.get().map(|e| view! { <ApiErrorAlert error=e retry=Callback::new(move |()| load.with_value(|l| l(None)))/> })}
            <p class="service-count" role="status" aria-live="polite" aria-busy=move || loading.get().to_string()>
                {move || if loading.get() { "Loading jobs…".to_string() } else {
                    let n = jobs.with(Vec::len);
                    if n == 1 { "1 job".to_string() } else { format!("{n} jobs") }
                }}
            </p>
            <Show when=move || !loading.get() && jobs.with(Vec::is_empty) && error.with(Option::is_none)>
                <div class="empty-state">"This service has no jobs. Run it asynchronously to start one."</div>
            </Show>
            <ul class="job-list">
                <For each=move || jobs.get() key=|j| (j.name.clone(), j.status) let:job>
                    <JobRow job service=service_name.get_value() plan on_deleted=Callback::new(move |name: String| jobs.update(|j| j.retain(|x| x.name != name)))/>
                </For>
            </ul>
            <Show when=move || next_page.with(Option::is_some)>
                <button type="button" class="button button--secondary" on:click=move |_| load.with_value(|l| l(next_page.get_untracked()))>"Load more"</button>
            </Show>
        </section>
    }
}

/// One job: status and times; its logs, outputs and deletion on demand.
#[component]
fn JobRow(
    /// The job.
    job: Job,
    /// The service it belongs to.
    service: String,
    /// The service's session and buckets, once known.
    plan: LocalResource<Option<(crate::session::Session, AsyncPlan)>>,
    /// Called with the job's name after it was deleted.
    on_deleted: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let logs = RwSignal::new(None::<Result<String, String>>);
    let outputs = RwSignal::new(None::<Result<Vec<ObjectInfo>, String>>);
    let shown = RwSignal::new(None::<Shown>);
    let name = job.name.clone();
    let failed = job.status == JobStatus::Failed;
    let show_logs = {
        let (service, name) = (service.clone(), name.clone());
        move |_| {
            if logs.with_untracked(Option::is_some) {
                logs.set(None);
                return;
            }
            let Some(s) = session.0.get_untracked() else { return };
            let (service, name) = (service.clone(), name.clone());
            spawn_local(async move {
                let r = job_logs(&s, &service, &name).await.map_err(|e| e.to_string());
                let _ = logs.try_set(Some(r));
            });
        }
    };
    let remove = {
        let (service, name) = (service.clone(), name.clone());
        move |_| {
            let Some(s) = session.0.get_untracked() else { return };
            let (service, name) = (service.clone(), name.clone());
            spawn_local(async move {
                match delete_job(&s, &service, &name).await {
                    Ok(()) => on_deleted.run(name),
                    Err(e) => { let _ = logs.try_set(Some(Err(e.to_string()))); }
                }
            });
        }
    };
    let (from, to) = (job.start_unix.or(job.creation_unix), job.finish_unix);
    let find_outputs = move |_| {
        let Some(Some((s, plan))) = plan.get_untracked() else {
            outputs.set(Some(Err("This service has no output bucket to look in.".into())));
            return;
        };
        let Some((bucket, prefix)) = plan.output.clone() else {
            outputs.set(Some(Err("This service writes no output to a bucket.".into())));
            return;
        };
        spawn_local(async move {
            let client = StorageClient::new(s, plan);
            let r = client.list(&bucket, &prefix).await.map(|objs| {
                objs.into_iter()
                    .filter(|o| !o.key.ends_with('/'))
                    .filter(|o| match (o.last_modified_unix, from) {
                        (Some(t), Some(f)) => t >= f - 2 && to.is_none_or(|end| t <= end + OUTPUT_SLACK_SECS),
                        _ => false,
                    })
                    .collect::<Vec<_>>()
            });
            let _ = outputs.try_set(Some(r.map_err(|e| e.to_string())));
        });
    };
    let open = move |key: String| {
        let Some(Some((s, plan))) = plan.get_untracked() else { return };
        let Some((bucket, _)) = plan.output.clone() else { return };
        spawn_local(async move {
            let client = StorageClient::new(s, plan);
            match client.get(&bucket, &key, |_, _| {}).await {
                Ok(bytes) => {
                    let name = key.rsplit('/').next().unwrap_or(&key).to_string();
                    let _ = shown.try_set(Some(Shown { name, bytes: Arc::from(bytes) }));
                }
                Err(e) => { let _ = outputs.try_set(Some(Err(e.to_string()))); }
            }
        });
    };
    let row_id = format!("job-{}", job.name);
    view! {
        <li class="job-row" class:job-row--failed=failed>
            <div class="job-row__head">
                <span class="badge" class:badge--sync=job.status == JobStatus::Succeeded class:badge--danger=failed>{job.status.label()}</span>
                <span class="job-row__name mono">{job.name.clone()}</span>
            </div>
            <dl class="facts-row">
                <div><dt>"Created"</dt><dd>{when(job.creation_unix)}</dd></div>
                <div><dt>"Started"</dt><dd>{when(job.start_unix)}</dd></div>
                <div><dt>"Finished"</dt><dd>{when(job.finish_unix)}</dd></div>
            </dl>
            <div class="button-row">
                <button type="button" class="button button--ghost" aria-expanded=move || logs.with(Option::is_some).to_string() on:click=show_logs>"Logs"</button>
                <button type="button" class="button button--ghost" on:click=find_outputs>"Outputs"</button>
                <button type="button" class="button button--ghost" on:click=remove>"Delete"</button>
            </div>
            {move || logs.get().map(|r| match r {
                Ok(text) => view! { <pre class="logs__text" aria-label=format!("Logs of {}", name.clone())>{text}</pre> }.into_any(),
                Err(e) => view! { <p class="field__error" role="alert">{e}</p> }.into_any(),
            })}
            {move || outputs.get().map(|r| match r {
                Ok(list) if list.is_empty() => view! { <p class="field__hint">"No output of this job was found in the output bucket."</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="output-files">
                        {list.into_iter().map(|o| {
                            let key = o.key.clone();
                            let label = o.key.rsplit('/').next().unwrap_or(&o.key).to_string();
                            view! { <li><button type="button" class="button button--ghost" on:click=move |_| open(key.clone())>{label}</button></li> }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(e) => view! { <p class="field__error" role="alert">{e}</p> }.into_any(),
            })}
            {move || shown.get().map(|s| view! { <OutputBody shown=s id=row_id.clone()/> })}
        </li>
    }
}
