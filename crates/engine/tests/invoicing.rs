//! Invoicing through the engine: from tracked time to an issued, paid invoice; the work billed is
//! locked and released again by a void; numbers have no gaps; roles decide who sees what; and it all
//! survives closing and reopening the vault.

use rust_decimal_macros::dec;
use stint_domain::*;
use stint_engine::*;

struct World {
    _dir: tempfile::TempDir,
    keys: MemoryKeyStore,
    engine: Engine,
    owner: ActAs,
    client: ClientId,
    project: ProjectId,
}

fn day(s: &str) -> jiff::civil::Date {
    s.parse().unwrap()
}

fn span(engine: &Engine, org: OrgId, date: &str, from: &str, to: &str) -> EntryTime {
    let at = |t: &str| {
        engine
            .local_instant(org, format!("{date}T{t}").parse().unwrap())
            .unwrap()
    };
    EntryTime::Span {
        start: at(from),
        end: at(to),
    }
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let mut engine = Engine::create(dir.path(), Unlock::Keyring(&keys))
        .await
        .unwrap();
    engine.set_clock(Some("2026-11-20T10:00:00Z".parse().unwrap()));
    let org = engine
        .create_organization(NewOrganization {
            name: "Studio Ana".into(),
            currency: "EUR".into(),
            locale: "de-DE".into(),
            time_zone: "Europe/Berlin".into(),
            week_start: None,
            owner_name: "Ana".into(),
        })
        .await
        .unwrap();
    let owner = engine.act_as_user(org).unwrap();
    let (client, project) = client_and_project(
        &mut engine,
        &owner,
        "Müller & Søn",
        Some("up:15"),
        "Website",
    )
    .await;
    World {
        _dir: dir,
        keys,
        engine,
        owner,
        client,
        project,
    }
}

/// A client (with `rounding`, if any) and a billable project of it at 95/h since January.
async fn client_and_project(
    engine: &mut Engine,
    owner: &ActAs,
    client: &str,
    rounding: Option<&str>,
    project: &str,
) -> (ClientId, ProjectId) {
    let client = engine
        .add_client(
            owner,
            NewClient {
                name: client.into(),
                currency: None,
                rounding: rounding.map(Into::into),
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let project = engine
        .add_project(
            owner,
            NewProject {
                client,
                name: project.into(),
                billable: Some(true),
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    engine
        .set_rate(
            owner,
            NewRate {
                scope: RateScope::Project { project },
                effective_from: day("2026-01-01"),
                hourly: "95".into(),
                currency: None,
            },
        )
        .await
        .unwrap();
    (client, project)
}

async fn track(w: &mut World, date: &str, from: &str, to: &str, note: &str) -> EntryId {
    let owner = w.owner;
    track_as(w, &owner, (date, from, to), note, None).await
}

/// `by`'s time on the project on `date` from `from` to `to`; billable as the project says unless
/// `billable` says otherwise.
async fn track_as(
    w: &mut World,
    by: &ActAs,
    (date, from, to): (&str, &str, &str),
    note: &str,
    billable: Option<bool>,
) -> EntryId {
    let time = span(&w.engine, w.owner.org, date, from, to);
    w.engine
        .add_entry(
            by,
            NewEntry {
                member: None,
                project: Some(w.project),
                task: None,
                time,
                note: note.into(),
                billable,
                tags: vec![],
            },
        )
        .await
        .unwrap()
        .entry
        .entry
        .id
}

async fn set_up_billing(w: &mut World) {
    let mut profile = w.engine.billing_profile(&w.owner).unwrap();
    profile.seller = Party {
        name: "Studio Ana".into(),
        street: "Torstraße 1".into(),
        postcode: "10119".into(),
        city: "Berlin".into(),
        country: "DE".into(),
        vat_id: Some("DE123456789".into()),
        email: Some("ana@example.org".into()),
        contact: Some("Ana Muster".into()),
        phone: Some("+49 30 1234567".into()),
    };
    profile.bank = Some(BankAccount {
        holder: "Ana Muster".into(),
        iban: "DE89 3704 0044 0532 0130 00".into(),
        bic: None,
    });
    profile.numbering = NumberingScheme {
        pattern: "RE-{YYYY}-{SEQ:3}".into(),
        yearly_reset: true,
        per_client: false,
    };
    w.engine
        .save_billing_profile(&w.owner, profile)
        .await
        .unwrap();
    let mut details = w.engine.client_billing(&w.owner, w.client).unwrap();
    details.buyer.street = "Hafenweg 3".into();
    details.buyer.postcode = "20457".into();
    details.buyer.city = "Hamburg".into();
    details.buyer.country = "DE".into();
    w.engine
        .save_client_billing(&w.owner, details)
        .await
        .unwrap();
}

#[tokio::test]
async fn tracked_time_becomes_an_issued_invoice_that_is_paid() {
    let mut w = world().await;
    let first = track(&mut w, "2026-11-02", "09:00", "10:10", "Wireframes").await; // 70 min → 75 billed
    let second = track(&mut w, "2026-11-03", "14:00", "14:30", "Review").await; // 30 min
    set_up_billing(&mut w).await;

    let draft = w
        .engine
        .create_invoice(
            &w.owner,
            NewInvoice {
                client: Some(w.client),
                include_time: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(draft.invoice.status, InvoiceStatus::Draft);
    assert_eq!(draft.invoice.lines.len(), 1);
    let line = &draft.invoice.lines[0];
    assert_eq!(
        (line.description.as_str(), line.quantity, line.unit_price),
        ("Website", dec!(1.75), dec!(95))
    );
    assert_eq!(
        line.source,
        LineSource::Time {
            entries: vec![first, second]
        }
    );
    assert_eq!(
        (draft.totals.net, draft.totals.tax, draft.totals.gross),
        (dec!(166.25), dec!(31.59), dec!(197.84))
    );
    assert_eq!(
        draft.invoice.service_period,
        Some((day("2026-11-02"), day("2026-11-03")))
    );

    // The work is locked while it is on the invoice, and cannot be billed twice.
    let err = w
        .engine
        .edit_entry(
            &w.owner,
            first,
            EntryChanges {
                note: Some("changed".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("on an invoice"), "{err}");
    let err = w
        .engine
        .create_invoice(
            &w.owner,
            NewInvoice {
                client: Some(w.client),
                include_time: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nothing to invoice"), "{err}");

    let issued = w
        .engine
        .issue_invoice(&w.owner, draft.invoice.id, Some(day("2026-11-20")))
        .await
        .unwrap();
    assert_eq!(issued.invoice.number.as_deref(), Some("RE-2026-001"));
    assert_eq!(issued.invoice.buyer.as_ref().unwrap().city, "Hamburg");
    assert_eq!(issued.due_date, Some(day("2026-12-04")));
    let err = w
        .engine
        .edit_invoice(
            &w.owner,
            draft.invoice.id,
            InvoiceEdit {
                notes: Some("x".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("RE-2026-001 is issued"), "{err}");

    let partly = w
        .engine
        .record_payment(
            &w.owner,
            draft.invoice.id,
            "100",
            Some(day("2026-11-25")),
            Some(PaymentMethod::BankTransfer),
            "transfer",
        )
        .await
        .unwrap();
    assert_eq!(
        (partly.invoice.status, partly.due),
        (InvoiceStatus::PartiallyPaid, dec!(97.84))
    );
    let err = w
        .engine
        .record_payment(&w.owner, draft.invoice.id, "97.85", None, None, "")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("more than the 97.84 EUR still due"),
        "{err}"
    );
    let paid = w
        .engine
        .record_payment(&w.owner, draft.invoice.id, "97.84", None, None, "")
        .await
        .unwrap();
    assert_eq!(
        (paid.invoice.status, paid.due),
        (InvoiceStatus::Paid, dec!(0))
    );

    // Everything survives closing and reopening.
    let dir = w._dir.path().to_owned();
    w.engine.close().await;
    let engine = Engine::open(&dir, Unlock::Keyring(&w.keys)).await.unwrap();
    let reopened = engine.invoice(&w.owner, draft.invoice.id).unwrap();
    assert_eq!(reopened.invoice, paid.invoice);
    assert!(engine.entry(&w.owner, first).unwrap().entry.invoiced);
    assert_eq!(
        engine.billing_profile(&w.owner).unwrap().bank.unwrap().iban,
        "DE89370400440532013000"
    );
}

#[tokio::test]
async fn voiding_releases_the_work_and_numbers_have_no_gaps() {
    let mut w = world().await;
    track(&mut w, "2026-11-02", "09:00", "10:00", "a").await;
    set_up_billing(&mut w).await;
    let new = || NewInvoice {
        client: Some(w.client),
        include_time: true,
        ..Default::default()
    };
    let one = w.engine.create_invoice(&w.owner, new()).await.unwrap();
    // Issuing needs complete data: a draft that fails to issue uses no number.
    let mut details = w.engine.client_billing(&w.owner, w.client).unwrap();
    details.buyer.street.clear();
    w.engine
        .save_client_billing(&w.owner, details.clone())
        .await
        .unwrap();
    let err = w
        .engine
        .issue_invoice(&w.owner, one.invoice.id, None)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "the buyer's address has no street");
    details.buyer.street = "Hafenweg 3".into();
    w.engine
        .save_client_billing(&w.owner, details)
        .await
        .unwrap();
    let one = w
        .engine
        .issue_invoice(&w.owner, one.invoice.id, None)
        .await
        .unwrap();
    assert_eq!(one.invoice.number.as_deref(), Some("RE-2026-001"));

    let voided = w
        .engine
        .void_invoice(&w.owner, one.invoice.id, "wrong rate")
        .await
        .unwrap();
    assert_eq!(voided.invoice.status, InvoiceStatus::Void);
    // The work is billable again, and the next invoice gets the next number.
    let two = w.engine.create_invoice(&w.owner, new()).await.unwrap();
    assert_eq!(two.totals.net, dec!(95.00));
    let two = w
        .engine
        .issue_invoice(&w.owner, two.invoice.id, None)
        .await
        .unwrap();
    assert_eq!(two.invoice.number.as_deref(), Some("RE-2026-002"));

    // A credit note has its own series and points back.
    let credit = w
        .engine
        .credit_invoice(&w.owner, two.invoice.id)
        .await
        .unwrap();
    assert_eq!(credit.corrects.as_deref(), Some("RE-2026-002"));
    let credit = w
        .engine
        .issue_invoice(&w.owner, credit.invoice.id, None)
        .await
        .unwrap();
    assert_eq!(credit.invoice.number.as_deref(), Some("CN-RE-2026-001"));

    let listed: Vec<String> = w
        .engine
        .invoices(&w.owner, &InvoiceFilter::default())
        .unwrap()
        .into_iter()
        .map(|v| v.label)
        .collect();
    assert_eq!(listed.len(), 3);
    assert!(
        listed.contains(&"RE-2026-001".to_owned()) && listed.contains(&"CN-RE-2026-001".to_owned())
    );
    assert_eq!(
        w.engine.find_invoice(w.owner.org, "RE-2026-002").unwrap(),
        two.invoice.id
    );
}

#[tokio::test]
async fn drafts_take_expenses_and_typed_lines_and_release_what_they_drop() {
    let mut w = world().await;
    let entry = track(&mut w, "2026-11-02", "09:00", "10:00", "a").await;
    let expense = w
        .engine
        .add_expense(
            &w.owner,
            NewExpense {
                member: None,
                date: day("2026-11-04"),
                amount: "12.30".into(),
                currency: None,
                category: "Travel".into(),
                note: "Train".into(),
                billable: true,
                project: Some(w.project),
                receipt: None,
            },
        )
        .await
        .unwrap();
    let typed = TypedLine {
        description: "Hosting".into(),
        detail: None,
        quantity: dec!(1),
        unit: Unit::LumpSum,
        unit_price: dec!(20),
        discount: None,
        tax: Tax::standard(dec!(19)),
    };
    let draft = w
        .engine
        .create_invoice(
            &w.owner,
            NewInvoice {
                client: Some(w.client),
                include_time: true,
                include_expenses: true,
                lines: vec![typed],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let names: Vec<&str> = draft
        .invoice
        .lines
        .iter()
        .map(|l| l.description.as_str())
        .collect();
    // The organization writes German: the expense line says so in the invoice's language.
    assert_eq!(names, vec!["Website", "Auslage: Travel", "Hosting"]);
    assert_eq!(draft.totals.net, dec!(127.30));
    assert!(
        w.engine.expenses(&w.owner, None, None).unwrap()[0]
            .expense
            .invoiced
    );

    // Dropping the time line releases the entry; a discount applies to what is left.
    let edited = w
        .engine
        .edit_invoice(
            &w.owner,
            draft.invoice.id,
            InvoiceEdit {
                remove_lines: vec![0],
                discount: Some(Discount::Percent(dec!(10))),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (edited.totals.net, edited.totals.gross),
        (dec!(29.07), dec!(34.59))
    );
    assert!(!w.engine.entry(&w.owner, entry).unwrap().entry.invoiced);
    let err = w
        .engine
        .edit_invoice(
            &w.owner,
            draft.invoice.id,
            InvoiceEdit {
                remove_lines: vec![7],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no line 8"), "{err}");

    // Deleting the draft releases the expense too.
    w.engine
        .delete_invoice(&w.owner, draft.invoice.id)
        .await
        .unwrap();
    assert!(
        !w.engine
            .expenses(&w.owner, None, None)
            .unwrap()
            .iter()
            .any(|x| x.expense.id == expense && x.expense.invoiced)
    );
    assert!(
        w.engine
            .invoices(&w.owner, &InvoiceFilter::default())
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn members_see_no_invoices_viewers_read_them_and_only_owners_and_admins_write() {
    let mut w = world().await;
    track(&mut w, "2026-11-02", "09:00", "10:00", "a").await;
    set_up_billing(&mut w).await;
    let draft = w
        .engine
        .create_invoice(
            &w.owner,
            NewInvoice {
                client: Some(w.client),
                include_time: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let org = w.owner.org;
    let mut acting = Vec::new();
    for role in [Role::Member, Role::Viewer, Role::Admin] {
        let id = w
            .engine
            .add_member(&w.owner, &format!("{role:?} person"), role)
            .await
            .unwrap();
        acting.push(w.engine.act_as_member(org, id).await.unwrap());
    }
    let [member, viewer, admin] = [acting[0], acting[1], acting[2]];

    assert!(
        w.engine
            .invoices(&member, &InvoiceFilter::default())
            .unwrap_err()
            .to_string()
            .starts_with("not allowed")
    );
    assert!(w.engine.invoice(&member, draft.invoice.id).is_err());
    assert!(w.engine.billing_profile(&member).is_err());

    assert_eq!(
        w.engine
            .invoices(&viewer, &InvoiceFilter::default())
            .unwrap()
            .len(),
        1
    );
    assert!(w.engine.billing_profile(&viewer).is_ok());
    let err = w
        .engine
        .issue_invoice(&viewer, draft.invoice.id, None)
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("not allowed"), "{err}");
    assert!(
        w.engine
            .create_invoice(
                &viewer,
                NewInvoice {
                    client: Some(w.client),
                    include_time: true,
                    ..Default::default()
                }
            )
            .await
            .is_err()
    );
    assert!(
        w.engine
            .record_payment(&member, draft.invoice.id, "1", None, None, "")
            .await
            .is_err()
    );

    let issued = w
        .engine
        .issue_invoice(&admin, draft.invoice.id, None)
        .await
        .unwrap();
    assert_eq!(issued.invoice.status, InvoiceStatus::Issued);
}

#[tokio::test]
async fn overdue_invoices_are_listed_to_remind() {
    let mut w = world().await;
    track(&mut w, "2026-11-02", "09:00", "10:00", "a").await;
    set_up_billing(&mut w).await;
    let draft = w
        .engine
        .create_invoice(
            &w.owner,
            NewInvoice {
                client: Some(w.client),
                include_time: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    w.engine
        .issue_invoice(&w.owner, draft.invoice.id, Some(day("2026-11-01")))
        .await
        .unwrap();
    let overdue = InvoiceFilter {
        overdue: true,
        ..Default::default()
    };
    // Due on the 15th; "today" is the 20th.
    let listed = w.engine.invoices(&w.owner, &overdue).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].overdue);
    w.engine
        .set_clock(Some("2026-11-10T10:00:00Z".parse().unwrap()));
    assert!(w.engine.invoices(&w.owner, &overdue).unwrap().is_empty());
}

#[tokio::test]
async fn recurring_invoices_make_their_drafts_once() {
    let mut w = world().await;
    let retainer = TypedLine {
        description: "Maintenance retainer".into(),
        detail: None,
        quantity: dec!(1),
        unit: Unit::LumpSum,
        unit_price: dec!(400),
        discount: None,
        tax: Tax::standard(dec!(19)),
    };
    let id = w
        .engine
        .add_recurring(
            &w.owner,
            NewRecurring {
                client: w.client,
                lines: vec![retainer],
                every: Every::Months(1),
                start: day("2026-09-30"),
                until: None,
            },
        )
        .await
        .unwrap();
    // "Today" is 2026-11-20: September, October (the 30th) are due; November's 30th is not yet.
    let made = w.engine.run_recurring(&w.owner).await.unwrap();
    assert_eq!(made.len(), 2);
    assert!(
        made.iter()
            .all(|v| v.invoice.status == InvoiceStatus::Draft && v.totals.gross == dec!(476.00))
    );
    assert!(
        made[0]
            .invoice
            .notes
            .starts_with("Recurring invoice of 2026-09-30")
    );
    // Running again makes nothing new; the series remembers, also after reopening.
    assert!(w.engine.run_recurring(&w.owner).await.unwrap().is_empty());
    let dir = w._dir.path().to_owned();
    w.engine.close().await;
    let mut engine = Engine::open(&dir, Unlock::Keyring(&w.keys)).await.unwrap();
    engine.set_clock(Some("2026-12-01T10:00:00Z".parse().unwrap()));
    assert_eq!(
        engine.recurring(&w.owner).unwrap()[0].next(),
        Some(day("2026-11-30"))
    );
    assert_eq!(engine.run_recurring(&w.owner).await.unwrap().len(), 1);
    engine
        .set_recurring_active(&w.owner, id, false)
        .await
        .unwrap();
    engine.set_clock(Some("2027-03-01T10:00:00Z".parse().unwrap()));
    assert!(engine.run_recurring(&w.owner).await.unwrap().is_empty());
    assert_eq!(
        engine
            .invoices(&w.owner, &InvoiceFilter::default())
            .unwrap()
            .len(),
        3
    );
    // A Viewer may read the series but not run or change it.
    let viewer_id = engine
        .add_member(&w.owner, "Vera", Role::Viewer)
        .await
        .unwrap();
    let viewer = engine.act_as_member(w.owner.org, viewer_id).await.unwrap();
    assert_eq!(engine.recurring(&viewer).unwrap().len(), 1);
    assert!(
        engine
            .run_recurring(&viewer)
            .await
            .unwrap_err()
            .to_string()
            .starts_with("not allowed")
    );
}

#[tokio::test]
async fn the_organization_logo_is_stored_encrypted_and_printed_on_invoices() {
    let mut w = world().await;
    track(&mut w, "2026-11-02", "09:00", "10:00", "a").await;
    set_up_billing(&mut w).await;
    let png = include_bytes!("../../../icons/32x32.png").to_vec();
    let err = w
        .engine
        .set_logo(&w.owner, Some(b"GIF89a....".to_vec()))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "the logo must be a PNG image");
    w.engine
        .set_logo(&w.owner, Some(png.clone()))
        .await
        .unwrap();
    let draft = w
        .engine
        .create_invoice(
            &w.owner,
            NewInvoice {
                client: Some(w.client),
                include_time: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let without_logo_len = {
        let mut other = world().await;
        track(&mut other, "2026-11-02", "09:00", "10:00", "a").await;
        set_up_billing(&mut other).await;
        let d = other
            .engine
            .create_invoice(
                &other.owner,
                NewInvoice {
                    client: Some(other.client),
                    include_time: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        other
            .engine
            .invoice_file(
                &other.owner,
                d.invoice.id,
                InvoiceFormat::PlainPdf,
                PaperSize::A4,
            )
            .unwrap()
            .bytes
    };
    // The logo survives a reopen (read back from its encrypted attachment) and is drawn as an image.
    let dir = w._dir.path().to_owned();
    w.engine.close().await;
    let engine = Engine::open(&dir, Unlock::Keyring(&w.keys)).await.unwrap();
    assert_eq!(
        engine.logo(&w.owner).unwrap().as_deref(),
        Some(png.as_slice())
    );
    let pdf = engine
        .invoice_file(
            &w.owner,
            draft.invoice.id,
            InvoiceFormat::PlainPdf,
            PaperSize::A4,
        )
        .unwrap()
        .bytes;
    let has_image = |bytes: &[u8]| bytes.windows(6).any(|win| win == b"/Image");
    assert!(has_image(&pdf), "the PDF has no image XObject");
    assert!(
        !has_image(&without_logo_len),
        "a PDF without a logo has no image"
    );
    // Nothing of the PNG is on disk in the clear.
    let db = std::fs::read(dir.join("vault.sqlite")).unwrap();
    assert!(
        !db.windows(16).any(|win| win == &png[16..32]),
        "logo bytes in plaintext on disk"
    );
}

#[tokio::test]
async fn file_names_never_carry_path_separators_from_the_number() {
    let mut w = world().await;
    track(&mut w, "2026-11-02", "09:00", "10:00", "a").await;
    set_up_billing(&mut w).await;
    let mut profile = w.engine.billing_profile(&w.owner).unwrap();
    profile.numbering.pattern = "RE/{YYYY}/{SEQ:3}".into();
    w.engine
        .save_billing_profile(&w.owner, profile)
        .await
        .unwrap();
    let draft = w
        .engine
        .create_invoice(
            &w.owner,
            NewInvoice {
                client: Some(w.client),
                include_time: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let issued = w
        .engine
        .issue_invoice(&w.owner, draft.invoice.id, None)
        .await
        .unwrap();
    assert_eq!(issued.invoice.number.as_deref(), Some("RE/2026/001"));
    let pdf = w
        .engine
        .invoice_file(
            &w.owner,
            draft.invoice.id,
            InvoiceFormat::Pdf,
            PaperSize::A4,
        )
        .unwrap();
    assert_eq!(pdf.file_name, "RE-2026-001.pdf");
    assert!(
        pdf.e_invoice_problem.is_none(),
        "{:?}",
        pdf.e_invoice_problem
    );
    let xml = w
        .engine
        .invoice_file(
            &w.owner,
            draft.invoice.id,
            InvoiceFormat::FacturXXml,
            PaperSize::A4,
        )
        .unwrap();
    assert_eq!(xml.file_name, "RE-2026-001-factur-x.xml");
    assert!(
        String::from_utf8(xml.bytes)
            .unwrap()
            .contains("<ram:ID>RE/2026/001</ram:ID>")
    );
}

/// A line as a caller (the desktop shell, a script) sends it, naming `source` as its origin.
fn wire_line(description: &str, source: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "description": description,
        "detail": null,
        "quantity": "1",
        "unit": "piece",
        "unit_price": "10",
        "discount": null,
        "tax": { "category": "standard", "percent": "19" },
        "source": source,
    })
}

/// Invoice A, issued, billing one entry and one expense.
async fn issued_with_entry_and_expense(w: &mut World) -> (InvoiceId, EntryId, ExpenseId) {
    let entry = track(w, "2026-11-02", "09:00", "10:00", "a").await;
    let expense = w
        .engine
        .add_expense(
            &w.owner,
            NewExpense {
                member: None,
                date: day("2026-11-04"),
                amount: "12.30".into(),
                currency: None,
                category: "Travel".into(),
                note: "Train".into(),
                billable: true,
                project: Some(w.project),
                receipt: None,
            },
        )
        .await
        .unwrap();
    set_up_billing(w).await;
    let a = w
        .engine
        .create_invoice(
            &w.owner,
            NewInvoice {
                client: Some(w.client),
                include_time: true,
                include_expenses: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let a = w
        .engine
        .issue_invoice(&w.owner, a.invoice.id, Some(day("2026-11-20")))
        .await
        .unwrap();
    assert_eq!(a.invoice.entries().collect::<Vec<_>>(), vec![entry]);
    assert_eq!(a.invoice.expenses().collect::<Vec<_>>(), vec![expense]);
    (a.invoice.id, entry, expense)
}

/// The work of issued invoice `a` is still locked, still on `a`, and cannot be billed again.
async fn still_billed_once(w: &mut World, a: InvoiceId, entry: EntryId, expense: ExpenseId) {
    assert!(
        w.engine.entry(&w.owner, entry).unwrap().entry.invoiced,
        "the entry of the issued invoice was released"
    );
    assert!(
        w.engine
            .expenses(&w.owner, None, None)
            .unwrap()
            .iter()
            .any(|x| x.expense.id == expense && x.expense.invoiced),
        "the expense of the issued invoice was released"
    );
    let err = w
        .engine
        .edit_entry(
            &w.owner,
            entry,
            EntryChanges {
                note: Some("changed".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("on an invoice"), "{err}");
    let err = w
        .engine
        .create_invoice(
            &w.owner,
            NewInvoice {
                client: Some(w.client),
                include_time: true,
                include_expenses: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nothing to invoice"), "{err}");
    let a = w.engine.invoice(&w.owner, a).unwrap().invoice;
    assert_eq!(a.status, InvoiceStatus::Issued);
    assert_eq!(a.entries().collect::<Vec<_>>(), vec![entry]);
    assert_eq!(a.expenses().collect::<Vec<_>>(), vec![expense]);
}

/// Create draft B from `input` as a caller sends it (the desktop shell reads its commands' arguments
/// from this JSON); whatever is made of it, delete it again. Returns why it was refused, if it was.
async fn create_and_delete(w: &mut World, input: serde_json::Value) -> Option<String> {
    let input: NewInvoice = match serde_json::from_value(input) {
        Ok(input) => input,
        Err(refused) => return Some(refused.to_string()),
    };
    match w.engine.create_invoice(&w.owner, input).await {
        Ok(b) => {
            w.engine
                .delete_invoice(&w.owner, b.invoice.id)
                .await
                .unwrap();
            None
        }
        Err(refused) => Some(refused.to_string()),
    }
}

#[tokio::test]
async fn a_draft_cannot_claim_time_already_on_an_issued_invoice() {
    let mut w = world().await;
    let (a, entry, expense) = issued_with_entry_and_expense(&mut w).await;
    let client = w.client;
    let refused = create_and_delete(
        &mut w,
        serde_json::json!({
            "client": client,
            "grouping": "project",
            "include_time": false,
            "include_expenses": false,
            "lines": [wire_line("Website", serde_json::json!({ "type": "time", "entries": [entry] }))],
        }),
    )
    .await;
    still_billed_once(&mut w, a, entry, expense).await;
    let refused = refused.expect("a draft naming billed time was accepted");
    assert!(refused.contains("can only be a typed line"), "{refused}");
}

#[tokio::test]
async fn a_draft_cannot_claim_an_expense_already_on_an_issued_invoice() {
    let mut w = world().await;
    let (a, entry, expense) = issued_with_entry_and_expense(&mut w).await;
    let client = w.client;
    let refused = create_and_delete(
        &mut w,
        serde_json::json!({
            "client": client,
            "grouping": "project",
            "include_time": false,
            "include_expenses": false,
            "lines": [wire_line("Train", serde_json::json!({ "type": "expense", "expense": expense }))],
        }),
    )
    .await;
    still_billed_once(&mut w, a, entry, expense).await;
    let refused = refused.expect("a draft naming a billed expense was accepted");
    assert!(refused.contains("can only be a typed line"), "{refused}");
}

#[tokio::test]
async fn lines_added_to_a_draft_or_a_series_cannot_claim_billed_work() {
    let mut w = world().await;
    let (a, entry, expense) = issued_with_entry_and_expense(&mut w).await;
    let c = w
        .engine
        .create_invoice(
            &w.owner,
            serde_json::from_value(serde_json::json!({
                "client": w.client,
                "grouping": "project",
                "include_time": false,
                "include_expenses": false,
                "lines": [wire_line("Hosting", serde_json::json!({ "type": "manual" }))],
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    for source in [
        serde_json::json!({ "type": "time", "entries": [entry] }),
        serde_json::json!({ "type": "expense", "expense": expense }),
    ] {
        let edit = serde_json::json!({
            "add_lines": [wire_line("Claimed", source.clone())],
            "remove_lines": [],
            "clear_discount": false,
        });
        let err = serde_json::from_value::<InvoiceEdit>(edit).unwrap_err();
        assert!(
            err.to_string().contains("can only be a typed line"),
            "{err}"
        );
        let series = serde_json::json!({
            "client": w.client,
            "lines": [wire_line("Claimed", source)],
            "every": { "unit": "months", "count": 1 },
            "start": "2026-11-01",
            "until": null,
        });
        let err = serde_json::from_value::<NewRecurring>(series).unwrap_err();
        assert!(
            err.to_string().contains("can only be a typed line"),
            "{err}"
        );
    }
    assert!(w.engine.recurring(&w.owner).unwrap().is_empty());
    // A typed line is added as one, also with the `manual` source earlier callers sent.
    let edit = serde_json::json!({
        "add_lines": [wire_line("Support", serde_json::json!({ "type": "manual" }))],
        "remove_lines": [],
        "clear_discount": false,
    });
    let c = w
        .engine
        .edit_invoice(
            &w.owner,
            c.invoice.id,
            serde_json::from_value(edit).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(c.invoice.lines.len(), 2);
    assert!(
        c.invoice
            .lines
            .iter()
            .all(|l| l.source == LineSource::Manual)
    );
    assert_eq!(
        c.invoice.entries().count() + c.invoice.expenses().count(),
        0
    );
    w.engine
        .delete_invoice(&w.owner, c.invoice.id)
        .await
        .unwrap();
    still_billed_once(&mut w, a, entry, expense).await;
}

/// 1 h 20 min + 20 min at 95/h are worth 158.33 (docs/invoicing.md, "One amount for one piece of
/// work"). The report, its CSV, the entries' CSV export, the invoice line, its PDF, its e-invoice
/// and its credit note all say 158.33; the line shows its time as 1:40, not 1.6667 (whose product
/// with 95 is the 158.34 invoices used to bill).
#[tokio::test]
async fn the_report_the_export_and_the_invoice_agree_to_the_cent() {
    let mut w = world().await;
    set_up_billing(&mut w).await;
    let (client, project) =
        client_and_project(&mut w.engine, &w.owner, "Nordwind GmbH", None, "Shop").await;
    let mut details = w.engine.client_billing(&w.owner, client).unwrap();
    details.buyer.street = "Deichstraße 9".into();
    details.buyer.postcode = "28195".into();
    details.buyer.city = "Bremen".into();
    details.buyer.country = "DE".into();
    w.engine
        .save_client_billing(&w.owner, details)
        .await
        .unwrap();
    for (date, from, to) in [
        ("2026-11-02", "09:00", "10:20"),
        ("2026-11-03", "14:00", "14:20"),
    ] {
        let time = span(&w.engine, w.owner.org, date, from, to);
        w.engine
            .add_entry(
                &w.owner,
                NewEntry {
                    member: None,
                    project: Some(project),
                    task: None,
                    time,
                    note: "Checkout".into(),
                    billable: None,
                    tags: vec![],
                },
            )
            .await
            .unwrap();
    }

    // The report, and its CSV.
    let report = w
        .engine
        .time_report(
            &w.owner,
            &ReportQuery {
                from: None,
                to: None,
                group_by: vec![GroupBy::Project],
                member: None,
                project: Some(project),
                client: None,
            },
        )
        .unwrap();
    let worth = Money::new(dec!(158.3333333334), Currency::EUR);
    assert_eq!(report.total.amounts, vec![worth]);
    assert_eq!(worth.rounded().amount, dec!(158.33));
    let csv = report.to_csv();
    assert!(csv.lines().any(|l| l.ends_with(",158.33")), "{csv}");

    // The entries' export: each entry's exact amount, which a spreadsheet adds up to the same cents.
    let mut exported = Vec::new();
    w.engine
        .export(
            &w.owner,
            stint_engine::export::ExportFormat::Csv,
            &mut exported,
            &mut |_, _| {},
        )
        .unwrap();
    let exported = String::from_utf8(exported).unwrap();
    let mut rows = exported.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (project_at, amount_at) = (column("project"), column("amount"));
    let amounts: Vec<rust_decimal::Decimal> = rows
        .map(|r| r.split(',').collect::<Vec<_>>())
        .filter(|r| r[project_at] == "Shop")
        .map(|r| r[amount_at].parse().unwrap())
        .collect();
    assert_eq!(amounts, [dec!(126.6666666667), dec!(31.6666666667)]);
    assert_eq!(
        amounts.iter().sum::<rust_decimal::Decimal>().round_dp(2),
        dec!(158.33)
    );

    // The invoice line bills the same cents, and shows its time as a clock.
    let draft = w
        .engine
        .create_invoice(
            &w.owner,
            NewInvoice {
                client: Some(client),
                include_time: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let line = &draft.invoice.lines[0];
    assert_eq!(
        (line.quantity, line.unit_price, line.worth),
        (dec!(1.6667), dec!(95), Some(worth.amount))
    );
    assert_eq!(draft.totals.line_net, vec![dec!(158.33)]);
    assert_eq!(draft.totals.net, dec!(158.33));
    let issued = w
        .engine
        .issue_invoice(&w.owner, draft.invoice.id, Some(day("2026-11-20")))
        .await
        .unwrap();
    assert_eq!(issued.totals.net, dec!(158.33));

    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("invoice.pdf");
    let file = |format| {
        w.engine
            .invoice_file(&w.owner, draft.invoice.id, format, PaperSize::A4)
            .unwrap()
    };
    std::fs::write(&pdf, file(InvoiceFormat::PlainPdf).bytes).unwrap();
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    let text = String::from_utf8(text.stdout).unwrap();
    // German, as the organization's locale: "1:40 Std." at "95,00", for "158,33".
    let row = text
        .lines()
        .find(|l| l.contains("Shop"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        row.contains("1:40") && row.contains("95,00") && row.contains("158,33"),
        "{row}"
    );
    assert!(
        !text.contains("1,6667") && !text.contains("158,34"),
        "{text}"
    );
    let xml = String::from_utf8(file(InvoiceFormat::FacturXXml).bytes).unwrap();
    assert!(
        xml.contains("<ram:LineTotalAmount>158.33</ram:LineTotalAmount>"),
        "{xml}"
    );

    // A credit note gives back exactly what was billed.
    let credit = w
        .engine
        .credit_invoice(&w.owner, draft.invoice.id)
        .await
        .unwrap();
    assert_eq!(credit.totals.net, dec!(158.33));
}

/// Toggl's way of starting: the timer runs before anyone chose a project. The time is kept, is
/// in no report row and on no invoice while it has none, and is said to be missing (the
/// report's `unassigned`, `unassigned_time`); once a project is assigned it is billed like any
/// other time. A task cannot come before its project.
#[tokio::test]
async fn a_timer_started_without_a_project_is_billed_once_it_has_one() {
    let mut w = world().await;
    let task = w
        .engine
        .add_task(&w.owner, w.project, "Calls", None)
        .await
        .unwrap();
    let without = |task| StartTimer {
        project: None,
        task,
        note: "call with Jonas".into(),
        billable: None,
        tags: vec![],
    };
    let err = w
        .engine
        .start_timer(&w.owner, without(Some(task)))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("a task needs a project"), "{err}");

    let started = w
        .engine
        .start_timer(&w.owner, without(None))
        .await
        .unwrap()
        .entry;
    assert_eq!(started.entry.project, None);
    assert_eq!(
        (started.project_name.as_str(), started.client_name.as_str()),
        ("", "")
    );
    assert!(
        started.entry.billable,
        "time without a project is billable unless said otherwise"
    );
    w.engine
        .set_clock(Some("2026-11-20T11:30:00Z".parse().unwrap()));
    let stopped = w.engine.stop_timer(&w.owner).await.unwrap();
    assert_eq!((stopped.entry.project, stopped.seconds), (None, 5400));
    assert_eq!(stopped.amount, None, "no project, no rate");
    track(&mut w, "2026-11-20", "14:00", "15:00", "homepage").await;

    let report = |w: &World| {
        w.engine
            .time_report(
                &w.owner,
                &ReportQuery {
                    from: Some(day("2026-11-01")),
                    to: Some(day("2026-11-30")),
                    group_by: vec![GroupBy::Project],
                    member: None,
                    project: None,
                    client: None,
                },
            )
            .unwrap()
    };
    let before = report(&w);
    assert_eq!(before.total.billable_raw_seconds, 3600);
    assert_eq!(
        before.unassigned,
        Unassigned {
            entries: 1,
            seconds: 5400
        }
    );
    assert_eq!(
        w.engine.unassigned_time(&w.owner, None, None).unwrap(),
        Unassigned {
            entries: 1,
            seconds: 5400
        }
    );
    // Outside the period asked for, it is not counted.
    assert_eq!(
        w.engine
            .unassigned_time(&w.owner, Some(day("2026-11-21")), None)
            .unwrap(),
        Unassigned::default()
    );

    // The client's invoice holds only the hour that has a project.
    let new_invoice = || NewInvoice {
        client: Some(w.client),
        include_time: true,
        ..Default::default()
    };
    let draft = w
        .engine
        .create_invoice(&w.owner, new_invoice())
        .await
        .unwrap();
    assert_eq!(draft.invoice.lines.len(), 1);
    assert_eq!(draft.invoice.lines[0].quantity, dec!(1));
    w.engine
        .delete_invoice(&w.owner, draft.invoice.id)
        .await
        .unwrap();

    // Assigned later: the project's rate and rounding apply, and the time is billed.
    let assigned = w
        .engine
        .edit_entry(
            &w.owner,
            stopped.entry.id,
            EntryChanges {
                project: Some(w.project),
                task: Some(task),
                ..EntryChanges::default()
            },
        )
        .await
        .unwrap()
        .entry;
    assert_eq!(assigned.entry.project, Some(w.project));
    assert_eq!(assigned.project_name, "Website");
    assert_eq!(
        assigned.amount,
        Some(Money::new(dec!(142.50), Currency::EUR))
    );
    let after = report(&w);
    assert_eq!(after.total.billable_raw_seconds, 3600 + 5400);
    assert_eq!(after.unassigned, Unassigned::default());
    let draft = w
        .engine
        .create_invoice(&w.owner, new_invoice())
        .await
        .unwrap();
    let quantity: rust_decimal::Decimal = draft.invoice.lines.iter().map(|l| l.quantity).sum();
    assert_eq!(quantity, dec!(2.5));

    // The first project an entry gets decides whether it is billable: internal work is not.
    let internal = w
        .engine
        .add_project(
            &w.owner,
            NewProject {
                client: w.client,
                name: "Internal".into(),
                billable: Some(false),
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    w.engine.start_timer(&w.owner, without(None)).await.unwrap();
    w.engine
        .set_clock(Some("2026-11-20T12:00:00Z".parse().unwrap()));
    let stopped = w.engine.stop_timer(&w.owner).await.unwrap();
    assert!(stopped.entry.billable);
    let assigned = w
        .engine
        .edit_entry(
            &w.owner,
            stopped.entry.id,
            EntryChanges {
                project: Some(internal),
                ..EntryChanges::default()
            },
        )
        .await
        .unwrap()
        .entry;
    assert!(
        !assigned.entry.billable,
        "the internal project's default applies"
    );
}

/// The Projects screen's figures: time tracked, billable time not yet invoiced (after the
/// client's rounding) and what it is worth, and the project's rate today; a Member sees their own
/// time and no money.
#[tokio::test]
async fn each_project_says_what_is_tracked_unbilled_and_its_rate() {
    let mut w = world().await;
    // 80 minutes, billed as 90 (the client rounds up to 15) at 95/h.
    track(&mut w, "2026-11-18", "09:00", "10:20", "design").await;
    let owner = w.owner;
    let internal = ("2026-11-18", "11:00", "11:30");
    track_as(&mut w, &owner, internal, "internal", Some(false)).await;
    let member = w
        .engine
        .add_member(&w.owner, "Mia", Role::Member)
        .await
        .unwrap();
    let member = w.engine.act_as_member(w.owner.org, member).await.unwrap();
    track_as(
        &mut w,
        &member,
        ("2026-11-19", "09:00", "09:15"),
        "review",
        None,
    )
    .await;

    let owner = w.engine.project_summaries(&w.owner).unwrap();
    assert_eq!(
        owner,
        vec![ProjectSummary {
            project: w.project,
            seconds: 80 * 60 + 30 * 60 + 15 * 60,
            unbilled_seconds: 90 * 60 + 15 * 60,
            unbilled: vec![Money::new(dec!(166.25), Currency::EUR)],
            rate: Some(Money::new(dec!(95), Currency::EUR)),
            unrated_seconds: 0,
            first_unrated: None,
        }]
    );
    let theirs = w.engine.project_summaries(&member).unwrap();
    assert_eq!(
        theirs,
        vec![ProjectSummary {
            project: w.project,
            seconds: 15 * 60,
            unbilled_seconds: 15 * 60,
            unbilled: vec![],
            rate: None,
            unrated_seconds: 0,
            first_unrated: None,
        }]
    );

    // Time before the rate's start has none: how much, and from which day, so that a new rate
    // can reach back to it.
    track(&mut w, "2025-12-30", "09:00", "10:00", "before the rate").await;
    let owner = w.engine.project_summaries(&w.owner).unwrap();
    assert_eq!(
        (owner[0].unrated_seconds, owner[0].first_unrated),
        (3600, Some(day("2025-12-30")))
    );
    assert_eq!(
        owner[0].unbilled,
        vec![Money::new(dec!(166.25), Currency::EUR)],
        "unrated time is worth nothing yet"
    );
}

/// The detailed report's CSV: the entries asked for, once each and in date order, with text a
/// spreadsheet would run as a formula quoted (in the organization's export too); a Member gets
/// only their own time and no amounts.
#[tokio::test]
async fn the_detailed_reports_csv_is_safe_to_open_and_holds_only_what_the_role_reads() {
    let mut w = world().await;
    let first = track(&mut w, "2026-11-02", "09:00", "10:00", "=HYPERLINK(\"x\")").await;
    let second = track(&mut w, "2026-11-03", "09:00", "09:30", "Review").await;
    let csv = w
        .engine
        .entries_csv(&w.owner, &[second, first, second])
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "date,start,end,member,client,project,task,note,billable,hours,billed_hours,amount,currency,tags,invoiced"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    assert_eq!(
        lines[1],
        "2026-11-02,2026-11-02T09:00:00,2026-11-02T10:00:00,Ana,Müller & Søn,Website,,\"'=HYPERLINK(\"\"x\"\")\",true,1.00,1.00,95.00,EUR,,false"
    );
    assert!(lines[2].starts_with("2026-11-03,"), "{csv}");
    // The organization's CSV export quotes the same cells.
    let mut exported = Vec::new();
    w.engine
        .export(
            &w.owner,
            stint_engine::export::ExportFormat::Csv,
            &mut exported,
            &mut |_, _| {},
        )
        .unwrap();
    let exported = String::from_utf8(exported).unwrap();
    assert!(
        exported.contains(",\"'=HYPERLINK(\"\"x\"\")\",") && !exported.contains(",\"=HYPERLINK"),
        "{exported}"
    );

    let org = w.owner.org;
    let id = w
        .engine
        .add_member(&w.owner, "Max", Role::Member)
        .await
        .unwrap();
    let member = w.engine.act_as_member(org, id).await.unwrap();
    let own = track_as(
        &mut w,
        &member,
        ("2026-11-04", "14:00", "15:00"),
        "Own",
        None,
    )
    .await;
    let csv = w
        .engine
        .entries_csv(&member, &[first, second, own])
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].starts_with("2026-11-04,") && lines[1].ends_with(",true,1.00,1.00,,,,false"),
        "{csv}"
    );
}
