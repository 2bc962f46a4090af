//! Who a front end acts as, for the audit trail. The desktop app asks once
//! ("Who are you?") and keeps the answer in the database (`Store::
//! set_acting_person`); until then the name it was started with
//! (`$SIGNET_ACTOR`, else `$USER`) stands, recorded as the handle of the
//! person it names when one is registered. Pure: the store loads the people
//! and the choice, this module decides. No I/O and no SQL here.

use serde::Serialize;

use crate::model::{Person, UNKNOWN_ACTOR};
use crate::owners::Owners;

/// The actor every write records, and the person it is, when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// The name written into the audit trail: the person's handle when
    /// there is one, else the name the front end was started with.
    pub actor: String,
    pub person: Option<Person>,
    /// The person was chosen on this database (not matched from the name).
    pub chosen: bool,
}

/// The one rule: a person chosen on this database wins; else the person
/// that `started_as` names (handle, full name or e-mail, as owners match);
/// else nobody, and the actor is `started_as` itself.
pub fn identify(chosen: Option<Person>, owners: &Owners, started_as: &str) -> Identity {
    if let Some(p) = chosen {
        return Identity {
            actor: p.handle.clone(),
            person: Some(p),
            chosen: true,
        };
    }
    let named = if started_as == UNKNOWN_ACTOR {
        None
    } else {
        owners.person(started_as).cloned()
    };
    Identity {
        actor: named
            .as_ref()
            .map_or_else(|| started_as.to_string(), |p| p.handle.clone()),
        person: named,
        chosen: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::owners::tests::person;

    fn owners() -> Owners {
        Owners::new(vec![
            person(1, "ana", "Ana Ruiz", Some("ana@example.com")),
            person(2, "bo", "Bo Li", None),
        ])
    }

    #[test]
    fn the_chosen_person_wins_over_the_start_name() {
        let id = identify(Some(person(2, "bo", "Bo Li", None)), &owners(), "ana");
        assert_eq!(id.actor, "bo");
        assert_eq!(id.person.map(|p| p.name), Some("Bo Li".to_string()));
        assert!(id.chosen);
    }

    #[test]
    fn a_start_name_that_names_a_person_records_their_handle() {
        for name in ["ana", "ANA@example.com", "ana ruiz"] {
            let id = identify(None, &owners(), name);
            assert_eq!(id.actor, "ana", "{name}");
            assert_eq!(id.person.as_ref().map(|p| p.id), Some(1));
            assert!(!id.chosen);
        }
    }

    #[test]
    fn nobody_is_known_for_other_names_or_unknown() {
        let id = identify(None, &owners(), "ci-runner");
        assert_eq!(
            (id.actor.as_str(), id.person, id.chosen),
            ("ci-runner", None, false)
        );
        // A person whose handle happens to be "unknown" is not who an unset
        // $USER is.
        let o = Owners::new(vec![person(3, "unknown", "Unknown Soldier", None)]);
        assert_eq!(identify(None, &o, UNKNOWN_ACTOR).person, None);
    }
}
