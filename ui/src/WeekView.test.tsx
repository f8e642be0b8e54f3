import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { EntryView } from "./bindings/EntryView";
import { runningEntry } from "./test/fixtures";
import { WeekView } from "./WeekView";

function span(id: string, start: string, end: string, seconds: number, note = ""): EntryView {
  const base = runningEntry(start, note);
  return {
    ...base,
    entry: { ...base.entry, id, time: { type: "span", start, end } },
    seconds,
    billed_seconds: seconds,
  };
}

const days = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"];

describe("WeekView", () => {
  it("places entries on their days and times, totals each day, shows locked days", async () => {
    const entries = [
      span("a", "2026-11-23T08:00:00Z", "2026-11-23T09:30:00Z", 5400, "review"),
      span("b", "2026-11-25T13:00:00Z", "2026-11-25T14:00:00Z", 3600),
      { ...runningEntry("2026-11-25T15:00:00Z"), seconds: 0 },
    ];
    const duration = runningEntry("2026-11-24T00:00:00Z");
    entries.push({
      ...duration,
      entry: { ...duration.entry, id: "d", time: { type: "duration", date: "2026-11-24", seconds: 1800 } },
      date: "2026-11-24",
      seconds: 1800,
    });
    const onSelect = vi.fn();
    render(
      <WeekView
        days={days}
        entries={entries}
        timeZone="Europe/Berlin"
        lockBefore="2026-11-24"
        selected="2026-11-25"
        today="2026-11-25"
        now={Date.parse("2026-11-25T15:30:00Z")}
        onSelect={onSelect}
      />,
    );
    const heads = screen.getAllByTestId("week-day");
    expect(heads.map((h) => h.dataset.date)).toEqual(days);
    expect(heads[0]?.textContent).toContain("1:30:00");
    expect(heads[0]?.textContent).toContain("Locked");
    expect(heads[1]?.textContent).not.toContain("Locked");
    expect(heads[1]?.textContent).toContain("0:30:00");
    const blocks = screen.getAllByTestId("week-entry");
    expect(blocks).toHaveLength(4);
    // 09:00 Berlin is one hour below the grid's 08:00 top: 40px per hour.
    const first = blocks.find((b) => b.textContent?.includes("review"));
    expect(first?.style.top).toBe("40px");
    expect(first?.style.height).toBe("60px");
    const columns = screen.getAllByTestId("week-column");
    expect(columns[0]?.className).toContain("is-locked");
    await userEvent.setup().click(heads[3]!);
    expect(onSelect).toHaveBeenCalledWith("2026-11-26");
  });
});
