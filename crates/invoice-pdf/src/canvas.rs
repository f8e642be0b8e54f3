//! A thin drawing surface over printpdf's operation lists: positioned text, filled rectangles
//! and images on a growing list of pages, in PDF points with the origin bottom-left.

use printpdf::{
    Color, FontId, Greyscale, Op, PaintMode, PdfFontHandle, Point, Pt, Rect, TextItem, XObjectId,
    XObjectTransform,
};

use crate::fonts::{Face, Fonts};

/// The few shades of grey the layout uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Ink {
    /// Body text.
    Text,
    /// Labels and secondary text.
    Muted,
    /// Table rules.
    Rule,
    /// The table header's background.
    Band,
}

impl Ink {
    fn grey(self) -> f32 {
        match self {
            Ink::Text => 0.1,
            Ink::Muted => 0.42,
            Ink::Rule => 0.78,
            Ink::Band => 0.93,
        }
    }
}

/// Face, size and ink of a piece of text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Style {
    pub face: Face,
    pub size: f32,
    pub ink: Ink,
}

impl Style {
    pub const fn new(face: Face, size: f32, ink: Ink) -> Self {
        Self { face, size, ink }
    }
}

pub(crate) struct Canvas {
    pub fonts: &'static Fonts,
    font_ids: [FontId; 2],
    pages: Vec<Vec<Op>>,
    current: usize,
    // Font and fill colour persist across text objects within a page's content stream; tracking
    // them avoids repeating the operators for every one of the thousands of text runs.
    font: Option<(Face, f32)>,
    fill: Option<Ink>,
    /// The start of the last line placed in the open text object, if one is open: consecutive
    /// texts share one `BT … ET` and move with relative `Td`s (rectangles and images close it).
    text_line: Option<(f32, f32)>,
}

impl Canvas {
    pub fn new(fonts: &'static Fonts, regular: FontId, bold: FontId) -> Self {
        Self {
            fonts,
            font_ids: [regular, bold],
            pages: vec![Vec::new()],
            current: 0,
            font: None,
            fill: None,
            text_line: None,
        }
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Starts a new, empty page and draws on it from now on.
    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.go_to_page(self.pages.len() - 1);
    }

    /// Draws on an existing page (0-based) from now on.
    pub fn go_to_page(&mut self, index: usize) {
        self.end_text();
        self.current = index.min(self.pages.len() - 1);
        self.font = None;
        self.fill = None;
    }

    pub fn into_pages(mut self) -> Vec<Vec<Op>> {
        self.end_text();
        self.pages
    }

    /// Closes the open text object, if any.
    fn end_text(&mut self) {
        if self.text_line.take().is_some() {
            self.ops().push(Op::EndTextSection);
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        &mut self.pages[self.current]
    }

    pub fn width(&self, style: Style, text: &str) -> f32 {
        self.fonts.width(style.face, style.size, text)
    }

    /// `text` with its baseline starting at (`x`, `baseline`). The text must be printable (see
    /// [`Fonts::printable`]).
    pub fn text(&mut self, x: f32, baseline: f32, style: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        self.set_fill(style.ink);
        // A text object starts at the origin, and each `Td` moves from the start of the line
        // before it: two numbers per text where a text matrix takes six (formatting numbers is
        // much of writing a page).
        let (from_x, from_y) = match self.text_line {
            Some(line) => line,
            None => {
                self.ops().push(Op::StartTextSection);
                (0.0, 0.0)
            }
        };
        self.text_line = Some((x, baseline));
        if self.font != Some((style.face, style.size)) {
            self.font = Some((style.face, style.size));
            let font = PdfFontHandle::External(self.font_ids[style.face as usize].clone());
            self.ops().push(Op::SetFont {
                font,
                size: Pt(style.size),
            });
        }
        self.ops().extend([
            Op::SetTextCursor {
                pos: Point {
                    x: Pt(x - from_x),
                    y: Pt(baseline - from_y),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
        ]);
    }

    /// `text` ending at `right`.
    pub fn text_right(&mut self, right: f32, baseline: f32, style: Style, text: &str) {
        let x = right - self.width(style, text);
        self.text(x, baseline, style, text);
    }

    /// A filled rectangle with its lower-left corner at (`x`, `y`).
    pub fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, ink: Ink) {
        self.end_text();
        self.set_fill(ink);
        let mut rectangle = Rect::from_xywh(Pt(x), Pt(y), Pt(width), Pt(height));
        rectangle.mode = Some(PaintMode::Fill);
        self.ops().push(Op::DrawRectangle { rectangle });
    }

    /// A horizontal rule from `x1` to `x2`, centred on `y`.
    pub fn rule(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, ink: Ink) {
        self.rect(x1, y - thickness / 2.0, x2 - x1, thickness, ink);
    }

    /// An image XObject of `px_width` × `px_height` pixels drawn `width` × `height` points large
    /// with its lower-left corner at (`x`, `y`).
    pub fn image(
        &mut self,
        id: XObjectId,
        px: (usize, usize),
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    ) {
        self.end_text();
        // At 72 dpi printpdf draws one pixel as one point; scale from there.
        let transform = XObjectTransform {
            translate_x: Some(Pt(x)),
            translate_y: Some(Pt(y)),
            scale_x: Some(width / px.0.max(1) as f32),
            scale_y: Some(height / px.1.max(1) as f32),
            dpi: Some(72.0),
            ..Default::default()
        };
        self.ops().push(Op::UseXobject { id, transform });
    }

    fn set_fill(&mut self, ink: Ink) {
        if self.fill != Some(ink) {
            self.fill = Some(ink);
            let col = Color::Greyscale(Greyscale {
                percent: ink.grey(),
                icc_profile: None,
            });
            self.ops().push(Op::SetFillColor { col });
        }
    }
}
