use super::{control_id, label_of, FileFacts};
use crate::browser::{file_value, first_file, read_text};
use crate::interface::spec::InputSpec;
use crate::interface::table::{guess_delimiter, parse, to_csv};
use crate::interface::InputValue;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// The most rows the grid edits; bigger uploads are sent as they are.
const GRID_ROWS: usize = 200;
/// Files above this size are not read into the grid at all.
const GRID_BYTES: f64 = 1024.0 * 1024.0;

/// A table: a CSV/TSV upload or an editable grid, sent as CSV.
#[component]
pub fn TableInput(
    /// The input's spec.
    input: InputSpec,
    /// The input's value: CSV text from the grid, or an uploaded file.
    value: RwSignal<InputValue>,
) -> impl IntoView {
    let id = format!("{}-file", control_id(&input));
    let label = format!("{} file (CSV or TSV)", label_of(&input));
    let initial = value.with_untracked(|v| match v {
        InputValue::Text(csv) if !csv.is_empty() => parse(csv, ',', GRID_ROWS),
        _ => vec![vec!["name".into(), "value".into()], vec![String::new(), String::new()]],
    });
    let grid = RwSignal::new(initial);
    let note = RwSignal::new(None::<String>);
    let sync = move || value.set(InputValue::Text(grid.with(|g| to_csv(g))));
    let upload = move |e: ev::Event| {
        let input = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = first_file(input.and_then(|i| i.files())) else { return };
        if file.size() > GRID_BYTES {
            note.set(Some("Too big to edit here, so the file is sent as it is.".into()));
            value.set(InputValue::File(file_value(file)));
            return;
        }
        spawn_local(async move {
            let Ok(text) = read_text(&file).await else {
                note.set(Some("The browser could not read this file. Pick it again.".into()));
                return;
            };
            let rows = parse(&text, guess_delimiter(&text), GRID_ROWS + 1);
            if rows.len() > GRID_ROWS {
                note.set(Some(format!("More than {GRID_ROWS} rows: too many to edit here, so the file is sent as it is.")));
                grid.set(rows.into_iter().take(GRID_ROWS).collect());
                value.set(InputValue::File(file_value(file)));
            } else {
                note.set(None);
                grid.set(rows);
                sync();
            }
        });
    };
    let add_row = move |_| {
        grid.update(|g| {
            let width = g.first().map(Vec::len).unwrap_or(1);
            g.push(vec![String::new(); width]);
        });
        sync();
    };
    let add_column = move |_| {
        grid.update(|g| g.iter_mut().for_each(|r| r.push(String::new())));
        sync();
    };
    let grid_label = format!("{} (editable)", label_of(&input));
    view! {
        <label class="field__label" for=id.clone()>{label}</label>
        <input id=id class="file-drop__input" type="file" accept=input.accept_attr() on:change=upload/>
        {move || note.get().map(|n| view! { <p class="field__hint" role="status">{n}</p> })}
        <FileFacts value/>
        <div class="table-scroll">
            <table class="grid" aria-label=grid_label>
                <tbody>
                    {move || grid.get().into_iter().enumerate().map(|(r, row)| view! {
                        <tr>
                            {row.into_iter().enumerate().map(|(c, cell)| view! {
                                <td><input class="grid__cell" type="text" value=cell
                                    aria-label=format!("Row {}, column {}", r + 1, c + 1)
                                    on:change:target=move |e| {
                                        let text = e.target().value();
                                        grid.update(|g| if let Some(cell) = g.get_mut(r).and_then(|row| row.get_mut(c)) { *cell = text; });
                                        note.set(None);
                                        sync();
                                    }/></td>
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <div class="button-row">
            <button type="button" class="button button--ghost" on:click=add_row>"Add row"</button>
            <button type="button" class="button button--ghost" on:click=add_column>"Add column"</button>
        </div>
    }
}
