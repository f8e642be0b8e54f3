import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

import { SHORTCUTS } from "./shortcuts";

/** The list of keyboard shortcuts (`?`); Esc, `?` or a click outside closes it. */
export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation("app", { keyPrefix: "shortcuts" });
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
        <h2 id="shortcuts-title">{t("title")}</h2>
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
                <td>{t(`what.${s.what}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">{t("singleKeys")}</p>
        <div className="actions">
          <button ref={close} type="button" onClick={onClose} data-testid="shortcut-sheet-close">
            {t("close")}
          </button>
        </div>
      </div>
    </div>
  );
}
