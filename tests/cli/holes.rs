//! Issue 10 §5, "Trust holes": evidence that is not a link, a mojibake repair
//! that changed nothing, owners that are people, and history columns.

use predicates::prelude::*;

use super::Env;

#[test]
fn evidence_is_a_link_with_a_host_or_an_explicit_note() {
    let env = Env::launched();
    for (bad, why) in [
        ("not a url", "is neither a link nor a note"),
        ("https://", "has no host"),
        ("http:///path", "has no host"),
        ("mailto:", "has no e-mail address"),
        ("note:", "empty note"),
    ] {
        env.run(&["tick", "v2.4.0", "1.1", "done", "--evidence", bad])
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!("evidence '{bad}'")))
            .stderr(predicate::str::contains(why))
            // The error says what is accepted.
            .stderr(predicate::str::contains("https://"))
            .stderr(predicate::str::contains("mailto:"))
            .stderr(predicate::str::contains("note:"));
    }
    assert_eq!(env.count("SELECT COUNT(*) FROM evidence"), 0);

    env.run(&[
        "tick",
        "v2.4.0",
        "1.2",
        "done",
        "--evidence",
        "https://ci.example/run/81",
        "--evidence",
        "mailto:qa@example.com",
        "--evidence",
        "note: checked by hand on staging",
    ])
    .success()
    .stdout(predicate::str::contains("3 evidence"));

    // Older databases may hold a hostless link: reports must not link it.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute(
        "INSERT INTO evidence (run_id, item_id, target, added_at, added_by)
         SELECT run_id, item_id, 'https://', '2026-11-26T00:00:00Z', 'old' FROM item_state
         WHERE item_id = (SELECT id FROM item WHERE number = '2.1')",
        [],
    )
    .unwrap();
    drop(conn);

    env.run(&["export", "v2.4.0", "-o", "r.html"]).success();
    let html = std::fs::read_to_string(env.path("r.html")).unwrap();
    assert!(
        html.contains("<a href=\"https://ci.example/run/81\""),
        "{html}"
    );
    assert!(html.contains("<a href=\"mailto:qa@example.com\""), "{html}");
    assert!(
        html.contains("note: checked by hand on staging"),
        "the note is shown"
    );
    let hrefs: Vec<&str> = html.split("href=\"").skip(1).collect();
    assert_eq!(
        hrefs.len(),
        2,
        "only the two real links are links: {hrefs:?}"
    );
    assert!(
        !html.contains("href=\"https://\""),
        "hostless link not linked"
    );

    env.run(&["export", "v2.4.0", "-o", "r.md"]).success();
    let md = std::fs::read_to_string(env.path("r.md")).unwrap();
    assert!(md.contains("- evidence: `https://`"), "{md}");
    assert!(
        md.contains("](https://ci.example/run/81)") && !md.contains("](https://)"),
        "{md}"
    );

    env.run(&["tick", "--help"])
        .success()
        .stdout(predicate::str::contains("note:"));
}

/// "Deploy → verify" and "Build → test" as a Mac Roman reader saved them.
const GARBLED: &str = "# Deploy \u{201a}\u{00dc}\u{00ed} verify\n\n- [ ] Build \u{201a}\u{00dc}\u{00ed} test\n- [ ] Ship\n";

#[test]
fn a_mojibake_repair_after_a_plain_import_is_a_new_version() {
    let env = Env::new();
    env.file("deploy.md", GARBLED);
    env.run(&["import", "deploy.md"])
        .success()
        .stdout(predicate::str::contains("template deploy v1"))
        .stdout(predicate::str::contains("--repair-mojibake"));
    env.run(&["import", "deploy.md", "--repair-mojibake"])
        .success()
        .stdout(predicate::str::contains(
            "deploy.md: \"Deploy → verify\" → template deploy v2",
        ))
        .stdout(predicate::str::contains("repaired mojibake"))
        .stdout(predicate::str::contains("unchanged").not());
    let templates = env.json(&["templates"]);
    assert_eq!(templates[0]["version"], 2);
    assert_eq!(templates[0]["title"], "Deploy → verify");
    env.run(&["release", "new", "v1"]).success();
    env.run(&["run", "add", "v1", "deploy"]).success();
    env.run(&["show", "v1"])
        .success()
        .stdout(predicate::str::contains("[ ] 0.1     Build → test"));

    // The same repaired import again changes nothing, and does not claim to
    // have repaired anything.
    let events = env.count("SELECT COUNT(*) FROM event");
    env.run(&["import", "deploy.md", "--repair-mojibake"])
        .success()
        .stdout(predicate::str::contains(
            "deploy.md: unchanged since template deploy v2 — nothing imported",
        ))
        .stdout(predicate::str::contains("repaired").not());
    assert_eq!(env.count("SELECT COUNT(*) FROM template"), 2);
    assert_eq!(env.count("SELECT COUNT(*) FROM event"), events);
}

#[test]
fn owners_that_are_people_match_by_handle_name_or_email() {
    let env = Env::launched();
    env.run(&["person", "add", "Ana Ruiz", "--email", "ana@example.com"])
        .success();
    env.run(&["person", "add", "Bo Li"]).success();

    env.run(&["tick", "v2.4.0", "1.2", "--owner", "Ana Ruiz"])
        .success()
        .stderr("");
    env.run(&["tick", "v2.4.0", "2.1", "--owner", "ANA@example.com"])
        .success()
        .stderr("");
    env.run(&["tick", "v2.4.0", "3.1", "--owner", "bo"])
        .success()
        .stderr("");
    // Not a registered person: allowed, with a warning naming who is known.
    env.run(&["tick", "v2.4.0", "3.2", "--owner", "anna"])
        .success()
        .stdout(predicate::str::contains("owner anna"))
        .stderr(predicate::str::contains(
            "'anna' is not a registered person",
        ))
        .stderr(predicate::str::contains("ana, bo"));

    for who in ["ana", "Ana Ruiz", "ana@EXAMPLE.com"] {
        env.run(&["show", "v2.4.0", "--owner", who])
            .success()
            .stderr("")
            .stdout(predicate::str::contains(
                "1.2     Privacy policy updated  (@Ana Ruiz)",
            ))
            .stdout(predicate::str::contains(
                "2.1     Virus scanning on uploads  (@ANA@example.com)",
            ))
            .stdout(predicate::str::contains("3.1 ").not())
            .stdout(predicate::str::contains("3.2 ").not());
    }
    env.run(&["show", "v2.4.0", "--owner", "anna"])
        .success()
        .stderr(predicate::str::contains(
            "'anna' is not a registered person",
        ))
        .stderr(predicate::str::contains("ana, bo"))
        .stdout(predicate::str::contains(
            "3.2     Alerts page a human  (@anna)",
        ))
        .stdout(predicate::str::contains("1.2 ").not());
    env.run(&["show", "v2.4.0", "--owner", "zed"])
        .success()
        .stderr(predicate::str::contains("'zed' is not a registered person"));

    // With nobody registered, owners are free text and nothing is warned.
    let free = Env::launched();
    free.run(&["tick", "v2.4.0", "1.2", "--owner", "zed"])
        .success()
        .stderr("");
    free.run(&["show", "v2.4.0", "--owner", "ZED"])
        .success()
        .stderr("")
        .stdout(predicate::str::contains(
            "1.2     Privacy policy updated  (@zed)",
        ));
}

#[test]
fn history_columns_line_up_with_a_long_source_file_name() {
    let env = Env::new();
    let name = "release-readiness-checklist-for-the-mobile-apps.md";
    env.file(name, super::LAUNCH);
    env.run(&["import", name, "--release", "v1"]).success();
    env.run(&["tick", "v1", "1.1", "open"]).success();
    env.run(&["tick", "v1", "1.1", "--note", "re-checked"])
        .success();
    let out = env.cmd().args(["history", "v1", "1.1"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[0].contains(&format!("source:{name}")), "{text}");
    // Where each column starts, in characters.
    let column = |row: &str, word: &str| {
        let at = row
            .find(&format!(" {word}"))
            .unwrap_or_else(|| panic!("{word} in {row}"));
        row[..at].chars().count() + 1
    };
    let fields: Vec<usize> = rows
        .iter()
        .zip(["status", "status", "note"])
        .map(|(r, f)| column(r, f))
        .collect();
    let changes: Vec<usize> = rows
        .iter()
        .zip(["open → done", "done → open", "re-checked"])
        .map(|(r, c)| column(r, c))
        .collect();
    assert!(
        fields.iter().all(|&c| c == fields[0]),
        "fields at {fields:?}:\n{text}"
    );
    assert!(
        changes.iter().all(|&c| c == changes[0]),
        "changes at {changes:?}:\n{text}"
    );
    // Columns are separated, never run together.
    assert!(rows[0].contains(&format!("source:{name} ")), "{text}");
}
