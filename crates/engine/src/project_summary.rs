//! What the Projects screen shows of each project: the time tracked on it, the billable time not
//! yet invoiced and what that is worth, and the project's hourly rate today.

use crate::{ActAs, Engine, Result};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use stint_domain::role::{Scope, Target, authorize, grant};
use stint_domain::*;

/// One project's figures, as the acting member may see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ProjectSummary {
    /// The project.
    pub project: ProjectId,
    /// Seconds tracked on it, as tracked (stopped entries the acting member may read).
    #[ts(type = "number")]
    pub seconds: i64,
    /// Billable seconds not yet invoiced, after rounding.
    #[ts(type = "number")]
    pub unbilled_seconds: i64,
    /// What those are worth, one amount per currency; empty for roles that may not read rates.
    pub unbilled: Vec<Money>,
    /// The project's hourly rate today (a member's own rate may differ); `None` without one or for
    /// roles that may not read rates.
    pub rate: Option<Money>,
    /// Billable seconds that no rate covers (tracked before any rate's start), for roles that
    /// read rates: a new rate's start date should reach back to them.
    #[ts(type = "number")]
    pub unrated_seconds: i64,
    /// The first day of such time.
    #[ts(type = "string | null")]
    pub first_unrated: Option<Date>,
}

impl Engine {
    /// Every project's figures (archived ones too), by project id.
    pub fn project_summaries(&self, by: &ActAs) -> Result<Vec<ProjectSummary>> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::ReadCatalog, &Target::Org { org: by.org })?;
        let time = grant(actor.role, Action::ReadTimeEntry);
        let rates = grant(actor.role, Action::ReadRates) != Scope::None;
        let today = self.today(by)?;
        // The rule for nobody in particular: member-level rates never match it.
        let nobody = MemberId(ulid::Ulid::nil());
        let mut summaries: HashMap<ProjectId, ProjectSummary> = state
            .projects
            .values()
            .map(|p| {
                let ctx = WorkContext {
                    member: nobody,
                    client: p.client,
                    project: p.id,
                    task: None,
                };
                let summary = ProjectSummary {
                    project: p.id,
                    seconds: 0,
                    unbilled_seconds: 0,
                    unbilled: Vec::new(),
                    rate: if rates {
                        state.rate_book.resolve(&ctx, today)
                    } else {
                        None
                    },
                    unrated_seconds: 0,
                    first_unrated: None,
                };
                (p.id, summary)
            })
            .collect();
        for e in state.entries.values() {
            let readable = match time {
                Scope::All => true,
                Scope::Own => e.member() == by.member,
                Scope::None => false,
            };
            let Some(summary) = e
                .project()
                .filter(|_| readable && !e.is_running())
                .and_then(|p| summaries.get_mut(&p))
            else {
                continue;
            };
            let facts = e.facts();
            summary.seconds += facts.valuation.raw_seconds;
            if rates && e.billable() && facts.valuation.amount.is_none() {
                summary.unrated_seconds += facts.valuation.raw_seconds;
                summary.first_unrated = Some(
                    summary
                        .first_unrated
                        .map_or(facts.date, |d| d.min(facts.date)),
                );
            }
            if e.billable() && !e.invoiced() {
                summary.unbilled_seconds += facts.valuation.billed_seconds;
                if let Some(amount) = facts.valuation.amount.filter(|_| rates) {
                    Money::add_to(&mut summary.unbilled, amount);
                }
            }
        }
        let mut list: Vec<ProjectSummary> = summaries.into_values().collect();
        list.sort_by_key(|s| s.project);
        for s in &mut list {
            s.unbilled = s.unbilled.iter().map(|m| m.rounded()).collect();
        }
        Ok(list)
    }
}
