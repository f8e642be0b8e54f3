import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import { AwayDialog, DeviceSettings, ReminderBanner } from "./Watch";

afterEach(() => localStorage.clear());

describe("AwayDialog", () => {
  it("sends the chosen way to resolve the time away", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      return { running: null, away: null };
    });
    const onDone = vi.fn();
    render(
      <AwayDialog away={{ since: "2026-11-23T10:15:00Z", minutes: 75 }} timeZone="Europe/Berlin" onDone={onDone} />,
    );
    expect(screen.getByRole("dialog").textContent).toContain("1 h 15 min");
    expect(screen.getByRole("dialog").textContent).toContain("11:15");
    await userEvent.setup().click(screen.getByRole("button", { name: "Split into its own entry" }));
    expect(calls).toEqual([{ cmd: "resolve_idle", args: { since: "2026-11-23T10:15:00Z", choice: "split" } }]);
    expect(onDone).toHaveBeenCalledWith(true);
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
