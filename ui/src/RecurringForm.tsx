// Start a recurring invoice: one typed line for a client, every week, month, quarter or year. The
// drafts appear in the list when they are due (the Invoices screen asks the engine on opening).
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { DateField } from "./DateField";
import { api, errorMessage } from "./api";
import { typedDecimal } from "./format";
import type { Client } from "./bindings/Client";
import type { Every } from "./bindings/Every";

/** How often a series makes a draft, by its key in the catalogue under `recurring.every`. */
const INTERVALS: { key: keyof (typeof import("./locales/en/invoices.json"))["recurring"]["every"]; every: Every }[] = [
  { key: "week", every: { unit: "weeks", count: 1 } },
  { key: "month", every: { unit: "months", count: 1 } },
  { key: "quarter", every: { unit: "months", count: 3 } },
  { key: "year", every: { unit: "months", count: 12 } },
];

export function RecurringForm({ onStarted }: { onStarted: () => void }) {
  const { t } = useTranslation("invoices", { keyPrefix: "recurring" });
  const [clients, setClients] = useState<Client[]>([]);
  const [client, setClient] = useState("");
  const [interval, setInterval] = useState(1);
  const [today, setToday] = useState("");
  const [start, setStart] = useState("");
  const [description, setDescription] = useState("");
  const [price, setPrice] = useState("");
  const [vat, setVat] = useState("19");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState(false);

  useEffect(() => {
    api.today().then(
      (day) => {
        setToday(day);
        setStart((s) => s || day);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
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
    setBusy(true);
    setError(null);
    setStarted(false);
    const rate = typedDecimal(vat);
    try {
      await api.addRecurring({
        client,
        every: INTERVALS[interval]?.every ?? { unit: "months", count: 1 },
        start: start || today,
        until: null,
        lines: [
          {
            description,
            detail: null,
            quantity: "1",
            unit: "lump_sum",
            unit_price: typedDecimal(price),
            discount: null,
            tax: rate === "" || Number(rate) === 0 ? { category: "exempt", percent: "0" } : { category: "standard", percent: rate },
          },
        ],
      });
      setStarted(true);
      setDescription("");
      setPrice("");
      onStarted();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="add-form" onSubmit={submit} data-testid="recurring-form">
      <h3>{t("heading")}</h3>
      <div className="fields">
        <label className="field">
          <span>{t("client")}</span>
          <select value={client} onChange={(e) => setClient(e.target.value)} data-testid="recurring-client">
            {clients.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field grow">
          <span>{t("line")}</span>
          <input value={description} onChange={(e) => setDescription(e.target.value)} data-testid="recurring-description" />
        </label>
        <label className="field narrow">
          <span>{t("price")}</span>
          <input value={price} inputMode="decimal" onChange={(e) => setPrice(e.target.value)} data-testid="recurring-price" />
        </label>
        <label className="field narrow">
          <span>{t("vatPercent")}</span>
          <input value={vat} inputMode="decimal" onChange={(e) => setVat(e.target.value)} data-testid="recurring-vat" />
        </label>
        <label className="field narrow">
          <span>{t("howOften")}</span>
          <select value={interval} onChange={(e) => setInterval(Number(e.target.value))} data-testid="recurring-every">
            {INTERVALS.map((i, n) => (
              <option key={i.key} value={n}>
                {t(`every.${i.key}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field narrow">
          <span>{t("firstOn")}</span>
          <DateField value={start} onChange={setStart} testId="recurring-start" />
        </label>
        <button type="submit" className="secondary" disabled={busy || !client || description.trim() === "" || price.trim() === ""} data-testid="recurring-add">
          {t("start")}
        </button>
      </div>
      {started && (
        <p className="notice small" role="status" data-testid="recurring-started">
          {t("started")}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="recurring-error">
          {error}
        </p>
      )}
    </form>
  );
}
