//! SQLite persistence: the only module that contains SQL.
//!
//! One [`Store`] wraps one connection, configured in one place (WAL, foreign
//! keys, busy timeout, `synchronous=FULL` so an acknowledged tick survives a
//! power cut). Every mutation goes through [`Store::write`]: one IMMEDIATE
//! transaction that also appends the audit events describing it.

mod anchor;
mod comparison;
mod events;
mod home;
mod keys;
mod library;
mod maintenance;
mod merge;
mod open;
pub(crate) mod oplog;
mod people;
mod releases;
mod replay;
mod runs;
mod settings;
mod signoffs;
mod snapshot;
mod states;
mod templates;

use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use crate::error::{Error, Result};

pub use events::AuditReport;
pub use home::{Home, HomeRelease, OpenItem, OpenItems, OwnerChoice};
pub use library::{
    TemplateItem, TemplateOutline, TemplateSection, TemplateVersion, VersionChanges, VersionItem,
    VersionMatch,
};
pub use maintenance::{Check, Health, Restored};
pub use merge::{InBatch, Incoming, Merged};
pub use oplog::{Conflict, Device, Held};
pub(crate) use people::may_register_key;
pub use replay::Drift;
pub use runs::{ItemMatch, RunUpgrade, UpgradeItem};
pub use signoffs::{RevisionInfo, SignoffOutcome, SignoffRequest};
pub use templates::SectionSummary;

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/0001_init.sql")),
        M::up(include_str!("../../migrations/0002_signoff.sql")),
        M::up(include_str!("../../migrations/0003_identity.sql")),
        M::up(include_str!("../../migrations/0004_source_state.sql")),
        M::up(include_str!("../../migrations/0005_keys.sql")),
        M::up(include_str!("../../migrations/0006_settings.sql")),
        M::up(include_str!("../../migrations/0007_sync.sql")),
        M::up(include_str!("../../migrations/0008_item_alias.sql")),
        M::up(include_str!("../../migrations/0009_library.sql")),
    ])
});

/// Where the CLI and the app keep their shared database by default:
/// `$XDG_DATA_HOME/signet/signet.db` (`~/.local/share/signet/signet.db`).
pub fn default_path() -> Option<std::path::PathBuf> {
    directories::ProjectDirs::from("", "", "signet").map(|d| d.data_dir().join("signet.db"))
}

pub struct Store {
    conn: Connection,
    /// The database file; None in memory.
    path: Option<std::path::PathBuf>,
    /// Where tail anchors live (see [`anchor`]); None: not kept.
    anchors: Option<std::path::PathBuf>,
    /// Signet created this database just now (it did not exist).
    created: bool,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema
    /// up to date. For commands that write: the only ones that may create it.
    pub fn open(path: &Path) -> Result<Store> {
        let found = open::probe(path)?;
        if let open::Found::Missing = found {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
            }
        }
        let mut store = Self::open_checked(path)?;
        store.created = !matches!(found, open::Found::Signet);
        Ok(store)
    }

    /// Opens a database that must already exist: read-only commands never
    /// create one, so a mistyped path fails instead of reading as empty.
    pub fn open_existing(path: &Path) -> Result<Store> {
        match open::probe(path)? {
            open::Found::Missing | open::Found::Empty => Err(Error::NoDatabase {
                path: path.to_path_buf(),
            }),
            open::Found::Signet => Self::open_checked(path),
        }
    }

    fn open_checked(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|e| open::sqlite_error(path, e))?;
        open::check_connection(&conn, path)?;
        let mut store = Self::init(conn).map_err(|e| match e {
            Error::Database(d) => open::sqlite_error(path, d),
            other => other,
        })?;
        store.path = Some(path.to_path_buf());
        Ok(store)
    }

    /// Keeps a tail anchor of this database in `config_dir` after every
    /// write, and checks it in [`Store::doctor`] (see `store/anchor.rs`).
    pub fn keep_anchors(&mut self, config_dir: &Path) -> Result<()> {
        self.anchors = Some(config_dir.to_path_buf());
        match (&self.path, self.created) {
            // A database Signet just created starts its own history here.
            (Some(db), true) => anchor::reset(&self.conn, config_dir, db),
            _ => Ok(()),
        }
    }

    /// A private database for tests and previews.
    pub fn open_in_memory() -> Result<Store> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store> {
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        MIGRATIONS.to_latest(&mut conn)?;
        Ok(Store {
            conn,
            path: None,
            anchors: None,
            created: false,
        })
    }

    /// Runs `f` in one IMMEDIATE transaction: all of it commits, or none.
    fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        if let (Some(config), Some(db)) = (&self.anchors, &self.path) {
            // The change is committed and acknowledged whatever happens
            // here; an anchor that lags behind only detects less.
            let _ = anchor::advance(&self.conn, config, db);
        }
        Ok(out)
    }

    fn conn(&self) -> &Connection {
        &self.conn
    }
}

#[cfg(test)]
mod tests;
