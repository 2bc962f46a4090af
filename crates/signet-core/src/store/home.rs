//! The home screen's questions across every release still in work (not
//! signed off): which are due when and how far along, what is blocked,
//! who owns what is left — and the open items one owner holds ("my
//! items"). Owners are matched as `owners.rs` decides (every spelling of
//! a registered person is one owner); this module only loads.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params_from_iter, types::Value, Connection};
use serde::Serialize;

use super::releases::{self, RunRow};
use super::Store;
use crate::error::{Error, Result};
use crate::model::{Progress, Release, ReleaseStatus, ReleaseSummary, Status};
use crate::owners::Owners;
use crate::text;
use crate::time_fmt;

/// What the home screen shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Home {
    /// The day "overdue" is counted from (`YYYY-MM-DD`).
    pub today: String,
    /// Releases not signed off, soonest due first (no due date last).
    pub releases: Vec<HomeRelease>,
    /// How many releases are signed off (and so not listed).
    pub signed_off: usize,
    /// Blocked items of those releases, in release order.
    pub blocked: OpenItems,
    /// Who owns open or blocked items: registered people first, by name,
    /// then owners that name nobody registered.
    pub owners: Vec<OwnerChoice>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct HomeRelease {
    #[serde(flatten)]
    pub summary: ReleaseSummary,
    /// Days until the due date; negative: overdue by that many. None
    /// without a due date.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub days_left: Option<i64>,
    pub overdue: bool,
}

/// A capped list: the first items and how many there are in all.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OpenItems {
    pub total: usize,
    pub items: Vec<OpenItem>,
}

/// An item left to do in some release.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OpenItem {
    pub release: String,
    pub due_date: Option<String>,
    pub overdue: bool,
    /// Template slug of the run.
    pub template: String,
    /// The item's stable key (`template:key` is the release page's row key).
    pub key: String,
    pub number: String,
    pub plain: String,
    pub status: Status,
    pub owner: Option<String>,
    /// The registered person the owner names (handle, name or e-mail), by
    /// name: what the UI shows beside their initials.
    pub owner_name: Option<String>,
    pub reason: Option<String>,
}

/// An owner to filter by: a registered person (by handle), or an owner
/// text that names nobody registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OwnerChoice {
    /// What to ask [`Store::owned_items`] for: the handle, or the text.
    pub owner: String,
    /// The person's name, or the text.
    pub name: String,
    pub person: bool,
}

/// Unfinished items: what a sign-off still waits for.
const UNFINISHED: &str = "st.status IN ('open', 'blocked')";

/// Unfinished items by owner, then run (migration 0011).
const OWNER_INDEX: &str = "item_state_unfinished_owner_run";

/// A run of a release in work, in home order (the release's due date, its
/// name, the run's position), with how many of its items a list counts.
struct LiveRun<'a> {
    release: &'a Release,
    run: &'a RunRow,
    count: usize,
}

/// The first `limit` items of `runs` that `filter` keeps (besides `run_id
/// = ?1`; its other arguments follow), read through `index`, in home
/// order, and how many there are in all (`LiveRun::count`). Ordering every matching item across
/// releases would sort thousands of rows (17k blocked in the bench) to show
/// 200: the runs come in order already, so each run is asked in turn for
/// its own items, and only until the list is full. A run with none is not
/// asked (its count says so).
fn open_items(
    conn: &Connection,
    owners: &Owners,
    runs: &[LiveRun<'_>],
    (index, filter, args): (&str, &str, &[Value]),
    today: &str,
    limit: usize,
) -> Result<OpenItems> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT i.key, i.number, i.plain, st.status, st.owner, st.reason
         FROM item_state st INDEXED BY {index} JOIN item i ON i.id = st.item_id
         WHERE st.run_id = ?1 AND {filter} ORDER BY i.position LIMIT {limit}"
    ))?;
    let mut items = Vec::new();
    for live in runs.iter().filter(|r| r.count > 0) {
        if items.len() >= limit {
            break;
        }
        let release = live.release;
        let overdue = is_overdue(release.due_date.as_deref(), today);
        let run_args = std::iter::once(Value::Integer(live.run.id)).chain(args.iter().cloned());
        let mut rows = stmt.query(params_from_iter(run_args))?;
        while let Some(r) = rows.next()? {
            if items.len() >= limit {
                break;
            }
            let owner: Option<String> = r.get(4)?;
            items.push(OpenItem {
                owner_name: owner
                    .as_deref()
                    .and_then(|o| owners.person(o))
                    .map(|p| p.name.clone()),
                owner,
                overdue,
                release: release.name.clone(),
                due_date: release.due_date.clone(),
                template: live.run.template.clone(),
                key: r.get(0)?,
                number: r.get(1)?,
                plain: r.get(2)?,
                status: r.get::<_, String>(3)?.parse()?,
                reason: r.get(5)?,
            });
        }
    }
    Ok(OpenItems {
        total: runs.iter().map(|r| r.count).sum(),
        items,
    })
}

/// The runs of releases not signed off, in home order, each counted by
/// `count`.
fn live_runs<'a>(
    releases: &'a [(Release, Vec<RunRow>)],
    count: impl Fn(&RunRow) -> usize,
) -> Vec<LiveRun<'a>> {
    releases
        .iter()
        .filter(|(release, _)| release.status != ReleaseStatus::SignedOff)
        .flat_map(|(release, runs)| {
            runs.iter().map(|run| LiveRun {
                release,
                run,
                count: count(run),
            })
        })
        .collect()
}

/// What home and "my items" both start from: every release with its runs
/// in home order, the registered people, the owners of unfinished items.
/// `signet home` asks both questions and reads these once.
struct Basis {
    today: String,
    all: Vec<(Release, Vec<RunRow>)>,
    owners: Owners,
    unfinished: Vec<String>,
}

fn is_overdue(due: Option<&str>, today: &str) -> bool {
    due.and_then(|d| time_fmt::days_between(today, d))
        .is_some_and(|days| days < 0)
}

/// Every distinct owner of an unfinished item, by a loose index scan
/// (one index seek per owner, not a pass over every item).
fn unfinished_owners(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(&format!(
        "WITH RECURSIVE o(owner) AS (
             SELECT MIN(st.owner) FROM item_state st WHERE {UNFINISHED}
             UNION ALL
             SELECT (SELECT MIN(st.owner) FROM item_state st WHERE {UNFINISHED} AND st.owner > o.owner)
             FROM o WHERE o.owner IS NOT NULL)
         SELECT owner FROM o WHERE owner IS NOT NULL"
    ))?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn check_today(today: Option<&str>) -> Result<String> {
    match today {
        None => Ok(time_fmt::today()),
        Some(d) => time_fmt::parse_date(d).ok_or_else(|| {
            Error::Invalid(format!(
                "today '{}' is not a date like 2026-12-01",
                text::visible(d)
            ))
        }),
    }
}

impl Store {
    /// The home screen as of `today` (`YYYY-MM-DD`; None: today in UTC),
    /// with at most `limit` blocked items listed.
    pub fn home(&self, today: Option<&str>, limit: usize) -> Result<Home> {
        let _snapshot = self.conn().unchecked_transaction()?;
        self.home_of(&self.basis(today)?, limit)
    }

    /// The home screen and `owner`'s items together, as `signet home`
    /// shows them: what both read is read once.
    pub fn home_and_owned(
        &self,
        owner: &str,
        today: Option<&str>,
        limit: usize,
    ) -> Result<(Home, OpenItems)> {
        // One read transaction: both answers from the same snapshot, and
        // one read lock instead of one per statement.
        let _snapshot = self.conn().unchecked_transaction()?;
        let basis = self.basis(today)?;
        Ok((
            self.home_of(&basis, limit)?,
            self.owned_of(&basis, owner, limit)?,
        ))
    }

    fn basis(&self, today: Option<&str>) -> Result<Basis> {
        let today = check_today(today)?;
        self.basis_of(today, self.owners()?, unfinished_owners(self.conn())?)
    }

    /// The basis once its people are read: what is left is every release's
    /// runs, which "my items" reads only when the owner holds something.
    fn basis_of(&self, today: String, owners: Owners, unfinished: Vec<String>) -> Result<Basis> {
        Ok(Basis {
            today,
            all: releases::release_runs(self.conn())?,
            owners,
            unfinished,
        })
    }

    fn home_of(&self, basis: &Basis, limit: usize) -> Result<Home> {
        let Basis {
            today,
            all,
            owners,
            unfinished,
        } = basis;
        let conn = self.conn();
        let mut releases = Vec::new();
        let mut signed_off = 0;
        for (release, runs) in all {
            if release.status == ReleaseStatus::SignedOff {
                signed_off += 1;
                continue;
            }
            let days_left = release
                .due_date
                .as_deref()
                .and_then(|d| time_fmt::days_between(today, d));
            let mut progress = Progress::default();
            for run in runs {
                progress.merge(run.progress);
            }
            releases.push(HomeRelease {
                summary: ReleaseSummary {
                    release: release.clone(),
                    runs: runs.iter().map(|r| r.template.clone()).collect(),
                    progress,
                },
                days_left,
                overdue: days_left.is_some_and(|d| d < 0),
            });
        }
        let blocked = open_items(
            conn,
            owners,
            &live_runs(all, |run| run.progress.blocked),
            // Without statistics SQLite would take the primary key and
            // read all of a run's items to find its few blocked ones.
            ("item_state_blocked", "st.status = 'blocked'", &[]),
            today,
            limit,
        )?;
        let mut people: BTreeMap<(String, String), OwnerChoice> = BTreeMap::new();
        let mut others: BTreeMap<String, OwnerChoice> = BTreeMap::new();
        for owner in unfinished {
            match owners.person(owner) {
                Some(p) => {
                    people
                        .entry((p.name.to_lowercase(), p.handle.clone()))
                        .or_insert_with(|| OwnerChoice {
                            owner: p.handle.clone(),
                            name: p.name.clone(),
                            person: true,
                        });
                }
                None => {
                    // "QA team" and "qa team" are one owner, shown as first met.
                    others
                        .entry(owner.trim().to_lowercase())
                        .or_insert_with(|| OwnerChoice {
                            owner: owner.trim().to_string(),
                            name: owner.trim().to_string(),
                            person: false,
                        });
                }
            }
        }
        Ok(Home {
            today: today.clone(),
            releases,
            signed_off,
            blocked,
            owners: people.into_values().chain(others.into_values()).collect(),
        })
    }

    /// Open and blocked items `owner` holds in releases not signed off,
    /// under any spelling of them (handle, name, e-mail, any case), soonest
    /// due release first; at most `limit` listed.
    pub fn owned_items(&self, owner: &str, today: Option<&str>, limit: usize) -> Result<OpenItems> {
        let today = check_today(today)?;
        let _snapshot = self.conn().unchecked_transaction()?;
        let owners = self.owners()?;
        let unfinished = unfinished_owners(self.conn())?;
        // Nothing held by them: no need to read every release's runs.
        if !unfinished.iter().any(|o| owners.same(o, owner)) {
            return Ok(OpenItems::default());
        }
        self.owned_of(&self.basis_of(today, owners, unfinished)?, owner, limit)
    }

    fn owned_of(&self, basis: &Basis, owner: &str, limit: usize) -> Result<OpenItems> {
        let conn = self.conn();
        let owners = &basis.owners;
        let spellings: Vec<Value> = basis
            .unfinished
            .iter()
            .filter(|o| owners.same(o, owner))
            .map(|o| Value::Text(o.clone()))
            .collect();
        if spellings.is_empty() {
            return Ok(OpenItems::default());
        }
        let marks = vec!["?"; spellings.len()].join(", ");
        let filter = format!("{UNFINISHED} AND st.owner IN ({marks})");
        // How many each run holds: one pass over the owner index's entries
        // for each spelling (a few thousand at most), not over the runs.
        // One spelling at a time, its entries come in run order: nothing is
        // sorted (all spellings at once would sort them all by run).
        let mut per_run: HashMap<i64, usize> = HashMap::new();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT st.run_id, COUNT(*) FROM item_state st INDEXED BY {OWNER_INDEX}
             WHERE st.owner = ?1 AND {UNFINISHED} GROUP BY st.run_id"
        ))?;
        for spelling in &spellings {
            let mut rows = stmt.query([spelling])?;
            while let Some(r) = rows.next()? {
                *per_run.entry(r.get(0)?).or_default() += r.get::<_, i64>(1)? as usize;
            }
        }
        let runs = live_runs(&basis.all, |run| per_run.get(&run.id).copied().unwrap_or(0));
        open_items(
            conn,
            owners,
            &runs,
            (OWNER_INDEX, &filter, &spellings),
            &basis.today,
            limit,
        )
    }
}

#[cfg(test)]
mod tests;
