//! GitHub-flavoured markdown: pastes cleanly into GitHub, GitLab and
//! Confluence. Task boxes reflect status; only http(s)/mailto become links;
//! a signed report ends with its seal in an HTML comment (invisible when
//! rendered).

use std::fmt::Write;

use super::text::{audit_lines, fact_value, item_tags, progress_line, roles_line, status_text};
use crate::model::{is_safe_link, Status};
use crate::report::model::{ItemReport, Report};
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
    let _ = write!(out, "{indent}- [{boxed}] **{}** {title}", item.number);
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

pub fn render(report: &Report, seal: Option<&Seal>) -> String {
    let r = &report.release;
    let mut out = String::new();
    let _ = writeln!(out, "# Release {}\n", escape_inline(&r.name));
    let mut facts = vec![format!("**Status:** {}", status_text(report))];
    if let Some(due) = &r.due_date {
        facts.push(format!("**Due:** {due}"));
    }
    facts.push(format!("**Progress:** {}", progress_line(&report.progress)));
    let when = if report.is_draft() {
        "Generated"
    } else {
        "Frozen"
    };
    facts.push(format!("**{when}:** {}", report.generated_at));
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    if let Some(o) = &report.override_ {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> **Signed off with an override** by {}: {}\n>\n> {} items were still open:\n>",
            escape_inline(&o.by),
            escape_inline(&o.reason),
            o.open_items.len()
        );
        for item in &o.open_items {
            let _ = writeln!(out, "> - {}", escape_inline(item));
        }
        out.push('\n');
    }
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
