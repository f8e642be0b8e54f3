// Presentation of times and amounts. Wall-clock conversions go through Temporal (polyfilled), in the
// organization's time zone, so the window shows the same local times as the CLI and reports.
import { Temporal } from "temporal-polyfill";

import type { EntryTime } from "./bindings/EntryTime";
import type { Money } from "./bindings/Money";

/** `h:mm:ss` for a number of seconds (negative clamps to zero). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
}

/** Seconds from an RFC 3339 instant until `now` (milliseconds since the epoch). */
export function secondsSince(instant: string, now: number): number {
  return Math.floor((now - Temporal.Instant.from(instant).epochMilliseconds) / 1000);
}

/** `HH:MM` of an instant in a time zone. */
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

/** An amount in its currency, e.g. "€95.00" (exact digits come from the engine's decimal string). */
export function money(value: Money): string {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: value.currency }).format(
      Number(value.amount),
    );
  } catch {
    return `${value.amount} ${value.currency}`;
  }
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
