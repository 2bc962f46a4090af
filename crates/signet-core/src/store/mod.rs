//! SQLite persistence: the only module that contains SQL.
//!
//! One [`Store`] wraps one connection, configured in one place (WAL, foreign
//! keys, busy timeout, `synchronous=FULL` so an acknowledged tick survives a
//! power cut). Every mutation goes through [`Store::write`]: one IMMEDIATE
//! transaction that also appends the audit events describing it.

mod events;
mod maintenance;
mod people;
mod releases;
mod runs;
mod signoffs;
mod states;
mod templates;

use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use crate::error::{Error, Result};

pub use events::AuditReport;
pub use maintenance::{Check, Health, Restored};
pub use runs::RunUpgrade;
pub use signoffs::{RevisionInfo, SignoffOutcome, SignoffRequest};
pub use templates::SectionSummary;

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/0001_init.sql")),
        M::up(include_str!("../../migrations/0002_signoff.sql")),
    ])
});

/// Where the CLI and the app keep their shared database by default:
/// `$XDG_DATA_HOME/signet/signet.db` (`~/.local/share/signet/signet.db`).
pub fn default_path() -> Option<std::path::PathBuf> {
    directories::ProjectDirs::from("", "", "signet").map(|d| d.data_dir().join("signet.db"))
}

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
        }
        let conn = Connection::open(path)?;
        Self::init(conn)
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
        Ok(Store { conn })
    }

    /// Runs `f` in one IMMEDIATE transaction: all of it commits, or none.
    fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    fn conn(&self) -> &Connection {
        &self.conn
    }
}

#[cfg(test)]
mod tests;
