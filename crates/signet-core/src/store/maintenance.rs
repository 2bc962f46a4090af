//! Keeping the database healthy: online backup, validated restore, and the
//! checks `signet doctor` runs.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::{events, Store, MIGRATIONS};
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
    let total = revisions.len();
    let mut problems = Vec::new();
    let mut count = 0;
    for (release, id, revision, payload, digest) in revisions {
        let seal = seal::Seal {
            signet_seal: seal::SEAL_VERSION,
            signatures: super::signoffs::signatures(conn, id)?,
            release,
            revision,
            digest,
            payload,
        };
        let check = seal.check(None);
        if !check.digest_ok {
            problems.push(format!(
                "{} revision {revision}: payload does not match its digest",
                seal.release
            ));
        }
        count += check.signatures.len();
        for sig in &check.signatures {
            if let Some(p) = &sig.problem {
                problems.push(format!(
                    "{} revision {revision}, {}: {p}",
                    seal.release, sig.handle
                ));
            }
        }
    }
    Ok(Check {
        name: "signed reports".into(),
        ok: problems.is_empty(),
        detail: if problems.is_empty() {
            format!("{total} revisions, {count} signatures verify")
        } else {
            problems.join("; ")
        },
    })
}

fn all_checks(conn: &Connection) -> Result<Health> {
    let checks = vec![
        integrity(conn)?,
        foreign_keys(conn)?,
        audit(conn),
        signatures(conn)?,
    ];
    Ok(Health {
        ok: checks.iter().all(|c| c.ok),
        checks,
    })
}

impl Store {
    /// Integrity, references, the audit chain and every signed report.
    pub fn doctor(&self) -> Result<Health> {
        all_checks(self.conn())
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
        let health = all_checks(&src)?;
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
        self.doctor()
    }
}
