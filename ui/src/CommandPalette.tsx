import { useEffect, useMemo, useRef, useState } from "react";

import { api, can, errorMessage } from "./api";
import type { Permissions } from "./bindings/Permissions";

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
  const [places, setPlaces] = useState<Place[]>(() =>
    sections.map((s) => ({ key: `tab:${s.id}`, label: s.label, detail: "Section", go: { kind: "tab", tab: s.id } })),
  );
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
        if (!current) return;
        const archived = (yes: boolean) => (yes ? " · archived" : "");
        setPlaces((sectionsOnly) => [
          ...sectionsOnly.filter((p) => p.go.kind === "tab"),
          ...projects.map((p) => ({
            key: `project:${p.project.id}`,
            label: p.project.name,
            detail: `Project · ${p.client_name}${archived(p.project.archived)}`,
            go: { kind: "project", id: p.project.id } as const,
          })),
          ...clients.map((c) => ({
            key: `client:${c.id}`,
            label: c.name,
            detail: `Client${archived(c.archived)}`,
            go: { kind: "client", id: c.id } as const,
          })),
          ...invoices.map((v) => ({
            key: `invoice:${v.invoice.id}`,
            label: v.label,
            detail: `Invoice · ${v.client_name}`,
            go: { kind: "invoice", id: v.invoice.id } as const,
          })),
        ]);
      },
      (e: unknown) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [readsInvoices]);

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
        aria-label="Search and go"
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
          aria-label="Search projects, clients and invoices"
          placeholder="Search projects, clients, invoices…"
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
              Nothing matches “{query}”.
            </li>
          )}
        </ul>
        {found.length > SHOWN && (
          <p className="muted small" data-testid="palette-more">
            {found.length - SHOWN} more: type more to narrow the list.
          </p>
        )}
      </div>
    </div>
  );
}
