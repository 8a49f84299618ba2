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

/// Forgets the session.
pub fn clear() {
    if let Some(s) = storage() {
        let _ = s.remove_item(KEY);
    }
}
