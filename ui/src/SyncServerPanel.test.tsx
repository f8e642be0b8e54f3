import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import type { ServerSignIn } from "./bindings/ServerSignIn";
import { setUiLanguage } from "./i18n";
import { SyncServerPanel } from "./SyncServerPanel";

const ACCOUNT: ServerSignIn = { server: "https://stint.example.org", email: "jane@example.org" };

type Options = { signedIn?: ServerSignIn; refuse?: string };

/**
 * The shell's sign-in commands. `server_sign_in` waits, as the real one does for the browser,
 * until `browserReturns` (or a cancel) ends it.
 */
function fakeShell(options: Options = {}) {
  const calls: [string, unknown][] = [];
  let account: ServerSignIn | null = options.signedIn ?? null;
  let finish: ((ok: boolean) => void) | null = null;
  mockIPC(async (cmd, args) => {
    calls.push([cmd, args]);
    switch (cmd) {
      case "server_sign_in_status":
        return account;
      case "server_sign_in": {
        if (options.refuse) throw options.refuse;
        const ok = await new Promise<boolean>((resolve) => (finish = resolve));
        if (!ok) throw "the sign-in was cancelled";
        account = { ...ACCOUNT, server: (args as { server: string }).server.replace(/\/+$/, "") };
        return account;
      }
      case "server_sign_in_cancel":
        finish?.(false);
        return null;
      case "server_sign_out":
        account = null;
        return null;
      case "open_sign_up":
        if (!(args as { server: string }).server.startsWith("https://")) throw "refusing plain HTTP";
        return null;
      default:
        throw `unexpected ${cmd}`;
    }
  });
  return {
    calls,
    browserReturns: () => finish?.(true),
  };
}

describe("SyncServerPanel", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("signs in through the browser and shows whom it is signed in as", async () => {
    const shell = fakeShell();
    const user = userEvent.setup();
    render(<SyncServerPanel />);
    const address = await screen.findByLabelText("Server address");
    await user.clear(address);
    await user.type(address, "https://stint.example.org");
    await user.click(screen.getByTestId("server-sign-in"));

    expect((await screen.findByTestId("server-waiting")).textContent).toBe(
      "Finish signing in in your browser; Stint continues when it comes back here.",
    );
    expect((screen.getByTestId("server-address") as HTMLInputElement).disabled).toBe(true);
    expect(shell.calls).toContainEqual(["server_sign_in", { server: "https://stint.example.org" }]);

    shell.browserReturns();
    expect((await screen.findByTestId("server-signed-in")).textContent).toBe(
      "Signed in to https://stint.example.org as jane@example.org.",
    );
    expect(screen.queryByTestId("server-error")).toBeNull();
  });

  it("opens the server's sign-up page for someone without an account", async () => {
    const shell = fakeShell();
    const user = userEvent.setup();
    render(<SyncServerPanel />);
    await user.click(await screen.findByTestId("server-sign-up"));
    expect((await screen.findByTestId("server-error")).textContent).toBe(
      "Enter the server's address, like https://stint.example.org.",
    );
    const address = screen.getByLabelText("Server address");
    await user.clear(address);
    await user.type(address, "https://stint.example.org");
    await user.click(screen.getByTestId("server-sign-up"));
    expect(shell.calls).toContainEqual(["open_sign_up", { server: "https://stint.example.org" }]);
    expect(screen.queryByTestId("server-error")).toBeNull();
    // Still signed out: signing in follows once the address is confirmed.
    expect(screen.getByTestId("server-sign-in")).toBeTruthy();
  });

  it("asks for an address before opening the browser", async () => {
    const shell = fakeShell();
    const user = userEvent.setup();
    render(<SyncServerPanel />);
    await user.click(await screen.findByTestId("server-sign-in"));
    expect((await screen.findByTestId("server-error")).textContent).toBe(
      "Enter the server's address, like https://stint.example.org.",
    );
    expect(shell.calls.map(([cmd]) => cmd)).toEqual(["server_sign_in_status"]);
  });

  it("shows the shell's refusal and stays signed out", async () => {
    fakeShell({ refuse: "refusing to sign in over plain HTTP to http://stint.example.org; use https://" });
    const user = userEvent.setup();
    render(<SyncServerPanel />);
    const address = await screen.findByLabelText("Server address");
    await user.clear(address);
    await user.type(address, "http://stint.example.org");
    await user.click(screen.getByTestId("server-sign-in"));
    expect((await screen.findByTestId("server-error")).textContent).toBe(
      "refusing to sign in over plain HTTP to http://stint.example.org; use https://",
    );
    expect(screen.getByTestId("server-sign-in")).toBeTruthy();
    expect((screen.getByTestId("server-address") as HTMLInputElement).value).toBe("http://stint.example.org");
  });

  it("gives up waiting on Cancel without calling it an error", async () => {
    const shell = fakeShell();
    const user = userEvent.setup();
    render(<SyncServerPanel />);
    const address = await screen.findByLabelText("Server address");
    await user.type(address, "stint.example.org");
    await user.click(screen.getByTestId("server-sign-in"));
    await user.click(await screen.findByTestId("server-cancel"));

    expect(await screen.findByTestId("server-sign-in")).toBeTruthy();
    expect(screen.queryByTestId("server-waiting")).toBeNull();
    expect(screen.queryByTestId("server-error")).toBeNull();
    expect(shell.calls.map(([cmd]) => cmd)).toContain("server_sign_in_cancel");
  });

  it("signs out", async () => {
    const shell = fakeShell({ signedIn: ACCOUNT });
    const user = userEvent.setup();
    render(<SyncServerPanel />);
    await user.click(await screen.findByTestId("server-sign-out"));
    expect(await screen.findByTestId("server-sign-in")).toBeTruthy();
    expect(shell.calls.map(([cmd]) => cmd)).toEqual(["server_sign_in_status", "server_sign_out"]);
  });

  it("speaks German", async () => {
    fakeShell({ signedIn: ACCOUNT });
    render(<SyncServerPanel />);
    await screen.findByTestId("server-signed-in");
    act(() => setUiLanguage("de-DE"));
    expect(screen.getByRole("heading", { name: "Sync-Server" })).toBeTruthy();
    expect(screen.getByTestId("server-signed-in").textContent).toBe(
      "Angemeldet bei https://stint.example.org als jane@example.org.",
    );
    expect(screen.getByRole("button", { name: "Abmelden" })).toBeTruthy();
  });
});
