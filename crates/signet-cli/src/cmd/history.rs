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
    let rows: Vec<[String; 3]> = events
        .iter()
        .map(|e| {
            let change = match (&e.old_value, &e.new_value) {
                (Some(o), Some(n)) => format!("{o} → {n}"),
                (None, Some(n)) => n.clone(),
                (Some(o), None) => format!("{o} → (cleared)"),
                (None, None) => String::new(),
            };
            let field = e.field.as_deref().unwrap_or(&e.action);
            [e.actor.clone(), field.to_string(), change]
        })
        .collect();
    // Columns as wide as their widest cell: actors such as
    // `source:<file name>` are often longer than any fixed width would be.
    let width = |col: usize| {
        rows.iter()
            .map(|r| r[col].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (actor_w, field_w) = (width(0), width(1));
    for (e, [actor, field, change]) in events.iter().zip(&rows) {
        let line = format!("  {}  {actor:<actor_w$}  {field:<field_w$}  {change}", e.at);
        out::line(line.trim_end())?;
    }
    Ok(ExitCode::SUCCESS)
}
