//! The home screen's questions across every release still in work (not
//! signed off): which are due when and how far along, what is blocked,
//! who owns what is left — and the open items one owner holds ("my
//! items"). Owners are matched as `owners.rs` decides (every spelling of
//! a registered person is one owner); this module only loads.

use std::collections::BTreeMap;

use rusqlite::{params_from_iter, types::Value, Connection};
use serde::Serialize;

use super::Store;
use crate::error::{Error, Result};
use crate::model::{ReleaseStatus, ReleaseSummary, Status};
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

/// Columns and joins of an [`OpenItem`] row; `WHERE` and `ORDER` follow.
const OPEN_ITEM_SELECT: &str =
    "SELECT rl.name, rl.due_date, t.slug, i.key, i.number, i.plain, st.status, st.owner, st.reason
     FROM item_state st
     JOIN run r ON r.id = st.run_id
     JOIN release rl ON rl.id = r.release_id
     JOIN template t ON t.id = r.template_id
     JOIN item i ON i.id = st.item_id";

const OPEN_ITEM_ORDER: &str =
    "ORDER BY rl.due_date IS NULL, rl.due_date, rl.name, r.position, i.position";

fn open_items(
    conn: &Connection,
    owners: &Owners,
    filter: &str,
    args: &[Value],
    today: &str,
    limit: usize,
) -> Result<OpenItems> {
    let live = "rl.status <> 'signed_off'";
    let total: i64 = conn.query_row(
        &format!(
            "SELECT COUNT(*) FROM item_state st JOIN run r ON r.id = st.run_id
             JOIN release rl ON rl.id = r.release_id WHERE {filter} AND {live}"
        ),
        params_from_iter(args),
        |r| r.get(0),
    )?;
    let sql =
        format!("{OPEN_ITEM_SELECT} WHERE {filter} AND {live} {OPEN_ITEM_ORDER} LIMIT {limit}");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    let mut items = Vec::new();
    while let Some(r) = rows.next()? {
        let due: Option<String> = r.get(1)?;
        let owner: Option<String> = r.get(7)?;
        items.push(OpenItem {
            owner_name: owner
                .as_deref()
                .and_then(|o| owners.person(o))
                .map(|p| p.name.clone()),
            owner,
            overdue: is_overdue(due.as_deref(), today),
            release: r.get(0)?,
            due_date: due,
            template: r.get(2)?,
            key: r.get(3)?,
            number: r.get(4)?,
            plain: r.get(5)?,
            status: r.get::<_, String>(6)?.parse()?,
            reason: r.get(8)?,
        });
    }
    Ok(OpenItems {
        total: total as usize,
        items,
    })
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
        let today = check_today(today)?;
        let conn = self.conn();
        let mut releases = Vec::new();
        let mut signed_off = 0;
        for summary in self.releases()? {
            if summary.release.status == ReleaseStatus::SignedOff {
                signed_off += 1;
                continue;
            }
            let days_left = summary
                .release
                .due_date
                .as_deref()
                .and_then(|d| time_fmt::days_between(&today, d));
            releases.push(HomeRelease {
                summary,
                days_left,
                overdue: days_left.is_some_and(|d| d < 0),
            });
        }
        let owners = self.owners()?;
        let blocked = open_items(conn, &owners, "st.status = 'blocked'", &[], &today, limit)?;
        let mut people: BTreeMap<(String, String), OwnerChoice> = BTreeMap::new();
        let mut others: BTreeMap<String, OwnerChoice> = BTreeMap::new();
        for owner in unfinished_owners(conn)? {
            match owners.person(&owner) {
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
            today,
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
        let conn = self.conn();
        let owners = self.owners()?;
        let spellings: Vec<Value> = unfinished_owners(conn)?
            .into_iter()
            .filter(|o| owners.same(o, owner))
            .map(Value::Text)
            .collect();
        if spellings.is_empty() {
            return Ok(OpenItems::default());
        }
        let marks = vec!["?"; spellings.len()].join(", ");
        open_items(
            conn,
            &owners,
            &format!("{UNFINISHED} AND st.owner IN ({marks})"),
            &spellings,
            &today,
            limit,
        )
    }
}

#[cfg(test)]
mod tests;
