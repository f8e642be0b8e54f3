// Keyboard shortcuts of the main window: single keys, as in Harvest, Toggl and Linear. They act only
// when nothing that takes text has the focus, so typing "s" into a note never stops the timer.
import { useEffect, useRef } from "react";

/** What a shortcut does: its key in the `app` catalogue under `shortcuts.what`. */
export type ShortcutWhat = keyof (typeof import("./locales/en/app.json"))["shortcuts"]["what"];

/** One shortcut as the sheet lists it. */
export type Shortcut = { keys: string[]; what: ShortcutWhat };

/** Every shortcut, in the order the sheet (`?`) shows them. */
export const SHORTCUTS: Shortcut[] = [
  { keys: ["S"], what: "startStop" },
  { keys: ["N"], what: "newEntry" },
  { keys: ["/"], what: "search" },
  { keys: ["Ctrl", "K"], what: "searchAnywhere" },
  { keys: ["1"], what: "track" },
  { keys: ["2"], what: "projects" },
  { keys: ["3"], what: "expenses" },
  { keys: ["4"], what: "invoices" },
  { keys: ["5"], what: "reports" },
  { keys: ["6"], what: "settings" },
  { keys: ["?"], what: "thisList" },
  { keys: ["Esc"], what: "close" },
];

/** Whether keys typed at `target` are text (inputs, text areas, selects, editable content). */
export function takesText(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !["button", "checkbox", "radio", "submit", "reset", "range", "color", "file"].includes(target.type);
  }
  return false;
}

/**
 * Call `handlers[key]` for a key pressed in the window: plain keys (`s`, `?`, `/`, `1`) only when
 * no text field has the focus and no modifier is held; `mod+k` (Ctrl or ⌘) everywhere.
 * Handlers are read at the time of the key, so they may close over fresh state.
 */
export function useShortcuts(handlers: Record<string, () => void>, enabled = true) {
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    if (!enabled) return;
    function onKey(event: KeyboardEvent) {
      if (event.defaultPrevented || event.isComposing) return;
      let name: string;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
        name = "mod+k";
      } else if (event.ctrlKey || event.metaKey || event.altKey || takesText(event.target)) {
        return;
      } else {
        name = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      }
      const handler = current.current[name];
      if (handler) {
        event.preventDefault();
        handler();
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled]);
}
