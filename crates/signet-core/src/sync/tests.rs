//! Replicas syncing through a bare repository on disk: convergence under
//! random edits and random sync orders, and the refusals that keep a
//! replica's record its own.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;
use crate::import::{import_bytes, ImportOptions};
use crate::model::{Status, Tick};
use crate::store::{SignoffRequest, Store};

const MD: &str = "# Launch\n\n## Legal\n\n- [ ] Licences checked\n- [ ] Privacy policy\n  - [ ] EU text\n\n## Ops\n\n| Check | Owner |\n|---|---|\n| Backups restore | |\n| Alerts routed | cy |\n";
const ITEMS: [&str; 5] = ["1.1", "1.2", "1.2.1", "2.1", "2.2"];

struct Replica {
    store: Store,
    dir: PathBuf,
    who: &'static str,
    key: SigningKey,
}

impl Replica {
    fn new(root: &Path, who: &'static str) -> Replica {
        let dir = root.join(who);
        std::fs::create_dir_all(&dir).unwrap();
        let mut store = Store::open(&dir.join("s.db")).unwrap();
        let key = SigningKey::generate().unwrap();
        store.add_person(who, None, Some(who), who).unwrap();
        store.set_public_key(who, &key.public_key(), who).unwrap();
        Replica {
            store,
            dir,
            who,
            key,
        }
    }

    fn join(&mut self) {
        join(&mut self.store, &self.dir.join("cfg"), self.who, &self.key).unwrap();
    }

    /// Syncs, whatever it refuses.
    fn sync_any(&mut self, remote: &Path) -> Outcome {
        let db = self.dir.join("s.db");
        sync(
            &mut self.store,
            &self.dir.join("cfg"),
            &repo_dir(&db),
            remote.to_str().unwrap(),
        )
        .unwrap()
    }

    /// Syncs, refusing nothing.
    fn sync(&mut self, remote: &Path) -> Outcome {
        let out = self.sync_any(remote);
        assert!(out.refused.is_empty(), "{:?}", out.refused);
        out
    }

    /// What a user compares: the report (without the moment it was made),
    /// the conflicts, and that the database passes its own checks.
    fn seen(&self) -> (String, Vec<Conflict>) {
        let health = self.store.doctor().unwrap();
        assert!(
            health.ok,
            "{} fails doctor: {}",
            self.who,
            health.failures()
        );
        let (mut report, _) = self.store.report("v1", None).unwrap();
        report.generated_at = String::new();
        let text = String::from_utf8(report.canonical().unwrap()).unwrap();
        (text, self.store.conflicts(None).unwrap())
    }
}

/// Plain git on the bare `remote`, as someone with push access would use
/// it (plumbing that writes a tree uses an index file beside it).
fn git_on(remote: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(remote)
        .args(args)
        .env("GIT_INDEX_FILE", remote.with_extension("index"))
        .env("GIT_AUTHOR_NAME", "m")
        .env("GIT_AUTHOR_EMAIL", "m@example.com")
        .env("GIT_COMMITTER_NAME", "m")
        .env("GIT_COMMITTER_EMAIL", "m@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn bare(root: &Path) -> PathBuf {
    let remote = root.join("remote.git");
    let ok = Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&remote)
        .status()
        .unwrap();
    assert!(ok.success());
    remote
}

/// Three replicas: ana sets the release up, bo and cy join it.
fn team(root: &Path) -> (Vec<Replica>, PathBuf) {
    let remote = bare(root);
    let mut ana = Replica::new(root, "ana");
    let imp = import_bytes(
        "launch.md",
        MD.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    ana.store.import(&imp, "ana").unwrap();
    ana.store.create_release("v1", None, "ana").unwrap();
    ana.store.add_run("v1", "launch", false, "ana").unwrap();
    ana.join();
    ana.sync(&remote);
    let mut team = vec![ana];
    for who in ["bo", "cy"] {
        let mut r = Replica::new(root, who);
        r.join();
        r.sync(&remote);
        team.push(r);
    }
    (team, remote)
}

/// xorshift: the cases must be the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn random_tick(rng: &mut Rng, who: &str) -> Tick {
    let status = [
        None,
        Some(Status::Open),
        Some(Status::Done),
        Some(Status::Blocked),
        Some(Status::NotApplicable),
    ][rng.next(5)];
    let mut t = Tick {
        status,
        ..Default::default()
    };
    if status.is_some_and(|s| s.needs_reason()) {
        t.reason = Some(format!("reason {}", rng.next(100)));
    }
    match rng.next(4) {
        0 => t.owner = Some(["ana", "bo", "cy", ""][rng.next(4)].to_string()),
        1 => t.note = Some(format!("{who} note {}", rng.next(1000))),
        2 => t.evidence = vec![format!("https://ci.example/{who}/{}", rng.next(1000))],
        _ => {}
    }
    if t.status.is_none() && t.owner.is_none() && t.note.is_none() && t.evidence.is_empty() {
        t.note = Some(format!("{who} looked"));
    }
    t
}

#[test]
fn replicas_that_hold_the_same_changes_show_the_same_release() {
    for case in 0..8u64 {
        let root = tempfile::tempdir().unwrap();
        let (mut team, remote) = team(root.path());
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (case + 1));
        for _ in 0..60 {
            let r = rng.next(3);
            match rng.next(10) {
                0..=5 => {
                    let item = ITEMS[rng.next(ITEMS.len())];
                    let who = team[r].who;
                    let t = random_tick(&mut rng, who);
                    // A refused tick (a frozen release, nothing to change) is
                    // what a user would see too; it must change nothing.
                    let _ = team[r].store.tick("v1", item, &t, who);
                }
                6 => {
                    let who = team[r].who;
                    let signed = team[r].store.release("v1").unwrap().status
                        == crate::model::ReleaseStatus::SignedOff;
                    if signed {
                        team[r].store.reopen("v1", "more work", who).unwrap();
                    } else if who == "ana" && rng.next(3) == 0 {
                        let req = SignoffRequest {
                            release: "v1",
                            person: "ana",
                            role: "Tech lead",
                            override_reason: Some("case test"),
                            actor: "ana",
                        };
                        let ana = &mut team[r];
                        ana.store.sign_off(&req, &ana.key).unwrap();
                    }
                }
                _ => {
                    team[r].sync(&remote);
                }
            }
        }
        // Everyone syncs until nothing new moves.
        for r in [0, 1, 2, 0, 1] {
            team[r].sync(&remote);
        }
        let first = team[0].seen();
        for r in &team[1..] {
            assert_eq!(r.seen(), first, "case {case}: {} differs from ana", r.who);
        }
    }
}

#[test]
fn concurrent_edits_keep_one_winner_everywhere_until_a_new_tick_settles_them() {
    let root = tempfile::tempdir().unwrap();
    let (mut team, remote) = team(root.path());
    let done = Tick {
        status: Some(Status::Done),
        ..Default::default()
    };
    let blocked = Tick {
        status: Some(Status::Blocked),
        reason: Some("legal".into()),
        ..Default::default()
    };
    team[0].store.tick("v1", "1.2", &done, "ana").unwrap();
    team[1].store.tick("v1", "1.2", &blocked, "bo").unwrap();
    for r in [0, 1, 0] {
        team[r].sync(&remote);
    }
    let (a, b) = (team[0].seen(), team[1].seen());
    assert_eq!(a, b);
    assert_eq!(a.1.len(), 1, "{:?}", a.1);
    assert_eq!(a.1[0].field, "status");
    let item = team[0].store.item("v1", "1.2").unwrap();
    assert!(a.1[0].kept.starts_with(item.status.as_str()), "{:?}", a.1);
    // Whoever ticks it next, having seen both, settles it on every replica.
    team[1].store.tick("v1", "1.2", &done, "bo").unwrap();
    assert!(team[1].store.conflicts(None).unwrap().is_empty());
    for r in [1, 0] {
        team[r].sync(&remote);
    }
    assert!(team[0].seen().1.is_empty());
    assert_eq!(
        team[0].store.item("v1", "1.2").unwrap().status,
        Status::Done
    );
}

#[test]
fn a_tick_the_sign_off_did_not_see_is_kept_out_of_the_frozen_release() {
    let root = tempfile::tempdir().unwrap();
    let (mut team, remote) = team(root.path());
    let done = Tick {
        status: Some(Status::Done),
        ..Default::default()
    };
    let req = SignoffRequest {
        release: "v1",
        person: "ana",
        role: "Tech lead",
        override_reason: Some("ship it"),
        actor: "ana",
    };
    let ana = &mut team[0];
    ana.store.sign_off(&req, &ana.key).unwrap();
    team[1].store.tick("v1", "2.1", &done, "bo").unwrap();
    team[1].sync(&remote);
    let out = team[0].sync(&remote);
    assert!(
        out.held.iter().any(|h| h.contains("signed off without it")),
        "{:?}",
        out.held
    );
    let bo = team[1].sync(&remote);
    assert!(bo.held.iter().any(|h| h.contains("signed off without it")));
    for r in &team[..2] {
        assert_eq!(r.store.item("v1", "2.1").unwrap().status, Status::Open);
        let policy = crate::gate::Policy {
            require: vec!["ana".into()],
            ..Default::default()
        };
        let verdict = crate::gate::check(&r.store, "v1", &policy).unwrap();
        assert!(verdict.passed, "{} {:?}", r.who, verdict.reasons);
    }
    assert_eq!(team[0].seen(), team[1].seen());
}

#[test]
fn a_device_acts_only_for_its_owner() {
    let root = tempfile::tempdir().unwrap();
    let (mut team, _) = team(root.path());
    let err = team[0]
        .store
        .tick(
            "v1",
            "1.1",
            &Tick {
                status: Some(Status::Done),
                ..Default::default()
            },
            "bo",
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("syncs as ana's device"), "{err}");
    assert_eq!(
        team[0].store.item("v1", "1.1").unwrap().status,
        Status::Open
    );
}

#[test]
fn a_revoked_key_is_revoked_on_every_replica() {
    let root = tempfile::tempdir().unwrap();
    let (mut team, remote) = team(root.path());
    team[0].sync(&remote);
    let bo_key = team[1].key.public_key();
    team[0]
        .store
        .revoke_key(&bo_key, None, "laptop stolen", "ana")
        .unwrap();
    team[0].sync(&remote);
    let out = team[1].sync(&remote);
    assert!(
        out.changes.iter().any(|c| c.contains("revoked key")),
        "{:?}",
        out.changes
    );
    let keys = team[1].store.person_keys("bo").unwrap();
    assert!(keys.iter().all(|k| k.revocation.is_some()), "{keys:?}");
    assert_eq!(team[0].seen(), team[1].seen());
}

/// An upgrade that pairs a reworded item travels with its pairing: ana
/// ticks an item and upgrades to a version that rewords it; bo, who synced
/// before the upgrade, ticks another item and notes the reworded one under
/// its old wording. Every replica applies ana's pairing (bo's and cy's do
/// not choose their own), and the reworded item's fold takes in what was
/// recorded under its old key, from both of them.
#[test]
fn a_reworded_item_keeps_its_state_on_every_replica() {
    let root = tempfile::tempdir().unwrap();
    let (mut team, remote) = team(root.path());
    let v2 = MD.replace("| Backups restore | |", "| Backups restore tested | |");
    let imp = import_bytes("launch.md", v2.into_bytes(), &ImportOptions::default()).unwrap();
    let done = Tick {
        status: Some(Status::Done),
        ..Default::default()
    };
    let ana = &mut team[0];
    ana.store.tick("v1", "2.1", &done, "ana").unwrap();
    ana.store.import(&imp, "ana").unwrap();
    let up = ana.store.upgrade_run("v1", "launch", "ana").unwrap();
    assert_eq!((up.kept, up.reworded, up.added, up.removed), (4, 1, 0, 0));
    let (old_key, new_key) = (up.matches[0].old.key.clone(), up.matches[0].new.key.clone());
    // The operation names the pair it chose.
    let ops = ana.store.unpublished_ops().unwrap();
    let upgrade = ops
        .iter()
        .find(|h| h.op.change.kind() == "run_upgrade")
        .unwrap();
    let text = String::from_utf8(upgrade.bytes.clone()).unwrap();
    assert!(
        text.contains(&format!("\"pairs\":[[\"{old_key}\",\"{new_key}\"]]")),
        "{text}"
    );
    // What sync status counts (without reading them) is what a push sends.
    assert_eq!(ana.store.unpublished_count().unwrap(), ops.len());
    ana.sync(&remote);
    assert_eq!(ana.store.unpublished_count().unwrap(), 0);

    let note = Tick {
        note: Some("restore drill booked".into()),
        ..Default::default()
    };
    let bo = &mut team[1];
    bo.store.tick("v1", "1.1", &done, "bo").unwrap();
    bo.store.tick("v1", "2.1", &note, "bo").unwrap();
    assert_eq!(bo.store.item("v1", "2.1").unwrap().key, old_key);
    bo.sync(&remote);
    for r in [0, 2, 1, 0] {
        team[r].sync(&remote);
    }
    let first = team[0].seen();
    for r in &team {
        assert_eq!(r.seen(), first, "{} differs from ana", r.who);
        let item = r.store.item("v1", "2.1").unwrap();
        assert_eq!(
            (item.key.as_str(), item.plain.as_str(), item.status),
            (new_key.as_str(), "Backups restore tested", Status::Done),
            "{}",
            r.who
        );
        assert_eq!(item.notes, "restore drill booked", "{}", r.who);
        assert_eq!(r.store.item("v1", "1.1").unwrap().status, Status::Done);
        let history = r.store.history("v1", "2.1").unwrap();
        assert!(
            history
                .iter()
                .any(|e| e.field.as_deref() == Some("reworded")),
            "{}: {history:#?}",
            r.who
        );
    }
}

/// A change written into this device's chain has gone out only once the
/// remote takes the chain. While someone else's write to bo's ref on the
/// remote keeps it out, sync says "0 out, 1 not pushed" and the status
/// counts it; once the ref is bo's again, it goes out and says so.
#[test]
fn a_change_the_remote_refused_is_not_counted_as_out() {
    let root = tempfile::tempdir().unwrap();
    let (mut team, remote) = team(root.path());
    let git = |args: &[&str]| git_on(&remote, args);
    let device_ref = |r: &Replica| {
        format!(
            "refs/signet/v1/devices/{}",
            r.store.sync_device().unwrap().unwrap().id
        )
    };
    let (ana_ref, bo_ref) = (device_ref(&team[0]), device_ref(&team[1]));
    let bo_tip = git(&["rev-parse", &bo_ref]);
    // Someone with push access points bo's ref at ana's chain.
    git(&["update-ref", &bo_ref, &git(&["rev-parse", &ana_ref])]);
    let done = Tick {
        status: Some(Status::Done),
        ..Default::default()
    };
    team[1].store.tick("v1", "2.1", &done, "bo").unwrap();
    let bo = &mut team[1];
    let out = bo.sync_any(&remote);
    assert!(
        out.rejected.iter().any(|r| r.starts_with("this device")),
        "{:?}",
        out.rejected
    );
    assert_eq!((out.published, out.not_pushed), (0, 1), "{out:?}");
    assert!(
        out.summary().contains(" in, 0 out, 1 not pushed, "),
        "{}",
        out.summary()
    );
    assert_eq!(bo.store.not_pushed_count().unwrap(), 1);
    // Again: still not out, still counted once.
    let out = bo.sync_any(&remote);
    assert_eq!((out.published, out.not_pushed), (0, 1), "{out:?}");
    // The ref is put back; the change goes out and is counted as out.
    git(&["update-ref", &bo_ref, &bo_tip]);
    let out = bo.sync_any(&remote);
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);
    assert_eq!((out.published, out.not_pushed), (1, 0), "{out:?}");
    assert_eq!(bo.store.not_pushed_count().unwrap(), 0);
    team[0].sync(&remote);
    assert_eq!(
        team[0].store.item("v1", "2.1").unwrap().status,
        Status::Done
    );
}

/// An old batch of bo's copied onto the end of his chain on the remote (a
/// replay) is refused on every other replica, named for what it is.
#[test]
fn a_batch_replayed_under_a_new_name_is_refused_and_named() {
    let root = tempfile::tempdir().unwrap();
    let (mut team, remote) = team(root.path());
    let done = Tick {
        status: Some(Status::Done),
        ..Default::default()
    };
    team[1].store.tick("v1", "2.1", &done, "bo").unwrap();
    team[1].sync(&remote);
    team[2].sync(&remote);
    let bo = team[1].store.sync_device().unwrap().unwrap().id;
    let bo_ref = format!("refs/signet/v1/devices/{bo}");
    let git = |args: &[&str]| git_on(&remote, args);
    let tip = git(&["rev-parse", &bo_ref]);
    let listing = git(&["ls-tree", &format!("{tip}:batches")]);
    let names: Vec<(&str, &str)> = listing
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(meta, name)| (meta.rsplit(' ').next().unwrap(), name))
        .collect();
    let last_seq: u64 = team[1]
        .store
        .device_batches(&bo)
        .unwrap()
        .values()
        .map(|(last, _)| *last)
        .max()
        .unwrap();
    // The first batch, again, as the next one.
    let (ops_blob, sig_blob) = (names[0].0, names[1].0);
    git(&["read-tree", &tip]);
    for (blob, ext) in [(ops_blob, "jsonl"), (sig_blob, "sig")] {
        let path = format!("batches/{:012}.{ext}", last_seq + 1);
        git(&[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("100644,{blob},{path}"),
        ]);
    }
    let tree = git(&["write-tree"]);
    let commit = git(&["commit-tree", &tree, "-p", &tip, "-m", "replay"]);
    git(&["update-ref", &bo_ref, &commit]);
    let cy = &mut team[2];
    let out = cy.sync_any(&remote);
    let expected = format!(
        "device {bo} (bo): the batch named for change {} holds changes from 1 (copied from elsewhere in its history?)",
        last_seq + 1
    );
    assert!(out.refused.contains(&expected), "{:?}", out.refused);
    // Nothing of it applied; what bo published before is as it was.
    assert_eq!(cy.store.item("v1", "2.1").unwrap().status, Status::Done);
    assert!(cy.store.doctor().unwrap().ok);
}
