use std::process::ExitCode;

use super::Ctx;
use crate::error::{CliError, Result};
use crate::out;

pub fn verify(ctx: &Ctx, json: bool) -> Result<ExitCode> {
    match ctx.store.verify_audit() {
        Ok(report) => {
            if json {
                out::json(&report)?;
            } else {
                out::line(format!(
                    "audit trail intact: {} events, head {}",
                    report.events,
                    &report.head[..16]
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ signet_core::Error::AuditChain { .. }) => {
            eprintln!("signet: {e}");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(CliError::Core(e)),
    }
}
