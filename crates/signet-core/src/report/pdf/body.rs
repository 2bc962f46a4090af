//! After the cover: the progress chart (a bar per section, named by the
//! section), each checklist's sections and items, the sign-off and the
//! audit summary. Bars carry their counts in words too, and their colours
//! differ in lightness, so the chart reads in print and in grayscale.

use super::fonts::Style;
use super::layout::{Block, Layout, Span, INK, LINK, MUTED, TRACK};
use crate::model::{is_safe_link, Status};
use crate::report::chart::{groups, trend};
use crate::report::model::{Counts, ItemReport, Report};
use crate::report::text::{
    audit_lines, change_line, change_lists, comparison_line, fact_value, from_source, item_tags,
    progress_line, provenance_legend, roles_line, PROVENANCE_MARK,
};
use crate::seal::Seal;

const DONE: (u8, u8, u8) = (22, 96, 52);
const NA: (u8, u8, u8) = (160, 168, 180);
const BLOCKED: (u8, u8, u8) = (214, 84, 56);
const OPEN: (u8, u8, u8) = (150, 104, 0);

pub(super) fn status_colour(s: Status) -> (u8, u8, u8) {
    match s {
        Status::Done => DONE,
        Status::NotApplicable => NA,
        Status::Blocked => BLOCKED,
        Status::Open => OPEN,
    }
}

/// A progress bar: done, n/a and blocked segments over the open track.
pub(super) fn bar(l: &mut Layout, x: f32, y: f32, w: f32, h: f32, p: &Counts) {
    l.rect(x, y, w, h, TRACK);
    let total = p.total.max(1) as f32;
    let mut at = x;
    for (n, colour) in [(p.done, DONE), (p.not_applicable, NA), (p.blocked, BLOCKED)] {
        let seg = w * n as f32 / total;
        l.rect(at, y, seg, h, colour);
        at += seg;
    }
}

/// What the bar colours mean.
pub(super) fn legend(l: &mut Layout, x: f32) {
    l.ensure(14.0);
    let y = l.y;
    let b = l.block(Block::Paragraph);
    let mut at = x;
    let mut spans = Vec::new();
    for (name, colour) in [
        ("done", DONE),
        ("n/a", NA),
        ("blocked", BLOCKED),
        ("open", TRACK),
    ] {
        l.rect(at, y + 2.0, 8.0, 8.0, colour);
        spans.push((at + 11.0, name));
        at += 62.0;
    }
    let spans: Vec<Span> = spans
        .into_iter()
        .map(|(x, text)| Span {
            x,
            style: Style::Regular,
            size: 8.0,
            colour: MUTED,
            text,
        })
        .collect();
    l.line(&spans, 9.5, b);
    l.gap(4.0);
}

/// The first line of `text` that fits `max` points, with an ellipsis when
/// cut.
pub(super) fn first_line(l: &Layout, style: Style, size: f32, max: f32, text: &str) -> String {
    let mut lines = l.wrap(style, size, max, text).into_iter();
    let mut first = lines.next().unwrap_or_default();
    if lines.next().is_some() {
        let mut shorter = l.wrap(style, size, max - l.width_of(style, size, "…"), text);
        first = shorter.swap_remove(0);
        first.push('…');
    }
    first
}

/// A label in two columns: the number, then the text wrapped beside it,
/// so a right-to-left title is laid out on its own and never swaps places
/// with its number.
fn numbered(
    l: &mut Layout,
    x: f32,
    style: Style,
    size: f32,
    number: &str,
    text: &str,
    block: usize,
) {
    let num = format!("{number}.");
    let text_x = x + l.width_of(style, size, &num) + size * 0.5;
    let lines = l.wrap(style, size, l.right() - text_x, text);
    for (i, line) in lines.iter().enumerate() {
        l.ensure(size * 1.4);
        let mut spans = vec![Span {
            x: text_x,
            style,
            size,
            colour: INK,
            text: line,
        }];
        if i == 0 {
            spans.insert(
                0,
                Span {
                    x,
                    style,
                    size,
                    colour: INK,
                    text: &num,
                },
            );
        }
        l.line(&spans, size * 1.4, block);
    }
}

/// Where a chart's bars start and how wide they are: labels to the left,
/// counts to the right.
fn chart_columns(l: &Layout) -> (f32, f32) {
    let bar_x = l.margin + 210.0;
    (bar_x, l.right() - bar_x - 86.0)
}

/// One chart row's words: the number (muted), the label cut to its column,
/// and the counts after the bar; returns the baseline the bar sits on.
fn chart_row(l: &mut Layout, number: Option<&str>, label: &str, summary: &str, b: usize) -> f32 {
    let m = l.margin;
    let (bar_x, bar_w) = chart_columns(l);
    let num = number.map(|n| format!("{n}.")).unwrap_or_default();
    let num_w = if num.is_empty() {
        0.0
    } else {
        l.width_of(Style::Regular, 8.5, &num) + 4.0
    };
    let text = first_line(l, Style::Regular, 8.5, bar_x - m - 8.0 - num_w, label);
    let span = |x: f32, colour, text| Span {
        x,
        style: Style::Regular,
        size: 8.5,
        colour,
        text,
    };
    l.line(
        &[
            span(m, MUTED, &num),
            span(m + num_w, INK, &text),
            span(bar_x + bar_w + 8.0, MUTED, summary),
        ],
        15.0,
        b,
    )
}

/// A bar per section, named by the section's number and title, under its
/// checklist's title.
fn chart(l: &mut Layout, report: &Report) {
    let groups = groups(report);
    if groups.is_empty() {
        return;
    }
    l.heading("Progress by section", 14.0, 1);
    let m = l.margin;
    let (bar_x, bar_w) = chart_columns(l);
    for g in groups {
        l.ensure(36.0);
        l.gap(4.0);
        l.para(m, Style::Bold, 9.5, INK, g.title, None);
        for bar_row in g.bars {
            let p = bar_row.counts;
            l.ensure(18.0);
            let b = l.block(Block::Figure(format!(
                "{}. {}: {}",
                bar_row.number,
                bar_row.label,
                progress_line(&p)
            )));
            let summary = format!("{}/{} · {}%", p.closed(), p.total, p.percent);
            let y = chart_row(l, Some(bar_row.number), bar_row.label, &summary, b);
            bar(l, bar_x, y - 8.0, bar_w, 10.0, &p);
        }
    }
    l.gap(8.0);
    legend(l, bar_x);
}

/// How many changes of each kind the PDF lists before "+N more".
const CHANGES_LISTED: usize = 10;

/// What changed since the previous release, and the trend.
fn comparison(l: &mut Layout, report: &Report) {
    let Some(c) = &report.comparison else {
        return;
    };
    let m = l.margin;
    l.heading(&format!("Since {}", c.base), 14.0, 1);
    l.para(m, Style::Regular, 9.5, INK, &comparison_line(c), None);
    let points = trend(report);
    if points.len() > 1 {
        l.gap(4.0);
        for t in points {
            l.ensure(15.0);
            let label = format!(
                "{}{}",
                t.release,
                if t.signed_off { " (signed off)" } else { "" }
            );
            let b = l.block(Block::Figure(format!("{label}: {}%", t.percent)));
            let summary = format!("{}/{} · {}%", t.closed, t.total, t.percent);
            let (bar_x, bar_w) = chart_columns(l);
            let y = chart_row(l, None, &label, &summary, b);
            l.rect(bar_x, y - 8.0, bar_w, 10.0, TRACK);
            l.rect(
                bar_x,
                y - 8.0,
                bar_w * t.percent.min(100) as f32 / 100.0,
                10.0,
                DONE,
            );
        }
    }
    for (heading, list) in change_lists(c) {
        if list.total == 0 {
            continue;
        }
        l.ensure(30.0);
        l.gap(4.0);
        l.para(
            m,
            Style::Bold,
            9.5,
            INK,
            &format!("{heading} ({})", list.total),
            None,
        );
        for ch in list.items.iter().take(CHANGES_LISTED) {
            l.para(m + 10.0, Style::Regular, 8.5, INK, &change_line(ch), None);
        }
        let more = list.total - list.items.len().min(CHANGES_LISTED);
        if more > 0 {
            l.para(
                m + 10.0,
                Style::Regular,
                8.5,
                MUTED,
                &format!("+{more} more"),
                None,
            );
        }
    }
}

/// A checklist's or section's prose, as written.
fn description(l: &mut Layout, x: f32, text: &str) {
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        l.para(x, Style::Regular, 8.5, INK, &para.replace('\n', " "), None);
        l.gap(2.0);
    }
}

/// A line under an item's title: colour, text, link target.
type Extra = ((u8, u8, u8), String, Option<String>);

fn item_block(l: &mut Layout, item: &ItemReport) {
    let indent = l.margin + item.depth.min(8) as f32 * 10.0;
    let num_w = (l.width_of(Style::Bold, 8.5, &item.number) + 15.0).max(36.0);
    let status_x = l.right() - 56.0;
    let text_x = indent + num_w;
    let mut title_text = item.plain.clone();
    if from_source(item) {
        title_text.push_str(PROVENANCE_MARK);
    }
    let title = l.wrap(Style::Regular, 9.5, status_x - text_x - 8.0, &title_text);
    // Lines under the title: (colour, text, link target).
    let mut extra: Vec<Extra> = Vec::new();
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
    let extra: Vec<Extra> = extra
        .into_iter()
        .flat_map(|(colour, t, link)| {
            l.wrap(Style::Regular, 8.0, width, &t)
                .into_iter()
                .map(move |line| (colour, line, link.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let height = title.len() as f32 * 12.5 + extra.len() as f32 * 10.5 + 4.0;
    l.ensure(height.min(l.bottom - l.top));
    let b = l.block(Block::Paragraph);
    let colour = status_colour(item.status);
    for (i, line) in title.iter().enumerate() {
        let mut spans = vec![Span {
            x: text_x,
            style: Style::Regular,
            size: 9.5,
            colour: if item.status == Status::NotApplicable {
                MUTED
            } else {
                INK
            },
            text: line,
        }];
        if i == 0 {
            spans.insert(
                0,
                Span {
                    x: indent + 9.0,
                    style: Style::Bold,
                    size: 8.5,
                    colour: MUTED,
                    text: &item.number,
                },
            );
            spans.push(Span {
                x: status_x,
                style: Style::Bold,
                size: 8.5,
                colour,
                text: item.status.label(),
            });
        }
        l.ensure(12.5);
        let y = l.line(&spans, 12.5, b);
        if i == 0 {
            l.rect(indent, y - 6.5, 6.0, 6.0, colour);
        }
    }
    for (colour, text, link) in extra {
        l.ensure(10.5);
        let y = l.line(
            &[Span {
                x: text_x,
                style: Style::Regular,
                size: 8.0,
                colour,
                text: &text,
            }],
            10.5,
            b,
        );
        if let Some(url) = link {
            let w = l.width_of(Style::Regular, 8.0, &text);
            l.link((text_x, y - 8.0, text_x + w, y + 2.0), &url, b);
        }
    }
    l.gap(4.0);
}

fn sections(l: &mut Layout, report: &Report) {
    let m = l.margin;
    for run in &report.runs {
        l.heading(&run.title, 15.0, 1);
        let b = l.block(Block::Paragraph);
        l.para(
            m,
            Style::Regular,
            8.5,
            MUTED,
            &format!(
                "{} v{}, from {} · {}",
                run.template,
                run.version,
                run.source,
                progress_line(&run.progress)
            ),
            Some(b),
        );
        for f in &run.metadata {
            l.para(
                m,
                Style::Regular,
                8.5,
                MUTED,
                &format!("{}: {}", f.name, fact_value(f)),
                Some(b),
            );
        }
        l.gap(2.0);
        description(l, m, &run.description);
        for s in &run.sections {
            l.ensure(44.0);
            l.gap(8.0);
            let x = m + s.depth.min(6) as f32 * 10.0;
            let title = format!("{}. {}", s.number, s.plain);
            l.mark(&title, 1 + s.depth.min(4));
            let level = (2 + s.depth.min(4)) as u16;
            let h = l.block(Block::Heading(level, title));
            numbered(l, x, Style::Bold, 11.0, &s.number, &s.plain, h);
            l.para(
                x,
                Style::Regular,
                8.0,
                MUTED,
                &progress_line(&s.progress),
                None,
            );
            description(l, x, &s.description);
            l.gap(3.0);
            for item in &s.items {
                item_block(l, item);
            }
        }
    }
}

fn sign_off(l: &mut Layout, report: &Report, seal: Option<&Seal>) {
    let m = l.margin;
    l.heading("Sign-off", 14.0, 1);
    if let Some(roles) = roles_line(report) {
        l.para(m, Style::Regular, 9.0, INK, &roles, None);
    }
    match seal {
        Some(seal) if !seal.signatures.is_empty() => {
            for s in &seal.signatures {
                l.ensure(30.0);
                let b = l.block(Block::Paragraph);
                l.para(
                    m,
                    Style::Bold,
                    10.0,
                    INK,
                    &format!("{} ({}) — {}", s.name, s.handle, s.role),
                    Some(b),
                );
                l.para(
                    m + 10.0,
                    Style::Regular,
                    8.5,
                    MUTED,
                    &format!("signed at {}, key id {}", s.signed_at, s.key_id),
                    Some(b),
                );
            }
            l.gap(4.0);
            l.para(
                m,
                Style::Regular,
                8.5,
                INK,
                "Report digest (check this file with `signet verify`):",
                None,
            );
            l.para(m, Style::Mono, 8.0, INK, &seal.digest, None);
        }
        _ => l.para(
            m,
            Style::Regular,
            9.5,
            INK,
            "Not signed off. This is a draft; it cannot be verified.",
            None,
        ),
    }
}

pub(super) fn draw(l: &mut Layout, report: &Report, seal: Option<&Seal>) {
    chart(l, report);
    comparison(l, report);
    if let Some(legend) = provenance_legend(report) {
        l.gap(6.0);
        let m = l.margin;
        l.para(m, Style::Regular, 8.5, MUTED, &legend, None);
    }
    sections(l, report);
    sign_off(l, report, seal);
    l.heading("Audit trail", 14.0, 1);
    let m = l.margin;
    for line in audit_lines(&report.audit) {
        l.para(m, Style::Regular, 8.5, INK, &line, None);
    }
    if l.missing.get() && l.layout >= 4 {
        l.gap(8.0);
        l.para(m, Style::Bold, 8.5, MUTED, LEFT_OUT, None);
    }
}

/// Said at the end of a PDF whose text lost characters: the fonts it embeds
/// do not cover every script (docs/ARCHITECTURE.md, "Bundled fonts only").
pub(super) const LEFT_OUT: &str = "Some characters of this report (such as Chinese, Japanese or Korean text) are not in the fonts this PDF embeds and are left out of it; the HTML, Markdown and JSON reports show every character.";
