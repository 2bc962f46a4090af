//! Settings kept in the database (table `setting`, migration 0006): who
//! the desktop app acts as, and the branding reports carry. Not audited
//! (see the migration): branding is signed with each report that carries it.

use rusqlite::{params, Connection, OptionalExtension};

use super::people::resolve;
use super::Store;
use crate::error::Result;
use crate::identity::{identify, Identity};
use crate::model::Person;
use crate::report::model::{Branding, Logo};
use crate::time_fmt;

const ACTING_PERSON: &str = "acting_person";
const ORG_NAME: &str = "branding.org_name";
const CLIENT_NAME: &str = "branding.client_name";
const LOGO: &str = "branding.logo";

/// Longest organisation or client name: it heads every page.
const MAX_NAME: usize = 120;

pub(super) fn get(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM setting WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

pub(super) fn put(conn: &Connection, name: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(v) => conn.execute(
            "INSERT INTO setting (name, value, set_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, set_at = excluded.set_at",
            params![name, v, time_fmt::now()],
        )?,
        None => conn.execute("DELETE FROM setting WHERE name = ?1", [name])?,
    };
    Ok(())
}

/// The branding reports made now carry.
pub(crate) fn branding(conn: &Connection) -> Result<Branding> {
    let logo = match get(conn, LOGO)? {
        Some(json) => Some(serde_json::from_str::<Logo>(&json).map_err(|e| {
            crate::Error::Invalid(format!(
                "the stored logo is unreadable ({e}); set it again with `signet config set logo FILE`"
            ))
        })?),
        None => None,
    };
    Ok(Branding {
        client_name: get(conn, CLIENT_NAME)?,
        logo,
        org_name: get(conn, ORG_NAME)?,
    })
}

/// A name that heads reports: trimmed, one line, not too long.
fn check_name(what: &str, name: &Option<String>) -> Result<Option<String>> {
    let Some(name) = name.as_deref().map(str::trim) else {
        return Ok(None);
    };
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().any(char::is_control) {
        return Err(crate::Error::Invalid(format!(
            "the {what} holds a line break or control character"
        )));
    }
    if name.chars().count() > MAX_NAME {
        return Err(crate::Error::Invalid(format!(
            "the {what} is {} characters; at most {MAX_NAME}",
            name.chars().count()
        )));
    }
    Ok(Some(name.to_string()))
}

impl Store {
    /// The person chosen as "me" on this database, while still registered.
    pub fn acting_person(&self) -> Result<Option<Person>> {
        let handle: Option<String> = self
            .conn()
            .query_row(
                "SELECT value FROM setting WHERE name = ?1",
                [ACTING_PERSON],
                |r| r.get(0),
            )
            .optional()?;
        match handle {
            None => Ok(None),
            Some(h) => match resolve(self.conn(), &h) {
                Ok(p) if p.handle == h => Ok(Some(p)),
                // Gone, or the handle now reads as someone else's name:
                // ask again rather than act as the wrong person.
                Ok(_) | Err(crate::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            },
        }
    }

    /// Chooses who this database's desktop app acts as from now on: `who`
    /// names a registered person (handle, name or e-mail).
    pub fn set_acting_person(&mut self, who: &str) -> Result<Person> {
        self.write(|tx| {
            let p = resolve(tx, who)?;
            tx.execute(
                "INSERT INTO setting (name, value, set_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value, set_at = excluded.set_at",
                params![ACTING_PERSON, p.handle, time_fmt::now()],
            )?;
            Ok(p)
        })
    }

    /// The branding reports made now carry (empty when none is set).
    pub fn branding(&self) -> Result<Branding> {
        branding(self.conn())
    }

    /// Replaces the branding reports carry from now on; a None field is
    /// cleared. Reports already signed keep the branding they were signed
    /// with. A logo is checked with `report::branding::logo_from_file`.
    pub fn set_branding(&mut self, b: &Branding) -> Result<Branding> {
        let org = check_name("organisation name", &b.org_name)?;
        let client = check_name("client name", &b.client_name)?;
        let logo = b.logo.as_ref().map(serde_json::to_string).transpose()?;
        self.write(|tx| {
            put(tx, ORG_NAME, org.as_deref())?;
            put(tx, CLIENT_NAME, client.as_deref())?;
            put(tx, LOGO, logo.as_deref())?;
            branding(tx)
        })
    }

    /// Who a front end started as `started_as` acts as (see [`identify`]).
    pub fn identity(&self, started_as: &str) -> Result<Identity> {
        Ok(identify(self.acting_person()?, &self.owners()?, started_as))
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    #[test]
    fn the_chosen_person_is_kept_and_names_later_writes() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(s.identity("e2e").unwrap().person, None);
        assert_eq!(s.identity("e2e").unwrap().actor, "e2e");
        s.add_person("Dana Noor", Some("dana@example.com"), None, "e2e")
            .unwrap();
        // Added, not yet chosen: "e2e" still names nobody.
        assert_eq!(s.acting_person().unwrap(), None);
        let p = s.set_acting_person("DANA@example.com").unwrap();
        assert_eq!(p.handle, "dana");
        let id = s.identity("e2e").unwrap();
        assert_eq!((id.actor.as_str(), id.chosen), ("dana", true));
        // Choosing again replaces the choice.
        s.add_person("Eli Park", None, None, "dana").unwrap();
        s.set_acting_person("eli").unwrap();
        assert_eq!(s.identity("e2e").unwrap().actor, "eli");
    }

    #[test]
    fn branding_is_kept_trimmed_and_cleared_field_by_field() {
        use crate::report::model::Branding;
        let mut s = Store::open_in_memory().unwrap();
        assert!(s.branding().unwrap().is_empty());
        let logo = crate::report::branding::logo_from_bytes(b"<svg></svg>".to_vec()).unwrap();
        s.set_branding(&Branding {
            client_name: Some(" Globex ".into()),
            logo: Some(logo.clone()),
            org_name: Some("Acme Consulting".into()),
        })
        .unwrap();
        let b = s.branding().unwrap();
        assert_eq!(b.client_name.as_deref(), Some("Globex"));
        assert_eq!(b.logo, Some(logo));
        s.set_branding(&Branding {
            client_name: None,
            ..b
        })
        .unwrap();
        let b = s.branding().unwrap();
        assert_eq!(b.client_name, None);
        assert_eq!(b.org_name.as_deref(), Some("Acme Consulting"));
        let e = s
            .set_branding(&Branding {
                org_name: Some("Acme\nEvil".into()),
                ..Default::default()
            })
            .unwrap_err();
        assert!(e.to_string().contains("line break"), "{e}");
    }

    #[test]
    fn only_a_registered_person_can_be_chosen() {
        let mut s = Store::open_in_memory().unwrap();
        let e = s.set_acting_person("nobody").unwrap_err();
        assert!(matches!(e, crate::Error::NotFound { .. }), "{e}");
        assert_eq!(s.acting_person().unwrap(), None);
    }
}
