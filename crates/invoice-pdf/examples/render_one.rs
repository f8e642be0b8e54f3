//! Renders a one-page invoice 200 times and reports the time per render and the PDF size; with a
//! second argument N, an invoice of N lines instead (290 make the ten pages of B4), for profiling.
//!
//! `cargo run --release -p stint-invoice-pdf --example render_one [out.pdf [lines]]` (default
//! /tmp/stint-invoice.pdf).

use std::time::Instant;

use jiff::civil::date;
use rust_decimal::Decimal;
use stint_invoice_pdf::{
    Document, DocumentKind, Line, Locale, Paper, Party, Payment, PdfError, TaxRow, Totals, render,
};

fn main() -> Result<(), PdfError> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/stint-invoice.pdf".to_owned());
    let mut doc = sample();
    if let Some(lines) = std::env::args()
        .nth(2)
        .and_then(|n| n.parse::<usize>().ok())
    {
        let template = doc.lines[0].clone();
        doc.lines = (0..lines)
            .map(|i| Line {
                description: format!(
                    "Work package {i}: backend development and review of the changes"
                ),
                detail: Some(format!("2026-11-{:02} · Jane Doe", 1 + i % 28)),
                ..template.clone()
            })
            .collect();
    }

    let first = Instant::now();
    let bytes = render(&doc)?;
    let first = first.elapsed();

    const RUNS: u32 = 200;
    let start = Instant::now();
    for _ in 0..RUNS {
        std::hint::black_box(render(std::hint::black_box(&doc))?);
    }
    let per = start.elapsed() / RUNS;

    if let Err(e) = std::fs::write(&out, &bytes) {
        eprintln!("cannot write {out}: {e}");
    }
    println!("first render (parses the fonts): {first:?}");
    println!("per render ({RUNS} runs): {per:?}");
    println!(
        "size: {} bytes ({:.1} KB) -> {out}",
        bytes.len(),
        bytes.len() as f64 / 1024.0
    );
    Ok(())
}

fn d(units: i64, scale: u32) -> Decimal {
    Decimal::new(units, scale)
}

fn sample() -> Document {
    let line = |description: &str, quantity: Decimal, unit_price: Decimal| Line {
        description: description.into(),
        detail: None,
        quantity,
        tracked_time: false,
        unit: "h".into(),
        unit_price,
        discount: None,
        tax_percent: d(19, 0),
        net: quantity * unit_price,
    };
    Document {
        kind: DocumentKind::Invoice,
        number: "INV-2026-0007".into(),
        issue_date: date(2026, 11, 23),
        due_date: Some(date(2026, 12, 7)),
        service_period: Some((date(2026, 11, 1), date(2026, 11, 30))),
        locale: Locale::En,
        number_locale: None,
        duration_style: Default::default(),
        paper: Paper::A4,
        currency: "EUR".into(),
        minor_units: 2,
        seller: Party {
            name: "Zoë Œuvre Consulting".into(),
            address_lines: vec!["Hauptstraße 5".into(), "10115 Berlin".into()],
            country: "Germany".into(),
            vat_id: Some("DE123456789".into()),
            email: Some("billing@oeuvre.example".into()),
        },
        buyer: Party {
            name: "Müller & Søn GmbH".into(),
            address_lines: vec!["ul. Piotrkowska 12".into(), "90-001 Łódź".into()],
            country: "Poland".into(),
            vat_id: Some("PL5260250274".into()),
            email: None,
        },
        logo_png: None,
        lines: vec![
            line("Backend development", d(10, 0), d(95, 0)),
            line("Code review", d(25, 1), d(80, 0)),
            line("Deployment support", d(1, 0), d(13450, 2)),
        ],
        allowance: Some(("Loyalty discount".into(), d(30, 0))),
        tax_rows: vec![TaxRow {
            label: "VAT 19 %".into(),
            percent: d(19, 0),
            base: d(123450, 2),
            tax: d(23456, 2),
        }],
        totals: Totals {
            net: d(123450, 2),
            tax: d(23456, 2),
            gross: d(146906, 2),
            paid: Decimal::ZERO,
            due: d(146906, 2),
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
