import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import type { BudgetView } from "./bindings/BudgetView";
import type { Client } from "./bindings/Client";
import type { NewClient } from "./bindings/NewClient";
import type { NewProject } from "./bindings/NewProject";
import type { NewRate } from "./bindings/NewRate";
import type { ProjectSummary } from "./bindings/ProjectSummary";
import type { ProjectView } from "./bindings/ProjectView";
import type { RateView } from "./bindings/RateView";
import type { Tag } from "./bindings/Tag";
import type { TaskView } from "./bindings/TaskView";
import { formatDateInput, setFormat } from "./format";
import { setUiLanguage } from "./i18n";
import { ProjectsScreen } from "./ProjectsScreen";
import { project } from "./test/fixtures";
import { permissionsOf } from "./test/fixtures";
import { eventually } from "./test/eventually";

const ADMIN = permissionsOf("admin", (a) => !["delete_organization", "transfer_ownership", "manage_admins_and_owners", "edit_locked_or_invoiced", "edit_finalized_invoice"].includes(a));
const VIEWER = permissionsOf("viewer", (a) => a.startsWith("read_"));

const TODAY = "2026-11-23";

type Sent = [string, unknown];

/** A small in-memory catalog behind mockIPC; every change command is recorded in `sent`. */
function fakeEngine(
  options: { failAddProject?: string; summaries?: Record<string, Partial<ProjectSummary>> } = {},
) {
  const clients: Client[] = [];
  const projects: ProjectView[] = [];
  const rates: RateView[] = [];
  const budgets: BudgetView[] = [];
  const tasks: TaskView[] = [];
  const tags: Tag[] = [];
  const sent: Sent[] = [];
  mockIPC((cmd, args) => {
    const a = args as Record<string, unknown>;
    switch (cmd) {
      case "today":
        return TODAY;
      case "organization":
        return { currency: "EUR" };
      case "clients":
        return clients.filter((c) => a.includeArchived || !c.archived);
      case "projects":
        return projects.filter((p) => a.includeArchived || !p.project.archived);
      case "rates":
        return rates;
      case "budgets":
        return budgets;
      case "tasks":
        return tasks.filter((t) => t.task.project === a.project);
      case "tags":
        return tags;
      case "add_tag": {
        sent.push([cmd, args]);
        const id = `g${tags.length + 1}`;
        tags.push({ id, name: a.name as string, archived: false });
        return id;
      }
      case "edit_tag": {
        sent.push([cmd, args]);
        const tag = tags.find((t) => t.id === a.id)!;
        const changes = a.changes as { archived: boolean | null; name: string | null };
        if (changes.name !== null && tags.some((t) => t !== tag && t.name.toLowerCase() === changes.name!.toLowerCase())) {
          throw `a tag named "${changes.name}" already exists`;
        }
        if (changes.archived !== null) tag.archived = changes.archived;
        if (changes.name !== null) tag.name = changes.name;
        return tag;
      }
      case "add_client": {
        sent.push([cmd, args]);
        const input = a.input as NewClient;
        const id = `c${clients.length + 1}`;
        clients.push({ id, name: input.name, currency: input.currency, rounding: null, note: "", archived: false });
        return id;
      }
      case "edit_client": {
        sent.push([cmd, args]);
        const client = clients.find((c) => c.id === a.id)!;
        const changes = a.changes as { archived: boolean | null; name: string | null };
        if (changes.archived !== null) client.archived = changes.archived;
        if (changes.name !== null) client.name = changes.name;
        return null;
      }
      case "add_project": {
        sent.push([cmd, args]);
        if (options.failAddProject) throw options.failAddProject;
        const input = a.input as NewProject;
        const id = `p${projects.length + 1}`;
        const client = clients.find((c) => c.id === input.client)!;
        projects.push({
          project: { id, client: client.id, name: input.name, billable: input.billable ?? true, rounding: null, note: "", archived: false },
          client_name: client.name,
        });
        return id;
      }
      case "set_rate": {
        sent.push([cmd, args]);
        const input = a.input as NewRate;
        const name = projects.find((p) => input.scope.level === "project" && p.project.id === input.scope.project)?.project.name;
        rates.push({
          rate: { id: `r${rates.length + 1}`, scope: input.scope, effective_from: input.effective_from, hourly: { amount: input.hourly, currency: "EUR" } },
          applies_to: `project ${name}`,
        });
        return `r${rates.length}`;
      }
      case "add_task": {
        sent.push([cmd, args]);
        const id = `t${tasks.length + 1}`;
        tasks.push({ task: { id, project: a.project as string, name: a.name as string, billable: null, archived: false }, project_name: "Website" });
        return id;
      }
      case "set_budget":
        sent.push([cmd, args]);
        return "b1";
      case "project_summaries":
        return projects.map((p) => ({
          project: p.project.id,
          seconds: 0,
          unbilled_seconds: 0,
          unbilled: [],
          rate: null,
          unrated_seconds: 0,
          first_unrated: null,
          ...options.summaries?.[p.project.id],
        }));
      default:
        throw `unexpected ${cmd}`;
    }
  });
  return { clients, projects, rates, budgets, tasks, tags, sent };
}

describe("ProjectsScreen", () => {
  it("adds a client, then a project with an hourly rate from today", async () => {
    const engine = fakeEngine();
    const user = userEvent.setup();
    render(<ProjectsScreen permissions={ADMIN} />);

    expect((await screen.findByTestId("clients-empty")).textContent).toBe("No clients yet — add the first one below.");
    await user.type(screen.getByTestId("client-name-input"), "Müller & Søn");
    await user.type(screen.getByLabelText("Currency"), "eur");
    await user.click(screen.getByTestId("client-add"));

    const row = await screen.findByTestId("client-row");
    expect(row.textContent).toContain("Müller & Søn");
    expect(row.textContent).toContain("EUR");
    // With a client in the list, the form folds away behind "+ New client".
    expect(screen.queryByTestId("client-name-input")).toBeNull();
    expect(screen.getByTestId("client-new").textContent).toBe("+ New client");

    const select = (await screen.findByTestId("project-client-select")) as HTMLSelectElement;
    expect(within(select).getByRole("option", { name: "Müller & Søn" })).toBeTruthy();
    expect(((await screen.findByTestId("project-rate-from")) as HTMLInputElement).value).toBe(formatDateInput(TODAY));
    await user.type(screen.getByTestId("project-name-input"), "Website");
    await user.type(screen.getByTestId("project-rate-input"), "95");
    await user.click(screen.getByTestId("project-add"));

    const projectRow = await screen.findByTestId("project-row");
    expect(projectRow.textContent).toContain("Website");
    expect(projectRow.textContent).toContain("Müller & Søn");
    const rateRow = await screen.findByTestId("rate-row");
    expect(rateRow.textContent).toContain("project Website");
    expect(rateRow.textContent).toContain(new Intl.NumberFormat(undefined, { style: "currency", currency: "EUR" }).format(95));
    expect(rateRow.textContent).toContain(TODAY);

    expect(engine.sent).toEqual([
      ["add_client", { input: { name: "Müller & Søn", currency: "EUR", rounding: null, note: "" } }],
      ["add_project", { input: { client: "c1", name: "Website", billable: true, rounding: null, note: "" } }],
      [
        "set_rate",
        { input: { scope: { level: "project", project: "p1" }, effective_from: TODAY, hourly: "95", currency: null } },
      ],
    ]);
    expect(screen.queryByTestId("project-name-input")).toBeNull();
    // "+ New project" opens an empty form again.
    await user.click(screen.getByTestId("project-new"));
    expect((screen.getByTestId("project-name-input") as HTMLInputElement).value).toBe("");
    expect((screen.getByTestId("project-rate-input") as HTMLInputElement).value).toBe("");
    expect(screen.getByTestId("project-new").textContent).toBe("Close");
    expect(screen.queryByTestId("catalog-readonly")).toBeNull();
  });

  it("shows the engine's message and keeps what was typed when a project cannot be added", async () => {
    const message = "a project named Website already exists for Müller & Søn";
    const engine = fakeEngine({ failAddProject: message });
    engine.clients.push({ id: "c1", name: "Müller & Søn", currency: null, rounding: null, note: "", archived: false });
    const user = userEvent.setup();
    render(<ProjectsScreen permissions={ADMIN} />);

    // A client without its own currency bills in the organization's, and says which.
    await eventually(async () => expect((await screen.findByTestId("client-row")).textContent).toContain("EUR (org default)"));
    await user.click(screen.getByTestId("client-new"));
    expect((screen.getByTestId("client-currency-input") as HTMLInputElement).placeholder).toBe("EUR");
    await screen.findByDisplayValue(formatDateInput(TODAY));
    await user.type(screen.getByTestId("project-name-input"), "Website");
    await user.click(screen.getByTestId("project-billable"));
    await user.type(screen.getByTestId("project-rate-input"), "95.50");
    await user.click(screen.getByTestId("project-add"));

    const alert = await screen.findByTestId("project-error");
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.textContent).toBe(message);
    expect((screen.getByTestId("project-name-input") as HTMLInputElement).value).toBe("Website");
    expect((screen.getByTestId("project-rate-input") as HTMLInputElement).value).toBe("95.50");
    expect((screen.getByTestId("project-billable") as HTMLInputElement).checked).toBe(false);
    expect(engine.sent).toEqual([
      ["add_project", { input: { client: "c1", name: "Website", billable: false, rounding: null, note: "" } }],
    ]);
    expect(screen.queryByTestId("project-row")).toBeNull();
  });

  it("archives a client, hides it, and shows it again with the toggle", async () => {
    const engine = fakeEngine();
    engine.clients.push({ id: "c1", name: "Müller & Søn", currency: null, rounding: null, note: "", archived: false });
    const user = userEvent.setup();
    render(<ProjectsScreen permissions={ADMIN} />);

    await user.click(await screen.findByRole("button", { name: "Archive Müller & Søn" }));
    await screen.findByTestId("clients-empty");
    expect(engine.sent).toEqual([
      ["edit_client", { id: "c1", changes: { name: null, currency: null, rounding: null, note: null, archived: true } }],
    ]);
    await user.click(screen.getByLabelText("Show archived"));
    const row = await screen.findByTestId("client-row");
    expect(row.textContent).toContain("archived");
    expect(within(row).getByRole("button", { name: "Unarchive Müller & Søn" })).toBeTruthy();
  });

  it("adds, renames and archives tags, and shows the engine's refusal of a duplicate name", async () => {
    const engine = fakeEngine();
    engine.tags.push({ id: "g0", name: "meeting", archived: false });
    const user = userEvent.setup();
    render(<ProjectsScreen permissions={ADMIN} />);

    expect((await screen.findByTestId("tag-row")).textContent).toContain("meeting");
    await user.click(screen.getByTestId("tag-new"));
    await user.type(screen.getByTestId("tag-name-input"), " travel ");
    await user.click(screen.getByRole("button", { name: "Add tag" }));
    await eventually(() => expect(screen.getAllByTestId("tag-row")).toHaveLength(2));
    expect(screen.queryByTestId("tag-name-input")).toBeNull();

    await user.click(screen.getByRole("button", { name: "Rename tag travel" }));
    const input = screen.getByLabelText("New name for travel");
    await user.clear(input);
    await user.type(input, "Meeting");
    await user.click(screen.getByTestId("tag-rename-save"));
    expect((await screen.findByTestId("tag-row-error")).textContent).toContain("already exists");
    expect((screen.getByLabelText("New name for travel") as HTMLInputElement).value).toBe("Meeting");
    await user.clear(input);
    await user.type(input, "Trips");
    await user.click(screen.getByTestId("tag-rename-save"));
    await eventually(() => expect(screen.getAllByTestId("tag-name").map((e) => e.textContent)).toEqual(["meeting", "Trips"]));

    await user.click(screen.getByRole("button", { name: "Archive tag meeting" }));
    await eventually(() => expect(screen.getAllByTestId("tag-name").map((e) => e.textContent)).toEqual(["Trips"]));
    expect(engine.sent).toEqual([
      ["add_tag", { name: "travel" }],
      ["edit_tag", { id: "g2", changes: { name: "Meeting", archived: null } }],
      ["edit_tag", { id: "g2", changes: { name: "Trips", archived: null } }],
      ["edit_tag", { id: "g0", changes: { name: null, archived: true } }],
    ]);
    await user.click(screen.getByLabelText("Show archived"));
    expect(await screen.findByRole("button", { name: "Unarchive tag meeting" })).toBeTruthy();
  });

  it("lists a project's tasks and adds one", async () => {
    const engine = fakeEngine();
    engine.clients.push({ id: project.project.client, name: project.client_name, currency: null, rounding: null, note: "", archived: false });
    engine.projects.push(project);
    const user = userEvent.setup();
    render(<ProjectsScreen permissions={ADMIN} />);

    await user.click(await screen.findByRole("button", { name: "Tasks of Website" }));
    expect((await screen.findByTestId("tasks-empty")).textContent).toContain("No tasks yet");
    await user.type(screen.getByLabelText("New task for Website"), "Design");
    await user.click(screen.getByTestId("task-add"));
    expect((await screen.findByTestId("task-row")).textContent).toBe("Design");
    expect(engine.sent).toEqual([["add_task", { project: project.project.id, name: "Design", billable: null }]]);
  });

  it("sets a monthly budget in money, in the organization's currency", async () => {
    const engine = fakeEngine();
    engine.clients.push({ id: project.project.client, name: project.client_name, currency: null, rounding: null, note: "", archived: false });
    engine.projects.push(project);
    const user = userEvent.setup();
    render(<ProjectsScreen permissions={ADMIN} />);

    await screen.findByTestId("budgets-empty");
    await user.selectOptions(screen.getByTestId("budget-unit-select"), "amount");
    expect(((await screen.findByTestId("budget-currency-input")) as HTMLInputElement).value).toBe("EUR");
    await user.type(screen.getByTestId("budget-limit-input"), "5000");
    await user.selectOptions(screen.getByTestId("budget-period-select"), "monthly");
    await user.click(screen.getByTestId("budget-set"));
    await eventually(() => expect(engine.sent).toHaveLength(1));
    expect(engine.sent).toEqual([
      [
        "set_budget",
        { project: project.project.id, limit: { unit: "amount", amount: { amount: "5000", currency: "EUR" } }, period: "monthly" },
      ],
    ]);
  });

  it("for a viewer, lists everything but renders no add or edit controls", async () => {
    const engine = fakeEngine();
    engine.clients.push({ id: project.project.client, name: project.client_name, currency: "EUR", rounding: null, note: "", archived: false });
    engine.projects.push(project);
    engine.tags.push({ id: "g1", name: "meeting", archived: false });
    engine.rates.push({
      rate: { id: "r1", scope: { level: "project", project: project.project.id }, effective_from: "2026-01-01", hourly: { amount: "95", currency: "EUR" } },
      applies_to: "project Website",
    });
    engine.budgets.push({
      budget: { id: "b1", project: project.project.id, limit: { unit: "hours", hours: "40" }, period: "lifetime" },
      project_name: "Website",
      usage: { used: "45", limit: "40", percent: "112.5" },
    });
    render(<ProjectsScreen permissions={VIEWER} />);

    expect((await screen.findByTestId("project-row")).textContent).toContain("Müller & Søn");
    expect(screen.getByTestId("catalog-readonly").textContent).toContain("Your role (Viewer) does not allow this.");
    expect(screen.getByTestId("rates-readonly")).toBeTruthy();
    expect(await screen.findByTestId("rate-row")).toBeTruthy();
    const bar = within(await screen.findByTestId("budget-row")).getByTestId("budget-bar");
    expect(bar.getAttribute("role")).toBe("progressbar");
    expect(bar.getAttribute("aria-valuenow")).toBe("112.5");
    expect(bar.classList.contains("over")).toBe(true);
    expect(screen.getByTestId("budget-row").textContent).toContain("45 h of 40 h");

    for (const id of [
      "client-name-input",
      "client-add",
      "project-name-input",
      "project-add",
      "project-client-select",
      "client-archive",
      "client-rename",
      "project-archive",
      "project-rename",
      "rate-add",
      "budget-set",
      "tag-name-input",
      "tag-rename",
      "tag-archive",
      "client-new",
      "project-new",
      "tag-new",
    ]) {
      expect(screen.queryByTestId(id), id).toBeNull();
    }
    expect(screen.queryByRole("textbox")).toBeNull();
    expect(engine.sent).toEqual([]);
  });

  it("shows each project's rate, tracked and unbilled time and amount, and budget in its row", async () => {
    const engine = fakeEngine({
      summaries: {
        [project.project.id]: {
          seconds: 45000,
          unbilled_seconds: 9000,
          unbilled: [{ amount: "237.50", currency: "EUR" }],
          rate: { amount: "95", currency: "EUR" },
        },
      },
    });
    engine.clients.push({ id: project.project.client, name: project.client_name, currency: "EUR", rounding: null, note: "", archived: false });
    engine.projects.push(project);
    engine.budgets.push({
      budget: { id: "b1", project: project.project.id, limit: { unit: "hours", hours: "40" }, period: "lifetime" },
      project_name: "Website",
      usage: { used: "12.5", limit: "40", percent: "31.25" },
    });
    render(<ProjectsScreen permissions={ADMIN} />);
    const figures = await screen.findByTestId("project-figures");
    const eur = (n: number) => new Intl.NumberFormat(undefined, { style: "currency", currency: "EUR" }).format(n);
    expect(within(figures).getByTestId("project-rate").textContent).toBe(`${eur(95)}/h`);
    expect(within(figures).getByTestId("project-hours").textContent).toBe("12:30 h tracked");
    expect(within(figures).getByTestId("project-unbilled").textContent).toBe(`2:30 h unbilled · ${eur(237.5)}`);
    expect(within(figures).getByTestId("budget-bar").getAttribute("aria-valuenow")).toBe("31.25");
    // The forms are folded away while there are clients and projects: "+ New …" opens them.
    expect(screen.queryByTestId("project-name-input")).toBeNull();
    expect(screen.getByTestId("project-new")).toBeTruthy();
  });

  it("chooses rounding as Settings does: a mode, then the minutes", async () => {
    const engine = fakeEngine();
    const user = userEvent.setup();
    render(<ProjectsScreen permissions={ADMIN} />);
    await screen.findByTestId("clients-empty");
    const mode = screen.getByTestId("client-rounding-input") as HTMLSelectElement;
    expect([...mode.options].map((o) => o.textContent)).toEqual([
      "As organization",
      "Round up",
      "Round down",
      "Round to nearest",
    ]);
    // No minutes to type until there is a mode.
    expect(screen.queryByTestId("client-rounding-input-minutes")).toBeNull();
    await user.selectOptions(mode, "nearest");
    const minutes = screen.getByTestId("client-rounding-input-minutes") as HTMLInputElement;
    expect(minutes.value).toBe("15");
    await user.clear(minutes);
    await user.type(minutes, "6");
    await user.type(screen.getByTestId("client-name-input"), "Nordwind");
    await user.click(screen.getByTestId("client-add"));
    await screen.findByTestId("client-row");
    expect(engine.sent[0]).toEqual(["add_client", { input: { name: "Nordwind", currency: null, rounding: "nearest:6", note: "" } }]);
    // The project's form says what an empty choice means there.
    const projectMode = (await screen.findByTestId("project-rounding-input")) as HTMLSelectElement;
    expect(projectMode.options[0]?.textContent).toBe("As client");
  });

  it("starts a new rate early enough for time that has none, and warns when it starts later", async () => {
    const engine = fakeEngine({
      summaries: { [project.project.id]: { unrated_seconds: 5400, first_unrated: "2026-10-05" } },
    });
    engine.clients.push({ id: project.project.client, name: project.client_name, currency: "EUR", rounding: null, note: "", archived: false });
    engine.projects.push(project);
    const user = userEvent.setup();
    render(<ProjectsScreen permissions={ADMIN} />);
    expect((await screen.findByTestId("project-unrated")).textContent).toBe("1:30 h since 2026-10-05 has no rate");
    const from = (await screen.findByTestId("rate-from-input")) as HTMLInputElement;
    await eventually(() => expect(from.value).toBe(formatDateInput("2026-10-05")));
    expect(screen.queryByTestId("rate-gap")).toBeNull();
    await user.clear(from);
    await user.type(from, "2026-11-01");
    expect(screen.getByTestId("rate-gap").textContent).toContain(
      "1:30 h of billable time on this project since 2026-10-05 has no rate; a rate from 2026-11-01 leaves",
    );
    await user.type(screen.getByTestId("rate-hourly-input"), "90");
    await user.click(screen.getByTestId("rate-add"));
    await eventually(() =>
      expect(engine.sent).toContainEqual([
        "set_rate",
        { input: { scope: { level: "project", project: project.project.id }, effective_from: "2026-11-01", hourly: "90", currency: null } },
      ]),
    );
  });

  it("for a member, hides rates and budgets entirely", async () => {
    fakeEngine();
    const member = permissionsOf("member", (a) => ["read_org_profile", "list_members", "read_catalog", "read_time_entry", "edit_time_entry"].includes(a));
    render(<ProjectsScreen permissions={member} />);
    await screen.findByTestId("clients-empty");
    expect(screen.getByTestId("catalog-readonly")).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Rates" })).toBeNull();
    expect(screen.queryByRole("heading", { name: "Budgets" })).toBeNull();
  });
});


describe("ProjectsScreen in German", () => {
  afterEach(() => {
    act(() => setUiLanguage("en-US"));
    setFormat({ locale: undefined, durationStyle: "clock" });
  });

  /** Text with every kind of space (Intl puts no-break ones before "%" and "€") as a plain one. */
  const plain = (text: string | null) => (text ?? "").replace(/\s/g, " ");

  it("speaks German to a viewer: headings, counts, rows, budgets and the empty tags", async () => {
    const engine = fakeEngine({
      summaries: { [project.project.id]: { seconds: 45000, unrated_seconds: 5400, first_unrated: "2026-10-05" } },
    });
    engine.clients.push({ id: project.project.client, name: project.client_name, currency: null, rounding: { mode: "up", minutes: 15 }, note: "", archived: false });
    engine.projects.push(project);
    engine.rates.push({
      rate: { id: "r1", scope: { level: "project", project: project.project.id }, effective_from: "2026-01-01", hourly: { amount: "95", currency: "EUR" } },
      applies_to: "project Website",
    });
    engine.budgets.push({
      budget: { id: "b1", project: project.project.id, limit: { unit: "hours", hours: "40" }, period: "lifetime" },
      project_name: "Website",
      usage: { used: "45", limit: "40", percent: "112.5" },
    });
    act(() => setUiLanguage("de-DE"));
    setFormat({ locale: "de-DE", durationStyle: "decimal" });
    render(<ProjectsScreen permissions={VIEWER} />);

    for (const name of ["Kunden", "Projekte", "Schlagwörter", "Stundensätze", "Budgets"]) {
      expect(await screen.findByRole("heading", { name })).toBeTruthy();
    }
    expect(screen.getByTestId("catalog-readonly").textContent).toContain(
      "Kunden, Projekte, Aufgaben und Schlagwörter sind hier schreibgeschützt.",
    );
    expect(screen.getByLabelText("Archivierte anzeigen")).toBeTruthy();
    // The count beside a heading says what it counts, in the singular for one.
    expect(await screen.findByTitle("1 aktiver Kunde")).toBeTruthy();
    expect(screen.getByTitle("1 aktives Projekt")).toBeTruthy();
    expect(screen.getByTestId("tags-empty").textContent).toBe("Noch keine Schlagwörter.");
    expect((await screen.findByTestId("client-row")).textContent).toContain("EUR (Standard der Organisation) · rundet auf 15 Min. auf");

    const row = await screen.findByTestId("project-row");
    expect(row.textContent).toContain("abrechenbar");
    expect(within(row).getByRole("button", { name: "Aufgaben von Website" }).textContent).toBe("Aufgaben");
    const figures = within(row).getByTestId("project-figures");
    expect(within(figures).getByTestId("project-rate").textContent).toBe("kein Stundensatz");
    expect(within(figures).getByTestId("project-hours").textContent).toBe("12,50 h erfasst");
    expect(within(figures).getByTestId("project-unbilled").textContent).toBe("nichts abzurechnen");
    expect(within(figures).getByTestId("project-unrated").textContent).toBe("1,50 h seit 2026-10-05 ohne Stundensatz");

    expect(screen.getByRole("columnheader", { name: "Gilt für" })).toBeTruthy();
    const budget = await screen.findByTestId("budget-row");
    expect(plain(budget.textContent)).toContain("40 h insgesamt");
    expect(plain(budget.textContent)).toContain("45 h von 40 h (112,5 %)");
    expect(within(budget).getByRole("progressbar", { name: "Verbrauchtes Budget für Website" })).toBeTruthy();
  });

  it("speaks German to an admin: empty states, the add forms and the rounding picker", async () => {
    const engine = fakeEngine();
    act(() => setUiLanguage("de-DE"));
    const user = userEvent.setup();
    render(<ProjectsScreen permissions={ADMIN} />);

    expect((await screen.findByTestId("clients-empty")).textContent).toBe("Noch keine Kunden – legen Sie unten den ersten an.");
    expect(screen.getByRole("heading", { name: "Neuen Kunden anlegen" })).toBeTruthy();
    expect(screen.getByTestId("project-needs-client").textContent).toBe(
      "Legen Sie zuerst einen Kunden an; jedes Projekt gehört zu einem Kunden.",
    );
    const mode = screen.getByTestId("client-rounding-input") as HTMLSelectElement;
    expect([...mode.options].map((o) => o.textContent)).toEqual([
      "Wie Organisation",
      "Aufrunden",
      "Abrunden",
      "Kaufmännisch runden",
    ]);
    await user.selectOptions(mode, "down");
    expect(screen.getByLabelText("auf")).toBe(screen.getByTestId("client-rounding-input-minutes"));

    await user.type(screen.getByTestId("client-name-input"), "Nordwind");
    await user.click(screen.getByRole("button", { name: "Kunde anlegen" }));
    await screen.findByTestId("client-row");
    expect(screen.getByTestId("client-new").textContent).toBe("+ Neuer Kunde");
    expect(screen.getByRole("button", { name: "Nordwind umbenennen" }).textContent).toBe("Umbenennen");
    expect(screen.getByRole("button", { name: "Nordwind archivieren" }).textContent).toBe("Archivieren");
    expect(screen.getByRole("heading", { name: "Neues Projekt anlegen" })).toBeTruthy();
    expect((screen.getByTestId("project-rounding-input") as HTMLSelectElement).options[0]?.textContent).toBe("Wie Kunde");
    expect(screen.getByRole("button", { name: "Projekt anlegen" })).toBeTruthy();
    expect(screen.getByTestId("rates-empty").textContent).toBe("Noch keine Stundensätze.");
    expect(engine.sent[0]).toEqual(["add_client", { input: { name: "Nordwind", currency: null, rounding: "down:15", note: "" } }]);
  });
});
