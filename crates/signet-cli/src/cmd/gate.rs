use std::process::ExitCode;

use super::Ctx;
use crate::error::Result;
use crate::out;

pub fn run(ctx: &Ctx, release: &str, json: bool) -> Result<ExitCode> {
    let view = ctx.store.release_view(release)?;
    let verdict = signet_core::gate::verdict(&view);
    if json {
        out::json(&verdict)?;
    } else if verdict.passed {
        out::line(format!(
            "{release}: ready — all {} items are done or n/a",
            view.progress.total
        ))?;
    } else {
        out::line(format!(
            "{release}: not ready — {}",
            verdict.reasons.join("; ")
        ))?;
        const SHOWN: usize = 20;
        for item in verdict.open_items.iter().take(SHOWN) {
            out::line(format!("  {item}"))?;
        }
        if verdict.open_items.len() > SHOWN {
            out::line(format!(
                "  … and {} more (signet show {release} --status open)",
                verdict.open_items.len() - SHOWN
            ))?;
        }
    }
    Ok(if verdict.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
