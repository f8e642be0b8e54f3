import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { api, errorMessage } from "./api";
import type { ApprovedDevice } from "./bindings/ApprovedDevice";
import type { EnrolmentCode } from "./bindings/EnrolmentCode";
import { groupedDigits } from "./TeamSync";

type Phase = { kind: "choose" } | { kind: "waiting"; shown: EnrolmentCode } | { kind: "done" };

/**
 * A new device of an account that syncs already: approved from a device the person uses (both show
 * the same code and fingerprint), or opened with the recovery key. A round then brings the
 * organizations (`onEnrolled`).
 */
export function EnrolPanel({ onEnrolled }: { onEnrolled: () => void }) {
  const { t } = useTranslation("settings", { keyPrefix: "enrol" });
  const [phase, setPhase] = useState<Phase>({ kind: "choose" });
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Cancelling ends the wait with an error that is not one to show.
  const cancelled = useRef(false);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  async function byDevice() {
    setBusy(true);
    setError(null);
    cancelled.current = false;
    try {
      const shown = await api.enrolRequest();
      setPhase({ kind: "waiting", shown });
      setBusy(false);
      await api.enrolWait();
      if (!live.current) return;
      setPhase({ kind: "done" });
      onEnrolled();
    } catch (e) {
      if (!live.current) return;
      if (!cancelled.current) setError(errorMessage(e));
      setPhase({ kind: "choose" });
      setBusy(false);
    }
  }

  async function cancel() {
    cancelled.current = true;
    try {
      await api.enrolCancel();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function byKey(event: FormEvent) {
    event.preventDefault();
    if (key.trim() === "") {
      setError(t("keyMissing"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.enrolWithRecoveryKey(key.trim());
      setKey("");
      setPhase({ kind: "done" });
      onEnrolled();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card enrol-panel" aria-labelledby="enrol-heading" data-testid="enrol-panel">
      <h2 id="enrol-heading">{t("title")}</h2>
      {phase.kind === "done" && (
        <p className="notice" role="status" data-testid="enrol-done">
          {t("done")}
        </p>
      )}
      {phase.kind === "waiting" && (
        <div className="enrol-waiting" data-testid="enrol-waiting">
          <p>{t("typeCode")}</p>
          <p className="enrol-code" data-testid="enrol-code">
            {phase.shown.code}
          </p>
          <p className="muted small">{t("compare")}</p>
          <code className="fingerprint" data-testid="enrol-fingerprint">
            {groupedDigits(phase.shown.fingerprint)}
          </code>
          <p className="muted small" role="status">
            {t("waiting")}
          </p>
          <button type="button" onClick={() => void cancel()} data-testid="enrol-cancel">
            {t("cancel")}
          </button>
        </div>
      )}
      {phase.kind === "choose" && (
        <>
          <p className="muted small">{t("explain")}</p>
          <button type="button" className="primary" onClick={() => void byDevice()} disabled={busy} data-testid="enrol-by-device">
            {t("byDevice")}
          </button>
          <form className="enrol-key" onSubmit={(e) => void byKey(e)} noValidate>
            <div className="field">
              <label htmlFor="enrol-key">{t("key")}</label>
              <input
                id="enrol-key"
                autoComplete="off"
                spellCheck={false}
                value={key}
                onChange={(e) => setKey(e.target.value)}
                data-testid="enrol-key"
              />
            </div>
            <button type="submit" disabled={busy} data-testid="enrol-by-key">
              {t("byKey")}
            </button>
          </form>
        </>
      )}
      {error && (
        <p className="error" role="alert" data-testid="enrol-error">
          {error}
        </p>
      )}
    </section>
  );
}

/** On an enrolled device: approve a new one by the code it shows, then compare fingerprints. */
export function ApproveDeviceForm({ onApproved }: { onApproved: () => void }) {
  const { t } = useTranslation("settings", { keyPrefix: "enrol" });
  const [code, setCode] = useState("");
  const [approved, setApproved] = useState<ApprovedDevice | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function approve(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setApproved(null);
    try {
      setApproved(await api.approveDevice(code.trim()));
      setCode("");
      onApproved();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="member-form approve-form" onSubmit={(e) => void approve(e)} noValidate data-testid="approve-form">
      <h3>{t("approveTitle")}</h3>
      <p className="muted small">{t("approveExplain")}</p>
      <div className="fields">
        <div className="field">
          <label htmlFor="approve-code">{t("code")}</label>
          <input
            id="approve-code"
            autoComplete="off"
            spellCheck={false}
            placeholder="482-K7Q2-9XMD"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            data-testid="approve-code"
          />
        </div>
        <button type="submit" disabled={busy || code.trim() === ""} data-testid="approve-send">
          {t("approve")}
        </button>
      </div>
      {approved && (
        <div className="notice small" role="status" data-testid="approve-done">
          <p>{t("approved", { id: approved.id.slice(0, 8) })}</p>
          <code className="fingerprint big" data-testid="approve-fingerprint">
            {groupedDigits(approved.fingerprint)}
          </code>
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="approve-error">
          {error}
        </p>
      )}
    </form>
  );
}
