//! `run upgrade` as a user sees it: which items keep their state when the
//! checklist is edited (kept, moved, reworded), which are removed and
//! added, the preview (`--dry-run`) that says the same and changes nothing,
//! and the history and doctor afterwards. Fixtures are the matcher's own
//! (crates/signet-core/tests/fixtures/matching/).

use super::*;

const V1: &str = include_str!("../../crates/signet-core/tests/fixtures/matching/launch-v1.md");
const V2: &str = include_str!("../../crates/signet-core/tests/fixtures/matching/launch-v2.md");

const SUMMARY: &str = "launch in v1: v1 → v2{}: 1 unchanged, 2 reworded (kept state), 1 moved (kept state), 3 removed, 3 added
  reworded  1.1 API keys/tokens are rotated → 1.1 API keys or tokens are rotated
  reworded  2.2 Rollback plan documentd → 2.1 Rollback plan documented
  moved     2.1 → 3.1 Backups restore
  removed   1.2 Dependencies scanned for known vulnerabilities (was done)
  removed   1.3 Privacy policy updated
  removed   2.3 Status page updated (was done)
  added     1.2 Containers scanned for known vulnerabilities
  added     1.4 Cookie banner updated (starts done)
  added     2.2 Status page monitored
";

/// Release v1 on the first version, four items ticked, the second version imported.
fn edited() -> Env {
    let env = Env::new();
    env.file("launch.md", V1);
    env.run(&["import", "launch.md", "--release", "v1"])
        .success();
    for (item, status) in [("1.1", "done"), ("1.2", "done"), ("2.3", "done")] {
        env.run(&["tick", "v1", item, status, "--owner", "bo"])
            .success();
    }
    env.run(&["tick", "v1", "2.1", "n/a", "--reason", "no data yet"])
        .success();
    env.file("launch.md", V2);
    env.run(&["import", "launch.md"]).success();
    env
}

#[test]
fn a_dry_run_shows_the_upgrade_and_changes_nothing() {
    let env = edited();
    let events = env.count("SELECT COUNT(*) FROM event");
    env.run(&["run", "upgrade", "v1", "launch", "--dry-run"])
        .success()
        .stdout(SUMMARY.replace("{}", " (dry run, nothing changed)"))
        .stderr("");
    let preview = env.json(&["run", "upgrade", "v1", "launch", "--dry-run"]);
    assert_eq!(env.count("SELECT COUNT(*) FROM event"), events);
    assert_eq!(
        env.json(&["show", "v1"])["runs"][0]["template"]["version"],
        1
    );
    assert_eq!(
        status_of(&env, "v1", "2.3"),
        "done",
        "still the old version"
    );
    assert_eq!(preview["dry_run"], true);
    assert_eq!(
        [
            &preview["kept"],
            &preview["moved"],
            &preview["reworded"],
            &preview["added"],
            &preview["removed"]
        ],
        [1, 1, 2, 3, 3]
    );
    let m = &preview["matches"][0];
    assert_eq!(
        (
            m["kind"].as_str(),
            m["old"]["plain"].as_str(),
            m["new"]["plain"].as_str()
        ),
        (
            Some("reworded"),
            Some("API keys/tokens are rotated"),
            Some("API keys or tokens are rotated")
        )
    );
    assert_eq!(m["similarity"], 913);
    assert_eq!(preview["matches"][2]["kind"], "moved");

    // The upgrade itself says the same, and does it.
    let mut json = env.json(&["run", "upgrade", "v1", "launch"]);
    assert_eq!(json["dry_run"], false);
    json["dry_run"] = true.into();
    assert_eq!(json, preview);
}

#[test]
fn an_upgrade_keeps_the_state_of_moved_and_reworded_items_and_says_so() {
    let env = edited();
    env.run(&["run", "upgrade", "v1", "launch"])
        .success()
        .stdout(SUMMARY.replace("{}", ""));
    let statuses: Vec<String> = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1"]
        .iter()
        .map(|n| status_of(&env, "v1", n))
        .collect();
    assert_eq!(
        statuses,
        [
            "done",
            "open",
            "open",
            "done",
            "open",
            "open",
            "not_applicable"
        ],
        "reworded and moved items kept theirs; near misses start afresh"
    );
    let item = &env.json(&["show", "v1"])["runs"][0]["sections"][0]["items"][0];
    assert_eq!(item["owner"], "bo");
    env.run(&["history", "v1", "1.1"])
        .success()
        .stdout(predicate::str::contains("open → done"))
        .stdout(predicate::str::contains(
            "reworded  1.1 API keys/tokens are rotated → 1.1 API keys or tokens are rotated",
        ));
    // The item new and checked in the file: its state has a history too.
    env.run(&["history", "v1", "1.4"])
        .success()
        .stdout(predicate::str::contains(
            "source:launch.md  status  open → done",
        ));
    env.run(&["doctor"]).success();
    env.run(&["audit", "verify"]).success();
    env.run(&["run", "upgrade", "v1", "launch", "--dry-run"])
        .success()
        .stdout("launch in v1 is already on v2\n");
}

#[test]
fn a_dry_run_neither_creates_a_database_nor_runs_on_a_signed_off_release() {
    let env = Env::new();
    env.run(&["run", "upgrade", "v1", "launch", "--dry-run"])
        .code(2);
    assert!(!env.db().exists(), "a preview only reads");
    let env = edited();
    env.approvers();
    env.run(&[
        "signoff",
        "v1",
        "--as",
        "ana",
        "--role",
        "Lead",
        "--override",
        "test",
    ])
    .success();
    env.run(&["run", "upgrade", "v1", "launch", "--dry-run"])
        .code(2)
        .stderr(predicate::str::contains("signed off and read-only"));
}
