//! EN 16931 e-invoices in UN/CEFACT Cross Industry Invoice (CII) syntax: the Factur-X / ZUGFeRD
//! EN 16931 profile (embedded in the PDF) and XRechnung 3.0 (standalone, for German public buyers).
//!
//! Before writing a byte, [`check`] applies the business rules that our data can break (BR-*, BR-CO-*,
//! the category rules BR-S/AE/E/…, and for XRechnung the German BR-DE-*), and refuses with the business
//! term that is missing or wrong (e.g. "BT-50 buyer street is missing (BR-10)"). The amounts come from
//! the domain's [`Totals`], which already reconcile (BR-CO-10 … BR-CO-16 hold by construction; the
//! check repeats them anyway, because a wrong e-invoice is rejected by the buyer's system).

use jiff::civil::Date;
use quick_xml::Writer;
use quick_xml::events::BytesText;
use rust_decimal::Decimal;
use std::io;
use stint_domain::invoice::letter::{exemption_code, tax_note};
use stint_domain::invoice::totals::line_base;
use stint_domain::invoice::{Language, SellerLegal, TaxGroup, Totals};
use stint_domain::{BankAccount, Invoice, InvoiceKind, InvoiceStatus, Party, TaxCategory, TaxMode};

/// Which e-invoice.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flavor {
    /// Factur-X 1.0 / ZUGFeRD 2 at the EN 16931 ("Comfort") profile.
    FacturX,
    /// XRechnung 3.0 (CII syntax).
    XRechnung,
}

impl Flavor {
    /// The specification identifier (BT-24).
    pub fn specification(self) -> &'static str {
        match self {
            Flavor::FacturX => "urn:cen.eu:en16931:2017",
            Flavor::XRechnung => {
                "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
            }
        }
    }
}

/// What goes into an e-invoice besides the invoice itself.
#[derive(Clone, Copy, Debug)]
pub struct EInvoiceInput<'a> {
    /// The issued invoice or credit note.
    pub invoice: &'a Invoice,
    /// Its totals (from [`Invoice::totals`]).
    pub totals: &'a Totals,
    /// Where to pay (credit transfer).
    pub bank: Option<&'a BankAccount>,
    /// The buyer's reference (BT-10).
    pub buyer_reference: Option<&'a str>,
    /// For a credit note: the number and issue date of the invoice it corrects (BT-25, BT-26).
    pub corrects: Option<(&'a str, Date)>,
    /// The language of the invoice's texts (the exemption reasons, BT-120).
    pub language: Language,
}

/// The seller's legal details as frozen at issue (none on invoices issued before they existed).
fn legal_of(inv: &Invoice) -> Option<&SellerLegal> {
    inv.seller_legal.as_deref()
}

/// The exemption reason (BT-120) of a tax category, in the invoice's language; a small business's
/// exempt lines cite the rule that exempts it.
fn exemption_reason(input: &EInvoiceInput, category: TaxCategory) -> Option<&'static str> {
    let inv = input.invoice;
    let small_business_of = legal_of(inv).filter(|l| l.small_business).map(|_| {
        inv.seller
            .as_ref()
            .map(|s| s.country.as_str())
            .unwrap_or_default()
    });
    tax_note(category, input.language, small_business_of)
}

/// A business rule the data breaks.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("{term} {message} ({rule})")]
pub struct RuleError {
    /// The business term, e.g. "BT-50 buyer street".
    pub term: String,
    /// What is wrong.
    pub message: String,
    /// The rule, e.g. "BR-10".
    pub rule: &'static str,
}

/// Every rule broken, in document order; the message of the first is the error's.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("the e-invoice cannot be made: {}", .0.first().map(ToString::to_string).unwrap_or_default())]
pub struct EInvoiceError(pub Vec<RuleError>);

fn rule(term: impl Into<String>, message: impl Into<String>, rule: &'static str) -> RuleError {
    RuleError {
        term: term.into(),
        message: message.into(),
        rule,
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn opt_blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(blank)
}

/// Check the rules our data can break, for `flavor`.
pub fn check(input: &EInvoiceInput, flavor: Flavor) -> Result<(), EInvoiceError> {
    let inv = input.invoice;
    let t = input.totals;
    let mut errors = Vec::new();
    if inv.status == InvoiceStatus::Draft || inv.number.is_none() || inv.issue_date.is_none() {
        errors.push(rule(
            "BT-1 invoice number",
            "is missing: issue the invoice first",
            "BR-02",
        ));
    }
    if inv.currency.exponent() > 2 {
        errors.push(rule(
            "BT-5 currency",
            format!(
                "{} has {} decimals, EN 16931 amounts at most 2",
                inv.currency,
                inv.currency.exponent()
            ),
            "BR-DEC-01",
        ));
    }
    let empty = Party::default();
    let seller = inv.seller.as_deref().unwrap_or(&empty);
    let buyer = inv.buyer.as_deref().unwrap_or(&empty);
    /// Business term, field, rule.
    type FieldRule = (&'static str, &'static str, &'static str);
    let party_rules: [(&Party, &str, [FieldRule; 4]); 2] = [
        (
            seller,
            "seller",
            [
                ("BT-27", "name", "BR-06"),
                ("BT-35", "street", "BR-08"),
                ("BT-37", "city", "BR-08"),
                ("BT-40", "country", "BR-09"),
            ],
        ),
        (
            buyer,
            "buyer",
            [
                ("BT-44", "name", "BR-07"),
                ("BT-50", "street", "BR-10"),
                ("BT-52", "city", "BR-10"),
                ("BT-55", "country", "BR-11"),
            ],
        ),
    ];
    for (party, role, fields) in party_rules {
        for (bt, field, br) in fields {
            let value = match field {
                "name" => &party.name,
                "street" => &party.street,
                "city" => &party.city,
                _ => &party.country,
            };
            if blank(value) {
                errors.push(rule(format!("{bt} {role} {field}"), "is missing", br));
            }
        }
        if !blank(&party.country)
            && (party.country.len() != 2 || !party.country.chars().all(|c| c.is_ascii_uppercase()))
        {
            errors.push(rule(
                format!("{role} country"),
                format!("{:?} is not an ISO 3166-1 alpha-2 code", party.country),
                "BR-CL-14",
            ));
        }
    }
    if inv.lines.is_empty() {
        errors.push(rule(
            "BG-25 invoice line",
            "at least one is required",
            "BR-16",
        ));
    }
    // Every category but "outside scope" needs the seller's VAT identifier or tax number
    // (BR-S-02, BR-Z-02, BR-E-02, …); reverse charge and intra-community supplies the VAT id.
    let categories: Vec<TaxCategory> = t.groups.iter().map(|g| g.category).collect();
    let tax_number = legal_of(inv).and_then(|l| l.tax_number.as_ref());
    let register = legal_of(inv).and_then(|l| l.register_number.as_ref());
    if opt_blank(&seller.vat_id) {
        if categories.iter().any(|c| c.needs_both_vat_ids()) {
            errors.push(rule(
                "BT-31 seller VAT identifier",
                "is missing; reverse charge and intra-community supplies need it",
                "BR-AE-02",
            ));
        } else if categories.iter().any(|c| *c != TaxCategory::OutsideScope) && tax_number.is_none()
        {
            errors.push(rule(
                "BT-31 seller VAT identifier",
                "is missing; taxed, zero-rated and exempt supplies need it or the tax number",
                "BR-S-02",
            ));
        } else if tax_number.is_none() && register.is_none() {
            errors.push(rule(
                "BT-31 seller VAT identifier",
                "is missing, and there is no tax number or register number to identify the seller by",
                "BR-CO-26",
            ));
        }
    }
    if categories.iter().any(|c| c.needs_both_vat_ids()) && opt_blank(&buyer.vat_id) {
        errors.push(rule(
            "BT-48 buyer VAT identifier",
            "is missing; reverse charge and intra-community supplies need it",
            "BR-AE-02",
        ));
    }
    if categories.contains(&TaxCategory::OutsideScope) && categories.len() > 1 {
        errors.push(rule(
            "BG-23 VAT breakdown",
            "an invoice outside the scope of VAT cannot have other tax categories",
            "BR-O-11",
        ));
    }
    // Sums (hold by construction; a failure here is a bug, and must not reach a buyer).
    let unit = Decimal::new(1, 2);
    if t.line_net.iter().sum::<Decimal>() != t.lines_net {
        errors.push(rule(
            "BT-106 sum of line net amounts",
            "does not add up",
            "BR-CO-10",
        ));
    }
    if t.lines_net - t.allowance_net != t.net {
        errors.push(rule(
            "BT-109 total without VAT",
            "is not lines minus allowances",
            "BR-CO-13",
        ));
    }
    if t.net + t.tax != t.gross {
        errors.push(rule(
            "BT-112 total with VAT",
            "is not net plus VAT",
            "BR-CO-15",
        ));
    }
    for g in &t.groups {
        let expected = (g.taxable * g.percent / Decimal::ONE_HUNDRED).round_dp(2);
        if (g.tax - expected).abs() > unit {
            errors.push(rule(
                format!("BT-117 VAT amount at {} %", g.percent.normalize()),
                format!("is {} but {} × {} % is {expected}; use per-document tax rounding for e-invoices", g.tax, g.taxable, g.percent.normalize()),
                "BR-CO-17",
            ));
        }
    }
    if inv.is_credit_note() && input.corrects.is_none() {
        errors.push(rule(
            "BT-25 preceding invoice reference",
            "is missing for a credit note",
            "BR-55",
        ));
    }
    if flavor == Flavor::XRechnung {
        if input.buyer_reference.is_none_or(blank) {
            errors.push(rule(
                "BT-10 buyer reference",
                "is missing (the Leitweg-ID for public buyers)",
                "BR-DE-15",
            ));
        }
        if input.bank.is_none() {
            errors.push(rule(
                "BG-16 payment instructions",
                "are missing: add the bank account to the billing profile",
                "BR-DE-1",
            ));
        }
        let checks: [(&str, bool, &'static str); 7] = [
            ("BT-38 seller post code", blank(&seller.postcode), "BR-DE-4"),
            (
                "BT-41 seller contact point",
                opt_blank(&seller.contact),
                "BR-DE-5",
            ),
            (
                "BT-42 seller contact telephone number",
                opt_blank(&seller.phone),
                "BR-DE-6",
            ),
            (
                "BT-43 seller contact email address",
                opt_blank(&seller.email),
                "BR-DE-7",
            ),
            ("BT-53 buyer post code", blank(&buyer.postcode), "BR-DE-9"),
            (
                "BT-34 seller electronic address",
                opt_blank(&seller.email),
                "BR-DE-S-1",
            ),
            (
                "BT-49 buyer electronic address",
                opt_blank(&buyer.email),
                "BR-DE-B-1",
            ),
        ];
        for (term, missing, br) in checks {
            if missing {
                errors.push(rule(term, "is missing", br));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(EInvoiceError(errors))
    }
}

fn amount(a: Decimal) -> String {
    format!("{:.2}", a)
}

fn percent(p: Decimal) -> String {
    let p = p.normalize();
    if p.scale() == 0 {
        format!("{p}.00")
    } else {
        p.to_string()
    }
}

fn date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// The CII XML of an issued invoice, after [`check`].
pub fn cii_xml(input: &EInvoiceInput, flavor: Flavor) -> Result<Vec<u8>, EInvoiceError> {
    check(input, flavor)?;
    let mut w = Writer::new_with_indent(Vec::with_capacity(16 * 1024), b' ', 1);
    write_document(&mut w, input, flavor)
        .map_err(|e| EInvoiceError(vec![rule("XML", e.to_string(), "I/O")]))?;
    let mut out = br#"<?xml version="1.0" encoding="UTF-8"?>"#.to_vec();
    out.push(b'\n');
    out.extend(w.into_inner());
    Ok(out)
}

type W = Writer<Vec<u8>>;

fn text(w: &mut W, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

fn date_element(w: &mut W, name: &str, d: Date, udt: &str) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        w.create_element(format!("{udt}:DateTimeString").as_str())
            .with_attribute(("format", "102"))
            .write_text_content(BytesText::new(&date(d)))?;
        Ok(())
    })?;
    Ok(())
}

fn party(
    w: &mut W,
    name: &str,
    p: &Party,
    with_contact: bool,
    legal: Option<&SellerLegal>,
) -> io::Result<()> {
    let register = legal.and_then(|l| l.register_number.as_ref());
    w.create_element(name).write_inner_content(|w| {
        // BT-29: a seller with neither a VAT id nor a register entry is known by its tax number
        // (BR-CO-26 wants one of the three).
        if let Some(number) = legal
            .and_then(|l| l.tax_number.as_ref())
            .filter(|_| p.vat_id.is_none() && register.is_none())
        {
            text(w, "ram:ID", number)?;
        }
        text(w, "ram:Name", &p.name)?;
        // BT-33, the seller's additional legal information: register, managing directors, seat.
        if let Some(description) = legal.map(legal_description).filter(|d| !d.is_empty()) {
            text(w, "ram:Description", &description)?;
        }
        // BT-30, the legal registration identifier: the commercial register number.
        if let Some(number) = register {
            w.create_element("ram:SpecifiedLegalOrganization")
                .write_inner_content(|w| text(w, "ram:ID", number))?;
        }
        if with_contact && (p.contact.is_some() || p.phone.is_some() || p.email.is_some()) {
            w.create_element("ram:DefinedTradeContact")
                .write_inner_content(|w| {
                    if let Some(c) = &p.contact {
                        text(w, "ram:PersonName", c)?;
                    }
                    if let Some(phone) = &p.phone {
                        w.create_element("ram:TelephoneUniversalCommunication")
                            .write_inner_content(|w| text(w, "ram:CompleteNumber", phone))?;
                    }
                    if let Some(email) = &p.email {
                        w.create_element("ram:EmailURIUniversalCommunication")
                            .write_inner_content(|w| text(w, "ram:URIID", email))?;
                    }
                    Ok(())
                })?;
        }
        w.create_element("ram:PostalTradeAddress")
            .write_inner_content(|w| {
                if !blank(&p.postcode) {
                    text(w, "ram:PostcodeCode", &p.postcode)?;
                }
                text(w, "ram:LineOne", &p.street)?;
                text(w, "ram:CityName", &p.city)?;
                text(w, "ram:CountryID", &p.country)
            })?;
        if let Some(email) = &p.email {
            w.create_element("ram:URIUniversalCommunication")
                .write_inner_content(|w| {
                    w.create_element("ram:URIID")
                        .with_attribute(("schemeID", "EM"))
                        .write_text_content(BytesText::new(email))?;
                    Ok(())
                })?;
        }
        if let Some(number) = legal.and_then(|l| l.tax_number.as_ref()) {
            w.create_element("ram:SpecifiedTaxRegistration")
                .write_inner_content(|w| {
                    w.create_element("ram:ID")
                        .with_attribute(("schemeID", "FC"))
                        .write_text_content(BytesText::new(number))?;
                    Ok(())
                })?;
        }
        if let Some(vat) = &p.vat_id {
            w.create_element("ram:SpecifiedTaxRegistration")
                .write_inner_content(|w| {
                    w.create_element("ram:ID")
                        .with_attribute(("schemeID", "VA"))
                        .write_text_content(BytesText::new(vat))?;
                    Ok(())
                })?;
        }
        Ok(())
    })?;
    Ok(())
}

fn category(w: &mut W, name: &str, g_category: TaxCategory, g_percent: Decimal) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        text(w, "ram:TypeCode", "VAT")?;
        text(w, "ram:CategoryCode", g_category.code())?;
        if g_category != TaxCategory::OutsideScope {
            text(w, "ram:RateApplicablePercent", &percent(g_percent))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// "Registered seat: Berlin · Amtsgericht Charlottenburg HRB 12345 · Managing directors: …"
/// (in English: the e-invoice's field has no language of its own).
fn legal_description(l: &SellerLegal) -> String {
    let register = [l.register_court.as_deref(), l.register_number.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut parts = Vec::new();
    if let Some(seat) = &l.seat {
        parts.push(format!("Registered seat: {seat}"));
    }
    if !register.is_empty() {
        parts.push(format!("Register: {register}"));
    }
    if let Some(directors) = &l.managing_directors {
        parts.push(format!("Managing directors: {directors}"));
    }
    parts.join(" · ")
}

fn breakdown(w: &mut W, input: &EInvoiceInput, g: &TaxGroup) -> io::Result<()> {
    w.create_element("ram:ApplicableTradeTax")
        .write_inner_content(|w| {
            text(w, "ram:CalculatedAmount", &amount(g.tax))?;
            text(w, "ram:TypeCode", "VAT")?;
            if let Some(reason) = exemption_reason(input, g.category) {
                text(w, "ram:ExemptionReason", reason)?;
            }
            text(w, "ram:BasisAmount", &amount(g.taxable))?;
            text(w, "ram:CategoryCode", g.category.code())?;
            if let Some(code) = exemption_code(g.category) {
                text(w, "ram:ExemptionReasonCode", code)?;
            }
            if g.category != TaxCategory::OutsideScope {
                text(w, "ram:RateApplicablePercent", &percent(g.percent))?;
            }
            Ok(())
        })?;
    Ok(())
}

fn write_document(w: &mut W, input: &EInvoiceInput, flavor: Flavor) -> io::Result<()> {
    let inv = input.invoice;
    let t = input.totals;
    let number = inv.number.clone().unwrap_or_default();
    let issued = inv.issue_date.unwrap_or(Date::ZERO);
    let empty = Party::default();
    w.create_element("rsm:CrossIndustryInvoice")
        .with_attribute((
            "xmlns:rsm",
            "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
        ))
        .with_attribute((
            "xmlns:qdt",
            "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
        ))
        .with_attribute((
            "xmlns:ram",
            "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
        ))
        .with_attribute((
            "xmlns:udt",
            "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
        ))
        .write_inner_content(|w| {
            w.create_element("rsm:ExchangedDocumentContext")
                .write_inner_content(|w| {
                    if flavor == Flavor::XRechnung {
                        w.create_element("ram:BusinessProcessSpecifiedDocumentContextParameter")
                            .write_inner_content(|w| {
                                text(w, "ram:ID", "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0")
                            })?;
                    }
                    w.create_element("ram:GuidelineSpecifiedDocumentContextParameter")
                        .write_inner_content(|w| text(w, "ram:ID", flavor.specification()))?;
                    Ok(())
                })?;
            w.create_element("rsm:ExchangedDocument")
                .write_inner_content(|w| {
                    text(w, "ram:ID", &number)?;
                    text(
                        w,
                        "ram:TypeCode",
                        if inv.is_credit_note() { "381" } else { "380" },
                    )?;
                    date_element(w, "ram:IssueDateTime", issued, "udt")?;
                    for note in inv.notes.lines().filter(|l| !blank(l)) {
                        w.create_element("ram:IncludedNote")
                            .write_inner_content(|w| text(w, "ram:Content", note))?;
                    }
                    Ok(())
                })?;
            w.create_element("rsm:SupplyChainTradeTransaction")
                .write_inner_content(|w| {
                    for (i, (line, net)) in inv.lines.iter().zip(&t.line_net).enumerate() {
                        w.create_element("ram:IncludedSupplyChainTradeLineItem")
                            .write_inner_content(|w| {
                                w.create_element("ram:AssociatedDocumentLineDocument")
                                    .write_inner_content(|w| {
                                        text(w, "ram:LineID", &(i + 1).to_string())
                                    })?;
                                w.create_element("ram:SpecifiedTradeProduct")
                                    .write_inner_content(|w| {
                                        text(w, "ram:Name", &line.description)?;
                                        if let Some(detail) = &line.detail {
                                            text(w, "ram:Description", detail)?;
                                        }
                                        Ok(())
                                    })?;
                                // BT-129 is the line's quantity (hours to four decimals); a line of
                                // tracked time is worth its exact time (`worth`), which BT-129 × BT-146
                                // can miss by that rounding (100 minutes at 95/h: 1.6667 × 95 = 158.3365,
                                // the time is worth 158.33). EN 16931 relates no line amount to
                                // quantity × price.
                                // With net prices the line discount is a line allowance (BG-27); with
                                // prices including tax, the net price is the line's net share per unit.
                                let (net_price, line_allowance) = match inv.tax_mode {
                                    TaxMode::Exclusive => {
                                        let base = line_base(line).round_dp(2);
                                        (line.unit_price, (base - *net).max(Decimal::ZERO))
                                    }
                                    TaxMode::Inclusive => {
                                        ((*net / line.quantity).round_dp(6), Decimal::ZERO)
                                    }
                                };
                                // A discount that is only rounding (price × quantity with more decimals)
                                // is folded into the price instead of becoming an allowance.
                                let (net_price, line_allowance) =
                                    if line_allowance > Decimal::ZERO && line.discount.is_none() {
                                        ((*net / line.quantity).round_dp(6), Decimal::ZERO)
                                    } else {
                                        (net_price, line_allowance)
                                    };
                                w.create_element("ram:SpecifiedLineTradeAgreement")
                                    .write_inner_content(|w| {
                                        w.create_element("ram:NetPriceProductTradePrice")
                                            .write_inner_content(|w| {
                                                text(
                                                    w,
                                                    "ram:ChargeAmount",
                                                    &net_price.normalize().to_string(),
                                                )
                                            })?;
                                        Ok(())
                                    })?;
                                w.create_element("ram:SpecifiedLineTradeDelivery")
                                    .write_inner_content(|w| {
                                        w.create_element("ram:BilledQuantity")
                                            .with_attribute(("unitCode", line.unit.code()))
                                            .write_text_content(BytesText::new(
                                                &line.quantity.normalize().to_string(),
                                            ))?;
                                        Ok(())
                                    })?;
                                w.create_element("ram:SpecifiedLineTradeSettlement")
                                    .write_inner_content(|w| {
                                        category(
                                            w,
                                            "ram:ApplicableTradeTax",
                                            line.tax.category,
                                            line.tax.percent,
                                        )?;
                                        if line_allowance > Decimal::ZERO {
                                            w.create_element("ram:SpecifiedTradeAllowanceCharge")
                                                .write_inner_content(|w| {
                                                w.create_element("ram:ChargeIndicator")
                                                    .write_inner_content(|w| {
                                                        text(w, "udt:Indicator", "false")
                                                    })?;
                                                text(
                                                    w,
                                                    "ram:ActualAmount",
                                                    &amount(line_allowance),
                                                )?;
                                                text(w, "ram:Reason", "Discount")
                                            })?;
                                        }
                                        w.create_element(
                                            "ram:SpecifiedTradeSettlementLineMonetarySummation",
                                        )
                                        .write_inner_content(|w| {
                                            text(w, "ram:LineTotalAmount", &amount(*net))
                                        })?;
                                        Ok(())
                                    })?;
                                Ok(())
                            })?;
                    }
                    w.create_element("ram:ApplicableHeaderTradeAgreement")
                        .write_inner_content(|w| {
                            if let Some(reference) = input.buyer_reference.filter(|r| !blank(r)) {
                                text(w, "ram:BuyerReference", reference)?;
                            }
                            party(
                                w,
                                "ram:SellerTradeParty",
                                inv.seller.as_deref().unwrap_or(&empty),
                                true,
                                legal_of(inv),
                            )?;
                            party(
                                w,
                                "ram:BuyerTradeParty",
                                inv.buyer.as_deref().unwrap_or(&empty),
                                false,
                                None,
                            )?;
                            Ok(())
                        })?;
                    w.create_element("ram:ApplicableHeaderTradeDelivery")
                        .write_inner_content(|w| {
                            if let Some((_, end)) = inv.service_period {
                                w.create_element("ram:ActualDeliverySupplyChainEvent")
                                    .write_inner_content(|w| {
                                        date_element(w, "ram:OccurrenceDateTime", end, "udt")
                                    })?;
                            }
                            Ok(())
                        })?;
                    w.create_element("ram:ApplicableHeaderTradeSettlement")
                        .write_inner_content(|w| {
                            text(w, "ram:PaymentReference", &number)?;
                            text(w, "ram:InvoiceCurrencyCode", inv.currency.code())?;
                            if let Some(bank) = input.bank {
                                w.create_element("ram:SpecifiedTradeSettlementPaymentMeans")
                                    .write_inner_content(|w| {
                                        text(w, "ram:TypeCode", "58")?;
                                        w.create_element("ram:PayeePartyCreditorFinancialAccount")
                                            .write_inner_content(|w| {
                                                text(w, "ram:IBANID", &bank.iban)?;
                                                text(w, "ram:AccountName", &bank.holder)
                                            })?;
                                        if let Some(bic) = &bank.bic {
                                            w.create_element(
                                                "ram:PayeeSpecifiedCreditorFinancialInstitution",
                                            )
                                            .write_inner_content(|w| text(w, "ram:BICID", bic))?;
                                        }
                                        Ok(())
                                    })?;
                            }
                            for g in &t.groups {
                                breakdown(w, input, g)?;
                            }
                            if let Some((start, end)) = inv.service_period {
                                w.create_element("ram:BillingSpecifiedPeriod")
                                    .write_inner_content(|w| {
                                        date_element(w, "ram:StartDateTime", start, "udt")?;
                                        date_element(w, "ram:EndDateTime", end, "udt")
                                    })?;
                            }
                            for g in t.groups.iter().filter(|g| g.allowance_net > Decimal::ZERO) {
                                w.create_element("ram:SpecifiedTradeAllowanceCharge")
                                    .write_inner_content(|w| {
                                        w.create_element("ram:ChargeIndicator")
                                            .write_inner_content(|w| {
                                                text(w, "udt:Indicator", "false")
                                            })?;
                                        text(w, "ram:ActualAmount", &amount(g.allowance_net))?;
                                        text(w, "ram:Reason", "Discount")?;
                                        category(w, "ram:CategoryTradeTax", g.category, g.percent)
                                    })?;
                            }
                            if let Some(due) = inv.due_date() {
                                w.create_element("ram:SpecifiedTradePaymentTerms")
                                    .write_inner_content(|w| {
                                        text(
                                            w,
                                            "ram:Description",
                                            &format!("Payable within {} days", inv.payment_days),
                                        )?;
                                        date_element(w, "ram:DueDateDateTime", due, "udt")
                                    })?;
                            }
                            w.create_element("ram:SpecifiedTradeSettlementHeaderMonetarySummation")
                                .write_inner_content(|w| {
                                    text(w, "ram:LineTotalAmount", &amount(t.lines_net))?;
                                    if t.allowance_net > Decimal::ZERO {
                                        text(
                                            w,
                                            "ram:AllowanceTotalAmount",
                                            &amount(t.allowance_net),
                                        )?;
                                    }
                                    text(w, "ram:TaxBasisTotalAmount", &amount(t.net))?;
                                    w.create_element("ram:TaxTotalAmount")
                                        .with_attribute(("currencyID", inv.currency.code()))
                                        .write_text_content(BytesText::new(&amount(t.tax)))?;
                                    text(w, "ram:GrandTotalAmount", &amount(t.gross))?;
                                    text(w, "ram:DuePayableAmount", &amount(t.gross))
                                })?;
                            if let (InvoiceKind::CreditNote { .. }, Some((corrected, on))) =
                                (inv.kind, input.corrects)
                            {
                                w.create_element("ram:InvoiceReferencedDocument")
                                    .write_inner_content(|w| {
                                        text(w, "ram:IssuerAssignedID", corrected)?;
                                        date_element(w, "ram:FormattedIssueDateTime", on, "qdt")
                                    })?;
                            }
                            Ok(())
                        })?;
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}
