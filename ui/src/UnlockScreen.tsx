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
        <label htmlFor="passphrase">Passphrase</label>
        <input
          id="passphrase"
          type="password"
          autoComplete={creating ? "new-password" : "current-password"}
          autoFocus
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          data-testid="unlock-passphrase"
        />
        {creating && (
          <>
            <label htmlFor="passphrase-confirm">Passphrase again</label>
            <input
              id="passphrase-confirm"
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              data-testid="unlock-passphrase-confirm"
            />
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
              data-testid="unlock-use-keyring"
            >
              Use system keyring instead
            </button>
          )}
        </div>
      </form>
    </main>
  );
}
