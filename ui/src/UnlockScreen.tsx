import { useEffect, useRef, useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";

import { api, errorMessage, type UnlockWith } from "./api";
import type { VaultStatus } from "./bindings/VaultStatus";

type Props = {
  onUnlocked: () => void;
  /** Unlock a keyring vault without asking (at start-up); after the user locked, wait for a click. */
  autoUnlock?: boolean;
};

/** First screen: create the vault, or unlock it with a passphrase or the system keyring. */
export function UnlockScreen({ onUnlocked, autoUnlock = true }: Props) {
  const { t } = useTranslation("app", { keyPrefix: "unlockScreen" });
  const [status, setStatus] = useState<VaultStatus | null>(null);
  const [passphrase, setPassphrase] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState(false);
  const triedKeyring = useRef(false);

  async function attempt(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    // User Timing marks: B8 (tests/e2e/bench_b8.py) splits the wait for the main screen by them.
    performance.mark("stint:unlock-pressed");
    try {
      await action();
      performance.mark("stint:unlocked");
      onUnlocked();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  const unlock = (how: UnlockWith) => attempt(() => api.unlockVault(how));
  const create = (how: UnlockWith) => attempt(() => api.createVault(how));

  useEffect(() => {
    api.vaultStatus().then(
      (found) => {
        setStatus(found);
        if (found === "keyring" && autoUnlock && !triedKeyring.current) {
          triedKeyring.current = true;
          void unlock({ keyring: true });
        }
      },
      (e: unknown) => setError(errorMessage(e)),
    );
    // Runs once: the status of the vault directory does not change under this screen.
  }, []);

  function submitPassphrase(event: FormEvent) {
    event.preventDefault();
    if (status === "missing") {
      if (passphrase !== confirm) {
        setError(t("passphrasesDiffer"));
        return;
      }
      void create({ passphrase });
    } else {
      void unlock({ passphrase });
    }
  }

  const errorBox = error && (
    <p className="error" role="alert" data-testid="unlock-error">
      {error}
    </p>
  );

  if (status === null) {
    return (
      <main className="centered" data-testid="unlock-screen">
        <p className="muted">{t("opening")}</p>
        {errorBox}
      </main>
    );
  }

  if (status === "keyring") {
    return (
      <main className="centered" data-testid="unlock-screen">
        <section className="card">
          <h1>Stint</h1>
          <p className="muted">
            {autoUnlock || busy ? t("unlockingWithKeyring") : t("locked")}
          </p>
          {errorBox}
          {!autoUnlock && !error && (
            <button type="button" className="primary" data-testid="unlock-keyring" onClick={() => void unlock({ keyring: true })} disabled={busy}>
              {t("unlockWithKeyring")}
            </button>
          )}
          {error && (
            <button type="button" data-testid="unlock-keyring-retry" onClick={() => void unlock({ keyring: true })} disabled={busy}>
              {t("tryAgain")}
            </button>
          )}
        </section>
      </main>
    );
  }

  const creating = status === "missing";
  return (
    <main className="centered" data-testid="unlock-screen">
      <form className="card" onSubmit={submitPassphrase} aria-busy={busy}>
        <h1>Stint</h1>
        <p className="muted">
          {creating ? t("createIntro") : t("locked")}
        </p>
        <div className="label-row">
          <label htmlFor="passphrase">{t("passphrase")}</label>
          <button
            type="button"
            className="link small"
            aria-pressed={shown}
            aria-controls={creating ? "passphrase passphrase-confirm" : "passphrase"}
            onClick={() => setShown((s) => !s)}
            data-testid="unlock-show"
          >
            {shown ? t("hide") : t("show")}
          </button>
        </div>
        <input
          id="passphrase"
          type={shown ? "text" : "password"}
          autoComplete={creating ? "new-password" : "current-password"}
          autoFocus
          spellCheck={false}
          value={passphrase}
          onChange={(e) => {
            setPassphrase(e.target.value);
            setError(null);
          }}
          data-testid="unlock-passphrase"
        />
        {creating && (
          <>
            <label htmlFor="passphrase-confirm">{t("passphraseAgain")}</label>
            <input
              id="passphrase-confirm"
              type={shown ? "text" : "password"}
              autoComplete="new-password"
              spellCheck={false}
              value={confirm}
              onChange={(e) => {
                setConfirm(e.target.value);
                setError(null);
              }}
              data-testid="unlock-passphrase-confirm"
            />
            <p className="notice small" role="note" data-testid="unlock-loss-warning">
              <Trans t={t} i18nKey="lossWarning" components={{ strong: <strong /> }} />
            </p>
          </>
        )}
        {errorBox}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || passphrase === ""} data-testid="unlock-submit">
            {creating ? t("createVault") : t("unlock")}
          </button>
          {creating && (
            <button
              type="button"
              disabled={busy}
              onClick={() => void create({ keyring: true })}
              aria-describedby="keyring-explained"
              data-testid="unlock-use-keyring"
            >
              {t("useKeyring")}
            </button>
          )}
        </div>
        {creating && (
          <p id="keyring-explained" className="muted small explained" data-testid="unlock-keyring-explained">
            {t("keyringExplained")}
          </p>
        )}
      </form>
    </main>
  );
}
