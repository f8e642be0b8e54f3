import { useTranslation } from "react-i18next";

import type { EntryView } from "./bindings/EntryView";
import { twelveHours } from "./format";
import { clock, dayLabel, hourLabel, minutesInto } from "./time";

type Props = {
  /** The seven days shown (YYYY-MM-DD). */
  days: string[];
  /** The acting member's entries in those days. */
  entries: EntryView[];
  timeZone: string;
  /** Days before this one are locked (YYYY-MM-DD), if any. */
  lockBefore: string | null;
  /** The day currently chosen. */
  selected: string;
  today: string;
  /** Now, in milliseconds (for running timers). */
  now: number;
  onSelect: (day: string) => void;
};

const HOUR_PX = 40;

/** A calendar-style week: a column per day with entries placed at their times, and day totals. */
export function WeekView({ days, entries, timeZone, lockBefore, selected, today, now, onSelect }: Props) {
  const { t } = useTranslation("track");
  const byDay = new Map<string, EntryView[]>(days.map((d) => [d, []]));
  for (const view of entries) byDay.get(view.date)?.push(view);

  // Hours shown: 08–18 at least, stretched to fit every entry of the week.
  let first = 8 * 60;
  let last = 18 * 60;
  const placed = new Map<string, { top: number; bottom: number }>();
  for (const view of entries) {
    const time = view.entry.time;
    if (time.type === "duration") continue;
    const end = time.type === "span" ? time.end : new Date(now).toISOString();
    const top = Math.max(0, minutesInto(view.date, time.start, timeZone));
    const bottom = Math.min(24 * 60, Math.max(top + 15, minutesInto(view.date, end, timeZone)));
    placed.set(view.entry.id, { top, bottom });
    first = Math.min(first, Math.floor(top / 60) * 60);
    last = Math.max(last, Math.ceil(bottom / 60) * 60);
  }
  const hours = Array.from({ length: (last - first) / 60 }, (_, i) => first / 60 + i);
  const px = (minutes: number) => ((minutes - first) / 60) * HOUR_PX;

  return (
    <div className="week" data-testid="week-view">
      <div className="week-grid" style={{ gridTemplateColumns: `${twelveHours() ? 4.6 : 3.6}rem repeat(${days.length}, 1fr)` }}>
        <div className="week-corner" aria-hidden="true" />
        {days.map((day) => {
          const total = (byDay.get(day) ?? []).reduce((sum, e) => sum + e.seconds, 0);
          const locked = lockBefore !== null && day < lockBefore;
          return (
            <button
              type="button"
              key={day}
              className={`week-head${day === selected ? " is-selected" : ""}${day === today ? " is-today" : ""}`}
              onClick={() => onSelect(day)}
              aria-pressed={day === selected}
              data-testid="week-day"
              data-date={day}
            >
              <span className="week-day-name">{dayLabel(day)}</span>
              <span className="week-day-total">{clock(total)}</span>
              {locked && (
                <span className="locked-badge" title={t("common.lockedPeriod")} data-testid="week-locked">
                  {t("common.locked")}
                </span>
              )}
            </button>
          );
        })}
        <div className="week-allday-label muted small" title={t("weekView.untimedTitle")}>
          {t("weekView.untimed")}
        </div>
        {days.map((day) => (
          <div className="week-allday" key={day}>
            {(byDay.get(day) ?? [])
              .filter((v) => v.entry.time.type === "duration")
              .map((v) => (
                <Block key={v.entry.id} view={v} />
              ))}
          </div>
        ))}
        <div className="week-hours" style={{ height: hours.length * HOUR_PX }}>
          {hours.map((h) => (
            <span key={h} className="week-hour muted small" style={{ top: (h * 60 - first) / 60 * HOUR_PX }} data-testid="week-hour">
              {hourLabel(h)}
            </span>
          ))}
        </div>
        {days.map((day) => {
          const locked = lockBefore !== null && day < lockBefore;
          return (
            <div
              key={day}
              className={`week-column${locked ? " is-locked" : ""}${day === today ? " is-today" : ""}`}
              style={{ height: hours.length * HOUR_PX }}
              data-testid="week-column"
              data-date={day}
            >
              {hours.map((h) => (
                <span key={h} className="week-line" style={{ top: (h * 60 - first) / 60 * HOUR_PX }} />
              ))}
              {(byDay.get(day) ?? []).map((view) => {
                const at = placed.get(view.entry.id);
                if (!at) return null;
                return (
                  <Block
                    key={view.entry.id}
                    view={view}
                    style={{ top: px(at.top), height: Math.max(18, px(at.bottom) - px(at.top)) }}
                  />
                );
              })}
            </div>
          );
        })}
      </div>
    </div>
  );
}

function Block({ view, style }: { view: EntryView; style?: React.CSSProperties }) {
  const { t } = useTranslation("track");
  const running = view.entry.time.type === "running";
  const name = view.entry.project ? `${view.client_name} — ${view.project_name}` : t("common.noProject");
  const length = running ? t("common.running") : clock(view.seconds);
  const title = `${name}${view.entry.note ? `: ${view.entry.note}` : ""} (${length})`;
  return (
    <div
      className={`week-entry${style ? " placed" : ""}${running ? " is-running" : ""}${view.entry.billable ? "" : " non-billable"}`}
      style={style}
      title={title}
      data-testid="week-entry"
    >
      <span className="week-entry-project">{view.project_name || t("common.noProject")}</span>
      {view.entry.note && <span className="week-entry-note">{view.entry.note}</span>}
      <span className="week-entry-time">{length}</span>
    </div>
  );
}
