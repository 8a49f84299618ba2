//! The one form of every run page: a labelled control per input of the
//! interface spec (detected or declared), its values, and its examples.

use crate::components::inputs::{label_of, InputControl};
use crate::components::outputs::{OutputBody, Shown};
use crate::interface::payload::Values;
use crate::interface::spec::{Example, Expected, FieldKind, InputSpec, Spec, Value};
use crate::interface::InputValue;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// The form's values: one signal per input id and kind, made the first
/// time the form asks for it and kept as long as the page. A spec that
/// changes (an edit, another "Input type") finds what was given before.
#[derive(Clone, Copy)]
pub struct FormValues {
    map: StoredValue<BTreeMap<(String, FieldKind), RwSignal<InputValue>>>,
    /// The page's owner: the signals outlive the views that show them.
    owner: StoredValue<Owner>,
}

impl FormValues {
    /// No values yet; owned by the current owner.
    pub fn new() -> Self {
        let owner = Owner::current().unwrap_or_default();
        Self { map: StoredValue::new(BTreeMap::new()), owner: StoredValue::new(owner) }
    }

    /// The signal of an input, starting from the spec's default.
    pub fn of(&self, input: &InputSpec) -> RwSignal<InputValue> {
        let key = (input.id.clone(), input.kind);
        if let Some(s) = self.map.with_value(|m| m.get(&key).copied()) {
            return s;
        }
        let start = match input.default_value() {
            Some(Value::Text(t)) => InputValue::Text(t),
            Some(Value::Number(n)) => InputValue::Text(n.to_string()),
            Some(Value::Boolean(b)) => InputValue::Text(b.to_string()),
            Some(Value::Json(j)) => InputValue::Text(serde_json::to_string_pretty(&j).unwrap_or_default()),
            Some(Value::Bytes(_)) | None => InputValue::Empty,
        };
        let signal = self.owner.with_value(|o| o.with(|| RwSignal::new(start)));
        self.map.update_value(|m| {
            m.insert(key, signal);
        });
        signal
    }

    /// The values of the spec's inputs, read with tracking (for previews).
    pub fn tracked(&self, spec: &Spec) -> Values {
        spec.inputs.iter().map(|i| (i.id.clone(), self.of(i).get())).collect()
    }

    /// The values of the spec's inputs now (for a run).
    pub fn now(&self, spec: &Spec) -> Values {
        spec.inputs.iter().map(|i| (i.id.clone(), self.of(i).get_untracked())).collect()
    }
}

impl Default for FormValues {
    fn default() -> Self {
        Self::new()
    }
}

/// Every input of the spec, each with its description.
#[component]
pub fn SpecForm(
    /// The interface spec.
    spec: Spec,
    /// Its values.
    values: FormValues,
) -> impl IntoView {
    // A paste goes to the first input that takes images or any file.
    let paste_to = spec.inputs.iter().position(|i| matches!(i.kind, FieldKind::Image | FieldKind::File));
    spec.inputs
        .into_iter()
        .enumerate()
        .map(|(n, input)| {
            let value = values.of(&input);
            let description = (!input.description.is_empty()).then(|| view! { <p class="field__hint">{input.description.clone()}</p> });
            let paste = paste_to == Some(n);
            view! { <div class="field"><InputControl input value paste/>{description}</div> }
        })
        .collect_view()
}

/// The spec's examples: one click fills the inputs (fetching file examples
/// from URLs relative to the app), shows what the example should give, and runs.
#[component]
pub fn SpecExamples(
    /// The interface spec.
    spec: Spec,
    /// Its values, to fill.
    values: FormValues,
    /// Runs the service once the values are filled.
    on_run: Callback<()>,
    /// Where the chosen example's expected output goes.
    expected: RwSignal<Option<Expected>>,
) -> impl IntoView {
    if spec.examples.is_empty() {
        return ().into_any();
    }
    let error = RwSignal::new(None::<String>);
    let base = crate::context::use_base().0;
    let spec = StoredValue::new(spec);
    let examples = spec.with_value(|s| s.examples.clone());
    view! {
        <div class="examples">
            <h3 class="examples__title">"Examples"</h3>
            <div class="button-row">
                {examples.into_iter().enumerate().map(|(i, example)| {
                    let base = base.clone();
                    let label = if example.label.is_empty() { format!("Example {}", i + 1) } else { example.label.clone() };
                    view! {
                        <button type="button" class="button button--secondary example" on:click=move |_| {
                            let (example, base) = (example.clone(), base.clone());
                            error.set(None);
                            // Shown from the moment it is chosen, and kept beside the real output.
                            expected.set(example.expected.clone());
                            spawn_local(async move {
                                match fill(&spec.get_value(), values, &example, &base).await {
                                    Ok(()) => on_run.run(()),
                                    Err(e) => error.set(Some(e)),
                                }
                            });
                        }>{label}</button>
                    }
                }).collect_view()}
            </div>
            {move || error.get().map(|e| view! { <p class="field__error" role="alert">{e}</p> })}
        </div>
    }
    .into_any()
}

/// Puts an example's values into the inputs.
async fn fill(spec: &Spec, values: FormValues, example: &Example, base: &str) -> Result<(), String> {
    for (id, value) in &example.inputs {
        let Some(input) = spec.input(id) else { continue };
        let filled = if input.kind.is_file() {
            let url = value.as_str().ok_or(format!("The example for “{}” should be a URL.", label_of(input)))?;
            let bytes = crate::net::site::fetch_bytes(&crate::net::site::beside_app(base, url))
                .await
                .ok_or(format!("The example file {url} could not be loaded."))?;
            let name = url.rsplit('/').next().unwrap_or(url);
            let mime = crate::oscar::decode::sniff(&bytes).mime();
            match input.kind {
                // A table example goes into the grid.
                FieldKind::Table => InputValue::Text(String::from_utf8_lossy(&bytes).into_owned()),
                _ => InputValue::File(crate::browser::bytes_file(name, mime, &bytes).ok_or("The browser could not keep the example file.")?),
            }
        } else {
            InputValue::Text(match value {
                serde_json::Value::String(s) => s.clone(),
                other if input.kind == FieldKind::Json => serde_json::to_string_pretty(other).unwrap_or_default(),
                other => other.to_string(),
            })
        };
        values.of(input).set(filled);
    }
    Ok(())
}

/// What an example is expected to give, marked "expected".
#[component]
pub fn ExpectedOutput(
    /// The example's expectation.
    expected: Expected,
) -> impl IntoView {
    let base = crate::context::use_base().0;
    let loaded = RwSignal::new(None::<Shown>);
    if let Some(url) = expected.url.clone() {
        spawn_local(async move {
            if let Some(bytes) = crate::net::site::fetch_bytes(&crate::net::site::beside_app(&base, &url)).await {
                let name = url.rsplit('/').next().unwrap_or(&url).to_string();
                let _ = loaded.try_set(Some(Shown { name, bytes: bytes.into() }));
            }
        });
    }
    let text = expected.text.clone();
    view! {
        <section class="expected" aria-label="Expected output">
            <p class="expected__head"><span class="badge badge--muted">"expected"</span>" What this example should give:"</p>
            {text.map(|t| view! { <pre class="expected__text" tabindex="0" aria-label="Expected output text">{t}</pre> })}
            {move || loaded.get().map(|s| view! { <OutputBody shown=s id="expected"/> })}
        </section>
    }
}
