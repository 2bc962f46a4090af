use std::process::ExitCode;

use signet_core::matching::MatchKind;
use signet_core::model::Status;

use super::Ctx;
use crate::error::Result;
use crate::out;

pub fn new(ctx: &mut Ctx, name: &str, due: Option<&str>, json: bool) -> Result<ExitCode> {
    let release = ctx.store.create_release(name, due, &ctx.actor)?;
    if json {
        out::json(&release)?;
    } else {
        let due = release
            .due_date
            .as_deref()
            .map(|d| format!(", due {d}"))
            .unwrap_or_default();
        out::line(format!("created release {}{due}", release.name))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list(ctx: &Ctx, json: bool) -> Result<ExitCode> {
    let releases = ctx.store.releases()?;
    if json {
        out::json(&releases)?;
        return Ok(ExitCode::SUCCESS);
    }
    if releases.is_empty() {
        out::line("no releases yet — create one with: signet release new NAME --due YYYY-MM-DD")?;
    }
    for r in &releases {
        let p = &r.progress;
        out::line(format!(
            "{:<16} {:<10} due {:<10}  {} {:>3}%  {}/{}  {}",
            r.release.name,
            r.release.status.as_str(),
            r.release.due_date.as_deref().unwrap_or("-"),
            bar(p.percent(), 20),
            p.percent(),
            p.closed(),
            p.total,
            r.runs.join(", ")
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn add_run(
    ctx: &mut Ctx,
    release: &str,
    template: &str,
    fresh: bool,
    json: bool,
) -> Result<ExitCode> {
    let run = ctx.store.add_run(release, template, fresh, &ctx.actor)?;
    if json {
        out::json(&run)?;
    } else {
        let t = &run.template;
        let p = &run.progress;
        let mut also = String::new();
        if p.blocked > 0 {
            also.push_str(&format!(", {} blocked", p.blocked));
        }
        if p.not_applicable > 0 {
            also.push_str(&format!(", {} n/a", p.not_applicable));
        }
        out::line(format!(
            "attached {}@{} (\"{}\") to {release}: {} items, {} already done{also} from the source",
            t.slug, t.version, t.title, p.total, p.done
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn bar(percent: u32, width: usize) -> String {
    let filled = (percent as usize * width) / 100;
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// How an upgrade (or its preview) reads in the terminal: one line of
/// counts, then the moved and reworded pairs, old → new, and the items
/// removed and added.
pub fn describe_upgrade(u: &signet_core::store::RunUpgrade, release: &str) -> String {
    if u.from_version == u.to_version {
        return format!(
            "{} in {release} is already on v{}",
            u.template, u.to_version
        );
    }
    let mut out = format!(
        "{} in {release}: v{} → v{}{}: {} unchanged, {} reworded (kept state), {} moved (kept state), {} removed, {} added",
        u.template,
        u.from_version,
        u.to_version,
        if u.dry_run { " (dry run, nothing changed)" } else { "" },
        u.kept,
        u.reworded,
        u.moved,
        u.removed,
        u.added
    );
    let state = |s: Status, what: &str| match s {
        Status::Open => String::new(),
        s => format!(" ({what} {})", s.label()),
    };
    for m in &u.matches {
        out.push_str(&match m.kind {
            MatchKind::Moved => format!(
                "\n  moved     {} → {} {}",
                m.old.number, m.new.number, m.new.plain
            ),
            _ => format!(
                "\n  reworded  {} {} → {} {}",
                m.old.number, m.old.plain, m.new.number, m.new.plain
            ),
        });
    }
    for i in &u.removed_items {
        let s = state(i.status, "was");
        out.push_str(&format!("\n  removed   {} {}{s}", i.number, i.plain));
    }
    for i in &u.added_items {
        let s = state(i.status, "starts");
        out.push_str(&format!("\n  added     {} {}{s}", i.number, i.plain));
    }
    if !u.rewordings_compared {
        out.push_str(
            "\n  note: too many items changed to look for rewordings; only unchanged and moved items kept their state",
        );
    }
    out
}

pub fn upgrade_run(
    ctx: &mut Ctx,
    release: &str,
    template: &str,
    dry_run: bool,
    json: bool,
) -> Result<ExitCode> {
    let u = if dry_run {
        ctx.store.upgrade_preview(release, template)?
    } else {
        ctx.store.upgrade_run(release, template, &ctx.actor)?
    };
    if json {
        out::json(&u)?;
    } else {
        out::line(describe_upgrade(&u, release))?;
    }
    Ok(ExitCode::SUCCESS)
}
