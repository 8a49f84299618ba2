use crate::app::use_base;
use crate::components::ErrorAlert;
use crate::interface::Modes;
use crate::net;
use crate::oscar::{ApiError, Service};
use crate::routes;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/services/:name`: the service's page. This release shows what the
/// service is and how it can be invoked; running it comes with the run view.
#[component]
pub fn ServicePage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let name = move || params.with(|p| p.get("name").unwrap_or_default());
    let service = LocalResource::new(move || {
        let (current, name) = (session.get(), name());
        async move {
            let Some(s) = current else { return Err(ApiError::Unauthorized) };
            let service = net::get_service(&s, &name).await?;
            let modes = Modes::of(&service, &s.config);
            Ok::<_, ApiError>((service, modes))
        }
    });
    let back = use_base().href(routes::SERVICES);
    view! {
        <section class="page">
            <nav class="breadcrumb" aria-label="Breadcrumb"><a href=back>"Services"</a></nav>
            <h1 class="page__title">{name}</h1>
            {move || match service.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading the service…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorAlert message=e.to_string() action_label="Try again" on_action=Callback::new(move |()| service.refetch())/>
                }.into_any(),
                Some(Ok((s, modes))) => view! { <ServiceDetails service=s modes/> }.into_any(),
            }}
        </section>
    }
}

/// The facts about a service that matter when invoking it.
#[component]
fn ServiceDetails(service: Service, modes: Modes) -> impl IntoView {
    let paths = |ios: &[crate::oscar::service::StorageIo]| {
        ios.iter().map(|io| io.path.clone()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(", ")
    };
    let (inputs, outputs) = (paths(&service.input), paths(&service.output));
    let variables = service.environment.variables.keys().cloned().collect::<Vec<_>>().join(", ");
    view! {
        <p class="page__lead">{modes.describe()}</p>
        <dl class="facts">
            <div><dt>"Image"</dt><dd class="mono">{service.image.clone()}</dd></div>
            <div><dt>"CPU"</dt><dd>{service.cpu.clone()}</dd></div>
            <div><dt>"Memory"</dt><dd>{service.memory.clone()}</dd></div>
            <div><dt>"Invocation"</dt><dd>{modes.label()}</dd></div>
            {(!inputs.is_empty()).then(|| view! { <div><dt>"Input bucket"</dt><dd class="mono">{inputs}</dd></div> })}
            {(!outputs.is_empty()).then(|| view! { <div><dt>"Output bucket"</dt><dd class="mono">{outputs}</dd></div> })}
            {(!service.log_level.is_empty()).then(|| view! { <div><dt>"Log level"</dt><dd>{service.log_level.clone()}</dd></div> })}
            {(!variables.is_empty()).then(|| view! { <div><dt>"Environment"</dt><dd class="mono">{variables}</dd></div> })}
            {(!service.owner.is_empty()).then(|| view! { <div><dt>"Owner"</dt><dd>{service.owner.clone()}</dd></div> })}
            {(!service.visibility.is_empty()).then(|| view! { <div><dt>"Visibility"</dt><dd>{service.visibility.clone()}</dd></div> })}
        </dl>
    }
}
