//! The run history in IndexedDB (through `rexie`). One object store, `runs`,
//! keyed by record id and indexed by scope (endpoint and service). Each
//! entry holds the record as JSON and, when kept, the input files and the
//! output as blobs, which IndexedDB stores as they are.

use crate::interface::history::{self, Record};
use js_sys::{Object, Reflect};
use rexie::{Index, KeyRange, ObjectStore, Rexie, TransactionMode, TransactionResult};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

const DB: &str = "oscar-visor-history";
const STORE: &str = "runs";
const BY_SCOPE: &str = "by-scope";

/// Why the history could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryError {
    /// No IndexedDB here (a private window, a refusing browser).
    Unavailable,
    /// The browser's quota is used up.
    Full,
    /// Anything else, with what the browser said.
    Failed(String),
}

impl std::fmt::Display for HistoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unavailable => f.write_str("This browser does not keep a history here (a private window refuses IndexedDB). Runs work as usual; they are just not recorded."),
            Self::Full => f.write_str("The browser's storage for this site is full, so this run was recorded without its input and output. Delete old runs, or turn off “Keep inputs and outputs in this browser”."),
            Self::Failed(why) => write!(f, "The history could not be updated ({why}). Runs work as usual."),
        }
    }
}

fn failed(e: rexie::Error) -> HistoryError {
    let text = match std::error::Error::source(&e) {
        Some(inner) => format!("{e}: {inner}"),
        None => e.to_string(),
    };
    if text.contains("Quota") {
        HistoryError::Full
    } else {
        HistoryError::Failed(text)
    }
}

thread_local! {
    static OPEN: RefCell<Option<Rc<Rexie>>> = const { RefCell::new(None) };
}

/// The database, opened once per page.
async fn db() -> Result<Rc<Rexie>, HistoryError> {
    if let Some(db) = OPEN.with(|o| o.borrow().clone()) {
        return Ok(db);
    }
    let has_idb = web_sys::window().and_then(|w| Reflect::get(&w, &"indexedDB".into()).ok()).is_some_and(|v| !v.is_undefined() && !v.is_null());
    if !has_idb {
        return Err(HistoryError::Unavailable);
    }
    let db = Rexie::builder(DB)
        .version(1)
        .add_object_store(ObjectStore::new(STORE).key_path("id").add_index(Index::new(BY_SCOPE, "scope")))
        .build()
        .await
        .map_err(|_| HistoryError::Unavailable)?;
    let db = Rc::new(db);
    OPEN.with(|o| *o.borrow_mut() = Some(db.clone()));
    Ok(db)
}

/// A stored run: the record, and the blobs kept with it.
pub struct Stored {
    pub record: Record,
    /// Input files by input id.
    pub inputs: Vec<(String, Blob)>,
    pub output: Option<Blob>,
}

fn set(o: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(o, &key.into(), value);
}

fn entry(record: &Record, inputs: &[(String, Blob)], output: Option<&Blob>) -> Result<JsValue, HistoryError> {
    let json = serde_json::to_string(record).map_err(|e| HistoryError::Failed(e.to_string()))?;
    let o = Object::new();
    set(&o, "id", &record.id.as_str().into());
    set(&o, "scope", &record.scope.as_str().into());
    set(&o, "record", &json.into());
    let blobs = Object::new();
    for (id, blob) in inputs {
        set(&blobs, &format!("in:{id}"), blob);
    }
    if let Some(out) = output {
        set(&blobs, "out", out);
    }
    set(&o, "blobs", &blobs);
    Ok(o.into())
}

fn read(value: &JsValue) -> Option<Stored> {
    let json = Reflect::get(value, &"record".into()).ok()?.as_string()?;
    let record = history::parse(&json)?;
    let blobs = Reflect::get(value, &"blobs".into()).ok().filter(|b| b.is_object());
    let blob = |key: String| blobs.as_ref().and_then(|b| Reflect::get(b, &key.into()).ok()).and_then(|v| v.dyn_into::<Blob>().ok());
    let inputs = record.files.iter().filter_map(|(id, _, _)| blob(format!("in:{id}")).map(|b| (id.clone(), b))).collect();
    let output = blob("out".into());
    Some(Stored { record, inputs, output })
}

/// Records a run. When the blobs do not fit the quota, the record is kept
/// without them, and the error says so.
pub async fn put(record: &Record, inputs: &[(String, Blob)], output: Option<&Blob>) -> Result<(), HistoryError> {
    match put_once(&entry(record, inputs, output)?).await {
        Err(HistoryError::Full) if record.kept_bytes > 0 => {
            let mut lean = record.clone();
            lean.kept_bytes = 0;
            lean.not_kept = Some("Not kept: the browser's storage was full.".into());
            put_once(&entry(&lean, &[], None)?).await?;
            Err(HistoryError::Full)
        }
        other => other,
    }
}

async fn put_once(value: &JsValue) -> Result<(), HistoryError> {
    let db = db().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadWrite).map_err(failed)?;
    let store = tx.store(STORE).map_err(failed)?;
    store.put(value, None).await.map_err(failed)?;
    match tx.done().await.map_err(failed)? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(HistoryError::Full),
    }
}

/// One scope's runs, newest first.
pub async fn list(scope: &str) -> Result<Vec<Record>, HistoryError> {
    let db = db().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadOnly).map_err(failed)?;
    let store = tx.store(STORE).map_err(failed)?;
    let index = store.index(BY_SCOPE).map_err(failed)?;
    let range = KeyRange::only(&scope.into()).map_err(|e| HistoryError::Failed(e.to_string()))?;
    let values = index.get_all(Some(range), None).await.map_err(failed)?;
    let mut out: Vec<Record> = values.iter().filter_map(read).map(|s| s.record).collect();
    out.sort_by(|a, b| b.at_ms.total_cmp(&a.at_ms));
    Ok(out)
}

/// One run with its blobs.
pub async fn get(id: &str) -> Result<Option<Stored>, HistoryError> {
    let db = db().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadOnly).map_err(failed)?;
    let store = tx.store(STORE).map_err(failed)?;
    Ok(store.get(id.into()).await.map_err(failed)?.as_ref().and_then(read))
}

/// Deletes runs by id.
pub async fn delete(ids: &[String]) -> Result<(), HistoryError> {
    let db = db().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadWrite).map_err(failed)?;
    let store = tx.store(STORE).map_err(failed)?;
    for id in ids {
        store.delete(id.as_str().into()).await.map_err(failed)?;
    }
    tx.done().await.map_err(failed)?;
    Ok(())
}

/// How many runs the whole history holds, and the bytes kept with them.
pub async fn usage() -> Result<(usize, u64), HistoryError> {
    let db = db().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadOnly).map_err(failed)?;
    let store = tx.store(STORE).map_err(failed)?;
    let values = store.get_all(None, None).await.map_err(failed)?;
    let records: Vec<Record> = values.iter().filter_map(read).map(|s| s.record).collect();
    Ok((records.len(), records.iter().map(|r| r.kept_bytes).sum()))
}
