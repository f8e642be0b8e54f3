import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { EntryView } from "./bindings/EntryView";
import { setFormat } from "./format";
import { setUiLanguage } from "./i18n";
import { project, runningEntry } from "./test/fixtures";
import { TodayList } from "./TodayList";
import { eventually } from "./test/eventually";

// ICU puts a no-break space (U+00A0 or U+202F, by version) before "AM": compared as a plain space.
const plain = (text: string | null) => (text ?? "").replace(/[\u00a0\u202f]/g, " ");

afterEach(() => setFormat({ locale: undefined, durationStyle: "clock" }));

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
  it("puts the running entry first, with its live duration", () => {
    const running = { ...runningEntry("2026-11-23T10:00:00Z", "now"), entry: { ...runningEntry("2026-11-23T10:00:00Z", "now").entry, id: "01JENTRY000000000000000009" } };
    render(
      <TodayList
        entries={[spanEntry(), running]}
        timeZone="Europe/Berlin"
        onSaved={() => {}}
        canContinue
        now={Date.parse("2026-11-23T10:12:34Z")}
      />,
    );
    const rows = screen.getAllByTestId("entry-row");
    expect(within(rows[0]!).getByTestId("entry-duration").textContent).toBe("0:12:34");
    expect(within(rows[0]!).getByTestId("entry-running")).toBeTruthy();
    // The running entry is not continued; the stopped one is.
    expect(within(rows[0]!).queryByTestId("entry-continue")).toBeNull();
    expect(within(rows[1]!).getByTestId("entry-duration").textContent).toBe("1:30:00");
    expect(within(rows[1]!).getByTestId("entry-continue")).toBeTruthy();
  });

  it("continues an entry: the running timer stops, a new one starts with the same fields", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "tags") return [];
      calls.push({ cmd, args });
      if (cmd === "running_timer") return runningEntry("2026-11-23T10:00:00Z", "other");
      if (cmd === "stop_timer") return runningEntry("2026-11-23T10:00:00Z", "other");
      if (cmd === "start_timer") return { entry: runningEntry("2026-11-23T11:00:00Z", "draft"), overlaps: [] };
      throw `unexpected ${cmd}`;
    });
    const onSaved = vi.fn();
    const done = { ...spanEntry(), entry: { ...spanEntry().entry, tags: ["01JTAG00000000000000000001"], billable: false } };
    render(<TodayList entries={[done]} timeZone="Europe/Berlin" onSaved={onSaved} canContinue />);
    await userEvent.click(screen.getByRole("button", { name: "Continue draft" }));
    await eventually(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(calls.map((c) => c.cmd)).toEqual(["running_timer", "stop_timer", "start_timer"]);
    expect(calls[2]!.args).toEqual({
      input: { project: project.project.id, task: null, note: "draft", billable: false, tags: ["01JTAG00000000000000000001"] },
    });
  });

  it("shows why a continue was refused, and offers none for someone else's time", async () => {
    mockIPC((cmd) => {
      if (cmd === "tags") return [];
      if (cmd === "running_timer") return null;
      if (cmd === "start_timer") throw "the project Website is archived";
      throw `unexpected ${cmd}`;
    });
    const { unmount } = render(<TodayList entries={[spanEntry()]} timeZone="Europe/Berlin" onSaved={() => {}} canContinue />);
    await userEvent.click(screen.getByTestId("entry-continue"));
    expect((await screen.findByTestId("entry-row-error")).textContent).toBe("the project Website is archived");
    unmount();
    render(<TodayList entries={[spanEntry()]} timeZone="Europe/Berlin" onSaved={() => {}} />);
    expect(screen.queryByTestId("entry-continue")).toBeNull();
  });

  it("shows local times, duration and amount", () => {
    setFormat({ locale: "en-GB", durationStyle: "clock" });
    const { unmount } = render(<TodayList entries={[spanEntry()]} timeZone="Europe/Berlin" onSaved={() => {}} />);
    const row = screen.getByTestId("entry-row");
    // en-GB's clock has 24 hours; formatTime writes the hour without a leading zero.
    expect(within(row).getByTestId("entry-time").textContent).toBe("09:00 – 10:30");
    expect(within(row).getByTestId("entry-duration").textContent).toBe("1:30:00");
    expect(within(row).getByTestId("entry-amount").textContent).toMatch(/142[.,]50/);
    unmount();
    // An American organization reads its times of day on a twelve-hour clock.
    setFormat({ locale: "en-US", durationStyle: "clock" });
    render(<TodayList entries={[spanEntry()]} timeZone="Europe/Berlin" onSaved={() => {}} />);
    expect(plain(screen.getByTestId("entry-time").textContent)).toBe("9:00 AM – 10:30 AM");
  });

  it("keeps 24-hour HH:MM in the fields of an entry being edited, whatever the locale", async () => {
    mockIPC((cmd) => {
      if (cmd === "tags" || cmd === "tasks") return [];
      throw `unexpected ${cmd}`;
    });
    setFormat({ locale: "en-US", durationStyle: "clock" });
    const late = spanEntry();
    late.entry.time = { type: "span", start: "2026-11-23T13:00:00Z", end: "2026-11-23T14:30:00Z" };
    render(<TodayList entries={[late]} timeZone="Europe/Berlin" onSaved={() => {}} />);
    expect(plain(screen.getByTestId("entry-time").textContent)).toBe("2:00 PM – 3:30 PM");
    await userEvent.click(screen.getByRole("button", { name: /Edit/ }));
    expect((screen.getByLabelText("Start") as HTMLInputElement).value).toBe("14:00");
    expect((screen.getByLabelText("End") as HTMLInputElement).value).toBe("15:30");
  });

  it("saves a new note and times as a span in the organization's zone", async () => {
    const edits: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "tags") return [];
      if (cmd === "tasks") return [];
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
    await eventually(() => expect(onSaved).toHaveBeenCalledOnce());
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

  it("moves an entry to another project and task, and makes it non-billable", async () => {
    const edits: unknown[] = [];
    const other = {
      project: { ...project.project, id: "01JPROJECT0000000000000002", name: "Shop" },
      client_name: "Berg AG",
    };
    mockIPC((cmd, args) => {
      if (cmd === "tags") return [];
      if (cmd === "tasks") {
        const of = (args as { project: string }).project;
        return of === other.project.id
          ? [{ task: { id: "01JTASK0000000000000000002", project: of, name: "Checkout", billable: true, archived: false } }]
          : [];
      }
      if (cmd === "edit_entry") edits.push(args);
      return { entry: spanEntry(), overlaps: [] };
    });
    const onSaved = vi.fn();
    const user = userEvent.setup();
    render(<TodayList entries={[spanEntry()]} timeZone="Europe/Berlin" onSaved={onSaved} projects={[project, other]} />);
    await user.click(screen.getByRole("button", { name: /Edit/ }));
    const projectInput = screen.getByRole("combobox", { name: "Project" });
    expect((projectInput as HTMLInputElement).value).toBe("Müller & Søn — Website");
    await user.clear(projectInput);
    await user.type(projectInput, "shop");
    await user.keyboard("{Enter}");
    const task = screen.getByRole("combobox", { name: "Task" });
    await eventually(() => expect((task as HTMLInputElement).disabled).toBe(false));
    await user.type(task, "check");
    await user.keyboard("{Enter}");
    await user.click(screen.getByLabelText("Billable"));
    await user.click(screen.getByRole("button", { name: "Save" }));
    await eventually(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(edits).toEqual([
      {
        id: "01JENTRY000000000000000000",
        changes: {
          project: "01JPROJECT0000000000000002",
          task: "01JTASK0000000000000000002",
          clear_task: false,
          time: null,
          note: null,
          billable: false,
          tags: null,
        },
      },
    ]);
  });

  it("names time without a project as such, and assigns it one", async () => {
    const edits: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "tags") return [];
      if (cmd === "tasks") throw "tasks of no project are not asked for";
      if (cmd === "edit_entry") edits.push(args);
      return { entry: spanEntry(), overlaps: [] };
    });
    const bare = spanEntry();
    const unassigned = { ...bare, entry: { ...bare.entry, project: null }, project_name: "", client_name: "" };
    const onSaved = vi.fn();
    const user = userEvent.setup();
    render(<TodayList entries={[unassigned]} timeZone="Europe/Berlin" onSaved={onSaved} projects={[project]} />);
    expect(screen.getByTestId("entry-project").textContent).toBe("No project");
    await user.click(screen.getByRole("button", { name: "Edit entry draft" }));
    const projectInput = screen.getByRole("combobox", { name: "Project" }) as HTMLInputElement;
    expect(projectInput.value).toBe("");
    expect(projectInput.placeholder).toBe("No project — choose one");
    await user.type(projectInput, "webs");
    await user.keyboard("{Enter}");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await eventually(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(edits).toEqual([
      { id: bare.entry.id, changes: expect.objectContaining({ project: project.project.id, task: null, clear_task: false }) },
    ]);
  });

  it("deletes at once and puts the entry back with Undo", async () => {
    setFormat({ locale: "en-GB", durationStyle: "clock" });
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "tags") return [];
      calls.push({ cmd, args });
      if (cmd === "delete_entry") return null;
      if (cmd === "add_entry") return { entry: spanEntry(), overlaps: [] };
      throw `unexpected ${cmd}`;
    });
    const onSaved = vi.fn();
    const user = userEvent.setup();
    const entry = spanEntry();
    entry.entry.tags = ["01JTAG00000000000000000001"];
    const { rerender } = render(<TodayList entries={[entry]} timeZone="Europe/Berlin" onSaved={onSaved} />);
    await user.click(screen.getByRole("button", { name: "Delete entry draft" }));
    await eventually(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(calls).toEqual([{ cmd: "delete_entry", args: { id: entry.entry.id } }]);
    // The day is read again without it; the list says what went and offers it back.
    rerender(<TodayList entries={[]} timeZone="Europe/Berlin" onSaved={onSaved} />);
    expect(screen.getByTestId("entry-undo-bar").textContent).toContain("Deleted draft, 09:00 – 10:30 (1:30:00).");
    expect(screen.getByTestId("today-empty")).toBeTruthy();
    await user.click(screen.getByTestId("entry-undo"));
    await eventually(() => expect(onSaved).toHaveBeenCalledTimes(2));
    expect(calls[1]).toEqual({
      cmd: "add_entry",
      args: {
        input: {
          member: entry.entry.member,
          project: entry.entry.project,
          task: null,
          time: entry.entry.time,
          note: "draft",
          billable: true,
          tags: ["01JTAG00000000000000000001"],
        },
      },
    });
    expect(screen.queryByTestId("entry-undo-bar")).toBeNull();
  });

  it("moves an entry to another day with its times, and applies a suggested tag", async () => {
    const edits: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "tags")
        return [
          { id: "01JTAGMEETING0000000000000", name: "meeting", archived: false },
          { id: "01JTAGOLD000000000000000000", name: "old", archived: true },
        ];
      if (cmd === "tasks") return [];
      if (cmd === "edit_entry") edits.push(args);
      return { entry: spanEntry(), overlaps: [] };
    });
    const onSaved = vi.fn();
    const user = userEvent.setup();
    render(<TodayList entries={[spanEntry()]} timeZone="Europe/Berlin" onSaved={onSaved} projects={[project]} />);
    await user.click(screen.getByRole("button", { name: "Edit entry draft" }));
    const date = screen.getByLabelText("Day") as HTMLInputElement;
    expect(date.value).toBe("11/23/2026");
    // An archived tag the entry does not have is not offered.
    const meeting = await screen.findByRole("button", { name: "#meeting" });
    expect(screen.queryByRole("button", { name: "#old" })).toBeNull();
    expect(meeting.textContent).toBe("+ #meeting");
    await user.click(meeting);
    expect(meeting.textContent).toBe("#meeting ×");
    await user.clear(date);
    await user.type(date, "11/24/2026");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await eventually(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(edits).toEqual([
      {
        id: "01JENTRY000000000000000000",
        changes: expect.objectContaining({
          // 09:00–10:30 in Berlin, a day later.
          time: { type: "span", start: "2026-11-24T08:00:00Z", end: "2026-11-24T09:30:00Z" },
          tags: ["01JTAGMEETING0000000000000"],
          note: null,
        }),
      },
    ]);
  });

  it("edits a duration-only entry's duration and keeps its day", async () => {
    const edits: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "tags") return [];
      if (cmd === "tasks") return [];
      if (cmd === "edit_entry") edits.push(args);
      return { entry: spanEntry(), overlaps: [] };
    });
    const base = spanEntry();
    const durationOnly: EntryView = {
      ...base,
      entry: { ...base.entry, time: { type: "duration", date: "2026-11-23", seconds: 5400 } },
    };
    const onSaved = vi.fn();
    const user = userEvent.setup();
    render(<TodayList entries={[durationOnly]} timeZone="Europe/Berlin" onSaved={onSaved} />);
    await user.click(screen.getByRole("button", { name: /Edit/ }));
    const duration = screen.getByLabelText("Duration");
    expect((duration as HTMLInputElement).value).toBe("1:30");
    await user.clear(duration);
    await user.type(duration, "nonsense");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/duration is like/);
    expect((screen.getByLabelText("Duration") as HTMLInputElement).value).toBe("nonsense");
    await user.clear(duration);
    await user.type(duration, "2h15");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await eventually(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(edits).toMatchObject([
      { changes: { time: { type: "duration", date: "2026-11-23", seconds: 8100 }, project: null, billable: null } },
    ]);
  });
});

describe("TodayList overlaps", () => {
  it("marks the entries the engine reports as overlapping, and only those", () => {
    setFormat({ locale: "en-GB", durationStyle: "clock" });
    const first = spanEntry();
    const second: EntryView = { ...spanEntry(), entry: { ...spanEntry().entry, id: "01JENTRY000000000000000002" }, overlaps: true };
    render(<TodayList entries={[first, second]} timeZone="Europe/Berlin" onSaved={() => {}} />);
    const rows = screen.getAllByTestId("entry-row");
    expect(within(rows[0]!).queryByTestId("entry-overlaps")).toBeNull();
    // The same times: it names the other, and trimming would leave nothing, so none is offered.
    expect(within(rows[1]!).getByTestId("entry-overlaps").textContent).toBe("Overlaps draft (09:00 – 10:30)");
    expect(screen.queryByTestId("entry-trim")).toBeNull();
  });

  it("trims an entry's end back to where the one it runs into starts", async () => {
    setFormat({ locale: "en-GB", durationStyle: "clock" });
    const edits: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "tags") return [];
      if (cmd === "edit_entry") edits.push(args);
      return { entry: spanEntry(), overlaps: [] };
    });
    const onSaved = vi.fn();
    const morning = { ...spanEntry(), overlaps: true }; // 09:00 – 10:30 in Berlin
    const base = spanEntry();
    const call: EntryView = {
      ...base,
      entry: { ...base.entry, id: "01JENTRY000000000000000002", note: "Call", time: { type: "span", start: "2026-11-23T09:00:00Z", end: "2026-11-23T10:00:00Z" } },
      overlaps: true,
    };
    render(<TodayList entries={[morning, call]} timeZone="Europe/Berlin" onSaved={onSaved} />);
    const row = screen.getAllByTestId("entry-row")[0]!;
    expect(within(row).getByTestId("entry-overlaps").textContent).toBe("Overlaps Call (10:00 – 11:00)");
    await userEvent.click(within(row).getByRole("button", { name: "Trim to end at 10:00" }));
    await eventually(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(edits).toMatchObject([
      { id: "01JENTRY000000000000000000", changes: { time: { type: "span", start: "2026-11-23T08:00:00Z", end: "2026-11-23T09:00:00.000Z" }, note: null } },
    ]);
    // The other one's start moves on instead.
    const other = screen.getAllByTestId("entry-row")[1]!;
    expect(within(other).getByTestId("entry-trim").textContent).toBe("Trim to start at 10:30");
  });
});

describe("TodayList in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("says everything in German, with the locale's times of day", async () => {
    mockIPC((cmd) => {
      if (cmd === "tags" || cmd === "tasks") return [];
      if (cmd === "delete_entry") return null;
      throw `unexpected ${cmd}`;
    });
    setFormat({ locale: "de-DE", durationStyle: "clock" });
    act(() => setUiLanguage("de-DE"));
    const user = userEvent.setup();
    const { rerender } = render(<TodayList entries={[]} timeZone="Europe/Berlin" onSaved={() => {}} />);
    expect(screen.getByTestId("today-empty").textContent).toBe("Heute noch nichts erfasst.");

    const running = runningEntry("2026-11-23T09:00:00Z", "");
    running.entry.id = "01JENTRY000000000000000009";
    const done = { ...spanEntry(), entry: { ...spanEntry().entry, note: "" }, overlaps: true, locked: true };
    rerender(
      <TodayList entries={[done, running]} timeZone="Europe/Berlin" onSaved={() => {}} canContinue now={Date.parse("2026-11-23T10:30:00Z")} />,
    );
    const [first, second] = screen.getAllByTestId("entry-row");
    expect(within(first!).getByTestId("entry-time").textContent).toBe("10:00 – jetzt");
    expect(within(first!).getByTestId("entry-running").textContent).toBe("läuft");
    expect(within(second!).getByTestId("entry-note").textContent).toBe("(keine Notiz)");
    expect(within(second!).getByTestId("entry-locked").textContent).toBe("Gesperrt");
    expect(within(second!).getByTestId("entry-locked").title).toBe("Dieser Tag liegt im gesperrten Zeitraum");
    expect(within(second!).getByTestId("entry-overlaps").textContent).toBe("Überschneidung mit Website (10:00 – jetzt)");
    expect(within(second!).getByRole("button", { name: "Website fortsetzen" }).textContent).toBe("▶ Fortsetzen");

    rerender(<TodayList entries={[spanEntry()]} timeZone="Europe/Berlin" onSaved={() => {}} />);
    await user.click(screen.getByRole("button", { name: "Eintrag draft bearbeiten" }));
    expect(screen.getByLabelText("Beginn")).toHaveProperty("value", "09:00");
    expect(screen.getByLabelText("Ende")).toHaveProperty("value", "10:30");
    await user.clear(screen.getByLabelText("Beginn"));
    await user.type(screen.getByLabelText("Beginn"), "9");
    await user.click(screen.getByRole("button", { name: "Speichern" }));
    expect(screen.getByRole("alert").textContent).toBe("Uhrzeiten im Format HH:MM, zum Beispiel 09:30.");
    await user.click(screen.getByRole("button", { name: "Abbrechen" }));

    await user.click(screen.getByRole("button", { name: "Eintrag draft löschen" }));
    await screen.findByTestId("entry-undo-bar");
    rerender(<TodayList entries={[]} timeZone="Europe/Berlin" onSaved={() => {}} emptyText="—" />);
    expect(screen.getByTestId("entry-undo-bar").textContent).toBe("Gelöscht: draft, 09:00 – 10:30 (1:30:00).Rückgängig");
  });
});
