//! The embedded Noto Sans faces, parsed once per process, and text measurement with their
//! advance widths (printpdf places glyphs one per character, without kerning, so the sum of the
//! advances is exactly the printed width).

use std::sync::OnceLock;

use printpdf::ParsedFont;

use crate::PdfError;

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");

/// Printed instead of characters the font has no glyph for, so they stay visible and searchable.
const REPLACEMENT: char = '?';

/// Regular or bold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

/// Characters below this have their advance widths in a table (Latin, Latin-1 and Latin
/// Extended-A and -B: nearly all text on an invoice); others are looked up in the font.
const TABLE: usize = 0x250;

/// Both faces, parsed.
pub(crate) struct Fonts {
    pub regular: ParsedFont,
    pub bold: ParsedFont,
    /// Advance widths in font units, per face, of the characters below [`TABLE`].
    advances: [Box<[u16; TABLE]>; 2],
}

impl Fonts {
    /// The process-wide fonts; parsing a face takes far longer than rendering an invoice.
    pub fn get() -> Result<&'static Fonts, PdfError> {
        static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
        FONTS
            .get_or_init(|| {
                let regular = parse(REGULAR_TTF)?;
                let bold = parse(BOLD_TTF)?;
                let advances = [table(&regular), table(&bold)];
                Some(Fonts {
                    regular,
                    bold,
                    advances,
                })
            })
            .as_ref()
            .ok_or(PdfError::Font)
    }

    pub fn face(&self, face: Face) -> &ParsedFont {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    /// The printed width of `text` in points at `size`.
    pub fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        self.units(face, text) as f32 * size / self.units_per_em(face)
    }

    /// The width of `text` in font units.
    fn units(&self, face: Face, text: &str) -> u32 {
        text.chars().map(|c| self.advance(face, c)).sum()
    }

    /// The advance width of `c` in font units (that of glyph 0 for a character the face lacks).
    fn advance(&self, face: Face, c: char) -> u32 {
        let table = &self.advances[face as usize];
        match table.get(c as usize) {
            Some(advance) => u32::from(*advance),
            None => advance_of(self.face(face), c),
        }
    }

    fn units_per_em(&self, face: Face) -> f32 {
        f32::from(self.face(face).pdf_font_metrics.units_per_em.max(1))
    }

    /// `text` made printable: control characters (line breaks, tabs) become spaces and
    /// characters neither face can draw become "?".
    pub fn printable(&self, text: &str) -> String {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    ' '
                } else if self.has_glyph(c) {
                    c
                } else {
                    REPLACEMENT
                }
            })
            .collect()
    }

    fn has_glyph(&self, c: char) -> bool {
        let code = u32::from(c);
        let has = |font: &ParsedFont| font.lookup_glyph_index(code).is_some_and(|g| g != 0);
        has(&self.regular) && has(&self.bold)
    }
}

fn parse(bytes: &[u8]) -> Option<ParsedFont> {
    ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
}

fn advance_of(font: &ParsedFont, c: char) -> u32 {
    let glyph = font.lookup_glyph_index(u32::from(c)).unwrap_or(0);
    u32::from(font.get_horizontal_advance(glyph))
}

fn table(font: &ParsedFont) -> Box<[u16; TABLE]> {
    let mut table = Box::new([0u16; TABLE]);
    for (code, slot) in table.iter_mut().enumerate() {
        let c = char::from_u32(code as u32).unwrap_or('\0');
        *slot = u16::try_from(advance_of(font, c)).unwrap_or(u16::MAX);
    }
    table
}

/// Splits `text` into lines no wider than `max_width`: at spaces where possible, inside words
/// that are wider than a line on their own. Always returns at least one line.
pub(crate) fn wrap(
    fonts: &Fonts,
    face: Face,
    size: f32,
    text: &str,
    max_width: f32,
) -> Vec<String> {
    // Widths add up (one glyph per character, no kerning): each word is measured once, in whole
    // font units, and a line fits exactly when measuring it whole would say so.
    let fits = |units: u32| units as f32 * size / fonts.units_per_em(face) <= max_width;
    let space = fonts.units(face, " ");
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut current_units = 0;
    for word in text.split_whitespace() {
        let word_units = fonts.units(face, word);
        if !current.is_empty() && fits(current_units + space + word_units) {
            current.push(' ');
            current.push_str(word);
            current_units += space + word_units;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if fits(word_units) {
            current.push_str(word);
            current_units = word_units;
        } else {
            let mut pieces = break_word(fonts, face, size, word, max_width);
            current = pieces.pop().unwrap_or_default();
            current_units = fonts.units(face, &current);
            lines.extend(pieces);
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// Cuts a word that does not fit on one line into line-sized pieces (at least one char each).
fn break_word(fonts: &Fonts, face: Face, size: f32, word: &str, max_width: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut piece_width = 0.0;
    for c in word.chars() {
        let w = fonts.width(face, size, c.encode_utf8(&mut [0; 4]));
        if !piece.is_empty() && piece_width + w > max_width {
            pieces.push(std::mem::take(&mut piece));
            piece_width = 0.0;
        }
        piece.push(c);
        piece_width += w;
    }
    pieces.push(piece);
    pieces
}

/// Like [`wrap`], but at most `max_lines` lines; the last one ends in "…" if text was cut.
pub(crate) fn wrap_at_most(
    fonts: &Fonts,
    face: Face,
    size: f32,
    text: &str,
    max_width: f32,
    max_lines: usize,
) -> Vec<String> {
    let mut lines = wrap(fonts, face, size, text, max_width);
    if lines.len() > max_lines.max(1) {
        lines.truncate(max_lines.max(1));
        if let Some(last) = lines.last_mut() {
            *last = ellipsize(fonts, face, size, &format!("{last}…"), max_width);
        }
    }
    lines
}

/// `text` cut to `max_width` with a trailing "…" if it is too wide.
pub(crate) fn ellipsize(
    fonts: &Fonts,
    face: Face,
    size: f32,
    text: &str,
    max_width: f32,
) -> String {
    if fonts.width(face, size, text) <= max_width {
        return text.to_owned();
    }
    let budget = max_width - fonts.width(face, size, "…");
    let mut out = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        let w = fonts.width(face, size, c.encode_utf8(&mut [0; 4]));
        if width + w > budget {
            break;
        }
        out.push(c);
        width += w;
    }
    let mut out = out.trim_end().to_owned();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> &'static Fonts {
        Fonts::get().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn measures_with_advance_widths() {
        let f = fonts();
        let one = f.width(Face::Regular, 10.0, "0");
        assert!(one > 4.0 && one < 7.0, "digit width {one}");
        assert!((f.width(Face::Regular, 10.0, "00") - 2.0 * one).abs() < 1e-4);
        assert!((f.width(Face::Regular, 20.0, "0") - 2.0 * one).abs() < 1e-4);
        assert!(f.width(Face::Bold, 10.0, "Mm") > f.width(Face::Regular, 10.0, "Mm"));
        assert_eq!(f.width(Face::Regular, 10.0, ""), 0.0);
    }

    #[test]
    fn the_font_covers_what_invoices_print() {
        let f = fonts();
        let text = "Müller & Søn GmbH Zoë Œuvre Łódź € £ ¥ – … ’ № \u{202F}";
        assert_eq!(f.printable(text), text);
        assert_eq!(f.printable("a\tb\nc😀"), "a b c?");
    }

    #[test]
    fn the_advance_table_agrees_with_the_font() {
        let f = fonts();
        for face in [Face::Regular, Face::Bold] {
            for c in (0..0x300u32)
                .filter_map(char::from_u32)
                .chain(['€', '…', '→', '中'])
            {
                assert_eq!(f.advance(face, c), advance_of(f.face(face), c), "{c:?}");
            }
        }
    }

    #[test]
    fn wrapping_measures_like_the_whole_line() {
        let f = fonts();
        let text =
            "Backend development and review of the changes, Łódź – Zoë Œuvre 2026-11-23 €1,234.50";
        // From the widest word on (narrower lines break words, tested below).
        let widest = text
            .split(' ')
            .map(|w| f.width(Face::Regular, 9.0, w))
            .fold(0.0, f32::max);
        for tenths in (widest * 10.0).ceil() as u32..1200 {
            let max = tenths as f32 / 10.0;
            let lines = wrap(f, Face::Regular, 9.0, text, max);
            assert_eq!(lines.join(" "), text, "at {max}");
            for (i, line) in lines.iter().enumerate() {
                let single_word = !line.contains(' ');
                assert!(
                    single_word || f.width(Face::Regular, 9.0, line) <= max,
                    "{line:?} at {max}"
                );
                // Greedy: the next line's first word would not have fitted.
                if let Some(next) = lines.get(i + 1) {
                    let first = next.split(' ').next().unwrap();
                    assert!(
                        f.width(Face::Regular, 9.0, &format!("{line} {first}")) > max,
                        "at {max}"
                    );
                }
            }
        }
    }

    #[test]
    fn wraps_at_spaces_within_the_width() {
        let f = fonts();
        let text = "Implementation of the time tracking import with several careful review rounds";
        let lines = wrap(f, Face::Regular, 9.0, text, 120.0);
        assert!(lines.len() > 2);
        assert!(
            lines
                .iter()
                .all(|l| f.width(Face::Regular, 9.0, l) <= 120.0)
        );
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn breaks_words_longer_than_a_line() {
        let f = fonts();
        let word = "x".repeat(500);
        let lines = wrap(f, Face::Regular, 9.0, &word, 50.0);
        assert!(lines.len() > 5);
        assert_eq!(lines.concat(), word);
        // Even a width too small for one character makes progress.
        assert_eq!(wrap(f, Face::Regular, 9.0, "abc", 0.0).concat(), "abc");
        assert_eq!(wrap(f, Face::Regular, 9.0, "", 50.0), vec![String::new()]);
    }

    #[test]
    fn cuts_with_an_ellipsis() {
        let f = fonts();
        let long = "A very long company name that goes on and on and on".repeat(5);
        let cut = ellipsize(f, Face::Bold, 10.0, &long, 100.0);
        assert!(cut.ends_with('…'));
        assert!(f.width(Face::Bold, 10.0, &cut) <= 100.0);
        assert_eq!(ellipsize(f, Face::Bold, 10.0, "Short", 100.0), "Short");
        let lines = wrap_at_most(f, Face::Bold, 10.0, &long, 100.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
    }
}
