import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import { setFormat } from "./format";
import { setUiLanguage } from "./i18n";
import { AwayDialog, DeviceSettings, ReminderBanner } from "./Watch";

// ICU puts a no-break space (U+00A0 or U+202F, by version) before "AM": compared as a plain space.
const plain = (text: string | null) => (text ?? "").replace(/[\u00a0\u202f]/g, " ");

afterEach(() => {
  localStorage.clear();
  setFormat({ locale: undefined, durationStyle: "clock" });
});

describe("AwayDialog", () => {
  it("sends the chosen way to resolve the time away", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      return { running: null, away: null };
    });
    const onDone = vi.fn();
    setFormat({ locale: "en-GB", durationStyle: "clock" });
    render(
      <AwayDialog away={{ since: "2026-11-23T10:15:00Z", minutes: 75 }} timeZone="Europe/Berlin" onDone={onDone} />,
    );
    expect(screen.getByRole("dialog").textContent).toContain("1 h 15 min");
    expect(screen.getByTestId("away-minutes").textContent).toBe("1 h 15 min");
    expect(screen.getByRole("dialog").textContent).toContain("You were away for 1 h 15 min, since 11:15, while the timer ran.");
    await userEvent.setup().click(screen.getByRole("button", { name: "Split into its own entry" }));
    expect(calls).toEqual([{ cmd: "resolve_idle", args: { since: "2026-11-23T10:15:00Z", choice: "split" } }]);
    expect(onDone).toHaveBeenCalledWith(true);
  });

  it("says since when on the locale's clock", () => {
    setFormat({ locale: "en-US", durationStyle: "clock" });
    render(<AwayDialog away={{ since: "2026-11-23T13:15:00Z", minutes: 5 }} timeZone="Europe/Berlin" onDone={() => {}} />);
    expect(plain(screen.getByRole("dialog").textContent)).toContain("You were away for 5 min, since 2:15 PM, while the timer ran.");
  });

  it("shows the engine's refusal and stays open", async () => {
    mockIPC(() => {
      throw "no timer is running; nothing to resolve";
    });
    const onDone = vi.fn();
    render(<AwayDialog away={{ since: "2026-11-23T10:15:00Z", minutes: 5 }} timeZone="UTC" onDone={onDone} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Discard it" }));
    expect(screen.getByRole("alert").textContent).toContain("no timer is running");
    expect(onDone).not.toHaveBeenCalled();
  });
});

describe("ReminderBanner", () => {
  it("offers to stop or keep a long timer", async () => {
    const onStop = vi.fn();
    const onDismiss = vi.fn();
    render(<ReminderBanner reminder={{ minutes: 490, project: "Website" }} onStop={onStop} onDismiss={onDismiss} />);
    expect(screen.getByRole("status").textContent).toContain("8 h 10 min");
    expect(screen.getByRole("status").textContent).toContain("The timer on Website has run for 8 h 10 min. Still working?");
    await userEvent.setup().click(screen.getByRole("button", { name: "Stop timer" }));
    expect(onStop).toHaveBeenCalledOnce();
  });
});

describe("DeviceSettings", () => {
  it("validates, sends and keeps the watch settings on this device", async () => {
    const sent: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== "watch_settings") throw `unexpected ${cmd}`;
      sent.push((args as { settings: unknown }).settings);
      return null;
    });
    const user = userEvent.setup();
    render(<DeviceSettings />);
    const idle = screen.getByLabelText(/Ask after no input/);
    const remind = screen.getByLabelText(/Remind when a timer runs longer/);
    expect(idle).toHaveProperty("value", "10");
    expect(remind).toHaveProperty("value", "8");
    expect(screen.getByText("Now: ask after 10 min, remind after 8 h. Start or stop the timer from anywhere with Ctrl+Alt+Space.")).toBeTruthy();

    await user.clear(idle);
    await user.type(idle, "-3");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByRole("alert").textContent).toContain("whole number of minutes");
    expect(sent).toEqual([]);

    await user.clear(idle);
    await user.type(idle, "5");
    await user.clear(remind);
    await user.type(remind, "1,5");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(sent).toEqual([{ idle_minutes: 5, remind_after_minutes: 90 }]);
    expect(JSON.parse(localStorage.getItem("stint.watch") ?? "{}")).toEqual({
      idle_minutes: 5,
      remind_after_minutes: 90,
    });
  });
});

describe("the watch in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("asks, reminds and keeps its settings in German, with the locale's numbers", async () => {
    mockIPC(() => null);
    setFormat({ locale: "de-DE", durationStyle: "clock" });
    act(() => setUiLanguage("de-DE"));
    const { unmount } = render(
      <AwayDialog away={{ since: "2026-11-23T13:15:00Z", minutes: 75 }} timeZone="Europe/Berlin" onDone={() => {}} />,
    );
    expect(screen.getByRole("heading", { name: "Willkommen zurück" })).toBeTruthy();
    expect(screen.getByRole("dialog").textContent).toContain("Sie waren seit 14:15 1 h 15 min abwesend, während der Timer lief.");
    expect(screen.getByTestId("away-minutes").textContent).toBe("1 h 15 min");
    expect(screen.getByRole("button", { name: "Als eigenen Eintrag abtrennen" })).toBeTruthy();
    unmount();

    // A name is shown as it is, even with characters that look like markup.
    const banner = render(<ReminderBanner reminder={{ minutes: 490, project: "R&D <intern>" }} onStop={() => {}} onDismiss={() => {}} />);
    expect(screen.getByRole("status").textContent).toContain("Der Timer für R&D <intern> läuft schon 8 h 10 min. Arbeiten Sie noch?");
    expect(screen.getByRole("status").querySelector("strong")?.textContent).toBe("R&D <intern>");
    expect(screen.getByRole("button", { name: "Timer stoppen" })).toBeTruthy();
    banner.unmount();

    localStorage.setItem("stint.watch", JSON.stringify({ idle_minutes: 0, remind_after_minutes: 90 }));
    const user = userEvent.setup();
    render(<DeviceSettings />);
    expect(screen.getByRole("heading", { name: "Dieses Gerät" })).toBeTruthy();
    expect(screen.getByText(/Derzeit: keine Nachfrage, Erinnerung nach 1,5 h\. Mit Strg\+Alt\+Leertaste/)).toBeTruthy();
    await user.clear(screen.getByLabelText(/Nachfragen nach Inaktivität/));
    await user.type(screen.getByLabelText(/Nachfragen nach Inaktivität/), "x");
    await user.click(screen.getByRole("button", { name: "Speichern" }));
    expect(screen.getByRole("alert").textContent).toBe("Die Inaktivitätszeit ist eine ganze Zahl von Minuten zwischen 0 (aus) und 240.");
  });
});
