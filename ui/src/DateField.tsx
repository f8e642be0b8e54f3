// A day typed the organization's way ("05.12.2026" in German, "12/05/2026" in en-US), where native
// date inputs would write the system's. The screens keep days as YYYY-MM-DD; this field shows and
// reads them in the locale (ISO is understood too), so one setting decides how every day looks.
import { useEffect, useRef, useState } from "react";

import { formatDateInput, parseDateInput } from "./format";

type Props = {
  /** The day, YYYY-MM-DD, or "" for none. */
  value: string;
  /** Called with the day typed (YYYY-MM-DD), or "" while what is typed is not a day. */
  onChange: (value: string) => void;
  id?: string;
  testId?: string;
  disabled?: boolean;
  required?: boolean;
  className?: string;
  "aria-label"?: string;
};

export function DateField({ value, onChange, id, testId, disabled, required, className, ...rest }: Props) {
  const [text, setText] = useState(() => shown(value));
  // The value this field last reported: a different one came from outside (a reset, a preset),
  // and is shown; the field's own report is not rewritten while someone types.
  const reported = useRef(value);
  useEffect(() => {
    if (value !== reported.current) {
      reported.current = value;
      setText(shown(value));
    }
  }, [value]);

  return (
    <input
      id={id}
      type="text"
      inputMode="numeric"
      autoComplete="off"
      value={text}
      placeholder={formatDateInput("2026-12-31")}
      maxLength={10}
      disabled={disabled}
      required={required}
      className={className}
      aria-label={rest["aria-label"]}
      onChange={(e) => {
        setText(e.target.value);
        const day = parseDateInput(e.target.value) ?? "";
        reported.current = day;
        onChange(day);
      }}
      onBlur={() => {
        const day = parseDateInput(text);
        if (day) setText(formatDateInput(day));
      }}
      data-testid={testId}
    />
  );
}

/** A day the screen holds, as the field shows it; anything else as it is. */
function shown(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && parseDateInput(value) === value ? formatDateInput(value) : value;
}
