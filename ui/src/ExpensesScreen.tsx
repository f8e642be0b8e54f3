// Expenses of one month, an add form with an optional receipt, and an in-memory receipt preview.
// The engine filters what the acting member may see (a Member only gets their own expenses) and
// validates every input again; this screen only checks what it can before sending.
import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Temporal } from "temporal-polyfill";

import { DateField } from "./DateField";
import { Picker, projectPickerOptions, type PickerOption } from "./Picker";
import { api, can, errorMessage, notAllowed } from "./api";
import type { Expense } from "./bindings/Expense";
import type { ExpenseView } from "./bindings/ExpenseView";
import type { NewExpense } from "./bindings/NewExpense";
import type { Permissions } from "./bindings/Permissions";
import type { ProjectView } from "./bindings/ProjectView";
import { formatDate, formatDateInput, formatNumber, formatSettings, parseDecimal } from "./format";
import { money } from "./time";
import "./screens.css";
import "./expenses.css";

type Props = {
  permissions: Permissions | null;
};

/** A category offered in the datalist: its key in the `expenses` catalogue under `categories`. */
type DefaultCategory = keyof (typeof import("./locales/en/expenses.json"))["categories"];

/** Categories offered in the datalist besides those already used (in the UI's language). */
const DEFAULT_CATEGORIES: DefaultCategory[] = ["travel", "software", "hardware", "meals", "office"];

/** Receipts larger than this are refused before reading them. */
export const MAX_RECEIPT_BYTES = 10 * 1024 * 1024;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A positive amount with at most two decimals, e.g. "12", "12.5", "12.50". */
const AMOUNT = /^\d+(\.\d{1,2})?$/;

/** Whether `text` is a real day written YYYY-MM-DD. */
function isDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  try {
    Temporal.PlainDate.from(text, { overflow: "reject" });
    return true;
  } catch {
    return false;
  }
}

/** Whether `text` is a positive amount with at most two decimals. */
export function isAmount(text: string): boolean {
  return AMOUNT.test(text) && Number(text) > 0;
}

/** First and last day (YYYY-MM-DD) of a month given as YYYY-MM. */
function monthRange(month: string): [string, string] {
  const ym = Temporal.PlainYearMonth.from(month);
  return [ym.toPlainDate({ day: 1 }).toString(), ym.toPlainDate({ day: ym.daysInMonth }).toString()];
}

/** `month` (YYYY-MM) moved by `months`. */
function shiftMonth(month: string, months: number): string {
  return Temporal.PlainYearMonth.from(month).add({ months }).toString();
}

/** "November 2026" style label of a month, in the organization's locale. */
function monthLabel(month: string): string {
  const ym = Temporal.PlainYearMonth.from(month);
  return new Intl.DateTimeFormat(formatSettings().locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(ym.year, ym.month - 1, 1)),
  );
}

/** Exact sum of decimal strings (no floating point): "12.5" + "0.25" = "12.75". */
export function sumDecimals(amounts: string[]): string {
  const parts = amounts.map((a) => {
    const negative = a.trim().startsWith("-");
    const [whole = "0", fraction = ""] = a.trim().replace(/^[-+]/, "").split(".");
    return { negative, whole, fraction };
  });
  const scale = Math.max(0, ...parts.map((p) => p.fraction.length));
  let total = 0n;
  for (const p of parts) {
    const n = BigInt((p.whole || "0") + p.fraction.padEnd(scale, "0"));
    total += p.negative ? -n : n;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? "-" : ""}${whole}${scale > 0 ? `.${fraction}` : ""}`;
}

/** Totals per currency, in order of first appearance. */
function totalsByCurrency(expenses: ExpenseView[]): { currency: string; amount: string }[] {
  const byCurrency = new Map<string, string[]>();
  for (const view of expenses) {
    const { amount, currency } = view.expense.amount;
    const list = byCurrency.get(currency) ?? [];
    list.push(amount);
    byCurrency.set(currency, list);
  }
  return [...byCurrency].map(([currency, amounts]) => ({ currency, amount: sumDecimals(amounts) }));
}

/** "12 B", "3.4 KB", "1.2 MB" (the number as the locale writes it: "3,4 KB"). */
function fileSize(bytes: number): string {
  if (bytes < 1024) return `${formatNumber(bytes, 0)} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(bytes / 1024, 1)} KB`;
  return `${formatNumber(bytes / (1024 * 1024), 1)} MB`;
}

/** Newest day first; on the same day the later-created (larger ULID) first. */
function newestFirst(a: ExpenseView, b: ExpenseView): number {
  if (a.expense.date !== b.expense.date) return a.expense.date < b.expense.date ? 1 : -1;
  return a.expense.id < b.expense.id ? 1 : a.expense.id > b.expense.id ? -1 : 0;
}

export function ExpensesScreen({ permissions }: Props) {
  const editable = can(permissions, "edit_expense");
  const { t } = useTranslation("expenses");

  const [today, setToday] = useState("");
  const [month, setMonth] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [expenses, setExpenses] = useState<ExpenseView[] | null>(null);
  const [projects, setProjects] = useState<ProjectView[]>([]);
  const [currency, setCurrency] = useState<string | null>(null);
  const [usedCategories, setUsedCategories] = useState<string[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [preview, setPreview] = useState<Expense | null>(null);

  useEffect(() => {
    api.today().then(
      (day) => {
        setToday(day);
        setMonth((m) => m ?? day.slice(0, 7));
      },
      (e: unknown) => setLoadError(errorMessage(e)),
    );
    api.projects().then(
      (list) => setProjects(list.filter((p) => !p.project.archived)),
      () => {
        // The project select then only offers "No project".
      },
    );
    api.organization().then(
      (org) => setCurrency(org.currency),
      () => {
        // The currency field then shows no default; the engine still applies it.
      },
    );
  }, []);

  useEffect(() => {
    if (month === null) return;
    let current = true;
    const [from, to] = monthRange(month);
    api.expenses(from, to).then(
      (list) => {
        if (!current) return;
        setExpenses([...list].sort(newestFirst));
        setUsedCategories((seen) => {
          const next = new Set(seen);
          for (const v of list) if (v.expense.category.trim() !== "") next.add(v.expense.category);
          return next.size === seen.length ? seen : [...next];
        });
        setLoadError(null);
      },
      (e: unknown) => {
        if (current) setLoadError(errorMessage(e));
      },
    );
    return () => {
      current = false;
    };
  }, [month, version]);

  const added = useCallback((date: string) => {
    setMonth(date.slice(0, 7));
    setVersion((v) => v + 1);
  }, []);

  const defaults = DEFAULT_CATEGORIES.map((c) => t(`categories.${c}`));
  const categories = [...new Set([...usedCategories, ...defaults])].sort((a, b) => a.localeCompare(b));
  const totals = totalsByCurrency(expenses ?? []);

  return (
    <div className="expenses" data-testid="expenses-screen">
      <section className="panel" aria-labelledby="expenses-heading">
        <div className="section-head">
          <h2 id="expenses-heading">{t("list.heading")}</h2>
          <span className="spacer" />
          <div className="month-nav">
            <button
              type="button"
              className="icon"
              disabled={month === null}
              onClick={() => month && setMonth(shiftMonth(month, -1))}
              aria-label={t("list.previousMonth")}
              data-testid="expense-prev"
            >
              ‹
            </button>
            <span className="month-label" aria-live="polite" data-testid="expense-month">
              {month ? monthLabel(month) : "…"}
            </span>
            <button
              type="button"
              className="icon"
              disabled={month === null}
              onClick={() => month && setMonth(shiftMonth(month, 1))}
              aria-label={t("list.nextMonth")}
              data-testid="expense-next"
            >
              ›
            </button>
          </div>
        </div>
        {loadError && (
          <p className="error" role="alert" data-testid="expenses-load-error">
            {loadError}
          </p>
        )}
        {expenses === null ? (
          <p className="muted empty">{t("list.loading")}</p>
        ) : expenses.length === 0 ? (
          <p className="muted empty" data-testid="expenses-empty">
            {t("list.empty")}
          </p>
        ) : (
          <>
            <ul className="rows" data-testid="expense-list">
              {expenses.map((view) => (
                <ExpenseRow
                  key={view.expense.id}
                  view={view}
                  open={preview?.id === view.expense.id}
                  onReceipt={() => setPreview(view.expense)}
                />
              ))}
            </ul>
            <p className="expense-total" data-testid="expense-total">
              <span className="muted" title={t("list.totalOf", { count: expenses.length })}>
                {t("list.total")}
              </span>
              {totals.map((t) => (
                <span key={t.currency} className="total-amount">
                  {money(t)}
                </span>
              ))}
            </p>
          </>
        )}
      </section>

      {preview && <ReceiptPreview key={preview.id} expense={preview} onClose={() => setPreview(null)} />}

      {editable ? (
        <section className="panel" aria-labelledby="expense-add-heading">
          <AddExpenseForm today={today} projects={projects} categories={categories} defaultCurrency={currency} onAdded={added} />
        </section>
      ) : (
        <p className="notice small" data-testid="expenses-readonly">
          {t("list.readOnly", { reason: notAllowed(permissions) })}
        </p>
      )}
    </div>
  );
}

function ExpenseRow({ view, open, onReceipt }: { view: ExpenseView; open: boolean; onReceipt: () => void }) {
  const { t } = useTranslation("expenses", { keyPrefix: "row" });
  const e = view.expense;
  return (
    <li className="row expense-row" data-testid="expense-row">
      <span className="expense-date">{formatDate(e.date)}</span>
      <span className="row-main">
        <span className="row-name">{e.category || <span className="muted">{t("noCategory")}</span>}</span>
        {e.note && <span className="expense-note">{e.note}</span>}
        <span className="muted small">
          {view.project_name ?? t("noProject")} · {view.member_name}
        </span>
        {e.billable && <span className="badge">{t("billable")}</span>}
        {e.invoiced && <span className="badge">{t("invoiced")}</span>}
        {view.locked && <span className="badge">{t("locked")}</span>}
      </span>
      {e.receipt && (
        <button
          type="button"
          className="link"
          aria-pressed={open}
          aria-label={
            e.category
              ? t("receiptLabel", { file: e.receipt.file_name, category: e.category, date: e.date })
              : t("receiptLabelNoCategory", { file: e.receipt.file_name, date: e.date })
          }
          title={e.receipt.file_name}
          onClick={onReceipt}
          data-testid="expense-receipt"
        >
          {t("receipt")}
        </button>
      )}
      <span className="expense-amount">{money(e.amount)}</span>
    </li>
  );
}

/* Receipt preview */

function ReceiptPreview({ expense, onClose }: { expense: Expense; onClose: () => void }) {
  const { t } = useTranslation("expenses", { keyPrefix: "receipt" });
  const receipt = expense.receipt;
  const mediaType = receipt?.media_type ?? "";
  const isImage = mediaType.startsWith("image/");
  const [url, setUrl] = useState<string | null>(null);
  const [loading, setLoading] = useState(isImage);
  const [saved, setSaved] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!isImage) return;
    let current = true;
    let created: string | null = null;
    api.receipt(expense.id).then(
      (bytes) => {
        if (!current) return;
        created = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mediaType }));
        setUrl(created);
        setLoading(false);
      },
      (e: unknown) => {
        if (!current) return;
        setError(errorMessage(e));
        setLoading(false);
      },
    );
    return () => {
      current = false;
      if (created) URL.revokeObjectURL(created);
    };
  }, [expense.id, mediaType, isImage]);

  async function save() {
    setSaving(true);
    setError(null);
    try {
      setSaved(await api.saveReceipt(expense.id));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  if (!receipt) return null;
  return (
    <section className="panel receipt-preview" aria-labelledby="receipt-heading" data-testid="receipt-preview">
      <div className="section-head">
        <h2 id="receipt-heading">{t("heading")}</h2>
        <span className="muted small receipt-file">
          {receipt.file_name} · {fileSize(receipt.size)}
        </span>
        <span className="spacer" />
        <button
          type="button"
          disabled={saving}
          onClick={() => void save()}
          data-testid="receipt-save"
        >
          {t("save")}
        </button>
        <button type="button" onClick={onClose} aria-label={t("closeLabel")} data-testid="receipt-close">
          {t("close")}
        </button>
      </div>
      {isImage ? (
        loading ? (
          <p className="muted empty">{t("loading")}</p>
        ) : (
          url && <img className="receipt-image" src={url} alt={t("imageAlt", { file: receipt.file_name })} />
        )
      ) : (
        <p className="muted receipt-other">
          {t("cannotShow", { file: receipt.file_name, type: receipt.media_type, size: fileSize(receipt.size) })}
        </p>
      )}
      {saved && (
        <p className="notice small receipt-saved" data-testid="receipt-saved">
          {t("savedTo", { path: saved })}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="receipt-error">
          {error}
        </p>
      )}
    </section>
  );
}

/* Add form */

function AddExpenseForm({
  today,
  projects,
  categories,
  defaultCurrency,
  onAdded,
}: {
  today: string;
  projects: ProjectView[];
  categories: string[];
  /** The organization's currency, which an empty field stands for (`null` until known). */
  defaultCurrency: string | null;
  onAdded: (date: string) => void;
}) {
  const { t } = useTranslation("expenses", { keyPrefix: "add" });
  const [date, setDate] = useState(today);
  const [amount, setAmount] = useState("");
  const [currency, setCurrency] = useState("");
  const [category, setCategory] = useState("");
  const [project, setProject] = useState("");
  // Type to search: an agency's thousands of projects are no list to scroll.
  const projectOptions = useMemo<PickerOption[]>(
    () => projectPickerOptions(projects),
    [projects],
  );
  const [note, setNote] = useState("");
  const [billable, setBillable] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [fileKey, setFileKey] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const touchedDate = useRef(false);

  // Today arrives after the first render; fill it in unless a date was typed meanwhile.
  useEffect(() => {
    if (!touchedDate.current && today) setDate(today);
  }, [today]);

  function chooseFile(event: ChangeEvent<HTMLInputElement>) {
    const chosen = event.target.files?.[0] ?? null;
    if (chosen && chosen.size > MAX_RECEIPT_BYTES) {
      setFile(null);
      setFileKey((k) => k + 1);
      setError(t("receiptTooLarge", { file: chosen.name, size: fileSize(chosen.size) }));
      return;
    }
    setError(null);
    setFile(chosen);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const day = date.trim();
    const sum = parseDecimal(amount) ?? amount.trim();
    if (!isDate(day)) {
      setError(t("invalidDate", { example: formatDateInput("2026-11-01") }));
      return;
    }
    if (!isAmount(sum)) {
      setError(t("invalidAmount", { example: formatNumber(12.5, 2) }));
      return;
    }
    if (file && file.size > MAX_RECEIPT_BYTES) {
      setError(t("receiptOverLimit", { file: file.name }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const receipt = file
        ? { file_name: file.name, bytes: Array.from(new Uint8Array(await file.arrayBuffer())) }
        : null;
      const input: NewExpense = {
        member: null,
        date: day,
        amount: sum,
        currency: currency.trim() === "" ? null : currency.trim().toUpperCase(),
        category: category.trim(),
        note: note.trim(),
        billable,
        project: project || null,
        receipt,
      };
      await api.addExpense(input);
      touchedDate.current = false;
      setDate(today || day);
      setAmount("");
      setCurrency("");
      setCategory("");
      setProject("");
      setNote("");
      setBillable(false);
      setFile(null);
      setFileKey((k) => k + 1);
      onAdded(day);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="add-form" onSubmit={submit} aria-labelledby="expense-add-heading" noValidate data-testid="expense-form">
      <h3 id="expense-add-heading">{t("heading")}</h3>
      <div className="fields">
        <div className="field date">
          <label htmlFor="expense-date">{t("date")}</label>
          <DateField
            id="expense-date"
            value={date}
            onChange={(day) => {
              touchedDate.current = true;
              setDate(day);
            }}
            testId="expense-date"
          />
        </div>
        <div className="field narrow">
          <label htmlFor="expense-amount">{t("amount")}</label>
          <input
            id="expense-amount"
            value={amount}
            placeholder={formatNumber(12.5, 2)}
            inputMode="decimal"
            onChange={(e) => setAmount(e.target.value)}
            data-testid="expense-amount"
          />
        </div>
        <div className="field tiny">
          <label htmlFor="expense-currency">{t("currency")}</label>
          <input
            id="expense-currency"
            value={currency}
            maxLength={3}
            placeholder={defaultCurrency ?? ""}
            title={t("currencyTitle")}
            onChange={(e) => setCurrency(e.target.value)}
            data-testid="expense-currency"
          />
        </div>
        <div className="field">
          <label htmlFor="expense-category">{t("category")}</label>
          <input
            id="expense-category"
            value={category}
            list="expense-categories"
            onChange={(e) => setCategory(e.target.value)}
            data-testid="expense-category"
          />
          <datalist id="expense-categories">
            {categories.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="expense-project">{t("project")}</label>
          <Picker
            id="expense-project"
            testid="expense-project"
            options={projectOptions}
            value={project || null}
            onChange={(id) => setProject(id ?? "")}
            allowNone={t("noProject")}
            placeholder={t("noProject")}
          />
        </div>
      </div>
      <div className="fields">
        <div className="field grow">
          <label htmlFor="expense-note">{t("note")}</label>
          <input id="expense-note" value={note} onChange={(e) => setNote(e.target.value)} data-testid="expense-note" />
        </div>
        <div className="field">
          <label htmlFor="expense-receipt">{t("receipt")}</label>
          <input
            key={fileKey}
            id="expense-receipt"
            type="file"
            accept="image/*,application/pdf"
            onChange={chooseFile}
            data-testid="expense-receipt-file"
          />
        </div>
        <div className="field-check">
          <label className="check">
            <input
              type="checkbox"
              checked={billable}
              onChange={(e) => setBillable(e.target.checked)}
              data-testid="expense-billable"
            />
            {t("billable")}
          </label>
        </div>
        <button type="submit" className="primary" disabled={busy} data-testid="expense-add">
          {t("submit")}
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="expense-error">
          {error}
        </p>
      )}
    </form>
  );
}
