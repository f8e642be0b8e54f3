// The only module that talks to the Rust side. Each wrapper names one `#[tauri::command]` in
// src-tauri/src/main.rs; argument keys are the command's parameters in camelCase (Tauri's default).
// Types come from ./bindings (generated from Rust by ts-rs), never redeclared here.
import { invoke } from "@tauri-apps/api/core";
import { getCurrentWindow } from "@tauri-apps/api/window";

import type { ActAs } from "./bindings/ActAs";
import type { Action } from "./bindings/Action";
import type { BudgetId } from "./bindings/BudgetId";
import type { BudgetLimit } from "./bindings/BudgetLimit";
import type { BudgetPeriod } from "./bindings/BudgetPeriod";
import type { BudgetView } from "./bindings/BudgetView";
import type { Client } from "./bindings/Client";
import type { ClientChanges } from "./bindings/ClientChanges";
import type { ClientId } from "./bindings/ClientId";
import type { ExpenseId } from "./bindings/ExpenseId";
import type { ExpenseView } from "./bindings/ExpenseView";
import type { Failure } from "./bindings/Failure";
import type { IdleChoice } from "./bindings/IdleChoice";
import type { IdleOutcome } from "./bindings/IdleOutcome";
import type { ApprovedDevice } from "./bindings/ApprovedDevice";
import type { DeviceSummary } from "./bindings/DeviceSummary";
import type { EnrolmentCode } from "./bindings/EnrolmentCode";
import type { Member } from "./bindings/Member";
import type { Joined } from "./bindings/Joined";
import type { Newcomer } from "./bindings/Newcomer";
import type { OrgSync } from "./bindings/OrgSync";
import type { Review } from "./bindings/Review";
import type { Team } from "./bindings/Team";
import type { TypedGroup } from "./bindings/TypedGroup";
import type { MemberId } from "./bindings/MemberId";
import type { NewClient } from "./bindings/NewClient";
import type { NewEntry } from "./bindings/NewEntry";
import type { NewExpense } from "./bindings/NewExpense";
import type { NewProject } from "./bindings/NewProject";
import type { NewRate } from "./bindings/NewRate";
import type { OrgChanges } from "./bindings/OrgChanges";
import type { Organization } from "./bindings/Organization";
import type { Permissions } from "./bindings/Permissions";
import type { ProjectChanges } from "./bindings/ProjectChanges";
import type { ProjectId } from "./bindings/ProjectId";
import type { RateId } from "./bindings/RateId";
import type { RateView } from "./bindings/RateView";
import type { ReportQuery } from "./bindings/ReportQuery";
import type { ServerSignIn } from "./bindings/ServerSignIn";
import type { SyncStatus } from "./bindings/SyncStatus";
import type { Unassigned } from "./bindings/Unassigned";
import type { ProjectSummary } from "./bindings/ProjectSummary";
import type { ReportView } from "./bindings/ReportView";
import type { Role } from "./bindings/Role";
import type { Scope } from "./bindings/Scope";
import type { Tag } from "./bindings/Tag";
import type { TagChanges } from "./bindings/TagChanges";
import type { TagId } from "./bindings/TagId";
import type { TaskId } from "./bindings/TaskId";
import type { TaskView } from "./bindings/TaskView";
import type { EntryChanges } from "./bindings/EntryChanges";
import type { EntryFilter } from "./bindings/EntryFilter";
import type { EntryId } from "./bindings/EntryId";
import type { EntryOutcome } from "./bindings/EntryOutcome";
import type { EntryView } from "./bindings/EntryView";
import type { NewOrganization } from "./bindings/NewOrganization";
import type { OrgId } from "./bindings/OrgId";
import type { OrgSummary } from "./bindings/OrgSummary";
import type { Reopened } from "./bindings/Reopened";
import type { ProjectView } from "./bindings/ProjectView";
import type { StartTimer } from "./bindings/StartTimer";
import type { VaultStatus } from "./bindings/VaultStatus";
import type { BillingProfile } from "./bindings/BillingProfile";
import type { ClientBilling } from "./bindings/ClientBilling";
import type { InvoiceEdit } from "./bindings/InvoiceEdit";
import type { InvoiceFilter } from "./bindings/InvoiceFilter";
import type { InvoiceFormat } from "./bindings/InvoiceFormat";
import type { InvoiceId } from "./bindings/InvoiceId";
import type { InvoiceView } from "./bindings/InvoiceView";
import type { NewInvoice } from "./bindings/NewInvoice";
import type { PaperSize } from "./bindings/PaperSize";
import type { PaymentMethod } from "./bindings/PaymentMethod";
import type { InvoiceTexts } from "./bindings/InvoiceTexts";
import type { Language } from "./bindings/Language";
import type { NewRecurring } from "./bindings/NewRecurring";
import type { RecurringId } from "./bindings/RecurringId";
import type { RecurringInvoice } from "./bindings/RecurringInvoice";
import i18n from "./i18n";

/** How to unlock (or protect) the vault: a passphrase, or the OS keyring. */
export type UnlockWith = { passphrase: string } | { keyring: true };

function passphraseArg(how: UnlockWith): string | null {
  return "passphrase" in how ? how.passphrase : null;
}

/** Reads in flight, by key: callers asking for the same thing at the same time share one call
 * (the timer bar and the Track screen both load every project when the view changes). Nothing is
 * kept once the call settles, so no caller ever sees an answer older than its own question. */
const inflight = new Map<string, Promise<unknown>>();

function shared<T>(key: string, call: () => Promise<T>): Promise<T> {
  const pending = inflight.get(key);
  if (pending) return pending as Promise<T>;
  const started = call().finally(() => inflight.delete(key));
  inflight.set(key, started);
  return started;
}

export const api = {
  vaultStatus: (): Promise<VaultStatus> => invoke("vault_status"),
  /** The sync server this device is signed in to, or null. */
  serverSignInStatus: (): Promise<ServerSignIn | null> => invoke("server_sign_in_status"),
  /** Opens the server's sign-in page in the system browser and resolves once it comes back. */
  serverSignIn: (server: string): Promise<ServerSignIn> => invoke("server_sign_in", { server }),
  serverSignInCancel: (): Promise<void> => invoke("server_sign_in_cancel"),
  serverSignOut: (): Promise<void> => invoke("server_sign_out"),
  /** Opens the server's sign-up page in the system browser. */
  openSignUp: (server: string): Promise<void> => invoke("open_sign_up", { server }),
  /** Where sync stands (also sent as the `sync-changed` event). */
  syncStatus: (): Promise<SyncStatus> => invoke("sync_status"),
  /** A sync round now; the status it ended with. */
  syncNow: (): Promise<SyncStatus> => invoke("sync_now"),
  /** Where the chosen organization stands with sync (no network). */
  orgSync: (): Promise<OrgSync> => invoke("org_sync"),
  /** Publishes the chosen organization (setting up this account's keys here on first use); who
   * the window acts as afterwards (the account's id replaces this device's own). */
  publishOrganization: (): Promise<ActAs> => invoke("publish_organization"),
  /** Saves the set-up's recovery kit as a PDF in the downloads folder; its path. */
  saveRecoveryKit: (paper: PaperSize): Promise<string> => invoke("save_recovery_kit", { paper }),
  /** Two groups of the recovery key typed back; on a match it is forgotten here. */
  recoveryKeyKept: (typed: TypedGroup[]): Promise<void> => invoke("recovery_key_kept", { typed }),
  /** Who waits to be confirmed in the synced organization, and this account's devices. */
  team: (): Promise<Team> => invoke("team"),
  inviteMember: (email: string, role: Role): Promise<void> => invoke("invite_member", { email, role }),
  /** Accepts an emailed invitation (its code, or the email's link); sets up this account's keys
   * first on its first device. The organization arrives once an Owner or Admin confirmed it. */
  joinOrganization: (token: string): Promise<Joined> => invoke("join_organization", { token }),
  /** Confirms a newcomer by the fingerprint the person compared. */
  confirmNewcomer: (email: string, fingerprint: string): Promise<Newcomer> =>
    invoke("confirm_newcomer", { email, fingerprint }),
  /** A member's new role in a synced organization, or their removal (`role` null). */
  changeMembership: (member: MemberId, role: Role | null): Promise<void> =>
    invoke("change_membership", { member, role }),
  revokeDevice: (id: string): Promise<DeviceSummary> => invoke("revoke_device", { id }),
  renameThisDevice: (name: string): Promise<string> => invoke("rename_this_device", { name }),
  /** A new device: leaves an enrolment request; the code to type on an enrolled device. */
  enrolRequest: (): Promise<EnrolmentCode> => invoke("enrol_request"),
  /** Resolves once an enrolled device approved the request and this device joined the account. */
  enrolWait: (): Promise<void> => invoke("enrol_wait"),
  enrolCancel: (): Promise<void> => invoke("enrol_cancel"),
  enrolWithRecoveryKey: (key: string): Promise<void> => invoke("enrol_with_recovery_key", { key }),
  /** What sync left to review in the chosen organization: conflicts, and refused records. */
  review: (): Promise<Review> => invoke("review"),
  /** Keeps a conflict's merged values, or puts the lost ones back (`putBack`). */
  resolveConflict: (number: number, putBack: boolean): Promise<void> =>
    invoke("resolve_conflict", { number, putBack }),
  /** Forgets the refused records kept for the chosen organization; how many. */
  forgetRefused: (): Promise<number> => invoke("forget_refused"),
  /** An enrolled device approves the one showing `code`. */
  approveDevice: (code: string): Promise<ApprovedDevice> => invoke("approve_device", { code }),
  createVault: (how: UnlockWith): Promise<void> =>
    invoke("create_vault", { passphrase: passphraseArg(how) }),
  unlockVault: (how: UnlockWith): Promise<void> =>
    invoke("unlock_vault", { passphrase: passphraseArg(how) }),

  organizations: (): Promise<OrgSummary[]> => invoke("organizations"),
  createOrganization: (input: NewOrganization): Promise<OrgId> =>
    invoke("create_organization", { input }),
  chooseOrganization: (org: OrgId): Promise<ActAs> => invoke("choose_organization", { org }),
  /** After unlock: the organization open last (or the only one), opened; `null` to choose one. */
  reopenOrganization: (): Promise<Reopened | null> => invoke("reopen_organization"),

  projects: (includeArchived = false): Promise<ProjectView[]> =>
    shared(`projects:${includeArchived}`, () => invoke("projects", { includeArchived })),

  runningTimer: (): Promise<EntryView | null> => invoke("running_timer"),
  startTimer: (input: StartTimer): Promise<EntryOutcome> => invoke("start_timer", { input }),
  stopTimer: (): Promise<EntryView> => invoke("stop_timer"),

  /** Today's date (YYYY-MM-DD) in the organization's time zone. */
  today: (): Promise<string> => invoke("today"),
  entries: (filter: EntryFilter): Promise<EntryView[]> => invoke("entries", { filter }),
  editEntry: (id: EntryId, changes: EntryChanges): Promise<EntryOutcome> =>
    invoke("edit_entry", { id, changes }),
  addEntry: (input: NewEntry): Promise<EntryOutcome> => invoke("add_entry", { input }),
  deleteEntry: (id: EntryId): Promise<void> => invoke("delete_entry", { id }),

  lockVault: (): Promise<void> => invoke("lock_vault"),
  /** Act as another local member of the chosen organization. */
  actAs: (member: MemberId): Promise<ActAs> => invoke("act_as", { member }),
  permissions: (): Promise<Permissions> => invoke("permissions"),

  organization: (): Promise<Organization> => invoke("organization"),
  updateOrganization: (changes: OrgChanges): Promise<void> =>
    invoke("update_organization", { changes }),
  /** Lock every day before `before` (YYYY-MM-DD); `null` lifts the lock. */
  lockPeriod: (before: string | null): Promise<void> => invoke("lock_period", { before }),

  members: (): Promise<Member[]> => invoke("members"),
  addMember: (name: string, role: Role): Promise<MemberId> => invoke("add_member", { name, role }),
  setRole: (member: MemberId, role: Role): Promise<void> => invoke("set_role", { member, role }),

  clients: (includeArchived = false): Promise<Client[]> => invoke("clients", { includeArchived }),
  addClient: (input: NewClient): Promise<ClientId> => invoke("add_client", { input }),
  editClient: (id: ClientId, changes: ClientChanges): Promise<void> =>
    invoke("edit_client", { id, changes }),
  addProject: (input: NewProject): Promise<ProjectId> => invoke("add_project", { input }),
  editProject: (id: ProjectId, changes: ProjectChanges): Promise<void> =>
    invoke("edit_project", { id, changes }),
  tasks: (project: ProjectId | null = null): Promise<TaskView[]> => invoke("tasks", { project }),
  addTask: (project: ProjectId, name: string, billable: boolean | null = null): Promise<TaskId> =>
    invoke("add_task", { project, name, billable }),
  tags: (): Promise<Tag[]> => invoke("tags"),
  addTag: (name: string): Promise<TagId> => invoke("add_tag", { name }),
  editTag: (id: TagId, changes: TagChanges): Promise<Tag> => invoke("edit_tag", { id, changes }),
  rates: (): Promise<RateView[]> => invoke("rates"),
  setRate: (input: NewRate): Promise<RateId> => invoke("set_rate", { input }),
  budgets: (): Promise<BudgetView[]> => invoke("budgets"),
  setBudget: (project: ProjectId, limit: BudgetLimit, period: BudgetPeriod): Promise<BudgetId> =>
    invoke("set_budget", { project, limit, period }),

  /** Expenses between two days (YYYY-MM-DD, inclusive; null for open ends). */
  expenses: (from: string | null, to: string | null): Promise<ExpenseView[]> =>
    invoke("expenses", { from, to }),
  addExpense: (input: NewExpense): Promise<ExpenseId> => invoke("add_expense", { input }),
  /** A receipt's bytes, decrypted in memory for a preview. */
  receipt: async (id: ExpenseId): Promise<Uint8Array> =>
    new Uint8Array(await invoke<ArrayBuffer>("receipt", { id })),
  /** Saves a receipt into the downloads folder; resolves to the file's path. */
  saveReceipt: (id: ExpenseId): Promise<string> => invoke("save_receipt", { id }),

  /** This device's watch: minutes without input that count as away, and after how many minutes
   * a running timer earns a reminder (0 turns either off). */
  watchSettings: (settings: WatchSettings): Promise<void> => invoke("watch_settings", { settings }),
  /** Keep, discard or split the time away (since an RFC 3339 instant) from the running timer. */
  resolveIdle: (since: string, choice: IdleChoice): Promise<IdleOutcome> =>
    invoke("resolve_idle", { since, choice }),

  /** The organization's logo (PNG bytes; empty when there is none). */
  logo: async (): Promise<Uint8Array> => new Uint8Array(await invoke<ArrayBuffer>("logo")),
  /** Set the logo from PNG bytes, or remove it with `null`. */
  setLogo: (png: number[] | null): Promise<void> => invoke("set_logo", { png }),
  billingProfile: (): Promise<BillingProfile> => invoke("billing_profile"),
  /** Standard intro and closing texts in `language`, to start the organization's own from. */
  suggestedInvoiceTexts: (language: Language): Promise<InvoiceTexts> =>
    invoke("suggested_invoice_texts", { language }),
  saveBillingProfile: (profile: BillingProfile): Promise<void> =>
    invoke("save_billing_profile", { profile }),
  clientBilling: (client: ClientId): Promise<ClientBilling> => invoke("client_billing", { client }),
  saveClientBilling: (details: ClientBilling): Promise<void> =>
    invoke("save_client_billing", { details }),
  invoices: (filter: InvoiceFilter): Promise<InvoiceView[]> => invoke("invoices", { filter }),
  createInvoice: (input: NewInvoice): Promise<InvoiceView> => invoke("create_invoice", { input }),
  editInvoice: (id: InvoiceId, edit: InvoiceEdit): Promise<InvoiceView> =>
    invoke("edit_invoice", { id, edit }),
  deleteInvoice: (id: InvoiceId): Promise<void> => invoke("delete_invoice", { id }),
  /** Number and freeze a draft; `date` (YYYY-MM-DD) defaults to today. */
  issueInvoice: (id: InvoiceId, date: string | null = null): Promise<InvoiceView> =>
    invoke("issue_invoice", { id, date }),
  /** A payment of `amount` on `date` (YYYY-MM-DD; today if null), made by `method` if known. */
  recordPayment: (
    id: InvoiceId,
    amount: string,
    date: string | null,
    method: PaymentMethod | null,
    note: string,
  ): Promise<InvoiceView> => invoke("record_payment", { id, amount, date, method, note }),
  voidInvoice: (id: InvoiceId, reason: string): Promise<InvoiceView> =>
    invoke("void_invoice", { id, reason }),
  creditInvoice: (id: InvoiceId): Promise<InvoiceView> => invoke("credit_invoice", { id }),
  /** Make the drafts recurring invoices owe up to today; resolves to the drafts made. */
  runRecurring: (): Promise<InvoiceView[]> => invoke("run_recurring"),
  recurring: (): Promise<RecurringInvoice[]> => invoke("recurring"),
  addRecurring: (input: NewRecurring): Promise<RecurringId> => invoke("add_recurring", { input }),
  /** The invoice's real PDF, rendered in memory for the preview. */
  invoicePdf: async (id: InvoiceId, paper: PaperSize = "a4"): Promise<Uint8Array> =>
    new Uint8Array(await invoke<ArrayBuffer>("invoice_pdf", { id, paper })),
  /** Saves a PDF or XML into the downloads folder; `note` says why a PDF has no e-invoice inside. */
  saveInvoiceFile: (
    id: InvoiceId,
    format: InvoiceFormat,
    paper: PaperSize = "a4",
  ): Promise<{ path: string; note: string | null }> => invoke("save_invoice_file", { id, format, paper }),

  timeReport: (query: ReportQuery): Promise<ReportView> => invoke("time_report", { query }),
  /** Each project's tracked and unbilled time, unbilled amount and rate today. */
  projectSummaries: (): Promise<ProjectSummary[]> => invoke("project_summaries"),
  /** Stopped time without a project between `from` and `to` (either open). */
  unassignedTime: (from: string | null, to: string | null): Promise<Unassigned> =>
    invoke("unassigned_time", { from, to }),
  /** Saves the report as CSV in the downloads folder; resolves to the file's path. */
  saveReportCsv: (query: ReportQuery): Promise<string> => invoke("save_report_csv", { query }),
  /** The detailed report's entries as CSV in the downloads folder; resolves to the file's path. */
  saveEntriesCsv: (ids: EntryId[]): Promise<string> => invoke("save_entries_csv", { ids }),
};

export type Api = typeof api;

/** Device settings for the idle and long-timer watch (minutes; 0 = off). */
export type WatchSettings = { idle_minutes: number; remind_after_minutes: number };

const WATCH_KEY = "stint.watch";
export const DEFAULT_WATCH: WatchSettings = { idle_minutes: 10, remind_after_minutes: 480 };

/** The watch settings saved on this device (they are not organization data, so not in the vault). */
export function loadWatchSettings(): WatchSettings {
  try {
    const saved = JSON.parse(localStorage.getItem(WATCH_KEY) ?? "null") as Partial<WatchSettings> | null;
    const minutes = (v: unknown, fallback: number) =>
      typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 24 * 60 ? v : fallback;
    return {
      idle_minutes: minutes(saved?.idle_minutes, DEFAULT_WATCH.idle_minutes),
      remind_after_minutes: minutes(saved?.remind_after_minutes, DEFAULT_WATCH.remind_after_minutes),
    };
  } catch {
    return DEFAULT_WATCH;
  }
}

export function saveWatchSettings(settings: WatchSettings): void {
  localStorage.setItem(WATCH_KEY, JSON.stringify(settings));
}

/** The text to show for a failed command: in the window's language where the shell's `Failure`
 * has a code (`errors` in the app catalogue), else the engine's message as the shell sends it. */
export function errorMessage(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  if (isFailure(error)) {
    if (error.code === null) return error.message;
    const key = error.code === "wrong_protection" ? `wrong_protection_${error.values.protection}` : error.code;
    const text = i18n.t(`errors.${key}` as "errors.no_timer", { ns: "app", ...error.values });
    // A value the catalogue has no words for (a newer shell): the engine's own message.
    return text === `errors.${key}` ? error.message : text;
  }
  return String(error);
}

function isFailure(error: unknown): error is Failure {
  return typeof error === "object" && error !== null && typeof (error as Failure).message === "string";
}

/** How far the acting member's role reaches for `action` (the engine checks again on every call). */
export function scopeOf(permissions: Permissions | null, action: Action): Scope {
  return permissions?.grants.find((g) => g.action === action)?.scope ?? "none";
}

/** Whether the acting member may do `action` at all (on their own records at least). */
export function can(permissions: Permissions | null, action: Action): boolean {
  return scopeOf(permissions, action) !== "none";
}

/** Why a control is disabled, for its title and an inline note. */
export function notAllowed(permissions: Permissions | null): string {
  const role = permissions?.member.role;
  if (!role) return i18n.t("notAllowed.noRole", { ns: "app" });
  return i18n.t("notAllowed.role", { ns: "app", role: i18n.t(`roles.${role}`, { ns: "app" }) });
}

/** Set the native window title (Tauri's title bar does not follow `document.title`). Best effort:
 * outside the app (tests) there is no window. */
export function setWindowTitle(title: string): void {
  try {
    getCurrentWindow()
      .setTitle(title)
      .catch(() => undefined);
  } catch {
    // No Tauri window here.
  }
}
