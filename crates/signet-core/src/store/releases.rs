//! Releases: what is being signed off.

use std::collections::HashMap;

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

    /// All releases, soonest due first, with their runs and progress.
    /// Three queries whatever the number of releases, the progress read
    /// from `run_progress` (the home screen asks on every visit; a library
    /// holds thousands of releases of hundreds of items).
    pub fn releases(&self) -> Result<Vec<ReleaseSummary>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, name, due_date, status, created_at FROM release
             ORDER BY due_date IS NULL, due_date, name",
        )?;
        let releases = stmt
            .query_map([], row_to_release)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut runs: HashMap<i64, Vec<String>> = HashMap::new();
        let mut runs_stmt = conn.prepare(
            "SELECT r.release_id, t.slug FROM run r JOIN template t ON t.id = r.template_id
             ORDER BY r.release_id, r.position",
        )?;
        let mut rows = runs_stmt.query([])?;
        while let Some(r) = rows.next()? {
            runs.entry(r.get(0)?).or_default().push(r.get(1)?);
        }
        // run_progress: counts kept by triggers (migration 0009).
        let mut progress: HashMap<i64, Progress> = HashMap::new();
        let mut progress_stmt = conn.prepare(
            "SELECT r.release_id, SUM(p.open), SUM(p.done), SUM(p.not_applicable), SUM(p.blocked)
             FROM run r JOIN run_progress p ON p.run_id = r.id GROUP BY r.release_id",
        )?;
        let mut rows = progress_stmt.query([])?;
        while let Some(r) = rows.next()? {
            progress.insert(r.get(0)?, progress_of(r, 1)?);
        }
        Ok(releases
            .into_iter()
            .map(|release| ReleaseSummary {
                runs: runs.remove(&release.id).unwrap_or_default(),
                progress: progress.remove(&release.id).unwrap_or_default(),
                release,
            })
            .collect())
    }
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
