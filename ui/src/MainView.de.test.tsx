import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Organization } from "./bindings/Organization";
import type { OrgSummary } from "./bindings/OrgSummary";
import type { ProjectView } from "./bindings/ProjectView";
import type { Tag } from "./bindings/Tag";
import { CommandPalette } from "./CommandPalette";
import { ErrorBoundary } from "./ErrorBoundary";
import { setFormat } from "./format";
import { setUiLanguage } from "./i18n";
import { MainView } from "./MainView";
import { TagChip } from "./TagChip";
import { permissionsOf, project } from "./test/fixtures";

const ORG: OrgSummary = { id: "o1", name: "Nordlicht GmbH", role: "owner", currency: "EUR", time_zone: "Europe/Berlin" };

const PROFILE: Organization = {
  id: "o1",
  name: "Nordlicht GmbH",
  currency: "EUR",
  locale: "de-DE",
  time_zone: "Europe/Berlin",
  week_start: "monday",
  rounding: null,
  lock_before: null,
  logo: null,
  duration_style: "clock",
};

/** `count` projects of Müller & Søn, the last one archived. */
function projects(count: number): ProjectView[] {
  return Array.from({ length: count }, (_, i) => ({
    ...project,
    project: { ...project.project, id: `01JPROJECT00000000000000${String(i).padStart(2, "0")}`, name: `Projekt ${i + 1}`, archived: i === count - 1 },
  }));
}

function organizationSpeaking(locale: string) {
  const owner = permissionsOf("owner", () => true);
  mockIPC((cmd) => {
    switch (cmd) {
      case "permissions":
        return owner;
      case "members":
        return [owner.member, { id: "01JMEMBER00000000000000001", name: "Bo", role: "viewer", active: true }];
      case "organization":
        return { ...PROFILE, locale };
      case "today":
        return "2026-11-23";
      case "projects":
        return projects(15);
      case "clients":
        return [{ id: project.project.client, name: "Müller & Søn", currency: null, rounding: null, note: "", archived: true }];
      case "entries":
      case "invoices":
      case "tags":
      case "tasks":
        return [];
      default:
        return null;
    }
  }, { shouldMockEvents: true });
}

function Boom(): never {
  throw new Error("chart data is missing");
}

describe("in German", () => {
  afterEach(() => {
    act(() => setUiLanguage("en-US"));
    setFormat({ locale: undefined, durationStyle: "clock" });
  });

  it("the main window speaks the organization's language: sections, roles, actions, the empty day", async () => {
    organizationSpeaking("de-DE");
    const { unmount } = render(<MainView org={ORG} actAs={{ org: "o1", member: "01JMEMBER00000000000000000" }} onSwitchOrganization={vi.fn()} onLocked={vi.fn()} />);

    expect(await screen.findByRole("button", { name: "Erfassen" })).toBeTruthy();
    const nav = screen.getByRole("navigation", { name: "Bereiche" });
    expect(within(nav).getAllByRole("button").map((b) => b.textContent)).toEqual([
      "Erfassen",
      "Projekte",
      "Ausgaben",
      "Rechnungen",
      "Berichte",
      "Einstellungen",
    ]);
    expect(screen.getByTestId("lock-vault").textContent).toBe("Sperren");
    expect(screen.getByTestId("switch-org").textContent).toBe("Organisationen");
    expect(screen.getByTestId("switch-org").getAttribute("title")).toBe("Organisation wechseln");
    expect(screen.getByTestId("acting-role").textContent).toBe("Inhaber");
    const acting = screen.getByRole("combobox", { name: "Handeln als Mitglied" });
    expect(within(acting).getAllByRole("option").map((o) => o.textContent)).toEqual(["Ada (Inhaber)", "Bo (Betrachter)"]);
    expect(await screen.findByText("Heute noch nichts erfasst.")).toBeTruthy();
    expect(screen.getByTestId("day-heading").textContent).toMatch(/^Heute, /);
    expect(screen.getByTestId("manual-toggle").textContent).toBe("Zeit von Hand erfassen");
    expect(screen.getByRole("group", { name: "Ansicht" }).textContent).toBe("TagWocheStundenzettel");

    // The window stops listening to the tray's events while the mocked events still exist.
    unmount();
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
  });

  it("the search names what it finds in German, and says how many more there are", async () => {
    organizationSpeaking("de-DE");
    act(() => setUiLanguage("de-DE"));
    const sections = [
      { id: "track", label: "Erfassen" },
      { id: "projects", label: "Projekte" },
    ];
    render(<CommandPalette sections={sections} permissions={permissionsOf("owner", () => true)} onGo={vi.fn()} onClose={vi.fn()} />);
    const input = screen.getByRole("combobox", { name: "Projekte, Kunden und Rechnungen durchsuchen" });
    expect(input.getAttribute("placeholder")).toBe("Projekte, Kunden, Rechnungen suchen…");
    // 2 sections, 15 projects, 1 client: 12 shown.
    expect((await screen.findByTestId("palette-more")).textContent).toBe(
      "6 weitere Treffer: Tippen Sie weiter, um die Liste einzugrenzen.",
    );
    expect(screen.getAllByTestId("palette-result")[0]?.textContent).toBe("ErfassenBereich");

    // The German words are searched, as they are shown.
    await userEvent.type(input, "archiviert");
    expect(screen.getAllByTestId("palette-result").map((r) => r.textContent)).toEqual([
      "Projekt 15Projekt · Müller & Søn · archiviert",
      "Müller & SønKunde · archiviert",
    ]);
    await userEvent.clear(input);
    await userEvent.type(input, "RE-2026");
    expect(screen.getByTestId("palette-none").textContent).toBe("Keine Treffer für „RE-2026“.");
  });

  it("a screen that breaks says so in German, and a tag says what a click does", async () => {
    act(() => setUiLanguage("de-DE"));
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    render(
      <ErrorBoundary label="Berichte">
        <Boom />
      </ErrorBoundary>,
    );
    expect(screen.getByRole("heading", { name: "„Berichte“ konnte nicht angezeigt werden" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Erneut versuchen" })).toBeTruthy();
    vi.restoreAllMocks();

    const tag: Tag = { id: "t1", name: "meeting", archived: false };
    render(<TagChip tag={tag} applied onToggle={vi.fn()} />);
    expect(screen.getByRole("button", { name: "#meeting" }).getAttribute("title")).toBe("Zugewiesen: Klicken entfernt #meeting");
  });
});
