//! `signet sync`: share this database's changes through a git remote.

use std::process::ExitCode;

use signet_core::sync;

use super::Ctx;
use crate::cli::SyncArgs;
use crate::error::{CliError, Result};
use crate::out;
use crate::password::Prompt;

pub fn run(ctx: &mut Ctx, args: &SyncArgs) -> Result<ExitCode> {
    let (remembered, last) = ctx.store.sync_settings()?;
    if args.status {
        return status(ctx, remembered, last, args.json.json);
    }
    let remote = args.remote.clone().or(remembered).ok_or_else(|| {
        CliError::Usage(
            "no remote yet: name one, e.g. `signet sync git@github.com:acme/app.git` or the path of a bare repository"
                .into(),
        )
    })?;
    if remote.trim().is_empty() {
        return Err(CliError::Usage(
            "the remote is empty: name a git URL or the path of a bare repository".into(),
        ));
    }
    let config = ctx.config_dir()?;
    if let (None, Some(who)) = (ctx.store.sync_device()?, &args.person) {
        let person = ctx.store.person(who)?;
        let keyring = ctx.keyring()?;
        let loaded = keyring.load(&person.handle, &Prompt::new(&args.password, None))?;
        let (device, carried) = sync::join(&mut ctx.store, &config, &person.handle, &loaded.key)?;
        out::line(format!(
            "this database now syncs as {}'s device {} ({carried} earlier changes carried over)",
            device.owner, device.id
        ))?;
    }
    let trusted = pins(&args.trust)?;
    if args.remember {
        ctx.store.remember_remote(&remote)?;
    }
    let me = ctx.store.sync_device()?;
    let outcome = sync::sync_trusting(
        &mut ctx.store,
        &config,
        &sync::repo_dir(&ctx.db_path),
        &remote,
        &trusted,
    )?;
    if args.json.json {
        out::json(&outcome)?;
    } else {
        if me.is_none() {
            out::line("receiving only: this database has no device of its own (`--as PERSON` on a fresh database publishes)")?;
        }
        for c in &outcome.changes {
            out::line(format!("in: {c}"))?;
        }
        for h in &outcome.held {
            out::line(format!("held: {h}"))?;
        }
        for c in &outcome.conflicts {
            out::line(format!("conflict: {c} — settle it with a new tick"))?;
        }
        for r in &outcome.refused {
            out::problem(format!("refused: {r}"))?;
        }
        for r in &outcome.rejected {
            out::problem(format!("not pushed: {r}"))?;
        }
        out::line(format!("synced with {remote}: {}", outcome.summary()))?;
    }
    // Refused history is the one outcome a script must not read as green.
    Ok(
        if outcome.refused.is_empty()
            && outcome
                .rejected
                .iter()
                .all(|r| !r.starts_with("this device"))
        {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}

fn status(ctx: &Ctx, remote: Option<String>, last: Option<String>, json: bool) -> Result<ExitCode> {
    let device = ctx.store.sync_device()?;
    let unpublished = ctx.store.not_pushed_count()?;
    let conflicts = ctx.store.conflicts(None)?;
    if json {
        out::json(&serde_json::json!({
            "remote": remote,
            "last_sync": last,
            "device": device.as_ref().map(|d| &d.id),
            "owner": device.as_ref().map(|d| &d.owner),
            "unpublished": unpublished,
            "operations": ctx.store.op_count()?,
            "conflicts": conflicts,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    out::line(format!(
        "remote: {}",
        remote.as_deref().unwrap_or("none yet (signet sync REMOTE)")
    ))?;
    out::line(format!("last sync: {}", last.as_deref().unwrap_or("never")))?;
    match &device {
        Some(d) => out::line(format!("device: {} ({}'s)", d.id, d.owner))?,
        None => out::line("device: none — this database only receives")?,
    }
    out::line(format!("not yet pushed: {unpublished} change(s)"))?;
    out::line(format!("conflicts: {}", conflicts.len()))?;
    for c in &conflicts {
        out::line(format!("  {c}"))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `HANDLE=KEY` pins: the key as a .pub file's path or the base64 line.
fn pins(given: &[String]) -> Result<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    for g in given {
        let (handle, key) = g.split_once('=').ok_or_else(|| {
            CliError::Usage(format!(
                "--trust {g}: give HANDLE=FILE.pub, e.g. --trust ana=keys/ana.pub"
            ))
        })?;
        let text = match std::fs::read_to_string(key) {
            Ok(t) => t,
            Err(_) if !std::path::Path::new(key).exists() => key.to_string(),
            Err(e) => return Err(signet_core::Error::io(key, &e).into()),
        };
        let key = signet_core::seal::parse_public_key(&text)
            .map_err(|e| CliError::Usage(format!("--trust {g}: {e}")))?;
        out.insert(handle.trim().to_ascii_lowercase(), key);
    }
    Ok(out)
}
