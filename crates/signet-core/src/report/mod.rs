//! Exports of a release: one view of the data, several renderers. Writers
//! return bytes; [`write_atomic`] puts them on disk via temp file + rename so
//! a crash never leaves half a report.

mod csv;
mod json;
mod markdown;

use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::model::ReleaseView;

pub use json::SCHEMA as JSON_SCHEMA;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
    Csv,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            other => Err(Error::Invalid(format!(
                "unknown export format '{other}' (use md, json or csv)"
            ))),
        }
    }
}

/// Renders a release in a format. `generated_at` is passed in so output is
/// reproducible in tests.
pub fn render(view: &ReleaseView, format: Format, generated_at: &str) -> Result<Vec<u8>> {
    match format {
        Format::Markdown => Ok(markdown::render(view, generated_at).into_bytes()),
        Format::Json => json::render(view, generated_at),
        Format::Csv => csv::render(view),
    }
}

/// Writes the file whole or not at all.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, &e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, &e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, &e))?;
    tmp.persist(path).map_err(|e| Error::io(path, &e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests;
