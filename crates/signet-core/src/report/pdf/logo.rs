//! The branding logo in the PDF: above the cover's title and, from layout
//! 7, in every page's running header. A PNG logo is drawn as an image
//! (krilla embeds it, losslessly recompressed); an SVG logo, from layout 8
//! (`VECTOR_LOGO`), as paths (`svg.rs`); layouts before it leave an SVG
//! logo out, as they did when they were signed. A logo that does not decode is left out, never a
//! failed export: it was only checked by its signature when it was set.

use base64::Engine;
use krilla::geom::{Size, Transform};
use krilla::image::Image;
use krilla::surface::Surface;

use super::svg::{self, Drawing};
use super::VECTOR_LOGO;
use crate::report::branding::MAX_LOGO_BYTES;
use crate::report::model::Logo;

/// A logo ready to draw, and its size in pixels (PNG) or its own units
/// (SVG).
pub(super) struct Picture {
    pub graphic: Graphic,
    pub width: f32,
    pub height: f32,
}

#[derive(Clone)]
pub(crate) enum Graphic {
    Raster(Image),
    Vector(Drawing),
}

/// The logo ready to draw in a PDF of `layout`, if it decodes.
pub(super) fn picture(logo: &Logo, layout: u32) -> Option<Picture> {
    // A report's payload may come from any file `verify` is given: a logo
    // larger than any that can be set is not looked at (from layout 8;
    // earlier layouts draw what they drew when they were signed).
    if layout >= VECTOR_LOGO && logo.data.len() > MAX_LOGO_BYTES / 3 * 4 + 4 {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&logo.data)
        .ok()?;
    match logo.media_type.as_str() {
        "image/png" => png(bytes),
        "image/svg+xml" if layout >= VECTOR_LOGO => {
            svg::parse(&bytes).map(|(drawing, width, height)| Picture {
                graphic: Graphic::Vector(drawing),
                width,
                height,
            })
        }
        _ => None,
    }
}

fn png(bytes: Vec<u8>) -> Option<Picture> {
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
        graphic: Graphic::Raster(image),
        width: width as f32,
        height: height as f32,
    })
}

/// Draws the logo at `x`, `y` (its top left), `size` points. An SVG logo is
/// written once per document, as a form every drawing of it refers to
/// (`form` keeps it: a document has one logo): drawn out again in every
/// page's header, a logo of a thousand paths made a 10k-item report's
/// pages a quarter of a million paths to write, and to verify.
pub(super) fn draw(
    s: &mut Surface,
    g: &Graphic,
    x: f32,
    y: f32,
    size: Size,
    form: &mut Option<krilla::graphic::Graphic>,
) {
    s.push_transform(&Transform::from_translate(x, y));
    match g {
        Graphic::Raster(image) => s.draw_image(image.clone(), size),
        Graphic::Vector(d) => {
            let (w, h) = svg::size(d);
            let form = form.get_or_insert_with(|| svg::form(s, d));
            s.push_transform(&Transform::from_scale(size.width() / w, size.height() / h));
            s.draw_graphic(form.clone());
            s.pop();
        }
    }
    s.pop();
}

/// The size, in points, that fits `max_w` × `max_h` keeping the aspect
/// ratio.
pub(super) fn fit(p: &Picture, max_w: f32, max_h: f32) -> (f32, f32) {
    let (w, h) = (p.width, p.height);
    let scale = (max_w / w).min(max_h / h);
    (w * scale, h * scale)
}
