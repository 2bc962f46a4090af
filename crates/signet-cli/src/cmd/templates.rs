use std::process::ExitCode;

use super::Ctx;
use crate::error::Result;
use crate::out;

pub fn run(ctx: &Ctx, all: bool, json: bool) -> Result<ExitCode> {
    let templates: Vec<_> = ctx
        .store
        .templates()?
        .into_iter()
        .filter(|t| all || !t.archived)
        .collect();
    if json {
        out::json(&templates)?;
        return Ok(ExitCode::SUCCESS);
    }
    if templates.is_empty() {
        out::line("no templates yet — import one with: signet import FILE.md")?;
        return Ok(ExitCode::SUCCESS);
    }
    let width = templates
        .iter()
        .map(|t| t.slug.len() + 1 + digits(t.version))
        .max()
        .unwrap_or(4)
        .max(8);
    out::line(format!(
        "{:<width$}  {:>5}  {:>8}  {:<28}  source",
        "template", "items", "sections", "title"
    ))?;
    for t in &templates {
        let archived = if t.archived { " (archived)" } else { "" };
        let name = format!("{}@{}{archived}", t.slug, t.version);
        out::line(format!(
            "{name:<width$}  {:>5}  {:>8}  {:<28}  {}",
            t.items,
            t.sections,
            truncate(&t.title, 28),
            t.source_name
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn digits(n: i64) -> usize {
    n.to_string().len()
}

pub fn versions(ctx: &Ctx, template: &str, json: bool) -> Result<ExitCode> {
    let versions = ctx.store.template_versions(template)?;
    if json {
        out::json(&versions)?;
        return Ok(ExitCode::SUCCESS);
    }
    for v in &versions {
        let t = &v.template;
        out::line(format!(
            "{}@{}  {}  {} items  {}",
            t.slug,
            t.version,
            t.imported_at.get(..10).unwrap_or(&t.imported_at),
            t.items,
            t.source_name
        ))?;
        let Some(c) = &v.changes else {
            out::line("  first version")?;
            continue;
        };
        for a in &c.added {
            out::line(format!("  + {} {}", a.number, a.plain))?;
        }
        for r in &c.removed {
            out::line(format!("  - {} {}", r.number, r.plain))?;
        }
        for m in &c.changed {
            out::line(format!(
                "  ~ {} {} → {} {} ({})",
                m.old.number,
                m.old.plain,
                m.new.number,
                m.new.plain,
                m.kind.as_str()
            ))?;
        }
        if c.added.is_empty() && c.removed.is_empty() && c.changed.is_empty() {
            out::line("  no item changed")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn archive(ctx: &mut Ctx, template: &str, archived: bool) -> Result<ExitCode> {
    let t = if archived {
        ctx.store.archive_template(template, &ctx.actor)?
    } else {
        ctx.store.unarchive_template(template)?
    };
    out::line(if archived {
        format!(
            "archived {}: hidden from `signet templates`, starts no new release here",
            t.slug
        )
    } else {
        format!("{} is back in the library", t.slug)
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn repair(ctx: &mut Ctx, template: &str, json: bool) -> Result<ExitCode> {
    let (report, outcome) = ctx.store.repair_mojibake(template, &ctx.actor)?;
    if json {
        out::json(&outcome)?;
        return Ok(ExitCode::SUCCESS);
    }
    let t = &outcome.template;
    out::line(format!("repaired {} → {}@{}", template, t.slug, t.version))?;
    for w in &report.warnings {
        out::line(format!("  {}:{}: {}", report.file, w.line, w.message))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
