import type { TFunction } from "i18next";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { DateField } from "./DateField";
import { api, can, errorMessage, notAllowed } from "./api";
import type { BudgetLimit } from "./bindings/BudgetLimit";
import type { BudgetPeriod } from "./bindings/BudgetPeriod";
import type { BudgetView } from "./bindings/BudgetView";
import type { Client } from "./bindings/Client";
import type { ClientChanges } from "./bindings/ClientChanges";
import type { Permissions } from "./bindings/Permissions";
import type { ProjectChanges } from "./bindings/ProjectChanges";
import type { ProjectSummary } from "./bindings/ProjectSummary";
import type { ProjectView } from "./bindings/ProjectView";
import type { RateView } from "./bindings/RateView";
import type { Rounding } from "./bindings/Rounding";
import type { Tag } from "./bindings/Tag";
import type { TagChanges } from "./bindings/TagChanges";
import type { TaskView } from "./bindings/TaskView";
import { formatDateInput, formatNumber, formatPercent, typedDecimal } from "./format";
import { RoundingPicker } from "./RoundingPicker";
import { hours, money } from "./time";
import "./screens.css";
import "./projects.css";

type Props = {
  permissions: Permissions | null;
  /** Called after clients, projects, rates or budgets changed (the timer bar reloads). */
  onChanged?: () => void;
  /** A client or project to show (chosen in the search): scrolled to and marked. */
  focus?: string | null;
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const KEEP_CLIENT: ClientChanges = { name: null, currency: null, rounding: null, note: null, archived: null };
const KEEP_TAG: TagChanges = { name: null, archived: null };
const KEEP_PROJECT: ProjectChanges = {
  client: null,
  name: null,
  billable: null,
  rounding: null,
  note: null,
  archived: null,
};

/** Trimmed text, or null when nothing was typed (optional fields). */
function optional(text: string, read: (text: string) => string = (t) => t): string | null {
  const t = text.trim();
  return t === "" ? null : read(t);
}

/** "rounds up 15 min" for a client's or project's own rounding; null when it has none. */
function roundingLabel(t: TFunction<"projects">, rounding: Rounding | null): string | null {
  return rounding ? t(`rounds.${rounding.mode}`, { minutes: rounding.minutes }) : null;
}

/** A decimal the engine sends as text ("12.5"), in the locale's way ("12,5"), its decimals kept. */
function decimal(text: string): string {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) return text;
  return formatNumber(value, Math.min(6, (text.split(".")[1] ?? "").length));
}

/** A percentage the engine sends as text ("112.5"), as the locale writes it ("112.5%", "112,5 %"). */
function percentText(text: string): string {
  const value = Number(text);
  return text.trim() === "" || !Number.isFinite(value) ? `${text}%` : formatPercent(value);
}

function byName<T>(name: (item: T) => string) {
  return (a: T, b: T) => name(a).localeCompare(name(b));
}

/** Clients, projects and their tasks, and (for roles that see them) rates and budgets. */
export function ProjectsScreen({ permissions, onChanged, focus = null }: Props) {
  const editCatalog = can(permissions, "edit_catalog");
  const readRates = can(permissions, "read_rates");
  const editRates = can(permissions, "edit_rates");
  const { t } = useTranslation("projects");

  const [clients, setClients] = useState<Client[] | null>(null);
  const [projects, setProjects] = useState<ProjectView[] | null>(null);
  const [tags, setTags] = useState<Tag[] | null>(null);
  const [rates, setRates] = useState<RateView[] | null>(null);
  const [budgets, setBudgets] = useState<BudgetView[] | null>(null);
  const [summaries, setSummaries] = useState<ProjectSummary[]>([]);
  const [today, setToday] = useState("");
  const [orgCurrency, setOrgCurrency] = useState<string | null>(null);
  const [showArchived, setShowArchived] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [c, p, t, f] = await Promise.all([
        api.clients(true),
        api.projects(true),
        api.tags(),
        api.projectSummaries(),
      ]);
      setClients(c);
      setProjects(p);
      setTags(t);
      setSummaries(f);
      if (readRates) {
        const [r, b] = await Promise.all([api.rates(), api.budgets()]);
        setRates(r);
        setBudgets(b);
      }
      setLoadError(null);
    } catch (e) {
      setLoadError(errorMessage(e));
    }
  }, [readRates]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    api.today().then(setToday, () => {
      // The date fields stay empty and can be typed.
    });
    api.organization().then(
      (org) => setOrgCurrency(org.currency),
      () => {
        // A client without its own currency then just says "org default".
      },
    );
  }, []);

  const reload = () => {
    void load();
    onChanged?.();
  };

  // A client or project chosen in the search: shown even when archived, scrolled to and marked.
  useEffect(() => {
    if (!focus || !clients || !projects) return;
    const archived =
      clients.some((c) => c.id === focus && c.archived) || projects.some((p) => p.project.id === focus && p.project.archived);
    if (archived && !showArchived) {
      setShowArchived(true);
      return;
    }
    const row = document.querySelector<HTMLElement>(`[data-row-id="${focus}"]`);
    row?.scrollIntoView?.({ block: "center" });
    row?.classList.add("is-focused");
  }, [focus, clients, projects, showArchived]);

  const activeClients = (clients ?? []).filter((c) => !c.archived).sort(byName((c) => c.name));
  const activeProjects = (projects ?? [])
    .filter((p) => !p.project.archived)
    .sort(byName((p) => `${p.client_name} ${p.project.name}`));

  return (
    <div className="catalog" data-testid="projects-screen">
      <div className="catalog-bar">
        {permissions && !editCatalog ? (
          <p className="notice small" data-testid="catalog-readonly">
            {t("screen.catalogReadOnly", { reason: notAllowed(permissions) })}
          </p>
        ) : (
          <span />
        )}
        <span className="spacer" />
        <label className="check">
          <input
            type="checkbox"
            checked={showArchived}
            onChange={(e) => setShowArchived(e.target.checked)}
            data-testid="show-archived"
          />
          {t("screen.showArchived")}
        </label>
      </div>
      {loadError && (
        <p className="error" role="alert" data-testid="catalog-load-error">
          {loadError}
        </p>
      )}

      <ClientsPanel clients={clients} orgCurrency={orgCurrency} showArchived={showArchived} editable={editCatalog} onChanged={reload} />
      <ProjectsPanel
        projects={projects}
        summaries={summaries}
        budgets={budgets ?? []}
        activeClients={activeClients}
        showArchived={showArchived}
        today={today}
        editable={editCatalog}
        withRate={editRates}
        onChanged={reload}
      />
      <TagsPanel tags={tags} showArchived={showArchived} editable={editCatalog} onChanged={reload} />
      {readRates && (
        <>
          {permissions && !editRates && (
            <p className="notice small" data-testid="rates-readonly">
              {t("screen.ratesReadOnly", { reason: notAllowed(permissions) })}
            </p>
          )}
          <RatesPanel
            rates={rates}
            projects={activeProjects}
            summaries={summaries}
            today={today}
            editable={editRates}
            onChanged={reload}
          />
          <BudgetsPanel
            budgets={budgets}
            projects={activeProjects}
            clients={clients ?? []}
            orgCurrency={orgCurrency}
            editable={editRates}
            onChanged={reload}
          />
        </>
      )}
    </div>
  );
}

/** An add form's place in a panel: shown when asked for ("+ New …"), or while there is nothing yet. */
type Adding = { shown: boolean; open: boolean; toggle: () => void; done: (then: () => void) => () => void };

function useAdding(empty: boolean): Adding {
  const [open, setOpen] = useState(false);
  return {
    shown: open || empty,
    open,
    toggle: () => setOpen((o) => !o),
    // After an add the form folds away again (it stays while the list is still empty).
    done: (then) => () => {
      setOpen(false);
      then();
    },
  };
}

function NewButton({ adding, what }: { adding: Adding; what: "client" | "project" | "tag" }) {
  const { t } = useTranslation("projects", { keyPrefix: "newButton" });
  if (adding.shown && !adding.open) return null;
  return (
    <button
      type="button"
      className={adding.open ? "link" : "small"}
      aria-expanded={adding.open}
      onClick={adding.toggle}
      data-testid={`${what}-new`}
    >
      {adding.open ? t("close") : t(what)}
    </button>
  );
}

/** A project's rate today, its tracked and unbilled time and what that is worth, and its budget. */
function ProjectFigures({ summary, budget }: { summary: ProjectSummary; budget: BudgetView | null }) {
  const { t } = useTranslation("projects");
  return (
    <div className="project-figures" data-testid="project-figures">
      <span title={t("figures.rateTitle")} data-testid="project-rate">
        {summary.rate ? t("figures.rate", { rate: money(summary.rate) }) : t("figures.noRate")}
      </span>
      <span data-testid="project-hours">{t("figures.tracked", { hours: hours(summary.seconds) })}</span>
      <span data-testid="project-unbilled">
        {summary.unbilled_seconds > 0
          ? t("figures.unbilled", { hours: hours(summary.unbilled_seconds) })
          : t("figures.nothingUnbilled")}
        {summary.unbilled.length > 0 && ` · ${summary.unbilled.map(money).join(" + ")}`}
      </span>
      {summary.unrated_seconds > 0 && (
        <span className="project-unrated" data-testid="project-unrated">
          {t("figures.unrated", { hours: hours(summary.unrated_seconds), since: summary.first_unrated })}
        </span>
      )}
      {budget && (
        <span
          className="project-budget"
          title={t("figures.budgetTitle", { limit: limitLabel(t, budget), used: usedLabel(t, budget) })}
        >
          <BudgetBar view={budget} />
          <span className="muted small">{percentText(budget.usage.percent)}</span>
        </span>
      )}
    </div>
  );
}

/* Clients */

function ClientsPanel({
  clients,
  orgCurrency,
  showArchived,
  editable,
  onChanged,
}: {
  clients: Client[] | null;
  orgCurrency: string | null;
  showArchived: boolean;
  editable: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation("projects");
  const shown = (clients ?? []).filter((c) => showArchived || !c.archived).sort(byName((c) => c.name));
  const adding = useAdding(clients !== null && clients.length === 0);
  const active = clients ? clients.filter((c) => !c.archived).length : null;
  return (
    <section className="panel" aria-labelledby="clients-heading">
      <div className="section-head">
        <h2 id="clients-heading">{t("clients.heading")}</h2>
        <span className="muted small" title={active === null ? undefined : t("clients.count", { count: active })}>
          {active ?? ""}
        </span>
        <span className="spacer" />
        {editable && <NewButton adding={adding} what="client" />}
      </div>
      {clients === null ? (
        <p className="muted empty">{t("loading")}</p>
      ) : shown.length === 0 ? (
        <p className="muted empty" data-testid="clients-empty">
          {clients.length === 0
            ? editable
              ? t("clients.emptyAddBelow")
              : t("clients.empty")
            : t("clients.noneActive")}
        </p>
      ) : (
        <ul className="rows" data-testid="client-list">
          {shown.map((client) => (
            <ClientRow key={client.id} client={client} orgCurrency={orgCurrency} editable={editable} onChanged={onChanged} />
          ))}
        </ul>
      )}
      {editable && adding.shown && <AddClientForm orgCurrency={orgCurrency} onAdded={adding.done(onChanged)} />}
    </section>
  );
}

/** A client's or project's row: rename in place, and other edits (archive), with one busy and error
 * state for both. `keep` is the changes object that changes nothing. */
function useRowEdit<C extends { name: string | null }>(
  current: string,
  keep: C,
  save: (changes: C) => Promise<void>,
  onChanged: () => void,
) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(current);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function change(changes: C): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await save(changes);
      onChanged();
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function rename(event: FormEvent) {
    event.preventDefault();
    if (name.trim() === current) {
      setRenaming(false);
      return;
    }
    if (await change({ ...keep, name: name.trim() })) setRenaming(false);
  }

  return { renaming, setRenaming, name, setName, error, busy, change, rename };
}

/** A row's rename-in-place form (Escape or Cancel leaves it). */
function RenameForm({
  kind,
  id,
  current,
  edit,
}: {
  kind: string;
  id: string;
  current: string;
  edit: Pick<ReturnType<typeof useRowEdit>, "name" | "setName" | "busy" | "rename" | "setRenaming">;
}) {
  const { name, setName, busy, rename, setRenaming } = edit;
  const { t } = useTranslation("projects", { keyPrefix: "row" });
  return (
    <form className="inline-form" onSubmit={rename} onKeyDown={(e) => e.key === "Escape" && setRenaming(false)}>
      <label className="sr-only" htmlFor={`${kind}-rename-${id}`}>
        {t("newName", { name: current })}
      </label>
      <input
        id={`${kind}-rename-${id}`}
        value={name}
        autoFocus
        onChange={(e) => setName(e.target.value)}
        data-testid={`${kind}-rename-input`}
      />
      <button type="submit" className="primary" disabled={busy || name.trim() === ""} data-testid={`${kind}-rename-save`}>
        {t("save")}
      </button>
      <button type="button" disabled={busy} onClick={() => setRenaming(false)}>
        {t("cancel")}
      </button>
    </form>
  );
}

function ClientRow({
  client,
  orgCurrency,
  editable,
  onChanged,
}: {
  client: Client;
  /** The organization's currency, which a client without its own bills in (`null` until known). */
  orgCurrency: string | null;
  editable: boolean;
  onChanged: () => void;
}) {
  const edit = useRowEdit(
    client.name,
    KEEP_CLIENT,
    (changes) => api.editClient(client.id, changes),
    onChanged,
  );
  const { renaming, setRenaming, setName, error, busy, change } = edit;
  const { t } = useTranslation("projects");

  const rounding = roundingLabel(t, client.rounding);
  return (
    <li className={`row${client.archived ? " is-archived" : ""}`} data-row-id={client.id} data-testid="client-row">
      {renaming ? (
        <RenameForm kind="client" id={client.id} current={client.name} edit={edit} />
      ) : (
        <div className="row-main">
          <span className="row-name" data-testid="client-name">
            {client.name}
          </span>
          <span className="muted small">
            {client.currency ??
              (orgCurrency ? t("clients.orgCurrency", { currency: orgCurrency }) : t("clients.orgDefault"))}
            {rounding ? ` · ${rounding}` : ""}
          </span>
          {client.archived && <span className="badge">{t("row.archived")}</span>}
        </div>
      )}
      {editable && !renaming && (
        <span className="row-actions">
          <button
            type="button"
            className="link"
            onClick={() => {
              setName(client.name);
              setRenaming(true);
            }}
            aria-label={t("row.renameNamed", { name: client.name })}
            data-testid="client-rename"
          >
            {t("row.rename")}
          </button>
          <button
            type="button"
            className="link"
            disabled={busy}
            onClick={() => void change({ ...KEEP_CLIENT, archived: !client.archived })}
            aria-label={t(client.archived ? "row.unarchiveNamed" : "row.archiveNamed", { name: client.name })}
            data-testid="client-archive"
          >
            {client.archived ? t("row.unarchive") : t("row.archive")}
          </button>
        </span>
      )}
      {error && (
        <p className="error row-error" role="alert" data-testid="client-row-error">
          {error}
        </p>
      )}
    </li>
  );
}

function AddClientForm({ orgCurrency, onAdded }: { orgCurrency: string | null; onAdded: () => void }) {
  const [name, setName] = useState("");
  const [currency, setCurrency] = useState("");
  const [rounding, setRounding] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { t } = useTranslation("projects", { keyPrefix: "addClient" });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.addClient({
        name: name.trim(),
        currency: optional(currency)?.toUpperCase() ?? null,
        rounding: optional(rounding),
        note: "",
      });
      setName("");
      setCurrency("");
      setRounding("");
      onAdded();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="add-form" onSubmit={submit} aria-labelledby="client-add-heading" data-testid="client-form">
      <h3 id="client-add-heading">{t("heading")}</h3>
      <div className="fields">
        <div className="field grow">
          <label htmlFor="client-name">{t("name")}</label>
          <input id="client-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="client-name-input" />
        </div>
        <div className="field narrow">
          <label htmlFor="client-currency">{t("currency")}</label>
          <input
            id="client-currency"
            value={currency}
            maxLength={3}
            placeholder={orgCurrency ?? t("currencyPlaceholder")}
            title={t("currencyTitle")}
            onChange={(e) => setCurrency(e.target.value)}
            data-testid="client-currency-input"
          />
        </div>
        <div className="field rounding-field">
          <label htmlFor="client-rounding">{t("rounding")}</label>
          <RoundingPicker
            id="client-rounding"
            value={rounding}
            onChange={setRounding}
            inherit={t("roundingInherit")}
            testid="client-rounding-input"
          />
        </div>
        <button type="submit" className="primary" disabled={busy || name.trim() === ""} data-testid="client-add">
          {t("submit")}
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="client-error">
          {error}
        </p>
      )}
    </form>
  );
}

/* Tags */

function TagsPanel({
  tags,
  showArchived,
  editable,
  onChanged,
}: {
  tags: Tag[] | null;
  showArchived: boolean;
  editable: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation("projects");
  const shown = (tags ?? []).filter((tag) => showArchived || !tag.archived).sort(byName((tag) => tag.name));
  const adding = useAdding(tags !== null && tags.length === 0);
  const active = tags ? tags.filter((tag) => !tag.archived).length : null;
  return (
    <section className="panel" aria-labelledby="tags-heading">
      <div className="section-head">
        <h2 id="tags-heading">{t("tags.heading")}</h2>
        <span className="muted small" title={active === null ? undefined : t("tags.count", { count: active })}>
          {active ?? ""}
        </span>
        <span className="spacer" />
        {editable && <NewButton adding={adding} what="tag" />}
      </div>
      {tags === null ? (
        <p className="muted empty">{t("loading")}</p>
      ) : shown.length === 0 ? (
        <p className="muted empty" data-testid="tags-empty">
          {tags.length === 0
            ? editable
              ? t("tags.emptyAddBelow")
              : t("tags.empty")
            : t("tags.noneActive")}
        </p>
      ) : (
        <ul className="rows tag-rows" data-testid="tag-list">
          {shown.map((tag) => (
            <TagRow key={tag.id} tag={tag} editable={editable} onChanged={onChanged} />
          ))}
        </ul>
      )}
      {editable && adding.shown && <AddTagForm onAdded={adding.done(onChanged)} />}
    </section>
  );
}

function TagRow({ tag, editable, onChanged }: { tag: Tag; editable: boolean; onChanged: () => void }) {
  const edit = useRowEdit(
    tag.name,
    KEEP_TAG,
    async (changes) => {
      await api.editTag(tag.id, changes);
    },
    onChanged,
  );
  const { renaming, setRenaming, setName, error, busy, change } = edit;
  const { t } = useTranslation("projects", { keyPrefix: "row" });
  return (
    <li className={`row${tag.archived ? " is-archived" : ""}`} data-testid="tag-row">
      {renaming ? (
        <RenameForm kind="tag" id={tag.id} current={tag.name} edit={edit} />
      ) : (
        <div className="row-main">
          <span className="row-name tag-chip" data-testid="tag-name">
            {tag.name}
          </span>
          {tag.archived && <span className="badge">{t("archived")}</span>}
        </div>
      )}
      {editable && !renaming && (
        <span className="row-actions">
          <button
            type="button"
            className="link"
            onClick={() => {
              setName(tag.name);
              setRenaming(true);
            }}
            aria-label={t("renameTag", { name: tag.name })}
            data-testid="tag-rename"
          >
            {t("rename")}
          </button>
          <button
            type="button"
            className="link"
            disabled={busy}
            onClick={() => void change({ ...KEEP_TAG, archived: !tag.archived })}
            aria-label={t(tag.archived ? "unarchiveTag" : "archiveTag", { name: tag.name })}
            data-testid="tag-archive"
          >
            {tag.archived ? t("unarchive") : t("archive")}
          </button>
        </span>
      )}
      {error && (
        <p className="error row-error" role="alert" data-testid="tag-row-error">
          {error}
        </p>
      )}
    </li>
  );
}

function AddTagForm({ onAdded }: { onAdded: () => void }) {
  const { t } = useTranslation("projects", { keyPrefix: "addTag" });
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.addTag(name.trim());
      setName("");
      onAdded();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="add-form" onSubmit={submit} aria-labelledby="tag-add-heading" data-testid="tag-form">
      <h3 id="tag-add-heading">{t("heading")}</h3>
      <div className="fields">
        <div className="field grow">
          <label htmlFor="tag-name">{t("name")}</label>
          <input id="tag-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="tag-name-input" />
        </div>
        <button type="submit" className="primary" disabled={busy || name.trim() === ""} data-testid="tag-add">
          {t("submit")}
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="tag-error">
          {error}
        </p>
      )}
    </form>
  );
}

/* Projects and tasks */

function ProjectsPanel({
  projects,
  summaries,
  budgets,
  activeClients,
  showArchived,
  today,
  editable,
  withRate,
  onChanged,
}: {
  projects: ProjectView[] | null;
  /** Each project's figures (tracked, unbilled, rate), if read. */
  summaries: ProjectSummary[];
  /** Budgets, for the bar in each row (empty for roles that may not read them). */
  budgets: BudgetView[];
  activeClients: Client[];
  showArchived: boolean;
  today: string;
  editable: boolean;
  withRate: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation("projects");
  const [open, setOpen] = useState<string | null>(null);
  const shown = (projects ?? [])
    .filter((p) => showArchived || !p.project.archived)
    .sort(byName((p) => `${p.client_name}\u0000${p.project.name}`));
  const adding = useAdding(projects !== null && projects.length === 0);
  const active = projects ? projects.filter((p) => !p.project.archived).length : null;

  return (
    <section className="panel" aria-labelledby="projects-heading">
      <div className="section-head">
        <h2 id="projects-heading">{t("projects.heading")}</h2>
        <span className="muted small" title={active === null ? undefined : t("projects.count", { count: active })}>
          {active ?? ""}
        </span>
        <span className="spacer" />
        {editable && <NewButton adding={adding} what="project" />}
      </div>
      {projects === null ? (
        <p className="muted empty">{t("loading")}</p>
      ) : shown.length === 0 ? (
        <p className="muted empty" data-testid="projects-empty">
          {projects.length === 0
            ? editable
              ? t("projects.emptyAddBelow")
              : t("projects.empty")
            : t("projects.noneActive")}
        </p>
      ) : (
        <ul className="rows" data-testid="project-list">
          {shown.map((view) => (
            <ProjectRow
              key={view.project.id}
              view={view}
              summary={summaries.find((f) => f.project === view.project.id) ?? null}
              budget={budgets.find((b) => b.budget.project === view.project.id) ?? null}
              editable={editable}
              open={open === view.project.id}
              onToggle={() => setOpen(open === view.project.id ? null : view.project.id)}
              onChanged={onChanged}
            />
          ))}
        </ul>
      )}
      {editable && adding.shown && (
        <AddProjectForm clients={activeClients} today={today} withRate={withRate} onAdded={adding.done(onChanged)} />
      )}
    </section>
  );
}

function ProjectRow({
  view,
  summary,
  budget,
  editable,
  open,
  onToggle,
  onChanged,
}: {
  view: ProjectView;
  summary: ProjectSummary | null;
  budget: BudgetView | null;
  editable: boolean;
  open: boolean;
  onToggle: () => void;
  onChanged: () => void;
}) {
  const project = view.project;
  const edit = useRowEdit(
    project.name,
    KEEP_PROJECT,
    (changes) => api.editProject(project.id, changes),
    onChanged,
  );
  const { renaming, setRenaming, setName, error, busy, change } = edit;
  const { t } = useTranslation("projects");

  const rounding = roundingLabel(t, project.rounding);
  return (
    <li
      className={`row${project.archived ? " is-archived" : ""}${open ? " is-open" : ""}`}
      data-row-id={project.id}
      data-testid="project-row"
    >
      {renaming ? (
        <RenameForm kind="project" id={project.id} current={project.name} edit={edit} />
      ) : (
        <div className="row-main">
          <span className="row-name">
            <span className="muted" data-testid="project-client">
              {view.client_name}
            </span>
            <span className="muted"> — </span>
            <span data-testid="project-name">{project.name}</span>
          </span>
          <span className="muted small">
            {project.billable ? t("projects.billable") : t("projects.notBillable")}
            {rounding ? ` · ${rounding}` : ""}
          </span>
          {project.archived && <span className="badge">{t("row.archived")}</span>}
        </div>
      )}
      {!renaming && (
        <span className="row-actions">
          <button
            type="button"
            className="link"
            onClick={onToggle}
            aria-expanded={open}
            aria-label={t("projects.tasksOf", { name: project.name })}
            data-testid="project-tasks"
          >
            {t("projects.tasks")}
          </button>
          {editable && (
            <>
              <button
                type="button"
                className="link"
                onClick={() => {
                  setName(project.name);
                  setRenaming(true);
                }}
                aria-label={t("row.renameNamed", { name: project.name })}
                data-testid="project-rename"
              >
                {t("row.rename")}
              </button>
              <button
                type="button"
                className="link"
                disabled={busy}
                onClick={() => void change({ ...KEEP_PROJECT, archived: !project.archived })}
                aria-label={t(project.archived ? "row.unarchiveNamed" : "row.archiveNamed", { name: project.name })}
                data-testid="project-archive"
              >
                {project.archived ? t("row.unarchive") : t("row.archive")}
              </button>
            </>
          )}
        </span>
      )}
      {!renaming && summary && <ProjectFigures summary={summary} budget={budget} />}
      {error && (
        <p className="error row-error" role="alert" data-testid="project-row-error">
          {error}
        </p>
      )}
      {open && <TasksPanel project={view} editable={editable} />}
    </li>
  );
}

function TasksPanel({ project, editable }: { project: ProjectView; editable: boolean }) {
  const { t } = useTranslation("projects");
  const id = project.project.id;
  const [tasks, setTasks] = useState<TaskView[] | null>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setTasks(await api.tasks(id));
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.addTask(id, name.trim());
      setName("");
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="tasks" data-testid="task-panel">
      {tasks === null ? (
        <p className="muted small">{t("tasks.loading")}</p>
      ) : tasks.length === 0 ? (
        <p className="muted small" data-testid="tasks-empty">
          {editable ? t("tasks.emptyAddBelow") : t("tasks.empty")}
        </p>
      ) : (
        <ul className="task-list">
          {tasks.map((view) => (
            <li key={view.task.id} className={view.task.archived ? "muted" : ""} data-testid="task-row">
              {view.task.name}
              {view.task.billable !== null && (
                <span className="muted small">
                  {" · "}
                  {view.task.billable ? t("projects.billable") : t("projects.notBillable")}
                </span>
              )}
              {view.task.archived && <span className="badge">{t("row.archived")}</span>}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form className="inline-form" onSubmit={submit}>
          <label className="sr-only" htmlFor={`task-name-${id}`}>
            {t("tasks.newFor", { name: project.project.name })}
          </label>
          <input
            id={`task-name-${id}`}
            value={name}
            placeholder={t("tasks.newPlaceholder")}
            onChange={(e) => setName(e.target.value)}
            data-testid="task-name-input"
          />
          <button type="submit" disabled={busy || name.trim() === ""} data-testid="task-add">
            {t("tasks.add")}
          </button>
        </form>
      )}
      {error && (
        <p className="error" role="alert" data-testid="task-error">
          {error}
        </p>
      )}
    </div>
  );
}

function AddProjectForm({
  clients,
  today,
  withRate,
  onAdded,
}: {
  clients: Client[];
  today: string;
  withRate: boolean;
  onAdded: () => void;
}) {
  const { t } = useTranslation("projects");
  const [clientId, setClientId] = useState("");
  const [name, setName] = useState("");
  const [billable, setBillable] = useState(true);
  const [rounding, setRounding] = useState("");
  const [hourly, setHourly] = useState("");
  const [from, setFrom] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const client = clients.find((c) => c.id === clientId) ?? clients[0];
  const effectiveFrom = (from ?? today).trim();

  function clear() {
    setName("");
    setBillable(true);
    setRounding("");
    setHourly("");
    setFrom(null);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!client) return;
    const rate = withRate ? optional(hourly, typedDecimal) : null;
    if (rate !== null && !DATE.test(effectiveFrom)) {
      setError(t("dateHint", { example: formatDateInput("2026-11-01") }));
      return;
    }
    setBusy(true);
    setError(null);
    const projectName = name.trim();
    let id: string;
    try {
      id = await api.addProject({
        client: client.id,
        name: projectName,
        billable,
        rounding: optional(rounding),
        note: "",
      });
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
      return;
    }
    if (rate !== null) {
      try {
        await api.setRate({
          scope: { level: "project", project: id },
          effective_from: effectiveFrom,
          hourly: rate,
          currency: null,
        });
      } catch (e) {
        // The project exists now; keep the rate as typed so it can be added under Rates.
        setError(t("addProject.rateFailed", { project: projectName, error: errorMessage(e) }));
        setName("");
        setRounding("");
        setBusy(false);
        onAdded();
        return;
      }
    }
    clear();
    setBusy(false);
    onAdded();
  }

  if (clients.length === 0) {
    return (
      <div className="add-form">
        <h3>{t("addProject.heading")}</h3>
        <p className="muted small" data-testid="project-needs-client">
          {t("addProject.needsClient")}
        </p>
      </div>
    );
  }

  return (
    <form className="add-form" onSubmit={submit} aria-labelledby="project-add-heading" data-testid="project-form">
      <h3 id="project-add-heading">{t("addProject.heading")}</h3>
      <div className="fields">
        <div className="field">
          <label htmlFor="project-client">{t("addProject.client")}</label>
          <select
            id="project-client"
            value={client?.id ?? ""}
            onChange={(e) => setClientId(e.target.value)}
            data-testid="project-client-select"
          >
            {clients.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor="project-name">{t("addProject.name")}</label>
          <input
            id="project-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="project-name-input"
          />
        </div>
        <div className="field rounding-field">
          <label htmlFor="project-rounding">{t("addProject.rounding")}</label>
          <RoundingPicker
            id="project-rounding"
            value={rounding}
            onChange={setRounding}
            inherit={t("addProject.roundingInherit")}
            testid="project-rounding-input"
          />
        </div>
      </div>
      <div className="fields">
        <label className="check field-check">
          <input
            type="checkbox"
            checked={billable}
            onChange={(e) => setBillable(e.target.checked)}
            data-testid="project-billable"
          />
          {t("addProject.billable")}
        </label>
        {withRate && (
          <>
            <div className="field narrow">
              <label htmlFor="project-rate">{t("addProject.hourlyRate")}</label>
              <input
                id="project-rate"
                value={hourly}
                inputMode="decimal"
                placeholder={t("addProject.hourlyRatePlaceholder")}
                onChange={(e) => setHourly(e.target.value)}
                data-testid="project-rate-input"
              />
            </div>
            <div className="field date">
              <label htmlFor="project-rate-from">{t("addProject.rateFrom")}</label>
              <DateField id="project-rate-from" value={from ?? today} onChange={setFrom} testId="project-rate-from" />
            </div>
          </>
        )}
        <span className="spacer" />
        <button type="submit" className="primary" disabled={busy || name.trim() === ""} data-testid="project-add">
          {t("addProject.submit")}
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="project-error">
          {error}
        </p>
      )}
    </form>
  );
}

/* Rates */

function ProjectSelect({
  id,
  projects,
  value,
  onChange,
  testId,
}: {
  id: string;
  projects: ProjectView[];
  value: string;
  onChange: (id: string) => void;
  testId: string;
}) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      {projects.map((p) => (
        <option key={p.project.id} value={p.project.id}>
          {p.client_name} — {p.project.name}
        </option>
      ))}
    </select>
  );
}

function RatesPanel({
  rates,
  projects,
  summaries,
  today,
  editable,
  onChanged,
}: {
  rates: RateView[] | null;
  projects: ProjectView[];
  summaries: ProjectSummary[];
  today: string;
  editable: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation("projects");
  return (
    <section className="panel" aria-labelledby="rates-heading">
      <div className="section-head">
        <h2 id="rates-heading">{t("rates.heading")}</h2>
        <span className="muted small">{t("rates.hint")}</span>
      </div>
      {rates === null ? (
        <p className="muted empty">{t("loading")}</p>
      ) : rates.length === 0 ? (
        <p className="muted empty" data-testid="rates-empty">
          {editable && projects.length > 0 ? t("rates.emptyAddBelow") : t("rates.empty")}
        </p>
      ) : (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t("rates.appliesTo")}</th>
              <th scope="col" className="num">
                {t("rates.hourly")}
              </th>
              <th scope="col">{t("rates.from")}</th>
            </tr>
          </thead>
          <tbody>
            {rates.map((view) => (
              <tr key={view.rate.id} data-testid="rate-row">
                <td>{view.applies_to}</td>
                <td className="num" data-testid="rate-amount">
                  {money(view.rate.hourly)}
                </td>
                <td>{view.rate.effective_from}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editable && projects.length > 0 && <AddRateForm projects={projects} summaries={summaries} today={today} onAdded={onChanged} />}
    </section>
  );
}

function AddRateForm({
  projects,
  summaries,
  today,
  onAdded,
}: {
  projects: ProjectView[];
  summaries: ProjectSummary[];
  today: string;
  onAdded: () => void;
}) {
  const { t } = useTranslation("projects");
  const [projectId, setProjectId] = useState("");
  const [hourly, setHourly] = useState("");
  const [from, setFrom] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const project = projects.find((p) => p.project.id === projectId) ?? projects[0];
  // Billable time no rate covers yet: the new rate starts early enough to cover it, unless changed.
  const unrated = summaries.find((f) => f.project === project?.project.id && f.unrated_seconds > 0);
  const suggested = unrated?.first_unrated && unrated.first_unrated < today ? unrated.first_unrated : today;
  const effectiveFrom = (from ?? suggested).trim();
  const leftOut =
    unrated?.first_unrated && DATE.test(effectiveFrom) && effectiveFrom > unrated.first_unrated ? unrated : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!project) return;
    if (!DATE.test(effectiveFrom)) {
      setError(t("dateHint", { example: formatDateInput("2026-11-01") }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.setRate({
        scope: { level: "project", project: project.project.id },
        effective_from: effectiveFrom,
        hourly: typedDecimal(hourly),
        currency: null,
      });
      setHourly("");
      setFrom(null);
      onAdded();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="add-form" onSubmit={submit} aria-labelledby="rate-add-heading" data-testid="rate-form">
      <h3 id="rate-add-heading">{t("addRate.heading")}</h3>
      <div className="fields">
        <div className="field grow">
          <label htmlFor="rate-project">{t("addRate.project")}</label>
          <ProjectSelect
            id="rate-project"
            projects={projects}
            value={project?.project.id ?? ""}
            onChange={setProjectId}
            testId="rate-project-select"
          />
        </div>
        <div className="field narrow">
          <label htmlFor="rate-hourly">{t("addRate.hourlyRate")}</label>
          <input
            id="rate-hourly"
            value={hourly}
            inputMode="decimal"
            placeholder={t("addRate.hourlyRatePlaceholder")}
            onChange={(e) => setHourly(e.target.value)}
            data-testid="rate-hourly-input"
          />
        </div>
        <div className="field date">
          <label htmlFor="rate-from">{t("addRate.from")}</label>
          <DateField id="rate-from" value={from ?? suggested} onChange={setFrom} testId="rate-from-input" />
        </div>
        <button type="submit" className="primary" disabled={busy || hourly.trim() === ""} data-testid="rate-add">
          {t("addRate.submit")}
        </button>
      </div>
      {leftOut && (
        <p className="notice small" role="status" data-testid="rate-gap">
          {t("addRate.gap", { hours: hours(leftOut.unrated_seconds), since: leftOut.first_unrated, from: effectiveFrom })}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="rate-error">
          {error}
        </p>
      )}
    </form>
  );
}

/* Budgets */

/** "40 h in total", "€5,000.00 per month". */
function limitLabel(t: TFunction<"projects">, view: BudgetView): string {
  const limit = view.budget.limit;
  const amount = limit.unit === "hours" ? t("budgets.hours", { hours: decimal(limit.hours) }) : money(limit.amount);
  return view.budget.period === "monthly" ? t("budgets.perMonth", { amount }) : t("budgets.inTotal", { amount });
}

/** "45 h of 40 h (112.5%)". */
function usedLabel(t: TFunction<"projects">, view: BudgetView): string {
  const limit = view.budget.limit;
  const { used, limit: of, percent } = view.usage;
  const text =
    limit.unit === "hours"
      ? t("budgets.usedHours", { used: decimal(used), limit: decimal(of) })
      : t("budgets.usedAmount", {
          used: money({ amount: used, currency: limit.amount.currency }),
          limit: money({ amount: of, currency: limit.amount.currency }),
        });
  return t("budgets.usedWithPercent", { used: text, percent: percentText(percent) });
}

function BudgetBar({ view }: { view: BudgetView }) {
  const { t } = useTranslation("projects");
  const percent = Number(view.usage.percent) || 0;
  const over = percent > 100;
  return (
    <div
      className={`budget-bar${over ? " over" : ""}`}
      role="progressbar"
      aria-label={t("budgets.barLabel", { project: view.project_name })}
      aria-valuenow={percent}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuetext={t("budgets.barValue", { percent: percentText(view.usage.percent) })}
      data-testid="budget-bar"
    >
      <div className="budget-fill" style={{ width: `${Math.min(100, Math.max(0, percent))}%` }} />
    </div>
  );
}

function BudgetsPanel({
  budgets,
  projects,
  clients,
  orgCurrency,
  editable,
  onChanged,
}: {
  budgets: BudgetView[] | null;
  projects: ProjectView[];
  clients: Client[];
  orgCurrency: string | null;
  editable: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation("projects");
  return (
    <section className="panel" aria-labelledby="budgets-heading">
      <div className="section-head">
        <h2 id="budgets-heading">{t("budgets.heading")}</h2>
        <span className="muted small">{t("budgets.hint")}</span>
      </div>
      {budgets === null ? (
        <p className="muted empty">{t("loading")}</p>
      ) : budgets.length === 0 ? (
        <p className="muted empty" data-testid="budgets-empty">
          {editable && projects.length > 0 ? t("budgets.emptySetBelow") : t("budgets.empty")}
        </p>
      ) : (
        <ul className="rows">
          {budgets.map((view) => (
            <li key={view.budget.id} className="budget-row" data-testid="budget-row">
              <span className="row-name">{view.project_name}</span>
              <span className="muted small">{limitLabel(t, view)}</span>
              <BudgetBar view={view} />
              <span className={`small budget-used${Number(view.usage.percent) > 100 ? " over" : ""}`}>
                {usedLabel(t, view)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {editable && projects.length > 0 && (
        <SetBudgetForm projects={projects} clients={clients} orgCurrency={orgCurrency} onSet={onChanged} />
      )}
    </section>
  );
}

function SetBudgetForm({
  projects,
  clients,
  orgCurrency,
  onSet,
}: {
  projects: ProjectView[];
  clients: Client[];
  /** The organization's currency, for a budget whose client has none (`null` until known). */
  orgCurrency: string | null;
  onSet: () => void;
}) {
  const { t } = useTranslation("projects", { keyPrefix: "setBudget" });
  const [projectId, setProjectId] = useState("");
  const [unit, setUnit] = useState<"hours" | "amount">("hours");
  const [limit, setLimit] = useState("");
  const [currency, setCurrency] = useState<string | null>(null);
  const [period, setPeriod] = useState<BudgetPeriod>("lifetime");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const project = projects.find((p) => p.project.id === projectId) ?? projects[0];
  const clientCurrency = clients.find((c) => c.id === project?.project.client)?.currency ?? null;
  // Unknown, the field stays empty and can be typed.
  const shownCurrency = currency ?? clientCurrency ?? orgCurrency ?? "";

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!project) return;
    const code = shownCurrency.trim().toUpperCase();
    if (unit === "amount" && code === "") {
      setError(t("currencyMissing"));
      return;
    }
    const budgetLimit: BudgetLimit =
      unit === "hours"
        ? { unit: "hours", hours: typedDecimal(limit) }
        : { unit: "amount", amount: { amount: typedDecimal(limit), currency: code } };
    setBusy(true);
    setError(null);
    try {
      await api.setBudget(project.project.id, budgetLimit, period);
      setLimit("");
      setCurrency(null);
      onSet();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="add-form" onSubmit={submit} aria-labelledby="budget-set-heading" data-testid="budget-form">
      <h3 id="budget-set-heading">{t("heading")}</h3>
      <div className="fields">
        <div className="field grow">
          <label htmlFor="budget-project">{t("project")}</label>
          <ProjectSelect
            id="budget-project"
            projects={projects}
            value={project?.project.id ?? ""}
            onChange={setProjectId}
            testId="budget-project-select"
          />
        </div>
        <div className="field narrow">
          <label htmlFor="budget-unit">{t("unit")}</label>
          <select
            id="budget-unit"
            value={unit}
            onChange={(e) => setUnit(e.target.value === "amount" ? "amount" : "hours")}
            data-testid="budget-unit-select"
          >
            <option value="hours">{t("unitHours")}</option>
            <option value="amount">{t("unitMoney")}</option>
          </select>
        </div>
        <div className="field narrow">
          <label htmlFor="budget-limit">{unit === "hours" ? t("hours") : t("amount")}</label>
          <input
            id="budget-limit"
            value={limit}
            inputMode="decimal"
            placeholder={unit === "hours" ? t("hoursPlaceholder") : t("amountPlaceholder")}
            onChange={(e) => setLimit(e.target.value)}
            data-testid="budget-limit-input"
          />
        </div>
        {unit === "amount" && (
          <div className="field tiny">
            <label htmlFor="budget-currency">{t("currency")}</label>
            <input
              id="budget-currency"
              value={shownCurrency}
              maxLength={3}
              onChange={(e) => setCurrency(e.target.value)}
              data-testid="budget-currency-input"
            />
          </div>
        )}
        <div className="field narrow">
          <label htmlFor="budget-period">{t("period")}</label>
          <select
            id="budget-period"
            value={period}
            onChange={(e) => setPeriod(e.target.value === "monthly" ? "monthly" : "lifetime")}
            data-testid="budget-period-select"
          >
            <option value="lifetime">{t("periodLifetime")}</option>
            <option value="monthly">{t("periodMonthly")}</option>
          </select>
        </div>
        <button type="submit" className="primary" disabled={busy || limit.trim() === ""} data-testid="budget-set">
          {t("submit")}
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="budget-error">
          {error}
        </p>
      )}
    </form>
  );
}
