import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";

import { api, errorMessage } from "./api";

type Call = { cmd: string; args: unknown };

function record(reply: (cmd: string) => unknown = () => null): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    return reply(cmd);
  });
  return calls;
}

describe("api", () => {
  it("names each command and passes camelCase arguments", async () => {
    const calls = record();
    await api.vaultStatus();
    await api.createVault({ passphrase: "correct horse" });
    await api.createVault({ keyring: true });
    await api.unlockVault({ passphrase: "pw" });
    await api.unlockVault({ keyring: true });
    await api.organizations();
    await api.chooseOrganization("org1");
    await api.projects();
    await api.projects(true);
    await api.runningTimer();
    await api.stopTimer();
    await api.today();
    expect(calls).toEqual([
      { cmd: "vault_status", args: {} },
      { cmd: "create_vault", args: { passphrase: "correct horse" } },
      { cmd: "create_vault", args: { passphrase: null } },
      { cmd: "unlock_vault", args: { passphrase: "pw" } },
      { cmd: "unlock_vault", args: { passphrase: null } },
      { cmd: "organizations", args: {} },
      { cmd: "choose_organization", args: { org: "org1" } },
      { cmd: "projects", args: { includeArchived: false } },
      { cmd: "projects", args: { includeArchived: true } },
      { cmd: "running_timer", args: {} },
      { cmd: "stop_timer", args: {} },
      { cmd: "today", args: {} },
    ]);
  });

  it("sends inputs whole under the parameter's name", async () => {
    const calls = record();
    const org = {
      name: "Acme Studio",
      currency: "EUR",
      locale: "en-GB",
      time_zone: "Europe/Berlin",
      week_start: null,
      owner_name: "Ada",
    };
    await api.createOrganization(org);
    const start = { project: "p1", task: null, note: "design", billable: null, tags: [] };
    await api.startTimer(start);
    const filter = { from: "2026-11-23", to: "2026-11-23", member: "m1", project: null };
    await api.entries(filter);
    const changes = {
      project: null,
      task: null,
      clear_task: false,
      time: { type: "span" as const, start: "2026-11-23T08:00:00Z", end: "2026-11-23T09:00:00Z" },
      note: "new note",
      billable: null,
      tags: null,
    };
    await api.editEntry("e1", changes);
    expect(calls).toEqual([
      { cmd: "create_organization", args: { input: org } },
      { cmd: "start_timer", args: { input: start } },
      { cmd: "entries", args: { filter } },
      { cmd: "edit_entry", args: { id: "e1", changes } },
    ]);
  });

  it("returns what the command returns", async () => {
    record((cmd) => (cmd === "vault_status" ? "passphrase" : null));
    await expect(api.vaultStatus()).resolves.toBe("passphrase");
  });

  it("rejects with the engine's message", async () => {
    mockIPC(() => {
      throw "wrong passphrase";
    });
    const failure = await api.unlockVault({ passphrase: "nope" }).catch((e: unknown) => e);
    expect(errorMessage(failure)).toBe("wrong passphrase");
  });

  it("shares one projects call between callers asking at the same time, and only then", async () => {
    let calls = 0;
    mockIPC((cmd) => {
      if (cmd === "projects") calls += 1;
      return [];
    });
    await Promise.all([api.projects(), api.projects(), api.projects(true)]);
    expect(calls).toBe(2);
    await api.projects();
    expect(calls).toBe(3);
  });
});
