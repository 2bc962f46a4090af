//! `signet backup`, `signet restore`, `signet doctor`.

use std::path::Path;
use std::process::ExitCode;

use signet_core::store::Health;

use super::Ctx;
use crate::error::Result;
use crate::out;

pub fn backup(ctx: &Ctx, file: &Path) -> Result<ExitCode> {
    let bytes = ctx.store.backup_to(file)?;
    out::line(format!("backed up to {} ({bytes} bytes)", file.display()))?;
    Ok(ExitCode::SUCCESS)
}

fn print(health: &Health) -> Result<()> {
    for c in &health.checks {
        let mark = if c.ok { "ok  " } else { "FAIL" };
        out::line(format!("{mark} {:<15} {}", c.name, c.detail))?;
    }
    Ok(())
}

pub fn restore(ctx: &mut Ctx, file: &Path) -> Result<ExitCode> {
    // Keep what is being replaced: a restore is one command away from undo.
    let safety = ctx.db_path.with_extension("before-restore.db");
    ctx.store.backup_to(&safety)?;
    let health = ctx.store.restore_from(file)?;
    out::line(format!(
        "restored {} from {} (the previous database is kept at {})",
        ctx.db_path.display(),
        file.display(),
        safety.display()
    ))?;
    print(&health)?;
    Ok(ExitCode::SUCCESS)
}

pub fn doctor(ctx: &Ctx, json: bool) -> Result<ExitCode> {
    let health = ctx.store.doctor()?;
    if json {
        out::json(&health)?;
    } else {
        print(&health)?;
    }
    Ok(if health.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
