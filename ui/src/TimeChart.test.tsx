import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import type { GroupKey } from "./bindings/GroupKey";
import type { ReportQuery } from "./bindings/ReportQuery";
import type { ReportRow } from "./bindings/ReportRow";
import type { ReportView } from "./bindings/ReportView";
import { formatDate, formatPeriod } from "./format";
import { setUiLanguage } from "./i18n";
import { bucketFor, overTime, SERIES, TimeChart } from "./TimeChart";
import { eventually } from "./test/eventually";

function row(when: string, by: "day" | "week" | "month", project: string, billable: number, nonBillable = 0): ReportRow {
  const key: GroupKey[] = [
    { by, value: when },
    { by: "project", value: project },
  ];
  return { key, entries: 1, billable_seconds: billable, billable_raw_seconds: billable, non_billable_seconds: nonBillable, amounts: [] };
}

function report(rows: ReportRow[], names: Record<string, string>): ReportView {
  return {
    group_by: ["day", "project"],
    rows,
    names,
    total: { key: [], entries: 0, billable_seconds: 0, billable_raw_seconds: 0, non_billable_seconds: 0, amounts: [] },
    amounts_visible: false,
    unassigned: { entries: 0, seconds: 0 },
  };
}

describe("overTime", () => {
  it("splits each day's hours by project and fills the days without time", () => {
    const data = overTime(
      report(
        [
          row("2026-11-02", "day", "P1", 3600, 1800),
          row("2026-11-02", "day", "P2", 1800),
          row("2026-11-05", "day", "P1", 7200),
        ],
        { P1: "Website", P2: "Shop" },
      ),
      "day",
    );
    expect(data.buckets).toEqual(["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]);
    // The project with more hours first; billable and non-billable hours together.
    expect(data.series).toEqual([
      { name: "Website", hours: [1.5, 0, 0, 2] },
      { name: "Shop", hours: [0.5, 0, 0, 0] },
    ]);
  });

  it("spans the whole period, days without time included", () => {
    const data = overTime(report([row("2026-11-04", "day", "P1", 3600)], { P1: "Website" }), "day", { from: "2026-11-01", to: "2026-11-07" });
    expect(data.buckets).toEqual(["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-07"]);
    expect(data.series[0]!.hours).toEqual([0, 0, 0, 1, 0, 0, 0]);
    // Weeks (starting on Mondays here) that hold a day of November, months from the first.
    const weeks = overTime(report([row("2026-11-09", "week", "P1", 3600)], { P1: "Website" }), "week", { from: "2026-11-01", to: "2026-11-30" });
    expect(weeks.buckets).toEqual(["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30"]);
    const months = overTime(report([row("2026-03-01", "month", "P1", 3600)], { P1: "Website" }), "month", { from: "2026-01-01", to: "2026-04-30" });
    expect(months.buckets).toEqual(["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]);
  });

  it("steps weeks and months, and labels them as the report does", () => {
    const weeks = overTime(report([row("2026-11-02", "week", "P1", 3600), row("2026-11-23", "week", "P1", 3600)], { P1: "Website" }), "week");
    expect(weeks.buckets).toEqual(["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]);
    expect(weeks.labels[0]).toBe(`Week of ${formatDate("2026-11-02")}`);
    const months = overTime(report([row("2026-10-01", "month", "P1", 3600), row("2027-01-01", "month", "P1", 3600)], { P1: "Website" }), "month");
    expect(months.buckets).toEqual(["2026-10-01", "2026-11-01", "2026-12-01", "2027-01-01"]);
    expect(months.labels[0]).toBe(formatPeriod("month", "2026-10-01"));
  });

  it("names the largest groups and adds up the rest as Other", () => {
    const rows = Array.from({ length: SERIES + 3 }, (_, i) => row("2026-11-02", "day", `P${i}`, (i + 1) * 3600));
    const names = Object.fromEntries(rows.map((_, i) => [`P${i}`, `Project ${i}`]));
    const data = overTime(report(rows, names), "day");
    expect(data.series).toHaveLength(SERIES + 1);
    expect(data.series[0]).toEqual({ name: `Project ${SERIES + 2}`, hours: [SERIES + 3] });
    // The three smallest: 1 + 2 + 3 hours.
    expect(data.series.at(-1)).toEqual({ name: "Other (3)", hours: [6] });
  });
});

describe("bucketFor", () => {
  it("picks days for a month, weeks for a quarter and months beyond or when open", () => {
    expect(bucketFor("2026-11-01", "2026-11-30")).toBe("day");
    expect(bucketFor("2026-09-01", "2026-11-30")).toBe("week");
    expect(bucketFor("2026-01-01", "2026-12-31")).toBe("month");
    expect(bucketFor("", "")).toBe("month");
  });
});

describe("TimeChart", () => {
  it("asks the engine for the report's period by bucket and dimension, and follows the bucket chosen", async () => {
    const asked: ReportQuery[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== "time_report") throw `unexpected ${cmd}`;
      const query = (args as { query: ReportQuery }).query;
      asked.push(query);
      const by = query.group_by[0] as "day" | "week";
      return report([row(by === "day" ? "2026-11-02" : "2026-10-26", by, "P1", 5400)], { P1: "Website" });
    });
    const user = userEvent.setup();
    const query: ReportQuery = { from: "2026-11-01", to: "2026-11-30", group_by: ["project"], member: null, project: null, client: "C1" };
    render(<TimeChart query={query} dimension="project" from="2026-11-01" to="2026-11-30" />);

    const figures = await screen.findByTestId("report-time-chart-data");
    await eventually(() => expect(figures.textContent).toBe(`Website: ${formatDate("2026-11-02")} 1.50 h`));
    expect(asked).toEqual([{ ...query, group_by: ["day", "project"] }]);
    expect(screen.getByTestId("report-time-chart").getAttribute("aria-label")).toBe("Hours per day, by project");

    await user.selectOptions(within(screen.getByTestId("report-time-chart")).getByTestId("report-time-bucket"), "week");
    await eventually(() => expect(figures.textContent).toBe(`Website: Week of ${formatDate("2026-10-26")} 1.50 h`));
    expect(asked.at(-1)).toEqual({ ...query, group_by: ["week", "project"] });
  });
});

describe("TimeChart in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("names the rest, the weeks and the chart in German", async () => {
    act(() => setUiLanguage("de-DE"));
    const rows = Array.from({ length: SERIES + 2 }, (_, i) => row("2026-11-02", "week", `P${i}`, (i + 1) * 3600));
    const data = overTime(report(rows, Object.fromEntries(rows.map((_, i) => [`P${i}`, `Projekt ${i}`]))), "week");
    expect(data.series.at(-1)?.name).toBe("Sonstige (2)");
    expect(data.labels[0]).toBe(`Woche ab ${formatDate("2026-11-02")}`);

    mockIPC((cmd) => {
      if (cmd !== "time_report") throw `unexpected ${cmd}`;
      return report([row("2026-11-02", "day", "P1", 5400)], { P1: "Website" });
    });
    const query: ReportQuery = { from: "2026-11-01", to: "2026-11-30", group_by: ["member"], member: null, project: null, client: null };
    render(<TimeChart query={query} dimension="member" from="2026-11-01" to="2026-11-30" />);
    const figures = await screen.findByTestId("report-time-chart-data");
    await eventually(() => expect(figures.textContent).toBe(`Website: ${formatDate("2026-11-02")} 1.50 h`));
    expect(screen.getByTestId("report-time-chart").getAttribute("aria-label")).toBe("Stunden pro Tag, nach Person");
    const bucket = screen.getByLabelText("Pro");
    expect(within(bucket).getAllByRole("option").map((o) => o.textContent)).toEqual(["Tag", "Woche", "Monat"]);
  });
});
