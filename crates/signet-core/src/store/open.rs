//! Which files Signet may open as its database, decided before anything is
//! written: a missing file only when the caller may create one, an empty
//! file or a Signet database, never another application's SQLite file or a
//! file that is not a database at all.

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// `PRAGMA application_id` of every database Signet creates ('SGNT').
pub(crate) const APPLICATION_ID: u32 = 0x5347_4E54;

/// Tables only a Signet database has; databases made before the
/// application id was set are recognised by them.
const MARKER_TABLES: [&str; 3] = ["event", "item_state", "template"];

/// What a path holds, from its first bytes and, when needed, a read-only
/// look at its schema that creates no `-wal`/`-shm` beside it.
pub(crate) enum Found {
    Missing,
    /// A new (zero-byte) file, or a SQLite database with no tables yet.
    Empty,
    Signet,
}

pub(crate) fn probe(path: &Path) -> Result<Found> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(Error::io(path, &e)),
    };
    if meta.is_dir() {
        return Err(Error::NotADatabase {
            path: path.to_path_buf(),
            detail: "it is a directory".into(),
        });
    }
    let mut header = Vec::with_capacity(100);
    std::fs::File::open(path)
        .and_then(|f| f.take(100).read_to_end(&mut header))
        .map_err(|e| Error::io(path, &e))?;
    if header.is_empty() {
        return Ok(Found::Empty);
    }
    if header.len() < 100 || !header.starts_with(b"SQLite format 3\0") {
        return Err(Error::NotADatabase {
            path: path.to_path_buf(),
            detail: "it is not a SQLite file".into(),
        });
    }
    let app_id = u32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    by_application_id(app_id, path, || by_tables(&peek(path)?, path))
}

/// Ours, another application's, or (id 0) decided by the tables it holds.
fn by_application_id(
    app_id: u32,
    path: &Path,
    tables: impl FnOnce() -> Result<Found>,
) -> Result<Found> {
    match app_id {
        APPLICATION_ID => Ok(Found::Signet),
        0 => tables(),
        other => Err(not_signet(
            path,
            format!("it belongs to another application (application id {other:#010x})"),
        )),
    }
}

/// Opens the file for reading its schema only: `immutable=1` takes no
/// locks and creates no journal, WAL or shared-memory file.
fn peek(path: &Path) -> Result<Connection> {
    let mut uri = String::from("file:");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'?' | b'#' | b'%' => uri.push_str(&format!("%{b:02X}")),
            _ => uri.push(b as char),
        }
    }
    uri.push_str("?immutable=1");
    // With a WAL beside it, what the file holds may sit in the WAL, which
    // `immutable` would not read: a plain read-only connection does, and
    // closing it checkpoints nothing. A non-UTF-8 path (its `uri` came from
    // a lossy string) takes the same route.
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let conn = if path.to_str().is_some() && !wal.exists() {
        Connection::open_with_flags(
            &uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
        )
    } else {
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
    };
    conn.map_err(|e| Error::NotADatabase {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}

/// Classifies a database without an application id by its tables.
pub(crate) fn by_tables(conn: &Connection, path: &Path) -> Result<Found> {
    let tables = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(|e| sqlite_error(path, e))?;
    if tables.is_empty() {
        return Ok(Found::Empty);
    }
    if MARKER_TABLES.iter().all(|m| tables.iter().any(|t| t == m)) {
        return Ok(Found::Signet);
    }
    let mut shown: Vec<&str> = tables.iter().map(String::as_str).take(5).collect();
    if tables.len() > shown.len() {
        shown.push("…");
    }
    Err(not_signet(
        path,
        format!("it holds other tables ({})", shown.join(", ")),
    ))
}

/// The same check on the open connection, just before migrating: it sees
/// what a WAL file holds that the header probe could not.
pub(crate) fn check_connection(conn: &Connection, path: &Path) -> Result<()> {
    let app_id: u32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get::<_, i64>(0))
        .map(|v| v as u32)
        .map_err(|e| sqlite_error(path, e))?;
    by_application_id(app_id, path, || by_tables(conn, path)).map(|_| ())
}

/// "File is not a database" names the file; anything else (a read-only
/// file, a full disk) stays a storage error the caller words.
pub(crate) fn sqlite_error(path: &Path, e: rusqlite::Error) -> Error {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
        Error::NotADatabase {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }
    } else {
        Error::Database(e)
    }
}

fn not_signet(path: &Path, detail: String) -> Error {
    Error::NotSignetDatabase {
        path: path.to_path_buf(),
        detail,
    }
}
