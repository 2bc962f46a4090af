//! SQLite persistence: the only module that contains SQL.
//!
//! One [`Store`] wraps one connection, configured in one place (WAL, foreign
//! keys, busy timeout, `synchronous=FULL` so an acknowledged tick survives a
//! power cut). Every mutation goes through [`Store::write`]: one IMMEDIATE
//! transaction that also appends the audit events describing it.

mod anchor;
mod comparison;
mod create;
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
mod tree;

use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use crate::error::{Error, Result};

pub use comparison::{CompareChoices, CompareWith, FrozenComparison};
pub use create::Creating;
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
        M::up(include_str!("../../migrations/0010_item_indexes.sql")).foreign_key_check(),
        M::up(include_str!("../../migrations/0011_owner_run_index.sql")),
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
    /// Still in a rollback journal, to be switched to WAL (see
    /// [`Store::init`]).
    journal: Journal,
    /// Made by this process in a hidden file no other process knows: its
    /// first write goes there, and the file then takes the database's name
    /// (see `create.rs`).
    unpublished: Option<create::Unpublished>,
}

/// Where a database this process created is on its way to WAL.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Journal {
    Wal,
    /// Created here; its first write goes to the rollback journal.
    BeforeFirstWrite,
    /// Its first write is on disk: the next write switches to WAL first.
    AfterFirstWrite,
}

/// The page cache a connection may grow to, in KiB. SQLite's default
/// (2 MiB) is smaller than one large import's pages: the transaction then
/// spills dirty pages to disk and reads them back for every index insert
/// that lands on one. Memory is taken only as pages are used.
const CACHE_KIB: i64 = 64 * 1024;

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
        let fresh = !matches!(found, open::Found::Signet);
        let mut store = Self::open_checked(path, fresh)?;
        store.created = fresh;
        Ok(store)
    }

    /// Opens a database that must already exist: read-only commands never
    /// create one, so a mistyped path fails instead of reading as empty.
    pub fn open_existing(path: &Path) -> Result<Store> {
        match open::probe(path)? {
            open::Found::Missing | open::Found::Empty => Err(Error::NoDatabase {
                path: path.to_path_buf(),
            }),
            open::Found::Signet => Self::open_checked(path, false),
        }
    }

    fn open_checked(path: &Path, fresh: bool) -> Result<Store> {
        let conn = Connection::open(path).map_err(|e| open::sqlite_error(path, e))?;
        open::check_connection(&conn, path)?;
        let mut store = Self::init(conn, fresh).map_err(|e| match e {
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
        Self::init(Connection::open_in_memory()?, false)
    }

    /// Configures the connection and migrates. A database created just now
    /// (`fresh`) stays in SQLite's rollback journal for its migrations and
    /// its first write: in WAL mode every page of a first import would be
    /// written twice, to the log and again when the log is checkpointed into
    /// the file on close, and for pages that did not exist before the
    /// transaction a rollback journal records nothing. The commit is as
    /// durable (`synchronous=FULL` in either mode). The switch to WAL comes
    /// before this process's next write ([`Store::write`]), not right after
    /// the first: switching is a transaction of its own, four fsyncs that a
    /// one-shot `signet import` would wait for at its end (a third of a 10k
    /// import's wall time beside the limit). Every later open sets WAL too,
    /// so a process that ends after one write leaves nothing undone.
    fn init(mut conn: Connection, fresh: bool) -> Result<Store> {
        conn.busy_timeout(Duration::from_secs(5))?;
        if !fresh {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        migrate(&mut conn)?;
        Ok(Store {
            conn,
            path: None,
            anchors: None,
            created: false,
            journal: if fresh {
                Journal::BeforeFirstWrite
            } else {
                Journal::Wal
            },
            unpublished: None,
        })
    }

    /// Moves a database created by this process to WAL. A failure (another
    /// process holding it just now) is left to the next open, which sets
    /// WAL in any case.
    fn settle_journal(&mut self) {
        if std::mem::replace(&mut self.journal, Journal::Wal) != Journal::Wal {
            let _ = self.conn.pragma_update(None, "journal_mode", "WAL");
        }
    }

    /// Runs `f` in one IMMEDIATE transaction: all of it commits, or none.
    /// `f` runs a second time only when a database this process made
    /// privately lost the race for its name (see [`Store::publish`]).
    fn write<T>(&mut self, mut f: impl FnMut(&Transaction<'_>) -> Result<T>) -> Result<T> {
        if self.journal == Journal::AfterFirstWrite {
            self.settle_journal();
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        if self.unpublished.is_some() && !self.publish()? {
            // Another process made the database meanwhile: the change
            // goes to that one instead.
            return self.write(f);
        }
        if self.journal == Journal::BeforeFirstWrite {
            self.journal = Journal::AfterFirstWrite;
        }
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

/// Brings the schema up to date with foreign keys off, as a migration that
/// rebuilds a table needs (dropping the old table would otherwise delete
/// its rows under their references), and turns them on afterwards. Such a
/// migration checks the keys itself before it commits.
fn migrate(conn: &mut Connection) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    MIGRATIONS.to_latest(conn)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

#[cfg(test)]
mod tests;
