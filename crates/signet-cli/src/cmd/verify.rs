//! `signet verify FILE`: needs no database, only the file (and trusted keys).

use std::process::ExitCode;

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

pub fn run(args: &VerifyArgs) -> Result<ExitCode> {
    let keys = args
        .key
        .iter()
        .map(|k| read_key(k))
        .collect::<Result<Vec<_>>>()?;
    let path = &args.file;
    let bytes = std::fs::read(path).map_err(|e| signet_core::Error::io(path, &e))?;
    let name = path.display().to_string();
    let v = signet_core::verify::verify(&name, &bytes, &keys)?;
    if args.json.json {
        out::json(&v)?;
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
