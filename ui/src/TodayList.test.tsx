import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it, vi } from "vitest";

import type { EntryView } from "./bindings/EntryView";
import { runningEntry } from "./test/fixtures";
import { TodayList } from "./TodayList";

function spanEntry(): EntryView {
  const base = runningEntry("2026-11-23T08:00:00Z", "draft");
  return {
    ...base,
    entry: { ...base.entry, time: { type: "span", start: "2026-11-23T08:00:00Z", end: "2026-11-23T09:30:00Z" } },
    seconds: 5400,
    amount: { amount: "142.50", currency: "EUR" },
  };
}

describe("TodayList", () => {
  it("shows local times, duration and amount", () => {
    render(<TodayList entries={[spanEntry()]} timeZone="Europe/Berlin" onSaved={() => {}} />);
    const row = screen.getByTestId("entry-row");
    expect(within(row).getByTestId("entry-time").textContent).toBe("09:00 – 10:30");
    expect(within(row).getByTestId("entry-duration").textContent).toBe("1:30:00");
    expect(within(row).getByTestId("entry-amount").textContent).toMatch(/142[.,]50/);
  });

  it("saves a new note and times as a span in the organization's zone", async () => {
    const edits: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "edit_entry") edits.push(args);
      return { entry: spanEntry(), overlaps: [] };
    });
    const onSaved = vi.fn();
    render(<TodayList entries={[spanEntry()]} timeZone="Europe/Berlin" onSaved={onSaved} />);
    await userEvent.click(screen.getByRole("button", { name: /Edit/ }));
    const note = screen.getByLabelText("Note");
    await userEvent.clear(note);
    await userEvent.type(note, "final");
    await userEvent.clear(screen.getByLabelText("End"));
    await userEvent.type(screen.getByLabelText("End"), "11:00");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(edits).toEqual([
      {
        id: "01JENTRY000000000000000000",
        changes: {
          project: null,
          task: null,
          clear_task: false,
          time: { type: "span", start: "2026-11-23T08:00:00Z", end: "2026-11-23T10:00:00Z" },
          note: "final",
          billable: null,
          tags: null,
        },
      },
    ]);
  });

  it("keeps the form and shows the engine's error when saving fails", async () => {
    mockIPC(() => {
      throw "the entry overlaps an invoiced entry";
    });
    const onSaved = vi.fn();
    render(<TodayList entries={[spanEntry()]} timeZone="Europe/Berlin" onSaved={onSaved} />);
    await userEvent.click(screen.getByRole("button", { name: /Edit/ }));
    await userEvent.type(screen.getByLabelText("Note"), "!");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByTestId("entry-error")).textContent).toBe("the entry overlaps an invoiced entry");
    expect((screen.getByLabelText("Note") as HTMLInputElement).value).toBe("draft!");
    expect(onSaved).not.toHaveBeenCalled();
  });

  it("rejects times that are not HH:MM without calling the engine", async () => {
    mockIPC(() => {
      throw "should not be called";
    });
    render(<TodayList entries={[spanEntry()]} timeZone="Europe/Berlin" onSaved={() => {}} />);
    await userEvent.click(screen.getByRole("button", { name: /Edit/ }));
    await userEvent.clear(screen.getByLabelText("Start"));
    await userEvent.type(screen.getByLabelText("Start"), "9.5");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByTestId("entry-error")).textContent).toMatch(/HH:MM/);
  });
});
