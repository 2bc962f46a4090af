//! Replays the fuzz targets' seeds and every crash the fuzzer ever found
//! (fuzz/seeds, fuzz/regressions) on stable Rust, so CI keeps them fixed.

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut out = Vec::new();
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().is_file() && e.file_name() != ".gitkeep" {
                out.push((
                    e.path().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn import_target_survives_its_seeds_and_regressions() {
    let cases = inputs("import");
    assert!(cases.len() >= 10, "seeds missing: {}", cases.len());
    for (name, bytes) in cases {
        let r = std::panic::catch_unwind(|| signet_core::fuzzing::import(&bytes));
        assert!(r.is_ok(), "{name} panics");
    }
}

#[test]
fn verify_target_survives_its_seeds_and_regressions() {
    let cases = inputs("verify");
    assert!(cases.len() >= 4, "seeds missing: {}", cases.len());
    for (name, bytes) in cases {
        let r = std::panic::catch_unwind(|| signet_core::fuzzing::verify(&bytes));
        assert!(r.is_ok(), "{name} panics");
    }
}
