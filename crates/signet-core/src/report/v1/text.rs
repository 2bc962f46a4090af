//! Wording shared by the markdown, HTML and PDF renderers, so the three say
//! the same thing in the same words.

use crate::report::model::{Audit, Counts, FieldReport, ItemReport, Report};

/// The progress chart's bars: each run's top-level sections, labelled
/// `number. title` (prefixed with the checklist when there are several).
pub fn chart_rows(report: &Report) -> Vec<(String, Counts)> {
    report
        .runs
        .iter()
        .flat_map(|run| {
            let prefix = if report.runs.len() > 1 {
                format!("{}: ", run.title)
            } else {
                String::new()
            };
            run.sections
                .iter()
                .filter(|s| s.depth == 0)
                .map(move |s| (format!("{prefix}{}. {}", s.number, s.plain), s.progress))
        })
        .collect()
}
use crate::model::Status;

pub fn progress_line(p: &Counts) -> String {
    let mut s = format!("{}/{} closed ({}%)", p.closed(), p.total, p.percent);
    if p.blocked > 0 {
        s.push_str(&format!(", {} blocked", p.blocked));
    }
    s
}

pub fn status_text(report: &Report) -> String {
    if report.is_draft() {
        format!(
            "DRAFT — not signed off (release is {})",
            report.release.status.replace('_', " ")
        )
    } else {
        format!("Signed off — revision {}", report.revision)
    }
}

/// `owner: ana · n/a: reason · checked in source` — the facts after a title.
pub fn item_tags(item: &ItemReport) -> Vec<String> {
    let mut tags = Vec::new();
    match item.status {
        Status::NotApplicable => {
            tags.push(format!("n/a: {}", item.reason.as_deref().unwrap_or("")))
        }
        Status::Blocked => tags.push(format!("blocked: {}", item.reason.as_deref().unwrap_or(""))),
        _ => {}
    }
    if let Some(o) = &item.owner {
        tags.push(format!("owner: {o}"));
    }
    if item.initially_checked {
        tags.push("checked in source".into());
    }
    tags
}

/// A checklist fact's value as shown; one still to be filled in reads as a
/// dash.
pub fn fact_value(f: &FieldReport) -> &str {
    let v = f.value.trim();
    if v.is_empty() {
        "—"
    } else {
        v
    }
}

/// The approver roles the report's checklists name, first mention first;
/// None when they name none (the renderers then say nothing, as before).
pub fn roles_line(report: &Report) -> Option<String> {
    let mut roles: Vec<&str> = Vec::new();
    for r in report.runs.iter().flat_map(|run| &run.approver_roles) {
        if !roles.contains(&r.as_str()) {
            roles.push(r);
        }
    }
    (!roles.is_empty())
        .then(|| format!("The checklist asks for sign-off by: {}.", roles.join(", ")))
}

pub fn audit_lines(a: &Audit) -> Vec<String> {
    let mut lines = Vec::new();
    match (&a.first_at, &a.last_at) {
        (Some(first), Some(last)) => lines.push(format!(
            "{} events for this release, from {first} to {last}.",
            a.events
        )),
        _ => lines.push("No events recorded for this release.".into()),
    }
    if !a.actors.is_empty() {
        let who: Vec<String> = a
            .actors
            .iter()
            .map(|t| format!("{} ({})", t.name, t.count))
            .collect();
        lines.push(format!("By: {}.", who.join(", ")));
    }
    if !a.actions.is_empty() {
        let what: Vec<String> = a
            .actions
            .iter()
            .map(|t| format!("{} {}", t.name, t.count))
            .collect();
        lines.push(format!("Actions: {}.", what.join(", ")));
    }
    lines.push(format!(
        "Hash chain {} at report time; head {}.",
        if a.chain_verified {
            "verified"
        } else {
            "BROKEN"
        },
        a.head_hash
    ));
    lines
}

/// Short form of a long hex digest for headers.
pub fn short_digest(d: &str) -> &str {
    let end = d.char_indices().nth(19).map_or(d.len(), |(i, _)| i);
    &d[..end]
}
