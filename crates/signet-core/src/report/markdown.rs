//! GitHub-flavoured markdown: pastes cleanly into GitHub, GitLab and
//! Confluence. Task boxes reflect status; only http(s)/mailto become links;
//! a signed report ends with its seal in an HTML comment (invisible when
//! rendered).

use std::fmt::Write;

use super::chart;
use super::cover::{cover, open_item_line};
use super::model::{ItemReport, Report};
use super::text::{
    audit_lines, branding_line, change_line, change_lists, comparison_line, counts_text,
    fact_value, from_source, item_tags, progress_line, provenance_legend, roles_line, signer_line,
    when as when_text, PROVENANCE_MARK,
};
use crate::model::{is_safe_link, Status};
use crate::seal::Seal;

/// Deeper nesting renders at this depth: markdown lists stop meaning
/// anything long before, and indentation would grow quadratically.
const MAX_INDENT: usize = 8;

/// Inline text that must not open markdown constructs of its own.
fn escape_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~'
        ) {
            out.push('\\');
        }
        if c == '\n' || c == '\r' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) fn evidence_md(target: &str) -> String {
    if is_safe_link(target) {
        let mut url = String::with_capacity(target.len());
        for c in target.chars() {
            match c {
                ' ' => url.push_str("%20"),
                '(' => url.push_str("%28"),
                ')' => url.push_str("%29"),
                '<' => url.push_str("%3C"),
                '>' => url.push_str("%3E"),
                c => url.push(c),
            }
        }
        format!("[{}]({url})", escape_inline(target))
    } else {
        // Inert: shown as code so no renderer turns it into a link (GFM
        // autolinks bare URLs and addresses, even inside a note).
        let ticks = if target.contains('`') { "``" } else { "`" };
        format!("{ticks}{}{ticks}", target.replace(['\n', '\r'], " "))
    }
}

fn item_line(out: &mut String, item: &ItemReport) {
    let indent = "  ".repeat(item.depth.min(MAX_INDENT));
    let boxed = if item.status.is_closed() { "x" } else { " " };
    let title = item.title.replace(['\n', '\r'], " ");
    let title = if item.status == Status::NotApplicable {
        format!("~~{title}~~")
    } else {
        title
    };
    let mark = if from_source(item) {
        PROVENANCE_MARK
    } else {
        ""
    };
    let _ = write!(out, "{indent}- [{boxed}] **{}** {title}{mark}", item.number);
    let mut tags: Vec<String> = item_tags(item).iter().map(|t| escape_inline(t)).collect();
    if item.status == Status::Blocked {
        tags[0] = format!("**{}**", tags[0]);
    }
    if !tags.is_empty() {
        let _ = write!(out, " — {}", tags.join(" · "));
    }
    out.push('\n');
    for f in &item.fields {
        if !f.value.is_empty() {
            let _ = writeln!(
                out,
                "{indent}  - {}: {}",
                escape_inline(&f.name),
                f.value.replace(['\n', '\r'], " ")
            );
        }
    }
    for e in &item.evidence {
        let label = match &e.label {
            Some(l) => format!("{} ", escape_inline(l)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{indent}  - evidence: {label}{}",
            evidence_md(&e.target)
        );
    }
    for note in item.notes.lines().filter(|l| !l.trim().is_empty()) {
        let _ = writeln!(out, "{indent}  - note: {}", escape_inline(note));
    }
}

/// How many open items the cover lists before "+N more".
const COVER_OPEN_ITEMS: usize = 15;
/// Items listed per kind of change before "+N more".
const CHANGES_LISTED: usize = 25;

/// A text bar of ten cells: `███████░░░`.
pub(crate) fn text_bar(percent: u32) -> String {
    let full = (percent.min(100) as usize + 5) / 10;
    format!("{}{}", "█".repeat(full), "░".repeat(10 - full))
}

/// "Can we ship?": the cover facts every format opens with.
fn cover_block(out: &mut String, report: &Report, seal: Option<&Seal>) {
    let c = cover(report, seal);
    out.push_str("## Can we ship?\n\n");
    let _ = writeln!(
        out,
        "**{}** — {}\n",
        c.verdict.label(),
        escape_inline(&c.answer())
    );
    let mut facts = vec![format!("**Release:** {}", escape_inline(c.release))];
    if let Some(due) = c.due_date {
        facts.push(format!("**Due:** {due}"));
    }
    let _ = writeln!(out, "- {}", facts.join(" · "));
    let _ = writeln!(
        out,
        "- **Progress:** {} {} — {}",
        text_bar(c.progress.percent),
        progress_line(&c.progress),
        counts_text(&c.progress)
    );
    for s in c.signers {
        let _ = writeln!(out, "- **Signed by:** {}", escape_inline(&signer_line(s)));
    }
    if let Some(line) = c.override_line() {
        let _ = writeln!(out, "- **Override:** {}", escape_inline(&line));
    }
    let when = if report.is_draft() {
        "Generated"
    } else {
        "Frozen"
    };
    let _ = writeln!(out, "- **{when}:** {}\n", when_text(&report.generated_at));
    let (shown, more) = c.open_shown(COVER_OPEN_ITEMS);
    if !shown.is_empty() {
        let _ = writeln!(out, "**Open items ({}):**\n", c.open_items.len());
        for i in shown {
            let _ = writeln!(out, "- {}", escape_inline(&open_item_line(i)));
        }
        if more > 0 {
            let _ = writeln!(out, "- +{more} more (listed below)");
        }
        out.push('\n');
    }
}

fn chart_block(out: &mut String, report: &Report) {
    let groups = chart::groups(report);
    if groups.is_empty() {
        return;
    }
    out.push_str("## Progress by section\n\n");
    for g in &groups {
        let _ = writeln!(out, "**{}**\n", escape_inline(g.title));
        out.push_str("| Section | Progress | Done | N/A | Blocked | Open |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
        for b in &g.bars {
            let _ = writeln!(
                out,
                "| {}. {} | {} {}% | {} | {} | {} | {} |",
                b.number,
                escape_inline(b.label),
                text_bar(b.counts.percent),
                b.counts.percent,
                b.counts.done,
                b.counts.not_applicable,
                b.counts.blocked,
                b.counts.open
            );
        }
        out.push('\n');
    }
}

fn comparison_block(out: &mut String, report: &Report) {
    let Some(c) = &report.comparison else {
        return;
    };
    let _ = writeln!(out, "## Since {}\n", escape_inline(&c.base));
    let _ = writeln!(out, "{}\n", escape_inline(&comparison_line(c)));
    let trend = chart::trend(report);
    if trend.len() > 1 {
        out.push_str("| Release | Progress | Closed |\n| --- | --- | ---: |\n");
        for t in trend {
            let _ = writeln!(
                out,
                "| {}{} | {} {}% | {}/{} |",
                escape_inline(&t.release),
                if t.signed_off { " (signed off)" } else { "" },
                text_bar(t.percent),
                t.percent,
                t.closed,
                t.total
            );
        }
        out.push('\n');
    }
    for (heading, list) in change_lists(c) {
        if list.total == 0 {
            continue;
        }
        let _ = writeln!(out, "**{heading} ({}):**\n", list.total);
        for ch in list.items.iter().take(CHANGES_LISTED) {
            let _ = writeln!(out, "- {}", escape_inline(&change_line(ch)));
        }
        let more = list.total - list.items.len().min(CHANGES_LISTED);
        if more > 0 {
            let _ = writeln!(out, "- +{more} more");
        }
        out.push('\n');
    }
}

/// Markdown prose kept as written, one paragraph after another.
fn description(out: &mut String, text: &str) {
    let text = text.trim();
    if !text.is_empty() {
        let _ = writeln!(out, "{text}\n");
    }
}

pub fn render(report: &Report, seal: Option<&Seal>) -> String {
    let r = &report.release;
    let mut out = String::new();
    let _ = writeln!(out, "# Release {}\n", escape_inline(&r.name));
    if let Some(line) = report.branding.as_ref().and_then(branding_line) {
        let _ = writeln!(out, "_{}_\n", escape_inline(&line));
    }
    cover_block(&mut out, report, seal);
    chart_block(&mut out, report);
    comparison_block(&mut out, report);
    if report.runs.len() > 1 {
        out.push_str("| Checklist | Progress |\n| --- | --- |\n");
        for run in &report.runs {
            let _ = writeln!(
                out,
                "| {} | {} |",
                escape_inline(&run.title),
                progress_line(&run.progress)
            );
        }
        out.push('\n');
    }
    if let Some(legend) = provenance_legend(report) {
        let _ = writeln!(out, "_{}_\n", escape_inline(&legend));
    }
    for run in &report.runs {
        let _ = writeln!(
            out,
            "## {}\n\n_{} v{}, from `{}` — {}_\n",
            escape_inline(&run.title),
            run.template,
            run.version,
            run.source.replace('`', "'"),
            progress_line(&run.progress)
        );
        description(&mut out, &run.description);
        for f in &run.metadata {
            let _ = writeln!(
                out,
                "- **{}:** {}",
                escape_inline(&f.name),
                fact_value(f).replace(['\n', '\r'], " ")
            );
        }
        if !run.metadata.is_empty() {
            out.push('\n');
        }
        for s in &run.sections {
            let hashes = "#".repeat((3 + s.depth).min(6));
            let _ = writeln!(
                out,
                "{hashes} {}. {} — {}\n",
                s.number,
                s.title.replace(['\n', '\r'], " "),
                progress_line(&s.progress)
            );
            description(&mut out, &s.description);
            for item in &s.items {
                item_line(&mut out, item);
            }
            if !s.items.is_empty() {
                out.push('\n');
            }
        }
    }
    out.push_str("## Sign-off\n\n");
    if let Some(roles) = roles_line(report) {
        let _ = writeln!(out, "{}\n", escape_inline(&roles));
    }
    match seal {
        Some(seal) if !seal.signatures.is_empty() => {
            out.push_str("| Approver | Role | Signed at | Key id |\n| --- | --- | --- | --- |\n");
            for s in &seal.signatures {
                let _ = writeln!(
                    out,
                    "| {} ({}) | {} | {} | `{}` |",
                    escape_inline(&s.name),
                    escape_inline(&s.handle),
                    escape_inline(&s.role),
                    s.signed_at,
                    s.key_id
                );
            }
            let _ = writeln!(
                out,
                "\nReport digest: `{}`. Check this file with `signet verify`.\n",
                seal.digest
            );
        }
        _ => out.push_str("Not signed off. This is a draft; it cannot be verified.\n\n"),
    }
    out.push_str("## Audit trail\n\n");
    for line in audit_lines(&report.audit) {
        let _ = writeln!(out, "- {}", escape_inline(&line));
    }
    if seal.is_some() {
        // The seal comment follows (see report::render).
        out.push('\n');
    }
    out
}
