// The organization's logo: a PNG printed on invoices, stored encrypted in the vault. Previewed from
// memory through a blob: URL (allowed by the CSP's img-src), never written to disk.
import { useEffect, useState, type ChangeEvent } from "react";
import { useTranslation } from "react-i18next";

import { api, can, errorMessage } from "./api";
import type { Permissions } from "./bindings/Permissions";

/** Larger logos are refused before they are read (the engine refuses them too). */
export const MAX_LOGO_BYTES = 512 * 1024;

export function LogoPanel({ permissions }: { permissions: Permissions | null }) {
  const { t } = useTranslation("invoices", { keyPrefix: "logo" });
  const editable = can(permissions, "edit_org_profile");
  const [url, setUrl] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  // A file refused here, before the engine sees it: its name.
  const [tooLarge, setTooLarge] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    let created: string | null = null;
    api.logo().then(
      (bytes) => {
        if (!current) return;
        if (bytes.length === 0) {
          setUrl(null);
          return;
        }
        created = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "image/png" }));
        setUrl(created);
      },
      (e: unknown) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
      if (created) URL.revokeObjectURL(created);
    };
  }, [version]);

  async function change(png: number[] | null) {
    setBusy(true);
    setError(null);
    setTooLarge(null);
    try {
      await api.setLogo(png);
      setVersion((v) => v + 1);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  async function chosen(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    if (file.size > MAX_LOGO_BYTES) {
      setError(null);
      setTooLarge(file.name);
      return;
    }
    await change([...new Uint8Array(await file.arrayBuffer())]);
  }

  return (
    <section className="panel" aria-labelledby="logo-heading" data-testid="logo-panel">
      <h2 id="logo-heading">{t("heading")}</h2>
      <p className="muted small">{t("help")}</p>
      {url ? (
        <img src={url} alt={t("alt")} className="logo-preview" data-testid="logo-preview" />
      ) : (
        <p className="muted" data-testid="logo-none">
          {t("none")}
        </p>
      )}
      {editable && (
        <div className="fields">
          <label className="field">
            <span>{t("choose")}</span>
            <input type="file" accept="image/png" disabled={busy} onChange={chosen} data-testid="logo-file" />
          </label>
          {url && (
            <button type="button" className="secondary" disabled={busy} onClick={() => change(null)} data-testid="logo-remove">
              {t("remove")}
            </button>
          )}
        </div>
      )}
      {(error || tooLarge) && (
        <p className="error" role="alert" data-testid="logo-error">
          {error ?? t("tooLarge", { file: tooLarge })}
        </p>
      )}
    </section>
  );
}
