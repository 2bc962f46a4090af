//! Item and section markdown → sanitised HTML for the desktop UI. The
//! markdown comes from files other people wrote: it is hostile. Rendering
//! goes through ammonia with an allow-list of formatting tags, links limited
//! to http(s)/mailto, no images (no requests leave the machine), and no raw HTML.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{html, Event, Options, Parser};

use crate::model::{ItemView, ReleaseView, SectionView};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.add_tags([
        "p",
        "em",
        "strong",
        "del",
        "code",
        "pre",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
        "br",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "input",
    ])
    .url_schemes(HashSet::from(["http", "https", "mailto"]))
    .link_rel(Some("noopener noreferrer"))
    .add_tag_attributes("a", ["href", "title"])
    .add_tag_attributes("input", ["type", "checked", "disabled"])
    .url_relative(ammonia::UrlRelative::Deny);
    b
});

fn to_html(src: &str, inline: bool) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    // Raw HTML in the source is shown as text, never passed through.
    let events = Parser::new_ext(src, opts).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        other => other,
    });
    let mut out = String::with_capacity(src.len() * 2);
    html::push_html(&mut out, events);
    let clean = CLEANER.clean(&out).to_string();
    if inline {
        // A one-line title renders as a single paragraph; drop its wrapper.
        let t = clean.trim();
        if let Some(inner) = t.strip_prefix("<p>").and_then(|r| r.strip_suffix("</p>")) {
            if !inner.contains("<p>") {
                return inner.to_string();
            }
        }
        return t.to_string();
    }
    clean
}

/// Sanitised HTML for one line of item markdown.
pub fn inline_html(src: &str) -> String {
    to_html(src, true)
}

/// Sanitised HTML for a block of markdown (descriptions, details).
pub fn block_html(src: &str) -> String {
    to_html(src, false)
}

fn decorate_item(item: &mut ItemView) {
    let mut stack: Vec<&mut ItemView> = vec![item];
    while let Some(i) = stack.pop() {
        i.title_html = Some(inline_html(&i.title));
        if !i.detail.is_empty() {
            i.detail_html = Some(block_html(&i.detail));
        }
        stack.extend(i.items.iter_mut());
    }
}

fn decorate_section(section: &mut SectionView) {
    let mut stack: Vec<&mut SectionView> = vec![section];
    while let Some(s) = stack.pop() {
        s.title_html = Some(inline_html(&s.title));
        if !s.description.is_empty() {
            s.description_html = Some(block_html(&s.description));
        }
        for item in s.items.iter_mut() {
            decorate_item(item);
        }
        stack.extend(s.sections.iter_mut());
    }
}

/// Fills the `*_html` fields the desktop UI displays.
pub fn decorate(view: &mut ReleaseView) {
    for run in view.runs.iter_mut() {
        for s in run.sections.iter_mut() {
            decorate_section(s);
        }
    }
}

/// Same for a single item (the answer to a tick).
pub fn decorate_one(item: &mut ItemView) {
    decorate_item(item);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_survives_and_scripts_do_not() {
        assert_eq!(
            inline_html("Comms plan **approved** with `code`"),
            "Comms plan <strong>approved</strong> with <code>code</code>"
        );
        let evil = inline_html("click [me](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=alert(3)>");
        assert!(!evil.contains("javascript:"), "{evil}");
        assert!(!evil.contains("<script"), "{evil}");
        assert!(!evil.contains("<img"), "{evil}");
        assert!(
            evil.contains("&lt;script&gt;"),
            "raw HTML shows as text: {evil}"
        );
        let link = inline_html("see [docs](https://example.com/a?b=1)");
        assert_eq!(
            link,
            "see <a href=\"https://example.com/a?b=1\" rel=\"noopener noreferrer\">docs</a>"
        );
        assert!(!inline_html("![x](https://tracker.example/pixel.png)").contains("<img"));
        assert!(!inline_html("[rel](/etc/passwd)").contains("href"));
    }
}
