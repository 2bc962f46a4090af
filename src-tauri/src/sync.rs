//! Team sync commands: what the sync control shows, and one sync. The sync
//! runs on a blocking thread with its own connection to the database, so a
//! slow remote never holds the connection the other commands share (ticks
//! go on while git fetches). Core does the work: join, publish, fetch,
//! merge, push; the remote and the last result are kept in the database.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use signet_core::store::{Conflict, Store};
use signet_core::sync::{self, Outcome};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::{AppError, Result};
use crate::keys::Session;
use crate::state::AppState;

/// What the sync control shows. No generated TS type (core's `Conflict` has
/// none): ui/src/lib/api.ts declares it by hand.
#[derive(Debug, Serialize)]
pub struct SyncStatus {
    /// The remote the last sync used; None before the first one.
    pub remote: Option<String>,
    /// When the last sync ended (RFC 3339) and what it did ("2 in, 1 out,
    /// 0 conflicts").
    pub last_sync_at: Option<String>,
    pub last_summary: Option<String>,
    /// The person this database's device acts for; None until it joins
    /// (its first sync).
    pub device_owner: Option<String>,
    /// The person the app acts as, and whether their signing key is on this
    /// machine: a first sync joins with it.
    pub person: Option<String>,
    pub has_key: bool,
    /// This device's changes not pushed yet.
    pub unpublished: usize,
    /// Concurrent edits sync kept one side of, in `release` (when given).
    pub conflicts: Vec<Conflict>,
}

/// One sync at a time (the button, the shortcut and the timer may meet).
#[derive(Default)]
pub struct Running(AtomicBool);

/// Core keeps the last sync as one line, "TIME — SUMMARY": split it so the
/// UI gets fields, not a string to parse.
fn split_last(line: Option<String>) -> (Option<String>, Option<String>) {
    match line {
        None => (None, None),
        Some(l) => match l.split_once(" — ") {
            Some((at, summary)) => (Some(at.to_string()), Some(summary.to_string())),
            None => (None, Some(l)),
        },
    }
}

#[tauri::command]
pub async fn sync_status(
    state: State<'_, AppState>,
    release: Option<String>,
) -> Result<SyncStatus> {
    let store = state.store()?;
    let (remote, last) = store.sync_settings()?;
    let (last_sync_at, last_summary) = split_last(last);
    let person = state.identity().person.map(|p| p.handle);
    Ok(SyncStatus {
        remote,
        last_sync_at,
        last_summary,
        device_owner: store.sync_device()?.map(|d| d.owner),
        has_key: person
            .as_deref()
            .is_some_and(|h| state.keyring().has_key(h)),
        person,
        unpublished: store.not_pushed_count()?,
        conflicts: match release {
            Some(r) => store.conflicts(Some(&r))?,
            None => Vec::new(),
        },
    })
}

/// Syncs with `remote`, else the remembered one. The first sync gives the
/// database its device, acting for the person the app acts as and vouched
/// for by their signing key (unlocked with `password`, or earlier this
/// session; else the answer is `NeedsPassword` and nothing happened).
#[tauri::command]
pub async fn sync_now<R: Runtime>(
    app: AppHandle<R>,
    remote: Option<String>,
    password: Option<String>,
) -> Result<Outcome> {
    let running = app.state::<Running>();
    if running.0.swap(true, Ordering::AcqRel) {
        return Err(AppError::refused(
            "a sync is already running; wait for it to end",
        ));
    }
    let _done = Done(&running.0);
    let worker = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        run(
            &worker.state::<AppState>(),
            &worker.state::<Session>(),
            remote,
            password,
        )
    })
    .await
    .map_err(|e| AppError::internal(format!("the sync stopped: {e}")))?
}

/// Clears the running flag however the sync ends.
struct Done<'a>(&'a AtomicBool);

impl Drop for Done<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

fn run(
    state: &AppState,
    session: &Session,
    remote: Option<String>,
    password: Option<String>,
) -> Result<Outcome> {
    // Its own connection: the shared one stays free for the UI meanwhile
    // (SQLite's WAL and busy timeout order the writes). No file dialog may
    // be open while it is: the dialog would drop its locks.
    let _files = state.sync_files();
    let mut store = crate::state::open_store(&state.path, &state.config_dir)?;
    let given = remote
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let remote = match given.clone() {
        Some(r) => r,
        None => store.sync_settings()?.0.ok_or_else(|| {
            AppError::refused("no remote yet: enter the git repository your team shares (a URL, or the path of a bare repository)")
        })?,
    };
    if store.sync_device()?.is_none() {
        join(state, session, &mut store, password)?;
    }
    let outcome = sync::sync(
        &mut store,
        &state.config_dir,
        &sync::repo_dir(&state.path),
        &remote,
    )?;
    // A remote entered in the dialog is the team's from now on, once it
    // answered.
    if given.is_some() {
        store.remember_remote(&remote)?;
    }
    Ok(outcome)
}

fn join(
    state: &AppState,
    session: &Session,
    store: &mut Store,
    password: Option<String>,
) -> Result<()> {
    let Some(person) = state.identity().person else {
        return Err(AppError::refused(
            "sync signs your changes as you: say who you are first (“Who are you?” in the sidebar), then sync",
        ));
    };
    let keyring = state.keyring();
    if !keyring.has_key(&person.handle) {
        return Err(AppError::refused(format!(
            "sync signs your changes with your signing key, and {} has none on this machine: create one (“Create my signing key” in the sync dialog), then sync",
            person.name
        )));
    }
    let key = session.signing_key(&keyring, &person, password)?;
    sync::join(store, &state.config_dir, &person.handle, &key)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_last;

    #[test]
    fn the_last_sync_line_splits_into_time_and_summary() {
        assert_eq!(
            split_last(Some(
                "2026-11-27T10:00:00Z — 2 in, 1 out, 0 conflicts".into()
            )),
            (
                Some("2026-11-27T10:00:00Z".into()),
                Some("2 in, 1 out, 0 conflicts".into())
            )
        );
        assert_eq!(split_last(Some("odd".into())), (None, Some("odd".into())));
        assert_eq!(split_last(None), (None, None));
    }
}
