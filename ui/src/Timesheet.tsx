import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";

import { api, errorMessage } from "./api";
import type { EntryView } from "./bindings/EntryView";
import type { ProjectView } from "./bindings/ProjectView";
import i18n from "./i18n";
import { Picker, projectPickerOptions } from "./Picker";
import { dayLabel, hoursMinutes, parseDuration } from "./time";
import { secondsOf } from "./TodayList";

type Props = {
  /** The seven days shown (YYYY-MM-DD). */
  days: string[];
  /** The member's entries in those days. */
  entries: EntryView[];
  /** Active projects a row can be added for. */
  projects: ProjectView[];
  /** Days before this one are locked (YYYY-MM-DD), if any. */
  lockBefore: string | null;
  today: string;
  /** Now, in milliseconds (for running timers). */
  now: number;
  /** Whether cells take typing (the acting member's own time, and they may track). */
  canEdit: boolean;
  onChanged: () => void;
};

/** What typing a duration into a cell does to the entries already in it. */
export type CellPlan =
  | { kind: "none" }
  | { kind: "add"; seconds: number }
  | { kind: "edit"; id: string; date: string; seconds: number }
  | { kind: "delete"; id: string }
  | { kind: "refuse"; reason: string };

/**
 * The change that makes a cell (one project, one day) hold `text` of time, as Harvest's timesheet
 * does: an empty cell gets a new entry; a cell of one untimed entry has it changed (or removed at
 * zero); more time in a busier cell is added as one more entry. Less time in a cell of several or
 * timed entries is refused: which of them to shorten is the person's choice, in the day list.
 * A refusal's reason is in the UI's language at the time of the call.
 */
export function planCell(cell: EntryView[], shown: string, text: string, date: string): CellPlan {
  if (text.trim() === shown.trim()) return { kind: "none" };
  const seconds = text.trim() === "" ? 0 : parseDuration(text);
  if (seconds === null || seconds < 0) return { kind: "refuse", reason: i18n.t("common.durationHint", { ns: "track" }) };
  const current = cell.reduce((sum, v) => sum + v.seconds, 0);
  if (seconds === current) return { kind: "none" };
  const only = cell.length === 1 ? cell[0] : undefined;
  if (cell.length === 0) return seconds === 0 ? { kind: "none" } : { kind: "add", seconds };
  if (only && only.entry.time.type === "duration" && only.can_edit && !only.entry.invoiced) {
    return seconds === 0 ? { kind: "delete", id: only.entry.id } : { kind: "edit", id: only.entry.id, date, seconds };
  }
  if (seconds > current) return { kind: "add", seconds: seconds - current };
  // One entry here is a timed one (or one that may not be rewritten); several are any kind.
  return { kind: "refuse", reason: i18n.t("timesheet.refuse", { ns: "track", count: cell.length }) };
}

/** The row key of time that has no project yet. */
const NO_PROJECT = "";

/** A cell shows its time as `1:30`, and nothing when there is none. */
const cellText = (seconds: number) => (seconds > 0 ? hoursMinutes(seconds) : "");

type Row = { project: string; label: string; client: string; name: string };

/** A week of the member's time as projects × days; typing `1:30` or `1.5` into a cell records it. */
export function Timesheet({ days, entries, projects, lockBefore, today, now, canEdit, onChanged }: Props) {
  const { t } = useTranslation("track");
  const [added, setAdded] = useState<string[]>([]);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [error, setError] = useState<{ cell: string; message: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // Cells being saved (Enter then blur must not save twice), and cells saved whose typed text stays
  // until the entries read back hold it, so the cell does not flicker back to its old value.
  const saving = useRef(new Set<string>());
  const saved = useRef(new Set<string>());

  useEffect(() => {
    if (saved.current.size === 0) return;
    const done = new Set(saved.current);
    saved.current.clear();
    setDrafts((d) => Object.fromEntries(Object.entries(d).filter(([k]) => !done.has(k))));
  }, [entries]);

  const rows = new Map<string, Row>();
  for (const v of entries) {
    const project = v.entry.project ?? NO_PROJECT;
    rows.set(
      project,
      project === NO_PROJECT
        ? { project, label: t("common.noProject"), client: "", name: t("common.noProject") }
        : { project, label: `${v.client_name} — ${v.project_name}`, client: v.client_name, name: v.project_name },
    );
  }
  for (const id of added) {
    const p = projects.find((p) => p.project.id === id);
    if (p && !rows.has(id)) {
      rows.set(id, { project: id, label: `${p.client_name} — ${p.project.name}`, client: p.client_name, name: p.project.name });
    }
  }
  // By client and project; time without a project last, as the row that still needs one.
  const ordered = [...rows.values()].sort(
    (a, b) => Number(a.project === NO_PROJECT) - Number(b.project === NO_PROJECT) || a.label.localeCompare(b.label),
  );
  const addable = projects.filter((p) => !rows.has(p.project.id));
  // Kept while what `addable` is made of stays the same: a running timer renders this every second,
  // and the picker would fold 5,000 names again for a new list.
  const addableOptions = useMemo(() => projectPickerOptions(addable), [projects, entries, added]);

  const cellOf = (project: string, day: string) =>
    entries.filter((v) => (v.entry.project ?? NO_PROJECT) === project && v.date === day);
  const sum = (views: EntryView[]) => views.reduce((s, v) => s + secondsOf(v, now), 0);
  const locked = (day: string) => lockBefore !== null && day < lockBefore;
  const key = (project: string, day: string) => `${project}/${day}`;

  async function commit(project: string, day: string) {
    const id = key(project, day);
    const text = drafts[id];
    if (text === undefined || saving.current.has(id)) return;
    const cell = cellOf(project, day);
    const plan = planCell(cell, cellText(sum(cell)), text, day);
    if (plan.kind === "none") {
      setDrafts(({ [id]: _, ...rest }) => rest);
      if (error?.cell === id) setError(null);
      return;
    }
    if (plan.kind === "refuse") {
      setError({ cell: id, message: plan.reason });
      return;
    }
    saving.current.add(id);
    setBusy(id);
    try {
      if (plan.kind === "add") {
        await api.addEntry({
          member: null,
          project,
          task: null,
          time: { type: "duration", date: day, seconds: plan.seconds },
          note: "",
          billable: null,
          tags: [],
        });
      } else if (plan.kind === "edit") {
        await api.editEntry(plan.id, {
          project: null,
          task: null,
          clear_task: false,
          time: { type: "duration", date: plan.date, seconds: plan.seconds },
          note: null,
          billable: null,
          tags: null,
        });
      } else {
        await api.deleteEntry(plan.id);
      }
      saved.current.add(id);
      setError(null);
      onChanged();
    } catch (e) {
      setError({ cell: id, message: errorMessage(e) });
    } finally {
      saving.current.delete(id);
      setBusy(null);
    }
  }

  function onKey(event: KeyboardEvent<HTMLInputElement>, project: string, day: string) {
    const id = key(project, day);
    if (event.key === "Enter") {
      event.preventDefault();
      void commit(project, day);
    } else if (event.key === "Escape") {
      event.preventDefault();
      setDrafts(({ [id]: _, ...rest }) => rest);
      if (error?.cell === id) setError(null);
    }
  }

  const weekTotal = sum(entries);

  return (
    <div className="timesheet" data-testid="timesheet">
      <div className="timesheet-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col" className="timesheet-project">
                {t("timesheet.project")}
              </th>
              {days.map((day) => (
                <th
                  scope="col"
                  key={day}
                  className={`timesheet-day${day === today ? " is-today" : ""}${locked(day) ? " is-locked" : ""}`}
                >
                  {dayLabel(day)}
                </th>
              ))}
              <th scope="col" className="timesheet-sum">
                {t("timesheet.total")}
              </th>
            </tr>
          </thead>
          <tbody>
            {ordered.length === 0 && (
              <tr>
                <td colSpan={days.length + 2} className="muted empty" data-testid="timesheet-empty">
                  {canEdit ? t("timesheet.emptyEditable") : t("timesheet.empty")}
                </td>
              </tr>
            )}
            {ordered.map((row) => (
              <tr key={row.project} data-testid="timesheet-row" data-project={row.project}>
                <th scope="row" className={`timesheet-project${row.project === NO_PROJECT ? " no-project" : ""}`}>
                  {row.client && <span className="timesheet-client muted small">{row.client}</span>}
                  <span>{row.name}</span>
                </th>
                {days.map((day) => {
                  const id = key(row.project, day);
                  const cell = cellOf(row.project, day);
                  const shown = cellText(sum(cell));
                  const running = cell.some((v) => v.entry.time.type === "running");
                  const unassigned = row.project === NO_PROJECT;
                  const readOnly = !canEdit || locked(day) || running || unassigned;
                  const why = locked(day)
                    ? t("common.lockedPeriod")
                    : running
                      ? t("timesheet.runningTitle")
                      : unassigned
                        ? t("timesheet.noProjectTitle")
                        : undefined;
                  const wrong = error?.cell === id;
                  return (
                    <td key={day} className={`${day === today ? "is-today" : ""}${locked(day) ? " is-locked" : ""}`}>
                      <input
                        className={`timesheet-cell${running ? " is-running" : ""}`}
                        value={drafts[id] ?? shown}
                        readOnly={readOnly || busy === id}
                        aria-busy={busy === id || undefined}
                        title={why}
                        inputMode="decimal"
                        aria-label={`${row.label}, ${dayLabel(day)}`}
                        aria-invalid={wrong || undefined}
                        aria-describedby={wrong ? "timesheet-error" : undefined}
                        onFocus={(e) => e.currentTarget.select()}
                        onChange={(e) => setDrafts((d) => ({ ...d, [id]: e.target.value }))}
                        onBlur={() => void commit(row.project, day)}
                        onKeyDown={(e) => onKey(e, row.project, day)}
                        data-testid="timesheet-cell"
                        data-project={row.project}
                        data-date={day}
                      />
                    </td>
                  );
                })}
                <td className="timesheet-sum" data-testid="timesheet-row-total">
                  {hoursMinutes(sum(entries.filter((v) => (v.entry.project ?? NO_PROJECT) === row.project)))}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" className="timesheet-project">
                {t("timesheet.total")}
              </th>
              {days.map((day) => (
                <td key={day} className="timesheet-sum" data-testid="timesheet-day-total" data-date={day}>
                  {hoursMinutes(sum(entries.filter((v) => v.date === day)))}
                </td>
              ))}
              <td className="timesheet-sum timesheet-total" data-testid="timesheet-total">
                {hoursMinutes(weekTotal)}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      {canEdit && addable.length > 0 && (
        // Below the table, outside its scrolling box, so that the list opens in full. Type to find
        // one of an agency's 5,000 projects, as everywhere a project is chosen.
        <div className="timesheet-add">
          <label htmlFor="timesheet-add-row" className="small muted">
            {t("timesheet.addRow")}
          </label>
          <Picker
            id="timesheet-add-row"
            testid="timesheet-add-row"
            options={addableOptions}
            value={null}
            placeholder={t("timesheet.addRowOption")}
            onChange={(id) => id && setAdded((a) => [...a, id])}
          />
        </div>
      )}
      {error && (
        <p className="error" role="alert" id="timesheet-error" data-testid="timesheet-error">
          {error.message}
        </p>
      )}
    </div>
  );
}
