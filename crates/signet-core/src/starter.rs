//! The starter templates that ship inside the app (checklists/ in the repo),
//! imported into an empty library on first start.

use crate::error::Result;
use crate::import::{import_bytes, ImportOptions};
use crate::model::ImportOutcome;
use crate::store::Store;

pub const TEMPLATES: [(&str, &str); 3] = [
    (
        "release-signoff.md",
        include_str!("../../../checklists/release-signoff.md"),
    ),
    (
        "production-readiness.md",
        include_str!("../../../checklists/production-readiness.md"),
    ),
    (
        "client-engagement.md",
        include_str!("../../../checklists/client-engagement.md"),
    ),
];

/// Imports the starter templates when the library is empty; returns what was imported.
pub fn seed(store: &mut Store, actor: &str) -> Result<Vec<ImportOutcome>> {
    if !store.templates()?.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (name, text) in TEMPLATES {
        let imported = import_bytes(name, text.as_bytes().to_vec(), &ImportOptions::default())?;
        out.push(store.import(&imported, actor)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_an_empty_library_once() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(seed(&mut store, "app").unwrap().len(), 3);
        assert_eq!(seed(&mut store, "app").unwrap().len(), 0);
        assert_eq!(store.templates().unwrap().len(), 3);
    }
}
