import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { EntryView } from "./bindings/EntryView";
import { setFormat } from "./format";
import { setUiLanguage } from "./i18n";
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

// ICU puts a no-break space (U+00A0 or U+202F, by version) before "AM": compared as a plain space.
const plain = (text: string | null) => (text ?? "").replace(/[\u00a0\u202f]/g, " ");

afterEach(() => setFormat({ locale: undefined, durationStyle: "clock" }));

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

describe("WeekView's hours and words", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  const week = (now = 0) => (
    <WeekView
      days={days}
      entries={[{ ...runningEntry("2026-11-25T15:00:00Z"), seconds: 0 }]}
      timeZone="Europe/Berlin"
      lockBefore="2026-11-24"
      selected="2026-11-25"
      today="2026-11-25"
      now={now || Date.parse("2026-11-25T15:30:00Z")}
      onSelect={() => {}}
    />
  );

  it("writes the hours down the side on the locale's clock", () => {
    setFormat({ locale: "en-GB", durationStyle: "clock" });
    const { unmount } = render(week());
    const hours = () => screen.getAllByTestId("week-hour").map((h) => plain(h.textContent));
    expect(hours()[0]).toBe("08:00");
    expect(hours().at(-1)).toBe("17:00");
    unmount();
    setFormat({ locale: "en-US", durationStyle: "clock" });
    render(week());
    expect(hours()[0]).toBe("8:00 AM");
    expect(hours().at(-1)).toBe("5:00 PM");
  });

  it("speaks German", () => {
    setFormat({ locale: "de-DE", durationStyle: "clock" });
    act(() => setUiLanguage("de-DE"));
    render(week());
    expect(screen.getAllByTestId("week-hour")[0]?.textContent).toBe("08:00");
    expect(screen.getAllByTestId("week-locked")[0]?.textContent).toBe("Gesperrt");
    expect(screen.getByTitle("Einträge mit Dauer, aber ohne Beginn und Ende").textContent).toBe("Ohne Uhrzeit");
    const running = screen.getByTestId("week-entry");
    expect(running.textContent).toContain("läuft");
    expect(running.title).toBe("Müller & Søn — Website (läuft)");
  });
});
