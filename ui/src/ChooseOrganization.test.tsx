import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { NewOrganization } from "./bindings/NewOrganization";
import type { OrgSummary } from "./bindings/OrgSummary";
import { ChooseOrganization } from "./ChooseOrganization";
import { setUiLanguage } from "./i18n";
import { eventually } from "./test/eventually";

describe("ChooseOrganization", () => {
  it("creates an organization with EUR, the system's time zone and a real locale, then lists it", async () => {
    const orgs: OrgSummary[] = [];
    const created: NewOrganization[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "organizations") return [...orgs];
      if (cmd === "create_organization") {
        const input = (args as { input: NewOrganization }).input;
        created.push(input);
        orgs.push({ id: "o1", name: input.name, role: "owner", currency: input.currency, time_zone: input.time_zone });
        return "o1";
      }
      if (cmd === "choose_organization") return { org: "o1", member: "m1" };
      throw `unexpected ${cmd}`;
    });
    const onChosen = vi.fn();
    render(<ChooseOrganization onChosen={onChosen} />);
    await screen.findByTestId("org-empty");
    await userEvent.type(screen.getByLabelText("Name"), "Acme Studio");
    await userEvent.type(screen.getByLabelText("Your name"), "Ada");
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    await userEvent.click(await screen.findByRole("button", { name: /Acme Studio/ }));
    await eventually(() => expect(onChosen).toHaveBeenCalledOnce());
    expect(onChosen.mock.calls[0]).toEqual([orgs[0], { org: "o1", member: "m1" }]);
    expect(created).toHaveLength(1);
    const input = created[0]!;
    expect(input).toMatchObject({ name: "Acme Studio", owner_name: "Ada", currency: "EUR", week_start: "monday" });
    expect(input.time_zone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(input.locale).toMatch(/^[a-z]{2,3}(-[A-Z]{2})?$/);
  });

  it("makes creating the first organization the primary action, and clears a refusal once typing resumes", async () => {
    mockIPC((cmd) => {
      if (cmd === "organizations") return [];
      if (cmd === "create_organization") throw "\"Europe/Nowhere\" is not a time zone";
      throw `unexpected ${cmd}`;
    });
    render(<ChooseOrganization onChosen={vi.fn()} />);
    await screen.findByTestId("org-empty");
    const create = screen.getByRole("button", { name: "Create" });
    expect(create.className).toBe("primary");
    await userEvent.type(screen.getByLabelText("Name"), "Acme Studio");
    await userEvent.click(create);
    expect((await screen.findByTestId("org-create-error")).textContent).toMatch(/not a time zone/);
    await userEvent.type(screen.getByLabelText("Time zone"), "x");
    expect(screen.queryByTestId("org-create-error")).toBeNull();
  });

  it("keeps choosing an organization the first step when there are some", async () => {
    mockIPC((cmd) => {
      if (cmd === "organizations") return [{ id: "o1", name: "Acme", role: "owner", currency: "EUR", time_zone: "UTC" }];
      throw `unexpected ${cmd}`;
    });
    render(<ChooseOrganization onChosen={vi.fn()} />);
    await screen.findByTestId("org-list");
    expect(screen.getByRole("button", { name: "Create" }).className).toBe("");
  });
});

describe("ChooseOrganization in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("says there is none yet, offers to create one, and names roles in German", async () => {
    act(() => setUiLanguage("de-DE"));
    const orgs: OrgSummary[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "organizations") return [...orgs];
      if (cmd === "create_organization") {
        const input = (args as { input: NewOrganization }).input;
        orgs.push({ id: "o1", name: input.name, role: "owner", currency: input.currency, time_zone: "Europe/Berlin" });
        return "o1";
      }
      throw `unexpected ${cmd}`;
    });
    render(<ChooseOrganization onChosen={vi.fn()} />);
    expect((await screen.findByTestId("org-empty")).textContent).toBe("Noch keine Organisationen. Legen Sie unten eine an.");
    expect(screen.getByRole("heading", { name: "Organisationen" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Organisation anlegen" })).toBeTruthy();
    for (const label of ["Name", "Ihr Name", "Währung", "Zeitzone", "Gebietsschema"]) {
      expect(screen.getByLabelText(label)).toBeTruthy();
    }
    const weekStart = screen.getByLabelText("Woche beginnt am");
    expect(within(weekStart).getAllByRole("option").map((o) => o.textContent)).toEqual(["Montag", "Sonntag", "Samstag"]);

    await userEvent.type(screen.getByLabelText("Name"), "Nordlicht GmbH");
    await userEvent.click(screen.getByRole("button", { name: "Anlegen" }));
    const option = await screen.findByRole("button", { name: /Nordlicht GmbH/ });
    expect(option.textContent).toBe("Nordlicht GmbHEUR · Europe/Berlin · Inhaber");
  });
});
