//! People: owners and approvers, with their public signing keys.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::events::{append, NewEvent};
use super::Store;
use crate::error::{Error, Result};
use crate::model::Person;
use crate::owners::Owners;
use crate::sync::op::Change;
use crate::time_fmt;

fn row_to_person(r: &rusqlite::Row<'_>) -> rusqlite::Result<Person> {
    let public_key: Option<String> = r.get(4)?;
    let key_id = public_key.as_deref().and_then(|k| {
        minisign::PublicKey::from_base64(k)
            .ok()
            .map(|pk| crate::seal::key_id(&pk))
    });
    Ok(Person {
        id: r.get(0)?,
        handle: r.get(1)?,
        name: r.get(2)?,
        email: r.get(3)?,
        public_key,
        key_id,
        created_at: r.get(5)?,
    })
}

const COLUMNS: &str = "SELECT id, handle, name, email, public_key, created_at FROM person";

/// Every registered person, by handle.
pub(crate) fn all(conn: &Connection) -> Result<Vec<Person>> {
    let mut stmt = conn.prepare_cached(&format!("{COLUMNS} ORDER BY handle"))?;
    let rows = stmt.query_map([], row_to_person)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Finds a person by handle, e-mail or full name (case-insensitive).
pub(crate) fn resolve(conn: &Connection, who: &str) -> Result<Person> {
    let who = who.trim();
    let mut stmt = conn.prepare_cached(&format!(
        "{COLUMNS} WHERE handle = ?1 COLLATE NOCASE OR email = ?1 COLLATE NOCASE
                  OR name = ?1 COLLATE NOCASE ORDER BY handle != ?1, id"
    ))?;
    stmt.query_row([who], row_to_person)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "person",
            name: format!("{who} (add them with `signet person add \"Full Name\"`)"),
        })
}

/// The one rule for registering a signing key: a person's registered key
/// is replaced only when asked (`replace`), or whoever runs
/// `key init --as ana` on another machine would silently become Ana.
/// `new` is the key to register (None: one not made yet). Ok(false): it
/// already is the registered key, so there is nothing to do.
pub(crate) fn may_register_key(person: &Person, new: Option<&str>, replace: bool) -> Result<bool> {
    let Some(old) = person.public_key.as_deref() else {
        return Ok(true);
    };
    if new == Some(old) {
        return Ok(false);
    }
    if replace {
        return Ok(true);
    }
    let h = &person.handle;
    let old_id = person.key_id.as_deref().unwrap_or("(unreadable)");
    let here = match new.and_then(|k| minisign::PublicKey::from_base64(k).ok()) {
        Some(pk) => format!(
            "the key on this machine is a different one ({})",
            crate::seal::key_id(&pk)
        ),
        None => "this machine does not hold it".to_string(),
    };
    Err(Error::Invalid(format!(
        "{h} already has a registered signing key {old_id}, and {here}: signatures made with \
         it stay valid only with that key; to register a new key for {h} anyway, run \
         `signet key init --as {h} --force`"
    )))
}

/// A handle from a name: the first word, lower-case ASCII.
fn handle_from(name: &str) -> String {
    let first = name.split_whitespace().next().unwrap_or("");
    let slug = crate::import::key::slug(first);
    if slug == "checklist" {
        "person".to_string()
    } else {
        slug
    }
}

fn check_text(what: &str, s: &str) -> Result<()> {
    if s.trim().is_empty() {
        return Err(Error::Invalid(format!("{what} is empty")));
    }
    if s.chars().any(char::is_control) {
        return Err(Error::Invalid(format!(
            "{what} contains control characters"
        )));
    }
    Ok(())
}

impl Store {
    pub fn add_person(
        &mut self,
        name: &str,
        email: Option<&str>,
        handle: Option<&str>,
        actor: &str,
    ) -> Result<Person> {
        let name = name.trim();
        check_text("name", name)?;
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        if let Some(e) = email {
            check_text("e-mail", e)?;
            if !e.contains('@') {
                return Err(Error::Invalid(format!("e-mail '{e}' has no @")));
            }
        }
        let handle = match handle {
            Some(h) => {
                let h = h.trim().to_ascii_lowercase();
                if h.is_empty()
                    || !h
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
                {
                    return Err(Error::Invalid(format!(
                        "handle '{h}' may hold only letters, digits, '-', '_' and '.'"
                    )));
                }
                h
            }
            None => handle_from(name),
        };
        self.write(|tx| {
            let p = add_person_in(tx, name, email, &handle, (actor, &time_fmt::now()))?;
            super::oplog::record(
                tx,
                actor,
                Change::PersonAdd {
                    email: p.email.clone(),
                    handle: p.handle.clone(),
                    name: p.name.clone(),
                },
            )?;
            Ok(p)
        })
    }

    pub fn people(&self) -> Result<Vec<Person>> {
        all(self.conn())
    }

    pub fn person(&self, who: &str) -> Result<Person> {
        resolve(self.conn(), who)
    }

    /// Other people with `p`'s name (case-insensitive): allowed, but a
    /// report shows them alike, so front ends warn when one is added.
    pub fn namesakes(&self, p: &Person) -> Result<Vec<Person>> {
        let mut stmt = self.conn().prepare(&format!(
            "{COLUMNS} WHERE name = ?1 COLLATE NOCASE AND id != ?2 ORDER BY handle"
        ))?;
        let rows = stmt.query_map(params![p.name, p.id], row_to_person)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every registered person, for matching item owners.
    pub fn owners(&self) -> Result<Owners> {
        Ok(Owners::new(self.people()?))
    }

    /// Registers a person's public key (base64 minisign key). Refused when
    /// another key is registered for them (see [`may_register_key`]); the
    /// key already registered changes nothing.
    pub fn set_public_key(&mut self, who: &str, public_key: &str, actor: &str) -> Result<Person> {
        self.register_key(who, public_key, actor, false)
    }

    /// Registers a person's public key even over another registered key:
    /// signatures made with the old key stay valid only with that key.
    pub fn replace_public_key(
        &mut self,
        who: &str,
        public_key: &str,
        actor: &str,
    ) -> Result<Person> {
        self.register_key(who, public_key, actor, true)
    }

    fn register_key(
        &mut self,
        who: &str,
        public_key: &str,
        actor: &str,
        replace: bool,
    ) -> Result<Person> {
        let key = crate::seal::parse_public_key(public_key)?;
        // Read before the write so an unchanged key touches nothing.
        let p = resolve(self.conn(), who)?;
        if !may_register_key(&p, Some(&key), replace)? {
            return Ok(p);
        }
        self.write(|tx| {
            let p = register_key_in(tx, who, &key, actor, replace)?;
            super::oplog::record(
                tx,
                actor,
                Change::PersonKey {
                    handle: p.handle.clone(),
                    public_key: key.clone(),
                },
            )?;
            Ok(p)
        })
    }
}

/// A revoked key is never registered again, and one key signs for one
/// person: registering Bo's key for Ana would let Bo sign as Ana.
fn may_hold_key(conn: &Connection, p: &Person, key: &str) -> Result<()> {
    let holders = super::keys::holders(conn, key)?;
    let id = super::keys::key_id(key);
    if let Some(r) = holders.iter().find_map(|h| h.2.as_ref()) {
        return Err(Error::Invalid(format!(
            "key {id} was {r}; it cannot be registered again — make a new one with `signet key rotate --as {}`",
            p.handle
        )));
    }
    if let Some((_, other, _)) = holders.iter().find(|h| h.0 != p.id) {
        return Err(Error::Invalid(format!(
            "key {id} is registered for {other}; one key signs for one person, so {} needs a key of their own",
            p.handle
        )));
    }
    Ok(())
}

/// Adds a checked person in `tx` (see [`Store::add_person`]).
pub(crate) fn add_person_in(
    tx: &Transaction<'_>,
    name: &str,
    email: Option<&str>,
    handle: &str,
    (actor, at): (&str, &str),
) -> Result<Person> {
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM person WHERE handle = ?1)",
        [&handle],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Error::AlreadyExists {
            what: "person with handle",
            name: format!("{handle} (choose another with --handle)"),
        });
    }
    // One e-mail names one person: reports and owner matching go by
    // it, so a second "Ana Ruiz <ana@example.com>" would be an
    // impostor that reads as Ana.
    if let Some(e) = email {
        let holder: Option<(String, String)> = tx
            .query_row(
                "SELECT handle, email FROM person WHERE email = ?1 COLLATE NOCASE",
                [e],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((holder, their)) = holder {
            return Err(Error::AlreadyExists {
                what: "person with e-mail",
                name: format!("{their} (that is '{holder}'; one e-mail names one person)"),
            });
        }
    }
    tx.execute(
        "INSERT INTO person (handle, name, email, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![handle, name, email, at],
    )?;
    append(
        tx,
        NewEvent {
            actor,
            action: "person.add",
            subject: handle,
            field: Some("name"),
            new: Some(name),
            ..Default::default()
        },
    )?;
    resolve(tx, handle)
}

/// Registers a parsed key in `tx` (see [`Store::set_public_key`]).
pub(crate) fn register_key_in(
    tx: &Transaction<'_>,
    who: &str,
    key: &str,
    actor: &str,
    replace: bool,
) -> Result<Person> {
    let p = resolve(tx, who)?;
    if !may_register_key(&p, Some(key), replace)? {
        return Ok(p);
    }
    may_hold_key(tx, &p, key)?;
    tx.execute(
        "UPDATE person SET public_key = ?1 WHERE id = ?2",
        params![key, p.id],
    )?;
    let at = append(
        tx,
        NewEvent {
            actor,
            action: "person.key",
            subject: &p.handle,
            field: Some("public_key"),
            old: p.public_key.as_deref(),
            new: Some(key),
            ..Default::default()
        },
    )?;
    super::keys::record(tx, p.id, key, &at)?;
    resolve(tx, &p.handle)
}
