//! Sign-off: freezing a release into a report revision, approvers' signatures
//! over it, reopening, and reading revisions back for export and the gate.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::comparison::{comparison, CompareWith};
use super::events::{append, NewEvent};
use super::{people, releases, runs::load_release, Store};
use crate::error::{Error, Result};
use crate::model::{Person, Release, ReleaseStatus, ReleaseView};
use crate::report::model::{self as report_model, Audit, Extras, Override, Report};
use crate::seal::{self, Seal, Signature, SigningKey};
use crate::sync::op::Change;
use crate::time_fmt;

/// What `signet signoff` asks for.
pub struct SignoffRequest<'a> {
    pub release: &'a str,
    /// Handle, e-mail or name of the approver.
    pub person: &'a str,
    pub role: &'a str,
    /// Sign although items are open; the reason goes into the report.
    pub override_reason: Option<&'a str>,
    pub actor: &'a str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SignoffOutcome {
    pub release: String,
    pub revision: u32,
    pub digest: String,
    /// True when this sign-off froze the release (the first approver).
    pub froze: bool,
    pub overridden: bool,
    /// Every approver of this revision so far, in signing order.
    pub signatures: Vec<Signature>,
}

/// A frozen revision as listed by `signet release revisions`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RevisionInfo {
    pub revision: u32,
    pub digest: String,
    pub frozen_at: String,
    pub frozen_by: String,
    pub override_reason: Option<String>,
    pub signers: Vec<String>,
}

struct RevisionRow {
    id: i64,
    revision: u32,
    payload: String,
    digest: String,
}

fn revision_row(
    conn: &Connection,
    release_id: i64,
    revision: Option<u32>,
) -> Result<Option<RevisionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, revision, payload, digest
         FROM report_revision WHERE release_id = ?1 AND (?2 IS NULL OR revision = ?2)
         ORDER BY revision DESC LIMIT 1",
    )?;
    Ok(stmt
        .query_row(params![release_id, revision], |r| {
            Ok(RevisionRow {
                id: r.get(0)?,
                revision: r.get(1)?,
                payload: r.get(2)?,
                digest: r.get(3)?,
            })
        })
        .optional()?)
}

pub(crate) fn signatures(conn: &Connection, revision_id: i64) -> Result<Vec<Signature>> {
    let mut stmt = conn.prepare_cached(
        "SELECT handle, name, role, signed_at, key_id, public_key, signature
         FROM signoff WHERE revision_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([revision_id], |r| {
        Ok(Signature {
            handle: r.get(0)?,
            name: r.get(1)?,
            role: r.get(2)?,
            signed_at: r.get(3)?,
            key_id: r.get(4)?,
            public_key: r.get(5)?,
            minisig: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every signature in the database: (release, revision, whether that
/// revision is the release's standing sign-off, signature).
pub(crate) fn all_signatures(conn: &Connection) -> Result<Vec<(String, u32, bool, Signature)>> {
    let mut stmt = conn.prepare(
        "SELECT r.name, rv.revision,
                r.status = 'signed_off' AND rv.revision =
                    (SELECT MAX(x.revision) FROM report_revision x WHERE x.release_id = r.id),
                s.handle, s.name, s.role, s.signed_at, s.key_id, s.public_key, s.signature
         FROM signoff s JOIN report_revision rv ON rv.id = s.revision_id
         JOIN release r ON r.id = rv.release_id ORDER BY s.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            Signature {
                handle: r.get(3)?,
                name: r.get(4)?,
                role: r.get(5)?,
                signed_at: r.get(6)?,
                key_id: r.get(7)?,
                public_key: r.get(8)?,
                minisig: r.get(9)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn check_role(role: &str) -> Result<&str> {
    let role = role.trim();
    if role.is_empty() {
        return Err(Error::Invalid(
            "a sign-off needs a role, e.g. --role \"Tech lead\"".into(),
        ));
    }
    if role.chars().any(char::is_control) {
        return Err(Error::Invalid("role contains control characters".into()));
    }
    Ok(role)
}

/// The approver's registered key must be the one on this machine, and not
/// revoked: a compromised key signs nothing more.
fn check_key(tx: &Transaction<'_>, person: &Person, key: &SigningKey) -> Result<()> {
    let revoked = super::keys::holders(tx, &key.public_key())?
        .into_iter()
        .find_map(|(_, _, r)| r);
    if let Some(r) = revoked {
        return Err(Error::Invalid(format!(
            "{}'s signing key {} was {r}; it signs nothing more — make a new one with `signet key rotate --as {}`",
            person.handle,
            key.key_id(),
            person.handle
        )));
    }
    match &person.public_key {
        None => Err(Error::Invalid(format!(
            "{} has no registered public key; run `signet key init --as {}`",
            person.handle, person.handle
        ))),
        Some(pk) if *pk != key.public_key() => Err(Error::Invalid(format!(
            "the signing key on this machine ({}) is not {}'s registered key ({})",
            key.key_id(),
            person.handle,
            person.key_id.as_deref().unwrap_or("?")
        ))),
        Some(_) => Ok(()),
    }
}

/// Whether the audit chain verifies, and its head hash.
fn chain_state(conn: &Connection) -> Result<(bool, String)> {
    match super::events::verify(conn) {
        Ok(a) => Ok((true, a.head)),
        Err(Error::AuditChain { .. }) => Ok((false, super::events::head(conn)?)),
        Err(e) => Err(e),
    }
}

/// The newest frozen revision of a release: its number and payload.
pub(crate) fn newest_payload(conn: &Connection, release_id: i64) -> Result<Option<(u32, String)>> {
    Ok(revision_row(conn, release_id, None)?.map(|r| (r.revision, r.payload)))
}

/// Each run's checklist description, by template id.
fn descriptions(
    conn: &Connection,
    view: &ReleaseView,
) -> Result<std::collections::BTreeMap<i64, String>> {
    let mut stmt = conn.prepare_cached("SELECT description FROM template WHERE id = ?1")?;
    let mut out = std::collections::BTreeMap::new();
    for run in &view.runs {
        let d: String = stmt.query_row([run.template.id], |r| r.get(0))?;
        out.insert(run.template.id, d);
    }
    Ok(out)
}

/// The report of a release's view, with its audit summary, the branding,
/// descriptions and owners' names, and what changed since `compare`.
fn report_of(
    conn: &Connection,
    view: &ReleaseView,
    chain: (bool, String),
    (revision, at): (u32, &str),
    override_: Option<Override>,
    compare: CompareWith<'_>,
) -> Result<Report> {
    // A synced release is summarised from its operations, which every
    // replica holds alike; the local audit chain differs from machine to
    // machine.
    let audit = match super::oplog::release_trail(conn, &view.release.name)? {
        Some((events, head)) => Audit::summarise(&events, chain.0, head),
        None => {
            let events = super::states::release_events(conn, view.release.id)?;
            Audit::summarise(&events, chain.0, chain.1)
        }
    };
    let extras = Extras {
        branding: Some(super::settings::branding(conn)?),
        descriptions: descriptions(conn, view)?,
        owners: crate::owners::Owners::new(people::all(conn)?),
    };
    let mut report = report_model::build_with(view, audit, revision, at, override_, &extras);
    report.comparison = comparison(conn, &view.release, &report, compare)?;
    Ok(report)
}

/// Freezes the release into a new revision; returns its row id, number and payload.
/// The override, if any, is the approver's: `approver` and `role` are who
/// signs and as what (the acting user may be someone else, e.g. a script).
fn freeze(
    tx: &Transaction<'_>,
    release: &Release,
    req: &SignoffRequest<'_>,
    (approver, role): (&Person, &str),
) -> Result<(i64, u32, String)> {
    let view = load_release(tx, &release.name)?;
    let verdict = crate::gate::open_items(&view);
    if view.runs.is_empty() {
        return Err(Error::Invalid(format!(
            "cannot sign off {}: no checklists are attached",
            release.name
        )));
    }
    let override_ = match req.override_reason.map(str::trim) {
        Some("") => {
            return Err(Error::Invalid(
                "--override needs a reason saying why open items are accepted".into(),
            ))
        }
        Some(reason) => Some(Override {
            by: approver.handle.clone(),
            by_name: Some(approver.name.clone()),
            open_items: verdict.clone(),
            reason: reason.to_string(),
            role: Some(role.to_string()),
        }),
        None if !verdict.is_empty() => {
            return Err(Error::SignoffRefused {
                release: release.name.clone(),
                open: verdict.len(),
                total: view.progress.total,
                items: verdict,
            })
        }
        None => None,
    };
    // A broken audit chain means the history cannot be vouched for.
    let chain = super::events::verify(tx)?;
    let revision: u32 = tx.query_row(
        "SELECT COALESCE(MAX(revision), 0) + 1 FROM report_revision WHERE release_id = ?1",
        [release.id],
        |r| r.get(0),
    )?;
    let at = time_fmt::now();
    let report = report_of(
        tx,
        &view,
        (true, chain.head),
        (revision, &at),
        override_,
        CompareWith::Previous,
    )?;
    // A synced release's report names the head of its operations, not of
    // this machine's audit chain: the replay has no local head to compare.
    let synced = super::oplog::release_trail(tx, &release.name)?.is_some();
    let payload = String::from_utf8(report.canonical()?)
        .map_err(|e| Error::Invalid(format!("report is not UTF-8: {e}")))?;
    let digest = seal::digest(payload.as_bytes());
    tx.execute(
        "INSERT INTO report_revision (release_id, revision, payload, digest, frozen_at, frozen_by, override_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![release.id, revision, payload, digest, at, req.actor, req.override_reason.map(str::trim)],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE release SET status = 'signed_off' WHERE id = ?1",
        [release.id],
    )?;
    append(
        tx,
        NewEvent {
            actor: req.actor,
            action: if synced {
                "sync.freeze"
            } else {
                "release.freeze"
            },
            subject: &release.name,
            release_id: Some(release.id),
            field: Some("status"),
            old: Some(release.status.as_str()),
            new: Some(&format!("signed_off (revision {revision}, {digest})")),
            ..Default::default()
        },
    )?;
    if let Some(reason) = req.override_reason {
        append(
            tx,
            NewEvent {
                actor: req.actor,
                action: "signoff.override",
                subject: &release.name,
                release_id: Some(release.id),
                field: Some("reason"),
                new: Some(reason.trim()),
                ..Default::default()
            },
        )?;
    }
    Ok((id, revision, payload))
}

impl Store {
    /// Signs a release off. The first approver freezes it (refused while
    /// items are open, unless overridden); later approvers sign the same
    /// frozen snapshot.
    pub fn sign_off(
        &mut self,
        req: &SignoffRequest<'_>,
        key: &SigningKey,
    ) -> Result<SignoffOutcome> {
        let role = check_role(req.role)?;
        // A signature vouches for the database's state: never sign one that
        // was edited behind Signet's back.
        let (trail, _) = self.verify_trail()?;
        if !trail.ok {
            return Err(Error::Invalid(format!(
                "cannot sign off {}: the database fails its checks ({}); run `signet doctor`",
                req.release,
                trail.failures()
            )));
        }
        self.write(|tx| {
            let release = releases::resolve(tx, req.release)?;
            let person = people::resolve(tx, req.person)?;
            check_key(tx, &person, key)?;
            let (revision_id, revision, payload, froze) =
                if release.status == ReleaseStatus::SignedOff {
                    if req.override_reason.is_some() {
                        return Err(Error::Invalid(format!(
                            "{} is already frozen; later approvers sign the snapshot as it is (drop --override)",
                            release.name
                        )));
                    }
                    let row = revision_row(tx, release.id, None)?.ok_or_else(|| {
                        Error::Invalid(format!("{} is signed off but has no revision", release.name))
                    })?;
                    (row.id, row.revision, row.payload, false)
                } else {
                    let (id, n, payload) = freeze(tx, &release, req, (&person, role))?;
                    (id, n, payload, true)
                };
            let already: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM signoff WHERE revision_id = ?1 AND person_id = ?2)",
                params![revision_id, person.id],
                |r| r.get(0),
            )?;
            if already {
                return Err(Error::AlreadyExists {
                    what: "sign-off",
                    name: format!("{} on {} revision {revision}", person.handle, release.name),
                });
            }
            let signed_at = time_fmt::now();
            let sig = key.sign(
                payload.as_bytes(),
                &release.name,
                revision,
                (&person.handle, &person.name),
                role,
                &signed_at,
            )?;
            tx.execute(
                "INSERT INTO signoff (revision_id, person_id, handle, name, role, signed_at, key_id, public_key, signature)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![revision_id, person.id, sig.handle, sig.name, sig.role, sig.signed_at, sig.key_id, sig.public_key, sig.minisig],
            )?;
            append(
                tx,
                NewEvent {
                    actor: req.actor,
                    action: "signoff",
                    subject: &release.name,
                    release_id: Some(release.id),
                    field: Some("approver"),
                    new: Some(&format!("{} ({role}) signed revision {revision}", person.handle)),
                    ..Default::default()
                },
            )?;
            let digest = seal::digest(payload.as_bytes());
            if froze {
                let frozen_at: String = tx.query_row(
                    "SELECT frozen_at FROM report_revision WHERE id = ?1",
                    [revision_id],
                    |r| r.get(0),
                )?;
                super::oplog::record_at(
                    tx,
                    req.actor,
                    &frozen_at,
                    Change::Freeze {
                        digest: digest.clone(),
                        frozen_by: req.actor.to_string(),
                        override_reason: req.override_reason.map(|r| r.trim().to_string()),
                        payload: payload.clone(),
                        release: release.name.clone(),
                        revision,
                    },
                )?;
            }
            super::oplog::record_at(
                tx,
                req.actor,
                &sig.signed_at,
                Change::Sign {
                    digest,
                    handle: sig.handle.clone(),
                    key_id: sig.key_id.clone(),
                    minisig: sig.minisig.clone(),
                    name: sig.name.clone(),
                    public_key: sig.public_key.clone(),
                    release: release.name.clone(),
                    revision,
                    role: sig.role.clone(),
                    signed_at: sig.signed_at.clone(),
                },
            )?;
            Ok(SignoffOutcome {
                release: release.name.clone(),
                revision,
                digest: seal::digest(payload.as_bytes()),
                froze,
                overridden: req.override_reason.is_some() && froze,
                signatures: signatures(tx, revision_id)?,
            })
        })
    }

    /// Makes a signed-off release writable again. Its revisions stay as
    /// they are; the next sign-off freezes a new one.
    pub fn reopen(&mut self, release: &str, reason: &str, actor: &str) -> Result<Release> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid(
                "reopening needs a reason, e.g. --reason \"hotfix 2.4.1 goes in\"".into(),
            ));
        }
        self.write(|tx| {
            let r = reopen_in(tx, release, reason, actor)?;
            super::oplog::record(
                tx,
                actor,
                Change::Reopen {
                    reason: reason.to_string(),
                    release: r.name.clone(),
                },
            )?;
            Ok(r)
        })
    }

    pub fn revisions(&self, release: &str) -> Result<Vec<RevisionInfo>> {
        let r = releases::resolve(self.conn(), release)?;
        let mut stmt = self.conn().prepare(
            "SELECT rv.revision, rv.digest, rv.frozen_at, rv.frozen_by, rv.override_reason,
                    (SELECT group_concat(s.handle, ', ') FROM signoff s WHERE s.revision_id = rv.id)
             FROM report_revision rv WHERE rv.release_id = ?1 ORDER BY rv.revision",
        )?;
        let rows = stmt.query_map([r.id], |r| {
            let signers: Option<String> = r.get(5)?;
            Ok(RevisionInfo {
                revision: r.get(0)?,
                digest: r.get(1)?,
                frozen_at: r.get(2)?,
                frozen_by: r.get(3)?,
                override_reason: r.get(4)?,
                signers: signers
                    .map(|s| s.split(", ").map(String::from).collect())
                    .unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The seal of a frozen revision (the newest when `revision` is None).
    pub fn seal(&self, release: &str, revision: Option<u32>) -> Result<Option<Seal>> {
        let r = releases::resolve(self.conn(), release)?;
        let Some(row) = revision_row(self.conn(), r.id, revision)? else {
            return match revision {
                Some(n) => Err(Error::NotFound {
                    what: "revision",
                    name: format!("{n} of {}", r.name),
                }),
                None => Ok(None),
            };
        };
        Ok(Some(Seal {
            signet_seal: seal::SEAL_VERSION,
            release: r.name.clone(),
            revision: row.revision,
            digest: row.digest,
            signatures: signatures(self.conn(), row.id)?,
            payload: row.payload,
        }))
    }

    /// The report to export: the newest frozen revision of a signed-off
    /// release (or the one asked for), else a draft of the release as it
    /// stands.
    pub fn report(&self, release: &str, revision: Option<u32>) -> Result<(Report, Option<Seal>)> {
        self.report_compared(release, revision, CompareWith::Previous)
    }

    /// [`Store::report`], compared with what `compare` says instead of the
    /// previous release. A signed report carries the comparison it was
    /// signed with: asking it for another, or for none, is refused, since
    /// what it would say was not signed.
    pub fn report_compared(
        &self,
        release: &str,
        revision: Option<u32>,
        compare: CompareWith<'_>,
    ) -> Result<(Report, Option<Seal>)> {
        let r = releases::resolve(self.conn(), release)?;
        if revision.is_some() || r.status == ReleaseStatus::SignedOff {
            if let Some(seal) = self.seal(release, revision)? {
                let report = Report::from_json(seal.payload.as_bytes())?;
                let signed = report.comparison.as_ref().map(|c| c.base.as_str());
                let with = match signed {
                    Some(base) => format!("with its comparison against {base}"),
                    None => "without a comparison".to_string(),
                };
                let refused = |asked: String| {
                    Error::Invalid(format!(
                        "{} revision {} was signed {with}; {asked} would not be signed. Export it as it was signed, or reopen {} and sign it again",
                        r.name, report.revision, r.name
                    ))
                };
                match compare {
                    CompareWith::Previous => {}
                    CompareWith::Nothing if signed.is_some() => {
                        return Err(refused("the report without it".into()))
                    }
                    CompareWith::Nothing => {}
                    CompareWith::Release(wanted) => {
                        let wanted = releases::resolve(self.conn(), wanted)?;
                        if signed != Some(wanted.name.as_str()) {
                            return Err(refused(format!("a comparison against {}", wanted.name)));
                        }
                    }
                }
                return Ok((report, Some(seal)));
            }
        }
        let view = load_release(self.conn(), &r.name)?;
        let chain = chain_state(self.conn())?;
        let report = report_of(
            self.conn(),
            &view,
            chain,
            (0, &time_fmt::now()),
            None,
            compare,
        )?;
        Ok((report, None))
    }
}

/// Reopens a signed-off release in `tx` (see [`Store::reopen`]).
pub(crate) fn reopen_in(
    tx: &Transaction<'_>,
    release: &str,
    reason: &str,
    actor: &str,
) -> Result<Release> {
    let r = releases::resolve(tx, release)?;
    if r.status != ReleaseStatus::SignedOff {
        return Err(Error::Invalid(format!(
            "{} is not signed off (it is {}); there is nothing to reopen",
            r.name,
            r.status.as_str().replace('_', " ")
        )));
    }
    tx.execute(
        "UPDATE release SET status = 'reopened' WHERE id = ?1",
        [r.id],
    )?;
    append(
        tx,
        NewEvent {
            actor,
            action: "release.reopen",
            subject: &r.name,
            release_id: Some(r.id),
            field: Some("status"),
            old: Some("signed_off"),
            new: Some(&format!("reopened: {reason}")),
            ..Default::default()
        },
    )?;
    releases::resolve(tx, &r.name)
}

/// Stores a revision another replica froze, as it froze it: its payload is
/// what every signature covers. The same revision again changes nothing.
pub(crate) fn freeze_from(
    tx: &Transaction<'_>,
    release: &str,
    revision: u32,
    payload: &str,
    (at, frozen_by): (&str, &str),
    override_reason: Option<&str>,
) -> Result<()> {
    let r = releases::resolve(tx, release)?;
    let digest = seal::digest(payload.as_bytes());
    if let Some(row) = revision_row(tx, r.id, Some(revision))? {
        if row.digest == digest {
            return Ok(());
        }
        return Err(Error::Invalid(format!(
            "{release} revision {revision} was frozen differently on this machine ({}); both sign-offs stay where they were made",
            &row.digest[..12]
        )));
    }
    tx.execute(
        "INSERT INTO report_revision (release_id, revision, payload, digest, frozen_at, frozen_by, override_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![r.id, revision, payload, digest, at, frozen_by, override_reason],
    )?;
    tx.execute(
        "UPDATE release SET status = 'signed_off' WHERE id = ?1",
        [r.id],
    )?;
    append(
        tx,
        NewEvent {
            actor: frozen_by,
            // Not "release.freeze": the payload's audit head is the chain
            // of the machine that froze it, not this one's.
            action: "sync.freeze",
            subject: &r.name,
            release_id: Some(r.id),
            field: Some("status"),
            old: Some(r.status.as_str()),
            new: Some(&format!("signed_off (revision {revision}, {digest})")),
            ..Default::default()
        },
    )?;
    if let Some(reason) = override_reason {
        append(
            tx,
            NewEvent {
                actor: frozen_by,
                action: "signoff.override",
                subject: &r.name,
                release_id: Some(r.id),
                field: Some("reason"),
                new: Some(reason),
                ..Default::default()
            },
        )?;
    }
    Ok(())
}

/// Adds an approver's signature made on another replica, once it verifies
/// over the stored revision with a key registered for the approver.
pub(crate) fn sign_from(
    tx: &Transaction<'_>,
    release: &str,
    revision: u32,
    digest: &str,
    sig: &Signature,
) -> Result<()> {
    let r = releases::resolve(tx, release)?;
    let row = revision_row(tx, r.id, Some(revision))?
        .filter(|row| row.digest == digest)
        .ok_or_else(|| {
            Error::Invalid(format!(
                "{release} revision {revision} with digest {} is not here",
                &digest[..digest.len().min(12)]
            ))
        })?;
    sig.check(row.payload.as_bytes(), digest, &r.name, revision)
        .map_err(|why| Error::Invalid(format!("signature refused: {why}")))?;
    let person = people::resolve(tx, &sig.handle)?;
    let registered = super::keys::holders(tx, &sig.public_key)?
        .iter()
        .any(|(id, _, _)| *id == person.id);
    if !registered {
        return Err(Error::Invalid(format!(
            "key {} is not registered for {}",
            sig.key_id, sig.handle
        )));
    }
    let already: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM signoff WHERE revision_id = ?1 AND person_id = ?2)",
        params![row.id, person.id],
        |r| r.get(0),
    )?;
    if already {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO signoff (revision_id, person_id, handle, name, role, signed_at, key_id, public_key, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![row.id, person.id, sig.handle, sig.name, sig.role, sig.signed_at, sig.key_id, sig.public_key, sig.minisig],
    )?;
    append(
        tx,
        NewEvent {
            actor: &sig.handle,
            action: "signoff",
            subject: &r.name,
            release_id: Some(r.id),
            field: Some("approver"),
            new: Some(&format!(
                "{} ({}) signed revision {revision}",
                sig.handle, sig.role
            )),
            ..Default::default()
        },
    )?;
    Ok(())
}
