//! `signet backup`, `signet restore`, `signet doctor`.

use std::path::Path;
use std::process::ExitCode;

use signet_core::store::Health;

use super::Ctx;
use crate::error::{CliError, Result};
use crate::out;

pub fn backup(ctx: &Ctx, file: &Path, force: bool) -> Result<ExitCode> {
    let bytes = match ctx.store.backup_to(file, force) {
        Err(signet_core::Error::AlreadyExists { .. }) => {
            return Err(CliError::Usage(format!(
                "{}: already exists; pass --force to replace it",
                file.display()
            )))
        }
        other => other?,
    };
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
    let restored = ctx.store.restore_from(file, &ctx.db_path)?;
    out::line(format!(
        "restored {} from {} (the previous database is kept at {})",
        ctx.db_path.display(),
        file.display(),
        restored.set_aside.display()
    ))?;
    print(&restored.health)?;
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
