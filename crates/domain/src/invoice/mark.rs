//! Billing marks: which invoice bills a time entry or an expense, as a record of its own.
//!
//! Drafting an invoice used to rewrite every billed entry with its `invoiced` flag set: in a synced
//! organization that is an Admin writing into a Member's record while the Member may be editing it
//! offline. A mark is a separate record (kind [`crate::Kind::BillingMark`], in the team compartment
//! so that the Member's devices see their own work locked, owned by the work's member so that they
//! receive only their own), with an id derived from the work's, so two devices marking the same
//! work write one record whose versions merge. The work's own record is never touched by
//! invoicing: a concurrent edit survives, and the mark keeps the work as it was billed, so that the
//! edit shows as work changed after it was invoiced instead of slipping past the invoice.

use crate::ids::{BillingId, EntryId, ExpenseId, InvoiceId, MemberId};
use crate::{Expense, TimeEntry};
use serde::{Deserialize, Serialize};

/// The work a mark is about, as it was when billed (its `invoiced` flag as it was, not compared).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Billed {
    /// A time entry.
    Entry(TimeEntry),
    /// An expense.
    Expense(Expense),
}

/// Whether a piece of work is on an invoice, and which.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingMark {
    /// Derived from the work's id (one mark per piece of work).
    pub id: BillingId,
    /// The work's member: the record's owner.
    pub member: MemberId,
    /// The work as billed.
    pub billed: Billed,
    /// The invoice that bills it; `None` once released (its draft deleted, its line dropped, the
    /// invoice voided).
    pub invoice: Option<InvoiceId>,
}

/// A piece of work a mark can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Work {
    /// A time entry.
    Entry(EntryId),
    /// An expense.
    Expense(ExpenseId),
}

impl Work {
    /// The work's record id.
    pub fn to_bytes(self) -> [u8; 16] {
        match self {
            Work::Entry(id) => id.to_bytes(),
            Work::Expense(id) => id.to_bytes(),
        }
    }
}

impl Billed {
    /// The work it is.
    pub fn work(&self) -> Work {
        match self {
            Billed::Entry(e) => Work::Entry(e.id),
            Billed::Expense(x) => Work::Expense(x.id),
        }
    }

    /// Whose work it is.
    pub fn member(&self) -> MemberId {
        match self {
            Billed::Entry(e) => e.member,
            Billed::Expense(x) => x.member,
        }
    }
}

impl BillingMark {
    /// The work it names.
    pub fn work(&self) -> Work {
        self.billed.work()
    }

    /// Whether the entry differs from what was billed, its `invoiced` flag aside.
    pub fn entry_changed(&self, now: &TimeEntry) -> bool {
        match &self.billed {
            Billed::Entry(then) => {
                then.id == now.id
                    && TimeEntry {
                        invoiced: now.invoiced,
                        ..then.clone()
                    } != *now
            }
            Billed::Expense(_) => false,
        }
    }

    /// Whether the expense differs from what was billed, its `invoiced` flag aside.
    pub fn expense_changed(&self, now: &Expense) -> bool {
        match &self.billed {
            Billed::Expense(then) => {
                then.id == now.id
                    && Expense {
                        invoiced: now.invoiced,
                        ..then.clone()
                    } != *now
            }
            Billed::Entry(_) => false,
        }
    }
}
