//! `signet person …`.

use std::process::ExitCode;

use serde::Serialize;
use signet_core::model::Person;
use signet_core::revocation::KeyRecord;

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

/// `person show --json`: the person and every key they have had.
#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    person: &'a Person,
    keys: &'a [KeyRecord],
}

fn describe_key(k: &KeyRecord) -> String {
    let mut line = format!("  {}  valid from {}", k.key_id, k.valid_from);
    match &k.replaced_at {
        Some(until) => line.push_str(&format!(", replaced {until}")),
        None => line.push_str(" (current)"),
    }
    if let Some(r) = &k.revocation {
        line.push_str(&format!(
            " — REVOKED from {}: {} (recorded {} by {})",
            r.from, r.reason, r.recorded_at, r.by
        ));
    }
    line
}

pub fn show(ctx: &Ctx, who: &str, json: bool) -> Result<ExitCode> {
    let p = ctx.store.person(who)?;
    let keys = ctx.store.person_keys(&p.handle)?;
    if json {
        out::json(&Shown {
            person: &p,
            keys: &keys,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    out::line(describe(&p))?;
    if let Some(k) = &p.public_key {
        out::line(format!("public key: {k}"))?;
    }
    if !keys.is_empty() {
        out::line("keys (signatures are checked against the key valid when they were made):")?;
        for k in &keys {
            out::line(describe_key(k))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
