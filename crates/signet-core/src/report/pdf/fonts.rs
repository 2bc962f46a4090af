//! The fonts a PDF report embeds: compiled in (assets/fonts), never looked
//! up on the system. `signet verify` re-renders a signed PDF and compares
//! bytes, so a font found through fontconfig would make a genuine report
//! fail on a machine whose fonts differ. DejaVu Sans covers Latin, Greek,
//! Cyrillic, Arabic/Persian, Hebrew, arrows and check marks; a subset of
//! Symbola draws emoji in one colour.

use std::sync::OnceLock;

use krilla::text::Font as PdfFont;

use crate::error::{Error, Result};

// zlib-compressed: a megabyte less in every binary; inflated once per
// process, to exactly the font files (assets/fonts/README.md).
static SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf.z");
static SANS_BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf.z");
static MONO: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansMono-ASCII.ttf.z");
static EMOJI: &[u8] = include_bytes!("../../../assets/fonts/SymbolaEmoji.ttf.z");

/// Which font file a glyph comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Face {
    Sans = 0,
    SansBold = 1,
    Mono = 2,
    Emoji = 3,
}

/// The style text asks for; its faces are tried in order for each character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Style {
    Regular,
    Bold,
    Mono,
}

impl Style {
    pub(super) fn faces(self) -> &'static [Face] {
        match self {
            Style::Regular => &[Face::Sans, Face::Emoji],
            Style::Bold => &[Face::SansBold, Face::Sans, Face::Emoji],
            Style::Mono => &[Face::Mono, Face::Sans, Face::Emoji],
        }
    }
}

/// Characters below this get a precomputed glyph and advance: Latin,
/// Greek, Cyrillic, punctuation, arrows and symbols are looked up, not
/// shaped, which is what keeps a 10k-item report fast.
pub(super) const TABLE: usize = 0x2C00;

pub(super) struct Loaded {
    pub pdf: PdfFont,
    pub shaper: rustybuzz::Face<'static>,
    /// Font units per em, to turn advances into ems.
    pub upem: f32,
    /// `(glyph, advance in ems)` of each character below [`TABLE`]; glyph 0
    /// when the font lacks it.
    pub table: Vec<(u16, f32)>,
}

impl Loaded {
    fn new(packed: &'static [u8]) -> Option<Loaded> {
        // Leaked on purpose: loaded once per process and kept for its life
        // (the shaper and krilla borrow the bytes for 'static).
        let bytes: &'static [u8] = Box::leak(
            miniz_oxide::inflate::decompress_to_vec_zlib(packed)
                .ok()?
                .into_boxed_slice(),
        );
        let shaper = rustybuzz::Face::from_slice(bytes, 0)?;
        let pdf = PdfFont::new(bytes.into(), 0)?;
        let upem = shaper.units_per_em() as f32;
        let table = (0..TABLE as u32)
            .map(|c| {
                char::from_u32(c)
                    .and_then(|c| shaper.glyph_index(c))
                    .map_or((0, 0.0), |g| {
                        let adv = shaper.glyph_hor_advance(g).unwrap_or(0) as f32 / upem;
                        (g.0, adv)
                    })
            })
            .collect();
        Some(Loaded {
            pdf,
            shaper,
            upem,
            table,
        })
    }

    /// The glyph for `c`, if the font has one.
    pub fn glyph(&self, c: char) -> Option<(u16, f32)> {
        let found = match self.table.get(c as usize) {
            Some(&g) => g,
            None => {
                let g = self.shaper.glyph_index(c)?;
                let adv = self.shaper.glyph_hor_advance(g).unwrap_or(0) as f32 / self.upem;
                (g.0, adv)
            }
        };
        (found.0 != 0).then_some(found)
    }
}

pub(super) struct Fonts {
    faces: [Loaded; 4],
}

impl Fonts {
    pub fn get(&self, face: Face) -> &Loaded {
        &self.faces[face as usize]
    }
}

/// The fonts, parsed once per process.
pub(super) fn fonts() -> Result<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Some(Fonts {
                faces: [
                    Loaded::new(SANS)?,
                    Loaded::new(SANS_BOLD)?,
                    Loaded::new(MONO)?,
                    Loaded::new(EMOJI)?,
                ],
            })
        })
        .as_ref()
        .ok_or_else(|| Error::Invalid("a font bundled for PDF reports does not load".into()))
}
