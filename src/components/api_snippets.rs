use super::tabs::TabList;
use crate::interface::payload::Values;
use crate::interface::snippets::{self, Answer, Context, Login, Snippets, Way};
use crate::interface::spec::Spec;
use crate::interface::AsyncPlan;
use crate::oscar::Credentials;
use crate::run::{How, Run};
use crate::session::use_session;
use leptos::prelude::*;

const TABS: &[(&str, &str)] = &[("api-curl", "curl"), ("api-cli", "oscar-cli"), ("api-python", "Python")];

/// "Use via API": the run as the form stands, as a curl, oscar-cli or
/// Python script (in its own chunk, loaded when the section first opens).
#[component]
pub fn ApiSnippets(service: String, spec: Memo<Spec>, form: Memo<Values>, mode: RwSignal<How>, plan: Option<AsyncPlan>, run: Run) -> impl IntoView {
    let session = use_session();
    let tab = RwSignal::new(0usize);
    let copied = RwSignal::new(None::<(usize, bool)>);
    let made = Memo::new(move |_| -> Option<Result<Snippets, String>> {
        let (endpoint, login) = session.0.with(|s| {
            s.as_ref().map(|s| {
                let login = match &s.credentials {
                    Credentials::Basic { username, .. } => Login::Basic { user: username.clone() },
                    Credentials::Bearer { .. } => Login::Oidc,
                };
                (s.endpoint.to_string(), login)
            })
        })?;
        let way = match (mode.get(), &plan) {
            (How::Sync, _) => Way::Sync,
            (How::Async, Some(p)) => Way::Bucket(p.clone()),
            (How::Async, None) => Way::Job,
        };
        // After a sync run, the page knows whether the answer is a file.
        let answer = run.outcome.with(|o| match o {
            Some(o) if run.how.get() == How::Sync => match (&o.shown, o.base64) {
                (Some(shown), true) => Answer::File(shown.name.rsplit_once('.').map(|(_, e)| e.to_string()).unwrap_or_else(|| "bin".into())),
                (_, false) => Answer::Text,
                (None, true) => Answer::Unknown,
            },
            _ => Answer::Unknown,
        });
        Some(spec.with(|sp| {
            form.with(|values| snippets::snippets(&Context { endpoint: &endpoint, login, service: &service, spec: sp, values, way, answer }))
        }))
    });
    let copy = move |i: usize| {
        let text = made.with_untracked(|m| match m {
            Some(Ok(s)) => Some(match i {
                0 => s.curl.clone(),
                1 => s.cli.clone(),
                _ => s.python.clone(),
            }),
            _ => None,
        });
        let Some(text) = text else { return };
        leptos::task::spawn_local(async move {
            let done = crate::browser::copy_text(&text).await;
            let _ = copied.try_set(Some((i, done)));
        });
    };
    let panel = move |i: usize| {
        let (stem, label) = TABS[i];
        view! {
            <div id=format!("tab-{stem}") role="tabpanel" aria-labelledby=format!("tab-button-{stem}") hidden=move || tab.get() != i>
                {move || match made.get() {
                    Some(Ok(s)) => {
                        let text = match i { 0 => s.curl, 1 => s.cli, _ => s.python };
                        view! {
                            <div class="button-row">
                                <button type="button" class="button button--ghost" on:click=move |_| copy(i)
                                    aria-label=format!("Copy the {label} snippet")>
                                    {move || match copied.get() {
                                        Some((j, true)) if j == i => "Copied",
                                        Some((j, false)) if j == i => "Select the text to copy it",
                                        _ => "Copy",
                                    }}
                                </button>
                            </div>
                            <pre class="snippet" tabindex="0" aria-label=format!("{label} snippet")><code>{text}</code></pre>
                        }.into_any()
                    }
                    Some(Err(why)) => view! { <p class="notice" role="status">{format!("The snippets appear once the form can be sent: {why}")}</p> }.into_any(),
                    None => ().into_any(),
                }}
            </div>
        }
    };
    view! {
        <p class="field__hint">
                "These scripts send what Run sends, with the inputs as they are now. No secret is in them: they read "
                <code>"OSCAR_ENDPOINT"</code>", "<code>"OSCAR_USER"</code>", "<code>"OSCAR_PASSWORD"</code>" and "<code>"OSCAR_TOKEN"</code>
                " from the environment, and files by name from the folder they run in."
            </p>
            <TabList label="Snippet language" tabs=TABS selected=tab/>
            {panel(0)}
            {panel(1)}
            {panel(2)}
    }
}
