import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import type { BillingProfile } from "./bindings/BillingProfile";
import type { Client } from "./bindings/Client";
import type { ClientBilling } from "./bindings/ClientBilling";
import { BillingSettings, ClientBillingForm, languageOf } from "./BillingForms";
import { setUiLanguage } from "./i18n";
import { eventually } from "./test/eventually";

const PROFILE: BillingProfile = {
  id: "01JBILLING0000000000000000",
  seller: {
    name: "Nordlicht Studio GmbH",
    street: "Torstraße 1",
    postcode: "10119",
    city: "Berlin",
    country: "DE",
    vat_id: "DE123456789",
    email: null,
    contact: null,
    phone: null,
  },
  bank: null,
  numbering: { pattern: "RE-{YYYY}-{SEQ:3}", yearly_reset: true, per_client: false },
  payment_days: 14,
  default_tax: { category: "standard", percent: "19" },
  tax_mode: "exclusive",
  tax_rounding: "per_document",
  tax_rates: [],
  legal: { tax_number: null, register_court: null, register_number: null, managing_directors: null, seat: null, website: null, small_business: false },
  texts: [],
};

const CLIENT: Client = { id: "01JCLIENT00000000000000001", name: "Donau Digital", currency: null, rounding: null, note: "", archived: false };

/** The billing commands behind mockIPC; what is saved is recorded. */
function fakeEngine() {
  const saved: unknown[] = [];
  mockIPC((cmd, args) => {
    const a = args as Record<string, unknown>;
    switch (cmd) {
      case "billing_profile":
        return structuredClone(PROFILE);
      case "organization":
        return { locale: "de-DE" };
      case "suggested_invoice_texts":
        return a.language === "de"
          ? { language: "de", subject: "", intro: "vielen Dank für Ihren Auftrag.", closing: "Mit freundlichen Grüßen" }
          : { language: a.language, subject: "", intro: "Thank you.", closing: "Kind regards" };
      case "save_billing_profile":
      case "save_client_billing":
        saved.push([cmd, a.profile ?? a.details]);
        return null;
      case "clients":
        return [CLIENT];
      case "client_billing": {
        const details: ClientBilling = {
          id: "01JBILLING0000000000000001",
          client: CLIENT.id,
          buyer: { ...PROFILE.seller, name: "Donau Digital GmbH", country: "AT", vat_id: "ATU12345678" },
          prefix: "",
          payment_days: null,
          tax: null,
          buyer_reference: null,
          language: null,
        };
        return details;
      }
      default:
        throw `unexpected ${cmd}`;
    }
  });
  return { saved };
}

describe("BillingSettings", () => {
  it("saves the legal details of the footer and the texts of new invoices per language", async () => {
    const engine = fakeEngine();
    const user = userEvent.setup();
    render(<BillingSettings editable />);

    const legal = await screen.findByTestId("seller-legal");
    await user.type(within(legal).getByTestId("legal-register-court"), "Amtsgericht Berlin-Charlottenburg");
    await user.type(within(legal).getByTestId("legal-register-number"), "HRB 123456 B");
    await user.type(within(legal).getByTestId("legal-managing-directors"), "Anna Schmidt");
    await user.click(within(legal).getByTestId("legal-small-business"));

    // The organization writes German: its texts come first, filled from the suggestion.
    const texts = screen.getByTestId("invoice-texts");
    await eventually(() => expect((within(texts).getByTestId("texts-language") as HTMLSelectElement).value).toBe("de"));
    await user.click(within(texts).getByTestId("texts-suggest"));
    await eventually(() =>
      expect((within(texts).getByTestId("texts-intro") as HTMLTextAreaElement).value).toBe("vielen Dank für Ihren Auftrag."),
    );
    await user.type(within(texts).getByTestId("texts-subject"), "Website-Relaunch");
    // English texts are a set of their own.
    await user.selectOptions(within(texts).getByTestId("texts-language"), "en");
    expect((within(texts).getByTestId("texts-subject") as HTMLInputElement).value).toBe("");
    await user.type(within(texts).getByTestId("texts-closing"), "Best");

    await user.click(screen.getByTestId("billing-save"));
    await eventually(() => expect(engine.saved).toHaveLength(1));
    const [command, profile] = engine.saved[0] as [string, BillingProfile];
    expect(command).toBe("save_billing_profile");
    expect(profile.legal).toEqual({
      tax_number: null,
      register_court: "Amtsgericht Berlin-Charlottenburg",
      register_number: "HRB 123456 B",
      managing_directors: "Anna Schmidt",
      seat: null,
      website: null,
      small_business: true,
    });
    expect(profile.texts).toEqual([
      { language: "de", subject: "Website-Relaunch", intro: "vielen Dank für Ihren Auftrag.", closing: "Mit freundlichen Grüßen" },
      { language: "en", subject: "", intro: "", closing: "Best" },
    ]);
  });
});

describe("ClientBillingForm", () => {
  it("saves a client's invoice language and its tax", async () => {
    const engine = fakeEngine();
    const user = userEvent.setup();
    render(<ClientBillingForm editable />);

    const language = (await screen.findByTestId("buyer-language")) as HTMLSelectElement;
    expect(language.value).toBe("");
    await user.selectOptions(language, "de");
    await user.selectOptions(screen.getByTestId("buyer-tax"), "reverse_charge");
    expect(screen.queryByTestId("buyer-tax-percent")).toBeNull();
    await user.click(screen.getByTestId("client-billing-save"));
    await eventually(() => expect(engine.saved).toHaveLength(1));
    const [, details] = engine.saved[0] as [string, ClientBilling];
    expect(details.language).toBe("de");
    expect(details.tax).toEqual({ category: "reverse_charge", percent: "0" });

    // A standard rate of its own asks for the percentage.
    await user.selectOptions(screen.getByTestId("buyer-tax"), "standard");
    const percent = screen.getByTestId("buyer-tax-percent") as HTMLInputElement;
    expect(percent.value).toBe("19");
  });
});

describe("languageOf", () => {
  it("takes the language of a locale, English for the rest", () => {
    expect(languageOf("de-AT")).toBe("de");
    expect(languageOf("fr_CH")).toBe("fr");
    expect(languageOf("es-ES")).toBe("en");
    expect(languageOf("")).toBe("en");
  });
});

describe("billing forms in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("name the fields as the invoice PDF does, and each language in its own words", async () => {
    act(() => setUiLanguage("de-DE"));
    fakeEngine();
    const user = userEvent.setup();
    render(<BillingSettings editable />);

    expect(await screen.findByRole("heading", { name: "Ihre Rechnungsdaten" })).toBeTruthy();
    for (const label of ["Name / Firma", "PLZ", "USt-IdNr.", "Kontoinhaber", "Zahlungsziel (Tage)", "Steuernummer", "Registergericht", "Geschäftsführung", "Sitz"]) {
      expect(screen.getByLabelText(label), label).toBeTruthy();
    }
    expect(screen.getByText("Steuersätze zur Auswahl")).toBeTruthy();
    expect(screen.getByText(/^Platzhalter: \{YYYY\} \{YY\} \{MM\} \{SEQ:4\} \{CLIENT\}\. Nummern werden/)).toBeTruthy();
    expect(screen.getByTestId("billing-save").textContent).toBe("Rechnungsdaten speichern");

    // No texts yet in any language: each says so, and is named in its own words.
    const texts = screen.getByTestId("invoice-texts");
    expect([...(within(texts).getByTestId("texts-language") as HTMLSelectElement).options].map((o) => o.textContent)).toEqual([
      "English (noch keine)",
      "Deutsch (noch keine)",
      "Français (noch keine)",
    ]);

    await user.click(screen.getByTestId("tax-rate-add"));
    expect([...(screen.getByTestId("tax-rate-category") as HTMLSelectElement).options].map((o) => o.textContent)).toEqual([
      "Regelsteuersatz (S)",
      "Nullsatz (Z)",
      "Steuerbefreit (E)",
      "Steuerschuldnerschaft des Leistungsempfängers (AE)",
      "Innergemeinschaftliche Lieferung (K)",
      "Ausfuhr außerhalb der EU (G)",
      "Nicht steuerbar (O)",
    ]);
    await user.type(screen.getByTestId("tax-rate-name"), "Ermäßigt");
    expect(screen.getByRole("button", { name: "Steuersatz Ermäßigt entfernen" }).textContent).toBe("Entfernen");
  });

  it("the client's form too", async () => {
    act(() => setUiLanguage("de-DE"));
    fakeEngine();
    render(<ClientBillingForm editable />);
    const language = (await screen.findByTestId("buyer-language")) as HTMLSelectElement;
    expect([...language.options].map((o) => o.textContent)).toEqual(["Wie die Organisation", "English", "Deutsch", "Français"]);
    expect(screen.getByRole("heading", { name: "Rechnungsdaten des Kunden" })).toBeTruthy();
    expect(screen.getByLabelText("Käuferreferenz (Leitweg-ID)")).toBeTruthy();
    expect((screen.getByTestId("buyer-tax") as HTMLSelectElement).options[0]?.textContent).toBe("Wie in den Rechnungseinstellungen");
    expect(screen.getByTestId("client-billing-save").textContent).toBe("Kundendaten speichern");
  });
});
