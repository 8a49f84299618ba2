use crate::context::use_base;
use crate::routes;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// The top bar: the product name, and, when logged in, the cluster, the user
/// and "Log out".
#[component]
pub fn AppHeader() -> impl IntoView {
    let session = use_session();
    let base = use_base();
    let site = crate::context::use_site();
    let base_for_logo = base.0.clone();
    let navigate = use_navigate();
    let log_out = move |_| {
        session.log_out();
        navigate(routes::LOGIN, Default::default());
    };
    view! {
        <header class="app-header">
            <a class="app-header__brand" href=base.href(routes::SERVICES)>
                {move || match site.config.with(|c| c.logo.clone()) {
                    Some(logo) => view! { <img class="app-header__logo-img" src=crate::net::site::beside_app(&base_for_logo, &logo) alt=""/> }.into_any(),
                    None => view! { <span class="app-header__logo" aria-hidden="true">"◎"</span> }.into_any(),
                }}
                <span>{move || site.config.with(|c| c.title.clone())}</span>
            </a>
            {move || session.get().map(|s| {
                let log_out = log_out.clone();
                view! {
                    <nav class="app-header__nav" aria-label="Main">
                        <a href=base.href(routes::SERVICES)>"Services"</a>
                        <a href=base.href(routes::WORKFLOWS)>"Workflows"</a>
                    </nav>
                    <div class="app-header__session">
                        <span class="app-header__cluster" title=s.endpoint.to_string()>
                            <span class="app-header__cluster-name">{s.config.display_name().to_string()}</span>
                            <span class="app-header__endpoint">{s.endpoint.to_string()}</span>
                        </span>
                        <span class="app-header__user">{s.credentials.user_label()}</span>
                        <button type="button" class="button button--ghost" on:click=log_out>"Log out"</button>
                    </div>
                }
            })}
        </header>
    }
}
