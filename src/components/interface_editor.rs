use crate::browser::{copy_text, first_file, read_text, ObjectUrl};
use crate::interface::spec::{parse_spec, to_fdl_annotation, to_json, Mode, Resolved, Source, Spec, MAX_SPEC_BYTES};
use crate::oscar::decode::human_size;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// The interface editor: the spec as a form and as JSON side by side. Every
/// valid change applies to the page at once (the page is the live preview)
/// and is kept in this browser; errors show inline with the field's path.
#[component]
pub fn InterfaceEditor(
    /// The interface in force.
    resolved: Memo<Resolved>,
    /// Called with the new spec JSON, or `None` to go back to the detected one.
    on_edit: Callback<Option<String>>,
) -> impl IntoView {
    let draft = RwSignal::new(resolved.with_untracked(|r| to_json(&r.spec)));
    let errors = RwSignal::new(Vec::<String>::new());
    let fdl = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);

    let apply_text = move |text: String| {
        draft.set(text.clone());
        match parse_spec(&text) {
            Ok(_) => {
                errors.set(Vec::new());
                on_edit.run(Some(text));
            }
            Err(problems) => errors.set(problems.iter().map(|p| p.to_string()).collect()),
        }
    };
    // Form edits change a copy of the spec in force, then go through JSON.
    let apply_spec = move |change: &dyn Fn(&mut Spec)| {
        let mut spec = resolved.with_untracked(|r| r.spec.clone());
        change(&mut spec);
        apply_text(to_json(&spec));
    };
    // A spec that changes from elsewhere ("Input type" on a detected page,
    // a reset) shows here; the user's own edit is left as typed.
    Effect::new(move |_| {
        let (source, json) = resolved.with(|r| (r.source, to_json(&r.spec)));
        if source != Source::UserEdit {
            draft.set(json);
        }
    });
    let reset = move |_| {
        on_edit.run(None);
        errors.set(Vec::new());
        draft.set(resolved.with_untracked(|r| to_json(&r.spec)));
    };
    let copy_fdl = move |_| {
        let yaml = resolved.with_untracked(|r| to_fdl_annotation(&r.spec));
        fdl.set(Some(yaml.clone()));
        spawn_local(async move { copied.set(copy_text(&yaml).await) });
    };
    let import = move |e: ev::Event| {
        let input = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = first_file(input.and_then(|i| i.files())) else { return };
        // Refused before it is read: a spec is at most MAX_SPEC_BYTES.
        if file.size() > MAX_SPEC_BYTES as f64 {
            errors.set(vec![format!(
                "{} is {}; a spec is at most {}. Pick the spec's JSON file.",
                file.name(),
                human_size(file.size() as u64),
                human_size(MAX_SPEC_BYTES as u64)
            )]);
            return;
        }
        spawn_local(async move {
            match read_text(&file).await {
                Ok(text) => apply_text(text),
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    let export_href = Memo::new(move |_| {
        draft.with(|d| ObjectUrl::new(d.as_bytes(), "application/json").map(std::sync::Arc::new))
    });

    view! {
        // Outside the collapsed editor: a broken spec must be seen.
            {move || resolved.with(|r| (!r.problems.is_empty()).then(|| view! {
                <div class="alert alert--error" role="alert">
                    <ul class="editor__problems">
                        {r.problems.iter().flat_map(|(source, errs)| errs.iter().map(move |e| view! {
                            <li>{format!("The spec from {} is broken and was skipped: {e}", source.label())}</li>
                        })).collect_view()}
                    </ul>
                </div>
            }))}
            {move || resolved.with(|r| {
                let notes = r.spec.notes();
                (!notes.is_empty()).then(|| view! {
                    <ul class="notice spec-notes" aria-label="About this interface">
                        {notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                    </ul>
                })
            })}
        <details class="panel editor">
            <summary class="editor__summary">
                <h2 class="editor__title">"Interface"</h2>
                <span class="editor__source">{move || format!("interface from: {}", resolved.with(|r| r.source.label()))}</span>
            </summary>
            <div class="editor__grid">
                <div class="editor__form">
                    <div class="field">
                        <label class="field__label" for="spec-title">"Title"</label>
                        <input id="spec-title" class="field__input" type="text"
                            prop:value=move || resolved.with(|r| r.spec.title.clone())
                            on:change:target=move |e| { let v = e.target().value(); apply_spec(&|s| s.title = v.clone()); }/>
                    </div>
                    <div class="field">
                        <label class="field__label" for="spec-description">"Description"</label>
                        <textarea id="spec-description" class="field__input" rows="2"
                            prop:value=move || resolved.with(|r| r.spec.description.clone())
                            on:change:target=move |e| { let v = e.target().value(); apply_spec(&|s| s.description = v.clone()); }></textarea>
                    </div>
                    <div class="field">
                        <label class="field__label" for="spec-mode">"Runs"</label>
                        <select id="spec-mode" class="field__input"
                            on:change:target=move |e| { if let Some(m) = Mode::from_id(&e.target().value()) { apply_spec(&|s| s.mode = m); } }>
                            {[Mode::Both, Mode::Sync, Mode::Async].into_iter().map(|m| view! {
                                <option value=m.id() selected=move || resolved.with(|r| r.spec.mode == m)>{m.id()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    {move || resolved.with(|r| r.spec.inputs.iter().enumerate().map(|(i, input)| {
                        let id = format!("spec-input-label-{i}");
                        let label = input.label.clone();
                        view! {
                            <div class="field">
                                <label class="field__label" for=id.clone()>{format!("Label of input “{}” ({})", input.id, input.kind.id())}</label>
                                <input id=id class="field__input" type="text" prop:value=label
                                    on:change:target=move |e| {
                                        let v = e.target().value();
                                        apply_spec(&|s| if let Some(inp) = s.inputs.get_mut(i) { inp.label = v.clone(); });
                                    }/>
                            </div>
                        }
                    }).collect_view())}
                </div>
                <div class="editor__json">
                    <label class="field__label" for="spec-json">"Interface spec (JSON)"</label>
                    <textarea id="spec-json" class="field__input field__input--area mono" rows="18" spellcheck="false"
                        aria-invalid=move || (!errors.with(Vec::is_empty)).to_string() aria-describedby="spec-json-status"
                        prop:value=move || draft.get() on:input:target=move |e| apply_text(e.target().value())></textarea>
                    <div id="spec-json-status" role="status">
                        {move || if errors.with(Vec::is_empty) {
                            view! { <p class="field__hint">"Valid: changes apply to the page above and are kept in this browser."</p> }.into_any()
                        } else {
                            view! { <ul class="field__error editor__errors">{errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul> }.into_any()
                        }}
                    </div>
                </div>
            </div>
            <div class="button-row">
                <button type="button" class="button button--secondary" on:click=copy_fdl>"Copy as FDL annotation"</button>
                <button type="button" class="button button--ghost" on:click=reset
                    disabled=move || resolved.with(|r| r.source != Source::UserEdit)>"Reset to detected"</button>
                {move || export_href.get().map(|u| view! {
                    <a class="button button--ghost" href=u.as_str().to_string() download="interface.json">"Export"</a>
                })}
                <label class="button button--ghost" for="spec-import">"Import"</label>
                <input id="spec-import" class="visually-hidden" type="file" accept=".json,application/json" on:change=import/>
            </div>
            {move || fdl.get().map(|y| view! {
                <p class="field__hint" role="status">{move || if copied.get() { "Copied. Paste it under the service in its FDL file:" } else { "Paste it under the service in its FDL file:" }}</p>
                <pre class="logs__text">{y}</pre>
            })}
        </details>
    }
}
