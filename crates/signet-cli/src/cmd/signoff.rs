//! `signet signoff`, `signet reopen`, `signet release revisions`.

use std::process::ExitCode;

use signet_core::store::SignoffRequest;
use signet_core::Error;

use super::Ctx;
use crate::cli::{ReopenArgs, SignoffArgs};
use crate::error::Result;
use crate::out;
use crate::password::Prompt;

pub fn signoff(ctx: &mut Ctx, args: &SignoffArgs) -> Result<ExitCode> {
    let person = ctx.store.person(&args.person)?;
    let keyring = ctx.keyring()?;
    // A wrong password stops here, before anything is frozen or signed.
    let loaded = keyring.load(&person.handle, &Prompt::new(&args.password, None))?;
    if !loaded.encrypted {
        super::keys::warn_unencrypted(&keyring, &person.handle)?;
    }
    let key = loaded.key;
    let req = SignoffRequest {
        release: &args.release,
        person: &person.handle,
        role: &args.role,
        override_reason: args.override_reason.as_deref(),
        actor: &ctx.actor,
    };
    let outcome = ctx.store.sign_off(&req, &key).inspect_err(|e| {
        if let Error::SignoffRefused { items, .. } = e {
            print_open(&args.release, items);
        }
    })?;
    if args.json.json {
        out::json(&outcome)?;
        return Ok(ExitCode::SUCCESS);
    }
    if outcome.froze {
        out::line(format!(
            "froze {} as revision {} ({})",
            outcome.release, outcome.revision, outcome.digest
        ))?;
        if outcome.overridden {
            out::line("signed with an override: the report lists the open items and your reason")?;
        }
    }
    let approvers: Vec<String> = outcome
        .signatures
        .iter()
        .map(|s| format!("{} ({})", s.handle, s.role))
        .collect();
    out::line(format!(
        "{} signed {} revision {} — approvers: {}",
        person.handle,
        outcome.release,
        outcome.revision,
        approvers.join(", ")
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn print_open(release: &str, items: &[String]) {
    const SHOWN: usize = 20;
    // Already failing: a stdout that cannot take its lines changes nothing.
    let _ = out::flush();
    eprintln!("open items:");
    for i in items.iter().take(SHOWN) {
        eprintln!("  {i}");
    }
    if items.len() > SHOWN {
        eprintln!(
            "  … and {} more (signet show {release} --status open)",
            items.len() - SHOWN
        );
    }
}

pub fn reopen(ctx: &mut Ctx, args: &ReopenArgs) -> Result<ExitCode> {
    let r = ctx.store.reopen(&args.release, &args.reason, &ctx.actor)?;
    out::line(format!(
        "reopened {} — it is writable again; earlier revisions stay verifiable, the next sign-off makes a new one",
        r.name
    ))?;
    Ok(ExitCode::SUCCESS)
}

pub fn revisions(ctx: &Ctx, release: &str, json: bool) -> Result<ExitCode> {
    let revs = ctx.store.revisions(release)?;
    if json {
        out::json(&revs)?;
    } else if revs.is_empty() {
        out::line(format!("{release} has not been signed off yet"))?;
    } else {
        for r in &revs {
            let signers = if r.signers.is_empty() {
                "nobody".to_string()
            } else {
                r.signers.join(", ")
            };
            let o = r
                .override_reason
                .as_deref()
                .map(|o| format!(" — OVERRIDE: {o}"))
                .unwrap_or_default();
            out::line(format!(
                "revision {}  {}  frozen {} by {}  signed by {signers}{o}",
                r.revision, r.digest, r.frozen_at, r.frozen_by
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
