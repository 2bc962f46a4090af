//! One self-contained HTML file: inline CSS, an inline SVG chart, no
//! scripts, no external requests (its own CSP says so to the browser).
//! Prints well: running header and page numbers, no item split across pages, section
//! headings kept with their first rows.

use std::fmt::Write;

use super::text::{
    audit_lines, chart_rows, fact_value, item_tags, progress_line, roles_line, short_digest,
    status_text,
};
use crate::model::{evidence_note, is_safe_link, Status};
use crate::render::{escape, inline_html};
use crate::report::model::{ItemReport, Report};
use crate::seal::Seal;

const STYLE: &str = r#"
:root { --ink:#1d2330; --muted:#5b6475; --line:#dfe3ea; --done:#1f8a4c; --na:#8a93a3; --blocked:#c2362b; --open:#d9a21b; --accent:#2f5bd3; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0; background: #f6f7f9; }
main { max-width: 1000px; margin: 0 auto; padding: 32px 40px 48px; background: #fff; }
h1 { font-size: 28px; margin: 0 0 6px; }
h2 { font-size: 20px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); break-after: avoid; }
h3 { font-size: 15px; margin: 20px 0 6px; break-after: avoid; }
.badge { display: inline-block; padding: 3px 10px; border-radius: 999px; font-weight: 600; font-size: 13px; }
.badge.signed { background: #e3f4ea; color: var(--done); border: 1px solid #b9e2c8; }
.badge.draft { background: #fff4d6; color: #8a6100; border: 1px solid #f1d48a; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 14px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
.override { border: 2px solid var(--blocked); background: #fdeceb; border-radius: 6px; padding: 10px 14px; margin: 16px 0; }
.override strong { color: var(--blocked); }
.override ul { columns: 2; column-gap: 24px; margin: 6px 0 0; padding-left: 18px; font-size: 13px; }
.chart svg { width: 100%; height: auto; }
.meta { color: var(--muted); margin: 0 0 8px; }
table { width: 100%; border-collapse: collapse; margin: 4px 0 12px; }
thead { display: table-header-group; }
th { text-align: left; font-size: 12px; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 4px 6px; }
td { vertical-align: top; padding: 5px 6px; border-bottom: 1px solid var(--line); }
tr { break-inside: avoid; }
td.num { white-space: nowrap; color: var(--muted); width: 4.5em; }
td.st { white-space: nowrap; width: 7em; }
td.own { width: 9em; overflow-wrap: anywhere; }
.status { font-weight: 600; font-size: 12px; padding: 1px 7px; border-radius: 4px; color: #fff; }
.status.done { background: var(--done); }
.status.not_applicable { background: var(--na); }
.status.blocked { background: var(--blocked); }
.status.open { background: #fff; color: #7a5a00; border: 1px solid var(--open); }
tr.not_applicable .title { text-decoration: line-through; color: var(--muted); }
.tags, .fields, .ev, .note { font-size: 12px; color: var(--muted); margin-top: 2px; }
.ev a { color: var(--accent); overflow-wrap: anywhere; }
.sig td { font-size: 13px; }
.digest { overflow-wrap: anywhere; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print {
  body { background: #fff; font-size: 11px; }
  main { max-width: none; padding: 0; }
  h2 { break-before: auto; }
  .status { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .ev a { color: var(--ink); }
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
    let _ = write!(
        out,
        "<tr class=\"{}\"><td class=\"num\">{}</td><td><div class=\"title\" style=\"padding-left:{pad}em\">{}</div>",
        item.status.as_str(),
        escape(&item.number),
        inline_html(&item.title)
    );
    let tags = item_tags(item);
    let indent = format!(" style=\"padding-left:{pad}em\"");
    if !tags.is_empty() {
        let tags: Vec<String> = tags
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
        escape(item.owner.as_deref().unwrap_or(""))
    );
}

/// Horizontal stacked bars, one per top-level section of each run.
fn chart(report: &Report) -> String {
    let rows = chart_rows(report);
    if rows.is_empty() {
        return String::new();
    }
    const W: f32 = 920.0;
    const LABEL: f32 = 300.0;
    const BAR: f32 = 520.0;
    const ROW: f32 = 24.0;
    let h = ROW * rows.len() as f32 + 30.0;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {W} {h}\" role=\"img\" aria-label=\"Progress by section\" font-family=\"system-ui, sans-serif\" font-size=\"12\">"
    );
    for (i, (label, p)) in rows.iter().enumerate() {
        let y = i as f32 * ROW;
        let short: String = if label.chars().count() > 46 {
            label.chars().take(45).collect::<String>() + "…"
        } else {
            label.clone()
        };
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{:.1}\" fill=\"#1d2330\">{}</text>",
            y + 15.0,
            escape(&short)
        );
        let total = p.total.max(1) as f32;
        let mut x = LABEL;
        let _ = write!(
            svg,
            "<rect x=\"{LABEL}\" y=\"{:.1}\" width=\"{BAR}\" height=\"14\" rx=\"3\" fill=\"#f1f3f6\" stroke=\"#dfe3ea\"/>",
            y + 4.0
        );
        for (n, colour) in [
            (p.done, "#1f8a4c"),
            (p.not_applicable, "#8a93a3"),
            (p.blocked, "#c2362b"),
        ] {
            if n == 0 {
                continue;
            }
            let w = BAR * n as f32 / total;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"14\" fill=\"{colour}\"/>",
                y + 4.0
            );
            x += w;
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#5b6475\">{}/{} · {}%</text>",
            LABEL + BAR + 10.0,
            y + 15.0,
            p.closed(),
            p.total,
            p.percent
        );
    }
    let ly = ROW * rows.len() as f32 + 14.0;
    let mut lx = LABEL;
    for (name, colour) in [
        ("done", "#1f8a4c"),
        ("n/a", "#8a93a3"),
        ("blocked", "#c2362b"),
        ("open", "#f1f3f6"),
    ] {
        let _ = write!(
            svg,
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{colour}\" stroke=\"#dfe3ea\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#5b6475\">{name}</text>",
            ly - 9.0,
            lx + 14.0,
            ly
        );
        lx += 80.0;
    }
    svg.push_str("</svg>");
    format!("<section class=\"chart\"><h2>Progress by section</h2>{svg}</section>\n")
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

/// Printed pages get a running header and page numbers (CSS page margin
/// boxes; browsers without them just print the page without).
fn page_rules(report: &Report, seal: Option<&Seal>) -> String {
    let header = format!(
        "Signet report · Release {} · {}{}",
        report.release.name,
        status_text(report),
        seal.map_or(String::new(), |s| format!(" · {}", short_digest(&s.digest)))
    );
    format!(
        "@page {{ size: A4; margin: 18mm 14mm 16mm; \
@top-left {{ content: {}; font: 9px system-ui, sans-serif; color: #5b6475; }} \
@bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); font: 9px system-ui, sans-serif; color: #5b6475; }} }}\n",
        css_string(&header)
    )
}

pub fn render(report: &Report, seal: Option<&Seal>) -> String {
    let r = &report.release;
    let mut out = String::with_capacity(4096 + report.progress.total * 400);
    let title = format!("Release {}", r.name);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"generator\" content=\"Signet\">\n<title>{} — Signet report</title>\n<style>{STYLE}{}</style>\n</head>\n<body>\n",
        escape(&title),
        page_rules(report, seal)
    );
    let digest = seal.map(|s| s.digest.as_str());
    out.push_str("<main>\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    let badge = if report.is_draft() { "draft" } else { "signed" };
    let _ = writeln!(
        out,
        "<p><span class=\"badge {badge}\">{}</span></p>",
        escape(&status_text(report))
    );
    out.push_str("<dl class=\"facts\">");
    if let Some(due) = &r.due_date {
        let _ = write!(out, "<dt>Due</dt><dd>{}</dd>", escape(due));
    }
    let _ = write!(
        out,
        "<dt>Progress</dt><dd>{}</dd>",
        escape(&progress_line(&report.progress))
    );
    let when = if report.is_draft() {
        "Generated"
    } else {
        "Frozen"
    };
    let _ = write!(
        out,
        "<dt>{when}</dt><dd>{}</dd>",
        escape(&report.generated_at)
    );
    if let Some(d) = digest {
        let _ = write!(out, "<dt>Digest</dt><dd><code>{}</code></dd>", escape(d));
    }
    out.push_str("</dl>\n");
    if let Some(o) = &report.override_ {
        let _ = write!(
            out,
            "<div class=\"override\"><strong>Signed off with an override</strong> by {}: {}<br>{} items were still open:<ul>",
            escape(&o.by),
            escape(&o.reason),
            o.open_items.len()
        );
        for item in &o.open_items {
            let _ = write!(out, "<li>{}</li>", escape(item));
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str(&chart(report));
    for run in &report.runs {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<p class=\"meta\">{} v{}, from <code>{}</code> — {}</p>",
            escape(&run.title),
            escape(&run.template),
            run.version,
            escape(&run.source),
            escape(&progress_line(&run.progress))
        );
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
                "<h3 style=\"margin-left:{}em\">{}. {} <span class=\"meta\">— {}</span></h3>",
                s.depth.min(6),
                escape(&s.number),
                inline_html(&s.title),
                escape(&progress_line(&s.progress))
            );
            if s.items.is_empty() {
                continue;
            }
            out.push_str("<table><thead><tr><th>#</th><th>Item</th><th>Status</th><th>Owner</th></tr></thead><tbody>\n");
            for item in &s.items {
                item_row(&mut out, item);
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
                    "<tr><td>{} ({})</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                    escape(&s.name),
                    escape(&s.handle),
                    escape(&s.role),
                    escape(&s.signed_at),
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
