//! One module per subcommand; each takes the parsed arguments and a [`Ctx`].

mod audit;
mod config;
mod export;
mod gate;
mod history;
mod home;
mod import;
mod keys;
mod maintenance;
mod people;
mod release;
mod show;
mod signoff;
mod sync;
mod templates;
mod tick;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use signet_core::store::{Creating, Store};

use crate::cli::{Cli, Command, Global, KeyCmd, PersonCmd, ReleaseCmd, RunCmd, TemplateCmd};
use crate::error::{CliError, Result};

pub struct Ctx {
    pub store: Store,
    pub actor: String,
    pub db_path: PathBuf,
    config_dir: Option<PathBuf>,
}

impl Ctx {
    /// Where keys, anchors and device keys live.
    pub fn config_dir(&self) -> Result<PathBuf> {
        self.config_dir.clone().ok_or_else(|| {
            CliError::Usage("cannot find a config directory; pass --config-dir DIR".into())
        })
    }
}

impl Ctx {
    /// The signing keys of this machine's user.
    pub fn keyring(&self) -> Result<signet_core::keys::Keyring> {
        let dir = self.config_dir.clone().ok_or_else(|| {
            CliError::Usage(
                "cannot find a config directory for signing keys; pass --config-dir DIR".into(),
            )
        })?;
        Ok(signet_core::keys::Keyring::new(&dir))
    }
}

/// Whether a command may create the database: only those that write.
/// Reading from a mistyped path must fail, not read an empty database.
fn creates_database(command: &Command) -> bool {
    match command {
        Command::Import(_)
        | Command::Tick(_)
        | Command::Signoff(_)
        | Command::Reopen(_)
        | Command::Restore { .. } => true,
        // A preview only reads.
        Command::Run(r) => !matches!(r, RunCmd::Upgrade { dry_run: true, .. }),
        // A CI job syncs into a database it starts from nothing; the status
        // only reads.
        Command::Sync(a) => !a.status,
        Command::Release(r) => matches!(r, ReleaseCmd::New { .. }),
        Command::Config(c) => !matches!(c, crate::cli::ConfigCmd::Show(_)),
        Command::Person(p) => matches!(p, PersonCmd::Add { .. }),
        Command::Template(_) | Command::Home(_) => false,
        // Protect and export read the database only to resolve a person.
        Command::Key(k) => matches!(
            k,
            KeyCmd::Init { .. }
                | KeyCmd::Import { .. }
                | KeyCmd::Rotate { .. }
                | KeyCmd::Revoke { .. }
        ),
        Command::Templates(_)
        | Command::Show(_)
        | Command::History(_)
        | Command::Export(_)
        | Command::Verify(_)
        | Command::Gate(_)
        | Command::Audit(_)
        | Command::Backup { .. }
        | Command::Doctor(_) => false,
    }
}

fn default_db() -> Result<PathBuf> {
    signet_core::store::default_path().ok_or_else(|| {
        CliError::Usage("cannot find a home directory for the database; pass --db PATH".into())
    })
}

/// The database path the command names, or the default one.
fn db_path(global: &Global) -> Result<PathBuf> {
    match &global.db {
        Some(p) => Ok(p.clone()),
        None => default_db(),
    }
}

fn context(global: &Global, create: bool) -> Result<Ctx> {
    context_with(global, create, None)
}

/// [`context`], opening the database `creating` started when it is given.
fn context_with(global: &Global, create: bool, creating: Option<Creating>) -> Result<Ctx> {
    // Checked before the database is opened (or created): a refused actor
    // leaves nothing behind. Named by where it came from, so the error says
    // what to fix.
    let (actor, source) = match &global.actor {
        Some(a) if std::env::var_os("SIGNET_ACTOR").is_some_and(|v| v == a.as_str()) => {
            (a.clone(), "SIGNET_ACTOR")
        }
        Some(a) => (a.clone(), "--actor"),
        None => (std::env::var("USER").unwrap_or_default(), "$USER"),
    };
    let actor = signet_core::model::check_actor(&actor, source)?;
    let path = db_path(global)?;
    let opened = match creating {
        Some(c) => c.open(),
        None if create => Store::open(&path),
        None => Store::open_existing(&path),
    };
    let mut store = opened.map_err(|e| storage(e.into(), &path))?;
    let config_dir = global
        .config_dir
        .clone()
        .or_else(signet_core::keys::default_config_dir);
    if let Some(dir) = &config_dir {
        store.keep_anchors(dir)?;
    }
    let db_path = path.clone();
    Ok(Ctx {
        store,
        actor,
        db_path,
        config_dir,
    })
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Import(args) = &cli.command {
        // Parse every file before opening the database: a bad file aborts
        // the whole import with nothing written. A database that does not
        // exist yet is made meanwhile, out of sight until the files parsed.
        let creating = db_path(&cli.global).ok().map(|p| Store::begin_create(&p));
        let parsed = import::parse_all(args)?;
        let mut ctx = context_with(&cli.global, true, creating)?;
        let outcome = import::store_all(&mut ctx, args, &parsed);
        // The process ends next: freeing a large checklist's items one by
        // one (a few percent of a 100k-item import) would only delay the exit.
        std::mem::forget(parsed);
        return outcome;
    }
    if let Command::Verify(args) = &cli.command {
        // Verification needs only the file: no database is opened or
        // created, unless --db on the command line names one whose key
        // revocations should apply (SIGNET_DB alone does not).
        let db = cli
            .global
            .db
            .as_deref()
            .filter(|_| cli.global.db_on_command_line);
        return verify::run(args, db);
    }
    let mut ctx = context(&cli.global, creates_database(&cli.command))?;
    let db = ctx.db_path.clone();
    dispatch(&mut ctx, cli.command).map_err(|e| storage(e, &db))
}

/// Read-only database or full disk: said plainly, naming the file.
fn storage(e: CliError, db: &std::path::Path) -> CliError {
    match e {
        CliError::Core(core) => match core.storage_problem() {
            Some(problem) => CliError::Usage(format!("{}: {problem}", db.display())),
            None => CliError::Core(core),
        },
        other => other,
    }
}

fn dispatch(ctx: &mut Ctx, command: Command) -> Result<ExitCode> {
    match command {
        Command::Import(_) | Command::Verify(_) => handled_before_open(),
        Command::Templates(a) => templates::run(ctx, a.all, a.json.json),
        Command::Template(TemplateCmd::Versions { template, json }) => {
            templates::versions(ctx, &template, json.json)
        }
        Command::Template(TemplateCmd::Archive { template }) => {
            templates::archive(ctx, &template, true)
        }
        Command::Template(TemplateCmd::Unarchive { template }) => {
            templates::archive(ctx, &template, false)
        }
        Command::Template(TemplateCmd::Repair { template, json }) => {
            templates::repair(ctx, &template, json.json)
        }
        Command::Home(a) => home::run(ctx, &a),
        Command::Release(ReleaseCmd::New { name, due, json }) => {
            release::new(ctx, &name, due.as_deref(), json.json)
        }
        Command::Release(ReleaseCmd::List(a)) => release::list(ctx, a.json),
        Command::Release(ReleaseCmd::Revisions { release, json }) => {
            signoff::revisions(ctx, &release, json.json)
        }
        Command::Person(PersonCmd::Add {
            name,
            email,
            handle,
            json,
        }) => people::add(ctx, &name, email.as_deref(), handle.as_deref(), json.json),
        Command::Person(PersonCmd::List(a)) => people::list(ctx, a.json),
        Command::Person(PersonCmd::Show { who, json }) => people::show(ctx, &who, json.json),
        Command::Key(k) => key(ctx, k),
        Command::Signoff(a) => signoff::signoff(ctx, &a),
        Command::Reopen(a) => signoff::reopen(ctx, &a),
        Command::Run(RunCmd::Add {
            release,
            template,
            fresh,
            json,
        }) => release::add_run(ctx, &release, &template, fresh, json.json),
        Command::Run(RunCmd::Upgrade {
            release,
            template,
            dry_run,
            json,
        }) => release::upgrade_run(ctx, &release, &template, dry_run, json.json),
        Command::Show(a) => show::run(ctx, &a),
        Command::Tick(a) => tick::run(ctx, &a),
        Command::History(a) => history::run(ctx, &a),
        Command::Export(a) => export::run(ctx, &a),
        Command::Gate(a) => gate::run(ctx, &a),
        Command::Audit(crate::cli::AuditCmd::Verify(a)) => audit::verify(ctx, a.json),
        Command::Backup { file, force } => maintenance::backup(ctx, &file, force),
        Command::Restore { file } => maintenance::restore(ctx, &file),
        Command::Doctor(a) => maintenance::doctor(ctx, a.json),
        Command::Sync(a) => sync::run(ctx, &a),
        Command::Config(c) => config::run(ctx, c),
    }
}

fn key(ctx: &mut Ctx, command: KeyCmd) -> Result<ExitCode> {
    let me = |person: Option<String>| person.unwrap_or_else(|| ctx.actor.clone());
    match command {
        KeyCmd::Init {
            person,
            force,
            unencrypted,
            password,
            store,
        } => keys::init(ctx, &me(person), force, unencrypted, &password, &store),
        KeyCmd::Protect { person, password } => keys::protect(ctx, &me(person), &password),
        KeyCmd::Import {
            file,
            person,
            force,
            password,
            store,
        } => keys::import(ctx, &file, &me(person), force, &password, &store),
        KeyCmd::Export {
            person,
            secret,
            yes_i_understand,
            output,
        } => keys::export(
            ctx,
            &me(person),
            secret,
            yes_i_understand,
            output.as_deref(),
        ),
        KeyCmd::Rotate {
            person,
            force,
            unencrypted,
            password,
            store,
        } => keys::rotate(ctx, &me(person), force, unencrypted, &password, &store),
        KeyCmd::Revoke { key, reason, from } => keys::revoke(ctx, &key, &reason, from.as_deref()),
    }
}

fn handled_before_open() -> Result<ExitCode> {
    Err(CliError::Usage(
        "import and verify are handled before the database opens".into(),
    ))
}
