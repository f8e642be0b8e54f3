//! Inputs and views of the engine's API: what the CLI, the desktop UI (through generated TypeScript
//! types) and tests pass in and get back.

use crate::state::OrgState;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use stint_domain::*;

/// An organization as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct OrgSummary {
    /// Its id.
    pub id: OrgId,
    /// Its name.
    pub name: String,
    /// This device user's role there.
    pub role: Option<Role>,
    /// Default currency.
    pub currency: Currency,
    /// Time zone.
    pub time_zone: String,
}

/// The acting member and every grant of their role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Permissions {
    /// Who is acting.
    pub member: Member,
    /// One per action of the role table, in table order.
    pub grants: Vec<Grant>,
}

/// How far one action reaches for a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Grant {
    /// The action.
    pub action: Action,
    /// Its scope.
    pub scope: Scope,
}

/// A new organization.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewOrganization {
    /// Name.
    pub name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// BCP 47 locale.
    pub locale: String,
    /// IANA time zone.
    pub time_zone: String,
    /// monday, sunday or saturday (default monday).
    pub week_start: Option<String>,
    /// The owner's display name.
    pub owner_name: String,
}

/// Changes to an organization; `None` keeps a field.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct OrgChanges {
    /// Name.
    pub name: Option<String>,
    /// Locale.
    pub locale: Option<String>,
    /// Time zone.
    pub time_zone: Option<String>,
    /// Week start.
    pub week_start: Option<String>,
    /// Currency.
    pub currency: Option<String>,
    /// Rounding like `up:15`, or `none`.
    pub rounding: Option<String>,
    /// How durations are shown.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub duration_style: Option<stint_domain::DurationStyle>,
}

/// A new client.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewClient {
    /// Name.
    pub name: String,
    /// Currency, if not the organization's.
    pub currency: Option<String>,
    /// Rounding like `up:15`.
    pub rounding: Option<String>,
    /// Note.
    pub note: String,
}

/// Changes to a tag; `None` keeps a field.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct TagChanges {
    /// New name.
    pub name: Option<String>,
    /// Archive (true) or restore (false).
    pub archived: Option<bool>,
}

/// Changes to a client; `None` keeps a field.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ClientChanges {
    /// Name.
    pub name: Option<String>,
    /// Currency (empty clears).
    pub currency: Option<String>,
    /// Rounding (`none` clears).
    pub rounding: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Archive or unarchive.
    pub archived: Option<bool>,
}

/// A new project.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewProject {
    /// The client.
    pub client: ClientId,
    /// Name.
    pub name: String,
    /// Billable by default (default yes).
    pub billable: Option<bool>,
    /// Rounding like `up:15`.
    pub rounding: Option<String>,
    /// Note.
    pub note: String,
}

/// Changes to a project; `None` keeps a field.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ProjectChanges {
    /// Move to another client.
    pub client: Option<ClientId>,
    /// Name.
    pub name: Option<String>,
    /// Billable default.
    pub billable: Option<bool>,
    /// Rounding (`none` clears).
    pub rounding: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Archive or unarchive.
    pub archived: Option<bool>,
}

/// A project with its client's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ProjectView {
    /// The project.
    pub project: Project,
    /// Its client's name.
    pub client_name: String,
}

/// A task with its project's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct TaskView {
    /// The task.
    pub task: Task,
    /// Its project's name.
    pub project_name: String,
}

/// A new rate rule.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewRate {
    /// Where it applies.
    pub scope: RateScope,
    /// From which day.
    #[ts(type = "string")]
    pub effective_from: Date,
    /// Hourly amount as typed, e.g. "95" or "95.50".
    pub hourly: String,
    /// Currency, if not the client's or organization's.
    pub currency: Option<String>,
}

/// A rate with a readable scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct RateView {
    /// The rule.
    pub rate: Rate,
    /// "project Website", "organization", ...
    pub applies_to: String,
}

/// A budget and how much of it is used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct BudgetView {
    /// The budget.
    pub budget: Budget,
    /// Its project's name.
    pub project_name: String,
    /// Usage today.
    pub usage: BudgetUsage,
}

/// Start a timer.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct StartTimer {
    /// Project, if one is chosen yet (assign it later with `edit_entry`).
    #[serde(default)]
    pub project: Option<ProjectId>,
    /// Task.
    pub task: Option<TaskId>,
    /// Note.
    pub note: String,
    /// Billable, if not the task's or project's default.
    pub billable: Option<bool>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<TagId>,
}

/// A finished piece of work.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewEntry {
    /// Whose work (default: the acting member).
    pub member: Option<MemberId>,
    /// Project.
    #[serde(default)]
    pub project: Option<ProjectId>,
    /// Task.
    pub task: Option<TaskId>,
    /// A span or a duration.
    pub time: EntryTime,
    /// Note.
    pub note: String,
    /// Billable, if not the default.
    pub billable: Option<bool>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<TagId>,
}

/// Changes to an entry; `None` keeps a field.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EntryChanges {
    /// Project (clears the task when it changes).
    pub project: Option<ProjectId>,
    /// Task.
    pub task: Option<TaskId>,
    /// Remove the task.
    #[serde(default)]
    pub clear_task: bool,
    /// When.
    pub time: Option<EntryTime>,
    /// Note.
    pub note: Option<String>,
    /// Billable.
    pub billable: Option<bool>,
    /// Tags.
    pub tags: Option<Vec<TagId>>,
}

/// Which entries to list.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EntryFilter {
    /// First day (inclusive).
    #[ts(type = "string | null")]
    pub from: Option<Date>,
    /// Last day (inclusive).
    #[ts(type = "string | null")]
    pub to: Option<Date>,
    /// One member.
    pub member: Option<MemberId>,
    /// One project.
    pub project: Option<ProjectId>,
}

/// An entry with everything a list shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EntryView {
    /// The entry.
    pub entry: TimeEntry,
    /// Its day (YYYY-MM-DD) in the organization's time zone.
    pub date: String,
    /// Project name.
    pub project_name: String,
    /// Client name.
    pub client_name: String,
    /// Task name.
    pub task_name: Option<String>,
    /// Member name.
    pub member_name: String,
    /// Seconds tracked (a running timer: so far).
    #[ts(type = "number")]
    pub seconds: i64,
    /// Seconds billed after rounding.
    #[ts(type = "number")]
    pub billed_seconds: i64,
    /// Amount, for roles that may see rates.
    pub amount: Option<Money>,
    /// Inside the locked period.
    pub locked: bool,
    /// Whether the acting member may change it.
    pub can_edit: bool,
    /// Whether its time overlaps another entry of the same member in the same listing.
    pub overlaps: bool,
}

/// The entry written and any of the member's entries it overlaps (reported, never merged away).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EntryOutcome {
    /// The entry.
    pub entry: EntryView,
    /// Overlapping entries of the same member.
    pub overlaps: Vec<EntryId>,
}

/// A receipt file handed in.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ReceiptFile {
    /// File name.
    pub file_name: String,
    /// Content.
    #[ts(type = "number[]")]
    pub bytes: Vec<u8>,
}

/// A new expense.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewExpense {
    /// Whose (default: the acting member).
    pub member: Option<MemberId>,
    /// Day.
    #[ts(type = "string")]
    pub date: Date,
    /// Amount as typed.
    pub amount: String,
    /// Currency, if not the organization's.
    pub currency: Option<String>,
    /// Category.
    pub category: String,
    /// Note.
    pub note: String,
    /// Billable.
    pub billable: bool,
    /// Project.
    pub project: Option<ProjectId>,
    /// Receipt.
    pub receipt: Option<ReceiptFile>,
}

/// An expense as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ExpenseView {
    /// The expense.
    pub expense: Expense,
    /// Project name.
    pub project_name: Option<String>,
    /// Member name.
    pub member_name: String,
    /// Inside the locked period.
    pub locked: bool,
    /// Whether the acting member may change it.
    pub can_edit: bool,
}

/// What a time report covers.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ReportQuery {
    /// First day (inclusive).
    #[ts(type = "string | null")]
    pub from: Option<Date>,
    /// Last day (inclusive).
    #[ts(type = "string | null")]
    pub to: Option<Date>,
    /// Dimensions.
    pub group_by: Vec<GroupBy>,
    /// One member.
    pub member: Option<MemberId>,
    /// One project.
    pub project: Option<ProjectId>,
    /// One client.
    pub client: Option<ClientId>,
}

/// A report with names for its keys. Rows keep typed keys; `names` maps every id that appears in them
/// to its display name once (rather than one string per row and dimension), and [`ReportView::label`]
/// renders a key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ReportView {
    /// Dimensions.
    pub group_by: Vec<GroupBy>,
    /// Rows, sorted by key.
    pub rows: Vec<ReportRow>,
    /// Display names of the clients, projects, tasks and members in the keys, by id.
    pub names: std::collections::BTreeMap<String, String>,
    /// Grand total.
    pub total: ReportRow,
    /// Whether amounts are shown to this role.
    pub amounts_visible: bool,
    /// Stopped time in the report's period that has no project yet, and so is in no row; zero
    /// when the report is filtered by client or project.
    #[serde(default)]
    pub unassigned: Unassigned,
}

/// Stopped time without a project (a timer started without one): in no report row and on no
/// invoice until it has one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Unassigned {
    /// How many entries.
    pub entries: u32,
    /// Their tracked seconds.
    #[ts(type = "number")]
    pub seconds: i64,
}

impl ReportView {
    pub(crate) fn new(report: Report, state: &OrgState, amounts_visible: bool) -> Self {
        let mut seen: rustc_hash::FxHashSet<GroupKey> = rustc_hash::FxHashSet::default();
        for row in &report.rows {
            for key in &row.key {
                if !matches!(
                    key,
                    GroupKey::Day(_) | GroupKey::Week(_) | GroupKey::Month(_)
                ) {
                    seen.insert(*key);
                }
            }
        }
        let names = seen
            .into_iter()
            .filter_map(|key| {
                let (id, name) = match key {
                    GroupKey::Client(id) => (
                        id.to_string(),
                        state.clients.get(&id).map(|c| c.name.clone()),
                    ),
                    GroupKey::Project(id) => (
                        id.to_string(),
                        state.projects.get(&id).map(|p| p.name.clone()),
                    ),
                    GroupKey::Task(Some(id)) => {
                        (id.to_string(), state.tasks.get(&id).map(|t| t.name.clone()))
                    }
                    GroupKey::Member(id) => (
                        id.to_string(),
                        state.members.get(&id).map(|m| m.name.clone()),
                    ),
                    _ => return None,
                };
                Some((id, name.unwrap_or_default()))
            })
            .collect();
        ReportView {
            group_by: report.group_by,
            rows: report.rows,
            names,
            total: report.total,
            amounts_visible,
            unassigned: Unassigned::default(),
        }
    }

    /// A key as people read it: a name, `(no task)`, a date, `week of …` or `YYYY-MM`.
    pub fn label(&self, key: &GroupKey) -> String {
        let name = |id: String| self.names.get(&id).cloned().unwrap_or(id);
        match key {
            GroupKey::Client(id) => name(id.to_string()),
            GroupKey::Project(id) => name(id.to_string()),
            GroupKey::Task(Some(id)) => name(id.to_string()),
            GroupKey::Task(None) => "(no task)".into(),
            GroupKey::Member(id) => name(id.to_string()),
            GroupKey::Day(d) => d.to_string(),
            GroupKey::Week(d) => format!("week of {d}"),
            GroupKey::Month(d) => d.strftime("%Y-%m").to_string(),
        }
    }
}

impl ReportView {
    /// The report as CSV: one column per dimension, then hours (two decimals) and one amount
    /// column per currency when amounts are visible; a total row last.
    pub fn to_csv(&self) -> String {
        let mut currencies: Vec<Currency> = if self.amounts_visible {
            self.total.amounts.iter().map(|m| m.currency).collect()
        } else {
            Vec::new()
        };
        currencies.sort();
        let mut header: Vec<String> = self
            .group_by
            .iter()
            .map(|g| format!("{g:?}").to_lowercase())
            .collect();
        header.extend(["entries", "billable_hours", "non_billable_hours"].map(String::from));
        header.extend(currencies.iter().map(|c| format!("amount_{}", c.code())));
        let line = |labels: Vec<String>, row: &ReportRow| {
            let mut cells: Vec<String> = labels.into_iter().map(spreadsheet_safe).collect();
            cells.push(row.entries.to_string());
            cells.push(hours(row.billable_seconds));
            cells.push(hours(row.non_billable_seconds));
            for currency in &currencies {
                let amount = row.amounts.iter().find(|m| m.currency == *currency);
                cells.push(
                    amount
                        .map(|m| m.rounded().amount.to_string())
                        .unwrap_or_default(),
                );
            }
            cells
        };
        let mut csv = csv::Writer::from_writer(Vec::new());
        let mut lines = vec![header];
        lines.extend(
            self.rows
                .iter()
                .map(|row| line(row.key.iter().map(|k| self.label(k)).collect(), row)),
        );
        let mut total = vec![String::new(); self.group_by.len()];
        if let Some(first) = total.first_mut() {
            *first = "Total".into();
        }
        lines.push(line(total, &self.total));
        for cells in lines {
            // Writing to a Vec cannot fail.
            let _ = csv.write_record(cells);
        }
        String::from_utf8(csv.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// Seconds as decimal hours with two places.
fn hours(seconds: i64) -> String {
    let hundredths = (seconds * 100 + 1800) / 3600;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// A name a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`, or one of these after a
/// tab or carriage return, which some spreadsheets skip) gets a leading quote.
pub(crate) fn spreadsheet_safe(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}
