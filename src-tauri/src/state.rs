//! The database connection the commands share.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};

use signet_core::identity::Identity;
use signet_core::store::Store;

use crate::error::{AppError, Result};

pub struct AppState {
    store: Mutex<Store>,
    pub path: PathBuf,
    /// The name the app was started as: $SIGNET_ACTOR, else $USER.
    pub started_as: String,
    /// Who acts, for the audit trail (core's `identity` rule: the person
    /// chosen in the app, else the one `started_as` names, else that name).
    identity: Mutex<Identity>,
    /// Where signing keys live (see [`config_dir`]).
    pub config_dir: PathBuf,
    /// The connection could not be opened again after a file dialog:
    /// every later command says so instead of writing anywhere else.
    lost: AtomicBool,
    /// Held by an open file dialog and by a running sync, which never
    /// overlap (see [`AppState::with_dialog`]).
    files: Mutex<()>,
}

impl AppState {
    pub fn new(
        store: Store,
        path: PathBuf,
        started_as: String,
        config_dir: PathBuf,
    ) -> Result<Self> {
        let identity = store.identity(&started_as)?;
        Ok(AppState {
            store: Mutex::new(store),
            path,
            started_as,
            identity: Mutex::new(identity),
            config_dir,
            lost: AtomicBool::new(false),
            files: Mutex::new(()),
        })
    }

    /// The handle or name every write records.
    pub fn actor(&self) -> String {
        self.identity().actor
    }

    pub fn identity(&self) -> Identity {
        lock(&self.identity).clone()
    }

    /// Works out who acts again (after a person was chosen or added).
    pub fn refresh_identity(&self, store: &Store) -> Result<Identity> {
        let id = store.identity(&self.started_as)?;
        *lock(&self.identity) = id.clone();
        Ok(id)
    }

    pub fn keyring(&self) -> signet_core::keys::Keyring {
        signet_core::keys::Keyring::new(&self.config_dir)
    }

    /// The store, for one command. A panic in another command poisons the
    /// lock; the connection itself is still sound (each write is one
    /// transaction), so recover it rather than fail every later call.
    pub fn store(&self) -> Result<MutexGuard<'_, Store>> {
        if self.lost.load(Ordering::SeqCst) {
            return Err(AppError::internal(format!(
                "Signet lost its connection to {} after a file dialog and could not open it again: restart Signet (everything it acknowledged is saved)",
                self.path.display()
            )));
        }
        Ok(lock(&self.store))
    }

    /// Runs a native file dialog (`ask`, blocking), then opens the database
    /// connection afresh.
    ///
    /// GTK's file chooser runs in this process and opens and closes the
    /// files of the folder it shows. Closing any descriptor of the database
    /// drops every POSIX lock this process holds on it, so a CLI command
    /// closing meanwhile takes itself for the database's last user and
    /// deletes the write-ahead log the app would go on writing to: those
    /// writes would be lost (docs/RELIABILITY.md). So the store stays held
    /// while the dialog is open (the app writes nothing then), and the old
    /// connection closes before the new one takes the locks again: SQLite
    /// shares one set of locks among a process's connections to a file, so
    /// a new connection beside the old one would take none.
    ///
    /// A sync works on a connection of its own, which the dialog would
    /// strip of its locks as well and which a fresh connection beside it
    /// would not take again. So a dialog is refused while a sync runs, and
    /// a sync waits for an open dialog to close ([`AppState::sync_files`]).
    pub fn with_dialog<T>(&self, ask: impl FnOnce() -> T) -> Result<T> {
        let _files = match self.files.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                return Err(AppError::refused(
                    "a team sync is running: try again when it has ended",
                ))
            }
        };
        let mut store = lock(&self.store);
        let answer = ask();
        let placeholder = Store::open_in_memory()?;
        drop(std::mem::replace(&mut *store, placeholder));
        match open_store(&self.path, &self.config_dir) {
            Ok(fresh) => {
                *store = fresh;
                Ok(answer)
            }
            Err(e) => {
                self.lost.store(true, Ordering::SeqCst);
                Err(e.into())
            }
        }
    }

    /// Held for a whole sync, which opens its own connection; waits while
    /// a file dialog is open (see [`AppState::with_dialog`]).
    pub fn sync_files(&self) -> MutexGuard<'_, ()> {
        lock(&self.files)
    }
}

/// A lock a panicking command poisoned still guards sound data (each write
/// is one transaction; the identity is swapped whole): recover it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Who acts: $SIGNET_ACTOR, else $USER, else "unknown". The app cannot
/// refuse to start over a name, so a line break or control character in it
/// is replaced (the CLI refuses it): the same core rule either way.
pub fn actor() -> String {
    let name = std::env::var("SIGNET_ACTOR")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_default();
    signet_core::model::sanitize_actor(&name)
}

/// Where signing keys live: $SIGNET_CONFIG_DIR, else the user's config dir
/// (the same rule as the CLI's --config-dir).
pub fn config_dir() -> Result<PathBuf> {
    match std::env::var_os("SIGNET_CONFIG_DIR").filter(|p| !p.is_empty()) {
        Some(p) => Ok(PathBuf::from(p)),
        None => signet_core::keys::default_config_dir().ok_or_else(|| {
            AppError::internal("no config directory for signing keys; set SIGNET_CONFIG_DIR")
        }),
    }
}

pub fn database_path() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("SIGNET_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    signet_core::store::default_path().ok_or_else(|| {
        AppError::internal("no home directory to keep the database in; set SIGNET_DB")
    })
}

/// The app's connection: the database at `path`, created if missing, with
/// tail anchors kept in `config_dir`.
pub fn open_store(
    path: &std::path::Path,
    config_dir: &std::path::Path,
) -> signet_core::Result<Store> {
    let mut store = Store::open(path)?;
    store.keep_anchors(config_dir)?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(dir: &std::path::Path) -> AppState {
        let path = dir.join("signet.db");
        let store = open_store(&path, dir).expect("store");
        AppState::new(store, path, "ana".into(), dir.to_path_buf()).expect("state")
    }

    #[test]
    fn a_file_dialog_is_refused_during_a_sync_and_a_sync_waits_for_a_dialog() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = state(dir.path());
        // A dialog asked for while a sync runs is refused before it shows.
        let sync = state.sync_files();
        let mut shown = false;
        let refused = state.with_dialog(|| shown = true).expect_err("a sync runs");
        assert!(!shown, "the dialog must not open during a sync");
        assert!(
            refused.message.contains("sync is running"),
            "{}",
            refused.message
        );
        drop(sync);
        // A sync asked for while a dialog is open starts once it closed.
        let (started, seen) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            state
                .with_dialog(|| {
                    s.spawn(|| {
                        let _files = state.sync_files();
                        let _ = started.send(());
                    });
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    assert!(seen.try_recv().is_err(), "a sync started during the dialog");
                })
                .expect("the dialog runs");
            seen.recv_timeout(std::time::Duration::from_secs(10))
                .expect("the sync goes on after the dialog");
        });
        assert!(state.store().is_ok());
    }
}
