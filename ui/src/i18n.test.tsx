import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import i18n, { resources, setUiLanguage, uiLanguage } from "./i18n";
import { ShortcutSheet } from "./ShortcutSheet";

type Catalogue = { [key: string]: string | Catalogue };

/** Every key of a catalogue as a dotted path, with its text. */
function entries(catalogue: Catalogue, prefix = ""): [string, string][] {
  return Object.entries(catalogue).flatMap(([key, value]) =>
    typeof value === "string" ? [[`${prefix}${key}`, value] as [string, string]] : entries(value, `${prefix}${key}.`),
  );
}

/** The `{{placeholders}}` a text fills in. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1] ?? "").sort();
}

describe("the catalogues", () => {
  for (const ns of Object.keys(resources.en) as (keyof typeof resources.en)[]) {
    it(`German has every English key of "${ns}", and no other`, () => {
      const en = entries(resources.en[ns] as Catalogue).map(([k]) => k).sort();
      const de = entries(resources.de[ns] as Catalogue).map(([k]) => k).sort();
      expect(de).toEqual(en);
    });

    it(`no text of "${ns}" is empty, and German fills in what English does`, () => {
      const de = new Map(entries(resources.de[ns] as Catalogue));
      for (const [key, text] of entries(resources.en[ns] as Catalogue)) {
        expect(text.trim(), `en ${ns}:${key}`).not.toBe("");
        expect(de.get(key)?.trim(), `de ${ns}:${key}`).not.toBe("");
        expect(placeholders(de.get(key) ?? ""), `de ${ns}:${key}`).toEqual(placeholders(text));
      }
    });
  }
});

describe("the UI language", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("follows the locale's language and falls back to English", () => {
    expect(uiLanguage("de-AT")).toBe("de");
    expect(uiLanguage("de")).toBe("de");
    expect(uiLanguage("en-GB")).toBe("en");
    expect(uiLanguage("fr-FR")).toBe("en");
    expect(uiLanguage(undefined)).toBe("en");
    expect(uiLanguage("not a locale")).toBe("en");
  });

  it("changes what an open screen says", () => {
    render(<ShortcutSheet onClose={() => {}} />);
    expect(screen.getByRole("heading", { name: "Keyboard shortcuts" })).toBeTruthy();
    act(() => setUiLanguage("de-DE"));
    expect(screen.getByRole("heading", { name: "Tastenkürzel" })).toBeTruthy();
    expect(screen.getByText("Timer starten oder stoppen (ohne gewähltes Projekt: eines wählen)")).toBeTruthy();
    expect(document.documentElement.lang).toBe("de");
    expect(i18n.language).toBe("de");
  });
});
