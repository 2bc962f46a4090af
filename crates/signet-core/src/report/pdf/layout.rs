//! Page flow: a cursor that moves down the page, breaks pages before what
//! does not fit, and records what to draw (text lines, rectangles, rules,
//! links), which structure element each piece belongs to (headings,
//! paragraphs — the tagged PDF's reading order) and where the bookmarks
//! point. Nothing is written here; `write.rs` turns it into PDF.
//! Coordinates are PDF points from the top-left corner, y downwards.

use super::fonts::{Fonts, Style};
use super::shape::{self, Line};
use super::Paper;

pub(super) type Rgb = (u8, u8, u8);
pub(super) const INK: Rgb = (28, 36, 48);
pub(super) const MUTED: Rgb = (84, 91, 104);
pub(super) const RULE: Rgb = (214, 219, 226);
pub(super) const TRACK: Rgb = (236, 238, 241);
pub(super) const LINK: Rgb = (31, 78, 190);

/// A structure element of the tagged PDF, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Block {
    Heading(u16, String),
    Paragraph,
    /// A graphic with the text a screen reader says for it.
    Figure(String),
}

pub(super) enum Op {
    /// A line of text; `y` is its baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        colour: Rgb,
        line: Line,
        block: usize,
    },
    /// A filled rectangle (decoration: an artifact, not content).
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: Rgb,
    },
    /// A horizontal rule.
    Rule {
        x0: f32,
        x1: f32,
        y: f32,
        colour: Rgb,
    },
    /// An image (the logo) in the box `x`, `y` (top-left), `w` × `h`;
    /// decoration, like the branding line it goes with.
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: super::logo::Graphic,
    },
    /// A link over the text of `block` drawn just before it.
    Link {
        rect: (f32, f32, f32, f32),
        url: String,
        block: usize,
    },
}

/// A bookmark: title, nesting level (0 = top), page and height.
pub(super) struct Mark {
    pub title: String,
    pub level: usize,
    pub page: usize,
    pub y: f32,
}

/// A run of text on a shared baseline.
pub(super) struct Span<'a> {
    pub x: f32,
    pub style: Style,
    pub size: f32,
    pub colour: Rgb,
    pub text: &'a str,
}

pub(super) struct Layout {
    pub fonts: &'static Fonts,
    pub width: f32,
    pub height: f32,
    pub margin: f32,
    pub top: f32,
    pub bottom: f32,
    pub y: f32,
    pub pages: Vec<Vec<Op>>,
    pub blocks: Vec<Block>,
    pub marks: Vec<Mark>,
    /// Whether some text drawn so far lost characters no bundled font has
    /// (Chinese, Japanese, Korean…); the report then says so at its end.
    pub missing: std::cell::Cell<bool>,
    /// The layout (seal version) drawn: a file signed as layout 2 re-renders
    /// without what layout 4 added, so it keeps verifying.
    pub layout: u32,
}

impl Layout {
    pub fn new(fonts: &'static Fonts, paper: Paper, layout: u32) -> Layout {
        let (width, height) = paper.size();
        let mut l = Layout {
            fonts,
            width,
            height,
            margin: 48.0,
            top: 58.0,
            bottom: height - 52.0,
            y: 0.0,
            pages: Vec::new(),
            blocks: Vec::new(),
            marks: Vec::new(),
            missing: std::cell::Cell::new(false),
            layout,
        };
        l.new_page();
        l
    }

    pub fn right(&self) -> f32 {
        self.width - self.margin
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
    }

    /// Starts a new page unless `h` points still fit on this one.
    pub fn ensure(&mut self, h: f32) {
        if self.y + h > self.bottom && self.y > self.top {
            self.new_page();
        }
    }

    pub fn page_index(&self) -> usize {
        self.pages.len() - 1
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Opens a structure element; what is drawn for it names its index.
    pub fn block(&mut self, b: Block) -> usize {
        self.blocks.push(b);
        self.blocks.len() - 1
    }

    /// A bookmark to the current position.
    pub fn mark(&mut self, title: &str, level: usize) {
        self.marks.push(Mark {
            title: title.to_string(),
            level,
            page: self.page_index(),
            y: (self.y - 12.0).max(0.0),
        });
    }

    pub fn shape(&self, style: Style, text: &str) -> Line {
        let line = shape::line(self.fonts, style, text);
        if line.missing {
            self.missing.set(true);
        }
        line
    }

    pub fn width_of(&self, style: Style, size: f32, text: &str) -> f32 {
        shape::width(self.fonts, style, text) * size
    }

    pub fn wrap(&self, style: Style, size: f32, max: f32, text: &str) -> Vec<String> {
        shape::wrap(self.fonts, style, max / size, text)
    }

    /// Moves down `leading` and draws the spans on that baseline; returns
    /// the baseline.
    pub fn line(&mut self, spans: &[Span], leading: f32, block: usize) -> f32 {
        self.y += leading;
        let y = self.y;
        for s in spans {
            let line = self.shape(s.style, s.text);
            self.push(Op::Text {
                x: s.x,
                y,
                size: s.size,
                colour: s.colour,
                line,
                block,
            });
        }
        y
    }

    /// Text already shaped, at `x` on the baseline `y`.
    pub fn text_at(&mut self, x: f32, y: f32, size: f32, colour: Rgb, line: Line, block: usize) {
        self.push(Op::Text {
            x,
            y,
            size,
            colour,
            line,
            block,
        });
    }

    /// A wrapped paragraph at `x`, as wide as the page allows, in its own
    /// structure element unless `block` is given.
    pub fn para(
        &mut self,
        x: f32,
        style: Style,
        size: f32,
        colour: Rgb,
        text: &str,
        block: Option<usize>,
    ) {
        let block = block.unwrap_or_else(|| self.block(Block::Paragraph));
        let lines = self.wrap(style, size, self.right() - x, text);
        for l in lines {
            self.ensure(size * 1.4);
            self.line(
                &[Span {
                    x,
                    style,
                    size,
                    colour,
                    text: &l,
                }],
                size * 1.4,
                block,
            );
        }
    }

    /// A heading with a rule under it, kept with what follows, and a
    /// bookmark.
    pub fn heading(&mut self, text: &str, size: f32, level: u16) {
        self.ensure(size * 4.0);
        self.gap(size * 0.6);
        self.mark(text, level.saturating_sub(1) as usize);
        let block = self.block(Block::Heading(level, text.to_string()));
        let m = self.margin;
        self.para(m, Style::Bold, size, INK, text, Some(block));
        self.rule(RULE);
        self.gap(4.0);
    }

    pub fn gap(&mut self, h: f32) {
        self.y += h;
    }

    pub fn rule(&mut self, colour: Rgb) {
        self.y += 4.0;
        let (x0, x1, y) = (self.margin, self.right(), self.y);
        self.push(Op::Rule { x0, x1, y, colour });
    }

    /// A filled rectangle; `y` is its top edge.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Rgb) {
        if w > 0.0 && h > 0.0 {
            self.push(Op::Rect { x, y, w, h, colour });
        }
    }

    pub fn image(&mut self, x: f32, y: f32, w: f32, h: f32, image: super::logo::Graphic) {
        self.push(Op::Image { x, y, w, h, image });
    }

    pub fn link(&mut self, rect: (f32, f32, f32, f32), url: &str, block: usize) {
        self.push(Op::Link {
            rect,
            url: url.to_string(),
            block,
        });
    }
}
