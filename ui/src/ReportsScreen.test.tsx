import { act, cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { formatDate, setFormat } from "./format";
import { setUiLanguage } from "./i18n";

import type { ProjectView } from "./bindings/ProjectView";
import type { Client } from "./bindings/Client";
import type { Member } from "./bindings/Member";
import type { OrgSummary } from "./bindings/OrgSummary";
import type { Organization } from "./bindings/Organization";
import type { Permissions } from "./bindings/Permissions";
import type { ReportQuery } from "./bindings/ReportQuery";
import type { ReportRow } from "./bindings/ReportRow";
import type { ReportView } from "./bindings/ReportView";
import { FULL_RENDER_ROWS, presetRange, ReportsScreen } from "./ReportsScreen";
import { project } from "./test/fixtures";

const TODAY = "2026-11-23"; // a Monday

const org: OrgSummary = {
  id: "01JORG0000000000000000000",
  name: "Acme",
  role: "owner",
  currency: "EUR",
  time_zone: "Europe/Berlin",
};

const organization: Organization = {
  id: org.id,
  name: org.name,
  currency: "EUR",
  locale: "en-GB",
  time_zone: org.time_zone,
  week_start: "monday",
  rounding: null,
  lock_before: null,
  logo: null,
  duration_style: "clock",
};

const ada: Member = { id: "01JMEMBER00000000000000000", name: "Ada", role: "owner", active: true };

function permissions(scope: "all" | "own"): Permissions {
  return { member: ada, grants: [{ action: "read_time_reports", scope }] };
}

const client: Client = {
  id: project.project.client,
  name: "Müller & Søn",
  currency: null,
  rounding: null,
  note: "",
  archived: false,
};

const OTHER_PROJECT = "01JPROJECT0000000000000002";
const shop: ProjectView = {
  project: { ...project.project, id: OTHER_PROJECT, client: "01JCLIENT00000000000000002", name: "Shop" },
  client_name: "Acme",
};

function row(key: ReportRow["key"], billable: number, nonBillable: number, euros: string | null): ReportRow {
  return {
    key,
    entries: 1,
    billable_seconds: billable,
    billable_raw_seconds: billable,
    non_billable_seconds: nonBillable,
    amounts: euros === null ? [] : [{ amount: euros, currency: "EUR" }],
  };
}

/** A report shaped like the engine's answer for `query`. */
function reportFor(query: ReportQuery, amountsVisible = true): ReportView {
  const names = { [project.project.id]: "Website", [OTHER_PROJECT]: "Shop" };
  const rows: ReportRow[] =
    query.group_by.length === 2
      ? [
          row([{ by: "project", value: OTHER_PROJECT }, { by: "week", value: "2026-11-16" }], 1800, 0, "47.50"),
          row([{ by: "project", value: project.project.id }, { by: "week", value: "2026-11-16" }], 5400, 0, "142.50"),
          row([{ by: "project", value: project.project.id }, { by: "week", value: "2026-11-23" }], 0, 3600, null),
        ]
      : [
          row([{ by: "project", value: OTHER_PROJECT }], 1800, 0, "47.50"),
          row([{ by: "project", value: project.project.id }], 5400, 3600, "142.50"),
        ];
  const total = row([], 7200, 3600, "190.00");
  return {
    group_by: query.group_by,
    rows,
    names,
    total,
    amounts_visible: amountsVisible,
    unassigned: { entries: 0, seconds: 0 },
  };
}

function eur(amount: number): string {
  return new Intl.NumberFormat(undefined, { style: "currency", currency: "EUR" }).format(amount);
}

type Handler = (cmd: string, args: Record<string, unknown>) => unknown;

/** Mocks the shell; `time_report` and `save_report_csv` go to `onReport` / `onSave`. */
function mockShell(
  queries: ReportQuery[],
  onReport: (query: ReportQuery) => unknown = (q) => reportFor(q),
  extra: Handler = () => {
    throw "unexpected command";
  },
) {
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    switch (cmd) {
      case "today":
        return TODAY;
      case "organization":
        return organization;
      case "clients":
        return [client];
      case "projects":
        return [project, shop];
      case "members":
        return [ada];
      case "time_report": {
        const query = a.query as ReportQuery;
        queries.push(query);
        return onReport(query);
      }
      default:
        return extra(cmd, a);
    }
  });
}


// These reports show durations in decimal hours, one of the two styles an organization may choose.
beforeEach(() => setFormat({ locale: undefined, durationStyle: "decimal" }));
afterEach(() => setFormat({ locale: undefined, durationStyle: "clock" }));

describe("presetRange", () => {
  it("computes weeks, months and years around today", () => {
    expect(presetRange("this_month", TODAY)).toEqual({ from: "2026-11-01", to: "2026-11-30" });
    expect(presetRange("this_week", "2026-11-25", "monday")).toEqual({ from: "2026-11-23", to: "2026-11-29" });
    expect(presetRange("this_week", "2026-11-25", "sunday")).toEqual({ from: "2026-11-22", to: "2026-11-28" });
    expect(presetRange("last_week", "2026-11-23", "monday")).toEqual({ from: "2026-11-16", to: "2026-11-22" });
    expect(presetRange("last_month", "2026-01-15")).toEqual({ from: "2025-12-01", to: "2025-12-31" });
    expect(presetRange("last_month", "2028-03-31")).toEqual({ from: "2028-02-01", to: "2028-02-29" });
    expect(presetRange("this_year", TODAY)).toEqual({ from: "2026-01-01", to: "2026-12-31" });
    expect(presetRange("all_time", TODAY)).toEqual({ from: "", to: "" });
  });
});

describe("ReportsScreen", () => {
  it("asks for this month by project and shows names, hours, amounts and totals", async () => {
    const queries: ReportQuery[] = [];
    mockShell(queries);
    render(<ReportsScreen permissions={permissions("all")} org={org} />);

    const rows = await screen.findAllByTestId("report-row");
    expect(queries).toEqual([
      { from: "2026-11-01", to: "2026-11-30", group_by: ["project"], member: null, project: null, client: null },
    ]);
    expect((screen.getByTestId("report-preset") as HTMLSelectElement).value).toBe("this_month");
    expect((screen.getByTestId("report-from") as HTMLInputElement).value).toBe("11/01/2026");
    expect((screen.getByTestId("report-to") as HTMLInputElement).value).toBe("11/30/2026");
    expect((screen.getByTestId("report-group-1") as HTMLSelectElement).value).toBe("project");
    expect((screen.getByTestId("report-group-2") as HTMLSelectElement).value).toBe("");

    expect(rows).toHaveLength(2);
    expect(screen.getAllByTestId("report-row-label").map((c) => c.textContent)).toEqual(["Shop", "Website"]);
    expect(screen.getAllByTestId("report-row-hours").map((c) => c.textContent)).toEqual(["0.50", "1.50"]);
    expect(screen.getAllByTestId("report-row-amount").map((c) => c.textContent)).toEqual([eur(47.5), eur(142.5)]);
    expect(screen.getByTestId("report-total-hours").textContent).toBe("2.00");
    expect(screen.getByTestId("report-total-amount").textContent).toBe(eur(190));
    expect(within(screen.getByTestId("report-table")).getByRole("columnheader", { name: "Amount" })).toBeTruthy();

    // Summary cards: 2 h billable + 1 h non-billable.
    expect(screen.getByTestId("report-card-total").textContent).toBe("3.00");
    expect(screen.getByTestId("report-card-billable").textContent).toBe("2.00");
    expect(screen.getByTestId("report-card-non-billable").textContent).toBe("1.00");
    expect(screen.getByTestId("report-card-share").textContent).toBe("67 %");
    expect(screen.getByTestId("report-card-amount").textContent).toBe(eur(190));

    const chart = screen.getByTestId("report-chart");
    expect(chart.getAttribute("aria-label")).toBe("Billable and non-billable hours by project");
    expect(chart.querySelector("canvas")).not.toBeNull();
    // The chart's figures follow a frame after the table.
    await waitFor(() => expect(chart.textContent).toContain("Website"));

    // Every control has a label; the member filter is there for a role that reads everyone's time.
    for (const name of ["Period", "From", "To", "Group by", "Then by", "Client", "Project", "Member"]) {
      expect(screen.getByLabelText(name)).toBeTruthy();
    }
    expect(await screen.findByRole("option", { name: "Ada" })).toBeTruthy();
  });

  it("charts the period over time, split by the first dimension, when asked", async () => {
    const queries: ReportQuery[] = [];
    mockShell(queries, (q) =>
      q.group_by[0] === "day"
        ? {
            ...reportFor(q),
            rows: [
              row([{ by: "day", value: "2026-11-02" }, { by: "project", value: project.project.id }], 5400, 0, null),
              row([{ by: "day", value: "2026-11-03" }, { by: "project", value: OTHER_PROJECT }], 1800, 0, null),
            ],
          }
        : reportFor(q),
    );
    const user = userEvent.setup();
    render(<ReportsScreen permissions={permissions("all")} org={org} />);
    await screen.findAllByTestId("report-row");
    expect(screen.getByTestId("report-chart-groups").textContent).toBe("By project");
    expect(screen.getByTestId("report-chart-groups").getAttribute("aria-pressed")).toBe("true");

    await user.click(screen.getByTestId("report-chart-time"));
    const figures = await screen.findByTestId("report-time-chart-data");
    await waitFor(() => expect(figures.textContent).toBe(`Website: ${formatDate("2026-11-02")} 1.50 hShop: ${formatDate("2026-11-03")} 0.50 h`));
    expect(queries.at(-1)).toEqual({ from: "2026-11-01", to: "2026-11-30", group_by: ["day", "project"], member: null, project: null, client: null });
    expect(screen.queryByTestId("report-chart")).toBeNull();
    // The table stays the report's.
    expect(screen.getAllByTestId("report-row-label").map((c) => c.textContent)).toEqual(["Shop", "Website"]);
  });

  it("says how much time has no project yet, and only when some has none", async () => {
    const queries: ReportQuery[] = [];
    mockShell(queries, (q) => ({ ...reportFor(q), unassigned: { entries: 2, seconds: 5400 } }));
    render(<ReportsScreen permissions={permissions("all")} org={org} />);
    const note = await screen.findByTestId("report-unassigned");
    expect(note.textContent).toBe(
      "2 entries (1.50 h) in this period have no project yet and are in no row: assign them a project under Track.",
    );
    cleanup();
    mockShell([]);
    render(<ReportsScreen permissions={permissions("all")} org={org} />);
    await screen.findAllByTestId("report-row");
    expect(screen.queryByTestId("report-unassigned")).toBeNull();
  });

  it("re-queries when the second dimension changes, keeping the old table while loading", async () => {
    const queries: ReportQuery[] = [];
    let release: () => void = () => {};
    mockShell(queries, (query) => {
      if (query.group_by.length === 1) return reportFor(query);
      return new Promise((resolve) => {
        release = () => resolve(reportFor(query));
      });
    });
    const user = userEvent.setup();
    render(<ReportsScreen permissions={permissions("all")} org={org} />);
    await screen.findAllByTestId("report-row");

    await user.selectOptions(screen.getByTestId("report-group-2"), "week");
    await waitFor(() => expect(queries).toHaveLength(2));
    expect(queries[1]?.group_by).toEqual(["project", "week"]);
    expect(queries[1]?.from).toBe("2026-11-01");
    // Still loading: the previous table stays.
    expect(screen.getByTestId("report-loading")).toBeTruthy();
    expect(screen.getAllByTestId("report-row")).toHaveLength(2);

    release();
    await waitFor(() => expect(screen.getAllByTestId("report-row")).toHaveLength(3));
    expect(screen.queryByTestId("report-loading")).toBeNull();
    const table = screen.getByTestId("report-table");
    expect(within(table).getByRole("columnheader", { name: "Week" })).toBeTruthy();
    const cells = screen.getAllByTestId("report-row").map((r) =>
      Array.from(r.querySelectorAll("td")).map((td) => td.textContent),
    );
    // Each project's client beside it; billable, non-billable and total hours.
    expect(cells[0]?.slice(0, 6)).toEqual(["Acme", "Shop", `Week of ${formatDate("2026-11-16")}`, "0.50", "0.00", "0.50"]);
    expect(cells[2]?.slice(0, 6)).toEqual(["Müller & Søn", "Website", `Week of ${formatDate("2026-11-23")}`, "0.00", "1.00", "1.00"]);
    expect(within(table).getByRole("columnheader", { name: "Client" })).toBeTruthy();
    expect(within(table).getByRole("columnheader", { name: "Total h" })).toBeTruthy();
    expect(screen.getByTestId("report-total-all").textContent).toBe("3.00");
  });

  it("changes the period with a preset and with the date inputs", async () => {
    const queries: ReportQuery[] = [];
    mockShell(queries);
    const user = userEvent.setup();
    render(<ReportsScreen permissions={permissions("all")} org={org} />);
    await screen.findAllByTestId("report-row");

    await user.selectOptions(screen.getByTestId("report-preset"), "last_week");
    await waitFor(() => expect(queries).toHaveLength(2));
    expect(queries[1]).toMatchObject({ from: "2026-11-16", to: "2026-11-22" });

    await user.selectOptions(screen.getByTestId("report-preset"), "all_time");
    await waitFor(() => expect(queries).toHaveLength(3));
    expect(queries[2]).toMatchObject({ from: null, to: null });

    await user.type(screen.getByTestId("report-from"), "2026-10-05");
    await waitFor(() => expect(queries.at(-1)).toMatchObject({ from: "2026-10-05", to: null }));
    expect((screen.getByTestId("report-preset") as HTMLSelectElement).value).toBe("custom");

    // Client and project are type-to-search pickers (a large organization has thousands).
    await user.type(screen.getByTestId("report-client"), "muller");
    await user.click(await screen.findByRole("option", { name: "Müller & Søn" }));
    await waitFor(() => expect(queries.at(-1)).toMatchObject({ client: client.id, project: null }));

    await user.type(screen.getByTestId("report-project"), "webs");
    await user.click(await screen.findByRole("option", { name: "Website" }));
    await waitFor(() => expect(queries.at(-1)).toMatchObject({ client: client.id, project: project.project.id }));

    await user.clear(screen.getByTestId("report-client"));
    await user.type(screen.getByTestId("report-client"), "all cl");
    await user.click(await screen.findByRole("option", { name: "All clients" }));
    // The project stays chosen: it does not depend on the client filter.
    await waitFor(() => expect(queries.at(-1)).toMatchObject({ client: null, project: project.project.id }));
  });

  it("leaves out amounts the role may not see, and the member filter for own scope", async () => {
    const queries: ReportQuery[] = [];
    mockShell(queries, (q) => reportFor(q, false));
    render(<ReportsScreen permissions={permissions("own")} org={org} />);

    await screen.findAllByTestId("report-row");
    expect(screen.queryAllByTestId("report-row-amount")).toHaveLength(0);
    expect(screen.queryByTestId("report-total-amount")).toBeNull();
    expect(screen.queryByTestId("report-card-amount")).toBeNull();
    expect(within(screen.getByTestId("report-table")).queryByRole("columnheader", { name: "Amount" })).toBeNull();
    expect(screen.queryByLabelText("Member")).toBeNull();
    expect(screen.getByTestId("report-total-hours").textContent).toBe("2.00");
  });

  it("exports the same query as CSV and shows where it was saved", async () => {
    const queries: ReportQuery[] = [];
    const saved: ReportQuery[] = [];
    mockShell(queries, undefined, (cmd, args) => {
      if (cmd !== "save_report_csv") throw `unexpected ${cmd}`;
      saved.push(args.query as ReportQuery);
      return "/home/ada/Downloads/stint-report-2026-11-23.csv";
    });
    const user = userEvent.setup();
    render(<ReportsScreen permissions={permissions("all")} org={org} />);
    await screen.findAllByTestId("report-row");

    await user.click(screen.getByTestId("report-export-csv"));
    expect((await screen.findByTestId("report-export-path")).textContent).toBe(
      "Saved to /home/ada/Downloads/stint-report-2026-11-23.csv",
    );
    expect(saved).toEqual([queries[0]]);
  });

  it("shows an export failure", async () => {
    mockShell([], undefined, () => {
      throw "no downloads folder to save into";
    });
    const user = userEvent.setup();
    render(<ReportsScreen permissions={permissions("all")} org={org} />);
    await screen.findAllByTestId("report-row");
    await user.click(screen.getByTestId("report-export-csv"));
    expect((await screen.findByTestId("report-export-error")).textContent).toBe("no downloads folder to save into");
    expect(screen.queryByTestId("report-export-path")).toBeNull();
  });

  it("shows the engine's error", async () => {
    mockShell([], () => {
      throw "you may not read other members' time";
    });
    render(<ReportsScreen permissions={permissions("all")} org={org} />);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("you may not read other members' time");
    expect(alert.getAttribute("data-testid")).toBe("report-error");
    expect(screen.queryByTestId("report-table")).toBeNull();
  });

  it("says so when nothing was tracked", async () => {
    mockShell([], (q) => ({ ...reportFor(q), rows: [], total: row([], 0, 0, null) }));
    render(<ReportsScreen permissions={permissions("all")} org={org} />);
    expect((await screen.findByTestId("report-empty")).textContent).toBe("No tracked time in this period.");
    expect(screen.queryByTestId("report-table")).toBeNull();
    expect(screen.queryByTestId("report-chart")).toBeNull();
  });

  it("renders only a window of a 20,000-row report, with the total and a chart of the top groups", async () => {
    const N = 20_000;
    const names: Record<string, string> = {};
    const rows: ReportRow[] = [];
    for (let i = 0; i < N; i++) {
      const id = `P${String(i).padStart(5, "0")}`;
      names[id] = `Project ${i}`;
      rows.push(row([{ by: "project", value: id }], 3600 + i, 0, "10.00"));
    }
    mockShell([], (q) => ({
      group_by: q.group_by,
      rows,
      names,
      total: row([], rows.reduce((s, r) => s + r.billable_seconds, 0), 0, "200000.00"),
      amounts_visible: true,
      unassigned: { entries: 0, seconds: 0 },
    }));
    render(<ReportsScreen permissions={permissions("all")} org={org} />);

    const rendered = await screen.findAllByTestId("report-row");
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThanOrEqual(FULL_RENDER_ROWS);
    expect(screen.getAllByTestId("report-row-label")[0]?.textContent).toBe("Project 0");
    expect(screen.getByTestId("report-table").getAttribute("aria-rowcount")).toBe(String(N + 2));
    expect(screen.getByTestId("report-total-amount").textContent).toBe(eur(200000));
    await waitFor(() =>
      expect(screen.getByTestId("report-chart").getAttribute("aria-label")).toBe(
        "Billable and non-billable hours by project, top 12 and the rest as Other",
      ),
    );
  });
});

describe("ReportsScreen in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("says everything in German, a singular entry without a project included", async () => {
    act(() => setUiLanguage("de-DE"));
    mockShell(
      [],
      (q) =>
        q.group_by[0] === "day"
          ? { ...reportFor(q), rows: [row([{ by: "day", value: "2026-11-02" }, { by: "project", value: project.project.id }], 5400, 0, null)] }
          : { ...reportFor(q), unassigned: { entries: 1, seconds: 1800 } },
      (cmd) => {
        if (cmd === "tags" || cmd === "entries") return [];
        throw `unexpected ${cmd}`;
      },
    );
    const user = userEvent.setup();
    render(<ReportsScreen permissions={permissions("all")} org={org} />);
    await screen.findAllByTestId("report-row");

    expect(screen.getByRole("heading", { name: "Berichte" })).toBeTruthy();
    expect(screen.getByText("Tage in der Zeitzone Europe/Berlin")).toBeTruthy();
    expect(screen.getByTestId("report-export-csv").textContent).toBe("CSV exportieren");
    for (const name of ["Zeitraum", "Von", "Bis", "Gruppieren nach", "Dann nach", "Kunde", "Projekt", "Mitglied"]) {
      expect(screen.getByLabelText(name)).toBeTruthy();
    }
    expect((screen.getByTestId("report-preset") as HTMLSelectElement).selectedOptions[0]?.textContent).toBe("Dieser Monat");
    expect(within(screen.getByTestId("report-group-2")).getByRole("option", { name: "(keine)" })).toBeTruthy();
    expect(within(screen.getByTestId("report-member")).getByRole("option", { name: "Alle" })).toBeTruthy();
    expect(screen.getByTestId("report-unassigned").textContent).toBe(
      "1 Eintrag (0.50 h) in diesem Zeitraum hat noch kein Projekt und steht in keiner Zeile: Weisen Sie ihm unter Erfassen ein Projekt zu.",
    );
    expect(screen.getByText("Stunden gesamt")).toBeTruthy();
    expect(screen.getByText("Abrechenbarer Anteil")).toBeTruthy();
    const table = screen.getByTestId("report-table");
    for (const name of ["Projekt", "Abrechenbar h", "Nicht abrechenbar h", "Summe h", "Betrag"]) {
      expect(within(table).getByRole("columnheader", { name })).toBeTruthy();
    }
    expect(within(table).getByRole("rowheader", { name: "Summe" })).toBeTruthy();
    expect(screen.getByTestId("report-chart-groups").textContent).toBe("Nach Projekt");
    expect(screen.getByTestId("report-chart-time").textContent).toBe("Im Zeitverlauf");
    const chart = screen.getByTestId("report-chart");
    expect(chart.getAttribute("aria-label")).toBe("Abrechenbare und nicht abrechenbare Stunden nach Projekt");
    await waitFor(() =>
      expect(screen.getByTestId("report-chart-data").textContent).toContain("Website: 1.50 h abrechenbar, 1.00 h nicht abrechenbar"),
    );

    await user.click(screen.getByTestId("report-chart-time"));
    expect((await screen.findByTestId("report-time-chart")).getAttribute("aria-label")).toBe("Stunden pro Tag, nach Projekt");
    expect(screen.getByLabelText("Pro")).toBeTruthy();

    await user.click(screen.getByTestId("report-mode-detailed"));
    expect((await screen.findByTestId("detailed-empty")).textContent).toBe("Keine passenden Einträge in diesem Zeitraum.");
    expect(screen.getByTestId("report-mode-detailed").getAttribute("title")).toBe(
      "Jeder Eintrag, mit Filtern für abrechenbar, abgerechnet und Schlagwörter",
    );
  });

  it("switches an open report to German, and says when nothing was tracked", async () => {
    mockShell([], (q) => ({ ...reportFor(q), unassigned: { entries: 2, seconds: 5400 } }));
    render(<ReportsScreen permissions={permissions("all")} org={org} />);
    await screen.findAllByTestId("report-row");
    expect(screen.getByRole("heading", { name: "Reports" })).toBeTruthy();
    act(() => setUiLanguage("de-DE"));
    expect(screen.getByRole("heading", { name: "Berichte" })).toBeTruthy();
    expect(screen.getByTestId("report-unassigned").textContent).toBe(
      "2 Einträge (1.50 h) in diesem Zeitraum haben noch kein Projekt und stehen in keiner Zeile: Weisen Sie ihnen unter Erfassen ein Projekt zu.",
    );
    cleanup();

    mockShell([], (q) => ({ ...reportFor(q), rows: [], total: row([], 0, 0, null) }));
    render(<ReportsScreen permissions={permissions("all")} org={org} />);
    expect((await screen.findByTestId("report-empty")).textContent).toBe("In diesem Zeitraum wurde keine Zeit erfasst.");
  });
});
