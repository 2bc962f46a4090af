//! Item states: ticking items of a run, and their history.

use rusqlite::{params, Connection, OptionalExtension};

use super::events::{append, row_to_event, NewEvent};
use super::runs::{ensure_writable, item_rows};
use super::{releases, Store};
use crate::error::{Error, Result};
use crate::model::{check_evidence, Event, ItemView, Release, Status, Tick};
use crate::sync::op::Change;
use crate::time_fmt;

/// An item of a release, found by its outline number or key, optionally
/// prefixed with the template (`launch:4.2`) when a release has several runs.
struct Located {
    release: Release,
    run_id: i64,
    item_id: i64,
    subject: String,
}

fn locate(conn: &Connection, release: &str, address: &str) -> Result<Located> {
    let release = releases::resolve(conn, release)?;
    let (slug, addr) = match address.split_once(':') {
        Some((s, a)) => (Some(s), a),
        None => (None, address),
    };
    let addr = addr.trim().trim_end_matches('.');
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, t.slug, i.id, i.number FROM run r
         JOIN template t ON t.id = r.template_id
         JOIN item i ON i.template_id = t.id
         WHERE r.release_id = ?1 AND (i.number = ?2 OR i.key = ?2) AND (?3 IS NULL OR t.slug = ?3)
         ORDER BY r.position",
    )?;
    let found = stmt
        .query_map(params![release.id, addr, slug], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    match found.as_slice() {
        [] => Err(Error::NotFound {
            what: "item",
            name: format!("{address} in release {}", release.name),
        }),
        [(run_id, slug, item_id, number)] => Ok(Located {
            subject: format!("{}/{}:{}", release.name, slug, number),
            release,
            run_id: *run_id,
            item_id: *item_id,
        }),
        many => Err(Error::AmbiguousItem {
            address: address.to_string(),
            candidates: many
                .iter()
                .map(|(_, s, _, n)| format!("{s}:{n}"))
                .collect::<Vec<_>>()
                .join(", "),
            example: format!("{}:{}", many[0].1, many[0].3),
        }),
    }
}

fn load_item(conn: &Connection, run_id: i64, item_id: i64) -> Result<ItemView> {
    item_rows(conn, run_id, Some(item_id), None)?
        .pop()
        .map(|(item, _, _)| item)
        .ok_or(Error::NotFound {
            what: "item state",
            name: item_id.to_string(),
        })
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl Store {
    /// Applies a tick: status, owner, reason, a note, evidence — all in one
    /// transaction with one audit event per changed field.
    pub fn tick(
        &mut self,
        release: &str,
        address: &str,
        tick: &Tick,
        actor: &str,
    ) -> Result<ItemView> {
        let evidence = tick
            .evidence
            .iter()
            .map(|e| check_evidence(e))
            .collect::<Result<Vec<_>>>()?;
        self.write(|tx| {
            let at = locate(tx, release, address)?;
            ensure_writable(&at.release)?;
            let (status, owner, reason): (String, Option<String>, Option<String>) = tx
                .query_row(
                    "SELECT status, owner, reason FROM item_state WHERE run_id = ?1 AND item_id = ?2",
                    params![at.run_id, at.item_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or_else(|| Error::NotFound {
                    what: "item state",
                    name: at.subject.clone(),
                })?;
            let old_status: Status = status.parse()?;
            let new_status = tick.status.unwrap_or(old_status);
            let given_reason = non_empty(&tick.reason);
            let new_reason = if new_status.needs_reason() {
                let r = given_reason.or(if new_status == old_status { reason.clone() } else { None });
                Some(r.ok_or_else(|| {
                    Error::Invalid(format!("marking {} as {} needs a reason (--reason \"…\")", at.subject, new_status))
                })?)
            } else if given_reason.is_some() {
                return Err(Error::Invalid(format!(
                    "a reason goes with n/a or blocked, not with {new_status}"
                )));
            } else {
                None
            };
            let new_owner = match &tick.owner {
                Some(o) => non_empty(&Some(o.clone())),
                None => owner.clone(),
            };
            let note = non_empty(&tick.note);
            let mut changes: Vec<(&str, Option<String>, Option<String>)> = Vec::new();
            if new_status != old_status {
                changes.push(("status", Some(old_status.as_str().into()), Some(new_status.as_str().into())));
            }
            if new_reason != reason {
                changes.push(("reason", reason.clone(), new_reason.clone()));
            }
            if new_owner != owner {
                changes.push(("owner", owner.clone(), new_owner.clone()));
            }
            if let Some(n) = &note {
                changes.push(("note", None, Some(n.clone())));
            }
            for e in &evidence {
                changes.push(("evidence", None, Some(e.clone())));
            }
            let (template, key): (String, String) = tx.query_row(
                "SELECT t.slug, i.key FROM item i JOIN template t ON t.id = i.template_id WHERE i.id = ?1",
                [at.item_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            // Confirming the value sync kept settles a conflict: a change in
            // its own right, though the value stays.
            let conflicted = super::oplog::conflicted_fields(tx, &at.release.name, &template, &key)?;
            if tick.status == Some(old_status) && conflicted.iter().any(|f| f == "status") {
                changes.push(("status", Some(old_status.as_str().into()), Some(new_status.as_str().into())));
            }
            if tick.owner.is_some() && new_owner == owner && conflicted.iter().any(|f| f == "owner") {
                changes.push(("owner", owner.clone(), new_owner.clone()));
            }
            if changes.is_empty() {
                return Err(Error::Invalid(format!(
                    "nothing to change for {}: give a status, --owner, --evidence, --note or --reason",
                    at.subject
                )));
            }
            let now = time_fmt::now();
            tx.execute(
                "UPDATE item_state SET status = ?3, owner = ?4, reason = ?5,
                        notes = CASE WHEN ?6 IS NULL THEN notes
                                     WHEN notes = '' THEN ?6 ELSE notes || char(10) || ?6 END,
                        updated_at = ?7, updated_by = ?8
                 WHERE run_id = ?1 AND item_id = ?2",
                params![at.run_id, at.item_id, new_status.as_str(), new_owner, new_reason, note, now, actor],
            )?;
            for e in &evidence {
                tx.execute(
                    "INSERT INTO evidence (run_id, item_id, target, added_at, added_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![at.run_id, at.item_id, e, now, actor],
                )?;
            }
            for (field, old, new) in &changes {
                append(
                    tx,
                    NewEvent {
                        actor,
                        action: if *field == "status" { "item.status" } else { "item.update" },
                        subject: &at.subject,
                        release_id: Some(at.release.id),
                        run_id: Some(at.run_id),
                        item_id: Some(at.item_id),
                        field: Some(field),
                        old: old.as_deref(),
                        new: new.as_deref(),
                    },
                )?;
            }
            let set = |field: &str| {
                changes
                    .iter()
                    .find(|c| c.0 == field)
                    .map(|c| c.2.clone().unwrap_or_default())
            };
            super::oplog::record_at(
                tx,
                actor,
                &now,
                Change::ItemSet {
                    evidence: evidence.clone(),
                    key,
                    note: note.clone(),
                    owner: set("owner"),
                    // Status and reason are one value to the fold: a
                    // status set carries the reason it stands with.
                    reason: if set("status").is_some() {
                        Some(new_reason.clone().unwrap_or_default())
                    } else {
                        set("reason")
                    },
                    release: at.release.name.clone(),
                    status: set("status"),
                    template,
                },
            )?;
            load_item(tx, at.run_id, at.item_id)
        })
    }

    /// One item of a release with its state and evidence (sub-items omitted).
    pub fn item(&self, release: &str, address: &str) -> Result<ItemView> {
        let at = locate(self.conn(), release, address)?;
        load_item(self.conn(), at.run_id, at.item_id)
    }

    /// Every audit event about one item, oldest first — including those
    /// recorded against the same item in earlier template versions of the
    /// run, which `run upgrade` carried over: by stable key, or to a moved
    /// or reworded item (`item_alias`, followed back through every upgrade).
    pub fn history(&self, release: &str, address: &str) -> Result<Vec<Event>> {
        let at = locate(self.conn(), release, address)?;
        let mut stmt = self.conn().prepare(
            "WITH RECURSIVE here(release, slug, key) AS (
                 SELECT ?3, t.slug, n.key FROM item n JOIN template t ON t.id = n.template_id
                 WHERE n.id = ?2),
             keys(key) AS (
                 SELECT key FROM here
                 UNION SELECT a.old_key FROM item_alias a JOIN keys k ON a.new_key = k.key
                 JOIN here h ON a.release = h.release AND a.template = h.slug)
             SELECT id, at, actor, action, subject, field, old_value, new_value, hash FROM event
             WHERE run_id = ?1 AND item_id IN (
                 SELECT o.id FROM here h JOIN template ot ON ot.slug = h.slug
                 JOIN item o ON o.template_id = ot.id WHERE o.key IN (SELECT key FROM keys))
             ORDER BY id",
        )?;
        let rows = stmt.query_map(
            params![at.run_id, at.item_id, at.release.name],
            row_to_event,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every audit event of a release, oldest first.
    pub fn release_events(&self, release: &str) -> Result<Vec<Event>> {
        let r = releases::resolve(self.conn(), release)?;
        release_events(self.conn(), r.id)
    }
}

pub(crate) fn release_events(conn: &Connection, release_id: i64) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, subject, field, old_value, new_value, hash FROM event
         WHERE release_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([release_id], row_to_event)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
