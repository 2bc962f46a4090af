//! The seal inside a PDF: what a signed report attaches and how `verify`
//! reads it back. Three attachments: `payload.json` (the signed canonical
//! report, Flate-compressed), one `<handle>.minisig` per approver (so
//! `pdfdetach` + `minisign` check it without Signet) and `signet-seal.json`
//! (the seal without its payload, uncompressed).
//!
//! Reading follows the PDF's own pointers — file specification by name,
//! its `/EF /F` reference, that object's stream — which is the same in
//! layout 1 (pdf-writer) and layout 2 (krilla), so one reader serves both.
//! It does not trust what it reads: whatever it finds is re-rendered and
//! compared byte for byte by `verify`.

use super::write::Attachment;
use crate::error::{Error, Result};
use crate::seal::Seal;

pub(super) const PAYLOAD: &str = "payload.json";
pub(super) const SEAL: &str = "signet-seal.json";

/// Layout 1 (`report/v1/pdf.rs`, frozen) marks its payload stream
/// `/SignetPart /Payload` with this; reading no longer needs it.
pub(crate) const PAYLOAD_PART: &[u8] = b"Payload";

pub(super) fn attachments(seal: &Seal) -> Result<Vec<Attachment>> {
    let mut out = vec![Attachment {
        name: PAYLOAD.into(),
        data: seal.payload.as_bytes().to_vec(),
        mime: "application/json",
        description: "The signed report (canonical JSON)".into(),
        compress: true,
        source: true,
    }];
    for s in &seal.signatures {
        out.push(Attachment {
            name: format!("{}.minisig", s.handle),
            data: s.minisig.as_bytes().to_vec(),
            mime: "text/plain",
            description: format!("minisign signature of payload.json by {}", s.handle),
            compress: false,
            source: false,
        });
    }
    let bare = Seal {
        payload: String::new(),
        ..seal.clone()
    };
    out.push(Attachment {
        name: SEAL.into(),
        data: serde_json::to_vec(&bare)?,
        mime: "application/json",
        description: "The Signet seal: digest and signatures".into(),
        compress: false,
        source: false,
    });
    Ok(out)
}

/// The seal of a PDF we wrote (either layout), with its payload, if it has
/// one.
pub(crate) fn find_seal(bytes: &[u8]) -> Option<Result<Seal>> {
    let seal = attached(bytes, SEAL)?;
    Some(seal.and_then(|json| {
        let mut seal: Seal = serde_json::from_slice(&json)
            .map_err(|e| Error::Invalid(format!("the embedded seal is not valid ({e})")))?;
        let payload = attached(bytes, PAYLOAD)
            .ok_or_else(|| Error::Invalid("the signed payload is missing from the PDF".into()))??;
        seal.payload = String::from_utf8(payload)
            .map_err(|_| Error::Invalid("the signed payload is not UTF-8".into()))?;
        Ok(seal)
    }))
}

// memchr's searchers: a 10k-item PDF is megabytes, and a byte-by-byte
// window comparison over it cost `verify` tens of milliseconds.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}

/// The digits at the start of `bytes`, as a number.
fn number(bytes: &[u8]) -> Option<usize> {
    let end = bytes
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(bytes.len());
    std::str::from_utf8(&bytes[..end]).ok()?.parse().ok()
}

/// The contents of the attachment named `name`: None when the file has no
/// such attachment, an error when it has one we cannot read. The name is
/// looked for from the end; an occurrence that is not a file
/// specification (report text in the XMP metadata) is passed over.
fn attached(bytes: &[u8], name: &str) -> Option<Result<Vec<u8>>> {
    let needle = format!("({name})");
    let mut end = bytes.len();
    let mut first_error = None;
    while let Some(spec) = rfind(&bytes[..end], needle.as_bytes()) {
        end = spec;
        // `/F (name)` (layout 1) or `/F(name)` (layout 2).
        let before = bytes[..spec].trim_ascii_end();
        if !before.ends_with(b"/F") {
            continue;
        }
        match stream_of(bytes, spec, name) {
            Ok(data) => return Some(Ok(data)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map(Err)
}

/// The stream the file specification at `spec` points to, inflated.
fn stream_of(bytes: &[u8], spec: usize, name: &str) -> Result<Vec<u8>> {
    let corrupt = || Error::Invalid(format!("the attachment {name} in the PDF is corrupt"));
    // The file specification's `/EF << /F 12 0 R …>>`, before it closes.
    let close = spec + find(&bytes[spec..], b">>").ok_or_else(corrupt)?;
    let ef = spec + find(&bytes[spec..], b"/EF").ok_or_else(corrupt)?;
    if ef > close {
        return Err(corrupt());
    }
    let f = ef + 3 + find(&bytes[ef + 3..], b"/F").ok_or_else(corrupt)?;
    let id = number(bytes[f + 2..].trim_ascii_start()).ok_or_else(corrupt)?;
    let header = format!("\n{id} 0 obj");
    let obj = find(bytes, header.as_bytes()).ok_or_else(corrupt)? + header.len();
    let stream = obj + find(&bytes[obj..], b"stream\n").ok_or_else(corrupt)?;
    let dict = std::str::from_utf8(&bytes[obj..stream]).map_err(|_| corrupt())?;
    let len = dict
        .split("/Length ")
        .nth(1)
        .and_then(|rest| number(rest.as_bytes()))
        .ok_or_else(corrupt)?;
    let start = stream + b"stream\n".len();
    let data = bytes.get(start..start + len).ok_or_else(corrupt)?;
    if dict.contains("/FlateDecode") {
        let limit = crate::report::inflate_limit(bytes.len());
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, limit).map_err(|_| corrupt())
    } else {
        Ok(data.to_vec())
    }
}
