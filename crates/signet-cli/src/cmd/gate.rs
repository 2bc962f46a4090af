use std::process::ExitCode;

use serde::Serialize;

use super::Ctx;
use crate::error::Result;
use crate::out;

#[derive(Serialize)]
struct Verdict {
    release: String,
    passed: bool,
    reasons: Vec<String>,
    open_items: Vec<String>,
}

pub fn run(ctx: &Ctx, release: &str, json: bool) -> Result<ExitCode> {
    let view = ctx.store.release_view(release)?;
    let mut reasons = Vec::new();
    let mut open_items = Vec::new();
    if view.runs.is_empty() {
        reasons.push("no checklists are attached".to_string());
    }
    for run in &view.runs {
        for item in run.walk_items() {
            if !item.status.is_closed() {
                let label = if view.runs.len() > 1 {
                    format!("{}:{}", run.template.slug, item.number)
                } else {
                    item.number.clone()
                };
                open_items.push(format!("{label} [{}] {}", item.status, item.plain));
            }
        }
    }
    if !open_items.is_empty() {
        reasons.push(format!(
            "{} of {} items are not done or n/a",
            open_items.len(),
            view.progress.total
        ));
    }
    let passed = reasons.is_empty();
    if json {
        out::json(&Verdict {
            release: view.release.name.clone(),
            passed,
            reasons,
            open_items,
        })?;
    } else if passed {
        out::line(format!(
            "{release}: ready — all {} items are done or n/a",
            view.progress.total
        ))?;
    } else {
        out::line(format!("{release}: not ready — {}", reasons.join("; ")))?;
        const SHOWN: usize = 20;
        for item in open_items.iter().take(SHOWN) {
            out::line(format!("  {item}"))?;
        }
        if open_items.len() > SHOWN {
            out::line(format!(
                "  … and {} more (signet show {release} --status open)",
                open_items.len() - SHOWN
            ))?;
        }
    }
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
