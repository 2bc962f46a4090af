//! `signet audit verify`: the hash chain, the live state replayed from it,
//! and the tail anchor.

use std::process::ExitCode;

use super::Ctx;
use crate::error::Result;
use crate::out;

pub fn verify(ctx: &Ctx, json: bool) -> Result<ExitCode> {
    let (trail, chain) = ctx.store.verify_trail()?;
    if json {
        out::json(&trail)?;
    } else if let (true, Some(chain)) = (trail.ok, chain) {
        out::line(format!(
            "audit trail intact: {} events, head {}; the live state is what it says",
            chain.events,
            &chain.head[..16]
        ))?;
    } else {
        for c in trail.checks.iter().filter(|c| !c.ok) {
            // "audit chain broken at …" names its check already.
            if c.detail.starts_with(&c.name) {
                out::problem(format!("signet: {}", c.detail))?;
            } else {
                out::problem(format!("signet: {}: {}", c.name, c.detail))?;
            }
        }
    }
    Ok(if trail.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
