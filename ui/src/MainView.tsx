import { useCallback, useEffect, useState } from "react";

import { api, errorMessage } from "./api";
import type { ActAs } from "./bindings/ActAs";
import type { EntryView } from "./bindings/EntryView";
import type { OrgSummary } from "./bindings/OrgSummary";
import { clock } from "./time";
import { TimerBar } from "./TimerBar";
import { TodayList } from "./TodayList";

type Props = {
  org: OrgSummary;
  actAs: ActAs;
  onSwitchOrganization: () => void;
};

/** The timer and today's entries for the chosen organization. */
export function MainView({ org, actAs, onSwitchOrganization }: Props) {
  const [today, setToday] = useState<string | null>(null);
  const [entries, setEntries] = useState<EntryView[]>([]);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const date = await api.today();
      const found = await api.entries({ from: date, to: date, member: actAs.member, project: null });
      setToday(date);
      setEntries(found);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [actAs.member]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const total = entries.reduce((sum, e) => sum + (e.entry.time.type === "running" ? 0 : e.seconds), 0);

  return (
    <div className="app" data-testid="main-screen">
      <header className="top">
        <span className="brand">Stint</span>
        <span className="org" data-testid="current-org">
          {org.name}
        </span>
        <button type="button" className="link" onClick={onSwitchOrganization} data-testid="switch-org">
          Switch organization
        </button>
      </header>
      <TimerBar onChanged={() => void refresh()} />
      <section className="today" aria-labelledby="today-heading">
        <div className="section-head">
          <h2 id="today-heading">Today</h2>
          <span className="muted small" data-testid="today-date">
            {today ?? ""}
          </span>
          <span className="spacer" />
          <span className="muted small">
            Total <span data-testid="today-total">{clock(total)}</span>
          </span>
        </div>
        {error && (
          <p className="error" role="alert" data-testid="today-error">
            {error}
          </p>
        )}
        <TodayList entries={entries} timeZone={org.time_zone} onSaved={() => void refresh()} />
      </section>
    </div>
  );
}
