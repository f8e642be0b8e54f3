import {
  Fragment,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ChangeEvent,
  type FocusEvent,
  type JSX,
  type KeyboardEvent,
} from "react";
import { useTranslation } from "react-i18next";

import type { ProjectView } from "./bindings/ProjectView";
import { formatNumber } from "./format";
import "./picker.css";

/** One choice. `detail` (for a project: its client's name) is shown before the label, muted in
 * the list, as "Detail — Label"; `group` puts options under a header. */
export type PickerOption = { id: string; label: string; detail?: string; group?: string };

export type PickerProps = {
  /** The input's id, for an external `<label htmlFor>`. */
  id: string;
  options: PickerOption[];
  /** The selected option's id. */
  value: string | null;
  onChange: (id: string | null) => void;
  /** Shown when nothing is selected; defaults to `allowNone`. */
  placeholder?: string;
  disabled?: boolean;
  /** If set, a first option with this label that selects null (e.g. "No task"). */
  allowNone?: string;
  /** data-testid of the input; the listbox gets `${testid}-list`, each option `${testid}-option`,
   * the "N more" line `${testid}-more`, the "no matches" line `${testid}-empty`. */
  testid: string;
};

/** Projects as picker options: the client's name as the detail, as every project field shows them. */
export function projectPickerOptions(projects: readonly ProjectView[]): PickerOption[] {
  return projects.map((p) => ({ id: p.project.id, label: p.project.name, detail: p.client_name }));
}

/** At most this many matching options are rendered at once. */
export const PICKER_LIMIT = 50;
const PAGE = 10;

/** The text an option shows, in the input and (with the detail muted) in the list. */
export function optionText(option: PickerOption): string {
  return option.detail ? `${option.detail} — ${option.label}` : option.label;
}

// Letters that NFD does not decompose but people type without the stroke or ligature.
const EXTRA: Record<string, string> = {
  ø: "o",
  đ: "d",
  ł: "l",
  ß: "ss",
  æ: "ae",
  œ: "oe",
  þ: "th",
  ħ: "h",
  ı: "i",
};
const EXTRA_RE = /[øđłßæœþħı]/g;
const MARKS_RE = /\p{M}+/gu;
const WORD_CHAR_RE = /[\p{L}\p{N}]/u;

/** Lowercase, without accents: "Müller & Søn" → "muller & son". */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFD")
    .replace(MARKS_RE, "")
    .replace(EXTRA_RE, (c) => EXTRA[c] ?? c);
}

function queryWords(query: string): string[] {
  return fold(query)
    .split(/\s+/)
    .filter((word) => word !== "");
}

function isWordChar(code: number, text: string, at: number): boolean {
  if (code < 128) {
    return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
  }
  return WORD_CHAR_RE.test(text.charAt(at));
}

/** Whether `word` occurs in `key` at the start of a word. */
function atWordStart(key: string, word: string): boolean {
  let at = key.indexOf(word);
  while (at !== -1) {
    if (at === 0 || !isWordChar(key.charCodeAt(at - 1), key, at - 1)) return true;
    at = key.indexOf(word, at + 1);
  }
  return false;
}

/** Indices into `keys` (folded option texts) of those containing every word of `query`, those
 * with more words matching at a word start first, otherwise in their given order; at most
 * `limit` of them, and how many matched in all. Linear in the number of keys. */
export function matchOptions(
  keys: readonly string[],
  query: string,
  limit = PICKER_LIMIT,
): { indices: number[]; total: number } {
  const words = queryWords(query);
  if (words.length === 0) {
    const count = Math.min(limit, keys.length);
    return { indices: Array.from({ length: count }, (_, i) => i), total: keys.length };
  }
  // buckets[k]: matches with k words not at a word start; each needs at most `limit` entries.
  const buckets: number[][] = Array.from({ length: words.length + 1 }, () => []);
  let total = 0;
  let bestFull = false;
  outer: for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    for (const word of words) {
      if (!key.includes(word)) continue outer;
    }
    total += 1;
    // Once the best bucket is full, the rest only needs counting.
    if (bestFull) continue;
    let inside = 0;
    for (const word of words) {
      if (!atWordStart(key, word)) inside += 1;
    }
    const bucket = buckets[inside] as number[];
    if (bucket.length < limit) bucket.push(i);
    if (inside === 0 && bucket.length === limit) bestFull = true;
  }
  const indices: number[] = [];
  for (const bucket of buckets) {
    for (const i of bucket) {
      if (indices.length === limit) break;
      indices.push(i);
    }
  }
  return { indices, total };
}

type Item = {
  /** DOM id of the option element. */
  domId: string;
  /** null for the `allowNone` option. */
  option: PickerOption | null;
  /** Position among the rendered options, for keyboard navigation. */
  pos: number;
};

type Section = { group: string; items: Item[] };

type Shown = { none: Item | null; sections: Section[]; items: Item[]; more: number; query: boolean };

const EMPTY: Shown = { none: null, sections: [], items: [], more: 0, query: false };

function show(
  id: string,
  options: PickerOption[],
  keys: readonly string[],
  query: string,
  selectedIndex: number,
  allowNone: string | undefined,
): Shown {
  const words = queryWords(query);
  const { indices, total } = matchOptions(keys, query);
  let chosen = indices;
  // With nothing typed, keep the current choice reachable even if it is far down the list.
  if (words.length === 0 && selectedIndex >= PICKER_LIMIT) {
    chosen = [selectedIndex, ...indices.slice(0, PICKER_LIMIT - 1)];
  }
  const items: Item[] = [];
  let none: Item | null = null;
  if (allowNone !== undefined) {
    const key = fold(allowNone);
    if (words.every((word) => key.includes(word))) {
      none = { domId: `${id}-opt-none`, option: null, pos: 0 };
      items.push(none);
    }
  }
  // Group the shown options by `group`, groups in order of their best match.
  const byGroup = new Map<string, number[]>();
  for (const i of chosen) {
    const group = options[i]?.group ?? "";
    const list = byGroup.get(group);
    if (list) list.push(i);
    else byGroup.set(group, [i]);
  }
  const sections: Section[] = [];
  for (const [group, list] of byGroup) {
    const section: Section = { group, items: [] };
    for (const i of list) {
      const item: Item = { domId: `${id}-opt-${i}`, option: options[i] as PickerOption, pos: items.length };
      items.push(item);
      section.items.push(item);
    }
    sections.push(section);
  }
  return { none, sections, items, more: total - chosen.length, query: words.length > 0 };
}

/** A type-to-search combobox (WAI-ARIA 1.2 combobox with a listbox popup) for projects, tasks
 * and the like. Focus or type to open; typing filters case- and accent-insensitively, every word
 * must match; arrows, Home/End, PageUp/PageDown move, Enter picks, Escape restores. */
export function Picker({
  id,
  options,
  value,
  onChange,
  placeholder,
  disabled = false,
  allowNone,
  testid,
}: PickerProps): JSX.Element {
  const { t } = useTranslation("app", { keyPrefix: "picker" });
  const keys = useMemo(() => options.map((option) => fold(optionText(option))), [options]);
  const selectedIndex = useMemo(
    () => (value === null ? -1 : options.findIndex((option) => option.id === value)),
    [options, value],
  );
  const selected = selectedIndex >= 0 ? options[selectedIndex] : undefined;
  const selectedText = selected ? optionText(selected) : "";

  const [open, setOpen] = useState(false);
  /** What the user typed since the list opened; null if nothing. */
  const [query, setQuery] = useState<string | null>(null);
  /** Position of the active option; null for the default (the selected one, else the first). */
  const [active, setActive] = useState<number | null>(null);
  const [listName, setListName] = useState<string | undefined>(undefined);
  const inputRef = useRef<HTMLInputElement>(null);

  const isOpen = open && !disabled;
  const shown = useMemo(
    () => (isOpen ? show(id, options, keys, query ?? "", selectedIndex, allowNone) : EMPTY),
    [isOpen, id, options, keys, query, selectedIndex, allowNone],
  );
  const { items } = shown;

  let activeIndex = -1;
  if (items.length > 0) {
    if (active !== null) {
      activeIndex = Math.min(active, items.length - 1);
    } else if (query === null) {
      const current = items.findIndex((item) => (item.option ? item.option.id === value : value === null));
      activeIndex = Math.max(current, 0);
    } else {
      activeIndex = 0;
    }
  }
  const activeItem = activeIndex >= 0 ? items[activeIndex] : undefined;
  const activeId = activeItem?.domId;

  useEffect(() => {
    if (!isOpen || activeId === undefined) return;
    const element = document.getElementById(activeId);
    if (element && typeof element.scrollIntoView === "function") {
      element.scrollIntoView({ block: "nearest" });
    }
  }, [isOpen, activeId]);

  // Disabling a focused input does not always fire blur; do not come back open.
  useEffect(() => {
    if (disabled) close();
  }, [disabled]);

  // After a choice or Escape, with focus still here, select the label so typing replaces it.
  useEffect(() => {
    const input = inputRef.current;
    if (!isOpen && input && document.activeElement === input) input.select();
  }, [isOpen, selectedText]);

  function openList() {
    if (disabled || open) return;
    setOpen(true);
    setActive(null);
    const label = inputRef.current?.labels?.[0]?.textContent?.trim();
    setListName(label ? label : undefined);
  }

  function close() {
    setOpen(false);
    setQuery(null);
    setActive(null);
  }

  function choose(item: Item) {
    close();
    onChange(item.option ? item.option.id : null);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.nativeEvent.isComposing || disabled) return;
    const last = items.length - 1;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp": {
        event.preventDefault();
        if (!isOpen) {
          openList();
        } else if (last >= 0) {
          const step = event.key === "ArrowDown" ? 1 : -1;
          setActive((activeIndex + step + items.length) % items.length);
        }
        return;
      }
      case "PageDown":
      case "PageUp": {
        if (!isOpen) return;
        event.preventDefault();
        if (last >= 0) {
          const step = event.key === "PageDown" ? PAGE : -PAGE;
          setActive(Math.max(0, Math.min(last, activeIndex + step)));
        }
        return;
      }
      case "Home":
      case "End": {
        if (!isOpen) return;
        event.preventDefault();
        if (last >= 0) setActive(event.key === "Home" ? 0 : last);
        return;
      }
      case "Enter": {
        if (!isOpen) return;
        event.preventDefault();
        if (activeItem) choose(activeItem);
        return;
      }
      case "Escape": {
        // A second Escape (list already closed) does nothing, so a surrounding dialog may close.
        if (!isOpen) return;
        event.preventDefault();
        event.stopPropagation();
        close();
        return;
      }
      case "Tab": {
        // Pick what the user typed towards, then let focus move on.
        if (isOpen && query !== null && query.trim() !== "" && activeItem) choose(activeItem);
        return;
      }
    }
  }

  function onFocus(event: FocusEvent<HTMLInputElement>) {
    openList();
    event.currentTarget.select();
  }

  function onInput(event: ChangeEvent<HTMLInputElement>) {
    setQuery(event.target.value);
    setActive(null);
    openList();
  }

  const listId = `${id}-list`;

  function renderItem(item: Item) {
    const isActive = item.pos === activeIndex;
    const option = item.option;
    const isCurrent = option ? option.id === value : value === null;
    return (
      <div
        key={item.domId}
        id={item.domId}
        role="option"
        aria-selected={isActive}
        className={`picker-option${isActive ? " is-active" : ""}${isCurrent ? " is-current" : ""}`}
        data-testid={`${testid}-option`}
        onMouseMove={() => {
          if (!isActive) setActive(item.pos);
        }}
        onClick={() => choose(item)}
      >
        {option === null ? (
          <span className="picker-none">{allowNone}</span>
        ) : option.detail ? (
          <>
            <span className="picker-detail">{option.detail}</span> — {option.label}
          </>
        ) : (
          option.label
        )}
      </div>
    );
  }

  return (
    <div className={`picker${isOpen ? " is-open" : ""}`}>
      <input
        ref={inputRef}
        id={id}
        className="picker-input"
        type="text"
        role="combobox"
        aria-expanded={isOpen}
        aria-controls={listId}
        aria-activedescendant={activeId}
        aria-autocomplete="list"
        autoComplete="off"
        autoCapitalize="off"
        autoCorrect="off"
        spellCheck={false}
        value={query ?? selectedText}
        placeholder={placeholder ?? allowNone}
        disabled={disabled}
        onFocus={onFocus}
        onBlur={close}
        onClick={openList}
        onChange={onInput}
        onKeyDown={onKeyDown}
        data-testid={testid}
      />
      {/* mousedown is prevented so the input keeps focus on clicks in the popup (options,
          headers, scrollbar). */}
      <div className="picker-popup" hidden={!isOpen} onMouseDown={(event) => event.preventDefault()}>
        <div role="listbox" id={listId} aria-label={listName} data-testid={`${testid}-list`}>
          {shown.none && renderItem(shown.none)}
          {shown.sections.map((section) =>
            section.group === "" ? (
              <Fragment key="ungrouped">{section.items.map(renderItem)}</Fragment>
            ) : (
              <div
                key={`group-${section.group}`}
                role="group"
                aria-labelledby={`${id}-group-${section.items[0]?.pos ?? 0}`}
              >
                <div
                  id={`${id}-group-${section.items[0]?.pos ?? 0}`}
                  role="presentation"
                  className="picker-group"
                >
                  {section.group}
                </div>
                {section.items.map(renderItem)}
              </div>
            ),
          )}
        </div>
        {isOpen && items.length === 0 && (
          <div className="picker-empty" data-testid={`${testid}-empty`}>
            {shown.query ? t("noMatches") : t("nothingToChoose")}
          </div>
        )}
        {shown.more > 0 && (
          <div className="picker-more" data-testid={`${testid}-more`}>
            {t("more", { count: shown.more, number: formatNumber(shown.more, 0) })}
          </div>
        )}
      </div>
    </div>
  );
}
