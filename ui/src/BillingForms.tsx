// Billing settings: who sends the invoices (address, VAT id, bank account), how they are numbered
// and taxed by default; and each client's billing address. The engine validates everything again
// (IBAN checksum, numbering pattern, VAT categories) and its message is shown with the form intact.
import { useEffect, useState, type FormEvent } from "react";

import { api, errorMessage } from "./api";
import type { BillingProfile } from "./bindings/BillingProfile";
import type { Client } from "./bindings/Client";
import type { ClientBilling } from "./bindings/ClientBilling";
import type { Party } from "./bindings/Party";
import type { Tax } from "./bindings/Tax";
import type { TaxCategory } from "./bindings/TaxCategory";
import type { TaxRate } from "./bindings/TaxRate";
import type { Language } from "./bindings/Language";
import { InvoiceTextsEditor, LegalFields } from "./BillingLetterFields";
import { formatPercent } from "./format";
import { LANGUAGES } from "./InvoiceLetter";

/** The invoice language of a locale such as "de-DE" (English for any other). */
export function languageOf(locale: string): Language {
  const primary = locale.split(/[-_]/)[0]?.toLowerCase();
  return primary === "de" || primary === "fr" ? primary : "en";
}

type PartyFieldsProps = {
  party: Party;
  onChange: (party: Party) => void;
  prefix: string;
  disabled: boolean;
  contact?: boolean;
};

/** Name, address, country, VAT id, e-mail (and for the seller a contact person and phone). */
function PartyFields({ party, onChange, prefix, disabled, contact = false }: PartyFieldsProps) {
  const text = (key: "name" | "street" | "postcode" | "city" | "country", label: string, className = "field") => (
    <label className={className}>
      <span>{label}</span>
      <input
        value={party[key]}
        disabled={disabled}
        onChange={(e) => onChange({ ...party, [key]: e.target.value })}
        data-testid={`${prefix}-${key}`}
      />
    </label>
  );
  const optional = (key: "vat_id" | "email" | "contact" | "phone", label: string) => (
    <label className="field">
      <span>{label}</span>
      <input
        value={party[key] ?? ""}
        disabled={disabled}
        onChange={(e) => onChange({ ...party, [key]: e.target.value === "" ? null : e.target.value })}
        data-testid={`${prefix}-${key.replace("_", "-")}`}
      />
    </label>
  );
  return (
    <>
      <div className="fields">
        {text("name", "Legal name", "field grow")}
        {text("street", "Street and number", "field grow")}
      </div>
      <div className="fields">
        {text("postcode", "Post code", "field narrow")}
        {text("city", "City")}
        {text("country", "Country (2 letters)", "field narrow")}
        {optional("vat_id", "VAT id")}
        {optional("email", "E-mail")}
      </div>
      {contact && (
        <div className="fields">
          {optional("contact", "Contact person")}
          {optional("phone", "Phone")}
        </div>
      )}
    </>
  );
}

/** The organization's billing profile. */
export function BillingSettings({ editable }: { editable: boolean }) {
  const [profile, setProfile] = useState<BillingProfile | null>(null);
  const [iban, setIban] = useState("");
  const [holder, setHolder] = useState("");
  const [bic, setBic] = useState("");
  const [taxPercent, setTaxPercent] = useState("");
  const [home, setHome] = useState<Language>("en");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.billingProfile().then(
      (p) => {
        setProfile(p);
        setIban(p.bank?.iban ?? "");
        setHolder(p.bank?.holder ?? "");
        setBic(p.bank?.bic ?? "");
        setTaxPercent(p.default_tax.percent);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
    api.organization().then(
      (org) => setHome(languageOf(org.locale)),
      () => {
        // English texts come first then.
      },
    );
  }, []);

  if (!profile) {
    return error ? (
      <p className="error" role="alert">
        {error}
      </p>
    ) : (
      <p className="muted">Loading…</p>
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!profile) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    const bank = iban.trim() === "" ? null : { holder, iban, bic: bic.trim() === "" ? null : bic };
    try {
      await api.saveBillingProfile({
        ...profile,
        bank,
        default_tax: { category: "standard", percent: taxPercent.trim() },
      });
      setProfile(await api.billingProfile());
      setSaved(true);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const disabled = !editable || busy;
  return (
    <form className="add-form" onSubmit={submit} data-testid="billing-settings">
      <h3>Your billing details</h3>
      <PartyFields
        party={profile.seller}
        onChange={(seller) => setProfile({ ...profile, seller })}
        prefix="seller"
        disabled={disabled}
        contact
      />
      <div className="fields">
        <label className="field">
          <span>Account holder</span>
          <input value={holder} disabled={disabled} onChange={(e) => setHolder(e.target.value)} data-testid="bank-holder" />
        </label>
        <label className="field grow">
          <span>IBAN</span>
          <input value={iban} disabled={disabled} onChange={(e) => setIban(e.target.value)} data-testid="bank-iban" />
        </label>
        <label className="field narrow">
          <span>BIC</span>
          <input value={bic} disabled={disabled} onChange={(e) => setBic(e.target.value)} data-testid="bank-bic" />
        </label>
      </div>
      <div className="fields">
        <label className="field grow">
          <span>Invoice numbers</span>
          <input
            value={profile.numbering.pattern}
            disabled={disabled}
            onChange={(e) => setProfile({ ...profile, numbering: { ...profile.numbering, pattern: e.target.value } })}
            aria-describedby="numbering-help"
            data-testid="numbering-pattern"
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={profile.numbering.yearly_reset}
            disabled={disabled}
            onChange={(e) =>
              setProfile({ ...profile, numbering: { ...profile.numbering, yearly_reset: e.target.checked } })
            }
          />
          <span>Restart every year</span>
        </label>
        <label className="field narrow">
          <span>Days to pay</span>
          <input
            type="number"
            min={0}
            max={365}
            value={profile.payment_days}
            disabled={disabled}
            onChange={(e) => setProfile({ ...profile, payment_days: Number(e.target.value) })}
            data-testid="payment-days"
          />
        </label>
        <label className="field narrow">
          <span>VAT %</span>
          <input value={taxPercent} disabled={disabled} inputMode="decimal" onChange={(e) => setTaxPercent(e.target.value)} data-testid="default-tax" />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={profile.tax_mode === "inclusive"}
            disabled={disabled}
            onChange={(e) => setProfile({ ...profile, tax_mode: e.target.checked ? "inclusive" : "exclusive" })}
          />
          <span>Prices include VAT</span>
        </label>
      </div>
      <p id="numbering-help" className="muted small">
        Tokens: {"{YYYY}"} {"{YY}"} {"{MM}"} {"{SEQ:4}"} {"{CLIENT}"}. Numbers are given when an invoice is issued, without gaps.
      </p>
      <TaxRatesEditor rates={profile.tax_rates} disabled={disabled} onChange={(tax_rates) => setProfile({ ...profile, tax_rates })} />
      <LegalFields legal={profile.legal} disabled={disabled} onChange={(legal) => setProfile({ ...profile, legal })} />
      <InvoiceTextsEditor texts={profile.texts} disabled={disabled} home={home} onChange={(texts) => setProfile({ ...profile, texts })} />
      {editable && (
        <button type="submit" disabled={busy} data-testid="billing-save">
          Save billing details
        </button>
      )}
      {saved && (
        <p className="notice small" role="status" data-testid="billing-saved">
          Saved.
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="billing-error">
          {error}
        </p>
      )}
    </form>
  );
}

/** Tax categories as people read them (EN 16931 codes in brackets). */
export const TAX_CATEGORIES: { value: TaxCategory; label: string }[] = [
  { value: "standard", label: "Standard rate (S)" },
  { value: "zero_rated", label: "Zero rated (Z)" },
  { value: "exempt", label: "Exempt (E)" },
  { value: "reverse_charge", label: "Reverse charge (AE)" },
  { value: "intra_community", label: "Intra-community supply (K)" },
  { value: "export", label: "Export outside the EU (G)" },
  { value: "outside_scope", label: "Outside the scope of VAT (O)" },
];

/** How a tax reads in a picker: "19 %" for a standard rate, else the category. */
export function taxLabel(tax: Tax): string {
  return tax.category === "standard"
    ? formatPercent(Number(tax.percent))
    : (TAX_CATEGORIES.find((c) => c.value === tax.category)?.label ?? tax.category);
}

/** The named rates offered when a line is added; saved with the profile, checked by the engine. */
function TaxRatesEditor({
  rates,
  disabled,
  onChange,
}: {
  rates: TaxRate[];
  disabled: boolean;
  onChange: (rates: TaxRate[]) => void;
}) {
  const set = (i: number, rate: TaxRate) => onChange(rates.map((r, j) => (j === i ? rate : r)));
  return (
    <fieldset className="tax-rates" data-testid="tax-rates">
      <legend>Tax rates to pick from</legend>
      {rates.length === 0 && <p className="muted small">Only the default VAT above. Add reduced rates or reverse charge here.</p>}
      {rates.map((rate, i) => (
        <div className="fields" key={i} data-testid="tax-rate-row">
          <label className="field grow">
            <span>Name</span>
            <input value={rate.name} disabled={disabled} onChange={(e) => set(i, { ...rate, name: e.target.value })} data-testid="tax-rate-name" />
          </label>
          <label className="field">
            <span>Category</span>
            <select
              value={rate.tax.category}
              disabled={disabled}
              onChange={(e) => {
                const category = e.target.value as TaxCategory;
                set(i, { ...rate, tax: { category, percent: category === "standard" ? rate.tax.percent || "19" : "0" } });
              }}
              data-testid="tax-rate-category"
            >
              {TAX_CATEGORIES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field narrow">
            <span>%</span>
            <input
              value={rate.tax.percent}
              inputMode="decimal"
              disabled={disabled || rate.tax.category !== "standard"}
              onChange={(e) => set(i, { ...rate, tax: { ...rate.tax, percent: e.target.value } })}
              data-testid="tax-rate-percent"
            />
          </label>
          {!disabled && (
            <button type="button" className="link danger" onClick={() => onChange(rates.filter((_, j) => j !== i))} aria-label={`Remove tax rate ${rate.name}`}>
              Remove
            </button>
          )}
        </div>
      ))}
      {!disabled && (
        <button
          type="button"
          className="secondary"
          onClick={() => onChange([...rates, { name: "", tax: { category: "standard", percent: "7" } }])}
          data-testid="tax-rate-add"
        >
          Add a tax rate
        </button>
      )}
    </fieldset>
  );
}

/** One client's billing address and references. */
export function ClientBillingForm({ editable }: { editable: boolean }) {
  const [clients, setClients] = useState<Client[]>([]);
  const [client, setClient] = useState("");
  const [details, setDetails] = useState<ClientBilling | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.clients().then(
      (list) => {
        setClients(list);
        setClient((c) => c || (list[0]?.id ?? ""));
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, []);

  useEffect(() => {
    if (!client) return;
    let current = true;
    setSaved(false);
    api.clientBilling(client).then(
      (d) => current && setDetails(d),
      (e: unknown) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [client]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!details) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await api.saveClientBilling(details);
      setSaved(true);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const disabled = !editable || busy;
  return (
    <form className="add-form" onSubmit={submit} data-testid="client-billing">
      <h3>Client billing details</h3>
      <div className="fields">
        <label className="field grow">
          <span>Client</span>
          <select value={client} onChange={(e) => setClient(e.target.value)} data-testid="client-billing-client">
            {clients.length === 0 && <option value="">No clients yet</option>}
            {clients.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {details && (
        <>
          <PartyFields party={details.buyer} onChange={(buyer) => setDetails({ ...details, buyer })} prefix="buyer" disabled={disabled} />
          <div className="fields">
            <label className="field narrow">
              <span>Number prefix</span>
              <input
                value={details.prefix}
                disabled={disabled}
                onChange={(e) => setDetails({ ...details, prefix: e.target.value })}
                data-testid="buyer-prefix"
              />
            </label>
            <label className="field">
              <span>Tax on its lines</span>
              <select
                value={details.tax?.category ?? ""}
                disabled={disabled}
                onChange={(e) => {
                  const category = e.target.value as TaxCategory | "";
                  setDetails({
                    ...details,
                    tax:
                      category === ""
                        ? null
                        : { category, percent: category === "standard" ? (details.tax?.category === "standard" ? details.tax.percent : "19") : "0" },
                  });
                }}
                data-testid="buyer-tax"
              >
                <option value="">The billing default</option>
                {TAX_CATEGORIES.map((t) => (
                  <option key={t.value} value={t.value}>
                    {t.label}
                  </option>
                ))}
              </select>
            </label>
            {details.tax?.category === "standard" && (
              <label className="field narrow">
                <span>VAT %</span>
                <input
                  value={details.tax.percent}
                  inputMode="decimal"
                  disabled={disabled}
                  onChange={(e) => setDetails({ ...details, tax: { category: "standard", percent: e.target.value } })}
                  data-testid="buyer-tax-percent"
                />
              </label>
            )}
            <label className="field narrow">
              <span>Invoice language</span>
              <select
                value={details.language ?? ""}
                disabled={disabled}
                onChange={(e) => setDetails({ ...details, language: e.target.value === "" ? null : (e.target.value as Language) })}
                data-testid="buyer-language"
              >
                <option value="">The organization's</option>
                {LANGUAGES.map((l) => (
                  <option key={l.value} value={l.value}>
                    {l.label}
                  </option>
                ))}
              </select>
            </label>
            <label className="field grow">
              <span>Buyer reference (Leitweg-ID)</span>
              <input
                value={details.buyer_reference ?? ""}
                disabled={disabled}
                onChange={(e) => setDetails({ ...details, buyer_reference: e.target.value === "" ? null : e.target.value })}
                data-testid="buyer-reference"
              />
            </label>
          </div>
          {editable && (
            <button type="submit" disabled={busy} data-testid="client-billing-save">
              Save client details
            </button>
          )}
        </>
      )}
      {saved && (
        <p className="notice small" role="status" data-testid="client-billing-saved">
          Saved.
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="client-billing-error">
          {error}
        </p>
      )}
    </form>
  );
}
