use crate::context::use_base;
use crate::interface::ServiceCard;
use crate::routes;
use leptos::prelude::*;

/// One service in the list: name (a link to its page), image, resources,
/// how it can be invoked, and its owner and visibility when known. The inside
/// is the core's escaped markup (`ServiceCard::markup`), set in one go; the
/// router follows its link like any other. Pointing at the card or focusing
/// its link starts fetching the run page's chunk.
#[component]
pub fn ServiceCardView(
    /// The card model from the pure core.
    card: ServiceCard,
) -> impl IntoView {
    let href = use_base().href(&routes::service(&card.name));
    view! {
        <li class="service-card" inner_html=card.markup(&href)
            on:pointerover=|_| crate::lazy::prefetch_run_page() on:focusin=|_| crate::lazy::prefetch_run_page()></li>
    }
}
