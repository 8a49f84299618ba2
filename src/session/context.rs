//! The session as a reactive context value.

use super::{store, Session};
use leptos::prelude::*;

/// The current session, `None` when logged out. Provided once by the app.
#[derive(Clone, Copy)]
pub struct SessionCtx(pub RwSignal<Option<Session>>);

impl SessionCtx {
    /// Stores a fresh session and makes it current.
    pub fn log_in(&self, session: Session) -> Result<(), String> {
        store::save(&session)?;
        self.0.set(Some(session));
        Ok(())
    }

    /// Wipes the stored session and everything held in memory.
    pub fn log_out(&self) {
        store::clear();
        self.0.set(None);
    }

    pub fn get(&self) -> Option<Session> {
        self.0.get()
    }

    pub fn is_logged_in(&self) -> bool {
        self.0.with(Option::is_some)
    }
}

/// Loads any stored session and provides it to the tree below.
pub fn provide_session() -> SessionCtx {
    let ctx = SessionCtx(RwSignal::new(store::load()));
    provide_context(ctx);
    ctx
}

/// The session context; a fresh empty one if none was provided (tests).
pub fn use_session() -> SessionCtx {
    use_context::<SessionCtx>().unwrap_or_else(|| SessionCtx(RwSignal::new(None)))
}
