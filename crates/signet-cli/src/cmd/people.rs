//! `signet person …` and `signet key …`.

use std::process::ExitCode;

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
    let person = ctx.store.person(who)?;
    let keyring = ctx.keyring()?;
    let key = keyring.generate(&person.handle, force)?;
    ctx.store
        .set_public_key(&person.handle, &key.public_key(), &ctx.actor)?;
    out::line(format!(
        "created signing key {} for {} — secret key {} (only you can read it), public key registered",
        key.key_id(),
        person.handle,
        keyring.secret_path(&person.handle).display()
    ))?;
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
