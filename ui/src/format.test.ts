import { afterEach, describe, expect, it } from "vitest";

import {
  formatDate,
  formatDateInput,
  formatDuration,
  formatMoney,
  formatNumber,
  formatPercent,
  formatPeriod,
  formatSettings,
  formatTime,
  parseDateInput,
  parseDecimal,
  preview,
  setFormat,
  twelveHours,
  typedDecimal,
  type FormatSettings,
} from "./format";
import { hours, money } from "./time";

const at = (locale: string, durationStyle: FormatSettings["durationStyle"] = "clock"): FormatSettings => ({ locale, durationStyle });
// 14:30 in Berlin on Tuesday 1 December 2026.
const INSTANT = "2026-12-01T13:30:00Z";
// ICU versions differ in which no-break space they put where (U+00A0 or U+202F): compared as
// plain spaces, the rest exactly.
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

afterEach(() => setFormat({ locale: undefined, durationStyle: "clock" }));

describe("format, per locale", () => {
  it("writes money as each locale does", () => {
    const amount = { amount: "1234.5", currency: "EUR" };
    expect(plain(formatMoney(amount, at("en-US")))).toBe("€1,234.50");
    expect(plain(formatMoney(amount, at("en-GB")))).toBe("€1,234.50");
    expect(plain(formatMoney(amount, at("de-DE")))).toBe(`1.234,50 €`);
    expect(plain(formatMoney(amount, at("fr-FR")))).toBe(`1 234,50 €`);
  });

  it("writes dates and times of day as each locale does, 12 or 24 hours", () => {
    expect(formatDate("2026-12-01", at("en-US"))).toBe("Dec 1, 2026");
    expect(formatDate("2026-12-01", at("en-GB"))).toBe("1 Dec 2026");
    expect(formatDate("2026-12-01", at("de-DE"))).toBe("01.12.2026");
    expect(formatDate("2026-12-01", at("fr-FR"))).toBe("1 déc. 2026");
    expect(plain(formatTime(INSTANT, "Europe/Berlin", at("en-US")))).toBe(`2:30 PM`);
    expect(plain(formatTime(INSTANT, "Europe/Berlin", at("en-GB")))).toBe("14:30");
    expect(plain(formatTime(INSTANT, "Europe/Berlin", at("de-DE")))).toBe("14:30");
    expect(plain(formatTime(INSTANT, "Europe/Berlin", at("fr-FR")))).toBe("14:30");
    expect(twelveHours(at("en-US"))).toBe(true);
    expect(twelveHours(at("de-DE"))).toBe(false);
  });

  it("writes durations in the chosen style, decimals with the locale's separator", () => {
    expect(formatDuration(5400, at("en-US"))).toBe("1:30");
    expect(formatDuration(6000, at("de-DE"))).toBe("1:40");
    expect(formatDuration(5400, at("en-GB", "decimal"))).toBe("1.50");
    expect(formatDuration(6000, at("de-DE", "decimal"))).toBe("1,67");
    expect(formatDuration(6000, at("fr-FR", "decimal"))).toBe("1,67");
    expect(formatDuration(-5, at("en-US"))).toBe("0:00");
  });

  it("names days, weeks and months of a report in the locale", () => {
    expect(formatPeriod("day", "2026-12-04", at("de-DE"))).toBe("04.12.2026");
    expect(formatPeriod("week", "2026-11-30", at("en-GB"))).toBe("Week of 30 Nov 2026");
    expect(formatPeriod("month", "2026-12-01", at("en-US"))).toBe("Dec 2026");
    expect(formatPeriod("month", "2026-12-01", at("de-DE"))).toBe("Dez. 2026");
    expect(formatPeriod("month", "2026-12-01", at("fr-FR"))).toBe("déc. 2026");
  });

  it("writes percentages as each locale does", () => {
    expect(plain(formatPercent(19, at("en-US")))).toBe("19%");
    expect(plain(formatPercent(19, at("de-DE")))).toBe(`19 %`);
    expect(plain(formatPercent(7.5, at("fr-FR")))).toBe(`7,5 %`);
  });

  it("previews a setting in one line", () => {
    expect(plain(preview(at("de-DE"), "Europe/Berlin", INSTANT))).toBe(`Di., 1. Dez. 2026 · 14:30 · 1.234,50 € · 1:30 h`);
    expect(plain(preview(at("en-US", "decimal"), "America/New_York", INSTANT))).toBe(`Tue, Dec 1, 2026 · 8:30 AM · €1,234.50 · 1.50 h`);
  });
});

describe("days typed into date fields", () => {
  it("writes a day with digits in each locale's order", () => {
    expect(formatDateInput("2026-12-05", at("en-US"))).toBe("12/05/2026");
    expect(formatDateInput("2026-12-05", at("en-GB"))).toBe("05/12/2026");
    expect(formatDateInput("2026-12-05", at("de-DE"))).toBe("05.12.2026");
    expect(formatDateInput("2026-12-05", at("fr-FR"))).toBe("05/12/2026");
  });

  it("reads a day typed the locale's way, or as ISO anywhere", () => {
    expect(parseDateInput("05.12.2026", at("de-DE"))).toBe("2026-12-05");
    expect(parseDateInput("5.12.26", at("de-DE"))).toBe("2026-12-05");
    expect(parseDateInput("5.12.2026.", at("de-DE"))).toBe("2026-12-05");
    expect(parseDateInput("12/5/2026", at("en-US"))).toBe("2026-12-05");
    expect(parseDateInput("5/12/2026", at("en-GB"))).toBe("2026-12-05");
    expect(parseDateInput("05/12/2026", at("fr-FR"))).toBe("2026-12-05");
    expect(parseDateInput(" 2026-12-05 ", at("de-DE"))).toBe("2026-12-05");
    for (const locale of ["en-US", "en-GB", "de-DE", "fr-FR"]) {
      const day = "2026-02-28";
      expect(parseDateInput(formatDateInput(day, at(locale)), at(locale)), locale).toBe(day);
    }
  });

  it("refuses what is not a real day", () => {
    for (const text of ["", "31.02.2026", "2026-02-30", "13/13/2026", "05.12", "5.12.202", "05.12/2026", "heute", "2026/12/05x"]) {
      expect(parseDateInput(text, at("de-DE")), text).toBeNull();
    }
    // The same digits mean another day, or none, in another order.
    expect(parseDateInput("12/25/2026", at("en-GB"))).toBeNull();
    expect(parseDateInput("12/25/2026", at("en-US"))).toBe("2026-12-25");
  });
});

describe("numbers typed into amount fields", () => {
  it("reads each locale's own way of writing a number", () => {
    expect(parseDecimal("1,234.50", at("en-US"))).toBe("1234.50");
    expect(parseDecimal("1.234,50", at("de-DE"))).toBe("1234.50");
    expect(parseDecimal("1 234,50", at("fr-FR"))).toBe("1234.50");
    expect(parseDecimal("1\u202f234,50", at("fr-FR"))).toBe("1234.50");
    expect(parseDecimal("12,5", at("de-DE"))).toBe("12.5");
    expect(parseDecimal("142,50", at("fr-FR"))).toBe("142.50");
    expect(parseDecimal("95", at("de-DE"))).toBe("95");
  });

  it("takes a point or a comma before the decimals in every locale, except where it groups thousands", () => {
    expect(parseDecimal("12.50", at("de-DE"))).toBe("12.50");
    expect(parseDecimal("12,5", at("en-US"))).toBe("12.5");
    expect(parseDecimal(".5", at("en-GB"))).toBe("0.5");
    expect(parseDecimal("1.500", at("de-DE"))).toBe("1500");
    expect(parseDecimal("1,500", at("en-US"))).toBe("1500");
    expect(parseDecimal("1.500", at("en-US"))).toBe("1.500");
    expect(parseDecimal("1,500", at("de-DE"))).toBe("1.500");
  });

  it("keeps a minus and refuses what is not a number", () => {
    expect(parseDecimal("-5,25", at("de-DE"))).toBe("-5.25");
    expect(parseDecimal("\u22125.25", at("en-US"))).toBe("-5.25");
    for (const text of ["", "-", "12.", "1,2,3", "1.234.5", "12a", "€12", "1.234,5.6"]) {
      expect(parseDecimal(text, at("de-DE")), text).toBeNull();
    }
  });

  it("sends what it cannot read as typed, so the engine's message names it", () => {
    expect(typedDecimal(" 12,50 ", at("de-DE"))).toBe("12.50");
    expect(typedDecimal(" twelve ", at("de-DE"))).toBe("twelve");
  });
});

describe("the screens' helpers follow the organization's settings", () => {
  it("money and durations change when the organization does", () => {
    setFormat({ locale: "de-DE", durationStyle: "decimal" });
    expect(plain(money({ amount: "95", currency: "EUR" }))).toBe("95,00 €");
    expect(hours(5400)).toBe("1,50");
    setFormat({ locale: "en-GB", durationStyle: "clock" });
    expect(money({ amount: "95", currency: "EUR" })).toBe("€95.00");
    expect(hours(5400)).toBe("1:30");
  });

  it("falls back to the system's locale for a tag Intl does not take", () => {
    setFormat({ locale: "not a locale", durationStyle: "clock" });
    expect(formatSettings().locale).toBeUndefined();
  });
});

// The strings the PDFs and the CLI write (crates/locale, through ICU4X) for the same values: the
// screens must write exactly the same, so a locale reads alike on the screen, the invoice and in
// the terminal. crates/locale/tests/vectors.rs checks the Rust side against this file.
import vectors from "../../crates/locale/tests/vectors.json";

describe("the same strings as the PDFs and the CLI", () => {
  for (const [locale, cases] of Object.entries(vectors.locales)) {
    it(`in ${locale}`, () => {
      const settings = at(locale);
      for (const c of cases.number) expect(formatNumber(Number(c.value), c.digits, settings), `number ${c.value}`).toBe(c.text);
      for (const c of cases.money) {
        expect(formatMoney({ amount: c.amount, currency: c.currency }, settings), `money ${c.amount} ${c.currency}`).toBe(c.text);
      }
      for (const c of cases.percent) expect(formatPercent(Number(c.percent), settings), `percent ${c.percent}`).toBe(c.text);
      for (const c of cases.date) expect(formatDate(c.date, settings), `date ${c.date}`).toBe(c.text);
      for (const c of cases.time) {
        expect(formatTime(`2026-12-01T${c.time}:00Z`, "UTC", settings), `time ${c.time}`).toBe(c.text);
      }
      for (const c of cases.duration) {
        const style = c.style === "decimal" ? "decimal" : "clock";
        expect(formatDuration(c.seconds, at(locale, style)), `duration ${c.seconds} ${c.style}`).toBe(c.text);
      }
    });
  }
});
