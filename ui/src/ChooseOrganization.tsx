import { listen } from "@tauri-apps/api/event";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { api, errorMessage } from "./api";
import type { ActAs } from "./bindings/ActAs";
import type { OrgSummary } from "./bindings/OrgSummary";
import type { OrgSync } from "./bindings/OrgSync";
import { EnrolPanel } from "./EnrolDevice";
import { JoinPanel } from "./JoinOrganization";
import { SyncServerPanel } from "./SyncServerPanel";
import { systemLocale, systemTimeZone } from "./time";

type Props = { onChosen: (org: OrgSummary, actAs: ActAs) => void };

/** Second screen: pick the organization to track time for, or create one. */
export function ChooseOrganization({ onChosen }: Props) {
  const { t } = useTranslation("app");
  const [orgs, setOrgs] = useState<OrgSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function load() {
    try {
      setOrgs(await api.organizations());
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  // Whether this device syncs; a device that does not yet may bring its organizations from
  // another one (signed in, then enrolled), or join one it was invited to; they arrive with a round.
  const [sync, setSync] = useState<OrgSync | null>(null);
  const loadSync = useCallback(async () => {
    try {
      setSync(await api.orgSync());
    } catch {
      setSync(null);
    }
  }, []);

  useEffect(() => {
    void load();
    void loadSync();
    const stop = listen("sync-received", () => void load()).catch(() => () => {});
    return () => {
      void stop.then((unlisten) => unlisten());
    };
  }, [loadSync]);

  async function choose(org: OrgSummary) {
    setError(null);
    try {
      onChosen(org, await api.chooseOrganization(org.id));
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <main className="centered" data-testid="org-screen">
      <section className="card wide">
        <h1>{t("chooseOrganization.title")}</h1>
        {error && (
          <p className="error" role="alert" data-testid="org-error">
            {error}
          </p>
        )}
        {orgs === null ? (
          <p className="muted">{t("chooseOrganization.loading")}</p>
        ) : orgs.length === 0 ? (
          <p className="muted" data-testid="org-empty">
            {t("chooseOrganization.empty")}
          </p>
        ) : (
          <ul className="org-list" data-testid="org-list">
            {orgs.map((org) => (
              <li key={org.id}>
                <button type="button" className="org-option" onClick={() => void choose(org)} data-testid="org-option">
                  <span className="org-name" data-testid="org-option-name">{org.name}</span>
                  <span className="muted small">
                    {org.currency} · {org.time_zone}
                    {org.role ? ` · ${t(`roles.${org.role}`)}` : ""}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <CreateOrganization first={orgs !== null && orgs.length === 0} onCreated={() => void load()} />
      </section>
      {sync && orgs !== null && orgs.length === 0 && (!sync.set_up || sync.signed_in) && (
        <div className="org-sync wide">
          {!sync.set_up && <SyncServerPanel onChange={() => void loadSync()} />}
          {sync.signed_in && !sync.set_up && <EnrolPanel onEnrolled={() => void load()} />}
          {sync.signed_in && <JoinPanel onJoined={() => void loadSync()} />}
        </div>
      )}
    </main>
  );
}

/** The form for a new organization; with none yet (`first`), creating one is the next step. */
function CreateOrganization({ first, onCreated }: { first: boolean; onCreated: () => void }) {
  const { t } = useTranslation("app", { keyPrefix: "createOrganization" });
  const [name, setName] = useState("");
  const [ownerName, setOwnerName] = useState("");
  const [currency, setCurrency] = useState("EUR");
  const [timeZone, setTimeZone] = useState(systemTimeZone);
  const [locale, setLocale] = useState(systemLocale);
  const [weekStart, setWeekStart] = useState("monday");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // An error answers what was sent: typing again makes it stale.
  const typed = (set: (value: string) => void) => (e: { target: { value: string } }) => {
    set(e.target.value);
    setError(null);
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.createOrganization({
        name: name.trim(),
        currency: currency.trim().toUpperCase(),
        locale: locale.trim(),
        time_zone: timeZone.trim(),
        week_start: weekStart,
        owner_name: ownerName.trim(),
      });
      setName("");
      onCreated();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="create-org" onSubmit={submit} data-testid="org-create-form">
      <h2>{t("title")}</h2>
      <div className="grid">
        <label htmlFor="org-name">{t("name")}</label>
        <input id="org-name" value={name} onChange={typed(setName)} data-testid="org-create-name" />
        <label htmlFor="org-owner">{t("ownerName")}</label>
        <input
          id="org-owner"
          value={ownerName}
          autoComplete="name"
          onChange={typed(setOwnerName)}
          data-testid="org-create-owner"
        />
        <label htmlFor="org-currency">{t("currency")}</label>
        <input
          id="org-currency"
          value={currency}
          maxLength={3}
          onChange={typed(setCurrency)}
          data-testid="org-create-currency"
        />
        <label htmlFor="org-tz">{t("timeZone")}</label>
        <input id="org-tz" value={timeZone} onChange={typed(setTimeZone)} data-testid="org-create-tz" />
        <label htmlFor="org-locale">{t("locale")}</label>
        <input
          id="org-locale"
          value={locale}
          onChange={typed(setLocale)}
          data-testid="org-create-locale"
        />
        <label htmlFor="org-week-start">{t("weekStart")}</label>
        <select
          id="org-week-start"
          value={weekStart}
          onChange={typed(setWeekStart)}
          data-testid="org-create-week-start"
        >
          <option value="monday">{t("monday")}</option>
          <option value="sunday">{t("sunday")}</option>
          <option value="saturday">{t("saturday")}</option>
        </select>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="org-create-error">
          {error}
        </p>
      )}
      <div className="actions">
        <button
          type="submit"
          className={first ? "primary" : undefined}
          disabled={busy || name.trim() === ""}
          data-testid="org-create-submit"
        >
          {t("create")}
        </button>
      </div>
    </form>
  );
}
