// The parts of the billing profile that make an invoice a proper business letter: the seller's
// legal details (the footer of every invoice: register, managing directors, seat, tax number) and
// the subject, intro and closing new invoices start with, one set per language.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import { api, errorMessage } from "./api";
import type { InvoiceTexts } from "./bindings/InvoiceTexts";
import type { Language } from "./bindings/Language";
import type { SellerLegal } from "./bindings/SellerLegal";
import { LANGUAGES } from "./InvoiceLetter";

type LegalProps = { legal: SellerLegal; onChange: (legal: SellerLegal) => void; disabled: boolean };

/** The legal details, each with its label's key in the catalogue under `legal` and an example (the
 * German registers' own formats, the same in every language). */
const LEGAL_FIELDS: {
  key: Exclude<keyof SellerLegal, "small_business">;
  label: keyof (typeof import("./locales/en/invoices.json"))["legal"];
  placeholder: string;
  wide?: boolean;
}[] = [
  { key: "tax_number", label: "taxNumber", placeholder: "30/123/45678" },
  { key: "register_court", label: "registerCourt", placeholder: "Amtsgericht Berlin-Charlottenburg", wide: true },
  { key: "register_number", label: "registerNumber", placeholder: "HRB 123456 B" },
  { key: "managing_directors", label: "managingDirectors", placeholder: "Anna Schmidt, Jonas Weber", wide: true },
  { key: "seat", label: "seat", placeholder: "Berlin" },
  { key: "website", label: "website", placeholder: "example.com" },
];

/** The seller's legal details; any of them puts the DIN 5008 footer on every invoice. */
export function LegalFields({ legal, onChange, disabled }: LegalProps) {
  const { t } = useTranslation("invoices", { keyPrefix: "legal" });
  return (
    <fieldset className="legal-fields" data-testid="seller-legal">
      <legend>{t("legend")}</legend>
      <div className="fields">
        {LEGAL_FIELDS.map((f) => (
          <label key={f.key} className={f.wide ? "field grow" : "field"}>
            <span>{t(f.label)}</span>
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
        <span>{t("smallBusiness")}</span>
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
  const { t } = useTranslation("invoices");
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
      <legend>{t("texts.legend")}</legend>
      <div className="fields">
        <label className="field narrow">
          <span>{t("texts.language")}</span>
          <select value={language} onChange={(e) => setLanguage(e.target.value as Language)} data-testid="texts-language">
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {texts.some((x) => x.language === l)
                  ? t(`languages.${l}`)
                  : t("texts.languageNoneYet", { language: t(`languages.${l}`) })}
              </option>
            ))}
          </select>
        </label>
        <label className="field grow">
          <span>{t("texts.subject")}</span>
          <input
            value={current.subject}
            disabled={disabled}
            onChange={(e) => set({ subject: e.target.value })}
            data-testid="texts-subject"
          />
        </label>
        {!disabled && (
          <button type="button" className="link" onClick={() => void suggest()} data-testid="texts-suggest">
            {t("texts.suggest")}
          </button>
        )}
      </div>
      <div className="fields">
        <label className="field grow">
          <span>{t("texts.intro")}</span>
          <textarea rows={2} value={current.intro} disabled={disabled} onChange={(e) => set({ intro: e.target.value })} data-testid="texts-intro" />
        </label>
        <label className="field grow">
          <span>{t("texts.closing")}</span>
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
