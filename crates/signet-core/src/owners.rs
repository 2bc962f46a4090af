//! Who owns an item. An owner is free text; once people are registered, the
//! text usually names one of them — by handle, full name or e-mail — and every
//! spelling of that person is the same owner. Pure: the store loads the
//! people, this module decides who is who. No I/O and no SQL here.

use std::fmt;

use crate::model::Person;

/// Equal ignoring case (Unicode, so "ÁLVARO" names "Álvaro") and the spaces
/// around the text.
fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Whether `who` names this person: their handle, full name or e-mail.
pub fn names(person: &Person, who: &str) -> bool {
    same_text(&person.handle, who)
        || same_text(&person.name, who)
        || person.email.as_deref().is_some_and(|e| same_text(e, who))
}

/// The registered people, for matching owners against.
#[derive(Debug, Clone, Default)]
pub struct Owners {
    people: Vec<Person>,
}

/// An owner given while people are registered, naming none of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOwner {
    pub owner: String,
    /// Handles of the registered people, sorted.
    pub known: Vec<String>,
}

impl fmt::Display for UnknownOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "owner '{}' is not a registered person (known handles: {})",
            self.owner,
            self.known.join(", ")
        )
    }
}

impl Owners {
    pub fn new(people: Vec<Person>) -> Owners {
        Owners { people }
    }

    /// The person `who` names. A handle wins over another person's name or
    /// e-mail, as when signing (`--as`); otherwise the earliest registered.
    pub fn person(&self, who: &str) -> Option<&Person> {
        self.people
            .iter()
            .find(|p| same_text(&p.handle, who))
            .or_else(|| {
                self.people
                    .iter()
                    .filter(|p| names(p, who))
                    .min_by_key(|p| p.id)
            })
    }

    /// Whether an item owned by `owner` is owned by `wanted`: the same text
    /// (ignoring case), or two spellings of one registered person.
    pub fn same(&self, owner: &str, wanted: &str) -> bool {
        if same_text(owner, wanted) {
            return true;
        }
        match (self.person(owner), self.person(wanted)) {
            (Some(a), Some(b)) => a.id == b.id,
            _ => false,
        }
    }

    /// An owner that names nobody while people are registered: allowed (an
    /// owner may be a team or someone not set up yet) but worth a warning,
    /// since it is usually a typo. With nobody registered owners are free
    /// text and nothing is unknown.
    pub fn check(&self, owner: &str) -> Option<UnknownOwner> {
        if self.people.is_empty() || owner.trim().is_empty() || self.person(owner).is_some() {
            return None;
        }
        let mut known: Vec<String> = self.people.iter().map(|p| p.handle.clone()).collect();
        known.sort();
        Some(UnknownOwner {
            owner: owner.trim().to_string(),
            known,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A registered person with no key, for tests of the matching rules.
    pub(crate) fn person(id: i64, handle: &str, name: &str, email: Option<&str>) -> Person {
        Person {
            id,
            handle: handle.into(),
            name: name.into(),
            email: email.map(Into::into),
            public_key: None,
            key_id: None,
            created_at: String::new(),
        }
    }

    fn owners() -> Owners {
        Owners::new(vec![
            person(1, "ana", "Ana Ruiz", Some("ana@example.com")),
            person(2, "bo", "Bo Li", None),
            person(3, "álvaro", "Álvaro Núñez", None),
        ])
    }

    #[test]
    fn every_spelling_of_a_person_is_the_same_owner() {
        let o = owners();
        for (owner, wanted) in [
            ("Ana Ruiz", "ana"),
            ("ANA@example.com", "ana ruiz"),
            ("ana", " Ana@Example.com "),
            ("ÁLVARO NÚÑEZ", "álvaro"),
        ] {
            assert!(o.same(owner, wanted), "{owner} / {wanted}");
        }
        assert!(!o.same("Ana Ruiz", "bo"));
        assert!(!o.same("Ana Ruiz", "anna"));
        // Unregistered owners still match their own text.
        assert!(o.same("Release Team", "release team"));
    }

    #[test]
    fn unknown_owners_are_named_with_the_known_handles() {
        let o = owners();
        assert_eq!(o.check("Ana Ruiz"), None);
        assert_eq!(o.check(""), None);
        let w = o.check("anna").unwrap();
        assert_eq!(
            w.to_string(),
            "owner 'anna' is not a registered person (known handles: ana, bo, álvaro)"
        );
        assert_eq!(Owners::default().check("anyone"), None);
    }

    #[test]
    fn a_handle_wins_over_another_persons_name() {
        let o = Owners::new(vec![
            person(1, "ana", "Bo", None),
            person(2, "bo", "Bo Li", None),
        ]);
        assert_eq!(o.person("bo").map(|p| p.id), Some(2));
        assert_eq!(o.person("Bo Li").map(|p| p.id), Some(2));
    }
}
