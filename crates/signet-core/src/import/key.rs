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
    Fnv::parts(parts).done()
}

/// [`derive_raw`] of `parts` followed by [`normalise`]`(text)`, without
/// writing the normalised text anywhere: the importer keys every item so.
pub fn derive_normalised_raw(parts: &[&str], text: &str) -> u64 {
    let mut h = Fnv::parts(parts);
    h.bytes(&[0x1f]);
    normalise_each(text, |c| {
        let mut utf8 = [0; 4];
        h.bytes(c.encode_utf8(&mut utf8).as_bytes());
    });
    h.done()
}

struct Fnv(u64);

impl Fnv {
    /// The parts, a 0x1f between each two.
    fn parts(parts: &[&str]) -> Fnv {
        let mut h = Fnv(FNV_OFFSET);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                h.bytes(&[0x1f]);
            }
            h.bytes(part.as_bytes());
        }
        h
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }

    fn done(self) -> u64 {
        let h = self.0;
        // Fold the high bits in: FNV's low bits alone mix poorly.
        (h ^ (h >> 48)) & 0xffff_ffff_ffff
    }
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
    normalise_each(text, |c| out.push(c));
}

/// The characters of [`normalise`]`(text)`, one by one.
fn normalise_each(text: &str, mut emit: impl FnMut(char)) {
    let mut space = false;
    let mut started = false;
    if text.is_ascii() {
        // Most checklists: byte by byte, no char decoding or case tables.
        for &b in text.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if space && started {
                    emit(' ');
                }
                space = false;
                started = true;
                emit(char::from(b.to_ascii_lowercase()));
            } else {
                space = true;
            }
        }
        return;
    }
    for c in text.chars() {
        if c.is_alphanumeric() {
            if space && started {
                emit(' ');
            }
            space = false;
            started = true;
            if c.is_ascii() {
                emit(c.to_ascii_lowercase());
            } else {
                c.to_lowercase().for_each(&mut emit);
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
    fn keying_normalised_text_in_one_pass_gives_the_same_key() {
        for text in [
            "  **API-Keys**, rotated: YES — Überall ",
            "Backups are tested",
            "ÄRGER 2x İstanbul ß",
            "",
            "!!!",
        ] {
            assert_eq!(
                derive_normalised_raw(&["i", "sec1"], text),
                derive_raw(&["i", "sec1", &normalise(text)]),
                "{text}"
            );
        }
    }

    #[test]
    fn slugs_from_file_names() {
        assert_eq!(slug("Launch Plan"), "launch-plan");
        assert_eq!(slug("release_sign-off"), "release-sign-off");
        assert_eq!(slug("!!!"), "checklist");
    }
}
