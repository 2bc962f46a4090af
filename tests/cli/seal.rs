//! Trust holes (issue 10): who may have signed a report (`verify --key`),
//! what a tamper message shows, and that backup and restore never destroy a
//! database.

use std::path::PathBuf;

use predicates::prelude::*;

use super::{dump, Env};

impl Env {
    /// v2.4.0 closed and signed by Ana (Tech lead); Bo has a key too.
    fn signed() -> Env {
        let env = Env::launched();
        env.approvers();
        env.close_all();
        env.run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Tech lead"])
            .success();
        env
    }

    /// Writes `<who>.pub` as `signet key export` prints it.
    fn public_key_file(&self, who: &str) -> String {
        let out = self
            .cmd()
            .args(["key", "export", "--as", who])
            .output()
            .unwrap();
        assert!(out.status.success());
        let name = format!("{who}.pub");
        std::fs::write(self.path(&name), out.stdout).unwrap();
        name
    }

    fn key_id(&self, who: &str) -> String {
        self.json(&["person", "show", who])["key_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn stdout(&self, args: &[&str]) -> (Option<i32>, String) {
        let out = self.cmd().args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr),
        )
    }
}

#[test]
fn verify_with_keys_rejects_a_signer_whose_key_was_not_given() {
    let env = Env::signed();
    env.run(&["person", "add", "Cy Third"]).success();
    env.run(&["key", "init", "--as", "cy"]).success();
    env.run(&["signoff", "v2.4.0", "--as", "cy", "--role", "Security"])
        .success();
    env.run(&["export", "v2.4.0", "--format", "all", "-o", "out"])
        .success();
    let ana = env.public_key_file("ana");
    let cy = env.public_key_file("cy");
    let cy_id = env.key_id("cy");

    for file in ["out/v2.4.0-r1.md", "out/v2.4.0-r1.json"] {
        // Only Ana's key is trusted: Cy's valid signature is by a key nobody
        // vouched for, so the report is not what the caller asked for.
        env.run(&["verify", file, "--key", &ana])
            .code(1)
            .stdout(predicate::str::contains("INVALID"))
            .stdout(predicate::str::contains(format!(
                "signature of cy (Security) was made with key {cy_id}, which is not among the trusted keys given"
            )))
            .stdout(predicate::str::contains(
                "✗ key not among those given: Cy Third (cy), Security",
            ))
            .stdout(predicate::str::contains("✓ valid, trusted key: Ana Ruiz (ana)"));
        // Both signers' keys given: valid.
        env.run(&["verify", file, "--key", &ana, "--key", &cy])
            .success()
            .stdout(predicate::str::contains("VALID"))
            .stdout(predicate::str::contains("problem").not());
        // No keys: the signatures are checked, trust is left to the reader.
        env.run(&["verify", file])
            .success()
            .stdout(predicate::str::contains("no --key given"));
    }

    let out = env
        .cmd()
        .args(["verify", "out/v2.4.0-r1.md", "--key", &ana, "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passed"], false);
    let sigs = v["signatures"].as_array().unwrap();
    assert_eq!(sigs[0]["handle"], "ana");
    assert_eq!(sigs[0]["valid"], true);
    assert_eq!(sigs[0]["trusted"], true);
    assert_eq!(sigs[1]["handle"], "cy");
    assert_eq!(sigs[1]["valid"], true, "the signature itself holds");
    assert_eq!(sigs[1]["trusted"], false);
}

#[test]
fn verify_names_the_key_given_that_did_not_sign() {
    let env = Env::signed();
    env.run(&["export", "v2.4.0", "-o", "r.md"]).success();
    let bo = env.public_key_file("bo");
    let bo_id = env.key_id("bo");
    env.run(&["verify", "r.md", "--key", &bo])
        .code(1)
        .stdout(predicate::str::contains(format!(
            "no valid signature by the trusted key {bo_id}"
        )));
}

/// The set-aside databases a restore kept, oldest first.
fn set_aside(env: &Env) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("signet.before-restore-") && name.ends_with(".db")
        })
        .collect();
    found.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    found
}

fn releases_in(db: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM release ORDER BY name")
        .unwrap();
    let names = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    names
}

#[test]
fn every_restore_keeps_the_database_it_replaced() {
    let env = Env::launched();
    env.run(&["backup", "backup.db"]).success();
    env.run(&["release", "new", "v3"]).success();
    let (code, first) = env.stdout(&["restore", "backup.db"]);
    assert_eq!(code, Some(0), "{first}");
    env.run(&["release", "new", "v4"]).success();
    // Straight after, usually within the same second as the first.
    let (code, second) = env.stdout(&["restore", "backup.db"]);
    assert_eq!(code, Some(0), "{second}");

    let kept = set_aside(&env);
    assert_eq!(kept.len(), 2, "{kept:?}\n{first}\n{second}");
    for (path, said) in kept.iter().zip([&first, &second]) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            said.contains(&format!(
                "the previous database is kept at {}",
                path.display()
            )),
            "{said}"
        );
        // signet.before-restore-20261126T142233Z.db, or …Z-2.db in the same second
        let stamp = name
            .trim_start_matches("signet.before-restore-")
            .trim_end_matches(".db");
        assert!(
            stamp.len() >= 16 && stamp.as_bytes()[8] == b'T' && stamp.as_bytes()[15] == b'Z',
            "{name}"
        );
    }
    // Each one opens and holds what the live database held before that restore.
    assert_eq!(releases_in(&kept[0]), ["v2.4.0", "v3"]);
    assert_eq!(releases_in(&kept[1]), ["v2.4.0", "v4"]);
    assert_eq!(releases_in(&env.db()), ["v2.4.0"]);
    for path in &kept {
        env.cmd()
            .args(["--db", path.to_str().unwrap(), "doctor"])
            .assert()
            .success();
    }
}

#[test]
fn a_refused_restore_sets_nothing_aside() {
    let env = Env::launched();
    env.file(
        "notes.txt",
        "not a database at all, only some words of text",
    );
    env.run(&["restore", "notes.txt"]).code(2);
    let names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with("signet.before-restore")),
        "nothing was replaced, so nothing is set aside: {names:?}"
    );
}

#[test]
fn backup_onto_an_existing_file_needs_force() {
    let env = Env::launched();
    let precious = env.file("precious.db", "yesterday's backup, or anything else");
    env.run(&["backup", "precious.db"])
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("precious.db"))
        .stderr(predicate::str::contains("already exists"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(
        std::fs::read(&precious).unwrap(),
        b"yesterday's backup, or anything else",
        "left byte for byte as it was"
    );
    env.run(&["backup", "precious.db", "--force"])
        .success()
        .stdout(predicate::str::contains("backed up to precious.db"));
    assert_eq!(dump(&precious), dump(&env.db()), "now the backup");
}

/// A signed markdown report as exported, and its text.
fn signed_markdown(env: &Env) -> String {
    env.run(&["export", "v2.4.0", "-o", "r.md"]).success();
    std::fs::read_to_string(env.path("r.md")).unwrap()
}

#[test]
fn a_report_converted_to_crlf_is_reported_as_such() {
    let env = Env::signed();
    let md = signed_markdown(&env);
    env.file("crlf.md", md.replace('\n', "\r\n"));
    env.run(&["verify", "crlf.md"])
        .code(1)
        .stdout(predicate::str::contains("INVALID"))
        .stdout(predicate::str::contains(
            "line endings were converted to CRLF (\\r\\n); the signed report has LF (\\n) line endings and nothing else differs",
        ));
    // CRLF and a real edit: both are said, and the edit is located on the
    // LF-normalised text rather than on the first converted line.
    env.file(
        "crlf-edited.md",
        md.replacen("Virus scanning", "Virus scannin", 1)
            .replace('\n', "\r\n"),
    );
    env.run(&["verify", "crlf-edited.md"])
        .code(1)
        .stdout(predicate::str::contains(
            "line endings were converted to CRLF (\\r\\n), and besides that line",
        ))
        .stdout(predicate::str::contains("Virus scannin on uploads"));
    // One line only: the stray \r is shown, not hidden.
    let n = md
        .lines()
        .position(|l| l.contains("Virus scanning"))
        .unwrap();
    let one: String = md
        .split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| {
            if i == n {
                l.replace('\n', "\r\n")
            } else {
                l.to_string()
            }
        })
        .collect();
    env.file("one-crlf.md", one);
    env.run(&["verify", "one-crlf.md"])
        .code(1)
        .stdout(predicate::str::contains(format!(
            "line {} differs from the signed content: the line ending was changed to CRLF (\\r\\n)",
            n + 1
        )))
        .stdout(predicate::str::contains("\\r', the signed report says"));
}

#[test]
fn invisible_characters_in_a_tamper_are_shown() {
    let env = Env::signed();
    let md = signed_markdown(&env);
    env.file(
        "nbsp.md",
        md.replacen("Virus scanning", "Virus\u{a0}scanning", 1),
    );
    env.run(&["verify", "nbsp.md"])
        .code(1)
        .stdout(predicate::str::contains(
            "only whitespace or invisible characters differ: the file has '<U+00A0 NO-BREAK SPACE>' where the signed report has ' '",
        ))
        .stdout(predicate::str::contains("Virus<U+00A0 NO-BREAK SPACE>scanning on uploads"));
    env.file(
        "zwsp.md",
        md.replacen("Virus scanning", "Virus scan\u{200b}ning", 1),
    );
    env.run(&["verify", "zwsp.md"])
        .code(1)
        .stdout(predicate::str::contains(
            "the file has '<U+200B ZERO WIDTH SPACE>' where the signed report has nothing",
        ));
    env.file(
        "tab.md",
        md.replacen("Virus scanning", "Virus\tscanning", 1),
    );
    env.run(&["verify", "tab.md"])
        .code(1)
        .stdout(predicate::str::contains(
            "the file has '\\t' where the signed report has ' '",
        ));
}

#[test]
fn a_tampered_json_report_says_what_can_be_told() {
    let env = Env::signed();
    env.run(&["export", "v2.4.0", "-o", "r.json"]).success();
    let json = std::fs::read_to_string(env.path("r.json")).unwrap();
    // Reformatting alone keeps the signed content: the edit is located as
    // in any text file.
    env.file("crlf.json", json.replace('\n', "\r\n"));
    env.run(&["verify", "crlf.json"])
        .code(1)
        .stdout(predicate::str::contains(
            "line endings were converted to CRLF (\\r\\n); the signed report has LF (\\n) line endings and nothing else differs",
        ))
        .stdout(predicate::str::contains("digest").not());
    // A changed value: the `report` member is the signed content itself, so
    // the file holds nothing left to compare it with, and says so.
    let edited = json.replacen("\"status\": \"done\"", "\"status\": \"open\"", 1);
    assert_ne!(edited, json);
    env.file("edited.json", edited);
    env.run(&["verify", "edited.json"])
        .code(1)
        .stdout(predicate::str::contains(
            "does not match the signed digest",
        ))
        .stdout(predicate::str::contains(
            "a JSON report holds no copy of the signed content, so the changed field cannot be named",
        ));
}

/// New reports carry the current seal version; a version this Signet does
/// not know is named, never guessed at.
#[test]
fn a_report_names_its_seal_version_and_an_unknown_one_fails() {
    let env = Env::signed();
    env.run(&["export", "v2.4.0", "-o", "r.json"]).success();
    let json = std::fs::read_to_string(env.path("r.json")).unwrap();
    assert!(json.contains("\"signet_seal\": 11,"), "{json}");
    env.run(&["verify", "r.json"]).success();
    env.file(
        "future.json",
        json.replace("\"signet_seal\": 11,", "\"signet_seal\": 9,"),
    );
    env.run(&["verify", "future.json"])
        .code(1)
        .stdout(predicate::str::contains(
            "seal version 9 is not one this Signet knows (1, 2, 4, 7, 8, 11)",
        ));
}

/// Verifies `tests/cli/fixtures/<name>/v1-r1.*` in every format with the
/// approver's public key beside them; returns the test's Env and the
/// fixtures' folder.
fn signed_fixtures_verify(name: &str) -> (Env, PathBuf) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/cli/fixtures")
        .join(name);
    let env = Env::new();
    for ext in ["md", "html", "pdf", "json"] {
        let file = dir.join(format!("v1-r1.{ext}"));
        env.cmd()
            .args(["verify", file.to_str().unwrap(), "--key"])
            .arg(dir.join("ana.pub"))
            .assert()
            .success()
            .stdout(predicate::str::contains("VALID — v1 revision 1"));
    }
    (env, dir)
}

/// Layout 11 tags a block's lines as one span; reports signed as layout 8
/// (by Signet at 4f619ba, `fixtures/signed-layout8`: an override, a
/// branding line with an SVG logo, Greek, Cyrillic and Persian, an item
/// whose title and evidence wrap) must keep verifying in every format.
#[test]
fn reports_signed_as_layout_8_still_verify() {
    let (env, dir) = signed_fixtures_verify("signed-layout8");
    // One changed byte in the layout-8 PDF still fails it (its title in
    // the XMP metadata, which is not compressed).
    let mut pdf = std::fs::read(dir.join("v1-r1.pdf")).unwrap();
    let at = pdf
        .windows(9)
        .position(|w| w == b"Release v")
        .expect("the release in the PDF's metadata");
    pdf[at] = b'r';
    env.file("edited.pdf", pdf);
    env.cmd()
        .args(["verify", "edited.pdf", "--key"])
        .arg(dir.join("ana.pub"))
        .assert()
        .code(1);
}

/// Reports signed by an earlier build (Signet at commit c43757a, seal
/// `signet-seal:1`) must keep verifying: `verify` re-renders the payload in
/// the frozen layout 1 (`report/v1/`), so a renderer change that alters old
/// output fails here, not in a customer's hands.
#[test]
fn reports_signed_by_an_earlier_signet_still_verify() {
    signed_fixtures_verify("signed-before");
}

/// Sign-off takes one signature per approver: a seal with an approver's
/// signature copied in (it checks, being genuine) would list the approval
/// twice, so it fails. Without `--key` nothing else would catch it.
#[test]
fn a_signature_copied_in_twice_fails() {
    let env = Env::signed();
    env.run(&["export", "v2.4.0", "-o", "r.json"]).success();
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.path("r.json")).unwrap()).unwrap();
    let signatures = json["seal"]["signatures"].as_array_mut().unwrap();
    signatures.push(signatures[0].clone());
    env.file("twice.json", serde_json::to_string_pretty(&json).unwrap());
    env.run(&["verify", "twice.json"])
        .code(1)
        .stdout(predicate::str::contains(
            "the seal holds a second signature by ana",
        ));
    env.run(&["verify", "r.json"]).success();
}

/// `verify` reads a report file, not a device or a pipe that never ends.
#[test]
fn verify_refuses_what_is_not_a_report_file() {
    let env = Env::new();
    env.run(&["verify", "/dev/zero"])
        .code(2)
        .stderr(predicate::str::contains(
            "/dev/zero: not a report file (a directory, device, pipe or socket)",
        ));
    env.run(&["verify", env.path("").to_str().unwrap()])
        .code(2)
        .stderr(predicate::str::contains("not a report file"));
}

/// A seal that cannot be read names the file it is in, and fails the
/// report (exit 1) like any other tampering: it is not a usage error.
#[test]
fn an_unreadable_seal_names_its_file() {
    let env = Env::signed();
    let md = signed_markdown(&env);
    let open = md.rfind("<!-- signet-seal:1").unwrap();
    let mut broken = md.clone();
    broken.replace_range(open + 20..open + 24, "!!!!");
    env.file("broken.md", broken);
    env.run(&["verify", "broken.md"])
        .code(1)
        .stderr(predicate::str::contains("broken.md: the embedded seal"));
    // Cut before its end: the marker says a seal was made.
    let cut = &md[..md.rfind("-->").unwrap()];
    env.file("cut.md", cut);
    env.run(&["verify", "cut.md"])
        .code(1)
        .stderr(predicate::str::contains(
            "cut.md: the embedded seal is cut off (its comment has no closing -->)",
        ));
    // A JSON report whose seal member no longer reads is as changed.
    env.run(&["export", "v2.4.0", "-o", "r.json"]).success();
    let json = std::fs::read_to_string(env.path("r.json")).unwrap();
    env.file(
        "seal.json",
        json.replacen("\"signet_seal\": 11,", "\"signet_seal\": \"11\",", 1),
    );
    env.run(&["verify", "seal.json"])
        .code(1)
        .stderr(predicate::str::contains(
            "seal.json: not a Signet JSON report",
        ));
    // A JSON file with no seal at all is not a report: a usage error.
    env.file("other.json", "{\"name\": \"not a report\"}");
    env.run(&["verify", "other.json"])
        .code(2)
        .stderr(predicate::str::contains(
            "other.json: not a Signet JSON report",
        ));
}
