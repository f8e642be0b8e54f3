import { describe, expect, it } from "vitest";

import type { EntryView } from "./bindings/EntryView";
import { doubleCountedSeconds, overlapPartner, trim } from "./overlaps";
import { runningEntry } from "./test/fixtures";

const at = (hhmm: string) => `2026-11-23T${hhmm}:00Z`;

function span(id: string, from: string, to: string, member = "01JMEMBER00000000000000000"): EntryView {
  const base = runningEntry(at(from), id);
  return { ...base, entry: { ...base.entry, id, member, time: { type: "span", start: at(from), end: at(to) } } };
}

const NOW = Date.parse(at("12:00"));

describe("overlaps", () => {
  it("name the earliest entry of the same person whose time meets inside", () => {
    const a = span("a", "09:00", "10:00");
    const b = span("b", "09:30", "11:00");
    const c = span("c", "09:45", "09:50");
    const touching = span("d", "11:00", "11:30");
    const someoneElse = span("e", "08:00", "12:00", "01JMEMBER00000000000000002");
    const all = [touching, c, b, a, someoneElse];
    expect(overlapPartner(b, all, NOW)?.entry.id).toBe("a");
    expect(overlapPartner(a, all, NOW)?.entry.id).toBe("b");
    expect(overlapPartner(touching, all, NOW)).toBeNull();
    expect(overlapPartner(someoneElse, all, NOW)).toBeNull();
  });

  it("trim only the overlapping minutes, never time outside them", () => {
    const early = span("a", "09:00", "10:00");
    const late = span("b", "09:30", "11:00");
    expect(trim(early, late, NOW)).toEqual({
      edge: "end",
      at: "2026-11-23T09:30:00.000Z",
      time: { type: "span", start: at("09:00"), end: "2026-11-23T09:30:00.000Z" },
    });
    expect(trim(late, early, NOW)).toEqual({
      edge: "start",
      at: "2026-11-23T10:00:00.000Z",
      time: { type: "span", start: "2026-11-23T10:00:00.000Z", end: at("11:00") },
    });
    // One inside the other: trimming either would drop time that overlaps nothing.
    const outer = span("c", "09:00", "12:00");
    const inner = span("d", "10:00", "10:30");
    expect(trim(outer, inner, NOW)).toBeNull();
    expect(trim(inner, outer, NOW)).toBeNull();
    // A running entry is stopped, not trimmed; one ending in a running timer moves its end back.
    const running = runningEntry(at("09:30"), "r");
    expect(trim(running, early, NOW)).toBeNull();
    expect(trim(early, running, NOW)?.edge).toBe("end");
  });

  it("count how much of a sum is counted twice, per person", () => {
    const entries = [
      span("a", "09:00", "10:00"),
      span("b", "09:30", "11:00"),
      span("c", "09:45", "09:50"),
      span("d", "13:00", "14:00"),
      span("e", "09:00", "10:00", "01JMEMBER00000000000000002"),
    ];
    // a ∩ b = 30 min; c lies in both (5 min once more over the union).
    expect(doubleCountedSeconds(entries, NOW)).toBe(35 * 60);
    expect(doubleCountedSeconds([span("a", "09:00", "10:00"), span("b", "10:00", "11:00")], NOW)).toBe(0);
  });
});
