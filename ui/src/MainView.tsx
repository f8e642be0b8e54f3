import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import { listen } from "@tauri-apps/api/event";

import { api, can, errorMessage, scopeOf } from "./api";
import type { ActAs } from "./bindings/ActAs";
import type { EntryView } from "./bindings/EntryView";
import type { Member } from "./bindings/Member";
import type { Organization } from "./bindings/Organization";
import type { OrgSummary } from "./bindings/OrgSummary";
import type { Permissions } from "./bindings/Permissions";
import type { ProjectView } from "./bindings/ProjectView";
import { CommandPalette, type Destination } from "./CommandPalette";
import { ErrorBoundary } from "./ErrorBoundary";
import { ExpensesScreen } from "./ExpensesScreen";
import { setFormat } from "./format";
import { setUiLanguage } from "./i18n";
import { InvoicesScreen } from "./InvoicesScreen";
import { ManualEntry } from "./ManualEntry";
import { ProjectsScreen } from "./ProjectsScreen";
import { SettingsScreen } from "./SettingsScreen";
import { SyncBadge } from "./SyncBadge";
import { SyncServerPanel } from "./SyncServerPanel";
import { ShortcutSheet } from "./ShortcutSheet";
import { useShortcuts } from "./shortcuts";
import "./keyboard.css";
import { addDays, clock, dayLabel, weekOf } from "./time";
import { AwayDialog, DeviceSettings, ReminderBanner, useWatch } from "./Watch";
import { TimerBar, type TimerControl } from "./TimerBar";
import { doubleCountedSeconds } from "./overlaps";
import { Timesheet } from "./Timesheet";
import { secondsOf, TodayList } from "./TodayList";
import { WeekView } from "./WeekView";

// Reports carry the charting library; load them when first opened.
const ReportsScreen = lazy(() => import("./ReportsScreen").then((m) => ({ default: m.ReportsScreen })));

type Props = {
  org: OrgSummary;
  actAs: ActAs;
  onSwitchOrganization: () => void;
  onLocked: () => void;
};

type Tab = "track" | "projects" | "expenses" | "invoices" | "reports" | "settings";

/** The sections in their order; their names are `mainView.tabs.<id>` in the `app` catalogue. */
const TABS: Tab[] = ["track", "projects", "expenses", "invoices", "reports", "settings"];

/** The chosen organization: header (acting member, lock, switch), timer bar, and the tabs. */
export function MainView({ org, actAs: initialActAs, onSwitchOrganization, onLocked }: Props) {
  const { t } = useTranslation("app");
  const [actAs, setActAs] = useState(initialActAs);
  const [tab, setTab] = useState<Tab>("track");
  const [permissions, setPermissions] = useState<Permissions | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [overlay, setOverlay] = useState<"shortcuts" | "search" | null>(null);
  // What the search chose to show on the screen it opened; cleared by the next change of section.
  const [focus, setFocus] = useState<string | null>(null);
  // A request for the by-hand form (`N`), until the Track screen has opened it.
  const [newEntry, setNewEntry] = useState(false);
  const timer = useRef<TimerControl | null>(null);

  // In a synced organization this device acts as its account only (what it writes is signed as
  // the account's): no acting as another member.
  const [synced, setSynced] = useState(false);
  const reloadPeople = useCallback(async () => {
    try {
      const [granted, people, sync] = await Promise.all([
        api.permissions(),
        api.members().catch(() => []),
        api.orgSync().catch(() => null),
      ]);
      setPermissions(granted);
      setMembers(people);
      setSynced(sync?.published ?? false);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    void reloadPeople();
  }, [reloadPeople, actAs.member]);

  // Every screen speaks the organization's language and formats with its locale and duration style
  // (i18n.ts, format.ts); a change in Settings bumps the version, and the screens render again.
  const [, setFormatted] = useState(0);
  useEffect(() => {
    let live = true;
    api.organization().then(
      (o) => {
        if (!live) return;
        setFormat({ locale: o.locale, durationStyle: o.duration_style });
        setUiLanguage(o.locale);
        setFormatted((n) => n + 1);
      },
      () => {
        // The system's formats stay.
      },
    );
    return () => {
      live = false;
    };
  }, [version]);

  // The tray icon and the global shortcut start and stop the timer outside this window, and a
  // sync round brings other devices' changes: the views read again.
  useEffect(() => {
    const stops = ["timer-changed", "sync-received"].map((event) =>
      listen(event, () => {
        setVersion((v) => v + 1);
        // A round may bring a new role (a demoted Admin's finance screens go at once).
        if (event === "sync-received") void reloadPeople();
      }).catch(() => () => {}),
    );
    return () => {
      for (const stop of stops) void stop.then((unlisten) => unlisten());
    };
  }, [reloadPeople]);

  async function switchMember(member: string) {
    try {
      setActAs(await api.actAs(member));
      setVersion((v) => v + 1);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function lock() {
    await api.lockVault().catch(() => undefined);
    document.title = "Stint";
    onLocked();
  }

  const watch = useWatch();
  const changed = () => setVersion((v) => v + 1);
  const canTrack = can(permissions, "edit_time_entry");
  const tabs = useMemo(
    () =>
      TABS.filter((id) => id !== "invoices" || can(permissions, "read_invoices")).map((id) => ({
        id,
        label: t(`mainView.tabs.${id}`),
      })),
    [permissions, t],
  );

  // A section the role no longer opens (a role change arriving from the server) closes.
  useEffect(() => {
    if (permissions && !tabs.some((v) => v.id === tab)) setTab("track");
  }, [permissions, tabs, tab]);

  function goTo(next: Tab, show: string | null = null) {
    setTab(next);
    setFocus(show);
    changed();
  }

  function go(to: Destination) {
    if (to.kind === "tab") goTo(to.tab as Tab);
    else goTo(to.kind === "invoice" ? "invoices" : "projects", to.id);
  }

  useShortcuts(
    {
      "?": () => setOverlay("shortcuts"),
      "/": () => setOverlay("search"),
      "mod+k": () => setOverlay("search"),
      s: () => timer.current?.startOrStop(),
      n: () => {
        if (!canTrack) return;
        if (tab !== "track") goTo("track");
        setNewEntry(true);
      },
      ...Object.fromEntries(
        TABS.map((id, i) => [String(i + 1), () => tabs.some((v) => v.id === id) && goTo(id)]),
      ),
    },
    overlay === null && !watch.away,
  );

  // A User Timing mark once the first frame of this screen is painted (a frame callback runs before
  // its frame's paint, so the second one's runs after the first frame): B8 measures by it.
  useEffect(() => {
    requestAnimationFrame(() =>
      requestAnimationFrame(() => performance.mark("stint:main-painted")),
    );
  }, []);

  return (
    <div className="app" data-testid="main-screen">
      <header className="top">
        <span className="brand">Stint</span>
        <span className="org" data-testid="current-org">
          {org.name}
        </span>
        <nav className="tabs" aria-label={t("mainView.sections")}>
          {tabs.map((section) => (
            <button
              key={section.id}
              type="button"
              className={`tab${tab === section.id ? " is-active" : ""}`}
              aria-current={tab === section.id ? "page" : undefined}
              onClick={() => goTo(section.id)}
              data-testid={`nav-${section.id}`}
            >
              {section.label}
            </button>
          ))}
        </nav>
        <span className="spacer" />
        <SyncBadge timeZone={org.time_zone} />
        <button
          type="button"
          className="link search-button"
          onClick={() => setOverlay("search")}
          title={t("mainView.searchTitle")}
          aria-label={t("mainView.search")}
          data-testid="open-search"
        >
          <kbd>/</kbd>
        </button>
        {synced ? (
          <span className="acting-name" data-testid="acting-member-name">
            {permissions?.member.name ?? ""}
          </span>
        ) : (
          <label className="acting">
            <select
              value={actAs.member}
              onChange={(e) => void switchMember(e.target.value)}
              data-testid="acting-member"
              aria-label={t("mainView.actingAs")}
            >
              {members.length === 0 && permissions && (
                <option value={permissions.member.id}>{permissions.member.name}</option>
              )}
              {members
                .filter((m) => m.active)
                .map((m) => (
                  <option key={m.id} value={m.id}>
                    {t("mainView.memberWithRole", { name: m.name, role: t(`roles.${m.role}`) })}
                  </option>
                ))}
            </select>
          </label>
        )}
        <span className="role-badge" data-testid="acting-role">
          {permissions ? t(`roles.${permissions.member.role}`) : ""}
        </span>
        <button
          type="button"
          className="link"
          onClick={onSwitchOrganization}
          title={t("mainView.switchOrganization")}
          data-testid="switch-org"
        >
          {t("mainView.organizations")}
        </button>
        <button type="button" className="link" onClick={() => void lock()} data-testid="lock-vault">
          {t("mainView.lock")}
        </button>
      </header>
      <TimerBar
        key={actAs.member}
        onChanged={changed}
        canTrack={canTrack}
        reason={t("mainView.cannotTrack", {
          role: permissions ? t(`roles.${permissions.member.role}`) : t("mainView.unknownRole"),
        })}
        refreshKey={version}
        control={timer}
        compact={tab !== "track"}
      />
      {overlay === "shortcuts" && <ShortcutSheet onClose={() => setOverlay(null)} />}
      {overlay === "search" && (
        <CommandPalette sections={tabs} permissions={permissions} onGo={go} onClose={() => setOverlay(null)} />
      )}
      {watch.reminder && (
        <ReminderBanner
          reminder={watch.reminder}
          onDismiss={watch.dismissReminder}
          onStop={() => {
            watch.dismissReminder();
            void api.stopTimer().then(changed, (e: unknown) => setError(errorMessage(e)));
          }}
        />
      )}
      {watch.away && (
        <AwayDialog
          away={watch.away}
          timeZone={org.time_zone}
          onDone={(didChange) => {
            watch.dismissAway();
            if (didChange) changed();
          }}
        />
      )}
      {error && (
        <p className="error" role="alert" data-testid="main-error">
          {error}
        </p>
      )}
      <main className="content">
        {/* Track reloads itself when `version` moves and keeps its view (day, week, timesheet) and day;
            Settings reloads what it saved itself and keeps its "Saved"; the other screens are made
            afresh. */}
        <ErrorBoundary
          key={tab === "track" || tab === "settings" ? tab : `${tab}-${version}`}
          resetKey={version}
          label={t(`mainView.tabs.${tab}`)}
        >
        {tab === "track" && (
          <TrackScreen
            key={actAs.member}
            org={org}
            actAs={actAs}
            canTrack={canTrack}
            members={scopeOf(permissions, "read_time_entry") === "all" ? members.filter((m) => m.active) : []}
            version={version}
            onChanged={changed}
            newEntry={newEntry}
            onNewEntryShown={() => setNewEntry(false)}
          />
        )}
        {tab === "projects" && (
          <ProjectsScreen key={actAs.member} permissions={permissions} onChanged={changed} focus={focus} />
        )}
        {tab === "expenses" && <ExpensesScreen key={actAs.member} permissions={permissions} />}
        {tab === "invoices" && <InvoicesScreen key={actAs.member} permissions={permissions} show={focus} />}
        {tab === "reports" && (
          <Suspense fallback={<p className="muted">{t("mainView.loadingReports")}</p>}>
            <ReportsScreen key={actAs.member} permissions={permissions} org={org} />
          </Suspense>
        )}
        {tab === "settings" && (
          <SettingsScreen
            key={actAs.member}
            permissions={permissions}
            onChanged={() => {
              changed();
              void reloadPeople();
            }}
            onActAs={(next) => {
              setActAs(next);
              changed();
            }}
          />
        )}
        {tab === "settings" && <DeviceSettings />}
        {tab === "settings" && <SyncServerPanel />}
        </ErrorBoundary>
      </main>
    </div>
  );
}

type View = "day" | "week" | "timesheet";

/** Set on this device when the person folded the by-hand form away. */
const MANUAL_FOLDED = "stint.track.manual-folded";

/** A day list or a calendar week of the acting member's entries, and a form to add time by hand. */
function TrackScreen({
  org,
  actAs,
  canTrack,
  members,
  version,
  onChanged,
  newEntry,
  onNewEntryShown,
}: {
  org: OrgSummary;
  actAs: ActAs;
  canTrack: boolean;
  /** Whose time may be shown, if more than one's. */
  members: Member[];
  version: number;
  onChanged: () => void;
  /** Open the by-hand form and put the cursor in it (`N`), then say so. */
  newEntry: boolean;
  onNewEntryShown: () => void;
}) {
  const { t } = useTranslation("app", { keyPrefix: "trackScreen" });
  const [today, setToday] = useState<string | null>(null);
  const [day, setDay] = useState<string | null>(null);
  const [view, setView] = useState<View>("day");
  const [organization, setOrganization] = useState<Organization | null>(null);
  // null while loading: the day does not wait for an agency's 5,000 projects.
  const [projects, setProjects] = useState<ProjectView[] | null>(null);
  const [entries, setEntries] = useState<EntryView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [whose, setWhose] = useState(actAs.member);
  const manual = useRef<HTMLDetailsElement>(null);
  const [manualOpen, setManualOpen] = useState(() => localStorage.getItem(MANUAL_FOLDED) === null);
  const rememberManual = (open: boolean) => {
    setManualOpen(open);
    if (open) localStorage.removeItem(MANUAL_FOLDED);
    else localStorage.setItem(MANUAL_FOLDED, "1");
  };

  useEffect(() => {
    Promise.all([api.today(), api.organization()]).then(
      ([date, profile]) => {
        setToday(date);
        setDay((current) => current ?? date);
        setOrganization(profile);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
    api.projects().then(setProjects, (e: unknown) => setError(errorMessage(e)));
  }, [version]);
  const active = useMemo(() => (projects ?? []).filter((p) => !p.project.archived), [projects]);

  const days = day && organization ? weekOf(day, organization.week_start) : [];
  const wholeWeek = view !== "day";
  const from = wholeWeek ? days[0] : day;
  const to = wholeWeek ? days[6] : day;

  const load = useCallback(async () => {
    if (!from || !to) return;
    try {
      setEntries(await api.entries({ from, to, member: whose, project: null }));
      setNow(Date.now());
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [from, to, whose]);

  useEffect(() => {
    void load();
  }, [load, version]);

  // While a timer is shown, its duration and the total tick.
  const anyRunning = entries.some((e) => e.entry.time.type === "running");
  useEffect(() => {
    if (!anyRunning) return;
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, [anyRunning]);

  // `N`: the form appears once the day and the projects are read; show the acting member's own day
  // if another's is open.
  useEffect(() => {
    if (!newEntry) return;
    if (whose !== actAs.member) {
      setWhose(actAs.member);
      return;
    }
    const form = manual.current;
    if (!form || !projects) return;
    form.open = true;
    (form.querySelector<HTMLElement>("#manual-project") ?? form.querySelector<HTMLElement>("input, select"))?.focus();
    onNewEntryShown();
  }, [newEntry, whose, actAs.member, organization, day, projects, onNewEntryShown]);

  if (!day || !today || !organization) {
    return error ? (
      <p className="error" role="alert" data-testid="today-error">
        {error}
      </p>
    ) : null;
  }

  const dayEntries = entries.filter((e) => e.date === day);
  // The running entry counts in the total with its time so far.
  const shown = view === "day" ? dayEntries : entries;
  const total = shown.reduce((sum, e) => sum + secondsOf(e, now), 0);
  // Overlapping time counts in both entries: the total says how much of it is counted twice.
  const twice = doubleCountedSeconds(shown, now);
  const step = wholeWeek ? 7 : 1;
  const locked = organization.lock_before !== null && day < organization.lock_before;

  return (
    <section className="today" aria-labelledby="today-heading">
      <div className="section-head">
        <div className="segmented" role="group" aria-label={t("view")}>
          <button type="button" aria-pressed={view === "day"} onClick={() => setView("day")} data-testid="view-day">
            {t("day")}
          </button>
          <button type="button" aria-pressed={view === "week"} onClick={() => setView("week")} data-testid="view-week">
            {t("week")}
          </button>
          <button
            type="button"
            aria-pressed={view === "timesheet"}
            onClick={() => setView("timesheet")}
            title={t("timesheetTitle")}
            data-testid="view-timesheet"
          >
            {t("timesheet")}
          </button>
        </div>
        <button type="button" className="icon" onClick={() => setDay(addDays(day, -step))} aria-label={t("earlier")} data-testid="day-prev">
          ‹
        </button>
        <h2 id="today-heading" data-testid="day-heading">
          {wholeWeek && days[0] && days[6]
            ? `${dayLabel(days[0])} – ${dayLabel(days[6])}`
            : day === today
              ? t("todayHeading", { day: dayLabel(day) })
              : dayLabel(day)}
        </h2>
        <button type="button" className="icon" onClick={() => setDay(addDays(day, step))} aria-label={t("later")} data-testid="day-next">
          ›
        </button>
        {day !== today && (
          <button type="button" className="link" onClick={() => setDay(today)} data-testid="day-today">
            {t("today")}
          </button>
        )}
        <span className="muted small" data-testid="today-date" hidden>
          {day}
        </span>
        <span className="spacer" />
        {members.length > 1 && (
          <label className="acting">
            <span className="muted small">{t("timeOf")}</span>
            <select value={whose} onChange={(e) => setWhose(e.target.value)} data-testid="track-member">
              {members.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.id === actAs.member ? t("me", { name: m.name }) : m.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {locked && view === "day" && (
          <span className="locked-badge" data-testid="day-locked">
            {t("lockedPeriod")}
          </span>
        )}
        <span className="muted small">
          {t("total")} <span data-testid="today-total">{clock(total)}</span>
          {twice > 0 && (
            <span
              className="overlap-note"
              title={t("overlapTitle")}
              data-testid="today-overlap"
            >
              {" "}
              · {t("overlapNote", { duration: clock(twice) })}
            </span>
          )}
        </span>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="today-error">
          {error}
        </p>
      )}
      {canTrack && whose === actAs.member && (
        // Right under the timer, open unless the person folded it away (remembered on this device).
        <details
          ref={manual}
          className="card manual"
          open={manualOpen}
          onToggle={(e) => rememberManual(e.currentTarget.open)}
        >
          <summary data-testid="manual-toggle">{t("addByHand")}</summary>
          {projects && <ManualEntry key={day} projects={projects} date={day} timeZone={org.time_zone} onAdded={onChanged} />}
        </details>
      )}
      {view === "day" ? (
        <TodayList
          entries={dayEntries}
          timeZone={org.time_zone}
          onSaved={onChanged}
          projects={active}
          emptyText={day === today ? t("emptyToday") : t("emptyDay")}
          canContinue={canTrack && whose === actAs.member}
          now={now}
        />
      ) : view === "timesheet" ? (
        <Timesheet
          days={days}
          entries={entries}
          projects={active}
          lockBefore={organization.lock_before}
          today={today}
          now={now}
          canEdit={canTrack && whose === actAs.member}
          onChanged={onChanged}
        />
      ) : (
        <WeekView
          days={days}
          entries={entries}
          timeZone={org.time_zone}
          lockBefore={organization.lock_before}
          selected={day}
          today={today}
          now={now}
          onSelect={(d) => {
            setDay(d);
            setView("day");
          }}
        />
      )}
    </section>
  );
}
