//! Where a report file differs from what was signed, worded so a person can
//! see it. Invisible characters (`\r`, tabs, non-breaking and zero-width
//! spaces, direction marks) are written out by name, and a file whose line
//! endings were converted is called that instead of "line 1 differs" between
//! two lines that look the same. Never decides whether a file is valid.

use crate::report::Format;
use crate::text::{invisible, visible, visible_char};

/// Longest piece of a line quoted in a message, in characters.
const SHOWN: usize = 120;

/// The first difference between the file and the re-rendered report.
pub(super) fn first(format: Format, found: &[u8], expected: &[u8]) -> String {
    if format == Format::Pdf {
        let at = found
            .iter()
            .zip(expected)
            .position(|(a, b)| a != b)
            .unwrap_or(found.len().min(expected.len()));
        return format!(
            "the document differs from its signed content from byte {at} on ({} bytes in the file, {} expected)",
            found.len(),
            expected.len()
        );
    }
    let found = String::from_utf8_lossy(found);
    let expected = String::from_utf8_lossy(expected);
    text(&found, &expected)
}

fn text(found: &str, expected: &str) -> String {
    // A whole file converted to CRLF (an editor or git's autocrlf) is one
    // change, not a difference on every line: say so, then look for any
    // other edit in the file as it was before the conversion.
    let breaks = found.matches('\n').count();
    if breaks > 0 && found.matches("\r\n").count() == breaks && !expected.contains('\r') {
        let lf = found.replace("\r\n", "\n");
        if lf == expected {
            return "the file's line endings were converted to CRLF (\\r\\n); the signed report has LF (\\n) line endings and nothing else differs".into();
        }
        return format!(
            "the file's line endings were converted to CRLF (\\r\\n), and besides that {}",
            lines(&lf, expected)
        );
    }
    lines(found, expected)
}

/// The first line that differs, with what kind of change it is when that
/// is not plain to see.
fn lines(found: &str, expected: &str) -> String {
    let mut fl = found.split_inclusive('\n');
    let mut el = expected.split_inclusive('\n');
    let mut line = 1;
    let (a, b) = loop {
        match (fl.next(), el.next()) {
            (Some(a), Some(b)) if a == b => line += 1,
            (None, None) => {
                return "the file differs from the signed content, but no line does".into()
            }
            (a, b) => break (a, b),
        }
    };
    let (Some(a), Some(b)) = (a, b) else {
        let show = |s: Option<&str>| s.map_or("(end of file)".to_string(), |s| quote(body(s), 0));
        return format!(
            "line {line} differs from the signed content: the file has {}, the signed report says {}",
            show(a),
            show(b)
        );
    };
    let (fa, fb) = (body(a), body(b));
    let kind = if fa == fb {
        // Same text; only the line break itself differs.
        Some(if a.ends_with('\n') {
            "the file has a line break where the signed report ends".to_string()
        } else {
            "the file ends without the line break the signed report has".to_string()
        })
    } else if fa.strip_suffix('\r') == Some(fb) {
        Some("the line ending was changed to CRLF (\\r\\n)".to_string())
    } else if fb.strip_suffix('\r') == Some(fa) {
        Some("the line ending was changed from CRLF (\\r\\n) to LF (\\n)".to_string())
    } else {
        let (pa, pb) = changed(fa, fb);
        let side = |p: &str| {
            if p.is_empty() {
                "nothing".to_string()
            } else {
                format!("'{}'", visible(p))
            }
        };
        pa.chars().chain(pb.chars()).all(invisible_or_space).then(|| {
            format!(
                "only whitespace or invisible characters differ: the file has {} where the signed report has {}",
                side(pa),
                side(pb)
            )
        })
    };
    let at = common_prefix(fa, fb);
    let lines = format!(
        "the file has {}, the signed report says {}",
        quote(fa, at),
        quote(fb, at)
    );
    match kind {
        None => format!("line {line} differs from the signed content: {lines}"),
        Some(kind) => format!("line {line} differs from the signed content: {kind} — {lines}"),
    }
}

/// A line without its `\n`.
fn body(line: &str) -> &str {
    line.strip_suffix('\n').unwrap_or(line)
}

/// Characters both lines start with.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// The parts of `a` and `b` that differ, once the common start and end are
/// taken off.
fn changed<'a, 'b>(a: &'a str, b: &'b str) -> (&'a str, &'b str) {
    let start = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let (a, b) = (&a[start..], &b[start..]);
    let end = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum::<usize>();
    (&a[..a.len() - end], &b[..b.len() - end])
}

/// Quotes a line, showing invisible characters, and cut to [`SHOWN`]
/// characters around character `at` (where it starts to differ).
fn quote(line: &str, at: usize) -> String {
    let pieces: Vec<String> = line.chars().map(visible_char).collect();
    let width = |p: &[String]| p.iter().map(|s| s.chars().count()).sum::<usize>();
    if width(&pieces) <= SHOWN {
        return format!("'{}'", pieces.concat());
    }
    // Keep some context before the difference, then as much after as fits.
    let start = at.saturating_sub(SHOWN / 3).min(pieces.len());
    let mut shown = String::new();
    let mut used = 0;
    let mut end = start;
    for p in &pieces[start..] {
        let w = p.chars().count();
        if used + w > SHOWN {
            break;
        }
        shown.push_str(p);
        used += w;
        end += 1;
    }
    let before = if start > 0 { "…" } else { "" };
    let after = if end < pieces.len() { "…" } else { "" };
    format!("'{before}{shown}{after}'")
}

fn invisible_or_space(c: char) -> bool {
    c == ' ' || invisible(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(found: &str, expected: &str) -> String {
        first(Format::Markdown, found.as_bytes(), expected.as_bytes())
    }

    #[test]
    fn a_visible_edit_quotes_both_lines() {
        assert_eq!(
            md("a\nVirus scannin\n", "a\nVirus scanning\n"),
            "line 2 differs from the signed content: the file has 'Virus scannin', the signed report says 'Virus scanning'"
        );
    }

    #[test]
    fn a_file_converted_to_crlf_is_one_change() {
        assert_eq!(
            md("a\r\nb\r\n", "a\nb\n"),
            "the file's line endings were converted to CRLF (\\r\\n); the signed report has LF (\\n) line endings and nothing else differs"
        );
        assert_eq!(
            md("a\r\nc\r\n", "a\nb\n"),
            "the file's line endings were converted to CRLF (\\r\\n), and besides that line 2 differs from the signed content: the file has 'c', the signed report says 'b'"
        );
    }

    #[test]
    fn one_crlf_line_shows_its_carriage_return() {
        assert_eq!(
            md("a\nb\r\nc\n", "a\nb\nc\n"),
            "line 2 differs from the signed content: the line ending was changed to CRLF (\\r\\n) — the file has 'b\\r', the signed report says 'b'"
        );
    }

    #[test]
    fn invisible_characters_are_named() {
        assert_eq!(
            md("x\u{a0}y\n", "x y\n"),
            "line 1 differs from the signed content: only whitespace or invisible characters differ: the file has '<U+00A0 NO-BREAK SPACE>' where the signed report has ' ' — the file has 'x<U+00A0 NO-BREAK SPACE>y', the signed report says 'x y'"
        );
        assert!(md("ab\n", "a\u{200b}b\n").contains(
            "the file has nothing where the signed report has '<U+200B ZERO WIDTH SPACE>'"
        ));
        assert!(md("a\u{2066}b\n", "ab\n").contains("<U+2066 LEFT-TO-RIGHT ISOLATE>"));
        assert!(md("a\u{2063}b\n", "ab\n").contains("'<U+2063>'"));
    }

    #[test]
    fn a_missing_final_line_break_is_said() {
        assert_eq!(
            md("a\nb", "a\nb\n"),
            "line 2 differs from the signed content: the file ends without the line break the signed report has — the file has 'b', the signed report says 'b'"
        );
    }

    #[test]
    fn a_long_line_is_cut_around_the_difference() {
        let head = "x".repeat(300);
        let msg = md(&format!("{head}A tail\n"), &format!("{head}B tail\n"));
        // Some context before the difference, the rest after it.
        let context = "x".repeat(SHOWN / 3);
        assert!(msg.contains(&format!("'…{context}A tail'")), "{msg}");
        assert!(msg.contains(&format!("'…{context}B tail'")), "{msg}");
        // Cut on the right too when the tail is long.
        let msg = md(&format!("{head}A{head}\n"), &format!("{head}B{head}\n"));
        let quoted = format!("'…{context}A{}…'", "x".repeat(SHOWN - SHOWN / 3 - 1));
        assert!(msg.contains(&quoted), "{msg}");
    }
}
