//! The audit log: append-only rows chained by SHA-256 so an edit to any past
//! row (even straight in SQLite, with the triggers dropped) is detected.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Store;
use crate::error::{Error, Result};
use crate::model::Event;
use crate::time_fmt;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, to what: the fields an event row records.
#[derive(Default)]
pub(crate) struct NewEvent<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub release_id: Option<i64>,
    pub run_id: Option<i64>,
    pub item_id: Option<i64>,
    pub field: Option<&'a str>,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
}

#[allow(clippy::too_many_arguments)]
fn chain_hash(
    prev: &str,
    at: &str,
    actor: &str,
    action: &str,
    subject: &str,
    ids: [Option<i64>; 3],
    field: Option<&str>,
    old: Option<&str>,
    new: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    let ids = ids.map(|i| i.map(|v| v.to_string()));
    let parts: [Option<&str>; 10] = [
        Some(prev),
        Some(at),
        Some(actor),
        Some(action),
        Some(subject),
        ids[0].as_deref(),
        ids[1].as_deref(),
        ids[2].as_deref(),
        field,
        old,
    ];
    for p in parts.iter().chain(std::iter::once(&new)) {
        // A length prefix keeps ("ab","c") and ("a","bc") apart; None ≠ "".
        match p {
            Some(s) => {
                h.update((s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(u64::MAX.to_le_bytes()),
        }
    }
    crate::hex::encode(&h.finalize())
}

/// Appends one event; returns the time it records, for rows that must say
/// the same (a key's `valid_from`).
pub(crate) fn append(tx: &Transaction<'_>, e: NewEvent<'_>) -> Result<String> {
    let prev: String = tx
        .query_row("SELECT hash FROM event ORDER BY id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string());
    let at = time_fmt::now();
    let hash = chain_hash(
        &prev,
        &at,
        e.actor,
        e.action,
        e.subject,
        [e.release_id, e.run_id, e.item_id],
        e.field,
        e.old,
        e.new,
    );
    tx.prepare_cached(
        "INSERT INTO event (at, actor, action, release_id, run_id, item_id, subject, field,
                            old_value, new_value, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        at,
        e.actor,
        e.action,
        e.release_id,
        e.run_id,
        e.item_id,
        e.subject,
        e.field,
        e.old,
        e.new,
        prev,
        hash
    ])?;
    Ok(at)
}

pub(crate) fn row_to_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        id: r.get("id")?,
        at: r.get("at")?,
        actor: r.get("actor")?,
        action: r.get("action")?,
        subject: r.get("subject")?,
        field: r.get("field")?,
        old_value: r.get("old_value")?,
        new_value: r.get("new_value")?,
        hash: r.get("hash")?,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub events: usize,
    pub head: String,
}

pub(crate) fn verify(conn: &Connection) -> Result<AuditReport> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, release_id, run_id, item_id, subject, field,
                old_value, new_value, prev_hash, hash FROM event ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut count = 0;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let stored_prev: String = r.get(11)?;
        let stored: String = r.get(12)?;
        if stored_prev != prev {
            return Err(Error::AuditChain {
                event_id: id,
                problem: "its link to the previous event does not match (an event before it was removed or altered)"
                    .into(),
            });
        }
        let get = |i: usize| r.get::<_, Option<String>>(i);
        let expected = chain_hash(
            &prev,
            &r.get::<_, String>(1)?,
            &r.get::<_, String>(2)?,
            &r.get::<_, String>(3)?,
            &r.get::<_, String>(7)?,
            [r.get(4)?, r.get(5)?, r.get(6)?],
            get(8)?.as_deref(),
            get(9)?.as_deref(),
            get(10)?.as_deref(),
        );
        if expected != stored {
            return Err(Error::AuditChain {
                event_id: id,
                problem: "its content does not match its hash (the row was edited)".into(),
            });
        }
        prev = stored;
        count += 1;
    }
    Ok(AuditReport {
        events: count,
        head: prev,
    })
}

/// Hash of the newest event (the chain's head), unverified.
pub(crate) fn head(conn: &Connection) -> Result<String> {
    Ok(conn
        .query_row("SELECT hash FROM event ORDER BY id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string()))
}

impl Store {
    /// Re-computes the whole hash chain; names the first event that fails.
    pub fn verify_audit(&self) -> Result<AuditReport> {
        verify(self.conn())
    }
}
