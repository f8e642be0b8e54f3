import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import { api, errorMessage } from "./api";
import type { Failure } from "./bindings/Failure";
import type { FailureCode } from "./bindings/FailureCode";
import { resources, setUiLanguage } from "./i18n";

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

describe("a failed command's message", () => {
  afterEach(() => setUiLanguage("en-US"));

  const failure = (code: FailureCode | null, message: string, values: Record<string, string> = {}): Failure => ({
    code,
    message,
    values,
  });

  it("is the window's own words for a failure with a code, in its language, with the values filled in", async () => {
    mockIPC(() => {
      throw failure("wrong_passphrase", "wrong passphrase");
    });
    const refused = await api.unlockVault({ passphrase: "nope" }).catch((e: unknown) => e);
    expect(errorMessage(refused)).toBe("Wrong passphrase.");
    setUiLanguage("de-DE");
    expect(errorMessage(refused)).toBe("Falsche Passphrase.");
    const running = failure("timer_running", "a timer is already running on \"Website\" since 2026-03-02 09:15; stop it first", {
      project: "Website",
      since: "2026-03-02 09:15",
    });
    expect(errorMessage(running)).toBe("Auf „Website“ läuft seit 2026-03-02 09:15 bereits ein Timer. Stoppen Sie ihn zuerst.");
    expect(
      errorMessage(failure("server_unreachable", "https://stint.example.org does not answer", { server: "https://stint.example.org" })),
    ).toBe("https://stint.example.org antwortet nicht. Prüfen Sie die Verbindung und versuchen Sie es erneut.");
    expect(errorMessage(failure("short_passphrase", "the passphrase must be at least 12 characters", { min: "12" }))).toBe(
      "Die Passphrase muss mindestens 12 Zeichen lang sein.",
    );
    expect(errorMessage(failure("wrong_protection", "this vault is protected by the system keyring", { protection: "keyring" }))).toBe(
      "Dieser Tresor wird mit dem System-Schlüsselbund geöffnet, nicht mit einer Passphrase.",
    );
  });

  it("is the engine's message for a failure without a code, or with one the window has no words for", () => {
    setUiLanguage("de-DE");
    expect(errorMessage(failure(null, "the entry changed meanwhile"))).toBe("the entry changed meanwhile");
    expect(errorMessage(failure("newer_code" as FailureCode, "a newer shell's failure"))).toBe("a newer shell's failure");
    expect(errorMessage(failure("wrong_protection", "this vault is protected by something new", { protection: "other" }))).toBe(
      "this vault is protected by something new",
    );
  });

  it("has words in every language for every code the shell sends", () => {
    // A code added in Rust (src-tauri/src/failure.rs) fails the type check here until it is listed.
    const codes: Record<FailureCode, string[]> = {
      wrong_passphrase: ["wrong_passphrase"],
      short_passphrase: ["short_passphrase"],
      wrong_protection: ["wrong_protection_keyring", "wrong_protection_passphrase"],
      key_missing: ["key_missing"],
      key_mismatch: ["key_mismatch"],
      timer_running: ["timer_running"],
      no_timer: ["no_timer"],
      vault_locked: ["vault_locked"],
      no_organization: ["no_organization"],
      server_unreachable: ["server_unreachable"],
    };
    for (const keys of Object.values(codes)) {
      for (const key of keys) {
        for (const language of ["en", "de"] as const) {
          const errors: Record<string, string> = resources[language].app.errors;
          expect(errors[key], `${language} errors.${key}`).toBeTruthy();
        }
      }
    }
  });
});
