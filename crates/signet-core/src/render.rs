//! Item and section markdown → sanitised HTML for the desktop UI. The
//! markdown comes from files other people wrote: it is hostile. Rendering
//! goes through ammonia with an allow-list of formatting tags, links limited
//! to http(s)/mailto, no images (no requests leave the machine), and no raw HTML.
//! Titles without any markdown or HTML syntax (most of them) skip the parser
//! and the sanitiser: escaping the text is all they need, and a 10k-item
//! release renders in a fraction of the time.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

use crate::model::{is_safe_link, ItemView, ReleaseView, SectionView};

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
    // Each block takes the direction of its own text (first strong
    // character), so a Persian paragraph reads right to left beside an
    // English one; code carries its own so the block's guess skips it.
    // Set by us: a `dir` in the source is dropped with the rest.
    for tag in [
        "code",
        "p",
        "li",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "td",
        "th",
    ] {
        b.set_tag_attribute_value(tag, "dir", "auto");
    }
    b
});

/// One-line titles: safe by construction, without the (costly) sanitiser
/// pass. Raw HTML becomes text, images become their alt text, links with
/// other schemes lose their link, and pulldown-cmark escapes all text and
/// attributes it writes.
fn inline_safe(src: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let mut links: Vec<bool> = Vec::new();
    let events = Parser::new_ext(src, opts).flat_map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => vec![Event::Text(h)],
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => vec![],
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            let keep = is_safe_link(dest_url);
            links.push(keep);
            if keep {
                vec![e]
            } else {
                vec![]
            }
        }
        Event::End(TagEnd::Link) => {
            if links.pop().unwrap_or(false) {
                vec![e]
            } else {
                vec![]
            }
        }
        // A code span is left-to-right code inside any sentence: it takes
        // its own direction, and a title's `dir="auto"` looks past it (so
        // "`npm ci` را اجرا کنید" reads as the Persian it is). Only this
        // fixed tag is written raw; the code itself stays escaped text.
        Event::Code(code) => vec![
            Event::InlineHtml(r#"<code dir="auto">"#.into()),
            Event::Text(code),
            Event::InlineHtml("</code>".into()),
        ],
        other => vec![other],
    });
    let mut out = String::with_capacity(src.len() * 2);
    html::push_html(&mut out, events);
    let t = out.trim();
    match t.strip_prefix("<p>").and_then(|r| r.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => t.to_string(),
    }
}

fn to_html(src: &str) -> String {
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
    CLEANER.clean(&out).to_string()
}

/// Characters that can start markdown, HTML or an entity; text without them
/// renders as itself.
fn is_plain(src: &str) -> bool {
    !src.contains([
        '*', '_', '`', '[', ']', '<', '>', '&', '!', '~', '\\', '#', '|', ':',
    ]) && !src
        .trim_start()
        .starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '=')
}

pub(crate) fn escape(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + 8);
    for c in src.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Sanitised HTML for one line of item markdown.
pub fn inline_html(src: &str) -> String {
    if is_plain(src) {
        return escape(src.trim());
    }
    inline_safe(src)
}

/// Sanitised HTML for a block of markdown (descriptions, details).
pub fn block_html(src: &str) -> String {
    to_html(src)
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

/// Same for a template read in the library.
pub fn decorate_outline(outline: &mut crate::store::TemplateOutline) {
    if !outline.description.is_empty() {
        outline.description_html = Some(block_html(&outline.description));
    }
    for s in outline.sections.iter_mut() {
        s.title_html = Some(inline_html(&s.title));
        if !s.description.is_empty() {
            s.description_html = Some(block_html(&s.description));
        }
        for i in s.items.iter_mut() {
            i.title_html = Some(inline_html(&i.title));
            if !i.detail.is_empty() {
                i.detail_html = Some(block_html(&i.detail));
            }
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
    fn plain_titles_take_the_fast_path_and_stay_escaped() {
        assert_eq!(
            inline_html("Backups restore within an hour"),
            "Backups restore within an hour"
        );
        assert_eq!(
            inline_html("Say \"hi\" to O'Brien"),
            "Say &quot;hi&quot; to O&#39;Brien"
        );
        // Anything that could be markup goes through the parser and sanitiser.
        assert_eq!(inline_html("a <b>c</b>"), "a &lt;b&gt;c&lt;/b&gt;");
    }

    #[test]
    fn formatting_survives_and_scripts_do_not() {
        assert_eq!(
            inline_html("Comms plan **approved** with `code`"),
            "Comms plan <strong>approved</strong> with <code dir=\"auto\">code</code>"
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
        // The UI opens links in the system browser; they never navigate the webview.
        assert_eq!(link, "see <a href=\"https://example.com/a?b=1\">docs</a>");
        let block = block_html("para with <script>x</script> and [bad](javascript:x)");
        assert!(
            !block.contains("<script") && !block.contains("javascript:"),
            "{block}"
        );
        assert!(!inline_html("![x](https://tracker.example/pixel.png)").contains("<img"));
        assert!(!inline_html("[rel](/etc/passwd)").contains("href"));
    }

    #[test]
    fn blocks_take_the_direction_of_their_own_text() {
        let html =
            block_html("پشتیبان `pg_dump` روزانه\n\n- English item\n- <p dir=\"ltr\">forced</p>");
        assert!(
            html.starts_with("<p dir=\"auto\">پشتیبان <code dir=\"auto\">pg_dump</code>"),
            "{html}"
        );
        assert!(
            html.contains("<li dir=\"auto\">English item</li>"),
            "{html}"
        );
        // A direction written in the source is text, never an attribute.
        assert!(html.contains("&lt;p dir=\"ltr\"&gt;forced"), "{html}");
        assert_eq!(html.matches("dir=").count(), 5, "{html}");
        // Titles too: code keeps its own direction, its text stays escaped.
        assert_eq!(
            inline_html("`npm ci <x>` را اجرا کنید"),
            "<code dir=\"auto\">npm ci &lt;x&gt;</code> را اجرا کنید"
        );
    }
}
