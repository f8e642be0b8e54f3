import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import { api, can, errorMessage } from "./api";
import type { Client } from "./bindings/Client";
import type { InvoiceView } from "./bindings/InvoiceView";
import type { Permissions } from "./bindings/Permissions";
import type { ProjectView } from "./bindings/ProjectView";
import { formatNumber } from "./format";
import { invoiceLabel } from "./InvoicesScreen";

/** Where a choice in the search leads. */
export type Destination =
  | { kind: "tab"; tab: string }
  | { kind: "project"; id: string }
  | { kind: "client"; id: string }
  | { kind: "invoice"; id: string };

/** One thing to go to: a section, a project, a client or an invoice. */
export type Place = { key: string; label: string; detail: string; go: Destination };

/** The sections of the window, as places. */
export type Section = { id: string; label: string };

/** What the search reads once it opens. */
type Catalog = { projects: ProjectView[]; clients: Client[]; invoices: InvoiceView[] };

/** At most this many matches are listed; typing more narrows them. */
const SHOWN = 12;

/** Places whose label or detail holds every word of `query` (any case, any order). */
export function matching(places: Place[], query: string): Place[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return places.filter((p) => {
    const text = `${p.label} ${p.detail}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/**
 * Search over the sections, projects, clients and (for roles that read them) invoices; ↑ ↓ choose,
 * Enter goes, Esc closes.
 */
export function CommandPalette({
  sections,
  permissions,
  onGo,
  onClose,
}: {
  sections: Section[];
  permissions: Permissions | null;
  onGo: (to: Destination) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation("app", { keyPrefix: "commandPalette" });
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [query, setQuery] = useState("");
  const [at, setAt] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const readsInvoices = can(permissions, "read_invoices");

  useEffect(() => {
    input.current?.focus();
    let current = true;
    Promise.all([
      api.projects(true),
      api.clients(true),
      readsInvoices ? api.invoices({ status: null, client: null, overdue: false }) : Promise.resolve([]),
    ]).then(
      ([projects, clients, invoices]) => {
        if (current) setCatalog({ projects, clients, invoices });
      },
      (e: unknown) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [readsInvoices]);

  // The details are words of the UI's language: they are searched as they are shown.
  const places = useMemo<Place[]>(
    () => [
      ...sections.map((s) => ({
        key: `tab:${s.id}`,
        label: s.label,
        detail: t("section"),
        go: { kind: "tab", tab: s.id } as const,
      })),
      ...(catalog?.projects ?? []).map((p) => ({
        key: `project:${p.project.id}`,
        label: p.project.name,
        detail: p.project.archived
          ? t("projectArchived", { client: p.client_name })
          : t("project", { client: p.client_name }),
        go: { kind: "project", id: p.project.id } as const,
      })),
      ...(catalog?.clients ?? []).map((c) => ({
        key: `client:${c.id}`,
        label: c.name,
        detail: c.archived ? t("clientArchived") : t("client"),
        go: { kind: "client", id: c.id } as const,
      })),
      ...(catalog?.invoices ?? []).map((v) => ({
        key: `invoice:${v.invoice.id}`,
        label: invoiceLabel(v),
        detail: t("invoice", { client: v.client_name }),
        go: { kind: "invoice", id: v.invoice.id } as const,
      })),
    ],
    [sections, catalog, t],
  );

  const found = useMemo(() => matching(places, query), [places, query]);
  const shown = found.slice(0, SHOWN);
  const chosen = shown[Math.min(at, shown.length - 1)];

  function go(place: Place | undefined) {
    if (!place) return;
    onGo(place.go);
    onClose();
  }

  return (
    <div className="overlay palette-overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="card dialog palette"
        role="dialog"
        aria-modal="true"
        aria-label={t("dialog")}
        data-testid="palette"
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            onClose();
          } else if (e.key === "ArrowDown") {
            e.preventDefault();
            setAt((i) => Math.min(i + 1, shown.length - 1));
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            setAt((i) => Math.max(i - 1, 0));
          } else if (e.key === "Enter") {
            e.preventDefault();
            go(chosen);
          }
        }}
      >
        <input
          ref={input}
          type="search"
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-results"
          aria-activedescendant={chosen ? `palette-${chosen.key}` : undefined}
          aria-label={t("search")}
          placeholder={t("placeholder")}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setAt(0);
          }}
          data-testid="palette-input"
        />
        {error && (
          <p className="error" role="alert" data-testid="palette-error">
            {error}
          </p>
        )}
        <ul id="palette-results" role="listbox" className="palette-results" data-testid="palette-results">
          {shown.map((p) => (
            <li
              key={p.key}
              id={`palette-${p.key}`}
              role="option"
              aria-selected={p === chosen}
              className={p === chosen ? "is-chosen" : undefined}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => go(p)}
              data-testid="palette-result"
            >
              <span className="palette-label">{p.label}</span>
              <span className="muted small">{p.detail}</span>
            </li>
          ))}
          {shown.length === 0 && (
            <li className="muted small" data-testid="palette-none">
              {t("none", { query })}
            </li>
          )}
        </ul>
        {found.length > SHOWN && (
          <p className="muted small" data-testid="palette-more">
            {t("more", { count: found.length - SHOWN, number: formatNumber(found.length - SHOWN, 0) })}
          </p>
        )}
      </div>
    </div>
  );
}
