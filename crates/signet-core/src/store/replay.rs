//! Replays the audit trail into the state it describes and compares that
//! with the state tables. The hash chain proves the events are linked; this
//! proves the live state is what they say — an owner or status changed in
//! place with any SQLite tool, a sign-off row with no event, an event
//! dropped while its effect stayed. Each difference is named with its
//! release, item and field.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::{Connection, OptionalExtension};
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
    /// (target, added by, label) in the order added.
    evidence: Vec<(String, String, Option<String>)>,
    updated_by: String,
}

impl State {
    fn open(by: &str) -> State {
        State {
            status: "open".into(),
            owner: None,
            notes: String::new(),
            reason: None,
            evidence: Vec::new(),
            updated_by: by.to_string(),
        }
    }

    /// How `upgrade_run` starts an item new to the run: as the source says,
    /// except that a fresh run keeps only the owner; attributed to the file
    /// (`by_source`) when the file gave it anything, else to whoever upgraded.
    fn from_source(source: &Initial, fresh: bool, by_source: &str, actor: &str) -> State {
        let sourced = source.owner.is_some()
            || (!fresh && (source.status != "open" || !source.evidence.is_empty()));
        let by = if sourced { by_source } else { actor };
        if fresh {
            return State {
                owner: source.owner.clone(),
                ..State::open(by)
            };
        }
        State {
            status: source.status.clone(),
            owner: source.owner.clone(),
            notes: String::new(),
            reason: source.reason.clone(),
            evidence: source
                .evidence
                .iter()
                .map(|t| (t.clone(), by_source.to_string(), None))
                .collect(),
            updated_by: by.to_string(),
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
    frozen_by: String,
}

/// One registered key as the events describe it (a `person_key` row).
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyTrail {
    /// The time of its first `person.key` event.
    valid_from: String,
    /// (from, reason, recorded at, by) of its `key.revoke` event.
    revoked: Option<(String, String, String, String)>,
}

/// Everything the events say, keyed by the ids the tables use.
#[derive(Default)]
struct Trail {
    /// slug@version → the tree digest its import recorded (None: recorded
    /// before digests were).
    templates: BTreeMap<String, Option<String>>,
    people: BTreeMap<String, (String, Option<String>)>,
    /// Every key ever registered for a handle (older signatures stay
    /// valid), and whether it was revoked.
    keys: BTreeMap<String, BTreeMap<String, KeyTrail>>,
    /// The signer's keys already revoked when each sign-off event was
    /// written: a sign-off row by one of them was made after the revocation,
    /// whatever time its signature names.
    revoked_at_signoff: BTreeMap<(i64, u32, String), BTreeSet<String>>,
    releases: BTreeMap<i64, ReleaseRow>,
    runs: BTreeMap<i64, RunRow>,
    states: HashMap<(i64, i64), State>,
    revisions: BTreeMap<(i64, u32), RevisionRow>,
    signoffs: BTreeMap<(i64, u32, String), String>,
    /// For each run, the states an itemised upgrade left unpaired by key,
    /// by the old item's number, with its key: what its `item.match`
    /// events carry to moved and reworded items.
    unpaired: HashMap<i64, HashMap<String, (String, State)>>,
    /// (release, template slug, new key, old key) of every `item.match`.
    aliases: BTreeSet<(i64, String, String, String)>,
    /// Problems found while folding (an event that contradicts the ones before it).
    drifts: Vec<Drift>,
}

struct EventRow {
    id: i64,
    at: String,
    actor: String,
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

/// Items of one template version: (id, key, outline number, the state the
/// source gives it).
type Items = Vec<(i64, String, String, Initial)>;

struct Templates<'c> {
    conn: &'c Connection,
    /// slug@version → (`source:<file>` actor, items).
    cache: HashMap<String, (String, Items)>,
}

impl Templates<'_> {
    fn load(&mut self, template: &str) -> Result<&(String, Items)> {
        if !self.cache.contains_key(template) {
            let (slug, version) = template.rsplit_once('@').unwrap_or((template, "0"));
            let mut stmt = self.conn.prepare_cached(
                "SELECT i.id, i.key, COALESCE(g.status,
                        CASE WHEN i.initially_checked THEN 'done' ELSE 'open' END),
                        g.reason, g.owner, g.evidence, i.number
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
                items.push((r.get(0)?, r.get(1)?, r.get(6)?, initial));
            }
            drop(rows);
            let source: Option<String> = self
                .conn
                .query_row(
                    "SELECT source_name FROM template WHERE slug = ?1 AND version = ?2",
                    rusqlite::params![slug, version],
                    |r| r.get(0),
                )
                .optional()?;
            let source = super::runs::source_actor(&source.unwrap_or_default());
            self.cache.insert(template.to_string(), (source, items));
        }
        Ok(&self.cache[template])
    }

    fn items(&mut self, template: &str) -> Result<&Items> {
        Ok(&self.load(template)?.1)
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
                let tree = new
                    .and_then(|n| n.rsplit_once("; tree "))
                    .map(|(_, d)| d.to_string());
                self.templates.insert(e.subject, tree);
            }
            "person.add" => {
                self.people
                    .insert(e.subject, (new.unwrap_or_default().to_string(), None));
            }
            "person.key" => {
                if let Some(k) = &e.new {
                    self.keys
                        .entry(e.subject.clone())
                        .or_default()
                        .entry(k.clone())
                        .or_insert_with(|| KeyTrail {
                            valid_from: e.at.clone(),
                            revoked: None,
                        });
                }
                if let Some(p) = self.people.get_mut(&e.subject) {
                    p.1 = e.new;
                }
            }
            "key.revoke" => {
                let parsed = new.and_then(super::keys::parse_revoke_event_value);
                let key = self
                    .keys
                    .get_mut(&e.subject)
                    .zip(e.old.as_deref())
                    .and_then(|(keys, k)| keys.get_mut(k));
                match (key, parsed) {
                    (Some(key), Some((from, reason))) => {
                        key.revoked = Some((
                            from.to_string(),
                            reason.to_string(),
                            e.at.clone(),
                            e.actor.clone(),
                        ));
                    }
                    _ => self.drift(
                        &format!("person {}", e.subject),
                        "revoked key",
                        format!(
                            "event #{} revokes {}",
                            e.id,
                            e.old.as_deref().map_or("nothing".into(), key_id)
                        ),
                        "no such registered key before it".into(),
                    ),
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
            "release.freeze" | "sync.freeze" => {
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
                            // A revision frozen on another replica records
                            // that replica's chain head, not ours.
                            head: if e.action == "sync.freeze" {
                                String::new()
                            } else {
                                e.prev_hash
                            },
                            frozen_by: e.actor,
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
                    let revoked: BTreeSet<String> = self
                        .keys
                        .get(handle)
                        .into_iter()
                        .flatten()
                        .filter(|(_, k)| k.revoked.is_some())
                        .map(|(pk, _)| pk.clone())
                        .collect();
                    self.revoked_at_signoff
                        .insert((id, rev, handle.to_string()), revoked);
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
                for (item, _, _, _) in templates.items(&template)? {
                    self.states.insert((run_id, *item), State::open(&e.actor));
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
            "item.match" => self.matched(&e, templates)?,
            "item.status" | "item.update" => self.item(e),
            // A synced change that did not take: history only.
            "sync.held" | "sync.lost" => {}
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
    /// item's stable key, as [`super::Store::upgrade_run`] does. An
    /// upgrade's event names what it did to each item in the events after
    /// it ("… kept, … moved, … reworded …"): items new to the run start
    /// open, and the source's values and the states carried to moved and
    /// reworded items follow as events. Older upgrades carried by key
    /// alone and started new items as the source says, with no events.
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
        let new = e.new.as_deref().unwrap_or_default();
        let version: String = new.chars().take_while(char::is_ascii_digit).collect();
        let itemised = new.contains(" kept, ");
        let slug = run.template.rsplit_once('@').map_or("", |(s, _)| s);
        let to = format!("{slug}@{version}");
        let mut by_key: HashMap<String, (String, State)> = HashMap::new();
        for (item, key, number, _) in templates.items(&run.template)?.clone() {
            if let Some(s) = self.states.remove(&(run_id, item)) {
                by_key.insert(key, (number, s));
            }
        }
        let (source, items) = templates.load(&to)?.clone();
        for (item, key, _, initial) in items {
            let state = match by_key.remove(&key) {
                Some((_, s)) => s,
                None if itemised => State::open(&e.actor),
                None => State::from_source(&initial, run.fresh, &source, &e.actor),
            };
            self.states.insert((run_id, item), state);
        }
        self.unpaired.insert(
            run_id,
            by_key
                .into_iter()
                .map(|(key, (number, s))| (number, (key, s)))
                .collect(),
        );
        if let Some(r) = self.runs.get_mut(&run_id) {
            r.template = to;
        }
        Ok(())
    }

    /// An upgrade carried an old item's state to a moved or reworded one:
    /// `old` and `new` name them by number (then text).
    fn matched(&mut self, e: &EventRow, templates: &mut Templates<'_>) -> Result<()> {
        let (Some(run_id), Some(item)) = (e.run_id, e.item_id) else {
            return Ok(());
        };
        let number = |v: &Option<String>| {
            v.as_deref()
                .unwrap_or_default()
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_string()
        };
        let old = number(&e.old);
        let carried = self.unpaired.get_mut(&run_id).and_then(|u| u.remove(&old));
        let Some(run) = self.runs.get(&run_id).cloned() else {
            return Ok(());
        };
        let new_key = templates
            .items(&run.template)?
            .iter()
            .find(|(id, ..)| *id == item)
            .map(|(_, key, ..)| key.clone());
        match (carried, new_key, self.states.contains_key(&(run_id, item))) {
            (Some((old_key, state)), Some(new_key), true) => {
                self.states.insert((run_id, item), state);
                let slug = run.template.rsplit_once('@').map_or("", |(s, _)| s);
                self.aliases
                    .insert((run.release_id, slug.to_string(), new_key, old_key));
            }
            _ => self.drift(
                &e.subject,
                e.field.as_deref().unwrap_or("match"),
                format!("event #{} carries the state of {old} here", e.id),
                "no such item left unpaired by the upgrade before it".into(),
            ),
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
            "evidence" => {
                if let Some(target) = &e.new {
                    state.evidence.push((target.clone(), e.actor.clone(), None));
                }
            }
            // Sync folds an item from its operations: it sets whole notes,
            // and drops evidence of a change a sign-off left out.
            "notes" => state.notes = e.new.clone().unwrap_or_default(),
            "evidence_removed" => {
                let gone = state
                    .evidence
                    .iter()
                    .position(|(t, by, _)| Some(t) == e.old.as_ref() && *by == e.actor);
                if let Some(i) = gone {
                    state.evidence.remove(i);
                }
            }
            _ => {}
        }
        state.updated_by = e.actor.clone();
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
        "SELECT id, action, release_id, run_id, item_id, subject, field, old_value, new_value, prev_hash,
                actor, at
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
            actor: r.get(10)?,
            at: r.get(11)?,
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
        "SELECT run_id, item_id, status, owner, notes, reason, updated_by FROM item_state",
        |r| {
            Ok((
                (r.get(0)?, r.get(1)?),
                State {
                    status: r.get(2)?,
                    owner: r.get(3)?,
                    notes: r.get(4)?,
                    reason: r.get(5)?,
                    evidence: Vec::new(),
                    updated_by: r.get(6)?,
                },
            ))
        },
    )?
    .into_iter()
    .collect();
    let mut orphan_evidence = BTreeMap::new();
    for (key, evidence) in query(
        conn,
        "SELECT run_id, item_id, target, added_by, label FROM evidence ORDER BY id",
        |r| {
            Ok((
                (r.get::<_, i64>(0)?, r.get::<_, i64>(1)?),
                (r.get(2)?, r.get(3)?, r.get(4)?),
            ))
        },
    )? {
        match states.get_mut(&key) {
            Some(s) => s.evidence.push(evidence),
            None => orphan_evidence.insert(key, evidence.0).map_or((), |_| ()),
        }
    }
    let mut item_drifts: Vec<((i64, i64), &'static str, String, String)> = Vec::new();
    let keys: BTreeSet<&(i64, i64)> = trail.states.keys().chain(states.keys()).collect();
    for key in keys {
        match (trail.states.get(key), states.get(key)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => {
                let fields: [(&str, String, String); 6] = [
                    ("status", a.status.clone(), b.status.clone()),
                    ("owner", show(a.owner.as_deref()), show(b.owner.as_deref())),
                    ("notes", format!("{:?}", a.notes), format!("{:?}", b.notes)),
                    (
                        "reason",
                        show(a.reason.as_deref()),
                        show(b.reason.as_deref()),
                    ),
                    ("evidence", evidence(&a.evidence), evidence(&b.evidence)),
                    (
                        "last changed by",
                        format!("'{}'", a.updated_by),
                        format!("'{}'", b.updated_by),
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
        "SELECT release_id, revision, digest, override_reason, payload, frozen_by FROM report_revision",
        |r| {
            let payload: String = r.get(4)?;
            Ok((
                (r.get(0)?, r.get(1)?),
                RevisionRow {
                    digest: r.get(2)?,
                    override_reason: r.get(3)?,
                    head: signed_head(&payload),
                    frozen_by: r.get(5)?,
                },
            ))
        },
    )?
    .into_iter()
    .collect();
    let both: BTreeSet<&(i64, u32)> = trail.revisions.keys().chain(revisions.keys()).collect();
    for key in both {
        let subject = name(&key.0);
        let field = |f: &str| format!("revision {} {f}", key.1);
        match (trail.revisions.get(key), revisions.get(key)) {
            (Some(a), Some(b)) => {
                let pairs = [
                    ("digest", a.digest.clone(), b.digest.clone()),
                    (
                        "chain head",
                        short(&a.head),
                        // Synced revisions carry no local head to compare.
                        if a.head.is_empty() {
                            String::new()
                        } else {
                            short(&b.head)
                        },
                    ),
                    (
                        "override",
                        show(a.override_reason.as_deref()),
                        show(b.override_reason.as_deref()),
                    ),
                    (
                        "frozen by",
                        format!("'{}'", a.frozen_by),
                        format!("'{}'", b.frozen_by),
                    ),
                ];
                for (f, x, y) in pairs {
                    if x != y {
                        out.push(Drift {
                            subject: subject.clone(),
                            field: field(f),
                            trail: x,
                            table: y,
                        });
                    }
                }
            }
            (a, b) => {
                let d = |r: Option<&RevisionRow>| {
                    r.map_or("nothing".to_string(), |r| format!("digest {}", r.digest))
                };
                out.push(Drift {
                    subject,
                    field: format!("revision {}", key.1),
                    trail: d(a),
                    table: d(b),
                });
            }
        }
    }

    let rows: Vec<((i64, u32, String), String, String)> = query(
        conn,
        "SELECT rv.release_id, rv.revision, s.handle, s.role, s.public_key FROM signoff s
         JOIN report_revision rv ON rv.id = s.revision_id",
        |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get(3)?, r.get(4)?)),
    )?;
    // A signature counts only with a key the trail registered for its
    // signer: a valid signature by some other key is a forged sign-off.
    for ((release, rev, handle), _, key) in &rows {
        let known = trail.keys.get(handle);
        if !known.is_some_and(|k| k.contains_key(key)) {
            out.push(Drift {
                subject: name(release),
                field: format!("revision {rev} sign-off by {handle}"),
                trail: match known {
                    Some(k) => format!(
                        "a key registered for {handle} ({})",
                        k.keys().map(|k| key_id(k)).collect::<Vec<_>>().join(", ")
                    ),
                    None => format!("no key registered for {handle}"),
                },
                table: format!("a signature by key {}", key_id(key)),
            });
        }
        // Sign-off refuses a revoked key, so a signature by one that the
        // trail had revoked before its sign-off event was written is forged
        // (and backdated, or the gate would already call it invalid).
        let revoked = trail
            .revoked_at_signoff
            .get(&(*release, *rev, handle.clone()));
        if revoked.is_some_and(|r| r.contains(key)) {
            out.push(Drift {
                subject: name(release),
                field: format!("revision {rev} sign-off by {handle}"),
                trail: format!("key {} was revoked before this sign-off", key_id(key)),
                table: format!("a signature by key {}", key_id(key)),
            });
        }
    }
    let signoffs: BTreeMap<(i64, u32, String), String> =
        rows.into_iter().map(|(k, role, _)| (k, role)).collect();
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

    // Databases older than migration 0005 (a backup being checked before
    // restore) have no key table yet: the people's keys above are all.
    if has_table(conn, "person_key")? {
        let trail_keys: BTreeMap<(String, String), KeyTrail> = trail
            .keys
            .iter()
            .flat_map(|(h, keys)| {
                keys.iter()
                    .map(|(k, t)| ((h.clone(), k.clone()), t.clone()))
            })
            .collect();
        let table_keys: BTreeMap<(String, String), KeyTrail> = query(
            conn,
            "SELECT p.handle, k.public_key, k.valid_from, k.revoked_from, k.revoked_reason,
                    k.revoked_at, k.revoked_by
             FROM person_key k JOIN person p ON p.id = k.person_id",
            |r| {
                let from: Option<String> = r.get(3)?;
                let revoked = match from {
                    None => None,
                    Some(from) => Some((
                        from,
                        r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    )),
                };
                Ok((
                    (r.get(0)?, r.get(1)?),
                    KeyTrail {
                        valid_from: r.get(2)?,
                        revoked,
                    },
                ))
            },
        )?
        .into_iter()
        .collect();
        compare(
            &mut out,
            &trail_keys,
            &table_keys,
            |(h, k)| (format!("person {h}"), format!("key {}", key_id(k))),
            |k| match &k.revoked {
                None => format!("valid from {}, not revoked", k.valid_from),
                Some((from, reason, at, by)) => format!(
                    "valid from {}, revoked from {from} ({reason}) by {by} at {at}",
                    k.valid_from
                ),
            },
        );
    }

    // Databases older than migration 0008 have no pairings to compare.
    if has_table(conn, "item_alias")? {
        let table: BTreeMap<(i64, String, String, String), ()> = query(
            conn,
            "SELECT COALESCE(l.id, -1), a.template, a.new_key, a.old_key FROM item_alias a
             LEFT JOIN release l ON l.name = a.release",
            |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?), ())),
        )?
        .into_iter()
        .collect();
        let trail: BTreeMap<(i64, String, String, String), ()> =
            trail.aliases.iter().map(|k| (k.clone(), ())).collect();
        compare(
            &mut out,
            &trail,
            &table,
            |(release, template, new, old)| {
                (
                    name(release),
                    format!("{template} item {new} continuing item {old}"),
                )
            },
            |_| "a pairing".to_string(),
        );
    }

    let templates: BTreeMap<String, i64> = query(
        conn,
        "SELECT slug || '@' || version, id FROM template",
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?
    .into_iter()
    .collect();
    let names: BTreeSet<&String> = trail.templates.keys().chain(templates.keys()).collect();
    for t in names {
        match (trail.templates.get(t), templates.get(t)) {
            (Some(Some(recorded)), Some(id)) => {
                let now = super::tree::stored(conn, *id)?;
                if *recorded != now {
                    out.push(Drift {
                        subject: format!("template {t}"),
                        field: "content (title, raw markdown, sections or items)".into(),
                        trail: format!("tree {}", short(recorded.trim_start_matches("sha256:"))),
                        table: format!("tree {}", short(now.trim_start_matches("sha256:"))),
                    });
                }
            }
            (Some(_), Some(_)) => {}
            (a, b) => out.push(Drift {
                subject: format!("template {t}"),
                field: "import".into(),
                trail: if a.is_some() { "imported" } else { "nothing" }.into(),
                table: if b.is_some() { "imported" } else { "nothing" }.into(),
            }),
        }
    }
    Ok(out)
}

fn has_table(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [name],
        |r| r.get(0),
    )?)
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

fn key_id(public_key: &str) -> String {
    minisign::PublicKey::from_base64(public_key)
        .map(|pk| crate::seal::key_id(&pk))
        .unwrap_or_else(|_| short(public_key))
}

fn evidence(list: &[(String, String, Option<String>)]) -> String {
    let shown: Vec<String> = list
        .iter()
        .map(|(target, by, label)| match label {
            Some(l) => format!("'{target}' labelled '{l}' by {by}"),
            None => format!("'{target}' by {by}"),
        })
        .collect();
    format!("[{}]", shown.join(", "))
}
