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
    pub reasons: Vec<String>,
    /// Passes, but someone should know (e.g. signed with an override).
    pub warnings: Vec<String>,
    pub open_items: Vec<String>,
    /// `handle (role)` of each valid signature.
    pub approvers: Vec<String>,
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
            v.reasons.push("no checklists are attached".into());
        }
        v.open_items = open_items(&view);
        let last = store.revisions(&r.name)?.last().map(|x| x.revision);
        v.reasons.push(match (r.status, last) {
            (ReleaseStatus::Reopened, Some(n)) => {
                format!("reopened after revision {n}; it needs a new sign-off")
            }
            _ => "not signed off".into(),
        });
        if !v.open_items.is_empty() {
            v.reasons.push(format!(
                "{} of {} items are not done or n/a",
                v.open_items.len(),
                view.progress.total
            ));
        }
        return Ok(v);
    }
    // A database that fails its own checks cannot vouch for a sign-off:
    // its trail may have been cut or its tables edited behind Signet's back.
    let health = store.health()?;
    if !health.ok {
        for c in health.checks.iter().filter(|c| !c.ok) {
            v.reasons.push(format!(
                "the database fails its {} check: {}",
                c.name, c.detail
            ));
        }
        return Ok(v);
    }
    let Some(seal) = store.seal(&r.name, None)? else {
        v.reasons
            .push("signed off, but no frozen report was found".into());
        return Ok(v);
    };
    v.revision = Some(seal.revision);
    // No trusted keys: sign-off only accepts each approver's registered key,
    // so the keys in the database's own seal are the ones to check with.
    let check = seal.check(None);
    if !check.digest_ok {
        v.reasons.push(format!(
            "the frozen report of revision {} does not match its digest {}",
            seal.revision, seal.digest
        ));
    }
    let keys = store.key_records()?;
    let mut valid: Vec<&str> = Vec::new();
    for sig in &check.signatures {
        if let Some(problem) = &sig.problem {
            v.reasons
                .push(format!("signature of {} is invalid: {problem}", sig.handle));
            continue;
        }
        match standing(&keys, &sig.public_key, &sig.signed_at) {
            Standing::Revoked(r) => {
                // Not an approver: whoever holds a revoked key can sign anything.
                v.reasons.push(format!(
                    "signature of {} is invalid: made {} with key {}, which was {r}",
                    sig.handle, sig.signed_at, sig.key_id
                ));
                continue;
            }
            Standing::RevokedLater(r) => {
                let msg = format!(
                    "{} signed with a key revoked later: key {} was {r}; the signature is dated {}, \
                     which whoever holds the key could have chosen",
                    sig.handle, sig.key_id, sig.signed_at
                );
                if policy.strict {
                    v.reasons.push(msg);
                } else {
                    v.warnings.push(msg);
                }
            }
            Standing::Good => {}
        }
        v.approvers.push(format!("{} ({})", sig.handle, sig.role));
        valid.push(sig.handle.as_str());
    }
    for who in &policy.require {
        let handle = store.person(who)?.handle;
        if !valid.contains(&handle.as_str()) {
            v.reasons.push(format!(
                "missing approver: {handle} has not signed revision {}",
                seal.revision
            ));
        }
    }
    let needed = policy.min_approvers.max(1);
    if valid.len() < needed {
        v.reasons.push(format!(
            "{} valid signature(s), {needed} required",
            valid.len()
        ));
    }
    if let Ok(report) = Report::from_json(seal.payload.as_bytes()) {
        if let Some(o) = &report.override_ {
            v.open_items = o.open_items.clone();
            let msg = format!(
                "signed off with an override ({} open items): {}",
                o.open_items.len(),
                o.reason
            );
            if policy.strict {
                v.reasons.push(msg);
            } else {
                v.warnings.push(msg);
            }
        }
    }
    v.passed = v.reasons.is_empty();
    Ok(v)
}
