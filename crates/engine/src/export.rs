//! Export of an organization's data as JSON (everything the acting member may read) or CSV (time
//! entries, one row each).

use crate::entry_store::EntryRef;
use crate::{ActAs, Engine, EngineError, Result};
use serde::Serialize;
use std::io::Write;
use stint_domain::entry::EntryTime;
use stint_domain::role::grant;
use stint_domain::*;

/// Export formats.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ExportFormat {
    /// One JSON document.
    Json,
    /// Time entries as CSV.
    Csv,
}

/// What was exported.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
pub struct ExportSummary {
    /// Time entries written.
    pub entries: u64,
    /// Expenses written.
    pub expenses: u64,
}

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    version: u32,
    organization: &'a Organization,
    members: Vec<&'a Member>,
    clients: Vec<&'a Client>,
    projects: Vec<&'a Project>,
    tasks: Vec<&'a Task>,
    tags: Vec<&'a Tag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rates: Option<Vec<&'a Rate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    budgets: Option<Vec<&'a Budget>>,
    time_entries: Vec<EntryRef<'a>>,
    expenses: Vec<&'a Expense>,
}

/// An entry's amount as reports and invoice lines add it up: in cents when that is exact
/// ("142.50"), else with every decimal it keeps ("126.6666666667"), so that a spreadsheet's sum of
/// the column gives the cents the report and the invoice show for the same entries
/// (docs/invoicing.md, "One amount for one piece of work").
fn exact_amount(m: Money) -> String {
    let cents = m.currency.exponent();
    if m.amount.round_dp(cents) == m.amount {
        format!("{:.*}", cents as usize, m.amount)
    } else {
        m.amount.normalize().to_string()
    }
}

fn io(e: impl std::fmt::Display) -> EngineError {
    EngineError::Io(format!("export failed: {e}"))
}

/// The columns of a CSV of time entries.
const ENTRY_COLUMNS: [&str; 13] = [
    "date",
    "start",
    "end",
    "member",
    "client",
    "project",
    "task",
    "note",
    "billable",
    "hours",
    "billed_hours",
    "amount",
    "currency",
];

/// One entry as a CSV record of [`ENTRY_COLUMNS`]; its amount only for a role that reads rates.
/// Names and the note, which people type, get a leading quote where a spreadsheet would run them
/// as a formula: every CSV of entries is opened in one sooner or later.
fn entry_record(state: &crate::state::OrgState, e: &TimeEntry, finance: bool) -> [String; 13] {
    use crate::views::spreadsheet_safe as safe;
    let tz = state.time_zone();
    let facts = state.entries.facts(&e.id);
    let project = e.project.and_then(|p| state.projects.get(&p));
    let local = |at: jiff::Timestamp| tz.to_datetime(at).strftime("%Y-%m-%dT%H:%M:%S").to_string();
    let (start, end) = match e.time {
        EntryTime::Span { start, end } => (local(start), local(end)),
        EntryTime::Running { start } => (local(start), String::new()),
        EntryTime::Duration { .. } => (String::new(), String::new()),
    };
    let hours = |s: i64| {
        format!(
            "{:.2}",
            rust_decimal::Decimal::from(s) / rust_decimal::Decimal::from(3600)
        )
    };
    let amount = facts.and_then(|f| f.valuation.amount).filter(|_| finance);
    [
        facts.map(|f| f.date.to_string()).unwrap_or_default(),
        start,
        end,
        safe(
            state
                .members
                .get(&e.member)
                .map(|m| m.name.clone())
                .unwrap_or_default(),
        ),
        safe(
            project
                .and_then(|p| state.clients.get(&p.client))
                .map(|c| c.name.clone())
                .unwrap_or_default(),
        ),
        safe(project.map(|p| p.name.clone()).unwrap_or_default()),
        safe(
            e.task
                .and_then(|t| state.tasks.get(&t))
                .map(|t| t.name.clone())
                .unwrap_or_default(),
        ),
        safe(e.note.clone()),
        e.billable.to_string(),
        facts
            .map(|f| hours(f.valuation.raw_seconds))
            .unwrap_or_default(),
        facts
            .map(|f| hours(f.valuation.billed_seconds))
            .unwrap_or_default(),
        amount.map(exact_amount).unwrap_or_default(),
        amount.map(|m| m.currency.to_string()).unwrap_or_default(),
    ]
}

impl Engine {
    /// The entries `ids` (those of them the acting member may read, in date order) as CSV for a
    /// spreadsheet: the detailed report's export. Names, notes and tags that a spreadsheet would
    /// run as a formula get a leading quote; amounts only for roles that read rates.
    pub fn entries_csv(&self, by: &ActAs, ids: &[EntryId]) -> Result<String> {
        let (actor, state) = self.actor(by)?;
        authorize(
            &actor,
            Action::ReadTimeReports,
            &Target::Org { org: by.org },
        )?;
        let everyone = grant(actor.role, Action::ReadTimeReports) == Scope::All;
        let finance = grant(actor.role, Action::ReadRates) != Scope::None;
        let mut entries: Vec<TimeEntry> = ids
            .iter()
            .filter_map(|id| state.entries.get(id))
            .filter(|e| everyone || e.member() == by.member)
            .map(|e| e.to_entry())
            .collect();
        entries.sort_by_key(|e| (state.entries.facts(&e.id).map(|f| f.date), e.id));
        entries.dedup_by_key(|e| e.id);
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(ENTRY_COLUMNS.iter().chain(&["tags", "invoiced"]))
            .map_err(io)?;
        for e in entries {
            let mut record = entry_record(state, &e, finance).to_vec();
            let tags: Vec<&str> = e
                .tags
                .iter()
                .filter_map(|t| state.tags.get(t))
                .map(|t| t.name.as_str())
                .collect();
            record.push(crate::views::spreadsheet_safe(tags.join(", ")));
            record.push(e.invoiced.to_string());
            csv.write_record(record).map_err(io)?;
        }
        String::from_utf8(csv.into_inner().map_err(io)?).map_err(io)
    }

    /// Write the organization's data to `out`. Members export only their own entries and expenses;
    /// rates and budgets are included only for roles that may read them. `progress(done, total)` is
    /// called as rows are written.
    pub fn export(
        &self,
        by: &ActAs,
        format: ExportFormat,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ExportSummary> {
        let (actor, state) = self.actor(by)?;
        authorize(
            &actor,
            Action::ExportOrganization,
            &Target::Org { org: by.org },
        )?;
        let own_only = grant(actor.role, Action::ExportOrganization) == Scope::Own;
        let finance = grant(actor.role, Action::ReadRates) != Scope::None;
        let mut entries: Vec<EntryRef> = state
            .entries
            .values()
            .filter(|e| !own_only || e.member() == by.member)
            .collect();
        entries.sort_by_key(|e| (e.facts().date, e.id()));
        let mut expenses: Vec<&Expense> = state
            .expenses
            .values()
            .filter(|x| !own_only || x.member == by.member)
            .collect();
        expenses.sort_by_key(|x| (x.date, x.id));
        let total = entries.len() as u64;
        let summary = ExportSummary {
            entries: total,
            expenses: expenses.len() as u64,
        };
        progress(0, total);
        match format {
            ExportFormat::Json => {
                fn sorted<'a, T, K: Ord>(
                    items: impl Iterator<Item = &'a T>,
                    key: impl Fn(&T) -> K,
                ) -> Vec<&'a T> {
                    let mut v: Vec<&T> = items.collect();
                    v.sort_by_key(|t| key(t));
                    v
                }
                let doc = Document {
                    format: "stint-export",
                    version: 1,
                    organization: state.organization(),
                    members: sorted(state.members.values(), |m| m.id),
                    clients: sorted(state.clients.values(), |c| c.id),
                    projects: sorted(state.projects.values(), |p| p.id),
                    tasks: sorted(state.tasks.values(), |t| t.id),
                    tags: sorted(state.tags.values(), |t| t.id),
                    rates: finance.then(|| sorted(state.rates.values(), |r| r.id)),
                    budgets: finance.then(|| sorted(state.budgets.values(), |b| b.id)),
                    time_entries: entries,
                    expenses,
                };
                serde_json::to_writer_pretty(&mut *out, &doc).map_err(io)?;
                out.write_all(b"\n").map_err(io)?;
            }
            ExportFormat::Csv => {
                let mut csv = csv::Writer::from_writer(&mut *out);
                csv.write_record(ENTRY_COLUMNS).map_err(io)?;
                for (i, e) in entries.iter().enumerate() {
                    csv.write_record(entry_record(state, &e.to_entry(), finance))
                        .map_err(io)?;
                    if i % 2048 == 0 {
                        progress(i as u64, total);
                    }
                }
                csv.flush().map_err(io)?;
            }
        }
        progress(total, total);
        Ok(summary)
    }
}
