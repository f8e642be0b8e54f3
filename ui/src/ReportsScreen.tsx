// The Reports screen: pick a period, dimensions and filters; the engine totals the time
// (api.timeReport) and this screen shows summary cards, a chart of the first dimension and a
// windowed table that stays fast for tens of thousands of rows. CSV export goes through the engine
// too (api.saveReportCsv) with the very same query.
import { Fragment, startTransition, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from "chart.js";
import { Temporal } from "temporal-polyfill";

import { DateField } from "./DateField";
import { api, errorMessage, scopeOf } from "./api";
import type { Client } from "./bindings/Client";
import type { GroupBy } from "./bindings/GroupBy";
import type { GroupKey } from "./bindings/GroupKey";
import type { Member } from "./bindings/Member";
import type { OrgSummary } from "./bindings/OrgSummary";
import type { Permissions } from "./bindings/Permissions";
import type { ProjectView } from "./bindings/ProjectView";
import type { ReportQuery } from "./bindings/ReportQuery";
import type { ReportRow } from "./bindings/ReportRow";
import type { ReportView } from "./bindings/ReportView";
import type { WeekStart } from "./bindings/WeekStart";
import { Picker, type PickerOption } from "./Picker";
import { DetailedReport } from "./DetailedReport";
import { cssVar, tickHours, TimeChart } from "./TimeChart";
import { formatNumber, formatPeriod } from "./format";
import i18n from "./i18n";
import { hours, money } from "./time";
import "./reports.css";

// ---------------------------------------------------------------------------------------------
// Periods

export type Preset =
  | "this_week"
  | "last_week"
  | "this_month"
  | "last_month"
  | "this_year"
  | "all_time"
  | "custom";

/** A preset's name: its key in the `reports` catalogue under `reportsScreen.preset`. */
type PresetLabel = keyof (typeof import("./locales/en/reports.json"))["reportsScreen"]["preset"];

const PRESETS: { value: Preset; label: PresetLabel }[] = [
  { value: "this_week", label: "thisWeek" },
  { value: "last_week", label: "lastWeek" },
  { value: "this_month", label: "thisMonth" },
  { value: "last_month", label: "lastMonth" },
  { value: "this_year", label: "thisYear" },
  { value: "all_time", label: "allTime" },
  { value: "custom", label: "custom" },
];

const WEEK_START_DAY: Record<WeekStart, number> = { monday: 1, sunday: 7, saturday: 6 };

/** The first and last day (inclusive, YYYY-MM-DD; "" for open) of a preset around `today`. */
export function presetRange(
  preset: Exclude<Preset, "custom">,
  today: string,
  weekStart: WeekStart = "monday",
): { from: string; to: string } {
  const day = Temporal.PlainDate.from(today);
  const weekFirst = day.subtract({ days: (day.dayOfWeek - WEEK_START_DAY[weekStart] + 7) % 7 });
  const monthFirst = day.with({ day: 1 });
  const range = (from: Temporal.PlainDate, to: Temporal.PlainDate) => ({
    from: from.toString(),
    to: to.toString(),
  });
  switch (preset) {
    case "this_week":
      return range(weekFirst, weekFirst.add({ days: 6 }));
    case "last_week":
      return range(weekFirst.subtract({ days: 7 }), weekFirst.subtract({ days: 1 }));
    case "this_month":
      return range(monthFirst, monthFirst.with({ day: monthFirst.daysInMonth }));
    case "last_month": {
      const first = monthFirst.subtract({ months: 1 });
      return range(first, first.with({ day: first.daysInMonth }));
    }
    case "this_year":
      return range(day.with({ month: 1, day: 1 }), day.with({ month: 12, day: 31 }));
    case "all_time":
      return { from: "", to: "" };
  }
}

// ---------------------------------------------------------------------------------------------
// Labels and numbers

/** The dimensions a report groups by, in the order they are offered (named under `reportsScreen.dimension`). */
const DIMENSIONS: GroupBy[] = ["client", "project", "task", "member", "day", "week", "month"];

/** A key as people read it (names as the engine's `ReportView::label`; days, weeks and months in
 * the organization's locale). */
export function keyLabel(key: GroupKey, names: ReportView["names"]): string {
  switch (key.by) {
    case "client":
    case "project":
    case "member":
      return names[key.value] ?? key.value;
    case "task":
      return key.value === null ? i18n.t("common.noTask", { ns: "reports" }) : (names[key.value] ?? key.value);
    case "day":
    case "week":
    case "month":
      return formatPeriod(key.by, key.value);
  }
}

function amounts(row: ReportRow): string {
  return row.amounts.length === 0 ? "—" : row.amounts.map(money).join(", ");
}

function totalSeconds(row: ReportRow): number {
  return row.billable_seconds + row.non_billable_seconds;
}

// ---------------------------------------------------------------------------------------------
// The screen

export function ReportsScreen({ permissions, org }: { permissions: Permissions | null; org: OrgSummary }) {
  const { t } = useTranslation("reports", { keyPrefix: "reportsScreen" });
  const id = useId();
  const [today, setToday] = useState<string | null>(null);
  const [weekStart, setWeekStart] = useState<WeekStart>("monday");
  const [preset, setPreset] = useState<Preset>("this_month");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [group1, setGroup1] = useState<GroupBy>("project");
  const [group2, setGroup2] = useState<GroupBy | "">("");
  const [client, setClient] = useState("");
  const [project, setProject] = useState("");
  const [member, setMember] = useState("");
  const [mode, setMode] = useState<"summary" | "detailed">("summary");
  // The chart of the summary: by the first dimension, or over time split by it.
  const [chart, setChart] = useState<"groups" | "time">("groups");

  const [clients, setClients] = useState<Client[]>([]);
  const [projects, setProjects] = useState<ProjectView[]>([]);
  const [members, setMembers] = useState<Member[]>([]);

  const [report, setReport] = useState<ReportView | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const [exporting, setExporting] = useState(false);
  const [exportPath, setExportPath] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);

  const everyone = scopeOf(permissions, "read_time_reports") === "all";

  // Today (in the organization's time zone) and the week start anchor the presets.
  useEffect(() => {
    let live = true;
    Promise.all([api.today(), api.organization().catch(() => null)]).then(
      ([day, organization]) => {
        if (!live) return;
        const start = organization?.week_start ?? "monday";
        setWeekStart(start);
        setToday(day);
        const range = presetRange("this_month", day, start);
        setPreset("this_month");
        setFrom(range.from);
        setTo(range.to);
      },
      (e: unknown) => {
        if (live) setError(errorMessage(e));
      },
    );
    return () => {
      live = false;
    };
  }, [org.id]);

  // Filter choices; a role that cannot list them just gets no choices.
  useEffect(() => {
    let live = true;
    api.clients(true).then(
      (list) => live && setClients([...list].sort((a, b) => a.name.localeCompare(b.name))),
      () => live && setClients([]),
    );
    api.projects(true).then(
      (list) =>
        live &&
        setProjects(
          [...list].sort(
            (a, b) =>
              a.client_name.localeCompare(b.client_name) || a.project.name.localeCompare(b.project.name),
          ),
        ),
      () => live && setProjects([]),
    );
    return () => {
      live = false;
    };
  }, [org.id]);

  useEffect(() => {
    if (!everyone) {
      setMembers([]);
      return;
    }
    let live = true;
    api.members().then(
      (list) => live && setMembers([...list].sort((a, b) => a.name.localeCompare(b.name))),
      () => live && setMembers([]),
    );
    return () => {
      live = false;
    };
  }, [org.id, everyone]);

  const effectiveMember = everyone ? member : "";
  const query = useMemo<ReportQuery | null>(() => {
    if (today === null) return null;
    return {
      from: from || null,
      to: to || null,
      group_by: group2 ? [group1, group2] : [group1],
      member: effectiveMember || null,
      project: project || null,
      client: client || null,
    };
  }, [today, from, to, group1, group2, effectiveMember, project, client]);

  // Re-run whenever the query changes; only the latest answer counts, and the previous table stays
  // on screen (dimmed) until it arrives.
  const latest = useRef(0);
  useEffect(() => {
    if (query === null) return;
    const run = ++latest.current;
    setLoading(true);
    api.timeReport(query).then(
      (view) => {
        if (run !== latest.current) return;
        // A transition: React renders the new results as interruptible work in short slices rather
        // than in one block (the chart and the table's first layout are split off further below).
        startTransition(() => {
          setReport(view);
          setError(null);
          setLoading(false);
        });
      },
      (e: unknown) => {
        if (run !== latest.current) return;
        setReport(null);
        setError(errorMessage(e));
        setLoading(false);
      },
    );
  }, [query]);

  function choosePreset(value: Preset) {
    setPreset(value);
    if (value !== "custom" && today !== null) {
      const range = presetRange(value, today, weekStart);
      setFrom(range.from);
      setTo(range.to);
    }
  }

  function chooseGroup1(value: GroupBy) {
    setGroup1(value);
    if (group2 === value) setGroup2("");
  }

  function chooseClient(value: string) {
    setClient(value);
    if (value && project && projects.find((p) => p.project.id === project)?.project.client !== value) {
      setProject("");
    }
  }

  async function exportCsv() {
    if (query === null) return;
    setExporting(true);
    setExportError(null);
    setExportPath(null);
    try {
      setExportPath(await api.saveReportCsv(query));
    } catch (e) {
      setExportError(errorMessage(e));
    } finally {
      setExporting(false);
    }
  }

  // The filters' choices: thousands of projects in a large organization, so they are type-to-search
  // pickers (a <select> that long is slow to lay out and to use), built once per list.
  const projectOptions = useMemo<PickerOption[]>(
    () =>
      (client ? projects.filter((p) => p.project.client === client) : projects).map((p) => {
        const option: PickerOption = {
          id: p.project.id,
          label: p.project.archived ? t("archived", { name: p.project.name }) : p.project.name,
        };
        if (!client) option.detail = p.client_name;
        return option;
      }),
    [projects, client, t],
  );
  const clientOptions = useMemo<PickerOption[]>(
    () => clients.map((c) => ({ id: c.id, label: c.archived ? t("archived", { name: c.name }) : c.name })),
    [clients, t],
  );

  return (
    <section className="reports" aria-labelledby={`${id}-title`}>
      <div className="section-head">
        <h2 id={`${id}-title`}>{t("title")}</h2>
        <span className="muted small">{t("daysIn", { timeZone: org.time_zone })}</span>
        <div className="segmented" role="group" aria-label={t("report")}>
          <button
            type="button"
            aria-pressed={mode === "summary"}
            onClick={() => setMode("summary")}
            data-testid="report-mode-summary"
          >
            {t("summary")}
          </button>
          <button
            type="button"
            aria-pressed={mode === "detailed"}
            onClick={() => setMode("detailed")}
            title={t("detailedHint")}
            data-testid="report-mode-detailed"
          >
            {t("detailed")}
          </button>
        </div>
        <span className="spacer" />
        {loading && (
          <span className="muted small report-loading" role="status" data-testid="report-loading">
            {t("loading")}
          </span>
        )}
        <button
          type="button"
          onClick={exportCsv}
          disabled={query === null || exporting || mode === "detailed"}
          title={mode === "detailed" ? t("exportIsSummary") : undefined}
          data-testid="report-export-csv"
        >
          {exporting ? t("exporting") : t("exportCsv")}
        </button>
      </div>

      <div className="report-controls">
        <div className="field">
          <label htmlFor={`${id}-preset`}>{t("period")}</label>
          <select
            id={`${id}-preset`}
            value={preset}
            onChange={(e) => choosePreset(e.target.value as Preset)}
            disabled={today === null}
            data-testid="report-preset"
          >
            {PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {t(`preset.${p.label}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>{t("from")}</label>
          <DateField
            id={`${id}-from`}
            value={from}
            onChange={(day) => {
              setFrom(day);
              setPreset("custom");
            }}
            disabled={today === null}
            testId="report-from"
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>{t("to")}</label>
          <DateField
            id={`${id}-to`}
            value={to}
            onChange={(day) => {
              setTo(day);
              setPreset("custom");
            }}
            disabled={today === null}
            testId="report-to"
          />
        </div>
        <div className="field" hidden={mode === "detailed"}>
          <label htmlFor={`${id}-group1`}>{t("groupBy")}</label>
          <select
            id={`${id}-group1`}
            value={group1}
            onChange={(e) => chooseGroup1(e.target.value as GroupBy)}
            data-testid="report-group-1"
          >
            {DIMENSIONS.map((d) => (
              <option key={d} value={d}>
                {t(`dimension.${d}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field" hidden={mode === "detailed"}>
          <label htmlFor={`${id}-group2`}>{t("thenBy")}</label>
          <select
            id={`${id}-group2`}
            value={group2}
            onChange={(e) => setGroup2(e.target.value as GroupBy | "")}
            data-testid="report-group-2"
          >
            <option value="">{t("none")}</option>
            {DIMENSIONS.filter((d) => d !== group1).map((d) => (
              <option key={d} value={d}>
                {t(`dimension.${d}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-client`}>{t("client")}</label>
          <Picker
            id={`${id}-client`}
            testid="report-client"
            options={clientOptions}
            value={client || null}
            onChange={(value) => chooseClient(value ?? "")}
            allowNone={t("allClients")}
          />
        </div>
        <div className="field report-project-field">
          <label htmlFor={`${id}-project`}>{t("project")}</label>
          <Picker
            id={`${id}-project`}
            testid="report-project"
            options={projectOptions}
            value={project || null}
            onChange={(value) => setProject(value ?? "")}
            allowNone={t("allProjects")}
          />
        </div>
        {everyone && (
          <div className="field">
            <label htmlFor={`${id}-member`}>{t("member")}</label>
            <select
              id={`${id}-member`}
              value={member}
              onChange={(e) => setMember(e.target.value)}
              data-testid="report-member"
            >
              <option value="">{t("everyone")}</option>
              {members.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.active ? m.name : t("removed", { name: m.name })}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>

      {exportPath !== null && (
        <p className="notice small report-saved" data-testid="report-export-path">
          {t("savedTo", { path: exportPath })}
        </p>
      )}
      {exportError !== null && (
        <p className="error" role="alert" data-testid="report-export-error">
          {exportError}
        </p>
      )}
      {error !== null && (
        <p className="error" role="alert" data-testid="report-error">
          {error}
        </p>
      )}

      {mode === "detailed" && (
        <DetailedReport
          from={from}
          to={to}
          member={effectiveMember}
          client={client}
          project={project}
          projects={projects}
          timeZone={org.time_zone}
        />
      )}
      {mode === "summary" && report !== null && (
        <div className={`report-results${loading ? " is-loading" : ""}`} aria-busy={loading}>
          {report.unassigned.entries > 0 && (
            <p className="notice" role="status" data-testid="report-unassigned">
              {t("unassigned", { count: report.unassigned.entries, hours: hours(report.unassigned.seconds) })}
            </p>
          )}
          {report.rows.length === 0 ? (
            <p className="muted empty" data-testid="report-empty">
              {t("empty")}
            </p>
          ) : (
            <>
              <SummaryCards report={report} />
              {TIME_DIMENSIONS.includes(group1) || query === null ? (
                <ReportChart report={report} />
              ) : (
                <>
                  <div className="segmented chart-mode" role="group" aria-label={t("chart")}>
                    <button
                      type="button"
                      aria-pressed={chart === "groups"}
                      onClick={() => setChart("groups")}
                      data-testid="report-chart-groups"
                    >
                      {t("chartBy", { dimension: t(`dimensionInText.${group1}`) })}
                    </button>
                    <button
                      type="button"
                      aria-pressed={chart === "time"}
                      onClick={() => setChart("time")}
                      data-testid="report-chart-time"
                    >
                      {t("overTime")}
                    </button>
                  </div>
                  {chart === "time" ? (
                    <TimeChart query={query} dimension={group1 as Exclude<GroupBy, "day" | "week" | "month">} from={from} to={to} />
                  ) : (
                    <ReportChart report={report} />
                  )}
                </>
              )}
              <ReportTable report={report} clientOf={(id) => projects.find((p) => p.project.id === id)?.client_name} />
            </>
          )}
        </div>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Summary cards

function SummaryCards({ report }: { report: ReportView }) {
  const { t } = useTranslation("reports", { keyPrefix: "summaryCards" });
  const total = report.total;
  const all = totalSeconds(total);
  const share = all > 0 ? Math.round((total.billable_seconds / all) * 100) : null;
  const rounded = total.billable_seconds !== total.billable_raw_seconds;
  return (
    <dl className="report-cards" data-testid="report-summary">
      <div className="report-card">
        <dt>{t("totalHours")}</dt>
        <dd data-testid="report-card-total">{hours(all)}</dd>
      </div>
      <div className="report-card">
        <dt>{t("billableHours")}</dt>
        <dd data-testid="report-card-billable">{hours(total.billable_seconds)}</dd>
        {rounded && (
          <dd className="muted small">{t("beforeRounding", { hours: hours(total.billable_raw_seconds) })}</dd>
        )}
      </div>
      <div className="report-card">
        <dt>{t("nonBillableHours")}</dt>
        <dd data-testid="report-card-non-billable">{hours(total.non_billable_seconds)}</dd>
      </div>
      <div className="report-card">
        <dt>{t("billableShare")}</dt>
        <dd data-testid="report-card-share">{share === null ? "—" : t("share", { percent: formatNumber(share, 0) })}</dd>
      </div>
      {report.amounts_visible && (
        <div className="report-card">
          <dt>{t("amount")}</dt>
          {total.amounts.length === 0 ? (
            <dd data-testid="report-card-amount">—</dd>
          ) : (
            total.amounts.map((m) => (
              <dd key={m.currency} data-testid="report-card-amount">
                {money(m)}
              </dd>
            ))
          )}
        </div>
      )}
    </dl>
  );
}

// ---------------------------------------------------------------------------------------------
// Chart

const CHART_GROUPS = 12;
const CHART_HEIGHT = 280;
const TICK_CHARS = 18;

type ChartDatum = { name: string; billable: number; nonBillable: number };

const TIME_DIMENSIONS: GroupBy[] = ["day", "week", "month"];

/** Billable and non-billable hours per group of the first dimension: the top groups, then "Other". */
export function chartData(report: ReportView): ChartDatum[] {
  const groups = new Map<string, { key: GroupKey; billable: number; nonBillable: number }>();
  for (const row of report.rows) {
    const key = row.key[0];
    if (key === undefined) continue;
    const id = `${key.value}`;
    const group = groups.get(id) ?? { key, billable: 0, nonBillable: 0 };
    group.billable += row.billable_seconds;
    group.nonBillable += row.non_billable_seconds;
    groups.set(id, group);
  }
  const byHours = [...groups.values()].sort(
    (a, b) => b.billable + b.nonBillable - (a.billable + a.nonBillable),
  );
  const top = byHours.slice(0, CHART_GROUPS);
  const rest = byHours.slice(CHART_GROUPS);
  const first = report.group_by[0];
  if (first !== undefined && TIME_DIMENSIONS.includes(first)) {
    // Dates read best in order.
    top.sort((a, b) => `${a.key.value}`.localeCompare(`${b.key.value}`));
  }
  const round = (seconds: number) => Math.round((seconds / 3600) * 100) / 100;
  const data = top.map((g) => ({
    name: keyLabel(g.key, report.names),
    billable: round(g.billable),
    nonBillable: round(g.nonBillable),
  }));
  if (rest.length > 0) {
    data.push({
      name: i18n.t("common.other", { ns: "reports", number: formatNumber(rest.length, 0) }),
      billable: round(rest.reduce((sum, g) => sum + g.billable, 0)),
      nonBillable: round(rest.reduce((sum, g) => sum + g.nonBillable, 0)),
    });
  }
  return data;
}

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}


/** A stacked bar chart (Chart.js, on a canvas) with the same figures as a list for screen readers. */
function ReportChart({ report }: { report: ReportView }) {
  const { t, i18n: { language } } = useTranslation("reports", { keyPrefix: "reportChart" });
  const canvas = useRef<HTMLCanvasElement>(null);
  // The chart follows a frame behind the table: summing thousands of rows into its groups is work
  // the first frame of new results can do without.
  const [charted, setCharted] = useState<ReportView | null>(null);
  useEffect(() => {
    let pending = 0;
    const frame = requestAnimationFrame(() => {
      pending = window.setTimeout(() => setCharted(report), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      window.clearTimeout(pending);
    };
  }, [report]);
  // Other and "(no task)" are in the UI's language: named again when it changes.
  const data = useMemo(() => (charted === null ? [] : chartData(charted)), [charted, language]);
  const first = report.group_by[0];
  const dimension = i18n.t(`reportsScreen.dimensionInText.${first ?? "group"}`, { ns: "reports" });
  const label =
    data.length > CHART_GROUPS ? t("labelTop", { dimension, top: CHART_GROUPS }) : t("label", { dimension });

  // The figures on screen, for the tooltips of a chart that outlives one report.
  const shown = useRef(data);
  shown.current = data;
  const chart = useRef<Chart<"bar", number[], string> | null>(null);
  const pending = useRef(0);

  // One chart per screen: a new report updates it in place (a few milliseconds); creating it, the
  // costliest step of showing a report, waits for another frame.
  useEffect(() => {
    if (charted === null) return;
    const labels = data.map((d) => truncate(d.name, TICK_CHARS));
    const billable = data.map((d) => d.billable);
    const nonBillable = data.map((d) => d.nonBillable);
    const current = chart.current;
    if (current !== null) {
      current.data.labels = labels;
      const [first, second] = current.data.datasets;
      if (first) {
        first.data = billable;
        first.label = t("billable");
      }
      if (second) {
        second.data = nonBillable;
        second.label = t("nonBillable");
      }
      current.update();
      return;
    }
    const create = () => {
      const element = canvas.current;
      // No 2D context where there is no canvas implementation (unit tests): the list below remains.
      const context = element?.getContext("2d");
      if (!element || !context || chart.current !== null) return;
      const muted = cssVar(element, "--muted", "#66706b");
      const grid = cssVar(element, "--border", "#d9ddd9");
      chart.current = new Chart(context, {
        type: "bar",
        data: {
          labels,
          datasets: [
            {
              label: t("billable"),
              data: billable,
              backgroundColor: cssVar(element, "--chart-billable", "#2f6f5e"),
              stack: "hours",
              maxBarThickness: 64,
            },
            {
              label: t("nonBillable"),
              data: nonBillable,
              backgroundColor: cssVar(element, "--chart-non-billable", "#b8c6c0"),
              stack: "hours",
              maxBarThickness: 64,
              borderRadius: 3,
            },
          ],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: {
            x: { stacked: true, grid: { display: false }, ticks: { color: muted, autoSkip: false, maxRotation: 35 } },
            y: {
              stacked: true,
              beginAtZero: true,
              grid: { color: grid },
              // The callbacks outlive this render: they ask for their words when they run.
              ticks: { color: muted, callback: (value) => i18n.t("common.hours", { ns: "reports", hours: tickHours(value) }) },
            },
          },
          plugins: {
            tooltip: {
              callbacks: {
                title: (items) => shown.current[items[0]?.dataIndex ?? 0]?.name ?? "",
                label: (item) =>
                  i18n.t("common.tooltip", { ns: "reports", series: item.dataset.label ?? "", hours: formatNumber(Number(item.raw), 2) }),
              },
            },
          },
        },
      });
    };
    const frame = requestAnimationFrame(() => {
      pending.current = window.setTimeout(create, 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      window.clearTimeout(pending.current);
    };
  }, [data, charted, t]);

  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );

  return (
    <div className="report-chart" role="figure" aria-label={label} data-testid="report-chart">
      <div className="report-legend" aria-hidden="true">
        <span>
          <span className="swatch billable" /> {t("billable")}
        </span>
        <span>
          <span className="swatch non-billable" /> {t("nonBillable")}
        </span>
      </div>
      <div className="report-canvas" style={{ height: CHART_HEIGHT }}>
        <canvas ref={canvas} aria-hidden="true" />
      </div>
      <ul className="sr-only" data-testid="report-chart-data">
        {data.map((d) => (
          <li key={d.name}>
            {t("figures", { name: d.name, billable: formatNumber(d.billable, 2), nonBillable: formatNumber(d.nonBillable, 2) })}
          </li>
        ))}
      </ul>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Table

/** Up to this many rows the table renders every row; beyond it, only the rows in view. */
export const FULL_RENDER_ROWS = 500;
const ROW_HEIGHT_GUESS = 34;
const OVERSCAN = 8;
const VIEWPORT_FALLBACK = 480;

function ReportTable({ report, clientOf }: { report: ReportView; clientOf: (project: string) => string | undefined }) {
  const { t } = useTranslation("reports");
  const rows = report.rows;
  const labels = report.group_by;
  const windowed = rows.length > FULL_RENDER_ROWS;
  // A project's client beside it, unless the report is grouped by client already.
  const clientBefore = labels.includes("client") ? -1 : labels.indexOf("project");
  const withClient = clientBefore >= 0;
  const columns = labels.length + (withClient ? 1 : 0) + 3 + (report.amounts_visible ? 1 : 0);

  const scroller = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(VIEWPORT_FALLBACK);
  const [rowHeight, setRowHeight] = useState(ROW_HEIGHT_GUESS);

  // Measure the viewport and a real row, so the spacers match what the browser lays out.
  useLayoutEffect(() => {
    if (!windowed) return;
    const element = scroller.current;
    if (!element) return;
    const measure = () => {
      if (element.clientHeight > 0) setViewport(element.clientHeight);
      const row = body.current?.querySelector<HTMLTableRowElement>("tr.report-data-row");
      const h = row?.getBoundingClientRect().height ?? 0;
      if (h > 0) setRowHeight(h);
    };
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [windowed]);

  let start = 0;
  let end = rows.length;
  if (windowed) {
    const inView = Math.ceil(viewport / rowHeight);
    start = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
    end = Math.min(rows.length, start + inView + 2 * OVERSCAN);
  }
  const visible = rows.slice(start, end);
  const before = start * rowHeight;
  const after = (rows.length - end) * rowHeight;

  return (
    <div className="report-table-block">
      {windowed && (
        <p className="muted small report-count" data-testid="report-count">
          {t("reportTable.windowed", { rows: formatNumber(rows.length, 0) })}
        </p>
      )}
      <div
        className="report-table-wrap"
        ref={scroller}
        tabIndex={0}
        role="region"
        aria-label={t("reportTable.label")}
        onScroll={windowed ? (e) => setScrollTop(e.currentTarget.scrollTop) : undefined}
      >
        <table className="report-table" data-testid="report-table" aria-rowcount={rows.length + 2}>
          <colgroup>
            {withClient && <col className="label-col" />}
            {labels.map((by) => (
              <col key={by} className="label-col" />
            ))}
            <col className="num-col" />
            <col className="num-col" />
            <col className="num-col" />
            {report.amounts_visible && <col className="amount-col" />}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              {labels.map((by, i) => (
                <Fragment key={by}>
                  {i === clientBefore && <th scope="col">{t("reportTable.client")}</th>}
                  <th scope="col">{t(`reportsScreen.dimension.${by}`)}</th>
                </Fragment>
              ))}
              <th scope="col" className="num">
                {t("reportTable.billableHours")}
              </th>
              <th scope="col" className="num">
                {t("reportTable.nonBillableHours")}
              </th>
              <th scope="col" className="num">
                {t("reportTable.totalHours")}
              </th>
              {report.amounts_visible && (
                <th scope="col" className="num">
                  {t("reportTable.amount")}
                </th>
              )}
            </tr>
          </thead>
          <tbody ref={body}>
            {before > 0 && (
              <tr className="report-spacer" aria-hidden="true">
                <td colSpan={columns} style={{ height: before }} />
              </tr>
            )}
            {visible.map((row, i) => (
              <tr key={start + i} className="report-data-row" data-testid="report-row" aria-rowindex={start + i + 2}>
                {row.key.map((key, k) => {
                  const text = keyLabel(key, report.names);
                  const client = k === clientBefore && key.by === "project" ? (clientOf(key.value) ?? "") : null;
                  return (
                    <Fragment key={k}>
                      {client !== null && (
                        <td title={client} data-testid="report-row-client">
                          {client}
                        </td>
                      )}
                      <td title={text} data-testid={k === 0 ? "report-row-label" : undefined}>
                        {text}
                      </td>
                    </Fragment>
                  );
                })}
                <td className="num" data-testid="report-row-hours">
                  {hours(row.billable_seconds)}
                </td>
                <td className="num" data-testid="report-row-non-billable">
                  {hours(row.non_billable_seconds)}
                </td>
                <td className="num" data-testid="report-row-total">
                  {hours(row.billable_seconds + row.non_billable_seconds)}
                </td>
                {report.amounts_visible && (
                  <td className="num" data-testid="report-row-amount">
                    {amounts(row)}
                  </td>
                )}
              </tr>
            ))}
            {after > 0 && (
              <tr className="report-spacer" aria-hidden="true">
                <td colSpan={columns} style={{ height: after }} />
              </tr>
            )}
          </tbody>
          <tfoot>
            <tr className="report-total-row" aria-rowindex={rows.length + 2}>
              <th scope="row" colSpan={labels.length + (withClient ? 1 : 0)}>
                {t("reportTable.total")}
              </th>
              <td className="num" data-testid="report-total-hours">
                {hours(report.total.billable_seconds)}
              </td>
              <td className="num" data-testid="report-total-non-billable">
                {hours(report.total.non_billable_seconds)}
              </td>
              <td className="num" data-testid="report-total-all">
                {hours(report.total.billable_seconds + report.total.non_billable_seconds)}
              </td>
              {report.amounts_visible && (
                <td className="num" data-testid="report-total-amount">
                  {amounts(report.total)}
                </td>
              )}
            </tr>
          </tfoot>
        </table>
      </div>
    </div>
  );
}
