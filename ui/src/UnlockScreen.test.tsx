import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it, vi } from "vitest";

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
