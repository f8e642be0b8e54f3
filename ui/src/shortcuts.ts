// Keyboard shortcuts of the main window: single keys, as in Harvest, Toggl and Linear. They act only
// when nothing that takes text has the focus, so typing "s" into a note never stops the timer.
import { useEffect, useRef } from "react";

/** One shortcut as the sheet lists it. */
export type Shortcut = { keys: string[]; what: string };

/** Every shortcut, in the order the sheet (`?`) shows them. */
export const SHORTCUTS: Shortcut[] = [
  { keys: ["S"], what: "Start or stop the timer (without a project chosen: choose one)" },
  { keys: ["N"], what: "New time entry by hand" },
  { keys: ["/"], what: "Search projects, clients and invoices, and go to one" },
  { keys: ["Ctrl", "K"], what: "The same search, from anywhere" },
  { keys: ["1"], what: "Track" },
  { keys: ["2"], what: "Projects" },
  { keys: ["3"], what: "Expenses" },
  { keys: ["4"], what: "Invoices" },
  { keys: ["5"], what: "Reports" },
  { keys: ["6"], what: "Settings" },
  { keys: ["?"], what: "This list" },
  { keys: ["Esc"], what: "Close a list or the search" },
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
