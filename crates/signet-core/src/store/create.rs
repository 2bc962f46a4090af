//! A new database file made beside its final place while the caller does
//! other work (a first `signet import` parsing its files): the schema goes
//! to a hidden file in the same folder with no journal and no fsync of its
//! own (no other process knows the file), and the first write is committed
//! there too. Only then is the file synced, hard-linked to the database's
//! name (if nothing appeared there meanwhile) and the name synced: a crash
//! finds no database or a whole one, never a half-made one, and a first
//! import waits for 2 fsyncs instead of 8. A caller that gives up (a file
//! failed to parse) leaves nothing behind; a process killed meanwhile may
//! leave a `.signet-new-*` file.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use rusqlite::Connection;
use tempfile::TempPath;

use super::{migrate, open, Store};
use crate::error::{Error, Result};

/// A database being created; [`Creating::open`] opens it.
pub struct Creating {
    target: PathBuf,
    job: Option<JoinHandle<Result<TempPath>>>,
}

impl Store {
    /// Starts creating the database at `path` on another thread when there
    /// is none yet (and its folder exists); otherwise does nothing and
    /// [`Creating::open`] is [`Store::open`].
    pub fn begin_create(path: &Path) -> Creating {
        // The name the file will take, absolute: anchors are filed under
        // the database's canonical path, which a missing file has none of.
        let dir = match path.parent() {
            Some(d) if d.as_os_str().is_empty() => Path::new("."),
            Some(d) => d,
            None => path,
        };
        let place = dir
            .canonicalize()
            .ok()
            .zip(path.file_name())
            .map(|(dir, name)| (dir.join(name), dir));
        match (open::probe(path), place) {
            (Ok(open::Found::Missing), Some((target, dir))) => Creating {
                target,
                job: std::thread::Builder::new()
                    .name("signet-create".into())
                    .spawn(move || build(&dir))
                    .ok(),
            },
            _ => Creating {
                target: path.to_path_buf(),
                job: None,
            },
        }
    }
}

/// The migrated schema in a hidden file of `dir`, on disk.
fn build(dir: &Path) -> Result<TempPath> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".signet-new-").suffix(".db");
    // The mode SQLite gives a database it creates (less the umask), not a
    // temporary file's 0600: the journal and WAL files copy it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let temp = builder
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, &e))?
        .into_temp_path();
    let mut conn = Connection::open(&temp)?;
    // Nothing to roll back to and nobody to crash on: the file is thrown
    // away unless it is complete, and synced as a whole below.
    conn.pragma_update(None, "journal_mode", "OFF")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    migrate(&mut conn)?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(temp)
}

impl Creating {
    /// The database, as [`Store::open`] gives it. When it was made
    /// meanwhile, the store works on the hidden file until its first write
    /// is committed there; [`Store::publish`] then gives the file the
    /// database's name. Otherwise: whatever is at the path now.
    pub fn open(mut self) -> Result<Store> {
        if let Some(Ok(Ok(temp))) = self.job.take().map(JoinHandle::join) {
            if let Ok(store) = Store::private(temp, &self.target) {
                return Ok(store);
            }
        }
        Store::open(&self.target)
    }
}

/// A database no other process can see yet, and the name it is to take.
pub(super) struct Unpublished {
    temp: TempPath,
    target: PathBuf,
}

impl Store {
    /// A store on the hidden file. Its journal stays in memory and nothing
    /// is fsynced: until the file takes the database's name, a crash loses
    /// only a file nobody was told of (a failed write still rolls back).
    fn private(temp: TempPath, target: &Path) -> Result<Store> {
        let conn = Connection::open(&temp)?;
        let mut store = Store::init(conn, true)?;
        store.conn.pragma_update(None, "journal_mode", "MEMORY")?;
        store.conn.pragma_update(None, "synchronous", "OFF")?;
        store.path = Some(target.to_path_buf());
        store.created = true;
        store.unpublished = Some(Unpublished {
            temp,
            target: target.to_path_buf(),
        });
        Ok(store)
    }

    /// After the first committed write to the hidden file: the file on
    /// disk, then under the database's name (a hard link, which never
    /// replaces a database another process made meanwhile), then that name
    /// on disk — only then is the write acknowledged, as durable as a
    /// commit with `synchronous=FULL`. Two fsyncs where a first write in
    /// place waits for four, plus four for the migrations. The connection
    /// is then opened again under the database's name, where its journal
    /// files belong. False: another process made the database first; this
    /// store now works on that one.
    pub(super) fn publish(&mut self) -> Result<bool> {
        let Some(u) = self.unpublished.take() else {
            return Ok(true);
        };
        std::fs::File::open(&u.temp)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(&u.temp, &e))?;
        if std::fs::hard_link(&u.temp, &u.target).is_err() {
            let other = Store::open(&u.target)?;
            // The hidden file's connection closes here, before its name
            // goes (with `u`).
            self.conn = other.conn;
            self.journal = other.journal;
            self.created = false;
            return Ok(false);
        }
        if let Some(dir) = u.target.parent() {
            std::fs::File::open(dir)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::io(dir, &e))?;
        }
        self.conn = Store::open_checked(&u.target, true)?.conn;
        Ok(true)
    }
}

impl Drop for Creating {
    /// Given up: the hidden file goes with its `TempPath`.
    fn drop(&mut self) {
        if let Some(job) = self.job.take() {
            let _ = job.join();
        }
    }
}
