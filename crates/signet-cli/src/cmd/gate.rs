use std::process::ExitCode;

use signet_core::gate::{self, Policy};

use super::Ctx;
use crate::cli::GateArgs;
use crate::error::Result;
use crate::out;

pub fn run(ctx: &Ctx, args: &GateArgs) -> Result<ExitCode> {
    let policy = Policy {
        require: args.require.clone(),
        min_approvers: args.min_approvers,
        strict: args.strict,
    };
    let v = gate::check(&ctx.store, &args.release, &policy)?;
    let code = if v.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    if args.json.json {
        out::json(&v)?;
        return Ok(code);
    }
    if v.passed {
        out::line(format!(
            "{}: ready — signed off (revision {}) by {}",
            v.release,
            v.revision.unwrap_or(0),
            join(&v.approvers, ", ")
        ))?;
    } else {
        out::line(format!(
            "{}: not ready — {}",
            v.release,
            join(&v.reasons, "; ")
        ))?;
    }
    for w in &v.warnings {
        out::line(format!("  warning: {w}"))?;
    }
    if !v.passed || !v.warnings.is_empty() {
        const SHOWN: usize = 20;
        for item in v.open_items.iter().take(SHOWN) {
            out::line(format!("  {item}"))?;
        }
        if v.open_items.len() > SHOWN {
            out::line(format!(
                "  … and {} more (signet show {} --status open)",
                v.open_items.len() - SHOWN,
                v.release
            ))?;
        }
    }
    Ok(code)
}

fn join<T: std::fmt::Display>(all: &[T], sep: &str) -> String {
    all.iter().map(T::to_string).collect::<Vec<_>>().join(sep)
}
