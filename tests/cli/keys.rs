//! Signing keys a security reviewer would accept (issue 15): encrypted at
//! rest, importable from the minisign tool, exportable only on purpose,
//! rotatable and revocable — and no secret byte ever leaves a key file.

use std::process::Output;

use base64::Engine;

use super::*;

mod os_store;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The bytes of a minisign secret key file's key line.
fn key_bytes(text: &str) -> Vec<u8> {
    B64.decode(text.lines().nth(1).unwrap().trim()).unwrap()
}

/// Whether a key file is password-protected (its KDF is scrypt).
fn is_encrypted(text: &str) -> bool {
    &key_bytes(text)[2..4] == b"Sc"
}

/// The raw 64-byte Ed25519 secret key (seed and public half) inside a
/// key file, opened the way minisign does.
fn raw_secret(text: &str, password: Option<&str>) -> Vec<u8> {
    let b = minisign::SecretKeyBox::from_string(text).unwrap();
    let sk = match password {
        Some(p) => b.into_secret_key(Some(p.to_string())).unwrap(),
        None => b.into_unencrypted_secret_key().unwrap(),
    };
    // sig, kdf and chk algorithms (6), salt (32), limits (16), key id (8).
    sk.to_bytes()[62..126].to_vec()
}

fn key_id_of(env: &Env, who: &str) -> String {
    env.json(&["person", "show", who])["key_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `minisign` on this machine, if it is installed (`minisign -v`).
fn minisign_tool() -> bool {
    std::process::Command::new("minisign")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs the minisign tool with `input` on stdin (its password prompts read it).
fn minisign(env: &Env, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = std::process::Command::new("minisign")
        .args(args)
        .current_dir(env.dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Signs a file with the stock minisign tool and a key file Signet wrote,
/// and checks the signature with the `.pub` beside it: the key file is
/// minisign's own format, password and all.
fn minisign_signs_with(env: &Env, key: &str, password: &str) {
    if !minisign_tool() {
        eprintln!("minisign tool not installed: skipping its check of {key}");
        return;
    }
    env.file("note.txt", "hello");
    let pub_file = key.replace(".key", ".pub");
    let signed = minisign(
        env,
        &["-S", "-s", key, "-m", "note.txt"],
        &format!("{password}\n"),
    );
    assert!(signed.status.success(), "{}", stderr_of(&signed));
    let checked = minisign(env, &["-V", "-p", &pub_file, "-m", "note.txt"], "");
    assert!(checked.status.success(), "{}", stderr_of(&checked));
}

fn sign(env: &Env, release: &str, who: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["signoff", release, "--as", who, "--role", "Lead"];
    args.extend_from_slice(extra);
    env.json(&args)
}

#[test]
fn an_encrypted_key_signs_only_with_its_password_and_a_wrong_one_writes_nothing() {
    let env = Env::launched();
    env.approvers();
    env.close_all();
    let text = std::fs::read_to_string(env.path("config/keys/ana.key")).unwrap();
    assert!(is_encrypted(&text), "key init encrypts by default: {text}");
    minisign_signs_with(&env, "config/keys/ana.key", PASSWORD);

    let counts = || {
        [
            "SELECT COUNT(*) FROM event",
            "SELECT COUNT(*) FROM report_revision",
            "SELECT COUNT(*) FROM signoff",
        ]
        .map(|q| env.count(q))
    };
    let before = counts();
    let wrong = env
        .cmd()
        .env("SIGNET_KEY_PASSWORD", "Tr0ub4dor&3")
        .args(["signoff", "v2.4.0", "--as", "ana", "--role", "Lead"])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert_eq!(
        stderr_of(&wrong),
        format!(
            "signet: wrong password for ana's signing key ({}); nothing was signed or changed\n",
            env.path("config/keys/ana.key").display()
        )
    );
    assert_eq!(counts(), before, "no partial sign-off");
    env.run(&["gate", "v2.4.0"])
        .code(1)
        .stdout(predicate::str::contains("not signed off"));

    // No password anywhere and no terminal to ask on: told where to give it.
    env.cmd()
        .env_remove("SIGNET_KEY_PASSWORD")
        .args(["signoff", "v2.4.0", "--as", "ana", "--role", "Lead"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is encrypted: give its password with --password-file FILE or SIGNET_KEY_PASSWORD",
        ));
    assert_eq!(counts(), before);

    // The right password from a file (its trailing newline is not part of it).
    env.file("pw.txt", format!("{PASSWORD}\n"));
    env.cmd()
        .env_remove("SIGNET_KEY_PASSWORD")
        .args(["signoff", "v2.4.0", "--as", "ana", "--role", "Lead"])
        .args(["--password-file", "pw.txt"])
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::contains("ana signed v2.4.0 revision 1"));
    env.run(&["gate", "v2.4.0"]).success();

    // A new key needs a password too, or an explicit --unencrypted.
    env.run(&["person", "add", "Cy Doe"]).success();
    let events = env.count("SELECT COUNT(*) FROM event");
    env.cmd()
        .env_remove("SIGNET_KEY_PASSWORD")
        .args(["key", "init", "--as", "cy"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--unencrypted for a throwaway CI key",
        ));
    assert!(!env.path("config/keys/cy.key").exists(), "nothing written");
    assert_eq!(env.count("SELECT COUNT(*) FROM event"), events);
    env.cmd()
        .env_remove("SIGNET_KEY_PASSWORD")
        .args(["key", "init", "--as", "cy", "--unencrypted"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: cy's secret key is stored unencrypted",
        ));
    let cy = std::fs::read_to_string(env.path("config/keys/cy.key")).unwrap();
    assert!(!is_encrypted(&cy));
}

#[test]
fn plain_keys_keep_working_with_a_warning_and_protect_encrypts_them_in_place() {
    let env = Env::launched();
    env.run(&["person", "add", "Ana Ruiz"]).success();
    env.run(&["key", "init", "--as", "ana", "--unencrypted"])
        .success();
    env.close_all();
    let path = env.path("config/keys/ana.key");
    let plain = std::fs::read_to_string(&path).unwrap();
    let secret = raw_secret(&plain, None);
    let id = key_id_of(&env, "ana");

    let out = env
        .cmd()
        .args(["signoff", "v2.4.0", "--as", "ana", "--role", "Lead"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stderr_of(&out),
        format!(
            "signet: warning: ana's signing key {} is not encrypted: anyone who can read it can sign as ana; encrypt it with `signet key protect --as ana`\n",
            path.display()
        )
    );

    env.run(&["key", "protect", "--as", "ana"])
        .success()
        .stdout(predicate::str::contains(format!(
            "encrypted ana's signing key {id} in place"
        )));
    let protected = std::fs::read_to_string(&path).unwrap();
    assert!(is_encrypted(&protected));
    assert_eq!(
        raw_secret(&protected, Some(PASSWORD)),
        secret,
        "the same key"
    );
    assert_eq!(key_id_of(&env, "ana"), id, "nothing to re-register");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    minisign_signs_with(&env, "config/keys/ana.key", PASSWORD);
    env.run(&["key", "protect", "--as", "ana"])
        .success()
        .stdout(predicate::str::contains(
            "already encrypted; nothing changed",
        ));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), protected);

    // Signing now takes the password, and warns no more.
    env.run(&["reopen", "v2.4.0", "--reason", "sign again"])
        .success();
    env.run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Lead"])
        .success()
        .stderr("");
    env.cmd()
        .env_remove("SIGNET_KEY_PASSWORD")
        .args(["key", "protect", "--as", "ana"])
        .assert()
        .success();
}

#[test]
fn a_key_made_with_the_minisign_tool_is_imported_and_signs() {
    let env = Env::launched();
    env.approvers();
    env.close_all();
    env.run(&["person", "add", "Cy Doe"]).success();
    let password = "cy's own password";
    if minisign_tool() {
        // -G reads the password and its confirmation from stdin.
        let made = minisign(
            &env,
            &["-G", "-p", "cy.pub", "-s", "cy.key"],
            &format!("{password}\n{password}\n"),
        );
        assert!(made.status.success(), "{}", stderr_of(&made));
    } else {
        eprintln!("minisign tool not installed: making cy's key with the minisign crate");
        let kp = minisign::KeyPair::generate_encrypted_keypair(Some(password.to_string())).unwrap();
        env.file("cy.key", kp.sk.to_box(None).unwrap().to_string());
        env.file("cy.pub", kp.pk.to_box().unwrap().to_string());
    }
    let made = std::fs::read_to_string(env.path("cy.key")).unwrap();
    assert!(is_encrypted(&made));
    let public = std::fs::read_to_string(env.path("cy.pub")).unwrap();
    let public = public.lines().nth(1).unwrap().to_string();

    let events = env.count("SELECT COUNT(*) FROM event");
    env.run(&["key", "import", "cy.key", "--as", "cy"])
        .code(2)
        .stderr("signet: wrong password for cy.key; nothing was signed or changed\n");
    env.cmd()
        .env_remove("SIGNET_KEY_PASSWORD")
        .args(["key", "import", "cy.key", "--as", "cy"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cy.key is encrypted: give its password",
        ));
    env.run(&["key", "import", "cy.pub", "--as", "cy"])
        .code(2)
        .stderr(predicate::str::contains(
            "cy.pub: not a minisign secret key",
        ));
    assert_eq!(env.count("SELECT COUNT(*) FROM event"), events);
    assert!(!env.path("config/keys/cy.key").exists());

    env.cmd()
        .env("SIGNET_KEY_PASSWORD", password)
        .args(["key", "import", "cy.key", "--as", "cy"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(still encrypted with its own password), public key registered",
        ));
    assert_eq!(env.json(&["person", "show", "cy"])["public_key"], public);
    let stored = std::fs::read_to_string(env.path("config/keys/cy.key")).unwrap();
    assert_eq!(key_bytes(&stored), key_bytes(&made), "kept as it came");

    // Someone who already has another key: only with --force.
    env.cmd()
        .env("SIGNET_KEY_PASSWORD", password)
        .args(["key", "import", "cy.key", "--as", "bo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bo already has a registered signing key",
        ))
        .stderr(predicate::str::contains("--force"));

    sign(&env, "v2.4.0", "ana", &[]);
    let out = env
        .cmd()
        .env("SIGNET_KEY_PASSWORD", password)
        .args(["signoff", "v2.4.0", "--as", "cy", "--role", "QA"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    env.run(&["export", "v2.4.0", "-o", "report.json"])
        .success();
    let ana = env.json(&["person", "show", "ana"])["public_key"]
        .as_str()
        .unwrap()
        .to_string();
    env.run(&["verify", "report.json", "--key", "cy.pub", "--key", &ana])
        .success()
        .stdout(predicate::str::contains(
            "✓ valid, trusted key: Cy Doe (cy), QA",
        ));
    env.run(&["gate", "v2.4.0", "--require", "cy", "--require", "ana"])
        .success();
}

#[test]
fn rotation_keeps_old_reports_verifying_and_signs_with_the_new_key() {
    let env = Env::launched();
    env.approvers();
    env.close_all();
    let old_id = key_id_of(&env, "ana");
    let old_pub = env.json(&["person", "show", "ana"])["public_key"]
        .as_str()
        .unwrap()
        .to_string();
    sign(&env, "v2.4.0", "ana", &[]);
    env.run(&["export", "v2.4.0", "-o", "old.md"]).success();

    // Another machine cannot rotate a key it does not hold.
    let events = env.count("SELECT COUNT(*) FROM event");
    env.cmd()
        .env("SIGNET_CONFIG_DIR", env.path("elsewhere"))
        .args(["key", "rotate", "--as", "ana"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rotate it where it lives"));
    assert_eq!(env.count("SELECT COUNT(*) FROM event"), events);

    let out = env
        .cmd()
        .args(["key", "rotate", "--as", "ana"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let new_id = key_id_of(&env, "ana");
    assert_ne!(new_id, old_id);
    assert!(stdout_of(&out).contains(&format!("rotated ana's signing key: {old_id} → {new_id}")));
    assert!(is_encrypted(
        &std::fs::read_to_string(env.path("config/keys/ana.key")).unwrap()
    ));
    assert_eq!(env.count("SELECT COUNT(*) FROM event"), events + 1);

    // The record says which key is valid from when.
    let shown = env.json(&["person", "show", "ana"]);
    let keys = shown["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["key_id"], old_id.as_str());
    assert_eq!(keys[0]["replaced_at"], keys[1]["valid_from"]);
    assert_eq!(keys[1]["key_id"], new_id.as_str());
    assert!(keys[1]["replaced_at"].is_null());
    let text = env.run(&["person", "show", "ana"]).success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).into_owned();
    assert!(text.contains(&format!("{new_id}  valid from")) && text.contains("(current)"));

    // What the old key signed still verifies, against the old key.
    env.run(&["verify", "old.md", "--key", &old_pub])
        .success()
        .stdout(predicate::str::contains(format!("with key {old_id}")));
    env.run(&["gate", "v2.4.0"]).success();
    env.run(&["doctor"]).success();

    // A new sign-off uses the new key.
    env.run(&["reopen", "v2.4.0", "--reason", "after rotation"])
        .success();
    let outcome = sign(&env, "v2.4.0", "ana", &[]);
    assert_eq!(outcome["revision"], 2);
    assert_eq!(outcome["signatures"][0]["key_id"], new_id.as_str());
    let new_pub = env.json(&["person", "show", "ana"])["public_key"]
        .as_str()
        .unwrap()
        .to_string();
    env.run(&["export", "v2.4.0", "-o", "new.json"]).success();
    env.run(&["verify", "new.json", "--key", &new_pub])
        .success();
    env.run(&["verify", "new.json", "--key", &old_pub]).code(1);
    env.run(&["doctor"]).success();
}

#[test]
fn revocation_rejects_later_signatures_and_flags_earlier_ones() {
    let env = Env::launched();
    env.approvers();
    env.close_all();
    env.run(&["release", "new", "v2.5.0"]).success();
    env.run(&["run", "add", "v2.5.0", "launch"]).success();
    let early = sign(&env, "v2.4.0", "ana", &[]);
    let early_at = early["signatures"][0]["signed_at"]
        .as_str()
        .unwrap()
        .to_string();
    // Signing times have whole seconds: the later one must be in another.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let late = sign(&env, "v2.5.0", "ana", &["--override", "hotfix"]);
    assert_ne!(late["signatures"][0]["signed_at"], early_at.as_str());
    env.run(&["export", "v2.4.0", "-o", "early.json"]).success();
    env.run(&["export", "v2.5.0", "-o", "late.html"]).success();
    let id = key_id_of(&env, "ana");

    // Compromised from the moment the early report was signed.
    let events = env.count("SELECT COUNT(*) FROM event");
    env.run(&[
        "key",
        "revoke",
        &id,
        "--reason",
        "laptop stolen",
        "--from",
        &early_at,
    ])
    .success()
    .stdout(predicate::str::contains(format!(
        "revoked ana's key {id} from {early_at} (laptop stolen)"
    )))
    .stdout(predicate::str::contains("signet key rotate --as ana"));
    assert_eq!(env.count("SELECT COUNT(*) FROM event"), events + 1);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM event WHERE action = 'key.revoke' AND actor = 'ana'"),
        1
    );
    env.run(&["key", "revoke", &id, "--reason", "again"])
        .code(2)
        .stderr(predicate::str::contains("is already revoked from"));
    env.run(&["person", "show", "ana"])
        .success()
        .stdout(predicate::str::contains(format!(
            "REVOKED from {early_at}: laptop stolen"
        )));

    // Later: invalid. Earlier: flagged, a failure only when strict.
    env.run(&["gate", "v2.5.0"])
        .code(1)
        .stdout(predicate::str::contains(format!(
            "signature of ana is invalid: made {} with key {id}, which was revoked from {early_at} (laptop stolen)",
            late["signatures"][0]["signed_at"].as_str().unwrap()
        )));
    env.run(&["gate", "v2.4.0"])
        .success()
        .stdout(predicate::str::contains(
            "warning: ana signed with a key revoked later",
        ));
    env.run(&["gate", "v2.4.0", "--strict"])
        .code(1)
        .stdout(predicate::str::contains(
            "ana signed with a key revoked later",
        ));
    env.run(&["doctor"])
        .code(1)
        .stdout(predicate::str::contains("ok   live state"))
        .stdout(predicate::str::contains(
            "FAIL signing keys    v2.5.0 revision 1, ana",
        ))
        .stdout(predicate::str::contains("v2.4.0 revision 1, ana (key"))
        .stdout(predicate::str::contains("signed with a key revoked later"));

    // A file on its own still verifies; against the database's revocations
    // (--db given here, not just SIGNET_DB), the later one does not.
    env.run(&["verify", "late.html"]).success();
    let db = env.db().display().to_string();
    env.run(&["verify", "late.html", "--db", &db])
        .code(1)
        .stdout(predicate::str::contains("✗ invalid: Ana Ruiz (ana)"))
        .stdout(predicate::str::contains("which was revoked from"));
    env.run(&["verify", "early.json", "--db", &db])
        .success()
        .stdout(predicate::str::contains(
            "warning: ana (Lead) signed with a key revoked later",
        ));
    env.cmd()
        .env_remove("SIGNET_DB")
        .args(["verify", "late.html", "--db", "no/such.db"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no Signet database at no/such.db"));

    // The revoked key signs nothing more; a rotated one does.
    env.run(&["reopen", "v2.4.0", "--reason", "re-sign"])
        .success();
    let revisions = env.count("SELECT COUNT(*) FROM report_revision");
    env.run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Lead"])
        .code(2)
        .stderr(predicate::str::contains("signs nothing more"));
    assert_eq!(env.count("SELECT COUNT(*) FROM report_revision"), revisions);
    env.run(&["key", "init", "--as", "ana"])
        .success()
        .stderr(predicate::str::contains(format!(
            "warning: ana's key {id} was revoked from {early_at} (laptop stolen) and signs nothing more"
        )));
    env.run(&["key", "rotate", "--as", "ana"]).success();
    sign(&env, "v2.4.0", "ana", &[]);
    env.run(&["gate", "v2.4.0", "--strict"]).success();
    env.run(&["audit", "verify"]).success();
}

#[test]
fn a_secret_export_needs_confirmation_and_stays_encrypted() {
    let env = Env::launched();
    env.approvers();
    env.close_all();
    let key = std::fs::read_to_string(env.path("config/keys/ana.key")).unwrap();
    env.run(&["key", "export", "--secret", "--as", "ana"])
        .code(2)
        .stdout("")
        .stderr("signet: exporting ana's secret key needs --yes-i-understand (or a terminal to confirm on)\n");
    env.run(&[
        "key",
        "export",
        "--secret",
        "--as",
        "ana",
        "--yes-i-understand",
    ])
    .success()
    .stdout(key.clone());
    env.run(&[
        "key",
        "export",
        "--secret",
        "--as",
        "ana",
        "--yes-i-understand",
        "-o",
        "ana-moved.key",
    ])
    .success()
    .stdout("");
    let moved = env.path("ana-moved.key");
    assert_eq!(std::fs::read_to_string(&moved).unwrap(), key);
    assert!(is_encrypted(&key));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&moved).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // On another machine, the moved key is Ana's registered key and signs.
    let elsewhere = env.path("laptop-2");
    env.cmd()
        .env("SIGNET_CONFIG_DIR", &elsewhere)
        .args(["key", "import", "ana-moved.key", "--as", "ana"])
        .assert()
        .success();
    env.cmd()
        .env("SIGNET_CONFIG_DIR", &elsewhere)
        .args(["signoff", "v2.4.0", "--as", "ana", "--role", "Lead"])
        .assert()
        .success();

    // An unencrypted key is never exported.
    env.run(&["person", "add", "Cy Doe"]).success();
    env.run(&["key", "init", "--as", "cy", "--unencrypted"])
        .success();
    env.run(&[
        "key",
        "export",
        "--secret",
        "--as",
        "cy",
        "--yes-i-understand",
    ])
    .code(2)
    .stdout("")
    .stderr(predicate::str::contains(
        "run `signet key protect --as cy` first",
    ));
}

/// What must never appear outside a key file: each key's raw Ed25519 secret
/// (and its seed), in bytes, base64 and hex, the key line of its file, and
/// the password.
fn needles(key_file: &str, password: Option<&str>) -> Vec<(String, Vec<u8>)> {
    let raw = raw_secret(key_file, password);
    let mut out = Vec::new();
    for (what, bytes) in [("secret key", &raw[..]), ("seed", &raw[..32])] {
        out.push((format!("raw {what}"), bytes.to_vec()));
        out.push((format!("base64 {what}"), B64.encode(bytes).into_bytes()));
        out.push((
            format!("hex {what}"),
            bytes
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into_bytes(),
        ));
    }
    let line = key_file.lines().nth(1).unwrap().trim().to_string();
    out.push(("key file line".into(), line.into_bytes()));
    if let Some(p) = password {
        out.push(("password".into(), p.as_bytes().to_vec()));
    }
    out
}

#[test]
fn no_secret_key_byte_leaves_its_key_file() {
    let env = Env::launched();
    let mut seen: Vec<(String, Vec<u8>)> = Vec::new();
    let mut run = |args: &[&str]| {
        let out = env.cmd().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        seen.push((format!("{args:?} stdout"), out.stdout));
        seen.push((format!("{args:?} stderr"), out.stderr));
    };
    run(&["person", "add", "Ana Ruiz", "--email", "ana@example.com"]);
    run(&["person", "add", "Bo Li"]);
    run(&["key", "init", "--as", "ana"]);
    run(&["key", "init", "--as", "bo", "--unencrypted"]);
    let ana_first = std::fs::read_to_string(env.path("config/keys/ana.key")).unwrap();
    let bo = std::fs::read_to_string(env.path("config/keys/bo.key")).unwrap();
    for n in ["1.2", "1.2.1", "3.1", "3.2"] {
        run(&["tick", "v2.4.0", n, "done"]);
    }
    run(&["tick", "v2.4.0", "2.1", "n/a", "--reason", "no uploads"]);
    run(&[
        "signoff", "v2.4.0", "--as", "ana", "--role", "Lead", "--json",
    ]);
    run(&["signoff", "v2.4.0", "--as", "bo", "--role", "QA"]);
    run(&["key", "rotate", "--as", "ana"]);
    let ana_id = env.json(&["person", "show", "ana"])["keys"][0]["key_id"]
        .as_str()
        .unwrap()
        .to_string();
    run(&[
        "key",
        "revoke",
        &ana_id,
        "--reason",
        "rotated out",
        "--from",
        "2100-01-01",
    ]);
    run(&["key", "protect", "--as", "bo"]);
    let ana_now = std::fs::read_to_string(env.path("config/keys/ana.key")).unwrap();
    run(&["reopen", "v2.4.0", "--reason", "again"]);
    run(&["signoff", "v2.4.0", "--as", "ana", "--role", "Lead"]);
    run(&["export", "v2.4.0", "--format", "all", "-o", "out"]);
    run(&["person", "show", "ana", "--json"]);
    run(&["person", "list"]);
    run(&["key", "export", "--as", "ana"]);
    run(&["release", "revisions", "v2.4.0"]);
    run(&["gate", "v2.4.0"]);
    run(&["doctor"]);
    run(&["audit", "verify"]);
    // Team sync publishes everything the database holds, signed by a device
    // key of its own: neither that key nor a person's leaves the machine.
    let remote = env.path("remote.git");
    assert!(std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&remote)
        .status()
        .unwrap()
        .success());
    run(&["sync", remote.to_str().unwrap(), "--as", "ana"]);
    run(&["sync"]);
    let devices: Vec<String> = std::fs::read_dir(env.path("config/devices"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(devices.len(), 1, "one device key");
    let objects = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(&remote)
        .args(["cat-file", "--batch-all-objects", "--batch"])
        .output()
        .unwrap();
    assert!(
        objects.stdout.len() > 1000,
        "the remote holds the team's record"
    );

    let mut haystacks = seen;
    haystacks.push(("the sync remote's objects".into(), objects.stdout));
    for entry in std::fs::read_dir(env.path("out")).unwrap() {
        let path = entry.unwrap().path();
        haystacks.push((path.display().to_string(), std::fs::read(&path).unwrap()));
    }
    assert!(
        haystacks.len() > 40,
        "every export and every command's output"
    );
    for suffix in ["", "-wal", "-journal"] {
        let db = PathBuf::from(format!("{}{suffix}", env.db().display()));
        if let Ok(bytes) = std::fs::read(&db) {
            haystacks.push((db.display().to_string(), bytes));
        }
    }
    let mut secrets = needles(&ana_first, Some(PASSWORD));
    secrets.extend(needles(&ana_now, Some(PASSWORD)));
    secrets.extend(needles(&bo, None));
    secrets.extend(needles(&devices[0], None));
    for (place, hay) in &haystacks {
        for (what, needle) in &secrets {
            assert!(
                !hay.windows(needle.len()).any(|w| w == &needle[..]),
                "{what} found in {place}"
            );
        }
    }
}
