//! Recurring invoices: a template of lines for a client that becomes a draft every N weeks or months.
//!
//! Occurrences are counted from the start date, never stepped from the previous one, so a series
//! that starts on 31 January falls on 28 February, 31 March, 30 April (not on the 28th ever after).
//! The caller (the engine) makes the drafts due up to today and stores the advanced count with them
//! in one transaction, so a draft is never made twice or skipped.

use super::{InvoiceLine, LineSource};
use crate::ids::{ClientId, RecurringId};
use crate::money::Currency;
use crate::validate::ValidationError;
use jiff::Span;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// How often.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "unit", content = "count")]
#[ts(export)]
pub enum Every {
    /// Every N weeks.
    Weeks(u8),
    /// Every N months.
    Months(u8),
}

impl std::str::FromStr for Every {
    type Err = ValidationError;
    /// `week`, `2weeks`, `month`, `3months`, `quarter`, `year`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        let unit = t[digits.len()..].trim();
        let n: u8 = if digits.is_empty() {
            1
        } else {
            digits.parse().unwrap_or(0)
        };
        let every = match unit {
            "week" | "weeks" | "w" => Every::Weeks(n),
            "month" | "months" | "m" => Every::Months(n),
            "quarter" | "quarters" => Every::Months(n.saturating_mul(3)),
            "year" | "years" => Every::Months(n.saturating_mul(12)),
            _ => Every::Weeks(0),
        };
        match every {
            Every::Weeks(1..=52) | Every::Months(1..=36) => Ok(every),
            _ => Err(ValidationError::new(format!(
                "{s:?} is not an interval (use week, 2weeks, month, 3months, quarter or year)"
            ))),
        }
    }
}

/// The most drafts one run makes for one series (after a long time without opening the app).
pub const MAX_CATCH_UP: usize = 24;

/// A recurring invoice.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct RecurringInvoice {
    /// Its id.
    pub id: RecurringId,
    /// The client billed.
    pub client: ClientId,
    /// The lines of every draft.
    pub lines: Vec<InvoiceLine>,
    /// How often.
    pub every: Every,
    /// The first draft's date.
    #[ts(type = "string")]
    pub start: Date,
    /// No drafts after this day.
    #[ts(type = "string | null")]
    pub until: Option<Date>,
    /// Drafts made so far.
    pub made: u32,
    /// Paused series make nothing.
    pub active: bool,
}

impl RecurringInvoice {
    /// Check every field.
    pub fn validate(mut self, currency: Currency) -> Result<Self, ValidationError> {
        if self.lines.is_empty() {
            return Err(ValidationError::new(
                "a recurring invoice needs at least one line",
            ));
        }
        if self.lines.iter().any(|l| l.source != LineSource::Manual) {
            return Err(ValidationError::new(
                "recurring lines are typed lines, not tracked work",
            ));
        }
        self.lines = self
            .lines
            .into_iter()
            .map(|l| l.validate(currency))
            .collect::<Result<_, _>>()?;
        if let Some(until) = self.until
            && until < self.start
        {
            return Err(ValidationError::new("the series ends before it starts"));
        }
        self.every = self.every.checked()?;
        Ok(self)
    }

    /// The date of occurrence `n` (0 is the start).
    pub fn occurrence(&self, n: u32) -> Option<Date> {
        let span = match self.every {
            Every::Weeks(w) => Span::new().weeks(i64::from(w) * i64::from(n)),
            Every::Months(m) => Span::new().months(i64::from(m) * i64::from(n)),
        };
        self.start.checked_add(span).ok()
    }

    /// The next draft's date, if the series goes on.
    pub fn next(&self) -> Option<Date> {
        self.occurrence(self.made)
            .filter(|d| self.until.is_none_or(|u| *d <= u))
    }

    /// The dates of drafts due on `today` (oldest first, at most [`MAX_CATCH_UP`]).
    pub fn due(&self, today: Date) -> Vec<Date> {
        if !self.active {
            return Vec::new();
        }
        (self.made..)
            .map_while(|n| self.occurrence(n))
            .take_while(|d| *d <= today && self.until.is_none_or(|u| *d <= u))
            .take(MAX_CATCH_UP)
            .collect()
    }
}

impl Every {
    fn checked(self) -> Result<Self, ValidationError> {
        match self {
            Every::Weeks(1..=52) | Every::Months(1..=36) => Ok(self),
            _ => Err(ValidationError::new(
                "the interval is 1–52 weeks or 1–36 months",
            )),
        }
    }
}
