import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import { api, errorMessage } from "./api";
import type { ConflictView } from "./bindings/ConflictView";
import type { Review } from "./bindings/Review";
import { formatDate } from "./format";

/** A field's value as a person reads it: text as it is, nothing as a dash, anything else as JSON. */
export function shown(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/**
 * What sync left to look at in a synced organization: fields two devices changed at once (the
 * value every device keeps, the one that lost; keep the merge, or put the other back with one
 * click), and records from the server that failed their checks (kept aside, never shown).
 */
export function ReviewPanel({ onChanged }: { onChanged: () => void }) {
  const { t } = useTranslation("settings", { keyPrefix: "review" });
  const [review, setReview] = useState<Review | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setReview(await api.review());
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function act(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      onChanged();
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  if (review === null) return error ? <p className="error" role="alert">{error}</p> : null;
  const nothing = review.conflicts.length === 0 && review.refused.length === 0;

  return (
    <section className="panel review-panel" aria-labelledby="review-heading" data-testid="review-panel">
      <div className="section-head">
        <h2 id="review-heading">{t("title")}</h2>
        <span className="muted small">{t("hint")}</span>
      </div>
      {nothing && (
        <p className="muted small" data-testid="review-empty">
          {t("empty")}
        </p>
      )}
      {review.conflicts.map((c) => (
        <Conflict
          key={c.number}
          conflict={c}
          busy={busy}
          onKeep={() => void act(() => api.resolveConflict(c.number, false))}
          onPutBack={() => void act(() => api.resolveConflict(c.number, true))}
        />
      ))}
      {review.refused.length > 0 && (
        <div className="refused" data-testid="review-refused">
          <h3>{t("refusedTitle", { count: review.refused.length })}</h3>
          <p className="muted small">{t("refusedExplain")}</p>
          <ul>
            {review.refused.map((q) => (
              <li key={q.seq} data-testid="refused-row">
                <span>{q.reason}</span>
                <span className="muted small">
                  {t("refusedAt", {
                    date: formatDate(new Date(q.first_seen_ms).toISOString().slice(0, 10)),
                    device: q.author_device?.slice(0, 8) ?? "?",
                  })}
                </span>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => void act(() => api.forgetRefused())} disabled={busy} data-testid="refused-forget">
            {t("forget")}
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="review-error">
          {error}
        </p>
      )}
    </section>
  );
}

function Conflict({
  conflict,
  busy,
  onKeep,
  onPutBack,
}: {
  conflict: ConflictView;
  busy: boolean;
  onKeep: () => void;
  onPutBack: () => void;
}) {
  const { t } = useTranslation("settings", { keyPrefix: "review" });
  return (
    <article className="conflict" data-testid="conflict">
      <p>
        <strong>{t(conflict.not_sent ? "notSentTitle" : "conflictTitle", { kind: conflict.kind })}</strong>{" "}
        {conflict.title ? (
          <span data-testid="conflict-title" title={conflict.record}>
            “{conflict.title}”
          </span>
        ) : (
          <code className="muted small">{conflict.record.slice(0, 8)}</code>
        )}
      </p>
      {conflict.not_sent && <p className="muted small">{t("notSentExplain")}</p>}
      <table className="conflict-fields">
        <thead>
          <tr>
            <th scope="col">{t("field")}</th>
            <th scope="col">{t("kept")}</th>
            <th scope="col">{conflict.not_sent ? t("yours") : t("lost")}</th>
          </tr>
        </thead>
        <tbody>
          {conflict.fields.map((f) => (
            <tr key={f.field} data-testid="conflict-field">
              <th scope="row">{f.field}</th>
              <td>{shown(f.kept)}</td>
              <td>{shown(f.lost)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="ask-actions">
        <button type="button" onClick={onKeep} disabled={busy} data-testid="conflict-keep">
          {conflict.not_sent ? t("understood") : t("keep")}
        </button>
        {conflict.can_put_back && (
          <button type="button" onClick={onPutBack} disabled={busy} data-testid="conflict-put-back">
            {t("putBack")}
          </button>
        )}
      </div>
    </article>
  );
}
