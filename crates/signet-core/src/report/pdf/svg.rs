//! An SVG logo drawn as PDF paths. usvg parses the file (its style sheets,
//! `<use>`, units and transforms resolved; no fonts, no text) and this
//! module hands krilla each path with its fill and stroke, the groups'
//! transforms, opacities and simple clip paths. That covers what logos are
//! made of; text, embedded images, masks, filters and patterns are left
//! out of the drawing (a browser shows them in the HTML report). The whole
//! renderer krilla-svg offers would add 1.7 MiB to every binary for one
//! picture (docs/ARCHITECTURE.md).
//!
//! The logo comes from a report's payload, which `verify` reads from any
//! file it is given: parsing is bounded by usvg's own limits (a million
//! nodes, recursive references cut), references to other files are never
//! followed, and a drawing of more than [`MAX_PATHS`] paths is left out.

use std::sync::Arc;

use krilla::color::rgb;
use krilla::geom::{Path, PathBuilder, Transform};
use krilla::num::NormalizedF32;
use krilla::paint::{
    Fill, FillRule, LineCap, LineJoin, LinearGradient, Paint, RadialGradient, SpreadMethod, Stop,
    Stroke, StrokeDash,
};
use krilla::surface::Surface;
use usvg::{Group, Node};

/// More paths than any logo has; a file beyond it is not a logo.
const MAX_PATHS: usize = 20_000;

/// A parsed SVG logo and its size in its own units.
#[derive(Clone)]
pub(super) struct Drawing {
    tree: Arc<usvg::Tree>,
}

/// Parses an SVG logo; None when it does not parse, draws nothing or is
/// too large to be a logo.
pub(super) fn parse(bytes: &[u8]) -> Option<(Drawing, f32, f32)> {
    let options = usvg::Options {
        // Never read another file or decode an embedded image: a logo from
        // a report under verification is untrusted, and images are not
        // drawn.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(bytes, &options).ok()?;
    let paths = count_paths(tree.root());
    if paths == 0 || paths > MAX_PATHS {
        return None;
    }
    let size = tree.size();
    Some((
        Drawing {
            tree: Arc::new(tree),
        },
        size.width(),
        size.height(),
    ))
}

fn count_paths(group: &Group) -> usize {
    group
        .children()
        .iter()
        .map(|node| match node {
            Node::Group(g) => count_paths(g),
            Node::Path(_) => 1,
            _ => 0,
        })
        .sum()
}

/// The logo's size in its own units.
pub(super) fn size(d: &Drawing) -> (f32, f32) {
    let size = d.tree.size();
    (size.width(), size.height())
}

/// The logo as a form drawn at its own size, written once in the document
/// however often it is drawn (`logo::draw` scales it).
pub(super) fn form(s: &mut Surface, d: &Drawing) -> krilla::graphic::Graphic {
    let mut builder = s.stream_builder();
    let mut sub = builder.surface();
    group(&mut sub, d.tree.root());
    sub.finish();
    krilla::graphic::Graphic::new(builder.finish(), false)
}

fn group(s: &mut Surface, g: &Group) {
    // What is not drawn is left out whole rather than drawn unmasked.
    if g.mask().is_some() || !g.filters().is_empty() {
        return;
    }
    s.push_transform(&transform(g.transform()));
    let mut pushed = 1;
    if let Some(clip) = g.clip_path() {
        match clip_path(clip) {
            Some(path) => {
                s.push_clip_path(&path, &FillRule::NonZero);
                pushed += 1;
            }
            None => {
                s.pop();
                return;
            }
        }
    }
    if g.opacity().get() < 1.0 {
        s.push_opacity(normal(g.opacity().get()));
        pushed += 1;
    }
    for child in g.children() {
        match child {
            Node::Group(g) => group(s, g),
            Node::Path(p) => path(s, p),
            _ => {}
        }
    }
    for _ in 0..pushed {
        s.pop();
    }
}

/// A clip path made of paths only, as one path in the clipped group's
/// space; None (the group is left out) for clip paths of clip paths.
fn clip_path(clip: &usvg::ClipPath) -> Option<Path> {
    if clip.clip_path().is_some() {
        return None;
    }
    let mut b = PathBuilder::new();
    let mut any = false;
    collect(clip.root(), clip.transform(), &mut b, &mut any)?;
    if !any {
        return None;
    }
    b.finish()
}

fn collect(g: &Group, outer: usvg::Transform, b: &mut PathBuilder, any: &mut bool) -> Option<()> {
    if g.clip_path().is_some() {
        return None;
    }
    let t = outer.pre_concat(g.transform());
    for child in g.children() {
        match child {
            Node::Group(inner) => collect(inner, t, b, any)?,
            Node::Path(p) => {
                let data = p.data().clone().transform(t)?;
                append(b, &data);
                *any = true;
            }
            _ => {}
        }
    }
    Some(())
}

fn path(s: &mut Surface, p: &usvg::Path) {
    if !p.is_visible() {
        return;
    }
    let mut b = PathBuilder::new();
    append(&mut b, p.data());
    let Some(shape) = b.finish() else {
        return;
    };
    let fill = p.fill().map(|f| Fill {
        paint: paint(f.paint()),
        opacity: normal(f.opacity().get()),
        rule: match f.rule() {
            usvg::FillRule::NonZero => FillRule::NonZero,
            usvg::FillRule::EvenOdd => FillRule::EvenOdd,
        },
    });
    let stroke = p.stroke().map(stroke);
    match p.paint_order() {
        usvg::PaintOrder::FillAndStroke => paint_path(s, &shape, fill, stroke),
        usvg::PaintOrder::StrokeAndFill => {
            paint_path(s, &shape, None, stroke);
            paint_path(s, &shape, fill, None);
        }
    }
}

fn paint_path(s: &mut Surface, shape: &Path, fill: Option<Fill>, stroke: Option<Stroke>) {
    // krilla fills with black when given neither.
    if fill.is_some() || stroke.is_some() {
        s.set_fill(fill);
        s.set_stroke(stroke);
        s.draw_path(shape);
    }
}

fn append(b: &mut PathBuilder, data: &usvg::tiny_skia_path::Path) {
    use usvg::tiny_skia_path::PathSegment as Seg;
    for seg in data.segments() {
        match seg {
            Seg::MoveTo(p) => b.move_to(p.x, p.y),
            Seg::LineTo(p) => b.line_to(p.x, p.y),
            Seg::QuadTo(c, p) => b.quad_to(c.x, c.y, p.x, p.y),
            Seg::CubicTo(c1, c2, p) => b.cubic_to(c1.x, c1.y, c2.x, c2.y, p.x, p.y),
            Seg::Close => b.close(),
        }
    }
}

fn stroke(s: &usvg::Stroke) -> Stroke {
    Stroke {
        paint: paint(s.paint()),
        width: s.width().get(),
        miter_limit: s.miterlimit().get(),
        line_cap: match s.linecap() {
            usvg::LineCap::Butt => LineCap::Butt,
            usvg::LineCap::Round => LineCap::Round,
            usvg::LineCap::Square => LineCap::Square,
        },
        line_join: match s.linejoin() {
            usvg::LineJoin::Miter | usvg::LineJoin::MiterClip => LineJoin::Miter,
            usvg::LineJoin::Round => LineJoin::Round,
            usvg::LineJoin::Bevel => LineJoin::Bevel,
        },
        opacity: normal(s.opacity().get()),
        dash: s.dasharray().map(|array| StrokeDash {
            array: array.to_vec(),
            offset: s.dashoffset(),
        }),
    }
}

fn paint(p: &usvg::Paint) -> Paint {
    match p {
        usvg::Paint::Color(c) => colour(*c).into(),
        usvg::Paint::LinearGradient(g) => LinearGradient {
            x1: g.x1(),
            y1: g.y1(),
            x2: g.x2(),
            y2: g.y2(),
            transform: transform(g.transform()),
            spread_method: spread(g.spread_method()),
            stops: stops(g.stops()),
            anti_alias: false,
        }
        .into(),
        usvg::Paint::RadialGradient(g) => RadialGradient {
            fx: g.fx(),
            fy: g.fy(),
            fr: 0.0,
            cx: g.cx(),
            cy: g.cy(),
            cr: g.r().get(),
            transform: transform(g.transform()),
            spread_method: spread(g.spread_method()),
            stops: stops(g.stops()),
            anti_alias: false,
        }
        .into(),
        // A pattern's tile is a drawing of its own: its first colour would
        // be a guess, so it paints in the ink of the report's text.
        usvg::Paint::Pattern(_) => rgb::Color::new(20, 24, 31).into(),
    }
}

fn colour(c: usvg::Color) -> rgb::Color {
    rgb::Color::new(c.red, c.green, c.blue)
}

fn stops(stops: &[usvg::Stop]) -> Vec<Stop> {
    stops
        .iter()
        .map(|s| Stop {
            offset: normal(s.offset().get()),
            color: colour(s.color()).into(),
            opacity: normal(s.opacity().get()),
        })
        .collect()
}

fn spread(m: usvg::SpreadMethod) -> SpreadMethod {
    match m {
        usvg::SpreadMethod::Pad => SpreadMethod::Pad,
        usvg::SpreadMethod::Reflect => SpreadMethod::Reflect,
        usvg::SpreadMethod::Repeat => SpreadMethod::Repeat,
    }
}

fn transform(t: usvg::Transform) -> Transform {
    Transform::from_row(t.sx, t.ky, t.kx, t.sy, t.tx, t.ty)
}

/// usvg's opacities and offsets are already in 0..=1; clamped all the same.
fn normal(v: f32) -> NormalizedF32 {
    NormalizedF32::new(v.clamp(0.0, 1.0)).unwrap_or(NormalizedF32::ONE)
}

#[cfg(test)]
mod tests;
