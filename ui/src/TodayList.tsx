import type { TFunction } from "i18next";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { DateField } from "./DateField";
import { api, errorMessage } from "./api";
import type { EntryChanges } from "./bindings/EntryChanges";
import type { EntryView } from "./bindings/EntryView";
import type { ProjectView } from "./bindings/ProjectView";
import type { Tag } from "./bindings/Tag";
import type { TaskView } from "./bindings/TaskView";
import { formatDuration, formatTime } from "./format";
import { overlapPartner, trim } from "./overlaps";
import { Picker, projectPickerOptions, type PickerOption } from "./Picker";
import { TagChip } from "./TagChip";
import { clock, hoursMinutes, isWallTime, money, parseDuration, secondsSince, spanOn, wallTime } from "./time";

type Props = {
  entries: EntryView[];
  timeZone: string;
  onSaved: () => void;
  /** Active projects an entry can be moved to (the entry's own project is always offered). */
  projects?: ProjectView[];
  /** What to say when there are no entries (by default, that nothing was tracked today). */
  emptyText?: string;
  /** Offer ▶ Continue on every stopped entry (the list is the acting member's own time). */
  canContinue?: boolean;
  /** Milliseconds since the epoch, ticking while a timer runs: the running entry's live duration. */
  now?: number;
};

/** The running entry first, as the one being worked on; the others in the engine's order. */
export function runningFirst(entries: EntryView[]): EntryView[] {
  const running = (v: EntryView) => v.entry.time.type === "running";
  return [...entries.filter(running), ...entries.filter((v) => !running(v))];
}

/** Seconds of `view`: for the running entry, until `now`. */
export function secondsOf(view: EntryView, now: number): number {
  const time = view.entry.time;
  return time.type === "running" ? Math.max(0, secondsSince(time.start, now)) : view.seconds;
}

/**
 * Start a timer on what `view` was: same project, task, note, billable and tags, as Toggl's ▶.
 * A timer already running is stopped first (one timer per person).
 */
export async function continueEntry(view: EntryView): Promise<void> {
  if (await api.runningTimer()) await api.stopTimer();
  const e = view.entry;
  await api.startTimer({ project: e.project, task: e.task, note: e.note, billable: e.billable, tags: e.tags });
}

/** How long "Undo" stays offered after a delete. */
const UNDO_MS = 10_000;

/** A day's entries, each editable in place (project, task, note, billable, and start and end or
 * the duration) and deletable at once, with Undo offered for a while after. */
export function TodayList({
  entries,
  timeZone,
  onSaved,
  projects = [],
  emptyText,
  canContinue = false,
  now = Date.now(),
}: Props) {
  const { t } = useTranslation("track");
  const [editing, setEditing] = useState<string | null>(null);
  const [removed, setRemoved] = useState<EntryView | null>(null);
  const [undoError, setUndoError] = useState<string | null>(null);

  useEffect(() => {
    if (!removed) return;
    const expire = setTimeout(() => setRemoved(null), UNDO_MS);
    return () => clearTimeout(expire);
  }, [removed]);

  /** Put a deleted entry back as it was (as a new entry: same member, project, time, note, tags). */
  async function restore() {
    if (!removed) return;
    const e = removed.entry;
    try {
      await api.addEntry({
        member: e.member,
        project: e.project,
        task: e.task,
        time: e.time,
        note: e.note,
        billable: e.billable,
        tags: e.tags,
      });
      setRemoved(null);
      setUndoError(null);
      onSaved();
    } catch (error) {
      setUndoError(errorMessage(error));
    }
  }

  const undo = removed && (
    <div className="undo-bar" role="status" data-testid="entry-undo-bar">
      <span>
        {t("todayList.deleted", { what: label(removed, t), when: when(removed, timeZone, t), duration: clock(removed.seconds) })}
      </span>
      <button type="button" className="link" onClick={() => void restore()} data-testid="entry-undo">
        {t("todayList.undo")}
      </button>
      {undoError && (
        <span className="error" role="alert">
          {undoError}
        </span>
      )}
    </div>
  );

  if (entries.length === 0) {
    return (
      <>
        {undo}
        <p className="muted empty" data-testid="today-empty">
          {emptyText ?? t("todayList.empty")}
        </p>
      </>
    );
  }

  return (
    <>
      {undo}
      <ul className="entries" data-testid="today-list">
        {runningFirst(entries).map((view) =>
          editing === view.entry.id ? (
            <EditRow
              key={view.entry.id}
              view={view}
              timeZone={timeZone}
              projects={projects}
              onDone={(saved) => {
                setEditing(null);
                if (saved) onSaved();
              }}
            />
          ) : (
            <Row
              key={view.entry.id}
              view={view}
              timeZone={timeZone}
              onEdit={() => setEditing(view.entry.id)}
              onChanged={onSaved}
              onDeleted={() => {
                setRemoved(view);
                setUndoError(null);
                onSaved();
              }}
              canContinue={canContinue}
              now={now}
              partner={view.overlaps ? overlapPartner(view, entries, now) : null}
            />
          ),
        )}
      </ul>
    </>
  );
}

/** How an entry is named in another's row: its note, else its project. */
function label(view: EntryView, t: TFunction<"track">): string {
  return view.entry.note || view.project_name || t("common.noProject");
}

/** An entry's times of day as the organization's locale writes them ("09:00 – 10:30", "9:00 AM – 10:30 AM"). */
function when(view: EntryView, timeZone: string, t: TFunction<"track">): string {
  const time = view.entry.time;
  switch (time.type) {
    case "running":
      return t("todayList.sinceNow", { start: formatTime(time.start, timeZone) });
    case "span":
      return `${formatTime(time.start, timeZone)} – ${formatTime(time.end, timeZone)}`;
    case "duration":
      return "—";
  }
}

function Row({
  view,
  timeZone,
  onEdit,
  onChanged,
  onDeleted,
  canContinue,
  now,
  partner,
}: {
  view: EntryView;
  timeZone: string;
  onEdit: () => void;
  /** After a trim or a Continue. */
  onChanged: () => void;
  /** After this entry was deleted. */
  onDeleted: () => void;
  canContinue: boolean;
  now: number;
  /** The listed entry its time overlaps, if the engine flagged it and it is in this list. */
  partner: EntryView | null;
}) {
  const { t } = useTranslation("track");
  const running = view.entry.time.type === "running";
  const editable = view.can_edit && !view.locked && !view.entry.invoiced && !running;
  const [error, setError] = useState<string | null>(null);

  const [busy, setBusy] = useState(false);

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await api.deleteEntry(view.entry.id);
      onDeleted();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  const trimmed = partner && editable ? trim(view, partner, now) : null;

  async function cut() {
    if (!trimmed) return;
    setBusy(true);
    setError(null);
    try {
      await api.editEntry(view.entry.id, {
        project: null,
        task: null,
        clear_task: false,
        time: trimmed.time,
        note: null,
        billable: null,
        tags: null,
      });
      onChanged();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  async function resume() {
    setBusy(true);
    setError(null);
    try {
      await continueEntry(view);
      onChanged();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className={`entry${running ? " is-running" : ""}`} data-testid="entry-row">
      <div className="entry-main">
        <span className="entry-project" data-testid="entry-project">
          {view.entry.project ? (
            <>
              <span className="muted">{view.client_name} — </span>
              {view.project_name}
            </>
          ) : (
            <span className="no-project" title={t("todayList.assignToBill")} data-testid="entry-no-project">
              {t("common.noProject")}
            </span>
          )}
        </span>
        <span className="entry-note" data-testid="entry-note">
          {view.entry.note || <span className="muted">{t("todayList.noNote")}</span>}
        </span>
      </div>
      <span className="entry-time" data-testid="entry-time">
        {when(view, timeZone, t)}
      </span>
      <span className="entry-duration" data-testid="entry-duration">
        {clock(secondsOf(view, now))}
      </span>
      <span className="entry-amount" data-testid="entry-amount">
        {view.amount ? money(view.amount) : ""}
      </span>
      <span className="entry-actions">
        {running && (
          <span className="running-badge" data-testid="entry-running">
            {t("common.running")}
          </span>
        )}
        {canContinue && !running && (
          <button
            type="button"
            className="link continue"
            onClick={() => void resume()}
            disabled={busy}
            title={t("todayList.continueTitle")}
            aria-label={t("todayList.continueLabel", { what: label(view, t) })}
            data-testid="entry-continue"
          >
            {t("todayList.continue")}
          </button>
        )}
        {editable && (
          <>
            <button type="button" className="link" onClick={onEdit} data-testid="entry-edit" aria-label={t("todayList.editLabel", { what: label(view, t) })}>
              {t("todayList.edit")}
            </button>
            <button type="button" className="link danger" onClick={() => void remove()} disabled={busy} data-testid="entry-delete" aria-label={t("todayList.deleteLabel", { what: label(view, t) })}>
              {t("todayList.delete")}
            </button>
          </>
        )}
        {view.locked && (
          <span className="locked-badge" title={t("common.lockedPeriod")} data-testid="entry-locked">
            {t("common.locked")}
          </span>
        )}
      </span>
      {view.overlaps && (
        <div className="entry-flags full-row">
          <span
            className="overlap-badge"
            title={
              partner
                ? t("todayList.overlapsTitle", { what: label(partner, t), when: when(partner, timeZone, t) })
                : t("todayList.overlapsAnotherTitle")
            }
            data-testid="entry-overlaps"
          >
            {partner ? t("todayList.overlapsWith", { what: label(partner, t), when: when(partner, timeZone, t) }) : t("todayList.overlaps")}
          </span>
          {trimmed && (
            <button
              type="button"
              className="link"
              onClick={() => void cut()}
              disabled={busy}
              title={t("todayList.trimTitle")}
              data-testid="entry-trim"
            >
              {trimmed.edge === "end"
                ? t("todayList.trimEnd", { time: formatTime(trimmed.at, timeZone) })
                : t("todayList.trimStart", { time: formatTime(trimmed.at, timeZone) })}
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="error full-row" role="alert" data-testid="entry-row-error">
          {error}
        </p>
      )}
    </li>
  );
}

/** Whether two tag lists hold the same tags, in any order. */
function sameTags(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((t) => b.includes(t));
}

function EditRow({
  view,
  timeZone,
  projects,
  onDone,
}: {
  view: EntryView;
  timeZone: string;
  projects: ProjectView[];
  onDone: (saved: boolean) => void;
}) {
  const { t } = useTranslation("track");
  const entry = view.entry;
  const time = entry.time;
  const hasSpan = time.type === "span";
  const hasDuration = time.type === "duration";
  const [project, setProject] = useState<string | null>(entry.project);
  const [task, setTask] = useState<string | null>(entry.task);
  const [tasks, setTasks] = useState<TaskView[]>([]);
  const [note, setNote] = useState(entry.note);
  const [billable, setBillable] = useState(entry.billable);
  // The fields take and give 24-hour HH:MM whatever the locale: that is what isWallTime and spanOn read.
  const [start, setStart] = useState(hasSpan ? wallTime(time.start, timeZone) : "");
  const [end, setEnd] = useState(hasSpan ? wallTime(time.end, timeZone) : "");
  const [duration, setDuration] = useState(hasDuration ? hoursMinutes(time.seconds) : "");
  const [day, setDay] = useState(view.date);
  const [allTags, setAllTags] = useState<Tag[]>([]);
  const [chosenTags, setChosenTags] = useState<string[]>(entry.tags);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = entry.id;

  useEffect(() => {
    let current = true;
    api.tags().then(
      (found) => current && setAllTags(found),
      () => current && setAllTags([]),
    );
    return () => {
      current = false;
    };
  }, []);
  // Tags the entry has (even archived ones) and the active others, to apply.
  const shownTags = allTags.filter((t) => !t.archived || entry.tags.includes(t.id));

  useEffect(() => {
    if (!project) {
      setTasks([]);
      return;
    }
    let current = true;
    api.tasks(project).then(
      (found) => {
        if (current) setTasks(found.filter((t) => !t.task.archived || t.task.id === entry.task));
      },
      () => {
        if (current) setTasks([]);
      },
    );
    return () => {
      current = false;
    };
  }, [project, entry.task]);

  const projectOptions = useMemo<PickerOption[]>(() => {
    const options = projectPickerOptions(projects);
    const own = entry.project;
    if (own && !options.some((o) => o.id === own)) {
      options.unshift({ id: own, label: view.project_name, detail: view.client_name });
    }
    return options;
  }, [projects, entry.project, view.project_name, view.client_name]);
  const taskOptions = useMemo<PickerOption[]>(
    () => tasks.map((t) => ({ id: t.task.id, label: t.task.name })),
    [tasks],
  );

  async function save(event: FormEvent) {
    event.preventDefault();
    const changes: EntryChanges = {
      project: project === entry.project ? null : project,
      task: task !== null && task !== entry.task ? task : null,
      clear_task: task === null && entry.task !== null,
      time: null,
      note: note === entry.note ? null : note,
      billable: billable === entry.billable ? null : billable,
      tags: sameTags(chosenTags, entry.tags) ? null : chosenTags,
    };
    if (!day) {
      setError(t("todayList.chooseDay"));
      return;
    }
    const moved = day !== view.date;
    if (hasSpan && (moved || start !== wallTime(time.start, timeZone) || end !== wallTime(time.end, timeZone))) {
      if (!isWallTime(start) || !isWallTime(end)) {
        setError(t("common.timesHint"));
        return;
      }
      changes.time = spanOn(day, start, end, timeZone);
    }
    if (hasDuration && (moved || duration !== hoursMinutes(time.seconds))) {
      const seconds = parseDuration(duration);
      if (seconds === null || seconds <= 0) {
        setError(t("common.durationHint"));
        return;
      }
      changes.time = { type: "duration", date: day, seconds };
    }
    setBusy(true);
    setError(null);
    try {
      await api.editEntry(id, changes);
      onDone(true);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <li className="entry editing" data-testid="entry-edit-row">
      <form
        className="entry-form"
        onSubmit={save}
        onKeyDown={(e) => {
          if (e.key === "Escape" && !e.defaultPrevented) onDone(false);
        }}
      >
        <div className="field ef-project">
          <label htmlFor={`project-${id}`}>{t("todayList.project")}</label>
          <Picker
            id={`project-${id}`}
            testid="entry-project-input"
            options={projectOptions}
            value={project}
            onChange={(picked) => {
              if (picked && picked !== project) {
                setProject(picked);
                setTask(null);
              }
            }}
            placeholder={t("todayList.projectPlaceholder")}
            disabled={busy}
          />
        </div>
        <div className="field ef-task">
          <label htmlFor={`task-${id}`}>{t("todayList.task")}</label>
          <Picker
            id={`task-${id}`}
            testid="entry-task-input"
            options={taskOptions}
            value={task}
            onChange={setTask}
            allowNone={t("common.noTask")}
            disabled={busy || (taskOptions.length === 0 && task === null)}
          />
        </div>
        <div className="field ef-date">
          <label htmlFor={`date-${id}`}>{t("todayList.day")}</label>
          <DateField id={`date-${id}`} value={day} required onChange={setDay} testId="entry-date-input" />
        </div>
        {hasSpan && (
          <>
            <div className="field time ef-start">
              <label htmlFor={`start-${id}`}>{t("todayList.start")}</label>
              <input
                id={`start-${id}`}
                value={start}
                inputMode="numeric"
                placeholder={t("common.timePlaceholder")}
                maxLength={5}
                onChange={(e) => setStart(e.target.value)}
                data-testid="entry-start-input"
              />
            </div>
            <div className="field time ef-end">
              <label htmlFor={`end-${id}`}>{t("todayList.end")}</label>
              <input
                id={`end-${id}`}
                value={end}
                inputMode="numeric"
                placeholder={t("common.timePlaceholder")}
                maxLength={5}
                onChange={(e) => setEnd(e.target.value)}
                data-testid="entry-end-input"
              />
            </div>
          </>
        )}
        {hasDuration && (
          <div className="field time ef-start">
            <label htmlFor={`duration-${id}`}>{t("todayList.duration")}</label>
            <input
              id={`duration-${id}`}
              value={duration}
              placeholder={formatDuration(5400)}
              onChange={(e) => setDuration(e.target.value)}
              data-testid="entry-duration-input"
            />
          </div>
        )}
        <label className="check ef-billable">
          <input
            type="checkbox"
            checked={billable}
            onChange={(e) => setBillable(e.target.checked)}
            data-testid="entry-billable-input"
          />
          {t("todayList.billable")}
        </label>
        <div className="field ef-note">
          <label htmlFor={`note-${id}`}>{t("todayList.note")}</label>
          <input
            id={`note-${id}`}
            value={note}
            autoFocus
            onChange={(e) => setNote(e.target.value)}
            data-testid="entry-note-input"
          />
        </div>
        {shownTags.length > 0 && (
          <div className="tags ef-tags" role="group" aria-label={t("todayList.tags")} data-testid="entry-tags-input">
            {shownTags.map((t) => {
              const on = chosenTags.includes(t.id);
              return (
                <TagChip
                  key={t.id}
                  tag={t}
                  applied={on}
                  disabled={busy}
                  onToggle={() => setChosenTags((c) => (on ? c.filter((x) => x !== t.id) : [...c, t.id]))}
                />
              );
            })}
          </div>
        )}
        <div className="actions ef-actions">
          <button type="submit" className="primary" disabled={busy} data-testid="entry-save">
            {t("todayList.save")}
          </button>
          <button type="button" disabled={busy} onClick={() => onDone(false)} data-testid="entry-cancel">
            {t("todayList.cancel")}
          </button>
        </div>
        {error && (
          <p className="error full-row" role="alert" data-testid="entry-error">
            {error}
          </p>
        )}
      </form>
    </li>
  );
}
