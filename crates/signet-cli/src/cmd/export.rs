use std::path::Path;
use std::process::ExitCode;

use signet_core::report::{self, Format, Paper};
use signet_core::store::CompareWith;

use super::Ctx;
use crate::cli::ExportArgs;
use crate::error::{CliError, Result};
use crate::out;

fn format_of(args: &ExportArgs) -> Result<Option<Format>> {
    Ok(match (&args.format, &args.output) {
        (Some(f), _) if f.eq_ignore_ascii_case("all") => None,
        (Some(f), _) => Some(f.parse()?),
        (None, Some(path)) => Some(
            path.extension()
                .and_then(|e| e.to_str())
                .and_then(|e| e.parse().ok())
                .unwrap_or(Format::Markdown),
        ),
        (None, None) => Some(Format::Markdown),
    })
}

fn file_name(release: &str, revision: u32, format: Format) -> String {
    let safe: String = release
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let rev = if revision == 0 {
        "draft".to_string()
    } else {
        format!("r{revision}")
    };
    format!("{safe}-{rev}.{}", format.extension())
}

pub fn run(ctx: &Ctx, args: &ExportArgs) -> Result<ExitCode> {
    let paper: Paper = args.paper.parse()?;
    let format = format_of(args)?;
    let compare = match (&args.compare, args.no_compare) {
        (_, true) => CompareWith::Nothing,
        (Some(base), false) => CompareWith::Release(base),
        (None, false) => CompareWith::Previous,
    };
    let (report, seal) = ctx
        .store
        .report_compared(&args.release, args.revision, compare)?;
    let Some(format) = format else {
        let dir = args.output.as_deref().ok_or_else(|| {
            CliError::Usage(
                "--format all writes several files: give a directory with -o DIR".into(),
            )
        })?;
        std::fs::create_dir_all(dir).map_err(|e| signet_core::Error::io(dir, &e))?;
        for f in Format::ALL {
            let path = dir.join(file_name(&report.release.name, report.revision, f));
            let bytes = report::render(&report, seal.as_ref(), f, paper)?;
            report::write_atomic(&path, &bytes)?;
            out::problem(format!("wrote {} ({} bytes)", path.display(), bytes.len()))?;
        }
        if let Some(seal) = &seal {
            // The exact signed bytes and signatures, for checking with minisign alone.
            write(&dir.join("payload.json"), seal.payload.as_bytes())?;
            for s in &seal.signatures {
                write(
                    &dir.join(format!("{}.minisig", s.handle)),
                    s.minisig.as_bytes(),
                )?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    };
    let bytes = report::render(&report, seal.as_ref(), format, paper)?;
    match &args.output {
        Some(path) => write(path, &bytes)?,
        None => out::bytes(&bytes)?,
    }
    if seal.is_none() && format != Format::Csv {
        out::problem(format!(
            "note: {} is not signed off; this is a draft report and cannot be verified",
            report.release.name
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    report::write_atomic(path, bytes)?;
    out::problem(format!("wrote {} ({} bytes)", path.display(), bytes.len()))
}
