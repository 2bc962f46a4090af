//! The starter templates that ship with the app import cleanly.

use signet_core::import::{import_file, ImportOptions};

#[test]
fn starter_checklists_import_without_warnings() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../checklists");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            let imp = import_file(&path, &ImportOptions::default()).unwrap();
            assert!(
                imp.report.warnings.is_empty(),
                "{}: {:?}",
                path.display(),
                imp.report.warnings
            );
            assert!(imp.report.items >= 15, "{}", path.display());
            found.push(imp.slug);
        }
    }
    found.sort();
    assert_eq!(
        found,
        [
            "client-engagement",
            "production-readiness",
            "release-signoff"
        ]
    );
}
