import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { EntryChanges } from "./bindings/EntryChanges";
import type { StartTimer } from "./bindings/StartTimer";
import { setUiLanguage } from "./i18n";
import { project, runningEntry } from "./test/fixtures";
import { TimerBar } from "./TimerBar";
import { eventually } from "./test/eventually";

afterEach(() => {
  vi.useRealTimers();
});

describe("TimerBar", () => {
  it("starts on the chosen project, ticks, and stops", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    vi.setSystemTime(new Date("2026-11-23T09:00:00Z"));
    const started: StartTimer[] = [];
    let stopped = 0;
    mockIPC((cmd, args) => {
      switch (cmd) {
        case "projects":
          return [project];
        case "running_timer":
          return null;
        case "tasks":
          return [
            {
              task: { id: "01JTASK0000000000000000000", project: project.project.id, name: "Design", billable: null, archived: false },
              project_name: "Website",
            },
          ];
        case "start_timer": {
          const input = (args as { input: StartTimer }).input;
          started.push(input);
          return { entry: runningEntry("2026-11-23T09:00:00Z", input.note), overlaps: [] };
        }
        case "stop_timer":
          stopped += 1;
          return runningEntry("2026-11-23T09:00:00Z");
        default:
          throw `unexpected ${cmd}`;
      }
    });
    const onChanged = vi.fn();
    const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
    render(<TimerBar onChanged={onChanged} />);

    // The first project is chosen; its tasks can be searched by typing.
    expect(await screen.findByDisplayValue("Müller & Søn — Website")).toBeTruthy();
    const task = screen.getByRole("combobox", { name: "Task" });
    await eventually(() => expect((task as HTMLInputElement).disabled).toBe(false));
    await user.type(task, "desi");
    await user.keyboard("{Enter}");
    expect((task as HTMLInputElement).value).toBe("Design");

    await user.type(screen.getByLabelText("Note"), "homepage");
    await user.click(screen.getByRole("button", { name: "Start" }));
    expect(await screen.findByRole("button", { name: "Stop" })).toBeTruthy();
    expect(started).toEqual([
      { project: project.project.id, task: "01JTASK0000000000000000000", note: "homepage", billable: null, tags: [] },
    ]);
    expect(onChanged).toHaveBeenCalledTimes(1);
    // The running entry stays editable: its project can be changed while it runs.
    expect((screen.getByRole("combobox", { name: "Project" }) as HTMLInputElement).disabled).toBe(false);

    // Waiting above moved the fake clock on (each poll by its interval): back to the start.
    vi.setSystemTime(new Date("2026-11-23T09:00:00Z"));
    act(() => {
      vi.advanceTimersByTime(3723_000);
    });
    expect(screen.getByTestId("timer-elapsed").textContent).toBe("1:02:03");

    await user.click(screen.getByRole("button", { name: "Stop" }));
    expect(await screen.findByRole("button", { name: "Start" })).toBeTruthy();
    expect(stopped).toBe(1);
    expect(onChanged).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId("timer-elapsed").textContent).toBe("0:00:00");
    expect((screen.getByLabelText("Note") as HTMLInputElement).value).toBe("");
  });

  it("starts without a project and assigns one, with a note, while it runs", async () => {
    const started: StartTimer[] = [];
    const edits: { id: string; changes: EntryChanges }[] = [];
    const bare = runningEntry("2026-11-23T09:00:00Z");
    const unassigned = { ...bare, entry: { ...bare.entry, project: null }, project_name: "", client_name: "" };
    mockIPC((cmd, args) => {
      switch (cmd) {
        case "projects":
          return [project];
        case "running_timer":
          return null;
        case "tasks":
        case "tags":
          return [];
        case "start_timer":
          started.push((args as { input: StartTimer }).input);
          return { entry: unassigned, overlaps: [] };
        case "edit_entry": {
          const a = args as { id: string; changes: EntryChanges };
          edits.push(a);
          const entry = { ...bare.entry, project: a.changes.project ?? null, note: a.changes.note ?? bare.entry.note };
          return { entry: { ...bare, entry }, overlaps: [] };
        }
        default:
          throw `unexpected ${cmd}`;
      }
    });
    const onChanged = vi.fn();
    const user = userEvent.setup();
    render(<TimerBar onChanged={onChanged} />);
    const picker = screen.getByRole("combobox", { name: "Project" }) as HTMLInputElement;
    await screen.findByDisplayValue("Müller & Søn — Website");
    // "No project" is a choice; Start stays available without one.
    await user.clear(picker);
    await user.type(picker, "no proj");
    await user.keyboard("{Enter}");
    expect(picker.value).toBe("");
    await user.click(screen.getByRole("button", { name: "Start" }));
    expect(await screen.findByTestId("timer-no-project")).toBeTruthy();
    expect(started[0]?.project).toBeNull();

    // Running: the project is chosen now, and the note is saved with Enter without stopping.
    await user.type(picker, "webs");
    await user.keyboard("{Enter}");
    await eventually(() => expect(edits).toHaveLength(1));
    expect(edits[0]?.changes).toMatchObject({ project: project.project.id, note: null, time: null });
    await eventually(() => expect(screen.queryByTestId("timer-no-project")).toBeNull());
    await user.type(screen.getByLabelText("Note"), "kick-off{Enter}");
    await eventually(() => expect(edits).toHaveLength(2));
    expect(edits[1]?.changes).toMatchObject({ project: null, note: "kick-off" });
    expect(screen.getByRole("button", { name: "Stop" })).toBeTruthy();
    expect(onChanged).toHaveBeenCalledTimes(3);
  });

  it("shows a timer that was already running and the engine's refusal", async () => {
    mockIPC((cmd) => {
      if (cmd === "projects") return [project];
      if (cmd === "running_timer") return runningEntry(new Date(Date.now() - 5000).toISOString(), "earlier");
      if (cmd === "stop_timer") throw "no timer is running";
      if (cmd === "tasks") return [];
      return null;
    });
    render(<TimerBar onChanged={() => {}} />);
    expect(await screen.findByRole("button", { name: "Stop" })).toBeTruthy();
    expect((screen.getByLabelText("Note") as HTMLInputElement).value).toBe("earlier");
    await userEvent.click(screen.getByRole("button", { name: "Stop" }));
    expect((await screen.findByTestId("timer-error")).textContent).toBe("no timer is running");
    expect(screen.getByRole("button", { name: "Stop" })).toBeTruthy();
  });

  it("starts with chosen and newly made tags", async () => {
    const started: StartTimer[] = [];
    const added: string[] = [];
    mockIPC((cmd, args) => {
      switch (cmd) {
        case "projects":
          return [project];
        case "running_timer":
          return null;
        case "tasks":
          return [];
        case "tags":
          return [{ id: "01JTAGMEETING0000000000000", name: "meeting", archived: false }];
        case "add_tag":
          added.push((args as { name: string }).name);
          return "01JTAGURGENT00000000000000";
        case "start_timer": {
          const input = (args as { input: StartTimer }).input;
          started.push(input);
          return { entry: runningEntry("2026-11-23T09:00:00Z", input.note), overlaps: [] };
        }
        default:
          throw `unexpected ${cmd}`;
      }
    });
    const user = userEvent.setup();
    render(<TimerBar onChanged={() => {}} />);
    // A known tag not applied is a suggestion, and looks like one; applied, it says so and offers ×.
    const meeting = await screen.findByRole("button", { name: "#meeting" });
    expect([meeting.className, meeting.textContent, meeting.getAttribute("aria-pressed")]).toEqual([
      "tag is-suggested",
      "+ #meeting",
      "false",
    ]);
    await user.click(meeting);
    expect([meeting.className, meeting.textContent, meeting.getAttribute("aria-pressed")]).toEqual([
      "tag is-on",
      "#meeting ×",
      "true",
    ]);
    await user.type(screen.getByLabelText("New tag"), "urgent{Enter}");
    expect(added).toEqual(["urgent"]);
    expect(screen.getByRole("button", { name: "#urgent" }).getAttribute("aria-pressed")).toBe("true");
    await user.click(screen.getByRole("button", { name: "Start" }));
    await screen.findByRole("button", { name: "Stop" });
    expect(started[0]?.tags).toEqual(["01JTAGMEETING0000000000000", "01JTAGURGENT00000000000000"]);
  });
  it("is one line outside Track: no tags, the fields still named", async () => {
    mockIPC((cmd) => {
      switch (cmd) {
        case "projects":
          return [project];
        case "running_timer":
          return null;
        case "tasks":
        case "tags":
          return [];
        default:
          throw `unexpected ${cmd}`;
      }
    });
    const { rerender } = render(<TimerBar onChanged={() => {}} compact />);
    expect(await screen.findByDisplayValue("Müller & Søn — Website")).toBeTruthy();
    expect(screen.getByTestId("timer-bar").className).toBe("timer-bar is-compact");
    // Labels are hidden by the style, not removed: the fields keep their names.
    expect(screen.getByRole("combobox", { name: "Project" })).toBeTruthy();
    expect(screen.getByLabelText("Note")).toBeTruthy();
    rerender(<TimerBar onChanged={() => {}} />);
    expect(screen.getByTestId("timer-bar").className).toBe("timer-bar");
  });
});

describe("TimerBar in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("names its fields, buttons and notices in German", async () => {
    const bare = runningEntry("2026-11-23T09:00:00Z");
    const unassigned = { ...bare, entry: { ...bare.entry, project: null }, project_name: "", client_name: "" };
    mockIPC((cmd) => {
      switch (cmd) {
        case "projects":
        case "tags":
          return [];
        case "running_timer":
          return null;
        case "start_timer":
          return { entry: unassigned, overlaps: ["01JOTHER1", "01JOTHER2"] };
        default:
          throw `unexpected ${cmd}`;
      }
    });
    act(() => setUiLanguage("de-DE"));
    const user = userEvent.setup();
    render(<TimerBar onChanged={() => {}} />);
    expect((await screen.findByTestId("timer-no-projects")).textContent).toBe(
      "Noch keine Projekte: Starten Sie trotzdem und weisen Sie später eines zu, oder legen Sie unter Projekte einen Kunden und ein Projekt an.",
    );
    const picker = screen.getByRole("combobox", { name: "Projekt" }) as HTMLInputElement;
    expect(picker.placeholder).toBe("Noch kein Projekt");
    expect(screen.getByRole("combobox", { name: "Aufgabe" })).toBeTruthy();
    expect((screen.getByLabelText("Notiz") as HTMLInputElement).placeholder).toBe("Woran arbeiten Sie?");
    expect(screen.getByRole("group", { name: "Schlagwörter" })).toBeTruthy();
    expect((screen.getByLabelText("Neues Schlagwort") as HTMLInputElement).placeholder).toBe("+ Schlagwort");
    await user.click(screen.getByRole("button", { name: "Starten" }));
    expect(await screen.findByRole("button", { name: "Stoppen" })).toBeTruthy();
    expect(screen.getByTestId("timer-notice").textContent).toBe("Überschneidet sich mit 2 anderen Einträgen.");
    expect(screen.getByTestId("timer-no-project").textContent).toContain("Dieser Timer hat noch kein Projekt.");
    expect(screen.getByLabelText("Laufzeit")).toBeTruthy();
    expect(document.title).toMatch(/ · Kein Projekt — Stint$/);
  });
});
