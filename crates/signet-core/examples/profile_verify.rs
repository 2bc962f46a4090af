//! Times the steps of verifying a signed 10k-item report (for tuning).
use std::time::Instant;

use signet_core::import::{import_bytes, sample::generate, ImportOptions};
use signet_core::keys::{Keyring, Protection};
use signet_core::report::{self, Format, Paper};
use signet_core::store::{SignoffRequest, Store};

fn main() {
    // `PROFILE_VERIFY=file`: verifies that file 20 times, for perf.
    if let Some(path) = std::env::var_os("PROFILE_VERIFY") {
        let bytes = std::fs::read(path).unwrap();
        for _ in 0..20 {
            let t = Instant::now();
            let v = signet_core::verify::verify("x", &bytes, &[]).unwrap();
            assert!(v.passed, "{v:?}");
            println!("verify {:?}", t.elapsed());
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let keys = Keyring::new(dir.path());
    let imp = import_bytes(
        "b.md",
        generate(10_000).into_bytes(),
        &ImportOptions::default(),
    )
    .unwrap();
    let mut store = Store::open_in_memory().unwrap();
    store.import(&imp, "b").unwrap();
    store.create_release("r", None, "b").unwrap();
    store.add_run("r", "b", false, "b").unwrap();
    store.add_person("Ana", None, None, "b").unwrap();
    if std::env::var_os("PROFILE_LOGO").is_some() {
        // The report bench's branding: an SVG logo of 1,000 rectangles.
        let logo = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\">{}</svg>",
            "<rect width=\"1\" height=\"1\"/>".repeat(1000)
        );
        let logo = signet_core::report::branding::logo_from_bytes(logo.into_bytes()).unwrap();
        store
            .set_branding(&signet_core::report::model::Branding {
                client_name: Some("Globex".into()),
                logo: Some(logo),
                org_name: Some("Acme Consulting".into()),
            })
            .unwrap();
    }
    let key = keys
        .generate("ana", true, &Protection::Unencrypted)
        .unwrap();
    store.set_public_key("ana", &key.public_key(), "b").unwrap();
    let req = SignoffRequest {
        release: "r",
        person: "ana",
        role: "x",
        override_reason: Some("b"),
        actor: "b",
    };
    store.sign_off(&req, &key).unwrap();
    let (r, seal) = store.report("r", None).unwrap();
    let seal = seal.unwrap();
    println!("payload {} bytes", seal.payload.len());
    let t = Instant::now();
    let _ = signet_core::seal::digest(seal.payload.as_bytes());
    println!("sha256 {:?}", t.elapsed());
    let t = Instant::now();
    let _ = seal.signatures[0].check(seal.payload.as_bytes(), &seal.digest, "r", 1);
    println!("sig check {:?}", t.elapsed());
    let t = Instant::now();
    let _ = report::Report::from_json(seal.payload.as_bytes()).unwrap();
    println!("from_json {:?}", t.elapsed());
    if std::env::var_os("PROFILE_PDF").is_some() {
        for _ in 0..40 {
            report::render(&r, Some(&seal), Format::Pdf, Paper::A4).unwrap();
        }
        return;
    }
    if let Some(dir) = std::env::var_os("PROFILE_DUMP") {
        // The same report as layout 4 signed it: verified byte for byte.
        let mut v4 = seal.clone();
        v4.signet_seal = 4;
        let bytes = report::render(&r, Some(&v4), Format::Pdf, Paper::A4).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("r4.pdf"), bytes).unwrap();
    }
    for f in [Format::Markdown, Format::Html, Format::Pdf, Format::Json] {
        let t = Instant::now();
        let bytes = report::render(&r, Some(&seal), f, Paper::A4).unwrap();
        println!("render {f:?} {:?} ({} bytes)", t.elapsed(), bytes.len());
        if let Some(dir) = std::env::var_os("PROFILE_DUMP") {
            let path = std::path::Path::new(&dir).join(format!("r.{}", f.extension()));
            std::fs::write(path, &bytes).unwrap();
        }
        let t = Instant::now();
        signet_core::verify::verify("x", &bytes, &[]).unwrap();
        println!("verify {f:?} {:?}", t.elapsed());
    }
}
