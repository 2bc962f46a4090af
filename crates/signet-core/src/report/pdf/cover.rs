//! Page 1: can we ship? Release, verdict, due date, overall progress, who
//! signed (name, role, time), the override, and the items still open by
//! section and title — as many as fit, then "+N more".

use super::body::{bar, first_line, legend, status_colour};
use super::fonts::Style;
use super::layout::{Block, Layout, Span, INK, MUTED};
use super::logo;
use crate::report::cover::{cover, open_item_line, Verdict};
use crate::report::model::Report;
use crate::report::text::{branding_line, counts_text, progress_line, signer_line, when};
use crate::seal::Seal;

const SIGNED: (u8, u8, u8) = (22, 96, 52);
const OVERRIDE: (u8, u8, u8) = (176, 52, 40);
const DRAFT: (u8, u8, u8) = (150, 104, 0);

pub(super) fn draw(l: &mut Layout, report: &Report, seal: Option<&Seal>) {
    let m = l.margin;
    // The logo above the title, at most 160 × 44 pt (logo.rs).
    let logo = report.branding.as_ref().and_then(|b| b.logo.as_ref());
    let layout = l.layout;
    if let Some(p) = logo
        .filter(|_| layout >= 4)
        .and_then(|logo| logo::picture(logo, layout))
    {
        let (w, h) = logo::fit(&p, 160.0, 44.0);
        let top = l.y - 10.0;
        l.image(m, top, w, h, p.graphic);
        l.y = top + h + 4.0;
    }
    let title = format!("Release {}", report.release.name);
    l.mark(&title, 0);
    let h = l.block(Block::Heading(1, title.clone()));
    l.para(m, Style::Bold, 24.0, INK, &title, Some(h));
    if let Some(line) = report.branding.as_ref().and_then(branding_line) {
        l.para(m, Style::Regular, 10.0, MUTED, &line, None);
    }
    l.gap(8.0);

    // The verdict, as a badge.
    let c = cover(report, seal);
    let colour = match c.verdict {
        Verdict::Draft => DRAFT,
        Verdict::SignedOff => SIGNED,
        Verdict::SignedOffWithOverride => OVERRIDE,
    };
    let verdict = c.verdict.label();
    let b = l.block(Block::Paragraph);
    let size = 12.0;
    let w = l.width_of(Style::Bold, size, verdict) + 20.0;
    let top = l.y;
    l.rect(m, top, w, 24.0, colour);
    let line = l.shape(Style::Bold, verdict);
    l.text_at(m + 10.0, top + 16.5, size, (255, 255, 255), line, b);
    l.y = top + 24.0;
    l.gap(6.0);
    l.para(m, Style::Bold, 11.0, INK, &c.answer(), None);
    l.gap(4.0);

    let mut facts = Vec::new();
    if let Some(due) = &report.release.due_date {
        facts.push(("Due", due.clone()));
    }
    if !report.is_draft() {
        facts.push(("Revision", report.revision.to_string()));
    }
    let when_label = if report.is_draft() {
        "Generated"
    } else {
        "Frozen"
    };
    facts.push((when_label, when(&report.generated_at)));
    for (k, v) in facts {
        let b = l.block(Block::Paragraph);
        l.line(
            &[
                Span {
                    x: m,
                    style: Style::Bold,
                    size: 10.0,
                    colour: MUTED,
                    text: k,
                },
                Span {
                    x: m + 70.0,
                    style: Style::Regular,
                    size: 10.0,
                    colour: INK,
                    text: &v,
                },
            ],
            14.0,
            b,
        );
    }
    if let Some(s) = seal {
        l.para(
            m,
            Style::Mono,
            7.5,
            MUTED,
            &format!("Digest {}", s.digest),
            None,
        );
    }

    // Overall progress.
    l.gap(14.0);
    let p = &report.progress;
    let b = l.block(Block::Figure(format!(
        "Overall progress: {}",
        progress_line(p)
    )));
    l.line(
        &[Span {
            x: m,
            style: Style::Bold,
            size: 16.0,
            colour: INK,
            text: &format!("{}% closed", p.percent),
        }],
        20.0,
        b,
    );
    let summary = format!("{} of {} items — {}", p.closed(), p.total, counts_text(p));
    l.para(m, Style::Regular, 9.5, MUTED, &summary, Some(b));
    l.gap(4.0);
    let y = l.y;
    bar(l, m, y, l.right() - m, 14.0, p);
    l.y += 18.0;
    legend(l, m);

    // Who signed, and the override naming its approver.
    if !c.signers.is_empty() {
        cover_heading(l, "Signed by");
        for s in c.signers {
            l.para(m, Style::Regular, 10.0, INK, &signer_line(s), None);
        }
    }
    if let Some(line) = c.override_line() {
        cover_heading(l, "Override");
        l.para(m, Style::Bold, 10.0, OVERRIDE, &line, None);
    }

    // What is still open, compact: as many as fit on this page.
    let open = c.open_items.len();
    if open > 0 {
        cover_heading(l, &format!("Open items ({open})"));
        let line_h = 12.0;
        let room = ((l.bottom - l.y) / line_h).floor().max(1.0) as usize;
        let limit = if open <= room {
            open
        } else {
            room.saturating_sub(1)
        };
        let (shown, more) = c.open_shown(limit);
        let text_x = m + 52.0;
        for item in shown {
            let b = l.block(Block::Paragraph);
            let text = first_line(
                l,
                Style::Regular,
                9.0,
                l.right() - text_x,
                &open_item_line(item),
            );
            l.line(
                &[
                    Span {
                        x: m,
                        style: Style::Bold,
                        size: 8.0,
                        colour: status_colour(item.status),
                        text: item.status.label(),
                    },
                    Span {
                        x: text_x,
                        style: Style::Regular,
                        size: 9.0,
                        colour: INK,
                        text: &text,
                    },
                ],
                line_h,
                b,
            );
        }
        if more > 0 {
            l.para(
                m,
                Style::Bold,
                9.0,
                MUTED,
                &format!("+{more} more — every item is listed in its section below"),
                None,
            );
        }
    }
    l.new_page();
}

fn cover_heading(l: &mut Layout, text: &str) {
    l.ensure(40.0);
    l.gap(14.0);
    let b = l.block(Block::Heading(2, text.to_string()));
    let m = l.margin;
    l.para(m, Style::Bold, 12.0, INK, text, Some(b));
    l.gap(3.0);
}
