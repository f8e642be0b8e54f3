// Time away and long timers: the shell watches input idle time, sleep and timer length (see
// src-tauri/src/desktop.rs) and sends events; this module answers them and holds the device
// settings for the watch.
import { listen } from "@tauri-apps/api/event";
import { useEffect, useState, type FormEvent } from "react";

import { api, errorMessage, loadWatchSettings, saveWatchSettings, type WatchSettings } from "./api";
import type { IdleChoice } from "./bindings/IdleChoice";
import { wallTime } from "./time";

type Away = { since: string; minutes: number };
type Reminder = { minutes: number; project: string };

/** Sends this device's watch settings to the shell and collects its events. */
export function useWatch(): {
  away: Away | null;
  reminder: Reminder | null;
  dismissAway: () => void;
  dismissReminder: () => void;
} {
  const [away, setAway] = useState<Away | null>(null);
  const [reminder, setReminder] = useState<Reminder | null>(null);

  useEffect(() => {
    void api.watchSettings(loadWatchSettings()).catch(() => undefined);
    const stops = [
      listen<Away>("idle-returned", (e) => setAway(e.payload)),
      listen<Reminder>("timer-reminder", (e) => setReminder(e.payload)),
    ].map((p) => p.catch(() => () => {}));
    return () => {
      for (const stop of stops) void stop.then((unlisten) => unlisten());
    };
  }, []);

  return {
    away,
    reminder,
    dismissAway: () => setAway(null),
    dismissReminder: () => setReminder(null),
  };
}

function duration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}

/** "You were away": keep the time, discard it, or split it off into its own entry. */
export function AwayDialog({
  away,
  timeZone,
  onDone,
}: {
  away: Away;
  timeZone: string;
  onDone: (changed: boolean) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function choose(choice: IdleChoice) {
    setBusy(true);
    setError(null);
    try {
      await api.resolveIdle(away.since, choice);
      onDone(choice !== "keep");
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <div className="overlay">
      <div
        className="card dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="away-title"
        data-testid="away-dialog"
        onKeyDown={(e) => {
          if (e.key === "Escape") void choose("keep");
        }}
      >
        <h2 id="away-title">Welcome back</h2>
        <p>
          You were away for <strong data-testid="away-minutes">{duration(away.minutes)}</strong>, since{" "}
          {wallTime(away.since, timeZone)}, while the timer ran.
        </p>
        {error && (
          <p className="error" role="alert" data-testid="away-error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" className="primary" autoFocus disabled={busy} onClick={() => void choose("keep")} data-testid="away-keep">
            Keep the time
          </button>
          <button type="button" disabled={busy} onClick={() => void choose("discard")} data-testid="away-discard">
            Discard it
          </button>
          <button type="button" disabled={busy} onClick={() => void choose("split")} data-testid="away-split">
            Split into its own entry
          </button>
        </div>
        <p className="muted small">
          Discard ends the entry when you left and starts the timer again now. Split does the same
          and records the time away as a separate, non-billable entry you can edit.
        </p>
      </div>
    </div>
  );
}

/** A timer that has run for long: stop it, or keep it running. */
export function ReminderBanner({
  reminder,
  onStop,
  onDismiss,
}: {
  reminder: Reminder;
  onStop: () => void;
  onDismiss: () => void;
}) {
  return (
    <div className="notice reminder" role="status" data-testid="timer-reminder">
      <span>
        The timer on <strong>{reminder.project}</strong> has run for {duration(reminder.minutes)}. Still working?
      </span>
      <span className="spacer" />
      <button type="button" className="stop" onClick={onStop} data-testid="reminder-stop">
        Stop timer
      </button>
      <button type="button" onClick={onDismiss} data-testid="reminder-dismiss">
        Keep running
      </button>
    </div>
  );
}

/** This device's watch settings (kept on the device, not in the organization's data). */
export function DeviceSettings() {
  const [saved, setSaved] = useState<WatchSettings>(loadWatchSettings);
  const [idle, setIdle] = useState(String(saved.idle_minutes));
  const [remind, setRemind] = useState(String(saved.remind_after_minutes / 60));
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNote(null);
    const idleMinutes = Number(idle);
    const remindHours = Number(remind.replace(",", "."));
    if (!Number.isInteger(idleMinutes) || idleMinutes < 0 || idleMinutes > 240) {
      setError("Idle time is a whole number of minutes from 0 (off) to 240.");
      return;
    }
    if (!Number.isFinite(remindHours) || remindHours < 0 || remindHours > 24) {
      setError("The reminder is a number of hours from 0 (off) to 24.");
      return;
    }
    const next = { idle_minutes: idleMinutes, remind_after_minutes: Math.round(remindHours * 60) };
    try {
      await api.watchSettings(next);
      saveWatchSettings(next);
      setSaved(next);
      setError(null);
      setNote("Saved for this device.");
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <form className="card device-settings" onSubmit={submit} data-testid="device-settings">
      <h2>This device</h2>
      <p className="muted small">
        When you are away from the keyboard (or the computer sleeps) while a timer runs, Stint asks
        what to do with that time when you are back.
      </p>
      <div className="device-grid">
        <label htmlFor="watch-idle">Ask after no input for (minutes, 0 = never)</label>
        <input
          id="watch-idle"
          inputMode="numeric"
          value={idle}
          onChange={(e) => setIdle(e.target.value)}
          data-testid="watch-idle"
        />
        <label htmlFor="watch-remind">Remind when a timer runs longer than (hours, 0 = never)</label>
        <input
          id="watch-remind"
          inputMode="decimal"
          value={remind}
          onChange={(e) => setRemind(e.target.value)}
          data-testid="watch-remind"
        />
      </div>
      {error && (
        <p className="error" role="alert" data-testid="watch-error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" data-testid="watch-save">
          Save
        </button>
        {note && (
          <span className="muted small" role="status" data-testid="watch-saved">
            {note}
          </span>
        )}
        <span className="muted small">
          Now: ask after {saved.idle_minutes || "never"}
          {saved.idle_minutes ? " min" : ""}, remind after{" "}
          {saved.remind_after_minutes ? `${saved.remind_after_minutes / 60} h` : "never"}. Start or
          stop the timer from anywhere with Ctrl+Alt+Space.
        </span>
      </div>
    </form>
  );
}
