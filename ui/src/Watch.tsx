// Time away and long timers: the shell watches input idle time, sleep and timer length (see
// src-tauri/src/desktop.rs) and sends events; this module answers them and holds the device
// settings for the watch.
import { listen } from "@tauri-apps/api/event";
import { useEffect, useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";

import { api, errorMessage, loadWatchSettings, saveWatchSettings, type WatchSettings } from "./api";
import type { IdleChoice } from "./bindings/IdleChoice";
import { formatTime } from "./format";
import { figure } from "./time";

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

/** "1 h 15 min", "5 min": the same units in English and German. */
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
  const { t } = useTranslation("track");
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
        <h2 id="away-title">{t("away.title")}</h2>
        <p>
          <Trans
            t={t}
            i18nKey="away.text"
            values={{ duration: duration(away.minutes), since: formatTime(away.since, timeZone) }}
            components={{ strong: <strong data-testid="away-minutes" /> }}
          />
        </p>
        {error && (
          <p className="error" role="alert" data-testid="away-error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" className="primary" autoFocus disabled={busy} onClick={() => void choose("keep")} data-testid="away-keep">
            {t("away.keep")}
          </button>
          <button type="button" disabled={busy} onClick={() => void choose("discard")} data-testid="away-discard">
            {t("away.discard")}
          </button>
          <button type="button" disabled={busy} onClick={() => void choose("split")} data-testid="away-split">
            {t("away.split")}
          </button>
        </div>
        <p className="muted small">{t("away.explain")}</p>
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
  const { t } = useTranslation("track");
  return (
    <div className="notice reminder" role="status" data-testid="timer-reminder">
      <span>
        <Trans
          t={t}
          i18nKey="reminder.text"
          values={{ project: reminder.project, duration: duration(reminder.minutes) }}
          components={{ strong: <strong /> }}
        />
      </span>
      <span className="spacer" />
      <button type="button" className="stop" onClick={onStop} data-testid="reminder-stop">
        {t("reminder.stop")}
      </button>
      <button type="button" onClick={onDismiss} data-testid="reminder-dismiss">
        {t("reminder.keep")}
      </button>
    </div>
  );
}

/** This device's watch settings (kept on the device, not in the organization's data). */
export function DeviceSettings() {
  const { t } = useTranslation("track");
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
      setError(t("deviceSettings.idleRange"));
      return;
    }
    if (!Number.isFinite(remindHours) || remindHours < 0 || remindHours > 24) {
      setError(t("deviceSettings.remindRange"));
      return;
    }
    const next = { idle_minutes: idleMinutes, remind_after_minutes: Math.round(remindHours * 60) };
    try {
      await api.watchSettings(next);
      saveWatchSettings(next);
      setSaved(next);
      setError(null);
      setNote(t("deviceSettings.saved"));
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  const remindHours = saved.remind_after_minutes / 60;
  // What the device does now, said as one sentence for each case.
  const now = saved.idle_minutes
    ? remindHours
      ? "deviceSettings.nowBoth"
      : "deviceSettings.nowIdle"
    : remindHours
      ? "deviceSettings.nowRemind"
      : "deviceSettings.nowNeither";

  return (
    <form className="card device-settings" onSubmit={submit} data-testid="device-settings">
      <h2>{t("deviceSettings.title")}</h2>
      <p className="muted small">{t("deviceSettings.intro")}</p>
      <div className="device-grid">
        <label htmlFor="watch-idle">{t("deviceSettings.idleLabel")}</label>
        <input
          id="watch-idle"
          inputMode="numeric"
          value={idle}
          onChange={(e) => setIdle(e.target.value)}
          data-testid="watch-idle"
        />
        <label htmlFor="watch-remind">{t("deviceSettings.remindLabel")}</label>
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
          {t("deviceSettings.save")}
        </button>
        {note && (
          <span className="muted small" role="status" data-testid="watch-saved">
            {note}
          </span>
        )}
        <span className="muted small">
          {t(now, { idle: figure(saved.idle_minutes), remind: figure(remindHours) })}{" "}
          {t("deviceSettings.shortcut")}
        </span>
      </div>
    </form>
  );
}
