import { act, cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import type { SyncStatus } from "./bindings/SyncStatus";
import { setUiLanguage } from "./i18n";
import { SyncBadge } from "./SyncBadge";

const SYNCED: SyncStatus = { state: "synced", last_synced: "2026-03-02T09:05:00Z", pending: 0, problem: null };

/** The shell's sync commands: `sync_status` answers `status`; `sync_now` answers `after`. */
function fakeShell(status: SyncStatus, after: SyncStatus = SYNCED) {
  const calls: string[] = [];
  mockIPC(
    (cmd) => {
      calls.push(cmd);
      switch (cmd) {
        case "sync_status":
          return status;
        case "sync_now":
          return after;
        default:
          throw `unexpected ${cmd}`;
      }
    },
    { shouldMockEvents: true },
  );
  return calls;
}

describe("SyncBadge", () => {
  afterEach(async () => {
    act(() => setUiLanguage("en-US"));
    // Unmounted here, and a turn given for the listener's asynchronous unlisten, before the
    // shared teardown takes the event mocks away.
    cleanup();
    await new Promise((resolve) => setTimeout(resolve, 0));
  });

  it("is absent where this device does not sync", async () => {
    const calls = fakeShell({ state: "off", last_synced: null, pending: 0, problem: null });
    const { container } = render(<SyncBadge timeZone="UTC" />);
    await act(async () => undefined);
    expect(calls).toEqual(["sync_status"]);
    expect(container.innerHTML).toBe("");
  });

  it("says it is synced, and when, and syncs now on request", async () => {
    const calls = fakeShell(SYNCED, { state: "waiting", last_synced: "2026-03-02T09:07:00Z", pending: 3, problem: null });
    const user = userEvent.setup();
    render(<SyncBadge timeZone="Europe/Berlin" />);
    const badge = await screen.findByTestId("sync-badge");
    expect(badge.textContent).toBe("Synced");
    // All well: the dot alone on screen, the words for screen readers and the tooltip.
    expect(badge.classList.contains("is-quiet")).toBe(true);
    expect(badge.title).toBe("Synced");
    await user.click(badge);
    expect(screen.getByTestId("sync-last").textContent).toBe("Last synced at 10:05 AM");
    await user.click(screen.getByTestId("sync-now"));
    expect((await screen.findByText("3 changes waiting")).closest("[data-state]")?.getAttribute("data-state")).toBe("waiting");
    expect(screen.getByTestId("sync-last").textContent).toBe("Last synced at 10:07 AM");
    expect(calls).toEqual(["sync_status", "sync_now"]);
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("sync-details")).toBeNull();
  });

  it("follows the shell's sync-changed events; offline is calm, a problem gives its reason", async () => {
    fakeShell(SYNCED);
    const user = userEvent.setup();
    render(<SyncBadge timeZone="UTC" />);
    await screen.findByText("Synced");

    await act(() => emit("sync-changed", { ...SYNCED, state: "offline", pending: 1, problem: "the server could not be reached" }));
    const badge = screen.getByTestId("sync-badge");
    expect(badge.textContent).toBe("Offline");
    expect(badge.classList.contains("is-quiet")).toBe(false);
    await user.click(badge);
    expect(screen.getByText("The server cannot be reached. Your changes are kept on this device and sent when it is back.")).toBeTruthy();
    expect(screen.queryByTestId("sync-problem")).toBeNull();

    await act(() => emit("sync-changed", { ...SYNCED, state: "problem", problem: "sync: this device was revoked" }));
    expect(badge.textContent).toBe("Sync problem");
    expect(screen.getByTestId("sync-problem").textContent).toBe("sync: this device was revoked");

    await act(() => emit("sync-changed", { ...SYNCED, state: "waiting", pending: 1 }));
    expect(badge.textContent).toBe("1 change waiting");
  });

  it("speaks German", async () => {
    fakeShell({ ...SYNCED, state: "waiting", pending: 2 });
    const user = userEvent.setup();
    render(<SyncBadge timeZone="UTC" />);
    await user.click(await screen.findByTestId("sync-badge"));
    act(() => setUiLanguage("de-DE"));
    expect(screen.getByTestId("sync-badge").textContent).toBe("2 Änderungen warten");
    expect(screen.getByRole("button", { name: "Jetzt abgleichen" })).toBeTruthy();
  });
});
