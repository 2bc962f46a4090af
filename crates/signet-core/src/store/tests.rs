//! Store behaviour against in-memory SQLite.

use super::*;
use crate::import::{import_bytes, ImportOptions};
use crate::matching::MatchKind;
use crate::model::{ImportStatus, Status, Tick};

const LAUNCH: &str = "# Launch\n\n## Legal\n\n- [x] Licences checked\n- [ ] Privacy policy updated\n  - [ ] EU text\n\n## Ops\n\n- [ ] Backups restore\n";

fn store_with(release: &str, md: &str) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let imp = import_bytes(
        "launch.md",
        md.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    store.import(&imp, "ana").unwrap();
    store
        .create_release(release, Some("2026-12-01"), "ana")
        .unwrap();
    store.add_run(release, "launch", false, "ana").unwrap();
    store
}

fn event_count(store: &Store) -> i64 {
    store
        .conn()
        .query_row("SELECT COUNT(*) FROM event", [], |r| r.get(0))
        .unwrap()
}

fn tick(status: Status) -> Tick {
    Tick {
        status: Some(status),
        ..Default::default()
    }
}

#[test]
fn identical_reimport_is_a_no_op_and_a_change_bumps_the_version() {
    let mut store = Store::open_in_memory().unwrap();
    let opts = ImportOptions::default();
    let v1 = import_bytes("launch.md", LAUNCH.as_bytes().to_vec(), &opts).unwrap();
    assert_eq!(store.import(&v1, "ana").unwrap().status, ImportStatus::New);
    let events = event_count(&store);
    let again = store.import(&v1, "ana").unwrap();
    assert_eq!(
        (again.status, again.template.version),
        (ImportStatus::Unchanged, 1)
    );
    assert_eq!(
        event_count(&store),
        events,
        "a no-op import writes no event"
    );
    assert_eq!(store.templates().unwrap().len(), 1);

    let changed = LAUNCH.replace("Backups restore", "Backups restore tested");
    let v2 = import_bytes("launch.md", changed.into_bytes(), &opts).unwrap();
    let out = store.import(&v2, "ana").unwrap();
    assert_eq!(
        (out.status, out.template.version),
        (ImportStatus::NewVersion, 2)
    );
    assert_eq!(store.template("launch").unwrap().version, 2);
    assert_eq!(store.template("launch@1").unwrap().version, 1);
    // Unchanged items keep their stable keys across versions.
    let keys = |t: &str| -> Vec<String> {
        let id = store.template(t).unwrap().id;
        let mut stmt = store
            .conn()
            .prepare("SELECT key FROM item WHERE template_id = ?1 ORDER BY position")
            .unwrap();
        stmt.query_map([id], |r| r.get(0))
            .unwrap()
            .map(|k| k.unwrap())
            .collect()
    };
    let (k1, k2) = (keys("launch@1"), keys("launch@2"));
    assert_eq!(k1[..3], k2[..3]);
    assert_ne!(k1[3], k2[3]);
}

#[test]
fn a_run_starts_from_the_source_state_unless_fresh() {
    let mut store = store_with("v1", LAUNCH);
    let view = store.release_view("v1").unwrap();
    let done: Vec<&str> = view.runs[0]
        .walk_items()
        .into_iter()
        .filter(|i| i.status == Status::Done)
        .map(|i| i.number.as_str())
        .collect();
    assert_eq!(done, ["1.1"]);
    let history = store.history("v1", "1.1").unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].actor, "source:launch.md");
    assert_eq!(history[0].new_value.as_deref(), Some("done"));

    store.create_release("v2", None, "ana").unwrap();
    let run = store.add_run("v2", "launch", true, "ana").unwrap();
    assert_eq!(run.progress.done, 0);
    assert_eq!(run.progress.total, 4);
    let err = store.add_run("v2", "launch", false, "ana").unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
}

#[test]
fn tick_records_each_change_in_the_audit_trail() {
    let mut store = store_with("v1", LAUNCH);
    let t = Tick {
        status: Some(Status::Done),
        owner: Some("ana".into()),
        evidence: vec!["https://ci.example/run/81".into()],
        note: Some("green on staging".into()),
        ..Default::default()
    };
    let item = store.tick("v1", "1.2", &t, "ben").unwrap();
    assert_eq!(
        (item.status, item.owner.as_deref()),
        (Status::Done, Some("ana"))
    );
    assert_eq!(item.evidence[0].target, "https://ci.example/run/81");
    assert_eq!(item.notes, "green on staging");
    let fields: Vec<String> = store
        .history("v1", "1.2")
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}", e.actor, e.field.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        fields,
        ["ben:status", "ben:owner", "ben:note", "ben:evidence"]
    );
    let second = store
        .tick(
            "v1",
            "1.2",
            &Tick {
                note: Some("and on prod".into()),
                ..Default::default()
            },
            "ben",
        )
        .unwrap();
    assert_eq!(second.notes, "green on staging\nand on prod");
    let progress = store.release_view("v1").unwrap().progress;
    assert_eq!((progress.closed(), progress.total), (2, 4));
}

#[test]
fn not_applicable_needs_a_reason_and_a_refused_tick_writes_nothing() {
    let mut store = store_with("v1", LAUNCH);
    let before = event_count(&store);
    let err = store
        .tick("v1", "2.1", &tick(Status::NotApplicable), "ana")
        .unwrap_err();
    assert!(err.to_string().contains("needs a reason"), "{err}");
    let bad = Tick {
        status: Some(Status::Done),
        evidence: vec!["javascript:alert(1)".into()],
        ..Default::default()
    };
    let err = store.tick("v1", "2.1", &bad, "ana").unwrap_err();
    assert!(
        err.to_string().contains("'javascript:' is not allowed"),
        "{err}"
    );
    assert_eq!(event_count(&store), before);
    assert_eq!(store.item("v1", "2.1").unwrap().status, Status::Open);

    let na = Tick {
        status: Some(Status::NotApplicable),
        reason: Some("no backups in this product".into()),
        ..Default::default()
    };
    let item = store.tick("v1", "2.1", &na, "ana").unwrap();
    assert_eq!(item.reason.as_deref(), Some("no backups in this product"));
    // Back to done clears the reason.
    let item = store.tick("v1", "2.1", &tick(Status::Done), "ana").unwrap();
    assert_eq!(item.reason, None);
    let err = store
        .tick("v1", "2.1", &Tick::default(), "ana")
        .unwrap_err();
    assert!(err.to_string().starts_with("nothing to change"), "{err}");
}

#[test]
fn items_are_addressed_by_number_key_or_template_prefix() {
    let mut store = store_with("v1", LAUNCH);
    let key = store.item("v1", "2.1").unwrap().key;
    assert_eq!(store.item("v1", &key).unwrap().number, "2.1");
    let other = import_bytes(
        "ops.md",
        b"# Ops\n## Run\n- [ ] Pager set\n- [ ] Dashboards\n".to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    store.import(&other, "ana").unwrap();
    store.add_run("v1", "ops", false, "ana").unwrap();
    let err = store.item("v1", "1.1").unwrap_err().to_string();
    assert!(err.contains("launch:1.1, ops:1.1"), "{err}");
    assert_eq!(store.item("v1", "ops:1.1").unwrap().plain, "Pager set");
    assert_eq!(
        store.item("v1", "launch:1.1").unwrap().plain,
        "Licences checked"
    );
    assert!(store
        .item("v1", "9.9")
        .unwrap_err()
        .to_string()
        .contains("item not found: 9.9 in release v1"));
    assert!(store
        .item("nope", "1.1")
        .unwrap_err()
        .to_string()
        .contains("release not found: nope"));
}

#[test]
fn audit_chain_detects_and_locates_edited_and_removed_events() {
    let mut store = store_with("v1", LAUNCH);
    store.tick("v1", "1.2", &tick(Status::Done), "ana").unwrap();
    store.tick("v1", "2.1", &tick(Status::Done), "ana").unwrap();
    let ok = store.verify_audit().unwrap();
    assert_eq!(ok.events, event_count(&store) as usize);

    // The triggers refuse edits through SQL...
    let err = store
        .conn()
        .execute("UPDATE event SET actor = 'mallory' WHERE id = 4", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"));
    // ...and someone who drops them is caught by the hash chain.
    store
        .conn()
        .execute_batch("DROP TRIGGER event_no_update; DROP TRIGGER event_no_delete;")
        .unwrap();
    store
        .conn()
        .execute("UPDATE event SET new_value = 'open' WHERE id = 4", [])
        .unwrap();
    match store.verify_audit().unwrap_err() {
        crate::Error::AuditChain { event_id, problem } => {
            assert_eq!(event_id, 4);
            assert!(problem.contains("edited"), "{problem}");
        }
        other => panic!("{other}"),
    }
    store
        .conn()
        .execute("DELETE FROM event WHERE id IN (4)", [])
        .unwrap();
    match store.verify_audit().unwrap_err() {
        crate::Error::AuditChain { event_id, .. } => assert_eq!(event_id, 5),
        other => panic!("{other}"),
    }
}

#[test]
fn a_file_database_is_shared_between_connections() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/signet.db");
    let mut a = Store::open(&path).unwrap();
    let imp = import_bytes(
        "launch.md",
        LAUNCH.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    a.import(&imp, "ana").unwrap();
    a.create_release("v1", None, "ana").unwrap();
    a.add_run("v1", "launch", false, "ana").unwrap();
    let mut b = Store::open(&path).unwrap();
    b.tick("v1", "2.1", &tick(Status::Done), "ben").unwrap();
    assert_eq!(a.item("v1", "2.1").unwrap().status, Status::Done);
    let mode: String = a
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn releases_need_valid_unique_names_and_dates() {
    let mut store = Store::open_in_memory().unwrap();
    assert!(store
        .create_release("v1", Some("2026-13-01"), "ana")
        .unwrap_err()
        .to_string()
        .contains("not a date"));
    store
        .create_release("v1", Some("2026-12-01"), "ana")
        .unwrap();
    assert!(store
        .create_release("v1", None, "ana")
        .unwrap_err()
        .to_string()
        .contains("already exists"));
    assert!(store.create_release("  ", None, "ana").is_err());
    let list = store.releases().unwrap();
    assert_eq!(list[0].release.due_date.as_deref(), Some("2026-12-01"));
}

#[test]
fn a_first_screen_keeps_the_first_items_in_order_and_the_whole_progress() {
    let store = store_with("v1", LAUNCH);
    let full = store.release_view("v1").unwrap();
    assert_eq!(full.item_count(), 4);
    let section_progress = |v: &crate::model::ReleaseView| -> Vec<crate::model::Progress> {
        v.runs[0]
            .walk_sections()
            .iter()
            .map(|s| s.progress)
            .collect()
    };
    for (limit, numbers) in [
        (0, vec![]),
        (2, vec!["1.1", "1.2"]),
        (3, vec!["1.1", "1.2", "1.2.1"]),
        (10, vec!["1.1", "1.2", "1.2.1", "2.1"]),
    ] {
        let v = store.release_view_first("v1", limit).unwrap();
        let got: Vec<String> = v.runs[0]
            .walk_items()
            .iter()
            .map(|i| i.number.clone())
            .collect();
        assert_eq!(got, numbers, "limit {limit}");
        assert_eq!(v.progress, full.progress, "progress is the release's");
        assert_eq!(v.runs[0].progress, full.runs[0].progress);
        // The outline stops at the last item shown, each section with its
        // whole progress; all items shown means the whole outline.
        let shown = section_progress(&v);
        let whole = section_progress(&full);
        let expected = match got.last().map(|n| n.as_str()) {
            None => 0,
            Some("2.1") => whole.len(),
            Some(_) => 1,
        };
        assert_eq!(shown, whole[..expected], "limit {limit}: each section's");
    }
}

#[test]
fn a_first_screen_keeps_trailing_empty_sections_only_when_nothing_was_cut() {
    let md = "# T\n\n## 1. A\n\n- [ ] a\n- [ ] b\n\n## 2. Notes\n\nProse only.\n";
    let store = store_with("v1", md);
    let titles = |v: &crate::model::ReleaseView| -> Vec<String> {
        v.runs[0]
            .walk_sections()
            .iter()
            .map(|s| s.plain.clone())
            .collect()
    };
    let whole = titles(&store.release_view("v1").unwrap());
    assert_eq!(whole, ["A", "Notes"]);
    assert_eq!(titles(&store.release_view_first("v1", 2).unwrap()), whole);
    assert_eq!(titles(&store.release_view_first("v1", 1).unwrap()), ["A"]);
}

#[test]
fn a_first_screen_of_very_deep_nesting_is_just_the_first_items() {
    let mut md = String::from("# Deep\n\n");
    for d in 0..3000 {
        md.push_str(&"  ".repeat(d));
        md.push_str("- [ ] x\n");
    }
    let store = store_with("v1", &md);
    let v = store.release_view_first("v1", 5).unwrap();
    assert_eq!(v.item_count(), 5);
    assert_eq!(v.progress.total, 3000);
}

#[test]
fn a_full_disk_refuses_the_write_and_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.db");
    let mut store = Store::open(&path).unwrap();
    let imp = import_bytes(
        "launch.md",
        LAUNCH.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    store.import(&imp, "ana").unwrap();
    let before = store.templates().unwrap();
    // SQLite's own size limit stands in for a full disk: the same SQLITE_FULL.
    let pages: i64 = store
        .conn()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    store
        .conn()
        .pragma_update(None, "max_page_count", pages)
        .unwrap();
    let big = crate::import::sample::generate(5_000);
    let imp = import_bytes("big.md", big.into_bytes(), &ImportOptions::default()).unwrap();
    let err = store.import(&imp, "ana").unwrap_err();
    assert!(
        err.storage_problem()
            .is_some_and(|p| p.contains("disk is full")),
        "{err}"
    );
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.templates().unwrap(), before, "nothing half-written");
    assert!(store.doctor().unwrap().ok);
}

/// Everything Signet itself does replays to exactly the live state: the
/// doctor's live-state check has no false alarms on honest histories.
#[test]
fn an_honest_history_replays_to_the_live_state() {
    let mut store = store_with("r1", LAUNCH);
    store.create_release("r2", None, "bo").unwrap();
    store.add_run("r2", "launch", true, "bo").unwrap();
    let full = Tick {
        status: Some(Status::Blocked),
        owner: Some("bo".into()),
        reason: Some("vendor".into()),
        note: Some("first".into()),
        evidence: vec!["https://ci.example/1".into()],
    };
    store.tick("r1", "1.2", &full, "ana").unwrap();
    let note = Tick {
        note: Some("second".into()),
        owner: Some(String::new()),
        ..Default::default()
    };
    store.tick("r1", "1.2", &note, "ana").unwrap();
    store.tick("r2", "2.1", &tick(Status::Done), "bo").unwrap();
    // A new version: one item reworded (removed + added), one added checked.
    let v2 = LAUNCH
        .replace("Backups restore", "Backups restore tested")
        .replace("## Ops\n", "## Ops\n\n- [x] Runbook written\n");
    let imp = import_bytes("launch.md", v2.into_bytes(), &ImportOptions::default()).unwrap();
    store.import(&imp, "ana").unwrap();
    store.upgrade_run("r1", "launch", "ana").unwrap();
    store.upgrade_run("r2", "launch", "bo").unwrap();
    store.add_person("Ana Ruiz", None, None, "ana").unwrap();
    let key = crate::seal::SigningKey::generate().unwrap();
    store
        .set_public_key("ana", &key.public_key(), "ana")
        .unwrap();
    for (release, reason) in [("r1", "accepted"), ("r2", "accepted too")] {
        let req = SignoffRequest {
            release,
            person: "ana",
            role: "Lead",
            override_reason: Some(reason),
            actor: "ana",
        };
        store.sign_off(&req, &key).unwrap();
    }
    store.reopen("r1", "hotfix", "ana").unwrap();
    store.tick("r1", "1.1", &tick(Status::Open), "ana").unwrap();
    // Ana rotates; her old key is revoked from now (after it signed r2),
    // and she signs r1 again with the new one.
    let rotated = crate::seal::SigningKey::generate().unwrap();
    store
        .replace_public_key("ana", &rotated.public_key(), "ana")
        .unwrap();
    store
        .revoke_key(&key.key_id(), None, "laptop stolen", "ana")
        .unwrap();
    let req = SignoffRequest {
        release: "r1",
        person: "ana",
        role: "Lead",
        override_reason: Some("hotfix accepted"),
        actor: "ana",
    };
    store.sign_off(&req, &rotated).unwrap();
    // Bo's key, never used, is revoked from long ago.
    store.add_person("Bo Li", None, None, "bo").unwrap();
    let bo = crate::seal::SigningKey::generate().unwrap();
    store.set_public_key("bo", &bo.public_key(), "bo").unwrap();
    store
        .revoke_key(&bo.public_key(), Some("2000-01-01"), "never trusted", "bo")
        .unwrap();
    let health = store.doctor().unwrap();
    assert!(health.ok, "{health:#?}");
    assert!(replay::drifts(store.conn()).unwrap().is_empty());

    // One field edited behind Signet's back is one drift, named.
    store
        .conn()
        .execute(
            "UPDATE item_state SET notes = 'edited' WHERE notes != ''",
            [],
        )
        .unwrap();
    let drifts = replay::drifts(store.conn()).unwrap();
    assert_eq!(drifts.len(), 1, "{drifts:#?}");
    assert_eq!(
        drifts[0].to_string(),
        "r1/launch:1.2 notes: the audit trail says \"first\\nsecond\", the database has \"edited\""
    );
}

#[test]
fn a_registered_key_is_replaced_only_when_asked_and_replay_follows() {
    let mut store = Store::open_in_memory().unwrap();
    store.add_person("Ana Ruiz", None, None, "ana").unwrap();
    let first = crate::seal::SigningKey::generate().unwrap();
    let second = crate::seal::SigningKey::generate().unwrap();
    let events = event_count;
    store
        .set_public_key("ana", &first.public_key(), "ana")
        .unwrap();
    let before = events(&store);
    // The same key again changes nothing, not even the trail.
    store
        .set_public_key("ana", &first.public_key(), "ana")
        .unwrap();
    assert_eq!(events(&store), before);
    let err = store
        .set_public_key("ana", &second.public_key(), "mallory")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!(
            "ana already has a registered signing key {}, and the key on this machine is a different one ({})",
            first.key_id(),
            second.key_id()
        )),
        "{err}"
    );
    assert_eq!(
        store.person("ana").unwrap().public_key,
        Some(first.public_key())
    );
    let p = store
        .replace_public_key("ana", &second.public_key(), "ana")
        .unwrap();
    assert_eq!(p.key_id, Some(second.key_id()));
    assert_eq!(events(&store), before + 1);
    assert!(replay::drifts(store.conn()).unwrap().is_empty());
}

fn signed_by(store: &mut Store, release: &str, key: &crate::seal::SigningKey) {
    let req = SignoffRequest {
        release,
        person: "ana",
        role: "Lead",
        override_reason: Some("accepted"),
        actor: "ana",
    };
    store.sign_off(&req, key).unwrap();
}

#[test]
fn a_revoked_key_signs_nothing_more_and_the_gate_judges_by_when_it_signed() {
    use crate::gate::{check, Policy};
    let mut store = store_with("r1", LAUNCH);
    store.create_release("r2", None, "ana").unwrap();
    store.add_run("r2", "launch", false, "ana").unwrap();
    store.add_person("Ana Ruiz", None, None, "ana").unwrap();
    let old = crate::seal::SigningKey::generate().unwrap();
    store
        .set_public_key("ana", &old.public_key(), "ana")
        .unwrap();
    signed_by(&mut store, "r1", &old);
    let strict = Policy {
        strict: true,
        ..Default::default()
    };
    // Revoked from a time after it signed: a warning, a failure when strict.
    store
        .revoke_key(&old.key_id(), Some("2100-01-01"), "retired", "ana")
        .unwrap();
    let v = check(&store, "r1", &Policy::default()).unwrap();
    assert!(v.passed, "{v:#?}");
    assert!(
        v.warnings[0]
            .message
            .starts_with("ana signed with a key revoked later"),
        "{v:#?}"
    );
    assert!(!check(&store, "r1", &strict).unwrap().passed);
    let err = store
        .revoke_key(&old.key_id(), Some("2000-01-01"), "again", "ana")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("is already revoked from 2100-01-01T00:00:00Z (retired)"),
        "{err}"
    );
    // A revoked key signs nothing more, and is never registered again.
    let err = store
        .sign_off(
            &SignoffRequest {
                release: "r2",
                person: "ana",
                role: "Lead",
                override_reason: Some("x"),
                actor: "ana",
            },
            &old,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("signet key rotate --as ana"), "{err}");
    assert_eq!(store.revisions("r2").unwrap().len(), 0, "nothing frozen");
    let new = crate::seal::SigningKey::generate().unwrap();
    store
        .replace_public_key("ana", &new.public_key(), "ana")
        .unwrap();
    let err = store
        .replace_public_key("ana", &old.public_key(), "ana")
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot be registered again"), "{err}");
    signed_by(&mut store, "r2", &new);
    let keys = store.person_keys("ana").unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        keys[0].replaced_at.as_deref(),
        Some(keys[1].valid_from.as_str())
    );
    assert!(keys[1].replaced_at.is_none() && keys[1].revocation.is_none());
    assert!(store.doctor().unwrap().ok);
    assert!(replay::drifts(store.conn()).unwrap().is_empty());

    // Someone lowers a revocation's date behind Signet's back: the trail
    // disagrees, and the append-only guard was dropped to do it.
    store
        .conn()
        .execute_batch(
            "DROP TRIGGER person_key_revoke_only;
             UPDATE person_key SET revoked_from = '2000-01-01T00:00:00Z' WHERE revoked_from IS NOT NULL;",
        )
        .unwrap();
    let drifts = replay::drifts(store.conn()).unwrap();
    assert_eq!(drifts.len(), 1, "{drifts:#?}");
    assert!(drifts[0].to_string().starts_with(&format!(
        "person ana key {}: the audit trail says valid from",
        old.key_id()
    )));
    let health = store.doctor().unwrap();
    // r1's standing sign-off now reads as made after the revocation too.
    assert_eq!(
        health.failed(),
        ["append-only", "live state", "signing keys"],
        "{health:#?}"
    );
    let v = check(&store, "r2", &Policy::default()).unwrap();
    assert!(
        !v.passed,
        "a database that fails its checks vouches for nothing"
    );
}

#[test]
fn a_sign_off_after_its_key_was_revoked_is_invalid_in_the_gate_and_the_doctor() {
    use crate::gate::{check, Policy};
    let mut store = store_with("r1", LAUNCH);
    store.add_person("Ana Ruiz", None, None, "ana").unwrap();
    let key = crate::seal::SigningKey::generate().unwrap();
    store
        .set_public_key("ana", &key.public_key(), "ana")
        .unwrap();
    signed_by(&mut store, "r1", &key);
    // Compromised since long before it signed.
    store
        .revoke_key(
            &key.key_id().to_lowercase(),
            Some("2000-01-01"),
            "key leaked",
            "sec",
        )
        .unwrap();
    let v = check(&store, "r1", &Policy::default()).unwrap();
    assert!(!v.passed);
    assert!(
        v.reasons[0]
            .message
            .starts_with("signature of ana is invalid: made ")
            && v.reasons[0]
                .message
                .ends_with("which was revoked from 2000-01-01T00:00:00Z (key leaked)"),
        "{v:#?}"
    );
    assert!(v.approvers.is_empty());
    let health = store.doctor().unwrap();
    let keys = health
        .checks
        .iter()
        .find(|c| c.name == "signing keys")
        .unwrap();
    assert!(
        !keys.ok && keys.detail.starts_with("r1 revision 1, ana"),
        "{keys:#?}"
    );
    // Only that verdict: the database itself is sound.
    assert!(store.health().unwrap().ok);
    // Reopened and signed again with a new key, the old revision is history.
    store.reopen("r1", "re-sign", "ana").unwrap();
    let new = crate::seal::SigningKey::generate().unwrap();
    store
        .replace_public_key("ana", &new.public_key(), "ana")
        .unwrap();
    signed_by(&mut store, "r1", &new);
    assert!(check(&store, "r1", &Policy::default()).unwrap().passed);
    assert!(store.doctor().unwrap().ok);
    let err = store
        .revoke_key("FFFFFFFFFFFFFFFF", Some("2000-01-01"), "x", "sec")
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[test]
fn keys_registered_before_the_key_table_existed_are_taken_from_the_trail() {
    let mut store = Store::open_in_memory().unwrap();
    store.add_person("Ana Ruiz", None, None, "ana").unwrap();
    store.add_person("Bo Li", None, None, "bo").unwrap();
    let (first, second, bo) = (
        crate::seal::SigningKey::generate().unwrap(),
        crate::seal::SigningKey::generate().unwrap(),
        crate::seal::SigningKey::generate().unwrap(),
    );
    store
        .set_public_key("ana", &first.public_key(), "ana")
        .unwrap();
    store
        .replace_public_key("ana", &second.public_key(), "ana")
        .unwrap();
    store.set_public_key("bo", &bo.public_key(), "bo").unwrap();
    let before = store.key_records().unwrap();
    // The database as version 4 left it: no key table (nor any later one).
    store
        .conn
        .execute_batch(
            "DROP TABLE person_key; DROP TABLE setting; DROP TABLE conflict; DROP TABLE batch;
             DROP TABLE op; DROP TABLE device; DROP TABLE item_alias;
             DROP TABLE template_archive; DROP TABLE run_progress; DROP TRIGGER item_state_progress_insert;
             DROP TRIGGER item_state_progress_delete; DROP TRIGGER item_state_progress_update;
             DROP INDEX item_state_unfinished_owner_run; DROP INDEX item_state_blocked; PRAGMA user_version = 4;",
        )
        .unwrap();
    super::migrate(&mut store.conn).unwrap();
    assert_eq!(store.key_records().unwrap(), before);
    let ana = store.person_keys("ana").unwrap();
    assert_eq!(
        (ana[0].key_id.as_str(), ana[1].key_id.as_str()),
        (first.key_id().as_str(), second.key_id().as_str())
    );
    assert!(replay::drifts(store.conn()).unwrap().is_empty());
}

const GATE: &str = "# Go/No-Go\n\n## Gate\n\n\
| Item | Status | Owner | Evidence |\n|---|---|---|---|\n\
| Load test | ✅ | dana | https://ci.example/81 |\n\
| Rollback | ⚠️ vendor late | ben | |\n\
| Docs | N/A | | |\n\
| Support | | ana | |\n\
| Pager | | | |\n";

/// (number, status, reason, owner, evidence targets, updated_by) of every item.
type Row = (
    String,
    Status,
    Option<String>,
    Option<String>,
    Vec<String>,
    String,
);

fn rows(store: &Store, release: &str) -> Vec<Row> {
    let view = store.release_view(release).unwrap();
    view.runs[0]
        .walk_items()
        .into_iter()
        .map(|i| {
            (
                i.number.clone(),
                i.status,
                i.reason.clone(),
                i.owner.clone(),
                i.evidence.iter().map(|e| e.target.clone()).collect(),
                i.updated_by.clone(),
            )
        })
        .collect()
}

fn row(
    n: &str,
    s: Status,
    reason: Option<&str>,
    owner: Option<&str>,
    ev: &[&str],
    by: &str,
) -> Row {
    (
        n.into(),
        s,
        reason.map(Into::into),
        owner.map(Into::into),
        ev.iter().map(|e| e.to_string()).collect(),
        by.into(),
    )
}

/// A table's Status, Owner and Evidence cells start a new run's items,
/// attributed to the file with one event per value (as a ticked box is);
/// a fresh run keeps only the owners; an upgrade starts new items the same
/// way; and the audit trail replays to exactly these states.
#[test]
fn a_run_starts_items_as_a_table_says_and_replays() {
    let src = "source:gate.md";
    let mut store = Store::open_in_memory().unwrap();
    let imp = import_bytes("gate.md", GATE.into(), &ImportOptions::default()).unwrap();
    store.import(&imp, "ana").unwrap();
    store.create_release("r1", None, "ana").unwrap();
    store.create_release("r2", None, "ana").unwrap();
    store.add_run("r1", "gate", false, "ana").unwrap();
    store.add_run("r2", "gate", true, "ana").unwrap();
    assert_eq!(
        rows(&store, "r1"),
        [
            row(
                "1.1",
                Status::Done,
                None,
                Some("dana"),
                &["https://ci.example/81"],
                src
            ),
            row(
                "1.2",
                Status::Blocked,
                Some("vendor late"),
                Some("ben"),
                &[],
                src
            ),
            row("1.3", Status::NotApplicable, Some("N/A"), None, &[], src),
            row("1.4", Status::Open, None, Some("ana"), &[], src),
            row("1.5", Status::Open, None, None, &[], "ana"),
        ]
    );
    let view = store.release_view("r1").unwrap();
    assert_eq!(view.runs[0].walk_items()[0].evidence[0].added_by, src);
    let history: Vec<(String, String, Option<String>, Option<String>)> = store
        .history("r1", "1.2")
        .unwrap()
        .into_iter()
        .map(|e| {
            (
                e.actor,
                e.field.unwrap_or_default(),
                e.old_value,
                e.new_value,
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            (
                src.into(),
                "status".into(),
                Some("open".into()),
                Some("blocked".into())
            ),
            (
                src.into(),
                "reason".into(),
                None,
                Some("vendor late".into())
            ),
            (src.into(), "owner".into(), None, Some("ben".into())),
        ]
    );
    assert_eq!(
        rows(&store, "r2"),
        [
            row("1.1", Status::Open, None, Some("dana"), &[], src),
            row("1.2", Status::Open, None, Some("ben"), &[], src),
            row("1.3", Status::Open, None, None, &[], "ana"),
            row("1.4", Status::Open, None, Some("ana"), &[], src),
            row("1.5", Status::Open, None, None, &[], "ana"),
        ]
    );
    store.tick("r1", "1.2", &tick(Status::Done), "ben").unwrap();
    // A new version adds a row with a state of its own.
    let v2 = format!("{GATE}| Paging | Blocked | cy | https://ci.example/82 |\n");
    let imp = import_bytes("gate.md", v2.into_bytes(), &ImportOptions::default()).unwrap();
    store.import(&imp, "ana").unwrap();
    let up = store.upgrade_run("r1", "gate", "ana").unwrap();
    assert_eq!((up.carried, up.added), (5, 1));
    store.upgrade_run("r2", "gate", "ana").unwrap();
    assert_eq!(
        rows(&store, "r1")[5],
        row(
            "1.6",
            Status::Blocked,
            Some("Blocked"),
            Some("cy"),
            &["https://ci.example/82"],
            src
        )
    );
    assert_eq!(
        rows(&store, "r1")[1].1,
        Status::Done,
        "carried, not restarted"
    );
    assert_eq!(
        rows(&store, "r2")[5],
        row("1.6", Status::Open, None, Some("cy"), &[], src)
    );
    assert!(replay::drifts(store.conn()).unwrap().is_empty());
    let health = store.doctor().unwrap();
    assert!(health.ok, "{health:#?}");
}

/// Databases from before migration 0004 keep their checked boxes as done
/// in new runs, and their front matter reads as metadata.
#[test]
fn migration_0004_keeps_checked_boxes_and_front_matter() {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    MIGRATIONS.to_version(&mut conn, 3).unwrap();
    conn.execute_batch(
        "INSERT INTO template (id, slug, version, title, source_name, content_hash, raw_markdown, metadata, imported_at)
         VALUES (1, 'old', 1, 'Old', 'old.md', 'h', '# Old', '{\"owner\":\"ops\"}', 't');
         INSERT INTO section (id, template_id, position, depth, number, key, title, plain, line)
         VALUES (1, 1, 0, 0, '1', 's', 'S', 'S', 1);
         INSERT INTO item (template_id, section_id, position, depth, number, key, title, plain, initially_checked, line)
         VALUES (1, 1, 0, 0, '1.1', 'a', 'A', 'A', 1, 2), (1, 1, 1, 0, '1.2', 'b', 'B', 'B', 0, 3);",
    )
    .unwrap();
    let mut store = Store::init(conn, false).unwrap();
    let t = store.template("old").unwrap();
    assert_eq!(t.metadata.len(), 1);
    assert_eq!(
        (t.metadata[0].name.as_str(), t.metadata[0].value.as_str()),
        ("owner", "ops")
    );
    assert!(t.approver_roles.is_empty());
    store.create_release("r", None, "ana").unwrap();
    store.add_run("r", "old", false, "ana").unwrap();
    let statuses: Vec<Status> = rows(&store, "r").into_iter().map(|r| r.1).collect();
    assert_eq!(statuses, [Status::Done, Status::Open]);
}

const MATCH_V1: &str = include_str!("../../tests/fixtures/matching/launch-v1.md");
const MATCH_V2: &str = include_str!("../../tests/fixtures/matching/launch-v2.md");
const MATCH_V3: &str = include_str!("../../tests/fixtures/matching/launch-v3.md");

fn import_version(store: &mut Store, md: &str) {
    let imp = import_bytes(
        "launch.md",
        md.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    store.import(&imp, "ana").unwrap();
}

/// The four kinds of match on one upgrade (tests/fixtures/matching/): a
/// kept item, a moved one, two reworded (a word, a typo), and near misses
/// that stay a removal and an addition. States follow their pairs, every
/// change is in the item's history, the preview says the same and writes
/// nothing, and the audit trail replays to the result.
#[test]
fn an_upgrade_keeps_the_state_of_moved_and_reworded_items() {
    let mut store = store_with("r1", MATCH_V1);
    let keys = Tick {
        status: Some(Status::Done),
        owner: Some("bo".into()),
        note: Some("rotated in the vault".into()),
        evidence: vec!["https://ci.example/keys".into()],
        ..Default::default()
    };
    store.tick("r1", "1.1", &keys, "ana").unwrap();
    store.tick("r1", "1.2", &tick(Status::Done), "ana").unwrap();
    let blocked = Tick {
        status: Some(Status::Blocked),
        reason: Some("legal review".into()),
        ..Default::default()
    };
    store.tick("r1", "1.3", &blocked, "ana").unwrap();
    store.tick("r1", "1.4", &tick(Status::Done), "ana").unwrap();
    let na = Tick {
        status: Some(Status::NotApplicable),
        reason: Some("no data yet".into()),
        ..Default::default()
    };
    store.tick("r1", "2.1", &na, "ana").unwrap();
    let owner = Tick {
        owner: Some("cy".into()),
        ..Default::default()
    };
    store.tick("r1", "2.2", &owner, "ana").unwrap();
    store.tick("r1", "2.3", &tick(Status::Done), "ana").unwrap();
    import_version(&mut store, MATCH_V2);

    let events = event_count(&store);
    let preview = store.upgrade_preview("r1", "launch").unwrap();
    assert_eq!(event_count(&store), events, "a preview writes nothing");
    assert_eq!(
        store.release_view("r1").unwrap().runs[0].template.version,
        1
    );
    let up = store.upgrade_run("r1", "launch", "ana").unwrap();
    assert_eq!(
        preview,
        RunUpgrade {
            dry_run: true,
            ..up.clone()
        }
    );
    assert_eq!(
        (
            up.kept,
            up.moved,
            up.reworded,
            up.added,
            up.removed,
            up.carried
        ),
        (1, 1, 2, 3, 3, 4)
    );
    let pairs: Vec<(MatchKind, &str, &str, Status)> = up
        .matches
        .iter()
        .map(|m| {
            (
                m.kind,
                m.old.number.as_str(),
                m.new.number.as_str(),
                m.new.status,
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            (MatchKind::Reworded, "1.1", "1.1", Status::Done),
            (MatchKind::Reworded, "2.2", "2.1", Status::Open),
            (MatchKind::Moved, "2.1", "3.1", Status::NotApplicable),
        ]
    );
    assert_eq!(up.matches[0].old.plain, "API keys/tokens are rotated");
    assert_eq!(up.matches[0].new.plain, "API keys or tokens are rotated");
    assert_eq!(up.matches[0].similarity, 913);
    let removed: Vec<(&str, Status)> = up
        .removed_items
        .iter()
        .map(|i| (i.plain.as_str(), i.status))
        .collect();
    assert_eq!(
        removed,
        [
            (
                "Dependencies scanned for known vulnerabilities",
                Status::Done
            ),
            ("Privacy policy updated", Status::Blocked),
            ("Status page updated", Status::Done),
        ],
        "near misses are not paired"
    );
    let added: Vec<(&str, Status)> = up
        .added_items
        .iter()
        .map(|i| (i.number.as_str(), i.status))
        .collect();
    assert_eq!(
        added,
        [
            ("1.2", Status::Open),
            ("1.4", Status::Done),
            ("2.2", Status::Open)
        ]
    );

    let src = "source:launch.md";
    assert_eq!(
        rows(&store, "r1"),
        [
            row(
                "1.1",
                Status::Done,
                None,
                Some("bo"),
                &["https://ci.example/keys"],
                "ana"
            ),
            row("1.2", Status::Open, None, None, &[], "ana"),
            row("1.3", Status::Done, None, None, &[], "ana"),
            row("1.4", Status::Done, None, None, &[], src),
            row("2.1", Status::Open, None, Some("cy"), &[], "ana"),
            row("2.2", Status::Open, None, None, &[], "ana"),
            row(
                "3.1",
                Status::NotApplicable,
                Some("no data yet"),
                None,
                &[],
                "ana"
            ),
        ]
    );
    assert_eq!(
        store.item("r1", "1.1").unwrap().notes,
        "rotated in the vault"
    );
    // The reworded item's history: its ticks under the old wording, then
    // the pairing. The item new and checked in the file says so too.
    let history =
        |store: &Store, n: &str| -> Vec<(String, String, Option<String>, Option<String>)> {
            store
                .history("r1", n)
                .unwrap()
                .into_iter()
                .map(|e| {
                    (
                        e.actor,
                        e.field.unwrap_or(e.action),
                        e.old_value,
                        e.new_value,
                    )
                })
                .collect()
        };
    let h = history(&store, "1.1");
    assert_eq!(
        h[0],
        (
            "ana".into(),
            "status".into(),
            Some("open".into()),
            Some("done".into())
        )
    );
    assert_eq!(
        h.last().unwrap(),
        &(
            "ana".into(),
            "reworded".into(),
            Some("1.1 API keys/tokens are rotated".into()),
            Some("1.1 API keys or tokens are rotated".into())
        )
    );
    assert_eq!(
        history(&store, "3.1").last().unwrap(),
        &(
            "ana".into(),
            "moved".into(),
            Some("2.1 Backups restore".into()),
            Some("3.1 Backups restore".into())
        )
    );
    assert_eq!(
        history(&store, "1.4"),
        [(
            src.into(),
            "status".into(),
            Some("open".into()),
            Some("done".into())
        )]
    );
    assert!(replay::drifts(store.conn()).unwrap().is_empty());
    let health = store.doctor().unwrap();
    assert!(health.ok, "{health:#?}");

    // Reworded again: the history goes back through both pairings.
    import_version(&mut store, MATCH_V3);
    let up = store.upgrade_run("r1", "launch", "bo").unwrap();
    assert_eq!((up.kept, up.reworded, up.added, up.removed), (6, 1, 0, 0));
    assert_eq!(store.item("r1", "1.1").unwrap().status, Status::Done);
    let h = history(&store, "1.1");
    assert_eq!(h[0].1, "status");
    assert_eq!(h.iter().filter(|e| e.1 == "reworded").count(), 2, "{h:#?}");
    assert!(replay::drifts(store.conn()).unwrap().is_empty());

    // A pairing no upgrade made is a difference the doctor names.
    store
        .conn()
        .execute(
            "INSERT INTO item_alias (release, template, new_key, old_key) VALUES ('r1', 'launch', 'aaaaaaaaaaaa', 'bbbbbbbbbbbb')",
            [],
        )
        .unwrap();
    let drifts = replay::drifts(store.conn()).unwrap();
    assert_eq!(drifts.len(), 1, "{drifts:#?}");
    assert!(
        drifts[0].field.contains("continuing item bbbbbbbbbbbb"),
        "{drifts:#?}"
    );
    let err = store
        .conn()
        .execute("DELETE FROM item_alias", [])
        .unwrap_err()
        .to_string();
    assert!(err.contains("append-only"), "{err}");
}

/// An upgrade that pairs by key alone replays as before, and a run
/// upgraded twice in a row to the same version is told so.
#[test]
fn an_upgrade_by_key_alone_and_an_upgrade_to_the_same_version() {
    let mut store = store_with("r1", LAUNCH);
    import_version(
        &mut store,
        &LAUNCH.replace("## Ops\n", "## Ops\n\n- [x] Runbook written\n"),
    );
    let up = store.upgrade_run("r1", "launch", "ana").unwrap();
    assert_eq!(
        (up.kept, up.added, up.removed, up.matches.len()),
        (4, 1, 0, 0)
    );
    let again = store.upgrade_preview("r1", "launch").unwrap();
    assert_eq!(
        (again.from_version, again.to_version, again.carried),
        (2, 2, 0)
    );
    assert!(replay::drifts(store.conn()).unwrap().is_empty());
}

/// A synced upgrade applies the pairs its operation names, even one this
/// replica's matcher would not choose (another Signet's threshold), and
/// the audit trail replays it.
#[test]
fn an_upgrade_applies_the_pairs_it_is_given() {
    let mut store = store_with("r1", MATCH_V1);
    store.tick("r1", "1.3", &tick(Status::Done), "ana").unwrap();
    import_version(&mut store, MATCH_V2);
    let key = |v: &str, n: &str| -> String {
        store
            .conn()
            .query_row(
                "SELECT i.key FROM item i JOIN template t ON t.id = i.template_id
                 WHERE t.version = ?1 AND i.number = ?2",
                rusqlite::params![v, n],
                |r| r.get(0),
            )
            .unwrap()
    };
    // "Privacy policy updated" → "Cookie banner updated": not similar enough.
    let chosen = [(key("1", "1.3"), key("2", "1.4"))];
    let latest = store.template("launch").unwrap();
    let up = store
        .write(|tx| runs::upgrade_run_in(tx, "r1", &latest, ("ana", &crate::now()), Some(&chosen)))
        .unwrap();
    assert_eq!(
        (up.kept, up.moved, up.reworded),
        (1, 0, 1),
        "the given pairs only"
    );
    assert_eq!(up.matches[0].new.plain, "Cookie banner updated");
    assert_eq!(store.item("r1", "1.4").unwrap().status, Status::Done);
    assert!(replay::drifts(store.conn()).unwrap().is_empty());
}

/// A database upgraded by a Signet from before items were matched: its
/// `run.upgrade` event says "… carried …" and stands for the new items'
/// states, with no event of their own. The replay still follows it.
#[test]
fn an_upgrade_recorded_before_items_were_matched_still_replays() {
    let mut store = store_with("r1", LAUNCH);
    store.tick("r1", "2.1", &tick(Status::Done), "ana").unwrap();
    import_version(
        &mut store,
        &LAUNCH.replace("## Ops\n", "## Ops\n\n- [x] Runbook written\n"),
    );
    // What upgrade_run wrote then.
    store
        .write(|tx| {
            let run: i64 = tx.query_row("SELECT id FROM run", [], |r| r.get(0))?;
            tx.execute_batch(&format!(
                "UPDATE run SET template_id = 2 WHERE id = {run};
                 INSERT INTO item_state (run_id, item_id, status, owner, notes, reason, updated_at, updated_by)
                 SELECT {run}, n.id, s.status, s.owner, s.notes, s.reason, s.updated_at, s.updated_by
                 FROM item n JOIN item o ON o.key = n.key AND o.template_id = 1
                 JOIN item_state s ON s.run_id = {run} AND s.item_id = o.id WHERE n.template_id = 2;
                 INSERT INTO item_state (run_id, item_id, status, updated_at, updated_by)
                 SELECT {run}, n.id, CASE WHEN n.initially_checked THEN 'done' ELSE 'open' END, 't',
                        CASE WHEN n.initially_checked THEN 'source:launch.md' ELSE 'ana' END
                 FROM item n WHERE n.template_id = 2
                   AND NOT EXISTS (SELECT 1 FROM item_state s WHERE s.run_id = {run} AND s.item_id = n.id);
                 DELETE FROM item_state WHERE item_id IN (SELECT id FROM item WHERE template_id = 1);"
            ))?;
            events::append(
                tx,
                events::NewEvent {
                    actor: "ana",
                    action: "run.upgrade",
                    subject: "r1/launch",
                    release_id: Some(1),
                    run_id: Some(run),
                    field: Some("version"),
                    old: Some("1"),
                    new: Some("2 (4 carried, 1 added, 0 removed)"),
                    ..Default::default()
                },
            )?;
            Ok(())
        })
        .unwrap();
    assert_eq!(store.item("r1", "2.1").unwrap().status, Status::Done);
    assert_eq!(store.item("r1", "2.1").unwrap().plain, "Runbook written");
    assert!(replay::drifts(store.conn()).unwrap().is_empty());
}

/// A pairing unticked in the app's preview is left out: the old item's
/// state ends, the new one starts as its source says, and the preview with
/// the same choice says so before anything changes.
#[test]
fn an_upgrade_applies_only_the_pairs_a_person_kept() {
    let mut store = store_with("r1", MATCH_V1);
    store.tick("r1", "1.1", &tick(Status::Done), "ana").unwrap();
    store.tick("r1", "2.3", &tick(Status::Done), "ana").unwrap();
    import_version(&mut store, MATCH_V2);
    let offered = store.upgrade_preview("r1", "launch").unwrap();
    assert!(offered.matches.len() >= 2, "{:?}", offered.matches);
    let dropped = &offered.matches[0];
    let kept: Vec<(String, String)> = offered.matches[1..]
        .iter()
        .map(|m| (m.old.key.clone(), m.new.key.clone()))
        .collect();
    let preview = store
        .upgrade_preview_with("r1", "launch", Some(&kept))
        .unwrap();
    assert_eq!(preview.matches.len(), offered.matches.len() - 1);
    assert_eq!(preview.removed, offered.removed + 1);
    assert_eq!(preview.added, offered.added + 1);
    let up = store
        .upgrade_run_with("r1", "launch", "ana", Some(&kept))
        .unwrap();
    assert_eq!(
        preview,
        RunUpgrade {
            dry_run: true,
            ..up.clone()
        }
    );
    assert!(up.removed_items.iter().any(|i| i.key == dropped.old.key));
    assert!(up.added_items.iter().any(|i| i.key == dropped.new.key));
    assert!(store.doctor().unwrap().ok);
}

/// The import event's tree digest comes from the rows as they are
/// inserted; the replay recomputes it from the tables. Every fixture shape
/// (nested items and sections, tables with fields and source states,
/// metadata, approver roles) and a large generated file must give both
/// the same digest, or `doctor` would flag a faithful import as tampered.
#[test]
fn the_import_digest_is_the_digest_of_what_the_tables_hold() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.push((
        "generated.md".into(),
        crate::import::sample::generate(3_000).into_bytes(),
    ));
    assert!(files.len() > 10, "the fixtures are where they should be");
    let mut store = Store::open_in_memory().unwrap();
    let mut source_states = 0;
    for (name, bytes) in files {
        let imp = import_bytes(&name, bytes, &ImportOptions::default()).unwrap();
        let t = store.import(&imp, "ana").unwrap().template;
        let recorded: String = store
            .conn()
            .query_row(
                "SELECT new_value FROM event WHERE action = 'template.import' ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let stored = tree::stored(store.conn(), t.id).unwrap();
        assert!(
            recorded.ends_with(&format!("tree {stored}")),
            "{name}: the event says {recorded}, the tables give {stored}"
        );
        source_states += store
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM source_state g JOIN item i ON i.id = g.item_id WHERE i.template_id = ?1",
                [t.id],
                |r| r.get::<_, i64>(0),
            )
            .unwrap();
    }
    assert!(source_states > 0, "some fixture gives items a source state");
    assert!(store.doctor().unwrap().ok);
}

/// A database Signet creates takes its first write in a rollback journal
/// (one copy of each page instead of two) and is in WAL from its next write
/// or its next open on.
#[test]
fn a_new_database_is_in_wal_from_its_second_write_or_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let mode = |s: &Store| -> String {
        s.conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap()
    };
    let mut store = Store::open(&path).unwrap();
    assert_eq!(mode(&store), "delete");
    let imp = import_bytes(
        "launch.md",
        LAUNCH.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    store.import(&imp, "ana").unwrap();
    assert_eq!(mode(&store), "delete");
    store.create_release("v1", None, "ana").unwrap();
    assert_eq!(mode(&store), "wal");
    drop(store);
    // One write and the process ends: the next open finds it in WAL.
    let once = dir.path().join("once.db");
    let mut store = Store::open(&once).unwrap();
    store.import(&imp, "ana").unwrap();
    drop(store);
    assert_eq!(mode(&Store::open(&once).unwrap()), "wal");
    assert_eq!(Store::open(&once).unwrap().templates().unwrap().len(), 1);
    // A database created and left without a write is in WAL at its next open.
    let other = dir.path().join("untouched.db");
    drop(Store::open(&other).unwrap());
    let reopened = Store::open(&other).unwrap();
    assert_eq!(mode(&reopened), "wal");
    assert_eq!(Store::open(&path).unwrap().templates().unwrap().len(), 1);
}

/// Migration 0010 rebuilds the item table (its UNIQUE constraints become
/// indexes of their own): a database with a running release keeps every
/// item, every state pointing at them and their uniqueness.
#[test]
fn migration_0010_keeps_items_their_states_and_uniqueness() {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    MIGRATIONS.to_version(&mut conn, 9).unwrap();
    conn.execute_batch(
        "INSERT INTO template (id, slug, version, title, source_name, content_hash, raw_markdown, imported_at)
         VALUES (1, 'old', 1, 'Old', 'old.md', 'h', '# Old', 't');
         INSERT INTO section (id, template_id, position, depth, number, key, title, plain, line)
         VALUES (1, 1, 0, 0, '1', 's', 'S', 'S', 1);
         INSERT INTO item (id, template_id, section_id, parent_id, position, depth, number, key, title, plain, line)
         VALUES (1, 1, 1, NULL, 0, 0, '1.1', 'a', 'A', 'A', 2), (2, 1, 1, 1, 1, 1, '1.1.1', 'b', 'B', 'B', 3);
         INSERT INTO source_state (item_id, owner) VALUES (2, 'bo');
         INSERT INTO release (id, name, created_at) VALUES (1, 'r', 't');
         INSERT INTO run (id, release_id, template_id, position, created_at) VALUES (1, 1, 1, 0, 't');
         INSERT INTO item_state (run_id, item_id, status, owner, updated_at, updated_by)
         VALUES (1, 1, 'done', 'ana', 't', 'ana'), (1, 2, 'open', 'bo', 't', 'ana');",
    )
    .unwrap();
    let mut store = Store::init(conn, false).unwrap();
    assert_eq!(rows(&store, "r").len(), 2);
    assert_eq!(store.item("r", "1.1").unwrap().status, Status::Done);
    assert_eq!(
        store.item("r", "1.1.1").unwrap().owner.as_deref(),
        Some("bo")
    );
    store
        .tick("r", "1.1.1", &tick(Status::Done), "ana")
        .unwrap();
    assert_eq!(store.item("r", "1.1.1").unwrap().status, Status::Done);
    let fk: i64 = store
        .conn()
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
    for duplicate in [
        "INSERT INTO item (template_id, section_id, position, depth, number, key, title, plain, line)
         VALUES (1, 1, 2, 0, '1.2', 'a', 'C', 'C', 4)",
        "INSERT INTO item (template_id, section_id, position, depth, number, key, title, plain, line)
         VALUES (1, 1, 2, 0, '1.1', 'c', 'C', 'C', 4)",
    ] {
        assert!(store.conn().execute(duplicate, []).is_err(), "{duplicate}");
    }
    // Items still cannot lose their section or parent.
    assert!(store
        .conn()
        .execute("DELETE FROM item WHERE id = 1", [])
        .is_err());
}

/// The first import into an empty item table drops its unique indexes and
/// builds them after the rows: the schema ends as the migration left it,
/// and the next import (which keeps them) is held to them.
#[test]
fn a_first_import_leaves_the_item_indexes_as_the_migration_made_them() {
    let index_sql = |store: &Store| -> Vec<(String, String)> {
        let mut stmt = store
            .conn()
            .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'item' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let mut store = Store::open_in_memory().unwrap();
    let migrated = index_sql(&store);
    let mut expected: Vec<(String, String)> = templates::ITEM_INDEXES
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    expected.sort();
    assert_eq!(migrated, expected);
    import_version(&mut store, LAUNCH);
    assert_eq!(index_sql(&store), migrated);
    import_version(&mut store, &format!("{LAUNCH}- [ ] Pager rota\n"));
    assert_eq!(index_sql(&store), migrated);
    assert_eq!(store.templates().unwrap().len(), 2);
    // The first template's rows are in the rebuilt indexes: a lookup by
    // number goes through them and finds the item.
    store.create_release("r", None, "ana").unwrap();
    store.add_run("r", "launch@1", false, "ana").unwrap();
    assert_eq!(store.item("r", "2.1").unwrap().status, Status::Open);
}

fn hidden_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".signet-new-"))
        .collect()
}

/// A database made while the caller parsed: nobody sees it before its
/// first write is committed, then it is the database, whole, and nothing
/// hidden is left beside it.
#[test]
fn a_database_made_meanwhile_appears_with_its_first_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let mut store = Store::begin_create(&path).open().unwrap();
    assert!(!path.exists(), "not before its first write");
    assert!(store.templates().unwrap().is_empty());
    import_version(&mut store, LAUNCH);
    assert!(path.exists());
    assert!(hidden_files(dir.path()).is_empty());
    // The store goes on under the database's name, switching to WAL.
    store.create_release("v1", None, "ana").unwrap();
    assert!(dir.path().join("new.db-wal").exists());
    drop(store);
    let reopened = Store::open(&path).unwrap();
    assert_eq!(reopened.templates().unwrap().len(), 1);
    assert!(reopened.doctor().unwrap().ok);
    // Given up before opening: nothing at all is left.
    let other = dir.path().join("other.db");
    drop(Store::begin_create(&other));
    assert!(!other.exists());
    assert!(hidden_files(dir.path()).is_empty());
}

/// Another process makes the database while this one parses: the first
/// write goes to that database, and neither write is lost.
#[test]
fn a_database_made_elsewhere_meanwhile_takes_the_first_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raced.db");
    let mut store = Store::begin_create(&path).open().unwrap();
    let mut theirs = Store::open(&path).unwrap();
    theirs.create_release("theirs", None, "bo").unwrap();
    import_version(&mut store, LAUNCH);
    drop((store, theirs));
    let db = Store::open(&path).unwrap();
    assert_eq!(db.templates().unwrap().len(), 1);
    assert!(db.release("theirs").is_ok());
    assert!(hidden_files(dir.path()).is_empty());
    assert!(db.doctor().unwrap().ok);
}
