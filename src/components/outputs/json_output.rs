use super::Unshowable;
use crate::browser::copy_text;
use crate::interface::outputs::{json_tree_refusal, json_values, pointer_child, JSON_TREE_OPEN_CAP};
use crate::interface::spec::json_pointer;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// Children shown per object or array; big ones say how many are hidden.
const MAX_CHILDREN: usize = 500;

/// A collapsible JSON tree, with "Copy". A branch's children are put in the
/// page only once it is opened, so a huge tree costs what is shown of it.
#[component]
pub fn JsonOutput(
    /// The JSON bytes.
    bytes: Arc<[u8]>,
    /// The part worth showing (a JSON pointer from the interface spec).
    #[prop(default = None)]
    pointer: Option<String>,
) -> impl IntoView {
    if let Some(message) = json_tree_refusal(bytes.len()) {
        return view! { <Unshowable message/> }.into_any();
    }
    let Ok(whole) = serde_json::from_slice::<Value>(&bytes) else {
        return view! { <Unshowable message="This output is not valid JSON."/> }.into_any();
    };
    let value = match pointer.as_deref().map(|p| (p, json_pointer(&whole, p))) {
        Some((_, Some(part))) => part.clone(),
        Some((p, None)) => {
            return view! { <Unshowable message=format!("The output has nothing at {p}, the part the interface points to.")/> }.into_any();
        }
        None => whole,
    };
    let big = json_values(&value, JSON_TREE_OPEN_CAP) > JSON_TREE_OPEN_CAP;
    let root = Arc::new(value);
    let copied = RwSignal::new(false);
    let for_copy = root.clone();
    let copy = move |_| {
        let text = serde_json::to_string_pretty(&*for_copy).unwrap_or_default();
        spawn_local(async move { copied.set(copy_text(&text).await) });
    };
    let tree = Tree { root: root.clone(), big };
    view! {
        <div class="button-row">
            <button type="button" class="button button--ghost" on:click=copy>"Copy JSON"</button>
            <span class="field__hint" role="status">{move || if copied.get() { "Copied." } else { "" }}</span>
        </div>
        {big.then(|| view! {
            <p class="field__hint" role="status">
                {format!("This JSON holds more than {JSON_TREE_OPEN_CAP} values, so its branches start closed.")}
            </p>
        })}
        <ul class="json-tree" role="tree" aria-label="JSON output">{node(&tree, None, String::new(), &root, 0)}</ul>
    }
    .into_any()
}

/// The whole value, shared by every branch, which finds its part by pointer.
#[derive(Clone)]
struct Tree {
    root: Arc<Value>,
    /// Too many values to open any branch at first.
    big: bool,
}

fn node(tree: &Tree, key: Option<String>, at: String, value: &Value, depth: usize) -> AnyView {
    let key_view = key.map(|k| view! { <span class="json-tree__key">{k}</span>": " });
    let (mark, noun, len) = match value {
        Value::Object(map) => ("{…}", "keys", map.len()),
        Value::Array(items) => ("[…]", "items", items.len()),
        scalar => {
            let (class, text) = match scalar {
                Value::String(s) => ("json-tree__string", format!("\"{s}\"")),
                Value::Number(n) => ("json-tree__number", n.to_string()),
                Value::Bool(b) => ("json-tree__bool", b.to_string()),
                _ => ("json-tree__null", "null".to_string()),
            };
            return view! { <li role="treeitem">{key_view}<span class=class>{text}</span></li> }.into_any();
        }
    };
    let starts_open = depth < 2 && !tree.big;
    // Set once the branch was first opened; its children stay after that.
    let filled = RwSignal::new(starts_open);
    let tree = tree.clone();
    let kids = move || {
        if !filled.get() {
            return None;
        }
        let here = json_pointer(&tree.root, &at)?;
        let child = |k: String, v: &Value| {
            let p = pointer_child(&at, &k);
            node(&tree, Some(k), p, v, depth + 1)
        };
        let views: Vec<AnyView> = match here {
            Value::Object(map) => map.iter().take(MAX_CHILDREN).map(|(k, v)| child(k.clone(), v)).collect(),
            Value::Array(items) => items.iter().take(MAX_CHILDREN).enumerate().map(|(i, v)| child(i.to_string(), v)).collect(),
            _ => Vec::new(),
        };
        let hidden = len.saturating_sub(MAX_CHILDREN);
        Some(view! {
            {views}
            {(hidden > 0).then(|| view! { <li class="field__hint">{format!("… {hidden} more")}</li> })}
        })
    };
    let on_toggle = move |ev: leptos::ev::Event| {
        let open = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
            .is_some_and(|d| d.open());
        if open && !filled.get_untracked() {
            filled.set(true);
        }
    };
    view! {
        <li role="treeitem">
            <details class="json-tree__branch" open=starts_open on:toggle=on_toggle>
                <summary>{key_view}<span class="json-tree__mark">{format!("{mark} {len} {noun}")}</span></summary>
                <ul role="group">{kids}</ul>
            </details>
        </li>
    }
    .into_any()
}
