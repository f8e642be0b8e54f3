// Start a recurring invoice: one typed line for a client, every week, month, quarter or year. The
// drafts appear in the list when they are due (the Invoices screen asks the engine on opening).
import { useEffect, useState, type FormEvent } from "react";

import { api, errorMessage } from "./api";
import type { Client } from "./bindings/Client";
import type { Every } from "./bindings/Every";

const INTERVALS: { label: string; every: Every }[] = [
  { label: "every week", every: { unit: "weeks", count: 1 } },
  { label: "every month", every: { unit: "months", count: 1 } },
  { label: "every quarter", every: { unit: "months", count: 3 } },
  { label: "every year", every: { unit: "months", count: 12 } },
];

export function RecurringForm({ onStarted }: { onStarted: () => void }) {
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
    const rate = vat.trim();
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
            unit_price: price.trim(),
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
      <h3>Recurring invoice</h3>
      <div className="fields">
        <label className="field">
          <span>Client</span>
          <select value={client} onChange={(e) => setClient(e.target.value)} data-testid="recurring-client">
            {clients.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field grow">
          <span>Line</span>
          <input value={description} onChange={(e) => setDescription(e.target.value)} data-testid="recurring-description" />
        </label>
        <label className="field narrow">
          <span>Price</span>
          <input value={price} inputMode="decimal" onChange={(e) => setPrice(e.target.value)} data-testid="recurring-price" />
        </label>
        <label className="field narrow">
          <span>VAT %</span>
          <input value={vat} inputMode="decimal" onChange={(e) => setVat(e.target.value)} data-testid="recurring-vat" />
        </label>
        <label className="field narrow">
          <span>How often</span>
          <select value={interval} onChange={(e) => setInterval(Number(e.target.value))} data-testid="recurring-every">
            {INTERVALS.map((i, n) => (
              <option key={i.label} value={n}>
                {i.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field narrow">
          <span>First on</span>
          <input type="date" value={start} onChange={(e) => setStart(e.target.value)} data-testid="recurring-start" />
        </label>
        <button type="submit" className="secondary" disabled={busy || !client || description.trim() === "" || price.trim() === ""} data-testid="recurring-add">
          Start
        </button>
      </div>
      {started && (
        <p className="notice small" role="status" data-testid="recurring-started">
          Started. Drafts appear here when they are due.
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
