// The parts of the billing profile that make an invoice a proper business letter: the seller's
// legal details (the footer of every invoice: register, managing directors, seat, tax number) and
// the subject, intro and closing new invoices start with, one set per language.
import { useEffect, useState } from "react";

import { api, errorMessage } from "./api";
import type { InvoiceTexts } from "./bindings/InvoiceTexts";
import type { Language } from "./bindings/Language";
import type { SellerLegal } from "./bindings/SellerLegal";
import { LANGUAGES } from "./InvoiceLetter";

type LegalProps = { legal: SellerLegal; onChange: (legal: SellerLegal) => void; disabled: boolean };

const LEGAL_FIELDS: { key: Exclude<keyof SellerLegal, "small_business">; label: string; placeholder: string; wide?: boolean }[] = [
  { key: "tax_number", label: "Tax number", placeholder: "30/123/45678" },
  { key: "register_court", label: "Register court", placeholder: "Amtsgericht Berlin-Charlottenburg", wide: true },
  { key: "register_number", label: "Register number", placeholder: "HRB 123456 B" },
  { key: "managing_directors", label: "Managing directors", placeholder: "Anna Schmidt, Jonas Weber", wide: true },
  { key: "seat", label: "Registered seat", placeholder: "Berlin" },
  { key: "website", label: "Website", placeholder: "example.com" },
];

/** The seller's legal details; any of them puts the DIN 5008 footer on every invoice. */
export function LegalFields({ legal, onChange, disabled }: LegalProps) {
  return (
    <fieldset className="legal-fields" data-testid="seller-legal">
      <legend>On every invoice's footer</legend>
      <div className="fields">
        {LEGAL_FIELDS.map((f) => (
          <label key={f.key} className={f.wide ? "field grow" : "field"}>
            <span>{f.label}</span>
            <input
              value={legal[f.key] ?? ""}
              placeholder={f.placeholder}
              disabled={disabled}
              onChange={(e) => onChange({ ...legal, [f.key]: e.target.value === "" ? null : e.target.value })}
              data-testid={`legal-${f.key.replace(/_/g, "-")}`}
            />
          </label>
        ))}
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={legal.small_business}
          disabled={disabled}
          onChange={(e) => onChange({ ...legal, small_business: e.target.checked })}
          data-testid="legal-small-business"
        />
        <span>Small business: no VAT charged (§ 19 UStG, art. 293 B CGI); exempt lines say so</span>
      </label>
    </fieldset>
  );
}

type TextsProps = {
  texts: InvoiceTexts[];
  onChange: (texts: InvoiceTexts[]) => void;
  disabled: boolean;
  /** The language shown first: the organization's. */
  home: Language;
};

/** Subject, intro and closing of new invoices, per language. */
export function InvoiceTextsEditor({ texts, onChange, disabled, home }: TextsProps) {
  const [language, setLanguage] = useState<Language>(home);
  // The organization's language may arrive after the form: show its texts first once it does.
  useEffect(() => setLanguage(home), [home]);
  const [error, setError] = useState<string | null>(null);
  const current = texts.find((t) => t.language === language) ?? { language, subject: "", intro: "", closing: "" };

  function set(change: Partial<InvoiceTexts>) {
    const next = { ...current, ...change };
    const rest = texts.filter((t) => t.language !== language);
    const empty = next.subject === "" && next.intro === "" && next.closing === "";
    onChange(empty ? rest : [...rest, next]);
  }

  async function suggest() {
    setError(null);
    try {
      const suggested = await api.suggestedInvoiceTexts(language);
      set({ intro: suggested.intro, closing: suggested.closing });
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <fieldset className="invoice-texts" data-testid="invoice-texts">
      <legend>Texts of new invoices</legend>
      <div className="fields">
        <label className="field narrow">
          <span>Language</span>
          <select value={language} onChange={(e) => setLanguage(e.target.value as Language)} data-testid="texts-language">
            {LANGUAGES.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
                {texts.some((t) => t.language === l.value) ? "" : " (none yet)"}
              </option>
            ))}
          </select>
        </label>
        <label className="field grow">
          <span>Subject</span>
          <input
            value={current.subject}
            disabled={disabled}
            onChange={(e) => set({ subject: e.target.value })}
            data-testid="texts-subject"
          />
        </label>
        {!disabled && (
          <button type="button" className="link" onClick={() => void suggest()} data-testid="texts-suggest">
            Suggest texts
          </button>
        )}
      </div>
      <div className="fields">
        <label className="field grow">
          <span>Before the lines</span>
          <textarea rows={2} value={current.intro} disabled={disabled} onChange={(e) => set({ intro: e.target.value })} data-testid="texts-intro" />
        </label>
        <label className="field grow">
          <span>After the payment details</span>
          <textarea rows={2} value={current.closing} disabled={disabled} onChange={(e) => set({ closing: e.target.value })} data-testid="texts-closing" />
        </label>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
