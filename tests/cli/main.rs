//! Black-box tests of the real `signet` binary: every command, exit codes,
//! error lines, and the database state afterwards.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

mod hardening;
mod holes;
mod import_rules;
mod keys;
mod library;
mod pdf;
mod report_content;
mod seal;
mod sync;
mod trust;
mod upgrade;

const LAUNCH: &str = "# Launch checklist

Ship it safely.

## 1. Legal

- [x] Licences checked
- [ ] Privacy policy updated
  - [ ] EU text

## 2. Uploads

- [ ] Virus scanning on uploads

## 3. Operations

| Check | Why |
|---|---|
| Backups restore | data loss |
| Alerts page a human | outages |
";

/// The password `Env::cmd` gives every command through SIGNET_KEY_PASSWORD.
const PASSWORD: &str = "correct horse battery staple";

struct Env {
    dir: TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("signet.db")
    }

    fn file(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("signet").unwrap();
        // New keys are encrypted: this password opens every key a test
        // makes, unless the test says otherwise. They are key files, never
        // the OS secret store of whoever runs the tests (keys/os_store.rs
        // tests that store with one of its own).
        c.env("SIGNET_DB", self.db())
            .env("SIGNET_ACTOR", "ana")
            .env("SIGNET_CONFIG_DIR", self.dir.path().join("config"))
            .env("SIGNET_KEY_PASSWORD", PASSWORD)
            .env("SIGNET_KEY_STORE", "file")
            .current_dir(self.dir.path());
        c
    }

    fn run(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        self.cmd().args(args).assert()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cmd().args(args).arg("--json").output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// A release v2.4.0 with launch.md attached.
    fn launched() -> Env {
        let env = Env::new();
        env.file("launch.md", LAUNCH);
        env.run(&["import", "launch.md", "--release", "v2.4.0"])
            .success();
        env
    }

    fn count(&self, sql: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

fn status_of(env: &Env, release: &str, number: &str) -> String {
    let v = env.json(&["show", release]);
    let mut stack: Vec<&serde_json::Value> = Vec::new();
    for run in v["runs"].as_array().unwrap() {
        stack.extend(run["sections"].as_array().unwrap());
    }
    while let Some(node) = stack.pop() {
        if node["number"] == number && node.get("status").is_some() {
            return node["status"].as_str().unwrap().to_string();
        }
        for key in ["sections", "items"] {
            if let Some(children) = node[key].as_array() {
                stack.extend(children);
            }
        }
    }
    panic!("no item {number}");
}

#[test]
fn import_prints_what_it_found() {
    let env = Env::new();
    env.file("launch.md", LAUNCH);
    env.file("other.md", "# Other\n\n- [ ] One\n- [ ]\n");
    env.run(&["import", "launch.md", "other.md"])
        .success()
        .stdout(predicate::str::contains(
            "launch.md: \"Launch checklist\" → template launch v1: 3 sections, 6 items, 1 checked in the file",
        ))
        .stdout(predicate::str::contains("warning other.md:4: empty checklist item skipped"));
    let v = env.json(&["templates"]);
    let slugs: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["launch", "other"]);
    env.run(&["templates"]).success().stdout(
        predicate::str::contains("launch@1").and(predicate::str::contains("Launch checklist")),
    );
}

#[test]
fn reimporting_identical_bytes_is_a_no_op_and_changes_bump_the_version() {
    let env = Env::new();
    let path = env.file("launch.md", LAUNCH);
    env.run(&["import", "launch.md"]).success();
    let events = env.count("SELECT COUNT(*) FROM event");
    env.run(&["import", "launch.md"])
        .success()
        .stdout(predicate::str::contains(
            "unchanged since template launch v1",
        ));
    assert_eq!(env.count("SELECT COUNT(*) FROM template"), 1);
    assert_eq!(env.count("SELECT COUNT(*) FROM event"), events);
    env.run(&["import", "launch.md", "--release", "v1"])
        .success()
        .stdout(predicate::str::contains(
            "attached to release v1: 1/6 closed",
        ));
    env.run(&["import", "launch.md", "--release", "v1"])
        .success()
        .stdout(predicate::str::contains("launch in v1 is already on v1"));
    assert_eq!(env.count("SELECT COUNT(*) FROM run"), 1);
    env.run(&[
        "tick",
        "v1",
        "1.2",
        "done",
        "--owner",
        "bo",
        "--evidence",
        "https://ci.example/7",
    ])
    .success();
    // The checklist changes: one item renamed. Re-importing with --release
    // moves the run to the new version and keeps what was ticked.
    std::fs::write(
        &path,
        LAUNCH.replace("Alerts page a human", "Alerts page the on-call"),
    )
    .unwrap();
    env.run(&["import", "launch.md", "--release", "v1"])
        .success()
        .stdout(predicate::str::contains("template launch v2"))
        .stdout(predicate::str::contains(
            "launch in v1: v1 → v2: 5 unchanged, 0 reworded (kept state), 0 moved (kept state), 1 removed, 1 added",
        ));
    assert_eq!(status_of(&env, "v1", "1.2"), "done");
    assert_eq!(status_of(&env, "v1", "3.2"), "open");
    let item = env.json(&["show", "v1"]);
    assert_eq!(item["runs"][0]["template"]["version"], 2);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM evidence"),
        1,
        "evidence moved along"
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM item_state"),
        6,
        "no states of the old version left"
    );
    env.run(&["run", "upgrade", "v1", "launch"])
        .success()
        .stdout("launch in v1 is already on v2\n");
    env.run(&["audit", "verify"]).success();
}

#[test]
fn bad_inputs_get_one_clear_line_exit_2_and_write_nothing() {
    let env = Env::new();
    env.file("good.md", LAUNCH);
    env.file("empty.md", "");
    env.file("binary.md", b"\x7fELF\x02\x01\x01\0\0\0\0");
    env.file("latin1.md", b"# Caf\xe9\n- [ ] one\n");
    env.file("prose.md", "# Title\n\nJust words.\n");
    env.file("big.md", format!("# Big\n{}", "- [ ] item\n".repeat(200)));
    std::fs::create_dir(env.dir.path().join("folder")).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["import", "empty.md"], "signet: empty.md: file is empty\n"),
        (&["import", "binary.md"], "signet: binary.md: looks like a binary file, not markdown (NUL byte at byte 7)\n"),
        (&["import", "latin1.md"], "signet: latin1.md:1:6: invalid UTF-8 (save the file as UTF-8 and import again)\n"),
        (&["import", "prose.md"], "signet: prose.md: no checklist items found (0 sections, no task lists, bullets or table rows)\n"),
        (&["import", "folder"], "signet: folder: is a directory, not a markdown file\n"),
        (&["import", "missing.md"], "signet: missing.md: no such file\n"),
        (&["import", "--max-size", "1000", "big.md"], "signet: big.md: file is 2206 bytes, over the 1000-byte import cap (raise it with --max-size)\n"),
    ];
    for (args, stderr) in cases {
        env.run(args).code(2).stdout("").stderr(*stderr);
    }
    // A bad file among good ones: nothing at all is imported.
    env.run(&["import", "good.md", "empty.md", "--release", "v1"])
        .code(2)
        .stderr(predicate::str::contains("empty.md: file is empty"))
        .stderr(predicate::str::contains(
            "1 of the given files could not be imported; nothing was imported",
        ));
    // Files are checked before the database is even opened, and the new
    // database made meanwhile is thrown away: nothing of it is left.
    assert!(!env.db().exists());
    let folder = env.db().parent().unwrap().to_path_buf();
    let left: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("signet"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `import` into a database that does not exist yet: made beside it while
/// the files parse, it is a whole Signet database with the usual mode.
#[test]
fn import_creates_a_whole_database_where_there_was_none() {
    let env = Env::new();
    env.file("launch.md", LAUNCH);
    env.run(&["import", "launch.md"]).success();
    env.run(&["import", "launch.md"])
        .success()
        .stdout(predicate::str::contains("unchanged"));
    env.run(&["doctor"]).success();
    // The mode SQLite gives a database it creates itself (`release new`
    // opens in place), not a temporary file's 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let other = env.path("other.db");
        env.cmd()
            .env("SIGNET_DB", &other)
            .args(["release", "new", "v1"])
            .assert()
            .success();
        assert_eq!(mode(&env.db()), mode(&other));
    }
    let folder = env.db().parent().unwrap().to_path_buf();
    assert!(std::fs::read_dir(&folder).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".signet-new-")));
}

#[test]
fn release_run_and_show() {
    let env = Env::new();
    env.file("launch.md", LAUNCH);
    env.run(&["import", "launch.md"]).success();
    env.run(&["release", "new", "v2.4.0", "--due", "2026-12-01"])
        .success()
        .stdout("created release v2.4.0, due 2026-12-01\n");
    env.run(&["release", "new", "v2.4.0"])
        .code(2)
        .stderr("signet: release already exists: v2.4.0\n");
    env.run(&["release", "new", "v9", "--due", "tomorrow"])
        .code(2)
        .stderr(predicate::str::contains("not a date"));
    env.run(&["run", "add", "v2.4.0", "launch"])
        .success()
        .stdout(predicate::str::contains(
            "6 items, 1 already done from the source",
        ));
    env.run(&["run", "add", "v2.4.0", "nope"])
        .code(2)
        .stderr("signet: template not found: nope\n");
    env.run(&["show", "v2.4.0"])
        .success()
        .stdout(predicate::str::contains("v2.4.0 — open, due 2026-12-01"))
        .stdout(predicate::str::contains("§1 Legal — 1/3 (33%)"))
        .stdout(predicate::str::contains("[x] 1.1     Licences checked"))
        .stdout(predicate::str::contains("  [ ] 1.2.1   EU text"))
        .stdout(predicate::str::contains("[ ] 3.1     Backups restore"));
    env.run(&["release", "list"])
        .success()
        .stdout(predicate::str::contains("v2.4.0").and(predicate::str::contains("1/6")));
    // --fresh ignores boxes checked in the source.
    env.run(&["release", "new", "v2.5.0"]).success();
    env.run(&["run", "add", "v2.5.0", "launch", "--fresh"])
        .success();
    assert_eq!(status_of(&env, "v2.5.0", "1.1"), "open");
    assert_eq!(status_of(&env, "v2.4.0", "1.1"), "done");
}

#[test]
fn tick_show_filters_and_history() {
    let env = Env::launched();
    env.run(&[
        "tick",
        "v2.4.0",
        "1.2",
        "done",
        "--owner",
        "ana",
        "--evidence",
        "https://ci.example/run/81",
        "--note",
        "green on staging",
    ])
    .success()
    .stdout("[x] 1.2 Privacy policy updated → done (owner ana, 1 evidence)\n");
    env.run(&["tick", "v2.4.0", "2.1", "n/a"])
        .code(2)
        .stderr("signet: marking v2.4.0/launch:2.1 as n/a needs a reason (--reason \"…\")\n");
    env.run(&[
        "tick",
        "v2.4.0",
        "2.1",
        "n/a",
        "--reason",
        "no uploads in this product",
    ])
    .success();
    env.run(&["tick", "v2.4.0", "3.1", "--owner", "ben"])
        .success();
    env.run(&[
        "tick",
        "v2.4.0",
        "3.1",
        "done",
        "--evidence",
        "javascript:alert(1)",
    ])
    .code(2)
    .stderr(predicate::str::contains("'javascript:' is not allowed"));
    env.run(&["tick", "v2.4.0", "7.7", "done"])
        .code(2)
        .stderr("signet: item not found: 7.7 in release v2.4.0\n");
    env.run(&["tick", "v2.4.0", "1.1", "finished"])
        .code(2)
        .stderr(predicate::str::contains("unknown status 'finished'"));

    env.run(&["show", "v2.4.0", "--status", "open"])
        .success()
        .stdout(predicate::str::contains("1.2.1").and(predicate::str::contains("Privacy").not()));
    env.run(&["show", "v2.4.0", "--owner", "ben"])
        .success()
        .stdout(
            predicate::str::contains("3.1     Backups restore  (@ben)")
                .and(predicate::str::contains("1.2 ").not()),
        );
    env.run(&["show", "v2.4.0", "--status", "n/a"])
        .success()
        .stdout(predicate::str::contains(
            "[-] 2.1     Virus scanning on uploads  (n/a: no uploads in this product)",
        ));

    let h = env.json(&["history", "v2.4.0", "1.2"]);
    let changes: Vec<String> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["actor"].as_str().unwrap(),
                e["field"].as_str().unwrap(),
                e["new_value"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            "ana status done",
            "ana owner ana",
            "ana note green on staging",
            "ana evidence https://ci.example/run/81"
        ]
    );
    env.run(&["history", "v2.4.0", "1.1"]).success().stdout(
        predicate::str::contains("source:launch.md").and(predicate::str::contains("open → done")),
    );
    // An item's stable key addresses it too.
    let item = env.json(&["tick", "v2.4.0", "3.2", "--note", "paging works"]);
    let key = item["key"].as_str().unwrap().to_string();
    env.run(&["tick", "v2.4.0", &key, "done"])
        .success()
        .stdout(predicate::str::contains("3.2 Alerts page a human → done"));
}

#[test]
fn an_acknowledged_tick_is_on_disk_when_the_process_has_exited() {
    let env = Env::launched();
    env.run(&["tick", "v2.4.0", "2.1", "done"]).success();
    // A fresh connection (another process) sees it.
    assert_eq!(
        env.count("SELECT COUNT(*) FROM item_state st JOIN item i ON i.id = st.item_id WHERE i.number = '2.1' AND st.status = 'done'"),
        1
    );
}

#[test]
fn export_formats_and_atomic_files() {
    let env = Env::launched();
    env.run(&[
        "tick",
        "v2.4.0",
        "1.2",
        "done",
        "--owner",
        "ana",
        "--evidence",
        "https://ci.example/run/81",
    ])
    .success();
    env.run(&["export", "v2.4.0", "--format", "md"])
        .success()
        .stdout(predicate::str::contains("# Release v2.4.0"))
        .stdout(predicate::str::contains(
            "- [x] **1.2** Privacy policy updated — owner: ana",
        ))
        .stderr(predicate::str::contains("not signed off; this is a draft"));
    env.run(&["export", "v2.4.0", "--format", "json", "-o", "report.json"])
        .success();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(v["schema"], "signet.report/1");
    assert_eq!(
        v["report"]["runs"][0]["sections"][0]["items"][1]["evidence"][0]["target"],
        "https://ci.example/run/81"
    );
    env.run(&["export", "v2.4.0", "-o", "report.csv"]).success();
    let csv = std::fs::read_to_string(env.dir.path().join("report.csv")).unwrap();
    assert_eq!(csv.lines().count(), 7, "{csv}");
    assert!(csv.lines().next().unwrap().ends_with(",Why"));
    env.run(&["export", "v2.4.0", "-o", "report.pdf"]).success();
    let pdf = std::fs::read(env.dir.path().join("report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    env.run(&["export", "v2.4.0", "--format", "docx"])
        .code(2)
        .stderr(predicate::str::contains("unknown export format 'docx'"));
    env.run(&["export", "v2.4.0", "--format", "all"])
        .code(2)
        .stderr(predicate::str::contains("-o DIR"));
    env.run(&["export", "v2.4.0", "-o", "no/such/dir/r.md"])
        .code(2)
        .stderr(predicate::str::contains("no/such/dir"));
    // A draft cannot be verified, and says so.
    env.run(&["verify", "report.json"])
        .code(2)
        .stderr(predicate::str::contains("not a signed Signet report"));
}

#[test]
fn gate_needs_a_sign_off_and_lists_open_items() {
    let env = Env::launched();
    env.run(&["gate", "v2.4.0"])
        .code(1)
        .stdout(predicate::str::contains(
            "v2.4.0: not ready — not signed off; 5 of 6 items are not done or n/a",
        ))
        .stdout(predicate::str::contains(
            "2.1 [open] Virus scanning on uploads",
        ));
    let out = env
        .cmd()
        .args(["gate", "v2.4.0", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passed"], false);
    assert_eq!(v["open_items"].as_array().unwrap().len(), 5);
    assert_eq!(
        v["reasons"][1]["about"],
        serde_json::json!({"kind": "open_items", "open": 5, "total": 6}),
        "{v}"
    );
    env.close_all();
    // Every item closed is not enough: nobody has signed.
    env.run(&["gate", "v2.4.0"])
        .code(1)
        .stdout("v2.4.0: not ready — not signed off\n");
    env.run(&["release", "new", "empty"]).success();
    env.run(&["gate", "empty"])
        .code(1)
        .stdout(predicate::str::contains("no checklists are attached"));
    env.run(&["gate", "nope"])
        .code(2)
        .stderr("signet: release not found: nope\n");
}

impl Env {
    fn close_all(&self) {
        for n in ["1.2", "1.2.1", "3.1", "3.2"] {
            self.run(&["tick", "v2.4.0", n, "done"]).success();
        }
        self.run(&["tick", "v2.4.0", "2.1", "n/a", "--reason", "no uploads"])
            .success();
    }

    /// Adds Ana and Bo with keys on this machine.
    fn approvers(&self) {
        self.run(&["person", "add", "Ana Ruiz", "--email", "ana@example.com"])
            .success()
            .stdout(predicate::str::contains("added Ana Ruiz as 'ana'"));
        self.run(&["person", "add", "Bo Li"]).success();
        self.run(&["key", "init", "--as", "ana"])
            .success()
            .stdout(predicate::str::contains("created signing key"));
        self.run(&["key", "init", "--as", "bo"]).success();
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

#[test]
fn keys_live_in_the_config_dir_readable_only_by_their_owner() {
    let env = Env::new();
    env.approvers();
    let key = env.path("config/keys/ana.key");
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(
        text.starts_with("untrusted comment:"),
        "a minisign secret key file"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "secret key mode {mode:o}");
        let dir = std::fs::metadata(env.path("config/keys"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir, 0o700);
    }
    // The public key is registered with the person and exportable; the
    // secret key is nowhere in the database.
    let person = env.json(&["person", "show", "ana"]);
    let public = person["public_key"].as_str().unwrap().to_string();
    let exported = env
        .cmd()
        .args(["key", "export", "--as", "ana"])
        .output()
        .unwrap();
    assert!(String::from_utf8(exported.stdout)
        .unwrap()
        .contains(&public));
    let secret_line = text.lines().nth(1).unwrap();
    let db = std::fs::read(env.db()).unwrap();
    assert!(!db.windows(20).any(|w| w == &secret_line.as_bytes()[..20]));
    env.run(&["key", "init", "--as", "ana"])
        .success()
        .stdout(predicate::str::contains("already the registered one"));
    env.run(&["person", "add", "Ana Other"])
        .code(2)
        .stderr(predicate::str::contains("choose another with --handle"));
}

#[test]
fn sign_off_refuses_open_items_freezes_and_verifies_everywhere() {
    let env = Env::launched();
    env.approvers();
    env.run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Tech lead"])
        .code(2)
        .stderr(predicate::str::contains(
            "cannot sign off v2.4.0: 5 of 6 items are not done or n/a",
        ))
        .stderr(predicate::str::contains(
            "2.1 [open] Virus scanning on uploads",
        ));
    env.close_all();
    env.run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Tech lead"])
        .success()
        .stdout(predicate::str::contains(
            "froze v2.4.0 as revision 1 (sha256:",
        ));
    // Read-only now.
    env.run(&["tick", "v2.4.0", "1.2", "open"])
        .code(2)
        .stderr(predicate::str::contains(
            "signed off and read-only; reopen it first",
        ));
    env.run(&["gate", "v2.4.0"])
        .success()
        .stdout("v2.4.0: ready — signed off (revision 1) by ana (Tech lead)\n");
    env.run(&["gate", "v2.4.0", "--require", "bo"])
        .code(1)
        .stdout(predicate::str::contains(
            "missing approver: bo has not signed revision 1",
        ));
    // Scripts (and the app) read who signed and why not as data, not prose.
    let out = env
        .cmd()
        .args(["gate", "v2.4.0", "--require", "bo", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["approvers"][0]["name"], "Ana Ruiz", "{v}");
    assert_eq!(v["approvers"][0]["role"], "Tech lead", "{v}");
    assert_eq!(
        v["reasons"][0]["about"],
        serde_json::json!({"kind": "missing_approver", "handle": "bo"}),
        "{v}"
    );
    assert_eq!(
        v["reasons"][0]["message"],
        "missing approver: bo has not signed revision 1"
    );
    env.run(&["signoff", "v2.4.0", "--as", "bo", "--role", "QA"])
        .success()
        .stdout(predicate::str::contains(
            "approvers: ana (Tech lead), bo (QA)",
        ));
    env.run(&["gate", "v2.4.0", "--require", "bo", "--min-approvers", "2"])
        .success();

    env.run(&["export", "v2.4.0", "--format", "all", "-o", "out"])
        .success();
    for ext in ["md", "html", "pdf", "json"] {
        let file = format!("out/v2.4.0-r1.{ext}");
        env.run(&["verify", &file])
            .success()
            .stdout(predicate::str::contains("VALID — v2.4.0 revision 1"))
            .stdout(predicate::str::contains("✓ valid: Bo Li (bo), QA"));
    }
    let pdf_text = {
        let out = std::process::Command::new("pdftotext")
            .args([env.path("out/v2.4.0-r1.pdf").to_str().unwrap(), "-"])
            .output()
            .expect("pdftotext");
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(pdf_text.contains("Signed off — revision 1"), "{pdf_text}");
    assert!(
        pdf_text.contains("Ana Ruiz (ana) — Tech lead"),
        "{pdf_text}"
    );

    // Trusted keys: every signer's key must be given (Ana's is not here);
    // a stranger's key has not signed.
    for who in ["ana", "bo"] {
        std::fs::write(
            env.path(&format!("{who}.pub")),
            env.cmd()
                .args(["key", "export", "--as", who])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
    }
    env.run(&["verify", "out/v2.4.0-r1.json", "--key", "bo.pub"])
        .code(1)
        .stdout(predicate::str::contains("valid, trusted key: Bo Li"))
        .stdout(predicate::str::contains(
            "signature of ana (Tech lead) was made with key",
        ));
    env.run(&[
        "verify",
        "out/v2.4.0-r1.json",
        "--key",
        "bo.pub",
        "--key",
        "ana.pub",
    ])
    .success();
    env.run(&["person", "add", "Eve Stranger"]).success();
    env.run(&["key", "init", "--as", "eve"]).success();
    let eve = env.json(&["person", "show", "eve"])["public_key"]
        .as_str()
        .unwrap()
        .to_string();
    env.run(&["verify", "out/v2.4.0-r1.md", "--key", &eve])
        .code(1)
        .stdout(predicate::str::contains(
            "no valid signature by the trusted key",
        ));

    // The stock minisign tool checks the same signatures without Signet.
    let ana_pub = env.json(&["person", "show", "ana"])["public_key"]
        .as_str()
        .unwrap()
        .to_string();
    let out = std::process::Command::new("minisign")
        .current_dir(env.path("out"))
        .args(["-Vm", "payload.json", "-x", "ana.minisig", "-P", &ana_pub])
        .output()
        .expect("the minisign tool (Debian package minisign)");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("approver=ana name=\"Ana Ruiz\" role=\"Tech lead\""),
        "{said}"
    );
    // …and rejects the payload once one byte changes.
    let mut payload = std::fs::read(env.path("out/payload.json")).unwrap();
    payload[20] ^= 1;
    std::fs::write(env.path("out/payload.json"), payload).unwrap();
    let out = std::process::Command::new("minisign")
        .current_dir(env.path("out"))
        .args(["-Vm", "payload.json", "-x", "ana.minisig", "-P", &ana_pub])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn one_changed_character_fails_verification_and_is_located() {
    let env = Env::launched();
    env.approvers();
    env.close_all();
    env.run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Tech lead"])
        .success();
    env.run(&["export", "v2.4.0", "--format", "all", "-o", "out"])
        .success();
    let md = std::fs::read_to_string(env.path("out/v2.4.0-r1.md")).unwrap();
    std::fs::write(
        env.path("edited.md"),
        md.replacen("Virus scanning", "Virus scannin", 1),
    )
    .unwrap();
    env.run(&["verify", "edited.md"])
        .code(1)
        .stdout(predicate::str::contains("INVALID"))
        .stdout(predicate::str::contains("differs from the signed content"))
        .stdout(predicate::str::contains("Virus scannin on uploads"));
    let json = std::fs::read_to_string(env.path("out/v2.4.0-r1.json")).unwrap();
    std::fs::write(
        env.path("edited.json"),
        json.replacen("\"owner\": null", "\"owner\": \"bob\"", 1),
    )
    .unwrap();
    env.run(&["verify", "edited.json"])
        .code(1)
        .stdout(predicate::str::contains("does not match the signed digest"));
    let html = std::fs::read_to_string(env.path("out/v2.4.0-r1.html")).unwrap();
    std::fs::write(
        env.path("edited.html"),
        html.replacen("Tech lead", "Tech Lead", 1),
    )
    .unwrap();
    env.run(&["verify", "edited.html"]).code(1);
    let mut pdf = std::fs::read(env.path("out/v2.4.0-r1.pdf")).unwrap();
    let n = pdf.len();
    pdf[n / 2] ^= 0x20;
    std::fs::write(env.path("edited.pdf"), pdf).unwrap();
    env.run(&["verify", "edited.pdf"])
        .failure()
        .stdout(predicate::str::contains("INVALID").or(predicate::str::is_empty()));
}

#[test]
fn override_reopen_and_revisions() {
    let env = Env::launched();
    env.approvers();
    env.run(&[
        "signoff",
        "v2.4.0",
        "--as",
        "ana",
        "--role",
        "Tech lead",
        "--override",
        "uploads ship disabled behind a flag",
    ])
    .success()
    .stdout(predicate::str::contains("signed with an override"));
    env.run(&[
        "signoff",
        "v2.4.0",
        "--as",
        "bo",
        "--role",
        "QA",
        "--override",
        "x",
    ])
    .code(2)
    .stderr(predicate::str::contains("already frozen"));
    env.run(&["gate", "v2.4.0"])
        .success()
        .stdout(predicate::str::contains(
        "warning: signed off with an override (5 open items): uploads ship disabled behind a flag",
    ));
    env.run(&["gate", "v2.4.0", "--strict"]).code(1);
    env.run(&["export", "v2.4.0", "-o", "r1.md"]).success();
    let md = std::fs::read_to_string(env.path("r1.md")).unwrap();
    assert!(
        md.contains("Signed off with an override by Ana Ruiz (ana), Tech lead: uploads ship disabled behind a flag"),
        "{md}"
    );
    assert!(
        md.contains("- Uploads › 2.1 Virus scanning on uploads\n"),
        "{md}"
    );

    env.run(&["reopen", "v2.4.0", "--reason", ""])
        .code(2)
        .stderr(predicate::str::contains("needs a reason"));
    env.run(&["reopen", "v2.4.0", "--reason", "uploads are in after all"])
        .success();
    env.run(&["gate", "v2.4.0"])
        .code(1)
        .stdout(predicate::str::contains("reopened after revision 1"));
    env.close_all();
    env.run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Tech lead"])
        .success()
        .stdout(predicate::str::contains("revision 2"));
    let revs = env.json(&["release", "revisions", "v2.4.0"]);
    assert_eq!(revs.as_array().unwrap().len(), 2);
    assert_eq!(
        revs[0]["override_reason"],
        "uploads ship disabled behind a flag"
    );
    assert_eq!(revs[1]["signers"][0], "ana");
    // The old revision's report still verifies, and so does a fresh export of it.
    env.run(&["verify", "r1.md"]).success();
    env.run(&["export", "v2.4.0", "--revision", "1", "-o", "again.html"])
        .success();
    env.run(&["verify", "again.html"])
        .success()
        .stdout(predicate::str::contains("revision 1"));
    let events = env.count("SELECT COUNT(*) FROM event WHERE action IN ('release.freeze', 'signoff', 'signoff.override', 'release.reopen')");
    assert_eq!(events, 2 + 2 + 1 + 1);
    env.run(&["audit", "verify"]).success();
}

#[test]
fn blocked_items_fail_the_gate() {
    let env = Env::launched();
    for n in ["1.2", "1.2.1", "3.1", "2.1"] {
        env.run(&["tick", "v2.4.0", n, "done"]).success();
    }
    env.run(&[
        "tick",
        "v2.4.0",
        "3.2",
        "blocked",
        "--reason",
        "pager vendor down",
    ])
    .success();
    env.run(&["gate", "v2.4.0"])
        .code(1)
        .stdout(predicate::str::contains(
            "3.2 [blocked] Alerts page a human",
        ));
}

#[test]
fn audit_verify_detects_a_row_edited_in_sqlite() {
    let env = Env::launched();
    env.run(&["tick", "v2.4.0", "1.2", "done"]).success();
    env.run(&["audit", "verify"])
        .success()
        .stdout(predicate::str::starts_with("audit trail intact: 5 events"));
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "DROP TRIGGER event_no_update; UPDATE event SET actor = 'mallory' WHERE id = 3;",
    )
    .unwrap();
    drop(conn);
    env.run(&["audit", "verify"])
        .code(1)
        .stderr("signet: audit chain broken at event 3: its content does not match its hash (the row was edited)\n");
}

#[test]
fn help_for_every_command_and_usage_errors_exit_2() {
    let env = Env::new();
    for cmd in [
        vec!["--help"],
        vec!["import", "--help"],
        vec!["templates", "--help"],
        vec!["release", "new", "--help"],
        vec!["release", "list", "--help"],
        vec!["run", "add", "--help"],
        vec!["show", "--help"],
        vec!["tick", "--help"],
        vec!["history", "--help"],
        vec!["export", "--help"],
        vec!["gate", "--help"],
        vec!["audit", "verify", "--help"],
    ] {
        env.run(&cmd)
            .success()
            .stdout(predicate::str::contains("--db"));
    }
    env.run(&["frobnicate"]).code(2);
    env.run(&["import"]).code(2);
}

#[test]
fn db_flag_and_default_location() {
    let env = Env::new();
    env.file("launch.md", LAUNCH);
    let custom = env.dir.path().join("elsewhere/my.db");
    env.cmd()
        .env_remove("SIGNET_DB")
        .args(["--db", custom.to_str().unwrap(), "import", "launch.md"])
        .assert()
        .success();
    assert!(custom.exists());
    // Without --db or SIGNET_DB: the XDG data dir.
    let home = env.dir.path().join("home");
    env.cmd()
        .env_remove("SIGNET_DB")
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .args(["import", "launch.md"])
        .assert()
        .success();
    assert!(Path::new(&home.join("data/signet/signet.db")).exists());
}

#[test]
fn corpus_files_import_through_the_cli() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: ../shared/corpus is not beside this checkout");
        return;
    }
    let env = Env::new();
    let file = corpus.join("mtdvio__going-to-production__spa-checklist.md");
    env.run(&["import", file.to_str().unwrap(), "--release", "spa"])
        .success()
        .stdout(predicate::str::contains("10 sections, 32 items"));
    env.run(&["tick", "spa", "2.1.2", "done"]).success();
    env.run(&["show", "spa", "--status", "done"])
        .success()
        .stdout(predicate::str::contains("2.1.2"));
}

#[test]
fn closed_stdout_is_not_an_error() {
    let env = Env::launched();
    // `signet show | head -1`: the reader goes away early.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} show v2.4.0 | head -c 1",
            assert_cmd::cargo::cargo_bin("signet").display()
        ))
        .env("SIGNET_DB", env.db())
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn output_that_cannot_be_written_is_an_error_and_stdout_keeps_its_place_before_stderr() {
    let env = Env::launched();
    // Standard output is buffered when it is not a terminal: a full disk
    // must still fail the command, not pass it with nothing written.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("signet"))
        .args(["show", "v2.4.0"])
        .env("SIGNET_DB", env.db())
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a full disk passed: {err}");
    assert!(err.contains("No space left on device"), "{err}");
    // A listing printed before a warning comes out before it when both go
    // to one file (`signet … > log 2>&1`).
    let log = env.dir.path().join("log");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} export v2.4.0 --format md > '{}' 2>&1",
            assert_cmd::cargo::cargo_bin("signet").display(),
            log.display()
        ))
        .env("SIGNET_DB", env.db())
        .env("SIGNET_CONFIG_DIR", env.dir.path().join("config"))
        .status()
        .unwrap();
    assert!(out.success());
    let text = std::fs::read_to_string(&log).unwrap();
    let report = text.find("v2.4.0").expect("the report");
    let note = text
        .find("note: v2.4.0 is not signed off")
        .expect("the note");
    assert!(
        report < note,
        "the draft note came before the report:\n{text}"
    );
}

/// Every row of every table, for comparing two databases.
fn dump(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    tables.retain(|t| !t.starts_with("sqlite_"));
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
            let n = stmt.column_count();
            let mut rows: Vec<Vec<String>> = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect())
                })
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}

#[test]
fn backup_and_restore_bring_back_every_row() {
    let env = Env::launched();
    env.approvers();
    env.close_all();
    env.run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Tech lead"])
        .success();
    env.run(&["backup", "backup.db"])
        .success()
        .stdout(predicate::str::contains("backed up to backup.db"));
    let saved = dump(&env.path("backup.db"));
    assert_eq!(saved, dump(&env.db()), "the backup holds every row");
    // Later work…
    env.run(&["reopen", "v2.4.0", "--reason", "more"]).success();
    env.run(&["tick", "v2.4.0", "1.2", "open"]).success();
    env.run(&["release", "new", "v3"]).success();
    assert_ne!(saved, dump(&env.db()));
    // …undone by the restore; the replaced database is kept beside it.
    env.run(&["restore", "backup.db"])
        .success()
        .stdout(predicate::str::contains("restored"))
        .stdout(predicate::str::contains("ok   audit chain"));
    assert_eq!(dump(&env.db()), saved, "every row as it was in the backup");
    assert!(std::fs::read_dir(env.dir.path()).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("signet.before-restore-")));
    env.run(&["gate", "v2.4.0"]).success();
    env.run(&["doctor"])
        .success()
        .stdout(predicate::str::contains(
            "ok   signed reports  1 revisions, 1 signatures verify",
        ));
}

#[test]
fn restore_refuses_damaged_or_foreign_files_and_changes_nothing() {
    let env = Env::launched();
    env.run(&["backup", "good.db"]).success();
    let before = dump(&env.db());
    // A backup whose audit trail was edited behind Signet's back.
    std::fs::copy(env.path("good.db"), env.path("tampered.db")).unwrap();
    {
        let conn = rusqlite::Connection::open(env.path("tampered.db")).unwrap();
        conn.execute_batch(
            "DROP TRIGGER event_no_update; UPDATE event SET actor = 'mallory' WHERE id = 2;",
        )
        .unwrap();
    }
    env.run(&["restore", "tampered.db"])
        .code(2)
        .stderr(predicate::str::contains(
            "refusing to restore a damaged backup",
        ))
        .stderr(predicate::str::contains("audit chain broken at event 2"));
    env.file(
        "notes.txt",
        "not a database at all, just text that is long enough to look like a header",
    );
    env.run(&["restore", "notes.txt"])
        .code(2)
        .stderr(predicate::str::contains("notes.txt"));
    {
        let other = rusqlite::Connection::open(env.path("other.db")).unwrap();
        other
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    env.run(&["restore", "other.db"])
        .code(2)
        .stderr(predicate::str::contains("not a Signet database"));
    env.run(&["restore", "missing.db"]).code(2);
    assert_eq!(dump(&env.db()), before, "the live database is untouched");
}

#[test]
fn doctor_finds_a_tampered_event_and_a_tampered_signed_report() {
    let env = Env::launched();
    env.approvers();
    env.close_all();
    env.run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Tech lead"])
        .success();
    env.run(&["doctor", "--json"]).success();
    {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.execute_batch(
            "DROP TRIGGER report_revision_no_update;
             UPDATE report_revision SET payload = replace(payload, 'Virus scanning', 'Virus scanned');",
        )
        .unwrap();
    }
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL signed reports  v2.4.0 revision 1: payload does not match its digest",
        ));
    env.run(&["gate", "v2.4.0"])
        .code(1)
        .stdout(predicate::str::contains("does not match its digest"));
}
