import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Member } from "./bindings/Member";
import type { OrgSync } from "./bindings/OrgSync";
import type { Team } from "./bindings/Team";
import { setUiLanguage } from "./i18n";
import { SettingsScreen } from "./SettingsScreen";
import { groupedDigits, PublishPanel, RecoveryKeyPanel, TeamPanel } from "./TeamSync";
import { permissionsOf, text } from "./test/fixtures";

const OWNER = permissionsOf("owner", () => true, "m1");
const VIEWER = permissionsOf("viewer", (a) => ["read_org_profile", "list_members", "read_catalog"].includes(a), "m3");

const KEY = "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789";
const FINGERPRINT = "123456789012345678901234567890";

const SYNCED: OrgSync = {
  signed_in: true,
  set_up: true,
  published: true,
  fingerprint: "111112222233333444445555566666",
  recovery_key: null,
};

const MEMBERS: Member[] = [
  { id: "m1", name: "Ada", role: "owner", active: true },
  { id: "m2", name: "grace@example.org", role: "admin", active: true },
];

function team(): Team {
  return {
    pending: [
      { user: "u-bob", email: "bob@example.org", role: "viewer", fingerprint: FINGERPRINT },
      { user: "u-eve", email: "eve@example.org", role: "member", fingerprint: null },
    ],
    devices: [
      { id: "aaaaaaaa000000000000000000000001", this_device: true, issued_ms: Date.UTC(2026, 10, 2), name: "ada-laptop", last_seen_ms: Date.UTC(2026, 11, 1, 9, 0) },
      { id: "bbbbbbbb000000000000000000000002", this_device: false, issued_ms: Date.UTC(2026, 10, 20), name: "Ada’s phone", last_seen_ms: Date.UTC(2026, 10, 30, 9, 5) },
      { id: "cccccccc000000000000000000000003", this_device: false, issued_ms: Date.UTC(2026, 10, 21), name: null, last_seen_ms: null },
    ],
  };
}

type Sent = [string, Record<string, unknown>];


/** The shell's sync commands; `refuse` makes the named command fail with its message. */
function fakeShell(options: { refuse?: Record<string, string>; sync?: OrgSync } = {}) {
  const sent: Sent[] = [];
  let sync = options.sync ?? SYNCED;
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    sent.push([cmd, a]);
    const refusal = options.refuse?.[cmd];
    if (refusal) throw refusal;
    switch (cmd) {
      case "team":
        return team();
      case "review":
        return { conflicts: [], refused: [] };
      case "org_sync":
        return sync;
      case "publish_organization":
        sync = { ...sync, published: true, set_up: true, recovery_key: KEY };
        return { org: "o1", member: "acct" };
      case "save_recovery_kit":
        return "/home/ada/Downloads/Stint recovery kit.pdf";
      case "recovery_key_kept":
        sync = { ...sync, recovery_key: null };
        return null;
      case "invite_member":
      case "change_membership":
        return null;
      case "confirm_newcomer":
        return team().pending[0];
      case "revoke_device":
        return team().devices[1];
      case "rename_this_device":
        return String(a.name).trim();
      case "organization":
        return {
          id: "o1", name: "Acme", currency: "EUR", locale: "en-US", time_zone: "UTC", week_start: "monday",
          rounding: null, lock_before: null, logo: null, duration_style: "clock",
        };
      case "members":
        return MEMBERS;
      case "logo":
        return new Uint8Array().buffer;
      default:
        throw `unexpected ${cmd}`;
    }
  });
  return { sent, of: (cmd: string) => sent.filter(([c]) => c === cmd).map(([, a]) => a) };
}

describe("TeamSync", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("groups a fingerprint in fives, as people read it out", () => {
    expect(groupedDigits(FINGERPRINT)).toBe("12345 67890 12345 67890 12345 67890");
  });

  it("publishes, and hands the window the account it acts as now", async () => {
    const shell = fakeShell();
    const published = vi.fn();
    render(<PublishPanel onPublished={published} />);
    expect(text(screen.getByTestId("publish-panel"))).toContain("without being able to read them");
    await userEvent.click(screen.getByTestId("publish"));
    expect(shell.of("publish_organization")).toHaveLength(1);
    expect(published).toHaveBeenCalledWith({ org: "o1", member: "acct" });
  });

  it("says why publishing failed and lets it be tried again", async () => {
    fakeShell({ refuse: { publish_organization: "not signed in to a sync server" } });
    const published = vi.fn();
    render(<PublishPanel onPublished={published} />);
    await userEvent.click(screen.getByTestId("publish"));
    expect(text(await screen.findByTestId("publish-error"))).toContain("not signed in to a sync server");
    expect(published).not.toHaveBeenCalled();
    expect((screen.getByTestId("publish") as HTMLButtonElement).disabled).toBe(false);
  });

  it("shows the recovery key once and forgets it only when two groups come back", async () => {
    const shell = fakeShell({ refuse: {} });
    const kept = vi.fn();
    const user = userEvent.setup();
    render(<RecoveryKeyPanel keyText={KEY} onKept={kept} />);
    expect(screen.getByTestId("recovery-key").textContent).toBe(KEY.replaceAll("-", ""));

    await user.click(screen.getByTestId("recovery-save"));
    expect(text(await screen.findByTestId("recovery-saved"))).toContain("Stint recovery kit.pdf");
    expect(shell.of("save_recovery_kit")).toEqual([{ paper: "a4" }]);

    await user.click(screen.getByTestId("recovery-written"));
    const inputs = screen.getAllByTestId("recovery-group");
    expect(inputs).toHaveLength(2);
    const [first, second] = inputs.map((i) => Number(i.dataset.group)) as [number, number];
    expect(first).toBeLessThan(second);
    expect(screen.getByLabelText(`Group ${first}`)).toBe(inputs[0]);
    const parts = KEY.split("-");
    const group = (n: number) => parts[n - 1] ?? "";
    await user.type(inputs[0]!, group(first).toLowerCase());
    await user.type(inputs[1]!, group(second));
    await user.click(screen.getByTestId("recovery-check-submit"));
    expect(shell.of("recovery_key_kept")).toEqual([
      {
        typed: [
          { group: first, typed: group(first).toLowerCase() },
          { group: second, typed: group(second) },
        ],
      },
    ]);
    expect(kept).toHaveBeenCalled();
  });

  it("keeps the key on screen when a typed group is wrong", async () => {
    fakeShell({ refuse: { recovery_key_kept: "group 2 does not match the recovery key: look at your copy again" } });
    const kept = vi.fn();
    const user = userEvent.setup();
    render(<RecoveryKeyPanel keyText={KEY} onKept={kept} />);
    await user.click(screen.getByTestId("recovery-written"));
    for (const input of screen.getAllByTestId("recovery-group")) await user.type(input, "ZZZZ");
    await user.click(screen.getByTestId("recovery-check-submit"));
    expect(text(await screen.findByTestId("recovery-error"))).toContain("group 2 does not match");
    expect(kept).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Show the key again" }));
    expect(screen.getByTestId("recovery-key")).toBeTruthy();
  });

  it("confirms a newcomer only after the digits were compared", async () => {
    const shell = fakeShell();
    const changed = vi.fn();
    const user = userEvent.setup();
    render(<TeamPanel sync={SYNCED} timeZone="UTC" members={MEMBERS} permissions={OWNER} onChanged={changed} />);
    const rows = await screen.findAllByTestId("team-pending");
    expect(text(rows[0])).toContain("bob@example.org");
    expect(text(within(rows[0]!).getByTestId("pending-fingerprint"))).toContain(groupedDigits(FINGERPRINT));
    // Not joined from a device yet: nothing to compare, nothing to confirm.
    expect(text(rows[1])).toContain("has not joined from a device yet");
    expect(within(rows[1]!).queryByTestId("team-confirm")).toBeNull();

    await user.click(within(rows[0]!).getByTestId("team-confirm"));
    const ask = screen.getByTestId("team-confirm-ask");
    expect(text(ask)).toContain("Confirm bob@example.org?");
    expect(text(ask)).toContain("keys of a Viewer");
    await user.click(within(ask).getByRole("button", { name: "They differ" }));
    expect(screen.queryByTestId("team-confirm-ask")).toBeNull();
    expect(shell.of("confirm_newcomer")).toEqual([]);

    await user.click(within(rows[0]!).getByTestId("team-confirm"));
    await user.click(screen.getByTestId("team-confirm-match"));
    expect(shell.of("confirm_newcomer")).toEqual([{ email: "bob@example.org", fingerprint: FINGERPRINT }]);
    expect(text(await screen.findByTestId("team-notice"))).toContain("Confirmed bob@example.org");
    expect(changed).toHaveBeenCalled();
  });

  it("shows the server's refusal of a confirmation", async () => {
    fakeShell({ refuse: { confirm_newcomer: "their key changed while confirming: compare again" } });
    const user = userEvent.setup();
    render(<TeamPanel sync={SYNCED} timeZone="UTC" members={MEMBERS} permissions={OWNER} onChanged={() => {}} />);
    await user.click((await screen.findAllByTestId("team-confirm"))[0]!);
    await user.click(screen.getByTestId("team-confirm-match"));
    expect(text(await screen.findByTestId("team-error"))).toContain("their key changed");
    expect(screen.getByTestId("team-confirm-ask")).toBeTruthy();
  });

  it("invites by email with a role, and keeps the address when the server refuses", async () => {
    const shell = fakeShell({ refuse: {} });
    const user = userEvent.setup();
    render(<TeamPanel sync={SYNCED} timeZone="UTC" members={MEMBERS} permissions={OWNER} onChanged={() => {}} />);
    await user.type(screen.getByTestId("invite-email"), " carol@example.org ");
    await user.selectOptions(screen.getByTestId("invite-role"), "viewer");
    await user.click(screen.getByTestId("invite-send"));
    expect(shell.of("invite_member")).toEqual([{ email: "carol@example.org", role: "viewer" }]);
    expect(text(await screen.findByTestId("team-notice"))).toContain("Invited carol@example.org as Viewer");
    expect((screen.getByTestId("invite-email") as HTMLInputElement).value).toBe("");
  });

  it("keeps a refused invitation's address to correct it", async () => {
    fakeShell({ refuse: { invite_member: "\"carol\" is not an email address" } });
    const user = userEvent.setup();
    render(<TeamPanel sync={SYNCED} timeZone="UTC" members={MEMBERS} permissions={OWNER} onChanged={() => {}} />);
    await user.type(screen.getByTestId("invite-email"), "carol");
    await user.click(screen.getByTestId("invite-send"));
    expect(text(await screen.findByTestId("team-error"))).toContain("is not an email address");
    expect((screen.getByTestId("invite-email") as HTMLInputElement).value).toBe("carol");
  });

  it("changes a role and removes a member after saying what removal protects", async () => {
    const shell = fakeShell();
    const user = userEvent.setup();
    render(<TeamPanel sync={SYNCED} timeZone="UTC" members={MEMBERS} permissions={OWNER} onChanged={() => {}} />);
    const rows = screen.getAllByTestId("team-member");
    // Nobody changes their own role here.
    expect(within(rows[0]!).queryByTestId("team-role")).toBeNull();
    await user.selectOptions(within(rows[1]!).getByTestId("team-role"), "member");
    expect(shell.of("change_membership")).toEqual([{ member: "m2", role: "member" }]);

    await user.click(within(rows[1]!).getByTestId("team-remove"));
    const ask = screen.getByTestId("team-remove-ask");
    expect(text(ask)).toContain("What they already saw stays with them.");
    await user.click(screen.getByTestId("team-remove-confirm"));
    expect(shell.of("change_membership")).toEqual([
      { member: "m2", role: "member" },
      { member: "m2", role: null },
    ]);
    expect(text(await screen.findByTestId("team-notice"))).toContain("Removed grace@example.org.");
  });

  it("lists this account's devices and revokes another one", async () => {
    const shell = fakeShell();
    const user = userEvent.setup();
    render(<TeamPanel sync={SYNCED} timeZone="UTC" members={MEMBERS} permissions={OWNER} onChanged={() => {}} />);
    const devices = await screen.findAllByTestId("team-device");
    expect(devices).toHaveLength(3);
    expect(text(devices[0])).toContain("ada-laptop");
    expect(text(devices[0])).toContain("aaaaaaaa");
    expect(text(devices[0])).toContain("this device");
    // This device is here now: no "last seen" for it.
    expect(text(devices[0])).not.toContain("last seen");
    expect(within(devices[0]!).queryByTestId("device-revoke")).toBeNull();
    expect(text(within(devices[1]!).getByTestId("device-name"))).toBe("Ada’s phone");
    expect(text(within(devices[1]!).getByTestId("device-when"))).toBe("added Nov 20, 2026 · last seen Nov 30, 2026, 9:05 AM");
    expect(text(within(devices[2]!).getByTestId("device-name"))).toBe("Unnamed device");
    expect(text(within(devices[2]!).getByTestId("device-when"))).toContain("not seen since it was added");
    expect(within(devices[1]!).queryByTestId("device-rename")).toBeNull();
    await user.click(within(devices[1]!).getByTestId("device-revoke"));
    expect(shell.of("revoke_device")).toEqual([{ id: "bbbbbbbb000000000000000000000002" }]);
    expect(text(await screen.findByTestId("team-notice"))).toContain("Revoked Ada’s phone");
    expect(text(screen.getByTestId("own-fingerprint"))).toContain("11111 22222 33333 44444 55555 66666");
  });

  it("says when another device was last seen in the organization's time zone", async () => {
    fakeShell();
    render(<TeamPanel sync={SYNCED} timeZone="Europe/Berlin" members={MEMBERS} permissions={OWNER} onChanged={() => {}} />);
    const devices = await screen.findAllByTestId("team-device");
    expect(text(within(devices[1]!).getByTestId("device-when"))).toContain("last seen Nov 30, 2026, 10:05 AM");
  });

  it("renames this device, and shows why a name is refused", async () => {
    const shell = fakeShell({ refuse: {} });
    const user = userEvent.setup();
    render(<TeamPanel sync={SYNCED} timeZone="UTC" members={MEMBERS} permissions={VIEWER} onChanged={() => {}} />);
    const devices = await screen.findAllByTestId("team-device");
    await user.click(within(devices[0]!).getByTestId("device-rename"));
    const input = within(devices[0]!).getByTestId<HTMLInputElement>("device-rename-input");
    expect(input.value).toBe("ada-laptop");
    await user.clear(input);
    expect(within(devices[0]!).getByTestId<HTMLButtonElement>("device-rename-save").disabled).toBe(true);
    await user.type(input, "  Studio desk ");
    await user.click(within(devices[0]!).getByTestId("device-rename-save"));
    expect(shell.of("rename_this_device")).toEqual([{ name: "  Studio desk " }]);
    expect(text(await screen.findByTestId("team-notice"))).toContain("This device is now called Studio desk on your other devices.");
    expect(screen.queryByTestId("device-rename-input")).toBeNull();
  });

  it("keeps the name being typed when the server refuses it", async () => {
    fakeShell({ refuse: { rename_this_device: "the server could not be reached: connection refused" } });
    const user = userEvent.setup();
    render(<TeamPanel sync={SYNCED} timeZone="UTC" members={MEMBERS} permissions={OWNER} onChanged={() => {}} />);
    const devices = await screen.findAllByTestId("team-device");
    await user.click(within(devices[0]!).getByTestId("device-rename"));
    await user.type(within(devices[0]!).getByTestId("device-rename-input"), " 2");
    await user.click(within(devices[0]!).getByTestId("device-rename-save"));
    expect(text(await screen.findByTestId("team-error"))).toContain("connection refused");
    expect(screen.getByTestId<HTMLInputElement>("device-rename-input").value).toBe("ada-laptop 2");
  });

  it("shows a Viewer the team but nothing to manage", async () => {
    fakeShell();
    render(<TeamPanel sync={SYNCED} timeZone="UTC" members={MEMBERS} permissions={VIEWER} onChanged={() => {}} />);
    await screen.findAllByTestId("team-device");
    expect(screen.getAllByTestId("team-member")).toHaveLength(2);
    expect(screen.queryByTestId("team-role")).toBeNull();
    expect(screen.queryByTestId("invite-form")).toBeNull();
    expect(screen.queryByTestId("team-pending")).toBeNull();
  });

  it("in Settings: an Owner signed in but not synced is offered publishing, then the key and the team", async () => {
    fakeShell({ sync: { signed_in: true, set_up: false, published: false, fingerprint: null, recovery_key: null } });
    const actAs = vi.fn();
    const user = userEvent.setup();
    render(<SettingsScreen permissions={OWNER} onChanged={() => {}} onActAs={actAs} />);
    await user.click(await screen.findByTestId("publish"));
    expect(actAs).toHaveBeenCalledWith({ org: "o1", member: "acct" });
    expect(await screen.findByTestId("recovery-panel")).toBeTruthy();
    expect(await screen.findByTestId("team-panel")).toBeTruthy();
    expect(screen.queryByTestId("publish-panel")).toBeNull();
    expect(screen.queryByTestId("member-form")).toBeNull();
  });

  it("in Settings: not signed in, the members stay local and nothing is offered", async () => {
    fakeShell({ sync: { signed_in: false, set_up: false, published: false, fingerprint: null, recovery_key: null } });
    render(<SettingsScreen permissions={OWNER} onChanged={() => {}} />);
    expect(await screen.findByTestId("member-form")).toBeTruthy();
    expect(screen.queryByTestId("publish-panel")).toBeNull();
    expect(screen.queryByTestId("team-panel")).toBeNull();
  });
});
