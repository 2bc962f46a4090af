//! The CLI's one error type; maps to exit codes.

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Core(#[from] signet_core::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Usage(String),
    /// Errors already printed one per line (e.g. several bad import files).
    #[error("{failed} of the given files could not be imported; nothing was imported")]
    Reported { failed: usize, of: usize },
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Core(e) if !e.is_input_error() => 1,
            _ => 2,
        }
    }
}

pub type Result<T> = std::result::Result<T, CliError>;
