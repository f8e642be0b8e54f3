// Overlapping time, as the day list shows it: which entry an entry overlaps, how to trim it so that
// it no longer does, and how much of a total is counted twice. The engine flags overlaps
// (`EntryView.overlaps`) and never resolves them; what to do is the person's choice.
import type { EntryView } from "./bindings/EntryView";

/** An entry's interval in milliseconds since the epoch; a running one ends `now`. None for durations. */
export function interval(view: EntryView, now: number): [number, number] | null {
  const time = view.entry.time;
  switch (time.type) {
    case "span":
      return [Date.parse(time.start), Date.parse(time.end)];
    case "running":
      return [Date.parse(time.start), Math.max(now, Date.parse(time.start))];
    case "duration":
      return null;
  }
}

/** The entry of the same person that `view` overlaps, the earliest if several (touching ends do not). */
export function overlapPartner(view: EntryView, entries: EntryView[], now: number): EntryView | null {
  const mine = interval(view, now);
  if (!mine) return null;
  let found: { view: EntryView; start: number } | null = null;
  for (const other of entries) {
    if (other.entry.id === view.entry.id || other.entry.member !== view.entry.member) continue;
    const theirs = interval(other, now);
    if (!theirs || !(theirs[0] < mine[1] && mine[0] < theirs[1])) continue;
    if (!found || theirs[0] < found.start) found = { view: other, start: theirs[0] };
  }
  return found?.view ?? null;
}

/** How to trim `view` so that it stops overlapping `partner`, giving up only the overlap: when
 * its end runs into the partner, the end moves back to where the partner starts; when its start lies
 * in the partner, the start moves on to where the partner ends. None when `view` is running or has no
 * times, or when one of the two holds the other (trimming would drop time outside the overlap:
 * edit or delete instead). */
export function trim(
  view: EntryView,
  partner: EntryView,
  now: number,
): { edge: "end" | "start"; at: string; time: { type: "span"; start: string; end: string } } | null {
  const time = view.entry.time;
  const theirs = interval(partner, now);
  if (time.type !== "span" || !theirs) return null;
  const [start, end] = [Date.parse(time.start), Date.parse(time.end)];
  if (start < theirs[0] && theirs[0] < end && end <= theirs[1]) {
    const at = new Date(theirs[0]).toISOString();
    return { edge: "end", at, time: { type: "span", start: time.start, end: at } };
  }
  if (theirs[0] <= start && start < theirs[1] && theirs[1] < end && partner.entry.time.type === "span") {
    const at = new Date(theirs[1]).toISOString();
    return { edge: "start", at, time: { type: "span", start: at, end: time.end } };
  }
  return null;
}

/** Seconds of `entries` counted more than once in their sum: per person, the sum of their timed
 * entries less the length of the union of those times. */
export function doubleCountedSeconds(entries: EntryView[], now: number): number {
  const byMember = new Map<string, [number, number][]>();
  for (const view of entries) {
    const span = interval(view, now);
    if (!span) continue;
    const list = byMember.get(view.entry.member) ?? [];
    list.push(span);
    byMember.set(view.entry.member, list);
  }
  let twice = 0;
  for (const spans of byMember.values()) {
    spans.sort((a, b) => a[0] - b[0]);
    let reach = -Infinity;
    for (const [start, end] of spans) {
      if (start < reach) twice += Math.min(end, reach) - start;
      reach = Math.max(reach, end);
    }
  }
  return Math.floor(twice / 1000);
}
