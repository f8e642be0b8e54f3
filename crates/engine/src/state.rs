//! The decrypted, in-memory index of one organization. Built at unlock, updated after every write,
//! never written to disk.

use crate::records::Record;
use jiff::civil::Date;
use jiff::tz::TimeZone;
// Keyed by ULIDs: a fast hasher, seeded per process, instead of SipHash; ids are hashed on every
// record applied at unlock and on every lookup.
use foldhash::{HashMap, HashSet};
use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::Arc;
use stint_domain::entry::{self, Valuation};
use stint_domain::model::effective_rounding;
use stint_domain::rate::{RateBook, WorkContext};
use stint_domain::*;

/// Derived facts of a time entry, cached for reports and lists. Kept small (64 bytes; one per
/// entry, so 6 MB for 100,000): the entry's ids are in `codes`, as the organization's dense numbers
/// ([`OrgState::numbers`] turns them back into ids).
#[derive(Clone, Copy, Debug)]
pub struct EntryFacts {
    /// Member, client, project and task as dense numbers; client 0 when the project is unknown,
    /// task 0 for none.
    pub codes: Codes,
    /// Its day in the organization's time zone.
    pub date: Date,
    /// Billable or not.
    pub billable: bool,
    /// A running timer (left out of reports).
    pub running: bool,
    /// Seconds and amount (for finished entries; running timers have zero here).
    pub valuation: Valuation,
}

/// One organization's records.
#[derive(Default)]
pub struct OrgState {
    /// Its membership log's history, once synced: the roles the engine enforces, and what a
    /// received record's author is judged by.
    pub(crate) roles: Option<crate::membership::Roles>,
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
    /// Time entries with their derived facts, in one dense store.
    pub entries: Entries,
    pub expenses: HashMap<ExpenseId, Expense>,
    /// Dense numbers for the ids entries refer to (see [`EntryFacts::codes`]).
    pub numbers: Numbering,
    /// Invoices and credit notes (only on devices that hold the finance key); boxed, as records
    /// arrive, so that the map holds a pointer per invoice rather than 700 bytes and its slack.
    pub invoices: HashMap<InvoiceId, Box<Invoice>>,
    /// One copy of each distinct seller and buyer frozen on invoices, which the invoices share:
    /// an organization issues under the same seller, and a client's invoices name the same buyer.
    parties: Parties,
    /// The billing profile, once set.
    pub billing: Option<BillingProfile>,
    /// Clients' billing details, by client.
    pub client_billing: HashMap<ClientId, ClientBilling>,
    /// Recurring invoices.
    pub recurring: HashMap<RecurringId, RecurringInvoice>,
    /// Billing marks, by the work they name: where one exists it decides the work's `invoiced`
    /// flag (older vaults set the flag in the work's own record, which counts where no mark is).
    pub marks: HashMap<Work, BillingMark>,
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
            Record::TimeEntry(mut e) => {
                if let Some(mark) = self.marks.get(&Work::Entry(e.id)) {
                    e.invoiced = mark.invoice.is_some();
                }
                self.numbers.assign(e.member.0.0);
                if let Some(project) = e.project {
                    self.numbers.assign(project.0.0);
                }
                if let Some(task) = e.task {
                    self.numbers.assign(task.0.0);
                }
                self.entries.insert(e);
            }
            Record::Expense(mut x) => {
                if let Some(mark) = self.marks.get(&Work::Expense(x.id)) {
                    x.invoiced = mark.invoice.is_some();
                }
                self.expenses.insert(x.id, x);
            }
            Record::BillingMark(mark) => {
                let invoiced = mark.invoice.is_some();
                match mark.work() {
                    Work::Entry(id) => {
                        if let Some(e) = self.entries.get(&id).filter(|e| e.invoiced != invoiced) {
                            let e = TimeEntry {
                                invoiced,
                                ..e.clone()
                            };
                            self.entries.insert(e);
                        }
                    }
                    Work::Expense(id) => {
                        if let Some(x) = self.expenses.get_mut(&id) {
                            x.invoiced = invoiced;
                        }
                    }
                }
                self.marks.insert(mark.work(), *mark);
            }
            Record::Invoice(mut i) => {
                self.parties.share(&mut i);
                self.invoices.insert(i.id, i);
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
        self.entries.remove(&id);
    }

    /// Rebuild the rate index and every entry's facts (after rates, rounding, time zone or the
    /// catalog changed, and once after unlock).
    pub fn reprice_all(&mut self) {
        self.rate_book = RateBook::new(self.rates.values());
        use rayon::prelude::*;
        let facts: Vec<EntryFacts> = self
            .entries
            .entries
            .par_iter()
            .map(|e| self.compute_facts(e))
            .collect();
        self.entries.facts = facts;
        self.entries.shrink_to_fit();
    }

    /// Recompute one entry's facts.
    pub fn reprice(&mut self, id: EntryId) {
        if let Some(e) = self.entries.get(&id) {
            let facts = self.compute_facts(e);
            self.entries.set_facts(&id, facts);
        }
    }

    fn compute_facts(&self, e: &TimeEntry) -> EntryFacts {
        let date = e.date(self.time_zone());
        let project = e.project.and_then(|p| self.projects.get(&p));
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
            // No project yet (or one not synced here yet): the time as tracked, with no rate or
            // rounding to apply until it has one.
            (None, false) => {
                let seconds = e.seconds(jiff::Timestamp::UNIX_EPOCH);
                Valuation {
                    raw_seconds: seconds,
                    billed_seconds: seconds,
                    amount: None,
                }
            }
            (_, true) => Valuation {
                raw_seconds: 0,
                billed_seconds: 0,
                amount: None,
            },
        };
        // Every id an entry refers to was numbered when its record or the entry was applied.
        let number = |id: u128| self.numbers.get(id).unwrap_or(0);
        EntryFacts {
            billable: e.billable,
            running: e.is_running(),
            date,
            valuation,
            codes: Codes {
                member: number(e.member.0.0),
                client: client_id.map_or(0, |c| number(c.0.0)),
                project: e.project.map_or(0, |p| number(p.0.0)),
                task: e.task.map_or(0, |t| number(t.0.0)),
            },
        }
    }

    /// What a report needs of one entry: its codes, day, time and amount (left out unless
    /// `amounts`). `None` for running timers and entries whose project is
    /// unknown (not yet synced to this device).
    pub fn report_input(&self, f: &EntryFacts, amounts: bool) -> Option<ReportInput> {
        if f.running || f.codes.client == 0 {
            return None;
        }
        Some(ReportInput {
            codes: f.codes,
            date: f.date,
            billable: f.billable,
            raw_seconds: f.valuation.raw_seconds,
            billed_seconds: f.valuation.billed_seconds,
            amount: if amounts { f.valuation.amount } else { None },
        })
    }

    /// The member's running timer, if any.
    pub fn running_timer(&self, member: MemberId) -> Option<&TimeEntry> {
        self.entries.running().find(|e| e.member == member)
    }

    /// Entries of one member.
    pub fn entries_of(&self, member: MemberId) -> impl Iterator<Item = &TimeEntry> {
        self.entries.of_member(member)
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
        out.extend(self.invoices.values().cloned().map(Record::Invoice));
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
        out.extend(
            self.marks
                .values()
                .cloned()
                .map(|m| Record::BillingMark(Box::new(m))),
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
            + self.recurring.len()
            + self.marks.len()) as u64
    }

    /// Active owners.
    pub fn owner_count(&self) -> usize {
        self.members
            .values()
            .filter(|m| m.active && m.role == Role::Owner)
            .count()
    }
}

/// One copy of each distinct party on invoices (see [`OrgState::apply`]).
#[derive(Default)]
pub(crate) struct Parties(HashSet<Arc<Party>>);

impl Parties {
    /// Point the invoice's seller and buyer at the shared copies of equal parties, or make them
    /// the shared copies. Done as each invoice is decoded at unlock, too (`Engine::index`), so
    /// that a duplicate is freed at once and its memory reused by the next record decoded, rather
    /// than all of them freed at the end as scattered holes the heap cannot give back.
    pub(crate) fn share(&mut self, invoice: &mut Invoice) {
        for party in [&mut invoice.seller, &mut invoice.buyer]
            .into_iter()
            .flatten()
        {
            match self.0.get(&**party) {
                Some(shared) => *party = Arc::clone(shared),
                None => {
                    self.0.insert(Arc::clone(&*party));
                }
            }
        }
    }
}

/// Every time entry and its facts, in two dense arrays at the same positions (the facts are what
/// reports scan), with an index by id. A third of the memory of a map of entries plus a map of
/// facts: no per-entry bucket slack or repeated keys, and the arrays are shrunk to fit after unlock.
#[derive(Default)]
pub struct Entries {
    /// Positions in `entries`, found by hashing the entry's id with `hasher`: a slot is 4 bytes
    /// and a control byte, where a map from id to position would take 32 (an id is 16-aligned), so
    /// 0.6 MB rather than 4.3 MB for 100,000 entries.
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    /// The running timers (a handful at most).
    running: HashSet<EntryId>,
    /// Each member's entries, as positions (4 bytes an entry).
    by_member: HashMap<MemberId, Vec<u32>>,
    entries: Vec<TimeEntry>,
    /// Facts of `entries[i]` at `facts[i]`; placeholders (all zero, no codes, so left out of
    /// reports) until [`OrgState::reprice`] or [`OrgState::reprice_all`] computes them.
    facts: Vec<EntryFacts>,
}

impl Entries {
    const PLACEHOLDER: EntryFacts = EntryFacts {
        codes: Codes {
            member: 0,
            client: 0,
            project: 0,
            task: 0,
        },
        date: Date::constant(1970, 1, 1),
        billable: false,
        running: false,
        valuation: Valuation {
            raw_seconds: 0,
            billed_seconds: 0,
            amount: None,
        },
    };

    /// Where the entry `id` is in `entries`.
    fn position(&self, id: &EntryId) -> Option<usize> {
        self.index
            .find(self.hasher.hash_one(id), |&at| {
                self.entries[at as usize].id == *id
            })
            .map(|&at| at as usize)
    }

    /// One entry.
    pub fn get(&self, id: &EntryId) -> Option<&TimeEntry> {
        self.position(id).map(|i| &self.entries[i])
    }

    /// One entry's facts.
    pub fn facts(&self, id: &EntryId) -> Option<&EntryFacts> {
        self.position(id).map(|i| &self.facts[i])
    }

    /// Add or replace an entry; a replaced entry keeps its facts until they are recomputed.
    pub fn insert(&mut self, entry: TimeEntry) {
        if entry.is_running() {
            self.running.insert(entry.id);
        } else {
            self.running.remove(&entry.id);
        }
        match self.position(&entry.id) {
            Some(i) => {
                let old = self.entries[i].member;
                if old != entry.member {
                    self.unlist(old, i as u32);
                    self.by_member
                        .entry(entry.member)
                        .or_default()
                        .push(i as u32);
                }
                self.entries[i] = entry;
            }
            None => {
                let at = u32::try_from(self.entries.len()).expect("fewer than 4 billion entries");
                let hash = self.hasher.hash_one(entry.id);
                self.by_member.entry(entry.member).or_default().push(at);
                self.entries.push(entry);
                self.facts.push(Self::PLACEHOLDER);
                let Self {
                    index,
                    hasher,
                    entries,
                    ..
                } = self;
                index.insert_unique(hash, at, |&p| hasher.hash_one(entries[p as usize].id));
            }
        }
    }

    /// Set one entry's facts.
    pub fn set_facts(&mut self, id: &EntryId, facts: EntryFacts) {
        if let Some(i) = self.position(id) {
            self.facts[i] = facts;
        }
    }

    /// Forget one entry (the last one takes its place).
    pub fn remove(&mut self, id: &EntryId) -> Option<TimeEntry> {
        let hash = self.hasher.hash_one(id);
        let (at, _) = self
            .index
            .find_entry(hash, |&at| self.entries[at as usize].id == *id)
            .ok()?
            .remove();
        let i = at as usize;
        self.running.remove(id);
        let last = (self.entries.len() - 1) as u32;
        let removed = self.entries.swap_remove(i);
        self.facts.swap_remove(i);
        self.unlist(removed.member, at);
        if let Some(moved) = self.entries.get(i) {
            // The last entry moved into the gap: its slot says `last`, which no other slot does.
            if let Some(slot) = self
                .index
                .find_mut(self.hasher.hash_one(moved.id), |&p| p == last)
            {
                *slot = at;
            }
            if let Some(at) = self
                .by_member
                .get_mut(&moved.member)
                .and_then(|list| list.iter_mut().find(|at| **at == last))
            {
                *at = i as u32;
            }
        }
        Some(removed)
    }

    /// Take position `at` off `member`'s list.
    fn unlist(&mut self, member: MemberId, at: u32) {
        if let Some(list) = self.by_member.get_mut(&member)
            && let Some(k) = list.iter().position(|p| *p == at)
        {
            list.swap_remove(k);
        }
    }

    /// One member's entries.
    pub fn of_member(&self, member: MemberId) -> impl Iterator<Item = &TimeEntry> {
        self.by_member
            .get(&member)
            .into_iter()
            .flatten()
            .map(|at| &self.entries[*at as usize])
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The running timers.
    pub fn running(&self) -> impl Iterator<Item = &TimeEntry> {
        self.running.iter().filter_map(|id| self.get(id))
    }

    /// All entries, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &TimeEntry> {
        self.entries.iter()
    }

    /// All facts, in no particular order.
    pub fn all_facts(&self) -> impl Iterator<Item = &EntryFacts> {
        self.facts.iter()
    }

    /// All facts as one slice, in no particular order (for parallel scans).
    pub fn facts_slice(&self) -> &[EntryFacts] {
        &self.facts
    }

    fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
        self.facts.shrink_to_fit();
        let Self {
            index,
            hasher,
            entries,
            ..
        } = self;
        index.shrink_to_fit(|&p| hasher.hash_one(entries[p as usize].id));
        self.by_member.values_mut().for_each(Vec::shrink_to_fit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ulid::Ulid;

    fn entry(n: u64) -> TimeEntry {
        TimeEntry {
            id: EntryId(Ulid::from_parts(n, 9)),
            member: MemberId(Ulid::from_parts(1, 1)),
            project: Some(ProjectId(Ulid::from_parts(1, 2))),
            task: None,
            time: EntryTime::Duration {
                date: Date::constant(2026, 1, 1),
                seconds: 60 * (n as i64 + 1),
            },
            note: format!("entry {n}"),
            billable: true,
            tags: Vec::new(),
            invoiced: false,
        }
    }

    fn facts(n: u64) -> EntryFacts {
        EntryFacts {
            valuation: Valuation {
                raw_seconds: n as i64,
                billed_seconds: n as i64,
                amount: None,
            },
            ..Entries::PLACEHOLDER
        }
    }

    #[test]
    fn dense_entries_and_facts_stay_indexed_together_through_removals() {
        let id = |n| EntryId(Ulid::from_parts(n, 9));
        let mut store = Entries::default();
        for n in 0..10 {
            store.insert(entry(n));
            store.set_facts(&id(n), facts(n));
        }
        assert_eq!(store.remove(&id(0)).map(|e| e.note), Some("entry 0".into()));
        assert_eq!(store.remove(&id(5)).map(|e| e.note), Some("entry 5".into()));
        assert!(store.remove(&id(42)).is_none());
        // Replacing an entry keeps its place and its facts until they are recomputed.
        store.insert(TimeEntry {
            note: "edited".into(),
            ..entry(3)
        });
        store.set_facts(&id(7), facts(77));
        assert_eq!(store.len(), 8);
        assert_eq!(store.values().count(), 8);
        assert_eq!(store.all_facts().count(), 8);
        for n in [1, 2, 3, 4, 6, 7, 8, 9] {
            let e = store.get(&id(n)).unwrap();
            assert_eq!(e.id, id(n));
            let expected = if n == 7 { 77 } else { n as i64 };
            assert_eq!(
                store.facts(&id(n)).unwrap().valuation.raw_seconds,
                expected,
                "entry {n}"
            );
        }
        assert_eq!(store.get(&id(3)).unwrap().note, "edited");
        assert!(store.get(&id(0)).is_none() && store.facts(&id(5)).is_none());
        // Running timers are found without a scan, and forgotten once stopped or removed.
        let running = |n: u64| TimeEntry {
            time: EntryTime::Running {
                start: jiff::Timestamp::UNIX_EPOCH,
            },
            ..entry(n)
        };
        store.insert(running(4));
        store.insert(running(30));
        let mut ids: Vec<EntryId> = store.running().map(|e| e.id).collect();
        ids.sort();
        assert_eq!(ids, [id(4), id(30)]);
        store.insert(entry(4));
        store.remove(&id(30));
        assert_eq!(store.running().count(), 0);
        // Each member's entries stay listed through moves, edits that change the member, and
        // removals.
        let other = MemberId(Ulid::from_parts(1, 3));
        store.insert(TimeEntry {
            member: other,
            ..entry(8)
        });
        store.insert(TimeEntry {
            member: other,
            ..entry(40)
        });
        store.remove(&id(1));
        let mut mine: Vec<EntryId> = store.of_member(entry(0).member).map(|e| e.id).collect();
        mine.sort();
        assert_eq!(mine, [id(2), id(3), id(4), id(6), id(7), id(9)]);
        let mut theirs: Vec<EntryId> = store.of_member(other).map(|e| e.id).collect();
        theirs.sort();
        assert_eq!(theirs, [id(8), id(40)]);
        for e in store.values() {
            assert_eq!(store.get(&e.id).map(|g| g.id), Some(e.id));
        }
        // A new entry's facts are a placeholder that no report counts.
        store.insert(entry(20));
        assert_eq!(store.facts(&id(20)).unwrap().codes, Codes::default());
    }

    #[test]
    fn invoices_share_one_copy_of_each_equal_party() {
        let party = |name: &str| Party {
            name: name.into(),
            city: "Berlin".into(),
            ..Party::default()
        };
        let invoice = |n: u64, seller: &str, buyer: &str| {
            let client = ClientId(Ulid::from_parts(2, 1));
            let mut i =
                Invoice::draft(InvoiceId(Ulid::from_parts(n, 3)), client, Currency::EUR, 14);
            // Each as decoded from its own record: equal parties, separate allocations.
            i.seller = Some(Arc::new(party(seller)));
            i.buyer = Some(Arc::new(party(buyer)));
            Box::new(i)
        };
        let mut state = OrgState::default();
        state.apply(Record::Invoice(invoice(1, "Ada", "Globex")));
        state.apply(Record::Invoice(invoice(2, "Ada", "Globex")));
        state.apply(Record::Invoice(invoice(3, "Ada", "Initech")));
        let get = |n: u64| &state.invoices[&InvoiceId(Ulid::from_parts(n, 3))];
        let same = |a: &Option<Arc<Party>>, b: &Option<Arc<Party>>| {
            Arc::ptr_eq(a.as_ref().unwrap(), b.as_ref().unwrap())
        };
        assert!(same(&get(1).seller, &get(2).seller));
        assert!(same(&get(1).seller, &get(3).seller));
        assert!(same(&get(1).buyer, &get(2).buyer));
        assert!(!same(&get(1).buyer, &get(3).buyer));
        assert_eq!(get(3).buyer.as_deref().unwrap().name, "Initech");
        // Sharing changes nothing a reader sees: each invoice still has its own parties' values.
        assert_eq!(**get(2).seller.as_ref().unwrap(), party("Ada"));
        assert_eq!(state.parties.0.len(), 3);
    }

    #[derive(Clone, Debug)]
    enum Op {
        /// Insert or replace entry `n` for member `m`, running or not.
        Put {
            n: u8,
            m: u8,
            running: bool,
        },
        Remove {
            n: u8,
        },
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            3 => (0u8..24, 0u8..3, proptest::bool::weighted(0.2))
                .prop_map(|(n, m, running)| Op::Put { n, m, running }),
            1 => (0u8..24).prop_map(|n| Op::Remove { n }),
        ]
    }

    proptest::proptest! {
        /// Against a plain map as the model: after any sequence of inserts, replacements (also to
        /// another member) and removals, lookups, each member's list and the running set agree.
        #[test]
        fn the_dense_store_agrees_with_a_map(ops in proptest::collection::vec(op(), 0..120)) {
            let member = |m: u8| MemberId(Ulid::from_parts(1, u128::from(m) + 100));
            let mut store = Entries::default();
            let mut model: std::collections::BTreeMap<u8, TimeEntry> = Default::default();
            for op in ops {
                match op {
                    Op::Put { n, m, running } => {
                        let mut e = TimeEntry { member: member(m), ..entry(u64::from(n)) };
                        if running {
                            e.time = EntryTime::Running { start: jiff::Timestamp::UNIX_EPOCH };
                        }
                        store.insert(e.clone());
                        store.set_facts(&e.id, facts(u64::from(n)));
                        model.insert(n, e);
                    }
                    Op::Remove { n } => {
                        let removed = store.remove(&EntryId(Ulid::from_parts(u64::from(n), 9)));
                        proptest::prop_assert_eq!(removed.map(|e| e.id), model.remove(&n).map(|e| e.id));
                    }
                }
            }
            proptest::prop_assert_eq!(store.len(), model.len());
            for (n, e) in &model {
                proptest::prop_assert_eq!(store.get(&e.id), Some(e));
                proptest::prop_assert_eq!(store.facts(&e.id).map(|f| f.valuation.raw_seconds), Some(i64::from(*n)));
            }
            for m in 0..3 {
                let mut listed: Vec<EntryId> = store.of_member(member(m)).map(|e| e.id).collect();
                listed.sort();
                let expected: Vec<EntryId> = model.values().filter(|e| e.member == member(m)).map(|e| e.id).collect();
                proptest::prop_assert_eq!(listed, expected);
            }
            let mut running: Vec<EntryId> = store.running().map(|e| e.id).collect();
            running.sort();
            let expected: Vec<EntryId> = model.values().filter(|e| e.is_running()).map(|e| e.id).collect();
            proptest::prop_assert_eq!(running, expected);
        }
    }
}
