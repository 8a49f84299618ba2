//! The root: providers, the router (with a base found at run time, so the
//! same build works at `/` and under `/ui/`), and the routes.

use crate::components::{provide_relogin, AppHeader, Guard, ReloginDialog};
use crate::pages::{JobsPage, LoginPage, NotFound, ServicePage, ServicesPage};
use crate::routes;
use crate::session::provide_session;
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

/// The path prefix the app is served under (`""` at a domain root, `/ui`
/// under OSCAR). Plain links prepend it.
#[derive(Clone, Debug, Default)]
pub struct AppBase(pub String);

impl AppBase {
    /// The full href of an in-app path.
    pub fn href(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

/// The base of the current app, `""` when none was provided (tests).
pub fn use_base() -> AppBase {
    use_context::<AppBase>().unwrap_or_default()
}

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    let pathname = window().location().pathname().unwrap_or_default();
    let base = routes::detect_base(&pathname);
    provide_context(AppBase(base.clone()));
    provide_session();
    provide_relogin();
    view! {
        <Router base=base>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <AppHeader/>
            <main id="main" class="app-main" tabindex="-1">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=|| view! { <Redirect path=routes::SERVICES/> }/>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/services") view=|| view! { <Guard><ServicesPage/></Guard> }/>
                    <Route path=path!("/services/:name") view=|| view! { <Guard><ServicePage/></Guard> }/>
                    <Route path=path!("/services/:name/jobs") view=|| view! { <Guard><JobsPage/></Guard> }/>
                </Routes>
            </main>
            <ReloginDialog/>
        </Router>
    }
}
