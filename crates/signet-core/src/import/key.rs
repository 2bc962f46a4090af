//! Stable keys: derived from the section path and the item's normalised text,
//! so a re-imported template can match its items to the old version's.
//!
//! Keys identify, they do not protect: a 64-bit FNV-1a (fixed by its spec, so
//! stable across platforms and releases) is enough and costs a fraction of a
//! cryptographic hash on the import hot path. Collisions within a template
//! are resolved by the importer, which re-derives with a counter.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// 12 hex digits (48 bits) over the parts: short enough to type, long enough
/// that a 100k-item template rarely needs a collision counter.
pub fn derive(parts: &[&str]) -> String {
    encode(derive_raw(parts))
}

/// The key as a number, for cheap uniqueness checks.
pub fn derive_raw(parts: &[&str]) -> u64 {
    let mut h = FNV_OFFSET;
    for (i, part) in parts.iter().enumerate() {
        let sep: &[u8] = if i > 0 { &[0x1f] } else { &[] };
        for &b in sep.iter().chain(part.as_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
    }
    // Fold the high bits in: FNV's low bits alone mix poorly.
    (h ^ (h >> 48)) & 0xffff_ffff_ffff
}

pub fn encode(raw: u64) -> String {
    crate::hex::encode(&raw.to_be_bytes()[2..])
}

/// Lower case, letters and digits only, single spaces: edits to punctuation,
/// case or spacing do not change an item's identity.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalise_into(&mut out, text);
    out
}

/// [`normalise`] into `out` (cleared first): the importer reuses one buffer
/// for every item's key.
pub fn normalise_into(out: &mut String, text: &str) {
    out.clear();
    if text.is_ascii() {
        // Most checklists: byte by byte, no char decoding or case tables.
        let mut space = false;
        for &b in text.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(char::from(b.to_ascii_lowercase()));
            } else {
                space = true;
            }
        }
        return;
    }
    let mut space = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            space = true;
        }
    }
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
    fn ascii_and_other_text_normalise_alike() {
        // ASCII text takes a byte-wise path: one non-ASCII letter must not
        // change how the rest of the line is keyed.
        assert_eq!(
            normalise("  **API-Keys**, rotated: YES "),
            "api keys rotated yes"
        );
        assert_eq!(
            normalise("  **API-Keys**, rotated: YES — Überall "),
            "api keys rotated yes überall"
        );
        assert_eq!(normalise("ÄRGER 2x"), "ärger 2x");
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
