// Billing settings: who sends the invoices (address, VAT id, bank account), how they are numbered
// and taxed by default; and each client's billing address. The engine validates everything again
// (IBAN checksum, numbering pattern, VAT categories) and its message is shown with the form intact.
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

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
import { formatPercent, typedDecimal } from "./format";
import i18n from "./i18n";
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
  const { t } = useTranslation("invoices", { keyPrefix: "party" });
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
        {text("name", t("name"), "field grow")}
        {text("street", t("street"), "field grow")}
      </div>
      <div className="fields">
        {text("postcode", t("postcode"), "field narrow")}
        {text("city", t("city"))}
        {text("country", t("country"), "field narrow")}
        {optional("vat_id", t("vatId"))}
        {optional("email", t("email"))}
      </div>
      {contact && (
        <div className="fields">
          {optional("contact", t("contact"))}
          {optional("phone", t("phone"))}
        </div>
      )}
    </>
  );
}

/** The organization's billing profile. */
export function BillingSettings({ editable }: { editable: boolean }) {
  const { t } = useTranslation("invoices", { keyPrefix: "billingSettings" });
  const { t: paper } = useTranslation("document");
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
      <p className="muted">{t("loading")}</p>
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
        default_tax: { category: "standard", percent: typedDecimal(taxPercent) },
        tax_rates: profile.tax_rates.map((rate) => ({ ...rate, tax: { ...rate.tax, percent: typedDecimal(rate.tax.percent) } })),
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
      <h3>{t("heading")}</h3>
      <PartyFields
        party={profile.seller}
        onChange={(seller) => setProfile({ ...profile, seller })}
        prefix="seller"
        disabled={disabled}
        contact
      />
      <div className="fields">
        <label className="field">
          <span>{paper("account_holder")}</span>
          <input value={holder} disabled={disabled} onChange={(e) => setHolder(e.target.value)} data-testid="bank-holder" />
        </label>
        <label className="field grow">
          <span>{t("iban")}</span>
          <input value={iban} disabled={disabled} onChange={(e) => setIban(e.target.value)} data-testid="bank-iban" />
        </label>
        <label className="field narrow">
          <span>{t("bic")}</span>
          <input value={bic} disabled={disabled} onChange={(e) => setBic(e.target.value)} data-testid="bank-bic" />
        </label>
      </div>
      <div className="fields">
        <label className="field grow">
          <span>{t("numbering")}</span>
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
          <span>{t("yearlyReset")}</span>
        </label>
        <label className="field narrow">
          <span>{t("paymentDays")}</span>
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
          <span>{t("vatPercent")}</span>
          <input value={taxPercent} disabled={disabled} inputMode="decimal" onChange={(e) => setTaxPercent(e.target.value)} data-testid="default-tax" />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={profile.tax_mode === "inclusive"}
            disabled={disabled}
            onChange={(e) => setProfile({ ...profile, tax_mode: e.target.checked ? "inclusive" : "exclusive" })}
          />
          <span>{t("pricesIncludeVat")}</span>
        </label>
      </div>
      <p id="numbering-help" className="muted small">
        {t("numberingHelp", { tokens: "{YYYY} {YY} {MM} {SEQ:4} {CLIENT}" })}
      </p>
      <TaxRatesEditor rates={profile.tax_rates} disabled={disabled} onChange={(tax_rates) => setProfile({ ...profile, tax_rates })} />
      <LegalFields legal={profile.legal} disabled={disabled} onChange={(legal) => setProfile({ ...profile, legal })} />
      <InvoiceTextsEditor texts={profile.texts} disabled={disabled} home={home} onChange={(texts) => setProfile({ ...profile, texts })} />
      {editable && (
        <button type="submit" disabled={busy} data-testid="billing-save">
          {t("save")}
        </button>
      )}
      {saved && (
        <p className="notice small" role="status" data-testid="billing-saved">
          {t("saved")}
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

/** Tax categories, each with its key in the catalogue under `taxCategories` (where people read
 * them, with the EN 16931 codes in brackets). */
export const TAX_CATEGORIES: { value: TaxCategory; key: keyof (typeof import("./locales/en/invoices.json"))["taxCategories"] }[] = [
  { value: "standard", key: "standard" },
  { value: "zero_rated", key: "zeroRated" },
  { value: "exempt", key: "exempt" },
  { value: "reverse_charge", key: "reverseCharge" },
  { value: "intra_community", key: "intraCommunity" },
  { value: "export", key: "export" },
  { value: "outside_scope", key: "outsideScope" },
];

/** A tax category as people read it, in the UI's language (called when drawn). */
export function taxCategoryLabel(category: TaxCategory): string {
  const key = TAX_CATEGORIES.find((c) => c.value === category)?.key;
  return key ? i18n.t(`taxCategories.${key}`, { ns: "invoices" }) : category;
}

/** How a tax reads in a picker: "19 %" for a standard rate, else the category. */
export function taxLabel(tax: Tax): string {
  return tax.category === "standard" ? formatPercent(Number(tax.percent)) : taxCategoryLabel(tax.category);
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
  const { t } = useTranslation("invoices", { keyPrefix: "taxRates" });
  const set = (i: number, rate: TaxRate) => onChange(rates.map((r, j) => (j === i ? rate : r)));
  return (
    <fieldset className="tax-rates" data-testid="tax-rates">
      <legend>{t("legend")}</legend>
      {rates.length === 0 && <p className="muted small">{t("none")}</p>}
      {rates.map((rate, i) => (
        <div className="fields" key={i} data-testid="tax-rate-row">
          <label className="field grow">
            <span>{t("name")}</span>
            <input value={rate.name} disabled={disabled} onChange={(e) => set(i, { ...rate, name: e.target.value })} data-testid="tax-rate-name" />
          </label>
          <label className="field">
            <span>{t("category")}</span>
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
                  {taxCategoryLabel(c.value)}
                </option>
              ))}
            </select>
          </label>
          <label className="field narrow">
            <span>{t("percent")}</span>
            <input
              value={rate.tax.percent}
              inputMode="decimal"
              disabled={disabled || rate.tax.category !== "standard"}
              onChange={(e) => set(i, { ...rate, tax: { ...rate.tax, percent: e.target.value } })}
              data-testid="tax-rate-percent"
            />
          </label>
          {!disabled && (
            <button type="button" className="link danger" onClick={() => onChange(rates.filter((_, j) => j !== i))} aria-label={t("removeRate", { name: rate.name })}>
              {t("remove")}
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
          {t("add")}
        </button>
      )}
    </fieldset>
  );
}

/** One client's billing address and references. */
export function ClientBillingForm({ editable }: { editable: boolean }) {
  const { t } = useTranslation("invoices", { keyPrefix: "clientBilling" });
  const { t: tInvoices } = useTranslation("invoices");
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
      const tax = details.tax && { ...details.tax, percent: typedDecimal(details.tax.percent) };
      await api.saveClientBilling({ ...details, tax });
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
      <h3>{t("heading")}</h3>
      <div className="fields">
        <label className="field grow">
          <span>{t("client")}</span>
          <select value={client} onChange={(e) => setClient(e.target.value)} data-testid="client-billing-client">
            {clients.length === 0 && <option value="">{t("noClients")}</option>}
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
              <span>{t("prefix")}</span>
              <input
                value={details.prefix}
                disabled={disabled}
                onChange={(e) => setDetails({ ...details, prefix: e.target.value })}
                data-testid="buyer-prefix"
              />
            </label>
            <label className="field">
              <span>{t("tax")}</span>
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
                <option value="">{t("taxDefault")}</option>
                {TAX_CATEGORIES.map((c) => (
                  <option key={c.value} value={c.value}>
                    {taxCategoryLabel(c.value)}
                  </option>
                ))}
              </select>
            </label>
            {details.tax?.category === "standard" && (
              <label className="field narrow">
                <span>{t("vatPercent")}</span>
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
              <span>{t("language")}</span>
              <select
                value={details.language ?? ""}
                disabled={disabled}
                onChange={(e) => setDetails({ ...details, language: e.target.value === "" ? null : (e.target.value as Language) })}
                data-testid="buyer-language"
              >
                <option value="">{t("languageDefault")}</option>
                {LANGUAGES.map((l) => (
                  <option key={l} value={l}>
                    {tInvoices(`languages.${l}`)}
                  </option>
                ))}
              </select>
            </label>
            <label className="field grow">
              <span>{t("buyerReference")}</span>
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
              {t("save")}
            </button>
          )}
        </>
      )}
      {saved && (
        <p className="notice small" role="status" data-testid="client-billing-saved">
          {t("saved")}
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
