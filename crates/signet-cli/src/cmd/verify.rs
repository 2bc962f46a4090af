//! `signet verify FILE`: needs no database, only the file (and trusted keys);
//! with `--db PATH` on the command line, that database's key revocations apply.

use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;
use signet_core::verify::Verification;

use crate::cli::VerifyArgs;
use crate::error::Result;
use crate::out;

/// A `--key` value: a base64 key, or a path to a .pub file.
fn read_key(k: &str) -> Result<String> {
    let path = std::path::Path::new(k);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| signet_core::Error::io(path, &e))?;
        return Ok(signet_core::seal::parse_public_key(&text)
            .map_err(|e| signet_core::Error::Invalid(format!("{}: {e}", path.display())))?);
    }
    Ok(signet_core::seal::parse_public_key(k)?)
}

/// `verify --json`: the verification, and with `--db` the warnings about
/// keys revoked after they signed.
#[derive(Serialize)]
struct Verified<'a> {
    #[serde(flatten)]
    verification: &'a Verification,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

pub fn run(args: &VerifyArgs, db: Option<&Path>) -> Result<ExitCode> {
    let keys = args
        .key
        .iter()
        .map(|k| read_key(k))
        .collect::<Result<Vec<_>>>()?;
    let path = &args.file;
    let bytes = signet_core::verify::read_report(path)?;
    let name = path.display().to_string();
    let mut v = signet_core::verify::verify(&name, &bytes, &keys)?;
    let warnings = match db {
        Some(db) => {
            let store = signet_core::store::Store::open_existing(db)?;
            signet_core::verify::apply_revocations(&mut v, &store.key_records()?)
        }
        None => Vec::new(),
    };
    if args.json.json {
        out::json(&Verified {
            verification: &v,
            warnings,
        })?;
    } else {
        let verdict = if v.passed { "VALID" } else { "INVALID" };
        out::line(format!(
            "{name}: {verdict} — {} revision {}, {}",
            v.release, v.revision, v.digest
        ))?;
        for s in &v.signatures {
            let mark = match (&s.problem, s.trusted) {
                (Some(_), _) => "✗ invalid",
                (None, Some(false)) => "✗ key not among those given",
                (None, Some(true)) => "✓ valid, trusted key",
                (None, None) => "✓ valid",
            };
            out::line(format!(
                "  {mark}: {} ({}), {}, signed {} with key {}",
                s.name, s.handle, s.role, s.signed_at, s.key_id
            ))?;
        }
        for p in &v.problems {
            out::line(format!("  problem: {p}"))?;
        }
        for w in &warnings {
            out::line(format!("  warning: {w}"))?;
        }
        if v.passed && keys.is_empty() {
            out::line("  note: no --key given, so the signers' keys were not checked against keys you trust")?;
        }
    }
    Ok(if v.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
