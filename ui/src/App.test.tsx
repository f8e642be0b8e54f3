import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";

import { App } from "./App";
import type { Organization } from "./bindings/Organization";
import type { OrgSummary } from "./bindings/OrgSummary";
import type { ProjectView } from "./bindings/ProjectView";
import type { Reopened } from "./bindings/Reopened";
import { permissionsOf, project, runningEntry } from "./test/fixtures";

const ACME: OrgSummary = { id: "o1", name: "Acme", role: "owner", currency: "EUR", time_zone: "UTC" };
const GLOBEX: OrgSummary = { id: "o2", name: "Globex", role: "member", currency: "USD", time_zone: "UTC" };
const OWNER = permissionsOf("owner", () => true);
const PROFILE: Organization = {
  id: "o1",
  name: "Acme",
  currency: "EUR",
  locale: "en-US",
  time_zone: "UTC",
  week_start: "monday",
  rounding: null,
  lock_before: null,
  logo: null,
  duration_style: "clock",
};

/** A keyring vault (unlocked at start, without asking) whose reopening answers `reopen`; `answer`
 * may answer a command first (anything but `undefined`). */
function vault(reopen: () => Reopened | null, answer: (cmd: string) => unknown = () => undefined): string[] {
  const calls: string[] = [];
  mockIPC(
    (cmd) => {
      calls.push(cmd);
      const answered = answer(cmd);
      if (answered !== undefined) return answered;
      switch (cmd) {
        case "vault_status":
          return "keyring";
        case "reopen_organization":
          return reopen();
        case "organizations":
          return [ACME, GLOBEX];
        case "choose_organization":
          return { org: "o2", member: OWNER.member.id };
        case "permissions":
          return OWNER;
        case "organization":
          return { ...PROFILE };
        case "members":
          return [OWNER.member];
        case "today":
          return "2026-11-23";
        case "projects":
        case "clients":
        case "entries":
        case "invoices":
        case "tags":
        case "tasks":
          return [];
        default:
          return null;
      }
    },
    { shouldMockEvents: true },
  );
  return calls;
}

/** Lets the main screen's first loads settle before the test ends. */
async function settle() {
  await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

describe("App after unlock", () => {
  it("goes straight to the organization open last, without the list", async () => {
    const calls = vault(() => ({ org: ACME, act_as: { org: "o1", member: OWNER.member.id } }));
    const { unmount } = render(<App />);

    expect(await screen.findByTestId("main-screen")).toBeTruthy();
    expect(screen.queryByTestId("org-screen")).toBeNull();
    expect(calls).toContain("unlock_vault");
    expect(calls).not.toContain("organizations");
    expect(calls).not.toContain("choose_organization");
    unmount();
    await settle();
  });

  it("shows the list when there is none to reopen, and a choice there opens that organization", async () => {
    const calls = vault(() => null);
    const { unmount } = render(<App />);

    const options = await screen.findAllByTestId("org-option");
    expect(options.map((o) => o.querySelector("[data-testid=org-option-name]")?.textContent)).toEqual(["Acme", "Globex"]);
    await userEvent.click(options[1]!);
    expect(await screen.findByTestId("main-screen")).toBeTruthy();
    expect(calls.filter((c) => c === "choose_organization")).toHaveLength(1);
    unmount();
    await settle();
  });

  it("shows the list when reopening fails, so that the person can still choose", async () => {
    vault(() => {
      throw "the vault is locked; unlock it first";
    });
    const { unmount } = render(<App />);

    expect(await screen.findAllByTestId("org-option")).toHaveLength(2);
    expect(screen.queryByTestId("main-screen")).toBeNull();
    unmount();
    await settle();
  });

  it("shows the day while an agency's projects are still loading, and the form to add by hand once they are", async () => {
    let projectsArrive: (found: ProjectView[]) => void = () => {};
    const projects = new Promise<ProjectView[]>((resolve) => {
      projectsArrive = resolve;
    });
    const entry = runningEntry("2026-11-23T08:00:00Z", "standup");
    vault(
      () => ({ org: ACME, act_as: { org: "o1", member: OWNER.member.id } }),
      (cmd) => (cmd === "projects" ? projects : cmd === "entries" ? [entry] : undefined),
    );
    const { unmount } = render(<App />);

    const list = await screen.findByTestId("today-list");
    expect(list.textContent).toContain("standup");
    // No "no projects yet" while they load: the form waits for them.
    expect(screen.queryByTestId("manual-no-projects")).toBeNull();
    expect(screen.queryByTestId("manual-form")).toBeNull();

    await act(async () => projectsArrive([project]));
    expect(await screen.findByTestId("manual-form")).toBeTruthy();
    unmount();
    await settle();
  });
});
