//! `signet person …` and `signet key …`.

use std::process::ExitCode;

use signet_core::keys::{self, KeyInit};
use signet_core::model::Person;

use super::Ctx;
use crate::error::Result;
use crate::out;

fn describe(p: &Person) -> String {
    let email = p
        .email
        .as_deref()
        .map(|e| format!(" <{e}>"))
        .unwrap_or_default();
    let key = match &p.key_id {
        Some(id) => format!("key {id}"),
        None => "no key".to_string(),
    };
    format!("{:<12} {}{email} — {key}", p.handle, p.name)
}

pub fn add(
    ctx: &mut Ctx,
    name: &str,
    email: Option<&str>,
    handle: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let p = ctx.store.add_person(name, email, handle, &ctx.actor)?;
    for other in ctx.store.namesakes(&p)? {
        let their = other
            .email
            .as_deref()
            .map(|e| format!(" <{e}>"))
            .unwrap_or_default();
        out::warn(format!(
            "'{}' is also named {}{their}; reports show both as {} — tell them apart by handle",
            other.handle, other.name, p.name
        ))?;
    }
    if json {
        out::json(&p)?;
    } else {
        out::line(format!(
            "added {} as '{}' — create their signing key with: signet key init --as {}",
            p.name, p.handle, p.handle
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list(ctx: &Ctx, json: bool) -> Result<ExitCode> {
    let people = ctx.store.people()?;
    if json {
        out::json(&people)?;
    } else if people.is_empty() {
        out::line("no people yet — add one with: signet person add \"Full Name\" --email …")?;
    } else {
        for p in &people {
            out::line(describe(p))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(ctx: &Ctx, who: &str, json: bool) -> Result<ExitCode> {
    let p = ctx.store.person(who)?;
    if json {
        out::json(&p)?;
        return Ok(ExitCode::SUCCESS);
    }
    out::line(describe(&p))?;
    if let Some(k) = &p.public_key {
        out::line(format!("public key: {k}"))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn key_init(ctx: &mut Ctx, who: &str, force: bool) -> Result<ExitCode> {
    let keyring = ctx.keyring()?;
    let (p, outcome) = keys::init(&mut ctx.store, &keyring, who, force, &ctx.actor)?;
    let key_id = p.key_id.as_deref().unwrap_or("?");
    let secret = keyring.secret_path(&p.handle);
    let created = format!(
        "created signing key {key_id} for {} — secret key {} (only you can read it), public key registered",
        p.handle,
        secret.display()
    );
    match outcome {
        KeyInit::AlreadyRegistered => out::line(format!(
            "{}'s signing key {key_id} on this machine is already the registered one; nothing changed",
            p.handle
        ))?,
        KeyInit::RegisteredExisting => out::line(format!(
            "registered {}'s signing key {key_id}, already on this machine ({})",
            p.handle,
            secret.display()
        ))?,
        KeyInit::Created => out::line(created)?,
        KeyInit::Replaced { old_key_id } => {
            out::warn(format!(
                "replaced {}'s registered signing key {old_key_id} with {key_id}; signatures made with {old_key_id} stay valid only with the old key",
                p.handle
            ))?;
            out::line(created)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn key_export(ctx: &Ctx, who: &str) -> Result<ExitCode> {
    let p = ctx.store.person(who)?;
    let Some(k) = &p.public_key else {
        return Err(signet_core::Error::Invalid(format!(
            "{} has no public key; run `signet key init --as {}`",
            p.handle, p.handle
        ))
        .into());
    };
    out::bytes(
        signet_core::seal::public_file_text(
            k,
            &format!("minisign public key of {} ({})", p.name, p.handle),
        )
        .as_bytes(),
    )?;
    Ok(ExitCode::SUCCESS)
}
