// What a draft says around its numbers: the language it is written in, and its subject, intro and
// closing (the organization's for that language, or its own). Issued invoices keep what they were
// issued with, so this is shown on drafts only.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { api } from "./api";
import type { InvoiceView } from "./bindings/InvoiceView";
import type { Language } from "./bindings/Language";

/** The languages an invoice can be written in; each is named in its own words (`languages.<code>`). */
export const LANGUAGES: Language[] = ["en", "de", "fr"];

type Props = {
  view: InvoiceView;
  busy: boolean;
  run: (action: () => Promise<InvoiceView | null>) => Promise<boolean>;
};

/** An edit that changes nothing but what is given. */
export const NO_EDIT = { add_lines: [], remove_lines: [], clear_discount: false, default_texts: false };

export function InvoiceLetter({ view, busy, run }: Props) {
  const { t } = useTranslation("invoices");
  const inv = view.invoice;
  const [subject, setSubject] = useState(view.texts.subject);
  const [intro, setIntro] = useState(view.texts.intro);
  const [closing, setClosing] = useState(view.texts.closing);
  const own = inv.texts !== null;
  const changed = subject !== view.texts.subject || intro !== view.texts.intro || closing !== view.texts.closing;

  function save(event: FormEvent) {
    event.preventDefault();
    void run(() =>
      api.editInvoice(inv.id, { ...NO_EDIT, texts: { language: view.language, subject, intro, closing } }),
    );
  }

  /** The language changes what the organization's texts are, so the fields follow the reply. */
  function follow(next: InvoiceView | null) {
    if (!next) return next;
    setSubject(next.texts.subject);
    setIntro(next.texts.intro);
    setClosing(next.texts.closing);
    return next;
  }

  return (
    <form className="invoice-letter" onSubmit={save} data-testid="invoice-letter">
      <div className="fields">
        <label className="field narrow">
          <span>{t("letter.language")}</span>
          <select
            value={view.language}
            disabled={busy}
            onChange={(e) =>
              void run(() => api.editInvoice(inv.id, { ...NO_EDIT, language: e.target.value as Language }).then(follow))
            }
            data-testid="invoice-language"
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {t(`languages.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field grow">
          <span>{t("letter.subject")}</span>
          <input value={subject} onChange={(e) => setSubject(e.target.value)} data-testid="invoice-subject" />
        </label>
      </div>
      <div className="fields">
        <label className="field grow">
          <span>{t("letter.intro")}</span>
          <textarea rows={2} value={intro} onChange={(e) => setIntro(e.target.value)} data-testid="invoice-intro" />
        </label>
        <label className="field grow">
          <span>{t("letter.closing")}</span>
          <textarea rows={2} value={closing} onChange={(e) => setClosing(e.target.value)} data-testid="invoice-closing" />
        </label>
      </div>
      <div className="fields">
        <p className="muted small grow" data-testid="invoice-texts-source">
          {own ? t("letter.ownTexts") : t("letter.organizationTexts")}
        </p>
        {own && (
          <button
            type="button"
            className="link"
            disabled={busy}
            onClick={() => void run(() => api.editInvoice(inv.id, { ...NO_EDIT, default_texts: true }).then(follow))}
            data-testid="invoice-texts-default"
          >
            {t("letter.useOrganizationTexts")}
          </button>
        )}
        <button type="submit" className="secondary" disabled={busy || !changed} data-testid="invoice-texts-save">
          {t("letter.save")}
        </button>
      </div>
    </form>
  );
}
