//! Invoicing commands and queries: the billing profile, client billing details, invoices from
//! unbilled work, and the lifecycle (issue, pay, void, credit).
//!
//! Entries and expenses put on a draft are marked invoiced in the same transaction, so the same work
//! can never be billed twice; deleting the draft, removing its line or voiding the invoice releases
//! them. Only the engine makes lines that bill work, from unbilled work; lines from callers are
//! [`TypedLine`]s, which cannot name an entry or expense. And a release never unlocks work that
//! another invoice (other than a void one) bills, whatever the released invoice's lines say.
//!
//! A number is assigned when the invoice is issued, and the advanced counter is written in the
//! same transaction as the invoice, so a series has no gaps.

use crate::invoice_files::LineWords;
use crate::records::Record;
use crate::state::OrgState;
use crate::{ActAs, Engine, EngineError, Result, new_id};
use foldhash::HashSet;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use stint_domain::Kind;
use stint_domain::invoice::{
    Counters, InvoiceError, InvoiceTexts, Language, LineDetail, WorkItem, WorkWords,
    lines_from_work_with,
};
use stint_domain::*;

/// The language of `client`'s invoices: its own, else the organization's.
pub(crate) fn client_language(state: &OrgState, client: ClientId) -> Language {
    state
        .client_billing
        .get(&client)
        .and_then(|d| d.language)
        .unwrap_or_else(|| Language::of_locale(&state.organization().locale))
}

/// The language `invoice` is written in: its own; invoices from before languages follow their
/// client's, else the organization's.
pub(crate) fn invoice_language(state: &OrgState, invoice: &Invoice) -> Language {
    invoice
        .language
        .unwrap_or_else(|| client_language(state, invoice.client))
}

/// The subject, intro and closing `invoice` prints: its own, else the organization's in its
/// language (none if the organization wrote none).
pub(crate) fn letter_texts(
    invoice: &Invoice,
    language: Language,
    profile: Option<&BillingProfile>,
) -> InvoiceTexts {
    invoice
        .texts
        .as_deref()
        .or_else(|| profile.and_then(|p| p.texts_in(language)))
        .cloned()
        .unwrap_or(InvoiceTexts {
            language,
            ..InvoiceTexts::default()
        })
}

/// At issue, what the invoice says is frozen with it: its language, its texts, the seller's legal
/// details and the locale and duration style its numbers and dates are written in, so that
/// changing the defaults or the organization's locale later never changes an issued invoice.
pub(crate) fn freeze_letter(state: &OrgState, invoice: &mut Invoice, profile: &BillingProfile) {
    let language = invoice_language(state, invoice);
    invoice.texts = Some(Arc::new(letter_texts(invoice, language, Some(profile))));
    invoice.language = Some(language);
    invoice.seller_legal = Some(Arc::new(profile.legal.clone()));
    let organization = state.organization();
    invoice.locale = Some(organization.locale.clone());
    invoice.duration_style = Some(organization.duration_style);
}

/// An invoice as listed and shown, with everything computed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct InvoiceView {
    /// The invoice.
    pub invoice: Invoice,
    /// Its number, or "draft …".
    pub label: String,
    /// The client's name.
    pub client_name: String,
    /// Every amount.
    pub totals: stint_domain::invoice::Totals,
    /// Sum of payments.
    #[ts(type = "string")]
    pub paid: Decimal,
    /// Still owed.
    #[ts(type = "string")]
    pub due: Decimal,
    /// When payment is due.
    #[ts(type = "string | null")]
    pub due_date: Option<Date>,
    /// Payment is late.
    pub overdue: bool,
    /// The number of the invoice a credit note corrects.
    pub corrects: Option<String>,
    /// The language it is written in.
    pub language: Language,
    /// The subject, intro and closing it prints (its own, or the organization's).
    pub texts: InvoiceTexts,
}

/// Billed work that needs a look ([`Engine::billing_problems`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BillingProblem {
    /// The invoice that bills it.
    pub invoice: InvoiceId,
    /// Its number, or "draft …".
    pub label: String,
    /// The entry or expense.
    pub work: Work,
    /// What is wrong.
    pub problem: BillingProblemKind,
}

/// What is wrong with billed work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum BillingProblemKind {
    /// Changed (or deleted) after it was put on the invoice: the invoice bills it as it was.
    ChangedSince,
    /// Its mark names another invoice (its label, when this device holds it) or none.
    MarkedElsewhere {
        /// The invoice the mark names.
        other: Option<String>,
    },
}

/// A new invoice: unbilled work of a client, optionally within dates, plus typed lines.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewInvoice {
    /// The client.
    pub client: Option<ClientId>,
    /// Work from this day.
    #[ts(type = "string | null")]
    pub from: Option<Date>,
    /// Work until this day.
    #[ts(type = "string | null")]
    pub to: Option<Date>,
    /// How time becomes lines.
    pub grouping: LineGrouping,
    /// What each line of time says under its description: the period, the notes or the tasks.
    #[serde(default)]
    pub detail: LineDetail,
    /// Bill unbilled time.
    pub include_time: bool,
    /// Bill billable expenses.
    pub include_expenses: bool,
    /// Lines typed in (work is billed through `include_time` and `include_expenses`, never named).
    pub lines: Vec<TypedLine>,
}

/// Changes to a draft.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(default)]
pub struct InvoiceEdit {
    /// Typed lines to add at the end (work is billed by creating an invoice from it).
    pub add_lines: Vec<TypedLine>,
    /// Lines to remove, by position (0-based, before adding).
    pub remove_lines: Vec<usize>,
    /// A new invoice discount.
    #[ts(optional)]
    pub discount: Option<Discount>,
    /// Remove the invoice discount.
    pub clear_discount: bool,
    /// New notes.
    #[ts(optional)]
    pub notes: Option<String>,
    /// New payment terms in days.
    #[ts(optional)]
    pub payment_days: Option<u16>,
    /// Prices including or excluding tax.
    #[ts(optional)]
    pub tax_mode: Option<TaxMode>,
    /// Where tax is rounded.
    #[ts(optional)]
    pub tax_rounding: Option<TaxRounding>,
    /// The language the invoice is written in.
    #[ts(optional)]
    pub language: Option<Language>,
    /// The invoice's own subject, intro and closing (their language is the invoice's).
    #[ts(optional)]
    pub texts: Option<InvoiceTexts>,
    /// Go back to the organization's texts in the invoice's language.
    pub default_texts: bool,
}

/// Which invoices to list.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct InvoiceFilter {
    /// Only this status.
    pub status: Option<InvoiceStatus>,
    /// Only overdue ones (to remind).
    pub overdue: bool,
    /// Only this client's.
    pub client: Option<ClientId>,
}

/// A new recurring invoice.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewRecurring {
    /// The client.
    pub client: ClientId,
    /// The typed lines of every draft.
    pub lines: Vec<TypedLine>,
    /// How often.
    pub every: Every,
    /// The first draft's date.
    #[ts(type = "string")]
    pub start: Date,
    /// No drafts after this day.
    #[ts(type = "string | null")]
    pub until: Option<Date>,
}

impl From<InvoiceError> for EngineError {
    fn from(e: InvoiceError) -> Self {
        match e {
            InvoiceError::Invalid(v) => EngineError::Invalid(v),
            other => EngineError::Invalid(ValidationError::new(other.to_string())),
        }
    }
}

fn client_tax(state: &OrgState, client: ClientId) -> Tax {
    state
        .client_billing
        .get(&client)
        .and_then(|d| d.tax)
        .or(state.billing.as_ref().map(|p| p.default_tax))
        .unwrap_or(Tax::standard(Decimal::from(19)))
}

fn view(state: &OrgState, invoice: &Invoice, today: Date) -> InvoiceView {
    let language = invoice_language(state, invoice);
    InvoiceView {
        label: invoice.label(),
        client_name: state
            .clients
            .get(&invoice.client)
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        totals: invoice.totals(),
        paid: invoice.paid(),
        due: invoice.due_amount(),
        due_date: invoice.due_date(),
        overdue: invoice.is_overdue(today),
        corrects: match invoice.kind {
            InvoiceKind::CreditNote { corrects } => {
                state.invoices.get(&corrects).map(|i| i.label())
            }
            InvoiceKind::Invoice => None,
        },
        language,
        texts: letter_texts(invoice, language, state.billing.as_ref()),
        invoice: invoice.clone(),
    }
}

/// The id of the one record of `kind` that belongs to `owner`: derived, not drawn, so that two
/// devices that create it offline create the same record, whose versions then merge field by field
/// (docs/sync.md, "Merging"). Vaults made before keep the ids they drew.
fn singleton_id(kind: Kind, owner: [u8; 16]) -> BillingId {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"stint-singleton-v1")
        .chain_update((kind as u16).to_be_bytes())
        .chain_update(owner)
        .finalize();
    let mut id = [0; 16];
    id.copy_from_slice(&digest[..16]);
    BillingId::from_bytes(id)
}

/// The organization's billing profile's id.
pub(crate) fn billing_profile_id(org: OrgId) -> BillingId {
    singleton_id(Kind::BillingProfile, org.to_bytes())
}

/// The id of the billing mark of a piece of work.
pub(crate) fn billing_mark_id(work: Work) -> BillingId {
    singleton_id(Kind::BillingMark, work.to_bytes())
}

/// A client's billing details' id.
pub(crate) fn client_billing_id(client: ClientId) -> BillingId {
    singleton_id(Kind::ClientBilling, client.to_bytes())
}

impl Engine {
    fn authorize_org(&self, by: &ActAs, action: Action) -> Result<&OrgState> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, action, &Target::Org { org: by.org })?;
        Ok(state)
    }

    /// The billing profile (a fresh one with the organization's name if none was saved yet).
    pub fn billing_profile(&self, by: &ActAs) -> Result<BillingProfile> {
        let state = self.authorize_org(by, Action::ReadBillingProfile)?;
        Ok(state.billing.clone().unwrap_or_else(|| {
            BillingProfile::new(billing_profile_id(by.org), &state.organization().name)
        }))
    }

    /// Save the billing profile. Its counters are the engine's: whatever the input says, they stay
    /// as they are (they only advance when an invoice is issued).
    pub async fn save_billing_profile(
        &mut self,
        by: &ActAs,
        profile: BillingProfile,
    ) -> Result<()> {
        let state = self.authorize_org(by, Action::EditBillingProfile)?;
        let mut profile = profile.validate()?;
        let mut defaults = None;
        if let Some(current) = &state.billing {
            profile.id = current.id;
            profile.counters = current.counters.clone();
        } else {
            profile.id = billing_profile_id(by.org);
            profile.counters = Counters::default();
            defaults = Some(Record::BillingProfile(Box::new(BillingProfile::new(
                profile.id,
                &state.organization().name,
            ))));
        }
        self.commit_over(
            by,
            vec![Record::BillingProfile(Box::new(profile))],
            defaults.as_ref(),
        )
        .await
    }

    /// A client's billing details (empty ones if none were saved).
    pub fn client_billing(&self, by: &ActAs, client: ClientId) -> Result<ClientBilling> {
        let state = self.authorize_org(by, Action::ReadBillingProfile)?;
        let name = state
            .clients
            .get(&client)
            .map(|c| c.name.clone())
            .ok_or_else(|| EngineError::not_found("client", client.to_string()))?;
        Ok(state
            .client_billing
            .get(&client)
            .cloned()
            .unwrap_or_else(|| ClientBilling {
                id: client_billing_id(client),
                client,
                buyer: Party {
                    name,
                    ..Party::default()
                },
                prefix: String::new(),
                payment_days: None,
                tax: None,
                buyer_reference: None,
                language: None,
            }))
    }

    /// Save a client's billing details.
    pub async fn save_client_billing(&mut self, by: &ActAs, details: ClientBilling) -> Result<()> {
        let state = self.authorize_org(by, Action::EditBillingProfile)?;
        if !state.clients.contains_key(&details.client) {
            return Err(EngineError::not_found("client", details.client.to_string()));
        }
        let mut details = details.validate()?;
        let defaults = match state.client_billing.get(&details.client) {
            Some(current) => {
                details.id = current.id;
                None
            }
            None => {
                details.id = client_billing_id(details.client);
                Some(Record::ClientBilling(Box::new(
                    self.client_billing(by, details.client)?,
                )))
            }
        };
        self.commit_over(
            by,
            vec![Record::ClientBilling(Box::new(details))],
            defaults.as_ref(),
        )
        .await
    }

    /// The tax of new lines for `client`: its own, else the billing profile's default.
    pub fn client_tax(&self, by: &ActAs, client: ClientId) -> Result<Tax> {
        let state = self.authorize_org(by, Action::ReadBillingProfile)?;
        Ok(client_tax(state, client))
    }

    /// Work whose billing needs a look, by invoice: work changed after it was put on the invoice
    /// (edited on a device that had not yet seen the invoice: the edit is kept, the invoice bills
    /// what it was), and work an invoice bills while its mark names another invoice or none (two
    /// drafts made at the same moment on two devices; the mark's merge chose one). Void invoices
    /// bill nothing; work marked before marks existed (its own flag set) is not listed.
    pub fn billing_problems(&self, by: &ActAs) -> Result<Vec<BillingProblem>> {
        let state = self.authorize_org(by, Action::ReadInvoices)?;
        let mut out = Vec::new();
        let mut invoices: Vec<&Invoice> = state
            .invoices
            .values()
            .map(|i| i.as_ref())
            .filter(|i| i.status != InvoiceStatus::Void)
            .collect();
        invoices.sort_by_key(|i| i.id);
        for invoice in invoices {
            let work = invoice
                .entries()
                .map(Work::Entry)
                .chain(invoice.expenses().map(Work::Expense));
            for work in work {
                let Some(mark) = state.marks.get(&work) else {
                    continue;
                };
                let problem = if mark.invoice != Some(invoice.id) {
                    BillingProblemKind::MarkedElsewhere {
                        other: mark
                            .invoice
                            .and_then(|other| state.invoices.get(&other))
                            .map(|other| other.label()),
                    }
                } else if match work {
                    Work::Entry(id) => state
                        .entries
                        .get(&id)
                        .is_none_or(|e| mark.entry_changed(&e.to_entry())),
                    Work::Expense(id) => state
                        .expenses
                        .get(&id)
                        .is_none_or(|x| mark.expense_changed(x)),
                } {
                    BillingProblemKind::ChangedSince
                } else {
                    continue;
                };
                out.push(BillingProblem {
                    invoice: invoice.id,
                    label: invoice.label(),
                    work,
                    problem,
                });
            }
        }
        Ok(out)
    }

    /// Invoices the acting member may read, newest first.
    pub fn invoices(&self, by: &ActAs, filter: &InvoiceFilter) -> Result<Vec<InvoiceView>> {
        let state = self.authorize_org(by, Action::ReadInvoices)?;
        let today = state.time_zone().to_datetime(self.now()).date();
        let mut list: Vec<InvoiceView> = state
            .invoices
            .values()
            .filter(|i| filter.status.is_none_or(|s| i.status == s))
            .filter(|i| filter.client.is_none_or(|c| i.client == c))
            .filter(|i| !filter.overdue || i.is_overdue(today))
            .map(|i| view(state, i, today))
            .collect();
        list.sort_by(|a, b| {
            (
                b.invoice.issue_date,
                b.invoice.number.as_deref(),
                b.invoice.id,
            )
                .cmp(&(
                    a.invoice.issue_date,
                    a.invoice.number.as_deref(),
                    a.invoice.id,
                ))
        });
        Ok(list)
    }

    /// One invoice.
    pub fn invoice(&self, by: &ActAs, id: InvoiceId) -> Result<InvoiceView> {
        let state = self.authorize_org(by, Action::ReadInvoices)?;
        let today = state.time_zone().to_datetime(self.now()).date();
        let invoice = state
            .invoices
            .get(&id)
            .ok_or_else(|| EngineError::not_found("invoice", id.to_string()))?;
        Ok(view(state, invoice, today))
    }

    /// An invoice by number or id.
    pub fn find_invoice(&self, org: crate::OrgId, number_or_id: &str) -> Result<InvoiceId> {
        let state = self.state(org)?;
        let wanted = number_or_id.trim();
        if let Some(i) = state
            .invoices
            .values()
            .find(|i| i.number.as_deref() == Some(wanted))
        {
            return Ok(i.id);
        }
        wanted
            .parse::<InvoiceId>()
            .ok()
            .filter(|id| state.invoices.contains_key(id))
            .ok_or_else(|| {
                EngineError::not_found_hint(
                    "invoice",
                    wanted,
                    "list them with `stint invoice list`",
                )
            })
    }

    /// Unbilled, finished, billable time of a client within dates, as work items.
    fn unbilled_work(
        &self,
        state: &OrgState,
        client: ClientId,
        currency: Currency,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<WorkItem>> {
        let mut items = Vec::new();
        for e in state.entries.values() {
            if e.invoiced() || !e.billable() || e.is_running() {
                continue;
            }
            let Some(project) = e
                .project()
                .and_then(|p| state.projects.get(&p))
                .filter(|p| p.client == client)
            else {
                continue;
            };
            let facts = e.facts();
            if from.is_some_and(|f| facts.date < f) || to.is_some_and(|t| facts.date > t) {
                continue;
            }
            let ctx = WorkContext {
                member: e.member(),
                client,
                project: project.id,
                task: e.task(),
            };
            let rate = state
                .rate_book
                .resolve(&ctx, facts.date)
                .unwrap_or(Money::zero(currency));
            if rate.currency != currency {
                return Err(EngineError::Invalid(ValidationError::new(format!(
                    "work on {:?} is priced in {}, but the client is billed in {currency}; bill it separately or change the rate",
                    project.name, rate.currency
                ))));
            }
            items.push(WorkItem {
                entry: e.id(),
                project: project.name.clone(),
                task: e
                    .task()
                    .and_then(|t| state.tasks.get(&t))
                    .map(|t| t.name.clone()),
                person: state
                    .members
                    .get(&e.member())
                    .map(|m| m.name.clone())
                    .unwrap_or_default(),
                date: facts.date,
                billed_seconds: facts.valuation.billed_seconds,
                rate,
                note: e.note().to_owned(),
            });
        }
        Ok(items)
    }

    /// Create a draft from unbilled work and typed lines; the work it bills is locked at once.
    pub async fn create_invoice(&mut self, by: &ActAs, input: NewInvoice) -> Result<InvoiceView> {
        let state = self.authorize_org(by, Action::EditInvoices)?;
        let client_id = input
            .client
            .ok_or_else(|| ValidationError::new("choose the client to invoice"))?;
        let client = state
            .clients
            .get(&client_id)
            .ok_or_else(|| EngineError::not_found("client", client_id.to_string()))?;
        if let (Some(from), Some(to)) = (input.from, input.to)
            && to < from
        {
            return Err(ValidationError::new("the period ends before it starts").into());
        }
        let currency = client.currency.unwrap_or(state.organization().currency);
        let profile = state.billing.clone().unwrap_or_else(|| {
            BillingProfile::new(billing_profile_id(by.org), &state.organization().name)
        });
        let details = state.client_billing.get(&client_id);
        let tax = client_tax(state, client_id);
        let payment_days = details
            .and_then(|d| d.payment_days)
            .unwrap_or(profile.payment_days);

        let work = if input.include_time {
            self.unbilled_work(state, client_id, currency, input.from, input.to)?
        } else {
            Vec::new()
        };
        let language = client_language(state, client_id);
        // `words` holds ICU's formatters, which are not `Send`: they are gone before anything awaits.
        let (mut lines, expenses) = {
            let words = LineWords::new(state.organization(), language)?;
            let mut lines = lines_from_work_with(&work, input.grouping, input.detail, tax, &words);
            let mut expenses: Vec<Expense> = Vec::new();
            if input.include_expenses {
                let mut billable: Vec<&Expense> = state
                    .expenses
                    .values()
                    .filter(|x| x.billable && !x.invoiced)
                    .filter(|x| {
                        x.project
                            .and_then(|p| state.projects.get(&p))
                            .is_some_and(|p| p.client == client_id)
                    })
                    .filter(|x| {
                        input.from.is_none_or(|f| x.date >= f)
                            && input.to.is_none_or(|t| x.date <= t)
                    })
                    .collect();
                billable.sort_by_key(|x| (x.date, x.id));
                for x in billable {
                    if x.amount.currency != currency {
                        return Err(ValidationError::new(format!(
                            "the expense of {} on {} is in {}, but the client is billed in {currency}",
                            x.amount, x.date, x.amount.currency
                        ))
                        .into());
                    }
                    let category = x.category.trim();
                    lines.push(InvoiceLine {
                        description: words.expense(category),
                        detail: Some(format!(
                            "{}{}",
                            words.date(x.date),
                            if x.note.trim().is_empty() {
                                String::new()
                            } else {
                                format!(" · {}", x.note.trim())
                            }
                        )),
                        quantity: Decimal::ONE,
                        unit: Unit::Piece,
                        unit_price: x.amount.amount,
                        discount: None,
                        tax,
                        source: LineSource::Expense { expense: x.id },
                        worth: None,
                    });
                    expenses.push(x.clone());
                }
            }
            (lines, expenses)
        };
        lines.extend(input.lines.into_iter().map(InvoiceLine::from));
        if lines.is_empty() {
            return Err(ValidationError::new(
                "nothing to invoice: no unbilled billable work or expenses for this client in the period, and no lines given",
            )
            .into());
        }
        let dates: Vec<Date> = work
            .iter()
            .map(|w| w.date)
            .chain(expenses.iter().map(|x| x.date))
            .collect();
        let mut invoice = Invoice::draft(InvoiceId(new_id()), client_id, currency, payment_days);
        invoice.lines = lines;
        invoice.tax_mode = profile.tax_mode;
        invoice.tax_rounding = profile.tax_rounding;
        invoice.service_period = dates
            .iter()
            .min()
            .zip(dates.iter().max())
            .map(|(a, b)| (*a, *b));
        // The tax notes the law requires are printed from the lines' categories, in the
        // invoice's language; the notes are the user's own.
        invoice.language = Some(language);
        let invoice = invoice.validate()?;

        let mut records = vec![Record::Invoice(Box::new(invoice.clone()))];
        records.extend(self.marked(
            state,
            Some(invoice.id),
            invoice.entries(),
            invoice.expenses(),
        ));
        self.commit(by, records).await?;
        self.invoice(by, invoice.id)
    }

    /// The billing marks that put `entries` and `expenses` on `invoice`, or release them (`None`).
    /// The work's own records are not written: a Member editing their entry at the same moment
    /// keeps the edit, and the mark keeps the work as billed (see [`Engine::billing_problems`]).
    fn marked(
        &self,
        state: &OrgState,
        invoice: Option<InvoiceId>,
        entries: impl Iterator<Item = EntryId>,
        expenses: impl Iterator<Item = ExpenseId>,
    ) -> Vec<Record> {
        let mark = |billed: Billed| {
            Record::BillingMark(Box::new(BillingMark {
                id: billing_mark_id(billed.work()),
                member: billed.member(),
                billed,
                invoice,
            }))
        };
        let mut out: Vec<Record> = entries
            .filter_map(|id| state.entries.get(&id))
            .map(|e| mark(Billed::Entry(e.to_entry())))
            .collect();
        out.extend(
            expenses
                .filter_map(|id| state.expenses.get(&id))
                .map(|x| mark(Billed::Expense(x.clone()))),
        );
        out
    }

    /// The records that release `entries` and `expenses` from invoice `from`: only work that no
    /// other invoice bills (a void one bills nothing), so deleting a draft, dropping its line or
    /// voiding an invoice never unlocks work that another invoice holds, whatever its lines claim.
    fn released(
        &self,
        state: &OrgState,
        from: InvoiceId,
        entries: impl Iterator<Item = EntryId>,
        expenses: impl Iterator<Item = ExpenseId>,
    ) -> Vec<Record> {
        let entries: Vec<EntryId> = entries.collect();
        let expenses: Vec<ExpenseId> = expenses.collect();
        if entries.is_empty() && expenses.is_empty() {
            return Vec::new();
        }
        let mut held_entries: HashSet<EntryId> = HashSet::default();
        let mut held_expenses: HashSet<ExpenseId> = HashSet::default();
        for other in state
            .invoices
            .values()
            .filter(|i| i.id != from && i.status != InvoiceStatus::Void)
        {
            held_entries.extend(other.entries());
            held_expenses.extend(other.expenses());
        }
        self.marked(
            state,
            None,
            entries.into_iter().filter(|e| !held_entries.contains(e)),
            expenses.into_iter().filter(|x| !held_expenses.contains(x)),
        )
    }

    pub(crate) fn invoice_for_change(
        &self,
        by: &ActAs,
        id: InvoiceId,
        action: Action,
    ) -> Result<(&OrgState, Invoice)> {
        let state = self.authorize_org(by, action)?;
        let invoice = state
            .invoices
            .get(&id)
            .map(|i| Invoice::clone(i))
            .ok_or_else(|| EngineError::not_found("invoice", id.to_string()))?;
        Ok((state, invoice))
    }

    /// Change a draft. Removing a line of time or an expense makes that work billable again.
    pub async fn edit_invoice(
        &mut self,
        by: &ActAs,
        id: InvoiceId,
        edit: InvoiceEdit,
    ) -> Result<InvoiceView> {
        let (state, mut invoice) = self.invoice_for_change(by, id, Action::EditInvoices)?;
        let before = invoice.clone();
        if let Some(bad) = edit
            .remove_lines
            .iter()
            .find(|&&i| i >= invoice.lines.len())
        {
            return Err(ValidationError::new(format!(
                "the invoice has {} lines; there is no line {}",
                invoice.lines.len(),
                bad + 1
            ))
            .into());
        }
        invoice.edit(|i| {
            let mut position = 0;
            i.lines.retain(|_| {
                let keep = !edit.remove_lines.contains(&position);
                position += 1;
                keep
            });
            i.lines
                .extend(edit.add_lines.into_iter().map(InvoiceLine::from));
            if edit.clear_discount {
                i.discount = None;
            }
            if let Some(discount) = edit.discount {
                i.discount = Some(discount);
            }
            if let Some(notes) = edit.notes {
                i.notes = notes;
            }
            if let Some(days) = edit.payment_days {
                i.payment_days = days;
            }
            if let Some(mode) = edit.tax_mode {
                i.tax_mode = mode;
            }
            if let Some(rounding) = edit.tax_rounding {
                i.tax_rounding = rounding;
            }
            if let Some(language) = edit.language {
                i.language = Some(language);
            }
            if edit.default_texts {
                i.texts = None;
            }
            if let Some(texts) = edit.texts {
                i.texts = Some(Arc::new(texts));
            }
            if let (Some(texts), Some(language)) = (&mut i.texts, i.language)
                && texts.language != language
            {
                Arc::make_mut(texts).language = language;
            }
        })?;
        let kept_entries: Vec<EntryId> = invoice.entries().collect();
        let kept_expenses: Vec<ExpenseId> = invoice.expenses().collect();
        let released = self.released(
            state,
            id,
            before.entries().filter(|e| !kept_entries.contains(e)),
            before.expenses().filter(|x| !kept_expenses.contains(x)),
        );
        let mut records = vec![Record::Invoice(Box::new(invoice))];
        records.extend(released);
        self.commit(by, records).await?;
        self.invoice(by, id)
    }

    /// Delete a draft; its work becomes billable again. Issued invoices are voided, never deleted.
    pub async fn delete_invoice(&mut self, by: &ActAs, id: InvoiceId) -> Result<()> {
        let (state, invoice) = self.invoice_for_change(by, id, Action::EditInvoices)?;
        if invoice.status != InvoiceStatus::Draft {
            return Err(ValidationError::new(format!(
                "invoice {} is issued and is kept for the records; void it or issue a credit note",
                invoice.label()
            ))
            .into());
        }
        let released = self.released(state, id, invoice.entries(), invoice.expenses());
        let mut writes =
            vec![self.write_for(by, Kind::Invoice, id.to_bytes(), [0; 16], true, Vec::new())?];
        writes.extend(self.record_writes(by, &released).await?);
        self.vault.put(&self.keys, writes).await?;
        let state = self.state_mut(by.org)?;
        state.invoices.remove(&id);
        for r in released {
            state.apply(r);
        }
        Ok(())
    }

    /// Issue a draft: number it from the series, freeze it with the seller's and buyer's details.
    /// In a synced organization the server gives out the numbers: there, issue with
    /// [`Engine::issue_invoice_online`].
    pub async fn issue_invoice(
        &mut self,
        by: &ActAs,
        id: InvoiceId,
        date: Option<Date>,
    ) -> Result<InvoiceView> {
        if self.is_synced(by.org).await? {
            return Err(crate::sync::sync_error(
                "in a synced organization the server gives out invoice numbers, so that two people never issue the same one: issue while signed in and online (drafts work offline)",
            ));
        }
        self.issue_numbered(by, id, date, None).await
    }

    /// Issues a draft with the counter value `value` of its series (given by the server), or the
    /// next of this device's counters.
    pub(crate) async fn issue_numbered(
        &mut self,
        by: &ActAs,
        id: InvoiceId,
        date: Option<Date>,
        value: Option<u64>,
    ) -> Result<InvoiceView> {
        let (state, mut invoice) = self.invoice_for_change(by, id, Action::FinalizeInvoice)?;
        let today = state.time_zone().to_datetime(self.now()).date();
        let date = date.unwrap_or(today);
        let mut profile = state.billing.clone().ok_or_else(|| {
            ValidationError::new("set up the billing profile (your address, numbering) before issuing: `stint billing set`")
        })?;
        let details = state
            .client_billing
            .get(&invoice.client)
            .cloned()
            .ok_or_else(|| {
                ValidationError::new(format!(
                    "the client {:?} has no billing address yet: `stint billing client`",
                    state
                        .clients
                        .get(&invoice.client)
                        .map(|c| c.name.as_str())
                        .unwrap_or_default()
                ))
            })?;
        let assigned = match value {
            None => profile.numbering.assign(
                &profile.counters,
                date,
                invoice.client,
                &details.prefix,
                invoice.is_credit_note(),
            )?,
            Some(value) => profile.numbering.assign_value(
                &profile.counters,
                date,
                invoice.client,
                &details.prefix,
                invoice.is_credit_note(),
                value,
            )?,
        };
        if state
            .invoices
            .values()
            .any(|i| i.number.as_deref() == Some(assigned.number.as_str()))
        {
            return Err(ValidationError::new(format!(
                "the number {} is already used; change the numbering pattern",
                assigned.number
            ))
            .into());
        }
        invoice.issue(assigned.number, date, profile.seller.clone(), details.buyer)?;
        freeze_letter(state, &mut invoice, &profile);
        profile.counters = assigned.counters;
        self.commit(
            by,
            vec![
                Record::Invoice(Box::new(invoice)),
                Record::BillingProfile(Box::new(profile)),
            ],
        )
        .await?;
        self.invoice(by, id)
    }

    /// Record a payment.
    pub async fn record_payment(
        &mut self,
        by: &ActAs,
        id: InvoiceId,
        amount: &str,
        date: Option<Date>,
        method: Option<PaymentMethod>,
        note: &str,
    ) -> Result<InvoiceView> {
        let (state, mut invoice) = self.invoice_for_change(by, id, Action::EditInvoices)?;
        let today = state.time_zone().to_datetime(self.now()).date();
        let amount = Money::parse_positive(amount, invoice.currency)?;
        invoice.record_payment(Payment {
            date: date.unwrap_or(today),
            amount: amount.amount,
            note: note.to_owned(),
            method,
        })?;
        self.commit(by, vec![Record::Invoice(Box::new(invoice))])
            .await?;
        self.invoice(by, id)
    }

    /// Void an issued invoice without payments; its work becomes billable again.
    pub async fn void_invoice(
        &mut self,
        by: &ActAs,
        id: InvoiceId,
        reason: &str,
    ) -> Result<InvoiceView> {
        let (state, mut invoice) = self.invoice_for_change(by, id, Action::EditInvoices)?;
        invoice.void(reason)?;
        let mut records = self.released(state, id, invoice.entries(), invoice.expenses());
        records.insert(0, Record::Invoice(Box::new(invoice)));
        self.commit(by, records).await?;
        self.invoice(by, id)
    }

    /// A draft credit note for an issued invoice.
    pub async fn credit_invoice(&mut self, by: &ActAs, id: InvoiceId) -> Result<InvoiceView> {
        let (_, invoice) = self.invoice_for_change(by, id, Action::EditInvoices)?;
        let note = invoice.credit_note(InvoiceId(new_id()))?;
        let note_id = note.id;
        self.commit(by, vec![Record::Invoice(Box::new(note))])
            .await?;
        self.invoice(by, note_id)
    }

    /// Start a recurring invoice.
    pub async fn add_recurring(&mut self, by: &ActAs, input: NewRecurring) -> Result<RecurringId> {
        let state = self.authorize_org(by, Action::EditInvoices)?;
        let client = state
            .clients
            .get(&input.client)
            .ok_or_else(|| EngineError::not_found("client", input.client.to_string()))?;
        let currency = client.currency.unwrap_or(state.organization().currency);
        let series = RecurringInvoice {
            id: RecurringId(new_id()),
            client: input.client,
            lines: input.lines.into_iter().map(InvoiceLine::from).collect(),
            every: input.every,
            start: input.start,
            until: input.until,
            made: 0,
            active: true,
        }
        .validate(currency)?;
        let id = series.id;
        self.commit(by, vec![Record::Recurring(Box::new(series))])
            .await?;
        Ok(id)
    }

    /// Recurring invoices, by next date.
    pub fn recurring(&self, by: &ActAs) -> Result<Vec<RecurringInvoice>> {
        let state = self.authorize_org(by, Action::ReadInvoices)?;
        let mut list: Vec<RecurringInvoice> = state.recurring.values().cloned().collect();
        list.sort_by_key(|r| (r.next(), r.id));
        Ok(list)
    }

    /// Pause or resume a recurring invoice.
    pub async fn set_recurring_active(
        &mut self,
        by: &ActAs,
        id: RecurringId,
        active: bool,
    ) -> Result<()> {
        let state = self.authorize_org(by, Action::EditInvoices)?;
        let series = state
            .recurring
            .get(&id)
            .cloned()
            .ok_or_else(|| EngineError::not_found("recurring invoice", id.to_string()))?;
        self.commit(
            by,
            vec![Record::Recurring(Box::new(RecurringInvoice {
                active,
                ..series
            }))],
        )
        .await
    }

    /// Make the drafts that recurring invoices owe up to today. The drafts and the advanced series
    /// are written in one transaction, so a draft is never made twice or lost.
    pub async fn run_recurring(&mut self, by: &ActAs) -> Result<Vec<InvoiceView>> {
        let state = self.authorize_org(by, Action::EditInvoices)?;
        let today = state.time_zone().to_datetime(self.now()).date();
        let profile = state.billing.clone();
        let mut records = Vec::new();
        let mut made = Vec::new();
        let mut series_list: Vec<&RecurringInvoice> = state.recurring.values().collect();
        series_list.sort_by_key(|r| r.id);
        for series in series_list {
            let due = series.due(today);
            if due.is_empty() {
                continue;
            }
            let Some(client) = state.clients.get(&series.client) else {
                continue;
            };
            let currency = client.currency.unwrap_or(state.organization().currency);
            let details = state.client_billing.get(&series.client);
            let payment_days = details
                .and_then(|d| d.payment_days)
                .or(profile.as_ref().map(|p| p.payment_days))
                .unwrap_or(14);
            for date in &due {
                let mut draft =
                    Invoice::draft(InvoiceId(new_id()), series.client, currency, payment_days);
                // A series holds typed lines (its validation refuses work); whatever a stored
                // series says, its drafts bill no tracked work.
                draft.lines = series
                    .lines
                    .iter()
                    .map(|l| InvoiceLine {
                        source: LineSource::Manual,
                        ..l.clone()
                    })
                    .collect();
                if let Some(p) = &profile {
                    draft.tax_mode = p.tax_mode;
                    draft.tax_rounding = p.tax_rounding;
                }
                draft.notes = format!("Recurring invoice of {date}");
                draft.language = Some(client_language(state, series.client));
                let draft = draft.validate()?;
                made.push(draft.id);
                records.push(Record::Invoice(Box::new(draft)));
            }
            records.push(Record::Recurring(Box::new(RecurringInvoice {
                made: series.made + due.len() as u32,
                ..series.clone()
            })));
        }
        if records.is_empty() {
            return Ok(Vec::new());
        }
        self.commit(by, records).await?;
        made.into_iter().map(|id| self.invoice(by, id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        MemoryKeyStore, NewClient, NewEntry, NewExpense, NewOrganization, NewProject, NewRate,
        Unlock,
    };
    use rust_decimal_macros::dec;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// A record that names work it never locked (as an older version or another device might have
    /// written it): its deletion, its edit or its void must not unlock work another invoice bills.
    #[tokio::test]
    async fn releasing_an_invoice_never_unlocks_work_another_invoice_bills() {
        let dir = tempfile::tempdir().unwrap();
        let keys = MemoryKeyStore::default();
        let mut engine = Engine::create(dir.path(), Unlock::Keyring(&keys))
            .await
            .unwrap();
        engine.set_clock(Some("2026-11-20T10:00:00Z".parse().unwrap()));
        let org = engine
            .create_organization(NewOrganization {
                name: "Studio Ana".into(),
                currency: "EUR".into(),
                locale: "de-DE".into(),
                time_zone: "Europe/Berlin".into(),
                week_start: None,
                owner_name: "Ana".into(),
            })
            .await
            .unwrap();
        let by = engine.act_as_user(org).unwrap();
        let client = engine
            .add_client(
                &by,
                NewClient {
                    name: "Müller & Søn".into(),
                    currency: None,
                    rounding: None,
                    note: String::new(),
                },
            )
            .await
            .unwrap();
        let project = engine
            .add_project(
                &by,
                NewProject {
                    client,
                    name: "Website".into(),
                    billable: Some(true),
                    rounding: None,
                    note: String::new(),
                },
            )
            .await
            .unwrap();
        engine
            .set_rate(
                &by,
                NewRate {
                    scope: RateScope::Project { project },
                    effective_from: day("2026-01-01"),
                    hourly: "95".into(),
                    currency: None,
                },
            )
            .await
            .unwrap();
        let entry = engine
            .add_entry(
                &by,
                NewEntry {
                    member: None,
                    project: Some(project),
                    task: None,
                    time: EntryTime::Duration {
                        date: day("2026-11-02"),
                        seconds: 3600,
                    },
                    note: "a".into(),
                    billable: None,
                    tags: vec![],
                },
            )
            .await
            .unwrap()
            .entry
            .entry
            .id;
        let expense = engine
            .add_expense(
                &by,
                NewExpense {
                    member: None,
                    date: day("2026-11-04"),
                    amount: "12.30".into(),
                    currency: None,
                    category: "Travel".into(),
                    note: String::new(),
                    billable: true,
                    project: Some(project),
                    receipt: None,
                },
            )
            .await
            .unwrap();
        let a = engine
            .create_invoice(
                &by,
                NewInvoice {
                    client: Some(client),
                    include_time: true,
                    include_expenses: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .invoice
            .id;
        let locked = |engine: &Engine| {
            let state = engine.state(org).unwrap();
            (
                state.entries.get(&entry).unwrap().invoiced(),
                state.expenses.get(&expense).unwrap().invoiced,
            )
        };
        assert_eq!(locked(&engine), (true, true));

        let line = |source: LineSource| InvoiceLine {
            description: "Claimed".into(),
            detail: None,
            quantity: dec!(1),
            unit: Unit::Piece,
            unit_price: dec!(10),
            discount: None,
            tax: Tax::standard(dec!(19)),
            source,
            worth: None,
        };
        let claiming = |status: InvoiceStatus| {
            let mut i = Invoice::draft(InvoiceId(new_id()), client, Currency::EUR, 14);
            i.lines = vec![
                line(LineSource::Time {
                    entries: vec![entry],
                }),
                line(LineSource::Expense { expense }),
                line(LineSource::Manual),
            ];
            if status != InvoiceStatus::Draft {
                i.status = status;
                i.number = Some(format!("X-{}", i.id));
                i.issue_date = Some(day("2026-11-20"));
            }
            i
        };
        let b = claiming(InvoiceStatus::Draft);
        let c = claiming(InvoiceStatus::Issued);
        let (b_id, c_id) = (b.id, c.id);
        engine
            .commit(
                &by,
                vec![Record::Invoice(Box::new(b)), Record::Invoice(Box::new(c))],
            )
            .await
            .unwrap();

        // Dropping the claimed lines, deleting the draft, voiding the other: A keeps its work locked.
        engine
            .edit_invoice(
                &by,
                b_id,
                InvoiceEdit {
                    remove_lines: vec![0, 1],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(locked(&engine), (true, true));
        engine.delete_invoice(&by, b_id).await.unwrap();
        assert_eq!(locked(&engine), (true, true));
        engine.void_invoice(&by, c_id, "crafted").await.unwrap();
        assert_eq!(locked(&engine), (true, true));

        // The invoice that really holds the work still releases it.
        engine.delete_invoice(&by, a).await.unwrap();
        assert_eq!(locked(&engine), (false, false));
        engine.close().await;
    }
}
