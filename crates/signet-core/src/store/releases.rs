//! Releases: what is being signed off.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::events::{append, NewEvent};
use super::Store;
use crate::error::{Error, Result};
use crate::model::{Progress, Release, ReleaseStatus, ReleaseSummary, Status};
use crate::sync::op::Change;
use crate::time_fmt;

fn row_to_release(r: &rusqlite::Row<'_>) -> rusqlite::Result<Release> {
    Ok(Release {
        id: r.get(0)?,
        name: r.get(1)?,
        due_date: r.get(2)?,
        status: ReleaseStatus::parse(&r.get::<_, String>(3)?),
        created_at: r.get(4)?,
    })
}

pub(crate) fn resolve(conn: &Connection, name: &str) -> Result<Release> {
    conn.query_row(
        "SELECT id, name, due_date, status, created_at FROM release WHERE name = ?1",
        [name],
        row_to_release,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "release",
        name: name.to_string(),
    })
}

/// Counts by status in four columns from `first` (open, done, n/a,
/// blocked), as sums over `run_progress` give them (NULL: no run).
fn progress_of(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Progress> {
    let mut p = Progress::default();
    for (col, status) in [
        (first, Status::Open),
        (first + 1, Status::Done),
        (first + 2, Status::NotApplicable),
        (first + 3, Status::Blocked),
    ] {
        p.add_many(status, r.get::<_, Option<i64>>(col)?.unwrap_or(0) as usize);
    }
    Ok(p)
}

/// A release's items by status, from `run_progress` (kept by triggers).
pub(crate) fn progress(conn: &Connection, release_id: i64) -> Result<Progress> {
    let mut stmt = conn.prepare_cached(
        "SELECT SUM(p.open), SUM(p.done), SUM(p.not_applicable), SUM(p.blocked)
         FROM run r JOIN run_progress p ON p.run_id = r.id WHERE r.release_id = ?1",
    )?;
    Ok(stmt.query_row([release_id], |r| progress_of(r, 0))?)
}

impl Store {
    pub fn create_release(
        &mut self,
        name: &str,
        due: Option<&str>,
        actor: &str,
    ) -> Result<Release> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Invalid("a release needs a name".into()));
        }
        let due = match due {
            Some(d) => Some(time_fmt::parse_date(d).ok_or_else(|| {
                Error::Invalid(format!("due date '{d}' is not a date like 2026-12-01"))
            })?),
            None => None,
        };
        self.write(|tx| {
            // One clock reading for the row and the operation: replicas
            // order releases by it (a report's previous release).
            let at = time_fmt::now();
            let r = create_release_in(tx, name, due.as_deref(), (actor, &at))?;
            super::oplog::record_at(
                tx,
                actor,
                &at,
                Change::ReleaseCreate {
                    due: r.due_date.clone(),
                    name: r.name.clone(),
                },
            )?;
            Ok(r)
        })
    }

    pub fn release(&self, name: &str) -> Result<Release> {
        resolve(self.conn(), name)
    }

    /// The release, if it may change now: a signed-off release is read-only
    /// until reopened. Lets a command refuse before it writes anything.
    pub fn writable_release(&self, name: &str) -> Result<Release> {
        let r = resolve(self.conn(), name)?;
        super::runs::ensure_writable(&r)?;
        Ok(r)
    }

    /// All releases, soonest due first, with their runs and progress: one
    /// query whatever the number of releases, the progress read from
    /// `run_progress` (the home screen asks on every visit; a library holds
    /// thousands of releases of hundreds of items).
    pub fn releases(&self) -> Result<Vec<ReleaseSummary>> {
        Ok(release_runs(self.conn())?
            .into_iter()
            .map(|(release, runs)| {
                let mut progress = Progress::default();
                for run in &runs {
                    progress.merge(run.progress);
                }
                ReleaseSummary {
                    runs: runs.into_iter().map(|r| r.template).collect(),
                    progress,
                    release,
                }
            })
            .collect())
    }
}

/// One run as the lists across releases need it.
pub(crate) struct RunRow {
    pub id: i64,
    /// The template's slug.
    pub template: String,
    pub progress: Progress,
}

/// Every release in list order (soonest due first, no due date last, then
/// by name) with its runs in order and their kept progress (migration
/// 0009's `run_progress`).
pub(crate) fn release_runs(conn: &Connection) -> Result<Vec<(Release, Vec<RunRow>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT rl.id, rl.name, rl.due_date, rl.status, rl.created_at,
                r.id, t.slug, p.open, p.done, p.not_applicable, p.blocked
         FROM release rl
         LEFT JOIN run r ON r.release_id = rl.id
         LEFT JOIN template t ON t.id = r.template_id
         LEFT JOIN run_progress p ON p.run_id = r.id
         ORDER BY rl.due_date IS NULL, rl.due_date, rl.name, r.position",
    )?;
    let mut out: Vec<(Release, Vec<RunRow>)> = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if out.last().is_none_or(|(last, _)| last.id != id) {
            out.push((row_to_release(r)?, Vec::new()));
        }
        if let (Some(run), Some((_, runs))) = (r.get::<_, Option<i64>>(5)?, out.last_mut()) {
            runs.push(RunRow {
                id: run,
                template: r.get(6)?,
                progress: progress_of(r, 7)?,
            });
        }
    }
    Ok(out)
}

/// Creates a checked release in `tx` (see [`Store::create_release`]).
pub(crate) fn create_release_in(
    tx: &Transaction<'_>,
    name: &str,
    due: Option<&str>,
    (actor, at): (&str, &str),
) -> Result<Release> {
    if resolve(tx, name).is_ok() {
        return Err(Error::AlreadyExists {
            what: "release",
            name: name.to_string(),
        });
    }
    tx.execute(
        "INSERT INTO release (name, due_date, status, created_at) VALUES (?1, ?2, 'open', ?3)",
        params![name, due, at],
    )?;
    let release = resolve(tx, name)?;
    append(
        tx,
        NewEvent {
            actor,
            action: "release.create",
            subject: name,
            release_id: Some(release.id),
            new: due,
            field: due.as_ref().map(|_| "due_date"),
            ..Default::default()
        },
    )?;
    Ok(release)
}

/// Runs whose kept progress (`run_progress`) differs from a count of their
/// item states, as "run ID: kept … counted …": the doctor's check that the
/// triggers of migration 0009 saw every write (the lists across releases
/// read nothing else). Empty on a database older than 0009 (a backup
/// checked before restore), which has no kept counts.
pub(crate) fn progress_drifts(conn: &Connection) -> Result<Vec<String>> {
    let kept: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_progress')",
        [],
        |r| r.get(0),
    )?;
    if !kept {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare(
        "WITH counted AS (
             SELECT run_id, SUM(status = 'open') AS open, SUM(status = 'done') AS done,
                    SUM(status = 'not_applicable') AS na, SUM(status = 'blocked') AS blocked
             FROM item_state GROUP BY run_id)
         SELECT r.id, p.open, p.done, p.not_applicable, p.blocked,
                c.open, c.done, c.na, c.blocked
         FROM run r
         LEFT JOIN run_progress p ON p.run_id = r.id
         LEFT JOIN counted c ON c.run_id = r.id
         WHERE IFNULL(p.open, 0) <> IFNULL(c.open, 0) OR IFNULL(p.done, 0) <> IFNULL(c.done, 0)
            OR IFNULL(p.not_applicable, 0) <> IFNULL(c.na, 0) OR IFNULL(p.blocked, 0) <> IFNULL(c.blocked, 0)
         ORDER BY r.id",
    )?;
    let rows = stmt.query_map([], |r| {
        let kept = progress_of(r, 1)?;
        let counted = progress_of(r, 5)?;
        Ok(format!(
            "run {}: kept {} open, {} done, {} n/a, {} blocked; counted {} open, {} done, {} n/a, {} blocked",
            r.get::<_, i64>(0)?,
            kept.open,
            kept.done,
            kept.not_applicable,
            kept.blocked,
            counted.open,
            counted.done,
            counted.not_applicable,
            counted.blocked
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
