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

/// The form [`same_text`] compares: two texts are the same exactly when
/// their folds are equal.
fn fold(text: &str) -> String {
    text.trim().chars().flat_map(char::to_lowercase).collect()
}

/// A person's spellings, folded once: a filter over a release matches
/// hundreds of owners against every person.
#[derive(Debug, Clone)]
struct Folded {
    handle: String,
    name: String,
    email: Option<String>,
}

impl Folded {
    fn of(p: &Person) -> Folded {
        Folded {
            handle: fold(&p.handle),
            name: fold(&p.name),
            email: p.email.as_deref().map(fold),
        }
    }

    /// [`names`] of a folded `who`.
    fn names(&self, who: &str) -> bool {
        self.handle == who || self.name == who || self.email.as_deref() == Some(who)
    }
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
    /// `people`'s spellings folded, in the same order.
    folded: Vec<Folded>,
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
        Owners {
            folded: people.iter().map(Folded::of).collect(),
            people,
        }
    }

    /// The person `who` names. A handle wins over another person's name or
    /// e-mail, as when signing (`--as`); otherwise the earliest registered.
    pub fn person(&self, who: &str) -> Option<&Person> {
        self.person_folded(&fold(who))
    }

    fn person_folded(&self, who: &str) -> Option<&Person> {
        let pairs = || self.people.iter().zip(&self.folded);
        pairs()
            .find(|(_, f)| f.handle == who)
            .or_else(|| {
                pairs()
                    .filter(|(_, f)| f.names(who))
                    .min_by_key(|(p, _)| p.id)
            })
            .map(|(p, _)| p)
    }

    /// Whether an item owned by `owner` is owned by `wanted`: the same text
    /// (ignoring case), or two spellings of one registered person. Matching
    /// many owners against one: [`Owners::wanted`].
    pub fn same(&self, owner: &str, wanted: &str) -> bool {
        self.wanted(wanted).owns(owner)
    }

    /// `wanted` resolved once, to ask of many owners whether they are the
    /// same (a release's items filtered by owner).
    pub fn wanted(&self, wanted: &str) -> Wanted<'_> {
        let text = fold(wanted);
        Wanted {
            owners: self,
            person: self.person_folded(&text),
            text,
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

/// An owner to look for, resolved once ([`Owners::wanted`]).
#[derive(Debug, Clone)]
pub struct Wanted<'a> {
    owners: &'a Owners,
    /// The text asked for, folded.
    text: String,
    person: Option<&'a Person>,
}

impl Wanted<'_> {
    /// Whether an item owned by `owner` is owned by who is wanted
    /// ([`Owners::same`]).
    pub fn owns(&self, owner: &str) -> bool {
        let owner = fold(owner);
        if owner == self.text {
            return true;
        }
        match (self.owners.person_folded(&owner), self.person) {
            (Some(a), Some(b)) => a.id == b.id,
            _ => false,
        }
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
        // A filter for "ana" keeps only her items: "bo" is Bo Li's handle
        // before it is Ana's name; "BO " written otherwise is still Bo Li.
        let ana = o.wanted("ana");
        let kept: Vec<&str> = ["ana", "ANA", "bo", "Bo Li", "BO ", "bob"]
            .into_iter()
            .filter(|owner| ana.owns(owner))
            .collect();
        assert_eq!(kept, ["ana", "ANA"]);
        let bo = o.wanted(" BO");
        let kept: Vec<&str> = ["ana", "bo", "Bo Li", "bob"]
            .into_iter()
            .filter(|owner| bo.owns(owner))
            .collect();
        assert_eq!(kept, ["bo", "Bo Li"]);
    }
}
