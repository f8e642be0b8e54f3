//! The recovery kit: one page the person prints or saves, with their recovery key, what it opens,
//! how to use it and where to write down where the page is kept (docs/sync.md, "Keys").
//!
//! The PDF holds the key in the clear, as the paper will: the caller writes it only where the
//! person asked and wipes its buffer afterwards. printpdf's own working copies are not wiped.

use jiff::civil::Date;
use printpdf::{OffsetDateTime, PdfDocument, PdfPage, PdfSaveOptions, Pt, Rect};

use crate::canvas::{Canvas, Ink, Style};
use crate::fonts::{Face, Fonts, wrap};
use crate::{Paper, PdfError};

/// What the kit shows.
#[derive(Debug, Clone, Copy)]
pub struct RecoveryKit<'a> {
    /// The account's email address.
    pub email: &'a str,
    /// The sync server's address.
    pub server: &'a str,
    /// The recovery key's text form (`XXXX-XXXX-…`, eight groups of four).
    pub recovery_key: &'a str,
    /// The published identity's fingerprint, to check a device's identity against later.
    pub identity_fingerprint: &'a str,
    /// The day the kit was made (the metadata carries it too, not the time of rendering).
    pub made: Date,
    /// A4 or Letter.
    pub paper: Paper,
}

const MARGIN_X: f32 = 64.0;
const MARGIN_TOP: f32 = 72.0;

/// Renders the kit as a one-page PDF.
///
/// # Errors
/// Only [`PdfError::Font`] or [`PdfError::Write`], which are defects, not input problems.
pub fn render_recovery_kit(kit: &RecoveryKit) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::get()?;
    let mut pdf = PdfDocument::new("Stint recovery kit");
    pdf.metadata.info.creator = "Stint".to_owned();
    if let Some(made) = kit
        .made
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()
        .and_then(|z| OffsetDateTime::from_unix_timestamp(z.timestamp().as_second()).ok())
    {
        let info = &mut pdf.metadata.info;
        info.creation_date = made;
        info.modification_date = made;
        info.metadata_date = made;
    }
    let regular = pdf.add_font(&fonts.regular);
    let bold = pdf.add_font(&fonts.bold);
    let (width, height) = kit.paper.size_pt();
    let mut canvas = Canvas::new(fonts, regular, bold);
    lay_out(&mut canvas, fonts, kit, width, height);
    let page = Rect::from_wh(Pt(width), Pt(height));
    let pages = canvas
        .into_pages()
        .into_iter()
        .map(|ops| PdfPage {
            media_box: page.clone(),
            trim_box: page.clone(),
            crop_box: page.clone(),
            ops,
        })
        .collect();
    let pdf = pdf.with_pages(pages);
    let file = printpdf::serialize::to_lopdf_doc(pdf, &PdfSaveOptions::default(), &mut Vec::new());
    crate::render::save(file)
}

fn lay_out(canvas: &mut Canvas, fonts: &Fonts, kit: &RecoveryKit, width: f32, height: f32) {
    let title = Style::new(Face::Bold, 22.0, Ink::Text);
    let body = Style::new(Face::Regular, 10.5, Ink::Text);
    let label = Style::new(Face::Regular, 9.0, Ink::Muted);
    let heading = Style::new(Face::Bold, 11.0, Ink::Text);
    let key = Style::new(Face::Bold, 20.0, Ink::Text);
    let text_width = width - 2.0 * MARGIN_X;
    let mut y = height - MARGIN_TOP;

    let printable = |text: &str| fonts.printable(text);
    canvas.text(MARGIN_X, y, title, "Stint recovery kit");
    y -= 22.0;
    canvas.text(
        MARGIN_X,
        y,
        label,
        &printable(&format!("Made on {}", kit.made.strftime("%Y-%m-%d"))),
    );
    y -= 30.0;

    for (name, value) in [("Account", kit.email), ("Sync server", kit.server)] {
        canvas.text(MARGIN_X, y, label, name);
        canvas.text(MARGIN_X + 90.0, y, body, &printable(value));
        y -= 17.0;
    }
    y -= 16.0;

    // The key in a band, four groups to a line, large enough to copy by hand without a mistake.
    let groups: Vec<&str> = kit.recovery_key.split('-').collect();
    let lines: Vec<String> = groups.chunks(4).map(|c| c.join(" - ")).collect();
    let band = 34.0 + 30.0 * lines.len() as f32;
    canvas.rect(
        MARGIN_X - 12.0,
        y - band + 14.0,
        text_width + 24.0,
        band,
        Ink::Band,
    );
    canvas.text(MARGIN_X, y, label, "Recovery key");
    y -= 32.0;
    for line in &lines {
        canvas.text(MARGIN_X, y, key, &printable(line));
        y -= 30.0;
    }
    y -= 18.0;
    canvas.text(MARGIN_X, y, label, "Identity fingerprint");
    canvas.text(
        MARGIN_X + 110.0,
        y,
        body,
        &printable(kit.identity_fingerprint),
    );
    y -= 34.0;

    let sections: [(&str, String); 4] = [
        (
            "What it is",
            "This key, and only this key, opens your Stint data on a new device when none of your \
             devices is at hand. The server never sees it, so nobody can recover it for you."
                .to_owned(),
        ),
        (
            "How to use it",
            format!(
                "Install Stint on the new device, sign in to {} as {}, then run \
                 “stint device enrol --recovery-key” and type the key. Case, spaces and hyphens do \
                 not matter; a typo is caught before anything is changed.",
                kit.server, kit.email
            ),
        ),
        (
            "Keep it safe",
            "Print this page and keep it somewhere private and lasting, such as with your \
             passport. Do not keep it with your passwords: with this key and your sign-in, \
             anyone can read your data. Delete the PDF file once it is printed."
                .to_owned(),
        ),
        (
            "A new kit",
            "“stint recovery-kit” on an enrolled device makes a new key and kit; the key on this \
             page then stops working."
                .to_owned(),
        ),
    ];
    for (title, text) in &sections {
        canvas.text(MARGIN_X, y, heading, title);
        y -= 16.0;
        for line in wrap(fonts, body.face, body.size, &printable(text), text_width) {
            canvas.text(MARGIN_X, y, body, &line);
            y -= 14.5;
        }
        y -= 12.0;
    }

    y -= 14.0;
    canvas.text(MARGIN_X, y, label, "Where I keep this kit");
    canvas.rule(
        MARGIN_X + 120.0,
        MARGIN_X + text_width,
        y - 2.0,
        0.6,
        Ink::Rule,
    );
}
