//! The inputs of a declared interface spec: one labelled control per input
//! (text, textarea, select, number, slider, checkbox, JSON, or a file).

use crate::components::inputs::{preview_url, FileDrop, FileFacts};
use crate::interface::spec::{Control, FieldKind, InputSpec, Spec, Value};
use crate::interface::InputValue;
use crate::oscar::invoke::validate_json;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// One value signal per spec input, by id.
#[derive(Clone, Copy)]
pub struct SpecValues(StoredValue<BTreeMap<String, RwSignal<InputValue>>>);

impl SpecValues {
    /// Values starting from the spec's defaults.
    pub fn new(spec: &Spec) -> Self {
        let defaults = spec.default_values();
        let map = spec
            .inputs
            .iter()
            .map(|input| {
                let start = match defaults.get(&input.id) {
                    Some(Value::Text(t)) => InputValue::Text(t.clone()),
                    Some(Value::Number(n)) => InputValue::Text(n.to_string()),
                    Some(Value::Boolean(b)) => InputValue::Text(b.to_string()),
                    Some(Value::Json(j)) => InputValue::Text(serde_json::to_string_pretty(j).unwrap_or_default()),
                    _ => InputValue::Empty,
                };
                (input.id.clone(), RwSignal::new(start))
            })
            .collect();
        Self(StoredValue::new(map))
    }

    /// The signal of one input.
    pub fn of(&self, id: &str) -> Option<RwSignal<InputValue>> {
        self.0.with_value(|m| m.get(id).copied())
    }

    /// The filled values, typed for the spec (what `render_body` takes).
    pub fn collect(&self, spec: &Spec) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        for input in &spec.inputs {
            let Some(signal) = self.of(&input.id) else { continue };
            let value = signal.with_untracked(|v| match (input.kind, v) {
                (_, InputValue::Empty) => None,
                (FieldKind::Boolean, InputValue::Text(t)) => Some(Value::Boolean(t == "true")),
                (_, InputValue::Text(t)) | (_, InputValue::Json(t)) | (_, InputValue::Table(t)) if t.is_empty() => None,
                (_, InputValue::Text(t)) | (_, InputValue::Json(t)) => Some(Value::Text(t.clone())),
                (_, InputValue::Table(t)) => Some(Value::Bytes(t.as_bytes().to_vec())),
                (_, InputValue::File { bytes, .. }) => Some(Value::Bytes(bytes.to_vec())),
            });
            if let Some(v) = value {
                out.insert(input.id.clone(), v);
            }
        }
        out
    }

    /// The first file among the inputs, to name an async upload after it.
    pub fn first_file(&self, spec: &Spec) -> Option<(String, String)> {
        spec.inputs.iter().find_map(|i| {
            self.of(&i.id)?.with_untracked(|v| match v {
                InputValue::File { name, mime, .. } => Some((name.clone(), mime.clone())),
                _ => None,
            })
        })
    }
}

/// Every input of the spec.
#[component]
pub fn SpecInputs(
    /// The interface spec.
    spec: Spec,
    /// Its values.
    values: SpecValues,
) -> impl IntoView {
    spec.inputs
        .into_iter()
        .filter_map(|input| values.of(&input.id).map(|value| view! { <SpecField input value/> }))
        .collect_view()
}

/// One input of a spec, with its label and description.
#[component]
fn SpecField(
    /// The input's spec.
    input: InputSpec,
    /// Its value.
    value: RwSignal<InputValue>,
) -> impl IntoView {
    let id = format!("spec-{}", input.id);
    let label = if input.label.is_empty() { input.id.clone() } else { input.label.clone() };
    let hint_id = format!("{id}-hint");
    let description = (!input.description.is_empty()).then(|| view! { <p id=hint_id.clone() class="field__hint">{input.description.clone()}</p> });
    let text = move || value.with(|v| match v { InputValue::Text(t) => t.clone(), _ => String::new() });
    let set = move |t: String| value.set(InputValue::Text(t));
    if input.kind.is_file() {
        let url = preview_url(value);
        let kind = input.kind;
        return view! {
            <div class="field">
                <FileDrop id=id label accept=leak(input.accept_attr()) value/>
                {description}
                {move || url.get().map(|u| match kind {
                    FieldKind::Image => view! { <img class="media-preview media-preview--image" src=u.as_str().to_string() alt="Preview of the chosen image"/> }.into_any(),
                    FieldKind::Audio => view! { <audio class="media-preview" controls=true src=u.as_str().to_string() aria-label="Preview of the chosen audio"></audio> }.into_any(),
                    FieldKind::Video => view! { <video class="media-preview" controls=true src=u.as_str().to_string() aria-label="Preview of the chosen video"></video> }.into_any(),
                    _ => ().into_any(),
                })}
                <FileFacts value/>
            </div>
        }
        .into_any();
    }
    let control = match (input.kind, input.control) {
        (FieldKind::Boolean, _) => view! {
            <label class="checkbox" for=id.clone()>
                <input id=id.clone() type="checkbox" prop:checked=move || text() == "true"
                    on:change:target=move |e| set(e.target().checked().to_string())/>
                " "{label.clone()}
            </label>
        }
        .into_any(),
        (_, Control::Select) => view! {
            <label class="field__label" for=id.clone()>{label.clone()}</label>
            <select id=id.clone() class="field__input" on:change:target=move |e| set(e.target().value())>
                {input.options.iter().map(|o| {
                    let (shown, val, chosen) = (o.clone(), o.clone(), o.clone());
                    view! { <option value=val selected=move || text() == chosen>{shown}</option> }
                }).collect_view()}
            </select>
        }
        .into_any(),
        (_, Control::Slider) => view! {
            <label class="field__label" for=id.clone()>{label.clone()}" "<output class="slider-value">{text}</output></label>
            <input id=id.clone() class="slider" type="range" min=input.min.unwrap_or(0.0) max=input.max.unwrap_or(1.0)
                step=input.step.map(|s| s.to_string()).unwrap_or_else(|| "any".into())
                prop:value=text on:input:target=move |e| set(e.target().value())/>
        }
        .into_any(),
        (_, Control::Number) => view! {
            <label class="field__label" for=id.clone()>{label.clone()}</label>
            // Committed on change: rewriting a number field while it is typed
            // into ("2." is not a number yet) would garble it.
            <input id=id.clone() class="field__input" type="number" min=input.min max=input.max
                step=input.step.map(|s| s.to_string()).unwrap_or_else(|| "any".into())
                prop:value=text on:change:target=move |e| set(e.target().value())/>
        }
        .into_any(),
        (FieldKind::Json, _) => {
            let problem = Memo::new(move |_| {
                value.with(|v| match v {
                    InputValue::Text(t) if !t.trim().is_empty() => validate_json(t).err().map(|p| p.to_string()),
                    _ => None,
                })
            });
            view! {
                <label class="field__label" for=id.clone()>{label.clone()}</label>
                <textarea id=id.clone() class="field__input field__input--area mono" rows="6" spellcheck="false"
                    aria-invalid=move || problem.with(Option::is_some).to_string()
                    prop:value=text on:input:target=move |e| set(e.target().value())></textarea>
                {move || problem.get().map(|p| view! { <p class="field__error" role="status">{p}</p> })}
            }
            .into_any()
        }
        (_, Control::Textarea) => view! {
            <label class="field__label" for=id.clone()>{label.clone()}</label>
            <textarea id=id.clone() class="field__input field__input--area" rows="4"
                prop:value=text on:input:target=move |e| set(e.target().value())></textarea>
        }
        .into_any(),
        _ => view! {
            <label class="field__label" for=id.clone()>{label.clone()}</label>
            <input id=id.clone() class="field__input" type="text" prop:value=text on:input:target=move |e| set(e.target().value())/>
        }
        .into_any(),
    };
    view! { <div class="field">{control}{description}</div> }.into_any()
}

/// `FileDrop` takes a static `accept`; spec accept lists are few and small.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Above this many bytes of files, the preview describes the body instead
/// of rendering it: rendering copies the files and base64-encodes them for a
/// template, which must not happen on every keystroke.
const RENDER_PREVIEW_LIMIT: usize = 256 * 1024;

impl SpecValues {
    /// A one-line description of what a run would send. Reading the values
    /// tracks them, so the line follows every change.
    pub fn preview(&self, spec: &Spec) -> String {
        let signals: Vec<(&InputSpec, RwSignal<InputValue>)> =
            spec.inputs.iter().filter_map(|i| self.of(&i.id).map(|s| (i, s))).collect();
        let file_bytes: usize = signals
            .iter()
            .map(|(_, s)| s.with(|v| match v {
                InputValue::File { bytes, .. } => bytes.len(),
                InputValue::Table(t) => t.len(),
                _ => 0,
            }))
            .sum();
        if file_bytes <= RENDER_PREVIEW_LIMIT {
            return payload(spec, *self).map(|v| v.preview()).unwrap_or_else(|why| why);
        }
        let missing = signals.iter().find(|(i, s)| i.required && s.with(|v| matches!(v, InputValue::Empty)));
        if let Some((input, _)) = missing {
            let label = if input.label.is_empty() { &input.id } else { &input.label };
            return format!("Give “{label}” a value first.");
        }
        match spec.encoding {
            crate::interface::spec::Encoding::Base64 => signals
                .iter()
                .find_map(|(_, s)| s.with(|v| matches!(v, InputValue::File { .. } | InputValue::Table(_)).then(|| v.preview())))
                .unwrap_or_default(),
            _ => format!(
                "Sends a JSON object built from the interface, with its files in base64: about {}.",
                crate::oscar::decode::human_size(crate::oscar::invoke::base64_len(file_bytes) as u64)
            ),
        }
    }
}

/// What a declared spec sends, as the value the run machinery takes: the
/// rendered JSON body, or the bytes of its single base64 input.
pub fn payload(spec: &Spec, values: SpecValues) -> Result<InputValue, String> {
    use crate::interface::spec::{render_body, RenderedBody};
    match render_body(spec, &values.collect(spec)).map_err(|e| e.to_string())? {
        RenderedBody::Json(text) => Ok(InputValue::Json(text)),
        RenderedBody::Bytes(bytes) => {
            let (name, mime) = values.first_file(spec).unwrap_or_else(|| ("input.txt".into(), "text/plain".into()));
            Ok(InputValue::File { name, mime, bytes: bytes.into() })
        }
    }
}

/// The spec's examples: one click fills the inputs (fetching file examples
/// from URLs relative to the app) and runs.
#[component]
pub fn SpecExamples(
    /// The interface spec.
    spec: Spec,
    /// Its values, to fill.
    values: SpecValues,
    /// Runs the service once the values are filled.
    on_run: Callback<()>,
    /// Where the chosen example's expected output goes.
    expected: RwSignal<Option<crate::interface::spec::Expected>>,
) -> impl IntoView {
    if spec.examples.is_empty() {
        return ().into_any();
    }
    let error = RwSignal::new(None::<String>);
    let base = crate::app::use_base().0;
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
                            spawn_local(async move {
                                match fill(&spec.get_value(), values, &example, &base).await {
                                    Ok(()) => {
                                        expected.set(example.expected.clone());
                                        on_run.run(());
                                    }
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

use leptos::task::spawn_local;

/// Puts an example's values into the inputs.
async fn fill(spec: &Spec, values: SpecValues, example: &crate::interface::spec::Example, base: &str) -> Result<(), String> {
    for (id, value) in &example.inputs {
        let (Some(input), Some(signal)) = (spec.input(id), values.of(id)) else { continue };
        let filled = if input.kind.is_file() {
            let url = value.as_str().ok_or(format!("The example for “{id}” should be a URL."))?;
            let bytes = crate::net::site::fetch_bytes(&crate::net::site::beside_app(base, url))
                .await
                .ok_or(format!("The example file {url} could not be loaded."))?;
            let name = url.rsplit('/').next().unwrap_or(url).to_string();
            let mime = crate::oscar::decode::sniff(&bytes).mime().to_string();
            InputValue::File { name, mime, bytes: bytes.into() }
        } else {
            InputValue::Text(match value {
                serde_json::Value::String(s) => s.clone(),
                other if input.kind == FieldKind::Json => serde_json::to_string_pretty(other).unwrap_or_default(),
                other => other.to_string(),
            })
        };
        signal.set(filled);
    }
    Ok(())
}

/// What an example is expected to give, shown before running, marked so.
#[component]
pub fn ExpectedOutput(
    /// The example's expectation.
    expected: crate::interface::spec::Expected,
) -> impl IntoView {
    let base = crate::app::use_base().0;
    let loaded = RwSignal::new(None::<crate::components::outputs::Shown>);
    if let Some(url) = expected.url.clone() {
        spawn_local(async move {
            if let Some(bytes) = crate::net::site::fetch_bytes(&crate::net::site::beside_app(&base, &url)).await {
                let name = url.rsplit('/').next().unwrap_or(&url).to_string();
                let _ = loaded.try_set(Some(crate::components::outputs::Shown { name, bytes: bytes.into() }));
            }
        });
    }
    let text = expected.text.clone();
    view! {
        <div class="expected">
            <p class="expected__head"><span class="badge badge--muted">"expected"</span>" What this example should give:"</p>
            {text.map(|t| view! { <pre class="output-text">{t}</pre> })}
            {move || loaded.get().map(|s| view! { <crate::components::outputs::OutputBody shown=s id="expected"/> })}
        </div>
    }
}
