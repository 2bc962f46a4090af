//! Which signing key was good when: every key a person ever had, from when
//! it is valid, and whether it was revoked (compromised) from some date.
//! [`standing`] is the one rule for a signature made with a revoked key;
//! `gate`, `doctor`, `verify --db` and the app each word its verdict. Holds
//! no SQL and reads no files.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::{Error, Result};

/// One key registered for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRecord {
    pub handle: String,
    /// minisign key id, 16 hex digits.
    pub key_id: String,
    /// minisign public key, base64.
    pub public_key: String,
    /// When it was first registered for this person.
    pub valid_from: String,
    /// When a newer key took over; None for the key the person signs with now.
    pub replaced_at: Option<String>,
    pub revocation: Option<Revocation>,
}

/// A key marked compromised: signatures dated after `from` are invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revocation {
    pub from: String,
    pub reason: String,
    /// When the revocation was recorded, and by whom (the audit event).
    pub recorded_at: String,
    pub by: String,
}

impl std::fmt::Display for Revocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "revoked from {} ({})", self.from, self.reason)
    }
}

/// How a signature stands against the revocations known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing<'a> {
    /// Its key is not revoked (or not known here at all).
    Good,
    /// Made before its key was revoked (or at that very second): it held
    /// when made, but whoever stole the key could also have backdated it.
    RevokedLater(&'a Revocation),
    /// Made after its key was revoked, by the time it names: invalid.
    Revoked(&'a Revocation),
}

fn parse(t: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(t.trim(), &Rfc3339).ok()
}

/// How a signature made with `public_key`, dated `signed_at`, stands: one
/// made after the revocation's start is invalid. Times have whole seconds,
/// and a revocation "from now" is recorded in the second honest sign-offs
/// may just have been made in, so that second still counts as before (a
/// sign-off with a revoked key is refused, so none follows it in the
/// database). A key revoked for anyone is compromised for everyone who
/// holds it. A signing time that cannot be read cannot be shown to come
/// before the revocation, so it counts as after.
pub fn standing<'a>(records: &'a [KeyRecord], public_key: &str, signed_at: &str) -> Standing<'a> {
    let Some(r) = records
        .iter()
        .filter(|k| k.public_key == public_key)
        .filter_map(|k| k.revocation.as_ref())
        .min_by(|a, b| a.from.cmp(&b.from))
    else {
        return Standing::Good;
    };
    match (parse(signed_at), parse(&r.from)) {
        (Some(signed), Some(from)) if signed <= from => Standing::RevokedLater(r),
        _ => Standing::Revoked(r),
    }
}

/// A revocation's start: `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time,
/// as UTC to the second (the form signatures' times take, so they compare).
pub fn parse_from(s: &str) -> Result<String> {
    let s = s.trim();
    let t = parse(s).or_else(|| {
        crate::time_fmt::parse_date(s)
            .and_then(|d| OffsetDateTime::parse(&format!("{d}T00:00:00Z"), &Rfc3339).ok())
    });
    let Some(t) = t else {
        return Err(Error::Invalid(format!(
            "--from '{s}' is neither a date (2026-11-26) nor a time (2026-11-26T14:00:00Z)"
        )));
    };
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339)
        .map_err(|e| Error::Invalid(format!("cannot format the time: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(revoked_from: Option<&str>) -> KeyRecord {
        KeyRecord {
            handle: "ana".into(),
            key_id: "0011223344556677".into(),
            public_key: "RWkey".into(),
            valid_from: "2026-01-01T00:00:00Z".into(),
            replaced_at: None,
            revocation: revoked_from.map(|from| Revocation {
                from: from.into(),
                reason: "laptop stolen".into(),
                recorded_at: "2026-06-02T00:00:00Z".into(),
                by: "ana".into(),
            }),
        }
    }

    #[test]
    fn a_signature_until_the_revocation_is_revoked_later_and_after_it_invalid() {
        let keys = [record(Some("2026-06-01T00:00:00Z"))];
        let r = keys[0].revocation.as_ref().unwrap();
        assert_eq!(
            standing(&keys, "RWkey", "2026-05-31T23:59:59Z"),
            Standing::RevokedLater(r)
        );
        assert_eq!(
            standing(&keys, "RWkey", "2026-06-01T00:00:00Z"),
            Standing::RevokedLater(r),
            "the revocation's own second counts as before"
        );
        assert_eq!(
            standing(&keys, "RWkey", "2026-06-01T00:00:01Z"),
            Standing::Revoked(r)
        );
        // Another offset is the same instant.
        assert_eq!(
            standing(&keys, "RWkey", "2026-06-01T01:00:00+02:00"),
            Standing::RevokedLater(r)
        );
        assert_eq!(standing(&keys, "RWkey", "yesterday"), Standing::Revoked(r));
        assert_eq!(
            standing(&keys, "RWother", "2026-07-01T00:00:00Z"),
            Standing::Good
        );
        let unrevoked = [record(None)];
        assert_eq!(
            standing(&unrevoked, "RWkey", "2030-01-01T00:00:00Z"),
            Standing::Good
        );
    }

    #[test]
    fn revocation_dates_are_days_or_times_in_utc() {
        assert_eq!(parse_from("2026-06-01").unwrap(), "2026-06-01T00:00:00Z");
        assert_eq!(
            parse_from("2026-06-01T14:30:00+02:00").unwrap(),
            "2026-06-01T12:30:00Z"
        );
        let err = parse_from("last tuesday").unwrap_err().to_string();
        assert!(err.contains("--from 'last tuesday'"), "{err}");
    }
}
