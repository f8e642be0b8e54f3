//! The files of an invoice: its PDF (plain, or Factur-X with the e-invoice inside) and its
//! e-invoice XML (Factur-X CII or XRechnung). Amounts come from the domain; the renderer only lays out.

use crate::{ActAs, Engine, EngineError, Result};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use stint_domain::invoice::WorkWords;
use stint_domain::*;
use stint_invoice_pdf::einvoice::{self, EInvoiceInput, Flavor};
use stint_invoice_pdf::{self as pdf, Locale, Paper};

/// Which file.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InvoiceFormat {
    /// A PDF; for an issued invoice whose data makes a valid e-invoice, a Factur-X PDF/A-3.
    Pdf,
    /// A PDF without the embedded e-invoice.
    PlainPdf,
    /// The Factur-X (EN 16931) CII XML.
    FacturXXml,
    /// XRechnung 3.0 (CII) XML.
    XRechnung,
}

/// Paper size.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PaperSize {
    /// ISO A4.
    #[default]
    A4,
    /// US Letter.
    Letter,
}

/// A rendered file.
#[derive(Clone, Debug)]
pub struct InvoiceFile {
    /// Suggested file name, e.g. `RE-2026-001.pdf`.
    pub file_name: String,
    /// Media type.
    pub media_type: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Why a requested Factur-X PDF came out plain (the e-invoice rule that failed), if it did.
    pub e_invoice_problem: Option<String>,
}

fn locale_of(language: Language) -> Locale {
    match language {
        Language::En => Locale::En,
        Language::De => Locale::De,
        Language::Fr => Locale::Fr,
    }
}

fn unit_label(unit: Unit, locale: Locale) -> &'static str {
    match (unit, locale) {
        (Unit::Hour, Locale::De) => "Std.",
        (Unit::Hour, _) => "h",
        (Unit::Day, Locale::De) => "Tage",
        (Unit::Day, Locale::Fr) => "jours",
        (Unit::Day, _) => "days",
        (Unit::Piece, Locale::De) => "Stk.",
        (Unit::Piece, Locale::Fr) => "pcs",
        (Unit::Piece, _) => "pcs",
        (Unit::LumpSum, Locale::De) => "pausch.",
        (Unit::LumpSum, Locale::Fr) => "forfait",
        (Unit::LumpSum, _) => "lump sum",
    }
}

/// The locale an invoice in `language` writes numbers and dates in: the organization's when it
/// speaks that language (an en-US organization's English invoice reads "Nov 23, 2026" as its app
/// does), else the language's own (`None`: `Locale::tag`).
fn number_locale(organization: &str, language: Locale) -> Option<String> {
    let tag = organization.trim().replace('_', "-");
    let speaks = tag
        .split('-')
        .next()
        .is_some_and(|l| l.eq_ignore_ascii_case(language.language()));
    speaks.then_some(tag)
}

/// How the lines of a new invoice write what is not the user's own text (days, periods, hours, the
/// name of time without a task, "Expense"): in the invoice's language, with the numbers and dates
/// of its PDF, so a German invoice never says "2026-11-02 – 2026-11-05" under a line.
pub(crate) struct LineWords {
    format: stint_locale::Format,
    labels: &'static pdf::Labels,
}

/// The formats a document in `locale`'s language writes with, for an organization in
/// `organization_locale` (see [`number_locale`]) with durations in `duration_style`.
fn document_format(
    organization_locale: &str,
    locale: Locale,
    duration_style: DurationStyle,
) -> Result<stint_locale::Format> {
    pdf::Document::format_of(
        number_locale(organization_locale, locale).as_deref(),
        locale,
        duration_style,
    )
    .map_err(|e| EngineError::Invalid(ValidationError::new(e.to_string())))
}

impl LineWords {
    pub(crate) fn new(organization: &Organization, language: Language) -> Result<Self> {
        let locale = locale_of(language);
        Ok(LineWords {
            format: document_format(&organization.locale, locale, organization.duration_style)?,
            labels: locale.labels(),
        })
    }

    /// The description of a billed expense: "Expense", "Auslage: Reisekosten".
    pub(crate) fn expense(&self, category: &str) -> String {
        if category.is_empty() {
            self.labels.expense.to_owned()
        } else {
            format!("{}: {category}", self.labels.expense)
        }
    }
}

impl WorkWords for LineWords {
    fn date(&self, date: Date) -> String {
        self.format.date(date)
    }

    fn period(&self, first: Date, last: Date) -> String {
        self.format.period((first, last))
    }

    fn hours(&self, hours: rust_decimal::Decimal) -> String {
        self.format.hours(hours)
    }

    fn other_task(&self) -> &str {
        self.labels.other_task
    }
}

fn tax_label(
    category: TaxCategory,
    percent: rust_decimal::Decimal,
    locale: Locale,
    format: &stint_locale::Format,
) -> String {
    let vat = match locale {
        Locale::De => "USt.",
        Locale::Fr => "TVA",
        Locale::En => "VAT",
    };
    match category {
        TaxCategory::Standard => format!("{vat} {}", format.percent(percent)),
        TaxCategory::ReverseCharge => match locale {
            Locale::De => "Steuerschuldnerschaft des Leistungsempfängers".into(),
            Locale::Fr => "Autoliquidation".into(),
            Locale::En => "Reverse charge".into(),
        },
        other => format!(
            "{vat} {} ({})",
            format.percent(rust_decimal::Decimal::ZERO),
            other.code()
        ),
    }
}

/// A country by name in `locale`'s language ("Deutschland"), or its code if the table lacks it.
fn country(code: &str, locale: Locale) -> String {
    pdf::country_name(code, locale)
        .map(str::to_owned)
        .unwrap_or_else(|| code.to_owned())
}

/// `p` as printed; without `with_country` the country is left out (a domestic address, DIN 5008).
fn party(p: &Party, locale: Locale, with_country: bool) -> pdf::Party {
    let mut address_lines = vec![
        p.street.clone(),
        format!("{} {}", p.postcode, p.city).trim().to_owned(),
    ];
    address_lines.retain(|l| !l.trim().is_empty());
    pdf::Party {
        name: p.name.clone(),
        address_lines,
        country: if with_country {
            country(&p.country, locale)
        } else {
            String::new()
        },
        vat_id: p.vat_id.clone(),
        email: p.email.clone(),
    }
}

/// "Muster GmbH · Hauptstr. 1 · 10115 Berlin": the sender above a window envelope's address, with
/// the country when the letter goes `abroad`.
fn return_address(seller: &Party, locale: Locale, abroad: bool) -> Option<String> {
    let place = format!("{} {}", seller.postcode, seller.city);
    let country = abroad.then(|| country(&seller.country, locale));
    let parts: Vec<&str> = [seller.name.as_str(), seller.street.as_str(), place.as_str()]
        .into_iter()
        .chain(country.as_deref())
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (parts.len() > 1).then(|| parts.join(" · "))
}

/// The DIN 5008 footer: who (name, address), how to reach them, where to pay, and the register
/// and tax details the law asks for. Only for sellers who gave legal details.
fn footer(
    seller: &Party,
    legal: &SellerLegal,
    bank: Option<&BankAccount>,
    locale: Locale,
) -> Vec<Vec<String>> {
    if legal.is_empty() {
        return Vec::new();
    }
    let labels = locale.labels();
    let who = vec![
        seller.name.clone(),
        seller.street.clone(),
        format!("{} {}", seller.postcode, seller.city),
        country(&seller.country, locale),
    ];
    let mut contact = Vec::new();
    if let Some(phone) = &seller.phone {
        contact.push(format!("{} {phone}", labels.phone));
    }
    contact.extend(seller.email.clone());
    contact.extend(legal.website.clone());
    let mut money = Vec::new();
    if let Some(bank) = bank {
        money.push(labels.bank.to_owned());
        money.push(bank.holder.clone());
        money.push(format!("IBAN {}", pdf::group_iban(&bank.iban)));
        money.extend(bank.bic.as_ref().map(|b| format!("BIC {b}")));
    }
    let mut law = Vec::new();
    law.extend(legal.seat.as_ref().map(|s| format!("{}: {s}", labels.seat)));
    // The court on one line, the number under it: "Registergericht: Amtsgericht …", "HRB 123".
    match (&legal.register_court, &legal.register_number) {
        (Some(court), number) => {
            law.push(format!("{}: {court}", labels.register));
            law.extend(number.clone());
        }
        (None, Some(number)) => law.push(format!("{}: {number}", labels.register)),
        (None, None) => {}
    }
    law.extend(
        legal
            .managing_directors
            .as_ref()
            .map(|d| format!("{}: {d}", labels.managing_directors)),
    );
    law.extend(
        seller
            .vat_id
            .as_ref()
            .map(|v| format!("{} {v}", labels.vat_id)),
    );
    law.extend(
        legal
            .tax_number
            .as_ref()
            .map(|n| format!("{} {n}", labels.tax_number)),
    );
    vec![who, contact, money, law]
}

/// The notes printed on `inv`: the tax notes its categories require, in its language, then its
/// own notes. Drafts made before languages carry the English tax notes in their own notes; those
/// are not printed twice.
fn printed_notes(
    inv: &Invoice,
    language: Language,
    small_business_of: Option<&str>,
) -> Vec<String> {
    let required = inv.tax_notes(language, small_business_of);
    let legacy = inv.required_notes();
    let mut notes: Vec<String> = required.iter().map(|n| (*n).to_owned()).collect();
    notes.extend(
        inv.notes
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !legacy.contains(l) && !required.contains(l))
            .map(str::to_owned),
    );
    notes
}

impl Engine {
    /// The display-ready document of an invoice, as the PDF renderer takes it.
    pub fn invoice_document(
        &self,
        by: &ActAs,
        id: InvoiceId,
        paper: PaperSize,
    ) -> Result<pdf::Document> {
        let view = self.invoice(by, id)?;
        self.document_of(by, &view, paper)
    }

    fn document_of(
        &self,
        by: &ActAs,
        view: &crate::InvoiceView,
        paper: PaperSize,
    ) -> Result<pdf::Document> {
        let inv = &view.invoice;
        let state = self.state(by.org)?;
        let profile = state.billing.clone();
        let details = state.client_billing.get(&inv.client).cloned();
        let language = crate::invoicing::invoice_language(state, inv);
        let locale = locale_of(language);
        let texts = crate::invoicing::letter_texts(inv, language, profile.as_ref());
        // An issued invoice prints the legal details it was issued with; a draft today's.
        let legal = match inv.status {
            InvoiceStatus::Draft => profile.as_ref().map(|p| p.legal.clone()),
            _ => inv.seller_legal.as_deref().cloned(),
        }
        .unwrap_or_default();
        let empty = Party::default();
        let seller = inv
            .seller
            .as_deref()
            .cloned()
            .or_else(|| profile.as_ref().map(|p| p.seller.clone()))
            .unwrap_or(empty.clone());
        let buyer = inv
            .buyer
            .as_deref()
            .cloned()
            .or_else(|| details.as_ref().map(|d| d.buyer.clone()))
            .unwrap_or(empty);
        let t = &view.totals;
        let abroad = !buyer.country.trim().is_empty() && buyer.country != seller.country;
        let small_business_of = legal.small_business.then_some(seller.country.as_str());
        let paid = inv.status == InvoiceStatus::Paid;
        // An issued invoice writes its numbers and dates as when it was issued; a draft as today.
        let organization = state.organization();
        let duration_style = inv.duration_style.unwrap_or(organization.duration_style);
        let organization_locale = inv.locale.as_deref().unwrap_or(&organization.locale);
        let format = document_format(organization_locale, locale, duration_style)?;
        let document = pdf::Document {
            kind: match &view.corrects {
                Some(number) => pdf::DocumentKind::CreditNote {
                    corrects: number.clone(),
                },
                None if inv.is_credit_note() => pdf::DocumentKind::CreditNote {
                    corrects: String::new(),
                },
                None => pdf::DocumentKind::Invoice,
            },
            number: inv.number.clone().unwrap_or_else(|| "DRAFT".into()),
            issue_date: inv
                .issue_date
                .unwrap_or_else(|| state.time_zone().to_datetime(self.now()).date()),
            due_date: view.due_date,
            service_period: inv.service_period,
            locale,
            number_locale: number_locale(organization_locale, locale),
            duration_style,
            paper: match paper {
                PaperSize::A4 => Paper::A4,
                PaperSize::Letter => Paper::Letter,
            },
            currency: inv.currency.code().to_owned(),
            minor_units: inv.currency.exponent(),
            seller: party(&seller, locale, true),
            buyer: party(&buyer, locale, abroad),
            logo_png: state.logo.clone(),
            lines: inv
                .lines
                .iter()
                .zip(&t.line_net)
                .map(|(l, net)| pdf::Line {
                    description: l.description.clone(),
                    detail: l.detail.clone(),
                    quantity: l.quantity,
                    tracked_time: l.worth.is_some(),
                    unit: unit_label(l.unit, locale).to_owned(),
                    unit_price: l.unit_price,
                    discount: match l.discount {
                        None => None,
                        Some(_) => Some(
                            (stint_domain::invoice::totals::line_base(l)
                                .round_dp(inv.currency.exponent())
                                - *net)
                                .max(rust_decimal::Decimal::ZERO),
                        )
                        .filter(|d| !d.is_zero()),
                    },
                    tax_percent: l.tax.percent,
                    net: *net,
                })
                .collect(),
            allowance: (!t.allowance_net.is_zero()).then(|| {
                let label = match (locale, inv.discount) {
                    (Locale::De, Some(Discount::Percent(p))) => {
                        format!("Rabatt {}", format.percent(p))
                    }
                    (Locale::Fr, Some(Discount::Percent(p))) => {
                        format!("Remise {}", format.percent(p))
                    }
                    (_, Some(Discount::Percent(p))) => format!("Discount {}", format.percent(p)),
                    (Locale::De, _) => "Rabatt".into(),
                    (Locale::Fr, _) => "Remise".into(),
                    _ => "Discount".into(),
                };
                (label, t.allowance_net)
            }),
            tax_rows: t
                .groups
                .iter()
                .map(|g| pdf::TaxRow {
                    label: tax_label(g.category, g.percent, locale, &format),
                    percent: g.percent,
                    base: g.taxable,
                    tax: g.tax,
                })
                .collect(),
            totals: pdf::Totals {
                net: t.net,
                tax: t.tax,
                gross: t.gross,
                paid: view.paid,
                due: if inv.status == InvoiceStatus::Draft {
                    t.gross
                } else {
                    view.due
                },
            },
            notes: printed_notes(inv, language, small_business_of),
            subject: texts.subject.clone(),
            intro: texts.intro.clone(),
            closing: texts.closing.clone(),
            return_address: return_address(&seller, locale, abroad),
            paid,
            footer: footer(
                &seller,
                &legal,
                profile.as_ref().and_then(|p| p.bank.as_ref()),
                locale,
            ),
            // Paid in full: nothing to pay, so no payment instructions.
            payment: profile
                .as_ref()
                .filter(|_| !paid)
                .and_then(|p| p.bank.as_ref())
                .map(|bank| pdf::Payment {
                    terms: match (locale, view.due_date) {
                        (Locale::De, Some(d)) => format!(
                            "Zahlbar innerhalb von {} Tagen bis {}",
                            inv.payment_days,
                            format.date(d)
                        ),
                        (Locale::Fr, Some(d)) => format!(
                            "Payable sous {} jours, avant le {}",
                            inv.payment_days,
                            format.date(d)
                        ),
                        (_, Some(d)) => format!(
                            "Payable within {} days, by {}",
                            inv.payment_days,
                            format.date(d)
                        ),
                        (Locale::De, None) => {
                            format!("Zahlbar innerhalb von {} Tagen", inv.payment_days)
                        }
                        (Locale::Fr, None) => format!("Payable sous {} jours", inv.payment_days),
                        (_, None) => format!("Payable within {} days", inv.payment_days),
                    },
                    account_holder: bank.holder.clone(),
                    iban: bank.iban.clone(),
                    bic: bank.bic.clone(),
                    reference: inv.number.clone().unwrap_or_default(),
                }),
        };
        Ok(document)
    }

    /// One file of an invoice. Drafts render too (numbered "DRAFT"), for the preview; e-invoices
    /// need an issued invoice.
    pub fn invoice_file(
        &self,
        by: &ActAs,
        id: InvoiceId,
        format: InvoiceFormat,
        paper: PaperSize,
    ) -> Result<InvoiceFile> {
        let view = self.invoice(by, id)?;
        let state = self.state(by.org)?;
        let inv = &view.invoice;
        let profile = state.billing.clone();
        let details = state.client_billing.get(&inv.client).cloned();
        let corrects = match inv.kind {
            InvoiceKind::CreditNote { corrects } => state
                .invoices
                .get(&corrects)
                .and_then(|c| Some((c.number.clone()?, c.issue_date?))),
            InvoiceKind::Invoice => None,
        };
        // A number may contain '/' (e.g. "RE/2026/001"): never let it name a directory.
        let base_name: String = inv
            .number
            .clone()
            .unwrap_or_else(|| view.label.replace(' ', "-"))
            .chars()
            .map(|c| {
                if matches!(c, '/' | '\\' | ':') || c.is_control() {
                    '-'
                } else {
                    c
                }
            })
            .collect();
        let e_input = EInvoiceInput {
            invoice: inv,
            totals: &view.totals,
            bank: profile.as_ref().and_then(|p| p.bank.as_ref()),
            buyer_reference: details.as_ref().and_then(|d| d.buyer_reference.as_deref()),
            corrects: corrects.as_ref().map(|(n, d)| (n.as_str(), *d)),
            language: crate::invoicing::invoice_language(state, inv),
        };
        let xml_file = |flavor: Flavor, suffix: &str| -> Result<InvoiceFile> {
            let bytes = einvoice::cii_xml(&e_input, flavor)
                .map_err(|e| EngineError::Invalid(ValidationError::new(e.to_string())))?;
            Ok(InvoiceFile {
                file_name: format!("{base_name}{suffix}"),
                media_type: "application/xml",
                bytes,
                e_invoice_problem: None,
            })
        };
        match format {
            InvoiceFormat::FacturXXml => return xml_file(Flavor::FacturX, "-factur-x.xml"),
            InvoiceFormat::XRechnung => return xml_file(Flavor::XRechnung, "-xrechnung.xml"),
            InvoiceFormat::Pdf | InvoiceFormat::PlainPdf => {}
        }

        let document = self.document_of(by, &view, paper)?;
        let failed = |e: pdf::PdfError| EngineError::Invalid(ValidationError::new(e.to_string()));
        let plain = |problem: Option<String>, bytes: Vec<u8>| InvoiceFile {
            file_name: format!("{base_name}.pdf"),
            media_type: "application/pdf",
            bytes,
            e_invoice_problem: problem,
        };
        if format == InvoiceFormat::PlainPdf || inv.status == InvoiceStatus::Draft {
            return Ok(plain(None, pdf::render(&document).map_err(failed)?));
        }
        match einvoice::cii_xml(&e_input, Flavor::FacturX) {
            Err(problem) => Ok(plain(
                Some(problem.to_string()),
                pdf::render(&document).map_err(failed)?,
            )),
            Ok(xml) => {
                let title = format!(
                    "{} {}",
                    if inv.is_credit_note() {
                        "Credit note"
                    } else {
                        "Invoice"
                    },
                    inv.number.as_deref().unwrap_or_default()
                );
                let created = format!("{}T00:00:00+00:00", inv.issue_date.unwrap_or_default());
                let meta = pdf::facturx::FacturXMeta {
                    title: &title,
                    author: &document.seller.name,
                    created: &created,
                    level: "EN 16931",
                };
                let bytes = pdf::render_facturx(&document, &xml, &meta).map_err(failed)?;
                Ok(plain(None, bytes))
            }
        }
    }
}
