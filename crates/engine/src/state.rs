//! The decrypted, in-memory index of one organization. Built at unlock, updated after every write,
//! never written to disk.

use crate::records::Record;
use jiff::civil::Date;
use jiff::tz::TimeZone;
// Keyed by ULIDs: a fast hasher, seeded per process, instead of SipHash; ids are hashed on every
// record applied at unlock and on every lookup.
use foldhash::{HashMap, HashSet};
use stint_domain::entry::{self, Valuation};
use stint_domain::model::effective_rounding;
use stint_domain::rate::{RateBook, WorkContext};
use stint_domain::*;

/// Derived facts of a time entry, cached for reports and lists.
#[derive(Clone, Copy, Debug)]
pub struct EntryFacts {
    /// Who worked.
    pub member: MemberId,
    /// The project.
    pub project: ProjectId,
    /// The task.
    pub task: Option<TaskId>,
    /// Billable or not.
    pub billable: bool,
    /// A running timer (left out of reports).
    pub running: bool,
    /// Its day in the organization's time zone.
    pub date: Date,
    /// The client of its project (if the project is known).
    pub client: Option<ClientId>,
    /// Seconds and amount (for finished entries; running timers have zero here).
    pub valuation: Valuation,
    /// Member, client, project and task as dense numbers, for grouping.
    pub codes: Codes,
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
    pub facts: Facts,
    pub by_member: HashMap<MemberId, HashSet<EntryId>>,
    pub expenses: HashMap<ExpenseId, Expense>,
    /// Dense numbers for the ids entries refer to (see [`EntryFacts::codes`]).
    pub numbers: Numbering,
    /// Invoices and credit notes (only on devices that hold the finance key).
    pub invoices: HashMap<InvoiceId, Invoice>,
    /// The billing profile, once set.
    pub billing: Option<BillingProfile>,
    /// Clients' billing details, by client.
    pub client_billing: HashMap<ClientId, ClientBilling>,
    /// Recurring invoices.
    pub recurring: HashMap<RecurringId, RecurringInvoice>,
    /// The organization's logo (PNG), read at unlock.
    pub logo: Option<Vec<u8>>,
}

impl OrgState {
    /// The organization; states without one are never handed out (see `Engine::org`).
    pub fn organization(&self) -> &Organization {
        self.org
            .as_ref()
            .expect("only states with an organization record are reachable")
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
                self.numbers.assign(m.id.0.0);
                self.members.insert(m.id, m);
            }
            Record::Client(c) => {
                self.numbers.assign(c.id.0.0);
                self.clients.insert(c.id, c);
            }
            Record::Project(p) => {
                self.numbers.assign(p.id.0.0);
                self.numbers.assign(p.client.0.0);
                self.projects.insert(p.id, p);
            }
            Record::Task(t) => {
                self.numbers.assign(t.id.0.0);
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
                if let Some(old) = self.entries.get(&e.id)
                    && old.member != e.member
                    && let Some(set) = self.by_member.get_mut(&old.member)
                {
                    set.remove(&e.id);
                }
                self.by_member.entry(e.member).or_default().insert(e.id);
                self.numbers.assign(e.member.0.0);
                self.numbers.assign(e.project.0.0);
                if let Some(task) = e.task {
                    self.numbers.assign(task.0.0);
                }
                self.entries.insert(e.id, e);
            }
            Record::Expense(x) => {
                self.expenses.insert(x.id, x);
            }
            Record::Invoice(i) => {
                self.invoices.insert(i.id, *i);
            }
            Record::BillingProfile(b) => self.billing = Some(*b),
            Record::ClientBilling(c) => {
                self.client_billing.insert(c.client, *c);
            }
            Record::Recurring(r) => {
                self.recurring.insert(r.id, *r);
            }
        }
    }

    /// Remove a deleted time entry.
    pub fn remove_entry(&mut self, id: EntryId) {
        if let Some(old) = self.entries.remove(&id)
            && let Some(set) = self.by_member.get_mut(&old.member)
        {
            set.remove(&id);
        }
        self.facts.remove(&id);
    }

    /// Rebuild the rate index and every entry's facts (after rates, rounding, time zone or the
    /// catalog changed, and once after unlock).
    pub fn reprice_all(&mut self) {
        self.rate_book = RateBook::new(self.rates.values());
        use rayon::prelude::*;
        let entries: Vec<&TimeEntry> = self.entries.values().collect();
        let facts: Vec<(EntryId, EntryFacts)> = entries
            .par_iter()
            .map(|e| (e.id, self.compute_facts(e)))
            .collect();
        self.facts = Facts::from_vec(facts);
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
                let ctx = WorkContext {
                    member: e.member,
                    client: project.client,
                    project: project.id,
                    task: e.task,
                };
                entry::value(
                    e.seconds(jiff::Timestamp::UNIX_EPOCH),
                    e.billable,
                    date,
                    &ctx,
                    rounding,
                    &self.rate_book,
                )
            }
            _ => Valuation {
                raw_seconds: 0,
                billed_seconds: 0,
                amount: None,
            },
        };
        // Every id an entry refers to was numbered when its record or the entry was applied.
        let number = |id: u128| self.numbers.get(id).unwrap_or(0);
        EntryFacts {
            member: e.member,
            project: e.project,
            task: e.task,
            billable: e.billable,
            running: e.is_running(),
            date,
            client: client_id,
            valuation,
            codes: Codes {
                member: number(e.member.0.0),
                client: client_id.map_or(0, |c| number(c.0.0)),
                project: number(e.project.0.0),
                task: e.task.map_or(0, |t| number(t.0.0)),
            },
        }
    }

    /// The member's running timer, if any.
    pub fn running_timer(&self, member: MemberId) -> Option<&TimeEntry> {
        self.by_member
            .get(&member)?
            .iter()
            .filter_map(|id| self.entries.get(id))
            .find(|e| e.is_running())
    }

    /// Entries of one member.
    pub fn entries_of(&self, member: MemberId) -> impl Iterator<Item = &TimeEntry> {
        self.by_member
            .get(&member)
            .into_iter()
            .flatten()
            .filter_map(|id| self.entries.get(id))
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
        out.extend(
            self.invoices
                .values()
                .cloned()
                .map(|i| Record::Invoice(Box::new(i))),
        );
        out.extend(
            self.billing
                .clone()
                .map(|b| Record::BillingProfile(Box::new(b))),
        );
        out.extend(
            self.client_billing
                .values()
                .cloned()
                .map(|c| Record::ClientBilling(Box::new(c))),
        );
        out.extend(
            self.recurring
                .values()
                .cloned()
                .map(|r| Record::Recurring(Box::new(r))),
        );
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
            + self.expenses.len()
            + self.invoices.len()
            + usize::from(self.billing.is_some())
            + self.client_billing.len()
            + self.recurring.len()) as u64
    }

    /// Active owners.
    pub fn owner_count(&self) -> usize {
        self.members
            .values()
            .filter(|m| m.active && m.role == Role::Owner)
            .count()
    }
}

/// Every entry's facts in one dense array (scanned by reports) with an index by id.
#[derive(Default)]
pub struct Facts {
    ids: Vec<EntryId>,
    facts: Vec<EntryFacts>,
    index: HashMap<EntryId, usize>,
}

impl Facts {
    fn from_vec(pairs: Vec<(EntryId, EntryFacts)>) -> Self {
        let (ids, facts): (Vec<EntryId>, Vec<EntryFacts>) = pairs.into_iter().unzip();
        let index = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        Facts { ids, facts, index }
    }

    /// One entry's facts.
    pub fn get(&self, id: &EntryId) -> Option<&EntryFacts> {
        self.index.get(id).map(|i| &self.facts[*i])
    }

    /// Set one entry's facts.
    pub fn insert(&mut self, id: EntryId, facts: EntryFacts) {
        match self.index.get(&id) {
            Some(i) => self.facts[*i] = facts,
            None => {
                self.index.insert(id, self.facts.len());
                self.ids.push(id);
                self.facts.push(facts);
            }
        }
    }

    /// Forget one entry.
    pub fn remove(&mut self, id: &EntryId) {
        if let Some(i) = self.index.remove(id) {
            self.ids.swap_remove(i);
            self.facts.swap_remove(i);
            if let Some(moved) = self.ids.get(i) {
                self.index.insert(*moved, i);
            }
        }
    }

    /// All facts, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &EntryFacts> {
        self.facts.iter()
    }

    /// All facts as one slice, in no particular order (for parallel scans).
    pub fn as_slice(&self) -> &[EntryFacts] {
        &self.facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ulid::Ulid;

    fn facts(n: u64) -> EntryFacts {
        EntryFacts {
            member: MemberId(Ulid::from_parts(n, 0)),
            project: ProjectId(Ulid::from_parts(n, 1)),
            task: None,
            billable: true,
            running: false,
            date: Date::constant(2026, 1, 1),
            client: None,
            valuation: Valuation {
                raw_seconds: n as i64,
                billed_seconds: n as i64,
                amount: None,
            },
            codes: Codes::default(),
        }
    }

    #[test]
    fn dense_facts_stay_indexed_through_removals() {
        let id = |n| EntryId(Ulid::from_parts(n, 9));
        let mut f = Facts::default();
        for n in 0..10 {
            f.insert(id(n), facts(n));
        }
        f.remove(&id(0));
        f.remove(&id(5));
        f.remove(&id(42));
        f.insert(id(3), facts(33));
        assert_eq!(f.iter().count(), 8);
        for n in [1, 2, 4, 6, 7, 8, 9] {
            assert_eq!(f.get(&id(n)).unwrap().valuation.raw_seconds, n as i64);
        }
        assert_eq!(f.get(&id(3)).unwrap().valuation.raw_seconds, 33);
        assert!(f.get(&id(0)).is_none() && f.get(&id(5)).is_none());
    }
}
