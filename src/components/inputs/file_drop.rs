use crate::browser::{file_value, first_file};
use crate::interface::InputValue;
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A file picker that also takes a drag-and-drop and (optionally) a paste
/// from the clipboard. The chosen file becomes the input's value as it is:
/// the browser keeps its bytes until a run sends them.
#[component]
pub fn FileDrop(
    /// The id of the file input (for its label).
    #[prop(into)]
    id: String,
    /// The visible label of the picker.
    #[prop(into)]
    label: String,
    /// The `accept` filter, e.g. `image/*`.
    #[prop(into)]
    accept: String,
    /// Whether a paste anywhere on the page is taken as the file.
    #[prop(optional)]
    paste: bool,
    /// Where the file goes.
    value: RwSignal<InputValue>,
) -> impl IntoView {
    let hover = RwSignal::new(false);
    let take = move |file: Option<web_sys::File>| {
        if let Some(file) = file {
            value.set(InputValue::File(file_value(file)));
        }
    };
    if paste {
        let handle = window_event_listener(ev::paste, move |e: web_sys::ClipboardEvent| {
            let file = first_file(e.clipboard_data().and_then(|d| d.files()));
            if file.is_some() {
                e.prevent_default();
                take(file);
            }
        });
        on_cleanup(move || handle.remove());
    }
    let hint = if paste { "Drop a file here, or paste one (Ctrl+V)." } else { "Drop a file here." };
    view! {
        <div class="file-drop" class:file-drop--hover=move || hover.get()
            on:dragover=move |e: ev::DragEvent| { e.prevent_default(); hover.set(true); }
            on:dragleave=move |_| hover.set(false)
            on:drop=move |e: ev::DragEvent| {
                e.prevent_default();
                hover.set(false);
                take(first_file(e.data_transfer().and_then(|d| d.files())));
            }>
            <label class="field__label" for=id.clone()>{label}</label>
            <input id=id class="file-drop__input" type="file" accept=accept
                on:change=move |e: ev::Event| {
                    let input = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
                    take(first_file(input.and_then(|i| i.files())));
                }/>
            <p class="field__hint">{hint}</p>
        </div>
    }
}
