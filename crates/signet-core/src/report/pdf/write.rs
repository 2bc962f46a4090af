//! Turns a laid-out report into PDF bytes with krilla: fonts embedded and
//! subset, every line of text a tagged span inside its heading or
//! paragraph (decoration, running header and page numbers are artifacts),
//! bookmarks per section, XMP metadata and the attachments, as PDF/A-3b
//! (PDF/A-2 forbids attaching anything but PDF/A files; the seal is JSON).
//! Deterministic: the only date is the report's own `generated_at`.

use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag, Node, SpanTag, Tag, TagGroup, TagTree};
use krilla::{Document, SerializeSettings};

use super::layout::{Block, Layout, Mark, Op, Rgb, MUTED, RULE};
use super::shape::Line;
use crate::error::{Error, Result};

/// A file attached to the PDF.
pub(super) struct Attachment {
    pub name: String,
    pub data: Vec<u8>,
    pub mime: &'static str,
    pub description: String,
    pub compress: bool,
    pub source: bool,
}

/// What every page repeats and what the document says about itself.
pub(super) struct Frame {
    pub header: Line,
    /// The branding logo drawn before the header's text (layout 7 and
    /// up), with its size in points.
    pub logo: Option<(super::logo::Graphic, f32, f32)>,
    pub title: String,
    pub generated_at: String,
}

fn fill(c: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

/// `generated_at` (RFC 3339) as a PDF date; the epoch if it is not one, so
/// a malformed date still renders the same bytes everywhere.
fn date(at: &str) -> DateTime {
    use time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::parse(at, &Rfc3339) {
        Ok(t) => {
            let t = t.to_offset(time::UtcOffset::UTC);
            DateTime::new(t.year().clamp(0, 9999) as u16)
                .month(t.month() as u8)
                .day(t.day())
                .hour(t.hour())
                .minute(t.minute())
                .second(t.second())
                .utc_offset_hour(0)
                .utc_offset_minute(0)
        }
        Err(_) => DateTime::new(1970).month(1).day(1),
    }
}

fn artifact(kind: ArtifactType) -> ContentTag<'static> {
    ContentTag::Artifact(Artifact::with_kind(kind))
}

fn draw_line(s: &mut Surface, l: &Layout, x: f32, y: f32, size: f32, line: &Line) {
    let mut x = x;
    for run in &line.runs {
        let font = l.fonts.get(run.face).pdf.clone();
        s.draw_glyphs(
            Point::from_xy(x, y),
            &run.glyphs,
            font,
            &line.text,
            size,
            false,
        );
        x += run.glyphs.iter().map(|g| g.x_advance).sum::<f32>() * size;
    }
}

fn rect_path(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(x, y, w, h)?);
    pb.finish()
}

/// The bookmarks as a tree: each mark nests under the last one of a
/// lower level.
fn outline(marks: &[Mark]) -> Outline {
    fn node(m: &Mark) -> OutlineNode {
        OutlineNode::new(
            m.title.clone(),
            XyzDestination::new(m.page, Point::from_xy(0.0, m.y)),
        )
    }
    fn build(marks: &[Mark], level: usize) -> Vec<OutlineNode> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < marks.len() {
            let mut n = node(&marks[i]);
            let end = marks[i + 1..]
                .iter()
                .position(|m| m.level <= level)
                .map_or(marks.len(), |p| i + 1 + p);
            for child in build(&marks[i + 1..end], level + 1) {
                n.push_child(child);
            }
            out.push(n);
            i = end;
        }
        out
    }
    let mut o = Outline::new();
    let top = marks.iter().map(|m| m.level).min().unwrap_or(0);
    for n in build(marks, top) {
        o.push_child(n);
    }
    o
}

/// Writes the PDF. `compress` off leaves every stream krilla would deflate
/// (page contents, character maps, attachments) as it is: what `verify`
/// compares a layout-7 file's inflated streams with (`inflated.rs`).
pub(super) fn write(
    mut l: Layout,
    frame: Frame,
    attachments: Vec<Attachment>,
    compress: bool,
) -> Result<Vec<u8>> {
    let failed = |what: &str| Error::Invalid(format!("writing the PDF failed: {what}"));
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|e| failed(&format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        compress_content_streams: compress,
        ..SerializeSettings::default()
    };
    let mut doc = Document::new_with(settings);
    let mut groups: Vec<Vec<Node>> = l.blocks.iter().map(|_| Vec::new()).collect();
    let total = l.pages.len();
    // The SVG logo, written once and drawn on every page (logo::draw).
    let mut form = None;
    let page_settings = PageSettings::from_wh(l.width, l.height).ok_or_else(|| failed("paper"))?;
    for (n, ops) in l.pages.iter().enumerate() {
        let mut page = doc.start_page_with(page_settings.clone());
        let mut links = Vec::new();
        {
            let mut s = page.surface();
            // From layout 11 a block's consecutive lines share one tagged
            // span (see `ONE_SPAN_PER_BLOCK`); earlier ones tag each line.
            let share = l.layout >= super::ONE_SPAN_PER_BLOCK;
            let mut open: Option<usize> = None;
            for op in ops {
                let goes_on = |op: &Op| match op {
                    Op::Text { block, line, .. } => line.runs.is_empty() || open == Some(*block),
                    _ => false,
                };
                if open.is_some() && !goes_on(op) {
                    s.end_tagged();
                    open = None;
                }
                match op {
                    Op::Text {
                        x,
                        y,
                        size,
                        colour,
                        line,
                        block,
                    } => {
                        if line.runs.is_empty() {
                            continue;
                        }
                        s.set_fill(Some(fill(*colour)));
                        if open.is_none() {
                            let id = s.start_tagged(ContentTag::Span(SpanTag::empty()));
                            if let Some(g) = groups.get_mut(*block) {
                                g.push(id.into());
                            }
                        }
                        draw_line(&mut s, &l, *x, *y, *size, line);
                        if share {
                            open = Some(*block);
                        } else {
                            s.end_tagged();
                        }
                    }
                    Op::Rect { x, y, w, h, colour } => {
                        if let Some(path) = rect_path(*x, *y, *w, *h) {
                            s.set_fill(Some(fill(*colour)));
                            s.start_tagged(artifact(ArtifactType::Other));
                            s.draw_path(&path);
                            s.end_tagged();
                        }
                    }
                    Op::Rule { x0, x1, y, colour } => {
                        if let Some(path) = rect_path(*x0, *y, x1 - x0, 0.7) {
                            s.set_fill(Some(fill(*colour)));
                            s.start_tagged(artifact(ArtifactType::Other));
                            s.draw_path(&path);
                            s.end_tagged();
                        }
                    }
                    Op::Image { x, y, w, h, image } => {
                        if let Some(size) = Size::from_wh(*w, *h) {
                            s.start_tagged(artifact(ArtifactType::Other));
                            super::logo::draw(&mut s, image, *x, *y, size, &mut form);
                            s.end_tagged();
                        }
                    }
                    Op::Link { rect, url, block } => links.push((*rect, url.clone(), *block)),
                }
            }
            if open.is_some() {
                s.end_tagged();
            }
            frame_page(&mut s, &l, &frame, n, total, &mut form);
            s.set_stroke(None::<Stroke>);
            s.finish();
        }
        for ((x0, y0, x1, y1), url, block) in links {
            let Some(rect) = Rect::from_ltrb(x0, y0, x1, y1) else {
                continue;
            };
            let annotation = Annotation::new_link(
                LinkAnnotation::new(rect, Target::Action(Action::Link(LinkAction::new(url)))),
                Some("evidence link".to_string()),
            );
            let id = page.add_tagged_annotation(annotation);
            if let Some(g) = groups.get_mut(block) {
                g.push(TagGroup::with_children(Tag::Link, vec![id.into()]).into());
            }
        }
        page.finish();
    }
    // Freeing the laid-out pages (every glyph of a 10k-item report, ~12 ms)
    // on the other core while krilla serialises.
    let pages = std::mem::take(&mut l.pages);
    std::thread::scope(|s| {
        s.spawn(move || drop(pages));
        finish(doc, &l, frame, groups, attachments, compress)
    })
}

/// The document's structure, outline, metadata and attachments, and the
/// file's bytes.
fn finish(
    mut doc: Document,
    l: &Layout,
    frame: Frame,
    groups: Vec<Vec<Node>>,
    attachments: Vec<Attachment>,
    compress: bool,
) -> Result<Vec<u8>> {
    let failed = |what: &str| Error::Invalid(format!("writing the PDF failed: {what}"));
    let mut tree = TagTree::new().with_lang(Some("en".into()));
    for (block, children) in l.blocks.iter().zip(groups) {
        if children.is_empty() {
            continue;
        }
        let group = match block {
            Block::Heading(level, title) => TagGroup::with_children(
                Tag::Hn(
                    std::num::NonZeroU16::new(*level).unwrap_or(std::num::NonZeroU16::MIN),
                    Some(title.clone()),
                ),
                children,
            ),
            Block::Paragraph => TagGroup::with_children(Tag::P, children),
            Block::Figure(alt) => TagGroup::with_children(Tag::Figure(Some(alt.clone())), children),
        };
        tree.push(group);
    }
    doc.set_tag_tree(tree);
    doc.set_outline(outline(&l.marks));
    let when = date(&frame.generated_at);
    doc.set_metadata(
        Metadata::new()
            .title(frame.title)
            .creator("Signet".into())
            .producer("Signet (krilla)".into())
            .language("en".into())
            .creation_date(when),
    );
    for a in attachments {
        let file = EmbeddedFile {
            path: a.name,
            mime_type: MimeType::new(a.mime),
            description: Some(a.description),
            association_kind: if a.source {
                AssociationKind::Source
            } else {
                AssociationKind::Supplement
            },
            data: a.data.into(),
            modification_date: Some(when),
            compress: Some(a.compress && compress),
            location: None,
        };
        doc.embed_file(file)
            .ok_or_else(|| failed("an attachment's name is used twice"))?;
    }
    doc.finish().map_err(|e| failed(&format!("{e:?}")))
}

/// The running header (release, status, digest) with a rule under it, and
/// the page number: artifacts, repeated on every page.
fn frame_page(
    s: &mut Surface,
    l: &Layout,
    frame: &Frame,
    n: usize,
    total: usize,
    form: &mut Option<krilla::graphic::Graphic>,
) {
    s.start_tagged(artifact(ArtifactType::Header));
    let mut x = l.margin;
    if let Some((image, w, h)) = &frame.logo {
        if let Some(size) = Size::from_wh(*w, *h) {
            // Bottom-aligned with the text's baseline, above the rule.
            super::logo::draw(s, image, x, 36.0 - h, size, form);
            x += w + 6.0;
        }
    }
    s.set_fill(Some(fill(MUTED)));
    draw_line(s, l, x, 34.0, 7.5, &frame.header);
    if let Some(path) = rect_path(l.margin, 39.0, l.width - 2.0 * l.margin, 0.5) {
        s.set_fill(Some(fill(RULE)));
        s.draw_path(&path);
    }
    s.end_tagged();
    let footer = l.shape(
        super::fonts::Style::Regular,
        &format!("Page {} of {total}", n + 1),
    );
    s.set_fill(Some(fill(MUTED)));
    s.start_tagged(artifact(ArtifactType::PageNumber));
    let x = l.width - l.margin - footer.width * 7.5;
    draw_line(s, l, x, l.height - 30.0, 7.5, &footer);
    s.end_tagged();
}
