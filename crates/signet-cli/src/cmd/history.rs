use std::process::ExitCode;

use super::Ctx;
use crate::cli::HistoryArgs;
use crate::error::Result;
use crate::out;

pub fn run(ctx: &Ctx, args: &HistoryArgs) -> Result<ExitCode> {
    let item = ctx.store.item(&args.release, &args.item)?;
    let events = ctx.store.history(&args.release, &args.item)?;
    if args.json.json {
        out::json(&events)?;
        return Ok(ExitCode::SUCCESS);
    }
    out::line(format!("{} {}", item.number, item.plain))?;
    if events.is_empty() {
        out::line("  no changes yet")?;
    }
    for e in &events {
        let field = e.field.as_deref().unwrap_or(&e.action);
        let change = match (&e.old_value, &e.new_value) {
            (Some(o), Some(n)) => format!("{o} → {n}"),
            (None, Some(n)) => n.clone(),
            (Some(o), None) => format!("{o} → (cleared)"),
            (None, None) => String::new(),
        };
        out::line(format!(
            "  {}  {:<16} {:<9} {}",
            e.at, e.actor, field, change
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
