import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";

import { DateField } from "./DateField";
import { LogoPanel } from "./LogoPanel";
import { api, can, errorMessage, notAllowed } from "./api";
import type { ActAs } from "./bindings/ActAs";
import type { Member } from "./bindings/Member";
import type { OrgSync } from "./bindings/OrgSync";
import type { OrgChanges } from "./bindings/OrgChanges";
import type { Organization } from "./bindings/Organization";
import type { Permissions } from "./bindings/Permissions";
import type { Role } from "./bindings/Role";
import type { RoundingMode } from "./bindings/RoundingMode";
import type { WeekStart } from "./bindings/WeekStart";
import type { DurationStyle } from "./bindings/DurationStyle";
import { formatDate, formatDateInput, formatDuration, formatNumber, preview } from "./format";
import { ReviewPanel } from "./ReviewPanel";
import { JoinPanel } from "./JoinOrganization";
import { JUNIOR, PublishPanel, RecoveryKeyPanel, SENIOR, TeamPanel } from "./TeamSync";
import "./settings.css";

type Props = {
  permissions: Permissions | null;
  onChanged: () => void;
  /** Publishing gives the window a new member id to act as (the account's). */
  onActAs?: (actAs: ActAs) => void;
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SAVED_MS = 3000;

/** The days a week may start on, in the order offered (named under `profile.weekStarts`). */
const WEEK_STARTS: WeekStart[] = ["monday", "sunday", "saturday"];

/** The rounding choices, in the order offered (named under `profile.roundingModes`). */
const MODES: (RoundingMode | "none")[] = ["none", "up", "down", "nearest"];

/**
 * Organization profile, period lock and members: on this device only, or (once published) the
 * synced team with its invitations, confirmations and devices.
 */
export function SettingsScreen({ permissions, onChanged, onActAs }: Props) {
  const { t } = useTranslation("settings");
  const [org, setOrg] = useState<Organization | null>(null);
  const [members, setMembers] = useState<Member[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const loadOrg = useCallback(async () => {
    try {
      setOrg(await api.organization());
    } catch (e) {
      setLoadError(errorMessage(e));
    }
  }, []);

  const loadMembers = useCallback(async () => {
    try {
      setMembers(await api.members());
    } catch (e) {
      setLoadError(errorMessage(e));
    }
  }, []);

  // Where the organization stands with sync (read from the vault); without it, the local members.
  const [sync, setSync] = useState<OrgSync | null>(null);
  const loadSync = useCallback(async () => {
    try {
      setSync(await api.orgSync());
    } catch {
      setSync(null);
    }
  }, []);

  useEffect(() => {
    void loadOrg();
    void loadMembers();
    void loadSync();
  }, [loadOrg, loadMembers, loadSync]);

  return (
    <div className="settings" data-testid="settings-screen">
      {loadError && (
        <p className="error" role="alert" data-testid="settings-load-error">
          {loadError}
        </p>
      )}
      {sync?.recovery_key && <RecoveryKeyPanel keyText={sync.recovery_key} onKept={() => void loadSync()} />}
      {org === null ? (
        <p className="muted">{t("loading")}</p>
      ) : (
        <>
          <ProfilePanel
            org={org}
            permissions={permissions}
            onSaved={() => {
              void loadOrg();
              onChanged();
            }}
          />
          <LogoPanel permissions={permissions} />
          <LockPanel
            org={org}
            permissions={permissions}
            onLocked={() => {
              void loadOrg();
              onChanged();
            }}
          />
        </>
      )}
      {sync?.published ? (
        <TeamPanel
          sync={sync}
          timeZone={org?.time_zone ?? "UTC"}
          members={members}
          permissions={permissions}
          onChanged={() => {
            void loadMembers();
            onChanged();
          }}
        />
      ) : (
        <MembersPanel
          members={members}
          permissions={permissions}
          onChanged={() => {
            void loadMembers();
            onChanged();
          }}
        />
      )}
      {sync?.published && (
        <ReviewPanel
          onChanged={() => {
            void loadMembers();
            onChanged();
          }}
        />
      )}
      {sync?.signed_in && !sync.published && can(permissions, "manage_admins_and_owners") && (
        <PublishPanel
          onPublished={(actAs) => {
            void loadSync();
            onActAs?.(actAs);
          }}
        />
      )}
      {sync?.signed_in && <JoinPanel inSettings onJoined={() => void loadSync()} />}
    </div>
  );
}

/* Organization profile */

/** Locales offered: the languages and regions freelancers in Europe and North America bill in. */
const LOCALES = [
  "en-US", "en-GB", "en-IE", "en-CA", "en-AU", "de-DE", "de-AT", "de-CH", "fr-FR", "fr-BE", "fr-CH", "fr-CA",
  "nl-NL", "nl-BE", "it-IT", "es-ES", "pt-PT", "pt-BR", "da-DK", "sv-SE", "nb-NO", "fi-FI", "pl-PL", "cs-CZ",
];

/**
 * The locale choices, each named in its own language ("Deutsch (Deutschland)") by Intl rather than a
 * catalogue, so that whatever language the UI speaks, people find their own; with `current` kept.
 */
export function localeChoices(current: string): { value: string; label: string }[] {
  const values = LOCALES.includes(current) || !current ? LOCALES : [current, ...LOCALES];
  return values.map((value) => {
    let label = value;
    try {
      label = new Intl.DisplayNames([value], { type: "language" }).of(value) ?? value;
    } catch {
      // An unknown tag keeps its code.
    }
    return { value, label: `${label} — ${value}` };
  });
}

/** How the draft's locale, time zone and duration style write things now ("" if they cannot). */
function previewOf(draft: Draft): string {
  try {
    return preview({ locale: draft.locale, durationStyle: draft.durationStyle }, draft.timeZone, new Date().toISOString());
  } catch {
    return "";
  }
}

/** Every IANA time zone the system knows, with `current` kept. */
export function timeZoneChoices(current: string): string[] {
  const zones: string[] = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return zones.includes(current) ? zones : [current, ...zones].filter(Boolean);
}

type Draft = {
  name: string;
  currency: string;
  locale: string;
  timeZone: string;
  weekStart: WeekStart;
  durationStyle: DurationStyle;
  mode: RoundingMode | "none";
  minutes: string;
};

function draftOf(org: Organization): Draft {
  return {
    name: org.name,
    currency: org.currency,
    locale: org.locale,
    timeZone: org.time_zone,
    weekStart: org.week_start,
    durationStyle: org.duration_style,
    mode: org.rounding?.mode ?? "none",
    minutes: org.rounding ? String(org.rounding.minutes) : "15",
  };
}

function roundingOf(draft: Draft): string {
  return draft.mode === "none" ? "none" : `${draft.mode}:${draft.minutes.trim()}`;
}

/** Only what differs from the saved organization; everything else is null (kept). */
function changesOf(org: Organization, draft: Draft): OrgChanges {
  const saved = draftOf(org);
  const changed = (now: string, before: string) => (now.trim() === before ? null : now.trim());
  return {
    name: changed(draft.name, saved.name),
    currency: changed(draft.currency.toUpperCase(), saved.currency),
    locale: changed(draft.locale, saved.locale),
    time_zone: changed(draft.timeZone, saved.timeZone),
    week_start: draft.weekStart === saved.weekStart ? null : draft.weekStart,
    rounding: changed(roundingOf(draft), roundingOf(saved)),
    duration_style: draft.durationStyle === saved.durationStyle ? null : draft.durationStyle,
  };
}

function ProfilePanel({
  org,
  permissions,
  onSaved,
}: {
  org: Organization;
  permissions: Permissions | null;
  onSaved: () => void;
}) {
  const { t } = useTranslation("settings", { keyPrefix: "profile" });
  const editable = can(permissions, "edit_org_profile");
  const [draft, setDraft] = useState(() => draftOf(org));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // A newly loaded organization resets the form. Done while rendering rather than in an effect, so
  // that an effect running late cannot overwrite what was typed since the first render.
  const [draftFor, setDraftFor] = useState(org);
  if (draftFor !== org) {
    setDraftFor(org);
    setDraft(draftOf(org));
  }
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const changes = changesOf(org, draft);
  // Some 400 zones: listed once per zone chosen, not on every keystroke in the other fields.
  const zones = useMemo(() => timeZoneChoices(draft.timeZone), [draft.timeZone]);
  const dirty = Object.values(changes).some((v) => v !== null);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [key]: value }));
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    if (draft.mode !== "none") {
      const minutes = Number(draft.minutes);
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
        setError(t("minutesInvalid"));
        return;
      }
    }
    setBusy(true);
    setError(null);
    try {
      await api.updateOrganization(changes);
      setSaved(true);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => setSaved(false), SAVED_MS);
      onSaved();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="profile-heading">
      <div className="section-head">
        <h2 id="profile-heading">{t("title")}</h2>
      </div>
      {!editable && (
        <p className="notice small" data-testid="settings-readonly">
          {t("readOnly", { reason: notAllowed(permissions) })}
        </p>
      )}
      <form onSubmit={save} data-testid="settings-form">
        <div className="profile-grid">
          <label htmlFor="settings-name">{t("name")}</label>
          <input
            id="settings-name"
            value={draft.name}
            onChange={(e) => set("name", e.target.value)}
            disabled={!editable}
            data-testid="settings-org-name"
          />

          <label htmlFor="settings-currency">{t("currency")}</label>
          <input
            id="settings-currency"
            className="short"
            value={draft.currency}
            maxLength={3}
            onChange={(e) => set("currency", e.target.value)}
            disabled={!editable}
            data-testid="settings-currency"
          />

          <label htmlFor="settings-locale">{t("locale")}</label>
          <select
            id="settings-locale"
            className="wide"
            value={draft.locale}
            onChange={(e) => set("locale", e.target.value)}
            disabled={!editable}
            data-testid="settings-locale"
          >
            {localeChoices(draft.locale).map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>

          <label htmlFor="settings-tz">{t("timeZone")}</label>
          <select
            id="settings-tz"
            className="wide"
            value={draft.timeZone}
            onChange={(e) => set("timeZone", e.target.value)}
            disabled={!editable}
            data-testid="settings-time-zone"
          >
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replace(/_/g, " ")}
              </option>
            ))}
          </select>

          <label htmlFor="settings-durations">{t("durations")}</label>
          <select
            id="settings-durations"
            className="wide"
            value={draft.durationStyle}
            onChange={(e) => set("durationStyle", e.target.value as DurationStyle)}
            disabled={!editable}
            data-testid="settings-duration-style"
          >
            <option value="clock">
              {t("clock", { example: formatDuration(5400, { locale: draft.locale, durationStyle: "clock" }) })}
            </option>
            <option value="decimal">
              {t("decimal", { example: formatNumber(1.5, 2, { locale: draft.locale, durationStyle: "decimal" }) })}
            </option>
          </select>

          <span className="muted small">{t("looksLike")}</span>
          <output className="muted small format-preview" htmlFor="settings-locale settings-tz settings-durations" data-testid="settings-preview">
            {previewOf(draft)}
          </output>

          <label htmlFor="settings-week-start">{t("weekStart")}</label>
          <select
            id="settings-week-start"
            className="medium"
            value={draft.weekStart}
            onChange={(e) => set("weekStart", e.target.value as WeekStart)}
            disabled={!editable}
            data-testid="settings-week-start"
          >
            {WEEK_STARTS.map((w) => (
              <option key={w} value={w}>
                {t(`weekStarts.${w}`)}
              </option>
            ))}
          </select>

          <label htmlFor="settings-rounding-mode">{t("rounding")}</label>
          <div className="rounding">
            <select
              id="settings-rounding-mode"
              value={draft.mode}
              onChange={(e) => set("mode", e.target.value as Draft["mode"])}
              disabled={!editable}
              data-testid="settings-rounding-mode"
            >
              {MODES.map((m) => (
                <option key={m} value={m}>
                  {t(`roundingModes.${m}`)}
                </option>
              ))}
            </select>
            <label htmlFor="settings-rounding-minutes" className="inline">
              {t("roundingTo")}
            </label>
            <input
              id="settings-rounding-minutes"
              className="minutes"
              type="number"
              min={1}
              max={1440}
              value={draft.minutes}
              disabled={!editable || draft.mode === "none"}
              onChange={(e) => set("minutes", e.target.value)}
              data-testid="settings-rounding-minutes"
            />
            <span className="muted small">{t("minutes")}</span>
          </div>
        </div>
        {error && (
          <p className="error" role="alert" data-testid="settings-error">
            {error}
          </p>
        )}
        {editable && (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || !dirty} data-testid="settings-save">
              {t("save")}
            </button>
            {saved && (
              <span className="saved" role="status" data-testid="settings-saved">
                {t("saved")}
              </span>
            )}
          </div>
        )}
      </form>
    </section>
  );
}

/* Period lock */

function LockPanel({
  org,
  permissions,
  onLocked,
}: {
  org: Organization;
  permissions: Permissions | null;
  onLocked: () => void;
}) {
  const { t } = useTranslation("settings", { keyPrefix: "lock" });
  const allowed = can(permissions, "lock_period");
  const [date, setDate] = useState(org.lock_before ?? "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // As in the profile form: a new lock from the engine resets the field, without an effect that
  // could land after the user started typing.
  const [dateFor, setDateFor] = useState(org.lock_before);
  if (dateFor !== org.lock_before) {
    setDateFor(org.lock_before);
    setDate(org.lock_before ?? "");
  }

  async function lock(before: string | null) {
    if (before !== null && !DATE.test(before)) {
      setError(t("dateInvalid", { example: formatDateInput("2026-11-01") }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.lockPeriod(before);
      onLocked();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="lock-heading">
      <div className="section-head">
        <h2 id="lock-heading">{t("title")}</h2>
      </div>
      <p className="lock-current" data-testid="lock-current">
        {org.lock_before ? (
          <Trans t={t} i18nKey="lockedBefore" values={{ date: formatDate(org.lock_before) }} components={{ strong: <strong /> }} />
        ) : (
          <span className="muted">{t("none")}</span>
        )}
      </p>
      {allowed ? (
        <form
          className="lock-form"
          onSubmit={(e) => {
            e.preventDefault();
            void lock(date.trim());
          }}
        >
          <div className="field">
            <label htmlFor="lock-before">{t("before")}</label>
            <DateField id="lock-before" value={date} onChange={setDate} testId="lock-before-input" />
          </div>
          <button
            type="submit"
            className="primary"
            disabled={busy || date === org.lock_before}
            data-testid="lock-save"
          >
            {t("lock")}
          </button>
          <button
            type="button"
            disabled={busy || org.lock_before === null}
            onClick={() => void lock(null)}
            data-testid="lock-lift"
          >
            {t("lift")}
          </button>
        </form>
      ) : (
        permissions && (
          <p className="muted small" data-testid="lock-readonly">
            {t("readOnly", { reason: notAllowed(permissions) })}
          </p>
        )
      )}
      {error && (
        <p className="error" role="alert" data-testid="lock-error">
          {error}
        </p>
      )}
    </section>
  );
}

/* Members */

function MembersPanel({
  members,
  permissions,
  onChanged,
}: {
  members: Member[] | null;
  permissions: Permissions | null;
  onChanged: () => void;
}) {
  const { t } = useTranslation("settings");
  const manage = can(permissions, "manage_members_and_viewers");
  const manageSenior = can(permissions, "manage_admins_and_owners");
  const roles = manageSenior ? [...SENIOR, ...JUNIOR] : JUNIOR;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function setRole(member: Member, role: Role) {
    if (role === member.role) return;
    setBusy(true);
    setError(null);
    try {
      await api.setRole(member.id, role);
      onChanged();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const mayChange = (member: Member) => manage && member.active && (manageSenior || !SENIOR.includes(member.role));

  return (
    <section className="panel" aria-labelledby="members-heading">
      <div className="section-head">
        <h2 id="members-heading">{t("members.title")}</h2>
        <span className="muted small">{t("members.hint")}</span>
      </div>
      {members === null ? (
        <p className="muted empty">{t("loading")}</p>
      ) : members.length === 0 ? (
        <p className="muted empty" data-testid="members-empty">
          {t("members.empty")}
        </p>
      ) : (
        <ul className="member-list">
          {members.map((member) => (
            <li key={member.id} className={`member${member.active ? "" : " inactive muted"}`} data-testid="member-row">
              <span className="member-name" data-testid="member-name">
                {member.name}
                {permissions?.member.id === member.id && <span className="muted small"> {t("members.you")}</span>}
                {!member.active && <span className="small"> {t("members.removed")}</span>}
              </span>
              {mayChange(member) ? (
                <>
                  <label className="sr-only" htmlFor={`member-role-${member.id}`}>
                    {t("members.roleOf", { name: member.name })}
                  </label>
                  <select
                    id={`member-role-${member.id}`}
                    className="member-role"
                    value={member.role}
                    disabled={busy}
                    onChange={(e) => void setRole(member, e.target.value as Role)}
                    data-testid="member-role"
                  >
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {t(`roles.${r}`)}
                      </option>
                    ))}
                  </select>
                </>
              ) : (
                <span className="member-role-text muted" data-testid="member-role-text">
                  {t(`roles.${member.role}`)}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {manage ? (
        <AddMemberForm roles={roles} onAdded={onChanged} onError={setError} />
      ) : (
        permissions && (
          <p className="muted small" data-testid="members-readonly">
            {t("members.readOnly", { reason: notAllowed(permissions) })}
          </p>
        )
      )}
      {error && (
        <p className="error" role="alert" data-testid="member-error">
          {error}
        </p>
      )}
    </section>
  );
}

/** The form for a new member; its errors show in the panel's one alert (`onError`). */
function AddMemberForm({
  roles,
  onAdded,
  onError,
}: {
  roles: Role[];
  onAdded: () => void;
  onError: (message: string | null) => void;
}) {
  const { t } = useTranslation("settings");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    onError(null);
    try {
      await api.addMember(name.trim(), role);
      setName("");
      setRole("member");
      onAdded();
    } catch (e) {
      onError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="member-form" onSubmit={submit} aria-labelledby="member-add-heading" data-testid="member-form">
      <h3 id="member-add-heading">{t("addMember.title")}</h3>
      <div className="fields">
        <div className="field grow">
          <label htmlFor="member-name">{t("addMember.name")}</label>
          <input id="member-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="member-name-input" />
        </div>
        <div className="field">
          <label htmlFor="member-new-role">{t("addMember.role")}</label>
          <select
            id="member-new-role"
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
            data-testid="member-role-select"
          >
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary" disabled={busy || name.trim() === ""} data-testid="member-add">
          {t("addMember.add")}
        </button>
      </div>
    </form>
  );
}
