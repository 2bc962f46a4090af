//! Team sync: signed operations (the changes people made) and their
//! transport through git refs. See docs/SYNC.md.
//!
//! One sync: publish this device's new operations as a signed batch on its
//! own ref in a private bare repository beside the database; fetch every
//! device's ref from the remote; check each chain (device claim signed by
//! its owner's key, batches signed by the device, nothing already accepted
//! rewritten) and merge what is new in one transaction; push every ref the
//! remote lacks. Each step can be cut off and run again.

pub mod git;
pub mod op;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::seal::{self, SigningKey};
use crate::store::{Conflict, Device, Held, InBatch, Incoming, Merged, Store};
use op::Op;

/// What a device publishes about itself as `device.json`: its key, and
/// which person it acts for, signed by that person's signing key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub device: String,
    pub owner: String,
    pub owner_key: String,
    pub owner_sig: String,
    pub public_key: String,
    pub v: u32,
}

fn claim_statement(device: &str, public_key: &str, owner: &str) -> String {
    format!("signet device {device} key {public_key} acts for {owner}")
}

fn batch_statement(device: &str, first: u64, last: u64) -> String {
    format!("signet changes {first}-{last} of device {device}")
}

/// A device's id: the start of its public key's SHA-256, so a claim cannot
/// pair an id with another key.
pub fn device_id(public_key: &str) -> String {
    crate::hex::encode(&Sha256::digest(public_key.as_bytes()))[..16].to_string()
}

impl Claim {
    /// Parses and checks a published claim: canonical, id from its key,
    /// signed by the owner's key.
    pub fn verify(bytes: &[u8]) -> Result<Claim, String> {
        let c: Claim = serde_json::from_slice(bytes)
            .map_err(|e| format!("device.json is not a claim: {e}"))?;
        if serde_json::to_vec(&c).ok().as_deref() != Some(bytes) {
            return Err("device.json was re-encoded or edited".into());
        }
        if device_id(&c.public_key) != c.device {
            return Err(format!(
                "device {} publishes a key that is not its own",
                c.device
            ));
        }
        let statement = claim_statement(&c.device, &c.public_key, &c.owner);
        seal::verify_bytes(&c.owner_key, statement.as_bytes(), &statement, &c.owner_sig)
            .map_err(|why| format!("device {}: its owner's signature fails: {why}", c.device))?;
        Ok(c)
    }

    fn device(&self, bytes: &[u8], is_self: bool) -> Device {
        Device {
            id: self.device.clone(),
            owner: self.owner.clone(),
            public_key: self.public_key.clone(),
            owner_key: self.owner_key.clone(),
            claim: String::from_utf8_lossy(bytes).into_owned(),
            is_self,
        }
    }
}

/// Where a database keeps its private git repository: beside it.
pub fn repo_dir(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".sync");
    db.with_file_name(name)
}

fn device_key_path(config_dir: &Path, database_id: &str) -> PathBuf {
    config_dir
        .join("devices")
        .join(format!("{database_id}.key"))
}

/// Gives the database its own device, acting for `owner` (whose signing
/// key vouches for it), and carries its history over. Returns the device
/// and how many operations the history became.
pub fn join(
    store: &mut Store,
    config_dir: &Path,
    owner: &str,
    owner_key: &SigningKey,
) -> Result<(Device, usize)> {
    if let Some(me) = store.sync_device()? {
        return Ok((me, 0));
    }
    let person = store.person(owner)?;
    if person.public_key.as_deref() != Some(owner_key.public_key().as_str()) {
        return Err(Error::Invalid(format!(
            "the signing key on this machine is not {}'s registered key; sync signs your changes with it",
            person.handle
        )));
    }
    let path = device_key_path(config_dir, &store.database_id()?);
    let key = match std::fs::read_to_string(&path) {
        // A device key left by a run cut off before the database recorded it.
        Ok(text) => SigningKey::from_text(&text)?,
        Err(_) => {
            let key = SigningKey::generate()?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
            }
            crate::keys::write_secret_file(&path, &key.secret_text("signet device key")?)?;
            key
        }
    };
    let public_key = key.public_key();
    let id = device_id(&public_key);
    let statement = claim_statement(&id, &public_key, &person.handle);
    let claim = Claim {
        device: id,
        owner: person.handle.clone(),
        owner_key: owner_key.public_key(),
        owner_sig: owner_key.sign_bytes(statement.as_bytes(), &statement)?,
        public_key,
        v: op::VERSION,
    };
    let bytes = serde_json::to_vec(&claim)?;
    let device = claim.device(&bytes, true);
    let n = store.join_sync(&device)?;
    Ok((device, n))
}

/// What one sync did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Outcome {
    pub remote: String,
    /// This device's operations this sync delivered to the remote.
    pub published: usize,
    /// This device's operations the remote still does not hold after this
    /// sync (its ref there was refused): they go out with a later sync.
    pub not_pushed: usize,
    pub received: usize,
    pub changes: Vec<String>,
    pub held: Vec<String>,
    pub refused: Vec<String>,
    /// Device refs the remote took.
    pub pushed: Vec<String>,
    /// Device refs the remote refused, and why.
    pub rejected: Vec<String>,
    pub conflicts: Vec<Conflict>,
}

impl Outcome {
    /// One line: what came in, what went out.
    pub fn summary(&self) -> String {
        let waiting = match self.not_pushed {
            0 => String::new(),
            n => format!(", {n} not pushed"),
        };
        format!(
            "{} in, {} out{waiting}, {} conflict{}",
            self.received,
            self.published,
            self.conflicts.len(),
            if self.conflicts.len() == 1 { "" } else { "s" }
        )
    }
}

fn load_device_key(store: &Store, config_dir: &Path, me: &Device) -> Result<SigningKey> {
    let path = device_key_path(config_dir, &store.database_id()?);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, &e))?;
    let key = SigningKey::from_text(&text)?;
    if key.public_key() != me.public_key {
        return Err(Error::Invalid(format!(
            "{}: not the key of this database's device {}",
            path.display(),
            me.id
        )));
    }
    Ok(key)
}

/// Publishes this device's new operations as one signed batch on its ref.
/// A batch a cut-off run wrote but the database did not note yet is taken
/// as published first (it holds the first of the unpublished operations,
/// byte for byte); what was ticked since goes out as the next batch.
/// Returns the number of the first operation it published, if any.
fn publish(
    store: &mut Store,
    repo: &git::Repo,
    me: &Device,
    key: &SigningKey,
) -> Result<Option<u64>> {
    let mut first = None;
    loop {
        let ops = store.unpublished_ops()?;
        let Some(next) = ops.first() else {
            return Ok(first);
        };
        first = first.or(Some(next.op.seq));
        publish_batch(store, repo, me, key, &ops)?;
    }
}

fn publish_batch(
    store: &mut Store,
    repo: &git::Repo,
    me: &Device,
    key: &SigningKey,
    ops: &[Held],
) -> Result<()> {
    let (Some(first), Some(last)) = (ops.first(), ops.last()) else {
        return Ok(());
    };
    let (first, last) = (first.op.seq, last.op.seq);
    let mut bytes = Vec::new();
    for h in ops {
        bytes.extend_from_slice(&h.bytes);
        bytes.push(b'\n');
    }
    let tip = repo
        .devices()?
        .into_iter()
        .find(|(d, _)| *d == me.id)
        .map(|(_, t)| t);
    // A run cut off after writing the batch but before the database noted
    // it: the batch is there, with these very bytes.
    let already = match &tip {
        Some(t) => repo
            .read_tree(t)?
            .batches
            .into_iter()
            .find(|b| b.first_seq == first),
        None => None,
    };
    let (blob, last) = match already {
        Some(b) => {
            let found = repo.read_blobs(std::slice::from_ref(&b.ops_blob))?;
            let found = found.first().map(Vec::as_slice).unwrap_or_default();
            let lines = found
                .split(|c| *c == b'\n')
                .filter(|l| !l.is_empty())
                .count();
            if lines == 0 || lines > ops.len() || !bytes.starts_with(found) {
                return Err(Error::Invalid(format!(
                    "this device's published changes from {first} differ from the database's; was the database restored from a backup? \
                     Sync it from a fresh database instead"
                )));
            }
            (b.ops_blob, first + lines as u64 - 1)
        }
        None => {
            let sig = key.sign_bytes(&bytes, &batch_statement(&me.id, first, last))?;
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let tip = repo.append_batch(
                &me.id,
                me.claim.as_bytes(),
                first,
                &bytes,
                sig.as_bytes(),
                now,
            )?;
            let blob = repo
                .read_tree(&tip)?
                .batches
                .into_iter()
                .find(|b| b.first_seq == first)
                .map(|b| b.ops_blob)
                .ok_or_else(|| Error::Invalid("the batch just written is missing".into()))?;
            (blob, last)
        }
    };
    store.mark_published(first, last, &blob)
}

/// Reads one fetched device chain: its claim, and the operations of the
/// batches this replica does not hold yet, each batch's signature checked.
fn read_chain(
    store: &Store,
    repo: &git::Repo,
    device: &str,
    tip: &str,
) -> Result<Result<Incoming, String>> {
    let tree = repo.read_tree(tip)?;
    let claim = match Claim::verify(&tree.device_json) {
        Ok(c) if c.device == device => c,
        Ok(c) => {
            return Ok(Err(format!(
                "the ref of device {device} holds the claim of device {}",
                c.device
            )))
        }
        Err(why) => return Ok(Err(why)),
    };
    let held = store.device_batches(device)?;
    let mut wanted = Vec::new();
    for b in &tree.batches {
        if !held.contains_key(&b.first_seq) {
            wanted.push(b.ops_blob.clone());
            wanted.push(b.sig_blob.clone());
        }
    }
    let mut blobs = repo.read_blobs(&wanted)?.into_iter();
    let mut batches = Vec::new();
    let next_first: Vec<u64> = tree.batches.iter().skip(1).map(|b| b.first_seq).collect();
    for (i, b) in tree.batches.iter().enumerate() {
        if let Some((last, blob)) = held.get(&b.first_seq) {
            batches.push(InBatch {
                first: b.first_seq,
                last: *last,
                blob: if *blob == b.ops_blob {
                    blob.clone()
                } else {
                    b.ops_blob.clone()
                },
                ops: Vec::new(),
            });
            continue;
        }
        let (Some(bytes), Some(sig)) = (blobs.next(), blobs.next()) else {
            return Ok(Err(format!("device {device}: a batch could not be read")));
        };
        let mut ops = Vec::new();
        for line in bytes.split(|c| *c == b'\n').filter(|l| !l.is_empty()) {
            match Op::parse(line) {
                Ok(op) => ops.push(Held {
                    id: Op::id_of(line),
                    bytes: line.to_vec(),
                    op,
                }),
                Err(e) => return Ok(Err(format!("device {device}: {e}"))),
            }
        }
        // A batch copied in under another name (an old one replayed) holds
        // changes its name does not: say that, not a range from both.
        if let Some(held) = ops.first().filter(|h| h.op.seq != b.first_seq) {
            return Ok(Err(format!(
                "device {device} ({}): the batch named for change {} holds changes from {} (copied from elsewhere in its history?)",
                claim.owner, b.first_seq, held.op.seq
            )));
        }
        let last = ops.last().map_or(b.first_seq, |h| h.op.seq);
        if next_first.get(i).is_some_and(|n| *n != last + 1) {
            return Ok(Err(format!(
                "device {device}: its batches overlap or leave a gap after change {last}"
            )));
        }
        let sig = String::from_utf8_lossy(&sig);
        if let Err(why) = seal::verify_bytes(
            &claim.public_key,
            &bytes,
            &batch_statement(device, b.first_seq, last),
            &sig,
        ) {
            return Ok(Err(format!(
                "device {device} ({}): changes {}–{last} are not signed by the device: {why}",
                claim.owner, b.first_seq
            )));
        }
        batches.push(InBatch {
            first: b.first_seq,
            last,
            blob: b.ops_blob.clone(),
            ops,
        });
    }
    Ok(Ok(Incoming {
        device: claim.device(&tree.device_json, false),
        batches,
    }))
}

/// Syncs with `remote`: publish, fetch, check, merge, push.
pub fn sync(
    store: &mut Store,
    config_dir: &Path,
    repo_dir: &Path,
    remote: &str,
) -> Result<Outcome> {
    sync_trusting(store, config_dir, repo_dir, remote, &BTreeMap::new())
}

/// [`sync`] with people's public keys pinned (handle → key): what a fresh
/// database that knows nobody (a CI job) needs to tell an impostor from
/// the real person.
pub fn sync_trusting(
    store: &mut Store,
    config_dir: &Path,
    repo_dir: &Path,
    remote: &str,
    trusted: &BTreeMap<String, String>,
) -> Result<Outcome> {
    // Without a device of its own a database only receives (a CI job that
    // gates a release): it publishes nothing and pushes nothing.
    let me = store.sync_device()?;
    // One sync at a time per database: a second says so rather than queue.
    // It waits a moment first: a lock is also held, for the instant between
    // fork and exec, by any child process another thread of this program
    // starts (git, for instance), which is not another sync.
    let lock_path = repo_dir.with_extension("lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::io(&lock_path, &e))?;
    let mut tries = 0;
    while lock.try_lock().is_err() {
        tries += 1;
        if tries == 40 {
            return Err(Error::Invalid(
                "another sync of this database is running; try again when it has finished".into(),
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let repo = git::Repo::open_or_init(repo_dir)?;
    let mut out = Outcome {
        remote: remote.to_string(),
        ..Default::default()
    };
    // What the remote lacks before this sync; what it lacks after tells
    // how much went out.
    let (mut waiting, mut first_published) = (0, None);
    if let Some(me) = &me {
        waiting = store.not_pushed_count_to(remote)?;
        let key = load_device_key(store, config_dir, me)?;
        first_published = publish(store, &repo, me, &key)?;
    }
    let my_id = me.as_ref().map(|m| m.id.clone()).unwrap_or_default();
    let fetched = repo.fetch(remote)?;
    let local: BTreeMap<String, String> = repo.devices()?.into_iter().collect();
    let mut incoming = Vec::new();
    let mut tips = BTreeMap::new();
    let mut refused_ids: BTreeSet<String> = BTreeSet::new();
    for (device, tip) in &fetched {
        if *device == my_id {
            if local.get(device) != Some(tip) && !repo.is_ancestor(tip, &local[device])? {
                out.refused.push(format!(
                    "the remote's copy of this device's changes ({device}) is not what this device published; it will not be pushed over"
                ));
            }
            continue;
        }
        if local.get(device) == Some(tip) {
            continue;
        }
        // Whatever is wrong with one device's ref (a missing file, a tree
        // that is no chain) refuses that device, not the sync.
        match read_chain(store, &repo, device, tip) {
            Ok(Ok(inc)) => {
                tips.insert(device.clone(), tip.clone());
                incoming.push(inc);
            }
            Ok(Err(why)) => {
                refused_ids.insert(device.clone());
                out.refused.push(why);
            }
            Err(e) => {
                refused_ids.insert(device.clone());
                out.refused.push(format!("device {device}: {e}"));
            }
        }
    }
    let merged: Merged = store.merge(&incoming, trusted)?;
    for inc in &incoming {
        let id = &inc.device.id;
        let complete = store.device_batches(id)?.values().map(|(l, _)| *l).max()
            == inc.batches.last().map(|b| b.last);
        if complete && !merged.refused_devices.contains(id) {
            repo.set_device_ref(id, &tips[id], local.get(id).map(String::as_str))?;
        } else {
            refused_ids.insert(id.clone());
        }
    }
    let pushed = if me.is_some() {
        repo.push(remote)?
    } else {
        git::PushOutcome::default()
    };
    // Written into this device's chain is not yet out: only a ref the
    // remote took (or already had) delivered it.
    if me.is_some() {
        let refused = pushed.rejected.iter().any(|(d, _)| *d == my_id);
        let from = first_published.unwrap_or(u64::MAX);
        store.note_pushed(remote, refused.then_some(from))?;
        out.not_pushed = store.not_pushed_count_to(remote)?;
        out.published = waiting.saturating_sub(out.not_pushed);
    }
    out.pushed = pushed.pushed;
    out.rejected = pushed
        .rejected
        .into_iter()
        .map(|(d, why)| {
            if d == my_id {
                format!("this device's changes: {why} (someone else wrote to its ref on the remote)")
            } else if refused_ids.contains(&d) {
                format!("device {d}: the remote holds a history for it this replica refused; left as it is there")
            } else {
                format!("device {d}: {why} (the remote has more of its changes; they come in next sync)")
            }
        })
        .collect();
    out.received = merged.received;
    out.changes = merged.changes;
    out.held = merged.held;
    out.refused.extend(merged.refused);
    out.conflicts = store.conflicts(None)?;
    let last = format!("{} — {}", crate::time_fmt::now(), out.summary());
    // The first remote is remembered; naming another (a USB stick) syncs
    // with it once and keeps the team's remote as it was.
    let remembered = store.sync_settings()?.0;
    store.set_sync_settings(remembered.as_deref().unwrap_or(remote), &last)?;
    Ok(out)
}

#[cfg(test)]
mod tests;
