use super::Unshowable;
use crate::browser::copy_text;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use std::sync::Arc;

/// Children shown per object or array; big ones say how many are hidden.
const MAX_CHILDREN: usize = 500;

/// A collapsible JSON tree, with "Copy".
#[component]
pub fn JsonOutput(
    /// The JSON bytes.
    bytes: Arc<[u8]>,
    /// The part worth showing (a JSON pointer from the interface spec).
    #[prop(default = None)]
    pointer: Option<String>,
) -> impl IntoView {
    let Ok(whole) = serde_json::from_slice::<Value>(&bytes) else {
        return view! { <Unshowable message="This output is not valid JSON."/> }.into_any();
    };
    let value = match pointer.as_deref().map(|p| (p, crate::interface::spec::json_pointer(&whole, p))) {
        Some((_, Some(part))) => part.clone(),
        Some((p, None)) => {
            return view! { <Unshowable message=format!("The output has nothing at {p}, the part the interface points to.")/> }.into_any();
        }
        None => whole,
    };
    let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let text = pretty.clone();
        spawn_local(async move { copied.set(copy_text(&text).await) });
    };
    view! {
        <div class="button-row">
            <button type="button" class="button button--ghost" on:click=copy>"Copy JSON"</button>
            <span class="field__hint" role="status">{move || if copied.get() { "Copied." } else { "" }}</span>
        </div>
        <ul class="json-tree" role="tree" aria-label="JSON output">{node(None, &value, 0)}</ul>
    }
    .into_any()
}

fn node(key: Option<String>, value: &Value, depth: usize) -> AnyView {
    let key_view = key.map(|k| view! { <span class="json-tree__key">{k}</span>": " });
    match value {
        Value::Object(map) => branch(key_view, "{…}", map.len(), depth, map.iter().map(|(k, v)| (Some(k.clone()), v))),
        Value::Array(items) => branch(key_view, "[…]", items.len(), depth, items.iter().enumerate().map(|(i, v)| (Some(i.to_string()), v))),
        scalar => {
            let (class, text) = match scalar {
                Value::String(s) => ("json-tree__string", format!("\"{s}\"")),
                Value::Number(n) => ("json-tree__number", n.to_string()),
                Value::Bool(b) => ("json-tree__bool", b.to_string()),
                _ => ("json-tree__null", "null".to_string()),
            };
            view! { <li role="treeitem">{key_view}<span class=class>{text}</span></li> }.into_any()
        }
    }
}

fn branch<'a>(
    key_view: Option<impl IntoView + 'static>,
    mark: &'static str,
    len: usize,
    depth: usize,
    children: impl Iterator<Item = (Option<String>, &'a Value)>,
) -> AnyView {
    let noun = if mark == "{…}" { "keys" } else { "items" };
    let kids: Vec<AnyView> = children.take(MAX_CHILDREN).map(|(k, v)| node(k, v, depth + 1)).collect();
    let hidden = len.saturating_sub(MAX_CHILDREN);
    view! {
        <li role="treeitem">
            <details class="json-tree__branch" open=depth < 2>
                <summary>{key_view}<span class="json-tree__mark">{format!("{mark} {len} {noun}")}</span></summary>
                <ul role="group">
                    {kids}
                    {(hidden > 0).then(|| view! { <li class="field__hint">{format!("… {hidden} more")}</li> })}
                </ul>
            </details>
        </li>
    }
    .into_any()
}
