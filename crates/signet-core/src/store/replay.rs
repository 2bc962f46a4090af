//! Replays the audit trail into the state it describes and compares that
//! with the state tables. The hash chain proves the events are linked; this
//! proves the live state is what they say — an owner or status changed in
//! place with any SQLite tool, a sign-off row with no event, an event
//! dropped while its effect stayed. Each difference is named with its
//! release, item and field.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::Connection;
use serde::Serialize;

use crate::error::Result;

/// One way the state tables differ from what the audit trail says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// `release/template:number`, `release`, `person handle`, …
    pub subject: String,
    pub field: String,
    /// What replaying the events gives.
    pub trail: String,
    /// What the tables hold.
    pub table: String,
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: the audit trail says {}, the database has {}",
            self.subject, self.field, self.trail, self.table
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    status: String,
    owner: Option<String>,
    notes: String,
    reason: Option<String>,
    evidence: Vec<String>,
}

impl State {
    fn open() -> State {
        State {
            status: "open".into(),
            owner: None,
            notes: String::new(),
            reason: None,
            evidence: Vec::new(),
        }
    }

    /// How `upgrade_run` starts an item new to the run: as the source says,
    /// except that a fresh run keeps only the owner.
    fn from_source(source: &Initial, fresh: bool) -> State {
        if fresh {
            return State {
                owner: source.owner.clone(),
                ..State::open()
            };
        }
        State {
            status: source.status.clone(),
            owner: source.owner.clone(),
            notes: String::new(),
            reason: source.reason.clone(),
            evidence: source.evidence.clone(),
        }
    }
}

/// What an item's template row says a new run starts it with.
#[derive(Debug, Clone)]
struct Initial {
    status: String,
    reason: Option<String>,
    owner: Option<String>,
    evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct RunRow {
    release_id: i64,
    template: String,
    fresh: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ReleaseRow {
    name: String,
    due: Option<String>,
    status: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct RevisionRow {
    digest: String,
    override_reason: Option<String>,
    /// The chain head the revision was frozen at: the freeze event's link.
    head: String,
}

/// Everything the events say, keyed by the ids the tables use.
#[derive(Default)]
struct Trail {
    templates: BTreeSet<String>,
    people: BTreeMap<String, (String, Option<String>)>,
    releases: BTreeMap<i64, ReleaseRow>,
    runs: BTreeMap<i64, RunRow>,
    states: HashMap<(i64, i64), State>,
    revisions: BTreeMap<(i64, u32), RevisionRow>,
    signoffs: BTreeMap<(i64, u32, String), String>,
    /// Problems found while folding (an event that contradicts the ones before it).
    drifts: Vec<Drift>,
}

struct EventRow {
    id: i64,
    action: String,
    release_id: Option<i64>,
    run_id: Option<i64>,
    item_id: Option<i64>,
    subject: String,
    field: Option<String>,
    old: Option<String>,
    new: Option<String>,
    prev_hash: String,
}

/// Items of one template version: (id, key, the state the source gives it).
type Items = Vec<(i64, String, Initial)>;

struct Templates<'c> {
    conn: &'c Connection,
    cache: HashMap<String, Items>,
}

impl Templates<'_> {
    fn items(&mut self, template: &str) -> Result<&Items> {
        if !self.cache.contains_key(template) {
            let (slug, version) = template.rsplit_once('@').unwrap_or((template, "0"));
            let mut stmt = self.conn.prepare_cached(
                "SELECT i.id, i.key, COALESCE(g.status,
                        CASE WHEN i.initially_checked THEN 'done' ELSE 'open' END),
                        g.reason, g.owner, g.evidence
                 FROM item i JOIN template t ON t.id = i.template_id
                 LEFT JOIN source_state g ON g.item_id = i.id
                 WHERE t.slug = ?1 AND t.version = ?2 ORDER BY i.id",
            )?;
            let mut items = Items::new();
            let mut rows = stmt.query(rusqlite::params![slug, version])?;
            while let Some(r) = rows.next()? {
                let evidence: Option<String> = r.get(5)?;
                let initial = Initial {
                    status: r.get(2)?,
                    reason: r.get(3)?,
                    owner: r.get(4)?,
                    evidence: match evidence {
                        Some(json) => serde_json::from_str(&json)?,
                        None => Vec::new(),
                    },
                };
                items.push((r.get(0)?, r.get(1)?, initial));
            }
            self.cache.insert(template.to_string(), items);
        }
        Ok(&self.cache[template])
    }
}

fn show(v: Option<&str>) -> String {
    match v {
        None => "nothing".into(),
        Some(s) => format!("'{s}'"),
    }
}

impl Trail {
    fn drift(&mut self, subject: &str, field: &str, trail: String, table: String) {
        self.drifts.push(Drift {
            subject: subject.to_string(),
            field: field.to_string(),
            trail,
            table,
        });
    }

    fn apply(&mut self, e: EventRow, templates: &mut Templates<'_>) -> Result<()> {
        let new = e.new.as_deref();
        match e.action.as_str() {
            "template.import" => {
                self.templates.insert(e.subject);
            }
            "person.add" => {
                self.people
                    .insert(e.subject, (new.unwrap_or_default().to_string(), None));
            }
            "person.key" => {
                if let Some(p) = self.people.get_mut(&e.subject) {
                    p.1 = e.new;
                }
            }
            "release.create" => {
                if let Some(id) = e.release_id {
                    let due = (e.field.as_deref() == Some("due_date")).then(|| e.new.clone());
                    self.releases.insert(
                        id,
                        ReleaseRow {
                            name: e.subject,
                            due: due.flatten(),
                            status: "open".into(),
                        },
                    );
                }
            }
            "release.freeze" => {
                let parsed = new
                    .and_then(|n| n.strip_prefix("signed_off (revision "))
                    .and_then(|n| n.strip_suffix(')'))
                    .and_then(|n| n.split_once(", "))
                    .and_then(|(rev, digest)| Some((rev.parse::<u32>().ok()?, digest)));
                if let (Some(id), Some((rev, digest))) = (e.release_id, parsed) {
                    if let Some(r) = self.releases.get_mut(&id) {
                        r.status = "signed_off".into();
                    }
                    self.revisions.insert(
                        (id, rev),
                        RevisionRow {
                            digest: digest.to_string(),
                            override_reason: None,
                            head: e.prev_hash,
                        },
                    );
                }
            }
            "signoff.override" => {
                if let Some(id) = e.release_id {
                    if let Some((_, rv)) = self.revisions.range_mut((id, 0)..=(id, u32::MAX)).last()
                    {
                        rv.override_reason = e.new;
                    }
                }
            }
            "signoff" => {
                // "<handle> (<role>) signed revision <n>"
                let parsed = new
                    .and_then(|n| n.rsplit_once(") signed revision "))
                    .and_then(|(who, rev)| {
                        let (handle, role) = who.split_once(" (")?;
                        Some((handle, role, rev.parse::<u32>().ok()?))
                    });
                if let (Some(id), Some((handle, role, rev))) = (e.release_id, parsed) {
                    self.signoffs
                        .insert((id, rev, handle.to_string()), role.to_string());
                }
            }
            "release.reopen" => {
                if let Some(r) = e.release_id.and_then(|id| self.releases.get_mut(&id)) {
                    r.status = "reopened".into();
                }
            }
            "run.add" => {
                let (Some(release_id), Some(run_id), Some(template)) =
                    (e.release_id, e.run_id, e.new)
                else {
                    return Ok(());
                };
                // Every item starts open; what the source gives them follows
                // as events from the source actor.
                for (item, _, _) in templates.items(&template)? {
                    self.states.insert((run_id, *item), State::open());
                }
                let fresh = e.field.as_deref() == Some("fresh");
                self.runs.insert(
                    run_id,
                    RunRow {
                        release_id,
                        template,
                        fresh,
                    },
                );
            }
            "run.upgrade" => self.upgrade(&e, templates)?,
            "item.status" | "item.update" => self.item(e),
            other => {
                let other = other.to_string();
                self.drift(
                    &format!("event #{}", e.id),
                    "action",
                    "an action this Signet knows".into(),
                    format!("'{other}'"),
                );
            }
        }
        Ok(())
    }

    /// The run moves to a newer template version; states follow their
    /// item's stable key, as [`super::Store::upgrade_run`] does.
    fn upgrade(&mut self, e: &EventRow, templates: &mut Templates<'_>) -> Result<()> {
        let Some(run_id) = e.run_id else {
            return Ok(());
        };
        let Some(run) = self.runs.get(&run_id).cloned() else {
            self.drift(
                &e.subject,
                "run",
                format!("event #{} upgrades it", e.id),
                "no run.add before it".into(),
            );
            return Ok(());
        };
        let version: String = e
            .new
            .as_deref()
            .unwrap_or_default()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let slug = run.template.rsplit_once('@').map_or("", |(s, _)| s);
        let to = format!("{slug}@{version}");
        let mut by_key: HashMap<String, State> = HashMap::new();
        for (item, key, _) in templates.items(&run.template)?.clone() {
            if let Some(s) = self.states.remove(&(run_id, item)) {
                by_key.insert(key, s);
            }
        }
        for (item, key, source) in templates.items(&to)?.clone() {
            let state = by_key
                .remove(&key)
                .unwrap_or_else(|| State::from_source(&source, run.fresh));
            self.states.insert((run_id, item), state);
        }
        if let Some(r) = self.runs.get_mut(&run_id) {
            r.template = to;
        }
        Ok(())
    }

    fn item(&mut self, e: EventRow) {
        let (Some(run), Some(item)) = (e.run_id, e.item_id) else {
            return;
        };
        let field = e.field.as_deref().unwrap_or_default();
        let Some(state) = self.states.get_mut(&(run, item)) else {
            self.drift(
                &e.subject,
                field,
                format!("event #{} changes it", e.id),
                "no run holds this item".into(),
            );
            return;
        };
        let before = match field {
            "status" => Some(state.status.clone()),
            "owner" => state.owner.clone(),
            "reason" => state.reason.clone(),
            _ => None,
        };
        let contradicts = matches!(field, "status" | "owner" | "reason") && before != e.old;
        match field {
            "status" => state.status = e.new.clone().unwrap_or_default(),
            "owner" => state.owner = e.new.clone(),
            "reason" => state.reason = e.new.clone(),
            "note" => {
                if let Some(n) = &e.new {
                    if !state.notes.is_empty() {
                        state.notes.push('\n');
                    }
                    state.notes.push_str(n);
                }
            }
            "evidence" => state.evidence.extend(e.new.clone()),
            _ => {}
        }
        if contradicts {
            // The value was changed in the table before this event was
            // written: the event recorded the edited value as "old".
            self.drift(
                &e.subject,
                field,
                show(before.as_deref()),
                format!(
                    "{} when event #{} was written (edited behind Signet's back before it)",
                    show(e.old.as_deref()),
                    e.id
                ),
            );
        }
    }
}

fn fold(conn: &Connection) -> Result<Trail> {
    let mut trail = Trail::default();
    let mut templates = Templates {
        conn,
        cache: HashMap::new(),
    };
    let mut stmt = conn.prepare(
        "SELECT id, action, release_id, run_id, item_id, subject, field, old_value, new_value, prev_hash
         FROM event ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let e = EventRow {
            id: r.get(0)?,
            action: r.get(1)?,
            release_id: r.get(2)?,
            run_id: r.get(3)?,
            item_id: r.get(4)?,
            subject: r.get(5)?,
            field: r.get(6)?,
            old: r.get(7)?,
            new: r.get(8)?,
            prev_hash: r.get(9)?,
        };
        trail.apply(e, &mut templates)?;
    }
    Ok(trail)
}

/// Compares two keyed collections; `label` names a key for the message.
fn compare<K: Ord + Clone, V: PartialEq>(
    drifts: &mut Vec<Drift>,
    trail: &BTreeMap<K, V>,
    table: &BTreeMap<K, V>,
    label: impl Fn(&K) -> (String, String),
    describe: impl Fn(&V) -> String,
) {
    let keys: BTreeSet<&K> = trail.keys().chain(table.keys()).collect();
    for k in keys {
        let (a, b) = (trail.get(k), table.get(k));
        if a == b {
            continue;
        }
        let (subject, field) = label(k);
        let d = |v: Option<&V>| v.map_or_else(|| "nothing".to_string(), &describe);
        drifts.push(Drift {
            subject,
            field,
            trail: d(a),
            table: d(b),
        });
    }
}

fn query<T>(
    conn: &Connection,
    sql: &str,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], f)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every difference between the replayed audit trail and the state tables.
pub(crate) fn drifts(conn: &Connection) -> Result<Vec<Drift>> {
    let trail = fold(conn)?;
    let mut out = trail.drifts;

    let releases: BTreeMap<i64, ReleaseRow> = query(
        conn,
        "SELECT id, name, due_date, status FROM release",
        |r| {
            Ok((
                r.get(0)?,
                ReleaseRow {
                    name: r.get(1)?,
                    due: r.get(2)?,
                    status: r.get(3)?,
                },
            ))
        },
    )?
    .into_iter()
    .collect();
    let names: HashMap<i64, String> = trail
        .releases
        .iter()
        .chain(&releases)
        .map(|(id, r)| (*id, r.name.clone()))
        .collect();
    let name = |id: &i64| {
        names
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("release #{id}"))
    };
    compare(
        &mut out,
        &trail.releases,
        &releases,
        |id| (name(id), "release".into()),
        |r| {
            format!(
                "'{}' ({}, due {})",
                r.name,
                r.status.replace('_', " "),
                r.due.as_deref().unwrap_or("none")
            )
        },
    );

    let runs: BTreeMap<i64, RunRow> = query(
        conn,
        "SELECT r.id, r.release_id, t.slug || '@' || t.version, r.fresh FROM run r
         JOIN template t ON t.id = r.template_id",
        |r| {
            Ok((
                r.get(0)?,
                RunRow {
                    release_id: r.get(1)?,
                    template: r.get(2)?,
                    fresh: r.get(3)?,
                },
            ))
        },
    )?
    .into_iter()
    .collect();
    let run_label: HashMap<i64, String> = trail
        .runs
        .iter()
        .chain(&runs)
        .map(|(id, r)| {
            let slug = r.template.rsplit_once('@').map_or("", |(s, _)| s);
            (*id, format!("{}/{slug}", name(&r.release_id)))
        })
        .collect();
    compare(
        &mut out,
        &trail.runs,
        &runs,
        |id| {
            (
                run_label
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| format!("run #{id}")),
                "checklist".into(),
            )
        },
        |r| format!("{}{}", r.template, if r.fresh { " (fresh)" } else { "" }),
    );

    let mut states: HashMap<(i64, i64), State> = query(
        conn,
        "SELECT run_id, item_id, status, owner, notes, reason FROM item_state",
        |r| {
            Ok((
                (r.get(0)?, r.get(1)?),
                State {
                    status: r.get(2)?,
                    owner: r.get(3)?,
                    notes: r.get(4)?,
                    reason: r.get(5)?,
                    evidence: Vec::new(),
                },
            ))
        },
    )?
    .into_iter()
    .collect();
    let mut orphan_evidence = BTreeMap::new();
    for (key, target) in query(
        conn,
        "SELECT run_id, item_id, target FROM evidence ORDER BY id",
        |r| {
            Ok((
                (r.get::<_, i64>(0)?, r.get::<_, i64>(1)?),
                r.get::<_, String>(2)?,
            ))
        },
    )? {
        match states.get_mut(&key) {
            Some(s) => s.evidence.push(target),
            None => orphan_evidence.insert(key, target).map_or((), |_| ()),
        }
    }
    let mut item_drifts: Vec<((i64, i64), &'static str, String, String)> = Vec::new();
    let keys: BTreeSet<&(i64, i64)> = trail.states.keys().chain(states.keys()).collect();
    for key in keys {
        match (trail.states.get(key), states.get(key)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => {
                let fields: [(&str, String, String); 5] = [
                    ("status", a.status.clone(), b.status.clone()),
                    ("owner", show(a.owner.as_deref()), show(b.owner.as_deref())),
                    ("notes", format!("{:?}", a.notes), format!("{:?}", b.notes)),
                    (
                        "reason",
                        show(a.reason.as_deref()),
                        show(b.reason.as_deref()),
                    ),
                    (
                        "evidence",
                        format!("{:?}", a.evidence),
                        format!("{:?}", b.evidence),
                    ),
                ];
                for (field, x, y) in fields {
                    if x != y {
                        item_drifts.push((*key, field, x, y));
                    }
                }
            }
            (Some(_), None) => item_drifts.push((*key, "state", "a state".into(), "none".into())),
            (None, Some(_)) => item_drifts.push((
                *key,
                "state",
                "no such item in the release".into(),
                "a state".into(),
            )),
            (None, None) => {}
        }
    }
    for (key, target) in orphan_evidence {
        item_drifts.push((key, "evidence", "nothing".into(), format!("'{target}'")));
    }
    if !item_drifts.is_empty() {
        let numbers: HashMap<i64, String> = query(conn, "SELECT id, number FROM item", |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .into_iter()
        .collect();
        for ((run, item), field, trail, table) in item_drifts {
            let run = run_label
                .get(&run)
                .cloned()
                .unwrap_or_else(|| format!("run #{run}"));
            let number = numbers
                .get(&item)
                .cloned()
                .unwrap_or_else(|| format!("item #{item}"));
            out.push(Drift {
                subject: format!("{run}:{number}"),
                field: field.into(),
                trail,
                table,
            });
        }
    }

    let revisions: BTreeMap<(i64, u32), RevisionRow> = query(
        conn,
        "SELECT release_id, revision, digest, override_reason, payload FROM report_revision",
        |r| {
            let payload: String = r.get(4)?;
            Ok((
                (r.get(0)?, r.get(1)?),
                RevisionRow {
                    digest: r.get(2)?,
                    override_reason: r.get(3)?,
                    head: signed_head(&payload),
                },
            ))
        },
    )?
    .into_iter()
    .collect();
    compare(
        &mut out,
        &trail.revisions,
        &revisions,
        |(id, rev)| (name(id), format!("revision {rev}")),
        |r| {
            format!(
                "digest {}, frozen at chain head {}{}",
                short(&r.digest),
                short(&r.head),
                r.override_reason
                    .as_deref()
                    .map(|o| format!(", override '{o}'"))
                    .unwrap_or_default()
            )
        },
    );

    let signoffs: BTreeMap<(i64, u32, String), String> = query(
        conn,
        "SELECT rv.release_id, rv.revision, s.handle, s.role FROM signoff s
         JOIN report_revision rv ON rv.id = s.revision_id",
        |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get(3)?)),
    )?
    .into_iter()
    .collect();
    compare(
        &mut out,
        &trail.signoffs,
        &signoffs,
        |(id, rev, handle)| (name(id), format!("revision {rev} sign-off by {handle}")),
        |role| format!("signed as '{role}'"),
    );

    let people: BTreeMap<String, (String, Option<String>)> =
        query(conn, "SELECT handle, name, public_key FROM person", |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
        })?
        .into_iter()
        .collect();
    compare(
        &mut out,
        &trail.people,
        &people,
        |h| (format!("person {h}"), "name and key".into()),
        |(n, k)| format!("'{n}', key {}", k.as_deref().map_or("none".into(), short)),
    );

    let templates: BTreeMap<String, ()> =
        query(conn, "SELECT slug || '@' || version FROM template", |r| {
            Ok((r.get(0)?, ()))
        })?
        .into_iter()
        .collect();
    let imported: BTreeMap<String, ()> = trail.templates.into_iter().map(|t| (t, ())).collect();
    compare(
        &mut out,
        &imported,
        &templates,
        |t| (format!("template {t}"), "import".into()),
        |_| "imported".into(),
    );
    Ok(out)
}

/// The chain head a frozen report's payload records (its `audit.head_hash`).
pub(crate) fn signed_head(payload: &str) -> String {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v["audit"]["head_hash"].as_str().map(str::to_string))
        .unwrap_or_else(|| "(unreadable)".into())
}

fn short(hash: &str) -> String {
    hash.chars().take(16).collect()
}
