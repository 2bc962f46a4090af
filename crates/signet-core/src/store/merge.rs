//! Merging operations that came from other devices (docs/SYNC.md).
//!
//! Structural changes (templates, people, releases, runs, sign-offs) are
//! applied once, idempotently, through the same code a local change runs.
//! An item's state is not applied change by change: it is *folded* from all
//! of the item's operations in total order (lamport, device, seq), so every
//! replica that holds the same operations shows the same state, whatever
//! order they arrived in. The fold writes only the difference to the
//! tables, with audit events that replay to it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rusqlite::{params, OptionalExtension, Transaction};

use super::events::{append, NewEvent};
use super::oplog::{self, Device, Held};
use super::{people, releases, runs, signoffs, templates, Store};
use crate::error::{Error, Result};
use crate::import::{import_bytes, ImportOptions};
use crate::model::{ReleaseStatus, Status};
use crate::sync::op::{Change, Op};

/// One device's chain as a remote shows it, its batches already checked
/// against the device's signature.
pub struct Incoming {
    pub device: Device,
    pub batches: Vec<InBatch>,
}

pub struct InBatch {
    pub first: u64,
    pub last: u64,
    pub blob: String,
    pub ops: Vec<Held>,
}

/// What a merge did, for the person who ran sync.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Merged {
    /// Operations new to this replica.
    pub received: usize,
    /// One line per change that came in, oldest first.
    pub changes: Vec<String>,
    /// Changes kept in the log but not applied, and why.
    pub held: Vec<String>,
    /// Items whose field two people changed concurrently.
    pub conflicts: Vec<String>,
    /// Devices whose chain was refused, and why (nothing of them applied).
    pub refused: Vec<String>,
    /// The ids of those devices.
    pub refused_devices: BTreeSet<String>,
}

/// The start of a device chain, as this replica already holds it.
fn check_chain(tx: &Transaction<'_>, inc: &Incoming) -> Result<Vec<usize>, String> {
    let d = &inc.device;
    let name = format!("device {} ({})", d.id, d.owner);
    match oplog::device(tx, &d.id).map_err(|e| e.to_string())? {
        Some(known) if known.owner != d.owner || known.public_key != d.public_key => {
            return Err(format!(
                "{name} now claims owner {} — it was {}'s; its history was rewritten",
                d.owner, known.owner
            ))
        }
        Some(known) if known.is_self => {
            return Err(format!(
                "{name} is this database's own device, but the remote holds changes for it that this database did not make"
            ))
        }
        _ => {}
    }
    let held = oplog::batches(tx, &d.id).map_err(|e| e.to_string())?;
    let by_first: BTreeMap<u64, &InBatch> = inc.batches.iter().map(|b| (b.first, b)).collect();
    for (first, (last, blob)) in &held {
        match by_first.get(first) {
            Some(b) if b.blob == *blob && b.last == *last => {}
            Some(_) => {
                return Err(format!(
                    "{name}: the remote's changes {first}–{last} differ from the ones this replica accepted; its history was rewritten"
                ))
            }
            None => {
                return Err(format!(
                    "{name}: the remote dropped changes {first}–{last} this replica accepted; its history was rewritten"
                ))
            }
        }
    }
    let mut next = held.values().map(|(l, _)| l + 1).max().unwrap_or(1);
    let mut new = Vec::new();
    for (i, b) in inc.batches.iter().enumerate() {
        if held.contains_key(&b.first) {
            continue;
        }
        if b.first != next || b.last < b.first || b.ops.len() as u64 != b.last - b.first + 1 {
            return Err(format!(
                "{name}: changes {}–{} do not follow on from {} without a gap",
                b.first,
                b.last,
                next - 1
            ));
        }
        for (k, h) in b.ops.iter().enumerate() {
            let op = &h.op;
            if op.device != d.id || op.seq != b.first + k as u64 {
                return Err(format!(
                    "{name}: change {} is filed under the wrong device or number",
                    b.first + k as u64
                ));
            }
            if op.author != d.owner {
                return Err(format!(
                    "{name} acts for {} but change {} claims to be by {}; refused",
                    d.owner, op.seq, op.author
                ));
            }
            if op.seen.get(&d.id).copied().unwrap_or(0) + 1 != op.seq {
                return Err(format!(
                    "{name}: change {} does not build on the device's change before it",
                    op.seq
                ));
            }
        }
        next = b.last + 1;
        new.push(i);
    }
    Ok(new)
}

impl Store {
    /// Accepts what other devices published: checks each chain against what
    /// this replica already holds (a rewritten history is refused, naming
    /// the device), stores the new operations and applies them — all in one
    /// transaction.
    /// `trusted` pins people's public keys (handle → key) for a replica
    /// that knows nobody yet, such as a CI job's fresh database.
    pub fn merge(
        &mut self,
        incoming: &[Incoming],
        trusted: &BTreeMap<String, String>,
    ) -> Result<Merged> {
        self.write(|tx| merge_in(tx, incoming, trusted))
    }
}

/// Which new devices may act for their owner: a device is vouched for by
/// its owner's signing key, and that key must be the owner's here — the
/// key registered (or pinned) for them, or a key a device already trusted
/// for them registers in this merge (a rotation). For a person this replica
/// has no key for, the first key is trusted — unless devices claim them
/// with unrelated keys: then none is, since nothing here can tell the
/// impostor (refused, naming the keys; pin the real key to settle it).
fn owner_refusals(
    tx: &Transaction<'_>,
    incoming: &[Incoming],
    trusted: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut owners: BTreeMap<&str, Vec<&Incoming>> = BTreeMap::new();
    for inc in incoming {
        if oplog::device(tx, &inc.device.id)?.is_none() {
            owners.entry(&inc.device.owner).or_default().push(inc);
        }
    }
    // Keys each chain registers for its own owner: (owner key of the
    // registering device, key registered).
    let rotations = |owner: &str| -> Vec<(String, String)> {
        incoming
            .iter()
            .filter(|i| i.device.owner == owner)
            .flat_map(|i| {
                i.batches.iter().flat_map(move |b| {
                    b.ops.iter().filter_map(move |h| match &h.op.change {
                        crate::sync::op::Change::PersonKey { handle, public_key }
                            if *handle == owner && h.op.author == owner =>
                        {
                            Some((i.device.owner_key.clone(), public_key.clone()))
                        }
                        _ => None,
                    })
                })
            })
            .collect()
    };
    for (owner, devices) in owners {
        let person = people::resolve(tx, owner)
            .ok()
            .filter(|p| p.handle == owner);
        let mut good: BTreeSet<String> = BTreeSet::new();
        if let Some(p) = &person {
            let mut stmt = tx.prepare_cached(
                "SELECT public_key FROM person_key WHERE person_id = ?1 AND revoked_from IS NULL",
            )?;
            let keys = stmt
                .query_map([p.id], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            good.extend(keys);
        }
        if let Some(k) = trusted.get(owner) {
            good = BTreeSet::from([k.clone()]);
        }
        let links = rotations(owner);
        let claimed: BTreeSet<&str> = devices
            .iter()
            .map(|d| d.device.owner_key.as_str())
            .collect();
        let pinned = !good.is_empty();
        if !pinned && claimed.len() == 1 {
            // Trust on first use, when every claim names the same key.
            good.extend(claimed.iter().map(|k| k.to_string()));
        }
        loop {
            let more: Vec<String> = links
                .iter()
                .filter(|(from, to)| good.contains(from) && !good.contains(to))
                .map(|(_, to)| to.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            good.extend(more);
        }
        let unrelated = claimed.len() > 1;
        for d in devices {
            let key = &d.device.owner_key;
            let why = if !good.contains(key) && pinned {
                Some(format!(
                    "device {} claims to act for {owner}, vouched for by key {}, which is not {owner}'s key here; refused as an impostor",
                    d.device.id,
                    super::keys::key_id(key)
                ))
            } else if unrelated && !pinned {
                Some(format!(
                    "device {} claims to act for {owner} with key {}, and other devices claim {owner} with other keys ({}); \
                     none is trusted until {owner}'s real key is known here (sync --trust {owner}=FILE.pub)",
                    d.device.id,
                    super::keys::key_id(key),
                    claimed
                        .iter()
                        .filter(|k| *k != key)
                        .map(|k| super::keys::key_id(k))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            } else {
                None
            };
            if let Some(why) = why {
                out.insert(d.device.id.clone(), why);
            }
        }
    }
    Ok(out)
}

fn merge_in(
    tx: &Transaction<'_>,
    incoming: &[Incoming],
    trusted: &BTreeMap<String, String>,
) -> Result<Merged> {
    let mut out = Merged::default();
    let mut candidates: Vec<(&Incoming, Vec<&InBatch>)> = Vec::new();
    let impostors = owner_refusals(tx, incoming, trusted)?;
    for inc in incoming {
        let why = match impostors.get(&inc.device.id) {
            Some(why) => why.clone(),
            None => match check_chain(tx, inc) {
                Ok(new) if new.is_empty() => continue,
                Ok(new) => {
                    candidates.push((inc, new.iter().map(|i| &inc.batches[*i]).collect()));
                    continue;
                }
                Err(why) => why,
            },
        };
        out.refused.push(why);
        out.refused_devices.insert(inc.device.id.clone());
    }
    // Causal delivery: a change applies only with everything its author had
    // seen. A batch waits (whole, with the device's later ones) until the
    // remote has what it builds on.
    let mut have = oplog::seen(tx)?;
    let mut accepted: Vec<(&Incoming, Vec<&InBatch>)> = Vec::new();
    loop {
        let mut progress = false;
        for (inc, batches) in candidates.iter_mut() {
            while let Some(b) = batches.first() {
                let ready = b.ops.iter().all(|h| {
                    h.op.seen.iter().all(|(dev, seq)| {
                        *dev == h.op.device || have.get(dev).copied().unwrap_or(0) >= *seq
                    })
                });
                if !ready {
                    break;
                }
                have.insert(inc.device.id.clone(), b.last);
                match accepted
                    .iter_mut()
                    .find(|(i, _)| i.device.id == inc.device.id)
                {
                    Some((_, list)) => list.push(b),
                    None => accepted.push((inc, vec![*b])),
                }
                batches.remove(0);
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    for (inc, batches) in &candidates {
        if let Some(b) = batches.first() {
            out.held.push(format!(
                "device {} ({}): changes from {} on wait: they build on changes this replica does not have (the remote lacks them, or they are a refused device's)",
                inc.device.id, inc.device.owner, b.first
            ));
        }
    }
    let mut new_ops: Vec<&Held> = Vec::new();
    for (inc, batches) in &accepted {
        if oplog::device(tx, &inc.device.id)?.is_none() {
            oplog::add_device(tx, &inc.device)?;
        }
        for b in batches {
            for h in &b.ops {
                if oplog::has(tx, &h.id)? {
                    return Err(Error::Invalid(format!(
                        "device {}: change {} repeats a change already held",
                        inc.device.id, h.op.seq
                    )));
                }
                oplog::insert(tx, &h.op, &h.bytes, Some(b.first))?;
                new_ops.push(h);
            }
            oplog::add_batch(tx, &inc.device.id, b.first, b.last, &b.blob)?;
        }
    }
    new_ops.sort_by(|a, b| a.op.order().cmp(&b.op.order()));
    out.received = new_ops.len();
    let mut folder = Folder {
        new: new_ops.iter().map(|h| h.id.clone()).collect(),
        ..Default::default()
    };
    for h in new_ops {
        apply(tx, &h.op, &mut folder, &mut out)?;
    }
    folder.finish(tx, &mut out)?;
    Ok(out)
}

/// Items (and whole releases) whose state must be folded again.
#[derive(Default)]
struct Folder {
    items: BTreeSet<(String, String, String)>,
    releases: BTreeSet<String>,
    /// Ids of the operations this merge brought: what it reports.
    new: HashSet<String>,
}

/// An item's outline number in its release, for messages.
fn item_number(tx: &Transaction<'_>, release: &str, template: &str, key: &str) -> Option<String> {
    tx.query_row(
        "SELECT i.number FROM release l JOIN run r ON r.release_id = l.id
         JOIN template t ON t.id = r.template_id JOIN item i ON i.template_id = t.id
         WHERE l.name = ?1 AND t.slug = ?2 AND i.key = ?3",
        params![release, template, key],
        |r| r.get(0),
    )
    .ok()
}

/// One line saying what a change did, items named by their number when
/// this replica has the item.
fn describe(tx: &Transaction<'_>, op: &Op) -> String {
    let who = op.actor();
    match &op.change {
        Change::TemplateImport { source, .. } => format!("{who} imported {source}"),
        Change::PersonAdd { handle, name, .. } => format!("{who} added {name} ({handle})"),
        Change::PersonKey { handle, public_key } => format!(
            "{who} registered {handle}'s key {}",
            super::keys::key_id(public_key)
        ),
        Change::ReleaseCreate { name, .. } => format!("{who} created release {name}"),
        Change::RunAdd {
            release, template, ..
        } => format!("{who} attached {template} to {release}"),
        Change::RunUpgrade {
            release, template, ..
        } => format!("{who} upgraded {template} in {release}"),
        Change::ItemSet {
            release,
            template,
            key,
            status,
            owner,
            note,
            evidence,
            ..
        } => {
            let mut what = Vec::new();
            if let Some(s) = status {
                what.push(format!("status {s}"));
            }
            if let Some(o) = owner {
                what.push(format!("owner {}", if o.is_empty() { "—" } else { o }));
            }
            if note.is_some() {
                what.push("a note".into());
            }
            if !evidence.is_empty() {
                what.push(format!("{} evidence", evidence.len()));
            }
            let number = item_number(tx, release, template, key);
            format!(
                "{who} set {} on {release}/{template}:{}",
                what.join(", "),
                number.as_deref().unwrap_or(key)
            )
        }
        Change::Freeze {
            release, revision, ..
        } => format!("{who} froze {release} revision {revision}"),
        Change::Sign {
            release,
            revision,
            handle,
            role,
            ..
        } => format!("{handle} ({role}) signed {release} revision {revision}"),
        Change::Reopen { release, reason } => format!("{who} reopened {release}: {reason}"),
        Change::KeyRevoke {
            public_key, reason, ..
        } => format!(
            "{who} revoked key {}: {reason}",
            super::keys::key_id(public_key)
        ),
    }
}

fn template_by_hash(
    tx: &Transaction<'_>,
    slug: &str,
    content_hash: &str,
) -> Result<Option<crate::model::TemplateInfo>> {
    let version: Option<i64> = tx
        .query_row(
            "SELECT version FROM template WHERE slug = ?1 AND content_hash = ?2",
            params![slug, content_hash],
            |r| r.get(0),
        )
        .optional()?;
    version
        .map(|v| templates::resolve(tx, &format!("{slug}@{v}")))
        .transpose()
}

fn apply(tx: &Transaction<'_>, op: &Op, folder: &mut Folder, out: &mut Merged) -> Result<()> {
    let actor = op.actor();
    let line = describe(tx, op);
    // A change that cannot apply here is kept in the log and said; it never
    // fails the merge of everything else.
    let skipped = |why: String| format!("{line}: {why}");
    match &op.change {
        Change::TemplateImport {
            content_hash,
            markdown,
            source,
        } => {
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM template WHERE content_hash = ?1)",
                [content_hash],
                |r| r.get(0),
            )?;
            if !exists {
                let opts = ImportOptions {
                    max_size: u64::MAX,
                    ..Default::default()
                };
                match import_bytes(source, markdown.as_bytes().to_vec(), &opts) {
                    Ok(imp) if imp.content_hash == *content_hash => {
                        templates::import_in(tx, &imp, (actor, &op.at))?;
                    }
                    Ok(_) => out.held.push(skipped(
                        "its markdown does not match its content hash".into(),
                    )),
                    Err(e) => out.held.push(skipped(e.to_string())),
                }
            }
        }
        Change::PersonAdd {
            email,
            handle,
            name,
        } => {
            let known: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM person WHERE handle = ?1)",
                [handle],
                |r| r.get(0),
            )?;
            if !known {
                if let Err(e) =
                    people::add_person_in(tx, name, email.as_deref(), handle, (actor, &op.at))
                {
                    out.held.push(skipped(e.to_string()));
                }
            }
        }
        Change::PersonKey { handle, public_key } => {
            // A person rotates their own key; someone else (a lead's
            // carried-over history) registers a key only for a person who
            // has none here yet.
            let own = op.author == *handle;
            let theirs = people::resolve(tx, handle)
                .ok()
                .filter(|p| p.handle == *handle)
                .and_then(|p| p.public_key);
            match theirs {
                Some(k) if k == *public_key => {}
                Some(k) if !own => out.held.push(skipped(format!(
                    "{handle} already has key {} here; only {handle} replaces it",
                    super::keys::key_id(&k)
                ))),
                _ => {
                    if let Err(e) = people::register_key_in(tx, handle, public_key, actor, own) {
                        out.held.push(skipped(e.to_string()));
                    }
                }
            }
        }
        Change::ReleaseCreate { due, name } => {
            if releases::resolve(tx, name).is_err() {
                releases::create_release_in(tx, name, due.as_deref(), (actor, &op.at))?;
            }
        }
        Change::RunAdd {
            content_hash,
            fresh,
            release,
            template,
        } => {
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM run r JOIN release l ON l.id = r.release_id
                 JOIN template t ON t.id = r.template_id WHERE l.name = ?1 AND t.slug = ?2)",
                params![release, template],
                |r| r.get(0),
            )?;
            if !exists {
                match template_by_hash(tx, template, content_hash)? {
                    Some(t) => {
                        let name = format!("{}@{}", t.slug, t.version);
                        match runs::add_run_in(tx, release, &name, *fresh, (actor, &op.at)) {
                            Ok(_) => {
                                folder.releases.insert(release.clone());
                            }
                            Err(e) => out.held.push(skipped(e.to_string())),
                        }
                    }
                    None => out
                        .held
                        .push(skipped("its template version is missing".into())),
                }
            }
        }
        Change::RunUpgrade {
            content_hash,
            pairs,
            release,
            template,
        } => match template_by_hash(tx, template, content_hash)? {
            Some(t) => match runs::upgrade_run_in(tx, release, &t, (actor, &op.at), Some(pairs)) {
                Ok(_) => {
                    folder.releases.insert(release.clone());
                }
                Err(e) => out.held.push(skipped(e.to_string())),
            },
            None => out
                .held
                .push(skipped("its template version is missing".into())),
        },
        Change::ItemSet {
            release,
            template,
            key,
            ..
        } => {
            folder
                .items
                .insert((release.clone(), template.clone(), key.clone()));
        }
        Change::Freeze {
            digest,
            frozen_by,
            override_reason,
            payload,
            release,
            revision,
        } => {
            if crate::seal::digest(payload.as_bytes()) != *digest {
                out.held
                    .push(skipped("its report does not match its digest".into()));
            } else if let Err(e) = signoffs::freeze_from(
                tx,
                release,
                *revision,
                payload,
                (&op.at, frozen_by),
                override_reason.as_deref(),
            ) {
                out.held.push(skipped(e.to_string()));
            } else {
                folder.releases.insert(release.clone());
            }
        }
        Change::Sign {
            digest,
            handle,
            key_id,
            minisig,
            name,
            public_key,
            release,
            revision,
            role,
            signed_at,
        } => {
            let sig = crate::seal::Signature {
                handle: handle.clone(),
                name: name.clone(),
                role: role.clone(),
                signed_at: signed_at.clone(),
                key_id: key_id.clone(),
                public_key: public_key.clone(),
                minisig: minisig.clone(),
            };
            // The approver's own key signed it: any replica may relay it.
            if let Err(e) = signoffs::sign_from(tx, release, *revision, digest, &sig) {
                out.held.push(skipped(e.to_string()));
            }
        }
        Change::KeyRevoke {
            from,
            public_key,
            reason,
        } => {
            let done = super::keys::holders(tx, public_key)?
                .iter()
                .any(|h| h.2.is_some());
            if !done {
                if let Err(e) = super::keys::revoke_in(tx, public_key, (from, reason), actor) {
                    out.held.push(skipped(e.to_string()));
                }
            }
        }
        Change::Reopen { reason, release } => {
            let r = releases::resolve(tx, release)?;
            if r.status == ReleaseStatus::SignedOff {
                signoffs::reopen_in(tx, release, reason, actor)?;
                folder.releases.insert(release.clone());
            }
        }
    }
    out.changes.push(line);
    Ok(())
}

impl Folder {
    fn finish(self, tx: &Transaction<'_>, out: &mut Merged) -> Result<()> {
        let mut items = self.items;
        for release in &self.releases {
            let mut stmt = tx.prepare_cached(
                "SELECT DISTINCT template, item_key FROM op WHERE release = ?1 AND kind = 'item_set'",
            )?;
            let rows = stmt
                .query_map([release], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (t, k) in rows {
                items.insert((release.clone(), t, k));
            }
        }
        let items = continuing(tx, items)?;
        let mut fences: HashMap<String, Fences> = HashMap::new();
        for (release, template, key) in &items {
            if !fences.contains_key(release) {
                fences.insert(release.clone(), Fences::load(tx, release)?);
            }
            let f = &fences[release];
            fold_item(tx, (release, template, key), (f, &self.new), out)?;
        }
        Ok(())
    }
}

/// The items of the runs now that take in operations recorded under these
/// keys: the same key, or the items an upgrade paired them with.
fn continuing(
    conn: &rusqlite::Connection,
    recorded: BTreeSet<(String, String, String)>,
) -> Result<BTreeSet<(String, String, String)>> {
    let mut out = BTreeSet::new();
    for (release, template, key) in recorded {
        for k in oplog::current_keys(conn, &release, &template, &key)? {
            out.insert((release.clone(), template.clone(), k));
        }
    }
    Ok(out)
}

/// A release's freezes and reopenings: which item changes a sign-off left
/// out (docs/SYNC.md, invariant 5).
struct Fences {
    freezes: Vec<Held>,
    reopens: Vec<Op>,
}

impl Fences {
    fn load(tx: &Transaction<'_>, release: &str) -> Result<Fences> {
        let ops = oplog::release_ops(tx, release, &["freeze", "reopen"])?;
        let (freezes, reopens): (Vec<Held>, Vec<Held>) = ops
            .into_iter()
            .partition(|h| h.op.change.kind() == "freeze");
        Ok(Fences {
            freezes,
            reopens: reopens.into_iter().map(|h| h.op).collect(),
        })
    }

    /// A change a sign-off did not see, made before its author saw that
    /// sign-off reopened, stays out of the frozen release.
    fn holds(&self, op: &Op) -> Option<&Held> {
        self.freezes.iter().find(|f| {
            !op.is_seen_by(&f.op.seen)
                && !self
                    .reopens
                    .iter()
                    .any(|r| f.op.is_seen_by(&r.seen) && r.is_seen_by(&op.seen))
        })
    }
}

/// An item's state as its operations make it.
#[derive(Debug, Clone, PartialEq)]
struct Folded {
    status: String,
    reason: Option<String>,
    owner: Option<String>,
    notes: String,
    /// (target, added by, added at), in the order they were added.
    evidence: Vec<(String, String, String)>,
    touched: Option<(String, String)>,
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn fold_item(
    tx: &Transaction<'_>,
    (release, template, key): (&str, &str, &str),
    (fences, new): (&Fences, &HashSet<String>),
    out: &mut Merged,
) -> Result<Option<String>> {
    let found: Option<(i64, i64, i64, String)> = tx
        .query_row(
            "SELECT l.id, r.id, i.id, t.source_name FROM release l
             JOIN run r ON r.release_id = l.id JOIN template t ON t.id = r.template_id
             JOIN item i ON i.template_id = t.id
             WHERE l.name = ?1 AND t.slug = ?2 AND i.key = ?3",
            params![release, template, key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((release_id, run_id, item_id, source_name)) = found else {
        return Ok(None);
    };
    let source = runs::source_actor(&source_name);
    let (status, owner, reason, notes, number): (
        String,
        Option<String>,
        Option<String>,
        String,
        String,
    ) = tx.query_row(
        "SELECT s.status, s.owner, s.reason, s.notes, i.number FROM item_state s
             JOIN item i ON i.id = s.item_id WHERE s.run_id = ?1 AND s.item_id = ?2",
        params![run_id, item_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    let start = runs::start_state(tx, run_id, item_id)?;
    let mut f = Folded {
        status: start.status,
        reason: start.reason,
        owner: start.owner,
        notes: String::new(),
        evidence: Vec::new(),
        touched: None,
    };
    let subject = format!("{release}/{template}:{number}");
    let mut status_ops: Vec<&Op> = Vec::new();
    let mut owner_ops: Vec<&Op> = Vec::new();
    // Changes that came in and did not take: said in the item's history.
    // (operation, action, field, value)
    let mut noted: Vec<(&Op, &str, &str, String)> = Vec::new();
    let ops = oplog::item_ops(tx, release, template, key)?;
    let arrived: HashSet<(&str, u64)> = ops
        .iter()
        .filter(|h| new.contains(&h.id))
        .map(|h| (h.op.device.as_str(), h.op.seq))
        .collect();
    for h in &ops {
        let op = &h.op;
        if let Some(freeze) = fences.holds(op) {
            let news = new.contains(&h.id) || new.contains(&freeze.id);
            if let (true, Change::Freeze { revision, .. }) = (news, &freeze.op.change) {
                let line = format!(
                    "{release} revision {revision} was signed off without it; kept in history, not applied"
                );
                out.held.push(format!("{}: {line}", describe(tx, op)));
                if let Change::ItemSet {
                    status,
                    owner,
                    reason,
                    note,
                    evidence,
                    ..
                } = &op.change
                {
                    let fields = [
                        ("status", status.clone()),
                        ("reason", reason.clone()),
                        ("owner", owner.clone()),
                        ("note", note.clone()),
                    ];
                    for (field, v) in fields {
                        if let Some(v) = v {
                            noted.push((op, "sync.held", field, v));
                        }
                    }
                    for e in evidence {
                        noted.push((op, "sync.held", "evidence", e.clone()));
                    }
                }
            }
            continue;
        }
        let Change::ItemSet {
            evidence,
            note,
            owner,
            reason,
            status,
            ..
        } = &op.change
        else {
            continue;
        };
        if let Some(s) = status {
            f.status = s.clone();
            f.reason = reason.as_deref().and_then(non_empty);
            status_ops.push(op);
        } else if let Some(r) = reason {
            if f.status.parse::<Status>().is_ok_and(|s| s.needs_reason()) {
                f.reason = non_empty(r);
            }
        }
        if let Some(o) = owner {
            f.owner = non_empty(o);
            owner_ops.push(op);
        }
        if let Some(n) = note {
            if !f.notes.is_empty() {
                f.notes.push('\n');
            }
            f.notes.push_str(n);
        }
        for e in evidence {
            f.evidence
                .push((e.clone(), op.actor().to_string(), op.at.clone()));
        }
        f.touched = Some((op.at.clone(), op.actor().to_string()));
    }
    // Conflicts: the winner did not see a different value set beside it.
    tx.execute(
        "DELETE FROM conflict WHERE release = ?1 AND template = ?2 AND item_key = ?3",
        params![release, template, key],
    )?;
    let value = |op: &Op, field: &str| match &op.change {
        Change::ItemSet { status, owner, .. } => {
            if field == "status" {
                status.clone()
            } else {
                owner.clone()
            }
        }
        _ => None,
    };
    for (field, list) in [("status", &status_ops), ("owner", &owner_ops)] {
        let Some(winner) = list.last() else { continue };
        let won = value(winner, field).unwrap_or_default();
        let lost =
            list.iter().rev().skip(1).find(|o| {
                !o.is_seen_by(&winner.seen) && value(o, field).unwrap_or_default() != won
            });
        for o in list.iter().rev().skip(1) {
            let v = value(o, field).unwrap_or_default();
            if arrived.contains(&(o.device.as_str(), o.seq)) && v != won {
                let v = if v.is_empty() { "—".to_string() } else { v };
                noted.push((o, "sync.lost", field, v));
            }
        }
        if let Some(lost) = lost {
            let show = |op: &Op| {
                let v = value(op, field).unwrap_or_default();
                format!(
                    "{} by {} at {}",
                    if v.is_empty() { "—".into() } else { v },
                    op.actor(),
                    op.at
                )
            };
            tx.execute(
                "INSERT INTO conflict (release, template, item_key, field, kept, lost) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![release, template, key, field, show(winner), show(lost)],
            )?;
            out.conflicts.push(format!(
                "{subject} {field}: kept {}, also set concurrently: {}",
                show(winner),
                show(lost)
            ));
        }
    }
    if ops.is_empty() {
        return Ok(None);
    }
    for (op, action, field, value) in &noted {
        append(
            tx,
            NewEvent {
                actor: op.actor(),
                action,
                subject: &subject,
                release_id: Some(release_id),
                run_id: Some(run_id),
                item_id: Some(item_id),
                field: Some(field),
                old: None,
                new: Some(value),
            },
        )?;
    }
    // Every change held back: the item is as the run started it.
    let (at, by) = f.touched.clone().unwrap_or((start.at, start.by));
    let event = |actor: &str, field: &str, old: Option<&str>, new: Option<&str>| {
        append(
            tx,
            NewEvent {
                actor,
                action: if field == "status" {
                    "item.status"
                } else {
                    "item.update"
                },
                subject: &subject,
                release_id: Some(release_id),
                run_id: Some(run_id),
                item_id: Some(item_id),
                field: Some(field),
                old,
                new,
            },
        )
    };
    let status_by = status_ops.last().map(|o| o.actor()).unwrap_or(&by);
    let owner_by = owner_ops.last().map(|o| o.actor()).unwrap_or(&by);
    let mut last_actor: Option<String> = None;
    if f.status != status {
        event(status_by, "status", Some(&status), Some(&f.status))?;
        last_actor = Some(status_by.to_string());
    }
    if f.reason != reason {
        event(status_by, "reason", reason.as_deref(), f.reason.as_deref())?;
        last_actor = Some(status_by.to_string());
    }
    if f.owner != owner {
        event(owner_by, "owner", owner.as_deref(), f.owner.as_deref())?;
        last_actor = Some(owner_by.to_string());
    }
    if f.notes != notes {
        event(
            &by,
            "notes",
            non_empty(&notes).as_deref(),
            non_empty(&f.notes).as_deref(),
        )?;
        last_actor = Some(by.clone());
    }
    // Evidence: the item's own (not the source's) as a multiset.
    let mut have: Vec<(i64, String, String)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id, target, added_by FROM evidence WHERE run_id = ?1 AND item_id = ?2 AND added_by != ?3 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![run_id, item_id, source], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (target, adder, added_at) in &f.evidence {
        if let Some(i) = have.iter().position(|(_, t, b)| t == target && b == adder) {
            have.remove(i);
        } else {
            tx.execute(
                "INSERT INTO evidence (run_id, item_id, target, added_at, added_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![run_id, item_id, target, added_at, adder],
            )?;
            event(adder, "evidence", None, Some(target))?;
            last_actor = Some(adder.clone());
        }
    }
    for (id, target, adder) in have {
        tx.execute("DELETE FROM evidence WHERE id = ?1", [id])?;
        event(&adder, "evidence_removed", Some(&target), None)?;
        last_actor = Some(adder);
    }
    let (old_at, old_by): (String, String) = tx.query_row(
        "SELECT updated_at, updated_by FROM item_state WHERE run_id = ?1 AND item_id = ?2",
        params![run_id, item_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if last_actor.as_deref().unwrap_or(&old_by) != by {
        // The replay takes "last changed by" from the last event's actor.
        event(&by, "updated_by", Some(&old_by), Some(&by))?;
    }
    let changed = (old_at, old_by) != (at.clone(), by.clone()) || last_actor.is_some();
    if changed {
        tx.execute(
            "UPDATE item_state SET status = ?3, reason = ?4, owner = ?5, notes = ?6, updated_at = ?7, updated_by = ?8
             WHERE run_id = ?1 AND item_id = ?2",
            params![run_id, item_id, f.status, f.reason, f.owner, f.notes, at, by],
        )?;
    }
    Ok(changed.then_some(subject))
}

/// Items whose state is not what their operations fold to: the doctor's
/// check of a synced database. Folds every item in a transaction it rolls
/// back, so nothing is written.
pub(crate) fn drifts(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let tx = conn.unchecked_transaction()?;
    let items = {
        let mut stmt = tx.prepare(
            "SELECT DISTINCT release, template, item_key FROM op WHERE kind = 'item_set'
             ORDER BY release, template, item_key",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<BTreeSet<(String, String, String)>>>()?
    };
    let items = continuing(&tx, items)?;
    let mut fences: HashMap<String, Fences> = HashMap::new();
    let mut sink = Merged::default();
    let mut out = Vec::new();
    for (release, template, key) in &items {
        if !fences.contains_key(release) {
            fences.insert(release.clone(), Fences::load(&tx, release)?);
        }
        if let Some(subject) = fold_item(
            &tx,
            (release, template, key),
            (&fences[release], &HashSet::new()),
            &mut sink,
        )? {
            out.push(subject);
        }
    }
    tx.rollback()?;
    Ok(out)
}

/// Folds every item of every release that has operations (after a
/// database's first sync turned its state into operations).
pub(crate) fn refold_all(tx: &Transaction<'_>) -> Result<()> {
    let mut stmt = tx.prepare("SELECT DISTINCT release FROM op WHERE release IS NOT NULL")?;
    let releases = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<BTreeSet<_>>>()?;
    drop(stmt);
    let folder = Folder {
        items: BTreeSet::new(),
        releases,
        new: HashSet::new(),
    };
    folder.finish(tx, &mut Merged::default())
}
