//! The decrypted, in-memory index of one organization. Built at unlock, updated after every write,
//! never written to disk.

use crate::entry_store::{Entries, EntryRef};
use crate::records::Record;
use jiff::civil::Date;
use jiff::tz::TimeZone;
// Keyed by ULIDs: a fast hasher, seeded per process, instead of SipHash; ids are hashed on every
// record applied at unlock and on every lookup.
use foldhash::{HashMap, HashSet};
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
    /// Invoices and credit notes (only on devices that hold the finance key); boxed, as records
    /// arrive, so that the map holds a pointer per invoice rather than 700 bytes and its slack.
    pub invoices: HashMap<InvoiceId, Box<Invoice>>,
    /// One copy of each distinct seller, buyer, legal details and letter texts frozen on invoices,
    /// which the invoices share: an organization issues under the same seller, details and texts,
    /// and a client's invoices name the same buyer.
    shared: Shared,
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
    /// A state whose entries get the notes taken from them as they were decoded.
    pub(crate) fn with_notes(notes: Option<crate::entry_store::Notes>) -> Self {
        let mut state = Self::default();
        if let Some(notes) = notes {
            state.entries.adopt(notes);
        }
        state
    }

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
                self.entries.numbers.assign(m.id.0.0);
                self.members.insert(m.id, m);
            }
            Record::Client(c) => {
                self.entries.numbers.assign(c.id.0.0);
                self.clients.insert(c.id, c);
            }
            Record::Project(p) => {
                self.entries.numbers.assign(p.id.0.0);
                self.entries.numbers.assign(p.client.0.0);
                self.projects.insert(p.id, p);
            }
            Record::Task(t) => {
                self.entries.numbers.assign(t.id.0.0);
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
                        self.entries.set_invoiced(&id, invoiced);
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
                self.shared.share(&mut i);
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
            .par_values()
            .map(|e| self.compute_facts(e))
            .collect();
        self.entries.set_all_facts(facts);
        self.entries.shrink_to_fit();
    }

    /// Recompute one entry's facts.
    pub fn reprice(&mut self, id: EntryId) {
        if let Some(e) = self.entries.get(&id) {
            let facts = self.compute_facts(e);
            self.entries.set_facts(&id, facts);
        }
    }

    fn compute_facts(&self, e: EntryRef<'_>) -> EntryFacts {
        let time = e.time();
        let date = time.date(self.time_zone());
        let project_id = e.project();
        let project = project_id.and_then(|p| self.projects.get(&p));
        let client_id = project.map(|p| p.client);
        let valuation = match (project, time.is_running()) {
            (Some(project), false) => {
                let org = self.organization();
                let rounding = effective_rounding(org, self.clients.get(&project.client), project);
                let ctx = WorkContext {
                    member: e.member(),
                    client: project.client,
                    project: project.id,
                    task: e.task(),
                };
                entry::value(
                    time.seconds(jiff::Timestamp::UNIX_EPOCH),
                    e.billable(),
                    date,
                    &ctx,
                    rounding,
                    &self.rate_book,
                )
            }
            // No project yet (or one not synced here yet): the time as tracked, with no rate or
            // rounding to apply until it has one.
            (None, false) => {
                let seconds = time.seconds(jiff::Timestamp::UNIX_EPOCH);
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
        // The entry's member, project and task were numbered when it was stored, its client when
        // the client's record or a project naming it was applied.
        let (member, project, task) = e.codes();
        EntryFacts {
            billable: e.billable(),
            running: time.is_running(),
            date,
            valuation,
            codes: Codes {
                member,
                client: client_id.map_or(0, |c| self.numbers().get(c.0.0).unwrap_or(0)),
                project,
                task,
            },
        }
    }

    /// Dense numbers for the organization's ids (see [`EntryFacts::codes`]).
    pub fn numbers(&self) -> &Numbering {
        &self.entries.numbers
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
    pub fn running_timer(&self, member: MemberId) -> Option<EntryRef<'_>> {
        self.entries.running().find(|e| e.member() == member)
    }

    /// Entries of one member.
    pub fn entries_of(&self, member: MemberId) -> impl Iterator<Item = EntryRef<'_>> {
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
        out.extend(
            self.entries
                .values()
                .map(|e| Record::TimeEntry(e.to_entry())),
        );
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

/// One copy of each distinct party, legal details and letter texts on invoices (see
/// [`OrgState::apply`]).
#[derive(Default)]
pub(crate) struct Shared {
    parties: HashSet<Arc<Party>>,
    legal: HashSet<Arc<SellerLegal>>,
    texts: HashSet<Arc<InvoiceTexts>>,
}

/// Point `value` at the set's copy of an equal value, or make it the set's copy.
fn share_one<T: Eq + std::hash::Hash>(set: &mut HashSet<Arc<T>>, value: &mut Arc<T>) {
    match set.get(&**value) {
        Some(shared) => *value = Arc::clone(shared),
        None => {
            set.insert(Arc::clone(value));
        }
    }
}

impl Shared {
    /// Point the invoice's seller, buyer, legal details and texts at the shared copies of equal
    /// ones, or make them the shared copies. Done as each invoice is decoded at unlock, too
    /// (`Engine::index`), so that a duplicate is freed at once and its memory reused by the next
    /// record decoded, rather than all of them freed at the end as scattered holes the heap cannot
    /// give back.
    pub(crate) fn share(&mut self, invoice: &mut Invoice) {
        for party in [&mut invoice.seller, &mut invoice.buyer]
            .into_iter()
            .flatten()
        {
            share_one(&mut self.parties, party);
        }
        if let Some(legal) = &mut invoice.seller_legal {
            share_one(&mut self.legal, legal);
        }
        if let Some(texts) = &mut invoice.texts {
            share_one(&mut self.texts, texts);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ulid::Ulid;

    #[test]
    fn invoices_share_equal_parties_legal_details_and_texts() {
        let party = |name: &str| Party {
            name: name.into(),
            city: "Berlin".into(),
            ..Party::default()
        };
        let invoice = |n: u64, seller: &str, buyer: &str| {
            let client = ClientId(Ulid::from_parts(2, 1));
            let mut i =
                Invoice::draft(InvoiceId(Ulid::from_parts(n, 3)), client, Currency::EUR, 14);
            // Each as decoded from its own record: equal values, separate allocations.
            i.seller = Some(Arc::new(party(seller)));
            i.buyer = Some(Arc::new(party(buyer)));
            i.seller_legal = Some(Arc::new(SellerLegal {
                tax_number: Some("30/123/45678".into()),
                ..SellerLegal::default()
            }));
            i.texts = Some(Arc::new(InvoiceTexts {
                subject: format!("Work for {buyer}"),
                ..InvoiceTexts::default()
            }));
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
        assert_eq!(state.shared.parties.len(), 3);
        let same = |a: &Option<Arc<SellerLegal>>, b: &Option<Arc<SellerLegal>>| {
            Arc::ptr_eq(a.as_ref().unwrap(), b.as_ref().unwrap())
        };
        assert!(same(&get(1).seller_legal, &get(3).seller_legal));
        assert!(Arc::ptr_eq(
            get(1).texts.as_ref().unwrap(),
            get(2).texts.as_ref().unwrap()
        ));
        assert_eq!(get(3).texts.as_ref().unwrap().subject, "Work for Initech");
        assert_eq!((state.shared.legal.len(), state.shared.texts.len()), (1, 2));
    }
}
