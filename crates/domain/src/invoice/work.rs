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

/// What the small line under each description says.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LineDetail {
    /// The days the work was done ("2026-11-02 – 2026-11-27").
    #[default]
    Period,
    /// The entries' notes, each once, in the order they were written.
    Notes,
    /// The hours per task ("Design 3:00 · Review 1:30").
    Tasks,
}

impl std::str::FromStr for LineDetail {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "period" | "dates" => LineDetail::Period,
            "notes" | "note" => LineDetail::Notes,
            "tasks" | "task" => LineDetail::Tasks,
            _ => {
                return Err(ValidationError::new(format!(
                    "{s:?} is not a line detail (use period, notes or tasks)"
                )));
            }
        })
    }
}

/// Longest detail made from notes or tasks, in characters (longer ones end in "…").
pub const MAX_WORK_DETAIL_CHARS: usize = 1_000;

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

/// How lines of work write what is not the user's own text: days, periods, durations, and the name
/// of time booked to no task. The engine writes them in the invoice's language and locale, as its
/// PDF does; [`IsoWords`] is the neutral way (ISO dates, clock hours, English).
pub trait WorkWords {
    /// A day: "2026-11-02", "02.11.2026".
    fn date(&self, date: Date) -> String;
    /// The days from `first` to `last`: "2026-11-02 – 2026-11-05".
    fn period(&self, first: Date, last: Date) -> String;
    /// Billed hours: "2:30", "2,50".
    fn hours(&self, hours: Decimal) -> String;
    /// Time of no task in a task summary: "Other".
    fn other_task(&self) -> &str;
}

/// ISO dates, clock hours and English: what lines say when no language is chosen.
pub struct IsoWords;

impl WorkWords for IsoWords {
    fn date(&self, date: Date) -> String {
        date.to_string()
    }

    fn period(&self, first: Date, last: Date) -> String {
        format!("{first} – {last}")
    }

    fn hours(&self, hours: Decimal) -> String {
        clock_hours(hours)
    }

    fn other_task(&self) -> &str {
        "Other"
    }
}

/// Lines for `items`, in a stable order (by group key, then date). Entries at different rates never
/// share a line, so each line's price is the rate of its work. Each line's detail is its period.
pub fn lines_from_work(items: &[WorkItem], grouping: LineGrouping, tax: Tax) -> Vec<InvoiceLine> {
    lines_from_work_with(items, grouping, LineDetail::Period, tax, &IsoWords)
}

/// The detail of a line of `items` (sorted by date) from their notes or their tasks.
fn work_detail(items: &[&WorkItem], detail: LineDetail, words: &dyn WorkWords) -> Option<String> {
    let text = match detail {
        LineDetail::Period => return None,
        LineDetail::Notes => {
            let mut notes: Vec<String> = Vec::new();
            for item in items {
                let note = item.note.split_whitespace().collect::<Vec<_>>().join(" ");
                if !note.is_empty() && !notes.contains(&note) {
                    notes.push(note);
                }
            }
            notes.join("; ")
        }
        LineDetail::Tasks => {
            let mut tasks: Vec<(String, i64)> = Vec::new();
            for item in items {
                let task = item.task.clone().unwrap_or_default();
                match tasks.iter_mut().find(|(t, _)| *t == task) {
                    Some((_, seconds)) => *seconds += item.billed_seconds,
                    None => tasks.push((task, item.billed_seconds)),
                }
            }
            // One task without a name says nothing a description does not.
            if tasks.len() == 1 && tasks[0].0.is_empty() {
                return None;
            }
            tasks
                .iter()
                .map(|(task, seconds)| {
                    let name = if task.is_empty() {
                        words.other_task()
                    } else {
                        task
                    };
                    format!("{name} {}", words.hours(hours(*seconds)))
                })
                .collect::<Vec<_>>()
                .join(" · ")
        }
    };
    if text.is_empty() {
        return None;
    }
    Some(if text.chars().count() > MAX_WORK_DETAIL_CHARS {
        let mut cut: String = text.chars().take(MAX_WORK_DETAIL_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        text
    })
}

/// [`lines_from_work`] with the detail under each description chosen, and dates and durations
/// written in `words`.
pub fn lines_from_work_with(
    items: &[WorkItem],
    grouping: LineGrouping,
    detail: LineDetail,
    tax: Tax,
    words: &dyn WorkWords,
) -> Vec<InvoiceLine> {
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
                (Some(a), Some(b)) if a == b => Some(words.date(a)),
                (Some(a), Some(b)) => Some(words.period(a, b)),
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
                    key.day.map(|d| words.date(d)).unwrap_or_default()
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
            let period =
                period.filter(|_| grouping != LineGrouping::Day && grouping != LineGrouping::Entry);
            InvoiceLine {
                description,
                // A line per entry already names its note.
                detail: match (grouping, detail) {
                    (LineGrouping::Entry, LineDetail::Notes) => None,
                    _ => work_detail(&items, detail, words),
                }
                .or(period),
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
