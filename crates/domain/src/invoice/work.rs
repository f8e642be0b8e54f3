//! Invoice lines from tracked work: unbilled time grouped per project, task, person, day or entry,
//! priced at the rate that applied on the day of the work, with the billed (rounded) time.

use super::{InvoiceLine, LineSource, Tax, Unit};
use crate::ids::EntryId;
use crate::money::Money;
use crate::validate::ValidationError;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How time becomes lines.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LineGrouping {
    /// One line per project (and rate).
    #[default]
    Project,
    /// One line per project and task.
    Task,
    /// One line per project and person.
    Person,
    /// One line per project and day.
    Day,
    /// One line per entry.
    Entry,
}

impl std::str::FromStr for LineGrouping {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "project" => LineGrouping::Project,
            "task" => LineGrouping::Task,
            "person" | "member" => LineGrouping::Person,
            "day" => LineGrouping::Day,
            "entry" => LineGrouping::Entry,
            _ => {
                return Err(ValidationError::new(format!(
                    "{s:?} is not a line grouping (use project, task, person, day or entry)"
                )));
            }
        })
    }
}

/// One finished, billable, unbilled time entry, with the names it is billed under.
#[derive(Clone, Debug)]
pub struct WorkItem {
    /// The entry.
    pub entry: EntryId,
    /// Project name.
    pub project: String,
    /// Task name, if any.
    pub task: Option<String>,
    /// Who worked.
    pub person: String,
    /// The day of the work.
    pub date: Date,
    /// Billed seconds (after rounding).
    pub billed_seconds: i64,
    /// The hourly rate on that day.
    pub rate: Money,
    /// The entry's note.
    pub note: String,
}

/// Hours as an invoice quantity: exact where the seconds allow (quarter hours, minutes that divide
/// evenly), else to four decimals. The line's amount does not come from this rounded figure but
/// from what the time is worth ([`InvoiceLine::worth`]).
pub fn hours(seconds: i64) -> Decimal {
    (Decimal::from(seconds) / Decimal::from(3600))
        .round_dp(4)
        .normalize()
}

/// Hours of tracked time as a clock shows them: "1:40", with seconds only when the time has them
/// ("1:40:30"). Four decimals of an hour are 0.36 s, so the nearest second of a quantity made by
/// [`hours`] is the time that was billed.
pub fn clock_hours(hours: Decimal) -> String {
    use rust_decimal::prelude::ToPrimitive;
    let seconds = (hours.abs() * Decimal::from(3600))
        .round()
        .to_i64()
        .unwrap_or(i64::MAX);
    let sign = if hours.is_sign_negative() && seconds > 0 {
        "-"
    } else {
        ""
    };
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if s == 0 {
        format!("{sign}{h}:{m:02}")
    } else {
        format!("{sign}{h}:{m:02}:{s:02}")
    }
}

/// Lines for `items`, in a stable order (by group key, then date). Entries at different rates never
/// share a line, so each line's price is the rate of its work.
pub fn lines_from_work(items: &[WorkItem], grouping: LineGrouping, tax: Tax) -> Vec<InvoiceLine> {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    struct Key {
        project: String,
        sub: String,
        day: Option<Date>,
        entry: Option<EntryId>,
        rate: Decimal,
    }
    let mut groups: BTreeMap<Key, Vec<&WorkItem>> = BTreeMap::new();
    for item in items {
        let key = Key {
            project: item.project.clone(),
            sub: match grouping {
                LineGrouping::Task => item.task.clone().unwrap_or_default(),
                LineGrouping::Person => item.person.clone(),
                _ => String::new(),
            },
            day: matches!(grouping, LineGrouping::Day | LineGrouping::Entry).then_some(item.date),
            entry: (grouping == LineGrouping::Entry).then_some(item.entry),
            rate: item.rate.amount.normalize(),
        };
        groups.entry(key).or_default().push(item);
    }
    groups
        .into_iter()
        .map(|(key, mut items)| {
            items.sort_by_key(|i| (i.date, i.entry));
            let seconds: i64 = items.iter().map(|i| i.billed_seconds).sum();
            // Each entry's worth as the report counts it, added: the line bills the same cents.
            let worth: Decimal = items
                .iter()
                .map(|i| crate::entry::worth(i.rate.amount, i.billed_seconds))
                .sum();
            let first = items.first().map(|i| i.date);
            let last = items.last().map(|i| i.date);
            let period = match (first, last) {
                (Some(a), Some(b)) if a == b => Some(a.to_string()),
                (Some(a), Some(b)) => Some(format!("{a} – {b}")),
                _ => None,
            };
            let description = match grouping {
                LineGrouping::Project => key.project.clone(),
                LineGrouping::Task if key.sub.is_empty() => key.project.clone(),
                LineGrouping::Task | LineGrouping::Person => {
                    format!("{}: {}", key.project, key.sub)
                }
                LineGrouping::Day => format!(
                    "{} ({})",
                    key.project,
                    key.day.map(|d| d.to_string()).unwrap_or_default()
                ),
                LineGrouping::Entry => {
                    let note = items.first().map(|i| i.note.trim()).unwrap_or_default();
                    if note.is_empty() {
                        key.project.clone()
                    } else {
                        format!("{}: {note}", key.project)
                    }
                }
            };
            // A description is a name: one line, at most 200 characters.
            let description: String = description
                .replace(['\n', '\r'], " ")
                .chars()
                .take(200)
                .collect();
            InvoiceLine {
                description,
                detail: period
                    .filter(|_| grouping != LineGrouping::Day && grouping != LineGrouping::Entry),
                quantity: hours(seconds),
                unit: Unit::Hour,
                unit_price: key.rate,
                discount: None,
                tax,
                source: LineSource::Time {
                    entries: items.iter().map(|i| i.entry).collect(),
                },
                worth: Some(worth),
            }
        })
        .filter(|l| l.quantity > Decimal::ZERO)
        .collect()
}
