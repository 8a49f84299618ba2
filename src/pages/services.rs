use crate::components::{ApiErrorAlert, ServiceCardView};
use crate::interface::listing::{window, LIST_PAGE};
use crate::interface::ServiceIndex;
use crate::net;
use crate::oscar::ApiError;
use crate::session::use_session;
use leptos::prelude::*;

/// The loaded list: the index, and entries that could not be read.
#[derive(Clone)]
struct Loaded {
    index: ServiceIndex,
    skipped: Vec<String>,
}

/// `/services`: every service of the cluster, with a filter and a count.
#[component]
pub fn ServicesPage() -> impl IntoView {
    let session = use_session();
    let list = LocalResource::new(move || {
        let current = session.get();
        async move {
            let Some(s) = current else { return Err(ApiError::Unauthorized) };
            let list = net::list_services(&s).await?;
            crate::browser::mark("visor:services-parsed");
            let index = ServiceIndex::new(&list.services, &s.config);
            crate::browser::mark("visor:services-indexed");
            Ok::<_, ApiError>(Loaded { index, skipped: list.skipped })
        }
    });
    let query = RwSignal::new(String::new());

    let retry = Callback::new(move |()| list.refetch());

    let body = move || match list.get() {
        None => view! { <p class="loading" aria-busy="true">"Loading services…"</p> }.into_any(),
        Some(Err(e)) => view! { <ApiErrorAlert error=e retry/> }.into_any(),
        Some(Ok(loaded)) => view! { <ServiceListing loaded query/> }.into_any(),
    };

    view! {
        <section class="page">
            <div class="page__head">
                <h1>"Services"</h1>
                <div class="filter">
                    <label class="field__label" for="service-filter">"Filter services"</label>
                    <input id="service-filter" class="field__input" type="search" placeholder="Name, image, owner, sync, async…"
                        autocomplete="off" spellcheck="false" bind:value=query/>
                </div>
            </div>
            <div aria-busy=move || list.get().is_none().to_string()>{body}</div>
        </section>
    }
}

/// The count, the notice about unreadable entries, and the cards: a page of
/// them at first, more as the end of the list scrolls into view (or on
/// "Show more"), and a fresh page on every change of the filter.
#[component]
fn ServiceListing(loaded: Loaded, query: RwSignal<String>) -> impl IntoView {
    let Loaded { index, skipped } = loaded;
    let index = StoredValue::new(index);
    let shown = Memo::new(move |_| index.with_value(|i| i.matching(&query.get())));
    let limit = RwSignal::new(LIST_PAGE);
    Effect::new(move |_| {
        query.track();
        limit.set(LIST_PAGE);
    });
    let visible = move || shown.with(|m| window(m, limit.get()).0.to_vec());
    let left = move || shown.with(|m| window(m, limit.get()).1);
    let count = move || index.with_value(|i| i.count_label(shown.with(Vec::len)));
    let total = index.with_value(|i| i.cards.len());
    let more = NodeRef::<leptos::html::Button>::new();
    load_more_on_sight(more, move || limit.update(|l| *l += LIST_PAGE));
    view! {
        <p class="service-count" role="status" aria-live="polite">{count}</p>
        {(!skipped.is_empty()).then(|| view! {
            <details class="notice">
                <summary>{format!("{} entries of the list could not be read and are not shown", skipped.len())}</summary>
                <ul>{skipped.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
            </details>
        })}
        <Show when=move || shown.with(Vec::is_empty)>
            <div class="empty-state">
                {move || if total == 0 {
                    "This cluster has no services yet. Deploy one with oscar-cli or the OSCAR dashboard, then reload.".to_string()
                } else {
                    format!("No service matches “{}”.", query.get().trim())
                }}
            </div>
        </Show>
        <ul class="service-grid">
            <For each=visible key=|i| *i let:i>
                {index.with_value(|x| x.cards.get(i).cloned()).map(|card| view! { <ServiceCardView card/> })}
            </For>
        </ul>
        <div class="list-more" class:list-more--hidden=move || left() == 0>
            <button type="button" class="button button--secondary" node_ref=more
                on:click=move |_| limit.update(|l| *l += LIST_PAGE)>
                {move || format!("Show more ({} not shown)", left())}
            </button>
        </div>
    }
}

/// Calls `load` whenever the element scrolls into view (an IntersectionObserver,
/// disconnected with the component).
fn load_more_on_sight(target: NodeRef<leptos::html::Button>, load: impl Fn() + 'static) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let seen = entries.iter().any(|e| e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
        if seen {
            load();
        }
    });
    let Ok(observer) = web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()) else { return };
    let observer = send_wrapper::SendWrapper::new(observer);
    let keep = send_wrapper::SendWrapper::new(callback);
    let watched = observer.clone();
    Effect::new(move |_| {
        if let Some(el) = target.get() {
            watched.observe(&el);
        }
    });
    on_cleanup(move || {
        observer.disconnect();
        drop(keep);
    });
}
