//! A database's first sync: it gets its own device, and what it held
//! before becomes that device's first operations (docs/SYNC.md,
//! "Migration"). Each carries who the database recorded (`by`), vouched
//! for by the device's owner.

use rusqlite::{params, Transaction};

use super::oplog::{self, Device};
use super::{runs, Store};
use crate::error::{Error, Result};
use crate::sync::op::Change;

impl Store {
    /// Makes `device` this database's own and carries over what the
    /// database holds. Returns how many operations that took; a database
    /// that already has its device keeps it.
    pub fn join_sync(&mut self, device: &Device) -> Result<usize> {
        self.write(|tx| {
            if let Some(me) = oplog::self_device(tx)? {
                return Err(Error::AlreadyExists {
                    what: "sync device",
                    name: format!("{} ({})", me.id, me.owner),
                });
            }
            if oplog::count(tx)? > 0 {
                return Err(Error::Invalid(
                    "this database has received the team's changes without a device of its own; \
                     to publish yours, sync a fresh database: signet --db NEW.db sync REMOTE --as YOU"
                        .into(),
                ));
            }
            let known: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM person WHERE handle = ?1)",
                [&device.owner],
                |r| r.get(0),
            )?;
            if !known {
                return Err(Error::NotFound {
                    what: "person",
                    name: device.owner.clone(),
                });
            }
            oplog::add_device(tx, device)?;
            let n = snapshot(tx, device)?;
            // The tables now say what the operations say (who changed each
            // item is the owner from here on), as on every other replica.
            super::merge::refold_all(tx)?;
            Ok(n)
        })
    }

    /// This database's own device, once it syncs.
    pub fn sync_device(&self) -> Result<Option<Device>> {
        oplog::self_device(self.conn())
    }
}

type Rows<T> = Vec<T>;

fn rows<T>(
    tx: &Transaction<'_>,
    sql: &str,
    p: impl rusqlite::Params,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Rows<T>> {
    let mut stmt = tx.prepare(sql)?;
    let out = stmt.query_map(p, f)?.collect::<rusqlite::Result<_>>()?;
    Ok(out)
}

fn snapshot(tx: &Transaction<'_>, me: &Device) -> Result<usize> {
    let mut n = 0;
    // Carried over in the owner's name: a device vouches only for its
    // owner, so who the database recorded stays in the local audit trail.
    let mut put = |at: &str, change: Change| -> Result<()> {
        oplog::record_as(tx, me, at, change)?;
        n += 1;
        Ok(())
    };
    for (handle, name, email, created_at) in rows(
        tx,
        "SELECT handle, name, email, created_at FROM person ORDER BY id",
        [],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get::<_, String>(3)?,
            ))
        },
    )? {
        put(
            &created_at,
            Change::PersonAdd {
                email,
                handle,
                name,
            },
        )?;
    }
    for (handle, key, at) in rows(
        tx,
        "SELECT p.handle, k.public_key, k.valid_from FROM person_key k JOIN person p ON p.id = k.person_id
         ORDER BY k.id",
        [],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
    )? {
        put(
            &at,
            Change::PersonKey {
                handle,
                public_key: key,
            },
        )?;
    }
    for (key, from, reason, at) in rows(
        tx,
        "SELECT DISTINCT public_key, revoked_from, revoked_reason, revoked_at FROM person_key
         WHERE revoked_from IS NOT NULL ORDER BY revoked_at",
        [],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
            ))
        },
    )? {
        put(
            &at,
            Change::KeyRevoke {
                from,
                public_key: key,
                reason: reason.unwrap_or_default(),
            },
        )?;
    }
    for (source, hash, markdown, at) in rows(
        tx,
        "SELECT source_name, content_hash, raw_markdown, imported_at FROM template ORDER BY id",
        [],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        },
    )? {
        put(
            &at,
            Change::TemplateImport {
                content_hash: hash,
                markdown,
                source,
            },
        )?;
    }
    for (release_id, name, due, at) in rows(
        tx,
        "SELECT id, name, due_date, created_at FROM release ORDER BY id",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get::<_, String>(3)?,
            ))
        },
    )? {
        put(
            &at,
            Change::ReleaseCreate {
                due,
                name: name.clone(),
            },
        )?;
        snapshot_release(tx, release_id, &name, &mut put)?;
    }
    Ok(n)
}

fn snapshot_release(
    tx: &Transaction<'_>,
    release_id: i64,
    release: &str,
    put: &mut impl FnMut(&str, Change) -> Result<()>,
) -> Result<()> {
    for (run_id, slug, hash, fresh, at) in rows(
        tx,
        "SELECT r.id, t.slug, t.content_hash, r.fresh, r.created_at FROM run r
         JOIN template t ON t.id = r.template_id WHERE r.release_id = ?1 ORDER BY r.position",
        [release_id],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, String>(4)?,
            ))
        },
    )? {
        put(
            &at,
            Change::RunAdd {
                content_hash: hash,
                fresh,
                release: release.to_string(),
                template: slug.clone(),
            },
        )?;
        let source = runs::source_actor(
            &tx.query_row(
                "SELECT t.source_name FROM run r JOIN template t ON t.id = r.template_id WHERE r.id = ?1",
                [run_id],
                |r| r.get::<_, String>(0),
            )?,
        );
        for (item_id, key, status, owner, reason, notes, updated_at, updated_by) in rows(
            tx,
            "SELECT i.id, i.key, s.status, s.owner, s.reason, s.notes, s.updated_at, s.updated_by
             FROM item_state s JOIN item i ON i.id = s.item_id WHERE s.run_id = ?1 ORDER BY i.position",
            [run_id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                ))
            },
        )? {
            let item_set = |status, owner, reason, note, evidence| Change::ItemSet {
                evidence,
                key: key.clone(),
                note,
                owner,
                reason,
                release: release.to_string(),
                status,
                template: slug.clone(),
            };
            for (target, at) in rows(
                tx,
                "SELECT target, added_at FROM evidence WHERE run_id = ?1 AND item_id = ?2
                 AND added_by != ?3 ORDER BY added_at, id",
                params![run_id, item_id, source],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )? {
                put(&at, item_set(None, None, None, None, vec![target]))?;
            }
            let start = runs::start_state(tx, run_id, item_id)?;
            let status_changed = status != start.status || reason != start.reason;
            let owner_changed = owner != start.owner;
            if status_changed || owner_changed || !notes.is_empty() || updated_by != start.by {
                put(
                    &updated_at,
                    item_set(
                        status_changed.then(|| status.clone()),
                        owner_changed.then(|| owner.clone().unwrap_or_default()),
                        status_changed.then(|| reason.clone().unwrap_or_default()),
                        (!notes.is_empty()).then(|| notes.clone()),
                        Vec::new(),
                    ),
                )?;
            }
        }
    }
    // Sign-offs in the order they were made, each revision after the
    // reopening that preceded it.
    let revisions = rows(
        tx,
        "SELECT id, revision, payload, digest, frozen_at, frozen_by, override_reason FROM report_revision
         WHERE release_id = ?1 ORDER BY revision",
        [release_id],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        },
    )?;
    let reopens = rows(
        tx,
        "SELECT at, new_value FROM event WHERE action = 'release.reopen' AND release_id = ?1 ORDER BY id",
        [release_id],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
    )?;
    for (i, (rev_id, revision, payload, digest, at, frozen_by, override_reason)) in
        revisions.into_iter().enumerate()
    {
        put(
            &at,
            Change::Freeze {
                digest: digest.clone(),
                frozen_by,
                override_reason,
                payload,
                release: release.to_string(),
                revision,
            },
        )?;
        for sig in super::signoffs::signatures(tx, rev_id)? {
            put(
                &sig.signed_at.clone(),
                Change::Sign {
                    digest: digest.clone(),
                    handle: sig.handle,
                    key_id: sig.key_id,
                    minisig: sig.minisig,
                    name: sig.name,
                    public_key: sig.public_key,
                    release: release.to_string(),
                    revision,
                    role: sig.role,
                    signed_at: sig.signed_at,
                },
            )?;
        }
        if let Some((at, new)) = reopens.get(i) {
            let reason = new
                .as_deref()
                .and_then(|n| n.strip_prefix("reopened: "))
                .unwrap_or("reopened")
                .to_string();
            put(
                at,
                Change::Reopen {
                    reason,
                    release: release.to_string(),
                },
            )?;
        }
    }
    Ok(())
}
