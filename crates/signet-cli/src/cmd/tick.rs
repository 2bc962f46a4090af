use std::process::ExitCode;

use signet_core::model::Tick;

use super::show::marker;
use super::Ctx;
use crate::cli::TickArgs;
use crate::error::Result;
use crate::out;

pub fn run(ctx: &mut Ctx, args: &TickArgs) -> Result<ExitCode> {
    let tick = Tick {
        status: args.status.as_deref().map(str::parse).transpose()?,
        owner: args.owner.clone(),
        reason: args.reason.clone(),
        note: args.note.clone(),
        evidence: args.evidence.clone(),
    };
    let item = ctx
        .store
        .tick(&args.release, &args.item, &tick, &ctx.actor)?;
    if let Some(owner) = &args.owner {
        if let Some(unknown) = ctx.store.owners()?.check(owner) {
            out::warn(unknown.to_string())?;
        }
    }
    if args.json.json {
        out::json(&item)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut tags = Vec::new();
    if let Some(o) = &item.owner {
        tags.push(format!("owner {o}"));
    }
    if let Some(r) = &item.reason {
        tags.push(format!("reason: {r}"));
    }
    if !item.evidence.is_empty() {
        tags.push(format!("{} evidence", item.evidence.len()));
    }
    out::line(format!(
        "{} {} {} → {}{}",
        marker(item.status),
        item.number,
        item.plain,
        item.status,
        if tags.is_empty() {
            String::new()
        } else {
            format!(" ({})", tags.join(", "))
        }
    ))?;
    Ok(ExitCode::SUCCESS)
}
