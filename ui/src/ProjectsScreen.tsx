import { useCallback, useEffect, useState, type FormEvent } from "react";

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
const DATE_HINT = "Dates are YYYY-MM-DD, for example 2026-11-01.";

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
function optional(text: string): string | null {
  const t = text.trim();
  return t === "" ? null : t;
}

function roundingLabel(rounding: Rounding | null): string | null {
  return rounding ? `${rounding.mode} ${rounding.minutes} min` : null;
}

function byName<T>(name: (item: T) => string) {
  return (a: T, b: T) => name(a).localeCompare(name(b));
}

/** Clients, projects and their tasks, and (for roles that see them) rates and budgets. */
export function ProjectsScreen({ permissions, onChanged, focus = null }: Props) {
  const editCatalog = can(permissions, "edit_catalog");
  const readRates = can(permissions, "read_rates");
  const editRates = can(permissions, "edit_rates");

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
            Clients, projects, tasks and tags are read-only here. {notAllowed(permissions)}
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
          Show archived
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
              Rates and budgets are read-only here. {notAllowed(permissions)}
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

function NewButton({ adding, what }: { adding: Adding; what: string }) {
  if (adding.shown && !adding.open) return null;
  return (
    <button
      type="button"
      className={adding.open ? "link" : "small"}
      aria-expanded={adding.open}
      onClick={adding.toggle}
      data-testid={`${what}-new`}
    >
      {adding.open ? "Close" : `+ New ${what}`}
    </button>
  );
}

/** A project's rate today, its tracked and unbilled time and what that is worth, and its budget. */
function ProjectFigures({ summary, budget }: { summary: ProjectSummary; budget: BudgetView | null }) {
  return (
    <div className="project-figures" data-testid="project-figures">
      <span title="The project's hourly rate today (a member's own rate may differ)" data-testid="project-rate">
        {summary.rate ? `${money(summary.rate)}/h` : "no rate"}
      </span>
      <span data-testid="project-hours">{hours(summary.seconds)} h tracked</span>
      <span data-testid="project-unbilled">
        {summary.unbilled_seconds > 0 ? `${hours(summary.unbilled_seconds)} h unbilled` : "nothing unbilled"}
        {summary.unbilled.length > 0 && ` · ${summary.unbilled.map(money).join(" + ")}`}
      </span>
      {summary.unrated_seconds > 0 && (
        <span className="project-unrated" data-testid="project-unrated">
          {hours(summary.unrated_seconds)} h since {summary.first_unrated} has no rate
        </span>
      )}
      {budget && (
        <span className="project-budget" title={`Budget: ${limitLabel(budget)}; ${usedLabel(budget)} used`}>
          <BudgetBar view={budget} />
          <span className="muted small">{budget.usage.percent}%</span>
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
  const shown = (clients ?? []).filter((c) => showArchived || !c.archived).sort(byName((c) => c.name));
  const adding = useAdding(clients !== null && clients.length === 0);
  return (
    <section className="panel" aria-labelledby="clients-heading">
      <div className="section-head">
        <h2 id="clients-heading">Clients</h2>
        <span className="muted small">{clients ? clients.filter((c) => !c.archived).length : ""}</span>
        <span className="spacer" />
        {editable && <NewButton adding={adding} what="client" />}
      </div>
      {clients === null ? (
        <p className="muted empty">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="muted empty" data-testid="clients-empty">
          {clients.length === 0
            ? editable
              ? "No clients yet — add the first one below."
              : "No clients yet."
            : "No active clients — tick “Show archived” to see the others."}
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
  return (
    <form className="inline-form" onSubmit={rename} onKeyDown={(e) => e.key === "Escape" && setRenaming(false)}>
      <label className="sr-only" htmlFor={`${kind}-rename-${id}`}>
        New name for {current}
      </label>
      <input
        id={`${kind}-rename-${id}`}
        value={name}
        autoFocus
        onChange={(e) => setName(e.target.value)}
        data-testid={`${kind}-rename-input`}
      />
      <button type="submit" className="primary" disabled={busy || name.trim() === ""} data-testid={`${kind}-rename-save`}>
        Save
      </button>
      <button type="button" disabled={busy} onClick={() => setRenaming(false)}>
        Cancel
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

  const rounding = roundingLabel(client.rounding);
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
            {client.currency ?? (orgCurrency ? `${orgCurrency} (org default)` : "org default")}
            {rounding ? ` · rounds ${rounding}` : ""}
          </span>
          {client.archived && <span className="badge">archived</span>}
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
            aria-label={`Rename ${client.name}`}
            data-testid="client-rename"
          >
            Rename
          </button>
          <button
            type="button"
            className="link"
            disabled={busy}
            onClick={() => void change({ ...KEEP_CLIENT, archived: !client.archived })}
            aria-label={`${client.archived ? "Unarchive" : "Archive"} ${client.name}`}
            data-testid="client-archive"
          >
            {client.archived ? "Unarchive" : "Archive"}
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
      <h3 id="client-add-heading">Add a client</h3>
      <div className="fields">
        <div className="field grow">
          <label htmlFor="client-name">Name</label>
          <input id="client-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="client-name-input" />
        </div>
        <div className="field narrow">
          <label htmlFor="client-currency">Currency</label>
          <input
            id="client-currency"
            value={currency}
            maxLength={3}
            placeholder={orgCurrency ?? "org default"}
            title="Empty: the organization's currency"
            onChange={(e) => setCurrency(e.target.value)}
            data-testid="client-currency-input"
          />
        </div>
        <div className="field rounding-field">
          <label htmlFor="client-rounding">Rounding</label>
          <RoundingPicker
            id="client-rounding"
            value={rounding}
            onChange={setRounding}
            inherit="As organization"
            testid="client-rounding-input"
          />
        </div>
        <button type="submit" className="primary" disabled={busy || name.trim() === ""} data-testid="client-add">
          Add client
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
  const shown = (tags ?? []).filter((t) => showArchived || !t.archived).sort(byName((t) => t.name));
  const adding = useAdding(tags !== null && tags.length === 0);
  return (
    <section className="panel" aria-labelledby="tags-heading">
      <div className="section-head">
        <h2 id="tags-heading">Tags</h2>
        <span className="muted small">{tags ? tags.filter((t) => !t.archived).length : ""}</span>
        <span className="spacer" />
        {editable && <NewButton adding={adding} what="tag" />}
      </div>
      {tags === null ? (
        <p className="muted empty">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="muted empty" data-testid="tags-empty">
          {tags.length === 0
            ? editable
              ? "No tags yet — add one below, then pick it in the timer bar."
              : "No tags yet."
            : "No active tags — tick “Show archived” to see the others."}
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
  return (
    <li className={`row${tag.archived ? " is-archived" : ""}`} data-testid="tag-row">
      {renaming ? (
        <RenameForm kind="tag" id={tag.id} current={tag.name} edit={edit} />
      ) : (
        <div className="row-main">
          <span className="row-name tag-chip" data-testid="tag-name">
            {tag.name}
          </span>
          {tag.archived && <span className="badge">archived</span>}
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
            aria-label={`Rename tag ${tag.name}`}
            data-testid="tag-rename"
          >
            Rename
          </button>
          <button
            type="button"
            className="link"
            disabled={busy}
            onClick={() => void change({ ...KEEP_TAG, archived: !tag.archived })}
            aria-label={`${tag.archived ? "Unarchive" : "Archive"} tag ${tag.name}`}
            data-testid="tag-archive"
          >
            {tag.archived ? "Unarchive" : "Archive"}
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
      <h3 id="tag-add-heading">Add a tag</h3>
      <div className="fields">
        <div className="field grow">
          <label htmlFor="tag-name">Name</label>
          <input id="tag-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="tag-name-input" />
        </div>
        <button type="submit" className="primary" disabled={busy || name.trim() === ""} data-testid="tag-add">
          Add tag
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
  const [open, setOpen] = useState<string | null>(null);
  const shown = (projects ?? [])
    .filter((p) => showArchived || !p.project.archived)
    .sort(byName((p) => `${p.client_name}\u0000${p.project.name}`));
  const adding = useAdding(projects !== null && projects.length === 0);

  return (
    <section className="panel" aria-labelledby="projects-heading">
      <div className="section-head">
        <h2 id="projects-heading">Projects</h2>
        <span className="muted small">{projects ? projects.filter((p) => !p.project.archived).length : ""}</span>
        <span className="spacer" />
        {editable && <NewButton adding={adding} what="project" />}
      </div>
      {projects === null ? (
        <p className="muted empty">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="muted empty" data-testid="projects-empty">
          {projects.length === 0
            ? editable
              ? "No projects yet — add the first one below."
              : "No projects yet."
            : "No active projects — tick “Show archived” to see the others."}
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

  const rounding = roundingLabel(project.rounding);
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
            {project.billable ? "billable" : "not billable"}
            {rounding ? ` · rounds ${rounding}` : ""}
          </span>
          {project.archived && <span className="badge">archived</span>}
        </div>
      )}
      {!renaming && (
        <span className="row-actions">
          <button
            type="button"
            className="link"
            onClick={onToggle}
            aria-expanded={open}
            aria-label={`Tasks of ${project.name}`}
            data-testid="project-tasks"
          >
            Tasks
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
                aria-label={`Rename ${project.name}`}
                data-testid="project-rename"
              >
                Rename
              </button>
              <button
                type="button"
                className="link"
                disabled={busy}
                onClick={() => void change({ ...KEEP_PROJECT, archived: !project.archived })}
                aria-label={`${project.archived ? "Unarchive" : "Archive"} ${project.name}`}
                data-testid="project-archive"
              >
                {project.archived ? "Unarchive" : "Archive"}
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
        <p className="muted small">Loading tasks…</p>
      ) : tasks.length === 0 ? (
        <p className="muted small" data-testid="tasks-empty">
          No tasks yet{editable ? " — add the first one below." : "."}
        </p>
      ) : (
        <ul className="task-list">
          {tasks.map((t) => (
            <li key={t.task.id} className={t.task.archived ? "muted" : ""} data-testid="task-row">
              {t.task.name}
              {t.task.billable !== null && (
                <span className="muted small"> · {t.task.billable ? "billable" : "not billable"}</span>
              )}
              {t.task.archived && <span className="badge">archived</span>}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form className="inline-form" onSubmit={submit}>
          <label className="sr-only" htmlFor={`task-name-${id}`}>
            New task for {project.project.name}
          </label>
          <input
            id={`task-name-${id}`}
            value={name}
            placeholder="New task"
            onChange={(e) => setName(e.target.value)}
            data-testid="task-name-input"
          />
          <button type="submit" disabled={busy || name.trim() === ""} data-testid="task-add">
            Add task
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
    const rate = withRate ? optional(hourly) : null;
    if (rate !== null && !DATE.test(effectiveFrom)) {
      setError(DATE_HINT);
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
        setError(`${projectName} was added, but its rate was not: ${errorMessage(e)}`);
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
        <h3>Add a project</h3>
        <p className="muted small" data-testid="project-needs-client">
          Add a client first; every project belongs to one.
        </p>
      </div>
    );
  }

  return (
    <form className="add-form" onSubmit={submit} aria-labelledby="project-add-heading" data-testid="project-form">
      <h3 id="project-add-heading">Add a project</h3>
      <div className="fields">
        <div className="field">
          <label htmlFor="project-client">Client</label>
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
          <label htmlFor="project-name">Name</label>
          <input
            id="project-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="project-name-input"
          />
        </div>
        <div className="field rounding-field">
          <label htmlFor="project-rounding">Rounding</label>
          <RoundingPicker
            id="project-rounding"
            value={rounding}
            onChange={setRounding}
            inherit="As client"
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
          Billable
        </label>
        {withRate && (
          <>
            <div className="field narrow">
              <label htmlFor="project-rate">Hourly rate</label>
              <input
                id="project-rate"
                value={hourly}
                inputMode="decimal"
                placeholder="optional"
                onChange={(e) => setHourly(e.target.value)}
                data-testid="project-rate-input"
              />
            </div>
            <div className="field date">
              <label htmlFor="project-rate-from">Rate from</label>
              <input
                id="project-rate-from"
                value={from ?? today}
                inputMode="numeric"
                placeholder="YYYY-MM-DD"
                maxLength={10}
                onChange={(e) => setFrom(e.target.value)}
                data-testid="project-rate-from"
              />
            </div>
          </>
        )}
        <span className="spacer" />
        <button type="submit" className="primary" disabled={busy || name.trim() === ""} data-testid="project-add">
          Add project
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
  return (
    <section className="panel" aria-labelledby="rates-heading">
      <div className="section-head">
        <h2 id="rates-heading">Rates</h2>
        <span className="muted small">hourly, most specific wins</span>
      </div>
      {rates === null ? (
        <p className="muted empty">Loading…</p>
      ) : rates.length === 0 ? (
        <p className="muted empty" data-testid="rates-empty">
          No rates yet{editable && projects.length > 0 ? " — add the first one below." : "."}
        </p>
      ) : (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">Applies to</th>
              <th scope="col" className="num">
                Hourly
              </th>
              <th scope="col">From</th>
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
      setError(DATE_HINT);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.setRate({
        scope: { level: "project", project: project.project.id },
        effective_from: effectiveFrom,
        hourly: hourly.trim(),
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
      <h3 id="rate-add-heading">Add a project rate</h3>
      <div className="fields">
        <div className="field grow">
          <label htmlFor="rate-project">Project</label>
          <ProjectSelect
            id="rate-project"
            projects={projects}
            value={project?.project.id ?? ""}
            onChange={setProjectId}
            testId="rate-project-select"
          />
        </div>
        <div className="field narrow">
          <label htmlFor="rate-hourly">Hourly rate</label>
          <input
            id="rate-hourly"
            value={hourly}
            inputMode="decimal"
            placeholder="e.g. 95"
            onChange={(e) => setHourly(e.target.value)}
            data-testid="rate-hourly-input"
          />
        </div>
        <div className="field date">
          <label htmlFor="rate-from">From</label>
          <input
            id="rate-from"
            value={from ?? suggested}
            inputMode="numeric"
            placeholder="YYYY-MM-DD"
            maxLength={10}
            onChange={(e) => setFrom(e.target.value)}
            data-testid="rate-from-input"
          />
        </div>
        <button type="submit" className="primary" disabled={busy || hourly.trim() === ""} data-testid="rate-add">
          Add rate
        </button>
      </div>
      {leftOut && (
        <p className="notice small" role="status" data-testid="rate-gap">
          {hours(leftOut.unrated_seconds)} h of billable time on this project since {leftOut.first_unrated} has
          no rate; a rate from {effectiveFrom} leaves the time before it without one.
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

function limitLabel(view: BudgetView): string {
  const limit = view.budget.limit;
  const amount = limit.unit === "hours" ? `${limit.hours} h` : money(limit.amount);
  return `${amount} ${view.budget.period === "monthly" ? "per month" : "in total"}`;
}

function usedLabel(view: BudgetView): string {
  const limit = view.budget.limit;
  const { used, limit: of, percent } = view.usage;
  const text =
    limit.unit === "hours"
      ? `${used} h of ${of} h`
      : `${money({ amount: used, currency: limit.amount.currency })} of ${money({ amount: of, currency: limit.amount.currency })}`;
  return `${text} (${percent}%)`;
}

function BudgetBar({ view }: { view: BudgetView }) {
  const percent = Number(view.usage.percent) || 0;
  const over = percent > 100;
  return (
    <div
      className={`budget-bar${over ? " over" : ""}`}
      role="progressbar"
      aria-label={`Budget used for ${view.project_name}`}
      aria-valuenow={percent}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuetext={`${view.usage.percent}% used`}
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
  return (
    <section className="panel" aria-labelledby="budgets-heading">
      <div className="section-head">
        <h2 id="budgets-heading">Budgets</h2>
        <span className="muted small">usage as of today</span>
      </div>
      {budgets === null ? (
        <p className="muted empty">Loading…</p>
      ) : budgets.length === 0 ? (
        <p className="muted empty" data-testid="budgets-empty">
          No budgets yet{editable && projects.length > 0 ? " — set one below." : "."}
        </p>
      ) : (
        <ul className="rows">
          {budgets.map((view) => (
            <li key={view.budget.id} className="budget-row" data-testid="budget-row">
              <span className="row-name">{view.project_name}</span>
              <span className="muted small">{limitLabel(view)}</span>
              <BudgetBar view={view} />
              <span className={`small budget-used${Number(view.usage.percent) > 100 ? " over" : ""}`}>
                {usedLabel(view)}
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
      setError("Type the budget's currency, e.g. EUR.");
      return;
    }
    const budgetLimit: BudgetLimit =
      unit === "hours"
        ? { unit: "hours", hours: limit.trim() }
        : { unit: "amount", amount: { amount: limit.trim(), currency: code } };
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
      <h3 id="budget-set-heading">Set a project budget</h3>
      <div className="fields">
        <div className="field grow">
          <label htmlFor="budget-project">Project</label>
          <ProjectSelect
            id="budget-project"
            projects={projects}
            value={project?.project.id ?? ""}
            onChange={setProjectId}
            testId="budget-project-select"
          />
        </div>
        <div className="field narrow">
          <label htmlFor="budget-unit">Limit in</label>
          <select
            id="budget-unit"
            value={unit}
            onChange={(e) => setUnit(e.target.value === "amount" ? "amount" : "hours")}
            data-testid="budget-unit-select"
          >
            <option value="hours">hours</option>
            <option value="amount">money</option>
          </select>
        </div>
        <div className="field narrow">
          <label htmlFor="budget-limit">{unit === "hours" ? "Hours" : "Amount"}</label>
          <input
            id="budget-limit"
            value={limit}
            inputMode="decimal"
            placeholder={unit === "hours" ? "e.g. 40" : "e.g. 5000"}
            onChange={(e) => setLimit(e.target.value)}
            data-testid="budget-limit-input"
          />
        </div>
        {unit === "amount" && (
          <div className="field tiny">
            <label htmlFor="budget-currency">Currency</label>
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
          <label htmlFor="budget-period">Period</label>
          <select
            id="budget-period"
            value={period}
            onChange={(e) => setPeriod(e.target.value === "monthly" ? "monthly" : "lifetime")}
            data-testid="budget-period-select"
          >
            <option value="lifetime">in total</option>
            <option value="monthly">per month</option>
          </select>
        </div>
        <button type="submit" className="primary" disabled={busy || limit.trim() === ""} data-testid="budget-set">
          Set budget
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
