//! The library and home from the command line: archiving, versions with
//! what changed, repairing a stored version's mojibake, and `signet home`.

use super::*;

#[test]
fn an_archived_template_is_hidden_and_refuses_new_runs_until_unarchived() {
    let env = Env::launched();
    env.run(&["template", "archive", "launch"])
        .success()
        .stdout(predicate::str::contains("archived launch"));
    env.run(&["templates"])
        .success()
        .stdout(predicate::str::contains("launch@1").not());
    env.run(&["templates", "--all"])
        .success()
        .stdout(predicate::str::contains("launch@1 (archived)"));
    env.run(&["release", "new", "v2.5.0"]).success();
    env.run(&["run", "add", "v2.5.0", "launch"])
        .failure()
        .stderr(predicate::str::contains(
            "template 'launch' is archived; unarchive it to start releases from it",
        ));
    // The release already running from it goes on.
    env.run(&["tick", "v2.4.0", "1.2", "done"]).success();
    env.run(&["template", "unarchive", "launch"]).success();
    env.run(&["run", "add", "v2.5.0", "launch"]).success();
    env.run(&["doctor"]).success();
}

#[test]
fn versions_list_what_each_added_removed_and_reworded() {
    let env = Env::launched();
    env.file(
        "launch.md",
        LAUNCH
            .replace(
                "Privacy policy updated",
                "Privacy policy updated and published",
            )
            .replace("| Alerts page a human | outages |\n", "")
            .replace(
                "- [ ] Virus scanning on uploads",
                "- [ ] Virus scanning on uploads\n- [ ] Upload size capped",
            ),
    );
    env.run(&["import", "launch.md"]).success();
    env.run(&["template", "versions", "launch"])
        .success()
        .stdout(predicate::str::contains(
            "  + 2.2 Upload size capped\n  - 3.2 Alerts page a human\n  ~ 1.2 Privacy policy updated → 1.2 Privacy policy updated and published (reworded)\n",
        ))
        .stdout(predicate::str::contains("launch@1").and(predicate::str::contains("  first version")));
}

#[test]
fn repair_stores_the_text_as_the_import_option_would() {
    let env = Env::new();
    env.file(
        "hotfix.md",
        "# Hotfix\n\n## Steps\n\n- [ ] Build \u{201a}\u{dc}\u{ed} test\n- [ ] Tag it\n",
    );
    env.run(&["import", "hotfix.md"]).success();
    env.run(&["template", "repair", "hotfix"])
        .success()
        .stdout(predicate::str::contains("repaired hotfix → hotfix@2"));
    env.run(&["import", "--repair-mojibake", "hotfix.md"])
        .success()
        .stdout(predicate::str::contains(
            "unchanged since template hotfix v2",
        ));
    env.run(&["template", "repair", "hotfix"])
        .failure()
        .stderr(predicate::str::contains(
            "hotfix@2 has no text that looks like mojibake",
        ));
}

#[test]
fn home_lists_releases_in_work_and_my_open_items() {
    let env = Env::launched();
    env.run(&["release", "new", "v2.3.9", "--due", "2026-01-05"])
        .success();
    env.run(&["run", "add", "v2.3.9", "launch"]).success();
    env.run(&[
        "tick",
        "v2.3.9",
        "2.1",
        "blocked",
        "--reason",
        "scanner down",
    ])
    .success();
    env.run(&["tick", "v2.4.0", "1.2", "--owner", "ana"])
        .success();
    let out = env
        .cmd()
        .args(["home", "--today", "2026-01-07"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(text.contains("v2.3.9           OVERDUE by 2 d"), "{text}");
    assert!(
        text.contains(
            "blocked (1)\n  v2.3.9/launch:2.1 [blocked] Virus scanning on uploads — scanner down"
        ),
        "{text}"
    );
    assert!(
        text.contains("open items of ana (1)\n  v2.4.0/launch:1.2 [open] Privacy policy updated"),
        "{text}"
    );
    let json = env.json(&["home", "--owner", "ana", "--today", "2026-01-07"]);
    assert_eq!(json["owned"]["total"], 1);
    assert_eq!(json["releases"][0]["name"], "v2.3.9");
}
