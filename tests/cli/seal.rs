//! Trust holes (issue 10): who may have signed a report (`verify --key`),
//! what a tamper message shows, and that backup and restore never destroy a
//! database.

use predicates::prelude::*;

use super::Env;

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
