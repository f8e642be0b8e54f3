//! Stint's desktop window: a thin shell. Each command locks the session and makes one call into
//! `stint-engine`; errors cross the IPC line as a [`Failure`]: the engine's message, and a code where
//! the window has words of its own.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod desktop;
mod enrol;
mod failure;
mod review;
mod server;
mod syncing;
mod team;

use std::path::PathBuf;

use stint_domain::{
    BillingProfile, BudgetId, BudgetLimit, BudgetPeriod, Client, ClientBilling, ClientId, EntryId,
    ExpenseId, InvoiceId, Member, MemberId, OrgId, Organization, ProjectId, RateId, RecurringId,
    RecurringInvoice, Role, Tag, TagId, TaskId,
};
use stint_engine::{
    ActAs, BudgetView, ClientChanges, Engine, EntryChanges, EntryFilter, EntryOutcome, EntryView,
    ExpenseView, IdleChoice, IdleOutcome, InvoiceEdit, InvoiceFilter, InvoiceFormat, InvoiceView,
    Kdf, NewClient, NewEntry, NewExpense, NewInvoice, NewOrganization, NewProject, NewRate,
    NewRecurring, OrgChanges, OrgSummary, OsKeyring, PaperSize, Permissions, ProjectChanges,
    ProjectSummary, ProjectView, RateView, ReportQuery, ReportView, StartTimer, TagChanges,
    TaskView, Unassigned, Unlock, VaultStatus,
};
use tauri::{AppHandle, Manager, State};
use tokio::sync::Mutex;

use failure::{Failure, FailureCode, message};

/// What the window works on: the open vault (if unlocked) and who it acts as (once an organization
/// is chosen).
#[derive(Default)]
struct Session {
    engine: Option<Engine>,
    act_as: Option<ActAs>,
}

/// Tauri's managed state.
struct Shell {
    vault: PathBuf,
    session: Mutex<Session>,
}

/// Command results: on failure, the engine's message and, for the failures the window says in its
/// own language, a code ([`failure`]).
type Reply<T> = Result<T, Failure>;

impl Session {
    fn engine(&mut self) -> Reply<&mut Engine> {
        self.engine.as_mut().ok_or_else(|| {
            Failure::coded(
                FailureCode::VaultLocked,
                "the vault is locked; unlock it first",
            )
        })
    }

    /// The engine and the chosen organization's member.
    fn acting(&mut self) -> Reply<(&mut Engine, ActAs)> {
        let by = self.act_as.ok_or_else(|| {
            Failure::coded(FailureCode::NoOrganization, "choose an organization first")
        })?;
        Ok((self.engine()?, by))
    }
}

/// `None` means the OS keyring.
fn unlock(passphrase: Option<&str>) -> Unlock<'_> {
    passphrase.map_or(Unlock::Keyring(&OsKeyring), Unlock::Passphrase)
}

#[tauri::command]
async fn vault_status(shell: State<'_, Shell>) -> Reply<VaultStatus> {
    Ok(Engine::status(&shell.vault).await)
}

#[tauri::command]
async fn create_vault(shell: State<'_, Shell>, passphrase: Option<String>) -> Reply<()> {
    let kdf = Kdf::from_env().map_err(|e| message(e.into()))?;
    let engine = Engine::create_with(&shell.vault, unlock(passphrase.as_deref()), kdf)
        .await
        .map_err(message)?;
    *shell.session.lock().await = Session {
        engine: Some(engine),
        act_as: None,
    };
    Ok(())
}

#[tauri::command]
async fn unlock_vault(
    shell: State<'_, Shell>,
    syncer: State<'_, syncing::Syncer>,
    passphrase: Option<String>,
) -> Reply<()> {
    let engine = Engine::open(&shell.vault, unlock(passphrase.as_deref()))
        .await
        .map_err(message)?;
    // Unlock's buffers are freed; hand their pages back without holding up the window.
    std::thread::spawn(stint_engine::release_free_memory);
    *shell.session.lock().await = Session {
        engine: Some(engine),
        act_as: None,
    };
    // A round at once: what other devices sent while this one was closed.
    syncer.nudge();
    Ok(())
}

#[tauri::command]
async fn organizations(shell: State<'_, Shell>) -> Reply<Vec<OrgSummary>> {
    Ok(shell.session.lock().await.engine()?.organizations())
}

#[tauri::command]
async fn create_organization(shell: State<'_, Shell>, input: NewOrganization) -> Reply<OrgId> {
    shell
        .session
        .lock()
        .await
        .engine()?
        .create_organization(input)
        .await
        .map_err(message)
}

#[tauri::command]
async fn choose_organization(app: AppHandle, shell: State<'_, Shell>, org: OrgId) -> Reply<ActAs> {
    let by = {
        let mut session = shell.session.lock().await;
        let engine = session.engine()?;
        let by = engine.act_as_user(org).map_err(message)?;
        engine.remember_opened_org(org).await.map_err(message)?;
        session.act_as = Some(by);
        by
    };
    desktop::refresh_tray(&app).await;
    Ok(by)
}

/// The organization reopened after unlock, and who the window acts as there.
#[derive(Clone, Debug, serde::Serialize, ts_rs::TS)]
#[ts(export)]
struct Reopened {
    org: OrgSummary,
    act_as: ActAs,
}

/// After unlock: opens the organization the window had open last (or the only one), as choosing
/// it would; `None` when there is none to reopen, and the person chooses.
#[tauri::command]
async fn reopen_organization(app: AppHandle, shell: State<'_, Shell>) -> Reply<Option<Reopened>> {
    let reopened = {
        let mut session = shell.session.lock().await;
        let engine = session.engine()?;
        let Some(org) = engine.opened_org().await.map_err(message)? else {
            return Ok(None);
        };
        let act_as = engine.act_as_user(org).map_err(message)?;
        let summary = engine
            .organizations()
            .into_iter()
            .find(|o| o.id == org)
            .ok_or_else(|| "that organization is no longer on this device".to_owned())?;
        session.act_as = Some(act_as);
        Reopened {
            org: summary,
            act_as,
        }
    };
    desktop::refresh_tray(&app).await;
    Ok(Some(reopened))
}

#[tauri::command]
async fn projects(shell: State<'_, Shell>, include_archived: bool) -> Reply<Vec<ProjectView>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.projects(&by, include_archived).map_err(message)
}

#[tauri::command]
async fn running_timer(shell: State<'_, Shell>) -> Reply<Option<EntryView>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.running_timer(&by).map_err(message)
}

#[tauri::command]
async fn start_timer(
    app: AppHandle,
    shell: State<'_, Shell>,
    input: StartTimer,
) -> Reply<EntryOutcome> {
    let outcome = {
        let mut session = shell.session.lock().await;
        let (engine, by) = session.acting()?;
        engine.start_timer(&by, input).await.map_err(message)
    };
    desktop::refresh_tray(&app).await;
    outcome
}

#[tauri::command]
async fn stop_timer(app: AppHandle, shell: State<'_, Shell>) -> Reply<EntryView> {
    let stopped = {
        let mut session = shell.session.lock().await;
        let (engine, by) = session.acting()?;
        engine.stop_timer(&by).await.map_err(message)
    };
    desktop::refresh_tray(&app).await;
    stopped
}

/// Today's date in the organization's time zone (`YYYY-MM-DD`).
#[tauri::command]
async fn today(shell: State<'_, Shell>) -> Reply<jiff::civil::Date> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.today(&by).map_err(message)
}

#[tauri::command]
async fn entries(shell: State<'_, Shell>, filter: EntryFilter) -> Reply<Vec<EntryView>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.entries(&by, &filter).map_err(message)
}

#[tauri::command]
async fn edit_entry(
    shell: State<'_, Shell>,
    id: EntryId,
    changes: EntryChanges,
) -> Reply<EntryOutcome> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.edit_entry(&by, id, changes).await.map_err(message)
}

#[tauri::command]
async fn lock_vault(app: AppHandle, shell: State<'_, Shell>) -> Reply<()> {
    let session = std::mem::take(&mut *shell.session.lock().await);
    if let Some(engine) = session.engine {
        engine.close().await;
    }
    // The header's sync status goes with the vault.
    app.state::<syncing::Syncer>().nudge();
    desktop::refresh_tray(&app).await;
    Ok(())
}

#[tauri::command]
async fn act_as(app: AppHandle, shell: State<'_, Shell>, member: MemberId) -> Reply<ActAs> {
    let next = {
        let mut session = shell.session.lock().await;
        let (engine, by) = session.acting()?;
        let next = engine
            .act_as_member(by.org, member)
            .await
            .map_err(message)?;
        session.act_as = Some(next);
        next
    };
    desktop::refresh_tray(&app).await;
    Ok(next)
}

#[tauri::command]
async fn permissions(shell: State<'_, Shell>) -> Reply<Permissions> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.permissions(&by).map_err(message)
}

#[tauri::command]
async fn organization(shell: State<'_, Shell>) -> Reply<Organization> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.organization(&by).map_err(message)
}

#[tauri::command]
async fn update_organization(shell: State<'_, Shell>, changes: OrgChanges) -> Reply<()> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine
        .update_organization(&by, changes)
        .await
        .map_err(message)
}

#[tauri::command]
async fn lock_period(shell: State<'_, Shell>, before: Option<jiff::civil::Date>) -> Reply<()> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.lock_period(&by, before).await.map_err(message)
}

#[tauri::command]
async fn members(shell: State<'_, Shell>) -> Reply<Vec<Member>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.members(&by).map_err(message)
}

#[tauri::command]
async fn add_member(shell: State<'_, Shell>, name: String, role: Role) -> Reply<MemberId> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.add_member(&by, &name, role).await.map_err(message)
}

#[tauri::command]
async fn set_role(shell: State<'_, Shell>, member: MemberId, role: Role) -> Reply<()> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.set_role(&by, member, role).await.map_err(message)
}

#[tauri::command]
async fn clients(shell: State<'_, Shell>, include_archived: bool) -> Reply<Vec<Client>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.clients(&by, include_archived).map_err(message)
}

#[tauri::command]
async fn add_client(shell: State<'_, Shell>, input: NewClient) -> Reply<ClientId> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.add_client(&by, input).await.map_err(message)
}

#[tauri::command]
async fn edit_client(shell: State<'_, Shell>, id: ClientId, changes: ClientChanges) -> Reply<()> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.edit_client(&by, id, changes).await.map_err(message)
}

#[tauri::command]
async fn add_project(shell: State<'_, Shell>, input: NewProject) -> Reply<ProjectId> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.add_project(&by, input).await.map_err(message)
}

#[tauri::command]
async fn edit_project(
    shell: State<'_, Shell>,
    id: ProjectId,
    changes: ProjectChanges,
) -> Reply<()> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.edit_project(&by, id, changes).await.map_err(message)
}

#[tauri::command]
async fn tasks(shell: State<'_, Shell>, project: Option<ProjectId>) -> Reply<Vec<TaskView>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.tasks(&by, project).map_err(message)
}

#[tauri::command]
async fn add_task(
    shell: State<'_, Shell>,
    project: ProjectId,
    name: String,
    billable: Option<bool>,
) -> Reply<TaskId> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine
        .add_task(&by, project, &name, billable)
        .await
        .map_err(message)
}

#[tauri::command]
async fn tags(shell: State<'_, Shell>) -> Reply<Vec<Tag>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.tags(&by).map_err(message)
}

#[tauri::command]
async fn add_tag(shell: State<'_, Shell>, name: String) -> Reply<TagId> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.add_tag(&by, &name).await.map_err(message)
}

#[tauri::command]
async fn edit_tag(shell: State<'_, Shell>, id: TagId, changes: TagChanges) -> Reply<Tag> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.edit_tag(&by, id, changes).await.map_err(message)
}

#[tauri::command]
async fn rates(shell: State<'_, Shell>) -> Reply<Vec<RateView>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.rates(&by).map_err(message)
}

#[tauri::command]
async fn set_rate(shell: State<'_, Shell>, input: NewRate) -> Reply<RateId> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.set_rate(&by, input).await.map_err(message)
}

#[tauri::command]
async fn budgets(shell: State<'_, Shell>) -> Reply<Vec<BudgetView>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.budgets(&by).map_err(message)
}

#[tauri::command]
async fn set_budget(
    shell: State<'_, Shell>,
    project: ProjectId,
    limit: BudgetLimit,
    period: BudgetPeriod,
) -> Reply<BudgetId> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine
        .set_budget(&by, project, limit, period)
        .await
        .map_err(message)
}

#[tauri::command]
async fn add_entry(shell: State<'_, Shell>, input: NewEntry) -> Reply<EntryOutcome> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.add_entry(&by, input).await.map_err(message)
}

#[tauri::command]
async fn delete_entry(app: AppHandle, shell: State<'_, Shell>, id: EntryId) -> Reply<()> {
    let deleted = {
        let mut session = shell.session.lock().await;
        let (engine, by) = session.acting()?;
        engine.delete_entry(&by, id).await.map_err(message)
    };
    desktop::refresh_tray(&app).await;
    deleted
}

#[tauri::command]
async fn time_report(shell: State<'_, Shell>, query: ReportQuery) -> Reply<ReportView> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.time_report(&by, &query).map_err(message)
}

/// Each project's tracked and unbilled time, unbilled amount and rate today.
#[tauri::command]
async fn project_summaries(shell: State<'_, Shell>) -> Reply<Vec<ProjectSummary>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.project_summaries(&by).map_err(message)
}

/// Stopped time without a project between `from` and `to` (YYYY-MM-DD, either open).
#[tauri::command]
async fn unassigned_time(
    shell: State<'_, Shell>,
    from: Option<jiff::civil::Date>,
    to: Option<jiff::civil::Date>,
) -> Reply<Unassigned> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.unassigned_time(&by, from, to).map_err(message)
}

/// Save the report as CSV in the user's downloads folder; returns the file's path.
#[tauri::command]
async fn save_report_csv(shell: State<'_, Shell>, query: ReportQuery) -> Reply<String> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let csv = engine.time_report(&by, &query).map_err(message)?.to_csv();
    let name = format!("stint-report-{}.csv", engine.today(&by).map_err(message)?);
    save_download(&name, csv.as_bytes(), false)
}

/// Save the detailed report's entries `ids` as CSV into the downloads folder; returns its path.
#[tauri::command]
async fn save_entries_csv(shell: State<'_, Shell>, ids: Vec<EntryId>) -> Reply<String> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let csv = engine.entries_csv(&by, &ids).map_err(message)?;
    let name = format!("stint-entries-{}.csv", engine.today(&by).map_err(message)?);
    save_download(&name, csv.as_bytes(), false)
}

#[tauri::command]
async fn expenses(
    shell: State<'_, Shell>,
    from: Option<jiff::civil::Date>,
    to: Option<jiff::civil::Date>,
) -> Reply<Vec<ExpenseView>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.expenses(&by, from, to).map_err(message)
}

#[tauri::command]
async fn add_expense(shell: State<'_, Shell>, input: NewExpense) -> Reply<ExpenseId> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.add_expense(&by, input).await.map_err(message)
}

/// A receipt's bytes, decrypted, for a preview in the window (never written to disk).
#[tauri::command]
async fn receipt(shell: State<'_, Shell>, id: ExpenseId) -> Reply<tauri::ipc::Response> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let (_, bytes) = engine.receipt(&by, id).await.map_err(message)?;
    Ok(tauri::ipc::Response::new(bytes.to_vec()))
}

/// Save a receipt into the downloads folder (the user asked for the file); returns its path.
#[tauri::command]
async fn save_receipt(shell: State<'_, Shell>, id: ExpenseId) -> Reply<String> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let (receipt, bytes) = engine.receipt(&by, id).await.map_err(message)?;
    let name = std::path::Path::new(&receipt.file_name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "receipt".to_owned());
    save_download(&name, &bytes, false)
}

/// The organization's logo bytes (empty when there is none).
#[tauri::command]
async fn logo(shell: State<'_, Shell>) -> Reply<tauri::ipc::Response> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let bytes = engine.logo(&by).map_err(message)?.unwrap_or_default();
    Ok(tauri::ipc::Response::new(bytes))
}

#[tauri::command]
async fn set_logo(shell: State<'_, Shell>, png: Option<Vec<u8>>) -> Reply<()> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.set_logo(&by, png).await.map_err(message)
}

// ----- invoicing -------------------------------------------------------------------------------

#[tauri::command]
async fn billing_profile(shell: State<'_, Shell>) -> Reply<BillingProfile> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.billing_profile(&by).map_err(message)
}

/// Standard intro and closing texts in `language`, to start the organization's own from.
#[tauri::command]
fn suggested_invoice_texts(language: stint_domain::Language) -> stint_domain::InvoiceTexts {
    language.suggested_texts()
}

#[tauri::command]
async fn save_billing_profile(shell: State<'_, Shell>, profile: BillingProfile) -> Reply<()> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine
        .save_billing_profile(&by, profile)
        .await
        .map_err(message)
}

#[tauri::command]
async fn client_billing(shell: State<'_, Shell>, client: ClientId) -> Reply<ClientBilling> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.client_billing(&by, client).map_err(message)
}

#[tauri::command]
async fn save_client_billing(shell: State<'_, Shell>, details: ClientBilling) -> Reply<()> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine
        .save_client_billing(&by, details)
        .await
        .map_err(message)
}

#[tauri::command]
async fn invoices(shell: State<'_, Shell>, filter: InvoiceFilter) -> Reply<Vec<InvoiceView>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.invoices(&by, &filter).map_err(message)
}

#[tauri::command]
async fn create_invoice(shell: State<'_, Shell>, input: NewInvoice) -> Reply<InvoiceView> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.create_invoice(&by, input).await.map_err(message)
}

#[tauri::command]
async fn edit_invoice(
    shell: State<'_, Shell>,
    id: InvoiceId,
    edit: InvoiceEdit,
) -> Reply<InvoiceView> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.edit_invoice(&by, id, edit).await.map_err(message)
}

#[tauri::command]
async fn delete_invoice(shell: State<'_, Shell>, id: InvoiceId) -> Reply<()> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.delete_invoice(&by, id).await.map_err(message)
}

#[tauri::command]
async fn issue_invoice(
    shell: State<'_, Shell>,
    id: InvoiceId,
    date: Option<jiff::civil::Date>,
) -> Reply<InvoiceView> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.issue_invoice(&by, id, date).await.map_err(message)
}

#[tauri::command]
async fn record_payment(
    shell: State<'_, Shell>,
    id: InvoiceId,
    amount: String,
    date: Option<jiff::civil::Date>,
    method: Option<stint_domain::PaymentMethod>,
    note: String,
) -> Reply<InvoiceView> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine
        .record_payment(&by, id, &amount, date, method, &note)
        .await
        .map_err(message)
}

#[tauri::command]
async fn void_invoice(
    shell: State<'_, Shell>,
    id: InvoiceId,
    reason: String,
) -> Reply<InvoiceView> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.void_invoice(&by, id, &reason).await.map_err(message)
}

#[tauri::command]
async fn credit_invoice(shell: State<'_, Shell>, id: InvoiceId) -> Reply<InvoiceView> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.credit_invoice(&by, id).await.map_err(message)
}

/// Make the drafts that recurring invoices owe up to today.
#[tauri::command]
async fn run_recurring(shell: State<'_, Shell>) -> Reply<Vec<InvoiceView>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.run_recurring(&by).await.map_err(message)
}

#[tauri::command]
async fn add_recurring(shell: State<'_, Shell>, input: NewRecurring) -> Reply<RecurringId> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.add_recurring(&by, input).await.map_err(message)
}

#[tauri::command]
async fn recurring(shell: State<'_, Shell>) -> Reply<Vec<RecurringInvoice>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.recurring(&by).map_err(message)
}

/// The invoice's real PDF, rendered in memory for the preview (never written to disk).
#[tauri::command]
async fn invoice_pdf(
    shell: State<'_, Shell>,
    id: InvoiceId,
    paper: PaperSize,
) -> Reply<tauri::ipc::Response> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let file = engine
        .invoice_file(&by, id, InvoiceFormat::PlainPdf, paper)
        .map_err(message)?;
    Ok(tauri::ipc::Response::new(file.bytes))
}

/// Save an invoice file into the downloads folder; returns its path, and why a PDF came out
/// without its e-invoice if it did.
#[tauri::command]
async fn save_invoice_file(
    shell: State<'_, Shell>,
    id: InvoiceId,
    format: InvoiceFormat,
    paper: PaperSize,
) -> Reply<SavedFile> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let file = engine
        .invoice_file(&by, id, format, paper)
        .map_err(message)?;
    let path = save_download(&file.file_name, &file.bytes, false)?;
    Ok(SavedFile {
        path,
        note: file.e_invoice_problem,
    })
}

/// Where a file was saved, and anything the user should know about it.
#[derive(serde::Serialize)]
struct SavedFile {
    path: String,
    note: Option<String>,
}

/// How long without input counts as time away, and when to remind of a long timer (minutes).
#[tauri::command]
fn watch_settings(watch: State<'_, desktop::Watch>, settings: desktop::WatchSettings) {
    *watch.settings.lock().unwrap_or_else(|e| e.into_inner()) = settings;
}

/// Keep, discard or split the time away from a running timer (see `idle-returned`).
#[tauri::command]
async fn resolve_idle(
    app: AppHandle,
    shell: State<'_, Shell>,
    since: jiff::Timestamp,
    choice: IdleChoice,
) -> Reply<IdleOutcome> {
    let outcome = {
        let mut session = shell.session.lock().await;
        let (engine, by) = session.acting()?;
        engine
            .resolve_idle(&by, since, choice)
            .await
            .map_err(message)
    };
    desktop::refresh_tray(&app).await;
    outcome
}

/// Writes `bytes` to a new file in the downloads folder (`STINT_DOWNLOADS` overrides it), never
/// overwriting one that exists (the name is numbered when taken); with `private`, readable by this
/// user alone (a recovery kit). The path written.
fn save_download(name: &str, bytes: &[u8], private: bool) -> Reply<String> {
    let dir = std::env::var_os("STINT_DOWNLOADS")
        .map(PathBuf::from)
        .or_else(|| directories::UserDirs::new().and_then(|u| u.download_dir().map(PathBuf::from)))
        .or_else(|| directories::UserDirs::new().map(|u| u.home_dir().to_path_buf()))
        .ok_or_else(|| "no downloads folder to save into".to_owned())?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 0..1000 {
        let file = if n == 0 {
            dir.join(name)
        } else {
            dir.join(format!("{stem} ({n}).{ext}"))
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if private {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&file) {
            Ok(mut out) => {
                use std::io::Write;
                out.write_all(bytes)
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
                return Ok(file.display().to_string());
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot write {}: {e}", file.display()).into()),
        }
    }
    Err(format!("too many files named {name} in {}", dir.display()).into())
}

/// `STINT_VAULT` if set, else the platform's data directory for Stint.
fn vault_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STINT_VAULT") {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("dev", "stint", "Stint")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .expect("no home directory to keep the vault in; set STINT_VAULT")
}

fn main() {
    stint_engine::return_large_buffers();
    tauri::Builder::default()
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_global_shortcut::Builder::new().build())
        .setup(|app| {
            let handle = app.handle().clone();
            if let Some(window) = app.get_webview_window("main") {
                desktop::choose_painting(&window);
            }
            match desktop::tray(&handle) {
                Ok(tray) => {
                    app.manage(tray);
                }
                Err(e) => eprintln!("stint: no status-area icon on this desktop: {e}"),
            }
            app.manage(desktop::Watch::default());
            desktop::watch(handle.clone());
            syncing::run(handle.clone());
            if let Err(e) = desktop::register_shortcut(&handle) {
                eprintln!(
                    "stint: the global shortcut {} is not available: {e}",
                    desktop::TOGGLE_SHORTCUT
                );
            }
            Ok(())
        })
        .manage(server::SigningIn::default())
        .manage(enrol::Enrolling::default())
        .manage(syncing::Syncer::default())
        .manage(Shell {
            vault: vault_dir(),
            session: Mutex::new(Session::default()),
        })
        .invoke_handler(tauri::generate_handler![
            vault_status,
            create_vault,
            unlock_vault,
            organizations,
            create_organization,
            choose_organization,
            reopen_organization,
            projects,
            running_timer,
            start_timer,
            stop_timer,
            today,
            entries,
            edit_entry,
            lock_vault,
            act_as,
            permissions,
            organization,
            update_organization,
            lock_period,
            members,
            add_member,
            set_role,
            clients,
            add_client,
            edit_client,
            add_project,
            edit_project,
            tasks,
            add_task,
            tags,
            add_tag,
            edit_tag,
            rates,
            set_rate,
            budgets,
            set_budget,
            add_entry,
            delete_entry,
            time_report,
            unassigned_time,
            project_summaries,
            save_report_csv,
            save_entries_csv,
            expenses,
            add_expense,
            receipt,
            save_receipt,
            billing_profile,
            save_billing_profile,
            suggested_invoice_texts,
            client_billing,
            save_client_billing,
            invoices,
            create_invoice,
            edit_invoice,
            delete_invoice,
            issue_invoice,
            record_payment,
            void_invoice,
            credit_invoice,
            invoice_pdf,
            save_invoice_file,
            run_recurring,
            add_recurring,
            logo,
            set_logo,
            recurring,
            watch_settings,
            resolve_idle,
            server::server_sign_in_status,
            server::server_sign_in,
            server::server_sign_in_cancel,
            server::server_sign_out,
            server::open_sign_up,
            syncing::sync_status,
            syncing::sync_now,
            team::org_sync,
            team::publish_organization,
            team::save_recovery_kit,
            team::recovery_key_kept,
            team::team,
            team::invite_member,
            team::confirm_newcomer,
            team::join_organization,
            team::change_membership,
            team::revoke_device,
            team::rename_this_device,
            enrol::enrol_request,
            enrol::enrol_wait,
            enrol::enrol_cancel,
            enrol::enrol_with_recovery_key,
            enrol::approve_device,
            review::review,
            review::resolve_conflict,
            review::forget_refused,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Stint");
}
