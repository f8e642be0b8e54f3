//! Invoices and credit notes: lines, taxes, discounts, totals, numbering and the lifecycle
//! Draft → Issued → Partially paid → Paid, or Void.
//!
//! Once issued, an invoice's content is frozen (GoBD): [`Invoice::edit`] refuses, and corrections go
//! through a credit note (which references the invoice it corrects) or void-and-reissue. Payments may
//! still be recorded on an issued invoice; they change its status, never its content.

pub mod billing;
pub mod letter;
pub mod mark;
pub mod numbering;
pub mod recurring;
pub mod totals;
pub mod work;

pub use billing::{BankAccount, BillingProfile, ClientBilling, TaxRate};
pub use letter::{InvoiceTexts, Language, SellerLegal};
pub use mark::{Billed, BillingMark, Work};
pub use numbering::{Counters, NumberingScheme, SeriesKey};
pub use recurring::{Every, RecurringInvoice};
pub use totals::{TaxGroup, Totals};
pub use work::{
    IsoWords, LineDetail, LineGrouping, WorkItem, WorkWords, lines_from_work, lines_from_work_with,
};

use crate::ids::*;
use crate::money::Currency;
use crate::validate::{self, ValidationError};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Tax categories of EN 16931 (UNTDID 5305 codes).
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TaxCategory {
    /// Standard or reduced rate (S).
    Standard,
    /// Zero rated goods (Z).
    ZeroRated,
    /// Exempt from tax (E).
    Exempt,
    /// Reverse charge: the buyer pays the VAT (AE).
    ReverseCharge,
    /// Intra-community supply (K).
    IntraCommunity,
    /// Export outside the EU (G).
    Export,
    /// Outside the scope of VAT (O).
    OutsideScope,
}

impl TaxCategory {
    /// The UNTDID 5305 code used in e-invoices.
    pub fn code(self) -> &'static str {
        match self {
            TaxCategory::Standard => "S",
            TaxCategory::ZeroRated => "Z",
            TaxCategory::Exempt => "E",
            TaxCategory::ReverseCharge => "AE",
            TaxCategory::IntraCommunity => "K",
            TaxCategory::Export => "G",
            TaxCategory::OutsideScope => "O",
        }
    }

    /// Whether the rate must be zero (everything but Standard).
    pub fn zero_rate(self) -> bool {
        self != TaxCategory::Standard
    }

    /// The note the law requires on the invoice (EN 16931 BT-120, exemption reason), in English,
    /// if any ([`letter::tax_note`] in other languages).
    pub fn required_note(self) -> Option<&'static str> {
        letter::tax_note(self, Language::En, None)
    }

    /// Whether seller and buyer must both have a VAT id (BR-AE-02, BR-IC-02).
    pub fn needs_both_vat_ids(self) -> bool {
        matches!(
            self,
            TaxCategory::ReverseCharge | TaxCategory::IntraCommunity
        )
    }
}

impl std::str::FromStr for TaxCategory {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(
            match s
                .trim()
                .to_ascii_lowercase()
                .replace(['-', ' '], "_")
                .as_str()
            {
                "s" | "standard" => TaxCategory::Standard,
                "z" | "zero" | "zero_rated" => TaxCategory::ZeroRated,
                "e" | "exempt" => TaxCategory::Exempt,
                "ae" | "reverse_charge" => TaxCategory::ReverseCharge,
                "k" | "intra_community" => TaxCategory::IntraCommunity,
                "g" | "export" => TaxCategory::Export,
                "o" | "outside_scope" => TaxCategory::OutsideScope,
                _ => {
                    return Err(ValidationError::new(format!(
                        "{s:?} is not a tax category (use standard, zero, exempt, reverse-charge, intra-community, export or outside-scope)"
                    )));
                }
            },
        )
    }
}

/// The tax of a line: category and rate.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Tax {
    /// Category.
    pub category: TaxCategory,
    /// Rate in percent (0 for every category but standard).
    #[ts(type = "string")]
    pub percent: Decimal,
}

impl Tax {
    /// Standard rate.
    pub fn standard(percent: Decimal) -> Self {
        Self {
            category: TaxCategory::Standard,
            percent,
        }
    }

    /// A zero-rate category.
    pub fn zero(category: TaxCategory) -> Self {
        Self {
            category,
            percent: Decimal::ZERO,
        }
    }

    /// Check the rate against the category.
    pub fn validate(self) -> Result<Self, ValidationError> {
        if self.percent.is_sign_negative() || self.percent > Decimal::ONE_HUNDRED {
            return Err(ValidationError::new(format!(
                "tax rate {} % is not between 0 and 100",
                self.percent
            )));
        }
        if self.category.zero_rate() && !self.percent.is_zero() {
            return Err(ValidationError::new(format!(
                "tax category {} has a rate of 0 %, not {} %",
                self.category.code(),
                self.percent
            )));
        }
        if self.category == TaxCategory::Standard && self.percent.is_zero() {
            return Err(ValidationError::new(
                "a standard tax rate of 0 % is not allowed; use the zero-rated or exempt category",
            ));
        }
        Ok(self)
    }
}

/// Whether prices include tax.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TaxMode {
    /// Prices are net; tax is added.
    #[default]
    Exclusive,
    /// Prices include tax; tax is taken out.
    Inclusive,
}

/// Where tax is rounded.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TaxRounding {
    /// Once per tax group (EN 16931's rule BR-CO-17).
    #[default]
    PerDocument,
    /// On each line, then summed.
    PerLine,
}

/// A discount on a line or on the whole invoice.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
#[ts(export)]
pub enum Discount {
    /// Percent off.
    Percent(#[ts(type = "string")] Decimal),
    /// An amount off (in the invoice's price mode).
    Amount(#[ts(type = "string")] Decimal),
}

/// The unit of a line's quantity (UN/ECE Recommendation 20 codes in e-invoices).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Unit {
    /// Hours (HUR).
    Hour,
    /// Days (DAY).
    Day,
    /// Pieces (H87).
    Piece,
    /// A lump sum (LS).
    LumpSum,
}

impl Unit {
    /// The UN/ECE Rec. 20 code.
    pub fn code(self) -> &'static str {
        match self {
            Unit::Hour => "HUR",
            Unit::Day => "DAY",
            Unit::Piece => "H87",
            Unit::LumpSum => "LS",
        }
    }
}

/// Where a line came from; invoiced entries and expenses are locked until the invoice is voided.
///
/// Only the engine makes `Time` and `Expense` lines, from unbilled work, and it locks that work in the
/// same transaction. Lines from callers are [`TypedLine`]s, which cannot name work.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "type")]
#[ts(export)]
pub enum LineSource {
    /// Typed in.
    Manual,
    /// Tracked time.
    Time {
        /// The entries this line bills.
        entries: Vec<EntryId>,
    },
    /// A billable expense.
    Expense {
        /// The expense.
        expense: ExpenseId,
    },
}

/// One line of an invoice.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct InvoiceLine {
    /// What is billed.
    pub description: String,
    /// A second, smaller line (e.g. the period or the people).
    pub detail: Option<String>,
    /// Quantity.
    #[ts(type = "string")]
    pub quantity: Decimal,
    /// Its unit.
    pub unit: Unit,
    /// Price per unit (net or gross per the invoice's tax mode).
    #[ts(type = "string")]
    pub unit_price: Decimal,
    /// Discount on this line.
    pub discount: Option<Discount>,
    /// Tax.
    pub tax: Tax,
    /// Where it came from.
    pub source: LineSource,
    /// For a line that bills tracked time: what that time is worth, the sum of its entries'
    /// amounts ([`crate::entry::AMOUNT_DECIMALS`] places each), so that the line's amount is the
    /// cents the report shows for the same entries, not its rounded quantity × price
    /// (docs/invoicing.md, "One amount for one piece of work"). Absent on typed lines and on
    /// lines written before it existed: their amount is quantity × price.
    #[serde(default)]
    #[ts(optional, type = "string | null")]
    pub worth: Option<Decimal>,
}

/// A line typed in by a caller (the CLI, the desktop app, a recurring template): an [`InvoiceLine`]
/// without a source, which becomes [`LineSource::Manual`]. Lines that bill tracked time or expenses
/// are made only by the engine, from unbilled work; a line from outside cannot name work, so it can
/// neither bill work twice nor, when its draft is deleted, release work that another invoice bills.
///
/// Read from outside, a `source` is refused unless it says `manual` (what earlier callers sent), and so
/// is any field it does not know.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TypedLine {
    /// What is billed.
    pub description: String,
    /// A second, smaller line (e.g. the period or the people).
    pub detail: Option<String>,
    /// Quantity.
    #[ts(type = "string")]
    pub quantity: Decimal,
    /// Its unit.
    pub unit: Unit,
    /// Price per unit (net or gross per the invoice's tax mode).
    #[ts(type = "string")]
    pub unit_price: Decimal,
    /// Discount on this line.
    pub discount: Option<Discount>,
    /// Tax.
    pub tax: Tax,
}

/// Why a line from outside that names work is refused.
pub const TYPED_LINES_ONLY: &str = "a line from outside can only be a typed line; work is added from unbilled time and expenses when the invoice is created, never named by a line";

/// A [`TypedLine`] as it arrives: the fields of a line, and a `source` that may only be `manual`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TypedLineInput {
    description: String,
    #[serde(default)]
    detail: Option<String>,
    quantity: Decimal,
    unit: Unit,
    unit_price: Decimal,
    #[serde(default)]
    discount: Option<Discount>,
    tax: Tax,
    #[serde(default)]
    source: Option<LineSource>,
}

impl<'de> Deserialize<'de> for TypedLine {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let line = TypedLineInput::deserialize(deserializer)?;
        if line.source.is_some_and(|s| s != LineSource::Manual) {
            return Err(serde::de::Error::custom(TYPED_LINES_ONLY));
        }
        Ok(TypedLine {
            description: line.description,
            detail: line.detail,
            quantity: line.quantity,
            unit: line.unit,
            unit_price: line.unit_price,
            discount: line.discount,
            tax: line.tax,
        })
    }
}

impl From<TypedLine> for InvoiceLine {
    fn from(line: TypedLine) -> Self {
        InvoiceLine {
            description: line.description,
            detail: line.detail,
            quantity: line.quantity,
            unit: line.unit,
            unit_price: line.unit_price,
            discount: line.discount,
            tax: line.tax,
            source: LineSource::Manual,
            worth: None,
        }
    }
}

/// The most lines an invoice may have (the PDF and e-invoice handle far more; this catches runaway input).
pub const MAX_LINES: usize = 5_000;
const MAX_QUANTITY: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
const MAX_PRICE: Decimal = Decimal::from_parts(100_000_000, 0, 0, false, 0);

impl InvoiceLine {
    /// Check every field; `currency` bounds the price's decimals.
    pub fn validate(mut self, currency: Currency) -> Result<Self, ValidationError> {
        self.description = validate::name("line description", &self.description).map_err(|_| {
            ValidationError::new("every line needs a description (at most 200 characters)")
        })?;
        self.detail = match self.detail.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(validate::note(d)?),
        };
        if self.quantity <= Decimal::ZERO || self.quantity > MAX_QUANTITY {
            return Err(ValidationError::new(format!(
                "line {:?}: the quantity must be greater than 0 and at most {MAX_QUANTITY}",
                self.description
            )));
        }
        if self.quantity.scale() > 4 {
            return Err(ValidationError::new(format!(
                "line {:?}: a quantity has at most 4 decimals",
                self.description
            )));
        }
        if self.unit_price.is_sign_negative() || self.unit_price > MAX_PRICE {
            return Err(ValidationError::new(format!(
                "line {:?}: the unit price must be between 0 and {MAX_PRICE}",
                self.description
            )));
        }
        if self.unit_price.scale() > currency.exponent() + 2 {
            return Err(ValidationError::new(format!(
                "line {:?}: a unit price in {currency} has at most {} decimals",
                self.description,
                currency.exponent() + 2
            )));
        }
        if let Some(worth) = self.worth {
            // The worth is the exact value of the time the quantity rounds to four decimals of an
            // hour: it may differ from quantity × price by that rounding, never by more.
            // A hundredth of a cent more for the entries' own rounding (ten places each).
            let slack = self.unit_price * Decimal::new(1, 4) + Decimal::new(1, 4);
            if self.unit != Unit::Hour
                || worth.is_sign_negative()
                || worth.scale() > crate::entry::AMOUNT_DECIMALS
                || (worth - self.quantity * self.unit_price).abs() > slack
            {
                return Err(ValidationError::new(format!(
                    "line {:?}: the worth of its time must be its hours × price",
                    self.description
                )));
            }
        }
        let base = totals::line_base(&self);
        match self.discount {
            Some(Discount::Percent(p)) if p.is_sign_negative() || p > Decimal::ONE_HUNDRED => {
                return Err(ValidationError::new(format!(
                    "line {:?}: a discount is between 0 and 100 %",
                    self.description
                )));
            }
            Some(Discount::Amount(a)) if a.is_sign_negative() || a > base => {
                return Err(ValidationError::new(format!(
                    "line {:?}: the discount must be between 0 and the line's amount",
                    self.description
                )));
            }
            _ => {}
        }
        self.tax = self.tax.validate()?;
        Ok(self)
    }
}

/// A party on an invoice (frozen into the invoice when it is issued).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Party {
    /// Legal name.
    pub name: String,
    /// Street and number.
    pub street: String,
    /// Postal code.
    pub postcode: String,
    /// City.
    pub city: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// VAT identifier, e.g. `DE123456789`.
    pub vat_id: Option<String>,
    /// E-mail address (for e-invoices: the electronic address).
    pub email: Option<String>,
    /// A contact person (XRechnung requires one for the seller).
    #[serde(default)]
    pub contact: Option<String>,
    /// A telephone number (XRechnung requires one for the seller).
    #[serde(default)]
    pub phone: Option<String>,
}

impl Party {
    /// Trim and bound every field (an incomplete party may be saved; [`Party::check_complete`] runs at issue).
    pub fn validate(mut self, role: &str) -> Result<Self, ValidationError> {
        let field = |what: &str, value: &str| -> Result<String, ValidationError> {
            let value = value.trim();
            if value.chars().count() > 200 || value.chars().any(char::is_control) {
                return Err(ValidationError::new(format!(
                    "the {role}'s {what} must be one line of at most 200 characters"
                )));
            }
            Ok(value.to_owned())
        };
        self.name = field("name", &self.name)?;
        self.street = field("street", &self.street)?;
        self.postcode = field("postcode", &self.postcode)?;
        self.city = field("city", &self.city)?;
        self.country = field("country", &self.country)?.to_ascii_uppercase();
        self.vat_id = match self.vat_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => Some(field("VAT id", &v.replace(' ', ""))?.to_ascii_uppercase()),
        };
        self.email = match self.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) if e.contains('@') && !e.contains(char::is_whitespace) => {
                Some(field("e-mail", e)?)
            }
            Some(e) => {
                return Err(ValidationError::new(format!(
                    "{e:?} is not an e-mail address"
                )));
            }
        };
        Ok(self)
    }

    /// What is missing for an invoice to be issued to or from this party; `role` is "seller" or "buyer".
    pub fn check_complete(&self, role: &str) -> Result<(), ValidationError> {
        let missing = [
            ("name", self.name.trim().is_empty()),
            ("street", self.street.trim().is_empty()),
            ("postcode", self.postcode.trim().is_empty()),
            ("city", self.city.trim().is_empty()),
        ];
        if let Some((field, _)) = missing.iter().find(|(_, empty)| *empty) {
            return Err(ValidationError::new(format!(
                "the {role}'s address has no {field}"
            )));
        }
        let country = self.country.trim();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(ValidationError::new(format!(
                "the {role}'s country must be a two-letter ISO code such as DE or FR, not {country:?}"
            )));
        }
        Ok(())
    }
}

/// Where an invoice is in its life.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InvoiceStatus {
    /// Being written; no number yet.
    Draft,
    /// Numbered and frozen; nothing paid yet.
    Issued,
    /// Some of it paid.
    PartiallyPaid,
    /// All of it paid.
    Paid,
    /// Cancelled after issue; its work is billable again.
    Void,
}

/// An invoice or a credit note.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "type")]
#[ts(export)]
pub enum InvoiceKind {
    /// An invoice.
    Invoice,
    /// A credit note correcting an issued invoice.
    CreditNote {
        /// The invoice it corrects.
        corrects: InvoiceId,
    },
}

/// A payment received.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Payment {
    /// When it arrived.
    #[ts(type = "string")]
    pub date: Date,
    /// How much.
    #[ts(type = "string")]
    pub amount: Decimal,
    /// A note (bank reference).
    pub note: String,
    /// How it was paid, if said.
    #[serde(default)]
    pub method: Option<PaymentMethod>,
}

/// How a payment was made.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PaymentMethod {
    /// A bank transfer.
    BankTransfer,
    /// A direct debit.
    DirectDebit,
    /// A card payment.
    Card,
    /// Cash.
    Cash,
    /// PayPal.
    #[serde(rename = "paypal")]
    PayPal,
    /// Anything else.
    Other,
}

impl PaymentMethod {
    /// How the method is printed in English.
    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::BankTransfer => "bank transfer",
            PaymentMethod::DirectDebit => "direct debit",
            PaymentMethod::Card => "card",
            PaymentMethod::Cash => "cash",
            PaymentMethod::PayPal => "PayPal",
            PaymentMethod::Other => "other",
        }
    }
}

impl std::str::FromStr for PaymentMethod {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(
            match s
                .trim()
                .to_ascii_lowercase()
                .replace(['-', ' '], "_")
                .as_str()
            {
                "bank_transfer" | "transfer" | "bank" => PaymentMethod::BankTransfer,
                "direct_debit" | "debit" => PaymentMethod::DirectDebit,
                "card" => PaymentMethod::Card,
                "cash" => PaymentMethod::Cash,
                "paypal" => PaymentMethod::PayPal,
                "other" => PaymentMethod::Other,
                _ => {
                    return Err(ValidationError::new(format!(
                        "{s:?} is not a payment method (use transfer, debit, card, cash, paypal or other)"
                    )));
                }
            },
        )
    }
}

/// An invoice (or credit note).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Invoice {
    /// Its id.
    pub id: InvoiceId,
    /// Invoice or credit note.
    pub kind: InvoiceKind,
    /// The client billed.
    pub client: ClientId,
    /// Currency of every amount.
    pub currency: Currency,
    /// The number, assigned at issue.
    pub number: Option<String>,
    /// Issue date, set at issue.
    #[ts(type = "string | null")]
    pub issue_date: Option<Date>,
    /// Days until due after issue.
    pub payment_days: u16,
    /// The period of the work billed.
    #[ts(type = "[string, string] | null")]
    pub service_period: Option<(Date, Date)>,
    /// Lines.
    pub lines: Vec<InvoiceLine>,
    /// Discount on the whole invoice.
    pub discount: Option<Discount>,
    /// Whether prices include tax.
    pub tax_mode: TaxMode,
    /// Where tax is rounded.
    pub tax_rounding: TaxRounding,
    /// Free text printed on the invoice.
    pub notes: String,
    /// Seller as at issue (frozen).
    // Shared (`Arc`): invoices naming equal parties hold one copy in memory; serialized as the
    // party itself.
    pub seller: Option<Arc<Party>>,
    /// Buyer as at issue (frozen).
    pub buyer: Option<Arc<Party>>,
    /// Payments received.
    pub payments: Vec<Payment>,
    /// Status.
    pub status: InvoiceStatus,
    /// Why it was voided.
    pub void_reason: Option<String>,
    /// The language it is written in (the client's when it was made); `None` on invoices made
    /// before languages, which follow the organization's locale.
    #[serde(default)]
    pub language: Option<Language>,
    /// Subject, intro and closing: the invoice's own, or `None` for the organization's texts in
    /// its language (frozen into the invoice at issue).
    // Shared (`Arc`), like the parties: an organization's invoices mostly say the same.
    #[serde(default)]
    pub texts: Option<Arc<InvoiceTexts>>,
    /// The seller's legal details as at issue (frozen, as the seller is).
    // Shared (`Arc`), like the parties.
    #[serde(default)]
    pub seller_legal: Option<Arc<SellerLegal>>,
    /// The organization's locale at issue, which its numbers and dates are written in (frozen, so
    /// that an issued invoice prints the same after the organization changes its locale); `None`
    /// on drafts and on invoices issued before it was kept, which follow the organization's.
    #[serde(default)]
    pub locale: Option<String>,
    /// The duration style of its quantities at issue (frozen with `locale`).
    #[serde(default)]
    pub duration_style: Option<crate::model::DurationStyle>,
}

/// Why an invoice operation is refused.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum InvoiceError {
    /// Bad input.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The invoice is issued (or void): its content is frozen.
    #[error(
        "invoice {0} is issued and cannot be changed; record a payment, void it, or issue a credit note"
    )]
    Frozen(String),
    /// The operation needs another status.
    #[error("{0}")]
    WrongStatus(String),
}

impl Invoice {
    /// A new, empty draft.
    pub fn draft(id: InvoiceId, client: ClientId, currency: Currency, payment_days: u16) -> Self {
        Self {
            id,
            kind: InvoiceKind::Invoice,
            client,
            currency,
            number: None,
            issue_date: None,
            payment_days,
            service_period: None,
            lines: Vec::new(),
            discount: None,
            tax_mode: TaxMode::Exclusive,
            tax_rounding: TaxRounding::PerDocument,
            notes: String::new(),
            seller: None,
            buyer: None,
            payments: Vec::new(),
            status: InvoiceStatus::Draft,
            void_reason: None,
            language: None,
            texts: None,
            seller_legal: None,
            locale: None,
            duration_style: None,
        }
    }

    /// How the invoice is called in messages: its number, or "draft" with the id's tail.
    pub fn label(&self) -> String {
        match &self.number {
            Some(n) => n.clone(),
            None => format!("draft {}", &self.id.to_string()[20..]),
        }
    }

    /// Whether this is a credit note.
    pub fn is_credit_note(&self) -> bool {
        matches!(self.kind, InvoiceKind::CreditNote { .. })
    }

    /// Every amount.
    pub fn totals(&self) -> Totals {
        totals::compute(
            &self.lines,
            self.discount,
            self.tax_mode,
            self.tax_rounding,
            self.currency,
        )
    }

    /// Sum of payments.
    pub fn paid(&self) -> Decimal {
        self.payments.iter().map(|p| p.amount).sum()
    }

    /// What is still owed (0 for drafts and void invoices).
    pub fn due_amount(&self) -> Decimal {
        match self.status {
            InvoiceStatus::Draft | InvoiceStatus::Void => Decimal::ZERO,
            _ => self.totals().gross - self.paid(),
        }
    }

    /// The day payment is due.
    pub fn due_date(&self) -> Option<Date> {
        self.issue_date.and_then(|d| {
            d.checked_add(jiff::Span::new().days(i64::from(self.payment_days)))
                .ok()
        })
    }

    /// Whether payment is late on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        matches!(
            self.status,
            InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid
        ) && self.due_date().is_some_and(|due| today > due)
    }

    /// Change a draft: the closure edits a copy, which is validated as a whole before it replaces
    /// this one. Issued and void invoices refuse.
    pub fn edit(&mut self, change: impl FnOnce(&mut Invoice)) -> Result<(), InvoiceError> {
        if self.status != InvoiceStatus::Draft {
            return Err(InvoiceError::Frozen(self.label()));
        }
        let mut next = self.clone();
        change(&mut next);
        next.id = self.id;
        next.status = InvoiceStatus::Draft;
        next.number = None;
        *self = next.validate()?;
        Ok(())
    }

    /// Check every field of a draft.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        if self.lines.len() > MAX_LINES {
            return Err(ValidationError::new(format!(
                "an invoice has at most {MAX_LINES} lines"
            )));
        }
        let currency = self.currency;
        self.lines = self
            .lines
            .into_iter()
            .map(|l| l.validate(currency))
            .collect::<Result<_, _>>()?;
        self.notes = validate::note(&self.notes)?;
        let valid = |t: Arc<InvoiceTexts>| Arc::unwrap_or_clone(t).validate().map(Arc::new);
        self.texts = self.texts.map(valid).transpose()?;
        let valid = |l: Arc<SellerLegal>| Arc::unwrap_or_clone(l).validate().map(Arc::new);
        self.seller_legal = self.seller_legal.map(valid).transpose()?;
        if let Some(locale) = &self.locale {
            crate::model::validate_locale(locale)?;
        }
        if self.payment_days > 365 {
            return Err(ValidationError::new("payment terms are at most 365 days"));
        }
        if let Some((from, to)) = self.service_period
            && to < from
        {
            return Err(ValidationError::new(
                "the service period ends before it starts",
            ));
        }
        let total_before: Decimal = self
            .lines
            .iter()
            .map(|l| totals::line_amount(l, currency))
            .sum();
        match self.discount {
            Some(Discount::Percent(p)) if p.is_sign_negative() || p > Decimal::ONE_HUNDRED => {
                return Err(ValidationError::new(
                    "the invoice discount is between 0 and 100 %",
                ));
            }
            Some(Discount::Amount(a)) if a.is_sign_negative() || a > total_before => {
                return Err(ValidationError::new(
                    "the invoice discount must be between 0 and the sum of the lines",
                ));
            }
            _ => {}
        }
        Ok(self)
    }

    /// Issue: check that the invoice can legally go out, freeze the parties, set number and date.
    /// The number comes from [`NumberingScheme::assign`], which the caller commits together with this.
    pub fn issue(
        &mut self,
        number: String,
        date: Date,
        seller: Party,
        buyer: Party,
    ) -> Result<(), InvoiceError> {
        if self.status != InvoiceStatus::Draft {
            return Err(InvoiceError::WrongStatus(format!(
                "invoice {} is already issued",
                self.label()
            )));
        }
        if self.lines.is_empty() {
            return Err(ValidationError::new(
                "an invoice needs at least one line before it is issued",
            )
            .into());
        }
        seller.check_complete("seller")?;
        buyer.check_complete("buyer")?;
        if self
            .lines
            .iter()
            .any(|l| l.tax.category.needs_both_vat_ids())
        {
            if seller.vat_id.as_deref().is_none_or(|v| v.trim().is_empty()) {
                return Err(ValidationError::new(
                    "reverse charge and intra-community lines need the seller's VAT id",
                )
                .into());
            }
            if buyer.vat_id.as_deref().is_none_or(|v| v.trim().is_empty()) {
                return Err(ValidationError::new(
                    "reverse charge and intra-community lines need the buyer's VAT id",
                )
                .into());
            }
        }
        let totals = self.totals();
        if totals.gross.is_sign_negative() {
            return Err(
                ValidationError::new("the total is negative; issue a credit note instead").into(),
            );
        }
        self.number = Some(number);
        self.issue_date = Some(date);
        self.seller = Some(Arc::new(seller));
        self.buyer = Some(Arc::new(buyer));
        self.status = InvoiceStatus::Issued;
        Ok(())
    }

    /// The notes the law requires for the tax categories used (exemption reasons), in English,
    /// without repeats.
    pub fn required_notes(&self) -> Vec<&'static str> {
        self.tax_notes(Language::En, None)
    }

    /// The notes the law requires for the tax categories used, in `language`, without repeats;
    /// `small_business_of` as in [`letter::tax_note`].
    pub fn tax_notes(
        &self,
        language: Language,
        small_business_of: Option<&str>,
    ) -> Vec<&'static str> {
        let mut notes: Vec<&'static str> = self
            .lines
            .iter()
            .filter_map(|l| letter::tax_note(l.tax.category, language, small_business_of))
            .collect();
        notes.sort_unstable();
        notes.dedup();
        notes
    }

    /// Record a payment on an issued invoice; it may not exceed what is due.
    pub fn record_payment(&mut self, payment: Payment) -> Result<(), InvoiceError> {
        match self.status {
            InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid => {}
            InvoiceStatus::Draft => {
                return Err(InvoiceError::WrongStatus(format!(
                    "{} is a draft; issue it before recording a payment",
                    self.label()
                )));
            }
            InvoiceStatus::Paid => {
                return Err(InvoiceError::WrongStatus(format!(
                    "invoice {} is already paid in full",
                    self.label()
                )));
            }
            InvoiceStatus::Void => {
                return Err(InvoiceError::WrongStatus(format!(
                    "invoice {} is void",
                    self.label()
                )));
            }
        }
        let due = self.due_amount();
        if payment.amount <= Decimal::ZERO {
            return Err(ValidationError::new("a payment must be greater than zero").into());
        }
        if payment.amount.scale() > self.currency.exponent() {
            return Err(ValidationError::new(format!(
                "{} has more decimals than {} allows",
                payment.amount, self.currency
            ))
            .into());
        }
        if payment.amount > due {
            return Err(ValidationError::new(format!(
                "the payment {} is more than the {} {} still due",
                payment.amount, due, self.currency
            ))
            .into());
        }
        if self.issue_date.is_some_and(|d| payment.date < d) {
            return Err(
                ValidationError::new("a payment cannot be dated before the invoice").into(),
            );
        }
        self.payments.push(Payment {
            note: validate::note(&payment.note)?,
            ..payment
        });
        self.status = if self.due_amount().is_zero() {
            InvoiceStatus::Paid
        } else {
            InvoiceStatus::PartiallyPaid
        };
        Ok(())
    }

    /// Void an issued invoice that has no payments; its entries and expenses become billable again.
    pub fn void(&mut self, reason: &str) -> Result<(), InvoiceError> {
        match self.status {
            InvoiceStatus::Issued => {}
            InvoiceStatus::Draft => {
                return Err(InvoiceError::WrongStatus(format!(
                    "{} is a draft; delete it instead of voiding",
                    self.label()
                )));
            }
            InvoiceStatus::Void => {
                return Err(InvoiceError::WrongStatus(format!(
                    "invoice {} is already void",
                    self.label()
                )));
            }
            InvoiceStatus::PartiallyPaid | InvoiceStatus::Paid => {
                return Err(InvoiceError::WrongStatus(format!(
                    "invoice {} has payments; issue a credit note instead of voiding",
                    self.label()
                )));
            }
        }
        let reason = validate::note(reason)?;
        if reason.is_empty() {
            return Err(ValidationError::new("say why the invoice is voided").into());
        }
        self.void_reason = Some(reason);
        self.status = InvoiceStatus::Void;
        Ok(())
    }

    /// A draft credit note for this issued invoice, with all its lines (remove or change lines to
    /// credit part of it). The lines keep no source: crediting does not unlock the work billed.
    pub fn credit_note(&self, id: InvoiceId) -> Result<Invoice, InvoiceError> {
        if !matches!(
            self.status,
            InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid | InvoiceStatus::Paid
        ) || self.is_credit_note()
        {
            return Err(InvoiceError::WrongStatus(format!(
                "only an issued invoice can be credited, not {}",
                self.label()
            )));
        }
        let mut note = Invoice::draft(id, self.client, self.currency, 0);
        note.kind = InvoiceKind::CreditNote { corrects: self.id };
        note.lines = self
            .lines
            .iter()
            .map(|l| InvoiceLine {
                source: LineSource::Manual,
                ..l.clone()
            })
            .collect();
        note.discount = self.discount;
        note.tax_mode = self.tax_mode;
        note.tax_rounding = self.tax_rounding;
        note.service_period = self.service_period;
        Ok(note)
    }

    /// Entries billed by this invoice.
    pub fn entries(&self) -> impl Iterator<Item = EntryId> + '_ {
        self.lines
            .iter()
            .flat_map(|l| match &l.source {
                LineSource::Time { entries } => entries.as_slice(),
                _ => &[],
            })
            .copied()
    }

    /// Expenses billed by this invoice.
    pub fn expenses(&self) -> impl Iterator<Item = ExpenseId> + '_ {
        self.lines.iter().filter_map(|l| match &l.source {
            LineSource::Expense { expense } => Some(*expense),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests;
