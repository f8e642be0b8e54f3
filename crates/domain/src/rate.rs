//! Bill rates: a hierarchy task → project-member → project → client → member → organization, each
//! rule with an effective-from date so that a change affects only work done on or after that date.

use crate::ids::*;
use crate::money::Money;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Where a rate applies. Listed from most to least specific.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "level", rename_all = "snake_case")]
#[ts(export)]
pub enum RateScope {
    /// One task.
    Task {
        /// The task.
        task: TaskId,
    },
    /// One member's work on one project.
    ProjectMember {
        /// The project.
        project: ProjectId,
        /// The member.
        member: MemberId,
    },
    /// One project.
    Project {
        /// The project.
        project: ProjectId,
    },
    /// All projects of one client.
    Client {
        /// The client.
        client: ClientId,
    },
    /// One member's work anywhere.
    Member {
        /// The member.
        member: MemberId,
    },
    /// Everything in the organization.
    Organization,
}

/// One rate rule: from `effective_from` on, work in `scope` is billed at `hourly`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Rate {
    /// Its id.
    pub id: RateId,
    /// Where it applies.
    pub scope: RateScope,
    /// First day it applies to (in the organization's time zone).
    #[ts(type = "string")]
    pub effective_from: Date,
    /// Price of one hour.
    pub hourly: Money,
}

/// What a piece of work was: who did it, for which task, project and client.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct WorkContext {
    /// Who worked.
    pub member: MemberId,
    /// The client of the project.
    pub client: ClientId,
    /// The project.
    pub project: ProjectId,
    /// The task, if any.
    pub task: Option<TaskId>,
}

/// All rate rules of an organization, indexed for resolution.
#[derive(Clone, Debug, Default)]
pub struct RateBook {
    /// Per scope, (effective_from, hourly) sorted by date.
    by_scope: HashMap<RateScope, Vec<(Date, Money)>>,
}

impl RateBook {
    /// Index a set of rules. Two rules for the same scope and date: the later in the input wins.
    pub fn new<'a>(rates: impl IntoIterator<Item = &'a Rate>) -> Self {
        let mut by_scope: HashMap<RateScope, Vec<(Date, Money)>> = HashMap::new();
        for rate in rates {
            let list = by_scope.entry(rate.scope).or_default();
            list.retain(|(date, _)| *date != rate.effective_from);
            list.push((rate.effective_from, rate.hourly));
        }
        for list in by_scope.values_mut() {
            list.sort_by_key(|(date, _)| *date);
        }
        Self { by_scope }
    }

    /// Whether there are no rules at all.
    pub fn is_empty(&self) -> bool {
        self.by_scope.is_empty()
    }

    fn at(&self, scope: RateScope, date: Date) -> Option<Money> {
        let list = self.by_scope.get(&scope)?;
        let after = list.partition_point(|(from, _)| *from <= date);
        after.checked_sub(1).map(|i| list[i].1)
    }

    /// The hourly rate for work in `ctx` on `date`: the most specific level that has a rule in effect.
    pub fn resolve(&self, ctx: &WorkContext, date: Date) -> Option<Money> {
        if self.by_scope.is_empty() {
            return None;
        }
        ctx.task
            .and_then(|task| self.at(RateScope::Task { task }, date))
            .or_else(|| {
                self.at(
                    RateScope::ProjectMember {
                        project: ctx.project,
                        member: ctx.member,
                    },
                    date,
                )
            })
            .or_else(|| {
                self.at(
                    RateScope::Project {
                        project: ctx.project,
                    },
                    date,
                )
            })
            .or_else(|| self.at(RateScope::Client { client: ctx.client }, date))
            .or_else(|| self.at(RateScope::Member { member: ctx.member }, date))
            .or_else(|| self.at(RateScope::Organization, date))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal_macros::dec;
    use ulid::Ulid;

    fn eur(amount: rust_decimal::Decimal) -> Money {
        Money::new(amount, Currency::EUR)
    }

    fn rate(n: u64, scope: RateScope, from: Date, hourly: Money) -> Rate {
        Rate {
            id: RateId(Ulid::from_parts(n, 0)),
            scope,
            effective_from: from,
            hourly,
        }
    }

    #[test]
    fn most_specific_level_in_effect_wins() {
        let ctx = WorkContext {
            member: MemberId(Ulid::from_parts(1, 1)),
            client: ClientId(Ulid::from_parts(1, 2)),
            project: ProjectId(Ulid::from_parts(1, 3)),
            task: Some(TaskId(Ulid::from_parts(1, 4))),
        };
        let jan = Date::constant(2026, 1, 1);
        let jun = Date::constant(2026, 6, 1);
        let rates = vec![
            rate(1, RateScope::Organization, jan, eur(dec!(50))),
            rate(
                2,
                RateScope::Member { member: ctx.member },
                jan,
                eur(dec!(60)),
            ),
            rate(
                3,
                RateScope::Client { client: ctx.client },
                jan,
                eur(dec!(70)),
            ),
            rate(
                4,
                RateScope::Project {
                    project: ctx.project,
                },
                jun,
                eur(dec!(80)),
            ),
            rate(
                5,
                RateScope::ProjectMember {
                    project: ctx.project,
                    member: ctx.member,
                },
                Date::constant(2026, 9, 1),
                eur(dec!(90)),
            ),
            rate(
                6,
                RateScope::Task {
                    task: ctx.task.unwrap(),
                },
                Date::constant(2026, 12, 1),
                eur(dec!(100)),
            ),
        ];
        let book = RateBook::new(&rates);
        assert_eq!(book.resolve(&ctx, Date::constant(2025, 12, 31)), None);
        assert_eq!(
            book.resolve(&ctx, Date::constant(2026, 3, 1)),
            Some(eur(dec!(70)))
        );
        assert_eq!(book.resolve(&ctx, jun), Some(eur(dec!(80))));
        assert_eq!(
            book.resolve(&ctx, Date::constant(2026, 10, 1)),
            Some(eur(dec!(90)))
        );
        assert_eq!(
            book.resolve(&ctx, Date::constant(2026, 12, 24)),
            Some(eur(dec!(100)))
        );
        let other_member = WorkContext {
            member: MemberId(Ulid::from_parts(2, 2)),
            task: None,
            ..ctx
        };
        assert_eq!(
            book.resolve(&other_member, Date::constant(2026, 10, 1)),
            Some(eur(dec!(80)))
        );
        let other_client = WorkContext {
            client: ClientId(Ulid::from_parts(3, 3)),
            project: ProjectId(Ulid::from_parts(3, 4)),
            task: None,
            ..ctx
        };
        assert_eq!(
            book.resolve(&other_client, Date::constant(2026, 10, 1)),
            Some(eur(dec!(60)))
        );
    }

    #[test]
    fn a_rate_change_affects_only_work_from_its_date() {
        let ctx = WorkContext {
            member: MemberId(Ulid::from_parts(1, 1)),
            client: ClientId(Ulid::from_parts(1, 2)),
            project: ProjectId(Ulid::from_parts(1, 3)),
            task: None,
        };
        let scope = RateScope::Project {
            project: ctx.project,
        };
        let book = RateBook::new(&[
            rate(1, scope, Date::constant(2026, 1, 1), eur(dec!(95))),
            rate(2, scope, Date::constant(2026, 7, 1), eur(dec!(110))),
        ]);
        assert_eq!(
            book.resolve(&ctx, Date::constant(2026, 6, 30)),
            Some(eur(dec!(95)))
        );
        assert_eq!(
            book.resolve(&ctx, Date::constant(2026, 7, 1)),
            Some(eur(dec!(110)))
        );
    }
}
