//! The root: providers, the router (with a base found at run time, so the
//! same build works at `/` and under `/ui/`), and the routes.

use crate::components::{provide_relogin, AppHeader, Guard, ReloginDialog};
use crate::context::{AppBase, Site};
use crate::oscar::siteconfig::SiteConfig;
use crate::lazy::{self, LazyPage};
use crate::pages::{LoginPage, NotFound, ServicesPage};
use crate::routes;
use crate::session::provide_session;
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

/// Whether the app shows one service for an embedding page (no header).
fn embed_mode(pathname: &str, search: &str) -> bool {
    routes::strip_base(pathname, &routes::detect_base(pathname)).starts_with("/embed/")
        || search.trim_start_matches('?').split('&').any(|p| p == "embed=1")
}

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    let pathname = window().location().pathname().unwrap_or_default();
    let search = window().location().search().unwrap_or_default();
    let base = routes::detect_base(&pathname);
    let embedded = embed_mode(&pathname, &search);
    // A share link's inputs wait for the service's page, through a login if need be.
    let hash = window().location().hash().unwrap_or_default();
    if hash.starts_with(crate::interface::share::PREFIX) {
        if let Some(name) = routes::strip_base(&pathname, &base).strip_prefix("/services/").filter(|n| !n.is_empty() && !n.contains('/')) {
            crate::session::store::save_shared(name, &hash);
        }
    }
    provide_context(AppBase(base.clone()));
    provide_session();
    provide_relogin();
    let site = Site {
        config: RwSignal::new(SiteConfig::default()),
        warning: RwSignal::new(None),
        interfaces: RwSignal::new(None),
        interfaces_asked: StoredValue::new(false),
        loaded: RwSignal::new(false),
    };
    provide_context(site);
    {
        let base = base.clone();
        leptos::task::spawn_local(async move {
            let (config, warning) = crate::net::site::load_site_config(&base).await;
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                doc.set_title(&config.title);
            }
            site.config.set(config);
            site.warning.set(warning);
            site.loaded.set(true);
        });
    }
    view! {
        <Router base=base>
            <a class="skip-link" href="#main">"Skip to content"</a>
            {(!embedded).then(|| view! { <AppHeader/> })}
            {move || site.warning.get().map(|w| view! {
                <p class="site-warning" role="status">{w}</p>
            })}
            <main id="main" class="app-main" class:app-main--embed=embedded tabindex="-1">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=|| view! { <Redirect path=routes::SERVICES/> }/>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/services") view=|| view! { <Guard><ServicesPage/></Guard> }/>
                    <Route path=path!("/services/:name") view=|| view! { <Guard><LazyPage load=lazy::service_page/></Guard> }/>
                    <Route path=path!("/services/:name/jobs") view=|| view! { <Guard><LazyPage load=lazy::jobs_page/></Guard> }/>
                    <Route path=path!("/workflows") view=|| view! { <Guard><LazyPage load=lazy::workflows_page/></Guard> }/>
                    <Route path=path!("/workflows/:name") view=|| view! { <Guard><LazyPage load=lazy::workflow_page/></Guard> }/>
                    <Route path=path!("/embed/services/:name") view=|| view! { <LazyPage load=lazy::embed_page/> }/>
                </Routes>
            </main>
            <ReloginDialog/>
        </Router>
    }
}
