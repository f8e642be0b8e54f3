import { useEffect, useRef } from "react";

import { SHORTCUTS } from "./shortcuts";

/** The list of keyboard shortcuts (`?`); Esc, `?` or a click outside closes it. */
export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div className="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="card dialog shortcut-sheet"
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcuts-title"
        data-testid="shortcut-sheet"
        onKeyDown={(e) => {
          if (e.key === "Escape" || e.key === "?") {
            e.preventDefault();
            onClose();
          }
        }}
      >
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys.join("+")} data-testid="shortcut">
                <td className="keys">
                  {s.keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && " "}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </td>
                <td>{s.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">Single keys act when no text field has the focus.</p>
        <div className="actions">
          <button ref={close} type="button" onClick={onClose} data-testid="shortcut-sheet-close">
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
