// Presentation of times and amounts. Wall-clock conversions go through Temporal (polyfilled), in the
// organization's time zone, so the window shows the same local times as the CLI and reports.
import { Temporal } from "temporal-polyfill";

import type { EntryTime } from "./bindings/EntryTime";
import type { Money } from "./bindings/Money";
import { formatDuration, formatMoney, formatSettings, formatTime } from "./format";

/** `h:mm:ss` for a number of seconds (negative clamps to zero). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
}

/**
 * An invoice line's quantity: tracked time (a line with a `worth`) as hours and minutes, `1:40 h`
 * (seconds only when it has them), as the PDF prints it; anything else as given.
 */
export function lineQuantity(line: { quantity: string; worth?: string | null }): string {
  if (line.worth == null) return line.quantity;
  const seconds = Math.round(Math.abs(Number(line.quantity)) * 3600);
  const h = Math.floor(seconds / 3600);
  const m = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const s = seconds % 60;
  return `${h}:${m}${s ? `:${String(s).padStart(2, "0")}` : ""} h`;
}

/** Seconds from an RFC 3339 instant until `now` (milliseconds since the epoch). */
export function secondsSince(instant: string, now: number): number {
  return Math.floor((now - Temporal.Instant.from(instant).epochMilliseconds) / 1000);
}

/** `HH:MM` (24-hour) of an instant in a time zone: what a time field holds and `isWallTime` and
 * `spanOn` read back. To show a time of day as text, use `formatTime` (format.ts): the locale's clock. */
export function wallTime(instant: string, timeZone: string): string {
  return Temporal.Instant.from(instant)
    .toZonedDateTimeISO(timeZone)
    .toPlainTime()
    .toString({ smallestUnit: "minute" });
}

/** Whether `text` is a valid `HH:MM` (24-hour). */
export function isWallTime(text: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(text);
}

/**
 * A span from `HH:MM` to `HH:MM` on `date` (YYYY-MM-DD) in `timeZone`, as RFC 3339 instants.
 * An end before the start is taken to be on the next day (work past midnight).
 */
export function spanOn(
  date: string,
  start: string,
  end: string,
  timeZone: string,
): Extract<EntryTime, { type: "span" }> {
  const day = Temporal.PlainDate.from(date);
  const from = day.toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from(start) });
  let to = day.toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from(end) });
  if (Temporal.ZonedDateTime.compare(to, from) < 0) {
    to = day.add({ days: 1 }).toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from(end) });
  }
  return { type: "span", start: from.toInstant().toString(), end: to.toInstant().toString() };
}

/** An amount in its currency in the organization's locale, e.g. "€95.00" or "95,00 €". */
export function money(value: Money): string {
  return formatMoney(value);
}

/** The system's IANA time zone, for new organizations. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The system's locale as language-REGION (e.g. "de-DE"), for new organizations. */
export function systemLocale(): string {
  const locale = new Intl.Locale(Intl.DateTimeFormat().resolvedOptions().locale);
  return locale.region ? `${locale.language}-${locale.region}` : locale.language;
}

/** Day of the week (1 = Monday … 7 = Sunday) each week-start setting begins on. */
const WEEK_START_DAY = { monday: 1, sunday: 7, saturday: 6 } as const;

/** The seven days (YYYY-MM-DD) of the week that holds `date`, from the organization's week start. */
export function weekOf(date: string, weekStart: keyof typeof WEEK_START_DAY): string[] {
  const day = Temporal.PlainDate.from(date);
  const back = (day.dayOfWeek - WEEK_START_DAY[weekStart] + 7) % 7;
  const first = day.subtract({ days: back });
  return Array.from({ length: 7 }, (_, i) => first.add({ days: i }).toString());
}

/** `date` moved by `days` (YYYY-MM-DD in, YYYY-MM-DD out). */
export function addDays(date: string, days: number): string {
  return Temporal.PlainDate.from(date).add({ days }).toString();
}

/** "Mon 23 Nov" style label of a day, in the organization's locale. */
export function dayLabel(date: string): string {
  return Temporal.PlainDate.from(date).toLocaleString(formatSettings().locale, {
    weekday: "short",
    day: "numeric",
    month: "short",
  });
}

/** The full hour `hour` (0–23) as the organization's locale writes a time of day (formatTime): "8:00", "8:00 AM". */
export function hourLabel(hour: number): string {
  return formatTime(`1970-01-01T${String(hour).padStart(2, "0")}:00:00Z`, "UTC");
}

/** A number of hours or minutes with only the decimals it has (up to two), in the organization's
 * locale: "8", "1.5", "1,5". */
export function figure(value: number): string {
  return new Intl.NumberFormat(formatSettings().locale, { maximumFractionDigits: 2 }).format(value);
}

/** Minutes since local midnight of `date` at which `instant` falls (may be < 0 or > 1440). */
export function minutesInto(date: string, instant: string, timeZone: string): number {
  const midnight = Temporal.PlainDate.from(date).toZonedDateTime({ timeZone });
  const at = Temporal.Instant.from(instant);
  return (at.epochMilliseconds - midnight.epochMilliseconds) / 60000;
}

/** Parses "1:30", "1h30", "90m", "1.5" or "1,5" (hours) into seconds; `null` if it is not a duration. */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  let m = /^(\d+):([0-5]\d)$/.exec(t);
  if (m) return Number(m[1]) * 3600 + Number(m[2]) * 60;
  m = /^(\d+)\s*h\s*(?:(\d+)\s*(?:m|min)?)?$/.exec(t);
  if (m) return Number(m[1]) * 3600 + Number(m[2] ?? 0) * 60;
  m = /^(\d+)\s*(?:m|min)$/.exec(t);
  if (m) return Number(m[1]) * 60;
  m = /^(\d+(?:[.,]\d+)?)$/.exec(t);
  if (m && m[1]) return Math.round(Number(m[1].replace(",", ".")) * 3600);
  return null;
}

/** A duration as the organization shows durations: 5400 s is "1:30" (clock) or "1.50" (decimal). */
export function hours(seconds: number): string {
  return formatDuration(seconds);
}

/** `h:mm` for a number of seconds, to the nearest minute (negative clamps to zero): how a timesheet
 * cell and a duration field show time. */
export function hoursMinutes(seconds: number): string {
  return formatDuration(seconds, { ...formatSettings(), durationStyle: "clock" });
}
