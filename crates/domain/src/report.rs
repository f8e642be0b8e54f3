//! Time reports: tracked time grouped by any of client, project, task, member, day, week and month,
//! with billable and non-billable hours and amounts.

use crate::ids::*;
use crate::model::WeekStart;
use crate::money::Money;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A dimension to group by.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum GroupBy {
    /// The project's client.
    Client,
    /// The project.
    Project,
    /// The task (or none).
    Task,
    /// Who worked.
    Member,
    /// The day.
    Day,
    /// The week, by the organization's week start.
    Week,
    /// The calendar month.
    Month,
}

impl std::str::FromStr for GroupBy {
    type Err = crate::ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "client" => GroupBy::Client,
            "project" => GroupBy::Project,
            "task" => GroupBy::Task,
            "member" => GroupBy::Member,
            "day" => GroupBy::Day,
            "week" => GroupBy::Week,
            "month" => GroupBy::Month,
            other => {
                return Err(crate::ValidationError::new(format!(
                    "cannot group by {other:?} (use client, project, task, member, day, week or month)"
                )));
            }
        })
    }
}

/// One group's value in one dimension.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(tag = "by", content = "value", rename_all = "lowercase")]
#[ts(export)]
pub enum GroupKey {
    /// A client.
    Client(ClientId),
    /// A project.
    Project(ProjectId),
    /// A task, or no task.
    Task(Option<TaskId>),
    /// A member.
    Member(MemberId),
    /// A day.
    Day(#[ts(type = "string")] Date),
    /// The first day of a week.
    Week(#[ts(type = "string")] Date),
    /// The first day of a month.
    Month(#[ts(type = "string")] Date),
}

/// The facts of one finished time entry that a report needs.
#[derive(Clone, Copy, Debug)]
pub struct ReportInput {
    /// Who worked.
    pub member: MemberId,
    /// The client.
    pub client: ClientId,
    /// The project.
    pub project: ProjectId,
    /// The task.
    pub task: Option<TaskId>,
    /// The day, in the organization's time zone.
    pub date: Date,
    /// Billable or not.
    pub billable: bool,
    /// Seconds as tracked.
    pub raw_seconds: i64,
    /// Seconds billed (rounded when billable).
    pub billed_seconds: i64,
    /// Amount, if billable with a rate.
    pub amount: Option<Money>,
}

/// One row: a group and its totals.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ReportRow {
    /// The group's values, in the order asked for. Empty for the grand total.
    pub key: Vec<GroupKey>,
    /// Number of entries.
    pub entries: u32,
    /// Billable seconds after rounding.
    #[ts(type = "number")]
    pub billable_seconds: i64,
    /// Billable seconds as tracked.
    #[ts(type = "number")]
    pub billable_raw_seconds: i64,
    /// Non-billable seconds.
    #[ts(type = "number")]
    pub non_billable_seconds: i64,
    /// Amounts, one per currency (exact; round when showing).
    pub amounts: Vec<Money>,
}

impl ReportRow {
    fn merge(&mut self, other: &ReportRow) {
        self.entries += other.entries;
        self.billable_seconds += other.billable_seconds;
        self.billable_raw_seconds += other.billable_raw_seconds;
        self.non_billable_seconds += other.non_billable_seconds;
        for amount in &other.amounts {
            add_amount(&mut self.amounts, *amount);
        }
    }
}

fn add_amount(amounts: &mut Vec<Money>, amount: Money) {
    match amounts.iter_mut().find(|m| m.currency == amount.currency) {
        Some(sum) => sum.amount += amount.amount,
        None => amounts.push(amount),
    }
}

/// A grouped report with a grand total.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Report {
    /// The dimensions, in order.
    pub group_by: Vec<GroupBy>,
    /// One row per group, sorted by key.
    pub rows: Vec<ReportRow>,
    /// Everything.
    pub total: ReportRow,
}

/// The first day of `date`'s week.
pub fn week_of(date: Date, start: WeekStart) -> Date {
    let back = (date.weekday().to_monday_zero_offset() - start.weekday().to_monday_zero_offset())
        .rem_euclid(7);
    date.checked_sub(i64::from(back).days()).unwrap_or(date)
}

/// The first day of `date`'s month.
pub fn month_of(date: Date) -> Date {
    date.first_of_month()
}

const MAX_DIMENSIONS: usize = 7;

/// Running totals of one group while aggregating (no allocation unless several currencies meet).
#[derive(Default)]
struct Acc {
    entries: u32,
    billable_seconds: i64,
    billable_raw_seconds: i64,
    non_billable_seconds: i64,
    amount: Option<Money>,
    other_amounts: Vec<Money>,
}

impl Acc {
    fn add(&mut self, input: &ReportInput) {
        self.entries += 1;
        if input.billable {
            self.billable_seconds += input.billed_seconds;
            self.billable_raw_seconds += input.raw_seconds;
        } else {
            self.non_billable_seconds += input.raw_seconds;
        }
        if let Some(amount) = input.amount {
            match &mut self.amount {
                None => self.amount = Some(amount),
                Some(sum) if sum.currency == amount.currency => sum.amount += amount.amount,
                Some(_) => add_amount(&mut self.other_amounts, amount),
            }
        }
    }

    fn into_row(self, key: Vec<GroupKey>) -> ReportRow {
        let mut amounts = Vec::with_capacity(1 + self.other_amounts.len());
        amounts.extend(self.amount);
        amounts.extend(self.other_amounts);
        ReportRow {
            key,
            entries: self.entries,
            billable_seconds: self.billable_seconds,
            billable_raw_seconds: self.billable_raw_seconds,
            non_billable_seconds: self.non_billable_seconds,
            amounts,
        }
    }
}

/// A date as an order-preserving number.
fn date_code(date: Date) -> u128 {
    let packed =
        i64::from(date.year()) * 512 + i64::from(date.month()) * 32 + i64::from(date.day());
    (packed + (1 << 40)) as u128
}

/// Group `inputs` by `group_by` (duplicates ignored, at most one of each dimension). Rows come sorted
/// by their keys.
pub fn time_report(
    inputs: impl IntoIterator<Item = ReportInput>,
    group_by: &[GroupBy],
    week_start: WeekStart,
) -> Report {
    let mut dims: Vec<GroupBy> = Vec::with_capacity(MAX_DIMENSIONS);
    for g in group_by {
        if !dims.contains(g) {
            dims.push(*g);
        }
    }
    let inputs = inputs.into_iter();
    let rows = match dims.len() {
        0 => aggregate::<0>(inputs, &dims, week_start),
        1 => aggregate::<1>(inputs, &dims, week_start),
        2 => aggregate::<2>(inputs, &dims, week_start),
        3 => aggregate::<3>(inputs, &dims, week_start),
        4 => aggregate::<4>(inputs, &dims, week_start),
        5 => aggregate::<5>(inputs, &dims, week_start),
        6 => aggregate::<6>(inputs, &dims, week_start),
        _ => aggregate::<7>(inputs, &dims, week_start),
    };
    let mut total = ReportRow::default();
    for row in &rows {
        total.merge(row);
    }
    Report {
        group_by: dims,
        rows,
        total,
    }
}

/// Aggregation with exactly `N` dimensions. A group is identified by `N` numbers (ids are 128-bit
/// ULIDs, whose numeric order is their order; dates pack to an order-preserving number): cheap to hash
/// and sort, no allocation per entry. Groups live in a vector; the map and the sort move only
/// (code, index) pairs.
fn aggregate<const N: usize>(
    inputs: impl Iterator<Item = ReportInput>,
    dims: &[GroupBy],
    week_start: WeekStart,
) -> Vec<ReportRow> {
    let mut index: rustc_hash::FxHashMap<[u128; N], u32> = rustc_hash::FxHashMap::default();
    let mut groups: Vec<(Acc, [GroupKey; N])> = Vec::new();
    let mut week_cache: rustc_hash::FxHashMap<Date, Date> = rustc_hash::FxHashMap::default();
    for input in inputs {
        let mut code = [0u128; N];
        let mut typed = [GroupKey::Task(None); N];
        for (i, dim) in dims.iter().enumerate().take(N) {
            let (c, k) = match dim {
                GroupBy::Client => (input.client.0.0, GroupKey::Client(input.client)),
                GroupBy::Project => (input.project.0.0, GroupKey::Project(input.project)),
                GroupBy::Task => (input.task.map_or(0, |t| t.0.0), GroupKey::Task(input.task)),
                GroupBy::Member => (input.member.0.0, GroupKey::Member(input.member)),
                GroupBy::Day => (date_code(input.date), GroupKey::Day(input.date)),
                GroupBy::Week => {
                    let week = *week_cache
                        .entry(input.date)
                        .or_insert_with(|| week_of(input.date, week_start));
                    (date_code(week), GroupKey::Week(week))
                }
                GroupBy::Month => {
                    let month = month_of(input.date);
                    (date_code(month), GroupKey::Month(month))
                }
            };
            code[i] = c;
            typed[i] = k;
        }
        let slot = *index.entry(code).or_insert_with(|| {
            groups.push((Acc::default(), typed));
            (groups.len() - 1) as u32
        });
        groups[slot as usize].0.add(&input);
    }
    let mut order: Vec<([u128; N], u32)> = index.into_iter().collect();
    order.sort_unstable_by_key(|(code, _)| *code);
    let mut slots: Vec<Option<(Acc, [GroupKey; N])>> = groups.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(_, slot)| slots[slot as usize].take())
        .map(|(acc, typed)| acc.into_row(typed.to_vec()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use ulid::Ulid;

    fn input(
        member: u64,
        project: u64,
        date: Date,
        billable: bool,
        seconds: i64,
        cents: Option<i64>,
    ) -> ReportInput {
        ReportInput {
            member: MemberId(Ulid::from_parts(member, 0)),
            client: ClientId(Ulid::from_parts(project % 2, 0)),
            project: ProjectId(Ulid::from_parts(project, 0)),
            task: None,
            date,
            billable,
            raw_seconds: seconds,
            billed_seconds: seconds,
            amount: cents.map(|c| Money::new(Decimal::new(c, 2), Currency::EUR)),
        }
    }

    #[test]
    fn weeks_start_on_the_configured_day() {
        let sunday = Date::constant(2026, 11, 22);
        let monday = Date::constant(2026, 11, 23);
        assert_eq!(week_of(monday, WeekStart::Monday), monday);
        assert_eq!(
            week_of(sunday, WeekStart::Monday),
            Date::constant(2026, 11, 16)
        );
        assert_eq!(week_of(monday, WeekStart::Sunday), sunday);
        assert_eq!(week_of(sunday, WeekStart::Sunday), sunday);
        assert_eq!(
            week_of(monday, WeekStart::Saturday),
            Date::constant(2026, 11, 21)
        );
    }

    #[test]
    fn groups_and_totals() {
        let d1 = Date::constant(2026, 11, 23);
        let d2 = Date::constant(2026, 11, 30);
        let inputs = [
            input(1, 1, d1, true, 3600, Some(9500)),
            input(1, 1, d2, true, 1800, Some(4750)),
            input(2, 1, d1, false, 600, None),
            input(2, 2, d1, true, 900, Some(2375)),
        ];
        let report = time_report(
            inputs,
            &[GroupBy::Project, GroupBy::Week],
            WeekStart::Monday,
        );
        assert_eq!(report.rows.len(), 3);
        assert_eq!(report.total.billable_seconds, 6300);
        assert_eq!(report.total.non_billable_seconds, 600);
        assert_eq!(
            report.total.amounts,
            vec![Money::new(Decimal::new(16625, 2), Currency::EUR)]
        );
        let first = &report.rows[0];
        assert_eq!(
            first.key,
            vec![
                GroupKey::Project(ProjectId(Ulid::from_parts(1, 0))),
                GroupKey::Week(d1)
            ]
        );
        assert_eq!(
            (
                first.billable_seconds,
                first.non_billable_seconds,
                first.entries
            ),
            (3600, 600, 2)
        );
    }

    proptest! {
        #[test]
        fn rows_always_add_up_to_the_total(
            items in proptest::collection::vec((1u64..4, 1u64..5, 0i16..400, any::<bool>(), 1i64..20_000, 0i64..100_000), 0..200),
            dims in proptest::sample::subsequence(vec![GroupBy::Client, GroupBy::Project, GroupBy::Task, GroupBy::Member, GroupBy::Day, GroupBy::Week, GroupBy::Month], 0..=7),
        ) {
            let base = Date::constant(2026, 1, 1);
            let inputs: Vec<ReportInput> = items.iter().map(|(m, p, day, billable, secs, cents)| {
                input(*m, *p, base.checked_add(i64::from(*day).days()).unwrap(), *billable, *secs, billable.then_some(*cents))
            }).collect();
            let report = time_report(inputs.iter().copied(), &dims, WeekStart::Monday);
            let billable: i64 = report.rows.iter().map(|r| r.billable_seconds).sum();
            let non: i64 = report.rows.iter().map(|r| r.non_billable_seconds).sum();
            let amount: Decimal = report.rows.iter().flat_map(|r| &r.amounts).map(|m| m.amount).sum();
            prop_assert_eq!(billable, inputs.iter().filter(|i| i.billable).map(|i| i.billed_seconds).sum::<i64>());
            prop_assert_eq!(non, inputs.iter().filter(|i| !i.billable).map(|i| i.raw_seconds).sum::<i64>());
            prop_assert_eq!(amount, inputs.iter().filter_map(|i| i.amount).map(|m| m.amount).sum::<Decimal>());
            prop_assert_eq!(report.total.entries as usize, inputs.len());
            let mut keys: Vec<_> = report.rows.iter().map(|r| r.key.clone()).collect();
            keys.dedup();
            prop_assert_eq!(keys.len(), report.rows.len(), "each group appears once");
        }
    }
}
