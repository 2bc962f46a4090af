//! Reading a file for import: size cap, binary and encoding checks, BOM.
//! Each refusal names the file (and line where there is one).

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Default import cap (DESIGN §2): 10 MB.
pub const DEFAULT_MAX_SIZE: u64 = 10 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    /// File name as the user knows it, e.g. `launch.md`.
    pub name: String,
    pub bytes: Vec<u8>,
}

pub fn read(path: &Path, max_size: u64) -> Result<Source> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
    if meta.is_dir() {
        return Err(Error::IsDirectory { path: path.into() });
    }
    let bytes = read_capped(path, &meta, max_size)?.map_err(|size| Error::TooLarge {
        path: path.into(),
        size,
        cap: max_size,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok(Source {
        path: path.into(),
        name,
        bytes,
    })
}

/// The bytes of the file at `path` (whose metadata is `meta`), or
/// `Err(size)` when it holds more than `cap`: checked before reading, and
/// again after, since the file may have grown meanwhile. Each caller words
/// the refusal its own way (import, verify).
pub(crate) fn read_capped(
    path: &Path,
    meta: &std::fs::Metadata,
    cap: u64,
) -> Result<std::result::Result<Vec<u8>, u64>> {
    if meta.len() > cap {
        return Ok(Err(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // One byte past the cap tells a file that grew past it.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, &e))?;
    if bytes.len() as u64 > cap {
        return Ok(Err(bytes.len() as u64));
    }
    Ok(Ok(bytes))
}

/// UTF-8's byte-order mark, which some editors put before a file's text.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes → text: refuses empty, binary and non-UTF-8 input; drops a BOM.
pub fn decode<'b>(path: &Path, bytes: &'b [u8]) -> Result<&'b str> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    // UTF-16/32 text is full of NUL bytes: say what it is instead of "binary".
    for (bom, encoding) in [
        (&b"\xFF\xFE\x00\x00"[..], "UTF-32LE"),
        (&b"\x00\x00\xFE\xFF"[..], "UTF-32BE"),
        (&b"\xFF\xFE"[..], "UTF-16LE"),
        (&b"\xFE\xFF"[..], "UTF-16BE"),
    ] {
        if bytes.starts_with(bom) {
            return Err(Error::WrongEncoding {
                path: path.into(),
                encoding,
            });
        }
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(Error::Binary {
            path: path.into(),
            offset,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        Error::InvalidUtf8 {
            path: path.into(),
            line,
            column,
        }
    })?;
    if text.is_empty() {
        return Err(Error::Empty { path: path.into() });
    }
    if text.trim().is_empty() {
        return Err(Error::Blank { path: path.into() });
    }
    Ok(text)
}
