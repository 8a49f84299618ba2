//! The one door to `sessionStorage`.

use super::Session;

const KEY: &str = "oscar-visor.session";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The stored session, if there is a readable one.
pub fn load() -> Option<Session> {
    let json = storage()?.get_item(KEY).ok().flatten()?;
    let session = Session::from_json(&json);
    if session.is_none() {
        clear();
    }
    session
}

/// Stores the session. Fails (with a message) when storage is unavailable,
/// e.g. in a private window with storage disabled.
pub fn save(session: &Session) -> Result<(), String> {
    let storage = storage().ok_or("This browser does not allow session storage, so you cannot stay logged in.")?;
    storage
        .set_item(KEY, &session.to_json())
        .map_err(|_| "The browser refused to store the session (storage full or disabled).".to_string())
}

/// Forgets the session and everything else this app stored in the tab
/// (only its own keys: the origin may host other apps, e.g. the dashboard).
pub fn clear() {
    let Some(s) = storage() else { return };
    let count = s.length().unwrap_or(0);
    let ours: Vec<String> = (0..count)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with("oscar-visor."))
        .collect();
    for key in ours {
        let _ = s.remove_item(&key);
    }
}

/// The async run a service is waiting for, kept so a reload can reattach.
/// It holds names and times only, never a secret.
fn pending_key(service: &str) -> String {
    format!("oscar-visor.pending.{service}")
}

/// Remembers a pending async run.
pub fn save_pending(run: &crate::oscar::storage::PendingRun) {
    if let Some(s) = storage() {
        let _ = s.set_item(&pending_key(&run.service), &run.to_json());
    }
}

/// The pending async run of a service, if any.
pub fn load_pending(service: &str) -> Option<crate::oscar::storage::PendingRun> {
    let json = storage()?.get_item(&pending_key(service)).ok().flatten()?;
    crate::oscar::storage::PendingRun::from_json(&json)
}

/// Forgets a service's pending async run.
pub fn clear_pending(service: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&pending_key(service));
    }
}

fn workflow_key(entry: &str) -> String {
    format!("oscar-visor.workflow.{entry}")
}

/// Remembers a workflow run in flight (names and times only).
pub fn save_pending_workflow(run: &crate::oscar::workflow::PendingWorkflow) {
    if let Some(s) = storage() {
        let _ = s.set_item(&workflow_key(&run.entry), &run.to_json());
    }
}

/// The workflow run in flight from `entry`, if any.
pub fn load_pending_workflow(entry: &str) -> Option<crate::oscar::workflow::PendingWorkflow> {
    let json = storage()?.get_item(&workflow_key(entry)).ok().flatten()?;
    crate::oscar::workflow::PendingWorkflow::from_json(&json)
}

/// Forgets the workflow run from `entry`.
pub fn clear_pending_workflow(entry: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&workflow_key(entry));
    }
}

/// Interface specs the user edited are kept in `localStorage`, per cluster
/// endpoint and service, so they survive closing the tab. They are page
/// layouts, never secrets: besides them only the history switch goes to localStorage.
fn spec_key(endpoint: &str, service: &str) -> String {
    format!("oscar-visor.spec.{endpoint}.{service}")
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

const HISTORY_KEEP_KEY: &str = "oscar-visor.history.keep";

/// The "Keep inputs and outputs in this browser" switch (on unless turned off).
pub fn load_history_keep() -> bool {
    local().and_then(|s| s.get_item(HISTORY_KEEP_KEY).ok().flatten()).as_deref() != Some("off")
}

/// Remembers the switch.
pub fn save_history_keep(on: bool) {
    if let Some(s) = local() {
        let _ = s.set_item(HISTORY_KEEP_KEY, if on { "on" } else { "off" });
    }
}

/// The user's edited spec for a service, if any.
pub fn load_spec_edit(endpoint: &str, service: &str) -> Option<String> {
    local()?.get_item(&spec_key(endpoint, service)).ok().flatten()
}

/// Keeps the user's edited spec.
pub fn save_spec_edit(endpoint: &str, service: &str, spec_json: &str) {
    if let Some(s) = local() {
        let _ = s.set_item(&spec_key(endpoint, service), spec_json);
    }
}

/// Forgets the user's edited spec ("Reset to detected").
pub fn clear_spec_edit(endpoint: &str, service: &str) {
    if let Some(s) = local() {
        let _ = s.remove_item(&spec_key(endpoint, service));
    }
}

/// A service's batch, kept so a reload reattaches to it: names, sizes,
/// keys and summaries, never a secret (see `interface::batch::SavedBatch`).
fn batch_key(service: &str) -> String {
    format!("oscar-visor.batch.{service}")
}

/// Remembers a batch; false when the browser refused (storage full).
pub fn save_batch(service: &str, json: &str) -> bool {
    storage().is_some_and(|s| s.set_item(&batch_key(service), json).is_ok())
}

/// The saved batch of a service, as stored.
pub fn load_batch(service: &str) -> Option<String> {
    storage()?.get_item(&batch_key(service)).ok().flatten()
}

/// Forgets a service's batch ("Clear").
pub fn clear_batch(service: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&batch_key(service));
    }
}

/// A share link's fragment, kept from the moment the app opened on it until
/// the service's page takes it (a login may come between). Inputs only.
fn shared_key(service: &str) -> String {
    format!("oscar-visor.shared.{service}")
}

/// Keeps the fragment a share link to `service` opened with.
pub fn save_shared(service: &str, fragment: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(&shared_key(service), fragment);
    }
}

/// Takes (and forgets) the fragment a share link to `service` brought.
pub fn take_shared(service: &str) -> Option<String> {
    let s = storage()?;
    let fragment = s.get_item(&shared_key(service)).ok().flatten()?;
    let _ = s.remove_item(&shared_key(service));
    Some(fragment)
}
