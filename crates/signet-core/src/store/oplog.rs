//! The operation log (tables `op`, `device`, `batch`, migration 0007): what
//! sync exchanges. Once a database has its own device (its first sync),
//! every local change also records the operation that describes it, in the
//! same transaction as the change.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::{Error, Result};
use crate::sync::op::{Change, Op, VERSION};
use crate::time_fmt;

/// A device as this replica knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: String,
    pub owner: String,
    pub public_key: String,
    /// The owner's signing key that vouched for the device.
    pub owner_key: String,
    pub is_self: bool,
}

/// An operation with the bytes it travels as.
#[derive(Debug, Clone)]
pub struct Held {
    pub op: Op,
    pub bytes: Vec<u8>,
    pub id: String,
}

pub(crate) fn self_device(conn: &Connection) -> Result<Option<Device>> {
    Ok(conn
        .query_row(
            "SELECT id, owner, public_key, owner_key, is_self FROM device WHERE is_self = 1",
            [],
            row_to_device,
        )
        .optional()?)
}

fn row_to_device(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        id: r.get(0)?,
        owner: r.get(1)?,
        public_key: r.get(2)?,
        owner_key: r.get(3)?,
        is_self: r.get(4)?,
    })
}

pub(crate) fn device(conn: &Connection, id: &str) -> Result<Option<Device>> {
    Ok(conn
        .query_row(
            "SELECT id, owner, public_key, owner_key, is_self FROM device WHERE id = ?1",
            [id],
            row_to_device,
        )
        .optional()?)
}

pub(crate) fn devices(conn: &Connection) -> Result<Vec<Device>> {
    let mut stmt = conn.prepare(
        "SELECT id, owner, public_key, owner_key, is_self FROM device ORDER BY is_self DESC, id",
    )?;
    let rows = stmt.query_map([], row_to_device)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn add_device(tx: &Transaction<'_>, d: &Device) -> Result<()> {
    tx.execute(
        "INSERT INTO device (id, owner, public_key, owner_key, is_self, joined_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            d.id,
            d.owner,
            d.public_key,
            d.owner_key,
            d.is_self,
            time_fmt::now()
        ],
    )?;
    Ok(())
}

/// For each device, the last of its operations this replica holds.
pub(crate) fn seen(conn: &Connection) -> Result<BTreeMap<String, u64>> {
    let mut stmt = conn.prepare_cached("SELECT device, MAX(seq) FROM op GROUP BY device")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records the operation for a local change, when this database syncs.
/// Refuses a change in someone else's name: teammates would refuse it, as
/// this device signs only for its owner.
pub(crate) fn record(tx: &Transaction<'_>, actor: &str, change: Change) -> Result<()> {
    record_at(tx, actor, &time_fmt::now(), change)
}

/// [`record`] for a change whose rows say when it happened: the operation
/// must say the same, or replicas would disagree on it.
pub(crate) fn record_at(
    tx: &Transaction<'_>,
    actor: &str,
    at: &str,
    change: Change,
) -> Result<()> {
    let Some(me) = self_device(tx)? else {
        return Ok(());
    };
    if actor != me.owner {
        return Err(Error::Invalid(format!(
            "this database syncs as {owner}'s device: a change in {actor}'s name would be signed by {owner}, \
             and teammates refuse it. {actor} makes it on their own machine (or drop --as)",
            owner = me.owner
        )));
    }
    // A change made here saw every value of the fields it sets: it settles
    // their conflicts.
    if let Change::ItemSet {
        release,
        template,
        key,
        status,
        owner,
        ..
    } = &change
    {
        for (field, set) in [("status", status.is_some()), ("owner", owner.is_some())] {
            if set {
                tx.execute(
                    "DELETE FROM conflict WHERE release = ?1 AND template = ?2 AND item_key = ?3 AND field = ?4",
                    params![release, template, key, field],
                )?;
            }
        }
    }
    record_as(tx, &me, None, at, change).map(|_| ())
}

/// Records an operation of this device; `by` marks carried-over history.
pub(crate) fn record_as(
    tx: &Transaction<'_>,
    me: &Device,
    by: Option<&str>,
    at: &str,
    change: Change,
) -> Result<Op> {
    let seen = seen(tx)?;
    let seq = seen.get(&me.id).copied().unwrap_or(0) + 1;
    let lamport: u64 = tx.query_row("SELECT COALESCE(MAX(lamport), 0) + 1 FROM op", [], |r| {
        r.get(0)
    })?;
    let op = Op {
        at: at.to_string(),
        author: me.owner.clone(),
        change,
        device: me.id.clone(),
        lamport,
        seen,
        seq,
        by: by.map(str::to_string),
        v: VERSION,
    };
    let bytes = op.canonical()?;
    insert(tx, &op, &bytes, None)?;
    Ok(op)
}

/// Stores an operation; `batch` is the published batch it came in.
pub(crate) fn insert(
    tx: &Transaction<'_>,
    op: &Op,
    bytes: &[u8],
    batch: Option<u64>,
) -> Result<()> {
    let (release, template, key) = op.change.target();
    let body = std::str::from_utf8(bytes)
        .map_err(|_| Error::Invalid("operation is not UTF-8".into()))?;
    tx.prepare_cached(
        "INSERT INTO op (id, device, seq, lamport, author, at, kind, release, template, item_key, seen, body, batch)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        Op::id_of(bytes),
        op.device,
        op.seq,
        op.lamport,
        op.author,
        op.at,
        op.change.kind(),
        release,
        template,
        key,
        serde_json::to_string(&op.seen)?,
        body,
        batch
    ])?;
    Ok(())
}

fn held(bytes: String) -> Result<Held> {
    let op = Op::parse(bytes.as_bytes())?;
    Ok(Held {
        id: Op::id_of(bytes.as_bytes()),
        bytes: bytes.into_bytes(),
        op,
    })
}

fn query_ops(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Held>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let bodies = stmt
        .query_map(p, |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    bodies.into_iter().map(held).collect()
}

/// This device's operations not yet in a published batch, in seq order.
pub(crate) fn unpublished(conn: &Connection, device: &str) -> Result<Vec<Held>> {
    query_ops(
        conn,
        "SELECT body FROM op WHERE device = ?1 AND batch IS NULL ORDER BY seq",
        [device],
    )
}

pub(crate) fn mark_published(
    tx: &Transaction<'_>,
    device: &str,
    first: u64,
    last: u64,
    blob: &str,
) -> Result<()> {
    tx.execute(
        "UPDATE op SET batch = ?2 WHERE device = ?1 AND seq BETWEEN ?2 AND ?3 AND batch IS NULL",
        params![device, first, last],
    )?;
    add_batch(tx, device, first, last, blob)
}

pub(crate) fn add_batch(
    tx: &Transaction<'_>,
    device: &str,
    first: u64,
    last: u64,
    blob: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO batch (device, first_seq, last_seq, blob) VALUES (?1, ?2, ?3, ?4)",
        params![device, first, last, blob],
    )?;
    Ok(())
}

/// The batches of a device this replica accepted: first seq → (last seq, blob id).
pub(crate) fn batches(conn: &Connection, device: &str) -> Result<BTreeMap<u64, (u64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT first_seq, last_seq, blob FROM batch WHERE device = ?1 ORDER BY first_seq",
    )?;
    let rows = stmt.query_map([device], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The ids of a device's operations by seq, from `from` on.
pub(crate) fn ids_from(conn: &Connection, device: &str, from: u64) -> Result<Vec<(u64, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, id FROM op WHERE device = ?1 AND seq >= ?2 ORDER BY seq")?;
    let rows = stmt.query_map(params![device, from], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every item operation of one item, in total order.
pub(crate) fn item_ops(
    conn: &Connection,
    release: &str,
    template: &str,
    key: &str,
) -> Result<Vec<Held>> {
    query_ops(
        conn,
        "SELECT body FROM op WHERE release = ?1 AND template = ?2 AND item_key = ?3
         AND kind = 'item_set' ORDER BY lamport, device, seq",
        params![release, template, key],
    )
}

/// The freezes and reopenings of a release, in total order.
pub(crate) fn release_ops(conn: &Connection, release: &str, kinds: &[&str]) -> Result<Vec<Held>> {
    let all = query_ops(
        conn,
        "SELECT body FROM op WHERE release = ?1 AND item_key IS NULL ORDER BY lamport, device, seq",
        [release],
    )?;
    Ok(all
        .into_iter()
        .filter(|h| kinds.contains(&h.op.change.kind()))
        .collect())
}

/// All operations, in total order.
pub(crate) fn all(conn: &Connection) -> Result<Vec<Held>> {
    query_ops(
        conn,
        "SELECT body FROM op ORDER BY lamport, device, seq",
        [],
    )
}

pub(crate) fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM op", [], |r| r.get(0))?)
}

pub(crate) fn has(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM op WHERE id = ?1)", [id], |r| {
        r.get(0)
    })?)
}
