import { act, cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Joined } from "./bindings/Joined";
import type { OrgSync } from "./bindings/OrgSync";
import { ChooseOrganization } from "./ChooseOrganization";
import { setUiLanguage } from "./i18n";
import { JoinPanel } from "./JoinOrganization";
import { text } from "./test/fixtures";

const TOKEN = "sti_01JDZ6Y1V3W0000000000000AA_00112233445566778899aabbccddeeff";
const FINGERPRINT = "123456789012345678901234567890";

/** The shell as a signed-in device sees it: `join_organization` takes `TOKEN` only. */
function fakeShell(sync: OrgSync, joined: Partial<Joined> = {}) {
  const sent: [string, Record<string, unknown>][] = [];
  let current = sync;
  mockIPC(async (cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    sent.push([cmd, a]);
    switch (cmd) {
      case "join_organization":
        if (a.token !== TOKEN) throw "that is not an invitation code: paste the code from the invitation email (it begins with sti_)";
        current = { ...current, set_up: true, fingerprint: FINGERPRINT };
        return { org: "01JDZ6Y1V3W0000000000000AA", role: "viewer", pending: true, fingerprint: FINGERPRINT, ...joined };
      case "org_sync":
        return current;
      case "sync_now":
        return { state: "offline", last_synced: null, pending: 0, problem: "the server did not answer" };
      case "organizations":
        return [];
      case "server_sign_in_status":
        return { server: "https://stint.example.org", email: "vic@example.org" };
      default:
        throw `unexpected ${cmd}`;
    }
  });
  return { of: (cmd: string) => sent.filter(([c]) => c === cmd).map(([, a]) => a) };
}

const SIGNED_IN: OrgSync = { signed_in: true, set_up: false, published: false, fingerprint: null, recovery_key: null };

describe("JoinPanel", () => {
  afterEach(async () => {
    cleanup();
    await new Promise((resolve) => setTimeout(resolve, 0));
    act(() => setUiLanguage("en-US"));
  });

  it("joins with the emailed code and shows the fingerprint to read out", async () => {
    const shell = fakeShell(SIGNED_IN);
    const joined = vi.fn();
    const user = userEvent.setup();
    render(<JoinPanel onJoined={joined} />);
    await user.click(screen.getByTestId("join-submit"));
    expect(text(screen.getByTestId("join-error"))).toContain("Paste the code");
    expect(shell.of("join_organization")).toEqual([]);

    await user.type(screen.getByTestId("join-token"), "sti_nonsense");
    await user.click(screen.getByTestId("join-submit"));
    expect(text(await screen.findByTestId("join-error"))).toContain("not an invitation code");
    expect((screen.getByTestId("join-token") as HTMLInputElement).value).toBe("sti_nonsense");
    expect(joined).not.toHaveBeenCalled();
    // Typing again makes the error stale.
    await user.clear(screen.getByTestId("join-token"));
    expect(screen.queryByTestId("join-error")).toBeNull();

    await user.type(screen.getByTestId("join-token"), ` ${TOKEN} `);
    await user.click(screen.getByTestId("join-submit"));
    const done = await screen.findByTestId("join-done");
    expect(text(done)).toContain("You joined as Viewer");
    expect(text(done)).toContain("first device");
    expect(text(screen.getByTestId("join-fingerprint"))).toBe("12345 67890 12345 67890 12345 67890");
    expect(shell.of("join_organization").at(-1)).toEqual({ token: TOKEN });
    expect(joined).toHaveBeenCalledWith(expect.objectContaining({ role: "viewer", pending: true }));

    // Confirmed meanwhile? A round now, rather than at the next minute; its problem is shown.
    await user.click(screen.getByTestId("join-check"));
    expect(text(await screen.findByTestId("join-error"))).toBe("the server did not answer");
    expect(shell.of("sync_now")).toHaveLength(1);
  });

  it("says nothing of a recovery key or a fingerprint to someone who was a member already", async () => {
    fakeShell({ ...SIGNED_IN, set_up: true, fingerprint: FINGERPRINT }, { pending: false, role: "member" });
    const user = userEvent.setup();
    render(<JoinPanel onJoined={() => {}} />);
    await user.type(screen.getByTestId("join-token"), TOKEN);
    await user.click(screen.getByTestId("join-submit"));
    const done = await screen.findByTestId("join-done");
    expect(text(done)).toContain("you were a member already");
    expect(text(done)).not.toContain("recovery key");
    expect(screen.queryByTestId("join-fingerprint")).toBeNull();
  });

  it("stays on the organizations screen after joining, in place of the enrolment", async () => {
    fakeShell(SIGNED_IN);
    const user = userEvent.setup();
    render(<ChooseOrganization onChosen={() => {}} />);
    expect(await screen.findByTestId("enrol-panel")).toBeTruthy();
    await user.type(await screen.findByTestId("join-token"), TOKEN);
    await user.click(screen.getByTestId("join-submit"));
    expect(await screen.findByTestId("join-done")).toBeTruthy();
    // Set up now: enrolling another way no longer applies; the notice stays.
    await vi.waitFor(() => expect(screen.queryByTestId("enrol-panel")).toBeNull());
    expect(screen.getByTestId("join-fingerprint")).toBeTruthy();
  });

  it("speaks German", async () => {
    act(() => setUiLanguage("de-DE"));
    fakeShell(SIGNED_IN);
    const user = userEvent.setup();
    render(<JoinPanel onJoined={() => {}} />);
    expect(text(screen.getByTestId("join-panel"))).toContain("Zu einer Organisation eingeladen?");
    await user.type(screen.getByTestId("join-token"), TOKEN);
    await user.click(screen.getByTestId("join-submit"));
    expect(text(await screen.findByTestId("join-done"))).toContain("Sie sind als Betrachter beigetreten");
  });
});
