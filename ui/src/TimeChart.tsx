// The report's chart over time: hours per day, week or month, each bar split by the report's first
// dimension (client, project, task or member), the largest groups by name and the rest as Other.
// Its figures come from the engine with the report's own filters, grouped by time and dimension.
import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from "chart.js";
import { Temporal } from "temporal-polyfill";

import { api, errorMessage } from "./api";
import { formatNumber, formatPeriod, formatSettings } from "./format";
import i18n from "./i18n";
import type { GroupBy } from "./bindings/GroupBy";
import type { GroupKey } from "./bindings/GroupKey";
import type { ReportQuery } from "./bindings/ReportQuery";
import type { ReportView } from "./bindings/ReportView";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export type Bucket = "day" | "week" | "month";

/** Hours on a chart's axis in the organization's locale, as few decimals as they need: "1.5", "1,5". */
export function tickHours(value: number | string): string {
  return new Intl.NumberFormat(formatSettings().locale, { maximumFractionDigits: 2 }).format(Number(value));
}

/** Groups shown by name; the rest are added up as Other. */
export const SERIES = 6;
/** Gaps between buckets are filled (a day without time is a bar of nothing) up to this many. */
const MAX_BUCKETS = 400;
const CHART_HEIGHT = 260;

export type Series = { name: string; hours: number[] };
export type OverTime = { buckets: string[]; labels: string[]; series: Series[] };

const STEP: Record<Bucket, Temporal.DurationLike> = { day: { days: 1 }, week: { days: 7 }, month: { months: 1 } };

/** A bucket as people read it, in the organization's locale: "Nov 3, 2026", "Week of …", "Nov 2026". */
export function bucketLabel(bucket: Bucket, value: string): string {
  return formatPeriod(bucket, value);
}

/** The bucket that suits a period: days up to a month, weeks up to half a year, then months. */
export function bucketFor(from: string, to: string): Bucket {
  if (!from || !to) return "month";
  const days = Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to)).days + 1;
  return days <= 31 ? "day" : days <= 183 ? "week" : "month";
}

function groupName(key: GroupKey, names: ReportView["names"]): string {
  if (key.by === "task" && key.value === null) return i18n.t("common.noTask", { ns: "reports" });
  return names[`${key.value}`] ?? `${key.value}`;
}

/**
 * Hours per bucket of a report grouped by [bucket, dimension]: one series per group, the largest
 * `SERIES` by name (ordered by hours) and the rest as "Other"; buckets in order, with the ones
 * without time filled in across the `period` (or between the first and last with time), unless
 * there would be more than MAX_BUCKETS.
 */
export function overTime(report: ReportView, bucket: Bucket, period: { from: string; to: string } | null = null): OverTime {
  const cells = new Map<string, Map<string, number>>();
  const totals = new Map<string, { name: string; seconds: number }>();
  const present = new Set<string>();
  for (const row of report.rows) {
    const [when, group] = row.key;
    if (when === undefined || group === undefined) continue;
    const seconds = row.billable_seconds + row.non_billable_seconds;
    const at = `${when.value}`;
    const id = `${group.value}`;
    present.add(at);
    const cell = cells.get(id) ?? new Map<string, number>();
    cell.set(at, (cell.get(at) ?? 0) + seconds);
    cells.set(id, cell);
    const total = totals.get(id) ?? { name: groupName(group, report.names), seconds: 0 };
    total.seconds += seconds;
    totals.set(id, total);
  }
  let buckets = [...present].sort();
  const first = buckets[0];
  const last = buckets.at(-1);
  if (first !== undefined && last !== undefined) {
    const filled: string[] = [];
    let day = Temporal.PlainDate.from(first);
    let end = Temporal.PlainDate.from(last);
    if (period?.from && period.to) {
      // Reach back and forward to the period's ends: a bucket holds a day of the period if it
      // starts at most a step before it.
      const from = Temporal.PlainDate.from(period.from);
      const to = Temporal.PlainDate.from(period.to);
      const earliest = bucket === "month" ? from.with({ day: 1 }) : bucket === "week" ? from.subtract({ days: 6 }) : from;
      while (Temporal.PlainDate.compare(day.subtract(STEP[bucket]), earliest) >= 0) day = day.subtract(STEP[bucket]);
      while (Temporal.PlainDate.compare(end.add(STEP[bucket]), to) <= 0) end = end.add(STEP[bucket]);
    }
    while (Temporal.PlainDate.compare(day, end) <= 0 && filled.length <= MAX_BUCKETS) {
      filled.push(day.toString());
      day = day.add(STEP[bucket]);
    }
    if (filled.length <= MAX_BUCKETS) buckets = filled;
  }
  const hours = (seconds: number) => Math.round((seconds / 3600) * 100) / 100;
  const ranked = [...totals.entries()].sort(
    (a, b) => b[1].seconds - a[1].seconds || a[1].name.localeCompare(b[1].name),
  );
  const named = ranked.slice(0, SERIES);
  const rest = ranked.slice(named.length);
  const series: Series[] = named.map(([id, total]) => ({
    name: total.name,
    hours: buckets.map((b) => hours(cells.get(id)?.get(b) ?? 0)),
  }));
  if (rest.length > 0) {
    series.push({
      name: i18n.t("common.other", { ns: "reports", number: formatNumber(rest.length, 0) }),
      hours: buckets.map((b) => hours(rest.reduce((sum, [id]) => sum + (cells.get(id)?.get(b) ?? 0), 0))),
    });
  }
  return { buckets, labels: buckets.map((b) => bucketLabel(bucket, b)), series };
}

/** A CSS custom property's value on `element` (canvas cannot use `var(--…)`). */
export function cssVar(element: Element, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

/** The palette of the series, from the theme. */
function palette(element: Element): string[] {
  const fallback = ["#2f6f5e", "#d08b3b", "#5a7fb5", "#b5566b", "#7a9a3c", "#8a6bb5", "#9aa49f"];
  return fallback.map((f, i) => cssVar(element, `--series-${i + 1}`, f));
}

type Props = {
  /** The report's query: its period and filters (its grouping is replaced). */
  query: ReportQuery;
  /** What each bar is split by. */
  dimension: Exclude<GroupBy, Bucket>;
  /** The period's first and last day ("" for open), to pick the bucket. */
  from: string;
  to: string;
};

export function TimeChart({ query, dimension, from, to }: Props) {
  const { t, i18n: { language } } = useTranslation("reports");
  const [bucket, setBucket] = useState<Bucket>(() => bucketFor(from, to));
  useEffect(() => setBucket(bucketFor(from, to)), [from, to]);
  const [report, setReport] = useState<ReportView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.timeReport({ ...query, group_by: [bucket, dimension] }).then(
      (view) => {
        if (!live) return;
        setReport(view);
        setError(null);
      },
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [query, bucket, dimension]);

  // The names of Other, "(no task)" and the buckets are in the UI's language: made again when it changes.
  const data = useMemo(
    () => (report === null ? null : overTime(report, bucket, { from, to })),
    [report, bucket, from, to, language],
  );
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<"bar", number[], string> | null>(null);

  useEffect(() => {
    const element = canvas.current;
    // No 2D context where there is no canvas implementation (unit tests): the list below remains.
    const context = element?.getContext("2d");
    if (!data || !element || !context) return;
    const colors = palette(element);
    const datasets = data.series.map((s, i) => ({
      label: s.name,
      data: s.hours,
      backgroundColor: colors[Math.min(i, colors.length - 1)],
      stack: "hours",
      maxBarThickness: 48,
    }));
    if (chart.current) {
      chart.current.data.labels = data.labels;
      chart.current.data.datasets = datasets;
      chart.current.update();
      return;
    }
    const muted = cssVar(element, "--muted", "#66706b");
    const grid = cssVar(element, "--border", "#d9ddd9");
    // The callbacks outlive this render: they ask for their words when they run, in the language shown then.
    chart.current = new Chart(context, {
      type: "bar",
      data: { labels: data.labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { color: muted, maxRotation: 35 } },
          y: {
            stacked: true,
            beginAtZero: true,
            grid: { color: grid },
            ticks: { color: muted, callback: (v) => i18n.t("common.hours", { ns: "reports", hours: tickHours(v) }) },
          },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) =>
                i18n.t("common.tooltip", { ns: "reports", series: item.dataset.label ?? "", hours: formatNumber(Number(item.raw), 2) }),
            },
          },
        },
      },
    });
  }, [data]);

  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );

  return (
    <div
      className="report-chart"
      role="figure"
      aria-label={t("timeChart.label", { bucket: t(`timeChart.bucket.${bucket}`), by: t(`timeChart.by.${dimension}`) })}
      data-testid="report-time-chart"
    >
      <div className="report-legend">
        <label className="inline">
          <span>{t("timeChart.per")}</span>
          <select value={bucket} onChange={(e) => setBucket(e.target.value as Bucket)} data-testid="report-time-bucket">
            <option value="day">{t("timeChart.bucket.day")}</option>
            <option value="week">{t("timeChart.bucket.week")}</option>
            <option value="month">{t("timeChart.bucket.month")}</option>
          </select>
        </label>
        {data?.series.map((s, i) => (
          <span key={s.name} aria-hidden="true">
            <span className={`swatch series-${Math.min(i, SERIES) + 1}`} /> {s.name}
          </span>
        ))}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="report-canvas" style={{ height: CHART_HEIGHT }}>
        <canvas ref={canvas} aria-hidden="true" />
      </div>
      <ul className="sr-only" data-testid="report-time-chart-data">
        {data?.series.map((s) => (
          <li key={s.name}>
            {s.name}:{" "}
            {s.hours
              .map((h, i) => (h > 0 ? t("timeChart.figure", { period: data.labels[i], hours: formatNumber(h, 2) }) : null))
              .filter((x) => x !== null)
              .join(", ")}
          </li>
        ))}
      </ul>
    </div>
  );
}
