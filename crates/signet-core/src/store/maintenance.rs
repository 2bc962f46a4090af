//! Keeping the database healthy: online backup, validated restore, and the
//! checks `signet doctor` runs.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::{anchor, events, replay, AuditReport, Store};
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

impl Health {
    fn of(checks: Vec<Check>) -> Health {
        Health {
            ok: checks.iter().all(|c| c.ok),
            checks,
        }
    }

    /// The names of the failed checks.
    #[cfg(test)]
    pub(crate) fn failed(&self) -> Vec<&str> {
        self.checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.name.as_str())
            .collect()
    }

    /// `name: detail` of every failed check, joined for one message.
    pub fn failures(&self) -> String {
        self.checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect::<Vec<_>>()
            .join("; ")
    }
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

/// The chain check, and the chain's length and head when it holds.
fn audit(conn: &Connection) -> (Check, Option<AuditReport>) {
    match events::verify(conn) {
        Ok(a) => (
            Check {
                name: "audit chain".into(),
                ok: true,
                detail: format!("{} events, head {}", a.events, a.head),
            },
            Some(a),
        ),
        Err(e) => (
            Check {
                name: "audit chain".into(),
                ok: false,
                detail: e.to_string(),
            },
            None,
        ),
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

/// No standing sign-off (the newest revision of a signed-off release)
/// holds a signature made with a key already revoked at the time it names.
/// Older revisions are history: their findings are listed, not failed, or
/// one revoked key would fail the doctor for good (revisions are immutable).
fn signing_keys(store: &Store) -> Result<Check> {
    use crate::revocation::{standing, Standing};
    let records = store.key_records()?;
    let revoked = records.iter().filter(|k| k.revocation.is_some()).count();
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    for (release, revision, standing_now, sig) in super::signoffs::all_signatures(store.conn())? {
        let at = format!(
            "{release} revision {revision}, {} (key {}, signed {})",
            sig.handle, sig.key_id, sig.signed_at
        );
        match standing(&records, &sig.public_key, &sig.signed_at) {
            Standing::Good => {}
            Standing::Revoked(r) if standing_now => {
                problems.push(format!("{at}: invalid, the key was {r}"));
            }
            Standing::Revoked(r) => {
                notes.push(format!(
                    "{at}: invalid, the key was {r} (a superseded revision)"
                ));
            }
            Standing::RevokedLater(r) => {
                notes.push(format!("{at}: signed with a key revoked later ({r})"));
            }
        }
    }
    let ok = problems.is_empty();
    let findings: Vec<String> = problems.into_iter().chain(notes).collect();
    let detail = if !findings.is_empty() {
        findings.join("; ")
    } else if revoked == 0 {
        "no key has been revoked".to_string()
    } else {
        format!("{revoked} revoked key(s), none made a signature here")
    };
    Ok(Check {
        name: "signing keys".into(),
        ok,
        detail,
    })
}

/// The triggers that make the audit trail, revisions and sign-offs
/// append-only are still there: dropping them is the first step of any
/// edit behind Signet's back.
fn guards(conn: &Connection) -> Result<Check> {
    let mut guards = vec![
        "event_no_update",
        "event_no_delete",
        "report_revision_no_update",
        "report_revision_no_delete",
        "signoff_no_update",
        "signoff_no_delete",
    ];
    // Only from migration 0005 on (a backup checked before restore may be older).
    let keys: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'person_key')",
        [],
        |r| r.get(0),
    )?;
    if keys {
        guards.extend(["person_key_no_delete", "person_key_revoke_only"]);
    }
    let mut missing = Vec::new();
    for name in guards {
        let there: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if !there {
            missing.push(name);
        }
    }
    Ok(Check {
        name: "append-only".into(),
        ok: missing.is_empty(),
        detail: if missing.is_empty() {
            "events, revisions, sign-offs and signing keys cannot be altered or deleted".into()
        } else {
            format!(
                "triggers dropped behind Signet's back: {}",
                missing.join(", ")
            )
        },
    })
}

/// The first findings of a check, and how many more there are: a damaged
/// database may differ in thousands of rows.
fn first_few<T: std::fmt::Display>(findings: &[T]) -> String {
    const SHOWN: usize = 10;
    let mut detail: Vec<String> = findings.iter().take(SHOWN).map(T::to_string).collect();
    if findings.len() > SHOWN {
        detail.push(format!("and {} more", findings.len() - SHOWN));
    }
    detail.join("; ")
}

/// The state tables hold exactly what replaying the audit trail gives.
fn live_state(conn: &Connection) -> Result<Check> {
    let drifts = replay::drifts(conn)?;
    Ok(Check {
        name: "live state".into(),
        ok: drifts.is_empty(),
        detail: if drifts.is_empty() {
            "every release, run, item state, sign-off and person is what the audit trail says"
                .into()
        } else {
            first_few(&drifts)
        },
    })
}

/// The counts kept for the lists across releases are what the item states
/// say (a cache: wrong, it would show wrong progress and blocked totals).
fn kept_counts(conn: &Connection) -> Result<Check> {
    let drifts = super::releases::progress_drifts(conn)?;
    Ok(Check {
        name: "kept counts".into(),
        ok: drifts.is_empty(),
        detail: if drifts.is_empty() {
            "every run's progress is what its item states count".into()
        } else {
            format!(
                "progress kept for the release lists differs from the items (edited behind Signet's back?): {}",
                first_few(&drifts)
            )
        },
    })
}

/// A synced database: every item is what its operations fold to.
fn operations(conn: &Connection) -> Result<Check> {
    let drifts = super::merge::drifts(conn)?;
    let n = super::oplog::count(conn)?;
    Ok(Check {
        name: "operations".into(),
        ok: drifts.is_empty(),
        detail: if drifts.is_empty() {
            format!("every synced item is what its {n} operations make it")
        } else {
            format!(
                "not what their operations make them (edited behind Signet's back?): {}",
                drifts.join(", ")
            )
        },
    })
}

/// The audit trail's own checks: the chain links, the live state replays
/// from it, and (with anchors) its tail is still there.
fn trail_checks(
    conn: &Connection,
    anchors: Option<(&Path, &Path)>,
) -> Result<(Vec<Check>, Option<AuditReport>)> {
    let (chain, report) = audit(conn);
    // A broken chain is the finding; replaying it would only echo the edit.
    let mut checks = if chain.ok {
        vec![chain, live_state(conn)?]
    } else {
        vec![chain]
    };
    if let Some((config, db)) = anchors {
        checks.push(anchor::check(conn, config, db)?);
    }
    Ok((checks, report))
}

fn all_checks(conn: &Connection, anchors: Option<(&Path, &Path)>) -> Result<Health> {
    let mut checks = vec![
        integrity(conn)?,
        foreign_keys(conn)?,
        guards(conn)?,
        kept_counts(conn)?,
    ];
    checks.extend(trail_checks(conn, anchors)?.0);
    checks.push(signatures(conn)?);
    Ok(Health::of(checks))
}

impl Store {
    fn anchor_paths(&self) -> Option<(&Path, &Path)> {
        Some((self.anchors.as_deref()?, self.path.as_deref()?))
    }

    /// Integrity, references, the counts kept for the release lists, the
    /// audit chain, the live state against the trail, the tail anchor, every
    /// signed report, that no standing sign-off rests on a revoked key, and
    /// (synced) the operations' fold.
    pub fn doctor(&self) -> Result<Health> {
        let mut health = self.health()?;
        // A synced database: every item is what its operations fold to.
        // The doctor's alone: the gate relies on the audit trail's replay.
        if super::oplog::count(self.conn())? > 0 {
            let ops = operations(self.conn())?;
            health.ok &= ops.ok;
            health.checks.push(ops);
        }
        let keys = signing_keys(self)?;
        health.ok &= keys.ok;
        health.checks.push(keys);
        Ok(health)
    }

    /// The doctor's checks for damage and edits behind Signet's back,
    /// without its verdict on revoked keys: what `gate` demands of the whole
    /// database before judging one release (it judges that release's keys
    /// itself, so one revoked key does not fail every release).
    pub fn health(&self) -> Result<Health> {
        all_checks(self.conn(), self.anchor_paths())
    }

    /// The checks of the audit trail alone (`signet audit verify`), and the
    /// chain's length and head when it holds.
    pub fn verify_trail(&self) -> Result<(Health, Option<AuditReport>)> {
        let (checks, chain) = trail_checks(self.conn(), self.anchor_paths())?;
        Ok((Health::of(checks), chain))
    }

    /// Copies the live database to `path` with SQLite's online backup (safe
    /// while the app or another CLI writes), via a temp file and rename. An
    /// existing file at `path` is replaced only when `replace` is set;
    /// otherwise it is left as it was and the error is
    /// [`Error::AlreadyExists`]. The live database itself and the files
    /// SQLite keeps beside it are refused even with `replace`.
    pub fn backup_to(&self, path: &Path, replace: bool) -> Result<u64> {
        let exists = || Error::AlreadyExists {
            what: "file",
            name: path.display().to_string(),
        };
        self.refuse_live_target(path)?;
        // Checked first so a refusal costs nothing; the no-clobber rename
        // below is what actually guarantees it.
        if !replace {
            if let Ok(meta) = std::fs::symlink_metadata(path) {
                if meta.file_type().is_symlink() && !path.exists() {
                    return Err(Self::dangling_link(path));
                }
                return Err(exists());
            }
        }
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
        let file = if replace {
            tmp.persist(path)
        } else {
            tmp.persist_noclobber(path)
        }
        .map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => exists(),
            _ => Error::io(path, &e.error),
        })?;
        Ok(file.metadata().map(|m| m.len()).unwrap_or(0))
    }

    /// Refuses a backup onto the live database or its `-wal`, `-shm` or
    /// `-journal` file, by whatever name (`./x/../signet.db`, a linked
    /// folder): the rename would replace the database, or leave SQLite a
    /// "journal" that is a whole database, and the data is gone.
    fn refuse_live_target(&self, target: &Path) -> Result<()> {
        let Some(live) = self.path.as_deref() else {
            return Ok(());
        };
        let targets = Self::path_forms(target);
        for (suffix, what) in [
            ("", "the live database"),
            ("-wal", "the live database's write-ahead log"),
            ("-shm", "the live database's shared-memory index"),
            ("-journal", "the live database's rollback journal"),
        ] {
            let hit = Self::path_forms(live).iter().any(|l| {
                let mut companion = l.clone().into_os_string();
                companion.push(suffix);
                let companion = PathBuf::from(companion);
                targets.iter().any(|t| Self::same_path(t, &companion))
            });
            if hit {
                let of = if suffix.is_empty() { "" } else { "of " };
                return Err(Error::Invalid(format!(
                    "{}: is {what} ({of}{}); a backup there would destroy the database — choose another file",
                    target.display(),
                    live.display()
                )));
            }
        }
        Ok(())
    }

    /// `p` as the directory entry a rename would replace (its folder resolved,
    /// its name kept) and, when it exists, as the file it leads to (every link
    /// followed). Paths that cannot be resolved give fewer forms.
    fn path_forms(p: &Path) -> Vec<PathBuf> {
        let mut forms = Vec::new();
        if let Some(name) = p.file_name() {
            let dir = match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            if let Ok(dir) = std::fs::canonicalize(dir) {
                forms.push(dir.join(name));
            }
        }
        if let Ok(full) = std::fs::canonicalize(p) {
            forms.push(full);
        }
        forms
    }

    /// Whether two resolved paths name one file: names differing only in case
    /// do on the usual macOS and Windows file systems.
    fn same_path(a: &Path, b: &Path) -> bool {
        if cfg!(any(target_os = "macos", windows)) {
            a.to_string_lossy().to_lowercase() == b.to_string_lossy().to_lowercase()
        } else {
            a == b
        }
    }

    /// A backup target that is a symbolic link to nothing: "already exists"
    /// would send the user looking for a file that is not there.
    fn dangling_link(path: &Path) -> Error {
        let to = std::fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        Error::Invalid(format!(
            "{}: is a symbolic link to a missing file ({to}); pass --force to replace the link itself",
            path.display()
        ))
    }

    /// Replaces the live database with a backup — only after the backup
    /// passes every doctor check, so a damaged file cannot overwrite good
    /// data. The database being replaced is kept beside `live` (the path
    /// this store was opened from) under a name of its own, so no restore
    /// ever destroys what an earlier one set aside.
    pub fn restore_from(&mut self, path: &Path, live: &Path) -> Result<Restored> {
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
            return Err(Error::Invalid(format!(
                "{}: refusing to restore a damaged backup ({})",
                path.display(),
                health.failures()
            )));
        }
        drop(src);
        // Only now, with a backup known to be good, is anything replaced.
        let set_aside = self.set_aside(live)?;
        self.conn.restore(
            rusqlite::MAIN_DB,
            path,
            None::<fn(rusqlite::backup::Progress)>,
        )?;
        // An older backup is brought up to this version's schema.
        super::migrate(&mut self.conn)?;
        self.settle_journal();
        // The restored history is the one to anchor from now on.
        if let Some((config, db)) = self.anchor_paths() {
            anchor::reset(&self.conn, config, db)?;
        }
        Ok(Restored {
            set_aside,
            health: self.doctor()?,
        })
    }

    /// Backs the live database up beside `live` as
    /// `<stem>.before-restore-<UTC time>.db`, adding `-2`, `-3`, … when that
    /// name is taken (two restores in one second), never replacing a file.
    fn set_aside(&self, live: &Path) -> Result<PathBuf> {
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second]Z"
            ))
            .map_err(|e| Error::Invalid(format!("cannot format the time: {e}")))?;
        self.set_aside_as(live, &stamp)
    }

    fn set_aside_as(&self, live: &Path, stamp: &str) -> Result<PathBuf> {
        let stem = live
            .file_stem()
            .map_or("signet".into(), |s| s.to_string_lossy());
        for n in 1..=1000 {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("-{n}")
            };
            let path = live.with_file_name(format!("{stem}.before-restore-{stamp}{suffix}.db"));
            match self.backup_to(&path, false) {
                Ok(_) => return Ok(path),
                Err(Error::AlreadyExists { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Invalid(format!(
            "{}: too many databases set aside at {stamp}; move some away and restore again",
            live.display()
        )))
    }
}

/// What a restore did: where the replaced database is kept, and the health
/// of the restored one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restored {
    pub set_aside: PathBuf,
    pub health: Health,
}

#[cfg(test)]
mod restore_tests {
    use super::*;

    #[test]
    fn set_aside_never_replaces_a_file_and_counts_up_within_a_second() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("signet.db");
        let store = Store::open(&live).unwrap();
        let stamp = "20261126T142233Z";
        let taken = dir.path().join("signet.before-restore-20261126T142233Z.db");
        std::fs::write(&taken, "an earlier restore's database").unwrap();
        let first = store.set_aside_as(&live, stamp).unwrap();
        let second = store.set_aside_as(&live, stamp).unwrap();
        assert_eq!(
            first,
            dir.path()
                .join("signet.before-restore-20261126T142233Z-2.db")
        );
        assert_eq!(
            second,
            dir.path()
                .join("signet.before-restore-20261126T142233Z-3.db")
        );
        assert_eq!(
            std::fs::read_to_string(&taken).unwrap(),
            "an earlier restore's database"
        );
        for p in [first, second] {
            assert!(Store::open(&p).unwrap().doctor().unwrap().ok);
        }
    }

    #[test]
    fn backup_replaces_an_existing_file_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("signet.db")).unwrap();
        let target = dir.path().join("copy.db");
        std::fs::write(&target, "keep me").unwrap();
        let err = store.backup_to(&target, false).unwrap_err();
        assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
        store.backup_to(&target, true).unwrap();
        assert!(Store::open(&target).unwrap().doctor().unwrap().ok);
    }
}
