//! Runs: a template attached to a release, and the release's full view.

use std::collections::HashMap;

use rusqlite::{params, Connection, Transaction};

use super::events::{append, NewEvent};
use super::{releases, templates, Store};
use crate::error::{Error, Result};
use crate::model::{
    build_forest, Evidence, ItemView, Progress, ReleaseStatus, ReleaseView, RunView, SectionView,
    Status,
};
use crate::sync::op::Change;
use crate::time_fmt;

/// Who pre-checked items are attributed to: the document they came from.
pub(crate) fn source_actor(source_name: &str) -> String {
    format!("source:{source_name}")
}

/// The state a new item starts in, from its template row (`n`) and its
/// `source_state` row (`g`, if any): what the source says, except that a
/// fresh run keeps only the owners (who does what carries over; what was
/// done, blocked or proven does not).
/// `?F` is the fresh flag, `?S` the source actor, `?A` the acting user.
const START_STATE: &str = "CASE WHEN ?F THEN 'open' ELSE COALESCE(g.status,
        CASE WHEN n.initially_checked THEN 'done' ELSE 'open' END) END,
     g.owner,
     CASE WHEN ?F THEN NULL ELSE g.reason END";
const START_BY: &str = "CASE WHEN g.owner IS NOT NULL
          OR (NOT ?F AND (n.initially_checked OR g.status IS NOT NULL OR g.evidence IS NOT NULL))
     THEN ?S ELSE ?A END";

fn start_sql(template: &str) -> String {
    template
        .replace("{state}", START_STATE)
        .replace("{by}", START_BY)
}

/// What the source gives one item, for its audit events.
struct SourceState {
    item_id: i64,
    number: String,
    status: String,
    reason: Option<String>,
    owner: Option<String>,
    evidence: Vec<String>,
}

/// Items of `template_id` the source gives a state to (status, reason,
/// owner, evidence), in document order; `only_new_in_run` keeps those not
/// yet in the run.
fn source_states(
    conn: &Connection,
    template_id: i64,
    fresh: bool,
    only_new_in_run: Option<i64>,
) -> Result<Vec<SourceState>> {
    let mut stmt = conn.prepare(
        "SELECT n.id, n.number, COALESCE(g.status,
                  CASE WHEN n.initially_checked THEN 'done' ELSE 'open' END),
                g.reason, g.owner, g.evidence
         FROM item n LEFT JOIN source_state g ON g.item_id = n.id
         WHERE n.template_id = ?1
           AND (g.owner IS NOT NULL
                OR (NOT ?2 AND (n.initially_checked OR g.status IS NOT NULL OR g.evidence IS NOT NULL)))
           AND (?3 IS NULL OR NOT EXISTS (SELECT 1 FROM item_state s WHERE s.run_id = ?3 AND s.item_id = n.id))
         ORDER BY n.position",
    )?;
    let mut rows = stmt.query(params![template_id, fresh, only_new_in_run])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let evidence: Option<String> = r.get(5)?;
        let s = SourceState {
            item_id: r.get(0)?,
            number: r.get(1)?,
            status: r.get(2)?,
            reason: r.get(3)?,
            owner: r.get(4)?,
            evidence: match evidence {
                Some(json) => serde_json::from_str(&json)?,
                None => Vec::new(),
            },
        };
        out.push(if fresh {
            SourceState {
                status: Status::Open.as_str().into(),
                reason: None,
                evidence: Vec::new(),
                ..s
            }
        } else {
            s
        });
    }
    Ok(out)
}

/// Evidence rows the source gives new items, attributed to it.
fn add_source_evidence(
    tx: &rusqlite::Transaction<'_>,
    run_id: i64,
    states: &[SourceState],
    now: &str,
    source: &str,
) -> Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO evidence (run_id, item_id, target, added_at, added_by) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for s in states {
        for target in &s.evidence {
            insert.execute(params![run_id, s.item_id, target, now, source])?;
        }
    }
    Ok(())
}

pub(crate) fn ensure_writable(release: &crate::model::Release) -> Result<()> {
    if release.status == ReleaseStatus::SignedOff {
        return Err(Error::Invalid(format!(
            "release {} is signed off and read-only; reopen it first",
            release.name
        )));
    }
    Ok(())
}

/// Item rows of a run with their state and evidence: all of them, or one.
pub(crate) fn item_rows(
    conn: &Connection,
    run_id: i64,
    only: Option<i64>,
    limit: Option<usize>,
) -> Result<Vec<(ItemView, i64, Option<i64>)>> {
    let mut evidence: HashMap<i64, Vec<Evidence>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT item_id, id, target, label, added_at, added_by FROM evidence
             WHERE run_id = ?1 AND (?2 IS NULL OR item_id = ?2)
             -- By time, then (synced replicas insert in different orders)
             -- by content; a source's links keep the order it gave them.
             ORDER BY added_at, CASE WHEN added_by LIKE 'source:%' THEN id ELSE 0 END, target, added_by, id",
        )?;
        let rows = stmt.query_map(params![run_id, only], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                Evidence {
                    id: r.get(1)?,
                    target: r.get(2)?,
                    label: r.get(3)?,
                    added_at: r.get(4)?,
                    added_by: r.get(5)?,
                },
            ))
        })?;
        for row in rows {
            let (item, ev) = row?;
            evidence.entry(item).or_default().push(ev);
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.section_id, i.parent_id, i.number, i.key, i.title, i.plain, i.detail, i.fields,
                i.initially_checked, i.line, st.status, st.owner, st.notes, st.reason, st.updated_at, st.updated_by
         FROM item i JOIN item_state st ON st.item_id = i.id AND st.run_id = ?1
         WHERE (?2 IS NULL OR i.id = ?2)
         ORDER BY i.position LIMIT ?3",
    )?;
    let mut items: Vec<(ItemView, i64, Option<i64>)> = Vec::new();
    // SQLite reads a negative LIMIT as "no limit".
    let limit = limit.map_or(-1, |l| l as i64);
    let mut rows = stmt.query(params![run_id, only, limit])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let fields: String = r.get(8)?;
        let status: String = r.get(11)?;
        items.push((
            ItemView {
                item_id: id,
                number: r.get(3)?,
                key: r.get(4)?,
                title: r.get(5)?,
                plain: r.get(6)?,
                detail: r.get(7)?,
                fields: serde_json::from_str(&fields)?,
                initially_checked: r.get(9)?,
                line: r.get(10)?,
                status: status.parse()?,
                owner: r.get(12)?,
                notes: r.get(13)?,
                reason: r.get(14)?,
                evidence: evidence.remove(&id).unwrap_or_default(),
                updated_at: r.get(15)?,
                updated_by: r.get(16)?,
                title_html: None,
                detail_html: None,
                items: Vec::new(),
            },
            r.get(1)?,
            r.get(2)?,
        ));
    }
    Ok(items)
}

/// Per-section counts by status straight from SQL, for a run loaded with a
/// limit (its items no longer tell the whole story).
fn section_counts(conn: &Connection, run_id: i64) -> Result<HashMap<i64, Progress>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.section_id, st.status, COUNT(*) FROM item_state st JOIN item i ON i.id = st.item_id
         WHERE st.run_id = ?1 GROUP BY i.section_id, st.status",
    )?;
    let mut out: HashMap<i64, Progress> = HashMap::new();
    let mut rows = stmt.query([run_id])?;
    while let Some(r) = rows.next()? {
        let status: Status = r.get::<_, String>(1)?.parse()?;
        let p = out.entry(r.get(0)?).or_default();
        for _ in 0..r.get::<_, i64>(2)? {
            p.add(status);
        }
    }
    Ok(out)
}

/// A run with its sections and items; with `limit`, only the first items in
/// document order (progress still counts them all).
fn load_run(
    conn: &Connection,
    run_id: i64,
    template_id: i64,
    limit: Option<usize>,
) -> Result<RunView> {
    let template = templates::by_id(conn, template_id)?;
    let items = item_rows(conn, run_id, None, limit)?;
    let mut counts = match limit {
        Some(_) => Some(section_counts(conn, run_id)?),
        None => None,
    };
    // Items come in document order, so a parent precedes its children.
    let index: HashMap<i64, usize> = items
        .iter()
        .enumerate()
        .map(|(n, (i, _, _))| (i.item_id, n))
        .collect();
    let mut section_of: Vec<i64> = Vec::with_capacity(items.len());
    let nodes: Vec<(ItemView, Option<usize>)> = items
        .into_iter()
        .map(|(item, section, parent)| {
            section_of.push(section);
            (item, parent.and_then(|p| index.get(&p).copied()))
        })
        .collect();
    let roots_order: Vec<i64> = nodes
        .iter()
        .zip(&section_of)
        .filter(|((_, p), _)| p.is_none())
        .map(|(_, s)| *s)
        .collect();
    let roots = build_forest(nodes, |i| &mut i.items);
    let mut by_section: HashMap<i64, Vec<ItemView>> = HashMap::new();
    for (item, section) in roots.into_iter().zip(roots_order) {
        by_section.entry(section).or_default().push(item);
    }

    let mut stmt = conn.prepare_cached(
        "SELECT id, parent_id, number, key, title, plain, description FROM section
         WHERE template_id = ?1 ORDER BY position",
    )?;
    let mut sections: Vec<(SectionView, i64, Option<i64>)> = Vec::new();
    let mut rows = stmt.query([template_id])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let items = by_section.remove(&id).unwrap_or_default();
        let progress = match counts.as_mut() {
            Some(c) => c.remove(&id).unwrap_or_default(),
            None => {
                let mut p = Progress::default();
                for item in &items {
                    for i in item.walk() {
                        p.add(i.status);
                    }
                }
                p
            }
        };
        sections.push((
            SectionView {
                number: r.get(2)?,
                key: r.get(3)?,
                title: r.get(4)?,
                plain: r.get(5)?,
                description: r.get(6)?,
                progress,
                title_html: None,
                description_html: None,
                items,
                sections: Vec::new(),
            },
            id,
            r.get(1)?,
        ));
    }
    let sindex: HashMap<i64, usize> = sections
        .iter()
        .enumerate()
        .map(|(n, (_, id, _))| (*id, n))
        .collect();
    // Roll sub-section progress up into their parents, deepest first.
    let parents: Vec<Option<usize>> = sections
        .iter()
        .map(|(_, _, p)| p.and_then(|p| sindex.get(&p).copied()))
        .collect();
    for n in (0..sections.len()).rev() {
        if let Some(p) = parents[n] {
            let child = sections[n].0.progress;
            sections[p].0.progress.merge(child);
        }
    }
    let nodes: Vec<(SectionView, Option<usize>)> = sections
        .into_iter()
        .zip(parents)
        .map(|((s, _, _), p)| (s, p))
        .collect();
    let sections = build_forest(nodes, |s| &mut s.sections);
    let mut progress = Progress::default();
    for s in &sections {
        progress.merge(s.progress);
    }
    Ok(RunView {
        id: run_id,
        template,
        progress,
        sections,
    })
}

pub(crate) fn load_release(conn: &Connection, name: &str) -> Result<ReleaseView> {
    load_release_limited(conn, name, None)
}

/// The release; with `limit`, only its first items across runs in order.
fn load_release_limited(
    conn: &Connection,
    name: &str,
    limit: Option<usize>,
) -> Result<ReleaseView> {
    let release = releases::resolve(conn, name)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, template_id FROM run WHERE release_id = ?1 ORDER BY position",
    )?;
    let ids = stmt
        .query_map([release.id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut runs = Vec::with_capacity(ids.len());
    let mut progress = Progress::default();
    let mut budget = limit;
    for (run_id, template_id) in ids {
        let run = load_run(conn, run_id, template_id, budget)?;
        if let Some(b) = budget.as_mut() {
            *b = b.saturating_sub(run.walk_items().len());
        }
        progress.merge(run.progress);
        runs.push(run);
    }
    Ok(ReleaseView {
        release,
        progress,
        runs,
    })
}

impl Store {
    /// Attaches a template to a release. Items start as the source says
    /// (checked boxes; a table's Status, Owner and Evidence cells),
    /// attributed to the source document; a `fresh` run keeps only owners.
    pub fn add_run(
        &mut self,
        release: &str,
        template: &str,
        fresh: bool,
        actor: &str,
    ) -> Result<RunView> {
        self.write(|tx| {
            let run = add_run_in(tx, release, template, fresh, (actor, &time_fmt::now()))?;
            let t = templates::resolve(tx, template)?;
            super::oplog::record(
                tx,
                actor,
                Change::RunAdd {
                    content_hash: t.content_hash,
                    fresh,
                    release: releases::resolve(tx, release)?.name,
                    template: t.slug,
                },
            )?;
            Ok(run)
        })
    }

    /// The release with every run, section and item state.
    pub fn release_view(&self, name: &str) -> Result<ReleaseView> {
        load_release(self.conn(), name)
    }

    /// The release with only its first `limit` items in document order (and
    /// their sections); every progress figure is still the whole release's.
    /// The desktop app shows this first screen while the rest is on its way.
    pub fn release_view_first(&self, name: &str, limit: usize) -> Result<ReleaseView> {
        load_release_limited(self.conn(), name, Some(limit))
    }
}

/// What moving a run to a newer template version did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RunUpgrade {
    pub template: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub from_version: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub to_version: i64,
    /// Items whose state (status, owner, notes, reason, evidence) carried over by stable key.
    pub carried: usize,
    /// New items, starting as the file says (checked boxes, a table's Status,
    /// Owner and Evidence cells; a fresh run keeps only the owners).
    pub added: usize,
    /// Items no longer in the checklist; their history stays in the audit trail.
    pub removed: usize,
}

impl Store {
    /// Moves a release's run of `template` to the template's newest version,
    /// carrying each item's state over by its stable key.
    pub fn upgrade_run(
        &mut self,
        release: &str,
        template: &str,
        actor: &str,
    ) -> Result<RunUpgrade> {
        self.write(|tx| {
            let latest = templates::resolve(tx, template)?;
            let up = upgrade_run_in(tx, release, &latest, (actor, &time_fmt::now()))?;
            if up.from_version != up.to_version {
                super::oplog::record(
                    tx,
                    actor,
                    Change::RunUpgrade {
                        content_hash: latest.content_hash,
                        release: releases::resolve(tx, release)?.name,
                        template: latest.slug,
                    },
                )?;
            }
            Ok(up)
        })
    }
}

/// Attaches a template to a release in `tx` (see [`Store::add_run`]).
pub(crate) fn add_run_in(
    tx: &Transaction<'_>,
    release: &str,
    template: &str,
    fresh: bool,
    (actor, now): (&str, &str),
) -> Result<RunView> {
    let release = releases::resolve(tx, release)?;
    ensure_writable(&release)?;
    let template = templates::resolve(tx, template)?;
    let already: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM run r JOIN template t ON t.id = r.template_id
                                WHERE r.release_id = ?1 AND t.slug = ?2)",
        params![release.id, template.slug],
        |r| r.get(0),
    )?;
    if already {
        return Err(Error::AlreadyExists {
            what: "run",
            name: format!("{} in {}", template.slug, release.name),
        });
    }
    let position: i64 = tx.query_row(
        "SELECT COALESCE(MAX(position) + 1, 0) FROM run WHERE release_id = ?1",
        [release.id],
        |r| r.get(0),
    )?;
    tx.execute(
                "INSERT INTO run (release_id, template_id, position, fresh, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![release.id, template.id, position, fresh, now],
            )?;
    let run_id = tx.last_insert_rowid();
    let subject = format!("{}/{}", release.name, template.slug);
    append(
        tx,
        NewEvent {
            actor,
            action: "run.add",
            subject: &subject,
            release_id: Some(release.id),
            run_id: Some(run_id),
            new: Some(&format!("{}@{}", template.slug, template.version)),
            field: fresh.then_some("fresh"),
            ..Default::default()
        },
    )?;
    let source = source_actor(&template.source_name);
    tx.execute(
                &start_sql(
                    "INSERT INTO item_state (run_id, item_id, status, owner, reason, updated_at, updated_by)
                     SELECT ?1, n.id, {state}, ?3, {by}
                     FROM item n LEFT JOIN source_state g ON g.item_id = n.id WHERE n.template_id = ?6",
                )
                .replace("?F", "?2")
                .replace("?S", "?4")
                .replace("?A", "?5"),
                params![run_id, fresh, now, source, actor, template.id],
            )?;
    // One event per value the source gave, as a tick would record
    // it, so the audit trail replays to these states.
    let states = source_states(tx, template.id, fresh, None)?;
    add_source_evidence(tx, run_id, &states, now, &source)?;
    for s in &states {
        let subject = format!("{}/{}:{}", release.name, template.slug, s.number);
        let mut changes: Vec<(&str, Option<&str>)> = Vec::new();
        if s.status != Status::Open.as_str() {
            changes.push(("status", Some(&s.status)));
        }
        if s.reason.is_some() {
            changes.push(("reason", s.reason.as_deref()));
        }
        if s.owner.is_some() {
            changes.push(("owner", s.owner.as_deref()));
        }
        for e in &s.evidence {
            changes.push(("evidence", Some(e)));
        }
        for (field, new) in changes {
            let status = field == "status";
            append(
                tx,
                NewEvent {
                    actor: &source,
                    action: if status { "item.status" } else { "item.update" },
                    subject: &subject,
                    release_id: Some(release.id),
                    run_id: Some(run_id),
                    item_id: Some(s.item_id),
                    field: Some(field),
                    old: status.then_some(Status::Open.as_str()),
                    new,
                },
            )?;
        }
    }
    load_run(tx, run_id, template.id, None)
}

/// Moves a run to the template version `latest` in `tx` (see [`Store::upgrade_run`]).
pub(crate) fn upgrade_run_in(
    tx: &Transaction<'_>,
    release: &str,
    latest: &crate::model::TemplateInfo,
    (actor, now): (&str, &str),
) -> Result<RunUpgrade> {
    let release = releases::resolve(tx, release)?;
    ensure_writable(&release)?;
    let latest = latest.clone();
    let (run_id, old_id, fresh): (i64, i64, bool) = tx
        .query_row(
            "SELECT r.id, r.template_id, r.fresh FROM run r JOIN template t ON t.id = r.template_id
                     WHERE r.release_id = ?1 AND t.slug = ?2",
            params![release.id, latest.slug],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(|_| Error::NotFound {
            what: "run",
            name: format!("{} in {}", latest.slug, release.name),
        })?;
    let old = templates::by_id(tx, old_id)?;
    if old.id == latest.id {
        return Ok(RunUpgrade {
            template: latest.slug,
            from_version: old.version,
            to_version: latest.version,
            carried: 0,
            added: 0,
            removed: 0,
        });
    }
    // Old item id → new item id, for items whose key survives.
    let mut stmt = tx.prepare(
        "SELECT o.id, n.id FROM item o JOIN item n ON n.key = o.key
                 WHERE o.template_id = ?1 AND n.template_id = ?2",
    )?;
    let pairs = stmt
        .query_map(params![old.id, latest.id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    drop(stmt);
    let source = source_actor(&latest.source_name);
    tx.execute(
        "UPDATE run SET template_id = ?1 WHERE id = ?2",
        params![latest.id, run_id],
    )?;
    // New states: carried where the key survives, fresh otherwise.
    tx.execute(
                "INSERT INTO item_state (run_id, item_id, status, owner, notes, reason, updated_at, updated_by)
                 SELECT ?1, n.id, s.status, s.owner, s.notes, s.reason, s.updated_at, s.updated_by
                 FROM item n JOIN item o ON o.key = n.key AND o.template_id = ?3
                 JOIN item_state s ON s.run_id = ?1 AND s.item_id = o.id
                 WHERE n.template_id = ?2",
                params![run_id, latest.id, old.id],
            )?;
    // New items start as the source says, like in a new run; the
    // run.upgrade event stands for them (replay.rs mirrors this).
    let sourced = source_states(tx, latest.id, fresh, Some(run_id))?;
    let added = tx.execute(
                &start_sql(
                    "INSERT INTO item_state (run_id, item_id, status, owner, reason, updated_at, updated_by)
                     SELECT ?1, n.id, {state}, ?4, {by}
                     FROM item n LEFT JOIN source_state g ON g.item_id = n.id WHERE n.template_id = ?2
                       AND NOT EXISTS (SELECT 1 FROM item_state s WHERE s.run_id = ?1 AND s.item_id = n.id)",
                )
                .replace("?F", "?3")
                .replace("?S", "?5")
                .replace("?A", "?6"),
                params![run_id, latest.id, fresh, now, source, actor],
            )?;
    add_source_evidence(tx, run_id, &sourced, now, &source)?;
    // Evidence follows its item; then the old states go.
    let mut move_evidence =
        tx.prepare("UPDATE evidence SET item_id = ?1 WHERE run_id = ?2 AND item_id = ?3")?;
    for (o, n) in &pairs {
        move_evidence.execute(params![n, run_id, o])?;
    }
    drop(move_evidence);
    tx.execute(
                "DELETE FROM evidence WHERE run_id = ?1 AND item_id IN (SELECT id FROM item WHERE template_id = ?2)",
                params![run_id, old.id],
            )?;
    let old_states = tx.execute(
                "DELETE FROM item_state WHERE run_id = ?1 AND item_id IN (SELECT id FROM item WHERE template_id = ?2)",
                params![run_id, old.id],
            )?;
    let outcome = RunUpgrade {
        template: latest.slug.clone(),
        from_version: old.version,
        to_version: latest.version,
        carried: pairs.len(),
        added,
        removed: old_states - pairs.len(),
    };
    append(
        tx,
        NewEvent {
            actor,
            action: "run.upgrade",
            subject: &format!("{}/{}", release.name, latest.slug),
            release_id: Some(release.id),
            run_id: Some(run_id),
            field: Some("version"),
            old: Some(&old.version.to_string()),
            new: Some(&format!(
                "{} ({} carried, {} added, {} removed)",
                latest.version, outcome.carried, outcome.added, outcome.removed
            )),
            ..Default::default()
        },
    )?;
    Ok(outcome)
}

/// The state an item of a run starts in, before anyone ticks it.
pub(crate) struct Start {
    pub status: String,
    pub reason: Option<String>,
    pub owner: Option<String>,
    /// Who the start is attributed to (the source, or who added the run).
    pub by: String,
    pub at: String,
}

/// The state an item of a run starts in, before anyone ticks it.
pub(crate) fn start_state(conn: &Connection, run_id: i64, item_id: i64) -> Result<Start> {
    let (fresh, created_at, source_name): (bool, String, String) = conn.query_row(
        "SELECT r.fresh, r.created_at, t.source_name FROM run r JOIN template t ON t.id = r.template_id WHERE r.id = ?1",
        [run_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let adder: String = conn
        .query_row(
            "SELECT actor FROM event WHERE action = 'run.add' AND run_id = ?1 ORDER BY id LIMIT 1",
            [run_id],
            |r| r.get(0),
        )
        .unwrap_or_default();
    let sql = start_sql(
        "SELECT {state}, {by} FROM item n LEFT JOIN source_state g ON g.item_id = n.id WHERE n.id = ?1",
    )
    .replace("?F", "?2")
    .replace("?S", "?3")
    .replace("?A", "?4");
    let (status, owner, reason, by): (String, Option<String>, Option<String>, String) = conn
        .query_row(
            &sql,
            params![item_id, fresh, source_actor(&source_name), adder],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
    Ok(Start {
        status,
        reason,
        owner,
        by,
        at: created_at,
    })
}
