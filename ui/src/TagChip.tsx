import { useTranslation } from "react-i18next";

import type { Tag } from "./bindings/Tag";

type Props = {
  tag: Tag;
  /** Applied to the entry (filled, ×), or only offered (dashed, +). */
  applied: boolean;
  disabled?: boolean;
  onToggle: () => void;
  testid?: string;
};

/** A tag that is applied or suggested, never ambiguous: its name stays its accessible name and
 * `aria-pressed` says which. */
export function TagChip({ tag, applied, disabled = false, onToggle, testid }: Props) {
  const { t } = useTranslation("app", { keyPrefix: "tagChip" });
  return (
    <button
      type="button"
      className={`tag${applied ? " is-on" : " is-suggested"}`}
      aria-pressed={applied}
      aria-label={`#${tag.name}`}
      title={applied ? t("applied", { name: tag.name }) : t("notApplied", { name: tag.name })}
      disabled={disabled}
      onClick={onToggle}
      data-testid={testid}
    >
      {applied ? (
        <>
          #{tag.name} <span aria-hidden="true">×</span>
        </>
      ) : (
        <>
          <span aria-hidden="true">+</span> #{tag.name}
        </>
      )}
    </button>
  );
}
