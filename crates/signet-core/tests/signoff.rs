//! Sign-off and verification through the core API: freezing, read-only,
//! revisions, and that no single changed byte of a signed report verifies.

use signet_core::import::{import_bytes, ImportOptions};
use signet_core::keys::{Keyring, Protection, Unprotected};
use signet_core::model::{Status, Tick};
use signet_core::report::{self, Format, Paper};
use signet_core::seal::SigningKey;
use signet_core::store::{SignoffRequest, Store};
use signet_core::verify::verify;

const MD: &str = "# Launch\n\n## Legal\n\n- [ ] Licences checked\n- [ ] Privacy policy\n\n## Ops\n\n- [ ] Backups restore\n";

struct World {
    store: Store,
    _dir: tempfile::TempDir,
    keys: Keyring,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let imp = import_bytes(
        "launch.md",
        MD.as_bytes().to_vec(),
        &ImportOptions::default(),
    )
    .unwrap();
    store.import(&imp, "ana").unwrap();
    store.create_release("v1", None, "ana").unwrap();
    store.add_run("v1", "launch", false, "ana").unwrap();
    let keys = Keyring::new(dir.path());
    for (name, handle) in [("Ana Ruiz", "ana"), ("Bo Li", "bo")] {
        store.add_person(name, None, None, "ana").unwrap();
        let k = keys
            .generate(handle, false, &Protection::Unencrypted)
            .unwrap();
        store
            .set_public_key(handle, &k.public_key(), "ana")
            .unwrap();
    }
    World {
        store,
        _dir: dir,
        keys,
    }
}

fn done(w: &mut World, n: &str) {
    let t = Tick {
        status: Some(Status::Done),
        ..Default::default()
    };
    w.store.tick("v1", n, &t, "ana").unwrap();
}

fn sign(w: &mut World, who: &str, role: &str, over: Option<&str>) -> signet_core::Result<u32> {
    let key = w.keys.load(who, &Unprotected)?.key;
    let req = SignoffRequest {
        release: "v1",
        person: who,
        role,
        override_reason: over,
        actor: who,
    };
    w.store.sign_off(&req, &key).map(|o| o.revision)
}

fn signed_world() -> World {
    let mut w = world();
    for n in ["1.1", "1.2", "2.1"] {
        done(&mut w, n);
    }
    sign(&mut w, "ana", "Tech lead", None).unwrap();
    sign(&mut w, "bo", "QA", None).unwrap();
    w
}

fn export(w: &World, format: Format) -> Vec<u8> {
    let (r, seal) = w.store.report("v1", None).unwrap();
    report::render(&r, seal.as_ref(), format, Paper::A4).unwrap()
}

#[test]
fn open_items_refuse_sign_off_and_list_what_is_open() {
    let mut w = world();
    done(&mut w, "1.1");
    let err = sign(&mut w, "ana", "Tech lead", None).unwrap_err();
    match err {
        signet_core::Error::SignoffRefused {
            open, total, items, ..
        } => {
            assert_eq!((open, total), (2, 3));
            assert_eq!(
                items,
                ["1.2 [open] Privacy policy", "2.1 [open] Backups restore"]
            );
        }
        other => panic!("{other}"),
    }
    assert!(
        w.store.revisions("v1").unwrap().is_empty(),
        "nothing frozen"
    );
    // A blocked or n/a-without-reason item is not closed either.
    let na = Tick {
        status: Some(Status::NotApplicable),
        reason: Some("no backups in this product".into()),
        ..Default::default()
    };
    w.store.tick("v1", "2.1", &na, "ana").unwrap();
    done(&mut w, "1.2");
    assert_eq!(sign(&mut w, "ana", "Tech lead", None).unwrap(), 1);
}

#[test]
fn signed_releases_are_read_only_until_reopened() {
    let mut w = signed_world();
    let t = Tick {
        status: Some(Status::Open),
        ..Default::default()
    };
    let err = w.store.tick("v1", "1.1", &t, "ana").unwrap_err();
    assert!(
        err.to_string().contains("signed off and read-only"),
        "{err}"
    );
    assert!(w.store.add_run("v1", "launch", false, "ana").is_err());
    w.store.reopen("v1", "hotfix", "ana").unwrap();
    w.store.tick("v1", "1.1", &t, "ana").unwrap();
    done(&mut w, "1.1");
    assert_eq!(sign(&mut w, "bo", "QA", None).unwrap(), 2);
    let revs = w.store.revisions("v1").unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[0].signers, ["ana", "bo"]);
    assert_eq!(revs[1].signers, ["bo"]);
    // Revision 1 is intact and verifies on its own.
    let seal1 = w.store.seal("v1", Some(1)).unwrap().unwrap();
    let r1 = report::Report::from_json(seal1.payload.as_bytes()).unwrap();
    let bytes = report::render(&r1, Some(&seal1), Format::Json, Paper::A4).unwrap();
    let v = verify("r1.json", &bytes, &[]).unwrap();
    assert!(v.passed, "{:?}", v.problems);
    assert_eq!(v.signatures.len(), 2);
}

#[test]
fn the_frozen_report_is_the_one_signed_whatever_happens_later() {
    let mut w = signed_world();
    let before = export(&w, Format::Json);
    w.store.reopen("v1", "hotfix", "ana").unwrap();
    let t = Tick {
        status: Some(Status::Open),
        ..Default::default()
    };
    w.store.tick("v1", "1.1", &t, "ana").unwrap();
    // The live release changed; the frozen revision did not.
    let (r1, seal) = w.store.report("v1", Some(1)).unwrap();
    let again = report::render(&r1, seal.as_ref(), Format::Json, Paper::A4).unwrap();
    assert_eq!(before, again);
    let (draft, none) = w.store.report("v1", None).unwrap();
    assert!(none.is_none() && draft.is_draft());
}

/// `v1` as a Signet of seal layout `layout` signed it: frozen before the
/// payload recorded its layout (`layout` absent), each approver's
/// signature made again over those bytes (by a key of their own).
fn sealed_as(w: &World, layout: u32) -> (report::Report, signet_core::seal::Seal) {
    let (mut r, seal) = w.store.report("v1", None).unwrap();
    let mut seal = seal.unwrap();
    r.layout = None;
    let payload = r.canonical().unwrap();
    for s in &mut seal.signatures {
        *s = SigningKey::generate()
            .unwrap()
            .sign(
                &payload,
                &seal.release,
                seal.revision,
                (&s.handle, &s.name),
                &s.role,
                &s.signed_at,
            )
            .unwrap();
    }
    seal.digest = signet_core::seal::digest(&payload);
    seal.payload = String::from_utf8(payload).unwrap();
    seal.signet_seal = layout;
    (r, seal)
}

#[test]
fn every_format_verifies_and_no_single_changed_byte_does() {
    let w = signed_world();
    // A PDF is checked in the current layout (8: streams compared inflated),
    // as layout 7 was signed (inflated too) and as layouts 4 and 2 were
    // (byte for byte).
    for (format, step, layout) in [
        (Format::Markdown, 2, None),
        (Format::Json, 2, None),
        (Format::Html, 4, None),
        (Format::Pdf, 5, None),
        (Format::Pdf, 41, Some(7)),
        (Format::Pdf, 53, Some(4)),
        (Format::Pdf, 97, Some(2)),
    ] {
        let good = match layout {
            None => export(&w, format),
            Some(v) => {
                let (r, seal) = sealed_as(&w, v);
                report::render(&r, Some(&seal), format, Paper::A4).unwrap()
            }
        };
        let v = verify("report", &good, &[]).unwrap();
        assert!(v.passed, "{format:?}: {:?}", v.problems);
        let mut flipped = 0;
        for i in (0..good.len()).step_by(step) {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            // An error (no longer recognisable as a signed report) is a failure too.
            if let Ok(v) = verify("report", &bad, &[]) {
                assert!(
                    !v.passed,
                    "{format:?}: byte {i} changed and it still verifies"
                );
            }
            flipped += 1;
        }
        assert!(flipped > 100, "{format:?}: only {flipped} positions tried");
    }
}

/// Layout 8 changed only the PDF's SVG logo: a markdown, HTML or JSON
/// report sealed as layout 7 (or any earlier known layout) verifies as it
/// did (the JSON's seal still naming its own layout).
#[test]
fn text_reports_sealed_before_layout_8_still_verify() {
    let w = signed_world();
    for v in [2, 4, 7] {
        let (r, seal) = sealed_as(&w, v);
        for format in [Format::Markdown, Format::Html, Format::Json] {
            let file = report::render(&r, Some(&seal), format, Paper::A4).unwrap();
            if format == Format::Json {
                let text = String::from_utf8(file.clone()).unwrap();
                assert!(text.contains(&format!("\"signet_seal\": {v},")), "{v}");
            }
            let verdict = verify("report", &file, &[]).unwrap();
            assert!(verdict.passed, "{format:?} {v}: {:?}", verdict.problems);
        }
    }
}

#[test]
fn a_forged_report_signed_with_another_key_fails_against_the_trusted_key() {
    let w = signed_world();
    let (mut r, seal) = w.store.report("v1", None).unwrap();
    let seal = seal.unwrap();
    let ana_key = seal.signatures[0].public_key.clone();
    // Mallory edits the content and re-signs it as "ana" with her own key.
    r.runs[0].sections[0].items[0].owner = Some("mallory".into());
    let payload = r.canonical().unwrap();
    let mallory = SigningKey::generate().unwrap();
    let sig = mallory
        .sign(
            &payload,
            "v1",
            1,
            ("ana", "Ana Ruiz"),
            "Tech lead",
            "2026-11-26T00:00:00Z",
        )
        .unwrap();
    let forged_seal = signet_core::seal::Seal {
        payload: String::from_utf8(payload.clone()).unwrap(),
        digest: signet_core::seal::digest(&payload),
        signatures: vec![sig],
        ..seal
    };
    let bytes = report::render(&r, Some(&forged_seal), Format::Markdown, Paper::A4).unwrap();
    // Internally consistent, so it passes without a trusted key…
    assert!(verify("forged.md", &bytes, &[]).unwrap().passed);
    // …and fails once the verifier says whose key counts.
    let v = verify("forged.md", &bytes, &[ana_key]).unwrap();
    assert!(!v.passed);
    assert!(v
        .problems
        .iter()
        .any(|p| p.contains("no valid signature by the trusted key")));
}

#[test]
fn a_changed_role_in_the_seal_breaks_that_signature() {
    let w = signed_world();
    let (r, seal) = w.store.report("v1", None).unwrap();
    let mut seal = seal.unwrap();
    seal.signatures[1].role = "CEO".into();
    let bytes = report::render(&r, Some(&seal), Format::Html, Paper::A4).unwrap();
    let v = verify("r.html", &bytes, &[]).unwrap();
    assert!(!v.passed);
    assert!(v.signatures[0].valid);
    assert!(!v.signatures[1].valid);
    let problem = v.signatures[1].problem.as_deref().unwrap();
    assert!(problem.contains("signed statement differs"), "{problem}");
    assert!(problem.contains("role=\"QA\""), "{problem}");
}

#[test]
fn the_approver_must_use_their_registered_key() {
    let mut w = world();
    for n in ["1.1", "1.2", "2.1"] {
        done(&mut w, n);
    }
    let bo_key = w.keys.load("bo", &Unprotected).unwrap().key;
    let req = SignoffRequest {
        release: "v1",
        person: "ana",
        role: "Tech lead",
        override_reason: None,
        actor: "ana",
    };
    let err = w.store.sign_off(&req, &bo_key).unwrap_err();
    assert!(
        err.to_string().contains("is not ana's registered key"),
        "{err}"
    );
    assert!(
        w.store.revisions("v1").unwrap().is_empty(),
        "a refused sign-off freezes nothing"
    );
}
