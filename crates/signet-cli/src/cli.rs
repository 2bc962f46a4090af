//! Command-line grammar (clap derive). Each subcommand's behaviour is in cmd/.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "signet",
    version,
    about = "Release checklists from markdown: import, tick, sign off, export, verify, gate."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Database file [default: $XDG_DATA_HOME/signet/signet.db]
    #[arg(long, global = true, env = "SIGNET_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Who is acting, recorded in the audit trail [default: $USER]
    #[arg(long, global = true, env = "SIGNET_ACTOR", value_name = "NAME")]
    pub actor: Option<String>,
    /// Where signing keys live [default: $XDG_CONFIG_HOME/signet]
    #[arg(long, global = true, env = "SIGNET_CONFIG_DIR", value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
    /// --db was given on the command line (not from SIGNET_DB): set by
    /// `main` from clap's value source; `verify` only consults a database
    /// it was explicitly pointed at.
    #[arg(skip)]
    pub db_on_command_line: bool,
}

/// Where a signing key's password comes from. Never an argument: it would
/// show in `ps` and shell history.
#[derive(Debug, Args)]
pub struct PasswordArgs {
    /// Read the key's password from the first line of FILE [default:
    /// $SIGNET_KEY_PASSWORD, else a prompt on the terminal]
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

/// Where a new signing key is kept (`signet_core::keys::KeyStore`).
#[derive(Debug, Args)]
pub struct KeyStoreArgs {
    /// Where the new secret key is kept: auto = in the OS secret store
    /// (Secret Service, Keychain, Credential Manager) when it is unlocked,
    /// else a key file; file = a key file; os = the OS store or nothing
    #[arg(
        long,
        value_enum,
        env = "SIGNET_KEY_STORE",
        value_name = "WHERE",
        default_value = "auto"
    )]
    pub key_store: KeyStoreChoice,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KeyStoreChoice {
    Auto,
    File,
    Os,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import markdown checklists as templates
    Import(ImportArgs),
    /// List imported templates (archived ones with --all)
    Templates(TemplatesArgs),
    /// A template: its versions and what each changed, archiving, repair
    #[command(subcommand)]
    Template(TemplateCmd),
    /// Releases in work by due date (overdue, blocked), and the open items
    /// one owner holds across them
    Home(HomeArgs),
    /// Create and list releases
    #[command(subcommand)]
    Release(ReleaseCmd),
    /// Attach templates to releases
    #[command(subcommand)]
    Run(RunCmd),
    /// Show a release's outline with status, owners and progress
    Show(ShowArgs),
    /// Change an item's status, owner, evidence or notes
    Tick(TickArgs),
    /// Show who changed an item, what and when
    History(HistoryArgs),
    /// Owners and approvers
    #[command(subcommand)]
    Person(PersonCmd),
    /// Signing keys on this machine
    #[command(subcommand)]
    Key(KeyCmd),
    /// Sign a release off: freezes its report and signs it
    Signoff(SignoffArgs),
    /// Make a signed-off release writable again
    Reopen(ReopenArgs),
    /// Export a release's report as markdown, HTML, PDF, JSON or CSV
    Export(ExportArgs),
    /// Check a signed report file: digest, every signature, every byte (no
    /// database needed; with --db PATH given here, its key revocations apply)
    Verify(VerifyArgs),
    /// Exit 0 only when the release is signed off with valid signatures
    Gate(GateArgs),
    /// Check the audit trail
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Copy the database to a file (safe while the app is running)
    Backup {
        file: PathBuf,
        /// Replace FILE if it already exists
        #[arg(long)]
        force: bool,
    },
    /// Replace the database with a backup, after checking the backup; the
    /// replaced database is kept beside it under a new timestamped name
    Restore { file: PathBuf },
    /// Check the database: integrity, references, audit chain, signed reports
    Doctor(JsonFlag),
    /// Share ticks and sign-offs with teammates through any git remote
    Sync(SyncArgs),
    /// Report branding: organisation name, client name and logo, on every
    /// report made from now on (and signed with it)
    #[command(subcommand)]
    Config(ConfigCmd),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Set one setting: org-name NAME, client-name NAME, logo FILE (PNG or SVG, at most 512 KiB)
    Set {
        #[arg(value_enum)]
        key: ConfigKey,
        value: String,
    },
    /// Clear one setting
    Unset {
        #[arg(value_enum)]
        key: ConfigKey,
    },
    /// Show the settings reports carry
    Show(JsonFlag),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfigKey {
    /// The organisation that prepares reports (cover and running header)
    OrgName,
    /// The client reports are prepared for
    ClientName,
    /// A PNG or SVG logo file, embedded in every report
    Logo,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// A git remote: URL (ssh, https, file://) or the path of a bare
    /// repository; remembered for the next sync
    pub remote: Option<String>,
    /// Say where sync stands (remote, last sync, unpublished changes,
    /// conflicts) without contacting the remote
    #[arg(long)]
    pub status: bool,
    /// First sync only: the person this database publishes as (handle of a
    /// person with a signing key on this machine). Without it a new
    /// database only receives — what a CI job that gates a release needs
    #[arg(long = "as", value_name = "PERSON")]
    pub person: Option<String>,
    /// Pin a person's public key (a .pub file or the base64 key), e.g.
    /// `--trust ana=keys/ana.pub`; repeatable. A database that knows nobody
    /// yet (a CI job) then accepts only devices vouched for by that key
    #[arg(long, value_name = "HANDLE=KEY")]
    pub trust: Vec<String>,
    /// Make REMOTE the remote later syncs use (the first one given is
    /// remembered anyway; another, e.g. a USB stick, is used once)
    #[arg(long, requires = "remote")]
    pub remember: bool,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct TemplatesArgs {
    /// Also list archived templates
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Subcommand)]
pub enum TemplateCmd {
    /// Every version, newest first, with the items each added, removed,
    /// moved or reworded
    Versions {
        /// Template name as `signet templates` shows it
        template: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Hide a template from the library here; no new release starts from
    /// it (a local preference: not audited, not synced)
    Archive { template: String },
    /// Bring an archived template back
    Unarchive { template: String },
    /// Store a version's text again with its mojibake repaired (as import
    /// --repair-mojibake would), as the next version
    Repair {
        /// Template name (name or name@version)
        template: String,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Args)]
pub struct HomeArgs {
    /// Whose open items to list (handle, name or e-mail); default: you
    #[arg(long, value_name = "WHO")]
    pub owner: Option<String>,
    /// The day overdue counts from, YYYY-MM-DD; default: today (UTC)
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Markdown files to import
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Also attach the imported templates to this release (created if missing)
    #[arg(long, value_name = "RELEASE")]
    pub release: Option<String>,
    /// With --release: start every item open, ignoring what the file says is
    /// done, blocked or n/a and its evidence (owners from an Owner column stay)
    #[arg(long, requires = "release")]
    pub fresh: bool,
    /// Fix text that was mangled by a wrong encoding (e.g. ‚Üí for →)
    #[arg(long)]
    pub repair_mojibake: bool,
    /// Largest file accepted, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = signet_core::import::DEFAULT_MAX_SIZE)]
    pub max_size: u64,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Subcommand)]
pub enum ReleaseCmd {
    /// Create a release
    New {
        name: String,
        /// Due date, YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        due: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// List releases with progress
    List(JsonFlag),
    /// List a release's frozen report revisions and who signed each
    Revisions {
        release: String,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Subcommand)]
pub enum PersonCmd {
    /// Add a person: `signet person add "Ana Ruiz" --email ana@example.com`
    Add {
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// Short name for --as and --owner [default: first name, lower case]
        #[arg(long)]
        handle: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// List people with their key ids
    List(JsonFlag),
    /// Show a person, including their public key
    Show {
        who: String,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCmd {
    /// Create this person's signing key pair on this machine, encrypted
    /// with a password, in the OS secret store when it is unlocked, else in
    /// a key file
    Init {
        /// Handle, e-mail or name of the person [default: --actor]
        #[arg(long = "as", value_name = "PERSON")]
        person: Option<String>,
        /// Replace an existing key (signatures made with the old one stay valid)
        #[arg(long)]
        force: bool,
        /// Store the secret key without a password (throwaway CI keys only)
        #[arg(long, conflicts_with = "password_file")]
        unencrypted: bool,
        #[command(flatten)]
        password: PasswordArgs,
        #[command(flatten)]
        store: KeyStoreArgs,
    },
    /// Encrypt an unencrypted secret key with a password, in place
    Protect {
        /// Handle, e-mail or name of the person [default: --actor]
        #[arg(long = "as", value_name = "PERSON")]
        person: Option<String>,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Take a minisign secret key made elsewhere (`minisign -G`) for a
    /// person and register its public key
    Import {
        /// The minisign secret key file
        file: PathBuf,
        /// Handle, e-mail or name of the person [default: --actor]
        #[arg(long = "as", value_name = "PERSON")]
        person: Option<String>,
        /// Replace another registered key, or another key on this machine
        #[arg(long)]
        force: bool,
        /// The password of the imported file
        #[command(flatten)]
        password: PasswordArgs,
        #[command(flatten)]
        store: KeyStoreArgs,
    },
    /// Print a person's public key as a minisign .pub file (or, with
    /// --secret, their encrypted secret key file)
    Export {
        /// Handle, e-mail or name of the person [default: --actor]
        #[arg(long = "as", value_name = "PERSON")]
        person: Option<String>,
        /// Export the secret key file (still encrypted), to move it to
        /// another machine
        #[arg(long)]
        secret: bool,
        /// Confirm a secret export without being asked
        #[arg(long, requires = "secret")]
        yes_i_understand: bool,
        /// Write to FILE (readable only by you) instead of standard output
        #[arg(short, long, value_name = "FILE", requires = "secret")]
        output: Option<PathBuf>,
    },
    /// Replace a person's key with a new key pair; what the old key signed
    /// keeps verifying
    Rotate {
        /// Handle, e-mail or name of the person [default: --actor]
        #[arg(long = "as", value_name = "PERSON")]
        person: Option<String>,
        /// Rotate although this machine does not hold the registered key (it was lost)
        #[arg(long)]
        force: bool,
        /// Store the new secret key without a password (throwaway CI keys only)
        #[arg(long, conflicts_with = "password_file")]
        unencrypted: bool,
        #[command(flatten)]
        password: PasswordArgs,
        #[command(flatten)]
        store: KeyStoreArgs,
    },
    /// Mark a key compromised: signatures dated after --from are invalid,
    /// earlier ones are flagged
    Revoke {
        /// Key id as `signet person show` lists it (or the public key)
        key: String,
        /// Why, e.g. "laptop stolen" (recorded in the audit trail)
        #[arg(long)]
        reason: String,
        /// Compromised since: YYYY-MM-DD or an RFC 3339 time [default: now]
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct SignoffArgs {
    pub release: String,
    /// Who signs: handle, e-mail or name of a person with a key on this machine
    #[arg(long = "as", value_name = "PERSON")]
    pub person: String,
    /// The approver's role, e.g. "Tech lead"
    #[arg(long)]
    pub role: String,
    /// Sign although items are open; the reason is shown in the report
    #[arg(long = "override", value_name = "REASON")]
    pub override_reason: Option<String>,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct ReopenArgs {
    pub release: String,
    /// Why the signed-off release must change (recorded in the audit trail)
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A report exported by `signet export` (.json, .md, .html or .pdf)
    pub file: PathBuf,
    /// Trusted public key (base64 or a .pub file); repeatable. Every
    /// signature must then come from one of these keys, and each of them
    /// must have signed.
    #[arg(long, value_name = "PUB")]
    pub key: Vec<String>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Subcommand)]
pub enum RunCmd {
    /// Attach a template to a release
    Add {
        release: String,
        /// Template name as `signet templates` shows it (name or name@version)
        template: String,
        /// Start every item open, ignoring what the source says is done, blocked
        /// or n/a and its evidence (owners from an Owner column stay)
        #[arg(long)]
        fresh: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Move a release's run to the template's newest version, keeping item
    /// states: by stable key, else the same text moved elsewhere, else a
    /// reworded text (similar enough)
    Upgrade {
        release: String,
        /// Template name as `signet templates` shows it
        template: String,
        /// Show what the upgrade would pair, keep, remove and add; change nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub release: String,
    /// Only items with this status (open, done, n/a, blocked)
    #[arg(long)]
    pub status: Option<String>,
    /// Only items owned by this person: any of a registered person's handle,
    /// name or e-mail finds them all (warns when it names nobody registered)
    #[arg(long)]
    pub owner: Option<String>,
    /// Also print each item's stable key
    #[arg(long)]
    pub keys: bool,
    /// Also print sections without items (prose, sign-off blocks)
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct TickArgs {
    pub release: String,
    /// Outline number (4.2), key, or template:number when a release has several checklists
    pub item: String,
    /// New status: done, n/a, blocked or open
    pub status: Option<String>,
    /// Owner of the item (empty string clears it); a registered person's
    /// handle, name or e-mail, else accepted with a warning
    #[arg(long)]
    pub owner: Option<String>,
    /// Evidence (repeatable): an http(s) URL with a host, a mailto: link with
    /// an address, or plain text written as a note, e.g. --evidence 'note:
    /// checked by hand on staging' (file paths and ticket ids too: 'note:
    /// JIRA-123')
    #[arg(long, value_name = "LINK|note: TEXT")]
    pub evidence: Vec<String>,
    /// A note to add
    #[arg(long)]
    pub note: Option<String>,
    /// Why the item is n/a or blocked
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    pub release: String,
    pub item: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub release: String,
    /// md, html, pdf, json, csv, or all (with -o DIR) [default: from the -o extension, else md]
    #[arg(long)]
    pub format: Option<String>,
    /// Output file (written atomically), or a directory with --format all; standard output if absent
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// A frozen revision [default: the newest when signed off, else a draft of the current state]
    #[arg(long)]
    pub revision: Option<u32>,
    /// PDF paper size: a4 or letter
    #[arg(long, default_value = "a4")]
    pub paper: String,
    /// Say what changed since this release (newly done, regressed, added,
    /// removed, and the trend) [default: the previous release sharing a
    /// checklist]. A signed report keeps the comparison it was signed with
    #[arg(long, value_name = "RELEASE")]
    pub compare: Option<String>,
    /// A draft without a comparison (a signed report keeps the one it was
    /// signed with)
    #[arg(long, conflicts_with = "compare")]
    pub no_compare: bool,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    pub release: String,
    /// This person must have signed (handle, e-mail or name); repeatable
    #[arg(long, value_name = "PERSON")]
    pub require: Vec<String>,
    /// At least this many valid signatures
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min_approvers: usize,
    /// Fail when the sign-off was forced with --override, or a signature
    /// was made with a key revoked later
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Re-compute the audit hash chain and report the first broken event
    Verify(JsonFlag),
}
