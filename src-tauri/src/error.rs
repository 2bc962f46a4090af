//! The one error the UI sees: a kind it can react to, a message it can show,
//! and where the problem is (file and line, release, item) when known.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum ErrorKind {
    /// The input file or value is unusable (bad markdown file, bad date…).
    Input,
    NotFound,
    AlreadyExists,
    /// The action is not allowed now (read-only release, missing reason…).
    Refused,
    /// Database or I/O trouble: not the user's fault.
    Internal,
    /// A sync remote could not be reached, read or updated (`where` names
    /// it); nothing local changed.
    Remote,
    /// A signing key is encrypted and no password was given for it, or the
    /// one given was wrong (`locked` says whose key and which): ask for it
    /// and call again. Nothing was signed or changed.
    NeedsPassword,
}

/// The key a [`ErrorKind::NeedsPassword`] error asks the password of, as
/// the prompt names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct LockedKey {
    /// Whose key: the person's handle and name.
    pub handle: String,
    pub name: String,
    /// The registered key id (what a signature will carry); None for a key
    /// file being imported, whose id its password hides.
    pub key_id: Option<String>,
    /// The key file being imported (its file name); None for a key on this
    /// machine.
    pub file: Option<String>,
    /// A password was given and did not open the key.
    pub wrong_password: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(rename = "where")]
    pub location: Option<String>,
    /// With [`ErrorKind::NeedsPassword`]: the key to ask the password of.
    pub locked: Option<Box<LockedKey>>,
}

impl From<signet_core::Error> for AppError {
    fn from(e: signet_core::Error) -> Self {
        use signet_core::Error as E;
        let (kind, location) = match &e {
            E::Io { path, .. }
            | E::IsDirectory { path }
            | E::Empty { path }
            | E::Blank { path }
            | E::WrongEncoding { path, .. }
            | E::TooLarge { path, .. }
            | E::Binary { path, .. }
            | E::NoItems { path, .. }
            | E::NoDatabase { path }
            | E::NotADatabase { path, .. }
            | E::NotSignetDatabase { path, .. } => {
                (ErrorKind::Input, Some(path.display().to_string()))
            }
            E::InvalidUtf8 { path, line, .. } => {
                (ErrorKind::Input, Some(format!("{}:{line}", path.display())))
            }
            E::NotFound { .. } => (ErrorKind::NotFound, None),
            E::AlreadyExists { .. } => (ErrorKind::AlreadyExists, None),
            E::Invalid(_)
            | E::WrongPassword { .. }
            | E::AmbiguousItem { .. }
            | E::SignoffRefused { .. } => (ErrorKind::Refused, None),
            E::BrokenSeal { file, .. } => (ErrorKind::Refused, Some(file.clone())),
            E::Sync { remote, .. } => (ErrorKind::Remote, Some(remote.clone())),
            E::AuditChain { event_id, .. } => {
                (ErrorKind::Internal, Some(format!("event {event_id}")))
            }
            E::Database(_) | E::Migration(_) | E::Csv(_) | E::Json(_) => {
                (ErrorKind::Internal, None)
            }
        };
        let error = AppError {
            kind,
            message: e.to_string(),
            location,
            locked: None,
        };
        error.logged()
    }
}

impl AppError {
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Refused, message)
    }

    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AppError {
            kind,
            message: message.into(),
            location: None,
            locked: None,
        }
        .logged()
    }

    /// Every error a command returns passes here, so the log file holds
    /// what the user saw (messages name files and items, never secrets).
    fn logged(self) -> Self {
        match self.kind {
            ErrorKind::Internal => {
                tracing::error!(kind = ?self.kind, location = ?self.location, "{}", self.message)
            }
            _ => tracing::warn!(kind = ?self.kind, location = ?self.location, "{}", self.message),
        }
        self
    }

    /// The password of `key` is needed (or the one given was wrong).
    pub fn needs_password(key: LockedKey, message: impl Into<String>) -> Self {
        AppError {
            locked: Some(Box::new(key)),
            ..Self::new(ErrorKind::NeedsPassword, message)
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;
