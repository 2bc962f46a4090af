//! Markdown → [`Checklist`]. Pure: takes text, returns the tree and warnings.
//!
//! The walk over pulldown-cmark's events uses explicit stacks, never recursion,
//! so hostile nesting depth cannot overflow the stack. Shapes (DESIGN §2):
//! headings are sections; task lists, bullets and table rows are items. When a
//! document uses task boxes anywhere, only boxed entries are items and plain
//! bullets are prose (notes under an item, or the section's description) —
//! that is how people write such files: boxes to tick, bullets to explain.
//! Tables are read by their headers (`table.rs`, `markdown/tables.rs`);
//! `**Key:** value` lists and sign-off blocks describe the checklist rather
//! than add to it (`metadata.rs`, `markdown/facts.rs`). The rules, one by
//! one: docs/ARCHITECTURE.md, "Import rules".

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

mod facts;
mod tables;

use super::key;
use super::rewrite::{by_reference, Edits};
use crate::model::{
    build_forest, Checklist, Field, FromSource, Item, Section, Status, Warning, WarningKind,
};

pub struct Parsed {
    pub checklist: Checklist,
    pub warnings: Vec<Warning>,
}

/// Parse checklist markdown. `fallback_title` is used when the document has
/// no single top-level heading and no `title:` in its front matter.
pub fn parse(text: &str, fallback_title: &str) -> Parsed {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_YAML_STYLE_METADATA_BLOCKS);
    // Roughly one event per 6 bytes of checklist markdown; reserving up front
    // saves the copies of a growing vector on large files.
    let mut events: Vec<(Event<'_>, Range<usize>)> = Vec::with_capacity(text.len() / 6 + 16);
    events.extend(Parser::new_ext(text, opts).into_offset_iter());
    let shape = Shape::scan(text, &events);
    let mut builder = Builder::new(text, &events, &shape);
    builder.run();
    builder.finish(fallback_title)
}

/// Facts about subtrees, computed in one pass so the main walk can decide what
/// a list or list item is without looking ahead event by event.
#[derive(Clone, Copy, Default)]
struct Flags {
    has_task: bool,
    own_task: Option<bool>,
    text_outside_anchor: bool,
    anchors: u32,
}

struct Shape {
    end_of: Vec<usize>,
    flags: Vec<Flags>,
    any_task: bool,
    /// List entries and table rows: how many items there can be at most.
    entries: usize,
    title_heading: Option<usize>,
    /// Reference links made inline and entities decoded, for every piece of
    /// source the importer keeps (see `rewrite.rs`).
    edits: Edits,
}

impl Shape {
    fn scan(text: &str, events: &[(Event<'_>, Range<usize>)]) -> Shape {
        let n = events.len();
        let mut end_of: Vec<usize> = (0..n).collect();
        let mut flags = vec![Flags::default(); n];
        let mut stack: Vec<usize> = Vec::new();
        let mut links: Vec<bool> = Vec::new();
        let mut any_task = false;
        let mut entries = 0;
        let mut h1 = 0usize;
        let mut first_heading: Option<(usize, HeadingLevel)> = None;
        let mut edits = Edits::default();
        // Open links and images, innermost last: true for a reference link;
        // and how many of them are reference links.
        let mut refs: Vec<bool> = Vec::new();
        let mut open_refs = 0usize;
        for (i, (event, range)) in events.iter().enumerate() {
            if open_refs > 0 && !matches!(event, Event::End(TagEnd::Link | TagEnd::Image)) {
                edits.inside(range);
            }
            match event {
                Event::Start(tag) => {
                    if matches!(tag, Tag::Item | Tag::TableRow) {
                        entries += 1;
                    }
                    match tag {
                        Tag::Link {
                            dest_url,
                            link_type,
                            title,
                            ..
                        } => {
                            let anchor = dest_url.starts_with('#');
                            links.push(anchor);
                            if anchor {
                                flags[i].anchors += 1;
                            }
                            let by_ref = by_reference(*link_type);
                            if by_ref {
                                edits.open_ref(range.clone(), dest_url, title, *link_type);
                                open_refs += 1;
                            }
                            refs.push(by_ref);
                        }
                        // Images stay as written: Signet shows none (their
                        // alt text stands in), and inlining their targets
                        // would put remote image URLs into every export.
                        Tag::Image { .. } => refs.push(false),
                        Tag::Heading { level, .. } => {
                            if *level == HeadingLevel::H1 {
                                h1 += 1;
                            }
                            first_heading.get_or_insert((i, *level));
                        }
                        _ => {}
                    }
                    stack.push(i);
                }
                Event::End(tag) => {
                    if matches!(tag, TagEnd::Link) {
                        links.pop();
                    }
                    if matches!(tag, TagEnd::Link | TagEnd::Image) && refs.pop() == Some(true) {
                        edits.close_ref(text);
                        open_refs -= 1;
                    }
                    if let Some(j) = stack.pop() {
                        end_of[j] = i;
                        if let Some(&parent) = stack.last() {
                            let child = flags[j];
                            let p = &mut flags[parent];
                            p.has_task |= child.has_task;
                            p.text_outside_anchor |= child.text_outside_anchor;
                            p.anchors += child.anchors;
                        }
                    }
                }
                Event::TaskListMarker(checked) => {
                    any_task = true;
                    if let Some(&item) = stack
                        .iter()
                        .rev()
                        .find(|&&j| matches!(events[j].0, Event::Start(Tag::Item)))
                    {
                        flags[item].own_task = Some(*checked);
                        flags[item].has_task = true;
                    }
                }
                Event::Text(t) | Event::Code(t) => {
                    // An entity's source starts with `&`; checking that byte
                    // first keeps the common case to one comparison.
                    if text.as_bytes().get(range.start) == Some(&b'&')
                        && matches!(event, Event::Text(_))
                    {
                        edits.text(text, range, t);
                    }
                    let in_anchor = links.iter().any(|&a| a);
                    if !in_anchor && !t.trim().is_empty() {
                        if let Some(&top) = stack.last() {
                            flags[top].text_outside_anchor = true;
                        }
                    }
                }
                _ => {}
            }
        }
        let title_heading = match first_heading {
            Some((i, HeadingLevel::H1)) if h1 == 1 => Some(i),
            _ => None,
        };
        edits.finish();
        Shape {
            end_of,
            flags,
            any_task,
            entries,
            title_heading,
            edits,
        }
    }
}

/// Collects the inline content of a title or table cell: its markdown source
/// (without inline HTML) and its plain text. `<details><summary>X</summary>…`
/// cells yield X as the text and the rest as detail.
#[derive(Default)]
struct Inline {
    span: Option<Range<usize>>,
    html: Vec<(Range<usize>, bool)>,
    plain: String,
    summary_plain: String,
    in_summary: bool,
    has_summary: bool,
    ignored_html: Vec<String>,
    /// Only for table cells; titles of list entries skip this work and
    /// stay small (they are moved around in frames).
    cell: Option<Box<Cell>>,
}

/// What a table cell tracks beyond its text: bold (a group row's cells are
/// bold only) and links (an Evidence cell gives its links).
#[derive(Default)]
struct Cell {
    /// Nesting of bold; text outside any bold.
    strong: u32,
    loose_text: bool,
    /// Link targets, and the spans of `plain` that are link text.
    targets: Vec<String>,
    link_text: Vec<Range<usize>>,
}

impl Inline {
    fn cell() -> Inline {
        Inline {
            cell: Some(Box::default()),
            ..Inline::default()
        }
    }

    fn add(&mut self, event: &Event<'_>, range: &Range<usize>) {
        if let Some(cell) = self.cell.as_deref_mut() {
            cell.add(event, self.plain.len());
        }
        match &mut self.span {
            Some(span) => {
                span.start = span.start.min(range.start);
                span.end = span.end.max(range.end);
            }
            None => self.span = Some(range.clone()),
        }
        match event {
            Event::Text(t) | Event::Code(t) => {
                if self.in_summary {
                    self.summary_plain.push_str(t);
                } else {
                    self.plain.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => self.plain.push(' '),
            Event::InlineHtml(h) | Event::Html(h) => {
                let tag = h.trim().to_ascii_lowercase();
                if tag.starts_with("<summary") {
                    self.in_summary = true;
                    self.has_summary = true;
                } else if tag.starts_with("</summary") {
                    self.in_summary = false;
                } else if !tag.starts_with("<br") && !tag.starts_with("<!--") {
                    self.ignored_html.push(tag);
                }
                self.html.push((range.clone(), self.in_summary));
            }
            _ => {}
        }
    }

    fn is_empty(&self) -> bool {
        self.span.is_none()
    }

    /// Text, all of it bold: `**Information Gathering**`.
    fn is_bold(&self) -> bool {
        self.cell.as_ref().is_some_and(|c| !c.loose_text) && !self.plain.trim().is_empty()
    }

    /// Link targets of a table cell.
    fn targets(&self) -> &[String] {
        self.cell.as_ref().map_or(&[], |c| &c.targets)
    }

    /// The plain text that is not link text.
    fn outside_links(&self) -> String {
        let mut out = String::new();
        let mut pos = 0;
        let spans = self.cell.as_ref().map_or(&[][..], |c| &c.link_text);
        for r in spans {
            out.push_str(self.plain.get(pos..r.start).unwrap_or_default());
            out.push(' ');
            pos = r.end;
        }
        out.push_str(self.plain.get(pos..).unwrap_or_default());
        out
    }

    /// [`Inline::finish`] for an inline used up by it (a title, not a
    /// table cell): most titles are one piece of source without HTML, and
    /// their plain text is moved out rather than copied.
    fn take(&mut self, text: &str, edits: &Edits) -> (String, String, String) {
        match &self.span {
            Some(span) if self.html.is_empty() => (
                collapse(&edits.slice(text, span.clone())),
                collapse_owned(std::mem::take(&mut self.plain)),
                String::new(),
            ),
            _ => self.finish(text, edits),
        }
    }

    /// (title source, title plain text, detail source)
    fn finish(&self, text: &str, edits: &Edits) -> (String, String, String) {
        let Some(span) = &self.span else {
            return Default::default();
        };
        let mut title = String::new();
        let mut detail = String::new();
        let mut pos = span.start;
        let mut inside = false;
        for (range, now_inside) in &self.html {
            if range.start > pos {
                let piece = edits.slice(text, pos..range.start);
                if inside || !self.has_summary {
                    title.push_str(&piece);
                } else {
                    detail.push_str(&piece);
                }
            }
            pos = pos.max(range.end);
            inside = *now_inside;
        }
        if span.end > pos {
            let piece = edits.slice(text, pos..span.end);
            if inside || !self.has_summary {
                title.push_str(&piece);
            } else {
                detail.push_str(&piece);
            }
        }
        let plain = if self.has_summary {
            &self.summary_plain
        } else {
            &self.plain
        };
        (collapse(&title), collapse(plain), collapse(&detail))
    }
}

impl Cell {
    /// `at`: the length of the cell's plain text before this event.
    fn add(&mut self, event: &Event<'_>, at: usize) {
        match event {
            Event::Text(t) | Event::Code(t)
                if !self.loose_text && self.strong == 0 && !t.trim().is_empty() =>
            {
                self.loose_text = true;
            }
            Event::Start(Tag::Strong) => self.strong += 1,
            Event::End(TagEnd::Strong) => self.strong = self.strong.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.targets.push(dest_url.to_string());
                self.link_text.push(at..at);
            }
            Event::End(TagEnd::Link) => {
                if let Some(last) = self.link_text.last_mut() {
                    last.end = at;
                }
            }
            _ => {}
        }
    }
}

/// Already collapsed: ASCII with single spaces only.
fn tidy(t: &str) -> bool {
    let b = t.as_bytes();
    t.is_ascii()
        && !b.iter().any(|&c| c != b' ' && c.is_ascii_whitespace())
        && !b.windows(2).any(|w| w == b"  ")
}

/// [`collapse`] keeping the string when it is already collapsed.
fn collapse_owned(s: String) -> String {
    if s.trim().len() == s.len() && tidy(&s) {
        s
    } else {
        collapse(&s)
    }
}

/// Whitespace runs (line breaks included) become one space; ends trimmed.
fn collapse(s: &str) -> String {
    let t = s.trim();
    if tidy(t) {
        return t.to_string();
    }
    let mut out = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Child {
    Item(usize),
    Section(usize),
}

struct SecB {
    title: String,
    plain: String,
    description: String,
    line: usize,
    children: Vec<Child>,
}

struct ItemB {
    title: String,
    plain: String,
    detail: String,
    fields: Vec<Field>,
    start: Status,
    from_source: Option<Box<FromSource>>,
    line: usize,
    children: Vec<usize>,
    dropped: bool,
}

enum Frame {
    /// A list entry that is a checklist item.
    Item { idx: usize, title: Option<Inline> },
    /// A plain entry whose sub-list holds task items: a sub-section.
    Group {
        sec: usize,
        outer: Option<usize>,
        title: Option<Inline>,
    },
    /// A plain entry inside an item that wraps further task items: its own
    /// text becomes the item's detail, its tasks the item's children.
    Transparent { title: Option<Inline> },
}

struct Builder<'a> {
    text: &'a str,
    events: &'a [(Event<'a>, Range<usize>)],
    shape: &'a Shape,
    lines: Vec<usize>,
    title: Option<String>,
    metadata: Vec<(String, String)>,
    approver_roles: Vec<String>,
    description: String,
    sections: Vec<SecB>,
    top: Vec<usize>,
    section_zero: Option<usize>,
    heading_stack: Vec<(HeadingLevel, usize)>,
    current: Option<usize>,
    /// The group a table's group row (`| **Phase 1** | | |`) opened: its
    /// rows below go there, until the table ends.
    table_group: Option<usize>,
    /// A numbered one-line group (`1. Secret hygiene` over a bullet list):
    /// the last event of its bullet list and the section to return to.
    list_group: Option<(usize, Option<usize>)>,
    items: Vec<ItemB>,
    frames: Vec<Frame>,
    warnings: Vec<Warning>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, events: &'a [(Event<'a>, Range<usize>)], shape: &'a Shape) -> Self {
        let mut lines = vec![0];
        lines.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Builder {
            text,
            events,
            shape,
            lines,
            title: None,
            metadata: Vec::new(),
            approver_roles: Vec::new(),
            description: String::new(),
            sections: Vec::new(),
            top: Vec::new(),
            section_zero: None,
            heading_stack: Vec::new(),
            current: None,
            items: Vec::with_capacity(shape.entries),
            table_group: None,
            list_group: None,
            frames: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.lines.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    fn warn(&mut self, offset: usize, kind: WarningKind, message: String) {
        let line = self.line_of(offset);
        self.warnings.push(Warning {
            line,
            kind,
            message,
        });
    }

    fn open_title(&mut self) -> Option<&mut Inline> {
        match self.frames.last_mut()? {
            Frame::Item { title, .. }
            | Frame::Group { title, .. }
            | Frame::Transparent { title } => title.as_mut(),
        }
    }

    fn run(&mut self) {
        let events = self.events;
        let mut i = 0;
        while i < events.len() {
            if let Some((until, outer)) = self.list_group {
                if i > until {
                    self.current = outer;
                    self.list_group = None;
                }
            }
            let (event, range) = &events[i];
            if let Some(inline) = self.open_title() {
                let empty = inline.is_empty();
                match event {
                    Event::TaskListMarker(_) => {
                        i += 1;
                        continue;
                    }
                    Event::Start(Tag::Paragraph) | Event::Start(Tag::Heading { .. }) if empty => {
                        i += 1;
                        continue;
                    }
                    Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Heading(_)) => {
                        self.close_title();
                        i += 1;
                        continue;
                    }
                    e if is_inline(e) => {
                        inline.add(e, range);
                        i += 1;
                        continue;
                    }
                    _ => self.close_title(),
                }
            }
            let end = self.shape.end_of[i];
            match event {
                Event::Start(Tag::MetadataBlock(_)) => {
                    self.front_matter(i + 1, end);
                    i = end + 1;
                }
                Event::Start(Tag::Heading { level, .. }) if self.frames.is_empty() => {
                    self.heading(i, *level);
                    i = end + 1;
                }
                Event::Start(Tag::List(first)) => {
                    let flags = self.shape.flags[i];
                    let top = self.frames.is_empty();
                    // A numbered group heads the bullet list after it (which
                    // is walked next); facts and sign-off lines are consumed.
                    let consumed = top
                        && ((first.is_some() && self.numbered_group(i))
                            || (!flags.has_task
                                && (self.facts_list(i, end) || self.signoff_block(i, end))));
                    if consumed {
                        i = end + 1;
                    } else if flags.anchors > 0 && !flags.text_outside_anchor {
                        self.warn(
                            range.start,
                            WarningKind::TableOfContents,
                            "list of in-page links skipped as a table of contents".into(),
                        );
                        i = end + 1;
                    } else if self.shape.any_task && !flags.has_task {
                        self.prose(range.clone());
                        i = end + 1;
                    } else {
                        i += 1;
                    }
                }
                Event::Start(Tag::Item) => {
                    if self.list_item(i) {
                        i += 1;
                    } else {
                        self.prose(range.clone());
                        i = end + 1;
                    }
                }
                Event::End(TagEnd::Item) => {
                    self.end_item();
                    i += 1;
                }
                Event::Start(Tag::Table(_)) => {
                    self.table(i, end);
                    i = end + 1;
                }
                Event::Start(Tag::HtmlBlock) => {
                    self.html_block(i, end);
                    i = end + 1;
                }
                Event::Start(Tag::Paragraph)
                    if self.frames.is_empty() && self.signoff_block(i, end) =>
                {
                    i = end + 1;
                }
                Event::Start(_) => {
                    // Paragraphs, code, quotes, definition lists, headings inside
                    // list entries: prose for whoever owns it.
                    self.prose(range.clone());
                    i = end + 1;
                }
                Event::Html(_) | Event::InlineHtml(_) => {
                    self.html_block(i, i);
                    i += 1;
                }
                _ => i += 1,
            }
        }
        while !self.frames.is_empty() {
            self.end_item();
        }
    }

    fn close_title(&mut self) {
        let text = self.text;
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        let (taken, target) = match frame {
            Frame::Item { idx, title } => (title.take(), Target::Item(*idx)),
            Frame::Group { sec, title, .. } => (title.take(), Target::Section(*sec)),
            Frame::Transparent { title } => (title.take(), Target::Detail),
        };
        let Some(mut inline) = taken else { return };
        let (src, plain, detail) = inline.take(text, &self.shape.edits);
        let offset = inline.span.as_ref().map_or(0, |s| s.start);
        if !inline.ignored_html.is_empty() && !inline.has_summary {
            let tags = inline.ignored_html.join(" ");
            self.warn(
                offset,
                WarningKind::IgnoredHtml,
                format!("inline HTML ignored: {tags}"),
            );
        }
        match target {
            Target::Item(idx) => {
                let item = &mut self.items[idx];
                item.title = src;
                item.plain = plain;
                append(&mut item.detail, &detail);
            }
            Target::Section(sec) => {
                let s = &mut self.sections[sec];
                s.title = src;
                s.plain = plain;
                append(&mut s.description, &detail);
            }
            Target::Detail => {
                let joined = if detail.is_empty() {
                    src
                } else {
                    format!("{src} {detail}")
                };
                self.prose_text(&joined);
            }
        }
    }

    fn front_matter(&mut self, from: usize, to: usize) {
        let mut raw = String::new();
        for (event, _) in &self.events[from..to] {
            if let Event::Text(t) = event {
                raw.push_str(t);
            }
        }
        for line in raw.lines() {
            if line.starts_with([' ', '\t', '-', '#']) {
                continue;
            }
            if let Some((k, v)) = line.split_once(':') {
                let v = v.trim().trim_matches(['"', '\'']).to_string();
                if k.trim() == "approver_roles" {
                    // `approver_roles: QA lead, Security` names them outright.
                    for role in v.split(',') {
                        self.add_role(role);
                    }
                } else if !k.trim().is_empty() && !v.is_empty() {
                    self.metadata.push((k.trim().to_string(), v));
                }
            }
        }
    }

    fn heading(&mut self, i: usize, level: HeadingLevel) {
        let end = self.shape.end_of[i];
        let mut inline = Inline::default();
        for (event, range) in &self.events[i + 1..end] {
            if is_inline(event) {
                inline.add(event, range);
            }
        }
        let (src, plain, _) = inline.take(self.text, &self.shape.edits);
        if Some(i) == self.shape.title_heading {
            self.title = Some(plain);
            return;
        }
        let line = self.line_of(self.events[i].1.start);
        let sec = self.sections.len();
        self.sections.push(SecB {
            title: strip_numbering(&src).to_string(),
            plain: strip_numbering(&plain).to_string(),
            description: String::new(),
            line,
            children: Vec::new(),
        });
        while matches!(self.heading_stack.last(), Some((l, _)) if *l >= level) {
            self.heading_stack.pop();
        }
        match self.heading_stack.last() {
            Some(&(_, parent)) => self.sections[parent].children.push(Child::Section(sec)),
            None => self.top.push(sec),
        }
        self.heading_stack.push((level, sec));
        self.current = Some(sec);
    }

    /// The section new items go into, creating section 0 for items that come
    /// before any heading.
    fn section(&mut self) -> usize {
        if let Some(sec) = self.table_group {
            return sec;
        }
        if let Some(Frame::Group { sec, .. }) = self
            .frames
            .iter()
            .rev()
            .find(|f| matches!(f, Frame::Group { .. }))
        {
            return *sec;
        }
        if let Some(s) = self.current {
            return s;
        }
        let sec = self.sections.len();
        self.sections.push(SecB {
            title: "General".into(),
            plain: "General".into(),
            description: String::new(),
            line: 1,
            children: Vec::new(),
        });
        self.section_zero = Some(sec);
        self.current = Some(sec);
        sec
    }

    fn enclosing_item(&self) -> Option<usize> {
        self.frames.iter().rev().find_map(|f| match f {
            Frame::Item { idx, .. } => Some(*idx),
            _ => None,
        })
    }

    fn new_item(&mut self, line: usize, checked: bool) -> usize {
        let idx = self.items.len();
        self.items.push(ItemB {
            title: String::new(),
            plain: String::new(),
            detail: String::new(),
            fields: Vec::new(),
            start: if checked { Status::Done } else { Status::Open },
            from_source: None,
            line,
            children: Vec::new(),
            dropped: false,
        });
        match self.enclosing_item() {
            Some(parent) => self.items[parent].children.push(idx),
            None => {
                let sec = self.section();
                self.sections[sec].children.push(Child::Item(idx));
            }
        }
        idx
    }

    /// Opens a frame for a list entry; false when the entry is prose.
    fn list_item(&mut self, i: usize) -> bool {
        let flags = self.shape.flags[i];
        let line = self.line_of(self.events[i].1.start);
        let title = Some(Inline::default());
        if !self.shape.any_task || flags.own_task.is_some() {
            let idx = self.new_item(line, flags.own_task == Some(true));
            self.frames.push(Frame::Item { idx, title });
        } else if !flags.has_task {
            return false;
        } else if self.enclosing_item().is_some() {
            self.frames.push(Frame::Transparent { title });
        } else {
            let parent = self.section();
            let sec = self.sections.len();
            self.sections.push(SecB {
                title: String::new(),
                plain: String::new(),
                description: String::new(),
                line,
                children: Vec::new(),
            });
            self.sections[parent].children.push(Child::Section(sec));
            self.frames.push(Frame::Group {
                sec,
                outer: self.current,
                title,
            });
            self.current = Some(sec);
        }
        true
    }

    fn end_item(&mut self) {
        self.close_title();
        match self.frames.pop() {
            Some(Frame::Item { idx, .. })
                if self.items[idx].plain.is_empty() && self.items[idx].title.is_empty() =>
            {
                self.items[idx].dropped = true;
                let line = self.items[idx].line;
                self.warnings.push(Warning {
                    line,
                    kind: WarningKind::EmptyItem,
                    message: "empty checklist item skipped".into(),
                });
            }
            Some(Frame::Group { sec, outer, .. }) => {
                self.current = outer;
                let s = &mut self.sections[sec];
                if s.title.is_empty() {
                    s.title = "Untitled group".into();
                    s.plain = s.title.clone();
                }
                let stripped = strip_numbering(&s.title).to_string();
                s.title = stripped;
                s.plain = strip_numbering(&s.plain).to_string();
            }
            _ => {}
        }
    }

    fn prose(&mut self, range: Range<usize>) {
        let src = self.shape.edits.slice(self.text, range);
        self.prose_text(src.trim());
    }

    fn prose_text(&mut self, src: &str) {
        if src.is_empty() {
            return;
        }
        if let Some(idx) = self.enclosing_item() {
            append_block(&mut self.items[idx].detail, src);
        } else if let Some(Frame::Group { sec, .. }) = self.frames.last() {
            let sec = *sec;
            append_block(&mut self.sections[sec].description, src);
        } else if let Some(sec) = self.current {
            append_block(&mut self.sections[sec].description, src);
        } else {
            append_block(&mut self.description, src);
        }
    }

    fn html_block(&mut self, i: usize, end: usize) {
        let mut html = String::new();
        for (event, _) in &self.events[i..=end] {
            if let Event::Html(h) | Event::InlineHtml(h) = event {
                html.push_str(h);
            }
        }
        let trimmed = html.trim();
        let only_comments = trimmed.starts_with("<!--") && trimmed.ends_with("-->");
        if !only_comments && !trimmed.is_empty() {
            let first = trimmed
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(40)
                .collect::<String>();
            self.warn(
                self.events[i].1.start,
                WarningKind::IgnoredHtml,
                format!("HTML block ignored: {first}"),
            );
        }
    }

    /// `1. Secret hygiene` on its own, then a bullet list right under it: a
    /// sub-section holding those bullets, not an entry beside them.
    fn numbered_group(&mut self, i: usize) -> bool {
        let end = self.shape.end_of[i];
        let entry = i + 1;
        let bullets = end + 1;
        if !matches!(
            self.events.get(bullets),
            Some((Event::Start(Tag::List(None)), _))
        ) || !matches!(self.events.get(entry), Some((Event::Start(Tag::Item), _)))
            || self.shape.end_of[entry] + 1 != end
        {
            return false;
        }
        let b = self.shape.flags[bullets];
        if (self.shape.any_task && !b.has_task) || (b.anchors > 0 && !b.text_outside_anchor) {
            return false;
        }
        let mut inline = Inline::default();
        for (event, range) in &self.events[entry + 1..end - 1] {
            match event {
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
                Event::SoftBreak | Event::HardBreak => return false,
                e if is_inline(e) => inline.add(e, range),
                _ => return false,
            }
        }
        if inline.is_empty() {
            return false;
        }
        let (title, plain, _) = inline.take(self.text, &self.shape.edits);
        let parent = self.section();
        let sec = self.sections.len();
        self.sections.push(SecB {
            title,
            plain,
            description: String::new(),
            line: self.line_of(self.events[i].1.start),
            children: Vec::new(),
        });
        self.sections[parent].children.push(Child::Section(sec));
        self.list_group = Some((self.shape.end_of[bullets], self.current));
        self.current = Some(sec);
        true
    }

    fn finish(self, fallback_title: &str) -> Parsed {
        let mut warnings = self.warnings;
        warnings.sort_by_key(|w| w.line);
        let meta_title = self
            .metadata
            .iter()
            .find(|(k, _)| k == "title")
            .map(|(_, v)| v.clone());
        let title = self
            .title
            .filter(|t| !t.is_empty())
            .or(meta_title)
            .unwrap_or_else(|| fallback_title.to_string());
        let mut out = Finisher {
            sections: self.sections,
            items: self.items,
            used: HashSet::new(),
            norm: String::new(),
        };
        let mut sections = Vec::new();
        if let Some(zero) = self.section_zero {
            sections.push(out.section(zero, "0".into(), ""));
        }
        for (n, &sec) in self.top.iter().enumerate() {
            sections.push(out.section(sec, (n + 1).to_string(), ""));
        }
        Parsed {
            checklist: Checklist {
                title,
                metadata: self
                    .metadata
                    .into_iter()
                    .map(|(name, value)| Field { name, value })
                    .collect(),
                approver_roles: self.approver_roles,
                description: self.description,
                sections,
            },
            warnings,
        }
    }
}

enum Target {
    Item(usize),
    Section(usize),
    Detail,
}

/// Turns the flat builders into the numbered, keyed tree. Uses an explicit
/// work list so deep nesting does not recurse.
struct Finisher {
    sections: Vec<SecB>,
    items: Vec<ItemB>,
    used: HashSet<u64>,
    /// The normalised text of the item being keyed.
    norm: String,
}

impl Finisher {
    fn unique_key(&mut self, parts: &[&str]) -> String {
        let mut k = key::derive_raw(parts);
        let mut n = 2;
        while !self.used.insert(k) {
            let extra = n.to_string();
            let mut with: Vec<&str> = parts.to_vec();
            with.push(&extra);
            k = key::derive_raw(&with);
            n += 1;
        }
        key::encode(k)
    }

    fn section(&mut self, root: usize, number: String, parent_key: &str) -> Section {
        // Build sections depth-first with an explicit stack of (builder index,
        // number, parent key, slot path) and attach children afterwards.
        let mut built: Vec<(Section, Option<usize>)> = Vec::new();
        let mut stack = vec![(root, number, parent_key.to_string(), None::<usize>)];
        while let Some((idx, number, pkey, parent_slot)) = stack.pop() {
            let norm = key::normalise(&self.sections[idx].plain);
            let skey = self.unique_key(&["s", &pkey, &norm]);
            let b = &mut self.sections[idx];
            let mut section = Section {
                key: skey.clone(),
                number: number.clone(),
                title: std::mem::take(&mut b.title),
                plain: std::mem::take(&mut b.plain),
                description: std::mem::take(&mut b.description),
                line: b.line,
                items: Vec::new(),
                sections: Vec::new(),
            };
            let mut n = 0;
            let mut subs = Vec::new();
            let children = std::mem::take(&mut b.children);
            // Items are large: one allocation, not a doubling vector's copies.
            section.items.reserve_exact(children.len());
            for child in &children {
                match *child {
                    Child::Item(i) if !self.items[i].dropped => {
                        n += 1;
                        let item = self.item(i, format!("{number}.{n}"), &skey);
                        section.items.push(item);
                    }
                    Child::Item(_) => {}
                    Child::Section(s) => {
                        n += 1;
                        subs.push((s, format!("{number}.{n}")));
                    }
                }
            }
            let slot = built.len();
            built.push((section, parent_slot));
            for (s, num) in subs.into_iter().rev() {
                stack.push((s, num, skey.clone(), Some(slot)));
            }
        }
        build_forest(built, |s| &mut s.sections)
            .pop()
            .unwrap_or_default()
    }

    fn item(&mut self, root: usize, number: String, section_key: &str) -> Item {
        // Most items have no sub-items: no stack, no forest to build.
        if self.items[root]
            .children
            .iter()
            .all(|&c| self.items[c].dropped)
        {
            let ikey = self.item_key(root, section_key);
            return self.take_item(root, ikey, number);
        }
        let mut built: Vec<(Item, Option<usize>)> = Vec::new();
        let mut stack = vec![(root, number, section_key.to_string(), None::<usize>)];
        while let Some((idx, number, pkey, parent_slot)) = stack.pop() {
            let ikey = self.item_key(idx, &pkey);
            let children = std::mem::take(&mut self.items[idx].children);
            let kids: Vec<usize> = children
                .into_iter()
                .filter(|&c| !self.items[c].dropped)
                .collect();
            let slot = built.len();
            for (n, c) in kids.into_iter().enumerate().rev() {
                stack.push((c, format!("{number}.{}", n + 1), ikey.clone(), Some(slot)));
            }
            built.push((self.take_item(idx, ikey, number), parent_slot));
        }
        build_forest(built, |i| &mut i.items)
            .pop()
            .unwrap_or_default()
    }

    fn item_key(&mut self, idx: usize, parent_key: &str) -> String {
        // Nearly every key is free: hashed straight from the item's text.
        let k = key::derive_normalised_raw(&["i", parent_key], &self.items[idx].plain);
        if self.used.insert(k) {
            return key::encode(k);
        }
        let mut norm = std::mem::take(&mut self.norm);
        key::normalise_into(&mut norm, &self.items[idx].plain);
        let k = self.unique_key(&["i", parent_key, &norm]);
        self.norm = norm;
        k
    }

    /// The item as the checklist holds it, without its sub-items.
    fn take_item(&mut self, idx: usize, key: String, number: String) -> Item {
        let b = &mut self.items[idx];
        Item {
            key,
            number,
            title: std::mem::take(&mut b.title),
            plain: std::mem::take(&mut b.plain),
            detail: std::mem::take(&mut b.detail),
            fields: std::mem::take(&mut b.fields),
            start: b.start,
            from_source: b.from_source.take(),
            line: b.line,
            items: Vec::new(),
        }
    }
}

fn is_inline(event: &Event<'_>) -> bool {
    match event {
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineHtml(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::FootnoteReference(_)
        | Event::InlineMath(_) => true,
        Event::Start(tag) => matches!(
            tag,
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
        ),
        Event::End(tag) => matches!(
            tag,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
        ),
        _ => false,
    }
}

/// Checkbox-like first table cells: `☐ ☑ ☒ [ ] [x]`.
fn ballot_box(plain: &str) -> Option<bool> {
    match plain.trim() {
        "☐" | "[ ]" | "[]" => Some(false),
        "☑" | "☒" | "✅" | "✔" | "✓" | "[x]" | "[X]" => Some(true),
        _ => None,
    }
}

/// `1) Environments`, `3. Data`, `1.2 Scope` → the text after the number.
pub(crate) fn strip_numbering(title: &str) -> &str {
    let t = title.trim();
    let digits_end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    if digits_end == 0 || !t.as_bytes()[0].is_ascii_digit() {
        return t;
    }
    let rest = &t[digits_end..];
    let rest = rest.strip_prefix(')').unwrap_or(rest);
    if rest.starts_with(char::is_whitespace) && !rest.trim().is_empty() {
        rest.trim_start()
    } else {
        t
    }
}

fn append(target: &mut String, text: &str) {
    if !text.is_empty() {
        append_block(target, text);
    }
}

fn append_block(target: &mut String, text: &str) {
    if !target.is_empty() {
        target.push_str("\n\n");
    }
    target.push_str(text);
}

fn dedupe(v: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    v.iter()
        .filter(|s| seen.insert(s.as_str()))
        .cloned()
        .collect()
}
