// Invoices: the list with status filters and what is still open, a new draft from a client's unbilled
// work, and the selected invoice with its lines, totals and tax breakdown, its actions (issue, record a
// payment, void, credit note) and its files (PDF with the e-invoice inside, XRechnung).
// The engine decides who may see and do what (a Member gets nothing; a Viewer reads); this screen
// hides what the role cannot use and still shows the engine's message when it refuses.
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { DateField } from "./DateField";
import { api, can, errorMessage, notAllowed } from "./api";
import { formatDate, formatPercent, formatPrice, parseDecimal, typedDecimal } from "./format";
import i18n from "./i18n";
import { InvoiceLetter, NO_EDIT } from "./InvoiceLetter";
import { InvoicePreview } from "./InvoicePreview";
import type { BillingProfile } from "./bindings/BillingProfile";
import type { Client } from "./bindings/Client";
import type { InvoiceFilter } from "./bindings/InvoiceFilter";
import type { InvoiceStatus } from "./bindings/InvoiceStatus";
import type { InvoiceView } from "./bindings/InvoiceView";
import type { Unassigned } from "./bindings/Unassigned";
import type { LineDetail } from "./bindings/LineDetail";
import type { LineGrouping } from "./bindings/LineGrouping";
import type { PaymentMethod } from "./bindings/PaymentMethod";
import type { PaperSize } from "./bindings/PaperSize";
import type { Permissions } from "./bindings/Permissions";
import type { Tax } from "./bindings/Tax";
import { BillingSettings, ClientBillingForm, taxLabel } from "./BillingForms";
import { RecurringForm } from "./RecurringForm";
import { sumDecimals } from "./ExpensesScreen";
import { hours, lineQuantity, money } from "./time";
import "./screens.css";
import "./invoices.css";

type Props = {
  permissions: Permissions | null;
  /** An invoice to open once the list is read (chosen in the search). */
  show?: string | null;
};

type Filter = "all" | InvoiceStatus | "overdue";

type Catalogue = typeof import("./locales/en/invoices.json");

/** How a payment was made, by its key in the catalogue under `paymentMethods` (and `detail.paidBy`). */
type MethodKey = keyof Catalogue["paymentMethods"];

/** The ways to pay, in the order the picker offers them. */
export const PAYMENT_METHODS: { value: PaymentMethod; key: MethodKey }[] = [
  { value: "bank_transfer", key: "bankTransfer" },
  { value: "direct_debit", key: "directDebit" },
  { value: "card", key: "card" },
  { value: "cash", key: "cash" },
  { value: "paypal", key: "paypal" },
  { value: "other", key: "other" },
];

/** The list's filters, by their key in the catalogue under `filters`. */
const FILTERS: { value: Filter; key: keyof Catalogue["filters"] }[] = [
  { value: "all", key: "all" },
  { value: "draft", key: "draft" },
  { value: "issued", key: "issued" },
  { value: "partially_paid", key: "partiallyPaid" },
  { value: "paid", key: "paid" },
  { value: "void", key: "void" },
  { value: "overdue", key: "overdue" },
];

/** A status by its key in the catalogue under `status`. */
const STATUS_KEY: Record<InvoiceStatus, keyof Catalogue["status"]> = {
  draft: "draft",
  issued: "issued",
  partially_paid: "partiallyPaid",
  paid: "paid",
  void: "void",
};

/** How time becomes lines, and what each line says under it: the choices of a new invoice. */
const GROUPINGS: LineGrouping[] = ["project", "task", "person", "day", "entry"];
const DETAILS: LineDetail[] = ["period", "notes", "tasks"];

/** How an invoice is called on screen: its number, or "draft" (in the UI's language) with the id's tail. */
export function invoiceLabel(view: InvoiceView): string {
  return view.invoice.number ?? i18n.t("draftLabel", { ns: "invoices", tail: view.invoice.id.slice(20) });
}

function filterOf(filter: Filter): InvoiceFilter {
  if (filter === "all") return { status: null, overdue: false, client: null };
  if (filter === "overdue") return { status: null, overdue: true, client: null };
  return { status: filter, overdue: false, client: null };
}

/** What is still owed, per currency. */
export function openByCurrency(list: InvoiceView[]): { currency: string; amount: string }[] {
  const by = new Map<string, string[]>();
  for (const v of list) {
    if (v.due === "0" || Number(v.due) === 0) continue;
    const amounts = by.get(v.invoice.currency) ?? [];
    amounts.push(v.due);
    by.set(v.invoice.currency, amounts);
  }
  return [...by].map(([currency, amounts]) => ({ currency, amount: sumDecimals(amounts) }));
}

export function InvoicesScreen({ permissions, show = null }: Props) {
  const { t } = useTranslation(["invoices", "document"]);
  const readable = can(permissions, "read_invoices");
  const editable = can(permissions, "edit_invoices");
  const [filter, setFilter] = useState<Filter>("all");
  const [list, setList] = useState<InvoiceView[] | null>(null);
  const [selected, setSelected] = useState<InvoiceView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [settings, setSettings] = useState(false);
  const [recurringMade, setRecurringMade] = useState<InvoiceView[]>([]);
  // The new-invoice form: open on demand, and from the start while there are no invoices.
  const [creating, setCreating] = useState(false);

  // Recurring invoices make their due drafts when someone who may write invoices opens the screen
  // (and when a series is started).
  const [recurringRun, setRecurringRun] = useState(0);
  useEffect(() => {
    if (!editable) return;
    let current = true;
    api.runRecurring().then(
      (made) => {
        if (!current || made.length === 0) return;
        setRecurringMade(made);
        setVersion((v) => v + 1);
      },
      (e: unknown) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [editable, recurringRun]);

  useEffect(() => {
    if (!readable) return;
    let current = true;
    api.invoices(filterOf(filter)).then(
      (found) => {
        if (!current) return;
        setList(found);
        setError(null);
        setSelected((s) =>
          s ? (found.find((v) => v.invoice.id === s.invoice.id) ?? s) : (found.find((v) => v.invoice.id === show) ?? null),
        );
      },
      (e: unknown) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [filter, version, readable, show]);

  if (!readable) {
    return (
      <p className="notice" data-testid="invoices-hidden">
        {t("screen.hidden", { why: notAllowed(permissions) })}
      </p>
    );
  }

  const changed = (view: InvoiceView | null) => {
    setSelected(view);
    setVersion((v) => v + 1);
  };
  const created = (view: InvoiceView | null) => {
    setCreating(false);
    changed(view);
  };
  const showNew = editable && (creating || (list !== null && list.length === 0 && filter === "all"));
  const open = openByCurrency(list ?? []);

  return (
    <div className="invoices" data-testid="invoices-screen">
      <section className="panel" aria-labelledby="invoices-heading">
        <div className="section-head">
          <h2 id="invoices-heading">{t("screen.heading")}</h2>
          {editable && (
            <button
              type="button"
              className="primary"
              aria-expanded={showNew}
              onClick={() => setCreating((open) => !open)}
              data-testid="invoice-new-open"
            >
              {t("screen.newInvoice")}
            </button>
          )}
          <span className="spacer" />
          {can(permissions, "read_billing_profile") && (
            <button
              type="button"
              className="secondary"
              aria-expanded={settings}
              onClick={() => setSettings((open) => !open)}
              data-testid="billing-toggle"
            >
              {t("screen.billingSettings")}
            </button>
          )}
          <label className="inline">
            <span>{t("screen.show")}</span>
            <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)} data-testid="invoice-filter">
              {FILTERS.map((f) => (
                <option key={f.value} value={f.value}>
                  {t(`filters.${f.key}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {showNew && <NewInvoiceForm onCreated={created} onCancel={list?.length ? () => setCreating(false) : undefined} />}
        {recurringMade.length > 0 && (
          <p className="notice small" role="status" data-testid="recurring-made">
            {t("screen.recurringMade", {
              count: recurringMade.length,
              clients: recurringMade.map((v) => v.client_name).join(", "),
            })}
          </p>
        )}
        {error && (
          <p className="error" role="alert" data-testid="invoices-error">
            {error}
          </p>
        )}
        {list === null ? (
          <p className="muted empty">{t("screen.loading")}</p>
        ) : list.length === 0 ? (
          <p className="muted empty" data-testid="invoices-empty">
            {filter === "all" ? t("screen.empty") : t("screen.emptyFiltered")}
          </p>
        ) : (
          <>
            <table className="invoice-table" data-testid="invoice-list">
              <thead>
                <tr>
                  <th scope="col">{t("document:number")}</th>
                  <th scope="col">{t("list.client")}</th>
                  <th scope="col">{t("list.issued")}</th>
                  <th scope="col">{t("list.due")}</th>
                  <th scope="col">{t("list.status")}</th>
                  <th scope="col" className="num">
                    {t("document:gross_total")}
                  </th>
                  <th scope="col" className="num">
                    {t("list.open")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((v) => (
                  <tr
                    key={v.invoice.id}
                    className={selected?.invoice.id === v.invoice.id ? "selected" : undefined}
                    data-testid="invoice-row"
                  >
                    <td>
                      <button type="button" className="link" onClick={() => setSelected(v)} data-testid="invoice-open">
                        {invoiceLabel(v)}
                      </button>
                    </td>
                    <td>{v.client_name}</td>
                    <td>{v.invoice.issue_date ? formatDate(v.invoice.issue_date) : "—"}</td>
                    <td>{v.due_date ? formatDate(v.due_date) : "—"}</td>
                    <td>
                      <span className={`badge status-${v.invoice.status}`}>{t(`status.${STATUS_KEY[v.invoice.status]}`)}</span>
                      {v.overdue && <span className="badge overdue">{t("list.overdue")}</span>}
                    </td>
                    <td className="num">{money({ amount: v.totals.gross, currency: v.invoice.currency })}</td>
                    <td className="num">
                      {/* A draft owes nothing yet: nothing is open until it is issued. */}
                      {v.invoice.status === "draft" ? "—" : money({ amount: v.due, currency: v.invoice.currency })}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {open.length > 0 && (
              <p className="invoice-open-total" data-testid="invoice-open-total">
                <span className="muted">{t("list.openTotal")}</span>
                {open.map((o) => (
                  <span key={o.currency}>{money(o)}</span>
                ))}
              </p>
            )}
          </>
        )}
      </section>

      {settings && (
        <section className="panel" aria-label={t("screen.billingSettings")}>
          <BillingSettings editable={can(permissions, "edit_billing_profile")} />
          <ClientBillingForm editable={can(permissions, "edit_billing_profile")} />
        </section>
      )}

      {selected && (
        <InvoiceDetail
          key={selected.invoice.id}
          view={selected}
          permissions={permissions}
          onChanged={changed}
          onClose={() => setSelected(null)}
        />
      )}

      {editable ? (
        <section className="panel" aria-label={t("screen.recurring")}>
          <RecurringForm onStarted={() => setRecurringRun((n) => n + 1)} />
        </section>
      ) : (
        <p className="notice small" data-testid="invoices-readonly">
          {t("screen.readOnly", { why: notAllowed(permissions) })}
        </p>
      )}
    </div>
  );
}

function NewInvoiceForm({ onCreated, onCancel }: { onCreated: (v: InvoiceView) => void; onCancel?: (() => void) | undefined }) {
  const { t } = useTranslation("invoices", { keyPrefix: "newInvoice" });
  const [clients, setClients] = useState<Client[]>([]);
  const [client, setClient] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [grouping, setGrouping] = useState<LineGrouping>("project");
  const [detail, setDetail] = useState<LineDetail>("period");
  const [expenses, setExpenses] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The form's own complaint, kept as what it is so it follows the language.
  const [noClient, setNoClient] = useState(false);
  const [unassigned, setUnassigned] = useState<Unassigned | null>(null);

  // Time without a project belongs to no client: it is said, so that it is assigned before billing.
  useEffect(() => {
    let current = true;
    api.unassignedTime(from || null, to || null).then(
      (found) => current && setUnassigned(found),
      () => current && setUnassigned(null),
    );
    return () => {
      current = false;
    };
  }, [from, to]);

  useEffect(() => {
    api.clients().then(
      (list) => {
        setClients(list);
        setClient((c) => c || (list[0]?.id ?? ""));
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!client) {
      setError(null);
      setNoClient(true);
      return;
    }
    setBusy(true);
    setError(null);
    setNoClient(false);
    try {
      const view = await api.createInvoice({
        client,
        from: from || null,
        to: to || null,
        grouping,
        detail,
        include_time: true,
        include_expenses: expenses,
        lines: [],
      });
      onCreated(view);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="add-form" onSubmit={submit} data-testid="invoice-new">
      <h3 id="invoice-new-heading">{t("heading")}</h3>
      <div className="fields">
        <label className="field grow">
          <span>{t("client")}</span>
          <select value={client} onChange={(e) => setClient(e.target.value)} data-testid="invoice-client">
            {clients.length === 0 && <option value="">{t("noClients")}</option>}
            {clients.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field narrow">
          <span>{t("from")}</span>
          <DateField value={from} onChange={setFrom} testId="invoice-from" />
        </label>
        <label className="field narrow">
          <span>{t("to")}</span>
          <DateField value={to} onChange={setTo} testId="invoice-to" />
        </label>
        <label className="field narrow">
          <span>{t("linePer")}</span>
          <select value={grouping} onChange={(e) => setGrouping(e.target.value as LineGrouping)} data-testid="invoice-grouping">
            {GROUPINGS.map((g) => (
              <option key={g} value={g}>
                {t(`grouping.${g}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field narrow">
          <span>{t("underEachLine")}</span>
          <select value={detail} onChange={(e) => setDetail(e.target.value as LineDetail)} data-testid="invoice-detail-choice">
            {DETAILS.map((d) => (
              <option key={d} value={d}>
                {t(`detail.${d}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={expenses} onChange={(e) => setExpenses(e.target.checked)} />
          <span>{t("expenses")}</span>
        </label>
        <button type="submit" disabled={busy} data-testid="invoice-create">
          {t("create")}
        </button>
        {onCancel && (
          <button type="button" className="link" onClick={onCancel} data-testid="invoice-new-cancel">
            {t("cancel")}
          </button>
        )}
      </div>
      {unassigned !== null && unassigned.entries > 0 && (
        <p className="notice" role="status" data-testid="invoice-unassigned">
          {from || to
            ? t("unassignedInPeriod", { count: unassigned.entries, hours: hours(unassigned.seconds) })
            : t("unassigned", { count: unassigned.entries, hours: hours(unassigned.seconds) })}
        </p>
      )}
      {(error || noClient) && (
        <p className="error" role="alert" data-testid="invoice-new-error">
          {error ?? t("noClientChosen")}
        </p>
      )}
    </form>
  );
}

type DetailProps = {
  view: InvoiceView;
  permissions: Permissions | null;
  onChanged: (v: InvoiceView | null) => void;
  onClose: () => void;
};

function InvoiceDetail({ view, permissions, onChanged, onClose }: DetailProps) {
  const { t } = useTranslation(["invoices", "document"]);
  const inv = view.invoice;
  const c = inv.currency;
  const m = (amount: string) => money({ amount, currency: c });
  const editable = can(permissions, "edit_invoices");
  const finalize = can(permissions, "finalize_invoice");
  const draft = inv.status === "draft";
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<{ path: string; note: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const [payment, setPayment] = useState(view.due);
  // What is due changes when the invoice is issued or paid in part: offer the new amount.
  const [dueShown, setDueShown] = useState(view.due);
  if (dueShown !== view.due) {
    setDueShown(view.due);
    setPayment(view.due);
  }
  const [paidOn, setPaidOn] = useState("");
  const [method, setMethod] = useState<PaymentMethod | "">("bank_transfer");
  const [reason, setReason] = useState("");
  const [paper, setPaper] = useState<PaperSize>("a4");

  /** Run an engine command; `true` when it went through (an error is shown, and inputs stay). */
  async function run(action: () => Promise<InvoiceView | null>): Promise<boolean> {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      onChanged(await action());
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  }

  /** "Paid €97.84 on Nov 20, 2026 by cash": a whole sentence for each way of paying. */
  function paidWith(method: PaymentMethod | null, values: { amount: string; date: string }): string {
    const key = PAYMENT_METHODS.find((x) => x.value === method)?.key;
    return key ? t(`detail.paidBy.${key}`, values) : t("detail.paidNoMethod", values);
  }

  async function save(format: "pdf" | "x_rechnung" | "factur_x_xml") {
    setBusy(true);
    setError(null);
    try {
      const file = await api.saveInvoiceFile(inv.id, format, paper);
      setSaved({ path: file.path, note: file.note });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel invoice-detail" aria-labelledby="invoice-detail-heading" data-testid="invoice-detail">
      <div className="section-head">
        <h2 id="invoice-detail-heading">
          {inv.kind.type === "credit_note"
            ? t("detail.creditNoteHeading", { label: invoiceLabel(view) })
            : t("detail.invoiceHeading", { label: invoiceLabel(view) })}
        </h2>
        <span className={`badge status-${inv.status}`} data-testid="invoice-status">
          {t(`status.${STATUS_KEY[inv.status]}`)}
        </span>
        <span className="spacer" />
        <button type="button" className="link" onClick={onClose}>
          {t("detail.close")}
        </button>
      </div>
      <p className="muted small">
        {view.client_name}
        {inv.issue_date && ` · ${t("detail.issuedOn", { date: formatDate(inv.issue_date) })}`}
        {view.due_date && ` · ${t("detail.dueOn", { date: formatDate(view.due_date) })}`}
        {inv.service_period &&
          ` · ${
            inv.service_period[0] === inv.service_period[1]
              ? t("detail.workOn", { date: formatDate(inv.service_period[0]) })
              : t("detail.workFromTo", { from: formatDate(inv.service_period[0]), to: formatDate(inv.service_period[1]) })
          }`}
        {view.corrects && ` · ${t("detail.corrects", { number: view.corrects })}`}
      </p>
      <table className="invoice-lines" data-testid="invoice-lines">
        <thead>
          <tr>
            <th scope="col">{t("document:description")}</th>
            <th scope="col" className="num">
              {t("detail.quantity")}
            </th>
            <th scope="col" className="num">
              {t("detail.price")}
            </th>
            <th scope="col" className="num">
              {t("detail.tax")}
            </th>
            <th scope="col" className="num">
              {t("detail.net")}
            </th>
            {draft && editable && <th scope="col" aria-label={t("detail.remove")} />}
          </tr>
        </thead>
        <tbody>
          {inv.lines.map((line, i) => (
            <tr key={i} data-testid="invoice-line">
              <td>
                {line.description}
                {line.detail && <div className="muted small">{line.detail}</div>}
                {line.discount && (
                  <div className="muted small" data-testid="line-discount-shown">
                    {t("detail.less", {
                      discount:
                        line.discount.type === "percent" ? formatPercent(Number(line.discount.value)) : m(line.discount.value),
                    })}
                  </div>
                )}
              </td>
              <td className="num" data-testid="line-quantity-shown">{lineQuantity(line)}</td>
              <td className="num">{formatPrice(line.unit_price)}</td>
              <td className="num">{taxLabel(line.tax)}</td>
              <td className="num">{m(view.totals.line_net[i] ?? "0")}</td>
              {draft && editable && (
                <td>
                  <button
                    type="button"
                    className="link"
                    disabled={busy}
                    aria-label={t("detail.removeLine", { number: i + 1 })}
                    onClick={() => run(() => api.editInvoice(inv.id, { ...NO_EDIT, remove_lines: [i] }))}
                  >
                    {t("detail.remove")}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="invoice-totals" data-testid="invoice-totals">
        {Number(view.totals.allowance_net) !== 0 && (
          <>
            <dt>{t("document:discount")}</dt>
            <dd>−{m(view.totals.allowance_net)}</dd>
          </>
        )}
        <dt>{t("detail.netTotal")}</dt>
        <dd data-testid="invoice-net">{m(view.totals.net)}</dd>
        {view.totals.groups.map((g) => (
          <span key={`${g.category}-${g.percent}`} className="contents">
            <dt>
              {g.category === "standard"
                ? t("detail.vatOn", { rate: taxLabel(g), amount: m(g.taxable) })
                : t("detail.taxOn", { tax: taxLabel(g), amount: m(g.taxable) })}
            </dt>
            <dd>{m(g.tax)}</dd>
          </span>
        ))}
        <dt className="grand">{t("document:gross_total")}</dt>
        <dd className="grand" data-testid="invoice-gross">
          {m(view.totals.gross)}
        </dd>
        {Number(view.paid) !== 0 && (
          <>
            <dt>{t("document:paid")}</dt>
            <dd>{m(view.paid)}</dd>
            <dt>{t("detail.open")}</dt>
            <dd data-testid="invoice-due">{m(view.due)}</dd>
          </>
        )}
      </dl>
      {inv.notes && <p className="invoice-notes">{inv.notes}</p>}
      {inv.payments.length > 0 && (
        <ul className="invoice-payments" data-testid="invoice-payments">
          {inv.payments.map((p, i) => (
            <li key={i}>
              {paidWith(p.method, { amount: m(p.amount), date: formatDate(p.date) })}
              {p.note && ` · ${p.note}`}
            </li>
          ))}
        </ul>
      )}
      {draft && editable && <InvoiceLetter key={`${inv.id}-${view.language}`} view={view} busy={busy} run={run} />}
      {draft && editable && <DraftEditor view={view} busy={busy} run={run} />}

      <div className="invoice-actions">
        {draft && finalize && (
          <button type="button" className="primary" disabled={busy} onClick={() => run(() => api.issueInvoice(inv.id))} data-testid="invoice-issue">
            {t("detail.issue")}
          </button>
        )}
        {!draft && inv.status !== "void" && editable && inv.kind.type === "invoice" && (
          <button type="button" className="secondary" disabled={busy} onClick={() => run(() => api.creditInvoice(inv.id))} data-testid="invoice-credit">
            {t("document:credit_note")}
          </button>
        )}
        <button type="button" className="secondary" disabled={busy} onClick={() => save("pdf")} data-testid="invoice-save-pdf">
          {t("detail.savePdf")}
        </button>
        <label className="inline">
          <select value={paper} onChange={(e) => setPaper(e.target.value as PaperSize)} aria-label={t("detail.paper")} data-testid="invoice-paper">
            <option value="a4">{t("detail.paperA4")}</option>
            <option value="letter">{t("detail.paperLetter")}</option>
          </select>
        </label>
        {!draft && (
          <button type="button" className="secondary" disabled={busy} onClick={() => save("x_rechnung")} data-testid="invoice-save-xrechnung">
            {t("detail.saveXRechnung")}
          </button>
        )}
        {/* Away from Issue: deleting is the one action here that cannot be taken back. */}
        {draft && editable && (
          <>
            <span className="spacer" />
            <button
              type="button"
              className="link danger"
              disabled={busy}
              onClick={() => {
                if (window.confirm(t("detail.confirmDelete", { label: invoiceLabel(view) }))) {
                  void run(async () => {
                    await api.deleteInvoice(inv.id);
                    return null;
                  });
                }
              }}
              data-testid="invoice-delete"
            >
              {t("detail.deleteDraft")}
            </button>
          </>
        )}
      </div>

      {(inv.status === "issued" || inv.status === "partially_paid") && editable && (
        <form
          className="fields"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api.recordPayment(inv.id, typedDecimal(payment), paidOn || null, method || null, ""));
          }}
        >
          <label className="field narrow">
            <span>{t("detail.paymentReceived")}</span>
            <input value={payment} inputMode="decimal" onChange={(e) => setPayment(e.target.value)} data-testid="invoice-payment" />
          </label>
          <label className="field narrow">
            <span>{t("detail.paidOn")}</span>
            <DateField value={paidOn} onChange={setPaidOn} testId="invoice-payment-date" />
          </label>
          <label className="field">
            <span>{t("detail.paidHow")}</span>
            <select value={method} onChange={(e) => setMethod(e.target.value as PaymentMethod | "")} data-testid="invoice-payment-method">
              {PAYMENT_METHODS.map((p) => (
                <option key={p.value} value={p.value}>
                  {t(`paymentMethods.${p.key}`)}
                </option>
              ))}
              <option value="">{t("detail.notSaid")}</option>
            </select>
          </label>
          <button type="submit" disabled={busy} data-testid="invoice-pay">
            {t("detail.recordPayment")}
          </button>
        </form>
      )}
      {inv.status === "issued" && editable && (
        <form
          className="fields"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api.voidInvoice(inv.id, reason));
          }}
        >
          <label className="field grow">
            <span>{t("detail.voidReason")}</span>
            <input value={reason} onChange={(e) => setReason(e.target.value)} data-testid="invoice-void-reason" />
          </label>
          <button type="submit" className="secondary" disabled={busy} data-testid="invoice-void">
            {t("detail.void")}
          </button>
        </form>
      )}
      {saved && (
        <p className="notice small" role="status" data-testid="invoice-saved">
          {saved.note ? t("detail.savedWithoutEInvoice", { path: saved.path, note: saved.note }) : t("detail.saved", { path: saved.path })}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="invoice-error">
          {error}
        </p>
      )}
      {/* By content: the list's reload hands over an equal invoice, which needs no new drawing. */}
      <InvoicePreview id={inv.id} paper={paper} revision={JSON.stringify(inv)} />
    </section>
  );
}

/** A tax as a select value. */
function taxKey(tax: Tax): string {
  return `${tax.category}:${Number(tax.percent)}`;
}

/** A tax a line may be given, and why it is offered (which says what it is called). */
type TaxOption = { kind: "firstLine" | "asDefault" | "default"; tax: Tax } | { kind: "named"; name: string; tax: Tax };

/** A typed line (description, quantity, price, VAT %) and the invoice discount of a draft. */
function DraftEditor({
  view,
  busy,
  run,
}: {
  view: InvoiceView;
  busy: boolean;
  run: (action: () => Promise<InvoiceView | null>) => Promise<boolean>;
}) {
  const { t } = useTranslation("invoices", { keyPrefix: "draftEditor" });
  const inv = view.invoice;
  const [description, setDescription] = useState("");
  const [quantity, setQuantity] = useState("1");
  const [price, setPrice] = useState("");
  const [lineDiscount, setLineDiscount] = useState("");
  // Whether the typed line discount is neither a percentage nor an amount.
  const [lineError, setLineError] = useState(false);
  // The billing profile, read once per invoice opened: its default tax and named rates.
  const [profile, setProfile] = useState<BillingProfile | null>(null);
  // The chosen tax by its value ("standard:7"), so a choice survives the list being rebuilt.
  const [taxChoice, setTaxChoice] = useState("");
  const [vat, setVat] = useState(inv.lines[0]?.tax.category === "standard" ? inv.lines[0].tax.percent : "19");
  const [discount, setDiscount] = useState(
    inv.discount ? (inv.discount.type === "percent" ? `${inv.discount.value}%` : inv.discount.value) : "",
  );

  useEffect(() => {
    let current = true;
    api.billingProfile().then(
      (found) => {
        if (current) setProfile(found);
      },
      () => {
        // Without the profile the VAT % field alone is offered.
      },
    );
    return () => {
      current = false;
    };
  }, [inv.id]);

  // The taxes to pick from: the first line's (else the default), the default, and the named rates.
  // What each is called is worked out when drawn, so that it follows the language.
  const taxes = useMemo(() => {
    if (!profile) return [];
    const first = inv.lines[0]?.tax ?? profile.default_tax;
    const options: TaxOption[] = [{ kind: inv.lines[0] ? "firstLine" : "asDefault", tax: first }];
    const same = (a: Tax, b: Tax) => a.category === b.category && Number(a.percent) === Number(b.percent);
    if (!same(profile.default_tax, first)) options.push({ kind: "default", tax: profile.default_tax });
    for (const rate of profile.tax_rates) {
      if (!options.some((o) => same(o.tax, rate.tax))) options.push({ kind: "named", name: rate.name, tax: rate.tax });
    }
    return options;
  }, [profile, inv.lines]);

  function taxOptionLabel(option: TaxOption): string {
    const tax = taxLabel(option.tax);
    switch (option.kind) {
      case "firstLine":
        return t("taxAsFirstLine", { tax });
      case "asDefault":
        return t("taxAsDefault", { tax });
      case "default":
        return t("taxDefault", { tax });
      case "named":
        return t("taxNamed", { name: option.name, tax });
    }
  }

  function addLine(event: FormEvent) {
    event.preventDefault();
    const rate = typedDecimal(vat);
    const picked = taxes.find((o) => taxKey(o.tax) === taxChoice) ?? taxes[0];
    const tax: Tax =
      picked && taxChoice !== "custom"
        ? picked.tax
        : rate === "" || Number(rate) === 0
          ? { category: "exempt", percent: "0" }
          : { category: "standard", percent: rate };
    const off = lineDiscount.trim();
    if (off !== "" && parseDecimal(off.replace(/%$/, "")) === null) {
      setLineError(true);
      return;
    }
    setLineError(false);
    void run(() =>
      api.editInvoice(inv.id, {
        add_lines: [
          {
            description,
            detail: null,
            quantity: typedDecimal(quantity),
            unit: "piece",
            unit_price: typedDecimal(price),
            discount:
              off === ""
                ? null
                : off.endsWith("%")
                  ? { type: "percent", value: typedDecimal(off.slice(0, -1)) }
                  : { type: "amount", value: typedDecimal(off) },
            tax,
          },
        ],
        remove_lines: [],
        clear_discount: false,
        default_texts: false,
      }),
    ).then((done) => {
      if (done) {
        setDescription("");
        setPrice("");
        setLineDiscount("");
      }
    });
  }

  function setInvoiceDiscount(event: FormEvent) {
    event.preventDefault();
    const text = discount.trim();
    const edit =
      text === ""
        ? { ...NO_EDIT, clear_discount: true }
        : {
            ...NO_EDIT,
            discount: text.endsWith("%")
              ? { type: "percent" as const, value: typedDecimal(text.slice(0, -1)) }
              : { type: "amount" as const, value: typedDecimal(text) },
          };
    void run(() => api.editInvoice(inv.id, edit));
  }

  return (
    <div className="draft-editor">
      <form className="fields" onSubmit={addLine} data-testid="invoice-add-line">
        <label className="field grow">
          <span>{t("line")}</span>
          <input value={description} onChange={(e) => setDescription(e.target.value)} data-testid="line-description" />
        </label>
        <label className="field narrow">
          <span>{t("quantity")}</span>
          <input value={quantity} inputMode="decimal" onChange={(e) => setQuantity(e.target.value)} data-testid="line-quantity" />
        </label>
        <label className="field narrow">
          <span>{t("price")}</span>
          <input value={price} inputMode="decimal" onChange={(e) => setPrice(e.target.value)} data-testid="line-price" />
        </label>
        <label className="field narrow">
          <span>{t("discount")}</span>
          <input
            value={lineDiscount}
            placeholder={t("discountPlaceholder")}
            onChange={(e) => setLineDiscount(e.target.value)}
            data-testid="line-discount"
          />
        </label>
        {taxes.length > 0 && (
          <label className="field">
            <span>{t("tax")}</span>
            <select value={taxChoice || taxKey(taxes[0]!.tax)} onChange={(e) => setTaxChoice(e.target.value)} data-testid="line-tax">
              {taxes.map((option, i) => (
                <option key={i} value={taxKey(option.tax)}>
                  {taxOptionLabel(option)}
                </option>
              ))}
              <option value="custom">{t("otherVat")}</option>
            </select>
          </label>
        )}
        {(taxes.length === 0 || taxChoice === "custom") && (
          <label className="field narrow">
            <span>{t("vatPercent")}</span>
            <input value={vat} inputMode="decimal" onChange={(e) => setVat(e.target.value)} data-testid="line-vat" />
          </label>
        )}
        <button type="submit" className="secondary" disabled={busy || description.trim() === "" || price.trim() === ""} data-testid="line-add">
          {t("addLine")}
        </button>
        {lineError && (
          <p className="error full-row" role="alert" data-testid="line-error">
            {t("lineDiscountInvalid")}
          </p>
        )}
      </form>
      <form className="fields" onSubmit={setInvoiceDiscount}>
        <label className="field">
          <span>{t("invoiceDiscount")}</span>
          <input value={discount} placeholder={t("invoiceDiscountPlaceholder")} onChange={(e) => setDiscount(e.target.value)} data-testid="invoice-discount" />
        </label>
        <button type="submit" className="secondary" disabled={busy} data-testid="invoice-discount-save">
          {t("applyDiscount")}
        </button>
      </form>
    </div>
  );
}
