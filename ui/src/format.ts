// One place that decides how numbers, money, dates and durations look: the organization's locale
// (the system's until an organization is open) and its duration style. The screens call these
// functions instead of formatting on their own, so one setting changes them all.
import { Temporal } from "temporal-polyfill";

import i18n from "./i18n";

import type { DurationStyle } from "./bindings/DurationStyle";
import type { Money } from "./bindings/Money";

export type FormatSettings = {
  /** A BCP 47 locale such as "de-DE"; `undefined` for the system's. */
  locale: string | undefined;
  durationStyle: DurationStyle;
};

let current: FormatSettings = { locale: undefined, durationStyle: "clock" };

/** Follow an organization's locale and duration style (called when one is opened or changed). */
export function setFormat(settings: FormatSettings): void {
  current = { ...settings, locale: usable(settings.locale) };
}

export function formatSettings(): FormatSettings {
  return current;
}

/** A locale Intl knows, else the system's. */
function usable(locale: string | undefined): string | undefined {
  if (!locale) return undefined;
  try {
    return Intl.getCanonicalLocales(locale)[0];
  } catch {
    return undefined;
  }
}

/** An amount in its currency: "€1,234.50", "1.234,50 €", "1 234,50 €". */
export function formatMoney(value: Money, settings: FormatSettings = current): string {
  try {
    return new Intl.NumberFormat(settings.locale, { style: "currency", currency: value.currency, signDisplay: "negative" }).format(
      Number(value.amount),
    );
  } catch {
    return `${value.amount} ${value.currency}`;
  }
}

/** A number with `digits` decimals in the locale's way: "1,234.50", "1.234,50"; what rounds to
 * zero is never negative ("0.00", not "-0.00"). */
export function formatNumber(value: number, digits: number, settings: FormatSettings = current): string {
  return new Intl.NumberFormat(settings.locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    signDisplay: "negative",
  }).format(value);
}

/** The decimal and grouping marks of a locale: "." and "," in en-US, "," and "." in de-DE. */
function separators(locale: string | undefined): { decimal: string; group: string } {
  const parts = new Intl.NumberFormat(locale, { useGrouping: true }).formatToParts(12345.6);
  return {
    decimal: parts.find((p) => p.type === "decimal")?.value ?? ".",
    group: parts.find((p) => p.type === "group")?.value ?? ",",
  };
}

function escaped(mark: string): string {
  return mark.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A number typed into an amount, rate, quantity or percentage field, as the engine reads it
 * ("1234.5"), or `null` when it is not one. Read the locale's way first ("1.234,50" and "12,50" in
 * de-DE, "1,234.50" in en-US, "1 234,50" in fr-FR); a point or a comma alone before the decimals is
 * a decimal mark in every locale ("12.50" pasted into a German form), except where it reads as the
 * locale's grouping ("1.500" is fifteen hundred in de-DE). Spaces are ignored; a leading minus is kept.
 */
export function parseDecimal(text: string, settings: FormatSettings = current): string | null {
  const typed = text.replace(/[\s\u00a0\u202f]/g, "").replace(/^\u2212/, "-");
  const sign = typed.startsWith("-") ? "-" : "";
  const body = typed.slice(sign.length);
  const { decimal, group } = separators(settings.locale);
  const d = escaped(decimal);
  const grouped = new RegExp(`^\\d{1,3}(?:${escaped(group)}\\d{3})+(?:${d}\\d+)?$`);
  let plain: string | null = null;
  if (group.trim() !== "" && grouped.test(body)) plain = body.split(group).join("").replace(decimal, ".");
  else if (new RegExp(`^\\d+(?:${d}\\d+)?$`).test(body)) plain = body.replace(decimal, ".");
  else if (/^\d*[.,]\d+$|^\d+$/.test(body)) plain = body.replace(",", ".");
  if (plain === null) return null;
  if (plain.startsWith(".")) plain = `0${plain}`;
  return `${sign}${plain}`;
}

/** What a decimal field sends to the engine: the number read the locale's way, or the text as typed
 * (trimmed) when it is not a number, so that the engine's own message says what is wrong. */
export function typedDecimal(text: string, settings: FormatSettings = current): string {
  return parseDecimal(text, settings) ?? text.trim();
}

/** A unit price: at least two decimals, and as many more (up to six) as it has: "95.00", "0.125". */
export function formatPrice(value: string, settings: FormatSettings = current): string {
  return new Intl.NumberFormat(settings.locale, { minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(Number(value));
}

/** A duration in the organization's style: "1:30" (clock) or "1.50" / "1,50" (decimal hours). */
export function formatDuration(seconds: number, settings: FormatSettings = current): string {
  const s = Math.max(0, seconds);
  if (settings.durationStyle === "decimal") return formatNumber(s / 3600, 2, settings);
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
}

/** A day (YYYY-MM-DD) as the locale writes it: "Dec 4, 2026", "4 Dec 2026", "04.12.2026". */
export function formatDate(date: string, settings: FormatSettings = current): string {
  return Temporal.PlainDate.from(date).toLocaleString(settings.locale, { dateStyle: "medium" });
}

/** How the locale writes a day with digits: the order of day, month and year, and the mark between. */
function numericDate(settings: FormatSettings): { order: ("day" | "month" | "year")[]; mark: string } {
  const parts = new Intl.DateTimeFormat(settings.locale, { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "UTC" })
    .formatToParts(new Date(Date.UTC(2026, 11, 31)));
  const order = parts.filter((p) => p.type === "day" || p.type === "month" || p.type === "year").map((p) => p.type as "day" | "month" | "year");
  const mark = parts.find((p) => p.type === "literal")?.value.trim() || "/";
  return { order: order.length === 3 ? order : ["year", "month", "day"], mark };
}

/** A day (YYYY-MM-DD) as the locale types it into a field: "12/05/2026", "05/12/2026", "05.12.2026". */
export function formatDateInput(date: string, settings: FormatSettings = current): string {
  const day = Temporal.PlainDate.from(date);
  const { order, mark } = numericDate(settings);
  const text = { day: String(day.day).padStart(2, "0"), month: String(day.month).padStart(2, "0"), year: String(day.year) };
  return order.map((part) => text[part]).join(mark);
}

/**
 * A day typed into a field, as YYYY-MM-DD, or `null` when it is not a real day: in the locale's order
 * ("5.12.2026" in German, "12/5/2026" in en-US, "5/12/26" in en-GB; any of . / - or a space between),
 * or as ISO ("2026-12-05") in every locale. A two-digit year is in this century.
 */
export function parseDateInput(text: string, settings: FormatSettings = current): string | null {
  const typed = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(typed);
  const numbers = iso ? [iso[1], iso[2], iso[3]] : /^\d{1,4}([./\- ])\d{1,2}\1\d{1,4}\.?$/.test(typed) ? typed.replace(/\.$/, "").split(/[./\- ]/) : null;
  if (!numbers || numbers.length !== 3) return null;
  const order = iso ? (["year", "month", "day"] as const) : numericDate(settings).order;
  const at = (part: "day" | "month" | "year") => Number(numbers[order.indexOf(part)]);
  const yearText = numbers[order.indexOf("year")] ?? "";
  if (yearText.length !== 4 && yearText.length !== 2) return null;
  const year = yearText.length === 2 ? 2000 + at("year") : at("year");
  try {
    return Temporal.PlainDate.from({ year, month: at("month"), day: at("day") }, { overflow: "reject" }).toString();
  } catch {
    return null;
  }
}

/** A day, week or month of a report as people read it: "Dec 4, 2026", "Week of Nov 30, 2026",
 * "Dec 2026" (a week or month is named by its first day). */
export function formatPeriod(by: "day" | "week" | "month", first: string, settings: FormatSettings = current): string {
  if (by === "day") return formatDate(first, settings);
  if (by === "week") return i18n.t("format.weekOf", { ns: "app", date: formatDate(first, settings) });
  return Temporal.PlainDate.from(first).toLocaleString(settings.locale, { month: "short", year: "numeric" });
}

/** A time of day as the locale reads it (CLDR short): "2:30 PM" (en-US), "09:05", "14:30" (en-GB, de-DE, fr-FR). */
export function formatTime(instant: string, timeZone: string, settings: FormatSettings = current): string {
  return Temporal.Instant.from(instant).toLocaleString(settings.locale, { timeZone, timeStyle: "short" });
}

/** A percentage: "19 %" in German and French, "19%" in English. */
export function formatPercent(percent: number, settings: FormatSettings = current): string {
  return new Intl.NumberFormat(settings.locale, { style: "percent", maximumFractionDigits: 2 }).format(percent / 100);
}

/** Whether the locale's clock has twelve hours (en-US) rather than twenty-four. */
export function twelveHours(settings: FormatSettings = current): boolean {
  return new Intl.DateTimeFormat(settings.locale, { hour: "numeric" }).resolvedOptions().hourCycle?.startsWith("h1") ?? false;
}

/** "Tue, 1 Dec 2026 · 14:30 · €1,234.50 · 1:30 h": how a setting would show things. */
export function preview(settings: FormatSettings, timeZone: string, instant: string): string {
  const day = Temporal.Instant.from(instant).toZonedDateTimeISO(timeZone).toPlainDate();
  const date = day.toLocaleString(settings.locale, { weekday: "short", day: "numeric", month: "short", year: "numeric" });
  const money = formatMoney({ amount: "1234.5", currency: "EUR" }, settings);
  return `${date} · ${formatTime(instant, timeZone, settings)} · ${money} · ${formatDuration(5400, settings)} h`;
}
