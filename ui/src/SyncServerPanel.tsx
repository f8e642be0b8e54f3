import { useEffect, useRef, useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";

import { api, errorMessage } from "./api";
import type { ServerSignIn } from "./bindings/ServerSignIn";

/** Where the panel is: reading the vault, signed out, waiting for the browser, or signed in. */
type Phase = { kind: "loading" } | { kind: "out" } | { kind: "waiting" } | { kind: "in"; account: ServerSignIn };

/**
 * This device's sign-in to a sync server. Signing in happens in the system browser (where passkeys
 * work); the app waits for the browser to come back, and keeps the session sealed in the vault.
 */
export function SyncServerPanel({ onChange }: { onChange?: () => void } = {}) {
  const { t } = useTranslation("settings", { keyPrefix: "server" });
  const [phase, setPhase] = useState<Phase>({ kind: "loading" });
  const [address, setAddress] = useState("https://");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Cancelling makes the waiting sign-in fail; that is not an error to show.
  const cancelled = useRef(false);

  useEffect(() => {
    let live = true;
    api
      .serverSignInStatus()
      .then((account) => live && setPhase(account ? { kind: "in", account } : { kind: "out" }))
      .catch((e) => {
        if (!live) return;
        setError(errorMessage(e));
        setPhase({ kind: "out" });
      });
    return () => {
      live = false;
    };
  }, []);

  async function signIn(event: FormEvent) {
    event.preventDefault();
    const server = address.trim();
    if (server === "" || server === "https://") {
      setError(t("addressMissing"));
      return;
    }
    setError(null);
    cancelled.current = false;
    setPhase({ kind: "waiting" });
    try {
      setPhase({ kind: "in", account: await api.serverSignIn(server) });
      onChange?.();
    } catch (e) {
      if (!cancelled.current) setError(errorMessage(e));
      setPhase({ kind: "out" });
    }
  }

  /** Opens the server's sign-up page in the browser; signing in follows once the address is confirmed. */
  async function signUp() {
    const server = address.trim();
    if (server === "" || server === "https://") {
      setError(t("addressMissing"));
      return;
    }
    setError(null);
    try {
      await api.openSignUp(server);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function cancel() {
    cancelled.current = true;
    try {
      await api.serverSignInCancel();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function signOut() {
    setBusy(true);
    setError(null);
    try {
      await api.serverSignOut();
      setPhase({ kind: "out" });
      onChange?.();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card device-settings server-panel" aria-labelledby="server-heading" data-testid="server-panel">
      <h2 id="server-heading">{t("title")}</h2>
      {phase.kind === "loading" && <p className="muted">{t("loading")}</p>}
      {phase.kind === "in" && (
        <div className="server-signed-in">
          <p data-testid="server-signed-in">
            <Trans
              t={t}
              i18nKey="signedIn"
              values={{ email: phase.account.email, server: phase.account.server }}
              components={{ strong: <strong /> }}
            />
          </p>
          <button type="button" onClick={() => void signOut()} disabled={busy} data-testid="server-sign-out">
            {t("signOut")}
          </button>
        </div>
      )}
      {(phase.kind === "out" || phase.kind === "waiting") && (
        <>
          <p className="muted small">{t("explain")}</p>
          <form className="server-form" onSubmit={(e) => void signIn(e)} noValidate>
            <div className="field">
              <label htmlFor="server-address">{t("address")}</label>
              <input
                id="server-address"
                type="url"
                inputMode="url"
                autoComplete="url"
                spellCheck={false}
                value={address}
                onChange={(e) => setAddress(e.target.value)}
                disabled={phase.kind === "waiting"}
                data-testid="server-address"
              />
            </div>
            {phase.kind === "waiting" ? (
              <button type="button" onClick={() => void cancel()} data-testid="server-cancel">
                {t("cancel")}
              </button>
            ) : (
              <button type="submit" className="primary" data-testid="server-sign-in">
                {t("signIn")}
              </button>
            )}
          </form>
          {phase.kind === "out" && (
            <p className="muted small server-sign-up">
              {t("noAccount")}{" "}
              <button type="button" className="link" onClick={() => void signUp()} data-testid="server-sign-up">
                {t("signUp")}
              </button>
            </p>
          )}
          {phase.kind === "waiting" && (
            <p className="notice small" role="status" data-testid="server-waiting">
              {t("waiting")}
            </p>
          )}
        </>
      )}
      {error && (
        <p className="error" role="alert" data-testid="server-error">
          {error}
        </p>
      )}
    </section>
  );
}
