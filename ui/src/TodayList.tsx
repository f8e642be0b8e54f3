import { useState, type FormEvent } from "react";

import { api, errorMessage } from "./api";
import type { EntryChanges } from "./bindings/EntryChanges";
import type { EntryView } from "./bindings/EntryView";
import { clock, isWallTime, money, spanOn, wallTime } from "./time";

type Props = {
  entries: EntryView[];
  timeZone: string;
  onSaved: () => void;
  /** What to say when there are no entries. */
  emptyText?: string;
};

/** A day's entries, each editable in place (note and, for spans, start and end) and deletable. */
export function TodayList({ entries, timeZone, onSaved, emptyText = "Nothing tracked today yet." }: Props) {
  const [editing, setEditing] = useState<string | null>(null);

  if (entries.length === 0) {
    return (
      <p className="muted empty" data-testid="today-empty">
        {emptyText}
      </p>
    );
  }

  return (
    <ul className="entries" data-testid="today-list">
      {entries.map((view) =>
        editing === view.entry.id ? (
          <EditRow
            key={view.entry.id}
            view={view}
            timeZone={timeZone}
            onDone={(saved) => {
              setEditing(null);
              if (saved) onSaved();
            }}
          />
        ) : (
          <Row
            key={view.entry.id}
            view={view}
            timeZone={timeZone}
            onEdit={() => setEditing(view.entry.id)}
            onDeleted={onSaved}
          />
        ),
      )}
    </ul>
  );
}

function when(view: EntryView, timeZone: string): string {
  const time = view.entry.time;
  switch (time.type) {
    case "running":
      return `${wallTime(time.start, timeZone)} – now`;
    case "span":
      return `${wallTime(time.start, timeZone)} – ${wallTime(time.end, timeZone)}`;
    case "duration":
      return "—";
  }
}

function Row({
  view,
  timeZone,
  onEdit,
  onDeleted,
}: {
  view: EntryView;
  timeZone: string;
  onEdit: () => void;
  onDeleted: () => void;
}) {
  const running = view.entry.time.type === "running";
  const editable = view.can_edit && !view.locked && !view.entry.invoiced && !running;
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function remove() {
    try {
      await api.deleteEntry(view.entry.id);
      onDeleted();
    } catch (e) {
      setError(errorMessage(e));
      setConfirming(false);
    }
  }

  return (
    <li className={`entry${running ? " is-running" : ""}`} data-testid="entry-row">
      <div className="entry-main">
        <span className="entry-project" data-testid="entry-project">
          <span className="muted">{view.client_name} — </span>
          {view.project_name}
        </span>
        <span className="entry-note" data-testid="entry-note">
          {view.entry.note || <span className="muted">(no note)</span>}
        </span>
      </div>
      <span className="entry-time" data-testid="entry-time">
        {when(view, timeZone)}
      </span>
      <span className="entry-duration" data-testid="entry-duration">
        {running ? "running" : clock(view.seconds)}
      </span>
      <span className="entry-amount" data-testid="entry-amount">
        {view.amount ? money(view.amount) : ""}
      </span>
      <span className="entry-actions">
        {editable && !confirming && (
          <>
            <button type="button" className="link" onClick={onEdit} data-testid="entry-edit" aria-label={`Edit entry ${view.entry.note || view.project_name}`}>
              Edit
            </button>
            <button type="button" className="link danger" onClick={() => setConfirming(true)} data-testid="entry-delete" aria-label={`Delete entry ${view.entry.note || view.project_name}`}>
              Delete
            </button>
          </>
        )}
        {confirming && (
          <>
            <button type="button" className="link danger" onClick={() => void remove()} data-testid="entry-delete-confirm" autoFocus>
              Really delete
            </button>
            <button type="button" className="link" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        )}
        {view.locked && (
          <span className="locked-badge" title="This day is in the locked period" data-testid="entry-locked">
            Locked
          </span>
        )}
      </span>
      {error && (
        <p className="error full-row" role="alert" data-testid="entry-delete-error">
          {error}
        </p>
      )}
    </li>
  );
}

function EditRow({
  view,
  timeZone,
  onDone,
}: {
  view: EntryView;
  timeZone: string;
  onDone: (saved: boolean) => void;
}) {
  const time = view.entry.time;
  const hasSpan = time.type === "span";
  const [note, setNote] = useState(view.entry.note);
  const [start, setStart] = useState(hasSpan ? wallTime(time.start, timeZone) : "");
  const [end, setEnd] = useState(hasSpan ? wallTime(time.end, timeZone) : "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = view.entry.id;

  async function save(event: FormEvent) {
    event.preventDefault();
    const changes: EntryChanges = {
      project: null,
      task: null,
      clear_task: false,
      time: null,
      note: note === view.entry.note ? null : note,
      billable: null,
      tags: null,
    };
    if (hasSpan && (start !== wallTime(time.start, timeZone) || end !== wallTime(time.end, timeZone))) {
      if (!isWallTime(start) || !isWallTime(end)) {
        setError("Times are HH:MM, for example 09:30.");
        return;
      }
      changes.time = spanOn(view.date, start, end, timeZone);
    }
    setBusy(true);
    setError(null);
    try {
      await api.editEntry(id, changes);
      onDone(true);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <li className="entry editing" data-testid="entry-edit-row">
      <form
        className="entry-form"
        onSubmit={save}
        onKeyDown={(e) => {
          if (e.key === "Escape") onDone(false);
        }}
      >
        <div className="field grow">
          <label htmlFor={`note-${id}`}>Note</label>
          <input
            id={`note-${id}`}
            value={note}
            autoFocus
            onChange={(e) => setNote(e.target.value)}
            data-testid="entry-note-input"
          />
        </div>
        {hasSpan && (
          <>
            <div className="field time">
              <label htmlFor={`start-${id}`}>Start</label>
              <input
                id={`start-${id}`}
                value={start}
                inputMode="numeric"
                placeholder="HH:MM"
                maxLength={5}
                onChange={(e) => setStart(e.target.value)}
                data-testid="entry-start-input"
              />
            </div>
            <div className="field time">
              <label htmlFor={`end-${id}`}>End</label>
              <input
                id={`end-${id}`}
                value={end}
                inputMode="numeric"
                placeholder="HH:MM"
                maxLength={5}
                onChange={(e) => setEnd(e.target.value)}
                data-testid="entry-end-input"
              />
            </div>
          </>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy} data-testid="entry-save">
            Save
          </button>
          <button type="button" disabled={busy} onClick={() => onDone(false)} data-testid="entry-cancel">
            Cancel
          </button>
        </div>
        {error && (
          <p className="error full-row" role="alert" data-testid="entry-error">
            {error}
          </p>
        )}
      </form>
    </li>
  );
}
