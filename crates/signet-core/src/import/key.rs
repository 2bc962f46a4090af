//! Stable keys: derived from the section path and the item's normalised text,
//! so a re-imported template can match its items to the old version's.

use sha2::{Digest, Sha256};

/// 12 hex digits of SHA-256 over the parts: short enough to type, long
/// enough that a 100k-item template has no accidental collisions.
pub fn derive(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update([0x1f]);
        }
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// Lower case, letters and digits only, single spaces: edits to punctuation,
/// case or spacing do not change an item's identity.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// A file name or title turned into a short identifier: `Launch Plan.md` → `launch-plan`.
pub fn slug(text: &str) -> String {
    let n = normalise(text);
    let s: String = n.split(' ').collect::<Vec<_>>().join("-");
    if s.is_empty() {
        "checklist".to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_ignores_case_punctuation_and_spacing() {
        assert_eq!(
            normalise("  **Backups**  are *tested*!"),
            "backups are tested"
        );
        assert_eq!(normalise("Backups are tested"), "backups are tested");
    }

    #[test]
    fn keys_differ_by_path_and_are_stable() {
        let a = derive(&["i", "sec1", "backups are tested"]);
        assert_eq!(a, derive(&["i", "sec1", "backups are tested"]));
        assert_ne!(a, derive(&["i", "sec2", "backups are tested"]));
        assert_eq!(a.len(), 12);
    }

    #[test]
    fn slugs_from_file_names() {
        assert_eq!(slug("Launch Plan"), "launch-plan");
        assert_eq!(slug("release_sign-off"), "release-sign-off");
        assert_eq!(slug("!!!"), "checklist");
    }
}
