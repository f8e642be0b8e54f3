//! Stint's domain: the pure model and its rules.
//!
//! Nothing here does I/O, reads a clock or draws randomness: callers pass in ids, dates and "now".
//! That keeps money, rounding, rates, the role table and reports easy to test and impossible to
//! get subtly wrong through hidden state.
#![forbid(unsafe_code)]

pub mod budget;
pub mod entry;
pub mod expense;
pub mod ids;
pub mod invoice;
pub mod kind;
pub mod membership;
pub mod model;
pub mod money;
pub mod payload;
pub mod rate;
pub mod report;
pub mod role;
pub mod rounding;
pub mod validate;
pub mod write_log;

pub use budget::{Budget, BudgetLimit, BudgetPeriod, BudgetUsage};
pub use entry::{EntryTime, TimeEntry, Valuation};
pub use expense::{Expense, Receipt};
pub use ids::*;
pub use invoice::{
    BankAccount, Billed, BillingMark, BillingProfile, ClientBilling, Discount, Every, Invoice,
    InvoiceError, InvoiceKind, InvoiceLine, InvoiceStatus, InvoiceTexts, Language, LineDetail,
    LineGrouping, LineSource, NumberingScheme, Party, Payment, PaymentMethod, RecurringInvoice,
    SellerLegal, Tax, TaxCategory, TaxMode, TaxRate, TaxRounding, TypedLine, Unit, Work,
};
pub use kind::{
    Compartment, Kind, RecordDenied, readable_compartments, readable_kinds, record_access,
};
pub use membership::{Membership, replay_membership, role_number, role_of};
pub use model::{Client, DurationStyle, Member, Organization, Project, Tag, Task, WeekStart};
pub use money::{Currency, Money, MoneyError};
pub use rate::{Rate, RateBook, RateScope, WorkContext};
pub use report::{Codes, GroupBy, GroupKey, Numbering, Report, ReportInput, ReportRow};
pub use role::{Action, Actor, Denied, Role, Scope, Target, authorize};
pub use rounding::{Rounding, RoundingMode};
pub use validate::ValidationError;
