import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import { setUiLanguage } from "./i18n";
import { UnlockScreen } from "./UnlockScreen";
import { eventually } from "./test/eventually";

describe("UnlockScreen", () => {
  it("shows the engine's error inline and keeps the passphrase", async () => {
    mockIPC((cmd) => {
      if (cmd === "vault_status") return "passphrase";
      if (cmd === "unlock_vault") throw "wrong passphrase or damaged vault";
      return null;
    });
    const onUnlocked = vi.fn();
    render(<UnlockScreen onUnlocked={onUnlocked} />);

    const field = await screen.findByLabelText("Passphrase");
    await userEvent.type(field, "tr0ub4dor");
    await userEvent.click(screen.getByTestId("unlock-submit"));

    expect(await screen.findByTestId("unlock-error")).toHaveProperty(
      "textContent",
      "wrong passphrase or damaged vault",
    );
    expect(screen.getByLabelText("Passphrase")).toHaveProperty("value", "tr0ub4dor");
    expect(onUnlocked).not.toHaveBeenCalled();
  });

  it("unlocks with the passphrase typed", async () => {
    const args: unknown[] = [];
    mockIPC((cmd, payload) => {
      if (cmd === "vault_status") return "passphrase";
      if (cmd === "unlock_vault") args.push(payload);
      return null;
    });
    const onUnlocked = vi.fn();
    render(<UnlockScreen onUnlocked={onUnlocked} />);
    await userEvent.type(await screen.findByLabelText("Passphrase"), "s3cret{enter}");
    await eventually(() => expect(onUnlocked).toHaveBeenCalledOnce());
    expect(args).toEqual([{ passphrase: "s3cret" }]);
  });

  it("creates a vault only when both passphrases match", async () => {
    const created: unknown[] = [];
    mockIPC((cmd, payload) => {
      if (cmd === "vault_status") return "missing";
      if (cmd === "create_vault") created.push(payload);
      return null;
    });
    const onUnlocked = vi.fn();
    render(<UnlockScreen onUnlocked={onUnlocked} />);
    await userEvent.type(await screen.findByLabelText("Passphrase"), "one");
    await userEvent.type(screen.getByLabelText("Passphrase again"), "two");
    await userEvent.click(screen.getByRole("button", { name: "Create vault" }));
    expect((await screen.findByTestId("unlock-error")).textContent).toMatch(/differ/);
    expect(created).toEqual([]);

    await userEvent.clear(screen.getByLabelText("Passphrase again"));
    await userEvent.type(screen.getByLabelText("Passphrase again"), "one");
    await userEvent.click(screen.getByRole("button", { name: "Create vault" }));
    await eventually(() => expect(onUnlocked).toHaveBeenCalledOnce());
    expect(created).toEqual([{ passphrase: "one" }]);
  });

  it("warns on creation that a lost passphrase cannot be recovered, and explains the keyring", async () => {
    mockIPC((cmd) => (cmd === "vault_status" ? "missing" : null));
    render(<UnlockScreen onUnlocked={vi.fn()} />);
    expect((await screen.findByTestId("unlock-loss-warning")).textContent).toMatch(/Nobody can recover this passphrase/);
    const keyring = screen.getByRole("button", { name: "Use system keyring instead" });
    expect(keyring.getAttribute("aria-describedby")).toBe("keyring-explained");
    expect(screen.getByTestId("unlock-keyring-explained").textContent).toMatch(/Anyone who can log in as you/);
  });

  it("says nothing of recovery when unlocking an existing vault", async () => {
    mockIPC((cmd) => (cmd === "vault_status" ? "passphrase" : null));
    render(<UnlockScreen onUnlocked={vi.fn()} />);
    await screen.findByLabelText("Passphrase");
    expect(screen.queryByTestId("unlock-loss-warning")).toBeNull();
    expect(screen.queryByTestId("unlock-use-keyring")).toBeNull();
  });

  it("shows and hides what is typed, in both fields", async () => {
    mockIPC((cmd) => (cmd === "vault_status" ? "missing" : null));
    render(<UnlockScreen onUnlocked={vi.fn()} />);
    const field = await screen.findByLabelText("Passphrase");
    const again = screen.getByLabelText("Passphrase again");
    const toggle = screen.getByTestId("unlock-show");
    expect([field.getAttribute("type"), again.getAttribute("type"), toggle.textContent]).toEqual(["password", "password", "Show"]);
    await userEvent.click(toggle);
    expect([field.getAttribute("type"), again.getAttribute("type"), toggle.textContent]).toEqual(["text", "text", "Hide"]);
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    await userEvent.click(toggle);
    expect(field.getAttribute("type")).toBe("password");
  });

  it("clears a stale error as soon as the passphrase is typed again", async () => {
    mockIPC((cmd) => {
      if (cmd === "vault_status") return "passphrase";
      if (cmd === "unlock_vault") throw "wrong passphrase or damaged vault";
      return null;
    });
    render(<UnlockScreen onUnlocked={vi.fn()} />);
    await userEvent.type(await screen.findByLabelText("Passphrase"), "wrong{enter}");
    await screen.findByTestId("unlock-error");
    await userEvent.type(screen.getByLabelText("Passphrase"), "x");
    expect(screen.queryByTestId("unlock-error")).toBeNull();
  });

  it("unlocks a keyring vault by itself", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, payload) => {
      if (cmd === "vault_status") return "keyring";
      calls.push({ cmd, payload });
      return null;
    });
    const onUnlocked = vi.fn();
    render(<UnlockScreen onUnlocked={onUnlocked} />);
    await eventually(() => expect(onUnlocked).toHaveBeenCalledOnce());
    expect(calls).toEqual([{ cmd: "unlock_vault", payload: { passphrase: null } }]);
  });
});

describe("UnlockScreen in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("warns on creation that a lost passphrase cannot be recovered, and explains the keyring", async () => {
    act(() => setUiLanguage("de-DE"));
    const created: unknown[] = [];
    mockIPC((cmd, payload) => {
      if (cmd === "vault_status") return "missing";
      if (cmd === "create_vault") created.push(payload);
      return null;
    });
    render(<UnlockScreen onUnlocked={vi.fn()} />);
    const field = await screen.findByLabelText("Passphrase");
    expect(screen.getByRole("heading", { name: "Stint" })).toBeTruthy();
    expect(screen.getByText("Legen Sie Ihren Tresor an. Alles, was Sie erfassen, wird darin verschlüsselt gespeichert.")).toBeTruthy();
    const warning = screen.getByTestId("unlock-loss-warning");
    expect(warning.querySelector("strong")?.textContent).toBe("Niemand kann diese Passphrase wiederherstellen");
    expect(warning.textContent).toMatch(/weder Stint noch ein Sync-Server: Geht sie verloren/);
    expect(screen.getByRole("button", { name: "Stattdessen System-Schlüsselbund nutzen" })).toBeTruthy();
    expect(screen.getByTestId("unlock-keyring-explained").textContent).toMatch(/Wer sich als Sie anmelden kann/);
    expect(screen.getByTestId("unlock-show").textContent).toBe("Anzeigen");

    await userEvent.type(field, "eins");
    await userEvent.type(screen.getByLabelText("Passphrase wiederholen"), "zwei");
    await userEvent.click(screen.getByRole("button", { name: "Tresor anlegen" }));
    expect((await screen.findByTestId("unlock-error")).textContent).toBe("Die beiden Passphrasen stimmen nicht überein.");
    expect(created).toEqual([]);
  });

  it("asks to unlock a locked vault", async () => {
    act(() => setUiLanguage("de-DE"));
    mockIPC((cmd) => (cmd === "vault_status" ? "keyring" : null));
    render(<UnlockScreen onUnlocked={vi.fn()} autoUnlock={false} />);
    expect(await screen.findByText("Ihr Tresor ist gesperrt.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Mit System-Schlüsselbund entsperren" })).toBeTruthy();
  });
});
