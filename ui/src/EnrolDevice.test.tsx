import { act, cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { OrgSync } from "./bindings/OrgSync";
import { ChooseOrganization } from "./ChooseOrganization";
import { ApproveDeviceForm, EnrolPanel } from "./EnrolDevice";
import { setUiLanguage } from "./i18n";
import { text } from "./test/fixtures";

const CODE = { code: "482-K7Q2-9XMD", fingerprint: "123456789012345678901234567890" };
const KEY = "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789";


/**
 * The shell's enrolment commands. `enrol_wait` waits, as the real one does for the other device,
 * until `approved` (or a cancel) ends it.
 */
function fakeShell(options: { sync?: OrgSync } = {}) {
  const sent: [string, Record<string, unknown>][] = [];
  let finish: ((ok: boolean) => void) | null = null;
  mockIPC(async (cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    sent.push([cmd, a]);
    switch (cmd) {
      case "enrol_request":
        return CODE;
      case "enrol_wait": {
        const ok = await new Promise<boolean>((resolve) => (finish = resolve));
        if (!ok) throw "the enrolment was cancelled";
        return null;
      }
      case "enrol_cancel":
        finish?.(false);
        return null;
      case "enrol_with_recovery_key":
        if (a.key !== KEY) throw "this recovery key does not open the account: check it against your kit";
        return null;
      case "approve_device":
        if (a.code !== CODE.code) throw "no device waits with the code 111-AAAA-BBBB";
        return { id: "cccccccc000000000000000000000003", fingerprint: CODE.fingerprint };
      case "organizations":
        return [];
      case "org_sync":
        return options.sync ?? null;
      case "server_sign_in_status":
        return { server: "https://stint.example.org", email: "ada@example.org" };
      default:
        throw `unexpected ${cmd}`;
    }
  });
  return {
    of: (cmd: string) => sent.filter(([c]) => c === cmd).map(([, a]) => a),
    approved: () => finish?.(true),
  };
}

describe("EnrolDevice", () => {
  afterEach(async () => {
    cleanup();
    await new Promise((resolve) => setTimeout(resolve, 0));
    act(() => setUiLanguage("en-US"));
  });

  it("shows the code and fingerprint, and waits for the other device's approval", async () => {
    const shell = fakeShell();
    const enrolled = vi.fn();
    const user = userEvent.setup();
    render(<EnrolPanel onEnrolled={enrolled} />);
    await user.click(screen.getByTestId("enrol-by-device"));
    expect(text(await screen.findByTestId("enrol-code"))).toBe("482-K7Q2-9XMD");
    expect(text(screen.getByTestId("enrol-fingerprint"))).toBe("12345 67890 12345 67890 12345 67890");
    expect(enrolled).not.toHaveBeenCalled();
    await act(async () => shell.approved());
    expect(text(await screen.findByTestId("enrol-done"))).toContain("This device is enrolled");
    expect(enrolled).toHaveBeenCalled();
  });

  it("cancels the wait without calling it an error", async () => {
    const shell = fakeShell();
    const user = userEvent.setup();
    render(<EnrolPanel onEnrolled={() => {}} />);
    await user.click(screen.getByTestId("enrol-by-device"));
    await user.click(await screen.findByTestId("enrol-cancel"));
    expect(await screen.findByTestId("enrol-by-device")).toBeTruthy();
    expect(shell.of("enrol_cancel")).toHaveLength(1);
    expect(screen.queryByTestId("enrol-error")).toBeNull();
  });

  it("takes the recovery key, and says so when it is wrong before anything changes", async () => {
    const shell = fakeShell();
    const enrolled = vi.fn();
    const user = userEvent.setup();
    render(<EnrolPanel onEnrolled={enrolled} />);
    await user.click(screen.getByTestId("enrol-by-key"));
    expect(text(screen.getByTestId("enrol-error"))).toContain("Type your recovery key");
    expect(shell.of("enrol_with_recovery_key")).toEqual([]);

    await user.type(screen.getByTestId("enrol-key"), "ABCD-0000");
    await user.click(screen.getByTestId("enrol-by-key"));
    expect(text(await screen.findByTestId("enrol-error"))).toContain("does not open the account");
    expect((screen.getByTestId("enrol-key") as HTMLInputElement).value).toBe("ABCD-0000");
    expect(enrolled).not.toHaveBeenCalled();

    await user.clear(screen.getByTestId("enrol-key"));
    await user.type(screen.getByTestId("enrol-key"), ` ${KEY} `);
    await user.click(screen.getByTestId("enrol-by-key"));
    expect(await screen.findByTestId("enrol-done")).toBeTruthy();
    expect(shell.of("enrol_with_recovery_key").at(-1)).toEqual({ key: KEY });
    expect(enrolled).toHaveBeenCalled();
  });

  it("approves another device by its code and shows the fingerprint to compare", async () => {
    const shell = fakeShell();
    const approved = vi.fn();
    const user = userEvent.setup();
    render(<ApproveDeviceForm onApproved={approved} />);
    await user.type(screen.getByTestId("approve-code"), "111-AAAA-BBBB");
    await user.click(screen.getByTestId("approve-send"));
    expect(text(await screen.findByTestId("approve-error"))).toContain("no device waits");
    expect(approved).not.toHaveBeenCalled();

    await user.clear(screen.getByTestId("approve-code"));
    await user.type(screen.getByTestId("approve-code"), CODE.code);
    await user.click(screen.getByTestId("approve-send"));
    expect(text(await screen.findByTestId("approve-done"))).toContain("Approved device cccccccc");
    expect(text(screen.getByTestId("approve-fingerprint"))).toBe("12345 67890 12345 67890 12345 67890");
    expect(shell.of("approve_device").at(-1)).toEqual({ code: CODE.code });
    expect(approved).toHaveBeenCalled();
  });

  it("offers a new device without organizations to bring them from another device", async () => {
    fakeShell({ sync: { signed_in: true, set_up: false, published: false, fingerprint: null, recovery_key: null } });
    render(<ChooseOrganization onChosen={() => {}} />);
    expect(await screen.findByTestId("enrol-panel")).toBeTruthy();
    expect(await screen.findByTestId("server-signed-in")).toBeTruthy();
  });

  it("offers a device that syncs already only to join an organization it was invited to", async () => {
    fakeShell({ sync: { signed_in: true, set_up: true, published: false, fingerprint: "1", recovery_key: null } });
    render(<ChooseOrganization onChosen={() => {}} />);
    await screen.findByTestId("org-empty");
    expect(await screen.findByTestId("join-panel")).toBeTruthy();
    expect(screen.queryByTestId("enrol-panel")).toBeNull();
    expect(screen.queryByTestId("server-panel")).toBeNull();
  });
});
