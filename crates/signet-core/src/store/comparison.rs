//! What a report compares with: the earlier releases that share a
//! checklist with this one (the base and the trend), and the base's report
//! — its newest frozen revision when signed off, else its state now. The
//! comparing itself is `report::compare` (pure).

use rusqlite::{params, Connection};
use serde::Serialize;

use super::{releases, runs::load_release, signoffs, Store};
use crate::error::{Error, Result};
use crate::model::{Release, ReleaseStatus};
use crate::report::compare::{compare, trend_point};
use crate::report::model::{self as report_model, Audit, Comparison, Report, TrendPoint};

/// How many earlier releases the trend shows.
const TREND: usize = 5;

/// Which release a report compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareWith<'a> {
    /// The latest earlier release sharing a checklist (none: no comparison).
    Previous,
    /// This release, by name.
    Release(&'a str),
    /// None: a draft without a comparison.
    Nothing,
}

/// What a front end may offer to compare a release's report with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CompareChoices {
    /// Signed off: the comparison its newest revision was signed with,
    /// which is the only one its report can carry.
    pub frozen: Option<FrozenComparison>,
    /// A draft: the earlier releases sharing a checklist, newest first;
    /// the first is what [`CompareWith::Previous`] picks. Empty when signed.
    pub earlier: Vec<Release>,
}

/// The comparison a signed revision carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FrozenComparison {
    pub revision: u32,
    /// The release compared with; None: signed without a comparison.
    pub base: Option<String>,
    /// The base's revision compared with (0: its state at the time).
    pub base_revision: u32,
}

/// Up to `limit` releases (all: -1) made before `release` that share a
/// checklist (template name) with it, newest first.
fn earlier(conn: &Connection, release: &Release, limit: i64) -> Result<Vec<(Release, bool)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT r.id, r.name, r.due_date, r.status, r.created_at
         FROM release r JOIN run u ON u.release_id = r.id JOIN template t ON t.id = u.template_id
         WHERE t.slug IN (SELECT t2.slug FROM run u2 JOIN template t2 ON t2.id = u2.template_id
                          WHERE u2.release_id = ?1)
           AND r.id != ?1 AND (r.created_at < ?2 OR (r.created_at = ?2 AND r.name < ?4))
         ORDER BY r.created_at DESC, r.name DESC LIMIT ?3",
    )?;
    // By creation time, then name: what every replica of a synced
    // database holds alike (row ids differ from machine to machine).
    let params = params![release.id, release.created_at, limit, release.name];
    let rows = stmt.query_map(params, |r| {
        let status: String = r.get(3)?;
        Ok(Release {
            id: r.get(0)?,
            name: r.get(1)?,
            due_date: r.get(2)?,
            status: ReleaseStatus::parse(&status),
            created_at: r.get(4)?,
        })
    })?;
    let releases = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(releases
        .into_iter()
        .map(|r| {
            let signed = r.status == ReleaseStatus::SignedOff;
            (r, signed)
        })
        .collect())
}

/// The base's report: what was signed when it is signed off, else its
/// state now; with the revision it is (0 for the live state).
fn base_report(conn: &Connection, base: &Release) -> Result<(Report, u32)> {
    if base.status == ReleaseStatus::SignedOff {
        if let Some((revision, payload)) = signoffs::newest_payload(conn, base.id)? {
            return Ok((Report::from_json(payload.as_bytes())?, revision));
        }
    }
    let view = load_release(conn, &base.name)?;
    Ok((report_model::build(&view, Audit::default(), 0, "", None), 0))
}

/// The comparison for `report` of `release`, if there is a base.
pub(crate) fn comparison(
    conn: &Connection,
    release: &Release,
    report: &Report,
    with: CompareWith<'_>,
) -> Result<Option<Comparison>> {
    let earlier = earlier(conn, release, TREND as i64)?;
    let base = match with {
        CompareWith::Nothing => return Ok(None),
        CompareWith::Previous => match earlier.first() {
            Some((r, _)) => r.clone(),
            None => return Ok(None),
        },
        CompareWith::Release(name) => {
            let base = releases::resolve(conn, name)?;
            if base.id == release.id {
                return Err(Error::Invalid(format!(
                    "--compare names {} itself; compare with an earlier release",
                    release.name
                )));
            }
            base
        }
    };
    let mut trend: Vec<TrendPoint> = Vec::with_capacity(earlier.len() + 1);
    for (r, signed_off) in earlier.iter().rev() {
        let p = releases::progress(conn, r.id)?;
        trend.push(TrendPoint {
            closed: p.done + p.not_applicable,
            percent: p.percent(),
            release: r.name.clone(),
            signed_off: *signed_off,
            total: p.total,
        });
    }
    trend.push(trend_point(report));
    let (base_report, base_revision) = base_report(conn, &base)?;
    Ok(Some(compare(report, &base_report, base_revision, trend)))
}

impl Store {
    /// What the report of `release` may compare with (see
    /// [`Store::report_compared`]): its frozen comparison when it is signed
    /// off, else every earlier release sharing a checklist.
    pub fn compare_choices(&self, release: &str) -> Result<CompareChoices> {
        let r = releases::resolve(self.conn(), release)?;
        if r.status == ReleaseStatus::SignedOff {
            if let Some((revision, payload)) = signoffs::newest_payload(self.conn(), r.id)? {
                let c = Report::from_json(payload.as_bytes())?.comparison;
                return Ok(CompareChoices {
                    frozen: Some(FrozenComparison {
                        revision,
                        base_revision: c.as_ref().map_or(0, |c| c.base_revision),
                        base: c.map(|c| c.base),
                    }),
                    earlier: Vec::new(),
                });
            }
        }
        let earlier = earlier(self.conn(), &r, -1)?;
        Ok(CompareChoices {
            frozen: None,
            earlier: earlier.into_iter().map(|(r, _)| r).collect(),
        })
    }
}
