import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { api, can, errorMessage } from "./api";
import type { ActAs } from "./bindings/ActAs";
import { ApproveDeviceForm } from "./EnrolDevice";
import type { Member } from "./bindings/Member";
import type { Newcomer } from "./bindings/Newcomer";
import type { OrgSync } from "./bindings/OrgSync";
import type { Permissions } from "./bindings/Permissions";
import type { Role } from "./bindings/Role";
import type { Team } from "./bindings/Team";
import type { DeviceSummary } from "./bindings/DeviceSummary";
import { formatDate, formatTime } from "./format";

/** The roles only Owners may give or change, and the ones Admins may too. */
export const SENIOR: Role[] = ["owner", "admin"];
export const JUNIOR: Role[] = ["member", "viewer"];

/** A fingerprint in groups of five digits, as people read it out. */
export function groupedDigits(digits: string): string {
  return (digits.replace(/\D/g, "").match(/.{1,5}/g) ?? []).join(" ");
}

/** Two different groups (numbered from 1) of a key with `count` groups, to type back. */
function twoGroups(count: number): [number, number] {
  const first = 1 + Math.floor(Math.random() * count);
  let second = 1 + Math.floor(Math.random() * (count - 1));
  if (second >= first) second += 1;
  return first < second ? [first, second] : [second, first];
}

/* Publishing */

/**
 * Sync for an organization that is only on this device: what publishing does, and the button.
 * Shown to its Owner once this device is signed in to a server.
 */
export function PublishPanel({ onPublished }: { onPublished: (actAs: ActAs) => void }) {
  const { t } = useTranslation("settings", { keyPrefix: "publish" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function publish() {
    setBusy(true);
    setError(null);
    try {
      onPublished(await api.publishOrganization());
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <section className="panel publish-panel" aria-labelledby="publish-heading" data-testid="publish-panel">
      <h2 id="publish-heading">{t("title")}</h2>
      <ul className="publish-points">
        <li>{t("encrypted")}</li>
        <li>{t("others")}</li>
        <li>{t("roles")}</li>
        <li>{t("recovery")}</li>
      </ul>
      <button type="button" className="primary" onClick={() => void publish()} disabled={busy} data-testid="publish">
        {busy ? t("publishing") : t("publish")}
      </button>
      {error && (
        <p className="error" role="alert" data-testid="publish-error">
          {error}
        </p>
      )}
    </section>
  );
}

/* The recovery key */

/**
 * The recovery key of this account's set-up, shown until the person proves they kept it: saved as
 * a PDF kit, or written down, then two of its groups typed back.
 */
export function RecoveryKeyPanel({ keyText, onKept }: { keyText: string; onKept: () => void }) {
  const { t } = useTranslation("settings", { keyPrefix: "recovery" });
  const groups = useMemo(() => keyText.split("-"), [keyText]);
  const [asked] = useState(() => twoGroups(groups.length));
  const [typed, setTyped] = useState(["", ""]);
  const [checking, setChecking] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // It appears at the top of Settings, after a click further down: brought into view.
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    panel.current?.scrollIntoView?.({ block: "start", behavior: "smooth" });
  }, []);

  async function save() {
    setError(null);
    try {
      setSaved(await api.saveRecoveryKit("a4"));
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function check(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.recoveryKeyKept(asked.map((group, i) => ({ group, typed: typed[i] ?? "" })));
      onKept();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section ref={panel} className="panel recovery-panel" aria-labelledby="recovery-heading" data-testid="recovery-panel">
      <h2 id="recovery-heading">{t("title")}</h2>
      <p>{t("explain")}</p>
      <p className="recovery-key" data-testid="recovery-key" aria-label={t("title")}>
        {groups.map((g, i) => (
          <span key={i}>{g}</span>
        ))}
      </p>
      {!checking ? (
        <div className="recovery-actions">
          <button type="button" onClick={() => void save()} data-testid="recovery-save">
            {t("save")}
          </button>
          <button type="button" className="primary" onClick={() => setChecking(true)} data-testid="recovery-written">
            {t("written")}
          </button>
        </div>
      ) : (
        <form className="recovery-check" onSubmit={(e) => void check(e)} noValidate data-testid="recovery-check">
          <p className="muted small">{t("checkExplain")}</p>
          <div className="fields">
            {asked.map((group, i) => (
              <div className="field" key={group}>
                <label htmlFor={`recovery-group-${group}`}>{t("group", { number: group })}</label>
                <input
                  id={`recovery-group-${group}`}
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={6}
                  value={typed[i]}
                  onChange={(e) => setTyped((now) => now.map((v, j) => (j === i ? e.target.value : v)))}
                  data-testid="recovery-group"
                  data-group={group}
                />
              </div>
            ))}
          </div>
          <div className="recovery-actions">
            <button type="button" onClick={() => setChecking(false)}>
              {t("showAgain")}
            </button>
            <button type="submit" className="primary" disabled={busy} data-testid="recovery-check-submit">
              {t("check")}
            </button>
          </div>
        </form>
      )}
      {saved && (
        <p className="notice small" role="status" data-testid="recovery-saved">
          {t("saved", { path: saved })}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="recovery-error">
          {error}
        </p>
      )}
    </section>
  );
}

/* The team of a synced organization */

type Ask = { kind: "confirm"; newcomer: Newcomer } | { kind: "remove"; member: Member } | null;

/**
 * The people of a synced organization: its members (role, removal), who waits to be confirmed by
 * fingerprint, invitations, and this account's devices. Changes go through the server's signed
 * membership log.
 */
export function TeamPanel({
  sync,
  timeZone,
  members,
  permissions,
  onChanged,
}: {
  sync: OrgSync;
  /** The organization's time zone, for when devices were last seen. */
  timeZone: string;
  members: Member[] | null;
  permissions: Permissions | null;
  onChanged: () => void;
}) {
  const { t } = useTranslation("settings", { keyPrefix: "team" });
  const { t: tr } = useTranslation("settings", { keyPrefix: "roles" });
  const manage = can(permissions, "manage_members_and_viewers");
  const manageSenior = can(permissions, "manage_admins_and_owners");
  const roles = manageSenior ? [...SENIOR, ...JUNIOR] : JUNIOR;
  const [team, setTeam] = useState<Team | null>(null);
  const [ask, setAsk] = useState<Ask>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // What an action said shows under the heading, brought into view: the panel is longer than the
  // window, and the action may have been far below.
  const said = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (notice || error) said.current?.scrollIntoView?.({ block: "nearest" });
  }, [notice, error]);

  const load = useCallback(async () => {
    try {
      setTeam(await api.team());
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  /** Runs a change; its notice shows on success, its error otherwise. Whether it succeeded. */
  async function run(action: () => Promise<string>): Promise<boolean> {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(await action());
      setAsk(null);
      onChanged();
      await load();
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  }

  const me = permissions?.member.id;
  const mayChange = (m: Member) => manage && m.active && m.id !== me && (manageSenior || !SENIOR.includes(m.role));

  return (
    <section className="panel team-panel" aria-labelledby="team-heading" data-testid="team-panel">
      <div className="section-head">
        <h2 id="team-heading">{t("title")}</h2>
        <span className="muted small">{t("hint")}</span>
      </div>
      <div ref={said}>
        {notice && (
          <p className="notice small" role="status" data-testid="team-notice">
            {notice}
          </p>
        )}
        {error && (
          <p className="error" role="alert" data-testid="team-error">
            {error}
          </p>
        )}
      </div>

      {members === null ? (
        <p className="muted empty">{t("loading")}</p>
      ) : (
        <ul className="member-list">
          {members.map((m) => (
            <li key={m.id} className={`member${m.active ? "" : " inactive muted"}`} data-testid="team-member">
              <span className="member-name" data-testid="member-name">
                {m.name}
                {me === m.id && <span className="muted small"> {t("you")}</span>}
                {!m.active && <span className="small"> {t("removed")}</span>}
              </span>
              {mayChange(m) ? (
                <span className="member-actions">
                  <label className="sr-only" htmlFor={`team-role-${m.id}`}>
                    {t("roleOf", { name: m.name })}
                  </label>
                  <select
                    id={`team-role-${m.id}`}
                    className="member-role"
                    value={m.role}
                    disabled={busy}
                    onChange={(e) => {
                      const role = e.target.value as Role;
                      void run(async () => {
                        await api.changeMembership(m.id, role);
                        return t("roleChanged", { name: m.name, role: tr(role) });
                      });
                    }}
                    data-testid="team-role"
                  >
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {tr(r)}
                      </option>
                    ))}
                  </select>
                  <button type="button" className="link danger" onClick={() => setAsk({ kind: "remove", member: m })} disabled={busy} data-testid="team-remove">
                    {t("remove")}
                  </button>
                </span>
              ) : (
                <span className="member-role-text muted">{tr(m.role)}</span>
              )}
            </li>
          ))}
        </ul>
      )}

      {ask?.kind === "remove" && (
        <div className="ask" role="alertdialog" aria-labelledby="team-remove-title" data-testid="team-remove-ask">
          <p id="team-remove-title">
            <strong>{t("removeTitle", { name: ask.member.name })}</strong>
          </p>
          <p className="small">{t("removeExplain")}</p>
          <div className="ask-actions">
            <button type="button" onClick={() => setAsk(null)}>
              {t("cancel")}
            </button>
            <button
              type="button"
              className="stop"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  await api.changeMembership(ask.member.id, null);
                  return t("removedNotice", { name: ask.member.name });
                })
              }
              data-testid="team-remove-confirm"
            >
              {t("removeConfirm")}
            </button>
          </div>
        </div>
      )}

      {manage && (
        <>
          <h3>{t("pendingTitle")}</h3>
          {team === null ? (
            <p className="muted empty">{t("loading")}</p>
          ) : team.pending.length === 0 ? (
            <p className="muted small" data-testid="team-pending-empty">
              {t("pendingEmpty")}
            </p>
          ) : (
            <ul className="pending-list">
              {team.pending.map((n) => (
                <li key={n.user} className="pending" data-testid="team-pending">
                  <span className="member-name">
                    {n.email} <span className="muted small">· {tr(n.role)}</span>
                  </span>
                  {n.fingerprint ? (
                    <>
                      <code className="fingerprint" data-testid="pending-fingerprint">
                        {groupedDigits(n.fingerprint)}
                      </code>
                      <button type="button" onClick={() => setAsk({ kind: "confirm", newcomer: n })} disabled={busy} data-testid="team-confirm">
                        {t("confirm")}
                      </button>
                    </>
                  ) : (
                    <span className="muted small">{t("noKeyYet")}</span>
                  )}
                </li>
              ))}
            </ul>
          )}
          {ask?.kind === "confirm" && ask.newcomer.fingerprint && (
            <div className="ask" role="alertdialog" aria-labelledby="team-confirm-title" data-testid="team-confirm-ask">
              <p id="team-confirm-title">
                <strong>{t("confirmTitle", { email: ask.newcomer.email })}</strong>
              </p>
              <p className="small">{t("confirmExplain", { role: tr(ask.newcomer.role) })}</p>
              <code className="fingerprint big">{groupedDigits(ask.newcomer.fingerprint)}</code>
              <div className="ask-actions">
                <button type="button" onClick={() => setAsk(null)}>
                  {t("differ")}
                </button>
                <button
                  type="button"
                  className="primary"
                  disabled={busy}
                  onClick={() => {
                    const n = ask.newcomer;
                    void run(async () => {
                      await api.confirmNewcomer(n.email, n.fingerprint ?? "");
                      return t("confirmed", { email: n.email });
                    });
                  }}
                  data-testid="team-confirm-match"
                >
                  {t("match")}
                </button>
              </div>
            </div>
          )}
          <InviteForm roles={roles} disabled={busy} onInvite={(email, role) => run(async () => {
            await api.inviteMember(email, role);
            return t("invited", { email, role: tr(role) });
          })} />
        </>
      )}

      {sync.fingerprint && (
        <p className="muted small own-fingerprint">
          {t("yourFingerprint")} <code data-testid="own-fingerprint">{groupedDigits(sync.fingerprint)}</code>
        </p>
      )}

      <h3>{t("devicesTitle")}</h3>
      {team === null ? (
        <p className="muted empty">{t("loading")}</p>
      ) : (
        <ul className="device-list">
          {team.devices.map((d) => (
            <DeviceRow
              key={d.id}
              device={d}
              timeZone={timeZone}
              busy={busy}
              onRevoke={() =>
                void run(async () => {
                  await api.revokeDevice(d.id);
                  return t("revoked", { id: d.name ?? d.id.slice(0, 8) });
                })
              }
              onRename={(name) =>
                run(async () => t("renamed", { name: await api.renameThisDevice(name) }))
              }
            />
          ))}
        </ul>
      )}

      <ApproveDeviceForm onApproved={() => void load()} />
    </section>
  );
}

/** A device of the account: its name (renamed here, for this device), when it was added and last seen. */
function DeviceRow({
  device,
  timeZone,
  busy,
  onRevoke,
  onRename,
}: {
  device: DeviceSummary;
  timeZone: string;
  busy: boolean;
  onRevoke: () => void;
  onRename: (name: string) => Promise<boolean>;
}) {
  const { t } = useTranslation("settings", { keyPrefix: "team" });
  const [renaming, setRenaming] = useState<string | null>(null);
  const day = (ms: number) => formatDate(new Date(ms).toISOString().slice(0, 10));
  const seen =
    device.last_seen_ms === null
      ? t("neverSeen")
      : t("lastSeen", {
          date: day(device.last_seen_ms),
          time: formatTime(new Date(device.last_seen_ms).toISOString(), timeZone),
        });

  async function save(e: FormEvent) {
    e.preventDefault();
    if (renaming !== null && (await onRename(renaming))) setRenaming(null);
  }

  return (
    <li className="device" data-testid="team-device">
      <div className="device-who">
        {renaming === null ? (
          <strong className={device.name ? "device-name" : "device-name muted"} data-testid="device-name">
            {device.name ?? t("unnamedDevice")}
          </strong>
        ) : (
          <form className="device-rename" onSubmit={(e) => void save(e)}>
            <input
              aria-label={t("deviceName")}
              value={renaming}
              maxLength={64}
              autoFocus
              onChange={(e) => setRenaming(e.target.value)}
              data-testid="device-rename-input"
            />
            <button type="submit" className="primary" disabled={busy || !renaming.trim()} data-testid="device-rename-save">
              {t("save")}
            </button>
            <button type="button" className="link" onClick={() => setRenaming(null)}>
              {t("cancel")}
            </button>
          </form>
        )}
        <code className="muted small">{device.id.slice(0, 8)}</code>
      </div>
      <span className="muted small" data-testid="device-when">
        {t("deviceAdded", { date: day(device.issued_ms) })}
        {device.this_device ? "" : ` · ${seen}`}
      </span>
      {device.this_device ? (
        <span className="device-actions small">
          {t("thisDevice")}
          {renaming === null && (
            <button
              type="button"
              className="link"
              disabled={busy}
              onClick={() => setRenaming(device.name ?? "")}
              data-testid="device-rename"
            >
              {t("rename")}
            </button>
          )}
        </span>
      ) : (
        <button type="button" className="link danger" disabled={busy} onClick={onRevoke} data-testid="device-revoke">
          {t("revoke")}
        </button>
      )}
    </li>
  );
}

function InviteForm({
  roles,
  disabled,
  onInvite,
}: {
  roles: Role[];
  disabled: boolean;
  onInvite: (email: string, role: Role) => Promise<boolean>;
}) {
  const { t } = useTranslation("settings", { keyPrefix: "team" });
  const { t: tr } = useTranslation("settings", { keyPrefix: "roles" });
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await onInvite(email.trim(), role)) setEmail("");
  }

  return (
    <form className="member-form invite-form" onSubmit={(e) => void submit(e)} noValidate data-testid="invite-form">
      <h3>{t("inviteTitle")}</h3>
      <div className="fields">
        <div className="field grow">
          <label htmlFor="invite-email">{t("email")}</label>
          <input id="invite-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="invite-email" />
        </div>
        <div className="field">
          <label htmlFor="invite-role">{t("role")}</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="invite-role">
            {roles.map((r) => (
              <option key={r} value={r}>
                {tr(r)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={disabled} data-testid="invite-send">
          {t("invite")}
        </button>
      </div>
    </form>
  );
}
