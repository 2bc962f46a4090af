//! The branding logo in the PDF: above the cover's title and, from layout
//! 7, in every page's running header. A PNG logo is drawn (krilla embeds
//! it as an image, losslessly recompressed); an SVG logo is not: drawing
//! one would take an SVG renderer (krilla-svg measured 1.7 MiB in the
//! release binary; docs/ARCHITECTURE.md) for one picture, so SVG logos show
//! in HTML reports only. A PNG that does not decode is left out, never a
//! failed export: the logo was only checked by its signature when it was
//! set.

use base64::Engine;
use krilla::image::Image;

use crate::report::model::Logo;

/// A logo ready to draw, and its size in pixels.
pub(super) struct Picture {
    pub image: Image,
    pub width: u32,
    pub height: u32,
}

/// The logo as an image, if it is a PNG that decodes.
pub(super) fn picture(logo: &Logo) -> Option<Picture> {
    if logo.media_type != "image/png" {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&logo.data)
        .ok()?;
    // krilla decodes while it writes and fails the whole document on a bad
    // image; decode once here so a damaged logo is only left out.
    let mut decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
    // As krilla decodes it: palettes and low bit depths expanded.
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().ok()?;
    let mut pixels = vec![0; reader.output_buffer_size()?];
    reader.next_frame(&mut pixels).ok()?;
    // No interpolation: PDF/A forbids it.
    let image = Image::from_png(bytes.into(), false).ok()?;
    let (width, height) = image.size();
    (width > 0 && height > 0).then_some(Picture {
        image,
        width,
        height,
    })
}

/// The size, in points, that fits `max_w` × `max_h` keeping the aspect
/// ratio.
pub(super) fn fit(p: &Picture, max_w: f32, max_h: f32) -> (f32, f32) {
    let (w, h) = (p.width as f32, p.height as f32);
    let scale = (max_w / w).min(max_h / h);
    (w * scale, h * scale)
}
