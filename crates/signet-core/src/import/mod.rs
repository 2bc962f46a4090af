//! Markdown import: bytes → checked text → [`Checklist`] plus an
//! [`ImportReport`]. No database here; the store persists what this returns.

mod input;
pub mod key;
pub mod markdown;
mod metadata;
pub mod mojibake;
mod rewrite;
pub mod sample;
mod table;

use std::path::Path;

use sha2::{Digest, Sha256};

pub(crate) use input::{read_capped, BOM};
pub use input::{Source, DEFAULT_MAX_SIZE};

#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use crate::model::{Checklist, ImportReport, Warning, WarningKind};

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub max_size: u64,
    /// Replace detected mojibake with the repaired text before parsing.
    pub repair_mojibake: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            max_size: DEFAULT_MAX_SIZE,
            repair_mojibake: false,
        }
    }
}

/// A parsed file, ready for the store.
#[derive(Debug, Clone)]
pub struct Imported {
    pub checklist: Checklist,
    pub report: ImportReport,
    /// The markdown as imported (after an opted-in mojibake repair).
    pub raw: String,
    /// SHA-256 of the file's bytes, or of the repaired text when a mojibake
    /// repair changed it: identical content imports once.
    pub content_hash: String,
    pub source_name: String,
    /// Short name the CLI and UI address the template by.
    pub slug: String,
}

pub fn import_file(path: &Path, opts: &ImportOptions) -> Result<Imported> {
    let source = input::read(path, opts.max_size)?;
    import_source(source, opts)
}

/// Imports the file's bytes; they become [`Imported::raw`] without a copy.
pub fn import_source(source: Source, opts: &ImportOptions) -> Result<Imported> {
    let path = source.path.as_path();
    let decoded = input::decode(path, &source.bytes)?;
    // `decode` takes off a BOM and nothing else.
    let bom = source.bytes.len() - decoded.len();
    let stem = Path::new(&source.name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| source.name.clone());
    let suspects = mojibake::scan(decoded);
    let repaired =
        (opts.repair_mojibake && !suspects.is_empty()).then(|| mojibake::repair(decoded));
    let text = repaired.as_deref().unwrap_or(decoded);
    let was_repaired = repaired.is_some();
    let parsed = markdown::parse(text, &stem);
    let mut warnings = parsed.warnings;
    for s in &suspects {
        let message = if opts.repair_mojibake {
            format!(
                "repaired mojibake '{}' → '{}' (UTF-8 read as {})",
                s.found, s.repaired, s.charset
            )
        } else {
            format!(
                "'{}' looks like mojibake of '{}' (UTF-8 read as {}); import with --repair-mojibake to fix",
                s.found, s.repaired, s.charset
            )
        };
        warnings.push(Warning {
            line: s.line,
            kind: WarningKind::Mojibake,
            message,
        });
    }
    warnings.sort_by_key(|w| w.line);
    let checklist = parsed.checklist;
    let items = checklist.walk_items();
    if items.is_empty() {
        return Err(Error::NoItems {
            path: path.into(),
            sections: checklist.walk_sections().len(),
        });
    }
    let report = ImportReport {
        file: source.name.clone(),
        title: checklist.title.clone(),
        sections: checklist.walk_sections().len(),
        items: items.len(),
        checked: items.iter().filter(|(_, i)| i.checked()).count(),
        warnings,
    };
    // A repair is a change: hashing the file's bytes would make a repaired
    // import of an already imported file look "unchanged" and keep the
    // garbled version. The repaired text is what gets stored, so hash that.
    let digest = if was_repaired {
        Sha256::digest(text.as_bytes())
    } else {
        Sha256::digest(&source.bytes)
    };
    let content_hash = crate::hex::encode(&digest);
    let slug = key::slug(&stem);
    let raw = match repaired {
        Some(r) => r,
        None => {
            let mut bytes = source.bytes;
            bytes.drain(..bom);
            // Checked as UTF-8 by `decode` already: the lossy branch is
            // never taken.
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        }
    };
    Ok(Imported {
        report,
        raw,
        content_hash,
        source_name: source.name,
        slug,
        checklist,
    })
}

/// Import markdown held in memory (a dropped file, a test fixture).
pub fn import_bytes(name: &str, bytes: Vec<u8>, opts: &ImportOptions) -> Result<Imported> {
    if bytes.len() as u64 > opts.max_size {
        return Err(Error::TooLarge {
            path: name.into(),
            size: bytes.len() as u64,
            cap: opts.max_size,
        });
    }
    let source = Source {
        path: name.into(),
        name: name.to_string(),
        bytes,
    };
    import_source(source, opts)
}
