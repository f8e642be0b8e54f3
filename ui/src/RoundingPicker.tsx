import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { RoundingMode } from "./bindings/RoundingMode";

type Props = {
  /** The field's id (its label points at the mode). */
  id: string;
  /** `""` for "as the level above", else `mode:minutes` (e.g. `up:15`), the form the engine reads. */
  value: string;
  onChange: (value: string) => void;
  /** What an empty value means here, e.g. "As organization" or "As client" (already translated). */
  inherit: string;
  testid: string;
  disabled?: boolean;
};

/** The modes in the order offered; each is labelled by its key under `roundingPicker.modes`. */
const MODES: RoundingMode[] = ["up", "down", "nearest"];

/** Rounding as Settings chooses it: a mode, then the minutes (15 unless changed). */
export function RoundingPicker({ id, value, onChange, inherit, testid, disabled = false }: Props) {
  const [mode, minutesText] = value.includes(":") ? value.split(":") : ["", ""];
  const [minutes, setMinutes] = useState(minutesText || "15");
  const { t } = useTranslation("projects", { keyPrefix: "roundingPicker" });
  return (
    <span className="rounding">
      <select
        id={id}
        value={mode}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value ? `${e.target.value}:${minutes}` : "")}
        data-testid={testid}
      >
        <option value="">{inherit}</option>
        {MODES.map((m) => (
          <option key={m} value={m}>
            {t(`modes.${m}`)}
          </option>
        ))}
      </select>
      {mode && (
        <>
          <label htmlFor={`${id}-minutes`} className="inline">
            {t("to")}
          </label>
          <input
            id={`${id}-minutes`}
            className="minutes"
            type="number"
            min={1}
            max={1440}
            value={minutes}
            disabled={disabled}
            onChange={(e) => {
              setMinutes(e.target.value);
              onChange(`${mode}:${e.target.value}`);
            }}
            data-testid={`${testid}-minutes`}
          />
          <span className="muted small">{t("minutes")}</span>
        </>
      )}
    </span>
  );
}
