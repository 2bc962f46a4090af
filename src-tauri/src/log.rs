//! The app's log file, for a user to attach to a bug report: one file a
//! day under `$SIGNET_LOG_DIR`, else the XDG state dir
//! (`~/.local/state/signet/logs` on Linux; the local data dir elsewhere),
//! the last seven kept. It records start-up, refused or failed commands and
//! sync runs — what a bug report needs — and never a password, a key or an
//! item's text beyond what an error message names.

use std::path::PathBuf;

use tracing_appender::rolling::{RollingFileAppender, Rotation};

/// How many daily files are kept.
const KEEP: usize = 7;

/// Where log files go (the same rule the help overlay shows).
pub fn dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SIGNET_LOG_DIR").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("", "", "signet")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("logs"),
    )
}

/// Starts writing the log file. Logging is a help, not a duty: when the
/// folder cannot be made the app runs without it and says so on stderr.
pub fn start() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = dir()?;
    // The appender prunes old files by listing the folder: it must exist.
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("signet-app: no log file in {}: {e}", dir.display());
        return None;
    }
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("signet")
        .filename_suffix("log")
        .max_log_files(KEEP)
        .build(&dir);
    let appender = match appender {
        Ok(a) => a,
        Err(e) => {
            eprintln!("signet-app: no log file in {}: {e}", dir.display());
            return None;
        }
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let installed = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing::Level::INFO)
        .try_init();
    if installed.is_err() {
        return None;
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        pid = std::process::id(),
        "Signet started"
    );
    Some(guard)
}
