//! Project budgets in hours or money, for the whole project or per month, and their usage.

use crate::ids::*;
use crate::money::Money;
use crate::validate::ValidationError;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What a budget limits.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "unit", rename_all = "snake_case")]
#[ts(export)]
pub enum BudgetLimit {
    /// Hours of tracked time.
    Hours {
        /// Number of hours.
        #[ts(type = "string")]
        hours: Decimal,
    },
    /// Billable amount.
    Amount {
        /// The amount.
        amount: Money,
    },
}

/// Over which period the limit applies.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BudgetPeriod {
    /// The project's whole life.
    Lifetime,
    /// Each calendar month, starting afresh.
    Monthly,
}

/// A project's budget.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Budget {
    /// Its id.
    pub id: BudgetId,
    /// The project.
    pub project: ProjectId,
    /// The limit.
    pub limit: BudgetLimit,
    /// The period.
    pub period: BudgetPeriod,
}

/// How much of a budget is used.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct BudgetUsage {
    /// Used so far, in hours or currency units.
    #[ts(type = "string")]
    pub used: Decimal,
    /// The limit, in the same unit.
    #[ts(type = "string")]
    pub limit: Decimal,
    /// Used as a percentage of the limit, to one decimal.
    #[ts(type = "string")]
    pub percent: Decimal,
}

/// One piece of work counted against a budget.
#[derive(Clone, Copy, Debug)]
pub struct BudgetItem {
    /// Its day.
    pub date: Date,
    /// Billed seconds.
    pub billed_seconds: i64,
    /// Its amount, if it has one.
    pub amount: Option<Money>,
}

impl Budget {
    /// Check the limit is positive.
    pub fn validate(self) -> Result<Self, ValidationError> {
        let positive = match self.limit {
            BudgetLimit::Hours { hours } => hours > Decimal::ZERO,
            BudgetLimit::Amount { amount } => amount.amount > Decimal::ZERO,
        };
        if !positive {
            return Err(ValidationError::new("a budget must be greater than zero"));
        }
        Ok(self)
    }

    /// Usage as of `today`: monthly budgets count only today's month.
    pub fn usage(&self, today: Date, items: impl IntoIterator<Item = BudgetItem>) -> BudgetUsage {
        let in_period = |d: Date| match self.period {
            BudgetPeriod::Lifetime => true,
            BudgetPeriod::Monthly => d.year() == today.year() && d.month() == today.month(),
        };
        let (used, limit) = match self.limit {
            BudgetLimit::Hours { hours } => {
                let seconds: i64 = items
                    .into_iter()
                    .filter(|i| in_period(i.date))
                    .map(|i| i.billed_seconds)
                    .sum();
                (Decimal::from(seconds) / Decimal::from(3600), hours)
            }
            BudgetLimit::Amount { amount } => {
                let used = items
                    .into_iter()
                    .filter(|i| in_period(i.date))
                    .filter_map(|i| i.amount)
                    .filter(|m| m.currency == amount.currency)
                    .map(|m| m.amount)
                    .sum();
                (used, amount.amount)
            }
        };
        let percent = (used * Decimal::from(100) / limit)
            .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        BudgetUsage {
            used: used.round_dp(2),
            limit,
            percent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal_macros::dec;
    use ulid::Ulid;

    #[test]
    fn monthly_budgets_count_only_this_month() {
        let budget = Budget {
            id: BudgetId(Ulid::from_parts(1, 0)),
            project: ProjectId(Ulid::from_parts(2, 0)),
            limit: BudgetLimit::Hours { hours: dec!(10) },
            period: BudgetPeriod::Monthly,
        };
        let item = |m, d, h: i64| BudgetItem {
            date: Date::constant(2026, m, d),
            billed_seconds: h * 3600,
            amount: None,
        };
        let usage = budget.usage(
            Date::constant(2026, 11, 23),
            [item(11, 1, 3), item(11, 20, 2), item(10, 31, 8)],
        );
        assert_eq!((usage.used, usage.percent), (dec!(5), dec!(50.0)));
        let lifetime = Budget {
            period: BudgetPeriod::Lifetime,
            ..budget
        };
        let usage = lifetime.usage(
            Date::constant(2026, 11, 23),
            [item(11, 1, 3), item(11, 20, 2), item(10, 31, 8)],
        );
        assert_eq!(usage.percent, dec!(130.0));
    }

    #[test]
    fn amount_budgets_sum_amounts_in_their_currency() {
        let budget = Budget {
            id: BudgetId(Ulid::from_parts(1, 0)),
            project: ProjectId(Ulid::from_parts(2, 0)),
            limit: BudgetLimit::Amount {
                amount: Money::new(dec!(1000), Currency::EUR),
            },
            period: BudgetPeriod::Lifetime,
        };
        let item = |amount| BudgetItem {
            date: Date::constant(2026, 1, 1),
            billed_seconds: 0,
            amount: Some(amount),
        };
        let usage = budget.usage(
            Date::constant(2026, 1, 2),
            [
                item(Money::new(dec!(118.75), Currency::EUR)),
                item(Money::new(dec!(23.75), Currency::EUR)),
            ],
        );
        assert_eq!(usage.used, dec!(142.50));
        assert_eq!(usage.percent, dec!(14.3));
        assert!(
            Budget {
                limit: BudgetLimit::Hours { hours: dec!(0) },
                ..budget
            }
            .validate()
            .is_err()
        );
    }
}
