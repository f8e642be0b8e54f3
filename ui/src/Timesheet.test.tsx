import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { EntryView } from "./bindings/EntryView";
import type { ProjectView } from "./bindings/ProjectView";
import { setUiLanguage } from "./i18n";
import { eventually } from "./test/eventually";
import { project, runningEntry } from "./test/fixtures";
import { planCell, Timesheet } from "./Timesheet";

const days = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"];
const website = project.project.id;
const other: ProjectView = {
  project: { ...project.project, id: "01JPROJECT0000000000000002", name: "Shop" },
  client_name: "Acme",
};

function untimed(id: string, date: string, seconds: number): EntryView {
  const base = runningEntry(`${date}T00:00:00Z`);
  return { ...base, entry: { ...base.entry, id, time: { type: "duration", date, seconds } }, date, seconds };
}

function timed(id: string, start: string, end: string, seconds: number): EntryView {
  const base = runningEntry(start);
  return { ...base, entry: { ...base.entry, id, time: { type: "span", start, end } }, seconds };
}

describe("planCell", () => {
  const day = "2026-11-24";
  it("adds an entry to an empty cell, in any duration form", () => {
    expect(planCell([], "", "1:30", day)).toEqual({ kind: "add", seconds: 5400 });
    expect(planCell([], "", "1.5", day)).toEqual({ kind: "add", seconds: 5400 });
    expect(planCell([], "", "1,25", day)).toEqual({ kind: "add", seconds: 4500 });
    expect(planCell([], "", "", day)).toEqual({ kind: "none" });
    expect(planCell([], "", "0", day)).toEqual({ kind: "none" });
  });

  it("changes or removes the one untimed entry of a cell", () => {
    const cell = [untimed("d", day, 3600)];
    expect(planCell(cell, "1:00", "2:15", day)).toEqual({ kind: "edit", id: "d", date: day, seconds: 8100 });
    expect(planCell(cell, "1:00", "", day)).toEqual({ kind: "delete", id: "d" });
    expect(planCell(cell, "1:00", "0:00", day)).toEqual({ kind: "delete", id: "d" });
    expect(planCell(cell, "1:00", " 1:00 ", day)).toEqual({ kind: "none" });
    expect(planCell(cell, "1:00", "1h", day)).toEqual({ kind: "none" });
  });

  it("adds the difference to a busier cell and refuses to guess which entry to shorten", () => {
    const cell = [timed("a", "2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z", 3600)];
    expect(planCell(cell, "1:00", "1:45", day)).toEqual({ kind: "add", seconds: 2700 });
    const less = planCell(cell, "1:00", "0:30", day);
    expect(less.kind).toBe("refuse");
    expect(less.kind === "refuse" && less.reason).toContain("an entry with a start and end");
    const two = [untimed("d", day, 1800), untimed("e", day, 1800)];
    expect(planCell(two, "1:00", "1:30", day)).toEqual({ kind: "add", seconds: 1800 });
    expect(planCell(two, "1:00", "", day)).toMatchObject({ kind: "refuse" });
    // An invoiced entry is never rewritten: more time goes into a new entry.
    const billed = untimed("b", day, 3600);
    billed.entry.invoiced = true;
    expect(planCell([billed], "1:00", "2:00", day)).toEqual({ kind: "add", seconds: 3600 });
  });

  it("refuses what is not a duration", () => {
    expect(planCell([], "", "lunch", day)).toEqual({ kind: "refuse", reason: "A duration is like 1:30, 1h30, 90m or 1.5." });
    expect(planCell([], "", "-1", day)).toMatchObject({ kind: "refuse" });
  });
});

describe("Timesheet", () => {
  it("shows projects × days with row, day and week totals", () => {
    const shop = untimed("s", "2026-11-25", 1800);
    shop.entry.project = other.project.id;
    shop.project_name = "Shop";
    shop.client_name = "Acme";
    render(
      <Timesheet
        days={days}
        entries={[
          untimed("d", "2026-11-24", 5400),
          timed("a", "2026-11-25T08:00:00Z", "2026-11-25T09:00:00Z", 3600),
          shop,
        ]}
        projects={[project, other]}
        lockBefore="2026-11-24"
        today="2026-11-25"
        now={Date.parse("2026-11-25T12:00:00Z")}
        canEdit
        onChanged={() => {}}
      />,
    );
    const rows = screen.getAllByTestId("timesheet-row");
    // Sorted by client, then project: Acme's Shop before Müller's Website.
    expect(rows.map((r) => r.dataset.project)).toEqual([other.project.id, website]);
    const cells = within(rows[1]!).getAllByTestId("timesheet-cell") as HTMLInputElement[];
    expect(cells.map((c) => c.value)).toEqual(["", "1:30", "1:00", "", "", "", ""]);
    expect(within(rows[1]!).getByTestId("timesheet-row-total").textContent).toBe("2:30");
    const totals = screen.getAllByTestId("timesheet-day-total").map((t) => t.textContent);
    expect(totals).toEqual(["0:00", "1:30", "1:30", "0:00", "0:00", "0:00", "0:00"]);
    expect(screen.getByTestId("timesheet-total").textContent).toBe("3:00");
    // The locked Monday takes no typing; the others do.
    expect(cells[0]!.readOnly).toBe(true);
    expect(cells[0]!.title).toContain("locked");
    expect(cells[1]!.readOnly).toBe(false);
    // Every project already has a row: there is nothing to add.
    expect(screen.queryByTestId("timesheet-add-row")).toBeNull();
  });

  it("records typed hours in an empty cell of an added row", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "add_entry") return { entry: untimed("n", "2026-11-26", 5400), overlaps: [] };
      throw `unexpected ${cmd}`;
    });
    const onChanged = vi.fn();
    render(
      <Timesheet
        days={days}
        entries={[]}
        projects={[project]}
        lockBefore={null}
        today="2026-11-25"
        now={0}
        canEdit
        onChanged={onChanged}
      />,
    );
    expect(screen.getByTestId("timesheet-empty").textContent).toContain("Add a project row");
    const add = screen.getByRole("combobox", { name: "Add a project row" });
    expect(add.getAttribute("placeholder")).toBe("+ Add a project…");
    await userEvent.click(add);
    await userEvent.keyboard("webs");
    expect(screen.getAllByTestId("timesheet-add-row-option").map((o) => o.textContent)).toEqual(["Müller & Søn — Website"]);
    await userEvent.keyboard("{Enter}");
    // The row is there, and the project is no longer offered: every project has a row.
    expect(screen.getAllByTestId("timesheet-row").map((r) => r.dataset.project)).toEqual([website]);
    expect(screen.queryByTestId("timesheet-add-row")).toBeNull();
    const thursday = screen
      .getAllByTestId("timesheet-cell")
      .find((c) => c.dataset.date === "2026-11-26") as HTMLInputElement;
    await userEvent.type(thursday, "1.5{Enter}");
    await eventually(() => expect(onChanged).toHaveBeenCalledOnce());
    expect(calls).toHaveLength(1);
    expect(calls[0]!.cmd).toBe("add_entry");
    expect(calls[0]!.args).toMatchObject({
      input: { project: website, time: { type: "duration", date: "2026-11-26", seconds: 5400 }, billable: null },
    });
  });

  it("changes the one entry of a cell, and says why it will not shorten timed work", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "edit_entry") return { entry: untimed("d", "2026-11-24", 9000), overlaps: [] };
      throw `unexpected ${cmd}`;
    });
    const onChanged = vi.fn();
    render(
      <Timesheet
        days={days}
        entries={[untimed("d", "2026-11-24", 5400), timed("a", "2026-11-25T08:00:00Z", "2026-11-25T09:00:00Z", 3600)]}
        projects={[project]}
        lockBefore={null}
        today="2026-11-25"
        now={0}
        canEdit
        onChanged={onChanged}
      />,
    );
    const [, tuesday, wednesday] = screen.getAllByTestId("timesheet-cell") as HTMLInputElement[];
    await userEvent.clear(tuesday!);
    await userEvent.type(tuesday!, "2:30");
    await userEvent.tab();
    await eventually(() => expect(onChanged).toHaveBeenCalledOnce());
    expect(calls[0]).toMatchObject({
      cmd: "edit_entry",
      args: { id: "d", changes: { time: { type: "duration", date: "2026-11-24", seconds: 9000 } } },
    });

    await userEvent.clear(wednesday!);
    await userEvent.type(wednesday!, "0:30{Enter}");
    expect(screen.getByTestId("timesheet-error").textContent).toContain("shorten it in the Day view");
    expect(wednesday!.getAttribute("aria-invalid")).toBe("true");
    expect(calls).toHaveLength(1);
    // Escape puts the cell back as it was and clears the message.
    await userEvent.type(wednesday!, "{Escape}");
    expect(wednesday!.value).toBe("1:00");
    expect(screen.queryByTestId("timesheet-error")).toBeNull();
  });

  it("is read-only for someone else's time and while a timer runs", () => {
    render(
      <Timesheet
        days={days}
        entries={[runningEntry("2026-11-25T10:00:00Z")]}
        projects={[project]}
        lockBefore={null}
        today="2026-11-25"
        now={Date.parse("2026-11-25T10:30:00Z")}
        canEdit={false}
        onChanged={() => {}}
      />,
    );
    const cells = screen.getAllByTestId("timesheet-cell") as HTMLInputElement[];
    expect(cells.every((c) => c.readOnly)).toBe(true);
    // The running timer counts with its time so far.
    expect(cells[2]!.value).toBe("0:30");
    expect(screen.queryByTestId("timesheet-add-row")).toBeNull();
  });
});

describe("Timesheet in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("heads, totals and refuses in German", async () => {
    act(() => setUiLanguage("de-DE"));
    const day = "2026-11-24";
    expect(planCell([], "", "Mittag", day)).toEqual({ kind: "refuse", reason: "Eine Dauer ist z. B. 1:30, 1h30, 90m oder 1,5." });
    const two = [untimed("d", day, 1800), untimed("e", day, 1800)];
    expect(planCell(two, "1:00", "0:30", day)).toEqual({
      kind: "refuse",
      reason: "Diese Zelle enthält 2 Einträge; kürzen Sie sie in der Tagesansicht.",
    });
    const one = [timed("a", "2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z", 3600)];
    expect(planCell(one, "1:00", "0:30", day)).toMatchObject({
      reason: "Diese Zelle enthält einen Eintrag mit Beginn und Ende; kürzen Sie ihn in der Tagesansicht.",
    });

    const { rerender } = render(
      <Timesheet days={days} entries={[]} projects={[project]} lockBefore={null} today="2026-11-25" now={0} canEdit onChanged={() => {}} />,
    );
    expect(screen.getByRole("columnheader", { name: "Projekt" })).toBeTruthy();
    expect(screen.getByRole("columnheader", { name: "Summe" })).toBeTruthy();
    expect(screen.getByTestId("timesheet-empty").textContent).toBe(
      "Diese Woche noch keine Zeit. Fügen Sie unten eine Projektzeile hinzu und tragen Sie die Stunden in die Tage ein.",
    );
    const add = screen.getByRole("combobox", { name: "Projektzeile hinzufügen" });
    expect(add.getAttribute("placeholder")).toBe("+ Projekt hinzufügen…");

    const unassigned = untimed("n", "2026-11-24", 1800);
    unassigned.entry.project = null;
    rerender(
      <Timesheet days={days} entries={[unassigned]} projects={[]} lockBefore="2026-11-24" today="2026-11-25" now={0} canEdit={false} onChanged={() => {}} />,
    );
    const row = screen.getByTestId("timesheet-row");
    expect(within(row).getByRole("rowheader").textContent).toBe("Kein Projekt");
    const cells = within(row).getAllByTestId("timesheet-cell") as HTMLInputElement[];
    expect(cells[0]!.title).toBe("Dieser Tag liegt im gesperrten Zeitraum");
    expect(cells[1]!.title).toBe("Zeit ohne Projekt: Weisen Sie in der Tagesansicht eines zu");
    expect(cells[1]!.getAttribute("aria-label")).toMatch(/^Kein Projekt, /);
  });
});
