//! Text to positioned glyphs: picks a font per character (fallback from
//! DejaVu to the emoji font), orders right-to-left runs with the Unicode
//! bidi algorithm and shapes them (Arabic joining, marks) with rustybuzz.
//! Text that needs no shaping — Latin, Greek, Cyrillic, arrows, symbols —
//! is looked up glyph by glyph, which keeps long reports fast. A character
//! no bundled font has is left out: never drawn as `?` or a box.
//!
//! Widths are in ems (multiply by the font size).

use std::ops::Range;

use krilla::text::GlyphId;
use unicode_bidi::BidiInfo;

use super::fonts::{Face, Fonts, Style};

/// One placed glyph, as krilla draws it (its `Glyph` trait) in 24 bytes,
/// where krilla's own `KrillaGlyph` takes 56: a 10k-item report lays out
/// some 700,000, and a fresh `verify` process pays for every page of
/// memory it touches. Advances and offsets are in ems; nothing we draw
/// moves vertically.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Glyph {
    pub glyph_id: GlyphId,
    /// The bytes of the line's text the glyph's cluster covers.
    start: u32,
    end: u32,
    pub x_advance: f32,
    x_offset: f32,
    y_offset: f32,
}

impl Glyph {
    fn new(id: u32, advance: f32, offset: (f32, f32), text: Range<usize>) -> Glyph {
        // A line's text is far shorter than 4 GiB.
        let at = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        Glyph {
            glyph_id: GlyphId::new(id),
            start: at(text.start),
            end: at(text.end),
            x_advance: advance,
            x_offset: offset.0,
            y_offset: offset.1,
        }
    }
}

impl krilla::text::Glyph for Glyph {
    fn glyph_id(&self) -> GlyphId {
        self.glyph_id
    }

    fn text_range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    fn x_advance(&self, size: f32) -> f32 {
        self.x_advance * size
    }

    fn x_offset(&self, size: f32) -> f32 {
        self.x_offset * size
    }

    fn y_offset(&self, size: f32) -> f32 {
        self.y_offset * size
    }

    fn y_advance(&self, _size: f32) -> f32 {
        0.0
    }

    fn location(&self) -> Option<krilla::surface::Location> {
        None
    }
}

/// Glyphs of one font, in visual order.
pub(super) struct Run {
    pub face: Face,
    pub glyphs: Vec<Glyph>,
}

/// One line of text, shaped: its text (which the glyphs' ranges index, so
/// the PDF maps glyphs back to it for copying and search) and its runs
/// left to right.
pub(super) struct Line {
    pub text: String,
    pub runs: Vec<Run>,
    pub width: f32,
    /// Whether a character was left out: no bundled font has it.
    pub missing: bool,
}

/// Replaces control characters and line separators by spaces: a line is
/// one line.
pub(super) fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    let odd = |c: char| c.is_control() || c == '\u{2028}' || c == '\u{2029}';
    if text.contains(odd) {
        text.chars()
            .map(|c| if odd(c) { ' ' } else { c })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// Whether a character is drawn as its own glyph, left to right, with no
/// shaping.
fn simple(c: char) -> bool {
    let u = c as u32;
    (u < 0x0590 && !(0x0300..0x0370).contains(&u) && !(0x0483..0x048a).contains(&u))
        || (0x1e00..0x2000).contains(&u)
        || ((0x2010..0x2c00).contains(&u)
            && !(0x2028..=0x202e).contains(&u)
            && !(0x2060..=0x206f).contains(&u))
}

/// Combining marks, joiners and variation selectors: they belong with the
/// character before them, in its font.
fn attaches(c: char) -> bool {
    let u = c as u32;
    (0x0300..0x0370).contains(&u)
        || (0x0483..0x048a).contains(&u)
        || (0x0591..0x05c8).contains(&u)
        || (0x064b..0x0660).contains(&u)
        || u == 0x0670
        || (0x06d6..0x06ee).contains(&u)
        || (0x200b..=0x200f).contains(&u)
        || (0xfe00..0xfe10).contains(&u)
        || (0x1f3fb..0x1f400).contains(&u)
        || (0xe0000..0xe0080).contains(&u)
}

fn face_for(fonts: &Fonts, style: Style, c: char) -> Option<Face> {
    style
        .faces()
        .iter()
        .copied()
        .find(|&f| fonts.get(f).glyph(c).is_some())
}

/// Shapes one line of text (no wrapping).
pub(super) fn line(fonts: &Fonts, style: Style, text: &str) -> Line {
    let text = clean(text).into_owned();
    let (runs, missing) = match lookup(fonts, style, &text) {
        Some(found) => found,
        None => {
            // The rare path (right to left, marks) checks coverage apart.
            let missing = text
                .chars()
                .any(|c| !c.is_whitespace() && !attaches(c) && face_for(fonts, style, c).is_none());
            (complex(fonts, style, &text), missing)
        }
    };
    let width = runs
        .iter()
        .flat_map(|r| &r.glyphs)
        .map(|g| g.x_advance)
        .sum();
    Line {
        text,
        runs,
        width,
        missing,
    }
}

/// The fast path: every character simple, one glyph each; and whether a
/// character was left out.
fn lookup(fonts: &Fonts, style: Style, text: &str) -> Option<(Vec<Run>, bool)> {
    let mut runs: Vec<Run> = Vec::new();
    let mut missing = false;
    for (at, c) in text.char_indices() {
        if !simple(c) {
            return None;
        }
        let Some((face, (gid, adv))) = style
            .faces()
            .iter()
            .find_map(|&f| fonts.get(f).glyph(c).map(|g| (f, g)))
        else {
            missing |= !c.is_whitespace();
            continue;
        };
        let glyph = Glyph::new(u32::from(gid), adv, (0.0, 0.0), at..at + c.len_utf8());
        match runs.last_mut() {
            Some(run) if run.face == face => run.glyphs.push(glyph),
            _ => runs.push(Run {
                face,
                glyphs: vec![glyph],
            }),
        }
    }
    Some((runs, missing))
}

/// Bidi runs in visual order, each split by font and shaped.
fn complex(fonts: &Fonts, style: Style, text: &str) -> Vec<Run> {
    let bidi = BidiInfo::new(text, None);
    let mut runs = Vec::new();
    for para in &bidi.paragraphs {
        let (levels, visual) = bidi.visual_runs(para, para.range.clone());
        for range in visual {
            let rtl = levels[range.start].is_rtl();
            let mut segments = by_font(fonts, style, text, range);
            if rtl {
                segments.reverse();
            }
            for (face, seg) in segments {
                let run = shape(fonts, face, text, seg, rtl);
                if !run.glyphs.is_empty() {
                    runs.push(run);
                }
            }
        }
    }
    runs
}

/// Splits a range into pieces each drawn with one font, leaving out
/// characters no font has.
fn by_font(
    fonts: &Fonts,
    style: Style,
    text: &str,
    range: Range<usize>,
) -> Vec<(Face, Range<usize>)> {
    let mut out: Vec<(Face, Range<usize>)> = Vec::new();
    let mut open = false;
    for (i, c) in text[range.clone()].char_indices() {
        let at = range.start + i;
        let end = at + c.len_utf8();
        if attaches(c) && open {
            if let Some(last) = out.last_mut() {
                last.1.end = end;
            }
            continue;
        }
        match face_for(fonts, style, c) {
            Some(face) => {
                match out.last_mut() {
                    Some(last) if open && last.0 == face => last.1.end = end,
                    _ => out.push((face, at..end)),
                }
                open = true;
            }
            None => open = false,
        }
    }
    out
}

fn shape(fonts: &Fonts, face: Face, text: &str, range: Range<usize>, rtl: bool) -> Run {
    let font = fonts.get(face);
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(&text[range.clone()]);
    buffer.set_direction(if rtl {
        rustybuzz::Direction::RightToLeft
    } else {
        rustybuzz::Direction::LeftToRight
    });
    buffer.guess_segment_properties();
    let out = rustybuzz::shape(&font.shaper, &[], buffer);
    let (infos, positions) = (out.glyph_infos(), out.glyph_positions());
    // A glyph's text is its cluster up to the next cluster in text order.
    let mut starts: Vec<u32> = infos.iter().map(|i| i.cluster).collect();
    starts.sort_unstable();
    starts.dedup();
    let len = range.len();
    let upem = font.upem;
    let glyphs = infos
        .iter()
        .zip(positions)
        .filter(|(info, _)| info.glyph_id != 0)
        .map(|(info, pos)| {
            let start = info.cluster as usize;
            let end = starts
                .iter()
                .find(|&&s| s > info.cluster)
                .map_or(len, |&s| s as usize);
            Glyph::new(
                info.glyph_id,
                pos.x_advance as f32 / upem,
                (pos.x_offset as f32 / upem, pos.y_offset as f32 / upem),
                range.start + start..range.start + end,
            )
        })
        .collect();
    Run { face, glyphs }
}

/// Width of `text` in ems.
pub(super) fn width(fonts: &Fonts, style: Style, text: &str) -> f32 {
    let mut w = 0.0;
    for c in text.chars() {
        if !simple(c) {
            return line(fonts, style, text).width;
        }
        if let Some((_, adv)) = style.faces().iter().find_map(|&f| fonts.get(f).glyph(c)) {
            w += adv;
        }
    }
    w
}

/// Splits text into lines at most `max` ems wide, at spaces; a word wider
/// than a line (URLs, digests) is broken between characters.
pub(super) fn wrap(fonts: &Fonts, style: Style, max: f32, text: &str) -> Vec<String> {
    let text = clean(text);
    let space = width(fonts, style, " ");
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0.0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = width(fonts, style, word);
        if !line.is_empty() && used + space + w <= max {
            line.push(' ');
            line.push_str(word);
            used += space + w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if w <= max {
            line.push_str(word);
            used = w;
        } else {
            used = 0.0;
            for c in word.chars() {
                let cw = width(fonts, style, c.encode_utf8(&mut [0; 4]));
                if used + cw > max && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    used = 0.0;
                }
                line.push(c);
                used += cw;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::super::fonts::fonts;
    use super::*;
    use krilla::text::Glyph as _;

    fn faces_and_text(l: &Line) -> Vec<(Face, String)> {
        l.runs
            .iter()
            .map(|r| {
                // In text order: an RTL run's glyphs are in visual order.
                let mut ranges: Vec<_> = r.glyphs.iter().map(|g| g.text_range()).collect();
                ranges.sort_by_key(|r| r.start);
                ranges.dedup();
                let text: String = ranges.into_iter().map(|g| &l.text[g]).collect();
                (r.face, text)
            })
            .collect()
    }

    #[test]
    fn latin_greek_cyrillic_arrows_and_check_marks_draw_from_dejavu_without_shaping() {
        let f = fonts().unwrap();
        let text = "Łódź Ærø → Ωμέγα Жук ✓ ✔ ✗ ☑";
        let l = line(f, Style::Regular, text);
        assert_eq!(faces_and_text(&l), [(Face::Sans, text.to_string())]);
    }

    #[test]
    fn persian_runs_right_to_left_and_an_english_term_stays_left_to_right() {
        let f = fonts().unwrap();
        let l = line(f, Style::Regular, "گزارش release نهایی");
        let runs = faces_and_text(&l);
        // Visual order of an RTL paragraph: the last Persian word first.
        assert_eq!(runs.len(), 3, "{runs:?}");
        assert_eq!(runs[0].1.trim(), "نهایی", "{runs:?}");
        assert_eq!(runs[1].1, "release");
        assert_eq!(runs[2].1.trim(), "گزارش", "{runs:?}");
        // Within an RTL run the glyphs are in visual order: the word's
        // last letter comes first.
        let first = &l.runs[0].glyphs[0];
        assert_eq!(&l.text[first.text_range()], "ی");
    }

    #[test]
    fn emoji_come_from_the_emoji_font_and_unknown_characters_are_left_out() {
        let f = fonts().unwrap();
        let l = line(f, Style::Bold, "Ship 🚀 now \u{10FFFD}");
        let runs = faces_and_text(&l);
        assert!(runs.contains(&(Face::Emoji, "🚀".into())), "{runs:?}");
        assert!(l
            .runs
            .iter()
            .flat_map(|r| &r.glyphs)
            .all(|g| g.glyph_id.to_u32() != 0));
        assert!(!runs.iter().any(|(_, t)| t.contains('\u{10FFFD}')));
        assert!(l.missing);
        assert!(!line(f, Style::Bold, "Ship 🚀 now").missing);
    }

    #[test]
    fn chinese_and_japanese_are_left_out_and_said_to_be() {
        let f = fonts().unwrap();
        for text in ["发布说明", "日本語のタイトル", "گزارش 发布"] {
            let l = line(f, Style::Regular, text);
            assert!(l.missing, "{text}");
            assert!(l
                .runs
                .iter()
                .flat_map(|r| &r.glyphs)
                .all(|g| g.glyph_id.to_u32() != 0));
        }
        assert!(!line(f, Style::Regular, "گزارش نهایی").missing);
    }

    #[test]
    fn wrapping_keeps_lines_within_the_width_and_every_word() {
        let f = fonts().unwrap();
        let text = "Ærø Łódź check the release notes → every owner ✓ signed";
        let lines = wrap(f, Style::Regular, 8.0, text);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(width(f, Style::Regular, l) <= 8.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
    }
}
