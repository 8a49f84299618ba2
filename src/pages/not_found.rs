use crate::context::use_base;
use crate::routes;
use leptos::prelude::*;

/// Any unknown path.
#[component]
pub fn NotFound() -> impl IntoView {
    let href = use_base().href(routes::SERVICES);
    view! {
        <section class="page page--narrow empty-state">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have been mistyped, or the link is out of date."</p>
            <a class="button button--primary" href=href>"Go to the services"</a>
        </section>
    }
}
