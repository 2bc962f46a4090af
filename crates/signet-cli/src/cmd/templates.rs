use std::process::ExitCode;

use super::Ctx;
use crate::error::Result;
use crate::out;

pub fn run(ctx: &Ctx, json: bool) -> Result<ExitCode> {
    let templates = ctx.store.templates()?;
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
        let name = format!("{}@{}", t.slug, t.version);
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

pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
