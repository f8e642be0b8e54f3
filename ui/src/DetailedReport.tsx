import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import { api, errorMessage } from "./api";
import type { EntryView } from "./bindings/EntryView";
import type { ProjectView } from "./bindings/ProjectView";
import type { Tag } from "./bindings/Tag";
import { formatDate, formatTime } from "./format";
import { hours, money } from "./time";

type Props = {
  from: string;
  to: string;
  /** A member's id, or "" for everyone the role may read. */
  member: string;
  /** A client's id, or "" for all. */
  client: string;
  /** A project's id, or "" for all. */
  project: string;
  projects: ProjectView[];
  timeZone: string;
};

export type Billable = "all" | "billable" | "non_billable";
export type Status = "all" | "unbilled" | "invoiced";

/** Whether a stopped entry passes the detailed report's own filters. */
export function passes(
  view: EntryView,
  filters: { billable: Billable; status: Status; tag: string; client: string },
  clientOf: (project: string) => string | undefined,
): boolean {
  const e = view.entry;
  if (e.time.type === "running") return false;
  if (filters.billable === "billable" && !e.billable) return false;
  if (filters.billable === "non_billable" && e.billable) return false;
  // Unbilled: billable time not yet on an invoice, what the next invoice would take.
  if (filters.status === "unbilled" && (!e.billable || e.invoiced)) return false;
  if (filters.status === "invoiced" && !e.invoiced) return false;
  if (filters.tag && !e.tags.includes(filters.tag)) return false;
  if (filters.client && (e.project === null || clientOf(e.project) !== filters.client)) return false;
  return true;
}

const SCALE = 10;

/** A decimal string ("142.5", "-0.25") as an integer of 10⁻¹⁰ units: money is summed exactly. */
function units(amount: string): bigint {
  const negative = amount.startsWith("-");
  const [whole = "0", fraction = ""] = amount.replace(/^[-+]/, "").split(".");
  const value = BigInt(whole) * 10n ** BigInt(SCALE) + BigInt(fraction.slice(0, SCALE).padEnd(SCALE, "0") || "0");
  return negative ? -value : value;
}

/** An exact sum back as a decimal string. */
function decimal(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(SCALE + 1, "0");
  const text = `${digits.slice(0, -SCALE)}.${digits.slice(-SCALE)}`.replace(/\.?0+$/, "");
  return negative ? `-${text}` : text;
}

/** Sums of amounts, exact, one per currency. */
export function totals(views: EntryView[]): string {
  const sums = new Map<string, bigint>();
  for (const v of views) {
    if (v.amount) sums.set(v.amount.currency, (sums.get(v.amount.currency) ?? 0n) + units(v.amount.amount));
  }
  return [...sums].map(([currency, sum]) => money({ amount: decimal(sum), currency })).join(" + ");
}

/** Every entry of the period, one row each, with filters for billable, invoiced and tag: the detailed
 * and the unbilled-time report. */
export function DetailedReport({ from, to, member, client, project, projects, timeZone }: Props) {
  const { t } = useTranslation("reports", { keyPrefix: "detailedReport" });
  const [entries, setEntries] = useState<EntryView[] | null>(null);
  const [tags, setTags] = useState<Tag[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [billable, setBillable] = useState<Billable>("all");
  const [status, setStatus] = useState<Status>("all");
  const [tag, setTag] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    api.tags().then(setTags, () => setTags([]));
  }, []);

  useEffect(() => {
    if (!from || !to) return;
    let live = true;
    api.entries({ from, to, member: member || null, project: project || null }).then(
      (found) => {
        if (!live) return;
        setEntries(found);
        setError(null);
      },
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [from, to, member, project]);

  const clientOf = useMemo(() => {
    const byProject = new Map(projects.map((p) => [p.project.id, p.project.client]));
    return (id: string) => byProject.get(id);
  }, [projects]);
  const tagName = useMemo(() => new Map(tags.map((tag) => [tag.id, tag.name])), [tags]);
  const shown = (entries ?? []).filter((v) => passes(v, { billable, status, tag, client }, clientOf));
  const seconds = shown.reduce((s, v) => s + v.seconds, 0);
  const billed = shown.reduce((s, v) => s + (v.entry.billable ? v.billed_seconds : 0), 0);
  const withAmounts = shown.some((v) => v.amount !== null);

  /** The entries on screen, as the engine writes them, into the downloads folder. */
  async function exportCsv() {
    setSaving(true);
    setSaved(null);
    setError(null);
    try {
      setSaved(await api.saveEntriesCsv(shown.map((v) => v.entry.id)));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <div className="detailed-report" data-testid="detailed-report">
      <div className="report-controls detailed-filters">
        <div className="field">
          <label htmlFor="detailed-billable">{t("billable")}</label>
          <select
            id="detailed-billable"
            value={billable}
            onChange={(e) => setBillable(e.target.value as Billable)}
            data-testid="detailed-billable"
          >
            <option value="all">{t("all")}</option>
            <option value="billable">{t("billableOnly")}</option>
            <option value="non_billable">{t("nonBillable")}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="detailed-status">{t("invoiced")}</label>
          <select
            id="detailed-status"
            value={status}
            onChange={(e) => setStatus(e.target.value as Status)}
            data-testid="detailed-status"
          >
            <option value="all">{t("all")}</option>
            <option value="unbilled" title={t("unbilledHint")}>
              {t("unbilled")}
            </option>
            <option value="invoiced">{t("invoicedOnly")}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="detailed-tag">{t("tag")}</label>
          <select id="detailed-tag" value={tag} onChange={(e) => setTag(e.target.value)} data-testid="detailed-tag">
            <option value="">{t("anyTag")}</option>
            {tags.map((tag) => (
              <option key={tag.id} value={tag.id}>
                #{tag.name}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          className="secondary"
          disabled={saving || shown.length === 0}
          onClick={() => void exportCsv()}
          title={t("exportHint")}
          data-testid="detailed-export"
        >
          {t("exportCsv")}
        </button>
      </div>
      {saved !== null && (
        <p className="notice small report-saved" role="status" data-testid="detailed-export-path">
          {t("savedTo", { path: saved })}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="detailed-error">
          {error}
        </p>
      )}
      {entries !== null && shown.length === 0 ? (
        <p className="muted empty" data-testid="detailed-empty">
          {t("empty")}
        </p>
      ) : (
        <div className="report-table-wrap" role="region" aria-label={t("entries")} tabIndex={0}>
          <table className="report-table detailed-table" data-testid="detailed-table">
            <thead>
              <tr>
                <th scope="col">{t("date")}</th>
                <th scope="col">{t("member")}</th>
                <th scope="col">{t("client")}</th>
                <th scope="col">{t("project")}</th>
                <th scope="col">{t("note")}</th>
                <th scope="col">{t("tags")}</th>
                <th scope="col">{t("time")}</th>
                <th scope="col" className="num">
                  {t("hours")}
                </th>
                <th scope="col" className="num">
                  {t("billedHours")}
                </th>
                {withAmounts && (
                  <th scope="col" className="num">
                    {t("amount")}
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {shown.map((v) => {
                const time = v.entry.time;
                const span =
                  time.type === "span" ? `${formatTime(time.start, timeZone)} – ${formatTime(time.end, timeZone)}` : "—";
                const note = v.entry.invoiced ? t("invoicedNote", { note: v.entry.note }) : v.entry.note;
                return (
                  <tr key={v.entry.id} data-testid="detailed-row">
                    <td>{formatDate(v.date)}</td>
                    <td title={v.member_name}>{v.member_name}</td>
                    <td title={v.client_name}>{v.entry.project ? v.client_name : ""}</td>
                    <td title={v.project_name}>{v.entry.project ? v.project_name : <em className="muted">{t("noProject")}</em>}</td>
                    <td className="detailed-note" title={note}>
                      {note}
                    </td>
                    <td>{v.entry.tags.map((tag) => `#${tagName.get(tag) ?? "?"}`).join(" ")}</td>
                    <td>{span}</td>
                    <td className="num">{hours(v.seconds)}</td>
                    <td className="num">{v.entry.billable ? hours(v.billed_seconds) : "—"}</td>
                    {withAmounts && <td className="num">{v.amount ? money(v.amount) : ""}</td>}
                  </tr>
                );
              })}
            </tbody>
            <tfoot>
              <tr className="report-total-row">
                <th scope="row" colSpan={7}>
                  {t("total", { count: shown.length })}
                </th>
                <td className="num" data-testid="detailed-total-hours">
                  {hours(seconds)}
                </td>
                <td className="num" data-testid="detailed-total-billed">
                  {hours(billed)}
                </td>
                {withAmounts && (
                  <td className="num" data-testid="detailed-total-amount">
                    {totals(shown)}
                  </td>
                )}
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </div>
  );
}
