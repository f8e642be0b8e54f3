// The only module that talks to the Rust side. Each wrapper names one `#[tauri::command]` in
// src-tauri/src/main.rs; argument keys are the command's parameters in camelCase (Tauri's default).
// Types come from ./bindings (generated from Rust by ts-rs), never redeclared here.
import { invoke } from "@tauri-apps/api/core";

import type { ActAs } from "./bindings/ActAs";
import type { EntryChanges } from "./bindings/EntryChanges";
import type { EntryFilter } from "./bindings/EntryFilter";
import type { EntryId } from "./bindings/EntryId";
import type { EntryOutcome } from "./bindings/EntryOutcome";
import type { EntryView } from "./bindings/EntryView";
import type { NewOrganization } from "./bindings/NewOrganization";
import type { OrgId } from "./bindings/OrgId";
import type { OrgSummary } from "./bindings/OrgSummary";
import type { ProjectView } from "./bindings/ProjectView";
import type { StartTimer } from "./bindings/StartTimer";
import type { VaultStatus } from "./bindings/VaultStatus";

/** How to unlock (or protect) the vault: a passphrase, or the OS keyring. */
export type UnlockWith = { passphrase: string } | { keyring: true };

function passphraseArg(how: UnlockWith): string | null {
  return "passphrase" in how ? how.passphrase : null;
}

export const api = {
  vaultStatus: (): Promise<VaultStatus> => invoke("vault_status"),
  createVault: (how: UnlockWith): Promise<void> =>
    invoke("create_vault", { passphrase: passphraseArg(how) }),
  unlockVault: (how: UnlockWith): Promise<void> =>
    invoke("unlock_vault", { passphrase: passphraseArg(how) }),

  organizations: (): Promise<OrgSummary[]> => invoke("organizations"),
  createOrganization: (input: NewOrganization): Promise<OrgId> =>
    invoke("create_organization", { input }),
  chooseOrganization: (org: OrgId): Promise<ActAs> => invoke("choose_organization", { org }),

  projects: (includeArchived = false): Promise<ProjectView[]> =>
    invoke("projects", { includeArchived }),

  runningTimer: (): Promise<EntryView | null> => invoke("running_timer"),
  startTimer: (input: StartTimer): Promise<EntryOutcome> => invoke("start_timer", { input }),
  stopTimer: (): Promise<EntryView> => invoke("stop_timer"),

  /** Today's date (YYYY-MM-DD) in the organization's time zone. */
  today: (): Promise<string> => invoke("today"),
  entries: (filter: EntryFilter): Promise<EntryView[]> => invoke("entries", { filter }),
  editEntry: (id: EntryId, changes: EntryChanges): Promise<EntryOutcome> =>
    invoke("edit_entry", { id, changes }),
};

export type Api = typeof api;

/** The text to show for a failed command: the engine's message, as the shell sends it. */
export function errorMessage(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  return String(error);
}
