//! Time reports: tracked time grouped by any of client, project, task, member, day, week and month,
//! with billable and non-billable hours and amounts.

use crate::ids::*;
use crate::model::WeekStart;
use crate::money::{Currency, Money};
use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::Decimal;
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

/// The facts of one finished time entry that a report needs. Its ids are dense numbers (`codes`):
/// grouping compares and hashes those, and asks for the ids behind them only to name a group it
/// meets for the first time. So an input is 64 bytes, copied once per entry.
#[derive(Clone, Copy, Debug)]
pub struct ReportInput {
    /// Member, client, project and task as dense numbers from one [`Numbering`].
    pub codes: Codes,
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

/// Dense numbers for the ids of a [`ReportInput`], so that grouping works on small integers.
/// Task 0 is "no task".
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Codes {
    /// The member's number.
    pub member: u32,
    /// The client's number.
    pub client: u32,
    /// The project's number.
    pub project: u32,
    /// The task's number, 0 for none.
    pub task: u32,
}

/// Gives every id a dense number the first time it is seen (numbers start at 1; 0 is "none").
/// Ids are ULIDs, unique across kinds, so one numbering serves all of them. Numbers are never
/// reused, so equal numbers mean equal ids for as long as the numbering lives.
#[derive(Clone, Debug, Default)]
pub struct Numbering {
    numbers: FxMap<u128, u32>,
    /// The id of each number, at `number - 1`.
    ids: Vec<u128>,
}

impl Numbering {
    /// The number of `id`, assigned now if it has none.
    pub fn assign(&mut self, id: u128) -> u32 {
        let next = self.ids.len() as u32 + 1;
        let number = *self.numbers.entry(id).or_insert(next);
        if number == next {
            self.ids.push(id);
        }
        number
    }

    /// How many numbers are given out (the highest number).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no number is given out yet.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The number of `id`, if assigned.
    pub fn get(&self, id: u128) -> Option<u32> {
        self.numbers.get(&id).copied()
    }

    /// The id numbered `number` (`None` for 0 and numbers not given out).
    #[inline]
    pub fn id(&self, number: u32) -> Option<u128> {
        number
            .checked_sub(1)
            .and_then(|i| self.ids.get(i as usize))
            .copied()
    }

    /// The codes of an entry's ids, assigning numbers to ids not seen before.
    pub fn codes(
        &mut self,
        member: MemberId,
        client: ClientId,
        project: ProjectId,
        task: Option<TaskId>,
    ) -> Codes {
        Codes {
            member: self.assign(member.0.0),
            client: self.assign(client.0.0),
            project: self.assign(project.0.0),
            task: task.map_or(0, |t| self.assign(t.0.0)),
        }
    }
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
    /// Amounts, one per currency, by currency code (exact; round when showing).
    pub amounts: Vec<Money>,
}

impl ReportRow {
    fn merge(&mut self, other: &ReportRow) {
        self.entries += other.entries;
        self.billable_seconds += other.billable_seconds;
        self.billable_raw_seconds += other.billable_raw_seconds;
        self.non_billable_seconds += other.non_billable_seconds;
        for amount in &other.amounts {
            Money::add_to(&mut self.amounts, *amount);
        }
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

/// Running totals of one group while aggregating: small, so that the groups stay in cache. A second
/// currency in one group (rare) spills into a side table.
#[derive(Default)]
struct Acc {
    entries: u32,
    billable_seconds: i64,
    billable_raw_seconds: i64,
    non_billable_seconds: i64,
    amount: Option<Money>,
}

type FxMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// Amounts in a second (third, ...) currency, by group.
type Spill = FxMap<(u32, Currency), Decimal>;

impl Acc {
    fn add(&mut self, slot: u32, input: &ReportInput, spill: &mut Spill) {
        self.entries += 1;
        if input.billable {
            self.billable_seconds += input.billed_seconds;
            self.billable_raw_seconds += input.raw_seconds;
        } else {
            self.non_billable_seconds += input.raw_seconds;
        }
        if let Some(amount) = input.amount {
            self.add_amount(slot, amount, spill);
        }
    }

    fn merge(&mut self, other: Acc, slot: u32, spill: &mut Spill) {
        self.entries += other.entries;
        self.billable_seconds += other.billable_seconds;
        self.billable_raw_seconds += other.billable_raw_seconds;
        self.non_billable_seconds += other.non_billable_seconds;
        if let Some(amount) = other.amount {
            self.add_amount(slot, amount, spill);
        }
    }

    fn add_amount(&mut self, slot: u32, amount: Money, spill: &mut Spill) {
        match &mut self.amount {
            None => self.amount = Some(amount),
            Some(sum) if sum.currency == amount.currency => sum.amount += amount.amount,
            Some(_) => *spill.entry((slot, amount.currency)).or_default() += amount.amount,
        }
    }

    fn into_row(self, key: Vec<GroupKey>, mut others: Vec<Money>) -> ReportRow {
        let mut amounts = Vec::with_capacity(1 + others.len());
        amounts.extend(self.amount);
        amounts.append(&mut others);
        amounts.sort_unstable_by_key(|m| m.currency);
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

/// Days from 1970-01-01 to `date` (negative before), by the proleptic Gregorian calendar: a few
/// integer operations, where calendar arithmetic through spans would cost far more per entry.
/// (H. Hinnant's `days_from_civil`.)
fn epoch_day(date: Date) -> i32 {
    let (month, day) = (i32::from(date.month()), i32::from(date.day()));
    let year = i32::from(date.year()) - i32::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A day number as a group code (in date order).
fn day_code(day: i32) -> u32 {
    day.wrapping_add(1 << 24) as u32
}

/// The date of a [`day_code`]: the inverse of [`epoch_day`] (H. Hinnant's `civil_from_days`).
fn date_of_day_code(code: u32) -> Option<Date> {
    let days = (code as i32).wrapping_sub(1 << 24) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i32::from(month <= 2);
    Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()
}

/// Years are offset by this in month codes, so that every year a date can have (from -9999) codes
/// as a positive number.
const YEAR_OFFSET: i32 = 10_000;

/// A month as a group code (in date order).
fn month_code(date: Date) -> u32 {
    ((i32::from(date.year()) + YEAR_OFFSET) * 12 + i32::from(date.month()) - 1) as u32
}

/// The first day of the month of a [`month_code`].
fn date_of_month_code(code: u32) -> Option<Date> {
    let code = i32::try_from(code).ok()?;
    Date::new(
        i16::try_from(code / 12 - YEAR_OFFSET).ok()?,
        i8::try_from(code % 12 + 1).ok()?,
        1,
    )
    .ok()
}

/// Inputs per thread below which a report is not split (splitting costs a merge of the groups).
const CHUNK: usize = 16 * 1024;

/// Group the inputs that `input` makes of `items` (`None` skips an item) by `group_by` (duplicates
/// ignored, at most one of each dimension). `ids` is the numbering the inputs' codes come from; an
/// input whose group names a number it does not know is left out. Large inputs are grouped in
/// parallel, in chunks whose groups are then merged. Rows come sorted by their keys.
pub fn time_report<T: Sync>(
    items: &[T],
    input: impl Fn(&T) -> Option<ReportInput> + Sync,
    ids: &Numbering,
    group_by: &[GroupBy],
    week_start: WeekStart,
) -> Report {
    report_in_chunks(items, input, ids, group_by, week_start, CHUNK)
}

/// [`time_report`] with at least `min_chunk` inputs per parallel part.
fn report_in_chunks<T: Sync>(
    items: &[T],
    input: impl Fn(&T) -> Option<ReportInput> + Sync,
    ids: &Numbering,
    group_by: &[GroupBy],
    week_start: WeekStart,
    min_chunk: usize,
) -> Report {
    let mut dims: Vec<GroupBy> = Vec::with_capacity(MAX_DIMENSIONS);
    for g in group_by {
        if !dims.contains(g) {
            dims.push(*g);
        }
    }
    let run = Run {
        dims: &dims,
        ids,
        week_start,
        input: &input,
        min_chunk,
    };
    let rows = match dims.len() {
        0 => run.aggregate::<0, T>(items),
        1 => run.aggregate::<1, T>(items),
        2 => run.aggregate::<2, T>(items),
        3 => run.aggregate::<3, T>(items),
        4 => run.aggregate::<4, T>(items),
        5 => run.aggregate::<5, T>(items),
        6 => run.aggregate::<6, T>(items),
        _ => run.aggregate::<7, T>(items),
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

/// One report being computed.
struct Run<'a, F> {
    dims: &'a [GroupBy],
    ids: &'a Numbering,
    week_start: WeekStart,
    input: &'a F,
    min_chunk: usize,
}

/// The groups of a part of the inputs, in the order first met, by their codes alone: typed keys
/// are made once, for the merged groups (see [`Run::finish`]).
struct Partial<const N: usize> {
    accs: Vec<Acc>,
    codes: Vec<[u32; N]>,
    spill: Spill,
}

impl<const N: usize> Partial<N> {
    /// Fold `other`'s groups into these.
    fn merge(mut self, other: Partial<N>) -> Partial<N> {
        if self.accs.len() < other.accs.len() {
            return other.merge(self);
        }
        // Codes are the same in every part (numbers come from one numbering; dates pack).
        let mut slots: FxMap<[u32; N], u32> = self
            .codes
            .iter()
            .enumerate()
            .map(|(slot, code)| (*code, slot as u32))
            .collect();
        let mut moved = Vec::with_capacity(other.accs.len());
        for (acc, code) in other.accs.into_iter().zip(other.codes) {
            let slot = *slots.entry(code).or_insert_with(|| {
                self.codes.push(code);
                self.accs.push(Acc::default());
                (self.accs.len() - 1) as u32
            });
            self.accs[slot as usize].merge(acc, slot, &mut self.spill);
            moved.push(slot);
        }
        for ((slot, currency), amount) in other.spill {
            let slot = moved[slot as usize];
            self.accs[slot as usize].add_amount(
                slot,
                Money::new(amount, currency),
                &mut self.spill,
            );
        }
        self
    }
}

impl<F> Run<'_, F> {
    /// Aggregation with exactly `N` dimensions, in parallel chunks when the input is large.
    fn aggregate<const N: usize, T: Sync>(&self, items: &[T]) -> Vec<ReportRow>
    where
        F: Fn(&T) -> Option<ReportInput> + Sync,
    {
        use rayon::prelude::*;
        let threads = rayon::current_num_threads().max(1);
        let chunk = items.len().div_ceil(threads).max(self.min_chunk);
        let partial = items
            .par_chunks(chunk.max(1))
            .map(|part| self.collect::<N, T>(part))
            .reduce_with(Partial::merge);
        partial.map(|p| self.finish(p)).unwrap_or_default()
    }

    /// A group is identified by `N` small numbers (the inputs' codes, or packed dates): cheap to
    /// hash and compare, and the map and the accumulators stay small enough to live in cache.
    /// Typed keys are kept once per group.
    fn collect<const N: usize, T>(&self, items: &[T]) -> Partial<N>
    where
        F: Fn(&T) -> Option<ReportInput>,
    {
        // 1970-01-01 was a Thursday: its Monday-based weekday is 3.
        let start = i32::from(self.week_start.weekday().to_monday_zero_offset());
        let mut index: FxMap<[u32; N], u32> = FxMap::default();
        index.reserve(items.len() / 4);
        let mut part = Partial {
            accs: Vec::new(),
            codes: Vec::new(),
            spill: Spill::default(),
        };
        for input in items.iter().filter_map(self.input) {
            // Days, weeks and months are coded by arithmetic on the day number, in date order.
            let day = epoch_day(input.date);
            let mut code = [0u32; N];
            for (i, dim) in self.dims.iter().enumerate().take(N) {
                code[i] = match dim {
                    GroupBy::Client => input.codes.client,
                    GroupBy::Project => input.codes.project,
                    GroupBy::Task => input.codes.task,
                    GroupBy::Member => input.codes.member,
                    GroupBy::Day => day_code(day),
                    GroupBy::Week => day_code(day - (day + 3 - start).rem_euclid(7)),
                    GroupBy::Month => month_code(input.date),
                };
            }
            let slot = *index.entry(code).or_insert_with(|| {
                part.codes.push(code);
                part.accs.push(Acc::default());
                (part.accs.len() - 1) as u32
            });
            part.accs[slot as usize].add(slot, &input, &mut part.spill);
        }
        part
    }
}

impl<F> Run<'_, F> {
    /// The merged groups as rows sorted by key, each named once: ids from the numbering, dates
    /// from their codes. A group whose code names no id is left out.
    ///
    /// Sorting compares ranks, not keys: in each id dimension the distinct codes are ranked by
    /// their ids (a few thousand comparisons of ids instead of one per comparison of rows), and
    /// date codes are in date order already. Rows so come in the order of their typed keys.
    fn finish<const N: usize>(&self, part: Partial<N>) -> Vec<ReportRow> {
        let Partial { accs, codes, spill } = part;
        let mut ranks: Vec<Option<Vec<u32>>> = Vec::with_capacity(N);
        for (i, dim) in self.dims.iter().enumerate().take(N) {
            let by_id = matches!(
                dim,
                GroupBy::Client | GroupBy::Project | GroupBy::Task | GroupBy::Member
            );
            ranks.push(by_id.then(|| self.rank_by_id(codes.iter().map(|c| c[i]))));
        }
        let mut order: Vec<([u32; N], u32)> = Vec::with_capacity(codes.len());
        'groups: for (slot, code) in codes.iter().enumerate() {
            let mut rank = *code;
            for (r, table) in rank.iter_mut().zip(&ranks) {
                if let Some(table) = table {
                    *r = table.get(*r as usize).copied().unwrap_or(UNNAMED);
                    if *r == UNNAMED {
                        continue 'groups;
                    }
                }
            }
            order.push((rank, slot as u32));
        }
        order.sort_unstable();
        let mut others: FxMap<u32, Vec<Money>> = FxMap::default();
        for ((slot, currency), amount) in spill {
            others
                .entry(slot)
                .or_default()
                .push(Money::new(amount, currency));
        }
        let mut accs: Vec<Option<Acc>> = accs.into_iter().map(Some).collect();
        order
            .into_iter()
            .filter_map(|(_, slot)| {
                let key = self.key(&codes[slot as usize])?;
                let acc = accs[slot as usize].take()?;
                let extra = others.remove(&slot).unwrap_or_default();
                Some(acc.into_row(key, extra))
            })
            .collect()
    }

    /// For each number the `codes` hold, its rank among them by id (0 is "none", which sorts
    /// first); [`UNNAMED`] for numbers the numbering does not know. Indexed by number.
    fn rank_by_id(&self, codes: impl Iterator<Item = u32>) -> Vec<u32> {
        let mut table = vec![UNNAMED; self.ids.len() + 1];
        table[0] = 0;
        let mut distinct: Vec<(u128, u32)> = Vec::new();
        for code in codes {
            if let Some(seen) = table.get_mut(code as usize)
                && *seen == UNNAMED
                && let Some(id) = self.ids.id(code)
            {
                *seen = 0; // counted; ranked below
                distinct.push((id, code));
            }
        }
        distinct.sort_unstable();
        for (rank, (_, code)) in distinct.into_iter().enumerate() {
            table[code as usize] = rank as u32 + 1;
        }
        table
    }

    /// The typed key of a group's codes; `None` when a code names no id.
    fn key<const N: usize>(&self, code: &[u32; N]) -> Option<Vec<GroupKey>> {
        let id = |code: u32| self.ids.id(code).map(ulid::Ulid);
        self.dims
            .iter()
            .zip(code)
            .map(|(dim, &code)| {
                Some(match dim {
                    GroupBy::Client => GroupKey::Client(ClientId(id(code)?)),
                    GroupBy::Project => GroupKey::Project(ProjectId(id(code)?)),
                    GroupBy::Task => GroupKey::Task(match code {
                        0 => None,
                        code => Some(TaskId(id(code)?)),
                    }),
                    GroupBy::Member => GroupKey::Member(MemberId(id(code)?)),
                    GroupBy::Day => GroupKey::Day(date_of_day_code(code)?),
                    GroupBy::Week => GroupKey::Week(date_of_day_code(code)?),
                    GroupBy::Month => GroupKey::Month(date_of_month_code(code)?),
                })
            })
            .collect()
    }
}

/// The rank of a number the numbering does not know: its groups are left out.
const UNNAMED: u32 = u32::MAX;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
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
            date,
            billable,
            raw_seconds: seconds,
            billed_seconds: seconds,
            amount: cents.map(|c| Money::new(Decimal::new(c, 2), Currency::EUR)),
            codes: Codes {
                member: member as u32,
                client: (project % 2) as u32 + 100,
                project: project as u32 + 200,
                task: 0,
            },
        }
    }

    /// The id numbered `n` in [`ids`]: later numbers have smaller ids, so that the order of the
    /// numbers is not the order of the ids (rows must come in the ids' order).
    fn id_of(n: u32) -> Ulid {
        Ulid::from_parts(1000 - u64::from(n), 0)
    }

    /// A numbering of [`id_of`] for numbers up to 300.
    fn ids() -> Numbering {
        let mut ids = Numbering::default();
        for n in 1..=300 {
            assert_eq!(ids.assign(id_of(n).0), n);
        }
        ids
    }

    #[test]
    fn day_numbers_and_week_codes_agree_with_the_calendar() {
        let epoch = Date::constant(1970, 1, 1);
        let mut date = Date::constant(1899, 12, 25);
        while date < Date::constant(2101, 1, 8) {
            let day = epoch_day(date);
            assert_eq!(day, (date - epoch).get_days(), "{date}");
            assert_eq!(date_of_day_code(day_code(day)), Some(date), "{date}");
            assert_eq!(date_of_month_code(month_code(date)), Some(month_of(date)));
            for start in [WeekStart::Monday, WeekStart::Sunday, WeekStart::Saturday] {
                let offset = i32::from(start.weekday().to_monday_zero_offset());
                let week = day - (day + 3 - offset).rem_euclid(7);
                assert_eq!(week, epoch_day(week_of(date, start)), "{date} {start:?}");
            }
            date = date.tomorrow().unwrap();
        }
    }

    #[test]
    fn numbering_is_dense_stable_and_distinct() {
        let mut n = Numbering::default();
        let (a, b) = (Ulid::from_parts(7, 1).0, Ulid::from_parts(7, 2).0);
        assert_eq!(n.get(a), None);
        assert_eq!(n.assign(a), 1);
        assert_eq!(n.assign(b), 2);
        assert_eq!(n.assign(a), 1, "a number never changes");
        assert_eq!(n.get(b), Some(2));
        let codes = n.codes(
            MemberId(Ulid(a)),
            ClientId(Ulid(b)),
            ProjectId(Ulid::from_parts(8, 0)),
            None,
        );
        assert_eq!(
            codes,
            Codes {
                member: 1,
                client: 2,
                project: 3,
                task: 0
            }
        );
        // And back: each number names its id; 0 and numbers not given out name none.
        assert_eq!(n.id(1), Some(a));
        assert_eq!(n.id(2), Some(b));
        assert_eq!(n.id(3), Some(Ulid::from_parts(8, 0).0));
        assert_eq!(n.id(0), None);
        assert_eq!(n.id(4), None);
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
            &inputs,
            |i| Some(*i),
            &ids(),
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
        // Rows in the order of their keys: project 2's id is the smaller one.
        let keys: Vec<_> = report.rows.iter().map(|r| r.key.clone()).collect();
        let (p1, p2) = (
            GroupKey::Project(ProjectId(id_of(201))),
            GroupKey::Project(ProjectId(id_of(202))),
        );
        assert_eq!(
            keys,
            vec![
                vec![p2, GroupKey::Week(d1)],
                vec![p1, GroupKey::Week(d1)],
                vec![p1, GroupKey::Week(d2)],
            ]
        );
        let row = &report.rows[1];
        assert_eq!(
            (row.billable_seconds, row.non_billable_seconds, row.entries),
            (3600, 600, 2)
        );
    }

    #[test]
    fn groups_are_named_from_the_numbering_and_unknown_numbers_left_out() {
        let day = Date::constant(2026, 11, 23);
        let mut tasked = input(1, 1, day, true, 600, None);
        tasked.codes.task = 7;
        let mut unknown = input(2, 1, day, true, 60, None);
        unknown.codes.member = 999;
        let inputs = [input(1, 1, day, true, 3600, None), tasked, unknown];
        let report = time_report(
            &inputs,
            |i| Some(*i),
            &ids(),
            &[GroupBy::Member, GroupBy::Client, GroupBy::Task],
            WeekStart::Monday,
        );
        let keys: Vec<_> = report.rows.iter().map(|r| r.key.clone()).collect();
        let (member, client) = (
            GroupKey::Member(MemberId(id_of(1))),
            GroupKey::Client(ClientId(id_of(101))),
        );
        assert_eq!(
            keys,
            vec![
                vec![member, client, GroupKey::Task(None)],
                vec![member, client, GroupKey::Task(Some(TaskId(id_of(7))))],
            ]
        );
        // Member 999 was never numbered: its entry is in no group and not in the total.
        assert_eq!(report.total.entries, 2);
        assert_eq!(report.total.billable_seconds, 4200);
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
            let report = time_report(&inputs, |i| Some(*i), &ids(), &dims, WeekStart::Monday);
            let billable: i64 = report.rows.iter().map(|r| r.billable_seconds).sum();
            let non: i64 = report.rows.iter().map(|r| r.non_billable_seconds).sum();
            let amount: Decimal = report.rows.iter().flat_map(|r| &r.amounts).map(|m| m.amount).sum();
            prop_assert_eq!(billable, inputs.iter().filter(|i| i.billable).map(|i| i.billed_seconds).sum::<i64>());
            prop_assert_eq!(non, inputs.iter().filter(|i| !i.billable).map(|i| i.raw_seconds).sum::<i64>());
            prop_assert_eq!(amount, inputs.iter().filter_map(|i| i.amount).map(|m| m.amount).sum::<Decimal>());
            prop_assert_eq!(report.total.entries as usize, inputs.len());
            let keys: Vec<_> = report.rows.iter().map(|r| r.key.clone()).collect();
            prop_assert!(keys.windows(2).all(|w| w[0] < w[1]), "rows are sorted by key, each group once");
        }

        #[test]
        fn parts_grouped_in_parallel_merge_to_the_same_report(
            items in proptest::collection::vec((1u64..4, 1u64..6, 0i16..60, any::<bool>(), 1i64..20_000, 0i64..100_000, 0usize..3), 0..300),
            dims in proptest::sample::subsequence(vec![GroupBy::Client, GroupBy::Project, GroupBy::Task, GroupBy::Member, GroupBy::Day, GroupBy::Week, GroupBy::Month], 0..=7),
            chunk in 1usize..40,
        ) {
            let base = Date::constant(2026, 3, 1);
            let currencies = [Currency::EUR, Currency::USD, "JPY".parse::<Currency>().unwrap()];
            let inputs: Vec<ReportInput> = items.iter().map(|(m, p, day, billable, secs, cents, cur)| {
                let mut i = input(*m, *p, base.checked_add(i64::from(*day).days()).unwrap(), *billable, *secs, billable.then_some(*cents));
                i.amount = i.amount.map(|a| Money::new(a.amount, currencies[*cur]));
                i
            }).collect();
            let ids = ids();
            let whole = report_in_chunks(&inputs, |i| Some(*i), &ids, &dims, WeekStart::Monday, usize::MAX);
            let parts = report_in_chunks(&inputs, |i| Some(*i), &ids, &dims, WeekStart::Monday, chunk);
            prop_assert_eq!(whole, parts);
        }
    }
}
