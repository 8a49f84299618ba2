use crate::context::use_base;
use crate::interface::ServiceCard;
use crate::routes;
use leptos::prelude::*;

/// One service in the list: name (a link to its page), image, resources,
/// how it can be invoked, and its owner and visibility when known.
#[component]
pub fn ServiceCardView(
    /// The card model from the pure core.
    card: ServiceCard,
) -> impl IntoView {
    let href = use_base().href(&routes::service(&card.name));
    let modes = card.modes;
    let dash = |s: &str| if s.is_empty() { "—".to_string() } else { s.to_string() };
    view! {
        <li class="service-card">
            <div class="service-card__head">
                <h2 class="service-card__name"><a class="service-card__link" href=href
                    on:pointerenter=|_| crate::lazy::prefetch_run_page() on:focus=|_| crate::lazy::prefetch_run_page()>{card.name.clone()}</a></h2>
                <span class="badge" class:badge--sync=modes.sync class:badge--async=modes.asynchronous
                      class:badge--muted=!(modes.sync || modes.asynchronous) title=modes.describe()>
                    {modes.label()}
                </span>
            </div>
            <p class="service-card__image" title=card.image.clone()>{dash(&card.image)}</p>
            <dl class="facts-row">
                <div><dt>"CPU"</dt><dd>{dash(&card.cpu)}</dd></div>
                <div><dt>"Memory"</dt><dd>{dash(&card.memory)}</dd></div>
                {card.gpu.then(|| view! { <div><dt>"GPU"</dt><dd>"yes"</dd></div> })}
                {(!card.owner.is_empty()).then(|| view! { <div><dt>"Owner"</dt><dd class="service-card__owner">{card.owner.clone()}</dd></div> })}
                {(!card.visibility.is_empty()).then(|| view! { <div><dt>"Visibility"</dt><dd>{card.visibility.clone()}</dd></div> })}
            </dl>
        </li>
    }
}
