//! Settings kept in the database (table `setting`, migration 0006): today
//! only who the desktop app acts as. Not audited (see the migration).

use rusqlite::{params, OptionalExtension};

use super::people::resolve;
use super::Store;
use crate::error::Result;
use crate::identity::{identify, Identity};
use crate::model::Person;
use crate::time_fmt;

const ACTING_PERSON: &str = "acting_person";

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
    fn only_a_registered_person_can_be_chosen() {
        let mut s = Store::open_in_memory().unwrap();
        let e = s.set_acting_person("nobody").unwrap_err();
        assert!(matches!(e, crate::Error::NotFound { .. }), "{e}");
        assert_eq!(s.acting_person().unwrap(), None);
    }
}
