//! Reports of a release: one model ([`model::Report`]), five renderers.
//! Renderers are pure and deterministic — the same report and seal always
//! give the same bytes — because verification re-renders a signed file and
//! compares. [`write_atomic`] puts bytes on disk via temp file + rename so a
//! crash never leaves half a report.

pub mod branding;
mod chart;
pub mod compare;
mod cover;
mod csv;
mod html;
pub(crate) mod json;
mod markdown;
pub mod model;
mod paper;
pub(crate) mod pdf;
mod text;
mod v1;

use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use base64::Engine;

use crate::error::{Error, Result};
use crate::seal::Seal;

pub use model::{Report, SCHEMA};
pub use paper::Paper;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Format {
    Markdown,
    Html,
    Pdf,
    Json,
    Csv,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Markdown,
        Format::Html,
        Format::Pdf,
        Format::Json,
        Format::Csv,
    ];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Pdf => "pdf",
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
            "html" | "htm" => Ok(Format::Html),
            "pdf" => Ok(Format::Pdf),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            other => Err(Error::Invalid(format!(
                "unknown export format '{other}' (use md, html, pdf, json, csv or all)"
            ))),
        }
    }
}

/// Renders a report. A `seal` (signed reports) is shown in the sign-off
/// block and embedded so `signet verify` can check the file on its own.
/// The seal's version names the layout: a version-1 seal renders as the
/// frozen layout 1 (see [`v1`]), so old reports keep verifying.
pub fn render(
    report: &Report,
    seal: Option<&Seal>,
    format: Format,
    paper: Paper,
) -> Result<Vec<u8>> {
    if seal.is_some_and(|s| s.signet_seal == 1) {
        if let Some(out) = v1::render(report, seal, format, paper) {
            return out;
        }
    }
    match format {
        Format::Markdown => {
            let (mut out, block) = with_seal_comment(seal, || markdown::render(report, seal));
            out.push_str(&block);
            Ok(out.into_bytes())
        }
        Format::Html => {
            let (mut out, block) = with_seal_comment(seal, || html::render(report, seal));
            out.push_str(&block);
            out.push_str(html::CLOSE);
            Ok(out.into_bytes())
        }
        Format::Pdf => pdf::render(report, seal, paper),
        Format::Json => json::render(report, seal),
        Format::Csv => csv::render(report),
    }
}

/// Renders the body while another thread packs the seal comment: both take
/// milliseconds per thousand items, and verification re-renders.
fn with_seal_comment(seal: Option<&Seal>, body: impl FnOnce() -> String) -> (String, String) {
    match seal {
        None => (body(), String::new()),
        Some(seal) => std::thread::scope(|s| {
            let packing = s.spawn(|| seal_comment(seal));
            let out = body();
            let block = packing.join().unwrap_or_default();
            (out, block)
        }),
    }
}

pub(crate) const SEAL_OPEN: &str = "<!-- signet-seal:1";
pub(crate) const SEAL_CLOSE: &str = "-->";

/// The seal as an HTML/markdown comment: zlib-compressed (the payload is
/// the whole report again), then base64 so no report text can close the
/// comment early. Wrapped at 100 columns.
pub(crate) fn seal_comment(seal: &Seal) -> String {
    let json = serde_json::to_vec(seal).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&json, 1);
    let b64 = base64::engine::general_purpose::STANDARD.encode(packed);
    let mut out = String::with_capacity(b64.len() + b64.len() / 100 + 32);
    out.push_str(SEAL_OPEN);
    out.push('\n');
    for chunk in b64.as_bytes().chunks(100) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(SEAL_CLOSE);
    out.push('\n');
    out
}

/// How far a seal or payload packed into a report may inflate: 64 times
/// the whole file (a real report's payload is a few times its file at
/// most) and never past 1 GiB. A few KiB of deflate can name gigabytes.
pub(crate) fn inflate_limit(file_len: usize) -> usize {
    file_len.saturating_mul(64).min(1 << 30)
}

/// Finds and decodes the seal comment of a markdown or HTML report.
pub(crate) fn find_seal_comment(text: &str) -> Option<Result<Seal>> {
    let start = text.rfind(SEAL_OPEN)?;
    let body = &text[start + SEAL_OPEN.len()..];
    // The marker is there: a seal without its end was cut, not never made.
    let Some(end) = body.find(SEAL_CLOSE) else {
        return Some(Err(Error::Invalid(format!(
            "the embedded seal is cut off (its comment has no closing {SEAL_CLOSE})"
        ))));
    };
    // Lines of 100 characters decode on their own (100 is a multiple of 4).
    let engine = &base64::engine::general_purpose::STANDARD;
    let mut packed = Vec::with_capacity(end / 4 * 3);
    for line in body[..end].split_ascii_whitespace() {
        if let Err(e) = engine.decode_vec(line, &mut packed) {
            return Some(Err(Error::Invalid(format!(
                "the embedded seal is not valid base64 ({e})"
            ))));
        }
    }
    let limit = inflate_limit(text.len());
    let json = match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, limit) {
        Ok(j) => j,
        Err(_) => {
            return Some(Err(Error::Invalid(
                "the embedded seal is corrupt (it does not decompress)".into(),
            )))
        }
    };
    Some(
        serde_json::from_slice(&json)
            .map_err(|e| Error::Invalid(format!("the embedded seal is not valid ({e})"))),
    )
}

/// Writes the file whole or not at all.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        // Like any new file (0666 less the umask), not tempfile's private 0600.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, &e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, &e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, &e))?;
    tmp.persist(path).map_err(|e| Error::io(path, &e.error))?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
