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
    /// The published claim (device.json), signed by the owner's key.
    pub claim: String,
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
            "SELECT id, owner, public_key, owner_key, is_self, claim FROM device WHERE is_self = 1",
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
        claim: r.get(5)?,
    })
}

pub(crate) fn device(conn: &Connection, id: &str) -> Result<Option<Device>> {
    Ok(conn
        .query_row(
            "SELECT id, owner, public_key, owner_key, is_self, claim FROM device WHERE id = ?1",
            [id],
            row_to_device,
        )
        .optional()?)
}

pub(crate) fn add_device(tx: &Transaction<'_>, d: &Device) -> Result<()> {
    tx.execute(
        "INSERT INTO device (id, owner, public_key, owner_key, claim, is_self, joined_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            d.id,
            d.owner,
            d.public_key,
            d.owner_key,
            d.claim,
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

/// [`record`] for a change that is costly to build (an import's whole
/// markdown): built only when this database syncs.
pub(crate) fn record_lazy(
    tx: &Transaction<'_>,
    actor: &str,
    change: impl FnOnce() -> Change,
) -> Result<()> {
    record_with(tx, actor, &time_fmt::now(), change)
}

/// [`record`] for a change whose rows say when it happened: the operation
/// must say the same, or replicas would disagree on it.
pub(crate) fn record_at(tx: &Transaction<'_>, actor: &str, at: &str, change: Change) -> Result<()> {
    record_with(tx, actor, at, || change)
}

fn record_with(
    tx: &Transaction<'_>,
    actor: &str,
    at: &str,
    change: impl FnOnce() -> Change,
) -> Result<()> {
    let Some(me) = self_device(tx)? else {
        // A database that only receives the team's changes would never
        // publish this one, and the next sync's fold would undo it.
        if count(tx)? > 0 {
            return Err(Error::Invalid(
                "this database only receives the team's changes (it has no device of its own): \
                 make changes in your own synced database, then sync both"
                    .into(),
            ));
        }
        return Ok(());
    };
    if actor != me.owner {
        return Err(Error::Invalid(format!(
            "this database syncs as {owner}'s device: a change in {actor}'s name would be signed by {owner}, \
             and teammates refuse it. {actor} makes it on their own machine (or drop --actor / SIGNET_ACTOR)",
            owner = me.owner
        )));
    }
    let change = change();
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
    record_as(tx, &me, at, change).map(|_| ())
}

/// Records an operation of this device.
pub(crate) fn record_as(tx: &Transaction<'_>, me: &Device, at: &str, change: Change) -> Result<Op> {
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
    let body =
        std::str::from_utf8(bytes).map_err(|_| Error::Invalid("operation is not UTF-8".into()))?;
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

/// How many of this device's operations wait for a published batch,
/// without reading them: the app asks on every screen it opens.
pub(crate) fn unpublished_count(conn: &Connection, device: &str) -> Result<usize> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM op WHERE device = ?1 AND batch IS NULL")?
        .query_row([device], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
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

/// Whether `c.k` is the stable key of an item of `release`'s (?1) run of
/// `template` (?2) now: one index look-up per key.
const IS_CURRENT: &str = "EXISTS (SELECT 1 FROM release l JOIN run r ON r.release_id = l.id
     JOIN template t ON t.id = r.template_id JOIN item i ON i.template_id = t.id AND i.key = c.k
     WHERE l.name = ?1 AND t.slug = ?2)";

/// Every item operation of one item, in total order: those recorded under
/// its key, and under every key it continues (`item_alias`: an upgrade
/// paired it with a moved or reworded item, transitively) — except a key
/// that is an item of the run itself again, whose operations are its own.
pub(crate) fn item_ops(
    conn: &Connection,
    release: &str,
    template: &str,
    key: &str,
) -> Result<Vec<Held>> {
    query_ops(
        conn,
        &format!(
            "WITH RECURSIVE continued(k) AS (
                 SELECT ?3
                 UNION SELECT a.old_key FROM item_alias a JOIN continued c ON a.new_key = c.k
                 WHERE a.release = ?1 AND a.template = ?2)
             SELECT body FROM op WHERE release = ?1 AND template = ?2 AND kind = 'item_set'
               AND item_key IN (SELECT k FROM continued c WHERE k = ?3 OR NOT {IS_CURRENT})
             ORDER BY lamport, device, seq"
        ),
        params![release, template, key],
    )
}

/// The items of the run whose fold takes in operations recorded under
/// `key`: the item with that key, or the ones that continue it.
pub(crate) fn current_keys(
    conn: &Connection,
    release: &str,
    template: &str,
    key: &str,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(&format!(
        "WITH RECURSIVE continuing(k) AS (
             SELECT ?3
             UNION SELECT a.new_key FROM item_alias a JOIN continuing c ON a.old_key = c.k
             WHERE a.release = ?1 AND a.template = ?2)
         SELECT k FROM continuing c WHERE {IS_CURRENT} ORDER BY k"
    ))?;
    let rows = stmt.query_map(params![release, template, key], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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

pub(crate) fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM op", [], |r| r.get(0))?)
}

pub(crate) fn has(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM op WHERE id = ?1)",
        [id],
        |r| r.get(0),
    )?)
}

/// One field two people changed concurrently, until someone settles it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Conflict {
    pub release: String,
    pub template: String,
    pub key: String,
    pub number: Option<String>,
    pub field: String,
    pub kept: String,
    pub lost: String,
}

impl std::fmt::Display for Conflict {
    /// `v1/launch:1.2 status: kept done by ana at …; also set: blocked by bo at …`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}:{} {}: kept {}; also set: {}",
            self.release,
            self.template,
            self.number.as_deref().unwrap_or(&self.key),
            self.field,
            self.kept,
            self.lost
        )
    }
}

const LAST_SYNC: &str = "sync_last";
const REMOTE: &str = "sync_remote";

/// The setting naming the last of this device's operations `remote` is
/// known to hold (a push it took, or found already there).
fn pushed_through(remote: &str) -> String {
    format!("sync_pushed_through {remote}")
}

impl super::Store {
    /// This device's operations that no published batch holds yet.
    pub fn unpublished_ops(&self) -> Result<Vec<Held>> {
        match self_device(self.conn())? {
            Some(me) => unpublished(self.conn(), &me.id),
            None => Ok(Vec::new()),
        }
    }

    /// How many operations [`Store::unpublished_ops`] would return.
    pub fn unpublished_count(&self) -> Result<usize> {
        match self_device(self.conn())? {
            Some(me) => unpublished_count(self.conn(), &me.id),
            None => Ok(0),
        }
    }

    /// Notes the last of this device's operations `remote` holds: all it
    /// published when a push delivered its ref (`None`), or those before
    /// `Some(first)` when the push was refused and nothing was noted yet.
    pub fn note_pushed(&mut self, remote: &str, refused_from: Option<u64>) -> Result<()> {
        self.write(|tx| {
            let Some(me) = self_device(tx)? else {
                return Ok(());
            };
            let name = pushed_through(remote);
            let through: Option<i64> = match refused_from {
                None => tx.query_row(
                    "SELECT MAX(last_seq) FROM batch WHERE device = ?1",
                    [&me.id],
                    |r| r.get(0),
                )?,
                // A refused push moves nothing the remote was known to hold.
                Some(_) if super::settings::get(tx, &name)?.is_some() => None,
                Some(first) => i64::try_from(first).ok().map(|f| f - 1),
            };
            match through {
                Some(through) => super::settings::put(tx, &name, Some(&through.to_string())),
                None => Ok(()),
            }
        })
    }

    /// How many of this device's operations the remembered remote does not
    /// hold yet: those in no batch, and those whose batch a push to it has
    /// not delivered (the remote refused it, or only another remote, a USB
    /// stick, was synced since). Before any push was noted, the first only.
    pub fn not_pushed_count(&self) -> Result<usize> {
        match self.sync_settings()?.0 {
            Some(remote) => self.not_pushed_count_to(&remote),
            None => self.unpublished_count(),
        }
    }

    /// [`Store::not_pushed_count`] for `remote`.
    pub fn not_pushed_count_to(&self, remote: &str) -> Result<usize> {
        let Some(me) = self_device(self.conn())? else {
            return Ok(0);
        };
        let through = super::settings::get(self.conn(), &pushed_through(remote))?
            .and_then(|v| v.parse::<i64>().ok());
        let Some(through) = through else {
            return unpublished_count(self.conn(), &me.id);
        };
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM op WHERE device = ?1 AND seq > ?2",
            params![me.id, through],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Notes that this device's operations `first..=last` were published as `blob`.
    pub fn mark_published(&mut self, first: u64, last: u64, blob: &str) -> Result<()> {
        self.write(|tx| {
            let me = self_device(tx)?
                .ok_or_else(|| Error::Invalid("this database does not sync".into()))?;
            mark_published(tx, &me.id, first, last, blob)
        })
    }

    /// The published batches of a device this replica holds.
    pub fn device_batches(&self, device: &str) -> Result<BTreeMap<u64, (u64, String)>> {
        batches(self.conn(), device)
    }

    /// A device this replica knows.
    pub fn known_device(&self, id: &str) -> Result<Option<Device>> {
        device(self.conn(), id)
    }

    pub fn op_count(&self) -> Result<u64> {
        count(self.conn())
    }

    /// Every open conflict, by release and item.
    pub fn conflicts(&self, release: Option<&str>) -> Result<Vec<Conflict>> {
        let mut stmt = self.conn().prepare(
            "SELECT c.release, c.template, c.item_key, c.field, c.kept, c.lost,
                    (SELECT i.number FROM release l JOIN run r ON r.release_id = l.id
                     JOIN template t ON t.id = r.template_id JOIN item i ON i.template_id = t.id
                     WHERE l.name = c.release AND t.slug = c.template AND i.key = c.item_key)
             FROM conflict c WHERE ?1 IS NULL OR c.release = ?1 ORDER BY c.release, c.template, c.item_key, c.field",
        )?;
        let rows = stmt.query_map([release], |r| {
            Ok(Conflict {
                release: r.get(0)?,
                template: r.get(1)?,
                key: r.get(2)?,
                field: r.get(3)?,
                kept: r.get(4)?,
                lost: r.get(5)?,
                number: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The remote sync uses when none is given, and the last sync's summary.
    pub fn sync_settings(&self) -> Result<(Option<String>, Option<String>)> {
        let conn = self.conn();
        Ok((
            super::settings::get(conn, REMOTE)?,
            super::settings::get(conn, LAST_SYNC)?,
        ))
    }

    /// Makes `remote` the one sync uses when none is given.
    pub fn remember_remote(&mut self, remote: &str) -> Result<()> {
        self.write(|tx| super::settings::put(tx, REMOTE, Some(remote)))
    }

    pub fn set_sync_settings(&mut self, remote: &str, last: &str) -> Result<()> {
        self.write(|tx| {
            for (name, value) in [(REMOTE, remote), (LAST_SYNC, last)] {
                super::settings::put(tx, name, Some(value))?;
            }
            Ok(())
        })
    }

    /// The id this database was given when it was created (migration 0003).
    pub fn database_id(&self) -> Result<String> {
        super::anchor::database_id(self.conn())?
            .ok_or_else(|| Error::Invalid("this database has no id".into()))
    }
}

/// The operations about one release, in total order, as audit events, and
/// a digest over their ids: what a synced release's report summarises, the
/// same on every replica that holds the same operations. None when the
/// release has no operations (a database that does not sync).
pub(crate) fn release_trail(
    conn: &Connection,
    release: &str,
) -> Result<Option<(Vec<crate::model::Event>, String)>> {
    use sha2::{Digest, Sha256};
    let mut stmt = conn.prepare_cached(
        "SELECT id, seq, body FROM op WHERE release = ?1 ORDER BY lamport, device, seq",
    )?;
    let rows = stmt
        .query_map([release], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut head = Sha256::new();
    let mut events = Vec::with_capacity(rows.len());
    for (id, seq, body) in rows {
        let op = Op::parse(body.as_bytes())?;
        head.update(id.as_bytes());
        head.update(b"\n");
        events.push(crate::model::Event {
            id: seq,
            at: op.at.clone(),
            actor: op.actor().to_string(),
            action: op.change.kind().replace('_', "."),
            subject: release.to_string(),
            field: None,
            old_value: None,
            new_value: None,
            hash: id,
        });
    }
    Ok(Some((events, crate::hex::encode(&head.finalize()))))
}

/// The fields of one item with an open conflict.
pub(crate) fn conflicted_fields(
    conn: &Connection,
    release: &str,
    template: &str,
    key: &str,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT field FROM conflict WHERE release = ?1 AND template = ?2 AND item_key = ?3",
    )?;
    let rows = stmt.query_map(params![release, template, key], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
