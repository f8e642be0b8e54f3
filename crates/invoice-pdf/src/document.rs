//! The display-ready invoice the renderer lays out. All amounts are already computed by the
//! caller; nothing here adds up or taxes anything.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::locale::Locale;

impl Document {
    /// The formats of [`Document::number_locale`] (or the language's own) and its duration style.
    pub fn format(&self) -> Result<stint_locale::Format, crate::PdfError> {
        Self::format_of(
            self.number_locale.as_deref(),
            self.locale,
            self.duration_style,
        )
    }

    /// The formats a document in `locale`'s language writes with: `number_locale`'s, or the
    /// language's own ([`Locale::tag`]); for callers that write text for a document before it is
    /// made (payment terms, tax labels).
    pub fn format_of(
        number_locale: Option<&str>,
        locale: Locale,
        duration_style: stint_domain::DurationStyle,
    ) -> Result<stint_locale::Format, crate::PdfError> {
        stint_locale::Format::new(number_locale.unwrap_or(locale.tag()), duration_style)
            .map_err(|e| crate::PdfError::Locale(e.to_string()))
    }

    /// A line's quantity: tracked time in the duration style ("1:40" or "1.67"), anything else
    /// with the decimals it has ("2", "0.5").
    pub fn line_quantity(format: &stint_locale::Format, line: &Line) -> String {
        if line.tracked_time {
            format.hours(line.quantity)
        } else {
            format.number_between(line.quantity, 0, 6)
        }
    }
}

/// An invoice or credit note, ready to print.
#[derive(Clone, Debug)]
pub struct Document {
    /// Invoice or credit note.
    pub kind: DocumentKind,
    /// The document number, e.g. "INV-2026-0007" (a draft may pass "DRAFT").
    pub number: String,
    /// The issue date.
    pub issue_date: Date,
    /// When payment is due, if stated.
    pub due_date: Option<Date>,
    /// The period the service was delivered in (first and last day), if stated.
    pub service_period: Option<(Date, Date)>,
    /// Language of the labels.
    pub locale: Locale,
    /// The locale numbers, money and dates are written in (BCP 47: "en-US", "de-AT"); `None`
    /// for the language's own ([`Locale::tag`]). The organization's, when it speaks the document's
    /// language, so the invoice reads as the app does.
    pub number_locale: Option<String>,
    /// How tracked time reads in the quantity column: "1:40" or "1.67".
    pub duration_style: stint_domain::DurationStyle,
    /// Paper size.
    pub paper: Paper,
    /// ISO 4217 currency code, e.g. "EUR".
    pub currency: String,
    /// Decimal places of the currency (EUR 2, JPY 0, BHD 3); amounts are printed with exactly this many.
    pub minor_units: u32,
    /// Who issues the document.
    pub seller: Party,
    /// Who receives it.
    pub buyer: Party,
    /// The seller's logo as PNG bytes, drawn top-left.
    pub logo_png: Option<Vec<u8>>,
    /// The invoice lines, in order.
    pub lines: Vec<Line>,
    /// A document-level discount: label and (positive) amount.
    pub allowance: Option<(String, Decimal)>,
    /// The tax breakdown, one row per category and rate.
    pub tax_rows: Vec<TaxRow>,
    /// The totals.
    pub totals: Totals,
    /// Free text, including legally required notes (reverse charge, exemption reason).
    pub notes: Vec<String>,
    /// How to pay, if stated.
    pub payment: Option<Payment>,
    /// A line under the title saying what the invoice is about (empty: none).
    pub subject: String,
    /// The paragraph before the lines (empty: none).
    pub intro: String,
    /// The paragraph after the payment block (empty: none).
    pub closing: String,
    /// The sender's address on one line above the recipient's, for window envelopes
    /// ("Muster GmbH · Hauptstr. 1 · 10115 Berlin"); in place of the "Bill to" caption.
    pub return_address: Option<String>,
    /// Paid in full: a stamp beside the title (the caller leaves out the payment block).
    pub paid: bool,
    /// The footer of every page (DIN 5008): up to four columns of lines, e.g. address, contact,
    /// bank, register. Empty: just the page numbers.
    pub footer: Vec<Vec<String>>,
}

/// What kind of document this is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// A normal invoice.
    Invoice,
    /// A credit note correcting an earlier invoice.
    CreditNote {
        /// The number of the corrected invoice.
        corrects: String,
    },
}

/// Paper size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in PDF points (1/72 in).
    pub fn size_pt(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.276, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// A seller or buyer.
#[derive(Clone, Debug, Default)]
pub struct Party {
    /// Legal or display name.
    pub name: String,
    /// Street, postcode and city, one per line.
    pub address_lines: Vec<String>,
    /// Country, as it should be printed.
    pub country: String,
    /// VAT identification number.
    pub vat_id: Option<String>,
    /// Contact e-mail address.
    pub email: Option<String>,
}

/// One invoice line.
#[derive(Clone, Debug)]
pub struct Line {
    /// What was delivered.
    pub description: String,
    /// An optional smaller line under the description (e.g. dates or a ticket number).
    pub detail: Option<String>,
    /// How much.
    pub quantity: Decimal,
    /// The quantity is hours of tracked time, shown as hours and minutes ("1:40 h", not
    /// "1.6667 h"): what the time was, and what its amount is the price of.
    pub tracked_time: bool,
    /// The unit of the quantity, as the caller words it ("h", "Std.", "pcs").
    pub unit: String,
    /// Price per unit.
    pub unit_price: Decimal,
    /// Amount taken off this line, if any.
    pub discount: Option<Decimal>,
    /// Tax rate in percent.
    pub tax_percent: Decimal,
    /// Net amount of the line.
    pub net: Decimal,
}

/// One row of the tax breakdown.
#[derive(Clone, Debug)]
pub struct TaxRow {
    /// The caller's label, e.g. "VAT 19 %" or "Reverse charge".
    pub label: String,
    /// Tax rate in percent.
    pub percent: Decimal,
    /// The taxable amount.
    pub base: Decimal,
    /// The tax.
    pub tax: Decimal,
}

/// The document totals.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    /// Total without tax.
    pub net: Decimal,
    /// Total tax.
    pub tax: Decimal,
    /// Total with tax.
    pub gross: Decimal,
    /// Already paid (prepayments).
    pub paid: Decimal,
    /// Still to pay.
    pub due: Decimal,
}

/// How to pay by bank transfer.
#[derive(Clone, Debug)]
pub struct Payment {
    /// Payment terms, e.g. "Payable within 14 days without deduction."
    pub terms: String,
    /// Name of the account holder.
    pub account_holder: String,
    /// IBAN, with or without spaces.
    pub iban: String,
    /// BIC, if stated.
    pub bic: Option<String>,
    /// Remittance information the payer should quote.
    pub reference: String,
}
