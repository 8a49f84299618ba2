use super::Unshowable;
use crate::interface::table::{guess_delimiter, parse};
use leptos::prelude::*;
use std::sync::Arc;

/// Rows shown at most; the rest are counted.
const MAX_ROWS: usize = 500;

/// CSV or TSV as a table, the first row as its header.
#[component]
pub fn TableOutput(
    /// The CSV/TSV bytes.
    bytes: Arc<[u8]>,
) -> impl IntoView {
    let text = String::from_utf8_lossy(&bytes);
    let rows = parse(&text, guess_delimiter(&text), MAX_ROWS + 1);
    let total_lines = text.lines().count();
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return view! { <Unshowable message="This output has no rows."/> }.into_any();
    };
    let body: Vec<Vec<String>> = rows.take(MAX_ROWS).collect();
    let more = total_lines.saturating_sub(MAX_ROWS + 1);
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="output-table">
                <thead><tr>{header.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {body.into_iter().map(|r| view! {
                        <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(more > 0).then(|| view! { <p class="field__hint">{format!("{more} more rows not shown; download to see them all.")}</p> })}
    }
    .into_any()
}
