//! One self-contained HTML file: inline CSS, an inline SVG chart, no
//! scripts, no external requests (its own CSP says so to the browser).
//! Prints well: running header and page numbers, no item split across pages, section
//! headings kept with their first rows.

use std::fmt::Write;

use super::branding::data_url;
use super::chart;
use super::cover::cover;
use super::model::{Counts, ItemReport, Report, TrendPoint};
use super::text::{
    audit_lines, branding_line, change_line, change_lists, comparison_line, counts_text,
    fact_value, from_source, item_tags, owner_text, progress_line, provenance_legend, roles_line,
    short_digest, signer_line, status_text, when as when_text, PROVENANCE_MARK,
};
use crate::model::{evidence_note, is_safe_link, Status};
use crate::render::{block_html, escape, inline_html};

/// How many open items the cover lists before "+N more".
const COVER_OPEN_ITEMS: usize = 16;
/// Items listed per kind of change before "+N more".
const CHANGES_LISTED: usize = 25;
use crate::seal::Seal;

const STYLE: &str = r#"
:root { color-scheme: light dark; --ink:#1d2330; --muted:#556070; --line:#dfe3ea; --paper:#fff; --page:#f3f4f7; --card:#f7f8fa;
  --done:#1e7a45; --na:#aeb5c0; --blocked:#c2362b; --open:#ffffff; --open-line:#8a93a3; --accent:#2f5bd3;
  --warn-bg:#fdeceb; --ok-bg:#e3f4ea; --draft-bg:#fff4d6; --draft-ink:#7a5600; }
@media (prefers-color-scheme: dark) {
  :root { --ink:#e4e8ef; --muted:#a3adbd; --line:#3a4150; --paper:#1b1f27; --page:#11141a; --card:#232834;
    --done:#3fb56f; --na:#6d7585; --blocked:#f0645a; --open:#1b1f27; --open-line:#a3adbd; --accent:#8fb0ff;
    --warn-bg:#3a1d1d; --ok-bg:#16301f; --draft-bg:#3a3015; --draft-ink:#f1d48a; }
}
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0; background: var(--page); }
main { max-width: 1000px; margin: 0 auto; padding: 32px 40px 48px; background: var(--paper); }
h1 { font-size: 30px; margin: 4px 0 6px; }
h2 { font-size: 20px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); break-after: avoid; }
h3 { font-size: 15px; margin: 20px 0 6px; break-after: avoid; }
a { color: var(--accent); }
.brand { display: flex; align-items: center; gap: 14px; color: var(--muted); margin-bottom: 10px; }
.brand img { max-height: 56px; max-width: 220px; }
.brand .org { font-weight: 600; color: var(--ink); }
.cover { border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; margin: 12px 0 8px; background: var(--card); }
.cover h2 { margin-top: 0; border: 0; padding: 0; }
.verdict { display: inline-block; padding: 4px 14px; border-radius: 999px; font-weight: 700; font-size: 15px; border: 2px solid; }
.verdict.signed { background: var(--ok-bg); color: var(--done); }
.verdict.override { background: var(--warn-bg); color: var(--blocked); }
.verdict.draft { background: var(--draft-bg); color: var(--draft-ink); }
.answer { font-size: 16px; margin: 10px 0 12px; }
.headline { display: grid; grid-template-columns: 1fr 240px; gap: 18px; align-items: start; }
.meter { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: var(--paper); }
.meter .pct { font-size: 28px; font-weight: 700; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 10px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.override-note { border-inline-start: 4px solid var(--blocked); background: var(--warn-bg); padding: 8px 12px; margin: 10px 0; border-radius: 4px; }
.openlist { columns: 2; column-gap: 28px; margin: 6px 0 0; padding-inline-start: 18px; font-size: 13px; }
.openlist li { break-inside: avoid; margin-bottom: 2px; }
.openlist .sec { color: var(--muted); }
.more { color: var(--muted); font-size: 13px; margin: 4px 0 0; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
.group { font-weight: 600; margin: 14px 0 4px; }
table { width: 100%; border-collapse: collapse; margin: 4px 0 12px; }
thead { display: table-header-group; }
th { text-align: start; font-size: 12px; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 4px 6px; }
td { vertical-align: top; padding: 5px 6px; border-bottom: 1px solid var(--line); }
tr { break-inside: avoid; }
table.chart { table-layout: fixed; }
table.chart td { vertical-align: middle; padding: 4px 6px; }
table.chart td.label { width: 38%; }
table.chart td.bar { width: 34%; }
table.chart td.counts { font-size: 12px; color: var(--muted); white-space: nowrap; }
svg.bar { width: 100%; height: 16px; display: block; }
.seg-done { fill: var(--done); } .seg-na { fill: var(--na); } .seg-blocked { fill: url(#signet-hatch); } .seg-open { fill: var(--open); }
.bar-frame { fill: none; stroke: var(--open-line); stroke-width: 1; }
.hatch-bg { fill: var(--blocked); } .hatch-line { stroke: var(--paper); stroke-width: 2; }
.key { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: var(--muted); margin: 2px 0 10px; }
.key svg { width: 14px; height: 12px; vertical-align: -1px; margin-inline-end: 4px; }
svg.trend { max-width: 100%; height: auto; display: block; margin: 4px 0; }
svg.trend text { fill: var(--muted); font: 11px system-ui, sans-serif; }
svg.trend .col { fill: var(--done); } svg.trend .col.draft { fill: var(--na); }
.changes h3 { margin-top: 14px; }
.changes ul { margin: 4px 0; padding-inline-start: 18px; }
.meta { color: var(--muted); margin: 0 0 8px; }
.desc { margin: 4px 0 10px; }
.desc p { margin: 4px 0; }
.legend { color: var(--muted); font-size: 12px; }
td.num { white-space: nowrap; color: var(--muted); width: 4.5em; }
td.st { white-space: nowrap; width: 7em; }
td.own { width: 11em; overflow-wrap: anywhere; }
.src { color: var(--muted); margin-inline-start: 2px; }
.status { font-weight: 600; font-size: 12px; padding: 1px 7px; border-radius: 4px; color: #fff; border: 1px solid transparent; }
.status.done { background: var(--done); }
.status.not_applicable { background: var(--na); color: #1d2330; }
.status.blocked { background: var(--blocked); }
.status.open { background: transparent; color: var(--ink); border-color: var(--open-line); }
tr.not_applicable .title { text-decoration: line-through; color: var(--muted); }
.tags, .fields, .ev, .note { font-size: 12px; color: var(--muted); margin-top: 2px; }
.ev a { overflow-wrap: anywhere; }
.sig td { font-size: 13px; }
.digest { overflow-wrap: anywhere; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media (max-width: 700px) { main { padding: 16px; } .headline { grid-template-columns: 1fr; } .openlist { columns: 1; } }
@media print {
  :root { --ink:#000; --muted:#333; --line:#bbb; --paper:#fff; --page:#fff; --card:#fff; --done:#1e7a45; --na:#b5bbc5; --blocked:#b3261e;
    --open:#fff; --open-line:#555; --accent:#000; --warn-bg:#fff; --ok-bg:#fff; --draft-bg:#fff; --draft-ink:#000; }
  body { background: #fff; font-size: 11px; }
  main { max-width: none; padding: 0; }
  .cover { break-after: page; border: 0; padding: 0; }
  h2 { break-before: auto; }
  .status, svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .status.done, .status.blocked { color: #fff; }
  a { color: inherit; }
}
"#;

fn status_badge(s: Status) -> String {
    let label = match s {
        Status::Done => "✓ done",
        Status::NotApplicable => "n/a",
        Status::Blocked => "blocked",
        Status::Open => "open",
    };
    format!("<span class=\"status {}\">{label}</span>", s.as_str())
}

fn evidence_html(target: &str, label: Option<&str>) -> String {
    let shown = escape(label.unwrap_or(target));
    if is_safe_link(target) {
        format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{shown}</a>",
            escape(target.trim())
        )
    } else if evidence_note(target).is_some() {
        escape(target.trim())
    } else {
        // Anything else (older paths and ticket ids, hostless or hostile
        // links) is inert text.
        format!("<code>{}</code>", escape(target))
    }
}

fn item_row(out: &mut String, item: &ItemReport) {
    let pad = item.depth.min(8) as f32 * 1.2;
    let mark = if from_source(item) {
        format!("<span class=\"src\">{PROVENANCE_MARK}</span>")
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "<tr class=\"{}\"><td class=\"num\">{}</td><td><div class=\"title\" style=\"padding-inline-start:{pad}em\">{}{mark}</div>",
        item.status.as_str(),
        escape(&item.number),
        inline_html(&item.title)
    );
    let indent = format!(" style=\"padding-inline-start:{pad}em\"");
    // The owner has its own column.
    let tags: Vec<String> = item_tags(item)
        .iter()
        .filter(|t| !t.starts_with("owner:"))
        .map(|t| escape(t))
        .collect();
    if !tags.is_empty() {
        let _ = write!(
            out,
            "<div class=\"tags\"{indent}>{}</div>",
            tags.join(" · ")
        );
    }
    let fields: Vec<String> = item
        .fields
        .iter()
        .filter(|f| !f.value.is_empty())
        .map(|f| format!("{}: {}", escape(&f.name), inline_html(&f.value)))
        .collect();
    if !fields.is_empty() {
        let _ = write!(
            out,
            "<div class=\"fields\"{indent}>{}</div>",
            fields.join(" · ")
        );
    }
    for e in &item.evidence {
        let _ = write!(
            out,
            "<div class=\"ev\"{indent}>evidence: {}</div>",
            evidence_html(&e.target, e.label.as_deref())
        );
    }
    for note in item.notes.lines().filter(|l| !l.trim().is_empty()) {
        let _ = write!(
            out,
            "<div class=\"note\"{indent}>note: {}</div>",
            escape(note)
        );
    }
    let _ = writeln!(
        out,
        "</td><td class=\"st\">{}</td><td class=\"own\">{}</td></tr>",
        status_badge(item.status),
        escape(&owner_text(item).unwrap_or_default())
    );
}

/// The hatching that marks blocked work: told apart from done and n/a by
/// its stripes, not only its colour, so a grayscale print still reads.
const PATTERNS: &str = "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs><pattern id=\"signet-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect class=\"hatch-bg\" width=\"6\" height=\"6\"/><line class=\"hatch-line\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\"/></pattern></defs></svg>\n";

fn segment_class(s: Status) -> &'static str {
    match s {
        Status::Done => "seg-done",
        Status::NotApplicable => "seg-na",
        Status::Blocked => "seg-blocked",
        Status::Open => "seg-open",
    }
}

/// One stacked bar, 100 units wide, scaled by CSS.
fn bar_svg(c: &Counts) -> String {
    let mut svg = String::from(
        "<svg class=\"bar\" viewBox=\"0 0 100 16\" preserveAspectRatio=\"none\" aria-hidden=\"true\">",
    );
    let total = c.total.max(1) as f32;
    let mut x = 0.0f32;
    for (status, n) in chart::segments(c) {
        if n == 0 {
            continue;
        }
        let w = 100.0 * n as f32 / total;
        let _ = write!(
            svg,
            "<rect class=\"{}\" x=\"{x:.2}\" y=\"0\" width=\"{w:.2}\" height=\"16\"/>",
            segment_class(status)
        );
        x += w;
    }
    svg.push_str("<rect class=\"bar-frame\" x=\"0.5\" y=\"0.5\" width=\"99\" height=\"15\" vector-effect=\"non-scaling-stroke\"/></svg>");
    svg
}

fn chart_key() -> String {
    let mut out = String::from("<div class=\"key\">");
    for (status, name) in [
        (Status::Done, "done"),
        (Status::NotApplicable, "n/a"),
        (Status::Blocked, "blocked"),
        (Status::Open, "open"),
    ] {
        let _ = write!(
            out,
            "<span><svg viewBox=\"0 0 14 12\" aria-hidden=\"true\"><rect class=\"{}\" width=\"14\" height=\"12\"/><rect class=\"bar-frame\" x=\"0.5\" y=\"0.5\" width=\"13\" height=\"11\"/></svg>{name}</span>",
            segment_class(status)
        );
    }
    out.push_str("</div>");
    out
}

/// One bar per section, named by the section's own title, under its
/// checklist's title; counts written out beside each bar.
fn chart(report: &Report) -> String {
    let groups = chart::groups(report);
    if groups.is_empty() {
        return String::new();
    }
    let mut out = String::from("<section class=\"chart\"><h2>Progress by section</h2>\n");
    out.push_str(&chart_key());
    for g in &groups {
        let _ = write!(
            out,
            "<div class=\"group\" dir=\"auto\">{}</div>\n<table class=\"chart\"><tbody>\n",
            escape(g.title)
        );
        for b in &g.bars {
            let _ = writeln!(
                out,
                "<tr><td class=\"label\" dir=\"auto\">{}. {}</td><td class=\"bar\" title=\"{}\">{}</td><td class=\"counts\"><strong>{}%</strong> · {}</td></tr>",
                escape(b.number),
                escape(b.label),
                escape(&counts_text(&b.counts)),
                bar_svg(&b.counts),
                b.counts.percent,
                escape(&counts_text(&b.counts))
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
    out
}

/// The progress of the last releases, one column each, oldest first.
fn trend_svg(points: &[TrendPoint]) -> String {
    const COL: f32 = 90.0;
    const H: f32 = 90.0;
    let w = COL * points.len() as f32;
    let mut svg = format!(
        "<svg class=\"trend\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Progress of the last releases\">",
        h = H + 34.0
    );
    for (i, p) in points.iter().enumerate() {
        let x = i as f32 * COL + 20.0;
        let h = H * p.percent.min(100) as f32 / 100.0;
        let class = if p.signed_off { "col" } else { "col draft" };
        let _ = write!(
            svg,
            "<rect class=\"bar-frame\" x=\"{x:.1}\" y=\"14\" width=\"50\" height=\"{H}\"/><rect class=\"{class}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"50\" height=\"{h:.1}\"/><text x=\"{:.1}\" y=\"10\" text-anchor=\"middle\">{}%</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            14.0 + H - h,
            x + 25.0,
            p.percent,
            x + 25.0,
            H + 30.0,
            escape(&p.release)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn comparison(report: &Report) -> String {
    let Some(c) = &report.comparison else {
        return String::new();
    };
    let mut out = format!(
        "<section class=\"changes\"><h2>Since {}</h2>\n<p>{}</p>\n",
        escape(&c.base),
        escape(&comparison_line(c))
    );
    let trend = chart::trend(report);
    if trend.len() > 1 {
        let _ = writeln!(
            out,
            "<h3>Progress of the last releases</h3>{}<p class=\"legend\">Filled: signed off; grey: not signed off.</p>",
            trend_svg(trend)
        );
    }
    for (heading, list) in change_lists(c) {
        if list.total == 0 {
            continue;
        }
        let _ = write!(out, "<h3>{heading} ({})</h3><ul>", list.total);
        for ch in list.items.iter().take(CHANGES_LISTED) {
            let _ = write!(out, "<li dir=\"auto\">{}</li>", escape(&change_line(ch)));
        }
        out.push_str("</ul>");
        let more = list.total - list.items.len().min(CHANGES_LISTED);
        if more > 0 {
            let _ = write!(out, "<p class=\"more\">+{more} more</p>");
        }
        out.push('\n');
    }
    out.push_str("</section>\n");
    out
}

fn brand(report: &Report) -> String {
    let Some(b) = &report.branding else {
        return String::new();
    };
    let mut out = String::from("<div class=\"brand\">");
    if let Some(logo) = &b.logo {
        // An <img> runs no script and loads nothing, whatever an SVG holds.
        let _ = write!(
            out,
            "<img src=\"{}\" alt=\"{}\">",
            escape(&data_url(logo)),
            escape(b.org_name.as_deref().unwrap_or("logo"))
        );
    }
    let mut names = Vec::new();
    if let Some(org) = &b.org_name {
        names.push(format!(
            "<span class=\"org\" dir=\"auto\">{}</span>",
            escape(org)
        ));
    }
    if let Some(client) = &b.client_name {
        names.push(format!("<span dir=\"auto\">for {}</span>", escape(client)));
    }
    out.push_str(&names.join(" "));
    out.push_str("</div>\n");
    out
}

/// "Can we ship?": verdict, progress, who signed, the override, open items.
fn cover_html(report: &Report, seal: Option<&Seal>) -> String {
    let c = cover(report, seal);
    let mut out = String::from("<section class=\"cover\">\n");
    let _ = writeln!(
        out,
        "<h2>Can we ship?</h2><span class=\"verdict {}\">{}</span><p class=\"answer\">{}</p>",
        c.verdict.class(),
        escape(c.verdict.label()),
        escape(&c.answer())
    );
    out.push_str("<div class=\"headline\"><dl class=\"facts\">");
    let _ = write!(
        out,
        "<dt>Release</dt><dd dir=\"auto\">{}</dd>",
        escape(c.release)
    );
    if let Some(due) = c.due_date {
        let _ = write!(out, "<dt>Due</dt><dd>{}</dd>", escape(due));
    }
    for s in c.signers {
        let _ = write!(
            out,
            "<dt>Signed by</dt><dd dir=\"auto\">{}</dd>",
            escape(&signer_line(s))
        );
    }
    let when = if report.is_draft() {
        "Generated"
    } else {
        "Frozen"
    };
    let _ = write!(
        out,
        "<dt>{when}</dt><dd>{}</dd>",
        escape(&when_text(&report.generated_at))
    );
    if let Some(d) = seal.map(|s| s.digest.as_str()) {
        let _ = write!(out, "<dt>Digest</dt><dd><code>{}</code></dd>", escape(d));
    }
    let _ = writeln!(
        out,
        "</dl><div class=\"meter\"><div class=\"pct\">{}%</div>{}<div class=\"legend\">{}<br>{}</div></div></div>",
        c.progress.percent,
        bar_svg(&c.progress),
        escape(&progress_line(&c.progress)),
        escape(&counts_text(&c.progress))
    );
    if let Some(line) = c.override_line() {
        let _ = writeln!(
            out,
            "<p class=\"override-note\" dir=\"auto\"><strong>{}</strong></p>",
            escape(&line)
        );
    }
    let (shown, more) = c.open_shown(COVER_OPEN_ITEMS);
    if !shown.is_empty() {
        let _ = write!(
            out,
            "<h3>Open items ({})</h3><ul class=\"openlist\">",
            c.open_items.len()
        );
        for i in shown {
            let mut sec = String::new();
            if let Some(ch) = i.checklist {
                sec.push_str(&escape(ch));
                sec.push_str(" › ");
            }
            sec.push_str(&escape(i.section));
            let state = if i.status == Status::Open {
                String::new()
            } else {
                format!(" <em>({})</em>", i.status.label())
            };
            let _ = write!(
                out,
                "<li dir=\"auto\"><span class=\"sec\">{sec} ›</span> {} {}{state}</li>",
                escape(i.number),
                escape(i.title)
            );
        }
        out.push_str("</ul>");
        if more > 0 {
            let _ = write!(out, "<p class=\"more\">+{more} more, listed below.</p>");
        }
        out.push('\n');
    }
    out.push_str("</section>\n");
    out
}

/// Text as a CSS string literal: everything outside plain ASCII letters,
/// digits, spaces and safe punctuation is a hex escape, so no name can end
/// the string or the `<style>` element.
fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || " .,:;-_()/#+=@!?'".contains(c) {
            out.push(c);
        } else {
            let _ = write!(out, "\\{:x} ", c as u32);
        }
    }
    out.push('"');
    out
}

/// Printed pages get a running header (with the branding) and page
/// numbers (CSS page margin boxes; browsers without them print without).
fn page_rules(report: &Report, seal: Option<&Seal>) -> String {
    let brand = report
        .branding
        .as_ref()
        .and_then(branding_line)
        .map_or(String::new(), |b| format!("{b} · "));
    let header = format!(
        "{brand}Release {} · {}{}",
        report.release.name,
        status_text(report),
        seal.map_or(String::new(), |s| format!(" · {}", short_digest(&s.digest)))
    );
    format!(
        "@page {{ size: A4; margin: 18mm 14mm 16mm; \
@top-left {{ content: {}; font: 9px system-ui, sans-serif; color: #333; }} \
@bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); font: 9px system-ui, sans-serif; color: #333; }} }}\n",
        css_string(&header)
    )
}

/// Every item's row, in report order. Rows are most of a long report's
/// time (a title with a code span or a link goes through the markdown
/// renderer) and `verify` makes them again, so a long report's rows are
/// made on two cores; they are the same either way.
fn item_rows(report: &Report) -> Vec<String> {
    let items: Vec<&ItemReport> = report
        .runs
        .iter()
        .flat_map(|r| &r.sections)
        .flat_map(|s| &s.items)
        .collect();
    let rows = |items: &[&ItemReport]| -> Vec<String> {
        items
            .iter()
            .map(|item| {
                let mut row = String::with_capacity(400);
                item_row(&mut row, item);
                row
            })
            .collect()
    };
    if items.len() < 1000 {
        return rows(&items);
    }
    // The other core also packs the seal comment meanwhile
    // (`with_seal_comment`), so it takes a third.
    let (first, second) = items.split_at(items.len() * 2 / 3);
    std::thread::scope(|s| {
        let later = s.spawn(|| rows(second));
        let mut all = rows(first);
        // A panic there is a bug in `item_row`: raised here as it would be
        // on one thread.
        all.extend(
            later
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        );
        all
    })
}

pub fn render(report: &Report, seal: Option<&Seal>) -> String {
    let r = &report.release;
    let mut rows = item_rows(report).into_iter();
    let mut out = String::with_capacity(8192 + report.progress.total * 400);
    let title = format!("Release {}", r.name);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"color-scheme\" content=\"light dark\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"generator\" content=\"Signet\">\n<title>{} — Signet report</title>\n<style>{STYLE}{}</style>\n</head>\n<body>\n{PATTERNS}",
        escape(&title),
        page_rules(report, seal)
    );
    out.push_str("<main>\n");
    out.push_str(&brand(report));
    let _ = writeln!(out, "<h1 dir=\"auto\">{}</h1>", escape(&title));
    out.push_str(&cover_html(report, seal));
    out.push_str(&chart(report));
    out.push_str(&comparison(report));
    if let Some(legend) = provenance_legend(report) {
        let _ = writeln!(out, "<p class=\"legend\">{}</p>", escape(&legend));
    }
    for run in &report.runs {
        let _ = writeln!(
            out,
            "<h2 dir=\"auto\">{}</h2>\n<p class=\"meta\">{} v{}, from <code>{}</code> — {}</p>",
            escape(&run.title),
            escape(&run.template),
            run.version,
            escape(&run.source),
            escape(&progress_line(&run.progress))
        );
        if !run.description.trim().is_empty() {
            let _ = writeln!(
                out,
                "<div class=\"desc\" dir=\"auto\">{}</div>",
                block_html(&run.description)
            );
        }
        if !run.metadata.is_empty() {
            out.push_str("<dl class=\"facts\">");
            for f in &run.metadata {
                let _ = write!(
                    out,
                    "<dt>{}</dt><dd>{}</dd>",
                    escape(&f.name),
                    inline_html(fact_value(f))
                );
            }
            out.push_str("</dl>\n");
        }
        for s in &run.sections {
            let _ = writeln!(
                out,
                "<h3 dir=\"auto\" style=\"margin-inline-start:{}em\">{}. {} <span class=\"meta\">— {}</span></h3>",
                s.depth.min(6),
                escape(&s.number),
                inline_html(&s.title),
                escape(&progress_line(&s.progress))
            );
            if !s.description.trim().is_empty() {
                let _ = writeln!(
                    out,
                    "<div class=\"desc\" dir=\"auto\" style=\"margin-inline-start:{}em\">{}</div>",
                    s.depth.min(6),
                    block_html(&s.description)
                );
            }
            if s.items.is_empty() {
                continue;
            }
            out.push_str("<table><thead><tr><th>#</th><th>Item</th><th>Status</th><th>Owner</th></tr></thead><tbody>\n");
            for row in rows.by_ref().take(s.items.len()) {
                out.push_str(&row);
            }
            out.push_str("</tbody></table>\n");
        }
    }
    out.push_str("<h2>Sign-off</h2>\n");
    if let Some(roles) = roles_line(report) {
        let _ = writeln!(out, "<p>{}</p>", escape(&roles));
    }
    match seal {
        Some(seal) if !seal.signatures.is_empty() => {
            out.push_str("<table class=\"sig\"><thead><tr><th>Approver</th><th>Role</th><th>Signed at</th><th>Key id</th></tr></thead><tbody>\n");
            for s in &seal.signatures {
                let _ = writeln!(
                    out,
                    "<tr><td dir=\"auto\">{} ({})</td><td dir=\"auto\">{}</td><td>{}</td><td><code>{}</code></td></tr>",
                    escape(&s.name),
                    escape(&s.handle),
                    escape(&s.role),
                    escape(&when_text(&s.signed_at)),
                    escape(&s.key_id)
                );
            }
            let _ = writeln!(
                out,
                "</tbody></table>\n<p class=\"digest\">Report digest <code>{}</code>. Check this file with <code>signet verify</code>.</p>",
                escape(&seal.digest)
            );
        }
        _ => out.push_str("<p>Not signed off. This is a draft; it cannot be verified.</p>\n"),
    }
    out.push_str("<h2>Audit trail</h2>\n<ul>");
    for line in audit_lines(&report.audit) {
        let _ = write!(out, "<li>{}</li>", escape(&line));
    }
    out.push_str("</ul>\n<footer>Made with Signet.</footer>\n</main>\n");
    // The seal comment and CLOSE follow (see report::render).
    out
}

pub const CLOSE: &str = "</body>\n</html>\n";
