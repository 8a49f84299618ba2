use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

/// An ARIA tab list: one button per `(stem, label)`, with the id
/// `tab-button-<stem>` and controlling the panel `tab-<stem>`. The arrow
/// keys move between the tabs, Home and End go to the ends.
#[component]
pub fn TabList(label: &'static str, tabs: &'static [(&'static str, &'static str)], selected: RwSignal<usize>) -> impl IntoView {
    let count = tabs.len();
    let on_key = move |e: KeyboardEvent| {
        let now = selected.get_untracked();
        let next = match e.key().as_str() {
            "ArrowRight" => Some((now + 1) % count),
            "ArrowLeft" => Some((now + count - 1) % count),
            "Home" => Some(0),
            "End" => Some(count - 1),
            _ => None,
        };
        if let Some(t) = next {
            e.prevent_default();
            selected.set(t);
            let Some((stem, _)) = tabs.get(t) else { return };
            let found = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&format!("tab-button-{stem}")));
            if let Some(Ok(el)) = found.map(wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>) {
                let _ = el.focus();
            }
        }
    };
    view! {
        <div class="tabs" role="tablist" aria-label=label on:keydown=on_key>
            {tabs.iter().enumerate().map(|(i, (stem, text))| view! {
                <button type="button" role="tab" id=format!("tab-button-{stem}") class="tabs__tab" aria-controls=format!("tab-{stem}")
                    aria-selected=move || (selected.get() == i).to_string() tabindex=move || if selected.get() == i { "0" } else { "-1" }
                    on:click=move |_| selected.set(i)>{*text}</button>
            }).collect_view()}
        </div>
    }
}
