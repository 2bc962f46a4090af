//! Wording shared by the markdown, HTML and PDF renderers, so the three say
//! the same thing in the same words.

use super::model::{
    Audit, Branding, ChangeList, Comparison, Counts, FieldReport, ItemChange, ItemReport, Override,
    Report,
};
use crate::seal::Signature;

/// The progress chart's bars: each run's top-level sections, labelled
/// `number. title` (prefixed with the checklist when there are several).
/// Layout 2's PDF still draws these; the other renderers use
/// [`super::chart::groups`], which names each section once.
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

/// `owner: Ana Ruiz (ana) · n/a: reason` — the facts after a title. Where
/// the item's state came from is a mark ([`PROVENANCE_MARK`]) explained
/// once by [`provenance_legend`], not words repeated under every item.
pub fn item_tags(item: &ItemReport) -> Vec<String> {
    let mut tags = Vec::new();
    match item.status {
        Status::NotApplicable => {
            tags.push(format!("n/a: {}", item.reason.as_deref().unwrap_or("")))
        }
        Status::Blocked => tags.push(format!("blocked: {}", item.reason.as_deref().unwrap_or(""))),
        _ => {}
    }
    if let Some(o) = owner_text(item) {
        tags.push(format!("owner: {o}"));
    }
    tags
}

/// The owner as a person's name, the handle (or e-mail) they were given
/// as in brackets: `Ana Ruiz (ana)`. Free-text owners stay as written.
pub fn owner_text(item: &ItemReport) -> Option<String> {
    let owner = item.owner.as_deref()?;
    Some(match &item.owner_name {
        Some(name) => format!("{name} ({owner})"),
        None => owner.to_string(),
    })
}

/// Marks an item whose box was already ticked in the imported checklist.
/// In Windows-1252 too, so the PDF's standard fonts print it.
pub const PROVENANCE_MARK: &str = "†";

/// Whether an item carries [`PROVENANCE_MARK`].
pub fn from_source(item: &ItemReport) -> bool {
    item.initially_checked
}

/// The legend for [`PROVENANCE_MARK`], when any item carries it.
pub fn provenance_legend(report: &Report) -> Option<String> {
    report.items().any(|(_, _, i)| from_source(i)).then(|| {
        format!(
            "{PROVENANCE_MARK} checked in source: the box was already ticked in the imported checklist."
        )
    })
}

/// `Signed off with an override by Ana Ruiz (ana), Tech lead: reason`.
/// Reports frozen before the approver was recorded name who ran the
/// command, as they said then.
pub fn override_line(o: &Override) -> String {
    let who = match &o.by_name {
        Some(name) => format!("{name} ({})", o.by),
        None => o.by.clone(),
    };
    let role = o
        .role
        .as_deref()
        .map_or(String::new(), |r| format!(", {r}"));
    format!("Signed off with an override by {who}{role}: {}", o.reason)
}

/// `Ana Ruiz (ana), Tech lead, 2026-11-26 12:00 UTC`.
pub fn signer_line(s: &Signature) -> String {
    format!(
        "{} ({}), {}, {}",
        s.name,
        s.handle,
        s.role,
        when(&s.signed_at)
    )
}

/// An RFC 3339 UTC time as people read it: `2026-11-26 12:00 UTC`.
pub fn when(rfc3339: &str) -> String {
    match rfc3339.split_once('T') {
        Some((date, time)) if rfc3339.ends_with('Z') && time.len() >= 5 => {
            format!("{date} {} UTC", &time[..5])
        }
        _ => rfc3339.to_string(),
    }
}

/// `Prepared by Acme Consulting for Globex`; None without names.
pub fn branding_line(b: &Branding) -> Option<String> {
    match (&b.org_name, &b.client_name) {
        (Some(org), Some(client)) => Some(format!("Prepared by {org} for {client}")),
        (Some(org), None) => Some(format!("Prepared by {org}")),
        (None, Some(client)) => Some(format!("Prepared for {client}")),
        (None, None) => None,
    }
}

/// `12 done · 2 n/a · 1 blocked · 3 open` (n/a and blocked only when some).
pub fn counts_text(c: &Counts) -> String {
    let mut parts = vec![format!("{} done", c.done)];
    if c.not_applicable > 0 {
        parts.push(format!("{} n/a", c.not_applicable));
    }
    if c.blocked > 0 {
        parts.push(format!("{} blocked", c.blocked));
    }
    parts.push(format!("{} open", c.open));
    parts.join(" · ")
}

/// `Since v2.3.0 (revision 1): 3 newly done, 1 regressed, 2 added, 1 removed.`
pub fn comparison_line(c: &Comparison) -> String {
    let base = if c.base_revision > 0 {
        format!("{} (revision {})", c.base, c.base_revision)
    } else {
        format!("{} (as it stood, not signed off)", c.base)
    };
    format!(
        "Since {base}: {} newly done, {} regressed, {} added, {} removed.",
        c.newly_done.total, c.regressed.total, c.added.total, c.removed.total
    )
}

/// The comparison's lists with their headings, in the order shown.
pub fn change_lists(c: &Comparison) -> [(&'static str, &ChangeList); 4] {
    [
        ("Newly done", &c.newly_done),
        ("Regressed", &c.regressed),
        ("Added", &c.added),
        ("Removed", &c.removed),
    ]
}

/// `Operations › 2.3 Backups restore (open → done)`.
pub fn change_line(c: &ItemChange) -> String {
    let states = match (c.was, c.status) {
        (Some(was), Some(now)) => format!(" ({} → {})", was.label(), now.label()),
        (None, Some(now)) => format!(" ({})", now.label()),
        (Some(was), None) => format!(" (was {})", was.label()),
        (None, None) => String::new(),
    };
    format!("{} › {} {}{states}", c.section, c.number, c.title)
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
