//! Shared fixtures and poppler helpers for the integration tests.
#![allow(dead_code)] // each test file uses its own subset

use std::path::Path;
use std::process::Command;

use jiff::civil::date;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use stint_invoice_pdf::{
    Document, DocumentKind, Line, Locale, Paper, Party, Payment, TaxRow, Totals, render,
};

pub fn seller() -> Party {
    Party {
        name: "Zoë Œuvre Consulting".into(),
        address_lines: vec!["Hauptstraße 5".into(), "10115 Berlin".into()],
        country: "Germany".into(),
        vat_id: Some("DE123456789".into()),
        email: Some("billing@oeuvre.example".into()),
    }
}

pub fn buyer() -> Party {
    Party {
        name: "Müller & Søn GmbH".into(),
        address_lines: vec!["ul. Piotrkowska 12".into(), "90-001 Łódź".into()],
        country: "Poland".into(),
        vat_id: Some("PL5260250274".into()),
        email: None,
    }
}

pub fn line(description: &str, quantity: Decimal, unit_price: Decimal) -> Line {
    Line {
        description: description.into(),
        detail: None,
        quantity,
        tracked_time: false,
        unit: "h".into(),
        unit_price,
        discount: None,
        tax_percent: dec!(19),
        net: quantity * unit_price,
    }
}

/// A one-page invoice: 3 lines, an allowance, 19 % VAT, EUR, payment by transfer.
pub fn invoice(locale: Locale) -> Document {
    let mut lines = vec![
        line("Backend development", dec!(10), dec!(95)),
        line("Code review", dec!(2.5), dec!(80)),
        line("Deployment support", dec!(1), dec!(134.50)),
    ];
    lines[0].detail = Some("Sprint 47, tickets STI-101 to STI-118".into());
    lines[1].discount = Some(dec!(20));
    lines[1].net = dec!(180);
    // Lines 1264.50 − allowance 30 = net 1234.50; VAT 234.56; gross 1469.06.
    Document {
        kind: DocumentKind::Invoice,
        number: "INV-2026-0007".into(),
        issue_date: date(2026, 11, 23),
        due_date: Some(date(2026, 12, 7)),
        service_period: Some((date(2026, 11, 1), date(2026, 11, 30))),
        locale,
        number_locale: None,
        duration_style: Default::default(),
        paper: Paper::A4,
        currency: "EUR".into(),
        minor_units: 2,
        seller: seller(),
        buyer: buyer(),
        logo_png: None,
        lines,
        allowance: Some(("Loyalty discount".into(), dec!(30))),
        tax_rows: vec![TaxRow {
            label: "VAT 19 %".into(),
            percent: dec!(19),
            base: dec!(1234.50),
            tax: dec!(234.56),
        }],
        totals: Totals {
            net: dec!(1234.50),
            tax: dec!(234.56),
            gross: dec!(1469.06),
            paid: Decimal::ZERO,
            due: dec!(1469.06),
        },
        notes: vec!["Thank you for your business.".into()],
        payment: Some(Payment {
            terms: "Payable within 14 days without deduction.".into(),
            account_holder: "Zoë Œuvre Consulting".into(),
            iban: "DE89370400440532013000".into(),
            bic: Some("COBADEFFXXX".into()),
            reference: "INV-2026-0007".into(),
        }),
        subject: String::new(),
        intro: String::new(),
        closing: String::new(),
        return_address: None,
        paid: false,
        footer: Vec::new(),
    }
}

/// Renders `doc`, writes it to `dir` and returns the path and the bytes.
pub fn render_to(dir: &Path, name: &str, doc: &Document) -> (std::path::PathBuf, Vec<u8>) {
    let bytes = render(doc).unwrap_or_else(|e| panic!("render failed: {e}"));
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let path = dir.join(name);
    std::fs::write(&path, &bytes)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    (path, bytes)
}

/// Runs a poppler tool and returns its stdout; fails the test (never skips) if it is missing.
pub fn poppler(tool: &str, args: &[&str], pdf: &Path, trailing: &[&str]) -> String {
    let output = Command::new(tool).args(args).arg(pdf).args(trailing).output().unwrap_or_else(|e| {
        panic!(
            "`{tool}` could not be run ({e}). These tests need poppler-utils \
             (pdftotext, pdfinfo, pdffonts, pdfimages): install them, e.g. `apt-get install poppler-utils`."
        )
    });
    assert!(
        output.status.success(),
        "`{tool}` failed on {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap_or_else(|e| panic!("`{tool}` printed invalid UTF-8: {e}"))
}

/// The text of every page, in layout mode.
pub fn pages_text(pdf: &Path) -> Vec<String> {
    // "-": write to stdout (the output file comes after the input file).
    let text = poppler("pdftotext", &["-layout", "-enc", "UTF-8"], pdf, &["-"]);
    let mut pages: Vec<String> = text.split('\x0c').map(str::to_owned).collect();
    // pdftotext ends the last page with a form feed too.
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// A value from `pdfinfo`, e.g. "Pages" or "Page size".
pub fn pdfinfo(pdf: &Path, key: &str) -> String {
    // ISO dates as written in the file, not converted to this machine's time zone.
    let info = poppler("pdfinfo", &["-isodates"], pdf, &[]);
    info.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|rest| rest.strip_prefix(':')))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| panic!("pdfinfo has no {key:?}:\n{info}"))
}

pub fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// A minimal valid RGB PNG (stored, uncompressed deflate), so the tests need no image crate.
pub fn png(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    // Each scanline: filter type 0 (none), then the pixels.
    let scanline: Vec<u8> = std::iter::once(0)
        .chain((0..width).flat_map(|_| rgb))
        .collect();
    let raw = scanline.repeat(height as usize);
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend(len.to_le_bytes());
        zlib.extend((!len).to_le_bytes());
        zlib.extend(*block);
    }
    zlib.extend(adler32(&raw).to_be_bytes());

    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", ihdr), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        out.extend((data.len() as u32).to_be_bytes());
        let mut chunk = kind.to_vec();
        chunk.extend(&data);
        out.extend(&chunk);
        out.extend(crc32(&chunk).to_be_bytes());
    }
    out
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
