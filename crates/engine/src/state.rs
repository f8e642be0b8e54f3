//! The decrypted, in-memory index of one organization. Built at unlock, updated after every write,
//! never written to disk.

use crate::records::Record;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::{HashMap, HashSet};
use stint_domain::entry::{self, Valuation};
use stint_domain::model::effective_rounding;
use stint_domain::rate::{RateBook, WorkContext};
use stint_domain::*;

/// Derived facts of a time entry, cached for reports and lists.
#[derive(Clone, Copy, Debug)]
pub struct EntryFacts {
    /// Its day in the organization's time zone.
    pub date: Date,
    /// The client of its project (if the project is known).
    pub client: Option<ClientId>,
    /// Seconds and amount (for finished entries; running timers have zero here).
    pub valuation: Valuation,
}

/// One organization's records.
#[derive(Default)]
pub struct OrgState {
    pub org: Option<Organization>,
    pub tz: Option<TimeZone>,
    pub members: HashMap<MemberId, Member>,
    pub clients: HashMap<ClientId, Client>,
    pub projects: HashMap<ProjectId, Project>,
    pub tasks: HashMap<TaskId, Task>,
    pub tags: HashMap<TagId, Tag>,
    pub rates: HashMap<RateId, Rate>,
    pub rate_book: RateBook,
    pub budgets: HashMap<BudgetId, Budget>,
    pub entries: HashMap<EntryId, TimeEntry>,
    pub facts: HashMap<EntryId, EntryFacts>,
    pub by_member: HashMap<MemberId, HashSet<EntryId>>,
    pub expenses: HashMap<ExpenseId, Expense>,
}

impl OrgState {
    /// The organization; states without one are never handed out (see `Engine::org`).
    pub fn organization(&self) -> &Organization {
        self.org.as_ref().expect("only states with an organization record are reachable")
    }

    pub fn time_zone(&self) -> &TimeZone {
        static UTC: std::sync::LazyLock<TimeZone> = std::sync::LazyLock::new(|| TimeZone::UTC);
        self.tz.as_ref().unwrap_or(&UTC)
    }

    /// Apply a record (or a tombstone for `id` of `kind`). Does not recompute facts.
    pub fn apply(&mut self, record: Record) {
        match record {
            Record::Organization(org) => {
                self.tz = Some(org.tz());
                self.org = Some(org);
            }
            Record::Member(m) => {
                self.members.insert(m.id, m);
            }
            Record::Client(c) => {
                self.clients.insert(c.id, c);
            }
            Record::Project(p) => {
                self.projects.insert(p.id, p);
            }
            Record::Task(t) => {
                self.tasks.insert(t.id, t);
            }
            Record::Tag(t) => {
                self.tags.insert(t.id, t);
            }
            Record::Rate(r) => {
                self.rates.insert(r.id, r);
            }
            Record::Budget(b) => {
                self.budgets.insert(b.id, b);
            }
            Record::TimeEntry(e) => {
                if let Some(old) = self.entries.get(&e.id) {
                    if old.member != e.member {
                        if let Some(set) = self.by_member.get_mut(&old.member) {
                            set.remove(&e.id);
                        }
                    }
                }
                self.by_member.entry(e.member).or_default().insert(e.id);
                self.entries.insert(e.id, e);
            }
            Record::Expense(x) => {
                self.expenses.insert(x.id, x);
            }
        }
    }

    /// Remove a deleted time entry.
    pub fn remove_entry(&mut self, id: EntryId) {
        if let Some(old) = self.entries.remove(&id) {
            if let Some(set) = self.by_member.get_mut(&old.member) {
                set.remove(&id);
            }
        }
        self.facts.remove(&id);
    }

    /// Rebuild the rate index and every entry's facts (after rates, rounding, time zone or the
    /// catalog changed, and once after unlock).
    pub fn reprice_all(&mut self) {
        self.rate_book = RateBook::new(self.rates.values());
        let facts: HashMap<EntryId, EntryFacts> =
            self.entries.values().map(|e| (e.id, self.compute_facts(e))).collect();
        self.facts = facts;
    }

    /// Recompute one entry's facts.
    pub fn reprice(&mut self, id: EntryId) {
        if let Some(e) = self.entries.get(&id) {
            let facts = self.compute_facts(e);
            self.facts.insert(id, facts);
        }
    }

    fn compute_facts(&self, e: &TimeEntry) -> EntryFacts {
        let date = e.date(self.time_zone());
        let project = self.projects.get(&e.project);
        let client_id = project.map(|p| p.client);
        let valuation = match (project, e.is_running()) {
            (Some(project), false) => {
                let org = self.organization();
                let rounding = effective_rounding(org, self.clients.get(&project.client), project);
                let ctx = WorkContext { member: e.member, client: project.client, project: project.id, task: e.task };
                entry::value(e.seconds(jiff::Timestamp::UNIX_EPOCH), e.billable, date, &ctx, rounding, &self.rate_book)
            }
            _ => Valuation { raw_seconds: 0, billed_seconds: 0, amount: None },
        };
        EntryFacts { date, client: client_id, valuation }
    }

    /// The member's running timer, if any.
    pub fn running_timer(&self, member: MemberId) -> Option<&TimeEntry> {
        self.by_member.get(&member)?.iter().filter_map(|id| self.entries.get(id)).find(|e| e.is_running())
    }

    /// Entries of one member.
    pub fn entries_of(&self, member: MemberId) -> impl Iterator<Item = &TimeEntry> {
        self.by_member.get(&member).into_iter().flatten().filter_map(|id| self.entries.get(id))
    }

    /// Every record held, as records (for the bench's plaintext baseline).
    pub fn records(&self) -> Vec<Record> {
        let mut out = Vec::with_capacity(self.record_count() as usize);
        out.extend(self.org.clone().map(Record::Organization));
        out.extend(self.members.values().cloned().map(Record::Member));
        out.extend(self.clients.values().cloned().map(Record::Client));
        out.extend(self.projects.values().cloned().map(Record::Project));
        out.extend(self.tasks.values().cloned().map(Record::Task));
        out.extend(self.tags.values().cloned().map(Record::Tag));
        out.extend(self.rates.values().cloned().map(Record::Rate));
        out.extend(self.budgets.values().cloned().map(Record::Budget));
        out.extend(self.entries.values().cloned().map(Record::TimeEntry));
        out.extend(self.expenses.values().cloned().map(Record::Expense));
        out
    }

    /// Number of records held.
    pub fn record_count(&self) -> u64 {
        (usize::from(self.org.is_some())
            + self.members.len()
            + self.clients.len()
            + self.projects.len()
            + self.tasks.len()
            + self.tags.len()
            + self.rates.len()
            + self.budgets.len()
            + self.entries.len()
            + self.expenses.len()) as u64
    }

    /// Active owners.
    pub fn owner_count(&self) -> usize {
        self.members.values().filter(|m| m.active && m.role == Role::Owner).count()
    }
}
