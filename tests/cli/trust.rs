//! A wrong path, an edited file or a cut audit trail never reads as green:
//! `doctor`, `audit verify` and `gate` on databases a careless or hostile
//! user got at.

use super::*;

/// Changes the database the way a careful attacker with any SQLite tool
/// would: the guard triggers dropped, the edit made, the same triggers put
/// back — so each check below has to find the edit itself.
fn edit(db: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let triggers: Vec<(String, String)> = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (name, _) in &triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{name}\";"))
            .unwrap();
    }
    conn.execute_batch(sql).unwrap();
    for (_, create) in &triggers {
        conn.execute_batch(create).unwrap();
    }
}

fn signed_off() -> Env {
    let env = Env::launched();
    env.approvers();
    env.close_all();
    env.run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Tech lead"])
        .success();
    env.run(&["doctor"]).success();
    env.run(&["gate", "v2.4.0"]).success();
    env
}

#[test]
fn read_only_commands_on_a_mistyped_path_fail_and_create_nothing() {
    let env = Env::new();
    let missing = env.path("typo/path/signet.db");
    let commands: [&[&str]; 9] = [
        &["doctor"],
        &["audit", "verify"],
        &["gate", "v1"],
        &["show", "v1"],
        &["history", "v1", "1.1"],
        &["export", "v1"],
        &["templates"],
        &["release", "list"],
        &["person", "list"],
    ];
    for args in commands {
        env.cmd()
            .env("SIGNET_DB", &missing)
            .args(args)
            .assert()
            .code(2)
            .stderr(format!(
                "signet: no Signet database at {}; import a checklist or create a release to start one\n",
                missing.display()
            ));
    }
    assert!(!env.path("typo").exists(), "no folder was created");
    // An empty file is no database either.
    env.file("empty.db", "");
    env.cmd()
        .env("SIGNET_DB", env.path("empty.db"))
        .arg("doctor")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no Signet database at"));
    // A command that writes creates it where it was asked to.
    env.cmd()
        .env("SIGNET_DB", &missing)
        .args(["release", "new", "v1"])
        .assert()
        .success();
    env.cmd()
        .env("SIGNET_DB", &missing)
        .args(["release", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("v1"));
}

#[test]
fn another_applications_database_is_refused_and_left_byte_for_byte() {
    let env = Env::new();
    env.file("launch.md", LAUNCH);
    let other = env.path("notes-app.db");
    {
        let conn = rusqlite::Connection::open(&other).unwrap();
        conn.execute_batch("CREATE TABLE note (body TEXT); INSERT INTO note VALUES ('mine');")
            .unwrap();
    }
    let stamped = env.path("stamped.db");
    {
        let conn = rusqlite::Connection::open(&stamped).unwrap();
        conn.execute_batch("PRAGMA application_id = 42; CREATE TABLE event (x);")
            .unwrap();
    }
    for (db, why) in [
        (&other, "it holds other tables (note)"),
        (
            &stamped,
            "it belongs to another application (application id 0x0000002a)",
        ),
    ] {
        let before = std::fs::read(db).unwrap();
        let commands: [&[&str]; 4] = [
            &["release", "new", "v1"],
            &["import", "launch.md"],
            &["doctor"],
            &["show", "v1"],
        ];
        for args in commands {
            env.cmd()
                .env("SIGNET_DB", db)
                .args(args)
                .assert()
                .code(2)
                .stderr(format!(
                    "signet: {}: not a Signet database ({why}); Signet left it untouched — pass --db with a Signet database file\n",
                    db.display()
                ));
        }
        assert_eq!(std::fs::read(db).unwrap(), before, "{}", db.display());
        for suffix in ["-wal", "-shm", "-journal"] {
            let side = PathBuf::from(format!("{}{suffix}", db.display()));
            assert!(!side.exists(), "{} was left behind", side.display());
        }
    }
}

#[test]
fn a_text_file_as_database_names_the_file() {
    let env = Env::new();
    let text = env.file(
        "notes.md",
        "# Not a database\n\nJust text, long enough to fill a SQLite header of one hundred bytes and more.\n",
    );
    for args in [&["doctor"][..], &["release", "new", "v1"]] {
        env.cmd()
            .env("SIGNET_DB", &text)
            .args(args)
            .assert()
            .code(2)
            .stderr(format!(
                "signet: {}: not a database (it is not a SQLite file); pass --db with a Signet database file\n",
                text.display()
            ));
    }
}

#[test]
fn a_database_from_before_the_application_id_still_opens() {
    let env = Env::launched();
    edit(&env.db(), "PRAGMA application_id = 0;");
    env.run(&["doctor"]).success();
    env.run(&["tick", "v2.4.0", "1.2", "done"]).success();
}

#[test]
fn an_owner_or_status_edited_in_place_fails_doctor_audit_and_gate() {
    let env = signed_off();
    edit(
        &env.db(),
        "UPDATE item_state SET owner = 'mallory' WHERE item_id = (SELECT id FROM item WHERE number = '1.2');
         UPDATE item_state SET status = 'blocked', reason = 'vendor' WHERE item_id = (SELECT id FROM item WHERE number = '3.1');",
    );
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains("ok   audit chain"))
        .stdout(predicate::str::contains(
            "v2.4.0/launch:1.2 owner: the audit trail says nothing, the database has 'mallory'",
        ))
        .stdout(predicate::str::contains(
            "v2.4.0/launch:3.1 status: the audit trail says done, the database has blocked",
        ))
        .stdout(predicate::str::contains(
            "v2.4.0/launch:3.1 reason: the audit trail says nothing, the database has 'vendor'",
        ));
    env.run(&["audit", "verify"])
        .code(1)
        .stderr(predicate::str::contains("signet: live state: "))
        .stderr(predicate::str::contains("v2.4.0/launch:1.2 owner"));
    env.run(&["gate", "v2.4.0"])
        .code(1)
        .stdout(predicate::str::contains(
            "the database fails its live state check: v2.4.0/launch:1.2 owner",
        ));
}

#[test]
fn an_edit_in_place_before_a_later_tick_is_still_found() {
    let env = Env::launched();
    env.run(&["tick", "v2.4.0", "1.2", "done", "--owner", "ana"])
        .success();
    edit(
        &env.db(),
        "UPDATE item_state SET owner = 'mallory' WHERE item_id = (SELECT id FROM item WHERE number = '1.2');",
    );
    // The next honest tick records the edited value as "old"; the replay
    // still knows the owner was ana.
    env.run(&["tick", "v2.4.0", "1.2", "--owner", "bo"])
        .success();
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains(
            "v2.4.0/launch:1.2 owner: the audit trail says 'ana', the database has 'mallory' when event",
        ));
}

#[test]
fn evidence_notes_and_runs_edited_in_place_are_found() {
    let env = Env::launched();
    env.run(&[
        "tick",
        "v2.4.0",
        "1.2",
        "done",
        "--evidence",
        "https://ci.example/run/1",
        "--note",
        "green",
    ])
    .success();
    edit(
        &env.db(),
        "UPDATE evidence SET target = 'https://evil.example/'; UPDATE item_state SET notes = 'all good' WHERE notes = 'green';
         INSERT INTO release (name, status, created_at) VALUES ('v9', 'signed_off', '2026-01-01T00:00:00Z');",
    );
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains(
            "v2.4.0/launch:1.2 evidence: the audit trail says ['https://ci.example/run/1' by ana], the database has ['https://evil.example/' by ana]",
        ))
        .stdout(predicate::str::contains(
            r#"v2.4.0/launch:1.2 notes: the audit trail says "green", the database has "all good""#,
        ))
        .stdout(predicate::str::contains(
            "v9 release: the audit trail says nothing, the database has 'v9' (signed off, due none)",
        ));
}

#[test]
fn deleting_the_sign_off_events_fails_doctor_and_gate() {
    let env = signed_off();
    edit(
        &env.db(),
        "DELETE FROM event WHERE action IN ('release.freeze', 'signoff');",
    );
    // The chain of what is left still links: only the replay and the
    // anchor see what is missing.
    env.run(&["audit", "verify"])
        .code(1)
        .stderr(predicate::str::contains(
            "v2.4.0 revision 1: the audit trail says nothing, the database has digest sha256:",
        ))
        .stderr(predicate::str::contains(
            "tail anchor: the audit trail no longer holds event #",
        ));
    env.run(&["gate", "v2.4.0"])
        .code(1)
        .stdout(predicate::str::contains(
            "the database fails its live state check",
        ));
}

#[test]
fn a_sign_off_cut_out_entirely_is_caught_by_the_anchor() {
    let env = signed_off();
    // Everything of the sign-off removed, rows and events, as if it never
    // happened: the database alone is consistent again.
    edit(
        &env.db(),
        "DELETE FROM event WHERE action IN ('release.freeze', 'signoff');
         DELETE FROM signoff; DELETE FROM report_revision;
         UPDATE release SET status = 'open';",
    );
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains("ok   audit chain"))
        .stdout(predicate::str::contains("ok   live state"))
        .stdout(predicate::str::contains(
            "FAIL tail anchor     the audit trail no longer holds event #",
        ));
    // The anchor is not moved forward over the gap by later writes.
    env.run(&["tick", "v2.4.0", "1.2", "--note", "later"])
        .success();
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains("FAIL tail anchor"));
}

#[test]
fn an_older_copy_put_in_place_is_caught_and_restore_is_the_way_back() {
    let env = Env::launched();
    env.run(&["backup", "early.db"]).success();
    env.run(&["tick", "v2.4.0", "1.2", "done"]).success();
    std::fs::copy(env.path("early.db"), env.db()).unwrap();
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains(
            "an older copy of the database was put in place",
        ));
    // The same copy restored on purpose is the new history.
    env.run(&["backup", "latest.db"]).success();
    env.run(&["restore", "early.db"]).success();
    env.run(&["doctor"]).success();
}

#[test]
fn dropped_append_only_triggers_fail_doctor() {
    let env = Env::launched();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch("DROP TRIGGER event_no_delete;").unwrap();
    drop(conn);
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL append-only     triggers dropped behind Signet's back: event_no_delete",
        ));
}

#[test]
fn a_sign_off_by_a_key_never_registered_for_the_signer_is_forged() {
    let env = signed_off();
    env.run(&["signoff", "v2.4.0", "--as", "bo", "--role", "QA"])
        .success();
    env.run(&["gate", "v2.4.0", "--require", "bo"]).success();
    // Bo's signature row swapped for one made with another key (a valid
    // minisign signature, just not Bo's): here, Ana's.
    edit(
        &env.db(),
        "UPDATE signoff SET public_key = (SELECT public_key FROM signoff WHERE handle = 'ana'),
                            key_id = (SELECT key_id FROM signoff WHERE handle = 'ana'),
                            signature = (SELECT signature FROM signoff WHERE handle = 'ana')
         WHERE handle = 'bo';",
    );
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains(
            "v2.4.0 revision 1 sign-off by bo: the audit trail says a key registered for bo (",
        ))
        .stdout(predicate::str::contains(
            "the database has a signature by key ",
        ));
    env.run(&["gate", "v2.4.0", "--require", "bo"]).code(1);
}

#[test]
fn checklist_text_changed_in_place_fails_doctor_and_cannot_be_signed() {
    let env = Env::launched();
    env.approvers();
    edit(
        &env.db(),
        "UPDATE item SET title = 'Privacy policy (descoped)', plain = 'Privacy policy (descoped)' WHERE number = '1.2';",
    );
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains(
            "template launch@1 content (title, raw markdown, sections or items): the audit trail says tree ",
        ));
    env.close_all();
    env.run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Tech lead"])
        .code(2)
        .stderr(predicate::str::contains(
            "cannot sign off v2.4.0: the database fails its checks (live state: template launch@1",
        ));
    assert_eq!(env.count("SELECT COUNT(*) FROM report_revision"), 0);
}

#[test]
fn who_last_changed_an_item_and_who_added_evidence_are_checked() {
    let env = Env::launched();
    env.run(&[
        "tick",
        "v2.4.0",
        "1.2",
        "done",
        "--evidence",
        "https://ci.example/run/1",
    ])
    .success();
    edit(
        &env.db(),
        "UPDATE item_state SET updated_by = 'ana (verified)' WHERE updated_by = 'ana';
         UPDATE evidence SET label = 'All 412 tests green';",
    );
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains(
            "v2.4.0/launch:1.2 last changed by: the audit trail says 'ana', the database has 'ana (verified)'",
        ))
        .stdout(predicate::str::contains(
            "labelled 'All 412 tests green' by ana]",
        ));
}

#[test]
fn a_damaged_anchor_or_a_removed_database_id_is_a_finding() {
    let env = Env::launched();
    env.run(&["tick", "v2.4.0", "1.2", "done"]).success();
    let anchors = env.path("config/anchors");
    let anchor = std::fs::read_dir(&anchors)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap();
    std::fs::write(&anchor, "{ edited").unwrap();
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains(
            "cannot be read (it was edited or damaged)",
        ));
    env.run(&["tick", "v2.4.0", "1.2.1", "done"]).success();
    assert_eq!(
        std::fs::read_to_string(&anchor).unwrap(),
        "{ edited",
        "left as evidence"
    );

    edit(&env.db(), "DELETE FROM meta;");
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL tail anchor     the database's id (table meta) was removed behind Signet's back",
        ));
}

#[test]
fn another_applications_database_with_its_data_still_in_the_wal_is_left_alone() {
    let env = Env::new();
    let other = env.path("wal-app.db");
    // A WAL database whose writer is still running: its table is only in
    // the -wal file, the main file has no schema yet.
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE note (body TEXT); INSERT INTO note VALUES ('mine');",
    )
    .unwrap();
    let wal = PathBuf::from(format!("{}-wal", other.display()));
    assert!(wal.exists());
    let (main_before, wal_before) = (std::fs::read(&other).unwrap(), std::fs::read(&wal).unwrap());
    for args in [&["doctor"][..], &["release", "new", "v1"]] {
        env.cmd()
            .env("SIGNET_DB", &other)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "not a Signet database (it holds other tables (note))",
            ));
    }
    assert_eq!(std::fs::read(&other).unwrap(), main_before);
    assert_eq!(std::fs::read(&wal).unwrap(), wal_before);
    drop(conn);
}

#[test]
fn importing_into_a_signed_off_release_stores_nothing() {
    let env = signed_off();
    env.file(
        "launch.md",
        LAUNCH.replace("Backups restore", "Backups restore tested"),
    );
    env.run(&["import", "launch.md", "--release", "v2.4.0"])
        .code(2)
        .stderr("signet: release v2.4.0 is signed off and read-only; reopen it first\n");
    assert_eq!(
        env.count("SELECT COUNT(*) FROM template"),
        1,
        "no new version"
    );
}

#[test]
fn an_items_history_survives_a_template_upgrade() {
    let env = Env::launched();
    env.run(&["tick", "v2.4.0", "1.2", "done", "--owner", "ana"])
        .success();
    env.file(
        "launch.md",
        LAUNCH.replace("Backups restore", "Backups restore tested"),
    );
    env.run(&["import", "launch.md", "--release", "v2.4.0"])
        .success();
    env.run(&["history", "v2.4.0", "1.2"])
        .success()
        .stdout(predicate::str::contains("status").and(predicate::str::contains("open → done")))
        .stdout(predicate::str::contains("owner"));
    env.run(&["doctor"]).success();
}
