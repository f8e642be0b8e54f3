import { useEffect, useRef, useState, type FormEvent } from "react";

import { api, errorMessage, type UnlockWith } from "./api";
import type { VaultStatus } from "./bindings/VaultStatus";

type Props = {
  onUnlocked: () => void;
  /** Unlock a keyring vault without asking (at start-up); after the user locked, wait for a click. */
  autoUnlock?: boolean;
};

/** First screen: create the vault, or unlock it with a passphrase or the system keyring. */
export function UnlockScreen({ onUnlocked, autoUnlock = true }: Props) {
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
    try {
      await action();
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
        setError("The two passphrases differ.");
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
        <p className="muted">Opening…</p>
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
            {autoUnlock || busy ? "Unlocking with the system keyring…" : "Your vault is locked."}
          </p>
          {errorBox}
          {!autoUnlock && !error && (
            <button type="button" className="primary" data-testid="unlock-keyring" onClick={() => void unlock({ keyring: true })} disabled={busy}>
              Unlock with system keyring
            </button>
          )}
          {error && (
            <button type="button" data-testid="unlock-keyring-retry" onClick={() => void unlock({ keyring: true })} disabled={busy}>
              Try again
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
          {creating
            ? "Create your vault. Everything you track is encrypted with it."
            : "Your vault is locked."}
        </p>
        <div className="label-row">
          <label htmlFor="passphrase">Passphrase</label>
          <button
            type="button"
            className="link small"
            aria-pressed={shown}
            aria-controls={creating ? "passphrase passphrase-confirm" : "passphrase"}
            onClick={() => setShown((s) => !s)}
            data-testid="unlock-show"
          >
            {shown ? "Hide" : "Show"}
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
            <label htmlFor="passphrase-confirm">Passphrase again</label>
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
              <strong>Nobody can recover this passphrase</strong>, not Stint and not a sync server: if it is
              lost, what you track on this computer cannot be opened. Keep it in a password manager or
              write it down somewhere safe.
            </p>
          </>
        )}
        {errorBox}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || passphrase === ""} data-testid="unlock-submit">
            {creating ? "Create vault" : "Unlock"}
          </button>
          {creating && (
            <button
              type="button"
              disabled={busy}
              onClick={() => void create({ keyring: true })}
              aria-describedby="keyring-explained"
              data-testid="unlock-use-keyring"
            >
              Use system keyring instead
            </button>
          )}
        </div>
        {creating && (
          <p id="keyring-explained" className="muted small explained" data-testid="unlock-keyring-explained">
            With the system keyring there is no passphrase to remember: your login keyring keeps a random
            key for Stint and opens the vault whenever you are logged in to this computer. Anyone who can
            log in as you can open it too.
          </p>
        )}
      </form>
    </main>
  );
}
