//! Invoices a German or EU client accepts: written in the client's language, with the seller's
//! register, managing directors and seat in a DIN 5008 footer, the tax notes the law asks for in
//! that language (and their codes in the e-invoice), countries by name, a return-address line, and
//! a paid invoice marked PAID without payment instructions. Checked in the PDF's extracted text
//! and in the e-invoice, which passes the official schema and EN 16931 rules.

use std::path::{Path, PathBuf};
use std::process::Command;
use stint_domain::*;
use stint_engine::*;

mod support;

struct Studio {
    _dir: tempfile::TempDir,
    _keys: MemoryKeyStore,
    engine: Engine,
    owner: ActAs,
    dir: tempfile::TempDir,
}

fn day(s: &str) -> jiff::civil::Date {
    s.parse().unwrap()
}

/// A German GmbH (English-speaking organization locale, so the German comes from the client).
async fn studio() -> Studio {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let (mut engine, org) = support::organization(
        dir.path(),
        &keys,
        NewOrganization {
            name: "Nordlicht Studio GmbH".into(),
            currency: "EUR".into(),
            locale: "en-GB".into(),
            time_zone: "Europe/Berlin".into(),
            week_start: None,
            owner_name: "Anna Schmidt".into(),
        },
    )
    .await;
    engine.set_clock(Some("2026-11-30T10:00:00Z".parse().unwrap()));
    let owner = engine.act_as_user(org).unwrap();
    let mut profile = engine.billing_profile(&owner).unwrap();
    profile.seller = Party {
        name: "Nordlicht Studio GmbH".into(),
        street: "Torstraße 1".into(),
        postcode: "10119".into(),
        city: "Berlin".into(),
        country: "DE".into(),
        vat_id: Some("DE123456789".into()),
        email: Some("rechnung@nordlicht.example".into()),
        contact: None,
        phone: Some("+49 30 1234567".into()),
    };
    profile.bank = Some(BankAccount {
        holder: "Nordlicht Studio GmbH".into(),
        iban: "DE89370400440532013000".into(),
        bic: Some("COBADEFFXXX".into()),
    });
    profile.numbering = NumberingScheme {
        pattern: "RE-{YYYY}-{SEQ:3}".into(),
        yearly_reset: true,
        per_client: false,
    };
    profile.legal = SellerLegal {
        tax_number: Some("30/123/45678".into()),
        register_court: Some("Amtsgericht Berlin-Charlottenburg".into()),
        register_number: Some("HRB 123456 B".into()),
        managing_directors: Some("Anna Schmidt, Jonas Weber".into()),
        seat: Some("Berlin".into()),
        website: Some("nordlicht.example".into()),
        small_business: false,
    };
    profile.texts = vec![InvoiceTexts {
        language: Language::De,
        subject: "Website-Relaunch".into(),
        intro: Language::De.suggested_texts().intro,
        closing: "Mit freundlichen Grüßen\nAnna Schmidt".into(),
    }];
    engine.save_billing_profile(&owner, profile).await.unwrap();
    Studio {
        _dir: dir,
        _keys: keys,
        engine,
        owner,
        dir: tempfile::tempdir().unwrap(),
    }
}

/// A client billed under `tax` in `language`, with one project at 95/h and two entries.
async fn client(
    s: &mut Studio,
    name: &str,
    buyer: Party,
    language: Option<Language>,
    tax: Option<Tax>,
) -> ClientId {
    let owner = s.owner;
    let client = s
        .engine
        .add_client(
            &owner,
            NewClient {
                name: name.into(),
                currency: None,
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let project = s
        .engine
        .add_project(
            &owner,
            NewProject {
                client,
                name: "Relaunch".into(),
                billable: Some(true),
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    s.engine
        .set_rate(
            &owner,
            NewRate {
                scope: RateScope::Project { project },
                effective_from: day("2026-01-01"),
                hourly: "95".into(),
                currency: None,
            },
        )
        .await
        .unwrap();
    for (date, note) in [
        ("2026-11-09", "Startseite entworfen"),
        ("2026-11-10", "Shop-Anbindung"),
    ] {
        let at = |t: &str| {
            s.engine
                .local_instant(owner.org, format!("{date}T{t}").parse().unwrap())
                .unwrap()
        };
        s.engine
            .add_entry(
                &owner,
                NewEntry {
                    member: None,
                    project: Some(project),
                    task: None,
                    time: EntryTime::Span {
                        start: at("09:00"),
                        end: at("11:00"),
                    },
                    note: note.into(),
                    billable: None,
                    tags: vec![],
                },
            )
            .await
            .unwrap();
    }
    let mut details = s.engine.client_billing(&owner, client).unwrap();
    details.buyer = buyer;
    details.language = language;
    details.tax = tax;
    s.engine.save_client_billing(&owner, details).await.unwrap();
    client
}

fn vienna() -> Party {
    Party {
        name: "Donau Digital GmbH".into(),
        street: "Ringstraße 5".into(),
        postcode: "1010".into(),
        city: "Wien".into(),
        country: "AT".into(),
        vat_id: Some("ATU12345678".into()),
        email: None,
        contact: None,
        phone: None,
    }
}

async fn invoice_from_time(s: &mut Studio, client: ClientId, detail: LineDetail) -> InvoiceView {
    s.engine
        .create_invoice(
            &s.owner,
            NewInvoice {
                client: Some(client),
                grouping: LineGrouping::Project,
                detail,
                include_time: true,
                ..NewInvoice::default()
            },
        )
        .await
        .unwrap()
}

/// The file of `format`, written into the studio's directory; its path.
fn save(s: &Studio, id: InvoiceId, format: InvoiceFormat, name: &str) -> PathBuf {
    let file = s
        .engine
        .invoice_file(&s.owner, id, format, PaperSize::A4)
        .unwrap();
    assert_eq!(file.e_invoice_problem, None);
    let path = s.dir.path().join(name);
    std::fs::write(&path, file.bytes).unwrap();
    path
}

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The official schema and EN 16931 rules (tests/einvoice/validate.py), over `files`.
fn validate(files: &[PathBuf]) {
    let python = std::env::var("STINT_EINVOICE_PYTHON").unwrap_or_else(|_| {
        format!(
            "{}/.cache/stint-venv/bin/python",
            std::env::var("HOME").unwrap_or_default()
        )
    });
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/einvoice/validate.py");
    let out = Command::new(&python)
        .arg(&script)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("the e-invoice validator does not run with {python}: {e}"));
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "the validator refused:\n{report}");
    assert_eq!(
        report.matches("valid (XSD and EN 16931 rules)").count(),
        files.len(),
        "{report}"
    );
}

#[tokio::test]
async fn a_german_invoice_to_an_austrian_client_under_reverse_charge() {
    let mut s = studio().await;
    let client = client(
        &mut s,
        "Donau Digital",
        vienna(),
        Some(Language::De),
        Some(Tax::zero(TaxCategory::ReverseCharge)),
    )
    .await;
    let draft = invoice_from_time(&mut s, client, LineDetail::Notes).await;
    assert_eq!(draft.language, Language::De);
    assert_eq!(draft.texts.subject, "Website-Relaunch");
    // The line says what was done; the notes stay the user's (the tax note is printed anyway).
    assert_eq!(
        draft.invoice.lines[0].detail.as_deref(),
        Some("Startseite entworfen; Shop-Anbindung")
    );
    assert_eq!(draft.invoice.notes, "");
    let id = draft.invoice.id;
    s.engine
        .issue_invoice(&s.owner, id, Some(day("2026-11-30")))
        .await
        .unwrap();
    // Defaults changed after issue do not change what was issued.
    let mut profile = s.engine.billing_profile(&s.owner).unwrap();
    profile.texts[0].subject = "Something else".into();
    profile.legal.managing_directors = Some("Someone Else".into());
    s.engine
        .save_billing_profile(&s.owner, profile)
        .await
        .unwrap();

    let pdf = save(&s, id, InvoiceFormat::Pdf, "RE-2026-001.pdf");
    let text = pdf_text(&pdf);
    for expected in [
        "Rechnung",
        "Website-Relaunch",
        "vielen Dank für Ihren Auftrag",
        "Startseite entworfen; Shop-Anbindung",
        // The return address above the window, the buyer's country by name, its VAT id.
        "Nordlicht Studio GmbH · Torstraße 1 · 10119 Berlin · Deutschland",
        "Österreich",
        "USt-IdNr. ATU12345678",
        "Steuerschuldnerschaft des Leistungsempfängers",
        // The DIN 5008 footer.
        "Registergericht: Amtsgericht Berlin-Charlottenburg",
        "HRB 123456 B",
        "Geschäftsführung: Anna Schmidt, Jonas Weber",
        "Sitz: Berlin",
        "Steuernummer 30/123/45678",
        "Tel. +49 30 1234567",
        "Bankverbindung",
        "Mit freundlichen Grüßen",
        "Zahlbar innerhalb von 14 Tagen",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
    for unwanted in ["Something else", "Someone Else", "Reverse charge", " AT\n"] {
        assert!(!text.contains(unwanted), "{unwanted:?} in:\n{text}");
    }

    let xml_path = save(&s, id, InvoiceFormat::FacturXXml, "RE-2026-001.xml");
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    for expected in [
        "<ram:ExemptionReason>Steuerschuldnerschaft des Leistungsempfängers",
        "<ram:ExemptionReasonCode>VATEX-EU-AE</ram:ExemptionReasonCode>",
        r#"<ram:ID schemeID="FC">30/123/45678</ram:ID>"#,
        r#"<ram:ID schemeID="VA">ATU12345678</ram:ID>"#,
        "Register: Amtsgericht Berlin-Charlottenburg HRB 123456 B",
    ] {
        assert!(xml.contains(expected), "{expected:?} missing in:\n{xml}");
    }
    validate(&[pdf, xml_path]);

    // Paid in full (by transfer, on a day): PAID, and no payment instructions any more.
    let paid = s
        .engine
        .record_payment(
            &s.owner,
            id,
            "380.00",
            Some(day("2026-12-03")),
            Some(PaymentMethod::BankTransfer),
            "",
        )
        .await
        .unwrap();
    assert_eq!(paid.invoice.status, InvoiceStatus::Paid);
    assert_eq!(
        paid.invoice.payments[0].method,
        Some(PaymentMethod::BankTransfer)
    );
    let text = pdf_text(&save(&s, id, InvoiceFormat::PlainPdf, "paid.pdf"));
    assert!(text.contains("BEZAHLT"), "{text}");
    for gone in [
        "Zahlbar innerhalb",
        "Verwendungszweck",
        "Scannen und bezahlen",
    ] {
        assert!(!text.contains(gone), "{gone:?} on a paid invoice:\n{text}");
    }
}

#[tokio::test]
async fn a_small_business_bills_a_domestic_client_without_vat_in_its_language() {
    let mut s = studio().await;
    let mut profile = s.engine.billing_profile(&s.owner).unwrap();
    // A Kleinunternehmer: a tax number, no VAT id, no register.
    profile.seller.vat_id = None;
    profile.legal = SellerLegal {
        tax_number: Some("30/123/45678".into()),
        small_business: true,
        ..SellerLegal::default()
    };
    profile.default_tax = Tax::zero(TaxCategory::Exempt);
    s.engine
        .save_billing_profile(&s.owner, profile)
        .await
        .unwrap();
    let hamburg = Party {
        name: "Hafen Kontor KG".into(),
        street: "Hafenweg 3".into(),
        postcode: "20457".into(),
        city: "Hamburg".into(),
        country: "DE".into(),
        vat_id: None,
        email: None,
        contact: None,
        phone: None,
    };
    let german = client(
        &mut s,
        "Hafen Kontor",
        hamburg.clone(),
        Some(Language::De),
        None,
    )
    .await;
    let draft = invoice_from_time(&mut s, german, LineDetail::Period).await;
    // The line's period is written as the German invoice writes its dates, not in ISO.
    assert_eq!(
        draft.invoice.lines[0].detail.as_deref(),
        Some("09.11.2026 – 10.11.2026")
    );
    let id = draft.invoice.id;
    s.engine
        .issue_invoice(&s.owner, id, Some(day("2026-11-30")))
        .await
        .unwrap();
    let pdf = save(&s, id, InvoiceFormat::Pdf, "klein.pdf");
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Gemäß § 19 UStG wird keine Umsatzsteuer berechnet."),
        "{text}"
    );
    // A domestic address has no country line (DIN 5008); the return address has no country.
    assert!(
        text.contains("Nordlicht Studio GmbH · Torstraße 1 · 10119 Berlin\n")
            || text.contains("Nordlicht Studio GmbH · Torstraße 1 · 10119 Berlin "),
        "{text}"
    );
    let lines: Vec<&str> = text.lines().collect();
    let city = lines
        .iter()
        .position(|l| l.starts_with("20457 Hamburg"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!lines[city + 1].contains("Deutschland"), "{text}");
    let xml_path = save(&s, id, InvoiceFormat::FacturXXml, "klein.xml");
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    assert!(
        xml.contains("<ram:CategoryCode>E</ram:CategoryCode>"),
        "{xml}"
    );
    assert!(
        xml.contains("<ram:ExemptionReason>Gemäß § 19 UStG wird keine Umsatzsteuer berechnet."),
        "{xml}"
    );
    validate(&[pdf, xml_path]);

    // The same studio writes to an English client in English: the note and the countries follow.
    let mut london = hamburg;
    london.name = "Thames Works Ltd".into();
    london.street = "1 Bank Street".into();
    london.postcode = "E14 5AB".into();
    london.city = "London".into();
    london.country = "GB".into();
    let english = client(
        &mut s,
        "Thames Works",
        london.clone(),
        Some(Language::En),
        None,
    )
    .await;
    let draft = invoice_from_time(&mut s, english, LineDetail::Period).await;
    assert_eq!(draft.language, Language::En);
    // In English, with the organization's en-GB dates.
    assert_eq!(
        draft.invoice.lines[0].detail.as_deref(),
        Some("9 Nov 2026 – 10 Nov 2026")
    );
    // No English texts were written: none are printed.
    assert_eq!(draft.texts.intro, "");
    let text = pdf_text(&save(
        &s,
        draft.invoice.id,
        InvoiceFormat::PlainPdf,
        "en.pdf",
    ));
    for expected in [
        "Invoice",
        "No VAT is charged: small business under § 19 UStG (German VAT Act).",
        "United Kingdom",
        "10119 Berlin · Germany",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
    // A draft may be switched to another language, and given texts of its own.
    let edited = s
        .engine
        .edit_invoice(
            &s.owner,
            draft.invoice.id,
            InvoiceEdit {
                language: Some(Language::Fr),
                texts: Some(InvoiceTexts {
                    language: Language::En,
                    subject: "Refonte du site".into(),
                    intro: String::new(),
                    closing: "Cordialement".into(),
                }),
                ..InvoiceEdit::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.language, Language::Fr);
    assert_eq!(edited.texts.language, Language::Fr);
    let text = pdf_text(&save(
        &s,
        draft.invoice.id,
        InvoiceFormat::PlainPdf,
        "fr.pdf",
    ));
    for expected in [
        "Facture",
        "Refonte du site",
        "Royaume-Uni",
        "TVA non facturée",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }

    // Issued, an invoice keeps the locale and duration style it was issued in: the organization
    // changing from en-GB to en-US and to decimal hours changes drafts, not what was issued.
    let albion = client(
        &mut s,
        "Albion Press",
        london.clone(),
        Some(Language::En),
        None,
    )
    .await;
    let issued = invoice_from_time(&mut s, albion, LineDetail::Period).await;
    let id = issued.invoice.id;
    s.engine
        .issue_invoice(&s.owner, id, Some(day("2026-11-30")))
        .await
        .unwrap();
    let before = pdf_text(&save(&s, id, InvoiceFormat::PlainPdf, "issued-gb.pdf"));
    assert!(before.contains("30 Nov 2026"), "{before}");
    assert!(before.contains("4:00"), "{before}");
    s.engine
        .update_organization(
            &s.owner,
            OrgChanges {
                locale: Some("en-US".into()),
                duration_style: Some(DurationStyle::Decimal),
                ..OrgChanges::default()
            },
        )
        .await
        .unwrap();
    let after = pdf_text(&save(&s, id, InvoiceFormat::PlainPdf, "issued-us.pdf"));
    assert_eq!(after, before);
    // A draft made now writes the organization's new way.
    let later = client(&mut s, "Dover Print", london, Some(Language::En), None).await;
    let draft = invoice_from_time(&mut s, later, LineDetail::Period).await;
    assert_eq!(
        draft.invoice.lines[0].detail.as_deref(),
        Some("Nov 9, 2026 – Nov 10, 2026")
    );
    let text = pdf_text(&save(
        &s,
        draft.invoice.id,
        InvoiceFormat::PlainPdf,
        "draft-us.pdf",
    ));
    assert!(text.contains("4.00"), "{text}");
}
