//! The files of an invoice: its PDF (plain, or Factur-X with the e-invoice inside) and its
//! e-invoice XML (Factur-X CII or XRechnung). Amounts come from the domain; the renderer only lays out.

use crate::{ActAs, Engine, EngineError, Result};
use serde::{Deserialize, Serialize};
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

fn locale_of(tag: &str) -> Locale {
    match tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .as_str()
    {
        "de" => Locale::De,
        "fr" => Locale::Fr,
        _ => Locale::En,
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

fn tax_label(category: TaxCategory, percent: rust_decimal::Decimal, locale: Locale) -> String {
    let vat = match locale {
        Locale::De => "USt.",
        Locale::Fr => "TVA",
        Locale::En => "VAT",
    };
    match category {
        TaxCategory::Standard => format!("{vat} {} %", percent.normalize()),
        TaxCategory::ReverseCharge => match locale {
            Locale::De => "Steuerschuldnerschaft des Leistungsempfängers".into(),
            Locale::Fr => "Autoliquidation".into(),
            Locale::En => "Reverse charge".into(),
        },
        other => format!("{vat} 0 % ({})", other.code()),
    }
}

fn party(p: &Party) -> pdf::Party {
    let mut address_lines = vec![
        p.street.clone(),
        format!("{} {}", p.postcode, p.city).trim().to_owned(),
    ];
    address_lines.retain(|l| !l.trim().is_empty());
    pdf::Party {
        name: p.name.clone(),
        address_lines,
        country: p.country.clone(),
        vat_id: p.vat_id.clone(),
        email: p.email.clone(),
    }
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
        let locale = locale_of(&state.organization().locale);
        let empty = Party::default();
        let seller = inv
            .seller
            .clone()
            .or_else(|| profile.as_ref().map(|p| p.seller.clone()))
            .unwrap_or(empty.clone());
        let buyer = inv
            .buyer
            .clone()
            .or_else(|| details.as_ref().map(|d| d.buyer.clone()))
            .unwrap_or(empty);
        let t = &view.totals;
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
            paper: match paper {
                PaperSize::A4 => Paper::A4,
                PaperSize::Letter => Paper::Letter,
            },
            currency: inv.currency.code().to_owned(),
            minor_units: inv.currency.exponent(),
            seller: party(&seller),
            buyer: party(&buyer),
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
                        format!("Rabatt {} %", p.normalize())
                    }
                    (Locale::Fr, Some(Discount::Percent(p))) => {
                        format!("Remise {} %", p.normalize())
                    }
                    (_, Some(Discount::Percent(p))) => format!("Discount {} %", p.normalize()),
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
                    label: tax_label(g.category, g.percent, locale),
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
            notes: inv
                .notes
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect(),
            payment: profile
                .as_ref()
                .and_then(|p| p.bank.as_ref())
                .map(|bank| pdf::Payment {
                    terms: match (locale, view.due_date) {
                        (Locale::De, Some(d)) => format!(
                            "Zahlbar innerhalb von {} Tagen bis {}",
                            inv.payment_days,
                            d.strftime("%d.%m.%Y")
                        ),
                        (Locale::Fr, Some(d)) => format!(
                            "Payable sous {} jours, avant le {}",
                            inv.payment_days,
                            d.strftime("%d/%m/%Y")
                        ),
                        (_, Some(d)) => format!(
                            "Payable within {} days, by {}",
                            inv.payment_days,
                            d.strftime("%-d %b %Y")
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
