//! Every signing key each person has had (`person_key`): recorded when a
//! key is registered, revoked with `signet key revoke`. Deciding what a
//! revocation means for a signature is `revocation::standing`'s job.

use rusqlite::{params, Connection, Transaction};

use super::events::{append, NewEvent};
use super::Store;
use crate::error::{Error, Result};
use crate::revocation::{KeyRecord, Revocation};

/// The `key.revoke` event's new value: `from <time>: <reason>`.
pub(crate) fn revoke_event_value(from: &str, reason: &str) -> String {
    format!("from {from}: {reason}")
}

/// Reads a `key.revoke` event's new value back: (from, reason).
pub(crate) fn parse_revoke_event_value(v: &str) -> Option<(&str, &str)> {
    v.strip_prefix("from ")?.split_once(": ")
}

pub(crate) fn key_id(public_key: &str) -> String {
    minisign::PublicKey::from_base64(public_key)
        .map(|pk| crate::seal::key_id(&pk))
        .unwrap_or_else(|_| public_key.chars().take(16).collect())
}

/// Records that `public_key` became one of `person_id`'s keys at `at` (the
/// time of its `person.key` event). A key registered before keeps its date.
pub(crate) fn record(
    tx: &Transaction<'_>,
    person_id: i64,
    public_key: &str,
    at: &str,
) -> Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO person_key (person_id, public_key, valid_from) VALUES (?1, ?2, ?3)",
        params![person_id, public_key, at],
    )?;
    Ok(())
}

/// Whoever holds `public_key` besides `person_id`, and its revocation if
/// it was revoked for anyone.
pub(crate) fn holders(
    conn: &Connection,
    public_key: &str,
) -> Result<Vec<(i64, String, Option<Revocation>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT k.person_id, p.handle, k.revoked_from, k.revoked_reason, k.revoked_at, k.revoked_by
         FROM person_key k JOIN person p ON p.id = k.person_id WHERE k.public_key = ?1 ORDER BY k.id",
    )?;
    let rows = stmt.query_map([public_key], |r| {
        Ok((r.get(0)?, r.get(1)?, revocation(r, 2)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn revocation(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Option<Revocation>> {
    let from: Option<String> = r.get(at)?;
    Ok(match from {
        None => None,
        Some(from) => Some(Revocation {
            from,
            reason: r.get::<_, Option<String>>(at + 1)?.unwrap_or_default(),
            recorded_at: r.get::<_, Option<String>>(at + 2)?.unwrap_or_default(),
            by: r.get::<_, Option<String>>(at + 3)?.unwrap_or_default(),
        }),
    })
}

/// Key records, each person's in the order registered (row order). A key is replaced
/// when the next one of the same person was registered, unless it is the
/// one they sign with now.
fn records(conn: &Connection, person_id: Option<i64>) -> Result<Vec<KeyRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.handle, k.public_key, k.valid_from, p.public_key,
                k.revoked_from, k.revoked_reason, k.revoked_at, k.revoked_by
         FROM person_key k JOIN person p ON p.id = k.person_id
         WHERE ?1 IS NULL OR k.person_id = ?1
         ORDER BY p.handle, k.id",
    )?;
    let rows = stmt
        .query_map([person_id], |r| {
            let public_key: String = r.get(1)?;
            let current: Option<String> = r.get(3)?;
            Ok((
                KeyRecord {
                    handle: r.get(0)?,
                    key_id: key_id(&public_key),
                    valid_from: r.get(2)?,
                    replaced_at: None,
                    revocation: revocation(r, 4)?,
                    public_key: public_key.clone(),
                },
                current.as_deref() == Some(public_key.as_str()),
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out: Vec<KeyRecord> = Vec::with_capacity(rows.len());
    for (i, (mut k, current)) in rows.iter().cloned().enumerate() {
        if !current {
            k.replaced_at = rows
                .get(i + 1)
                .filter(|(next, _)| next.handle == k.handle)
                .map(|(next, _)| next.valid_from.clone());
        }
        out.push(k);
    }
    Ok(out)
}

impl Store {
    /// Every key of every person, revoked or not.
    pub fn key_records(&self) -> Result<Vec<KeyRecord>> {
        records(self.conn(), None)
    }

    /// One person's keys, oldest first.
    pub fn person_keys(&self, who: &str) -> Result<Vec<KeyRecord>> {
        let p = super::people::resolve(self.conn(), who)?;
        records(self.conn(), Some(p.id))
    }

    /// Marks a key compromised from `from` (see `revocation::parse_from`;
    /// None: now, as the revocation is recorded): signatures dated
    /// after it are invalid. `key` is a key id as
    /// `person show` lists it, or the public key itself when two keys share
    /// an id (a key id is chosen by whoever makes the key). One `key.revoke`
    /// event per person who holds it.
    pub fn revoke_key(
        &mut self,
        key: &str,
        from: Option<&str>,
        reason: &str,
        actor: &str,
    ) -> Result<Vec<KeyRecord>> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid(
                "a revocation needs a reason, e.g. --reason \"laptop stolen\"".into(),
            ));
        }
        if reason.chars().any(char::is_control) {
            return Err(Error::Invalid("reason contains control characters".into()));
        }
        let from = match from {
            Some(f) => crate::revocation::parse_from(f)?,
            None => crate::time_fmt::now(),
        };
        let wanted = key.trim();
        self.write(|tx| {
            let all = records(tx, None)?;
            let mut keys: Vec<&str> = all
                .iter()
                .filter(|k| k.public_key == wanted || k.key_id.eq_ignore_ascii_case(wanted))
                .map(|k| k.public_key.as_str())
                .collect();
            keys.sort_unstable();
            keys.dedup();
            let public_key = match keys.as_slice() {
                [] => {
                    return Err(Error::NotFound {
                        what: "signing key",
                        name: format!("{wanted} (`signet person show NAME` lists a person's key ids)"),
                    })
                }
                [one] => one.to_string(),
                several => {
                    return Err(Error::Invalid(format!(
                        "{} different keys have the id {wanted}; give the public key to revoke instead ({})",
                        several.len(),
                        several.join(", ")
                    )))
                }
            };
            revoke_in(tx, &public_key, (&from, reason), actor)?;
            super::oplog::record(
                tx,
                actor,
                crate::sync::op::Change::KeyRevoke {
                    from: from.clone(),
                    public_key: public_key.clone(),
                    reason: reason.to_string(),
                },
            )?;
            Ok(records(tx, None)?
                .into_iter()
                .filter(|k| k.public_key == public_key)
                .collect())
        })
    }
}

/// Revokes a registered key from `from` in `tx` (see [`Store::revoke_key`]).
pub(crate) fn revoke_in(
    tx: &Transaction<'_>,
    public_key: &str,
    (from, reason): (&str, &str),
    actor: &str,
) -> Result<()> {
    let holders = holders(tx, public_key)?;
    if let Some((_, _, Some(r))) = holders.iter().find(|h| h.2.is_some()) {
        return Err(Error::Invalid(format!(
            "key {} is already {r}",
            key_id(public_key)
        )));
    }
    if holders.is_empty() {
        return Err(Error::NotFound {
            what: "signing key",
            name: key_id(public_key),
        });
    }
    for (person_id, handle, _) in &holders {
        let at = append(
            tx,
            NewEvent {
                actor,
                action: "key.revoke",
                subject: handle,
                field: Some("revoked_from"),
                old: Some(public_key),
                new: Some(&revoke_event_value(from, reason)),
                ..Default::default()
            },
        )?;
        tx.execute(
            "UPDATE person_key SET revoked_from = ?1, revoked_reason = ?2, revoked_at = ?3,
                            revoked_by = ?4
                     WHERE person_id = ?5 AND public_key = ?6",
            params![from, reason, at, actor, person_id, public_key],
        )?;
    }
    Ok(())
}
