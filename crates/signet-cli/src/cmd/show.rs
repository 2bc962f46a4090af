use std::process::ExitCode;

use signet_core::model::{ItemView, SectionView, Status};
use signet_core::owners::Wanted;

use super::release::bar;
use super::Ctx;
use crate::cli::ShowArgs;
use crate::error::Result;
use crate::out;

pub fn marker(status: Status) -> &'static str {
    match status {
        Status::Open => "[ ]",
        Status::Done => "[x]",
        Status::NotApplicable => "[-]",
        Status::Blocked => "[!]",
    }
}

struct Filter<'a> {
    status: Option<Status>,
    owner: Option<Wanted<'a>>,
}

impl Filter<'_> {
    fn active(&self) -> bool {
        self.status.is_some() || self.owner.is_some()
    }
    fn matches(&self, item: &ItemView) -> bool {
        self.status.is_none_or(|s| s == item.status)
            && self.owner.as_ref().is_none_or(|wanted| {
                item.owner
                    .as_deref()
                    .is_some_and(|owner| wanted.owns(owner))
            })
    }
}

fn item_line(item: &ItemView, depth: usize, keys: bool) -> String {
    let mut s = format!(
        "{}{} {:<7} {}",
        "  ".repeat(depth + 1),
        marker(item.status),
        item.number,
        item.plain
    );
    let mut tags = Vec::new();
    if let Some(o) = &item.owner {
        tags.push(format!("@{o}"));
    }
    if let Some(r) = &item.reason {
        tags.push(format!("{}: {r}", item.status));
    }
    if !item.evidence.is_empty() {
        tags.push(format!("{} evidence", item.evidence.len()));
    }
    if !item.notes.is_empty() {
        tags.push("notes".into());
    }
    if keys {
        tags.push(format!("key {}", item.key));
    }
    if !tags.is_empty() {
        s.push_str(&format!("  ({})", tags.join(", ")));
    }
    s
}

/// An item's table columns, one indented `Name: value` line each.
fn field_lines(item: &ItemView, depth: usize) -> impl Iterator<Item = String> + '_ {
    item.fields
        .iter()
        .filter(|f| !f.value.trim().is_empty())
        .map(move |f| format!("{}{}: {}", "  ".repeat(depth + 4), f.name, f.value))
}

/// Concurrent edits sync could not settle, by item key.
type Conflicts = std::collections::HashMap<String, Vec<signet_core::store::Conflict>>;

fn conflict_lines<'a>(
    item: &ItemView,
    depth: usize,
    conflicts: &'a Conflicts,
) -> impl Iterator<Item = String> + 'a {
    let indent = "  ".repeat(depth + 2);
    conflicts
        .get(&item.key)
        .into_iter()
        .flatten()
        .map(move |c| {
            format!(
                "{indent}  ⚠ conflict on {}: kept {}; also set concurrently: {} — tick it again to settle",
                c.field, c.kept, c.lost
            )
        })
}

fn section_lines(
    section: &SectionView,
    filter: &Filter,
    (keys, all): (bool, bool),
    conflicts: &Conflicts,
) -> Vec<String> {
    let mut lines = Vec::new();
    for s in section.walk() {
        // Headings over prose only (introductions, sign-off blocks) have
        // nothing to tick; --all shows them.
        if s.progress.total == 0 && !all {
            continue;
        }
        let mut items: Vec<(&ItemView, usize)> = s.items.iter().rev().map(|i| (i, 0)).collect();
        let mut body = Vec::new();
        while let Some((item, depth)) = items.pop() {
            if filter.matches(item) {
                body.push(item_line(item, depth, keys));
                body.extend(field_lines(item, depth));
                body.extend(conflict_lines(item, depth, conflicts));
            }
            items.extend(item.items.iter().rev().map(|c| (c, depth + 1)));
        }
        if filter.active() && body.is_empty() {
            continue;
        }
        let p = &s.progress;
        lines.push(if p.total == 0 {
            format!("§{} {}", s.number, s.plain)
        } else {
            format!(
                "§{} {} — {}/{} ({}%)",
                s.number,
                s.plain,
                p.closed(),
                p.total,
                p.percent()
            )
        });
        lines.extend(body);
    }
    lines
}

pub fn run(ctx: &Ctx, args: &ShowArgs) -> Result<ExitCode> {
    let view = ctx.store.release_view(&args.release)?;
    let owners = ctx.store.owners()?;
    if let Some(unknown) = args.owner.as_deref().and_then(|o| owners.check(o)) {
        out::warn(unknown.to_string())?;
    }
    if args.json.json {
        out::json(&view)?;
        return Ok(ExitCode::SUCCESS);
    }
    let filter = Filter {
        status: args.status.as_deref().map(str::parse).transpose()?,
        owner: args.owner.as_deref().map(|o| owners.wanted(o)),
    };
    let r = &view.release;
    let p = &view.progress;
    out::line(format!(
        "{} — {}{} — {} {}% ({}/{} closed{})",
        r.name,
        r.status.as_str().replace('_', " "),
        r.due_date
            .as_deref()
            .map(|d| format!(", due {d}"))
            .unwrap_or_default(),
        bar(p.percent(), 20),
        p.percent(),
        p.closed(),
        p.total,
        if p.blocked > 0 {
            format!(", {} blocked", p.blocked)
        } else {
            String::new()
        }
    ))?;
    let all_conflicts = ctx.store.conflicts(Some(&r.name))?;
    if !all_conflicts.is_empty() {
        out::line(format!(
            "⚠ {} conflicting edit(s) from sync — marked below",
            all_conflicts.len()
        ))?;
    }
    if view.runs.is_empty() {
        out::line(format!(
            "no checklists attached — signet run add {} TEMPLATE",
            r.name
        ))?;
    }
    for run in &view.runs {
        let t = &run.template;
        out::line(format!(
            "\n{} ({}@{}) — {}/{} ({}%)",
            t.title,
            t.slug,
            t.version,
            run.progress.closed(),
            run.progress.total,
            run.progress.percent()
        ))?;
        for f in t
            .metadata
            .iter()
            .filter(|f| !f.name.eq_ignore_ascii_case("title"))
        {
            let value = f.value.trim();
            out::line(format!(
                "  {}: {}",
                f.name,
                if value.is_empty() { "—" } else { value }
            ))?;
        }
        if !t.approver_roles.is_empty() {
            out::line(format!("  Sign-off by: {}", t.approver_roles.join(", ")))?;
        }
        let mut conflicts = Conflicts::new();
        for c in all_conflicts.iter().filter(|c| c.template == t.slug) {
            conflicts.entry(c.key.clone()).or_default().push(c.clone());
        }
        for s in &run.sections {
            for l in section_lines(s, &filter, (args.keys, args.all), &conflicts) {
                out::line(l)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
