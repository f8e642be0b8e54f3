import { act, fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Member } from "./bindings/Member";
import type { Organization } from "./bindings/Organization";
import type { Role } from "./bindings/Role";
import { setUiLanguage } from "./i18n";
import { formatDate, formatDateInput } from "./format";
import { SettingsScreen } from "./SettingsScreen";
import { permissionsOf } from "./test/fixtures";
import { eventually } from "./test/eventually";

const OWNER = permissionsOf("owner", (a) => a !== "edit_locked_or_invoiced" && a !== "edit_finalized_invoice", "m1");
const ADMIN = permissionsOf("admin", (a) => !["delete_organization", "transfer_ownership", "manage_admins_and_owners", "edit_locked_or_invoiced", "edit_finalized_invoice"].includes(a));
const MEMBER = permissionsOf("member", (a) =>
  ["read_org_profile", "list_members", "read_catalog", "read_time_entry", "edit_time_entry", "read_expense", "edit_expense", "read_time_reports", "create_own_api_token", "export_organization"].includes(a),
);

type Sent = [string, unknown];

function fakeEngine(options: { org?: Partial<Organization>; failAddMember?: string; failLogo?: string } = {}) {
  const org: Organization = {
    id: "o1",
    name: "Acme Studio",
    currency: "EUR",
    locale: "de-DE",
    time_zone: "Europe/Berlin",
    week_start: "monday",
    rounding: null,
    lock_before: null,
    logo: null,
    duration_style: "clock",
    ...options.org,
  };
  const members: Member[] = [
    { id: "m1", name: "Ada", role: "owner", active: true },
    { id: "m2", name: "Grace", role: "member", active: true },
    { id: "m3", name: "Linus", role: "viewer", active: false },
  ];
  const sent: Sent[] = [];
  let logo: number[] = [];
  mockIPC((cmd, args) => {
    const a = args as Record<string, unknown>;
    switch (cmd) {
      case "organization":
        return { ...org };
      case "logo":
        return new Uint8Array(logo).buffer;
      case "set_logo":
        sent.push([cmd, args]);
        if (options.failLogo) throw options.failLogo;
        logo = (a.png as number[] | null) ?? [];
        return null;
      case "members":
        return members.map((m) => ({ ...m }));
      case "update_organization": {
        sent.push([cmd, args]);
        const changes = a.changes as Record<string, string | null>;
        if (changes.name) org.name = changes.name;
        if (changes.week_start) org.week_start = changes.week_start as Organization["week_start"];
        if (changes.locale) org.locale = changes.locale;
        if (changes.time_zone) org.time_zone = changes.time_zone;
        if (changes.duration_style) org.duration_style = changes.duration_style as Organization["duration_style"];
        if (changes.rounding) {
          const [mode, minutes] = changes.rounding.split(":");
          org.rounding = changes.rounding === "none" ? null : { mode: mode as "up", minutes: Number(minutes) };
        }
        return null;
      }
      case "lock_period":
        sent.push([cmd, args]);
        org.lock_before = a.before as string | null;
        return null;
      case "add_member": {
        sent.push([cmd, args]);
        if (options.failAddMember) throw options.failAddMember;
        const id = `m${members.length + 1}`;
        members.push({ id, name: a.name as string, role: a.role as Role, active: true });
        return id;
      }
      case "set_role": {
        sent.push([cmd, args]);
        members.find((m) => m.id === a.member)!.role = a.role as Role;
        return null;
      }
      default:
        throw `unexpected ${cmd}`;
    }
  });
  return { org, members, sent };
}

describe("SettingsScreen", () => {
  it("saves only the fields that changed, then says so and tells the app", async () => {
    const engine = fakeEngine();
    const onChanged = vi.fn();
    const user = userEvent.setup();
    render(<SettingsScreen permissions={OWNER} onChanged={onChanged} />);

    const name = (await screen.findByTestId("settings-org-name")) as HTMLInputElement;
    expect(name.value).toBe("Acme Studio");
    expect((screen.getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId("settings-rounding-minutes") as HTMLInputElement).disabled).toBe(true);

    await user.clear(name);
    await user.type(name, "Acme Studio GmbH");
    await user.selectOptions(screen.getByTestId("settings-week-start"), "sunday");
    await user.selectOptions(screen.getByTestId("settings-rounding-mode"), "up");
    const minutes = screen.getByTestId("settings-rounding-minutes") as HTMLInputElement;
    expect(minutes.disabled).toBe(false);
    await user.clear(minutes);
    await user.type(minutes, "6");
    await user.click(screen.getByTestId("settings-save"));

    expect((await screen.findByTestId("settings-saved")).textContent).toBe("Saved");
    expect(engine.sent).toEqual([
      [
        "update_organization",
        {
          changes: {
            name: "Acme Studio GmbH",
            currency: null,
            locale: null,
            time_zone: null,
            week_start: "sunday",
            rounding: "up:6",
            duration_style: null,
          },
        },
      ],
    ]);
    expect(onChanged).toHaveBeenCalledTimes(1);
    // Reloaded from the engine: nothing left to save.
    await eventually(() => expect((screen.getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(true));
    expect(screen.queryByTestId("settings-error")).toBeNull();
  });

  it("picks the locale, time zone and duration style from lists, previews them and saves them", async () => {
    const engine = fakeEngine();
    const onChanged = vi.fn();
    const user = userEvent.setup();
    render(<SettingsScreen permissions={OWNER} onChanged={onChanged} />);

    const locale = (await screen.findByTestId("settings-locale")) as HTMLSelectElement;
    expect(locale.value).toBe("de-DE");
    const labels = [...locale.options].map((o) => o.textContent);
    expect(labels).toContain("Deutsch (Deutschland) — de-DE");
    expect(labels).toContain("français (France) — fr-FR");
    const zone = screen.getByTestId("settings-time-zone") as HTMLSelectElement;
    expect(zone.value).toBe("Europe/Berlin");
    expect([...zone.options].map((o) => o.value)).toContain("America/New_York");
    const shown = () => (screen.getByTestId("settings-preview").textContent ?? "").replace(/[\u00a0\u202f]/g, " ");
    expect(shown()).toContain("1.234,50 € · 1:30 h");

    await user.selectOptions(locale, "en-US");
    await user.selectOptions(zone, "America/New_York");
    await user.selectOptions(screen.getByTestId("settings-duration-style"), "decimal");
    expect(shown()).toMatch(/ (AM|PM) · €1,234\.50 · 1\.50 h$/);
    await user.click(screen.getByTestId("settings-save"));
    expect((await screen.findByTestId("settings-saved")).textContent).toBe("Saved");
    expect(engine.sent).toEqual([
      [
        "update_organization",
        {
          changes: {
            name: null,
            currency: null,
            locale: "en-US",
            time_zone: "America/New_York",
            week_start: null,
            rounding: null,
            duration_style: "decimal",
          },
        },
      ],
    ]);
  });

  it("shows the engine's refusal and keeps the typed value", async () => {
    mockIPC((cmd) => {
      if (cmd === "organization")
        return {
          id: "o1",
          name: "Acme",
          currency: "EUR",
          locale: "de-DE",
          time_zone: "Europe/Berlin",
          week_start: "monday",
          rounding: null,
          lock_before: null,
          logo: null,
          duration_style: "clock",
        };
      if (cmd === "members") return [];
      if (cmd === "update_organization") throw '"EUX" is not a currency';
      throw `unexpected ${cmd}`;
    });
    const onChanged = vi.fn();
    const user = userEvent.setup();
    render(<SettingsScreen permissions={OWNER} onChanged={onChanged} />);
    const currency = (await screen.findByLabelText("Currency")) as HTMLInputElement;
    await user.clear(currency);
    await user.type(currency, "EUX");
    await user.click(screen.getByTestId("settings-save"));
    expect((await screen.findByTestId("settings-error")).textContent).toBe('"EUX" is not a currency');
    expect(currency.value).toBe("EUX");
    expect(onChanged).not.toHaveBeenCalled();
    expect(screen.queryByTestId("settings-saved")).toBeNull();
  });

  it("adds a member with a role and changes another member's role", async () => {
    const engine = fakeEngine();
    const onChanged = vi.fn();
    const user = userEvent.setup();
    render(<SettingsScreen permissions={OWNER} onChanged={onChanged} />);

    const rows = await screen.findAllByTestId("member-row");
    expect(rows).toHaveLength(3);
    expect(rows[2]!.className).toContain("muted");
    const roleChoices = within(screen.getByTestId("member-role-select"))
      .getAllByRole("option")
      .map((o) => o.textContent);
    expect(roleChoices).toEqual(["Owner", "Admin", "Member", "Viewer"]);

    await user.type(screen.getByTestId("member-name-input"), "Margaret");
    await user.selectOptions(screen.getByTestId("member-role-select"), "admin");
    await user.click(screen.getByTestId("member-add"));
    await eventually(() => expect(screen.getAllByTestId("member-row")).toHaveLength(4));
    expect(screen.getAllByTestId("member-row")[3]!.textContent).toContain("Margaret");
    expect((screen.getByTestId("member-name-input") as HTMLInputElement).value).toBe("");

    await user.selectOptions(screen.getByLabelText("Role of Grace"), "viewer");
    await eventually(() => expect(onChanged).toHaveBeenCalledTimes(2));
    expect(engine.sent).toEqual([
      ["add_member", { name: "Margaret", role: "admin" }],
      ["set_role", { member: "m2", role: "viewer" }],
    ]);
    await eventually(() => expect((screen.getByLabelText("Role of Grace") as HTMLSelectElement).value).toBe("viewer"));
  });

  it("lets an admin manage only members and viewers", async () => {
    fakeEngine({ failAddMember: "a member named Grace already exists" });
    const user = userEvent.setup();
    render(<SettingsScreen permissions={ADMIN} onChanged={() => {}} />);
    await screen.findAllByTestId("member-row");
    const choices = within(screen.getByTestId("member-role-select"))
      .getAllByRole("option")
      .map((o) => (o as HTMLOptionElement).value);
    expect(choices).toEqual(["member", "viewer"]);
    // The owner's role cannot be changed by an admin; Grace's can.
    expect(screen.getAllByTestId("member-role")).toHaveLength(1);

    await user.type(screen.getByTestId("member-name-input"), "Grace");
    await user.click(screen.getByTestId("member-add"));
    expect((await screen.findByTestId("member-error")).textContent).toBe("a member named Grace already exists");
    expect((screen.getByTestId("member-name-input") as HTMLInputElement).value).toBe("Grace");
  });

  it("locks a period and lifts the lock", async () => {
    const engine = fakeEngine();
    const onChanged = vi.fn();
    const user = userEvent.setup();
    render(<SettingsScreen permissions={OWNER} onChanged={onChanged} />);

    expect((await screen.findByTestId("lock-current")).textContent).toContain("No lock");
    expect((screen.getByTestId("lock-lift") as HTMLButtonElement).disabled).toBe(true);
    await user.type(screen.getByTestId("lock-before-input"), "2026-11-01");
    await user.click(screen.getByTestId("lock-save"));
    await eventually(() => expect(screen.getByTestId("lock-current").textContent).toContain(formatDate("2026-11-01")));
    await user.click(screen.getByTestId("lock-lift"));
    await eventually(() => expect(screen.getByTestId("lock-current").textContent).toContain("No lock"));
    expect(engine.sent).toEqual([
      ["lock_period", { before: "2026-11-01" }],
      ["lock_period", { before: null }],
    ]);
    expect(onChanged).toHaveBeenCalledTimes(2);
  });

  it("for a member, shows the profile disabled with the reason and no management controls", async () => {
    const engine = fakeEngine({ org: { lock_before: "2026-10-01", rounding: { mode: "nearest", minutes: 15 } } });
    render(<SettingsScreen permissions={MEMBER} onChanged={() => {}} />);

    const name = (await screen.findByTestId("settings-org-name")) as HTMLInputElement;
    expect(name.disabled).toBe(true);
    expect((screen.getByTestId("settings-week-start") as HTMLSelectElement).disabled).toBe(true);
    expect((screen.getByTestId("settings-rounding-mode") as HTMLSelectElement).value).toBe("nearest");
    expect((screen.getByTestId("settings-rounding-minutes") as HTMLInputElement).value).toBe("15");
    expect((screen.getByTestId("settings-rounding-minutes") as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByTestId("settings-readonly").textContent).toContain("Your role (Member) does not allow this.");
    expect(screen.queryByTestId("settings-save")).toBeNull();

    expect(screen.getByTestId("lock-current").textContent).toContain(formatDate("2026-10-01"));
    expect(screen.queryByTestId("lock-before-input")).toBeNull();
    expect(screen.queryByTestId("lock-save")).toBeNull();

    expect(await screen.findAllByTestId("member-row")).toHaveLength(3);
    expect(screen.queryByTestId("member-role")).toBeNull();
    expect(screen.queryByTestId("member-add")).toBeNull();
    expect(screen.getByTestId("members-readonly")).toBeTruthy();
    expect(engine.sent).toEqual([]);
  });
});

describe("LogoPanel", () => {
  const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3];

  it("uploads a PNG, previews it from memory and removes it", async () => {
    const engine = fakeEngine();
    globalThis.URL.createObjectURL ??= () => "blob:logo";
    globalThis.URL.revokeObjectURL ??= () => {};
    const user = userEvent.setup();
    render(<SettingsScreen permissions={OWNER} onChanged={() => {}} />);
    expect(await screen.findByTestId("logo-none")).toBeTruthy();
    const file = new File([new Uint8Array(PNG)], "logo.png", { type: "image/png" });
    await user.upload(screen.getByTestId("logo-file"), file);
    expect(await screen.findByTestId("logo-preview")).toBeTruthy();
    expect(engine.sent).toContainEqual(["set_logo", { png: PNG }]);
    await user.click(screen.getByTestId("logo-remove"));
    expect(await screen.findByTestId("logo-none")).toBeTruthy();
    expect(engine.sent).toContainEqual(["set_logo", { png: null }]);
  });

  it("shows the engine's refusal, and offers no upload to a member", async () => {
    fakeEngine({ failLogo: "the logo must be a PNG image" });
    const user = userEvent.setup();
    const { unmount } = render(<SettingsScreen permissions={OWNER} onChanged={() => {}} />);
    await user.upload(await screen.findByTestId("logo-file"), new File([new Uint8Array(PNG)], "x.png", { type: "image/png" }));
    expect((await screen.findByTestId("logo-error")).textContent).toBe("the logo must be a PNG image");
    unmount();
    fakeEngine();
    render(<SettingsScreen permissions={MEMBER} onChanged={() => {}} />);
    await screen.findByTestId("logo-none");
    expect(screen.queryByTestId("logo-file")).toBeNull();
  });
});

describe("SettingsScreen in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("names panels, fields, choices and buttons in German, and each locale in its own language", async () => {
    act(() => setUiLanguage("de-DE"));
    fakeEngine({ org: { lock_before: "2026-10-01" } });
    const user = userEvent.setup();
    render(<SettingsScreen permissions={OWNER} onChanged={() => {}} />);

    expect(await screen.findByRole("heading", { name: "Organisation" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Zeitraumsperre" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Mitglieder" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Mitglied hinzufügen" })).toBeTruthy();
    for (const name of ["Währung", "Sprache und Region", "Zeitzone", "Zeitdauern", "Woche beginnt am", "Rundung", "Alle Tage sperren vor dem"]) {
      expect(screen.getByLabelText(name)).toBeTruthy();
    }
    const options = (testid: string) => within(screen.getByTestId(testid)).getAllByRole("option").map((o) => o.textContent);
    expect(options("settings-week-start")).toEqual(["Montag", "Sonntag", "Samstag"]);
    expect(options("settings-rounding-mode")).toEqual(["Keine Rundung", "Aufrunden", "Abrunden", "Kaufmännisch runden"]);
    expect(options("settings-duration-style")).toEqual(["1:30 (Stunden und Minuten)", "1,50 (Dezimalstunden)"]);
    expect(options("member-role-select")).toEqual(["Inhaber", "Admin", "Mitglied", "Betrachter"]);
    // Locales keep their own names (from Intl, not the catalogue), whatever the UI speaks.
    expect(options("settings-locale")).toContain("Deutsch (Deutschland) — de-DE");
    expect(options("settings-locale")).toContain("français (France) — fr-FR");
    expect(screen.getByTestId("lock-current").textContent).toBe(
      `Tage vor dem ${formatDate("2026-10-01")} sind gesperrt: Einträge und Ausgaben dieser Tage können nicht mehr geändert werden.`,
    );
    expect(within(screen.getByTestId("lock-current")).getByText(formatDate("2026-10-01")).tagName).toBe("STRONG");
    expect((screen.getByTestId("lock-before-input") as HTMLInputElement).placeholder).toBe(formatDateInput("2026-12-31"));
    expect(screen.getByTestId("lock-lift").textContent).toBe("Sperre aufheben");
    expect(screen.getByTestId("member-add").textContent).toBe("Hinzufügen");
    expect(screen.getAllByTestId("member-name")[0]!.textContent).toBe("Ada (Sie)");
    expect(screen.getAllByTestId("member-name")[2]!.textContent).toBe("Linus · entfernt");
    expect(screen.getByLabelText("Rolle von Grace")).toBeTruthy();

    await user.selectOptions(screen.getByTestId("settings-rounding-mode"), "up");
    await user.clear(screen.getByTestId("settings-rounding-minutes"));
    await user.type(screen.getByTestId("settings-rounding-minutes"), "0");
    expect(screen.getByRole("button", { name: "Speichern" })).toBeTruthy();
    // The browser would refuse 0 itself (min 1); the form's own check says why.
    fireEvent.submit(screen.getByTestId("settings-form"));
    expect((await screen.findByTestId("settings-error")).textContent).toBe("Die Rundungsminuten sind eine ganze Zahl von 1 bis 1440.");
    await user.clear(screen.getByTestId("lock-before-input"));
    await user.type(screen.getByTestId("lock-before-input"), "31.02.2026");
    await user.click(screen.getByRole("button", { name: "Vor diesem Tag sperren" }));
    expect((await screen.findByTestId("lock-error")).textContent).toBe(`Geben Sie Daten wie ${formatDateInput("2026-11-01")} ein.`);
  });

  it("says so in German when there are no members and nothing is locked", async () => {
    act(() => setUiLanguage("de-DE"));
    mockIPC((cmd) => {
      if (cmd === "organization")
        return {
          id: "o1",
          name: "Acme",
          currency: "EUR",
          locale: "de-DE",
          time_zone: "Europe/Berlin",
          week_start: "monday",
          rounding: null,
          lock_before: null,
          logo: null,
          duration_style: "clock",
        };
      if (cmd === "members") return [];
      if (cmd === "logo") return new Uint8Array().buffer;
      throw `unexpected ${cmd}`;
    });
    render(<SettingsScreen permissions={MEMBER} onChanged={() => {}} />);
    expect((await screen.findByTestId("members-empty")).textContent).toBe("Noch keine Mitglieder.");
    expect((await screen.findByTestId("lock-current")).textContent).toBe("Keine Sperre: Jeder Tag kann noch geändert werden.");
    expect(screen.getByTestId("settings-readonly").textContent).toMatch(/^Das Profil ist hier schreibgeschützt\. /);
    expect(screen.getByTestId("members-readonly").textContent).toMatch(/^Mitglieder hinzufügen und Rollen ändern: /);
  });
});
