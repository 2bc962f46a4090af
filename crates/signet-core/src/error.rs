//! The one error type of signet-core. Every variant carries enough context
//! (file, line, release, item) for a user to act on it without a backtrace.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("{}: is a directory, not a markdown file", path.display())]
    IsDirectory { path: PathBuf },
    #[error("{}: file is empty", path.display())]
    Empty { path: PathBuf },
    #[error("{}: file holds only whitespace", path.display())]
    Blank { path: PathBuf },
    #[error("{}: file is {encoding} text; save it as UTF-8 and import again", path.display())]
    WrongEncoding {
        path: PathBuf,
        encoding: &'static str,
    },
    #[error("{}: file is {size} bytes, over the {cap}-byte import cap (raise it with --max-size)", path.display())]
    TooLarge { path: PathBuf, size: u64, cap: u64 },
    #[error("{}: looks like a binary file, not markdown (NUL byte at byte {offset})", path.display())]
    Binary { path: PathBuf, offset: usize },
    #[error("{}:{line}:{column}: invalid UTF-8 (save the file as UTF-8 and import again)", path.display())]
    InvalidUtf8 {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    #[error("{}: no checklist items found ({sections} sections, no task lists, bullets or table rows)", path.display())]
    NoItems { path: PathBuf, sections: usize },
    #[error("no Signet database at {}; import a checklist or create a release to start one", path.display())]
    NoDatabase { path: PathBuf },
    #[error("{}: not a database ({detail}); pass --db with a Signet database file", path.display())]
    NotADatabase { path: PathBuf, detail: String },
    #[error("{}: not a Signet database ({detail}); Signet left it untouched — pass --db with a Signet database file", path.display())]
    NotSignetDatabase { path: PathBuf, detail: String },
    #[error("{what} not found: {name}")]
    NotFound { what: &'static str, name: String },
    #[error("{what} already exists: {name}")]
    AlreadyExists { what: &'static str, name: String },
    #[error("{0}")]
    Invalid(String),
    /// A password was given for an encrypted key and did not open it.
    #[error("wrong password for {what}; nothing was signed or changed")]
    WrongPassword { what: String },
    #[error("item address '{address}' matches several runs ({candidates}); prefix it with the template, e.g. {example}")]
    AmbiguousItem {
        address: String,
        candidates: String,
        example: String,
    },
    #[error("cannot sign off {release}: {open} of {total} items are not done or n/a; finish them, or sign with --override \"reason\"")]
    SignoffRefused {
        release: String,
        open: usize,
        total: usize,
        items: Vec<String>,
    },
    /// A report holds a seal that cannot be read: it was changed after
    /// signing, so verifying it fails like any other check (exit 1).
    #[error("{file}: {problem}")]
    BrokenSeal { file: String, problem: String },
    #[error("audit chain broken at event {event_id}: {problem}")]
    AuditChain { event_id: i64, problem: String },
    /// Sync could not reach, read or update a remote; nothing local changed.
    #[error("sync with {remote}: {problem}")]
    Sync { remote: String, problem: String },
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("database migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("{0}")]
    Csv(#[from] csv::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, err: &std::io::Error) -> Self {
        let message = match err.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => err.to_string(),
        };
        Error::Io {
            path: path.into(),
            message,
        }
    }

    /// A storage condition the user can fix, said plainly: the database file
    /// is read-only, or the disk is full. Nothing was written in either case
    /// (the transaction rolled back).
    pub fn storage_problem(&self) -> Option<&'static str> {
        let Error::Database(e) = self else {
            return None;
        };
        match e.sqlite_error_code()? {
            rusqlite::ErrorCode::ReadOnly => {
                Some("the database is read-only (check the file's and its folder's permissions); nothing was written")
            }
            rusqlite::ErrorCode::DiskFull => {
                Some("the disk is full (or the database reached its size limit); nothing was written")
            }
            rusqlite::ErrorCode::CannotOpen => Some("the database cannot be opened"),
            _ => None,
        }
    }

    /// Whether the error is the user's input (exit 2) rather than our fault.
    pub fn is_input_error(&self) -> bool {
        !matches!(
            self,
            Error::Database(_)
                | Error::Migration(_)
                | Error::AuditChain { .. }
                | Error::BrokenSeal { .. }
                | Error::Sync { .. }
        )
    }
}
