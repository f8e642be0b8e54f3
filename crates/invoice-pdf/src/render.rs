//! Lays a [`Document`] out on pages: header, line table with page breaks, totals, notes,
//! payment block and footers.

use jiff::tz::TimeZone;
use printpdf::OffsetDateTime;
use printpdf::{
    ImageCompression, ImageOptimizationOptions, PdfDocument, PdfPage, PdfSaveOptions, Pt, RawImage,
    Rect, XObjectId,
};
use rust_decimal::Decimal;

use crate::canvas::{Canvas, Ink, Style};
use crate::fonts::{Face, Fonts, ellipsize, wrap, wrap_at_most};
use crate::locale::Labels;
use crate::{Document, DocumentKind, Party, PdfError, epc};
use stint_locale::Format;

const MARGIN_X: f32 = 50.0;
const MARGIN_TOP: f32 = 48.0;
/// Nothing but the footer goes below this line (raised by the height of a DIN 5008 footer).
const CONTENT_BOTTOM: f32 = 64.0;
const FOOTER_BASELINE: f32 = 34.0;
/// Lines per column of the DIN 5008 footer at most (after wrapping).
const FOOTER_LINES: usize = 7;
/// Columns of the DIN 5008 footer at most.
const FOOTER_COLUMNS: usize = 4;
const LOGO_BOX: (f32, f32) = (160.0, 60.0);
/// Logos larger than this (in pixels per side) are refused: decoding them costs more than
/// any logo is worth and can exhaust memory.
pub(crate) const MAX_LOGO_SIDE: u32 = 4096;
/// Address lines printed per party at most.
const MAX_ADDRESS_LINES: usize = 8;
const SELLER_WIDTH: f32 = 230.0;
const BUYER_WIDTH: f32 = 250.0;
const META_WIDTH: f32 = 215.0;
const TOTALS_WIDTH: f32 = 260.0;
const QR_SIZE: f32 = 92.0;
/// Space between a quantity and its unit. Less than about half an em makes pdftotext run
/// "1 h" together as "1h".
const UNIT_GAP: f32 = 4.5;
/// Units wider than this are cut.
const MAX_UNIT_WIDTH: f32 = 60.0;
/// Horizontal space between table columns.
const GAP: f32 = 10.0;
/// Horizontal padding at the left and right end of a table row.
const CELL_PAD: f32 = 4.0;
/// Vertical padding inside a table row.
const ROW_PAD: f32 = 4.5;

const BODY: Style = Style::new(Face::Regular, 9.0, Ink::Text);
const SMALL: Style = Style::new(Face::Regular, 8.5, Ink::Text);
const LABEL: Style = Style::new(Face::Regular, 8.5, Ink::Muted);
const CAPTION: Style = Style::new(Face::Regular, 7.5, Ink::Muted);
const DETAIL: Style = Style::new(Face::Regular, 7.5, Ink::Muted);
const TABLE_HEAD: Style = Style::new(Face::Bold, 8.0, Ink::Text);
const HEADING: Style = Style::new(Face::Bold, 9.5, Ink::Text);
const NAME: Style = Style::new(Face::Bold, 10.0, Ink::Text);
const TOTAL: Style = Style::new(Face::Bold, 10.5, Ink::Text);
const TITLE: Style = Style::new(Face::Bold, 18.0, Ink::Text);
const STAMP: Style = Style::new(Face::Bold, 14.0, Ink::Text);
const FOOTER: Style = Style::new(Face::Regular, 6.8, Ink::Muted);

fn line_height(style: Style) -> f32 {
    style.size * 1.35
}

/// The baseline of a line whose box starts at `top`.
fn baseline(top: f32, style: Style) -> f32 {
    top - style.size * 1.05
}

pub(crate) fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    save(render_document(doc)?)
}

/// The document as a PDF file: streams compressed, written to memory.
pub(crate) fn save(mut file: lopdf::Document) -> Result<Vec<u8>, PdfError> {
    compress_streams(&mut file);
    let mut out = Vec::with_capacity(64 * 1024);
    file.save_to(&mut out)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

/// The laid-out document as lopdf objects, not yet compressed or written.
pub(crate) fn render_document(doc: &Document) -> Result<lopdf::Document, PdfError> {
    let fonts = Fonts::get()?;
    let mut pdf = PdfDocument::new(&title_line(doc));
    pdf.metadata.info.author = doc.seller.name.clone();
    pdf.metadata.info.creator = "Stint".to_owned();
    if let Some(issued) = issue_timestamp(doc) {
        // The issue date rather than "now": rendering the same document twice gives the same
        // metadata, and the date means something to the reader.
        let info = &mut pdf.metadata.info;
        info.creation_date = issued;
        info.modification_date = issued;
        info.metadata_date = issued;
    }
    let regular = pdf.add_font(&fonts.regular);
    let bold = pdf.add_font(&fonts.bold);
    let logo = match &doc.logo_png {
        Some(png) => Some(decode_logo(png)?),
        None => None,
    };
    let logo = logo.map(|image| {
        let size = (image.width, image.height);
        (pdf.add_image(&image), size)
    });

    let (width, height) = doc.paper.size_pt();
    let mut renderer = Renderer {
        doc,
        fonts,
        format: doc.format()?,
        labels: doc.locale.labels(),
        canvas: Canvas::new(fonts, regular, bold),
        width,
        height,
        y: height - MARGIN_TOP,
        bottom: CONTENT_BOTTOM,
        footer: Vec::new(),
        table: Table::default(),
    };
    renderer.footer = renderer.footer_layout();
    let tallest = renderer
        .footer
        .iter()
        .map(|(.., lines)| lines.len())
        .max()
        .unwrap_or(0);
    if tallest > 0 {
        renderer.bottom = CONTENT_BOTTOM + footer_height(tallest) + 10.0;
    }
    renderer.run(logo)?;
    let pages = renderer
        .canvas
        .into_pages()
        .into_iter()
        .map(|ops| {
            let page = Rect::from_wh(Pt(width), Pt(height));
            PdfPage {
                media_box: page.clone(),
                trim_box: page.clone(),
                crop_box: page,
                ops,
            }
        })
        .collect();

    let options = PdfSaveOptions {
        // Lossless: a logo is line art and text, which JPEG smears.
        image_optimization: Some(ImageOptimizationOptions {
            format: Some(ImageCompression::Flate),
            ..Default::default()
        }),
        ..Default::default()
    };
    let pdf = pdf.with_pages(pages);
    Ok(printpdf::serialize::to_lopdf_doc(
        pdf,
        &options,
        &mut Vec::new(),
    ))
}

/// Deflates every stream not yet compressed, at the fastest level: printpdf (through lopdf) would
/// use the slowest, which took a quarter of a long invoice's rendering for a few percent of size.
pub(crate) fn compress_streams(file: &mut lopdf::Document) {
    use std::io::Write as _;
    for object in file.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.has(b"Filter") || stream.content.len() < 64 {
            continue;
        }
        let mut encoder = flate2::write::ZlibEncoder::new(
            Vec::with_capacity(stream.content.len() / 2),
            flate2::Compression::fast(),
        );
        if encoder.write_all(&stream.content).is_err() {
            continue;
        }
        let Ok(compressed) = encoder.finish() else {
            continue;
        };
        if compressed.len() < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    }
}

/// "Invoice INV-2026-0007": the PDF title and the header of continuation pages.
fn title_line(doc: &Document) -> String {
    format!(
        "{} {}",
        title(doc.locale.labels(), &doc.kind),
        doc.number.trim()
    )
}

/// Midnight UTC of the issue date.
fn issue_timestamp(doc: &Document) -> Option<OffsetDateTime> {
    let zoned = doc.issue_date.to_zoned_datetime(TimeZone::UTC).ok()?;
    OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()).ok()
}

fn title(labels: &Labels, kind: &DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Invoice => labels.invoice,
        DocumentKind::CreditNote { .. } => labels.credit_note,
    }
}

fn decode_logo(png: &[u8]) -> Result<RawImage, PdfError> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !png.starts_with(SIGNATURE) {
        return Err(PdfError::LogoNotPng);
    }
    // The IHDR chunk comes first: width and height are big-endian u32s at bytes 16..24.
    let dimension = |at: usize| {
        png.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
    };
    let (Some(width), Some(height)) = (dimension(16), dimension(20)) else {
        return Err(PdfError::Logo("the file is truncated".to_owned()));
    };
    if width > MAX_LOGO_SIDE || height > MAX_LOGO_SIDE {
        return Err(PdfError::LogoTooLarge { width, height });
    }
    let image = RawImage::decode_from_bytes(png, &mut Vec::new()).map_err(PdfError::Logo)?;
    if image.width == 0 || image.height == 0 {
        return Err(PdfError::Logo("the image is empty".to_owned()));
    }
    Ok(image)
}

/// The line table's columns, measured once for the whole document.
#[derive(Default)]
struct Table {
    /// Width available to descriptions.
    description_width: f32,
    /// Numeric columns: header and right edge.
    columns: Vec<(&'static str, f32)>,
    /// Width of the units' sub-column at the right of the quantity column.
    unit_width: f32,
}

/// One invoice line, formatted and wrapped.
struct Row {
    /// Description lines, then detail lines.
    lines: Vec<(String, Style)>,
    /// Numeric cells, one per column, printed on the first line.
    cells: Vec<String>,
    /// The unit of the quantity (the first cell).
    unit: String,
}

impl Row {
    fn height(&self) -> f32 {
        2.0 * ROW_PAD
            + self
                .lines
                .iter()
                .map(|(_, style)| line_height(*style))
                .sum::<f32>()
    }
}

struct Renderer<'a> {
    doc: &'a Document,
    fonts: &'static Fonts,
    /// How numbers, money and dates are written.
    format: Format,
    labels: &'static Labels,
    canvas: Canvas,
    width: f32,
    height: f32,
    /// The top of the next thing to draw.
    y: f32,
    /// Nothing but the footer goes below this.
    bottom: f32,
    /// The DIN 5008 footer, laid out once ([`Renderer::footer_layout`]).
    footer: Vec<(f32, f32, Vec<String>)>,
    table: Table,
}

impl Renderer<'_> {
    fn run(&mut self, logo: Option<(XObjectId, (usize, usize))>) -> Result<(), PdfError> {
        self.header(logo);
        self.paragraph(&self.doc.intro.clone(), 0.0);
        let rows = self.prepare_table();
        self.table_header();
        self.lines(rows);
        self.totals_block();
        self.notes();
        self.payment()?;
        self.paragraph(&self.doc.closing.clone(), 18.0);
        self.footers();
        Ok(())
    }

    fn right(&self) -> f32 {
        self.width - MARGIN_X
    }

    fn content_width(&self) -> f32 {
        self.width - 2.0 * MARGIN_X
    }

    fn fits(&self, height: f32) -> bool {
        self.y - height >= self.bottom
    }

    /// The DIN 5008 footer laid out: (left edge, width, lines) of at most four columns. Each
    /// column is as wide as its longest line if they all fit side by side (the space left over
    /// goes between them); else the narrow ones keep their width, the wide ones share the rest
    /// and their long lines wrap rather than lose their end (a register entry is printed whole),
    /// up to seven lines a column.
    fn footer_layout(&self) -> Vec<(f32, f32, Vec<String>)> {
        let columns: Vec<Vec<String>> = self
            .doc
            .footer
            .iter()
            .map(|column| {
                column
                    .iter()
                    .map(|l| self.printable(l))
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|c| !c.is_empty())
            .take(FOOTER_COLUMNS)
            .collect();
        if columns.is_empty() {
            return Vec::new();
        }
        let n = columns.len();
        let available = self.content_width() - GAP * (n - 1) as f32;
        let natural: Vec<f32> = columns
            .iter()
            .map(|c| {
                c.iter()
                    .map(|l| self.canvas.width(FOOTER, l))
                    .fold(0.0, f32::max)
            })
            .collect();
        let mut widths = natural.clone();
        let total: f32 = natural.iter().sum();
        let spare = if total <= available {
            available - total
        } else {
            // Water-filling: columns narrower than an equal share of what is left keep their
            // width; the others split the rest equally.
            let mut wide: Vec<usize> = (0..n).collect();
            let mut left = available;
            loop {
                let share = left / wide.len() as f32;
                let (narrow, rest): (Vec<usize>, Vec<usize>) =
                    wide.iter().partition(|&&i| natural[i] <= share);
                if narrow.is_empty() {
                    for &i in &rest {
                        widths[i] = share;
                    }
                    break;
                }
                left -= narrow.iter().map(|&i| natural[i]).sum::<f32>();
                wide = rest;
                if wide.is_empty() {
                    break;
                }
            }
            0.0
        };
        let gap = if n > 1 {
            GAP + spare / (n - 1) as f32
        } else {
            GAP
        };
        let mut x = MARGIN_X;
        let mut laid = Vec::with_capacity(n);
        for (column, width) in columns.into_iter().zip(widths) {
            let lines: Vec<String> = column
                .iter()
                .flat_map(|l| wrap(self.fonts, FOOTER.face, FOOTER.size, l, width))
                .take(FOOTER_LINES)
                .collect();
            laid.push((x, width, lines));
            x += width + gap;
        }
        laid
    }

    /// A paragraph of the letter (intro or closing), wrapped, `space` below what came before.
    fn paragraph(&mut self, text: &str, space: f32) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        self.y -= space;
        let width = self.content_width();
        for line in text.lines() {
            let line = self.printable(line);
            if line.is_empty() {
                self.y -= line_height(BODY) / 2.0;
                continue;
            }
            for part in wrap(self.fonts, BODY.face, BODY.size, &line, width) {
                self.ensure(line_height(BODY));
                self.line(MARGIN_X, BODY, &part);
            }
        }
        self.y -= 12.0;
    }

    fn printable(&self, text: &str) -> String {
        self.fonts.printable(text.trim())
    }

    fn money(&self, amount: Decimal) -> String {
        self.format
            .money(amount, &self.doc.currency, self.doc.minor_units)
    }

    fn amount(&self, amount: Decimal) -> String {
        self.format.number(amount, self.doc.minor_units)
    }

    /// Draws one line of text at the cursor and moves the cursor below it.
    fn line(&mut self, x: f32, style: Style, text: &str) {
        self.canvas.text(x, baseline(self.y, style), style, text);
        self.y -= line_height(style);
    }

    /// Continues on a fresh page, under a small reminder of which document this is.
    fn new_page(&mut self) {
        self.canvas.new_page();
        self.y = self.height - MARGIN_TOP;
        let text = format!("{} ({})", title_line(self.doc), self.labels.continued);
        let text = ellipsize(
            self.fonts,
            CAPTION.face,
            CAPTION.size,
            &self.printable(&text),
            self.content_width(),
        );
        self.line(MARGIN_X, CAPTION, &text);
        self.y -= 10.0;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn ensure(&mut self, height: f32) {
        if !self.fits(height) {
            self.new_page();
        }
    }

    // ---- first-page header -------------------------------------------------------------------

    fn header(&mut self, logo: Option<(XObjectId, (usize, usize))>) {
        let top = self.y;
        let logo_bottom = match logo {
            Some((id, px)) => self.logo(id, px, top),
            None => top,
        };
        let seller_bottom = self.seller(top);
        self.y = logo_bottom.min(seller_bottom) - 26.0;

        let top = self.y;
        let buyer_bottom = self.buyer(top);
        let meta_bottom = self.meta(top);
        self.y = buyer_bottom.min(meta_bottom) - 22.0;

        self.title();
    }

    /// Draws the logo in the top-left box, scaled to fit and keeping its aspect ratio.
    fn logo(&mut self, id: XObjectId, px: (usize, usize), top: f32) -> f32 {
        let (w, h) = (px.0.max(1) as f32, px.1.max(1) as f32);
        let scale = (LOGO_BOX.0 / w).min(LOGO_BOX.1 / h);
        let (width, height) = (w * scale, h * scale);
        self.canvas
            .image(id, px, MARGIN_X, top - height, width, height);
        top - height
    }

    /// The seller's name and address, right-aligned in the top-right corner.
    fn seller(&mut self, top: f32) -> f32 {
        let right = self.right();
        let lines = self.party_lines(&self.doc.seller, SELLER_WIDTH, 2);
        self.y = top;
        for (text, style) in lines {
            self.canvas
                .text_right(right, baseline(self.y, style), style, &text);
            self.y -= line_height(style);
        }
        self.y
    }

    fn buyer(&mut self, top: f32) -> f32 {
        self.y = top;
        match self
            .doc
            .return_address
            .as_deref()
            .map(|r| self.printable(r))
        {
            // DIN 5008: the sender on one small line at the top of the envelope's window.
            Some(sender) if !sender.is_empty() => {
                let sender =
                    ellipsize(self.fonts, CAPTION.face, CAPTION.size, &sender, BUYER_WIDTH);
                let width = self.canvas.width(CAPTION, &sender);
                self.line(MARGIN_X, CAPTION, &sender);
                self.canvas
                    .rule(MARGIN_X, MARGIN_X + width, self.y + 1.5, 0.4, Ink::Muted);
                self.y -= 3.0;
            }
            _ => {
                self.line(MARGIN_X, CAPTION, self.labels.bill_to);
                self.y -= 2.0;
            }
        }
        for (text, style) in self.party_lines(&self.doc.buyer, BUYER_WIDTH, 3) {
            self.line(MARGIN_X, style, &text);
        }
        self.y
    }

    /// Name (wrapped to at most `name_lines`), address, country, VAT ID and e-mail of a party,
    /// each fitted to `width`.
    fn party_lines(&self, party: &Party, width: f32, name_lines: usize) -> Vec<(String, Style)> {
        let fit =
            |text: &str, style: Style| ellipsize(self.fonts, style.face, style.size, text, width);
        let name = self.printable(&party.name);
        let mut lines: Vec<(String, Style)> =
            wrap_at_most(self.fonts, NAME.face, NAME.size, &name, width, name_lines)
                .into_iter()
                .map(|line| (line, NAME))
                .collect();
        let address = party
            .address_lines
            .iter()
            .chain(std::iter::once(&party.country));
        let address = address
            .map(|t| self.printable(t))
            .filter(|t| !t.is_empty())
            // Bounded, so the first-page header always leaves room for the table.
            .take(MAX_ADDRESS_LINES);
        for text in address {
            lines.push((fit(&text, SMALL), SMALL));
        }
        if let Some(vat_id) = party
            .vat_id
            .as_deref()
            .map(|v| self.printable(v))
            .filter(|v| !v.is_empty())
        {
            lines.push((
                fit(&format!("{} {vat_id}", self.labels.vat_id), SMALL),
                SMALL,
            ));
        }
        if let Some(email) = party
            .email
            .as_deref()
            .map(|e| self.printable(e))
            .filter(|e| !e.is_empty())
        {
            lines.push((fit(&email, SMALL), SMALL));
        }
        lines
    }

    /// Number and dates, as label/value pairs in the right column.
    fn meta(&mut self, top: f32) -> f32 {
        let labels = self.labels;
        let format = &self.format;
        let mut rows = vec![(labels.number, self.printable(&self.doc.number))];
        rows.push((labels.issue_date, format.date(self.doc.issue_date)));
        if let Some(due) = self.doc.due_date {
            rows.push((labels.due_date, format.date(due)));
        }
        match self.doc.service_period {
            // One day is a service date, not a period from that day to itself.
            Some((start, end)) if start == end => {
                rows.push((labels.service_date, format.date(start)));
            }
            Some(period) => rows.push((labels.service_period, format.period(period))),
            None => {}
        }

        let left = self.right() - META_WIDTH;
        let right = self.right();
        self.y = top;
        for (label, value) in rows {
            let label_width = self.canvas.width(LABEL, label);
            let value = ellipsize(
                self.fonts,
                SMALL.face,
                SMALL.size,
                &value,
                META_WIDTH - label_width - GAP,
            );
            let base = baseline(self.y, SMALL);
            self.canvas.text(left, base, LABEL, label);
            self.canvas.text_right(right, base, SMALL, &value);
            self.y -= line_height(SMALL) + 1.0;
        }
        self.y
    }

    /// "Invoice", or "Credit note" and the invoice it corrects.
    fn title(&mut self) {
        if self.doc.paid {
            self.paid_stamp(self.y);
        }
        self.line(MARGIN_X, TITLE, title(self.labels, &self.doc.kind));
        let subject = self.printable(&self.doc.subject);
        if !subject.is_empty() {
            let subject = ellipsize(
                self.fonts,
                HEADING.face,
                HEADING.size,
                &subject,
                self.content_width(),
            );
            self.y -= 2.0;
            self.line(MARGIN_X, HEADING, &subject);
        }
        // A credit note whose invoice the caller does not know just says nothing about it.
        let corrects = match &self.doc.kind {
            DocumentKind::CreditNote { corrects } => Some(self.printable(corrects)),
            DocumentKind::Invoice => None,
        };
        if let Some(corrects) = corrects.filter(|c| !c.is_empty()) {
            let text = format!("{} {corrects}", self.labels.corrects);
            let text = ellipsize(
                self.fonts,
                BODY.face,
                BODY.size,
                &text,
                self.content_width(),
            );
            self.line(MARGIN_X, BODY, &text);
        }
        self.y -= 10.0;
    }

    /// "PAID" in a frame at the right margin, level with the title whose box starts at `top`.
    fn paid_stamp(&mut self, top: f32) {
        let text = self.labels.paid_stamp;
        let (pad_x, pad_y) = (8.0, 5.0);
        let width = self.canvas.width(STAMP, text) + 2.0 * pad_x;
        let height = STAMP.size + 2.0 * pad_y;
        let (right, top) = (self.right(), top + 2.0);
        let (left, low) = (right - width, top - height);
        let line = 1.4;
        self.canvas.rect(left, low, width, line, Ink::Text);
        self.canvas.rect(left, top - line, width, line, Ink::Text);
        self.canvas.rect(left, low, line, height, Ink::Text);
        self.canvas.rect(right - line, low, line, height, Ink::Text);
        self.canvas
            .text(left + pad_x, low + pad_y + STAMP.size * 0.2, STAMP, text);
    }

    // ---- line table ---------------------------------------------------------------------------

    /// Formats every line, sizes the numeric columns to their widest cell and wraps the
    /// descriptions into what is left.
    fn prepare_table(&mut self) -> Vec<Row> {
        let labels = self.labels;
        let show_discount = self
            .doc
            .lines
            .iter()
            .any(|l| l.discount.is_some_and(|d| !d.is_zero()));
        let mut headers = vec![labels.quantity, labels.unit_price];
        if show_discount {
            headers.push(labels.discount);
        }
        headers.extend([labels.tax, labels.amount]);

        let mut cells: Vec<Vec<String>> = self
            .doc
            .lines
            .iter()
            .map(|line| self.cells(line, show_discount))
            .collect();
        // Units get their own left-aligned sub-column after the quantities.
        let units: Vec<String> = self
            .doc
            .lines
            .iter()
            .map(|line| {
                let unit = self.printable(&line.unit);
                ellipsize(self.fonts, BODY.face, BODY.size, &unit, MAX_UNIT_WIDTH)
            })
            .collect();
        let unit_width = units
            .iter()
            .map(|unit| self.canvas.width(BODY, unit))
            .fold(0.0, f32::max);
        let unit_space = if unit_width > 0.0 {
            UNIT_GAP + unit_width
        } else {
            0.0
        };

        // Each numeric column is as wide as its widest cell, within reason; the description
        // takes the rest but never less than a third of the page.
        let mut widths: Vec<f32> = headers
            .iter()
            .map(|h| self.canvas.width(TABLE_HEAD, h))
            .collect();
        for row in &cells {
            for (i, (width, cell)) in widths.iter_mut().zip(row).enumerate() {
                let unit = if i == 0 { unit_space } else { 0.0 };
                *width = width.max(self.canvas.width(BODY, cell) + unit);
            }
        }
        let min_description = self.content_width() / 3.0;
        let numeric_budget =
            self.content_width() - 2.0 * CELL_PAD - min_description - GAP * widths.len() as f32;
        let numeric_total: f32 = widths.iter().sum();
        if numeric_total > numeric_budget {
            let shrink = numeric_budget / numeric_total;
            widths.iter_mut().for_each(|w| *w *= shrink);
            for row in &mut cells {
                for (i, (cell, width)) in row.iter_mut().zip(&widths).enumerate() {
                    let unit = if i == 0 { unit_space } else { 0.0 };
                    *cell = ellipsize(
                        self.fonts,
                        BODY.face,
                        BODY.size,
                        cell,
                        (width - unit).max(0.0),
                    );
                }
            }
        }

        // Inset by the same padding as the descriptions, inside the header band.
        let mut right = self.right() - CELL_PAD;
        let mut columns = Vec::with_capacity(headers.len());
        for (header, width) in headers.iter().zip(&widths).rev() {
            columns.push((*header, right));
            right -= width + GAP;
        }
        columns.reverse();
        self.table = Table {
            description_width: right - MARGIN_X - CELL_PAD,
            columns,
            unit_width,
        };

        self.doc
            .lines
            .iter()
            .zip(cells)
            .zip(units)
            .map(|((line, cells), unit)| {
                let width = self.table.description_width;
                let mut lines: Vec<(String, Style)> = wrap(
                    self.fonts,
                    BODY.face,
                    BODY.size,
                    &self.printable(&line.description),
                    width,
                )
                .into_iter()
                .map(|l| (l, BODY))
                .collect();
                if let Some(detail) = line
                    .detail
                    .as_deref()
                    .map(|d| self.printable(d))
                    .filter(|d| !d.is_empty())
                {
                    lines.extend(
                        wrap(self.fonts, DETAIL.face, DETAIL.size, &detail, width)
                            .into_iter()
                            .map(|l| (l, DETAIL)),
                    );
                }
                Row { lines, cells, unit }
            })
            .collect()
    }

    fn cells(&self, line: &crate::Line, show_discount: bool) -> Vec<String> {
        let quantity = Document::line_quantity(&self.format, line);
        // Unit prices may be finer than the currency (0.125 per piece): show what was given.
        let price_decimals = line
            .unit_price
            .normalize()
            .scale()
            .clamp(self.doc.minor_units, self.doc.minor_units.max(6));
        let mut cells = vec![
            quantity,
            self.format.number(line.unit_price, price_decimals),
        ];
        if show_discount {
            cells.push(match line.discount {
                Some(d) if !d.is_zero() => self.amount(-d),
                _ => String::new(),
            });
        }
        cells.extend([self.format.percent(line.tax_percent), self.amount(line.net)]);
        cells
    }

    fn table_header(&mut self) {
        let height = line_height(TABLE_HEAD) + 2.0 * ROW_PAD;
        // A header alone at the bottom of a page is useless: keep it with the first row.
        self.ensure(height + line_height(BODY) + 2.0 * ROW_PAD);
        self.canvas.rect(
            MARGIN_X,
            self.y - height,
            self.content_width(),
            height,
            Ink::Band,
        );
        let base = baseline(self.y - ROW_PAD, TABLE_HEAD);
        self.canvas.text(
            MARGIN_X + CELL_PAD,
            base,
            TABLE_HEAD,
            self.labels.description,
        );
        for (header, right) in self.table.columns.clone() {
            self.canvas.text_right(right, base, TABLE_HEAD, header);
        }
        self.y -= height;
    }

    fn new_table_page(&mut self) {
        self.new_page();
        self.table_header();
    }

    fn lines(&mut self, rows: Vec<Row>) {
        if rows.is_empty() {
            self.y -= ROW_PAD;
            self.line(MARGIN_X + CELL_PAD, LABEL, self.labels.no_lines);
            self.y -= ROW_PAD;
            self.canvas
                .rule(MARGIN_X, self.right(), self.y, 0.5, Ink::Rule);
            return;
        }
        let mut rows_on_page = 0;
        for row in rows {
            if !self.fits(row.height()) && rows_on_page > 0 {
                self.new_table_page();
                rows_on_page = 0;
            }
            self.row(&row, &mut rows_on_page);
            rows_on_page += 1;
        }
    }

    /// Draws a row; one taller than a page continues line by line on the next.
    fn row(&mut self, row: &Row, rows_on_page: &mut usize) {
        self.y -= ROW_PAD;
        for (i, (text, style)) in row.lines.iter().enumerate() {
            if !self.fits(line_height(*style) + ROW_PAD) {
                self.new_table_page();
                *rows_on_page = 0;
                self.y -= ROW_PAD;
            }
            let base = baseline(self.y, *style);
            self.canvas.text(MARGIN_X + CELL_PAD, base, *style, text);
            if i == 0 {
                self.cells_of(row, base);
            }
            self.y -= line_height(*style);
        }
        self.y -= ROW_PAD;
        self.canvas
            .rule(MARGIN_X, self.right(), self.y, 0.5, Ink::Rule);
    }

    /// The numeric cells of a row on the baseline of its first line.
    fn cells_of(&mut self, row: &Row, base: f32) {
        for (i, (cell, (_, right))) in row.cells.iter().zip(&self.table.columns).enumerate() {
            if i == 0 && self.table.unit_width > 0.0 {
                // Quantities align on their right edge whether or not the line has a unit.
                let unit_x = right - self.table.unit_width;
                self.canvas.text(unit_x, base, BODY, &row.unit);
                self.canvas.text_right(unit_x - UNIT_GAP, base, BODY, cell);
            } else {
                self.canvas.text_right(*right, base, BODY, cell);
            }
        }
    }

    // ---- totals ---------------------------------------------------------------------------------

    /// Allowance, totals and tax breakdown, kept together on one page.
    fn totals_block(&mut self) {
        let totals = self.totals_rows();
        let breakdown = self.breakdown_rows();
        let rule_space = |style: Style| if style == TOTAL { 4.0 } else { 0.0 };
        let mut height = 12.0
            + totals
                .iter()
                .map(|(_, _, style)| line_height(*style) + 2.0 + rule_space(*style))
                .sum::<f32>();
        if !breakdown.is_empty() {
            height += 18.0
                + line_height(HEADING)
                + 2.0
                + (breakdown.len() as f32 + 1.0) * (line_height(SMALL) + 2.0);
        }
        self.ensure(height);

        self.y -= 12.0;
        let left = self.right() - TOTALS_WIDTH;
        let right = self.right();
        for (label, value, style) in totals {
            // Only a block taller than a whole page (hundreds of tax rows) gets here.
            if !self.fits(line_height(style) + 6.0) {
                self.new_page();
            }
            if style == TOTAL {
                self.canvas.rule(left, right, self.y - 1.0, 0.8, Ink::Text);
                self.y -= 4.0;
            }
            let base = baseline(self.y, style);
            let value_width = self.canvas.width(style, &value);
            let label = ellipsize(
                self.fonts,
                style.face,
                style.size,
                &label,
                TOTALS_WIDTH - value_width - GAP,
            );
            self.canvas.text(left, base, style, &label);
            self.canvas.text_right(right, base, style, &value);
            self.y -= line_height(style) + 2.0;
        }
        if !breakdown.is_empty() {
            self.y -= 18.0;
            self.tax_breakdown(breakdown);
        }
    }

    /// (label, amount, style) of each totals line.
    fn totals_rows(&self) -> Vec<(String, String, Style)> {
        let labels = self.labels;
        let totals = &self.doc.totals;
        let mut rows = Vec::new();
        if let Some((label, amount)) = &self.doc.allowance {
            rows.push((self.printable(label), self.money(-amount.abs()), SMALL));
        }
        rows.push((labels.net_total.to_owned(), self.money(totals.net), SMALL));
        for tax in &self.doc.tax_rows {
            rows.push((self.printable(&tax.label), self.money(tax.tax), SMALL));
        }
        rows.push((
            labels.gross_total.to_owned(),
            self.money(totals.gross),
            TOTAL,
        ));
        if totals.paid > Decimal::ZERO {
            rows.push((labels.paid.to_owned(), self.money(-totals.paid), SMALL));
            rows.push((labels.amount_due.to_owned(), self.money(totals.due), TOTAL));
        }
        rows
    }

    /// Category, rate, base and tax of each tax row.
    fn breakdown_rows(&self) -> Vec<[String; 4]> {
        self.doc
            .tax_rows
            .iter()
            .map(|row| {
                [
                    self.printable(&row.label),
                    self.format.percent(row.percent),
                    self.amount(row.base),
                    self.amount(row.tax),
                ]
            })
            .collect()
    }

    fn tax_breakdown(&mut self, rows: Vec<[String; 4]>) {
        let labels = self.labels;
        self.line(MARGIN_X, HEADING, labels.tax_breakdown);
        self.y -= 2.0;
        let right = self.right();
        let columns = [right - 230.0, right - 110.0, right];
        let header = [
            labels.tax_category,
            labels.tax_rate,
            labels.tax_base,
            labels.tax_amount,
        ]
        .map(str::to_owned);
        let header_row = std::iter::once((header, TABLE_HEAD));
        for (cells, style) in header_row.chain(rows.into_iter().map(|r| (r, SMALL))) {
            if !self.fits(line_height(style) + 2.0) {
                self.new_page();
            }
            let base = baseline(self.y, style);
            let [category, rest @ ..] = cells;
            let category = ellipsize(
                self.fonts,
                style.face,
                style.size,
                &category,
                columns[0] - 60.0 - MARGIN_X,
            );
            self.canvas.text(MARGIN_X, base, style, &category);
            for (cell, right) in rest.iter().zip(columns) {
                self.canvas.text_right(right, base, style, cell);
            }
            self.y -= line_height(style) + 2.0;
            if style == TABLE_HEAD {
                self.canvas
                    .rule(MARGIN_X, right, self.y + 1.0, 0.5, Ink::Rule);
            }
        }
    }

    // ---- notes and payment ----------------------------------------------------------------------

    fn notes(&mut self) {
        let notes: Vec<String> = self
            .doc
            .notes
            .iter()
            .map(|n| self.printable(n))
            .filter(|n| !n.is_empty())
            .collect();
        if notes.is_empty() {
            return;
        }
        self.y -= 16.0;
        // Keep the heading with the first line of the first note.
        self.ensure(line_height(HEADING) + 2.0 + line_height(SMALL));
        self.line(MARGIN_X, HEADING, self.labels.notes);
        self.y -= 2.0;
        let width = self.content_width();
        for note in notes {
            for line in wrap(self.fonts, SMALL.face, SMALL.size, &note, width) {
                self.ensure(line_height(SMALL));
                self.line(MARGIN_X, SMALL, &line);
            }
            self.y -= 3.0;
        }
    }

    /// Payment terms and bank details, with an EPC QR code for euro transfers; kept together.
    fn payment(&mut self) -> Result<(), PdfError> {
        let Some(payment) = &self.doc.payment else {
            return Ok(());
        };
        let labels = self.labels;
        let qr = match epc::epc_payload(&self.doc.currency, self.doc.totals.due, payment) {
            Some(payload) => Some(epc::qr_modules(&payload).map_err(PdfError::Qr)?),
            None => None,
        };
        let qr_space = if qr.is_some() { QR_SIZE + 24.0 } else { 0.0 };
        let text_width = self.content_width() - qr_space;

        let terms = wrap_at_most(
            self.fonts,
            SMALL.face,
            SMALL.size,
            &self.printable(&payment.terms),
            text_width,
            8,
        );
        let mut details = vec![
            (
                labels.account_holder,
                self.printable(&payment.account_holder),
            ),
            ("IBAN", group_iban(&self.printable(&payment.iban))),
        ];
        if let Some(bic) = payment
            .bic
            .as_deref()
            .map(|b| self.printable(b))
            .filter(|b| !b.is_empty())
        {
            details.push(("BIC", bic));
        }
        details.push((labels.reference, self.printable(&payment.reference)));

        let text_height = line_height(HEADING)
            + 2.0
            + terms.len() as f32 * line_height(SMALL)
            + 4.0
            + details.len() as f32 * (line_height(SMALL) + 1.0);
        let qr_height = if qr.is_some() {
            QR_SIZE + line_height(CAPTION) + 4.0
        } else {
            0.0
        };
        self.y -= 16.0;
        self.ensure(text_height.max(qr_height));

        let top = self.y;
        self.line(MARGIN_X, HEADING, labels.payment);
        self.y -= 2.0;
        for line in terms.iter().filter(|l| !l.is_empty()) {
            self.line(MARGIN_X, SMALL, line);
        }
        self.y -= 4.0;
        let label_width = details
            .iter()
            .map(|(label, _)| self.canvas.width(LABEL, label))
            .fold(0.0, f32::max);
        let value_x = MARGIN_X + label_width + GAP;
        for (label, value) in details {
            let value = ellipsize(
                self.fonts,
                SMALL.face,
                SMALL.size,
                &value,
                MARGIN_X + text_width - value_x,
            );
            let base = baseline(self.y, SMALL);
            self.canvas.text(MARGIN_X, base, LABEL, label);
            self.canvas.text(value_x, base, SMALL, &value);
            self.y -= line_height(SMALL) + 1.0;
        }

        if let Some(modules) = qr {
            let x = self.right() - QR_SIZE;
            self.qr(x, top, &modules);
            let caption_top = top - QR_SIZE - 4.0;
            let caption_x = x + (QR_SIZE - self.canvas.width(CAPTION, labels.scan_to_pay)) / 2.0;
            self.canvas.text(
                caption_x,
                baseline(caption_top, CAPTION),
                CAPTION,
                labels.scan_to_pay,
            );
            self.y = self.y.min(top - qr_height);
        }
        Ok(())
    }

    /// The QR code as filled rectangles, one per horizontal run of dark modules.
    fn qr(&mut self, x: f32, top: f32, modules: &epc::QrModules) {
        let module = QR_SIZE / modules.size.max(1) as f32;
        for &(row, col, len) in &modules.runs {
            let y = top - (row + 1) as f32 * module;
            self.canvas.rect(
                x + col as f32 * module,
                y,
                len as f32 * module,
                module,
                Ink::Text,
            );
        }
    }

    // ---- footers --------------------------------------------------------------------------------

    /// "Page n of m" and the document number on every page, now that the page count is known,
    /// under the DIN 5008 columns if the document has them.
    fn footers(&mut self) {
        let pages = self.canvas.page_count();
        let columns = std::mem::take(&mut self.footer);
        let tallest = columns.iter().map(|(.., l)| l.len()).max().unwrap_or(0);
        let number = ellipsize(
            self.fonts,
            CAPTION.face,
            CAPTION.size,
            &self.printable(&title_line(self.doc)),
            250.0,
        );
        for page in 0..pages {
            self.canvas.go_to_page(page);
            self.canvas.rule(
                MARGIN_X,
                self.right(),
                FOOTER_BASELINE + 12.0,
                0.5,
                Ink::Rule,
            );
            self.canvas
                .text(MARGIN_X, FOOTER_BASELINE, CAPTION, &number);
            let footer = self.doc.locale.page_of(page + 1, pages);
            self.canvas
                .text_right(self.right(), FOOTER_BASELINE, CAPTION, &footer);
            for (x, _, lines) in &columns {
                let x = *x;
                let mut y = FOOTER_BASELINE + 18.0 + footer_height(tallest);
                for line in lines {
                    y -= line_height(FOOTER);
                    self.canvas.text(x, y + 1.5, FOOTER, line);
                }
            }
        }
    }
}

/// The height of a footer column of `lines` lines.
fn footer_height(lines: usize) -> f32 {
    lines as f32 * line_height(FOOTER)
}

/// An IBAN in groups of four, as printed on paper: "DE89 3704 0044 0532 0130 00".
pub fn group_iban(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_in_groups_of_four() {
        assert_eq!(
            group_iban("DE89370400440532013000"),
            "DE89 3704 0044 0532 0130 00"
        );
        assert_eq!(
            group_iban("DE89 3704 0044 0532 0130 00"),
            "DE89 3704 0044 0532 0130 00"
        );
        assert_eq!(group_iban(""), "");
    }

    #[test]
    fn logos_must_be_small_pngs() {
        assert!(matches!(decode_logo(b"GIF89a"), Err(PdfError::LogoNotPng)));
        assert!(matches!(
            decode_logo(b"\x89PNG\r\n\x1a\n"),
            Err(PdfError::Logo(_))
        ));
        let mut huge = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        huge.extend(100_000u32.to_be_bytes());
        huge.extend(10u32.to_be_bytes());
        assert!(matches!(
            decode_logo(&huge),
            Err(PdfError::LogoTooLarge {
                width: 100_000,
                height: 10
            })
        ));
        let mut corrupt = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        corrupt.extend([0, 0, 0, 10, 0, 0, 0, 10, 1, 2, 3]);
        assert!(matches!(decode_logo(&corrupt), Err(PdfError::Logo(_))));
    }
}
