//! Keeping the database healthy: online backup, validated restore, and the
//! checks `signet doctor` runs.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::{anchor, events, replay, Store, MIGRATIONS};
use crate::error::{Error, Result};
use crate::seal;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    pub ok: bool,
    pub checks: Vec<Check>,
}

fn integrity(conn: &Connection) -> Result<Check> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let lines = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let ok = lines == ["ok"];
    Ok(Check {
        name: "integrity".into(),
        ok,
        detail: if ok {
            "SQLite integrity check passed".into()
        } else {
            lines.join("; ")
        },
    })
}

fn foreign_keys(conn: &Connection) -> Result<Check> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let bad = stmt
        .query_map([], |r| {
            Ok(format!(
                "{} row {}",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Check {
        name: "foreign keys".into(),
        ok: bad.is_empty(),
        detail: if bad.is_empty() {
            "every reference resolves".into()
        } else {
            format!("dangling: {}", bad.join(", "))
        },
    })
}

fn audit(conn: &Connection) -> Check {
    match events::verify(conn) {
        Ok(a) => Check {
            name: "audit chain".into(),
            ok: true,
            detail: format!("{} events, head {}", a.events, a.head),
        },
        Err(e) => Check {
            name: "audit chain".into(),
            ok: false,
            detail: e.to_string(),
        },
    }
}

/// Every frozen revision still matches its digest and every signature over
/// it verifies.
fn signatures(conn: &Connection) -> Result<Check> {
    let mut stmt = conn.prepare(
        "SELECT r.name, rv.id, rv.revision, rv.payload, rv.digest FROM report_revision rv
         JOIN release r ON r.id = rv.release_id ORDER BY rv.id",
    )?;
    let revisions = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut problems = Vec::new();
    let mut count = 0;
    for (release, id, revision, payload, digest) in &revisions {
        if seal::digest(payload.as_bytes()) != *digest {
            problems.push(format!(
                "{release} revision {revision}: payload does not match its digest"
            ));
        }
        for sig in super::signoffs::signatures(conn, *id)? {
            count += 1;
            if let Err(p) = sig.check(payload.as_bytes(), digest, release, *revision) {
                problems.push(format!(
                    "{release} revision {revision}, {}: {p}",
                    sig.handle
                ));
            }
        }
    }
    Ok(Check {
        name: "signed reports".into(),
        ok: problems.is_empty(),
        detail: if problems.is_empty() {
            format!("{} revisions, {count} signatures verify", revisions.len())
        } else {
            problems.join("; ")
        },
    })
}

/// The state tables hold exactly what replaying the audit trail gives.
fn live_state(conn: &Connection) -> Result<Check> {
    let drifts = replay::drifts(conn)?;
    const SHOWN: usize = 10;
    let mut detail: Vec<String> = drifts.iter().take(SHOWN).map(|d| d.to_string()).collect();
    if drifts.len() > SHOWN {
        detail.push(format!("and {} more", drifts.len() - SHOWN));
    }
    Ok(Check {
        name: "live state".into(),
        ok: drifts.is_empty(),
        detail: if drifts.is_empty() {
            "every release, run, item state, sign-off and person is what the audit trail says"
                .into()
        } else {
            detail.join("; ")
        },
    })
}

/// The audit trail's own checks: the chain links, the live state replays
/// from it, and (with anchors) its tail is still there.
fn trail_checks(conn: &Connection, anchors: Option<(&Path, &Path)>) -> Result<Vec<Check>> {
    let mut checks = vec![audit(conn), live_state(conn)?];
    if let Some((config, db)) = anchors {
        checks.push(anchor::check(conn, config, db)?);
    }
    Ok(checks)
}

fn all_checks(conn: &Connection, anchors: Option<(&Path, &Path)>) -> Result<Health> {
    let mut checks = vec![integrity(conn)?, foreign_keys(conn)?];
    checks.extend(trail_checks(conn, anchors)?);
    checks.push(signatures(conn)?);
    Ok(Health {
        ok: checks.iter().all(|c| c.ok),
        checks,
    })
}

impl Store {
    fn anchor_paths(&self) -> Option<(&Path, &Path)> {
        Some((self.anchors.as_deref()?, self.path.as_deref()?))
    }

    /// Integrity, references, the audit chain, the live state against the
    /// trail, the tail anchor and every signed report.
    pub fn doctor(&self) -> Result<Health> {
        all_checks(self.conn(), self.anchor_paths())
    }

    /// The checks of the audit trail alone (`signet audit verify`).
    pub fn verify_trail(&self) -> Result<Health> {
        let checks = trail_checks(self.conn(), self.anchor_paths())?;
        Ok(Health {
            ok: checks.iter().all(|c| c.ok),
            checks,
        })
    }

    /// Copies the live database to `path` with SQLite's online backup (safe
    /// while the app or another CLI writes), via a temp file and rename.
    pub fn backup_to(&self, path: &Path) -> Result<u64> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".signet-backup")
            .tempfile_in(dir)
            .map_err(|e| Error::io(dir, &e))?;
        self.conn().backup(rusqlite::MAIN_DB, tmp.path(), None)?;
        tmp.as_file().sync_all().map_err(|e| Error::io(path, &e))?;
        let file = tmp.persist(path).map_err(|e| Error::io(path, &e.error))?;
        Ok(file.metadata().map(|m| m.len()).unwrap_or(0))
    }

    /// Replaces the live database with a backup — only after the backup
    /// passes every doctor check, so a damaged file cannot overwrite good data.
    pub fn restore_from(&mut self, path: &Path) -> Result<Health> {
        if !path.is_file() {
            return Err(Error::io(
                path,
                &std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        let src = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| Error::Invalid(format!("{}: not a database ({e})", path.display())))?;
        let is_signet: bool = src
            .query_row(
                "SELECT COUNT(*) = 2 FROM sqlite_master WHERE type = 'table' AND name IN ('event', 'item_state')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| Error::Invalid(format!("{}: not a Signet database ({e})", path.display())))?;
        if !is_signet {
            return Err(Error::Invalid(format!(
                "{}: not a Signet database",
                path.display()
            )));
        }
        let health = all_checks(&src, None)?;
        if !health.ok {
            let bad: Vec<String> = health
                .checks
                .iter()
                .filter(|c| !c.ok)
                .map(|c| format!("{}: {}", c.name, c.detail))
                .collect();
            return Err(Error::Invalid(format!(
                "{}: refusing to restore a damaged backup ({})",
                path.display(),
                bad.join("; ")
            )));
        }
        drop(src);
        self.conn.restore(
            rusqlite::MAIN_DB,
            path,
            None::<fn(rusqlite::backup::Progress)>,
        )?;
        // An older backup is brought up to this version's schema.
        MIGRATIONS.to_latest(&mut self.conn)?;
        // The restored history is the one to anchor from now on.
        if let Some((config, db)) = self.anchor_paths() {
            anchor::reset(&self.conn, config, db)?;
        }
        self.doctor()
    }
}
