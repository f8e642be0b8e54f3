// The UI's words, in English and German. Each area of the app has its own catalogue
// (`locales/<language>/<area>.json`); the English ones are the source and are typed (i18next.d.ts),
// so a key that does not exist fails the type check, and a test holds the German ones to the same
// keys. Numbers, money, dates and durations are not here: format.ts writes them from the locale.
// The "document" namespace is the invoice PDF's labels, shared with the Rust renderer.
import i18next from "i18next";
import { initReactI18next } from "react-i18next";

import enApp from "./locales/en/app.json";
import enExpenses from "./locales/en/expenses.json";
import enInvoices from "./locales/en/invoices.json";
import enProjects from "./locales/en/projects.json";
import enReports from "./locales/en/reports.json";
import enSettings from "./locales/en/settings.json";
import enTrack from "./locales/en/track.json";
import deApp from "./locales/de/app.json";
import deExpenses from "./locales/de/expenses.json";
import deInvoices from "./locales/de/invoices.json";
import deProjects from "./locales/de/projects.json";
import deReports from "./locales/de/reports.json";
import deSettings from "./locales/de/settings.json";
import deTrack from "./locales/de/track.json";
// The invoice PDF's own words (crates/invoice-pdf/labels.json), so a screen about an invoice names
// its parts as the paper does.
import documentLabels from "../../crates/invoice-pdf/labels.json";

export const resources = {
  en: {
    app: enApp,
    expenses: enExpenses,
    invoices: enInvoices,
    projects: enProjects,
    reports: enReports,
    settings: enSettings,
    track: enTrack,
    document: documentLabels.en,
  },
  de: {
    app: deApp,
    expenses: deExpenses,
    invoices: deInvoices,
    projects: deProjects,
    reports: deReports,
    settings: deSettings,
    track: deTrack,
    document: documentLabels.de,
  },
} as const;

/** The languages the UI speaks, by their BCP 47 language subtag. */
export type UiLanguage = keyof typeof resources;
export const UI_LANGUAGES: readonly UiLanguage[] = ["en", "de"];

/** The UI language for a locale ("de-AT" → "de"); English for one the UI does not speak. */
export function uiLanguage(locale: string | undefined): UiLanguage {
  const language = (locale ?? "").split(/[-_]/)[0]?.toLowerCase();
  return UI_LANGUAGES.find((l) => l === language) ?? "en";
}

void i18next.use(initReactI18next).init({
  resources,
  lng: uiLanguage(typeof navigator === "undefined" ? undefined : navigator.language),
  fallbackLng: "en",
  ns: Object.keys(resources.en),
  defaultNS: "app",
  interpolation: { escapeValue: false }, // React escapes.
  returnNull: false,
  // The catalogues are bundled: ready before the first render.
  initAsync: false,
});

/** Speak the language of `locale` (the organization's, or the system's before one is open). */
export function setUiLanguage(locale: string | undefined): void {
  const language = uiLanguage(locale);
  if (i18next.language !== language) void i18next.changeLanguage(language);
  document.documentElement.lang = language;
}

export default i18next;
