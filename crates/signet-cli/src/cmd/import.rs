use std::process::ExitCode;

use serde::Serialize;
use signet_core::import::{import_file, ImportOptions, Imported};
use signet_core::model::{ImportOutcome, ImportReport, ImportStatus, WarningKind};

use super::Ctx;
use crate::cli::ImportArgs;
use crate::error::{CliError, Result};
use crate::out;

pub fn parse_all(args: &ImportArgs) -> Result<Vec<Imported>> {
    let opts = ImportOptions {
        max_size: args.max_size,
        repair_mojibake: args.repair_mojibake,
    };
    let mut ok = Vec::new();
    let mut failed = 0;
    for path in &args.files {
        match import_file(path, &opts) {
            Ok(i) => ok.push(i),
            Err(e) => {
                out::problem(format!("signet: {e}"))?;
                failed += 1;
            }
        }
    }
    match failed {
        0 => Ok(ok),
        failed => Err(CliError::Reported {
            failed,
            of: args.files.len(),
        }),
    }
}

#[derive(Serialize)]
struct Imported1<'a> {
    outcome: ImportOutcome,
    report: &'a ImportReport,
}

pub fn store_all(ctx: &mut Ctx, args: &ImportArgs, parsed: &[Imported]) -> Result<ExitCode> {
    let mut results = Vec::new();
    if let Some(release) = &args.release {
        // A signed-off release refuses the attach: say so before a new
        // template version is stored for nothing.
        if let Ok(r) = ctx.store.release(release) {
            ctx.store.writable_release(&r.name)?;
        } else {
            ctx.store.create_release(release, None, &ctx.actor)?;
            if !args.json.json {
                out::line(format!("created release {release}"))?;
            }
        }
    }
    for imported in parsed {
        let outcome = ctx.store.import(imported, &ctx.actor)?;
        let r = &imported.report;
        let t = &outcome.template;
        if !args.json.json {
            match outcome.status {
                ImportStatus::Unchanged => out::line(format!(
                    "{}: unchanged since template {} v{} — nothing imported",
                    r.file, t.slug, t.version
                ))?,
                _ => out::line(format!(
                    "{}: \"{}\" → template {} v{}: {} sections, {} items, {} checked in the file",
                    r.file, r.title, t.slug, t.version, r.sections, r.items, r.checked
                ))?,
            }
            for w in &r.warnings {
                // Unchanged means the stored version already holds the
                // repaired text: nothing was repaired by this run.
                let repaired_before = outcome.status == ImportStatus::Unchanged
                    && args.repair_mojibake
                    && w.kind == WarningKind::Mojibake;
                if !repaired_before {
                    out::line(format!("  warning {}:{}: {}", r.file, w.line, w.message))?;
                }
            }
        }
        if let Some(release) = &args.release {
            // Already attached: a new version moves the run along (states kept
            // by stable key); identical bytes leave it as it is.
            match ctx.store.add_run(release, &t.slug, args.fresh, &ctx.actor) {
                Ok(run) if !args.json.json => out::line(format!(
                    "  attached to release {release}: {}/{} closed",
                    run.progress.closed(),
                    run.progress.total
                ))?,
                Ok(_) => {}
                Err(signet_core::Error::AlreadyExists { what: "run", .. }) => {
                    let u = ctx.store.upgrade_run(release, &t.slug, &ctx.actor)?;
                    if !args.json.json {
                        for line in super::release::describe_upgrade(&u, release).lines() {
                            out::line(format!("  {line}"))?;
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        results.push(Imported1 { outcome, report: r });
    }
    if args.json.json {
        out::json(&results)?;
    }
    Ok(ExitCode::SUCCESS)
}
