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
mod inflated;
mod layout;
mod logo;
mod seal;
mod shape;
mod svg;
mod write;

use super::model::Report;
use super::text::{short_digest, status_text};
use crate::error::Result;
use crate::seal::Seal;
use fonts::Style;
use layout::Layout;

pub use super::paper::Paper;
pub(crate) use seal::{find_seal, PAYLOAD_PART};

/// The first layout (seal version) whose running header carries the
/// branding (organisation, client, logo) and whose files `verify` compares
/// stream by stream, inflated (see `inflated.rs`).
pub(crate) const BRANDED_HEADER: u32 = 7;

/// The first layout that draws an SVG logo (as paths, `svg.rs`), on the
/// cover and in the running header; earlier layouts leave it out, as they
/// did when they were signed.
pub(crate) const VECTOR_LOGO: u32 = 8;

/// The first layout that draws a block's consecutive lines (an item's
/// number, title, status and the lines under it) in one tagged span, where
/// earlier layouts opened a span per line and per piece of a line: the
/// structure tree names the same paragraphs, with a third of the marked
/// content (a 10k-item PDF 11% smaller, exported and verified ~10 ms
/// sooner).
pub(crate) const ONE_SPAN_PER_BLOCK: u32 = 11;

pub fn render(report: &Report, seal: Option<&Seal>, paper: Paper) -> Result<Vec<u8>> {
    render_streams(report, seal, paper, true)
}

/// Whether `file` is the rendering of `report` and `seal` in a layout of
/// [`BRANDED_HEADER`] and up: the PDF is rendered with its streams left
/// uncompressed and compared with the file's streams inflated, every other
/// byte exactly (`inflated.rs` says why and how). `None` when it is; else
/// the first difference, in words. Earlier layouts compare byte for byte.
pub(crate) fn differs_inflated(
    report: &Report,
    seal: &Seal,
    paper: Paper,
    file: &[u8],
) -> Result<Option<String>> {
    // The other core inflates the file's streams meanwhile: a 10k-item
    // report's take ~15 ms, which the comparison then need not spend.
    let (plain, ahead) = std::thread::scope(|s| {
        let ahead = s.spawn(|| inflated::Ahead::inflate(file));
        let plain = render_streams(report, Some(seal), paper, false);
        (plain, ahead.join())
    });
    // Had inflating ahead failed (a bug), the comparison inflates it all.
    let ahead = ahead.unwrap_or_default();
    Ok(inflated::compare(file, &plain?, &ahead).err())
}

fn render_streams(
    report: &Report,
    seal: Option<&Seal>,
    paper: Paper,
    compress: bool,
) -> Result<Vec<u8>> {
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
    let branding = report
        .branding
        .as_ref()
        .filter(|_| l.layout >= BRANDED_HEADER);
    let from = branding
        .and_then(super::text::branding_line)
        .unwrap_or_else(|| "Signet report".into());
    let header = format!(
        "{from} · Release {} · {}{}",
        report.release.name,
        status_text(report),
        seal.map_or(String::new(), |s| format!(" · {}", short_digest(&s.digest)))
    );
    let logo = branding
        .and_then(|b| b.logo.as_ref())
        .and_then(|logo| logo::picture(logo, l.layout))
        .map(|p| {
            let (w, h) = logo::fit(&p, HEADER_LOGO.0, HEADER_LOGO.1);
            (p.graphic, w, h)
        });
    let indent = logo.as_ref().map_or(0.0, |(_, w, _)| w + 6.0);
    let max = l.width - 2.0 * l.margin - indent;
    let header = l
        .wrap(Style::Regular, 7.5, max, &header)
        .into_iter()
        .next()
        .unwrap_or_default();
    let frame = write::Frame {
        header: l.shape(Style::Regular, &header),
        logo,
        title: format!("Release {} — Signet report", report.release.name),
        generated_at: report.generated_at.clone(),
    };
    write::write(l, frame, attachments, compress)
}

/// The running header's logo fits this box (points): the height of the
/// header's text and a little more, so it never pushes into the page.
const HEADER_LOGO: (f32, f32) = (64.0, 14.0);

#[cfg(test)]
mod tests;
