//! Command-line grammar (clap derive). Each subcommand's behaviour is in cmd/.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "signet",
    version,
    about = "Release checklists from markdown: import, tick, export, gate."
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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import markdown checklists as templates
    Import(ImportArgs),
    /// List imported templates
    Templates(JsonFlag),
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
    /// Export a release as markdown, JSON or CSV
    Export(ExportArgs),
    /// Exit 0 only when every item of the release is done or n/a
    Gate(GateArgs),
    /// Check the audit trail
    #[command(subcommand)]
    Audit(AuditCmd),
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
    /// With --release: start every item open, ignoring boxes checked in the file
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
}

#[derive(Debug, Subcommand)]
pub enum RunCmd {
    /// Attach a template to a release
    Add {
        release: String,
        /// Template name as `signet templates` shows it (name or name@version)
        template: String,
        /// Start every item open, ignoring boxes checked in the source
        #[arg(long)]
        fresh: bool,
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
    /// Only items owned by this person
    #[arg(long)]
    pub owner: Option<String>,
    /// Also print each item's stable key
    #[arg(long)]
    pub keys: bool,
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
    /// Owner of the item (empty string clears it)
    #[arg(long)]
    pub owner: Option<String>,
    /// Evidence: an http(s) or mailto link, a file path or a ticket id (repeatable)
    #[arg(long, value_name = "LINK")]
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
    /// md, json or csv [default: from the -o extension, else md]
    #[arg(long)]
    pub format: Option<String>,
    /// Output file (written atomically); standard output if absent
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    pub release: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Re-compute the audit hash chain and report the first broken event
    Verify(JsonFlag),
}
