//! Renders real PDFs and reads them back with poppler (pdftotext, pdfinfo, pdffonts, pdfimages).

mod common;

use common::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use stint_invoice_pdf::{DocumentKind, Locale, Paper, PdfError, TaxRow, render};

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"))
}

#[test]
fn english_invoice_has_all_its_text() {
    let dir = tempdir();
    let (pdf, _) = render_to(dir.path(), "en.pdf", &invoice(Locale::En));
    let pages = pages_text(&pdf);
    assert_eq!(pages.len(), 1, "{pages:#?}");
    let text = &pages[0];
    for expected in [
        "Invoice",
        "INV-2026-0007",
        "Zoë Œuvre Consulting",
        "Hauptstraße 5",
        "Müller & Søn GmbH",
        "90-001 Łódź",
        "VAT ID PL5260250274",
        "23 Nov 2026",
        "7 Dec 2026",
        "1 Nov 2026 – 30 Nov 2026",
        "Description",
        "Backend development",
        "Sprint 47, tickets STI-101 to STI-118",
        "Code review",
        "Deployment support",
        "2.5 h",
        "-20.00",
        "19%",
        "950.00",
        "Loyalty discount",
        "-€30.00",
        "Net total",
        "€1,234.50",
        "VAT 19 %",
        "€234.56",
        "Total",
        "€1,469.06",
        "Tax breakdown",
        "Thank you for your business.",
        "Payable within 14 days without deduction.",
        "DE89 3704 0044 0532 0130 00",
        "COBADEFFXXX",
        "Scan to pay",
        "Page 1 of 1",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Nothing was paid yet, so there is no separate amount due.
    assert!(!text.contains("Amount due"), "{text}");
    assert_eq!(pdfinfo(&pdf, "Title"), "Invoice INV-2026-0007");
    let created = pdfinfo(&pdf, "CreationDate");
    assert!(created.starts_with("2026-11-23T00:00:00"), "{created}");
}

#[test]
fn one_page_invoice_embeds_a_small_font_subset() {
    let dir = tempdir();
    let (pdf, bytes) = render_to(dir.path(), "size.pdf", &invoice(Locale::En));
    // Each Noto Sans face is ~500 KB; embedding them whole would blow far past this.
    assert!(
        bytes.len() < 120 * 1024,
        "one-page PDF is {} bytes",
        bytes.len()
    );
    let fonts = poppler("pdffonts", &[], &pdf, &[]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "{fonts}");
    for row in rows {
        // Columns: name type encoding emb sub uni object ID.
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(cols[0].contains("+NotoSans"), "not a subset: {row}");
        assert!(
            row.contains("yes yes yes"),
            "font not embedded as subset with ToUnicode: {row}"
        );
    }
}

#[test]
fn german_invoice_speaks_german() {
    let dir = tempdir();
    let (pdf, _) = render_to(dir.path(), "de.pdf", &invoice(Locale::De));
    let text = pages_text(&pdf).concat();
    for expected in [
        "Rechnung",
        "Rechnungsdatum",
        "23.11.2026",
        "Fällig am",
        "07.12.2026",
        "Leistungszeitraum",
        "01.11.2026 – 30.11.2026",
        "Rechnungsempfänger",
        "Beschreibung",
        "Menge",
        "Einzelpreis",
        "2,5 h",
        "19 %",
        "Nettobetrag",
        "1.234,50 €",
        "Gesamtbetrag",
        "1.469,06 €",
        "-30,00 €",
        "Steueraufstellung",
        "Verwendungszweck",
        "Seite 1 von 1",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("Invoice"), "{text}");
}

#[test]
fn a_one_day_service_period_is_a_service_date() {
    let dir = tempdir();
    let mut doc = invoice(Locale::De);
    let day = "2026-11-20".parse().unwrap();
    doc.service_period = Some((day, day));
    let (pdf, _) = render_to(dir.path(), "one-day.pdf", &doc);
    let text = pages_text(&pdf).concat();
    assert!(text.contains("Leistungsdatum"), "{text}");
    assert!(text.contains("20.11.2026"), "{text}");
    assert!(!text.contains("Leistungszeitraum"), "{text}");
    assert!(!text.contains("20.11.2026 –"), "{text}");
}

#[test]
fn french_invoice_speaks_french() {
    let dir = tempdir();
    let mut doc = invoice(Locale::Fr);
    doc.lines
        .push(line("Audit de sécurité", dec!(100), dec!(1234.5)));
    let (pdf, _) = render_to(dir.path(), "fr.pdf", &doc);
    // pdftotext turns the narrow no-break space that groups French digits into a plain space.
    let text = pages_text(&pdf).concat();
    for expected in [
        "Facture",
        "Date d’émission",
        "23 nov. 2026",
        "Désignation",
        "Prix unitaire",
        "Audit de sécurité",
        "123 450,00",
        "Total HT",
        "1 234,50 €",
        "Total TTC",
        "1 469,06 €",
        "Détail de la TVA",
        "Page 1 sur 1",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn numbers_and_dates_follow_the_organizations_locale_and_duration_style() {
    let dir = tempdir();
    let mut doc = invoice(Locale::En);
    let mut work = line("Design", dec!(1.6667), dec!(95));
    work.tracked_time = true;
    doc.lines.push(work);

    // Without one, an English invoice writes as en-GB does.
    let (pdf, _) = render_to(dir.path(), "gb.pdf", &doc);
    let text = pages_text(&pdf).concat();
    for expected in ["23 Nov 2026", "1:40", "€"] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }

    // An American organization's invoice reads as its app does; durations in decimal hours.
    doc.number_locale = Some("en-US".into());
    doc.duration_style = stint_domain::DurationStyle::Decimal;
    let (pdf, _) = render_to(dir.path(), "us.pdf", &doc);
    let text = pages_text(&pdf).concat();
    for expected in ["Nov 23, 2026", "1.67", "Page 1 of 1"] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("1:40"), "the clock style is gone:\n{text}");

    // A German invoice of an Austrian organization: German words, Austrian numbers (CLDR groups
    // Austrian thousands with a no-break space), still decimal hours.
    let mut doc = invoice(Locale::De);
    doc.number_locale = Some("de-AT".into());
    doc.duration_style = stint_domain::DurationStyle::Decimal;
    let mut work = line("Entwurf", dec!(1.6667), dec!(95));
    work.tracked_time = true;
    doc.lines.push(work);
    let (pdf, _) = render_to(dir.path(), "at.pdf", &doc);
    let text = pages_text(&pdf).concat();
    for expected in ["Rechnung", "23.11.2026", "1,67", "Seite 1 von 1"] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn credit_note_names_the_corrected_invoice() {
    let dir = tempdir();
    let mut doc = invoice(Locale::En);
    doc.kind = DocumentKind::CreditNote {
        corrects: "INV-2026-0003".into(),
    };
    doc.number = "CN-2026-0001".into();
    doc.allowance = None;
    doc.lines = vec![line("Refund: duplicate booking", dec!(-2), dec!(95))];
    doc.tax_rows[0].base = dec!(-190);
    doc.tax_rows[0].tax = dec!(-36.10);
    doc.totals = stint_invoice_pdf::Totals {
        net: dec!(-190),
        tax: dec!(-36.10),
        gross: dec!(-226.10),
        paid: Decimal::ZERO,
        due: dec!(-226.10),
    };
    let (pdf, _) = render_to(dir.path(), "cn.pdf", &doc);
    let text = pages_text(&pdf).concat();
    for expected in [
        "Credit note",
        "CN-2026-0001",
        "Corrects invoice INV-2026-0003",
        "Refund: duplicate booking",
        "-2 h",
        "-190.00",
        "-€190.00",
        "-€36.10",
        "-€226.10",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Nothing to transfer, so no payment QR code.
    assert!(!text.contains("Scan to pay"), "{text}");

    let mut de = doc.clone();
    de.locale = Locale::De;
    let (pdf, _) = render_to(dir.path(), "cn-de.pdf", &de);
    let text = pages_text(&pdf).concat();
    assert!(
        text.contains("Gutschrift") && text.contains("Korrektur zu Rechnung INV-2026-0003"),
        "{text}"
    );
    assert!(text.contains("-226,10 €"), "{text}");
}

#[test]
fn credit_note_without_a_known_invoice_omits_the_reference() {
    let dir = tempdir();
    let mut doc = invoice(Locale::En);
    doc.kind = DocumentKind::CreditNote {
        corrects: " ".into(),
    };
    let (pdf, _) = render_to(dir.path(), "cn-unknown.pdf", &doc);
    let text = pages_text(&pdf).concat();
    assert!(
        text.contains("Credit note") && !text.contains("Corrects invoice"),
        "{text}"
    );
}

#[test]
fn partial_payment_shows_paid_and_amount_due() {
    let dir = tempdir();
    let mut doc = invoice(Locale::En);
    doc.totals.paid = dec!(469.06);
    doc.totals.due = dec!(1000);
    let (pdf, _) = render_to(dir.path(), "paid.pdf", &doc);
    let text = pages_text(&pdf).concat();
    for expected in ["Paid", "-€469.06", "Amount due", "€1,000.00"] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

/// 290 lines: the table continues over ten pages, each with the table header; the totals come
/// once, on the last page.
#[test]
fn long_invoice_breaks_pages_and_repeats_the_table_header() {
    let dir = tempdir();
    let mut doc = invoice(Locale::En);
    doc.lines = (1..=290)
        .map(|i| line(&format!("Work package {i:03}"), dec!(1), dec!(10)))
        .collect();
    doc.totals.gross = dec!(987654.32);
    let (pdf, _) = render_to(dir.path(), "long.pdf", &doc);

    let pages = pages_text(&pdf);
    let count_pages = pages.len();
    assert_eq!(count_pages, 10, "layout changed? page count");
    assert_eq!(pdfinfo(&pdf, "Pages"), "10");
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains("Description") && page.contains("Unit price"),
            "no table header on page {}",
            i + 1
        );
        assert!(
            page.contains(&format!("Page {} of 10", i + 1)),
            "no footer on page {}:\n{page}",
            i + 1
        );
    }
    let all = pages.concat();
    for i in 1..=290 {
        assert_eq!(count(&all, &format!("Work package {i:03}")), 1, "line {i}");
    }
    let grand_total = "€987,654.32";
    assert_eq!(count(&all, grand_total), 1);
    assert_eq!(count(&all, "Net total"), 1);
    let last = &pages[count_pages - 1];
    assert!(
        last.contains(grand_total) && last.contains("Net total") && last.contains("Tax breakdown"),
        "{last}"
    );
}

#[test]
fn totals_block_moves_whole_to_the_next_page() {
    // Find a line count whose last line leaves too little room for the totals block: then the
    // block must move whole to a new page (never split from its tax breakdown).
    let dir = tempdir();
    let mut moved = false;
    for n in 1..60 {
        let mut doc = invoice(Locale::En);
        doc.notes.clear();
        doc.payment = None;
        doc.lines = (1..=n)
            .map(|i| line(&format!("Item {i:03}"), dec!(1), dec!(10)))
            .collect();
        let (pdf, _) = render_to(dir.path(), "totals.pdf", &doc);
        let pages = pages_text(&pdf);
        let with_net: Vec<usize> = (0..pages.len())
            .filter(|&i| pages[i].contains("Net total"))
            .collect();
        let with_breakdown: Vec<usize> = (0..pages.len())
            .filter(|&i| pages[i].contains("Tax breakdown"))
            .collect();
        assert_eq!(
            with_net, with_breakdown,
            "totals split from the breakdown with {n} lines"
        );
        assert_eq!(
            with_net,
            vec![pages.len() - 1],
            "totals not on the last page with {n} lines"
        );
        if pages.len() == 2 && !pages[1].contains("Item ") {
            moved = true;
            assert!(pages[1].contains("Loyalty discount") && pages[1].contains("€1,469.06"));
            break;
        }
    }
    assert!(moved, "no line count moved the totals to their own page");
}

#[test]
fn letter_paper_has_letter_media_box() {
    let dir = tempdir();
    let mut doc = invoice(Locale::En);
    doc.paper = Paper::Letter;
    let (pdf, _) = render_to(dir.path(), "letter.pdf", &doc);
    assert!(pdfinfo(&pdf, "Page size").starts_with("612 x 792 pts"));
    let (a4, _) = render_to(dir.path(), "a4.pdf", &invoice(Locale::En));
    assert!(
        pdfinfo(&a4, "Page size").starts_with("595.276 x 841.89 pts"),
        "{}",
        pdfinfo(&a4, "Page size")
    );
}

#[test]
fn logo_is_embedded_as_an_image() {
    let dir = tempdir();
    let mut doc = invoice(Locale::En);
    doc.logo_png = Some(png(40, 20, [200, 30, 60]));
    let (pdf, bytes) = render_to(dir.path(), "logo.pdf", &doc);
    let list = poppler("pdfimages", &["-list"], &pdf, &[]);
    let images: Vec<&str> = list.lines().skip(2).collect();
    assert_eq!(images.len(), 1, "{list}");
    let cols: Vec<&str> = images[0].split_whitespace().collect();
    // Columns: page num type width height color ...
    assert_eq!(&cols[..5], ["1", "0", "image", "40", "20"], "{list}");
    assert!(bytes.windows(6).any(|w| w == b"/Image"), "no image XObject");
    // The text is still all there.
    assert!(pages_text(&pdf)[0].contains("Müller & Søn GmbH"));
}

#[test]
fn bad_logo_is_an_error_not_a_panic() {
    let mut doc = invoice(Locale::En);
    doc.logo_png = Some(b"definitely not an image".to_vec());
    assert_eq!(render(&doc), Err(PdfError::LogoNotPng));
    let mut truncated = png(10, 10, [0, 0, 0]);
    truncated.truncate(40);
    doc.logo_png = Some(truncated);
    assert!(matches!(render(&doc), Err(PdfError::Logo(_))));
    doc.logo_png = Some(Vec::new());
    assert!(render(&doc).is_err());
}

#[test]
fn no_lines_renders_a_placeholder() {
    let dir = tempdir();
    let mut doc = invoice(Locale::En);
    doc.lines.clear();
    let (pdf, _) = render_to(dir.path(), "empty.pdf", &doc);
    assert!(pages_text(&pdf)[0].contains("No lines"));
}

#[test]
fn hostile_input_renders_without_panicking() {
    let dir = tempdir();
    let mut doc = invoice(Locale::Fr);
    let long_word = "Donaudampfschifffahrtsgesellschaftskapitän".repeat(30);
    doc.seller.name = "A really very long company name ".repeat(20);
    doc.buyer.name = long_word.clone();
    doc.buyer.address_lines = vec!["x".repeat(400), String::new(), "\t\n".into()];
    doc.seller.address_lines = (0..50).map(|i| format!("Address line {i}")).collect();
    doc.tax_rows = (0..120)
        .map(|i| TaxRow {
            label: format!("Tax row {i:03}"),
            percent: dec!(1),
            base: dec!(1),
            tax: dec!(0.01),
        })
        .collect();
    doc.number = "N".repeat(300);
    doc.currency = "XBT".into();
    doc.minor_units = 3;
    doc.lines[0].description = format!("{long_word} {}", "word ".repeat(3000));
    doc.lines[0].detail = Some("detail with emoji 😀 and control \u{7} chars".into());
    doc.lines[0].unit = "u".repeat(200);
    doc.lines[0].quantity = Decimal::MAX;
    doc.lines[0].unit_price = dec!(0.0000001);
    doc.lines[1].description = String::new();
    doc.lines[2].discount = Some(Decimal::MIN);
    doc.allowance = Some(("y".repeat(500), dec!(1)));
    doc.notes = vec!["note ".repeat(2000), String::new(), "\n".into()];
    if let Some(payment) = doc.payment.as_mut() {
        payment.terms = "terms ".repeat(500);
        payment.iban = String::new();
        payment.reference = "r".repeat(1000);
    }
    let (pdf, _) = render_to(dir.path(), "hostile.pdf", &doc);
    let pages = pages_text(&pdf);
    assert!(pages.len() > 1);
    let n = pages.len();
    assert!(pages[n - 1].contains(&format!("Page {n} sur {n}")));
    assert!(pages.concat().contains("detail with emoji ? and control"));
    // Far too many tax rows for one page still all print, on the page (not below its edge).
    let all = pages.concat();
    assert!((0..120).all(|i| count(&all, &format!("Tax row {i:03}")) == 2));

    // Zero-decimal currency and an empty document.
    let mut yen = invoice(Locale::En);
    yen.currency = "JPY".into();
    yen.minor_units = 0;
    yen.totals.gross = dec!(123456);
    let (pdf, _) = render_to(dir.path(), "jpy.pdf", &yen);
    assert!(pages_text(&pdf)[0].contains("¥123,456"));

    let empty = stint_invoice_pdf::Document {
        number: String::new(),
        seller: Default::default(),
        buyer: Default::default(),
        lines: Vec::new(),
        allowance: None,
        tax_rows: Vec::new(),
        notes: Vec::new(),
        payment: None,
        subject: String::new(),
        intro: String::new(),
        closing: String::new(),
        return_address: None,
        paid: false,
        footer: Vec::new(),
        totals: Default::default(),
        ..invoice(Locale::De)
    };
    let (pdf, _) = render_to(dir.path(), "empty-doc.pdf", &empty);
    assert!(pages_text(&pdf)[0].contains("Keine Positionen"));
}

#[test]
fn qr_code_only_for_euro_transfers() {
    let dir = tempdir();
    let mut usd = invoice(Locale::En);
    usd.currency = "USD".into();
    let (pdf, _) = render_to(dir.path(), "usd.pdf", &usd);
    let text = pages_text(&pdf).concat();
    assert!(
        text.contains("$1,469.06") && !text.contains("Scan to pay"),
        "{text}"
    );
}
