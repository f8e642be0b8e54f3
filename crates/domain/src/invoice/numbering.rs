//! Invoice numbers: a pattern with tokens, counters per series, assigned at issue time.
//!
//! Tokens: `{YYYY}` and `{YY}` (year of the issue date), `{MM}` (month), `{SEQ}` or `{SEQ:n}` (the
//! series counter, zero-padded to n digits), `{CLIENT}` (the client's invoice prefix). The counter's
//! series is the pattern's scope: one per organization, or per client when `per_client` is set; with a
//! yearly reset, per year as well. Numbers are assigned only when an invoice is issued, from the counter
//! + 1, so a series has no gaps and no repeats.

use crate::ids::ClientId;
use crate::validate::ValidationError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// How invoice numbers are made.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NumberingScheme {
    /// The pattern, e.g. `INV-{YYYY}-{SEQ:4}`.
    pub pattern: String,
    /// Start again at 1 each calendar year.
    pub yearly_reset: bool,
    /// One sequence per client instead of one for the organization.
    pub per_client: bool,
}

impl Default for NumberingScheme {
    fn default() -> Self {
        Self {
            pattern: "{YYYY}-{SEQ:4}".into(),
            yearly_reset: true,
            per_client: false,
        }
    }
}

/// Which counter a number comes from.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct SeriesKey {
    /// `Some` for per-client sequences.
    pub client: Option<ClientId>,
    /// `Some` when the counter resets yearly.
    pub year: Option<i16>,
    /// The kind of document: invoices and credit notes count separately.
    pub credit_note: bool,
}

/// The last number used in each series.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Counters {
    /// Last counter value per series, as `(series, value)` pairs (JSON has no struct map keys).
    pub last: Vec<(SeriesKey, u64)>,
}

impl SeriesKey {
    /// The series as bytes, to name it to a server by a keyed hash (docs/formats.md, "Invoice
    /// series"): `client (16, zeros for none) || year i16 (0 for none) || flags`, where flags has
    /// bit 0 for a client, bit 1 for a year and bit 2 for credit notes.
    pub fn to_bytes(&self) -> [u8; 19] {
        let mut out = [0u8; 19];
        if let Some(client) = self.client {
            out[..16].copy_from_slice(&client.to_bytes());
        }
        out[16..18].copy_from_slice(&self.year.unwrap_or(0).to_be_bytes());
        out[18] = u8::from(self.client.is_some())
            | u8::from(self.year.is_some()) << 1
            | u8::from(self.credit_note) << 2;
        out
    }
}

impl Counters {
    /// The last value handed out in a series (0 before the first).
    pub fn get(&self, key: &SeriesKey) -> u64 {
        self.last
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
            .unwrap_or(0)
    }

    fn set(&mut self, key: SeriesKey, value: u64) {
        match self.last.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.last.push((key, value)),
        }
    }
}

/// A number as assigned: the text, and the counter state to store with it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Assigned {
    /// The invoice number.
    pub number: String,
    /// The counters after this assignment.
    pub counters: Counters,
}

enum Token {
    Text(String),
    Year4,
    Year2,
    Month,
    Seq(usize),
    Client,
}

fn parse(pattern: &str) -> Result<Vec<Token>, ValidationError> {
    let mut tokens = Vec::new();
    let mut rest = pattern;
    let mut seq = false;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            tokens.push(Token::Text(rest[..open].to_owned()));
        }
        let close = rest[open..].find('}').map(|c| open + c).ok_or_else(|| {
            ValidationError::new(format!(
                "numbering pattern {pattern:?} has a '{{' without '}}'"
            ))
        })?;
        let name = &rest[open + 1..close];
        tokens.push(match name {
            "YYYY" => Token::Year4,
            "YY" => Token::Year2,
            "MM" => Token::Month,
            "CLIENT" => Token::Client,
            "SEQ" => {
                seq = true;
                Token::Seq(1)
            }
            _ => match name.strip_prefix("SEQ:").and_then(|n| n.parse::<usize>().ok()) {
                Some(width @ 1..=12) => {
                    seq = true;
                    Token::Seq(width)
                }
                _ => {
                    return Err(ValidationError::new(format!(
                        "{{{name}}} is not a numbering token (use {{YYYY}}, {{YY}}, {{MM}}, {{SEQ}}, {{SEQ:4}} or {{CLIENT}})"
                    )));
                }
            },
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        tokens.push(Token::Text(rest.to_owned()));
    }
    if !seq {
        return Err(ValidationError::new(format!(
            "numbering pattern {pattern:?} needs a sequence token such as {{SEQ:4}}, or numbers would repeat"
        )));
    }
    Ok(tokens)
}

impl NumberingScheme {
    /// Check the pattern.
    pub fn validate(self) -> Result<Self, ValidationError> {
        let tokens = parse(&self.pattern)?;
        if self.pattern.chars().count() > 60 || self.pattern.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "the numbering pattern must be at most 60 plain characters",
            ));
        }
        let yearly_token = tokens
            .iter()
            .any(|t| matches!(t, Token::Year4 | Token::Year2));
        if self.yearly_reset && !yearly_token {
            return Err(ValidationError::new(
                "a yearly reset needs {YYYY} or {YY} in the pattern, or numbers would repeat across years",
            ));
        }
        let client_token = tokens.iter().any(|t| matches!(t, Token::Client));
        if self.per_client && !client_token {
            return Err(ValidationError::new(
                "per-client sequences need {CLIENT} in the pattern, or two clients would get the same number",
            ));
        }
        Ok(self)
    }

    /// The series an invoice of `client` issued on `date` counts in.
    pub fn series(&self, date: Date, client: ClientId, credit_note: bool) -> SeriesKey {
        SeriesKey {
            client: self.per_client.then_some(client),
            year: self.yearly_reset.then_some(date.year()),
            credit_note,
        }
    }

    /// The next number for an invoice of `client` (whose prefix is `client_prefix`) issued on `date`.
    /// Credit notes count in their own series and get a `CN-` prefix.
    pub fn assign(
        &self,
        counters: &Counters,
        date: Date,
        client: ClientId,
        client_prefix: &str,
        credit_note: bool,
    ) -> Result<Assigned, ValidationError> {
        let key = self.series(date, client, credit_note);
        let value = counters.get(&key) + 1;
        self.assign_value(counters, date, client, client_prefix, credit_note, value)
    }

    /// The number with counter `value` in the series of an invoice of `client` issued on `date`
    /// (a value someone else handed out: in a synced organization, the server), and the counters
    /// moved up to it.
    pub fn assign_value(
        &self,
        counters: &Counters,
        date: Date,
        client: ClientId,
        client_prefix: &str,
        credit_note: bool,
        value: u64,
    ) -> Result<Assigned, ValidationError> {
        let tokens = parse(&self.pattern)?;
        let key = self.series(date, client, credit_note);
        let mut number = String::from(if credit_note { "CN-" } else { "" });
        for token in &tokens {
            match token {
                Token::Text(t) => number.push_str(t),
                Token::Year4 => number.push_str(&format!("{:04}", date.year())),
                Token::Year2 => number.push_str(&format!("{:02}", date.year().rem_euclid(100))),
                Token::Month => number.push_str(&format!("{:02}", date.month())),
                Token::Seq(width) => number.push_str(&format!("{value:0width$}")),
                Token::Client => number.push_str(client_prefix),
            }
        }
        let mut next = counters.clone();
        next.set(key.clone(), value.max(counters.get(&key)));
        Ok(Assigned {
            number,
            counters: next,
        })
    }
}

/// Numbers already used, to refuse a duplicate however it came about (e.g. a pattern changed back).
pub fn is_unique<'a>(number: &str, used: impl IntoIterator<Item = &'a str>) -> bool {
    let mut used = used.into_iter();
    !used.any(|n| n == number)
}
