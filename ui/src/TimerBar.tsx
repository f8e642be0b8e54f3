import { useEffect, useLayoutEffect, useMemo, useRef, useState, type FormEvent, type MutableRefObject } from "react";
import { useTranslation } from "react-i18next";

import { api, errorMessage, setWindowTitle } from "./api";
import type { Tag } from "./bindings/Tag";
import type { TaskView } from "./bindings/TaskView";
import { Picker, projectPickerOptions, type PickerOption } from "./Picker";
import { TagChip } from "./TagChip";
import type { EntryChanges } from "./bindings/EntryChanges";
import type { EntryView } from "./bindings/EntryView";
import type { ProjectView } from "./bindings/ProjectView";
import { clock, secondsSince } from "./time";

type Props = {
  /** Called after the timer started or stopped, so lists can refresh. */
  onChanged: () => void;
  /** Whether the acting member may track time; if not, `reason` says why. */
  canTrack?: boolean;
  reason?: string;
  /** Changes when projects or the acting member change, to reload. */
  refreshKey?: string | number;
  /** Filled with what the window's shortcuts may do with the timer (`S`). */
  control?: MutableRefObject<TimerControl | null>;
  /** One line, without the tags (outside Track): the fields keep their labels for assistive tech. */
  compact?: boolean;
};

/** The timer as the keyboard drives it. */
export type TimerControl = {
  /** Stop the running timer, or start one (on the chosen project, or on none yet). */
  startOrStop: () => void;
};

/** What an edit leaves as it was. */
const KEEP: EntryChanges = {
  project: null,
  task: null,
  clear_task: false,
  time: null,
  note: null,
  billable: null,
  tags: null,
};

/** Project picker, note and a Start/Stop button; shows the running time, ticking, also in the
 * window title. A timer may start without a project (one is assigned later, before invoicing);
 * while it runs, its project, task, note and tags change the running entry at once. */
export function TimerBar({ onChanged, canTrack = true, reason = "", refreshKey = 0, control, compact = false }: Props) {
  const { t } = useTranslation("track");
  const [projects, setProjects] = useState<ProjectView[] | null>(null);
  const [project, setProject] = useState("");
  const [note, setNote] = useState("");
  const [task, setTask] = useState<string | null>(null);
  const [tasks, setTasks] = useState<TaskView[]>([]);
  const [tags, setTags] = useState<Tag[]>([]);
  const [chosenTags, setChosenTags] = useState<string[]>([]);
  const [newTag, setNewTag] = useState("");
  const [running, setRunning] = useState<EntryView | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [error, setError] = useState<string | null>(null);
  /** How many other entries the timer just started overlaps, to say so. */
  const [overlapping, setOverlapping] = useState(0);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([api.projects(), api.runningTimer(), api.tags().catch(() => [])]).then(
      ([found, timer, knownTags]) => {
        setProjects(found);
        setTags((knownTags ?? []).filter((t) => !t.archived));
        setRunning(timer);
        if (timer) {
          setProject(timer.entry.project ?? "");
          setTask(timer.entry.task);
          setChosenTags(timer.entry.tags);
          setNote(timer.entry.note);
        } else if (found.length > 0 && found[0]) {
          const first = found[0].project.id;
          setProject((current) => (found.some((p) => p.project.id === current) ? current : first));
        }
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [refreshKey]);

  useEffect(() => {
    if (!project) {
      setTasks([]);
      return;
    }
    let current = true;
    api.tasks(project).then(
      (found) => {
        if (current) setTasks(found.filter((t) => !t.task.archived));
      },
      () => {
        if (current) setTasks([]);
      },
    );
    return () => {
      current = false;
    };
  }, [project]);

  const projectOptions = useMemo<PickerOption[]>(
    () => projectPickerOptions(projects ?? []),
    [projects],
  );
  const taskOptions = useMemo<PickerOption[]>(
    () => tasks.map((t) => ({ id: t.task.id, label: t.task.name })),
    [tasks],
  );

  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, [running]);

  async function toggle(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setOverlapping(0);
    try {
      if (running) {
        await api.stopTimer();
        setRunning(null);
        setNote("");
        setTask(null);
        setChosenTags([]);
      } else {
        const outcome = await api.startTimer({ project: project || null, task, note, billable: null, tags: chosenTags });
        setRunning(outcome.entry);
        setOverlapping(outcome.overlaps.length);
      }
      onChanged();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  /** Change the running entry (a project assigned, a note finished); the bar shows what was saved. */
  async function amend(changes: Partial<EntryChanges>) {
    if (!running) return;
    setError(null);
    try {
      const outcome = await api.editEntry(running.entry.id, { ...KEEP, ...changes });
      setRunning(outcome.entry);
      onChanged();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function addTag() {
    const name = newTag.trim();
    if (!name) return;
    const existing = tags.find((t) => t.name.toLowerCase() === name.toLowerCase());
    try {
      const id = existing ? existing.id : await api.addTag(name);
      if (!existing) setTags((all) => [...all, { id, name, archived: false }]);
      const next = chosenTags.includes(id) ? chosenTags : [...chosenTags, id];
      setChosenTags(next);
      setNewTag("");
      if (running) await amend({ tags: next });
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  const form = useRef<HTMLFormElement>(null);
  // In the commit, not after it: a shortcut pressed as soon as the bar shows "Stop" enabled must
  // not meet the previous render's control, which still thinks the start is being answered.
  useLayoutEffect(() => {
    if (!control) return;
    control.current = {
      startOrStop: () => {
        if (busy || !canTrack) return;
        form.current?.requestSubmit();
      },
    };
    return () => {
      control.current = null;
    };
  });

  const startedAt = running && running.entry.time.type === "running" ? running.entry.time.start : null;
  const elapsed = startedAt ? clock(secondsSince(startedAt, now)) : "0:00:00";

  useEffect(() => {
    const title = running ? `${elapsed} · ${running.project_name || t("common.noProject")} — Stint` : "Stint";
    document.title = title;
    setWindowTitle(title);
  }, [running, elapsed, t]);

  return (
    <form
      ref={form}
      className={`timer-bar${running ? " is-running" : ""}${compact ? " is-compact" : ""}`}
      onSubmit={toggle}
      data-testid="timer-bar"
    >
      <div className="field project-field">
        <label htmlFor="timer-project">{t("timerBar.project")}</label>
        <Picker
          id="timer-project"
          testid="timer-project"
          options={projectOptions}
          value={project || null}
          onChange={(id) => {
            setProject(id ?? "");
            setTask(null);
            if (id) void amend({ project: id });
          }}
          {...(running?.entry.project ? {} : { allowNone: t("common.noProject") })}
          placeholder={projects?.length === 0 ? t("timerBar.noProjectYet") : t("timerBar.assignLater")}
          disabled={busy || !canTrack}
        />
      </div>
      <div className="field task-field">
        <label htmlFor="timer-task">{t("timerBar.task")}</label>
        <Picker
          id="timer-task"
          testid="timer-task"
          options={taskOptions}
          value={task}
          onChange={(id) => {
            setTask(id);
            void amend(id ? { task: id } : { clear_task: true });
          }}
          allowNone={t("common.noTask")}
          disabled={busy || !canTrack || taskOptions.length === 0}
        />
      </div>
      <div className="field note-field">
        <label htmlFor="timer-note">{t("timerBar.note")}</label>
        <input
          id="timer-note"
          value={note}
          placeholder={t("timerBar.notePlaceholder")}
          disabled={busy || !canTrack}
          onChange={(e) => setNote(e.target.value)}
          onBlur={() => {
            if (running && note !== running.entry.note) void amend({ note });
          }}
          onKeyDown={(e) => {
            // Enter while a timer runs saves the note; it does not stop the timer.
            if (e.key === "Enter" && running) {
              e.preventDefault();
              if (note !== running.entry.note) void amend({ note });
            }
          }}
          data-testid="timer-note"
        />
      </div>
      <output className="elapsed" aria-label={t("timerBar.runningTime")} aria-live="off" data-testid="timer-elapsed">
        {elapsed}
      </output>
      <button
        type="submit"
        className={running ? "stop" : "primary"}
        disabled={busy || !canTrack}
        title={canTrack ? undefined : reason}
        data-testid="timer-toggle"
      >
        {running ? t("timerBar.stop") : t("timerBar.start")}
      </button>
      <div className="tags full-row" role="group" aria-label={t("timerBar.tags")} data-testid="timer-tags">
        {tags.map((t) => {
          const on = chosenTags.includes(t.id);
          return (
            <TagChip
              key={t.id}
              tag={t}
              applied={on}
              disabled={busy || !canTrack}
              onToggle={() => {
                const next = on ? chosenTags.filter((c) => c !== t.id) : [...chosenTags, t.id];
                setChosenTags(next);
                if (running) void amend({ tags: next });
              }}
              testid="timer-tag"
            />
          );
        })}
        {canTrack && (
          <input
            className="tag-input"
            aria-label={t("timerBar.newTag")}
            placeholder={t("timerBar.newTagPlaceholder")}
            value={newTag}
            onChange={(e) => setNewTag(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                void addTag();
              }
            }}
            data-testid="timer-new-tag"
          />
        )}
      </div>
      {error && (
        <p className="error full-row" role="alert" data-testid="timer-error">
          {error}
        </p>
      )}
      {projects?.length === 0 && (
        <p className="muted small full-row" data-testid="timer-no-projects">
          {t("timerBar.noProjects")}
        </p>
      )}
      {running && !running.entry.project && (
        <p className="notice full-row" role="status" data-testid="timer-no-project">
          {t("timerBar.noProjectNotice")}
        </p>
      )}
      {!canTrack && (
        <p className="muted small full-row" data-testid="timer-readonly">
          {reason}
        </p>
      )}
      {overlapping > 0 && (
        <p className="notice full-row" role="status" data-testid="timer-notice">
          {t("timerBar.overlaps", { count: overlapping })}
        </p>
      )}
    </form>
  );
}
