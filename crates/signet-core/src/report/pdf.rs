//! PDF with pdf-writer: no browser, no fonts to ship. Text uses the PDF
//! standard fonts (Helvetica, Courier) in WinAnsi encoding, so characters
//! outside Western European scripts print as `?` — the embedded seal and
//! the other formats keep the exact text. Layout is ours: wrapped lines,
//! items never split across pages, running header and page numbers.
//!
//! A signed PDF carries its seal as an uncompressed attachment
//! (`signet-seal.json`, written last so `signet verify` finds it), plus
//! `payload.json` and one `.minisig` per approver for `pdfdetach` + `minisign`.

use pdf_writer::types::{ActionType, AnnotationType, BorderType};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::model::{ItemReport, Report};
use super::text::{
    audit_lines, chart_rows, fact_value, item_tags, progress_line, roles_line, short_digest,
    status_text,
};
use crate::error::{Error, Result};
use crate::model::{is_safe_link, Status};
use crate::seal::Seal;

pub use super::paper::Paper;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
    Mono,
}

impl Font {
    fn name(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
            Font::Mono => Name(b"F3"),
        }
    }
}

// Advance widths (1/1000 em) of Helvetica and Helvetica-Bold for ASCII 32–126,
// from Adobe's AFM files for the standard fonts.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

fn glyph_width(font: Font, b: u8) -> u16 {
    match font {
        Font::Mono => 600,
        Font::Regular | Font::Bold => {
            let table = if font == Font::Bold {
                &HELVETICA_BOLD
            } else {
                &HELVETICA
            };
            match b {
                32..=126 => table[(b - 32) as usize],
                // Accented letters are about as wide as their base letter.
                _ => 556,
            }
        }
    }
}

fn text_width(font: Font, size: f32, text: &[u8]) -> f32 {
    text.iter()
        .map(|&b| glyph_width(font, b) as f32)
        .sum::<f32>()
        * size
        / 1000.0
}

/// Windows-1252 (PDF WinAnsiEncoding) bytes; `?` for what it cannot show.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c as u32 {
            0x20..=0x7e | 0xa0..=0xff => c as u8,
            _ => match c {
                '€' => 0x80,
                '‚' => 0x82,
                'ƒ' => 0x83,
                '„' => 0x84,
                '…' => 0x85,
                '†' => 0x86,
                '‡' => 0x87,
                'ˆ' => 0x88,
                '‰' => 0x89,
                'Š' => 0x8a,
                '‹' => 0x8b,
                'Œ' => 0x8c,
                'Ž' => 0x8e,
                '‘' => 0x91,
                '’' => 0x92,
                '“' => 0x93,
                '”' => 0x94,
                '•' => 0x95,
                '–' => 0x96,
                '—' => 0x97,
                '˜' => 0x98,
                '™' => 0x99,
                'š' => 0x9a,
                '›' => 0x9b,
                'œ' => 0x9c,
                'ž' => 0x9e,
                'Ÿ' => 0x9f,
                '\t' | '\n' | '\r' => b' ',
                _ => b'?',
            },
        })
        .collect()
}

/// Splits text into lines no wider than `max` points.
fn wrap(font: Font, size: f32, max: f32, text: &str) -> Vec<Vec<u8>> {
    let bytes = win_ansi(text);
    let space = glyph_width(font, b' ') as f32 * size / 1000.0;
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut width = 0.0;
    for word in bytes.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let w = text_width(font, size, word);
        if !line.is_empty() && width + space + w <= max {
            line.push(b' ');
            line.extend_from_slice(word);
            width += space + w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if w <= max {
            line.extend_from_slice(word);
            width = w;
        } else {
            // A word wider than the column (URLs, digests): break anywhere.
            width = 0.0;
            for &b in word {
                let gw = glyph_width(font, b) as f32 * size / 1000.0;
                if width + gw > max && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    width = 0.0;
                }
                line.push(b);
                width += gw;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

type Rgb = (f32, f32, f32);
const INK: Rgb = (0.11, 0.14, 0.19);
const MUTED: Rgb = (0.36, 0.39, 0.46);
const LINE: Rgb = (0.87, 0.89, 0.92);
const DONE: Rgb = (0.12, 0.54, 0.30);
const NA: Rgb = (0.54, 0.58, 0.64);
const BLOCKED: Rgb = (0.76, 0.21, 0.17);
const OPEN: Rgb = (0.85, 0.64, 0.11);
const LINK: Rgb = (0.18, 0.36, 0.83);

fn status_colour(s: Status) -> Rgb {
    match s {
        Status::Done => DONE,
        Status::NotApplicable => NA,
        Status::Blocked => BLOCKED,
        Status::Open => OPEN,
    }
}

struct Page {
    content: Content,
    links: Vec<(Rect, String)>,
    /// Current fill colour and font, so unchanged state is not re-emitted
    /// (both persist across text objects in PDF's graphics state).
    fill: Option<Rgb>,
    font: Option<(Font, f32)>,
}

impl Page {
    fn fill(&mut self, c: Rgb) {
        if self.fill != Some(c) {
            self.content.set_fill_rgb(c.0, c.1, c.2);
            self.fill = Some(c);
        }
    }
}

/// A run of text to draw: font, size, colour, bytes.
struct Span {
    font: Font,
    size: f32,
    colour: Rgb,
    x: f32,
    text: Vec<u8>,
    link: Option<String>,
}

struct Layout {
    width: f32,
    height: f32,
    margin: f32,
    top: f32,
    bottom: f32,
    y: f32,
    pages: Vec<Page>,
}

impl Layout {
    fn new(paper: Paper) -> Layout {
        let (width, height) = paper.size();
        let mut l = Layout {
            width,
            height,
            margin: 48.0,
            top: height - 60.0,
            bottom: 54.0,
            y: 0.0,
            pages: Vec::new(),
        };
        l.new_page();
        l
    }

    fn right(&self) -> f32 {
        self.width - self.margin
    }

    fn new_page(&mut self) {
        self.pages.push(Page {
            content: Content::new(),
            links: Vec::new(),
            fill: None,
            font: None,
        });
        self.y = self.top;
    }

    /// Starts a new page unless `h` points still fit on this one.
    fn ensure(&mut self, h: f32) {
        if self.y - h < self.bottom && self.y < self.top {
            self.new_page();
        }
    }

    fn page(&mut self) -> &mut Page {
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Draws spans on one baseline `size * 1.35` below the cursor.
    fn line(&mut self, spans: &[Span], leading: f32) {
        self.y -= leading;
        let y = self.y;
        let page = self.page();
        page.content.begin_text();
        for s in spans {
            page.fill(s.colour);
            if page.font != Some((s.font, s.size)) {
                page.content.set_font(s.font.name(), s.size);
                page.font = Some((s.font, s.size));
            }
            page.content
                .set_text_matrix([1.0, 0.0, 0.0, 1.0, s.x, y])
                .show(Str(&s.text));
            if let Some(url) = &s.link {
                let w = text_width(s.font, s.size, &s.text);
                page.links
                    .push((Rect::new(s.x, y - 2.0, s.x + w, y + s.size), url.clone()));
            }
        }
        page.content.end_text();
    }

    /// A wrapped paragraph at `x`, as wide as the page allows.
    fn para(&mut self, x: f32, font: Font, size: f32, colour: Rgb, text: &str) {
        let lines = wrap(font, size, self.right() - x, text);
        for l in lines {
            self.ensure(size * 1.4);
            self.line(
                &[Span {
                    font,
                    size,
                    colour,
                    x,
                    text: l,
                    link: None,
                }],
                size * 1.4,
            );
        }
    }

    fn gap(&mut self, h: f32) {
        self.y -= h;
    }

    fn rule(&mut self, colour: Rgb) {
        self.y -= 4.0;
        let (x0, x1, y) = (self.margin, self.right(), self.y);
        self.page()
            .content
            .set_stroke_rgb(colour.0, colour.1, colour.2)
            .set_line_width(0.7)
            .move_to(x0, y)
            .line_to(x1, y)
            .stroke();
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Rgb) {
        let page = self.page();
        page.fill(fill);
        page.content.rect(x, y, w, h).fill_nonzero();
    }
}

fn heading(l: &mut Layout, text: &str, size: f32) {
    l.ensure(size * 4.0);
    l.gap(size * 0.6);
    l.para(l.margin, Font::Bold, size, INK, text);
    l.rule(LINE);
    l.gap(4.0);
}

fn chart(l: &mut Layout, report: &Report) {
    let rows = chart_rows(report);
    if rows.is_empty() {
        return;
    }
    heading(l, "Progress by section", 13.0);
    let label_w = 200.0;
    let bar_x = l.margin + label_w;
    let bar_w = l.right() - bar_x - 70.0;
    for (label, p) in rows {
        l.ensure(16.0);
        let mut lines = wrap(Font::Regular, 8.5, label_w - 8.0, &label).into_iter();
        let mut text = lines.next().unwrap_or_default();
        if lines.next().is_some() {
            text.extend_from_slice(b"...");
        }
        let summary = win_ansi(&format!("{}/{} - {}%", p.closed(), p.total, p.percent));
        l.line(
            &[
                Span {
                    font: Font::Regular,
                    size: 8.5,
                    colour: INK,
                    x: l.margin,
                    text,
                    link: None,
                },
                Span {
                    font: Font::Regular,
                    size: 8.5,
                    colour: MUTED,
                    x: bar_x + bar_w + 8.0,
                    text: summary,
                    link: None,
                },
            ],
            14.0,
        );
        let y = l.y - 1.5;
        l.rect(bar_x, y, bar_w, 9.0, (0.95, 0.95, 0.96));
        let total = p.total.max(1) as f32;
        let mut x = bar_x;
        for (n, colour) in [(p.done, DONE), (p.not_applicable, NA), (p.blocked, BLOCKED)] {
            if n > 0 {
                let w = bar_w * n as f32 / total;
                l.rect(x, y, w, 9.0, colour);
                x += w;
            }
        }
    }
    l.gap(6.0);
    l.ensure(14.0);
    let y = l.y - 12.0;
    let mut x = bar_x;
    let mut spans = Vec::new();
    for (name, colour) in [
        ("done", DONE),
        ("n/a", NA),
        ("blocked", BLOCKED),
        ("open", (0.95, 0.95, 0.96)),
    ] {
        l.rect(x, y, 8.0, 8.0, colour);
        spans.push(Span {
            font: Font::Regular,
            size: 8.0,
            colour: MUTED,
            x: x + 11.0,
            text: name.as_bytes().to_vec(),
            link: None,
        });
        x += 60.0;
    }
    l.line(&spans, 12.0);
}

fn item_block(l: &mut Layout, item: &ItemReport) {
    let indent = l.margin + item.depth.min(8) as f32 * 10.0;
    let num_w = 34.0;
    let status_x = l.right() - 52.0;
    let text_x = indent + num_w;
    let title_w = status_x - text_x - 8.0;
    let title = wrap(Font::Regular, 9.5, title_w, &item.plain);
    // Lines under the title: (colour, text, link target).
    let mut extra: Vec<(Rgb, String, Option<String>)> = Vec::new();
    let tags = item_tags(item);
    if !tags.is_empty() {
        extra.push((MUTED, tags.join(" · "), None));
    }
    for f in item.fields.iter().filter(|f| !f.value.is_empty()) {
        extra.push((MUTED, format!("{}: {}", f.name, f.value), None));
    }
    for e in &item.evidence {
        let shown = match &e.label {
            Some(label) => format!("evidence: {label} <{}>", e.target),
            None => format!("evidence: {}", e.target),
        };
        let link = is_safe_link(&e.target).then(|| e.target.trim().to_string());
        let colour = if link.is_some() { LINK } else { MUTED };
        extra.push((colour, shown, link));
    }
    for note in item.notes.lines().filter(|n| !n.trim().is_empty()) {
        extra.push((MUTED, format!("note: {note}"), None));
    }
    let width = l.right() - text_x;
    let extra_lines: Vec<Span> = extra
        .into_iter()
        .flat_map(|(colour, t, link)| {
            wrap(Font::Regular, 8.0, width, &t)
                .into_iter()
                .map(move |text| Span {
                    font: Font::Regular,
                    size: 8.0,
                    colour,
                    x: text_x,
                    text,
                    link: link.clone(),
                })
        })
        .collect();
    let height = title.len() as f32 * 12.5 + extra_lines.len() as f32 * 10.5 + 4.0;
    l.ensure(height.min(l.top - l.bottom));
    let (label, colour) = (item.status.label(), status_colour(item.status));
    for (i, line) in title.into_iter().enumerate() {
        let mut spans = vec![Span {
            font: Font::Regular,
            size: 9.5,
            colour: if item.status == Status::NotApplicable {
                MUTED
            } else {
                INK
            },
            x: text_x,
            text: line,
            link: None,
        }];
        if i == 0 {
            spans.push(Span {
                font: Font::Bold,
                size: 8.5,
                colour: MUTED,
                x: indent + 9.0,
                text: win_ansi(&item.number),
                link: None,
            });
            spans.push(Span {
                font: Font::Bold,
                size: 8.5,
                colour,
                x: status_x,
                text: label.as_bytes().to_vec(),
                link: None,
            });
        }
        l.ensure(12.5);
        l.line(&spans, 12.5);
        if i == 0 {
            let y = l.y;
            l.rect(indent, y, 6.0, 6.0, colour);
        }
    }
    for span in extra_lines {
        l.ensure(10.5);
        l.line(&[span], 10.5);
    }
    l.gap(4.0);
}

fn layout(report: &Report, seal: Option<&Seal>, paper: Paper) -> Layout {
    let mut l = Layout::new(paper);
    let m = l.margin;
    l.para(
        m,
        Font::Bold,
        22.0,
        INK,
        &format!("Release {}", report.release.name),
    );
    l.gap(2.0);
    let colour = if report.is_draft() { OPEN } else { DONE };
    l.para(m, Font::Bold, 11.0, colour, &status_text(report));
    l.gap(4.0);
    let mut facts = Vec::new();
    if let Some(due) = &report.release.due_date {
        facts.push(format!("Due: {due}"));
    }
    facts.push(format!("Progress: {}", progress_line(&report.progress)));
    let when = if report.is_draft() {
        "Generated"
    } else {
        "Frozen"
    };
    facts.push(format!("{when}: {}", report.generated_at));
    for f in facts {
        l.para(m, Font::Regular, 9.5, INK, &f);
    }
    if let Some(s) = seal {
        l.para(m, Font::Mono, 8.0, MUTED, &format!("Digest: {}", s.digest));
    }
    if let Some(o) = &report.override_ {
        l.gap(6.0);
        l.para(
            m,
            Font::Bold,
            10.5,
            BLOCKED,
            &format!("Signed off with an override by {}: {}", o.by, o.reason),
        );
        l.para(
            m,
            Font::Regular,
            9.0,
            BLOCKED,
            &format!("{} items were still open:", o.open_items.len()),
        );
        for item in &o.open_items {
            l.para(m + 10.0, Font::Regular, 8.5, INK, &format!("- {item}"));
        }
    }
    chart(&mut l, report);
    for run in &report.runs {
        heading(&mut l, &run.title, 15.0);
        l.para(
            m,
            Font::Regular,
            8.5,
            MUTED,
            &format!(
                "{} v{}, from {} - {}",
                run.template,
                run.version,
                run.source,
                progress_line(&run.progress)
            ),
        );
        for f in &run.metadata {
            l.para(
                m,
                Font::Regular,
                8.5,
                MUTED,
                &format!("{}: {}", f.name, fact_value(f)),
            );
        }
        for s in &run.sections {
            l.ensure(40.0);
            l.gap(6.0);
            let x = m + s.depth.min(6) as f32 * 10.0;
            l.para(
                x,
                Font::Bold,
                11.0,
                INK,
                &format!(
                    "{}. {}  ({})",
                    s.number,
                    s.plain,
                    progress_line(&s.progress)
                ),
            );
            l.gap(2.0);
            for item in &s.items {
                item_block(&mut l, item);
            }
        }
    }
    heading(&mut l, "Sign-off", 13.0);
    if let Some(roles) = roles_line(report) {
        l.para(m, Font::Regular, 9.0, INK, &roles);
    }
    match seal {
        Some(seal) if !seal.signatures.is_empty() => {
            for s in &seal.signatures {
                l.ensure(30.0);
                l.para(
                    m,
                    Font::Bold,
                    10.0,
                    INK,
                    &format!("{} ({}) - {}", s.name, s.handle, s.role),
                );
                l.para(
                    m + 10.0,
                    Font::Regular,
                    8.5,
                    MUTED,
                    &format!("signed at {}, key id {}", s.signed_at, s.key_id),
                );
            }
            l.gap(4.0);
            l.para(
                m,
                Font::Regular,
                8.5,
                INK,
                &format!(
                    "Report digest {}. Check this file with `signet verify`.",
                    seal.digest
                ),
            );
        }
        _ => l.para(
            m,
            Font::Regular,
            9.5,
            INK,
            "Not signed off. This is a draft; it cannot be verified.",
        ),
    }
    heading(&mut l, "Audit trail", 13.0);
    for line in audit_lines(&report.audit) {
        l.para(m, Font::Regular, 8.5, INK, &line);
    }
    l
}

/// Compresses page streams, half on another thread.
fn compress_all(streams: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mid = streams.len() / 2;
    std::thread::scope(|s| {
        let (a, b) = streams.split_at(mid);
        let second = s.spawn(|| b.iter().map(|x| compress(x)).collect::<Vec<_>>());
        let mut out: Vec<Vec<u8>> = a.iter().map(|x| compress(x)).collect();
        match second.join() {
            Ok(rest) => out.extend(rest),
            Err(_) => out.extend(b.iter().map(|x| compress(x))),
        }
        out
    })
}

fn compress(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(bytes, 1)
}

pub fn render(report: &Report, seal: Option<&Seal>, paper: Paper) -> Result<Vec<u8>> {
    // Compressing the payload attachment and laying out pages are
    // independent; verification re-renders, so both cores help.
    let (l, packed) = std::thread::scope(|s| {
        let packing = s.spawn(|| seal.map(|seal| compress(seal.payload.as_bytes())));
        let l = layout(report, seal, paper);
        (l, packing.join())
    });
    let mut packed = packed.map_err(|_| Error::Invalid("compressing the payload failed".into()))?;
    let (w, h, margin) = (l.width, l.height, l.margin);
    let total = l.pages.len();
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let fonts = [alloc(), alloc(), alloc()];
    let info = alloc();
    let header = format!(
        "Signet report - Release {} - {}{}",
        report.release.name,
        status_text(report),
        seal.map_or(String::new(), |s| format!(" - {}", short_digest(&s.digest)))
    );
    let header = wrap(Font::Regular, 7.5, w - 2.0 * margin, &header)
        .into_iter()
        .next()
        .unwrap_or_default();
    let mut streams = Vec::with_capacity(total);
    let mut all_links = Vec::with_capacity(total);
    for (n, page) in l.pages.into_iter().enumerate() {
        all_links.push(page.links);
        let mut content = page.content;
        // Header and footer state is set explicitly: the page body may have
        // left any colour or font.
        let footer = format!("Page {} of {total}", n + 1);
        let fw = text_width(Font::Regular, 7.5, footer.as_bytes());
        content
            .set_fill_rgb(MUTED.0, MUTED.1, MUTED.2)
            .begin_text()
            .set_font(Font::Regular.name(), 7.5)
            .next_line(margin, h - 34.0)
            .show(Str(&header))
            .end_text()
            .begin_text()
            .next_line(w - margin - fw, 30.0)
            .show(Str(footer.as_bytes()))
            .end_text();
        content
            .set_stroke_rgb(LINE.0, LINE.1, LINE.2)
            .set_line_width(0.5)
            .move_to(margin, h - 39.0)
            .line_to(w - margin, h - 39.0)
            .stroke();
        streams.push(content.finish().to_vec());
    }
    let streams = compress_all(streams);
    let mut page_ids = Vec::with_capacity(total);
    for (stream, links) in streams.into_iter().zip(all_links) {
        let page_id = alloc();
        let content_id = alloc();
        let link_ids: Vec<Ref> = links.iter().map(|_| alloc()).collect();
        page_ids.push(page_id);
        let mut p = pdf.page(page_id);
        p.media_box(Rect::new(0.0, 0.0, w, h))
            .parent(tree)
            .contents(content_id);
        if !link_ids.is_empty() {
            p.annotations(link_ids.iter().copied());
        }
        {
            let mut resources = p.resources();
            let mut fonts_dict = resources.fonts();
            for (font, id) in [Font::Regular, Font::Bold, Font::Mono]
                .into_iter()
                .zip(fonts)
            {
                fonts_dict.pair(font.name(), id);
            }
        }
        p.finish();
        pdf.stream(content_id, &stream).filter(Filter::FlateDecode);
        for ((rect, url), id) in links.into_iter().zip(link_ids) {
            let mut a = pdf.annotation(id);
            a.subtype(AnnotationType::Link).rect(rect);
            a.border_style().width(0.0).style(BorderType::Solid);
            a.action()
                .action_type(ActionType::Uri)
                .uri(Str(url.as_bytes()));
        }
    }
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(total as i32);
    for (id, base) in
        fonts
            .into_iter()
            .zip([&b"Helvetica"[..], &b"Helvetica-Bold"[..], &b"Courier"[..]])
    {
        pdf.type1_font(id)
            .base_font(Name(base))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let title = format!("Release {} - Signet report", report.release.name);
    pdf.document_info(info)
        .title(TextStr(&title))
        .creator(TextStr("Signet"))
        .producer(TextStr("Signet (pdf-writer)"));
    pdf.set_file_id((
        report.generated_at.as_bytes().to_vec(),
        report.release.name.as_bytes().to_vec(),
    ));

    // Attachments: the payload (compressed), each signature, and the seal
    // without its payload — last and uncompressed, so verify finds it by
    // searching backwards, then the payload by its `/SignetPart` marker.
    let mut attachments: Vec<(String, Vec<u8>, bool)> = Vec::new();
    if let Some(seal) = seal {
        attachments.push((
            "payload.json".into(),
            packed.take().unwrap_or_default(),
            true,
        ));
        for s in &seal.signatures {
            attachments.push((
                format!("{}.minisig", s.handle),
                s.minisig.as_bytes().to_vec(),
                false,
            ));
        }
        let bare = Seal {
            payload: String::new(),
            ..seal.clone()
        };
        attachments.push(("signet-seal.json".into(), serde_json::to_vec(&bare)?, false));
    }
    let mut names = Vec::new();
    for (name, bytes, is_payload) in &attachments {
        let file_id = alloc();
        let spec_id = alloc();
        let mut f = pdf.embedded_file(file_id, bytes);
        if *is_payload {
            f.filter(Filter::FlateDecode);
            f.pair(Name(b"SignetPart"), Name(PAYLOAD_PART));
        }
        f.finish();
        pdf.file_spec(spec_id)
            .path(Str(name.as_bytes()))
            .unic_file(TextStr(name))
            .embedded_file(file_id);
        names.push((name.clone(), spec_id));
    }
    let mut cat = pdf.catalog(catalog);
    cat.pages(tree);
    if !names.is_empty() {
        names.sort();
        let mut n = cat.names();
        let mut tree = n.embedded_files();
        let mut entries = tree.names();
        for (name, id) in &names {
            entries.insert(Str(name.as_bytes()), *id);
        }
    }
    cat.finish();
    Ok(pdf.finish())
}

pub(crate) const PAYLOAD_PART: &[u8] = b"Payload";

/// The seal of a PDF we wrote, with its payload, if it has one.
pub(crate) fn find_seal(bytes: &[u8]) -> Option<Result<Seal>> {
    let marker = b"{\"signet_seal\":";
    let start = bytes.windows(marker.len()).rposition(|w| w == marker)?;
    let mut de = serde_json::Deserializer::from_slice(&bytes[start..]).into_iter::<Seal>();
    let mut seal = match de.next()? {
        Ok(s) => s,
        Err(e) => {
            return Some(Err(Error::Invalid(format!(
                "the embedded seal is not valid ({e})"
            ))))
        }
    };
    Some(payload_stream(&bytes[..start]).map(|payload| {
        seal.payload = payload;
        seal
    }))
}

/// Inflates the stream marked `/SignetPart /Payload`.
fn payload_stream(bytes: &[u8]) -> Result<String> {
    let missing = || Error::Invalid("the signed payload is missing from the PDF".into());
    let mut marker = b"/SignetPart /".to_vec();
    marker.extend_from_slice(PAYLOAD_PART);
    let at = bytes
        .windows(marker.len())
        .rposition(|w| w == marker.as_slice())
        .ok_or_else(missing)?;
    let dict_start = bytes[..at]
        .windows(2)
        .rposition(|w| w == b"<<")
        .ok_or_else(missing)?;
    let stream_kw = b"stream\n";
    let data_start = bytes[at..]
        .windows(stream_kw.len())
        .position(|w| w == stream_kw)
        .map(|p| at + p + stream_kw.len())
        .ok_or_else(missing)?;
    let dict = std::str::from_utf8(&bytes[dict_start..data_start]).map_err(|_| missing())?;
    let len: usize = dict
        .split("/Length ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(missing)?;
    let data = bytes
        .get(data_start..data_start + len)
        .ok_or_else(missing)?;
    // A bound on what a report payload can inflate to: no zip bombs.
    let raw = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, 1 << 30)
        .map_err(|_| Error::Invalid("the signed payload in the PDF is corrupt".into()))?;
    String::from_utf8(raw).map_err(|_| Error::Invalid("the signed payload is not UTF-8".into()))
}
