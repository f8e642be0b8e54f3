//! Expenses, optionally with a receipt file (stored encrypted like every other record).

use crate::ids::*;
use crate::money::Money;
use crate::validate::{self, ValidationError};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The largest receipt accepted.
pub const MAX_RECEIPT_BYTES: u64 = 20 * 1024 * 1024;

/// A receipt attached to an expense.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Receipt {
    /// The encrypted attachment holding the bytes.
    pub attachment: AttachmentId,
    /// The file's name as given.
    pub file_name: String,
    /// Its media type, e.g. `application/pdf`.
    pub media_type: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub size: u64,
}

/// Money spent.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Expense {
    /// Its id.
    pub id: ExpenseId,
    /// Who spent it (the author).
    pub member: MemberId,
    /// When.
    #[ts(type = "string")]
    pub date: Date,
    /// How much, positive.
    pub amount: Money,
    /// Category, e.g. "Travel".
    pub category: String,
    /// Free text.
    pub note: String,
    /// Whether it is passed on to a client.
    pub billable: bool,
    /// The project it belongs to, if any.
    pub project: Option<ProjectId>,
    /// The receipt, if attached.
    pub receipt: Option<Receipt>,
    /// Set once on an invoice.
    pub invoiced: bool,
}

impl Expense {
    /// Check every field.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        if self.amount.amount <= rust_decimal::Decimal::ZERO {
            return Err(ValidationError::new(
                "an expense amount must be greater than zero",
            ));
        }
        self.category = validate::name("category", &self.category)?;
        self.note = validate::note(&self.note)?;
        if let Some(receipt) = &self.receipt
            && receipt.size > MAX_RECEIPT_BYTES
        {
            return Err(ValidationError::new("a receipt may be at most 20 MiB"));
        }
        Ok(self)
    }
}

/// Media type from a file name's extension, for receipts.
pub fn media_type_for(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}
