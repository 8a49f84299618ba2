//! Pages that load on demand. The release build (`--features split`, done by
//! `scripts/build-wasm.sh`) cuts the run page, the embed page and the jobs
//! page into wasm chunks of their own, fetched when a route first needs them,
//! so the first load carries only the shell, login and the service list.
//! Without the feature (debug builds, `trunk serve`, the wasm tests) the same
//! functions are plain calls.
//!
//! Each split point returns the page's constructor, a plain `fn`, so the view
//! is built in the page's reactive owner like any other route. A chunk that
//! does not arrive (the network went away, a new deploy removed it) shows a
//! message with "Reload" and "Try again", never a panic.

use crate::pages;
use leptos::prelude::*;

/// A page's constructor, from its chunk.
pub type PageFn = fn() -> AnyView;

/// A chunk could not be fetched or instantiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkError;

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError
    }
}

/// Declares a split point: the chunk `$chunk` holds `$page` and whatever only
/// it uses. `$load` fetches the chunk (once) and gives the constructor.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $load:ident, $split:ident, $chunk:ident, $preload:ident, $page:expr) => {
        #[cfg_attr(
            feature = "split",
            leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible, preload($preload))
        )]
        fn $split() -> Result<PageFn, ChunkError> {
            Ok(|| $page.into_any())
        }

        $(#[$doc])*
        pub async fn $load() -> Result<PageFn, ChunkError> {
            #[cfg(feature = "split")]
            return $split().await;
            #[cfg(not(feature = "split"))]
            return $split();
        }
    };
}

lazy_page!(
    /// The run page (`/services/:name`); the embed page shares its chunk.
    service_page, service_split, run_page, preload_run_page, view! { <pages::ServicePage/> }
);
lazy_page!(
    /// The embed page (`/embed/services/:name`), in the run page's chunk.
    embed_page, embed_split, run_page, preload_embed_page, view! { <pages::EmbedPage/> }
);
lazy_page!(
    /// The run page's Batch tab, loaded when it first shows.
    batch_panel, batch_split, batch_panel, preload_batch_panel, view! { <pages::BatchTab/> }
);
lazy_page!(
    /// The run page's History tab, loaded when it first shows.
    history_panel, history_split, history_panel, preload_history_panel, view! { <pages::HistoryTab/> }
);
lazy_page!(
    /// "Use via API" on the run page, loaded when it is first opened.
    api_snippets, api_split, api_snippets, preload_api_snippets, view! { <pages::ApiTab/> }
);
lazy_page!(
    /// The workflows page (`/workflows`).
    workflows_page, workflows_split, workflows_page, preload_workflows_page, view! { <pages::WorkflowsPage/> }
);
lazy_page!(
    /// One workflow's page (`/workflows/:name`), in the workflows chunk.
    workflow_page, workflow_split, workflows_page, preload_workflow_page, view! { <pages::WorkflowPage/> }
);
lazy_page!(
    /// The jobs page (`/services/:name/jobs`).
    jobs_page, jobs_split, jobs_page, preload_jobs_page, view! { <pages::JobsPage/> }
);

/// Starts fetching the run page's chunk (a service link was pointed at), so
/// that the click finds it there. Does nothing without the split.
pub fn prefetch_run_page() {
    #[cfg(feature = "split")]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        static ASKED: AtomicBool = AtomicBool::new(false);
        if !ASKED.swap(true, Ordering::Relaxed) {
            leptos::task::spawn_local(async {
                // A failed fetch may be asked again; the route retries anyway.
                if preload_run_page().await.is_err() {
                    ASKED.store(false, Ordering::Relaxed);
                }
            });
        }
    }
}

/// The page that `load` gives, with a loading line until its chunk is there,
/// and a way out if it never comes.
#[component]
pub fn LazyPage<F, Fut>(load: F) -> impl IntoView
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<PageFn, ChunkError>> + 'static,
{
    let state = RwSignal::new(None::<Result<PageFn, ChunkError>>);
    let fetch = move || {
        state.set(None);
        leptos::task::spawn_local(async move {
            let got = load().await;
            let _ = state.try_set(Some(got));
        });
    };
    fetch();
    move || match state.get() {
        Some(Ok(page)) => page(),
        Some(Err(ChunkError)) => view! {
            <div class="alert alert--error chunk-error" role="alert">
                <p class="alert__message">
                    "This part of Visor could not be loaded: the network may be down, or a new version of Visor was deployed. "
                    "Reload the page to get the current version, or try again when you are back online."
                </p>
                <div class="button-row">
                    <button type="button" class="button" on:click=|_| reload()>"Reload"</button>
                    <button type="button" class="button button--secondary" on:click=move |_| fetch()>"Try again"</button>
                </div>
            </div>
        }
        .into_any(),
        None => view! { <p class="loading" aria-busy="true">"Loading…"</p> }.into_any(),
    }
}

fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}
