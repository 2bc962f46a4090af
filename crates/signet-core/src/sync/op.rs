//! Operations: one change one person made, as the bytes every replica
//! exchanges. An operation's id is the SHA-256 of its canonical JSON (what
//! `serde_json` writes for [`Op`]); a replica accepts bytes only when they
//! parse and re-serialise to themselves, so one change has one id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The version of the operation format this Signet writes and reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Op {
    /// When the author made the change (UTC, RFC 3339).
    pub at: String,
    /// The handle of the person who made it: the owner of `device`.
    pub author: String,
    pub change: Change,
    /// The device that recorded and signed it.
    pub device: String,
    /// Lamport clock: greater than that of every operation in `seen`.
    pub lamport: u64,
    /// For each device, the last of its operations the author's replica
    /// held: what this change was made on top of.
    pub seen: BTreeMap<String, u64>,
    /// This device's count of its own operations, from 1, without gaps.
    pub seq: u64,
    pub v: u32,
}

/// What changed. Entities are named by what every replica agrees on: a
/// release by name, a template by slug and content hash, an item by its
/// template's slug and its stable key, a person by handle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Change {
    TemplateImport {
        content_hash: String,
        markdown: String,
        source: String,
    },
    PersonAdd {
        email: Option<String>,
        handle: String,
        name: String,
    },
    PersonKey {
        handle: String,
        public_key: String,
    },
    ReleaseCreate {
        due: Option<String>,
        name: String,
    },
    RunAdd {
        content_hash: String,
        fresh: bool,
        release: String,
        template: String,
    },
    RunUpgrade {
        content_hash: String,
        /// The items the upgrade paired by something other than their
        /// stable key (moved or reworded), as [old key, new key]: every
        /// replica applies these, never a pairing of its own. Absent from
        /// upgrades that paired by key alone (and from those older Signets
        /// made), whose bytes stay as they were.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pairs: Vec<(String, String)>,
        release: String,
        template: String,
    },
    /// A tick: only the fields it set are present.
    ItemSet {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        evidence: Vec<String>,
        key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// The new owner; "" clears it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        /// The new reason; "" clears it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        release: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        template: String,
    },
    /// The first sign-off of a revision: the frozen report every signature
    /// of that revision covers.
    Freeze {
        digest: String,
        frozen_by: String,
        override_reason: Option<String>,
        payload: String,
        release: String,
        revision: u32,
    },
    /// One approver's signature over a frozen revision.
    Sign {
        digest: String,
        handle: String,
        key_id: String,
        minisig: String,
        name: String,
        public_key: String,
        release: String,
        revision: u32,
        role: String,
        signed_at: String,
    },
    Reopen {
        reason: String,
        release: String,
    },
    /// A signing key compromised from `from` on: signatures dated after it
    /// are invalid. Anyone may revoke; it only takes trust away.
    KeyRevoke {
        from: String,
        public_key: String,
        reason: String,
    },
}

impl Change {
    pub fn kind(&self) -> &'static str {
        match self {
            Change::TemplateImport { .. } => "template_import",
            Change::PersonAdd { .. } => "person_add",
            Change::PersonKey { .. } => "person_key",
            Change::ReleaseCreate { .. } => "release_create",
            Change::RunAdd { .. } => "run_add",
            Change::RunUpgrade { .. } => "run_upgrade",
            Change::ItemSet { .. } => "item_set",
            Change::Freeze { .. } => "freeze",
            Change::Sign { .. } => "sign",
            Change::Reopen { .. } => "reopen",
            Change::KeyRevoke { .. } => "key_revoke",
        }
    }

    /// The release, template slug and item key the change is about, as far
    /// as it names them.
    pub fn target(&self) -> (Option<&str>, Option<&str>, Option<&str>) {
        match self {
            Change::ItemSet {
                release,
                template,
                key,
                ..
            } => (Some(release), Some(template), Some(key)),
            Change::RunAdd {
                release, template, ..
            }
            | Change::RunUpgrade {
                release, template, ..
            } => (Some(release), Some(template), None),
            Change::ReleaseCreate { name, .. } => (Some(name), None, None),
            Change::Freeze { release, .. }
            | Change::Sign { release, .. }
            | Change::Reopen { release, .. } => (Some(release), None, None),
            Change::TemplateImport { .. }
            | Change::PersonAdd { .. }
            | Change::PersonKey { .. }
            | Change::KeyRevoke { .. } => (None, None, None),
        }
    }
}

impl Op {
    /// The exact bytes this operation is exchanged as.
    pub fn canonical(&self) -> Result<Vec<u8>> {
        Ok(serde_json::to_vec(self)?)
    }

    pub fn id_of(bytes: &[u8]) -> String {
        crate::hex::encode(&Sha256::digest(bytes))
    }

    /// Parses bytes that must be an operation's canonical form.
    pub fn parse(bytes: &[u8]) -> Result<Op> {
        let op: Op = serde_json::from_slice(bytes)
            .map_err(|e| Error::Invalid(format!("not a Signet operation: {e}")))?;
        if op.v != VERSION {
            return Err(Error::Invalid(format!(
                "operation format {} is newer than this Signet reads ({VERSION}); update Signet",
                op.v
            )));
        }
        if op.canonical()? != bytes {
            return Err(Error::Invalid(
                "operation is not in canonical form (re-encoded or edited)".into(),
            ));
        }
        Ok(op)
    }

    /// Whether `seen` shows this operation was known: the author of an
    /// operation with that `seen` had this one.
    pub fn is_seen_by(&self, seen: &BTreeMap<String, u64>) -> bool {
        seen.get(&self.device).is_some_and(|s| *s >= self.seq)
    }

    /// The total order every replica folds in: lamport, then device, then seq.
    pub fn order(&self) -> (u64, &str, u64) {
        (self.lamport, &self.device, self.seq)
    }

    /// Who the change is attributed to: always its author, the owner of
    /// the device that signed it.
    pub fn actor(&self) -> &str {
        &self.author
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op() -> Op {
        Op {
            at: "2026-11-26T10:00:00Z".into(),
            author: "ana".into(),
            change: Change::ItemSet {
                evidence: vec!["https://ci.example/1".into()],
                key: "abc".into(),
                note: None,
                owner: Some(String::new()),
                reason: None,
                release: "v1".into(),
                status: Some("done".into()),
                template: "launch".into(),
            },
            device: "00aa".into(),
            lamport: 3,
            seen: BTreeMap::from([("00aa".into(), 2)]),
            seq: 3,
            v: VERSION,
        }
    }

    #[test]
    fn canonical_bytes_round_trip_and_anything_else_is_refused() {
        let bytes = op().canonical().unwrap();
        assert_eq!(Op::parse(&bytes).unwrap(), op());
        // Clearing an owner is not the same as leaving it alone.
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("\"owner\":\"\""), "{text}");
        assert!(!text.contains("reason"), "{text}");
        let spaced = text.replace(",\"", ", \"");
        assert!(Op::parse(spaced.as_bytes()).is_err());
        let extra = text.replacen('{', "{\"x\":1,", 1);
        assert!(Op::parse(extra.as_bytes()).is_err());
        let newer = text.replace("\"v\":1", "\"v\":2");
        let err = Op::parse(newer.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("update Signet"), "{err}");
    }

    #[test]
    fn an_upgrade_names_its_pairs_and_one_that_paired_none_keeps_the_old_bytes() {
        // As Signet wrote upgrades before they carried pairs.
        let old = r#"{"at":"2026-11-26T10:00:00Z","author":"ana","change":{"kind":"run_upgrade","data":{"content_hash":"sha256:ab","release":"v1","template":"launch"}},"device":"00aa","lamport":3,"seen":{"00aa":2},"seq":3,"v":1}"#;
        let op = Op::parse(old.as_bytes()).unwrap();
        assert!(matches!(&op.change, Change::RunUpgrade { pairs, .. } if pairs.is_empty()));
        assert_eq!(op.canonical().unwrap(), old.as_bytes());
        let with = old.replace(
            r#""content_hash":"sha256:ab","#,
            r#""content_hash":"sha256:ab","pairs":[["c367de2a03ab","9f00e1d2c3b4"]],"#,
        );
        let op = Op::parse(with.as_bytes()).unwrap();
        let Change::RunUpgrade { pairs, .. } = &op.change else {
            panic!("{op:?}")
        };
        assert_eq!(
            pairs,
            &[("c367de2a03ab".to_string(), "9f00e1d2c3b4".to_string())]
        );
    }
}
