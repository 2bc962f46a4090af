//! A new database file made beside its final place while the caller does
//! other work (a first `signet import` parsing its files): the schema goes
//! to a hidden file in the same folder with no journal and no fsync of its
//! own (no other process knows the file), is synced once, and is linked
//! into place only if nothing appeared there meanwhile. The caller's path
//! then no longer waits for the migrations' transaction (its CPU and four
//! fsyncs). A caller that gives up (a file failed to parse) leaves nothing
//! behind; a process killed meanwhile may leave a `.signet-new-*` file.

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
        let dir = match path.parent() {
            Some(d) if d.as_os_str().is_empty() => Some(PathBuf::from(".")),
            other => other.filter(|d| d.is_dir()).map(Path::to_path_buf),
        };
        let job = match (open::probe(path), dir) {
            (Ok(open::Found::Missing), Some(dir)) => std::thread::Builder::new()
                .name("signet-create".into())
                .spawn(move || build(&dir))
                .ok(),
            _ => None,
        };
        Creating {
            target: path.to_path_buf(),
            job,
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
    // Once linked into place the file must be whole on disk: a power cut
    // before the first write's commit then finds a valid empty database.
    std::fs::File::open(&temp)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(&temp, &e))?;
    Ok(temp)
}

impl Creating {
    /// The database, as [`Store::open`] gives it: the one made meanwhile
    /// when it could be linked into place (no other process created one
    /// there first), else whatever is at the path now.
    pub fn open(mut self) -> Result<Store> {
        if let Some(Ok(Ok(temp))) = self.job.take().map(JoinHandle::join) {
            // `hard_link` fails when the target exists: another process's
            // database is never replaced.
            if std::fs::hard_link(&temp, &self.target).is_ok() {
                drop(temp);
                let mut store = Store::open_checked(&self.target, true)?;
                store.created = true;
                return Ok(store);
            }
        }
        Store::open(&self.target)
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
