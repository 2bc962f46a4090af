//! `signet home`: releases in work by due date and one owner's open items,
//! what the desktop app's home screen shows.

use std::process::ExitCode;

use serde::Serialize;
use signet_core::store::{Home, OpenItems};

use super::Ctx;
use crate::cli::HomeArgs;
use crate::error::Result;
use crate::out;

/// Items listed per section; the rest are counted.
const LIMIT: usize = 50;

#[derive(Serialize)]
struct HomeJson {
    #[serde(flatten)]
    home: Home,
    owner: String,
    owned: OpenItems,
}

pub fn run(ctx: &Ctx, args: &HomeArgs) -> Result<ExitCode> {
    let today = args.today.as_deref();
    let owner = args.owner.clone().unwrap_or_else(|| ctx.actor.clone());
    let (home, owned) = ctx.store.home_and_owned(&owner, today, LIMIT)?;
    if args.json.json {
        out::json(&HomeJson { home, owner, owned })?;
        return Ok(ExitCode::SUCCESS);
    }
    out::line(format!(
        "releases in work as of {} ({} signed off not shown)",
        home.today, home.signed_off
    ))?;
    for r in &home.releases {
        let p = &r.summary.progress;
        let due = match r.days_left {
            None => "no due date".to_string(),
            Some(d) if d < 0 => format!("OVERDUE by {} d", -d),
            Some(d) => format!("due in {d} d"),
        };
        out::line(format!(
            "  {:<16} {:<18} {:>3}%  {}/{}  {} blocked",
            r.summary.release.name,
            due,
            p.percent(),
            p.closed(),
            p.total,
            p.blocked
        ))?;
    }
    list(&format!("blocked ({})", home.blocked.total), &home.blocked)?;
    list(&format!("open items of {owner} ({})", owned.total), &owned)?;
    Ok(ExitCode::SUCCESS)
}

fn list(title: &str, items: &OpenItems) -> Result<()> {
    out::line(title)?;
    for i in &items.items {
        let reason = i
            .reason
            .as_deref()
            .map(|r| format!(" — {r}"))
            .unwrap_or_default();
        out::line(format!(
            "  {}/{}:{} [{}] {}{reason}",
            i.release, i.template, i.number, i.status, i.plain
        ))?;
    }
    if items.total > items.items.len() {
        out::line(format!("  … and {} more", items.total - items.items.len()))?;
    }
    Ok(())
}
