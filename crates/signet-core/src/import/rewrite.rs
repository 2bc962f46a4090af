//! Markdown source that stands on its own. Item titles, fields and section
//! prose are kept as markdown source and rendered later, one piece at a
//! time, where the document's reference definitions are out of reach: a
//! `[kubernetes/website]` whose `[kubernetes/website]: https://…` sits at the
//! end of the file would render as bracketed text. pulldown-cmark resolves
//! references (and entities) while it parses the whole document, so the
//! event walk records edits — reference links made inline, entities decoded —
//! and every source slice the importer keeps goes through them.
//! Reference images are left alone: Signet renders no images.
//! Never changes what a piece renders to, only makes it self-contained.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{CowStr, LinkType};

/// Replacements of byte ranges of the document, sorted and disjoint.
#[derive(Default)]
pub(crate) struct Edits {
    list: Vec<(Range<usize>, String)>,
    /// Reference links open in the walk: where the link starts and ends,
    /// the span of its content so far, its target.
    open: Vec<OpenRef>,
}

struct OpenRef {
    whole: Range<usize>,
    inner: Option<Range<usize>>,
    target: String,
    collapsed: bool,
}

/// Whether a link of this kind is written by reference (its target is
/// elsewhere in the document).
pub(crate) fn by_reference(kind: LinkType) -> bool {
    matches!(
        kind,
        LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut
    )
}

/// `(url "title")`, in the form that survives any URL: backslashes are
/// escaped (so none can swallow the closing `)`, `>` or `"`), spaces and
/// parentheses put the URL in `<…>`, which cannot hold `<`, `>` or a line
/// break.
fn inline_target(url: &str, title: &str) -> String {
    let url = url.replace('\\', "\\\\");
    let mut out = String::with_capacity(url.len() + title.len() + 6);
    out.push('(');
    if url.is_empty() || url.contains(|c: char| c.is_whitespace() || "()<>".contains(c)) {
        out.push('<');
        out.push_str(&url.replace(['<', '>', '\n', '\r'], ""));
        out.push('>');
    } else {
        out.push_str(&url);
    }
    if !title.is_empty() {
        out.push_str(" \"");
        out.push_str(&title.replace('\\', "\\\\").replace('"', "\\\""));
        out.push('"');
    }
    out.push(')');
    out
}

/// Characters an entity may stand for and still be written plainly: decoding
/// `&ast;` to `*` would start emphasis, `&lt;` to `<` an HTML tag.
/// Control characters stay encoded too: written out they would reach
/// terminals and reports as raw bytes.
fn plain_enough(decoded: &str) -> bool {
    decoded
        .chars()
        .all(|c| !c.is_control() && (!c.is_ascii_punctuation() || "\"',;:?/@%$".contains(c)))
}

/// `&` followed by something that would read as an entity (`&amp;copy;`
/// decoded to `&copy;` would turn into ©).
fn reads_as_entity(rest: &str) -> bool {
    let name = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
        .count();
    name > 0 && rest.as_bytes().get(name) == Some(&b';')
}

impl Edits {
    /// A reference link starts at `whole`.
    pub(crate) fn open_ref(
        &mut self,
        whole: Range<usize>,
        url: &CowStr<'_>,
        title: &CowStr<'_>,
        kind: LinkType,
    ) {
        self.open.push(OpenRef {
            whole,
            inner: None,
            target: inline_target(url, title),
            collapsed: kind == LinkType::Collapsed,
        });
    }

    /// An event inside the open reference links spans `range`.
    pub(crate) fn inside(&mut self, range: &Range<usize>) {
        for r in &mut self.open {
            match &mut r.inner {
                Some(inner) => {
                    inner.start = inner.start.min(range.start);
                    inner.end = inner.end.max(range.end);
                }
                None => r.inner = Some(range.clone()),
            }
        }
    }

    /// The innermost open reference ends: `[text][ref]` becomes
    /// `[text](url "title")`.
    pub(crate) fn close_ref(&mut self, text: &str) {
        let Some(r) = self.open.pop() else { return };
        let mut end = r.whole.end;
        // pulldown-cmark leaves the `[]` of a collapsed `[text][]` outside
        // the link's range.
        if r.collapsed && text[end..].starts_with("[]") {
            end += 2;
        }
        match r.inner {
            Some(inner) if inner.start >= r.whole.start && inner.end <= end => {
                self.list.push((r.whole.start..inner.start, "[".into()));
                self.list.push((inner.end..end, format!("]{}", r.target)));
            }
            _ => self
                .list
                .push((r.whole.start..end, format!("[]{}", r.target))),
        }
    }

    /// A text event whose source differs from its text: an entity (or a
    /// backslash escape, which stays as written).
    pub(crate) fn text(&mut self, text: &str, range: &Range<usize>, decoded: &str) {
        let src = &text[range.clone()];
        if src.len() == decoded.len() || !src.starts_with('&') || !src.ends_with(';') {
            return;
        }
        let keep = if decoded == "&" {
            reads_as_entity(&text[range.end..])
        } else {
            !plain_enough(decoded)
        };
        if !keep {
            self.list.push((range.clone(), decoded.to_string()));
        }
    }

    /// Call once the walk is over.
    pub(crate) fn finish(&mut self) {
        self.open.clear();
        self.list.sort_by_key(|(r, _)| r.start);
        // Edits come from disjoint events; drop any that would overlap an
        // earlier one rather than garble the text.
        let mut last_end = 0;
        self.list.retain(|(r, _)| {
            let ok = r.start >= last_end;
            if ok {
                last_end = r.end;
            }
            ok
        });
    }

    /// `text[range]` with the edits inside it applied.
    pub(crate) fn slice<'t>(&self, text: &'t str, range: Range<usize>) -> Cow<'t, str> {
        if self.list.is_empty() {
            return Cow::Borrowed(&text[range]);
        }
        let first = self.list.partition_point(|(r, _)| r.start < range.start);
        let mut out: Option<String> = None;
        let mut pos = range.start;
        for (r, with) in &self.list[first..] {
            if r.end > range.end {
                break;
            }
            let o = out.get_or_insert_with(|| String::with_capacity(range.len() + 32));
            o.push_str(&text[pos..r.start]);
            o.push_str(with);
            pos = r.end;
        }
        match out {
            None => Cow::Borrowed(&text[range]),
            Some(mut o) => {
                o.push_str(&text[pos..range.end]);
                Cow::Owned(o)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_decode_only_to_plain_characters() {
        assert!(plain_enough("©"));
        assert!(plain_enough("\u{a0}"));
        assert!(!plain_enough("<"));
        assert!(!plain_enough("*"));
        assert!(!plain_enough("\u{1b}"));
        assert!(reads_as_entity("copy; x"));
        assert!(reads_as_entity("#169;"));
        assert!(!reads_as_entity("T and"));
    }

    #[test]
    fn targets_survive_spaces_parentheses_and_quotes() {
        assert_eq!(
            inline_target("https://a.example/x", ""),
            "(https://a.example/x)"
        );
        assert_eq!(
            inline_target("https://a.example/x(1)", "Say \"hi\""),
            "(<https://a.example/x(1)> \"Say \\\"hi\\\"\")"
        );
        assert_eq!(
            inline_target("https://a.example/x\\", "t\\"),
            "(https://a.example/x\\\\ \"t\\\\\")"
        );
    }
}
