import { useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { formatDuration } from "./format";
import { DateField } from "./DateField";
import { Picker, projectPickerOptions, type PickerOption } from "./Picker";
import { api, errorMessage } from "./api";
import type { EntryTime } from "./bindings/EntryTime";
import type { ProjectView } from "./bindings/ProjectView";
import { isWallTime, parseDuration, spanOn } from "./time";

type Props = {
  /** Projects to choose from (active ones). */
  projects: ProjectView[];
  /** The day the form starts on (YYYY-MM-DD). */
  date: string;
  timeZone: string;
  /** Called after an entry was added. */
  onAdded: () => void;
};

type Mode = "span" | "duration";

/** Add finished work by hand: a start and end on a day, or just a duration. */
export function ManualEntry({ projects, date, timeZone, onAdded }: Props) {
  const { t } = useTranslation("track");
  const [day, setDay] = useState(date);
  const [project, setProject] = useState(projects[0]?.project.id ?? "");
  const [mode, setMode] = useState<Mode>("span");
  const [start, setStart] = useState("09:00");
  const [end, setEnd] = useState("10:00");
  const [duration, setDuration] = useState("1:00");
  const [note, setNote] = useState("");
  const [billable, setBillable] = useState(true);
  const [error, setError] = useState<string | null>(null);
  /** How many other entries of the person the one just added overlaps, to say so. */
  const [overlapping, setOverlapping] = useState(0);
  const [busy, setBusy] = useState(false);

  const chosen = project || projects[0]?.project.id || "";
  // A type-to-search picker, not a <select>: an agency's 5,000 projects would be 5,000 options
  // to build on every visit to the day (hundreds of milliseconds) and to scroll through.
  const projectOptions = useMemo<PickerOption[]>(
    () => projectPickerOptions(projects),
    [projects],
  );

  async function submit(event: FormEvent) {
    event.preventDefault();
    setOverlapping(0);
    let time: EntryTime;
    if (mode === "span") {
      if (!isWallTime(start) || !isWallTime(end)) {
        setError(t("common.timesHint"));
        return;
      }
      time = spanOn(day, start, end, timeZone);
    } else {
      const seconds = parseDuration(duration);
      if (seconds === null || seconds <= 0) {
        setError(t("common.durationHint"));
        return;
      }
      time = { type: "duration", date: day, seconds };
    }
    setBusy(true);
    setError(null);
    try {
      const outcome = await api.addEntry({
        member: null,
        project: chosen,
        task: null,
        time,
        note,
        billable: billable ? null : false,
        tags: [],
      });
      setNote("");
      setOverlapping(outcome.overlaps.length);
      onAdded();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  if (projects.length === 0) {
    return (
      <p className="muted small" data-testid="manual-no-projects">
        {t("manualEntry.noProjects")}
      </p>
    );
  }

  return (
    <form className="manual-entry" onSubmit={submit} data-testid="manual-form" aria-label={t("manualEntry.formLabel")}>
      <div className="field">
        <label htmlFor="manual-date">{t("manualEntry.day")}</label>
        <DateField id="manual-date" value={day} required onChange={setDay} testId="manual-date" />
      </div>
      <div className="field grow">
        <label htmlFor="manual-project">{t("manualEntry.project")}</label>
        <Picker
          id="manual-project"
          testid="manual-project"
          options={projectOptions}
          value={chosen || null}
          onChange={(id) => setProject(id ?? "")}
        />
      </div>
      <fieldset className="field mode">
        <legend>{t("manualEntry.time")}</legend>
        <label>
          <input
            type="radio"
            name="manual-mode"
            checked={mode === "span"}
            onChange={() => setMode("span")}
            data-testid="manual-mode-span"
          />
          {t("manualEntry.fromTo")}
        </label>
        <label>
          <input
            type="radio"
            name="manual-mode"
            checked={mode === "duration"}
            onChange={() => setMode("duration")}
            data-testid="manual-mode-duration"
          />
          {t("manualEntry.duration")}
        </label>
      </fieldset>
      {mode === "span" ? (
        <>
          <div className="field time">
            <label htmlFor="manual-start">{t("manualEntry.start")}</label>
            <input
              id="manual-start"
              value={start}
              inputMode="numeric"
              placeholder={t("common.timePlaceholder")}
              maxLength={5}
              onChange={(e) => setStart(e.target.value)}
              data-testid="manual-start"
            />
          </div>
          <div className="field time">
            <label htmlFor="manual-end">{t("manualEntry.end")}</label>
            <input
              id="manual-end"
              value={end}
              inputMode="numeric"
              placeholder={t("common.timePlaceholder")}
              maxLength={5}
              onChange={(e) => setEnd(e.target.value)}
              data-testid="manual-end"
            />
          </div>
        </>
      ) : (
        <div className="field time">
          <label htmlFor="manual-duration">{t("manualEntry.duration")}</label>
          <input
            id="manual-duration"
            value={duration}
            placeholder={formatDuration(5400)}
            onChange={(e) => setDuration(e.target.value)}
            data-testid="manual-duration"
          />
        </div>
      )}
      <div className="field grow">
        <label htmlFor="manual-note">{t("manualEntry.note")}</label>
        <input
          id="manual-note"
          value={note}
          placeholder={t("manualEntry.notePlaceholder")}
          onChange={(e) => setNote(e.target.value)}
          data-testid="manual-note"
        />
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={billable}
          onChange={(e) => setBillable(e.target.checked)}
          data-testid="manual-billable"
        />
        {t("manualEntry.billable")}
      </label>
      <button type="submit" className="primary" disabled={busy || chosen === ""} data-testid="manual-add">
        {t("manualEntry.add")}
      </button>
      {error && (
        <p className="error full-row" role="alert" data-testid="manual-error">
          {error}
        </p>
      )}
      {overlapping > 0 && (
        <p className="notice full-row" role="status" data-testid="manual-overlap">
          {t("manualEntry.added", { count: overlapping })}
        </p>
      )}
    </form>
  );
}
