//! `signet verify`: checks a report file on its own, without the database.
//!
//! 1. Find the seal (JSON: the `seal` member, whose payload is the canonical
//!    form of `report`; markdown/HTML: the trailing comment; PDF: the
//!    `signet-seal.json` attachment).
//! 2. The payload's SHA-256 must equal the seal's digest.
//! 3. Every signature must verify over the payload, with a trusted comment
//!    naming this release, revision, digest, approver, role and time.
//! 4. Re-rendering the payload and seal must give the file byte for byte,
//!    so an edit to the visible text is caught and located (a PDF of
//!    layout 7 and up: byte for byte once its streams are inflated, see
//!    `report/pdf/inflated.rs`).
//! 5. With trusted keys given (`--key`), every signature must be by one of
//!    them and each of them must have signed validly.

mod difference;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::report::{self, json::File, model::Report, Format, Paper};
use crate::revocation::{standing, KeyRecord, Standing};
use crate::seal::{self, Seal, SealCheck};

pub use crate::seal::{SignatureCheck, TrustedKey};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Verification {
    pub file: String,
    pub format: Format,
    pub release: String,
    pub revision: u32,
    pub digest: String,
    pub passed: bool,
    /// Each problem found, in the order checked.
    pub problems: Vec<String>,
    pub signatures: Vec<SignatureCheck>,
    /// The signed content's SHA-256 equals the seal's digest.
    pub digest_ok: bool,
    /// Trusted keys given (`--key`) that made no valid signature.
    pub unsigned_keys: Vec<TrustedKey>,
}

fn detect(bytes: &[u8]) -> Format {
    let head = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start();
    if bytes.starts_with(b"%PDF-") {
        Format::Pdf
    } else if t.starts_with('{') {
        Format::Json
    } else if t.to_ascii_lowercase().starts_with("<!doctype html") {
        Format::Html
    } else if t.starts_with("release,") {
        Format::Csv
    } else {
        Format::Markdown
    }
}

fn not_signed(file: &str) -> Error {
    Error::Invalid(format!(
        "{file}: not a signed Signet report (no seal found; drafts exported before sign-off cannot be verified)"
    ))
}

/// A seal that cannot be read, said of the file it is in. The file claims
/// to be signed, so this is a failed verification, not a bad argument.
fn in_file(file: &str, e: Error) -> Error {
    match e {
        Error::Invalid(problem) => Error::BrokenSeal {
            file: file.to_string(),
            problem,
        },
        other => other,
    }
}

/// A JSON file that does not read as a Signet report. One with a `seal`
/// member claims to be signed, so it fails verification like any other
/// changed report; anything else is not a report at all.
fn json_unread(file: &str, bytes: &[u8], e: serde_json::Error) -> Error {
    let sealed = serde_json::from_slice::<serde_json::Value>(bytes)
        .is_ok_and(|v| v.get("seal").is_some_and(|s| !s.is_null()));
    let problem = format!("not a Signet JSON report ({e})");
    if sealed {
        in_file(file, Error::Invalid(problem))
    } else {
        Error::Invalid(format!("{file}: {problem}"))
    }
}

/// Words the digest-and-signature verdict as `verify` reports it.
fn crypto_problems(seal: &Seal, check: &SealCheck, format: Format) -> Vec<String> {
    let mut problems = Vec::new();
    if !check.digest_ok {
        // A JSON export's `report` member is the signed content itself, so
        // no second copy is left to say which field changed.
        let hint = if format == Format::Json {
            "; a JSON report holds no copy of the signed content, so the changed field cannot be named"
        } else {
            ""
        };
        problems.push(format!(
            "the report content does not match the signed digest {} (it was changed after signing{hint})",
            seal.digest
        ));
    }
    for s in &check.signatures {
        if let Some(p) = &s.problem {
            problems.push(format!("signature of {} ({}) fails: {p}", s.handle, s.role));
        } else if s.untrusted() {
            problems.push(format!(
                "signature of {} ({}) was made with key {}, which is not among the trusted keys given",
                s.handle, s.role, s.key_id
            ));
        }
    }
    for key in &check.unsigned_keys {
        problems.push(format!(
            "no valid signature by the trusted key {}",
            key.key_id
        ));
    }
    if check.signatures.is_empty() {
        problems.push("the seal holds no signatures".into());
    }
    // Sign-off takes one signature per approver, so a second one by the
    // same person or key was copied in: it would list an approval twice.
    let (mut people, mut keys) = (HashSet::new(), HashSet::new());
    for s in &seal.signatures {
        if !people.insert(s.handle.as_str()) | !keys.insert(s.key_id.as_str()) {
            problems.push(format!(
                "the seal holds a second signature by {} (key {}): sign-off records one per approver",
                s.handle, s.key_id
            ));
        }
    }
    problems
}

/// Re-renders what was signed; any byte of difference is an edit. `parsed`
/// is the report when the file already held it parsed (JSON), so the
/// payload is not parsed a second time.
fn rerender(
    seal: &Seal,
    parsed: Option<Report>,
    format: Format,
    bytes: &[u8],
) -> Result<Option<String>> {
    let r = match parsed.map_or_else(|| Report::from_json(seal.payload.as_bytes()), Ok) {
        Err(e) => return Ok(Some(format!("the signed payload is not a report ({e})"))),
        Ok(r) => r,
    };
    if r.release.name != seal.release || r.revision != seal.revision {
        return Ok(Some(format!(
            "the seal names {} revision {}, the report {} revision {}",
            seal.release, seal.revision, r.release.name, r.revision
        )));
    }
    // The seal's version is not signed, but the payload says which layout
    // it was made at: an older one would leave out what it never drew.
    let oldest = r.oldest_layout();
    if seal.signet_seal < oldest {
        return Ok(Some(format!(
            "seal version {} is older than the signed content, which was made for layout {oldest} or later: \
             a signed report is never laid out again with an older layout",
            seal.signet_seal
        )));
    }
    let paper = Paper::of_pdf(bytes);
    if format == Format::Pdf && seal.signet_seal >= report::pdf::BRANDED_HEADER {
        return report::pdf::differs_inflated(&r, seal, paper, bytes);
    }
    let expected = report::render(&r, Some(seal), format, paper)?;
    Ok((expected != bytes).then(|| difference::first(format, bytes, &expected)))
}

/// The largest report file `verify` reads: a 100k-item PDF is about 30 MB.
pub const MAX_REPORT_SIZE: u64 = 512 << 20;

/// Reads a report file for [`verify`]: a regular file of at most
/// [`MAX_REPORT_SIZE`] bytes. A device, pipe or socket (`/dev/zero` would
/// never end) and a file too large to be a report are refused by name.
pub fn read_report(path: &std::path::Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
    let shown = path.display();
    if !meta.is_file() {
        return Err(Error::Invalid(format!(
            "{shown}: not a report file (a directory, device, pipe or socket)"
        )));
    }
    crate::import::read_capped(path, &meta, MAX_REPORT_SIZE)?.map_err(|size| {
        Error::Invalid(format!(
            "{shown}: {size} bytes, more than the {} MiB a Signet report can be",
            MAX_REPORT_SIZE >> 20
        ))
    })
}

/// Verifies a report file's bytes. `trusted_keys` are minisign public keys
/// (base64); empty means "check signatures, but trust any key".
pub fn verify(file: &str, bytes: &[u8], trusted_keys: &[String]) -> Result<Verification> {
    // An editor that saves with a byte-order mark changed the file, and
    // says so in three bytes: name them, and check the rest as it is.
    let mut rest = bytes;
    while let Some(r) = rest.strip_prefix(crate::import::BOM) {
        rest = r;
    }
    if rest.len() == bytes.len() {
        return verify_unmarked(file, bytes, trusted_keys);
    }
    let mut v = verify_unmarked(file, rest, trusted_keys)?;
    v.problems.insert(
        0,
        "the file starts with a byte-order mark (EF BB BF, added by an editor); the signed report has none".into(),
    );
    v.passed = false;
    Ok(v)
}

/// [`verify`], of a file that does not start with a byte-order mark.
fn verify_unmarked(file: &str, bytes: &[u8], trusted_keys: &[String]) -> Result<Verification> {
    let format = detect(bytes);
    let (mut seal, report): (Seal, Option<Report>) = match format {
        Format::Csv => {
            return Err(Error::Invalid(format!(
            "{file}: CSV exports carry no signature; verify the JSON, markdown, HTML or PDF report"
        )))
        }
        Format::Json => {
            let parsed: File =
                serde_json::from_slice(bytes).map_err(|e| json_unread(file, bytes, e))?;
            let seal = parsed.seal.ok_or_else(|| not_signed(file))?;
            (seal, Some(parsed.report))
        }
        Format::Pdf => (
            report::pdf::find_seal(bytes)
                .ok_or_else(|| not_signed(file))?
                .map_err(|e| in_file(file, e))?,
            None,
        ),
        Format::Markdown | Format::Html => {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| Error::Invalid(format!("{file}: not UTF-8 text")))?;
            (
                report::find_seal_comment(text)
                    .ok_or_else(|| not_signed(file))?
                    .map_err(|e| in_file(file, e))?,
                None,
            )
        }
    };
    let mut problems = Vec::new();
    if !seal::KNOWN_VERSIONS.contains(&seal.signet_seal) {
        problems.push(format!(
            "seal version {} is not one this Signet knows ({})",
            seal.signet_seal,
            seal::KNOWN_VERSIONS.map(|v| v.to_string()).join(", ")
        ));
    }
    // JSON carries the payload as its `report` member: re-derive its bytes.
    if let Some(r) = &report {
        seal.payload = String::from_utf8(r.canonical()?)
            .map_err(|e| Error::Invalid(format!("report is not UTF-8: {e}")))?;
    }
    let trusted = (!trusted_keys.is_empty()).then_some(trusted_keys);
    // The cryptographic checks and the re-render are independent: run them
    // side by side (a 10k-item report takes tens of milliseconds each).
    let (check, rendering) = std::thread::scope(|scope| {
        let check = scope.spawn(|| seal.check(trusted));
        let rendering = rerender(&seal, report, format, bytes);
        (check.join(), rendering)
    });
    // A panic while checking (a bug, e.g. on crafted input) fails the
    // report rather than the command.
    let check = match check {
        Ok(check) => {
            problems.extend(crypto_problems(&seal, &check, format));
            check
        }
        Err(_) => {
            problems.push("checking the signatures failed".to_string());
            SealCheck {
                digest_ok: false,
                signatures: Vec::new(),
                unsigned_keys: Vec::new(),
            }
        }
    };
    problems.extend(rendering?);
    Ok(Verification {
        file: file.to_string(),
        format,
        release: seal.release.clone(),
        revision: seal.revision,
        digest: seal.digest.clone(),
        // Every failed check is worded as a problem; checking the structured
        // verdict too keeps a wording slip from passing a report.
        passed: problems.is_empty() && check.passed(),
        problems,
        signatures: check.signatures,
        digest_ok: check.digest_ok,
        unsigned_keys: check.unsigned_keys,
    })
}

/// Applies a database's key revocations to a verification (`verify --db`):
/// a signature dated after its key's revocation is invalid and fails the
/// report; one dated until then passes with the warning returned. Keys the
/// database does not know are left to `--key`.
pub fn apply_revocations(v: &mut Verification, keys: &[KeyRecord]) -> Vec<String> {
    let mut warnings = Vec::new();
    for s in v.signatures.iter_mut().filter(|s| s.valid) {
        match standing(keys, &s.public_key, &s.signed_at) {
            Standing::Good => {}
            Standing::Revoked(r) => {
                let problem = format!("made {} with key {}, which was {r}", s.signed_at, s.key_id);
                v.problems.push(format!(
                    "signature of {} ({}) fails: {problem}",
                    s.handle, s.role
                ));
                s.valid = false;
                s.problem = Some(problem);
            }
            Standing::RevokedLater(r) => warnings.push(format!(
                "{} ({}) signed with a key revoked later: key {} was {r}",
                s.handle, s.role, s.key_id
            )),
        }
    }
    v.passed &= v.problems.is_empty();
    warnings
}
