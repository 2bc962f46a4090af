//! One module per subcommand; each takes the parsed arguments and a [`Ctx`].

mod audit;
mod export;
mod gate;
mod history;
mod import;
mod release;
mod show;
mod templates;
mod tick;

use std::path::PathBuf;
use std::process::ExitCode;

use signet_core::store::Store;

use crate::cli::{Cli, Command, Global, ReleaseCmd, RunCmd};
use crate::error::{CliError, Result};

pub struct Ctx {
    pub store: Store,
    pub actor: String,
}

fn default_db() -> Result<PathBuf> {
    signet_core::store::default_path().ok_or_else(|| {
        CliError::Usage("cannot find a home directory for the database; pass --db PATH".into())
    })
}

fn context(global: &Global) -> Result<Ctx> {
    let path = match &global.db {
        Some(p) => p.clone(),
        None => default_db()?,
    };
    let store = Store::open(&path)?;
    let actor = global
        .actor
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    Ok(Ctx { store, actor })
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Import(args) = &cli.command {
        // Parse every file before opening the database: a bad file aborts
        // the whole import with nothing written.
        let parsed = import::parse_all(args)?;
        let mut ctx = context(&cli.global)?;
        return import::store_all(&mut ctx, args, parsed);
    }
    let mut ctx = context(&cli.global)?;
    match cli.command {
        Command::Import(_) => unreachable_import(),
        Command::Templates(a) => templates::run(&ctx, a.json),
        Command::Release(ReleaseCmd::New { name, due, json }) => {
            release::new(&mut ctx, &name, due.as_deref(), json.json)
        }
        Command::Release(ReleaseCmd::List(a)) => release::list(&ctx, a.json),
        Command::Run(RunCmd::Add {
            release,
            template,
            fresh,
            json,
        }) => release::add_run(&mut ctx, &release, &template, fresh, json.json),
        Command::Show(a) => show::run(&ctx, &a),
        Command::Tick(a) => tick::run(&mut ctx, &a),
        Command::History(a) => history::run(&ctx, &a),
        Command::Export(a) => export::run(&ctx, &a),
        Command::Gate(a) => gate::run(&ctx, &a.release, a.json.json),
        Command::Audit(crate::cli::AuditCmd::Verify(a)) => audit::verify(&ctx, a.json),
    }
}

fn unreachable_import() -> Result<ExitCode> {
    Err(CliError::Usage(
        "import is handled before the database opens".into(),
    ))
}
