//! Issue 12 §1–2, "Import what real teams write": tables read by their
//! headers, metadata and sign-off blocks that are not items, and what `show`
//! and the reports print of them.

use predicates::prelude::*;

use super::Env;

const GO_LIVE: &str = "# Go-live

## Release Information

- **Release name:** Aurora
- **Environment:** production
- **Target date:** ____

## Go/No-Go

| Ref | Item | Status (✅/⚠️/❌) | Owner | Evidence | Why |
|---|---|---|---|---|---|
| **GATE** | **Gates** | | | | |
| GL-1 | Load test passed | ✅ | dana | https://ci.example/run/81 | p99 |
| GL-2 | Rollback rehearsed | ⚠️ vendor late | ben | | data loss |
| GL-3 | Docs updated | N/A | | | |

## Sign-off

QA lead: ______ Date: ____
Release manager: ______ Date: ____
";

fn go_live() -> Env {
    let env = Env::new();
    env.file("go-live.md", GO_LIVE);
    env.run(&["import", "go-live.md", "--release", "v1"])
        .success();
    env
}

#[test]
fn show_hides_sections_without_items_unless_all() {
    let env = go_live();
    let out = env.cmd().args(["show", "v1"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(!text.contains("§1 Release Information"), "{text}");
    assert!(!text.contains("§3 Sign-off"), "{text}");
    assert!(text.contains("§2 Go/No-Go — 2/3"), "{text}");
    env.run(&["show", "v1", "--all"])
        .success()
        .stdout(predicate::str::contains("§1 Release Information\n"))
        .stdout(predicate::str::contains("§3 Sign-off\n"))
        .stdout(predicate::str::contains("§2.1 GATE Gates — 2/3"));
}

#[test]
fn show_prints_metadata_roles_and_fields() {
    let env = go_live();
    env.run(&["show", "v1"])
        .success()
        .stdout(predicate::str::contains(
            "  Release name: Aurora\n  Environment: production\n  Target date: —\n  \
             Sign-off by: QA lead, Release manager\n",
        ))
        .stdout(predicate::str::contains(
            "  [x] 2.1.1   GL-1 Load test passed  (@dana, 1 evidence)\n        Why: p99\n",
        ))
        .stdout(predicate::str::contains(
            "  [!] 2.1.2   GL-2 Rollback rehearsed  (@ben, blocked: vendor late)\n        Why: data loss\n",
        ))
        .stdout(predicate::str::contains("  [-] 2.1.3   GL-3 Docs updated  (n/a: N/A)\n"));
}

#[test]
fn a_table_run_is_attributed_to_the_file_and_doctor_agrees() {
    let env = go_live();
    env.run(&["history", "v1", "2.1.1"])
        .success()
        .stdout(predicate::str::contains("source:go-live.md"))
        .stdout(predicate::str::contains("https://ci.example/run/81"));
    env.run(&["doctor"])
        .success()
        .stdout(predicate::str::contains("ok   live state"));
    // A fresh run keeps the owners, not the states.
    env.run(&["release", "new", "v2"]).success();
    env.run(&["run", "add", "v2", "go-live", "--fresh"])
        .success()
        .stdout(predicate::str::contains(
            "3 items, 0 already done from the source",
        ));
    env.run(&["show", "v2", "--owner", "ben"])
        .success()
        .stdout(predicate::str::contains(
            "[ ] 2.1.2   GL-2 Rollback rehearsed  (@ben)",
        ));
}

#[test]
fn the_report_header_names_the_facts_and_the_roles() {
    let env = go_live();
    env.run(&["export", "v1", "--format", "md"])
        .success()
        .stdout(predicate::str::contains(
            "- **Release name:** Aurora\n- **Environment:** production\n- **Target date:** —\n",
        ))
        .stdout(predicate::str::contains(
            "The checklist asks for sign-off by: QA lead, Release manager.",
        ));
    let out = env
        .cmd()
        .args(["export", "v1", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &v["report"]["runs"][0];
    assert_eq!(run["approver_roles"][1], "Release manager");
    assert_eq!(run["metadata"][0]["name"], "Release name");
}
