//! The bodies of the fuzz targets (fuzz/), shared with the stable test that
//! replays their seeds and regressions in CI. Public only for them.

use crate::import::{import_bytes, ImportOptions};
use crate::store::Store;

/// Bytes → import → store. Errors are fine; panics are findings.
pub fn import(data: &[u8]) {
    let options = ImportOptions::default();
    let Ok(imported) = import_bytes("fuzz.md", data.to_vec(), &options) else {
        return;
    };
    let Ok(mut store) = Store::open_in_memory() else {
        return;
    };
    if store.import(&imported, "fuzz").is_ok() {
        let _ = store.create_release("r", None, "fuzz");
        let _ = store.add_run("r", &imported.slug, false, "fuzz");
        if let Ok(view) = store.release_view("r") {
            let _ = crate::report::render(
                &crate::report::model::build(&view, Default::default(), 0, "t", None),
                None,
                crate::report::Format::Markdown,
                crate::report::Paper::A4,
            );
        }
    }
}

/// Bytes → verify. Any answer is fine (valid, invalid, an error); a panic
/// is a finding.
pub fn verify(data: &[u8]) {
    let _ = crate::verify::verify("fuzz", data, &[]);
}
