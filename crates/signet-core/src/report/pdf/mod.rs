//! The PDF report, layout 2: real fonts (bundled, see `fonts`), shaped and
//! bidi-ordered text, tagged PDF/A-3b with a bookmark per section, written
//! with krilla. Pages: a cover that answers "can we ship?", the progress
//! chart, each checklist's sections and items, the sign-off and the audit.
//!
//! The bytes are a pure function of (report, seal, paper): `signet verify`
//! re-renders and compares. Layout 1 (pdf-writer, standard fonts) lives on
//! frozen in `report::v1` for seal version 1.

mod body;
mod cover;
mod fonts;
mod layout;
mod logo;
mod seal;
mod shape;
mod write;

use super::model::Report;
use super::text::{short_digest, status_text};
use crate::error::Result;
use crate::seal::Seal;
use fonts::Style;
use layout::Layout;

pub use super::paper::Paper;
pub(crate) use seal::{find_seal, PAYLOAD_PART};

pub fn render(report: &Report, seal: Option<&Seal>, paper: Paper) -> Result<Vec<u8>> {
    let fonts = fonts::fonts()?;
    // Packing the attachments (the payload is the whole report again) and
    // laying out pages are independent; verification re-renders, so both
    // cores help.
    let (l, attachments) = std::thread::scope(|s| {
        let packing = s.spawn(|| seal.map(seal::attachments).transpose());
        let layout = seal.map_or(crate::seal::SEAL_VERSION, |s| s.signet_seal);
        let mut l = Layout::new(fonts, paper, layout);
        cover::draw(&mut l, report, seal);
        body::draw(&mut l, report, seal);
        (l, packing.join())
    });
    let attachments = attachments
        .map_err(|_| crate::error::Error::Invalid("packing the attachments failed".into()))??
        .unwrap_or_default();
    let header = format!(
        "Signet report · Release {} · {}{}",
        report.release.name,
        status_text(report),
        seal.map_or(String::new(), |s| format!(" · {}", short_digest(&s.digest)))
    );
    let max = l.width - 2.0 * l.margin;
    let header = l
        .wrap(Style::Regular, 7.5, max, &header)
        .into_iter()
        .next()
        .unwrap_or_default();
    let frame = write::Frame {
        header: l.shape(Style::Regular, &header),
        title: format!("Release {} — Signet report", report.release.name),
        generated_at: report.generated_at.clone(),
    };
    write::write(l, frame, attachments)
}

#[cfg(test)]
mod tests;
