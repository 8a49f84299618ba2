use crate::context::use_base;
use crate::routes;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// Shows its children only to a logged-in user; anyone else goes to the login
/// page, which brings them back here afterwards (deep links survive login).
#[component]
pub fn Guard(
    /// The protected page.
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let base = use_base();
    // Only logging in or out re-renders the page, not a change of credentials
    // (a re-login keeps what the user entered).
    let logged_in = Memo::new(move |_| session.is_logged_in());
    move || {
        if logged_in.get() {
            children().into_any()
        } else {
            let pathname = location.pathname.get_untracked();
            let here = format!("{}{}", routes::strip_base(&pathname, &base.0), location.search.get_untracked());
            view! { <Redirect path=routes::login_then(&here)/> }.into_any()
        }
    }
}
