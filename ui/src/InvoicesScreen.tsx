// Invoices: the list with status filters and what is still open, a new draft from a client's unbilled
// work, and the selected invoice with its lines, totals and tax breakdown, its actions (issue, record a
// payment, void, credit note) and its files (PDF with the e-invoice inside, XRechnung).
// The engine decides who may see and do what (a Member gets nothing; a Viewer reads); this screen
// hides what the role cannot use and still shows the engine's message when it refuses.
import { useEffect, useMemo, useState, type FormEvent } from "react";

import { api, can, errorMessage, notAllowed } from "./api";
import { formatDate, formatPercent, formatPrice } from "./format";
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

export const PAYMENT_METHODS: { value: PaymentMethod; label: string }[] = [
  { value: "bank_transfer", label: "Bank transfer" },
  { value: "direct_debit", label: "Direct debit" },
  { value: "card", label: "Card" },
  { value: "cash", label: "Cash" },
  { value: "paypal", label: "PayPal" },
  { value: "other", label: "Other" },
];

const FILTERS: { value: Filter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "draft", label: "Drafts" },
  { value: "issued", label: "Issued" },
  { value: "partially_paid", label: "Partially paid" },
  { value: "paid", label: "Paid" },
  { value: "void", label: "Void" },
  { value: "overdue", label: "Overdue" },
];

const STATUS_LABEL: Record<InvoiceStatus, string> = {
  draft: "Draft",
  issued: "Issued",
  partially_paid: "Partially paid",
  paid: "Paid",
  void: "Void",
};

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
        Invoices are visible to Owners, Admins and Viewers. {notAllowed(permissions)}
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
          <h2 id="invoices-heading">Invoices</h2>
          {editable && (
            <button
              type="button"
              className="primary"
              aria-expanded={showNew}
              onClick={() => setCreating((open) => !open)}
              data-testid="invoice-new-open"
            >
              New invoice from unbilled time
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
              Billing settings
            </button>
          )}
          <label className="inline">
            <span>Show</span>
            <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)} data-testid="invoice-filter">
              {FILTERS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        {showNew && <NewInvoiceForm onCreated={created} onCancel={list?.length ? () => setCreating(false) : undefined} />}
        {recurringMade.length > 0 && (
          <p className="notice small" role="status" data-testid="recurring-made">
            Made {recurringMade.length} draft{recurringMade.length === 1 ? "" : "s"} from recurring invoices:{" "}
            {recurringMade.map((v) => v.client_name).join(", ")}.
          </p>
        )}
        {error && (
          <p className="error" role="alert" data-testid="invoices-error">
            {error}
          </p>
        )}
        {list === null ? (
          <p className="muted empty">Loading…</p>
        ) : list.length === 0 ? (
          <p className="muted empty" data-testid="invoices-empty">
            {filter === "all" ? "No invoices yet." : "No invoices with this status."}
          </p>
        ) : (
          <>
            <table className="invoice-table" data-testid="invoice-list">
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col">Client</th>
                  <th scope="col">Issued</th>
                  <th scope="col">Due</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Total
                  </th>
                  <th scope="col" className="num">
                    Open
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
                        {v.label}
                      </button>
                    </td>
                    <td>{v.client_name}</td>
                    <td>{v.invoice.issue_date ? formatDate(v.invoice.issue_date) : "—"}</td>
                    <td>{v.due_date ? formatDate(v.due_date) : "—"}</td>
                    <td>
                      <span className={`badge status-${v.invoice.status}`}>{STATUS_LABEL[v.invoice.status]}</span>
                      {v.overdue && <span className="badge overdue">overdue</span>}
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
                <span className="muted">Open</span>
                {open.map((o) => (
                  <span key={o.currency}>{money(o)}</span>
                ))}
              </p>
            )}
          </>
        )}
      </section>

      {settings && (
        <section className="panel" aria-label="Billing settings">
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
        <section className="panel" aria-label="Recurring invoices">
          <RecurringForm onStarted={() => setRecurringRun((n) => n + 1)} />
        </section>
      ) : (
        <p className="notice small" data-testid="invoices-readonly">
          Invoices are read-only here. {notAllowed(permissions)}
        </p>
      )}
    </div>
  );
}

function NewInvoiceForm({ onCreated, onCancel }: { onCreated: (v: InvoiceView) => void; onCancel?: (() => void) | undefined }) {
  const [clients, setClients] = useState<Client[]>([]);
  const [client, setClient] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [grouping, setGrouping] = useState<LineGrouping>("project");
  const [detail, setDetail] = useState<LineDetail>("period");
  const [expenses, setExpenses] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
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
      setError("Choose the client to invoice.");
      return;
    }
    setBusy(true);
    setError(null);
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
      <h3 id="invoice-new-heading">New invoice from unbilled time</h3>
      <div className="fields">
        <label className="field grow">
          <span>Client</span>
          <select value={client} onChange={(e) => setClient(e.target.value)} data-testid="invoice-client">
            {clients.length === 0 && <option value="">No clients yet</option>}
            {clients.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field narrow">
          <span>From</span>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="invoice-from" />
        </label>
        <label className="field narrow">
          <span>To</span>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="invoice-to" />
        </label>
        <label className="field narrow">
          <span>One line per</span>
          <select value={grouping} onChange={(e) => setGrouping(e.target.value as LineGrouping)} data-testid="invoice-grouping">
            <option value="project">project</option>
            <option value="task">task</option>
            <option value="person">person</option>
            <option value="day">day</option>
            <option value="entry">entry</option>
          </select>
        </label>
        <label className="field narrow">
          <span>Under each line</span>
          <select value={detail} onChange={(e) => setDetail(e.target.value as LineDetail)} data-testid="invoice-detail-choice">
            <option value="period">its dates</option>
            <option value="notes">the notes</option>
            <option value="tasks">hours per task</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={expenses} onChange={(e) => setExpenses(e.target.checked)} />
          <span>Billable expenses</span>
        </label>
        <button type="submit" disabled={busy} data-testid="invoice-create">
          Create draft
        </button>
        {onCancel && (
          <button type="button" className="link" onClick={onCancel} data-testid="invoice-new-cancel">
            Cancel
          </button>
        )}
      </div>
      {unassigned !== null && unassigned.entries > 0 && (
        <p className="notice" role="status" data-testid="invoice-unassigned">
          {unassigned.entries === 1 ? "1 entry" : `${unassigned.entries} entries`} (
          {hours(unassigned.seconds)} h) {from || to ? "in this period " : ""}
          {unassigned.entries === 1 ? "has" : "have"} no project, so no client: {unassigned.entries === 1 ? "it is" : "they are"}{" "}
          not on this invoice. Assign a project under Track first.
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="invoice-new-error">
          {error}
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
  const inv = view.invoice;
  const c = inv.currency;
  const m = (amount: string) => money({ amount, currency: c });
  const editable = can(permissions, "edit_invoices");
  const finalize = can(permissions, "finalize_invoice");
  const draft = inv.status === "draft";
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
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

  async function save(format: "pdf" | "x_rechnung" | "factur_x_xml") {
    setBusy(true);
    setError(null);
    try {
      const file = await api.saveInvoiceFile(inv.id, format, paper);
      setSaved(file.note ? `Saved ${file.path} (without e-invoice: ${file.note})` : `Saved ${file.path}`);
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
          {inv.kind.type === "credit_note" ? "Credit note" : "Invoice"} {view.label}
        </h2>
        <span className={`badge status-${inv.status}`} data-testid="invoice-status">
          {STATUS_LABEL[inv.status]}
        </span>
        <span className="spacer" />
        <button type="button" className="link" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="muted small">
        {view.client_name}
        {inv.issue_date && ` · issued ${formatDate(inv.issue_date)}`}
        {view.due_date && ` · due ${formatDate(view.due_date)}`}
        {inv.service_period &&
          (inv.service_period[0] === inv.service_period[1]
            ? ` · work on ${formatDate(inv.service_period[0])}`
            : ` · work ${formatDate(inv.service_period[0])} – ${formatDate(inv.service_period[1])}`)}
        {view.corrects && ` · corrects ${view.corrects}`}
      </p>
      <table className="invoice-lines" data-testid="invoice-lines">
        <thead>
          <tr>
            <th scope="col">Description</th>
            <th scope="col" className="num">
              Quantity
            </th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col" className="num">
              Tax
            </th>
            <th scope="col" className="num">
              Net
            </th>
            {draft && editable && <th scope="col" aria-label="Remove" />}
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
                    less {line.discount.type === "percent" ? formatPercent(Number(line.discount.value)) : m(line.discount.value)}
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
                    aria-label={`Remove line ${i + 1}`}
                    onClick={() => run(() => api.editInvoice(inv.id, { ...NO_EDIT, remove_lines: [i] }))}
                  >
                    Remove
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
            <dt>Discount</dt>
            <dd>−{m(view.totals.allowance_net)}</dd>
          </>
        )}
        <dt>Net</dt>
        <dd data-testid="invoice-net">{m(view.totals.net)}</dd>
        {view.totals.groups.map((g) => (
          <span key={`${g.category}-${g.percent}`} className="contents">
            <dt>{g.category === "standard" ? `VAT ${taxLabel(g)} on ${m(g.taxable)}` : `${taxLabel(g)} on ${m(g.taxable)}`}</dt>
            <dd>{m(g.tax)}</dd>
          </span>
        ))}
        <dt className="grand">Total</dt>
        <dd className="grand" data-testid="invoice-gross">
          {m(view.totals.gross)}
        </dd>
        {Number(view.paid) !== 0 && (
          <>
            <dt>Paid</dt>
            <dd>{m(view.paid)}</dd>
            <dt>Open</dt>
            <dd data-testid="invoice-due">{m(view.due)}</dd>
          </>
        )}
      </dl>
      {inv.notes && <p className="invoice-notes">{inv.notes}</p>}
      {inv.payments.length > 0 && (
        <ul className="invoice-payments" data-testid="invoice-payments">
          {inv.payments.map((p, i) => (
            <li key={i}>
              Paid {m(p.amount)} on {formatDate(p.date)}
              {p.method && ` by ${PAYMENT_METHODS.find((x) => x.value === p.method)?.label.toLowerCase() ?? p.method}`}
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
            Issue
          </button>
        )}
        {!draft && inv.status !== "void" && editable && inv.kind.type === "invoice" && (
          <button type="button" className="secondary" disabled={busy} onClick={() => run(() => api.creditInvoice(inv.id))} data-testid="invoice-credit">
            Credit note
          </button>
        )}
        <button type="button" className="secondary" disabled={busy} onClick={() => save("pdf")} data-testid="invoice-save-pdf">
          Save PDF
        </button>
        <label className="inline">
          <select value={paper} onChange={(e) => setPaper(e.target.value as PaperSize)} aria-label="Paper" data-testid="invoice-paper">
            <option value="a4">A4</option>
            <option value="letter">Letter</option>
          </select>
        </label>
        {!draft && (
          <button type="button" className="secondary" disabled={busy} onClick={() => save("x_rechnung")} data-testid="invoice-save-xrechnung">
            Save XRechnung
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
                if (window.confirm(`Delete ${view.label}? Its work becomes billable again.`)) {
                  void run(async () => {
                    await api.deleteInvoice(inv.id);
                    return null;
                  });
                }
              }}
              data-testid="invoice-delete"
            >
              Delete draft
            </button>
          </>
        )}
      </div>

      {(inv.status === "issued" || inv.status === "partially_paid") && editable && (
        <form
          className="fields"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api.recordPayment(inv.id, payment.trim(), paidOn || null, method || null, ""));
          }}
        >
          <label className="field narrow">
            <span>Payment received</span>
            <input value={payment} inputMode="decimal" onChange={(e) => setPayment(e.target.value)} data-testid="invoice-payment" />
          </label>
          <label className="field narrow">
            <span>On</span>
            <input type="date" value={paidOn} onChange={(e) => setPaidOn(e.target.value)} data-testid="invoice-payment-date" />
          </label>
          <label className="field">
            <span>By</span>
            <select value={method} onChange={(e) => setMethod(e.target.value as PaymentMethod | "")} data-testid="invoice-payment-method">
              {PAYMENT_METHODS.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
              <option value="">Not said</option>
            </select>
          </label>
          <button type="submit" disabled={busy} data-testid="invoice-pay">
            Record payment
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
            <span>Reason to void</span>
            <input value={reason} onChange={(e) => setReason(e.target.value)} data-testid="invoice-void-reason" />
          </label>
          <button type="submit" className="secondary" disabled={busy} data-testid="invoice-void">
            Void
          </button>
        </form>
      )}
      {saved && (
        <p className="notice small" role="status" data-testid="invoice-saved">
          {saved}
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
  const inv = view.invoice;
  const [description, setDescription] = useState("");
  const [quantity, setQuantity] = useState("1");
  const [price, setPrice] = useState("");
  const [lineDiscount, setLineDiscount] = useState("");
  const [lineError, setLineError] = useState<string | null>(null);
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
  const taxes = useMemo(() => {
    if (!profile) return [];
    const first = inv.lines[0]?.tax ?? profile.default_tax;
    const options = [{ label: `${taxLabel(first)} (as ${inv.lines[0] ? "the first line" : "default"})`, tax: first }];
    const same = (a: Tax, b: Tax) => a.category === b.category && Number(a.percent) === Number(b.percent);
    if (!same(profile.default_tax, first)) options.push({ label: `${taxLabel(profile.default_tax)} (default)`, tax: profile.default_tax });
    for (const rate of profile.tax_rates) {
      if (!options.some((o) => same(o.tax, rate.tax))) options.push({ label: `${rate.name} — ${taxLabel(rate.tax)}`, tax: rate.tax });
    }
    return options;
  }, [profile, inv.lines]);

  function addLine(event: FormEvent) {
    event.preventDefault();
    const rate = vat.trim();
    const picked = taxes.find((t) => taxKey(t.tax) === taxChoice) ?? taxes[0];
    const tax: Tax =
      picked && taxChoice !== "custom"
        ? picked.tax
        : rate === "" || Number(rate) === 0
          ? { category: "exempt", percent: "0" }
          : { category: "standard", percent: rate };
    const off = lineDiscount.trim();
    if (off !== "" && !/^\d+([.,]\d+)?%?$/.test(off)) {
      setLineError("A line discount is a percentage like 10% or an amount like 25.");
      return;
    }
    setLineError(null);
    void run(() =>
      api.editInvoice(inv.id, {
        add_lines: [
          {
            description,
            detail: null,
            quantity: quantity.trim(),
            unit: "piece",
            unit_price: price.trim(),
            discount:
              off === ""
                ? null
                : off.endsWith("%")
                  ? { type: "percent", value: off.slice(0, -1).replace(",", ".") }
                  : { type: "amount", value: off.replace(",", ".") },
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
              ? { type: "percent" as const, value: text.slice(0, -1).trim() }
              : { type: "amount" as const, value: text },
          };
    void run(() => api.editInvoice(inv.id, edit));
  }

  return (
    <div className="draft-editor">
      <form className="fields" onSubmit={addLine} data-testid="invoice-add-line">
        <label className="field grow">
          <span>Line</span>
          <input value={description} onChange={(e) => setDescription(e.target.value)} data-testid="line-description" />
        </label>
        <label className="field narrow">
          <span>Quantity</span>
          <input value={quantity} inputMode="decimal" onChange={(e) => setQuantity(e.target.value)} data-testid="line-quantity" />
        </label>
        <label className="field narrow">
          <span>Price</span>
          <input value={price} inputMode="decimal" onChange={(e) => setPrice(e.target.value)} data-testid="line-price" />
        </label>
        <label className="field narrow">
          <span>Discount</span>
          <input
            value={lineDiscount}
            placeholder="10% or 25"
            onChange={(e) => setLineDiscount(e.target.value)}
            data-testid="line-discount"
          />
        </label>
        {taxes.length > 0 && (
          <label className="field">
            <span>Tax</span>
            <select value={taxChoice || taxKey(taxes[0]!.tax)} onChange={(e) => setTaxChoice(e.target.value)} data-testid="line-tax">
              {taxes.map((t, i) => (
                <option key={i} value={taxKey(t.tax)}>
                  {t.label}
                </option>
              ))}
              <option value="custom">Other VAT %…</option>
            </select>
          </label>
        )}
        {(taxes.length === 0 || taxChoice === "custom") && (
          <label className="field narrow">
            <span>VAT %</span>
            <input value={vat} inputMode="decimal" onChange={(e) => setVat(e.target.value)} data-testid="line-vat" />
          </label>
        )}
        <button type="submit" className="secondary" disabled={busy || description.trim() === "" || price.trim() === ""} data-testid="line-add">
          Add line
        </button>
        {lineError && (
          <p className="error full-row" role="alert" data-testid="line-error">
            {lineError}
          </p>
        )}
      </form>
      <form className="fields" onSubmit={setInvoiceDiscount}>
        <label className="field">
          <span>Invoice discount</span>
          <input value={discount} placeholder="10% or 50" onChange={(e) => setDiscount(e.target.value)} data-testid="invoice-discount" />
        </label>
        <button type="submit" className="secondary" disabled={busy} data-testid="invoice-discount-save">
          Apply discount
        </button>
      </form>
    </div>
  );
}
