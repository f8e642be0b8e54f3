import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { api, errorMessage } from "./api";
import type { Joined } from "./bindings/Joined";
import { groupedDigits } from "./TeamSync";

/**
 * Accepting an emailed invitation on this device: the code (or the email's whole link), then the
 * fingerprint to read out to whoever confirms. The organization arrives with a round once they have;
 * `onJoined` lets the screen reload what it shows (the set-up, a recovery key to keep).
 */
export function JoinPanel({
  onJoined,
  inSettings = false,
}: {
  onJoined: (joined: Joined) => void;
  /** Drawn as Settings' panels are, rather than as a card of the organizations screen. */
  inSettings?: boolean;
}) {
  const { t } = useTranslation("settings", { keyPrefix: "join" });
  const { t: tr } = useTranslation("settings", { keyPrefix: "roles" });
  const [token, setToken] = useState("");
  const [joined, setJoined] = useState<Joined | null>(null);
  const [firstDevice, setFirstDevice] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function join(event: FormEvent) {
    event.preventDefault();
    if (token.trim() === "") {
      setError(t("missing"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const before = await api.orgSync();
      const done = await api.joinOrganization(token.trim());
      setToken("");
      setJoined(done);
      setFirstDevice(!before.set_up);
      onJoined(done);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  // A round now, rather than at the next minute: the organization comes with it once confirmed.
  async function check() {
    setBusy(true);
    setError(null);
    try {
      const status = await api.syncNow();
      if (status.problem) setError(status.problem);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section
      className={inSettings ? "panel join-panel" : "card join-panel"}
      aria-labelledby="join-heading"
      data-testid="join-panel"
    >
      {inSettings ? (
        <div className="section-head">
          <h2 id="join-heading">{t("title")}</h2>
        </div>
      ) : (
        <h2 id="join-heading">{t("title")}</h2>
      )}
      {joined ? (
        <div className="notice" role="status" data-testid="join-done">
          {joined.pending ? (
            <>
              <p>{t("joined", { role: tr(joined.role) })}</p>
              <code className="fingerprint big" data-testid="join-fingerprint">
                {groupedDigits(joined.fingerprint)}
              </code>
              <p className="muted small">{t("arrives")}</p>
              <button type="button" onClick={() => void check()} disabled={busy} data-testid="join-check">
                {t("check")}
              </button>
            </>
          ) : (
            <p>{t("member", { role: tr(joined.role) })}</p>
          )}
          {firstDevice && <p className="muted small">{t("recovery")}</p>}
        </div>
      ) : (
        <>
          <p className="muted small">{t("explain")}</p>
          <form className="join-form" onSubmit={(e) => void join(e)} noValidate>
            <div className="field">
              <label htmlFor="join-token">{t("token")}</label>
              <input
                id="join-token"
                autoComplete="off"
                spellCheck={false}
                placeholder="sti_…"
                value={token}
                onChange={(e) => {
                  setToken(e.target.value);
                  setError(null);
                }}
                data-testid="join-token"
              />
            </div>
            <button type="submit" disabled={busy} data-testid="join-submit">
              {t("join")}
            </button>
          </form>
        </>
      )}
      {error && (
        <p className="error" role="alert" data-testid="join-error">
          {error}
        </p>
      )}
    </section>
  );
}
