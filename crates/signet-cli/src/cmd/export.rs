use std::process::ExitCode;

use signet_core::report::{self, Format};

use super::Ctx;
use crate::cli::ExportArgs;
use crate::error::Result;
use crate::out;

pub fn run(ctx: &Ctx, args: &ExportArgs) -> Result<ExitCode> {
    let format: Format = match (&args.format, &args.output) {
        (Some(f), _) => f.parse()?,
        (None, Some(path)) => match path.extension().and_then(|e| e.to_str()) {
            Some(ext) => ext.parse().unwrap_or(Format::Markdown),
            None => Format::Markdown,
        },
        (None, None) => Format::Markdown,
    };
    let view = ctx.store.release_view(&args.release)?;
    let bytes = report::render(&view, format, &signet_core::now())?;
    match &args.output {
        Some(path) => {
            report::write_atomic(path, &bytes)?;
            eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
        }
        None => out::bytes(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}
