//! `signet config`: the branding reports carry (organisation, client, logo).

use std::path::Path;
use std::process::ExitCode;

use signet_core::report::branding::{logo_from_file, MAX_LOGO_BYTES};
use signet_core::report::model::Branding;

use super::Ctx;
use crate::cli::{ConfigCmd, ConfigKey};
use crate::error::Result;
use crate::out;

pub fn run(ctx: &mut Ctx, command: ConfigCmd) -> Result<ExitCode> {
    let mut b = ctx.store.branding()?;
    match command {
        ConfigCmd::Show(json) => return show(&b, json.json),
        ConfigCmd::Set { key, value } => match key {
            ConfigKey::OrgName => b.org_name = Some(value),
            ConfigKey::ClientName => b.client_name = Some(value),
            ConfigKey::Logo => b.logo = Some(logo_from_file(Path::new(&value))?),
        },
        ConfigCmd::Unset { key } => match key {
            ConfigKey::OrgName => b.org_name = None,
            ConfigKey::ClientName => b.client_name = None,
            ConfigKey::Logo => b.logo = None,
        },
    }
    let b = ctx.store.set_branding(&b)?;
    show(&b, false)?;
    Ok(ExitCode::SUCCESS)
}

fn show(b: &Branding, json: bool) -> Result<ExitCode> {
    if json {
        out::json(b)?;
        return Ok(ExitCode::SUCCESS);
    }
    let or_unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".into());
    out::line(format!("org-name     {}", or_unset(&b.org_name)))?;
    out::line(format!("client-name  {}", or_unset(&b.client_name)))?;
    let logo = match &b.logo {
        // base64 of n bytes is 4·⌈n/3⌉ characters.
        Some(l) => format!(
            "{}, {} KiB (at most {} KiB)",
            l.media_type,
            (l.data.len() / 4 * 3).div_ceil(1024),
            MAX_LOGO_BYTES / 1024
        ),
        None => "(not set)".into(),
    };
    out::line(format!("logo         {logo}"))?;
    Ok(ExitCode::SUCCESS)
}
