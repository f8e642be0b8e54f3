import { listen } from "@tauri-apps/api/event";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import { api, errorMessage } from "./api";
import type { SyncStatus } from "./bindings/SyncStatus";
import { formatTime } from "./format";

/**
 * Sync in the header: where it stands (synced, syncing, changes waiting, offline, a problem), and
 * on click the last sync time, the problem's reason and "Sync now". Absent where this device does
 * not sync. Offline is calm: changes wait on this device and go at the next round.
 */
export function SyncBadge({ timeZone }: { timeZone: string }) {
  const { t } = useTranslation("app", { keyPrefix: "sync" });
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    api
      .syncStatus()
      .then((s) => live && setStatus(s))
      .catch(() => undefined);
    const stop = listen<SyncStatus>("sync-changed", (e) => setStatus(e.payload)).catch(() => () => {});
    return () => {
      live = false;
      void stop.then((unlisten) => unlisten());
    };
  }, []);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  if (status === null || status.state === "off") return null;

  async function syncNow() {
    setError(null);
    try {
      setStatus(await api.syncNow());
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  // All well (or a round under way): the dot alone, its words for screen readers and the tooltip;
  // the header stays on one line. What needs a look says so in words.
  const quiet = status.state === "synced" || status.state === "syncing";
  const label =
    status.state === "waiting" ? t("waiting", { count: status.pending }) : t(`state.${status.state}`);
  return (
    <div className="sync" ref={box} data-state={status.state}>
      <button
        type="button"
        className={quiet ? "sync-badge is-quiet" : "sync-badge"}
        aria-expanded={open}
        aria-haspopup="dialog"
        title={quiet ? label : undefined}
        onClick={() => setOpen((o) => !o)}
        data-testid="sync-badge"
      >
        <span className="sync-dot" aria-hidden="true" />
        <span className={quiet ? "sync-label is-quiet" : "sync-label"}>{label}</span>
      </button>
      {open && (
        <div className="sync-details" role="dialog" aria-label={t("details")} data-testid="sync-details">
          <p data-testid="sync-last">
            {status.last_synced
              ? t("lastSynced", { time: formatTime(status.last_synced, timeZone) })
              : t("notYet")}
          </p>
          {status.state === "offline" && <p className="muted small">{t("offlineExplain")}</p>}
          {status.problem && status.state !== "offline" && (
            <p className="error small" data-testid="sync-problem">
              {status.problem}
            </p>
          )}
          {error && (
            <p className="error small" role="alert" data-testid="sync-error">
              {error}
            </p>
          )}
          <button
            type="button"
            className="primary"
            disabled={status.state === "syncing"}
            onClick={() => void syncNow()}
            data-testid="sync-now"
          >
            {t("now")}
          </button>
        </div>
      )}
    </div>
  );
}
