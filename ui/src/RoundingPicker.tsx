import { useState } from "react";

import type { RoundingMode } from "./bindings/RoundingMode";

type Props = {
  /** The field's id (its label points at the mode). */
  id: string;
  /** `""` for "as the level above", else `mode:minutes` (e.g. `up:15`), the form the engine reads. */
  value: string;
  onChange: (value: string) => void;
  /** What an empty value means here, e.g. "As organization" or "As client". */
  inherit: string;
  testid: string;
  disabled?: boolean;
};

const MODES: { value: RoundingMode; label: string }[] = [
  { value: "up", label: "Round up" },
  { value: "down", label: "Round down" },
  { value: "nearest", label: "Round to nearest" },
];

/** Rounding as Settings chooses it: a mode, then the minutes (15 unless changed). */
export function RoundingPicker({ id, value, onChange, inherit, testid, disabled = false }: Props) {
  const [mode, minutesText] = value.includes(":") ? value.split(":") : ["", ""];
  const [minutes, setMinutes] = useState(minutesText || "15");
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
          <option key={m.value} value={m.value}>
            {m.label}
          </option>
        ))}
      </select>
      {mode && (
        <>
          <label htmlFor={`${id}-minutes`} className="inline">
            to
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
          <span className="muted small">min</span>
        </>
      )}
    </span>
  );
}
