//! GitHub-flavoured markdown export: pastes cleanly into GitHub, GitLab and
//! Confluence. Task boxes reflect status; only http(s)/mailto become links.

use std::fmt::Write;

use crate::model::{is_safe_link, ItemView, Progress, ReleaseView, SectionView, Status};

fn progress_line(p: &Progress) -> String {
    let mut s = format!("{}/{} closed ({}%)", p.closed(), p.total, p.percent());
    if p.blocked > 0 {
        let _ = write!(s, ", {} blocked", p.blocked);
    }
    s
}

/// Inline text that must not open markdown constructs of its own.
fn escape_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#'
        ) {
            out.push('\\');
        }
        if c == '\n' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) fn evidence_md(target: &str) -> String {
    if is_safe_link(target) {
        let url: String = target
            .chars()
            .map(|c| match c {
                ' ' => "%20".to_string(),
                '(' => "%28".to_string(),
                ')' => "%29".to_string(),
                '<' => "%3C".to_string(),
                '>' => "%3E".to_string(),
                c => c.to_string(),
            })
            .collect();
        format!("[{}]({url})", escape_inline(target))
    } else {
        // Inert: shown as code so no renderer turns it into a link.
        let ticks = if target.contains('`') { "``" } else { "`" };
        format!("{ticks}{}{ticks}", target.replace('\n', " "))
    }
}

fn item_line(out: &mut String, item: &ItemView, depth: usize) {
    let indent = "  ".repeat(depth);
    let boxed = if item.status.is_closed() { "x" } else { " " };
    let title = if item.status == Status::NotApplicable {
        format!("~~{}~~", item.title)
    } else {
        item.title.clone()
    };
    let _ = write!(out, "{indent}- [{boxed}] **{}** {title}", item.number);
    let mut tags: Vec<String> = Vec::new();
    match item.status {
        Status::NotApplicable => tags.push(format!(
            "n/a: {}",
            escape_inline(item.reason.as_deref().unwrap_or(""))
        )),
        Status::Blocked => tags.push(format!(
            "**blocked**: {}",
            escape_inline(item.reason.as_deref().unwrap_or(""))
        )),
        _ => {}
    }
    if let Some(o) = &item.owner {
        tags.push(format!("owner: {}", escape_inline(o)));
    }
    if item.initially_checked {
        tags.push("checked in source".into());
    }
    if !tags.is_empty() {
        let _ = write!(out, " — {}", tags.join(" · "));
    }
    out.push('\n');
    for f in &item.fields {
        if !f.value.is_empty() {
            let _ = writeln!(out, "{indent}  - {}: {}", escape_inline(&f.name), f.value);
        }
    }
    for e in &item.evidence {
        let _ = writeln!(out, "{indent}  - evidence: {}", evidence_md(&e.target));
    }
    for note in item.notes.lines().filter(|l| !l.trim().is_empty()) {
        let _ = writeln!(out, "{indent}  - note: {}", escape_inline(note));
    }
}

fn section_md(out: &mut String, root: &SectionView, base_level: usize) {
    let mut stack: Vec<(&SectionView, usize)> = vec![(root, base_level)];
    while let Some((s, level)) = stack.pop() {
        let hashes = "#".repeat(level.min(6));
        let _ = writeln!(
            out,
            "{hashes} {}. {} — {}\n",
            s.number,
            s.title,
            progress_line(&s.progress)
        );
        let mut items: Vec<(&ItemView, usize)> = s.items.iter().rev().map(|i| (i, 0)).collect();
        let any = !items.is_empty();
        while let Some((item, depth)) = items.pop() {
            item_line(out, item, depth);
            items.extend(item.items.iter().rev().map(|c| (c, depth + 1)));
        }
        if any {
            out.push('\n');
        }
        stack.extend(s.sections.iter().rev().map(|c| (c, level + 1)));
    }
}

pub fn render(view: &ReleaseView, generated_at: &str) -> String {
    let r = &view.release;
    let mut out = String::new();
    let _ = writeln!(out, "# Release {}\n", escape_inline(&r.name));
    let mut facts = vec![format!(
        "**Status:** {}",
        r.status.as_str().replace('_', " ")
    )];
    if let Some(due) = &r.due_date {
        facts.push(format!("**Due:** {due}"));
    }
    facts.push(format!("**Progress:** {}", progress_line(&view.progress)));
    facts.push(format!("**Generated:** {generated_at}"));
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    if view.runs.len() > 1 {
        out.push_str("| Checklist | Progress |\n| --- | --- |\n");
        for run in &view.runs {
            let _ = writeln!(
                out,
                "| {} | {} |",
                escape_inline(&run.template.title),
                progress_line(&run.progress)
            );
        }
        out.push('\n');
    }
    for run in &view.runs {
        let t = &run.template;
        let _ = writeln!(
            out,
            "## {} \n\n_{} v{}, from `{}` — {}_\n",
            escape_inline(&t.title),
            t.slug,
            t.version,
            t.source_name.replace('`', "'"),
            progress_line(&run.progress)
        );
        for s in &run.sections {
            section_md(&mut out, s, 3);
        }
    }
    out
}
