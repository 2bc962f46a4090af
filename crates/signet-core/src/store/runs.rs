//! Runs: a template attached to a release, and the release's full view.

use std::collections::HashMap;

use rusqlite::{params, Connection, Transaction};

use super::events::{append, NewEvent};
use super::{releases, templates, Store};
use crate::error::{Error, Result};
use crate::matching::{self, MatchKind, Matching, Side};
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

/// One event per value the source gave each item (status, reason, owner,
/// evidence), as a tick would record it, so the audit trail replays to
/// these states.
fn source_events(
    tx: &Transaction<'_>,
    (release, slug, run_id): (&crate::model::Release, &str, i64),
    states: &[SourceState],
    source: &str,
) -> Result<()> {
    for s in states {
        let subject = format!("{}/{}:{}", release.name, slug, s.number);
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
                    actor: source,
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
        p.add_many(status, r.get::<_, i64>(2)?.try_into().unwrap_or(0));
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
    let shown_items = items.len();
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
    let mut shown = 0;
    let mut rows = stmt.query([template_id])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let items = by_section.remove(&id).unwrap_or_default();
        if !items.is_empty() {
            shown = sections.len() + 1;
        }
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
    let mut progress = Progress::default();
    for ((s, _, _), parent) in sections.iter().zip(&parents) {
        if parent.is_none() {
            progress.merge(s.progress);
        }
    }
    // A cut run keeps only the sections up to its last item shown: on a
    // 10k-item release they are most of a first screen's bytes and rendering.
    // Parents precede their sub-sections, so a prefix keeps every parent.
    if limit.is_some() && progress.total > shown_items {
        sections.truncate(shown);
    }
    let nodes: Vec<(SectionView, Option<usize>)> = sections
        .into_iter()
        .zip(parents)
        .map(|((s, _, _), p)| (s, p))
        .collect();
    let sections = build_forest(nodes, |s| &mut s.sections);
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
            // Here, not in add_run_in: a run another replica added from a
            // template archived on this one still arrives by sync.
            super::library::ensure_not_archived(&templates::resolve(tx, template)?)?;
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

/// What moving a run to a newer template version did — or, from
/// [`Store::upgrade_preview`], would do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RunUpgrade {
    pub template: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub from_version: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub to_version: i64,
    /// Items whose state (status, owner, notes, reason, evidence) carried
    /// over: `kept + moved + reworded`.
    pub carried: usize,
    /// Carried by stable key: the same text in the same place (case,
    /// punctuation and spacing aside).
    pub kept: usize,
    /// Carried to the same text elsewhere: another section, or under a
    /// renamed heading or parent item.
    pub moved: usize,
    /// Carried to a similar text (`matching::REWORDED`).
    pub reworded: usize,
    /// New items, starting as the file says (checked boxes, a table's Status,
    /// Owner and Evidence cells; a fresh run keeps only the owners).
    pub added: usize,
    /// Items no longer in the checklist; their history stays in the audit trail.
    pub removed: usize,
    /// The moved and reworded items, old → new, in the new version's order.
    pub matches: Vec<ItemMatch>,
    /// The old version's items nothing continues, with the status that ends.
    pub removed_items: Vec<UpgradeItem>,
    /// The new items, with the status they start in.
    pub added_items: Vec<UpgradeItem>,
    /// False when the versions differ in too many items to look for
    /// rewordings (`matching::COMPARE_LIMIT`); only exact and moved matched.
    pub rewordings_compared: bool,
    /// A preview: nothing was changed.
    pub dry_run: bool,
}

/// An item of one side of an upgrade.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UpgradeItem {
    pub key: String,
    pub number: String,
    /// The item's text as plain text.
    pub plain: String,
    /// In the run before the upgrade (an old item), or as it starts or
    /// carries over (a new one).
    pub status: Status,
}

/// A new item that continues an old one of another key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ItemMatch {
    pub kind: MatchKind,
    /// How similar the normalised texts are, in thousandths.
    pub similarity: u32,
    pub old: UpgradeItem,
    pub new: UpgradeItem,
}

impl Store {
    /// Moves a release's run of `template` to the template's newest version,
    /// carrying each item's state to the new item that continues it: same
    /// stable key, else the same text elsewhere, else a similar text
    /// (`matching`). The pairs travel with the operation, so every replica
    /// applies the same ones.
    pub fn upgrade_run(
        &mut self,
        release: &str,
        template: &str,
        actor: &str,
    ) -> Result<RunUpgrade> {
        self.upgrade_run_with(release, template, actor, None)
    }

    /// [`Store::upgrade_run`] with the pairs a person chose (old key, new
    /// key): unchanged items pair by key as always, and of the moved and
    /// reworded pairs only these carry state (a pairing unticked in the
    /// app's preview is one left out). None: as matched.
    pub fn upgrade_run_with(
        &mut self,
        release: &str,
        template: &str,
        actor: &str,
        chosen: Option<&[(String, String)]>,
    ) -> Result<RunUpgrade> {
        self.write(|tx| {
            let latest = templates::resolve(tx, template)?;
            let up = upgrade_run_in(tx, release, &latest, (actor, &time_fmt::now()), chosen)?;
            if up.from_version != up.to_version {
                super::oplog::record(
                    tx,
                    actor,
                    Change::RunUpgrade {
                        content_hash: latest.content_hash,
                        pairs: up
                            .matches
                            .iter()
                            .map(|m| (m.old.key.clone(), m.new.key.clone()))
                            .collect(),
                        release: releases::resolve(tx, release)?.name,
                        template: latest.slug,
                    },
                )?;
            }
            Ok(up)
        })
    }

    /// What [`Store::upgrade_run`] would do, changing nothing (the same
    /// refusals: a signed-off release, no such run).
    pub fn upgrade_preview(&self, release: &str, template: &str) -> Result<RunUpgrade> {
        self.upgrade_preview_with(release, template, None)
    }

    /// What [`Store::upgrade_run_with`] would do with these pairs.
    pub fn upgrade_preview_with(
        &self,
        release: &str,
        template: &str,
        chosen: Option<&[(String, String)]>,
    ) -> Result<RunUpgrade> {
        let conn = self.conn();
        let latest = templates::resolve(conn, template)?;
        let plan = plan_upgrade(conn, release, &latest, chosen)?;
        let mut up = plan.outcome(&latest);
        up.dry_run = true;
        Ok(up)
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
    source_events(tx, (&release, &template.slug, run_id), &states, &source)?;
    load_run(tx, run_id, template.id, None)
}

/// One item of a version, for the upgrade.
struct PlanItem {
    id: i64,
    key: String,
    section: String,
    number: String,
    plain: String,
    status: Status,
}

/// What an upgrade of one run will do.
struct Plan {
    release: crate::model::Release,
    run_id: i64,
    fresh: bool,
    old: crate::model::TemplateInfo,
    old_items: Vec<PlanItem>,
    new_items: Vec<PlanItem>,
    matching: Matching,
}

fn plan_items(conn: &Connection, template_id: i64, run_id: i64) -> Result<Vec<PlanItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.key, i.number, i.plain, s.status, c.key FROM item i
         JOIN section c ON c.id = i.section_id
         LEFT JOIN item_state s ON s.run_id = ?2 AND s.item_id = i.id
         WHERE i.template_id = ?1 ORDER BY i.position",
    )?;
    let mut rows = stmt.query(params![template_id, run_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let status: Option<String> = r.get(4)?;
        out.push(PlanItem {
            id: r.get(0)?,
            key: r.get(1)?,
            section: r.get(5)?,
            number: r.get(2)?,
            plain: r.get(3)?,
            status: status.as_deref().unwrap_or("open").parse()?,
        });
    }
    Ok(out)
}

/// The run of `latest`'s template in `release` and how its items pair with
/// `latest`'s: chosen afresh (`chosen` None), or the pairs an upgrade
/// operation names, besides exact keys.
fn plan_upgrade(
    conn: &Connection,
    release: &str,
    latest: &crate::model::TemplateInfo,
    chosen: Option<&[(String, String)]>,
) -> Result<Plan> {
    let release = releases::resolve(conn, release)?;
    ensure_writable(&release)?;
    let (run_id, old_id, fresh): (i64, i64, bool) = conn
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
    let old = templates::by_id(conn, old_id)?;
    if old.id == latest.id {
        return Ok(Plan {
            release,
            run_id,
            fresh,
            old,
            old_items: Vec::new(),
            new_items: Vec::new(),
            matching: Matching {
                pairs: Vec::new(),
                rewordings_compared: true,
            },
        });
    }
    let old_items = plan_items(conn, old.id, run_id)?;
    let mut new_items = plan_items(conn, latest.id, run_id)?;
    fn sides(items: &[PlanItem]) -> Vec<Side<'_>> {
        items
            .iter()
            .map(|i| Side {
                key: &i.key,
                section: &i.section,
                plain: &i.plain,
            })
            .collect()
    }
    let (o, n) = (sides(&old_items), sides(&new_items));
    let matching = match chosen {
        None => matching::match_items(&o, &n),
        Some(pairs) => matching::chosen_pairs(&o, &n, pairs),
    };
    // New items start as the source says; matched ones carry their state.
    let starts: HashMap<i64, String> = source_states(conn, latest.id, fresh, None)?
        .into_iter()
        .map(|s| (s.item_id, s.status))
        .collect();
    for item in new_items.iter_mut() {
        item.status = starts.get(&item.id).map_or("open", |s| s).parse()?;
    }
    for p in &matching.pairs {
        new_items[p.new].status = old_items[p.old].status;
    }
    Ok(Plan {
        release,
        run_id,
        fresh,
        old,
        old_items,
        new_items,
        matching,
    })
}

impl Plan {
    fn outcome(&self, latest: &crate::model::TemplateInfo) -> RunUpgrade {
        let item = |i: &PlanItem| UpgradeItem {
            key: i.key.clone(),
            number: i.number.clone(),
            plain: i.plain.clone(),
            status: i.status,
        };
        let count = |kind: MatchKind| {
            self.matching
                .pairs
                .iter()
                .filter(|p| p.kind == kind)
                .count()
        };
        let mut old_paired = vec![false; self.old_items.len()];
        let mut new_paired = vec![false; self.new_items.len()];
        for p in &self.matching.pairs {
            old_paired[p.old] = true;
            new_paired[p.new] = true;
        }
        let unpaired = |items: &[PlanItem], paired: &[bool]| -> Vec<UpgradeItem> {
            items
                .iter()
                .zip(paired)
                .filter(|(_, p)| !**p)
                .map(|(i, _)| item(i))
                .collect()
        };
        let removed_items = unpaired(&self.old_items, &old_paired);
        let added_items = unpaired(&self.new_items, &new_paired);
        RunUpgrade {
            template: latest.slug.clone(),
            from_version: self.old.version,
            to_version: latest.version,
            carried: self.matching.pairs.len(),
            kept: count(MatchKind::Exact),
            moved: count(MatchKind::Moved),
            reworded: count(MatchKind::Reworded),
            added: added_items.len(),
            removed: removed_items.len(),
            matches: self
                .matching
                .pairs
                .iter()
                .filter(|p| p.kind != MatchKind::Exact)
                .map(|p| ItemMatch {
                    kind: p.kind,
                    similarity: p.similarity.per_mille(),
                    old: item(&self.old_items[p.old]),
                    new: item(&self.new_items[p.new]),
                })
                .collect(),
            removed_items,
            added_items,
            rewordings_compared: self.matching.rewordings_compared,
            dry_run: false,
        }
    }
}

/// How an item reads in an `item.match` event: its number first, which
/// the replay resolves in the version it belongs to.
fn match_value(item: &UpgradeItem) -> String {
    format!("{} {}", item.number, item.plain)
}

/// Moves a run to the template version `latest` in `tx` (see
/// [`Store::upgrade_run`]); `chosen` are the pairs a synced upgrade named.
pub(crate) fn upgrade_run_in(
    tx: &Transaction<'_>,
    release: &str,
    latest: &crate::model::TemplateInfo,
    (actor, now): (&str, &str),
    chosen: Option<&[(String, String)]>,
) -> Result<RunUpgrade> {
    let plan = plan_upgrade(tx, release, latest, chosen)?;
    let outcome = plan.outcome(latest);
    if plan.old.id == latest.id {
        return Ok(outcome);
    }
    let (run_id, fresh, release) = (plan.run_id, plan.fresh, &plan.release);
    let source = source_actor(&latest.source_name);
    tx.execute(
        "UPDATE run SET template_id = ?1 WHERE id = ?2",
        params![latest.id, run_id],
    )?;
    // Carried states, as they were; evidence follows its item.
    {
        let mut carry = tx.prepare_cached(
            "INSERT INTO item_state (run_id, item_id, status, owner, notes, reason, updated_at, updated_by)
             SELECT run_id, ?3, status, owner, notes, reason, updated_at, updated_by
             FROM item_state WHERE run_id = ?1 AND item_id = ?2",
        )?;
        let mut move_evidence = tx.prepare_cached(
            "UPDATE evidence SET item_id = ?3 WHERE run_id = ?1 AND item_id = ?2",
        )?;
        for p in &plan.matching.pairs {
            let (o, n) = (plan.old_items[p.old].id, plan.new_items[p.new].id);
            carry.execute(params![run_id, o, n])?;
            move_evidence.execute(params![run_id, o, n])?;
        }
    }
    // The upgrade first, then what it did to single items, so the replay
    // (replay.rs) meets them in that order.
    let subject = format!("{}/{}", release.name, latest.slug);
    append(
        tx,
        NewEvent {
            actor,
            action: "run.upgrade",
            subject: &subject,
            release_id: Some(release.id),
            run_id: Some(run_id),
            field: Some("version"),
            old: Some(&plan.old.version.to_string()),
            new: Some(&format!(
                "{} ({} kept, {} moved, {} reworded, {} added, {} removed)",
                latest.version,
                outcome.kept,
                outcome.moved,
                outcome.reworded,
                outcome.added,
                outcome.removed
            )),
            ..Default::default()
        },
    )?;
    for (m, p) in outcome.matches.iter().zip(
        plan.matching
            .pairs
            .iter()
            .filter(|p| p.kind != MatchKind::Exact),
    ) {
        append(
            tx,
            NewEvent {
                actor,
                action: "item.match",
                subject: &format!("{}:{}", subject, m.new.number),
                release_id: Some(release.id),
                run_id: Some(run_id),
                item_id: Some(plan.new_items[p.new].id),
                field: Some(m.kind.as_str()),
                old: Some(&match_value(&m.old)),
                new: Some(&match_value(&m.new)),
            },
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO item_alias (release, template, new_key, old_key) VALUES (?1, ?2, ?3, ?4)",
            params![release.name, latest.slug, m.new.key, m.old.key],
        )?;
        // An open conflict follows its item (sync's fold settles it there).
        tx.execute(
            "UPDATE conflict SET item_key = ?4 WHERE release = ?1 AND template = ?2 AND item_key = ?3",
            params![release.name, latest.slug, m.old.key, m.new.key],
        )?;
    }
    // New items start as the source says, like in a new run, with one event
    // per value the source gave.
    let sourced = source_states(tx, latest.id, fresh, Some(run_id))?;
    tx.execute(
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
    source_events(tx, (release, &latest.slug, run_id), &sourced, &source)?;
    // The old version's states go (their history stays).
    tx.execute(
        "DELETE FROM evidence WHERE run_id = ?1 AND item_id IN (SELECT id FROM item WHERE template_id = ?2)",
        params![run_id, plan.old.id],
    )?;
    tx.execute(
        "DELETE FROM item_state WHERE run_id = ?1 AND item_id IN (SELECT id FROM item WHERE template_id = ?2)",
        params![run_id, plan.old.id],
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
