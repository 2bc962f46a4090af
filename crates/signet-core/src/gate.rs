//! The release gate: whether a release may ship, and why not. One rule for
//! `signet gate`, sign-off and the app.

use serde::Serialize;

use crate::error::Result;
use crate::model::{ReleaseStatus, ReleaseView};
use crate::report::model::Report;
use crate::revocation::{standing, Standing};
use crate::store::Store;

/// `number [status] text` of every item not done or n/a, prefixed
/// `template:` when the release has several runs.
pub fn open_items(view: &ReleaseView) -> Vec<String> {
    let mut out = Vec::new();
    for run in &view.runs {
        for item in run.walk_items() {
            if !item.status.is_closed() {
                let label = if view.runs.len() > 1 {
                    format!("{}:{}", run.template.slug, item.number)
                } else {
                    item.number.clone()
                };
                out.push(format!("{label} [{}] {}", item.status, item.plain));
            }
        }
    }
    out
}

/// What a pipeline demands beyond a valid sign-off.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// People (handle, e-mail or name) who must have signed.
    pub require: Vec<String>,
    /// At least this many valid signatures.
    pub min_approvers: usize,
    /// Refuse sign-offs forced with `--override`, and signatures by keys
    /// revoked after they signed.
    pub strict: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Verdict {
    pub release: String,
    pub passed: bool,
    pub revision: Option<u32>,
    /// Why it does not pass; empty when it does.
    pub reasons: Vec<Finding>,
    /// Passes, but someone should know (e.g. signed with an override).
    pub warnings: Vec<Finding>,
    pub open_items: Vec<String>,
    /// Each valid signature, in the order they were made.
    pub approvers: Vec<Approver>,
}

/// Someone whose signature on the release holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Approver {
    pub handle: String,
    pub name: String,
    pub role: String,
    pub signed_at: String,
}

impl std::fmt::Display for Approver {
    /// `handle (role)`, the CLI's way of naming a signer.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.handle, self.role)
    }
}

/// One reason a release may not ship, or one thing to know although it may:
/// the sentence the CLI prints, and what it is about as data, so the app lays
/// it out without parsing the sentence back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Finding {
    pub message: String,
    pub about: About,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum About {
    NoChecklists,
    NotSignedOff,
    /// Reopened after this revision was signed.
    Reopened {
        after: u32,
    },
    OpenItems {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        open: usize,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        total: usize,
    },
    /// The database fails one of its own checks (`Store::health`).
    DatabaseCheck {
        check: String,
    },
    NoFrozenReport,
    DigestMismatch {
        revision: u32,
    },
    InvalidSignature {
        handle: String,
    },
    /// Signed with a key revoked from before the signature's date.
    RevokedKey {
        handle: String,
        key_id: String,
    },
    /// Signed with a key revoked from a later date.
    RevokedLater {
        handle: String,
        key_id: String,
    },
    MissingApprover {
        handle: String,
    },
    TooFewSignatures {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        valid: usize,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        needed: usize,
    },
    /// Signed off with items open. Reports frozen before the override
    /// named its approver hold the acting user as `by`, with no name or role.
    Override {
        by: String,
        by_name: Option<String>,
        role: Option<String>,
        reason: String,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        open: usize,
    },
}

fn finding(about: About, message: String) -> Finding {
    Finding { message, about }
}

/// Passes only when the release is signed off, its frozen report matches its
/// digest, every signature verifies and was made before its key was revoked
/// (if it was), and the policy's approvers signed.
pub fn check(store: &Store, release: &str, policy: &Policy) -> Result<Verdict> {
    let r = store.release(release)?;
    let mut v = Verdict {
        release: r.name.clone(),
        passed: false,
        revision: None,
        reasons: Vec::new(),
        warnings: Vec::new(),
        open_items: Vec::new(),
        approvers: Vec::new(),
    };
    if r.status != ReleaseStatus::SignedOff {
        // Only an unsigned release needs its live state: what is still open.
        let view = store.release_view(&r.name)?;
        if view.runs.is_empty() {
            v.reasons.push(finding(
                About::NoChecklists,
                "no checklists are attached".into(),
            ));
        }
        v.open_items = open_items(&view);
        let last = store.revisions(&r.name)?.last().map(|x| x.revision);
        v.reasons.push(match (r.status, last) {
            (ReleaseStatus::Reopened, Some(n)) => finding(
                About::Reopened { after: n },
                format!("reopened after revision {n}; it needs a new sign-off"),
            ),
            _ => finding(About::NotSignedOff, "not signed off".into()),
        });
        if !v.open_items.is_empty() {
            let (open, total) = (v.open_items.len(), view.progress.total);
            v.reasons.push(finding(
                About::OpenItems { open, total },
                format!("{open} of {total} items are not done or n/a"),
            ));
        }
        return Ok(v);
    }
    // A database that fails its own checks cannot vouch for a sign-off:
    // its trail may have been cut or its tables edited behind Signet's back.
    let health = store.health()?;
    if !health.ok {
        for c in health.checks.iter().filter(|c| !c.ok) {
            v.reasons.push(finding(
                About::DatabaseCheck {
                    check: c.name.to_string(),
                },
                format!("the database fails its {} check: {}", c.name, c.detail),
            ));
        }
        return Ok(v);
    }
    let Some(seal) = store.seal(&r.name, None)? else {
        v.reasons.push(finding(
            About::NoFrozenReport,
            "signed off, but no frozen report was found".into(),
        ));
        return Ok(v);
    };
    v.revision = Some(seal.revision);
    // No trusted keys: sign-off only accepts each approver's registered key,
    // so the keys in the database's own seal are the ones to check with.
    let check = seal.check(None);
    if !check.digest_ok {
        v.reasons.push(finding(
            About::DigestMismatch {
                revision: seal.revision,
            },
            format!(
                "the frozen report of revision {} does not match its digest {}",
                seal.revision, seal.digest
            ),
        ));
    }
    let keys = store.key_records()?;
    for sig in &check.signatures {
        if let Some(problem) = &sig.problem {
            v.reasons.push(finding(
                About::InvalidSignature {
                    handle: sig.handle.clone(),
                },
                format!("signature of {} is invalid: {problem}", sig.handle),
            ));
            continue;
        }
        match standing(&keys, &sig.public_key, &sig.signed_at) {
            Standing::Revoked(r) => {
                // Not an approver: whoever holds a revoked key can sign anything.
                v.reasons.push(finding(
                    About::RevokedKey {
                        handle: sig.handle.clone(),
                        key_id: sig.key_id.clone(),
                    },
                    format!(
                        "signature of {} is invalid: made {} with key {}, which was {r}",
                        sig.handle, sig.signed_at, sig.key_id
                    ),
                ));
                continue;
            }
            Standing::RevokedLater(r) => {
                let f = finding(
                    About::RevokedLater {
                        handle: sig.handle.clone(),
                        key_id: sig.key_id.clone(),
                    },
                    format!(
                        "{} signed with a key revoked later: key {} was {r}; the signature is dated {}, \
                         which whoever holds the key could have chosen",
                        sig.handle, sig.key_id, sig.signed_at
                    ),
                );
                if policy.strict {
                    v.reasons.push(f);
                } else {
                    v.warnings.push(f);
                }
            }
            Standing::Good => {}
        }
        v.approvers.push(Approver {
            handle: sig.handle.clone(),
            name: sig.name.clone(),
            role: sig.role.clone(),
            signed_at: sig.signed_at.clone(),
        });
    }
    for who in &policy.require {
        let handle = store.person(who)?.handle;
        if !v.approvers.iter().any(|a| a.handle == handle) {
            v.reasons.push(finding(
                About::MissingApprover {
                    handle: handle.clone(),
                },
                format!(
                    "missing approver: {handle} has not signed revision {}",
                    seal.revision
                ),
            ));
        }
    }
    let needed = policy.min_approvers.max(1);
    let valid = v.approvers.len();
    if valid < needed {
        v.reasons.push(finding(
            About::TooFewSignatures { valid, needed },
            format!("{valid} valid signature(s), {needed} required"),
        ));
    }
    if let Ok(report) = Report::from_json(seal.payload.as_bytes()) {
        if let Some(o) = &report.override_ {
            v.open_items = o.open_items.clone();
            let f = finding(
                About::Override {
                    by: o.by.clone(),
                    by_name: o.by_name.clone(),
                    role: o.role.clone(),
                    reason: o.reason.clone(),
                    open: o.open_items.len(),
                },
                format!(
                    "signed off with an override ({} open items): {}",
                    o.open_items.len(),
                    o.reason
                ),
            );
            if policy.strict {
                v.reasons.push(f);
            } else {
                v.warnings.push(f);
            }
        }
    }
    v.passed = v.reasons.is_empty();
    Ok(v)
}
