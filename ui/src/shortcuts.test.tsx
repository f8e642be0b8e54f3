import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { useRef } from "react";
import { describe, expect, it, vi } from "vitest";

import type { InvoiceView } from "./bindings/InvoiceView";
import { CommandPalette, matching, type Place } from "./CommandPalette";
import { ShortcutSheet } from "./ShortcutSheet";
import { SHORTCUTS, takesText, useShortcuts } from "./shortcuts";
import { eventually } from "./test/eventually";
import { runningEntry } from "./test/fixtures";
import { permissionsOf, project } from "./test/fixtures";
import { TimerBar, type TimerControl } from "./TimerBar";

function Keys({ handlers, enabled = true }: { handlers: Record<string, () => void>; enabled?: boolean }) {
  useShortcuts(handlers, enabled);
  return (
    <div>
      <input aria-label="Note" />
      <input aria-label="Billable" type="checkbox" />
      <button type="button">Elsewhere</button>
    </div>
  );
}

describe("shortcuts", () => {
  it("act on single keys when no text field has the focus", async () => {
    const s = vi.fn();
    const help = vi.fn();
    render(<Keys handlers={{ s, "?": help }} />);
    await userEvent.keyboard("s?");
    expect([s.mock.calls.length, help.mock.calls.length]).toEqual([1, 1]);

    // Typing into a note is typing, not a command.
    await userEvent.click(screen.getByLabelText("Note"));
    await userEvent.keyboard("s?");
    expect([s.mock.calls.length, help.mock.calls.length]).toEqual([1, 1]);
    expect((screen.getByLabelText("Note") as HTMLInputElement).value).toBe("s?");

    // A checkbox or a button takes no text: the key is a shortcut there.
    await userEvent.click(screen.getByLabelText("Billable"));
    await userEvent.keyboard("s");
    expect(s).toHaveBeenCalledTimes(2);
  });

  it("ignore keys held with Ctrl, Alt or ⌘, except the search's Ctrl+K, which works everywhere", async () => {
    const s = vi.fn();
    const search = vi.fn();
    render(<Keys handlers={{ s, "mod+k": search }} />);
    fireEvent.keyDown(window, { key: "s", ctrlKey: true });
    fireEvent.keyDown(window, { key: "s", altKey: true });
    fireEvent.keyDown(window, { key: "s", metaKey: true });
    expect(s).not.toHaveBeenCalled();
    await userEvent.click(screen.getByLabelText("Note"));
    await userEvent.keyboard("{Control>}k{/Control}");
    expect(search).toHaveBeenCalledOnce();
  });

  it("do nothing while switched off (a dialog is open)", async () => {
    const s = vi.fn();
    render(<Keys handlers={{ s }} enabled={false} />);
    await userEvent.keyboard("s");
    expect(s).not.toHaveBeenCalled();
  });

  it("tell text fields from other controls", () => {
    const text = document.createElement("input");
    const box = document.createElement("input");
    box.type = "checkbox";
    const area = document.createElement("textarea");
    expect([takesText(text), takesText(box), takesText(area), takesText(document.body), takesText(null)]).toEqual([
      true,
      false,
      true,
      false,
      false,
    ]);
  });

  it("are all listed on the sheet, which Esc closes", async () => {
    const onClose = vi.fn();
    render(<ShortcutSheet onClose={onClose} />);
    const rows = screen.getAllByTestId("shortcut");
    expect(rows).toHaveLength(SHORTCUTS.length);
    expect(rows.map((r) => r.textContent)).toContain("SStart or stop the timer (without a project chosen: choose one)");
    expect(document.activeElement).toBe(screen.getByTestId("shortcut-sheet-close"));
    await userEvent.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledOnce();
  });
});

const SECTIONS = [
  { id: "track", label: "Track" },
  { id: "projects", label: "Projects" },
];

function invoiceView(id: string, label: string, client: string): InvoiceView {
  return { invoice: { id, number: label }, label, client_name: client } as unknown as InvoiceView;
}

function catalog(calls: string[]) {
  mockIPC((cmd) => {
    calls.push(cmd);
    switch (cmd) {
      case "projects":
        return [project, { ...project, project: { ...project.project, id: "01JPROJECT0000000000000002", name: "Shop", archived: true } }];
      case "clients":
        return [{ id: project.project.client, name: "Müller & Søn", currency: null, rounding: null, note: "", archived: false }];
      case "invoices":
        return [invoiceView("01JINVOICE0000000000000001", "RE-2026-001", "Müller & Søn")];
      default:
        throw `unexpected ${cmd}`;
    }
  });
}

describe("CommandPalette", () => {
  it("finds places by every word typed, in label or detail", () => {
    const place = (label: string, detail: string): Place => ({ key: label, label, detail, go: { kind: "tab", tab: label } });
    const places = [place("Website", "Project · Müller & Søn"), place("Müller & Søn", "Client"), place("Reports", "Section")];
    expect(matching(places, "müller").map((p) => p.label)).toEqual(["Website", "Müller & Søn"]);
    expect(matching(places, "  web  MÜLLER ").map((p) => p.label)).toEqual(["Website"]);
    expect(matching(places, "").length).toBe(3);
  });

  it("goes to an invoice chosen with the arrows and Enter", async () => {
    const calls: string[] = [];
    catalog(calls);
    const onGo = vi.fn();
    const onClose = vi.fn();
    render(<CommandPalette sections={SECTIONS} permissions={permissionsOf("admin", () => true)} onGo={onGo} onClose={onClose} />);
    const input = screen.getByTestId("palette-input");
    expect(document.activeElement).toBe(input);
    await eventually(() => expect(screen.getAllByTestId("palette-result").length).toBe(6));
    await userEvent.type(input, "müller");
    // The project (by its client), the client, the invoice (by its client).
    expect(screen.getAllByTestId("palette-result").map((r) => r.textContent)).toEqual([
      "WebsiteProject · Müller & Søn",
      "ShopProject · Müller & Søn · archived",
      "Müller & SønClient",
      "RE-2026-001Invoice · Müller & Søn",
    ]);
    await userEvent.keyboard("{ArrowDown}{ArrowDown}{ArrowDown}{ArrowDown}{ArrowUp}{ArrowDown}{Enter}");
    expect(onGo).toHaveBeenCalledWith({ kind: "invoice", id: "01JINVOICE0000000000000001" });
    expect(onClose).toHaveBeenCalledOnce();
  });

  it("lists no invoices for a role that cannot read them, and says when nothing matches", async () => {
    const calls: string[] = [];
    catalog(calls);
    const member = permissionsOf("member", (a) => a !== "read_invoices");
    render(<CommandPalette sections={SECTIONS} permissions={member} onGo={vi.fn()} onClose={vi.fn()} />);
    await eventually(() => expect(screen.getAllByTestId("palette-result").length).toBe(5));
    expect(calls).not.toContain("invoices");
    await userEvent.type(screen.getByTestId("palette-input"), "RE-2026");
    expect(screen.getByTestId("palette-none").textContent).toBe("Nothing matches “RE-2026”.");
  });

  it("goes to a section by a click, and closes on Esc", async () => {
    catalog([]);
    const onGo = vi.fn();
    const onClose = vi.fn();
    render(<CommandPalette sections={SECTIONS} permissions={null} onGo={onGo} onClose={onClose} />);
    await userEvent.click(screen.getByText("Projects"));
    expect(onGo).toHaveBeenCalledWith({ kind: "tab", tab: "projects" });
    await userEvent.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledTimes(2);
  });
});

function TimerWithControl({ onReady }: { onReady: (c: () => TimerControl | null) => void }) {
  const control = useRef<TimerControl | null>(null);
  onReady(() => control.current);
  return <TimerBar onChanged={() => undefined} control={control} />;
}

describe("the timer's shortcut", () => {
  it("starts the chosen project and stops it again", async () => {
    const commands: string[] = [];
    mockIPC((cmd) => {
      commands.push(cmd);
      switch (cmd) {
        case "projects":
          return [project];
        case "running_timer":
        case "tasks":
          return cmd === "tasks" ? [] : null;
        case "tags":
          return [];
        case "start_timer":
          return {
            entry: { entry: { time: { type: "running", start: "2026-11-23T09:00:00Z" } }, project_name: "Website" },
            overlaps: [],
          };
        case "stop_timer":
          return null;
        default:
          throw `unexpected ${cmd}`;
      }
    });
    let control: () => TimerControl | null = () => null;
    render(<TimerWithControl onReady={(c) => (control = c)} />);
    expect(await screen.findByDisplayValue("Müller & Søn — Website")).toBeTruthy();
    control()?.startOrStop();
    const stop = (await screen.findByRole("button", { name: "Stop" })) as HTMLButtonElement;
    // While the start is answered the key does nothing; then it stops.
    await eventually(() => expect(stop.disabled).toBe(false));
    control()?.startOrStop();
    expect(await screen.findByRole("button", { name: "Start" })).toBeTruthy();
    expect(commands.filter((c) => c.endsWith("_timer") && c !== "running_timer")).toEqual(["start_timer", "stop_timer"]);
  });

  it("starts a timer without a project when none is chosen", async () => {
    const started: unknown[] = [];
    mockIPC((cmd, args) => {
      switch (cmd) {
        case "projects":
          return [];
        case "running_timer":
          return null;
        case "tags":
          return [];
        case "start_timer": {
          const input = (args as { input: { project: string | null } }).input;
          started.push(input.project);
          const entry = runningEntry("2026-11-23T09:00:00Z");
          return { entry: { ...entry, entry: { ...entry.entry, project: null }, project_name: "", client_name: "" }, overlaps: [] };
        }
        default:
          throw `unexpected ${cmd}`;
      }
    });
    let control: () => TimerControl | null = () => null;
    render(<TimerWithControl onReady={(c) => (control = c)} />);
    await screen.findByTestId("timer-no-projects");
    control()?.startOrStop();
    expect(await screen.findByTestId("timer-no-project")).toBeTruthy();
    expect(started).toEqual([null]);
  });
});
