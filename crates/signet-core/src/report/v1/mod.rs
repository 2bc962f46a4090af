//! The layout of seal version 1, frozen: markdown, HTML and PDF exactly as
//! Signet rendered them before layout 2. Verification re-renders a signed
//! file and compares bytes, so a report sealed as version 1 is checked
//! against this code, never the current layout. Do not change these files:
//! any byte they render differently breaks the verification of reports
//! already sent out. JSON and CSV are not here: their layout did not change.

mod html;
mod markdown;
mod pdf;
mod text;

use super::{with_seal_comment, Format, Paper, Report};
use crate::error::Result;
use crate::seal::Seal;

/// Renders `report` as layout 1. JSON and CSV go through the current code.
pub(super) fn render(
    report: &Report,
    seal: Option<&Seal>,
    format: Format,
    paper: Paper,
) -> Option<Result<Vec<u8>>> {
    Some(match format {
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
        Format::Json | Format::Csv => return None,
    })
}
