import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { NewEntry } from "./bindings/NewEntry";
import { setFormat } from "./format";
import { setUiLanguage } from "./i18n";
import { ManualEntry } from "./ManualEntry";
import { PICKER_LIMIT } from "./Picker";
import { project, runningEntry } from "./test/fixtures";

describe("ManualEntry", () => {
  it("adds a span in the organization's time zone and reports overlaps", async () => {
    const sent: NewEntry[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== "add_entry") throw `unexpected ${cmd}`;
      sent.push((args as { input: NewEntry }).input);
      return { entry: runningEntry("2026-11-23T08:00:00Z"), overlaps: ["01JOTHER"] };
    });
    const onAdded = vi.fn();
    const user = userEvent.setup();
    render(<ManualEntry projects={[project]} date="2026-11-23" timeZone="Europe/Berlin" onAdded={onAdded} />);
    await user.clear(screen.getByLabelText("Start"));
    await user.type(screen.getByLabelText("Start"), "09:00");
    await user.clear(screen.getByLabelText("End"));
    await user.type(screen.getByLabelText("End"), "10:30");
    await user.type(screen.getByLabelText("Note"), "Design review");
    await user.click(screen.getByRole("button", { name: "Add entry" }));
    expect(sent).toEqual([
      {
        member: null,
        project: project.project.id,
        task: null,
        time: { type: "span", start: "2026-11-23T08:00:00Z", end: "2026-11-23T09:30:00Z" },
        note: "Design review",
        billable: null,
        tags: [],
      },
    ]);
    expect(onAdded).toHaveBeenCalledOnce();
    expect(screen.getByTestId("manual-overlap").textContent).toContain("overlaps 1 other entry");
    expect(screen.getByLabelText("Note")).toHaveProperty("value", "");
  });

  it("finds one of thousands of projects by typing, with only a page of them in the list", async () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({
      ...project,
      project: { ...project.project, id: `01JPROJECT${String(i).padStart(16, "0")}`, name: `Project ${i}` },
      client_name: `Client ${i % 40}`,
    }));
    const sent: NewEntry[] = [];
    mockIPC((_cmd, args) => {
      sent.push((args as { input: NewEntry }).input);
      return { entry: runningEntry("2026-11-23T08:00:00Z"), overlaps: [] };
    });
    const user = userEvent.setup();
    render(<ManualEntry projects={many} date="2026-11-23" timeZone="Europe/Berlin" onAdded={() => {}} />);
    const field = screen.getByTestId("manual-project") as HTMLInputElement;
    // The first project is chosen to begin with, as the form always had one.
    expect(field.value).toBe("Client 0 — Project 0");
    await user.click(field);
    expect(screen.getAllByTestId("manual-project-option")).toHaveLength(PICKER_LIMIT);
    await user.keyboard("{Control>}a{/Control}project 4321");
    expect(screen.getAllByTestId("manual-project-option").map((o) => o.textContent)).toEqual(["Client 1 — Project 4321"]);
    await user.keyboard("{Enter}");
    expect(field.value).toBe("Client 1 — Project 4321");
    await user.click(screen.getByRole("button", { name: "Add entry" }));
    expect(sent[0]?.project).toBe(many[4321]?.project.id);
  });

  it("adds a duration-only, non-billable entry", async () => {
    const sent: NewEntry[] = [];
    mockIPC((_cmd, args) => {
      sent.push((args as { input: NewEntry }).input);
      return { entry: runningEntry("2026-11-23T08:00:00Z"), overlaps: [] };
    });
    const user = userEvent.setup();
    render(<ManualEntry projects={[project]} date="2026-11-23" timeZone="Europe/Berlin" onAdded={() => {}} />);
    await user.click(screen.getByLabelText("Duration"));
    await user.clear(screen.getByTestId("manual-duration"));
    await user.type(screen.getByTestId("manual-duration"), "1h15");
    await user.click(screen.getByLabelText("Billable"));
    await user.click(screen.getByRole("button", { name: "Add entry" }));
    expect(sent[0]?.time).toEqual({ type: "duration", date: "2026-11-23", seconds: 4500 });
    expect(sent[0]?.billable).toBe(false);
  });

  it("refuses bad times without calling the engine, and keeps the engine's message and the note", async () => {
    let calls = 0;
    mockIPC(() => {
      calls += 1;
      throw "the day 2026-11-23 is in the locked period; ask an admin to move the lock";
    });
    const user = userEvent.setup();
    render(<ManualEntry projects={[project]} date="2026-11-23" timeZone="Europe/Berlin" onAdded={() => {}} />);
    await user.clear(screen.getByLabelText("Start"));
    await user.type(screen.getByLabelText("Start"), "9");
    await user.click(screen.getByRole("button", { name: "Add entry" }));
    expect(screen.getByRole("alert").textContent).toContain("HH:MM");
    expect(calls).toBe(0);
    await user.clear(screen.getByLabelText("Start"));
    await user.type(screen.getByLabelText("Start"), "09:00");
    await user.type(screen.getByLabelText("Note"), "kept");
    await user.click(screen.getByRole("button", { name: "Add entry" }));
    expect(calls).toBe(1);
    expect(screen.getByRole("alert").textContent).toContain("locked period");
    expect(screen.getByLabelText("Note")).toHaveProperty("value", "kept");
  });
});

describe("ManualEntry in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("suggests a duration in the organization's style and takes it typed that way", async () => {
    const sent: NewEntry[] = [];
    mockIPC((_cmd, args) => {
      sent.push((args as { input: NewEntry }).input);
      return { entry: runningEntry("2026-11-23T08:00:00Z"), overlaps: [] };
    });
    setFormat({ locale: "de-DE", durationStyle: "decimal" });
    try {
      const user = userEvent.setup();
      render(<ManualEntry projects={[project]} date="2026-11-23" timeZone="Europe/Berlin" onAdded={() => {}} />);
      await user.click(screen.getByLabelText("Duration"));
      const field = screen.getByTestId("manual-duration") as HTMLInputElement;
      expect(field.placeholder).toBe("1,50");
      expect((screen.getByTestId("manual-date") as HTMLInputElement).value).toBe("23.11.2026");
      await user.clear(field);
      await user.type(field, "1,25");
      await user.click(screen.getByRole("button", { name: "Add entry" }));
      expect(sent[0]?.time).toEqual({ type: "duration", date: "2026-11-23", seconds: 4500 });
    } finally {
      setFormat({ locale: undefined, durationStyle: "clock" });
    }
  });

  it("asks for the time in German and says how many entries it overlaps", async () => {
    mockIPC(() => ({ entry: runningEntry("2026-11-23T08:00:00Z"), overlaps: ["01JOTHER1", "01JOTHER2", "01JOTHER3"] }));
    act(() => setUiLanguage("de-DE"));
    const user = userEvent.setup();
    const { rerender } = render(<ManualEntry projects={[]} date="2026-11-23" timeZone="Europe/Berlin" onAdded={() => {}} />);
    expect(screen.getByTestId("manual-no-projects").textContent).toBe(
      "Legen Sie unter Projekte ein Projekt an, um Zeit von Hand zu erfassen.",
    );
    rerender(<ManualEntry projects={[project]} date="2026-11-23" timeZone="Europe/Berlin" onAdded={() => {}} />);
    expect(screen.getByRole("form", { name: "Zeit von Hand erfassen" })).toBeTruthy();
    expect(screen.getByRole("group", { name: "Zeit" })).toBeTruthy();
    expect(screen.getByLabelText("Von–bis")).toBeTruthy();
    expect(screen.getByLabelText("Tag")).toBeTruthy();
    expect(screen.getByLabelText("Projekt")).toBeTruthy();
    expect((screen.getByLabelText("Notiz") as HTMLInputElement).placeholder).toBe("Was haben Sie gemacht?");
    expect(screen.getByLabelText("Abrechenbar")).toBeTruthy();
    await user.clear(screen.getByLabelText("Ende"));
    await user.type(screen.getByLabelText("Ende"), "1030");
    await user.click(screen.getByRole("button", { name: "Eintrag hinzufügen" }));
    expect(screen.getByRole("alert").textContent).toBe("Uhrzeiten im Format HH:MM, zum Beispiel 09:30.");
    await user.clear(screen.getByLabelText("Ende"));
    await user.type(screen.getByLabelText("Ende"), "10:30");
    await user.click(screen.getByRole("button", { name: "Eintrag hinzufügen" }));
    expect((await screen.findByTestId("manual-overlap")).textContent).toBe(
      "Hinzugefügt. Der Eintrag überschneidet sich mit 3 anderen Einträgen von Ihnen.",
    );
    await user.click(screen.getByLabelText("Dauer"));
    await user.clear(screen.getByTestId("manual-duration"));
    await user.type(screen.getByTestId("manual-duration"), "bald");
    await user.click(screen.getByRole("button", { name: "Eintrag hinzufügen" }));
    expect(screen.getByRole("alert").textContent).toBe("Eine Dauer ist z. B. 1:30, 1h30, 90m oder 1,5.");
  });
});
