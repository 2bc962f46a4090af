//! Tail anchors: the newest audit event this machine saw written, kept
//! outside the database (beside the signing keys, in `<config>/anchors/`).
//!
//! The hash chain proves that the events a database still holds are linked;
//! it cannot notice the newest ones being cut off, together with the state
//! they produced, or the whole file being swapped for an older copy. An
//! anchor can: the event it names must still be in the chain, with the same
//! hash. It only moves forward — it is not advanced while the event it names
//! is missing, so the evidence survives until someone looks.
//!
//! An anchor is a convenience, not a proof: someone who can write the
//! user's config directory can delete it (docs/RELIABILITY.md says what is
//! and is not detected).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::maintenance::Check;
use crate::error::{Error, Result};
use crate::time_fmt;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Anchor {
    database_id: String,
    /// Where the database was when the anchor was written.
    path: PathBuf,
    event_id: i64,
    hash: String,
    recorded_at: String,
}

fn dir(config: &Path) -> PathBuf {
    config.join("anchors")
}

/// One anchor per database and place: a copy of the database elsewhere
/// (a backup opened with `--db`) has a life of its own.
fn file(config: &Path, database_id: &str, db: &Path) -> PathBuf {
    let place = crate::seal::digest(db.to_string_lossy().as_bytes());
    let place = place.trim_start_matches("sha256:");
    dir(config).join(format!("{database_id}-{}.json", &place[..16]))
}

/// The database's id; None when the `meta` row was removed behind
/// Signet's back (the anchor check then fails, saying so).
pub(crate) fn database_id(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'database_id'",
            [],
            |r| r.get(0),
        )
        .optional()?)
}

fn newest(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT id, hash FROM event ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

fn holds(conn: &Connection, a: &Anchor) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM event WHERE id = ?1 AND hash = ?2)",
        rusqlite::params![a.event_id, a.hash],
        |r| r.get(0),
    )?)
}

fn read(path: &Path) -> Option<Anchor> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Every anchor file on this machine: (file, anchor or None when it cannot
/// be read — an edited or damaged anchor is a finding, not "no anchor").
fn all(config: &Path) -> Vec<(PathBuf, Option<Anchor>)> {
    let Ok(entries) = std::fs::read_dir(dir(config)) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let a = read(&p);
            (p, a)
        })
        .collect()
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn write(config: &Path, anchor: &Anchor) -> Result<()> {
    let d = dir(config);
    std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, &e))?;
    let tmp = tempfile::Builder::new()
        .prefix(".anchor")
        .tempfile_in(&d)
        .map_err(|e| Error::io(&d, &e))?;
    serde_json::to_writer_pretty(tmp.as_file(), anchor)?;
    let target = file(config, &anchor.database_id, &anchor.path);
    tmp.persist(&target)
        .map_err(|e| Error::io(&target, &e.error))?;
    Ok(())
}

/// Moves this database's anchor to its newest event, unless the event the
/// anchor names has gone missing (then the anchor stays as evidence).
pub(crate) fn advance(conn: &Connection, config: &Path, db: &Path) -> Result<()> {
    let Some(id) = database_id(conn)? else {
        return Ok(());
    };
    let here = canonical(db);
    let Some((event_id, hash)) = newest(conn)? else {
        return Ok(());
    };
    let own = file(config, &id, &here);
    if own.exists() && read(&own).is_none() {
        // Damaged or edited: left for `doctor` to report.
        return Ok(());
    }
    if let Some(old) = read(&own) {
        if old.event_id == event_id && old.hash == hash {
            return Ok(());
        }
        if !holds(conn, &old)? {
            return Ok(());
        }
    }
    write(
        config,
        &Anchor {
            database_id: id,
            path: here,
            event_id,
            hash,
            recorded_at: time_fmt::now(),
        },
    )
}

/// Starts over at the database's current head: after a restore, or when
/// Signet created a new database where another one used to be. Anchors of
/// other databases that claimed this path are removed.
pub(crate) fn reset(conn: &Connection, config: &Path, db: &Path) -> Result<()> {
    let Some(id) = database_id(conn)? else {
        return Ok(());
    };
    let here = canonical(db);
    for (path, a) in all(config) {
        let Some(a) = a else { continue };
        if a.path == here && a.database_id != id {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, &e))?;
        }
    }
    let own = file(config, &id, &here);
    if own.exists() {
        std::fs::remove_file(&own).map_err(|e| Error::io(&own, &e))?;
    }
    advance(conn, config, db)
}

/// Whether the database still holds what this machine last saw of it.
pub(crate) fn check(conn: &Connection, config: &Path, db: &Path) -> Result<Check> {
    let fail = |detail: String| Check {
        name: "tail anchor".into(),
        ok: false,
        detail,
    };
    let Some(id) = database_id(conn)? else {
        return Ok(fail(
            "the database's id (table meta) was removed behind Signet's back".into(),
        ));
    };
    let here = canonical(db);
    let mut problems = Vec::new();
    let mut own = None;
    for (path, a) in all(config) {
        let Some(a) = a else {
            if path == file(config, &id, &here) {
                problems.push(format!(
                    "this database's anchor {} cannot be read (it was edited or damaged)",
                    path.display()
                ));
            }
            continue;
        };
        if a.path != here {
            continue;
        }
        if a.database_id == id {
            own = Some((path, a));
        } else {
            problems.push(format!(
                "{} held another Signet database (id {}, event #{} on {}) and the file there now is database {id}: it was replaced outside Signet; if that was on purpose, delete {}",
                here.display(),
                a.database_id,
                a.event_id,
                a.recorded_at,
                path.display()
            ));
        }
    }
    let detail = match &own {
        Some((path, a)) if !holds(conn, a)? => {
            problems.insert(
                0,
                format!(
                    "the audit trail no longer holds event #{} (hash {}) that this machine saw written on {}: newer events were removed or rewritten, or an older copy of the database was put in place; if you restored an older copy on purpose, use `signet restore` or delete {}",
                    a.event_id,
                    &a.hash[..a.hash.len().min(16)],
                    a.recorded_at,
                    path.display()
                ),
            );
            String::new()
        }
        Some((_, a)) => format!(
            "event #{} seen written on {} is still in the trail",
            a.event_id, a.recorded_at
        ),
        None => {
            "no anchor on this machine yet (one is kept after the first change made here)".into()
        }
    };
    Ok(Check {
        name: "tail anchor".into(),
        ok: problems.is_empty(),
        detail: if problems.is_empty() {
            detail
        } else {
            problems.join("; ")
        },
    })
}
