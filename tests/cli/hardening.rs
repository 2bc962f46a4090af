//! Holes a hostile tester found: links that read as one place and go to
//! another, actor names that forge history lines, backups that destroy the
//! live database, re-keying someone else, and a second person with the same
//! e-mail.

use super::*;

/// Whose key `who` has registered, as `person show --json` says.
fn registered_key(env: &Env, who: &str) -> (String, String) {
    let p = env.json(&["person", "show", who]);
    (
        p["public_key"].as_str().unwrap().to_string(),
        p["key_id"].as_str().unwrap().to_string(),
    )
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn evidence_that_reads_as_one_place_and_goes_to_another_is_refused() {
    let env = Env::launched();
    for (bad, why) in [
        // A host of nothing but escapes of a space or a control character.
        ("https://%20", "its host '%20' is not a host name"),
        ("https://%00/x", "its host '%00' is not a host name"),
        (
            "mailto:%20@%20",
            "its e-mail domain '%20' is not a host name",
        ),
        (
            "mailto:%20@ci.example",
            "escaped space or control character",
        ),
        // Browsers read `\` as `/`: this goes to evil.example.
        ("https://evil.example\\@good.example/", "backslash"),
        // `user@` before the host makes a link read as the user part.
        ("https://good.example@evil.example/", "user name"),
        ("https://ana:secret@ci.example/run/81", "user name"),
        // Text turned backwards by a bidi control, or split by a space.
        (
            "https://ci.example/\u{202E}fdp.exe",
            "<U+202E RIGHT-TO-LEFT OVERRIDE>",
        ),
        (
            "https://ci.example/a\u{2066}b",
            "<U+2066 LEFT-TO-RIGHT ISOLATE>",
        ),
        (
            "https://ci.example/a\u{200F}b",
            "<U+200F RIGHT-TO-LEFT MARK>",
        ),
        ("https://ci.\u{200B}example/", "<U+200B ZERO WIDTH SPACE>"),
        ("https://ci.example/run 81", "it contains a space"),
        (
            "https://ci.example/\tx",
            "contains a control character (\\t)",
        ),
        ("note: ok \u{202E}", "<U+202E RIGHT-TO-LEFT OVERRIDE>"),
        // A note of nothing visible.
        ("note:\u{200B}", "is an empty note"),
        ("note: \u{200B}\u{2060}\u{FEFF}", "is an empty note"),
    ] {
        let out = env
            .cmd()
            .args(["tick", "v2.4.0", "1.2", "done", "--evidence", bad])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {err}");
        assert!(out.stdout.is_empty(), "{bad:?}");
        assert_eq!(err.lines().count(), 1, "{bad:?}: one line: {err}");
        assert!(err.contains("evidence '"), "{bad:?}: {err}");
        assert!(err.contains(why), "{bad:?}: wanted {why:?} in {err}");
        // The line shows no invisible character itself, and says what is
        // accepted.
        assert!(
            !err.chars()
                .any(|c| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\t')),
            "{bad:?}: {err:?}"
        );
        assert!(
            err.contains("https://ci.example/run/81") && err.contains("'note:'"),
            "{bad:?}: {err}"
        );
    }
    assert_eq!(env.count("SELECT COUNT(*) FROM evidence"), 0);
    assert_eq!(status_of(&env, "v2.4.0", "1.2"), "open");

    // Real hosts still are links: IDN letters, IP literals, ports.
    env.run(&[
        "tick",
        "v2.4.0",
        "1.2",
        "done",
        "--evidence",
        "https://bücher.example/run/81",
        "--evidence",
        "http://10.0.0.7:8080/ci",
        "--evidence",
        "http://[::1]:8080/",
        "--evidence",
        "mailto:qa@example.com?subject=v2.4.0",
        "--evidence",
        "note: checked by hand on staging",
    ])
    .success();
    assert_eq!(env.count("SELECT COUNT(*) FROM evidence"), 5);

    // Rows from before this check are shown as text by every report.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    for old in [
        "https://evil.example\\@good.example/",
        "https://good.example@evil.example/",
        "https://%20",
    ] {
        conn.execute(
            "INSERT INTO evidence (run_id, item_id, target, added_at, added_by)
             SELECT run_id, item_id, ?1, '2026-11-26T00:00:00Z', 'old' FROM item_state
             WHERE item_id = (SELECT id FROM item WHERE number = '2.1')",
            [old],
        )
        .unwrap();
    }
    drop(conn);
    env.run(&["export", "v2.4.0", "-o", "r.html"]).success();
    env.run(&["export", "v2.4.0", "-o", "r.md"]).success();
    let html = std::fs::read_to_string(env.path("r.html")).unwrap();
    let md = std::fs::read_to_string(env.path("r.md")).unwrap();
    assert!(html.contains("<a href=\"https://bücher.example/run/81\""));
    assert!(md.contains("](https://bücher.example/run/81)"), "{md}");
    for host in ["evil.example", "%20"] {
        assert!(!html.contains(&format!("href=\"https://{host}")), "{html}");
        assert!(!html.contains("href=\"https://good.example"), "{html}");
        assert!(!md.contains(&format!("](https://{host}")), "{md}");
        assert!(!md.contains("](https://good.example"), "{md}");
    }
}

#[test]
fn an_actor_that_would_forge_history_lines_is_refused() {
    let env = Env::launched();
    let events = env.count("SELECT COUNT(*) FROM event");
    let forged = "ana\n  2026-11-26T00:00:00Z  bo  status  open → done";
    for (how, actor, why) in [
        ("SIGNET_ACTOR", forged, "contains a line break"),
        ("--actor", "ana\r", "contains a line break"),
        ("--actor", "ana\u{2028}bo", "contains a line break"),
        ("--actor", "ana\u{1b}[2J", "contains a control character"),
        (
            "--actor",
            "\u{202E}ana",
            "contains <U+202E RIGHT-TO-LEFT OVERRIDE>",
        ),
        ("USER", "ana\nbo", "contains a line break"),
    ] {
        let mut cmd = env.cmd();
        match how {
            "SIGNET_ACTOR" => {
                cmd.env("SIGNET_ACTOR", actor);
            }
            "USER" => {
                cmd.env_remove("SIGNET_ACTOR").env("USER", actor);
            }
            _ => {
                cmd.args(["--actor", actor]);
            }
        }
        let out = cmd
            .args(["tick", "v2.4.0", "1.2", "done"])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{how} {actor:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{how} {actor:?}: {err:?}");
        assert!(err.contains("actor '"), "{how} {actor:?}: {err}");
        assert!(err.contains(why), "{how} {actor:?}: {err}");
        let source = match how {
            "USER" => "from $USER",
            "SIGNET_ACTOR" => "from SIGNET_ACTOR",
            _ => "from --actor",
        };
        assert!(
            err.contains(source),
            "{how}: names where it came from: {err}"
        );
    }
    assert_eq!(env.count("SELECT COUNT(*) FROM event"), events);
    assert_eq!(status_of(&env, "v2.4.0", "1.2"), "open");
    // Refused before any database is created.
    let fresh = Env::new();
    fresh
        .cmd()
        .env("SIGNET_ACTOR", forged)
        .args(["release", "new", "v1"])
        .assert()
        .code(2);
    assert!(!fresh.db().exists());

    // A name with spaces and accents is a name.
    env.cmd()
        .env("SIGNET_ACTOR", "Ana Ruiz Núñez")
        .args(["tick", "v2.4.0", "1.2", "done"])
        .assert()
        .success();
    let out = env
        .cmd()
        .args(["history", "v2.4.0", "1.2"])
        .output()
        .unwrap();
    let history = String::from_utf8(out.stdout).unwrap();
    assert!(history.contains("Ana Ruiz Núñez"), "{history}");
    assert!(!history.contains("bo  status"), "{history}");
}

#[test]
fn backup_never_replaces_the_live_database_or_its_companion_files() {
    let env = Env::launched();
    env.run(&["tick", "v2.4.0", "1.2", "done"]).success();
    let before = dump(&env.db());
    std::fs::create_dir(env.path("sub")).unwrap();
    for (target, what) in [
        ("signet.db", "is the live database"),
        ("./sub/../signet.db", "is the live database"),
        ("signet.db-wal", "is the live database's write-ahead log"),
        (
            "signet.db-shm",
            "is the live database's shared-memory index",
        ),
        (
            "signet.db-journal",
            "is the live database's rollback journal",
        ),
    ] {
        for force in [false, true] {
            let mut args = vec!["backup", target];
            if force {
                args.push("--force");
            }
            let out = env.cmd().args(&args).output().unwrap();
            let err = stderr_of(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(out.stdout.is_empty(), "{args:?}");
            assert!(err.contains(target), "{args:?} names the file: {err}");
            assert!(err.contains(what), "{args:?}: {err}");
            assert!(err.contains("choose another file"), "{args:?}: {err}");
        }
    }
    // The same file by another name: through a symbolic link to its folder.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(env.dir.path(), env.path("alias")).unwrap();
        env.run(&["backup", "alias/signet.db-wal", "--force"])
            .code(2)
            .stderr(predicate::str::contains("write-ahead log"));
    }
    assert_eq!(dump(&env.db()), before, "every row is still there");
    env.run(&["doctor"]).success();
    assert_eq!(status_of(&env, "v2.4.0", "1.2"), "done");
    // A companion-like name of another database is an ordinary target.
    env.run(&["backup", "copy.db-wal"])
        .success()
        .stdout(predicate::str::contains("backed up to copy.db-wal"));
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_as_backup_target_is_called_one() {
    let env = Env::launched();
    std::os::unix::fs::symlink(env.path("gone/backup.db"), env.path("link.db")).unwrap();
    env.run(&["backup", "link.db"])
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "link.db: is a symbolic link to a missing file",
        ))
        .stderr(predicate::str::contains("gone/backup.db"))
        .stderr(predicate::str::contains("already exists").not());
    assert!(std::fs::symlink_metadata(env.path("link.db"))
        .unwrap()
        .file_type()
        .is_symlink());
    // --force replaces the link itself with the backup.
    env.run(&["backup", "link.db", "--force"]).success();
    assert!(std::fs::symlink_metadata(env.path("link.db"))
        .unwrap()
        .is_file());
    assert_eq!(dump(&env.path("link.db")), dump(&env.db()));
}

#[test]
fn key_init_never_replaces_someone_elses_registered_key_silently() {
    let env = Env::new();
    env.approvers();
    let (ana_key, ana_id) = registered_key(&env, "ana");
    let events = env.count("SELECT COUNT(*) FROM event");

    // The same machine again: nothing to do, and it says so.
    env.run(&["key", "init", "--as", "ana"])
        .success()
        .stdout(predicate::str::contains(format!(
        "ana's signing key {ana_id} on this machine is already the registered one; nothing changed"
    )));
    assert_eq!(env.count("SELECT COUNT(*) FROM event"), events);

    // Another machine (another config dir) claims to be Ana.
    let other = env.path("other-config");
    let out = env
        .cmd()
        .env("SIGNET_CONFIG_DIR", &other)
        .args(["key", "init", "--as", "ana"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    for part in [
        format!("ana already has a registered signing key {ana_id}"),
        "this machine does not hold it".to_string(),
        "signatures made with it stay valid only with that key".to_string(),
        "--force".to_string(),
    ] {
        assert!(err.contains(&part), "wanted {part:?} in {err}");
    }
    assert_eq!(registered_key(&env, "ana").0, ana_key);
    assert!(!other.join("keys/ana.key").exists(), "no stray key made");
    assert_eq!(env.count("SELECT COUNT(*) FROM event"), events);

    // A different key already on that machine is refused the same way.
    env.cmd()
        .env("SIGNET_CONFIG_DIR", &other)
        .args(["key", "init", "--as", "bo"])
        .assert()
        .code(2);
    std::fs::create_dir_all(other.join("keys")).unwrap();
    std::fs::copy(env.path("config/keys/bo.key"), other.join("keys/ana.key")).unwrap();
    let (_, bo_id) = registered_key(&env, "bo");
    env.cmd()
        .env("SIGNET_CONFIG_DIR", &other)
        .args(["key", "init", "--as", "ana"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "the key on this machine is a different one ({bo_id})"
        )));
    assert_eq!(registered_key(&env, "ana").0, ana_key);

    // --force registers a new key anyway, and says whose key it replaced.
    let out = env
        .cmd()
        .env("SIGNET_CONFIG_DIR", &other)
        .args(["key", "init", "--as", "ana", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let (new_key, new_id) = registered_key(&env, "ana");
    assert_ne!(new_key, ana_key);
    assert_ne!(new_id, bo_id);
    let err = stderr_of(&out);
    assert!(
        err.starts_with("signet: warning: ")
            && err.contains(&format!(
                "replaced ana's registered signing key {ana_id} with {new_id}"
            )),
        "{err}"
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM event"), events + 1);
}

#[test]
fn a_second_person_with_the_same_e_mail_is_refused_and_a_namesake_warned_about() {
    let env = Env::new();
    env.approvers();
    let people = env.count("SELECT COUNT(*) FROM person");
    for email in ["ana@example.com", "ANA@Example.COM", " ana@example.com "] {
        env.run(&[
            "person", "add", "Ana Ruiz", "--handle", "anar", "--email", email,
        ])
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("ana@example.com"))
        .stderr(predicate::str::contains("'ana'"));
    }
    assert_eq!(env.count("SELECT COUNT(*) FROM person"), people);

    // Two people may share a name; the second is added with a warning.
    env.run(&[
        "person",
        "add",
        "Ana Ruiz",
        "--handle",
        "anar",
        "--email",
        "ana.ruiz@other.example",
    ])
    .success()
    .stdout(predicate::str::contains("added Ana Ruiz as 'anar'"))
    .stderr(predicate::str::contains(
        "warning: 'ana' is also named Ana Ruiz",
    ));
    assert_eq!(env.count("SELECT COUNT(*) FROM person"), people + 1);
}
