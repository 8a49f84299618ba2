use crate::components::{ApiErrorAlert, ServiceCardView};
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
            Ok::<_, ApiError>(Loaded { index: ServiceIndex::new(&list.services, &s.config), skipped: list.skipped })
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

/// The count, the notice about unreadable entries, and the cards.
#[component]
fn ServiceListing(loaded: Loaded, query: RwSignal<String>) -> impl IntoView {
    let Loaded { index, skipped } = loaded;
    let index = StoredValue::new(index);
    let shown = Memo::new(move |_| index.with_value(|i| i.filter(&query.get())));
    let count = move || index.with_value(|i| i.count_label(shown.with(Vec::len)));
    let total = index.with_value(|i| i.cards.len());
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
            <For each=move || shown.get() key=|card| card.name.clone() let:card>
                <ServiceCardView card/>
            </For>
        </ul>
    }
}
