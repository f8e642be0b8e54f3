//! Time entries: running timers, spans with a start and end, and duration-only entries.

use crate::ids::*;
use crate::money::Money;
use crate::rate::{RateBook, WorkContext};
use crate::rounding::Rounding;
use crate::validate::{self, ValidationError};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The longest single entry accepted: a week. Longer is almost always a typo (wrong month or year).
pub const MAX_ENTRY_SECONDS: i64 = 7 * 24 * 3600;

/// When the work happened.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ts_rs::TS)]
#[ts(export, tag = "type", rename_all = "snake_case")]
pub enum EntryTime {
    /// A timer that is running.
    Running {
        /// When it started.
        #[ts(type = "string")]
        start: Timestamp,
    },
    /// A start and an end: durations are exact across DST changes because both are instants.
    Span {
        /// Start.
        #[ts(type = "string")]
        start: Timestamp,
        /// End, after start.
        #[ts(type = "string")]
        end: Timestamp,
    },
    /// Just a duration on a day.
    Duration {
        /// The day, in the organization's time zone.
        #[ts(type = "string")]
        date: Date,
        /// Length in seconds.
        #[ts(type = "number")]
        seconds: i64,
    },
}

/// [`EntryTime`] as JSON writes it: `{"type": "span", "start": …, "end": …}`.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Tagged {
    Running { start: Timestamp },
    Span { start: Timestamp, end: Timestamp },
    Duration { date: Date, seconds: i64 },
}

/// [`EntryTime`] as binary formats (record payloads) write it: the variant's number, then its
/// fields. `Running` is the first variant.
#[derive(Serialize, Deserialize)]
enum Binary {
    Running { start: Timestamp },
    Span { start: Timestamp, end: Timestamp },
    Duration { date: Date, seconds: i64 },
}

impl From<EntryTime> for Binary {
    fn from(time: EntryTime) -> Self {
        match time {
            EntryTime::Running { start } => Binary::Running { start },
            EntryTime::Span { start, end } => Binary::Span { start, end },
            EntryTime::Duration { date, seconds } => Binary::Duration { date, seconds },
        }
    }
}

impl Serialize for EntryTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            return Binary::from(*self).serialize(serializer);
        }
        match *self {
            EntryTime::Running { start } => Tagged::Running { start },
            EntryTime::Span { start, end } => Tagged::Span { start, end },
            EntryTime::Duration { date, seconds } => Tagged::Duration { date, seconds },
        }
        .serialize(serializer)
    }
}

/// Reads the JSON that [`Tagged`] writes in one pass (serde's derived reader for internally tagged
/// enums first buffers every field into an owned tree), or [`Binary`] from a binary format.
impl<'de> Deserialize<'de> for EntryTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Type {
            Running,
            Span,
            Duration,
        }
        #[derive(Deserialize)]
        struct Flat {
            #[serde(rename = "type")]
            kind: Type,
            start: Option<Timestamp>,
            end: Option<Timestamp>,
            date: Option<Date>,
            seconds: Option<i64>,
        }
        if !deserializer.is_human_readable() {
            return Ok(match Binary::deserialize(deserializer)? {
                Binary::Running { start } => EntryTime::Running { start },
                Binary::Span { start, end } => EntryTime::Span { start, end },
                Binary::Duration { date, seconds } => EntryTime::Duration { date, seconds },
            });
        }
        let flat = Flat::deserialize(deserializer)?;
        let need = |field: &'static str| D::Error::missing_field(field);
        Ok(match flat.kind {
            Type::Running => EntryTime::Running {
                start: flat.start.ok_or_else(|| need("start"))?,
            },
            Type::Span => EntryTime::Span {
                start: flat.start.ok_or_else(|| need("start"))?,
                end: flat.end.ok_or_else(|| need("end"))?,
            },
            Type::Duration => EntryTime::Duration {
                date: flat.date.ok_or_else(|| need("date"))?,
                seconds: flat.seconds.ok_or_else(|| need("seconds"))?,
            },
        })
    }
}

/// Tracked time.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct TimeEntry {
    /// Its id.
    pub id: EntryId,
    /// Who worked (the author).
    pub member: MemberId,
    /// On which project; `None` until one is assigned (a timer started without one). Such time
    /// has no client, rate or amount, and cannot be invoiced until it has a project.
    pub project: Option<ProjectId>,
    /// On which task, if any (only with a project).
    pub task: Option<TaskId>,
    /// When.
    pub time: EntryTime,
    /// What was done.
    pub note: String,
    /// Whether it is billed.
    pub billable: bool,
    /// Tags.
    pub tags: Vec<TagId>,
    /// Set once the entry is on an invoice; then it cannot change.
    pub invoiced: bool,
}

impl TimeEntry {
    /// Check every field.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        self.note = validate::note(&self.note)?;
        if self.project.is_none() && self.task.is_some() {
            return Err(ValidationError::new(
                "a task needs a project; choose the project first",
            ));
        }
        match self.time {
            EntryTime::Running { .. } => {}
            EntryTime::Span { start, end } => {
                if end <= start {
                    return Err(ValidationError::new("the end must be after the start"));
                }
                if end.duration_since(start).as_secs() > MAX_ENTRY_SECONDS {
                    return Err(ValidationError::new(
                        "an entry cannot be longer than 7 days; check the dates",
                    ));
                }
            }
            EntryTime::Duration { seconds, .. } => {
                if seconds <= 0 {
                    return Err(ValidationError::new(
                        "the duration must be greater than zero",
                    ));
                }
                if seconds > MAX_ENTRY_SECONDS {
                    return Err(ValidationError::new(
                        "an entry cannot be longer than 7 days; check the duration",
                    ));
                }
            }
        }
        self.tags.sort();
        self.tags.dedup();
        Ok(self)
    }

    /// Whether this is a running timer.
    pub fn is_running(&self) -> bool {
        self.time.is_running()
    }

    /// The day the entry counts for, in `tz`: the day it started.
    pub fn date(&self, tz: &TimeZone) -> Date {
        self.time.date(tz)
    }

    /// Tracked seconds; a running timer counts up to `now`.
    pub fn seconds(&self, now: Timestamp) -> i64 {
        self.time.seconds(now)
    }

    /// The instants covered, if the entry has them (duration-only entries do not).
    pub fn interval(&self, now: Timestamp) -> Option<(Timestamp, Timestamp)> {
        self.time.interval(now)
    }
}

impl EntryTime {
    /// Whether this is a running timer.
    pub fn is_running(&self) -> bool {
        matches!(self, EntryTime::Running { .. })
    }

    /// The day this time counts for, in `tz`: the day it started.
    pub fn date(&self, tz: &TimeZone) -> Date {
        match *self {
            EntryTime::Running { start } | EntryTime::Span { start, .. } => {
                tz.to_datetime(start).date()
            }
            EntryTime::Duration { date, .. } => date,
        }
    }

    /// Seconds; a running timer counts up to `now`.
    pub fn seconds(&self, now: Timestamp) -> i64 {
        match *self {
            EntryTime::Running { start } => now.duration_since(start).as_secs().max(0),
            EntryTime::Span { start, end } => end.duration_since(start).as_secs(),
            EntryTime::Duration { seconds, .. } => seconds,
        }
    }

    /// The instants covered, if it has them (a duration on a day does not).
    pub fn interval(&self, now: Timestamp) -> Option<(Timestamp, Timestamp)> {
        match *self {
            EntryTime::Running { start } => Some((start, now.max(start))),
            EntryTime::Span { start, end } => Some((start, end)),
            EntryTime::Duration { .. } => None,
        }
    }
}

/// Entries of the same member whose time overlaps `candidate`'s. Overlaps are reported to the user,
/// never silently resolved.
pub fn overlapping<'a>(
    candidate: &TimeEntry,
    others: impl IntoIterator<Item = &'a TimeEntry>,
    now: Timestamp,
) -> Vec<EntryId> {
    let Some((start, end)) = candidate.interval(now) else {
        return Vec::new();
    };
    let mut hits: Vec<EntryId> = others
        .into_iter()
        .filter(|other| other.id != candidate.id && other.member == candidate.member)
        .filter(|other| {
            other
                .interval(now)
                .is_some_and(|(s, e)| s < end && start < e)
        })
        .map(|other| other.id)
        .collect();
    hits.sort();
    hits
}

/// For each of `entries`, whether its time overlaps another of them by the same member (touching
/// ends do not overlap; duration-only entries have no times and never do). One sort and one sweep.
pub fn overlap_flags(entries: &[&TimeEntry], now: Timestamp) -> Vec<bool> {
    let mut flags = vec![false; entries.len()];
    let mut spans: Vec<(MemberId, Timestamp, Timestamp, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            e.interval(now)
                .map(|(start, end)| (e.member, start, end, i))
        })
        .collect();
    spans.sort_unstable_by_key(|&(member, start, _, _)| (member, start));
    // The member's entry that ends last among those that started so far: a later start before its
    // end overlaps it.
    let mut reach: Option<(MemberId, Timestamp, usize)> = None;
    for &(member, start, end, i) in &spans {
        match reach {
            Some((m, until, j)) if m == member && start < until => {
                flags[i] = true;
                flags[j] = true;
                if end > until {
                    reach = Some((member, end, i));
                }
            }
            _ => reach = Some((member, end, i)),
        }
    }
    flags
}

/// What an entry is worth: raw and billed seconds, and the amount at the rate in effect on its day.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Valuation {
    /// Seconds as tracked.
    #[ts(type = "number")]
    pub raw_seconds: i64,
    /// Seconds billed: rounded when billable, raw otherwise.
    #[ts(type = "number")]
    pub billed_seconds: i64,
    /// Amount, when billable and a rate applies.
    pub amount: Option<Money>,
}

/// Decimal places an entry's amount keeps. An hour's share of a rate rarely ends (a third of an
/// hour, 1/3600 of a rate): kept to the 28 digits a decimal holds, sums of such amounts depend on
/// the order they are added in, and two devices holding the same entries in another order would
/// total them differently in the last digit, which at a half cent decides the cent. Ten places
/// make every sum exact (below 10^18), so any order gives the same total; what they drop is at
/// most half a thousandth of a cent over 100,000 entries.
pub const AMOUNT_DECIMALS: u32 = 10;

/// What `billed_seconds` at `rate` per hour are worth, to [`AMOUNT_DECIMALS`] places: the one
/// figure the report, the invoice line and the export all add up (docs/invoicing.md, "One amount
/// for one piece of work").
pub fn worth(rate: Decimal, billed_seconds: i64) -> Decimal {
    (rate * Decimal::from(billed_seconds) / Decimal::from(3600)).round_dp(AMOUNT_DECIMALS)
}

/// Value a finished piece of work: rounding applies to billable time only, the rate is the one in
/// effect on `date`, and the amount is kept to [`AMOUNT_DECIMALS`] places (rounded to cents only
/// when shown or invoiced).
pub fn value(
    raw_seconds: i64,
    billable: bool,
    date: Date,
    ctx: &WorkContext,
    rounding: Option<Rounding>,
    rates: &RateBook,
) -> Valuation {
    if !billable {
        return Valuation {
            raw_seconds,
            billed_seconds: raw_seconds,
            amount: None,
        };
    }
    let billed_seconds = rounding.map_or(raw_seconds, |r| r.apply(raw_seconds));
    let amount = rates
        .resolve(ctx, date)
        .map(|rate| Money::new(worth(rate.amount, billed_seconds), rate.currency));
    Valuation {
        raw_seconds,
        billed_seconds,
        amount,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::rate::{Rate, RateScope};
    use crate::rounding::RoundingMode;
    use rust_decimal_macros::dec;
    use ulid::Ulid;

    fn entry(n: u64, member: u64, time: EntryTime) -> TimeEntry {
        TimeEntry {
            id: EntryId(Ulid::from_parts(n, 0)),
            member: MemberId(Ulid::from_parts(member, 0)),
            project: Some(ProjectId(Ulid::from_parts(1, 0))),
            task: None,
            time,
            note: String::new(),
            billable: true,
            tags: vec![],
            invoiced: false,
        }
    }

    #[test]
    fn overlap_flags_mark_every_entry_that_overlaps_another_of_its_member() {
        let at =
            |h: i64, m: i64| Timestamp::from_second(1_800_000_000 + h * 3600 + m * 60).unwrap();
        let span = |n: u64, member: u64, from: (i64, i64), to: (i64, i64)| {
            entry(
                n,
                member,
                EntryTime::Span {
                    start: at(from.0, from.1),
                    end: at(to.0, to.1),
                },
            )
        };
        let list = [
            span(1, 1, (9, 0), (12, 0)),  // long: overlaps 2 and 3
            span(2, 1, (9, 30), (10, 0)), // nested in 1
            span(3, 1, (11, 0), (13, 0)), // overlaps 1's tail
            span(4, 1, (13, 0), (14, 0)), // touches 3: no overlap
            span(5, 2, (9, 0), (10, 0)),  // another member at the same time
            entry(
                6,
                1,
                EntryTime::Duration {
                    date: Date::constant(2027, 1, 15),
                    seconds: 3600,
                },
            ),
            entry(7, 2, EntryTime::Running { start: at(9, 45) }), // overlaps 5 while it runs
        ];
        let refs: Vec<&TimeEntry> = list.iter().collect();
        assert_eq!(
            overlap_flags(&refs, at(10, 30)),
            [true, true, true, false, true, false, true]
        );
        // The flags agree with the one-entry check used when writing.
        for (i, e) in list.iter().enumerate() {
            assert_eq!(
                !overlapping(e, list.iter(), at(10, 30)).is_empty(),
                overlap_flags(&refs, at(10, 30))[i],
                "entry {}",
                i + 1
            );
        }
    }

    #[test]
    fn entry_times_read_back_what_they_write_and_name_what_is_missing() {
        let start: Timestamp = "2026-03-29T00:30:00Z".parse().unwrap();
        let end: Timestamp = "2026-03-29T02:15:00Z".parse().unwrap();
        let times = [
            EntryTime::Running { start },
            EntryTime::Span { start, end },
            EntryTime::Duration {
                date: Date::constant(2026, 3, 29),
                seconds: 5400,
            },
        ];
        for time in times {
            let json = serde_json::to_string(&time).unwrap();
            assert_eq!(
                serde_json::from_str::<EntryTime>(&json).unwrap(),
                time,
                "{json}"
            );
        }
        // The written form is pinned by docs/formats.md; field order does not matter when reading.
        assert_eq!(
            serde_json::to_string(&times[1]).unwrap(),
            r#"{"type":"span","start":"2026-03-29T00:30:00Z","end":"2026-03-29T02:15:00Z"}"#
        );
        let reordered =
            r#"{"end":"2026-03-29T02:15:00Z","start":"2026-03-29T00:30:00Z","type":"span"}"#;
        assert_eq!(
            serde_json::from_str::<EntryTime>(reordered).unwrap(),
            times[1]
        );
        for (json, says) in [
            (
                r#"{"type":"span","start":"2026-03-29T00:30:00Z"}"#,
                "missing field `end`",
            ),
            (
                r#"{"type":"duration","date":"2026-03-29"}"#,
                "missing field `seconds`",
            ),
            (r#"{"type":"sometime"}"#, "unknown variant `sometime`"),
            (
                r#"{"start":"2026-03-29T00:30:00Z"}"#,
                "missing field `type`",
            ),
            (r#"{"type":"running","start":"yesterday"}"#, "year"),
        ] {
            let err = serde_json::from_str::<EntryTime>(json)
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{json}: {err}");
        }
    }

    #[test]
    fn ids_read_from_borrowed_text_as_values_and_map_keys() {
        let id = EntryId(Ulid::from_parts(42, 7));
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<EntryId>(&json).unwrap(), id);
        let map: std::collections::BTreeMap<EntryId, u8> =
            serde_json::from_str(&format!("{{{json}:1}}")).unwrap();
        assert_eq!(map.get(&id), Some(&1));
        let err = serde_json::from_str::<EntryId>("\"not-a-ulid\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid"), "{err}");
        let err = serde_json::from_str::<ProjectId>("17")
            .unwrap_err()
            .to_string();
        assert!(err.contains("a project id (a ULID)"), "{err}");
    }

    fn ts(s: &str, tz: &str) -> Timestamp {
        s.parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned_datetime(TimeZone::get(tz).unwrap())
            .unwrap()
            .timestamp()
    }

    #[test]
    fn durations_are_exact_across_dst_changes() {
        // Berlin springs forward at 02:00 on 2026-03-29: 01:00 to 04:00 local is two hours.
        let e = entry(
            1,
            1,
            EntryTime::Span {
                start: ts("2026-03-29T01:00", "Europe/Berlin"),
                end: ts("2026-03-29T04:00", "Europe/Berlin"),
            },
        );
        assert_eq!(e.seconds(Timestamp::UNIX_EPOCH), 2 * 3600);
        // ... and falls back at 03:00 on 2026-10-25: 01:00 to 04:00 local is four hours.
        let e = entry(
            2,
            1,
            EntryTime::Span {
                start: ts("2026-10-25T01:00", "Europe/Berlin"),
                end: ts("2026-10-25T04:00", "Europe/Berlin"),
            },
        );
        assert_eq!(e.seconds(Timestamp::UNIX_EPOCH), 4 * 3600);
    }

    #[test]
    fn the_day_is_counted_in_the_organization_time_zone() {
        let e = entry(
            1,
            1,
            EntryTime::Span {
                start: ts("2026-11-23T23:30", "Europe/Berlin"),
                end: ts("2026-11-24T00:30", "Europe/Berlin"),
            },
        );
        assert_eq!(
            e.date(&TimeZone::get("Europe/Berlin").unwrap()),
            Date::constant(2026, 11, 23)
        );
        assert_eq!(
            e.date(&TimeZone::get("Asia/Tokyo").unwrap()),
            Date::constant(2026, 11, 24)
        );
    }

    #[test]
    fn rejects_impossible_entries() {
        let start = ts("2026-11-23T10:00", "UTC");
        assert!(
            entry(1, 1, EntryTime::Span { start, end: start })
                .validate()
                .is_err()
        );
        assert!(
            entry(
                1,
                1,
                EntryTime::Span {
                    start,
                    end: ts("2026-11-23T09:00", "UTC")
                }
            )
            .validate()
            .is_err()
        );
        assert!(
            entry(
                1,
                1,
                EntryTime::Span {
                    start,
                    end: ts("2026-12-23T09:00", "UTC")
                }
            )
            .validate()
            .is_err()
        );
        assert!(
            entry(
                1,
                1,
                EntryTime::Duration {
                    date: Date::constant(2026, 1, 1),
                    seconds: 0
                }
            )
            .validate()
            .is_err()
        );
        assert!(
            entry(
                1,
                1,
                EntryTime::Duration {
                    date: Date::constant(2026, 1, 1),
                    seconds: 60
                }
            )
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn finds_overlaps_of_the_same_member_only() {
        let at = |h: &str| ts(&format!("2026-11-23T{h}"), "UTC");
        let a = entry(
            1,
            1,
            EntryTime::Span {
                start: at("09:00"),
                end: at("10:00"),
            },
        );
        let b = entry(
            2,
            1,
            EntryTime::Span {
                start: at("09:30"),
                end: at("11:00"),
            },
        );
        let c = entry(
            3,
            1,
            EntryTime::Span {
                start: at("10:00"),
                end: at("10:30"),
            },
        );
        let d = entry(
            4,
            2,
            EntryTime::Span {
                start: at("09:00"),
                end: at("12:00"),
            },
        );
        let e = entry(
            5,
            1,
            EntryTime::Duration {
                date: Date::constant(2026, 11, 23),
                seconds: 3600,
            },
        );
        let all = [a.clone(), b.clone(), c.clone(), d, e];
        assert_eq!(overlapping(&a, &all, at("12:00")), vec![b.id]);
        assert_eq!(overlapping(&b, &all, at("12:00")), vec![a.id, c.id]);
        let running = entry(6, 1, EntryTime::Running { start: at("10:15") });
        assert_eq!(overlapping(&running, &all, at("10:20")), vec![b.id, c.id]);
    }

    #[test]
    fn values_billable_time_with_rounding_and_the_rate_of_the_day() {
        let ctx = WorkContext {
            member: MemberId(Ulid::from_parts(1, 0)),
            client: ClientId(Ulid::from_parts(2, 0)),
            project: ProjectId(Ulid::from_parts(3, 0)),
            task: None,
        };
        let rates = RateBook::new(&[Rate {
            id: RateId(Ulid::from_parts(4, 0)),
            scope: RateScope::Project {
                project: ctx.project,
            },
            effective_from: Date::constant(2026, 1, 1),
            hourly: Money::new(dec!(95), Currency::EUR),
        }]);
        let up15 = Some(Rounding::new(RoundingMode::Up, 15).unwrap());
        let day = Date::constant(2026, 11, 23);
        let v = value(70 * 60, true, day, &ctx, up15, &rates);
        assert_eq!(v.billed_seconds, 75 * 60);
        assert_eq!(v.amount, Some(Money::new(dec!(118.75), Currency::EUR)));
        let v = value(5, true, day, &ctx, up15, &rates);
        assert_eq!(v.amount.unwrap().to_string(), "23.75 EUR");
        let v = value(70 * 60, false, day, &ctx, up15, &rates);
        assert_eq!((v.billed_seconds, v.amount), (70 * 60, None));
        let v = value(3600, true, Date::constant(2025, 12, 31), &ctx, up15, &rates);
        assert_eq!(v.amount, None, "no rate in effect before 2026");
    }

    proptest::proptest! {
        /// Two devices holding the same entries in another order total them to the same digits.
        #[test]
        fn amounts_sum_the_same_in_any_order(
            work in proptest::collection::vec((1i64..1_000_000, 1i64..200_000), 1..300),
            rotate in 0usize..300,
        ) {
            let ctx = WorkContext {
                member: MemberId(Ulid::from_parts(1, 0)),
                client: ClientId(Ulid::from_parts(2, 0)),
                project: ProjectId(Ulid::from_parts(3, 0)),
                task: None,
            };
            let day = Date::constant(2026, 11, 23);
            let amounts: Vec<Decimal> = work
                .iter()
                .map(|&(cents, seconds)| {
                    let rates = RateBook::new(&[Rate {
                        id: RateId(Ulid::from_parts(4, 0)),
                        scope: RateScope::Project { project: ctx.project },
                        effective_from: Date::constant(2026, 1, 1),
                        hourly: Money::new(Decimal::new(cents, 2), Currency::EUR),
                    }]);
                    value(seconds, true, day, &ctx, None, &rates).amount.unwrap().amount
                })
                .collect();
            let forward: Decimal = amounts.iter().sum();
            let backward: Decimal = amounts.iter().rev().sum();
            let mut turned = amounts.clone();
            turned.rotate_left(rotate % amounts.len());
            let rotated: Decimal = turned.iter().sum();
            proptest::prop_assert_eq!(forward.to_string(), backward.to_string());
            proptest::prop_assert_eq!(forward.to_string(), rotated.to_string());
        }
    }
}
