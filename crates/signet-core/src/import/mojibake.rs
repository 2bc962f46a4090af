//! Classic mojibake: UTF-8 bytes that were once decoded as Windows-1252 or Mac
//! Roman and saved again (`‚Üí` for `→`, `â€™` for `’`). A run of non-ASCII
//! characters is suspect when encoding it back to that charset yields valid,
//! shorter UTF-8; genuine accented text almost never round-trips like that.

use encoding_rs::{Encoding, MACINTOSH, WINDOWS_1252};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    pub line: usize,
    pub found: String,
    pub repaired: String,
    pub charset: &'static str,
}

const CHARSETS: [(&Encoding, &str); 2] = [(WINDOWS_1252, "Windows-1252"), (MACINTOSH, "Mac Roman")];

fn repair_run(run: &str) -> Option<(String, &'static str)> {
    for (encoding, name) in CHARSETS {
        let (bytes, _, had_errors) = encoding.encode(run);
        if had_errors {
            continue;
        }
        if let Ok(fixed) = std::str::from_utf8(&bytes) {
            if fixed.chars().count() < run.chars().count() {
                return Some((fixed.to_string(), name));
            }
        }
    }
    None
}

/// Maximal runs of non-ASCII characters in a line, with their byte ranges.
fn runs(line: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut iter = line.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = iter.by_ref().find(|(_, c)| !c.is_ascii())?;
        let mut end = line.len();
        while let Some(&(i, c)) = iter.peek() {
            if c.is_ascii() {
                end = i;
                break;
            }
            iter.next();
        }
        Some((start, end))
    })
}

pub fn scan(text: &str) -> Vec<Suspect> {
    let mut out = Vec::new();
    // Most files: one pass over the bytes instead of one per line.
    if text.is_ascii() {
        return out;
    }
    for (n, line) in text.lines().enumerate() {
        if line.is_ascii() {
            continue;
        }
        for (start, end) in runs(line) {
            let run = &line[start..end];
            if let Some((repaired, charset)) = repair_run(run) {
                out.push(Suspect {
                    line: n + 1,
                    found: run.to_string(),
                    repaired,
                    charset,
                });
            }
        }
    }
    out
}

/// The text with every suspect run replaced by its repair.
pub fn repair(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.is_ascii() {
            out.push_str(line);
            continue;
        }
        let mut pos = 0;
        for (start, end) in runs(line) {
            out.push_str(&line[pos..start]);
            match repair_run(&line[start..end]) {
                Some((fixed, _)) => out.push_str(&fixed),
                None => out.push_str(&line[start..end]),
            }
            pos = end;
        }
        out.push_str(&line[pos..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mac_roman_arrow_and_windows_quotes() {
        let text =
            "# T\n- [ ] deploy ‚Üí verify\n- [ ] donâ€™t panic\n- [ ] café and naïve → fine\n";
        let found = scan(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            (found[0].line, found[0].repaired.as_str(), found[0].charset),
            (2, "→", "Mac Roman")
        );
        assert_eq!(
            (found[1].line, found[1].repaired.as_str(), found[1].charset),
            (3, "’", "Windows-1252")
        );
        let fixed = repair(text);
        assert!(fixed.contains("deploy → verify"));
        assert!(fixed.contains("don’t panic"));
        assert!(fixed.contains("café and naïve → fine"));
    }

    #[test]
    fn genuine_text_is_left_alone() {
        for s in [
            "Größe ändern",
            "naïve café",
            "日本語のテキスト",
            "emoji 🚀 ok",
            "Ñandú",
        ] {
            assert!(scan(s).is_empty(), "{s}");
            assert_eq!(repair(s), s);
        }
    }
}
