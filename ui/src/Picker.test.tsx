import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { setFormat } from "./format";
import { setUiLanguage } from "./i18n";
import { fold, matchOptions, Picker, type PickerOption } from "./Picker";

const projects: PickerOption[] = [
  { id: "p1", label: "Website", detail: "Müller & Søn" },
  { id: "p2", label: "Mobile app", detail: "Acme Corp" },
  { id: "p3", label: "Website relaunch", detail: "Acme Corp" },
  { id: "p4", label: "Internal tooling", detail: "Stint" },
];

type HarnessProps = {
  options?: PickerOption[];
  initial?: string | null;
  onChange?: (id: string | null) => void;
  allowNone?: string;
  disabled?: boolean;
};

/** A controlled Picker with a label, as a screen would use it. */
function Harness({ options = projects, initial = null, onChange, allowNone, disabled }: HarnessProps) {
  const [value, setValue] = useState<string | null>(initial);
  return (
    <form onSubmit={(event) => event.preventDefault()}>
      <label htmlFor="project">Project</label>
      <Picker
        id="project"
        options={options}
        value={value}
        onChange={(id) => {
          setValue(id);
          onChange?.(id);
        }}
        placeholder="Choose a project"
        testid="project"
        {...(allowNone !== undefined ? { allowNone } : {})}
        {...(disabled !== undefined ? { disabled } : {})}
      />
      <input aria-label="Note" data-testid="note" />
    </form>
  );
}

function input(): HTMLInputElement {
  return screen.getByTestId("project") as HTMLInputElement;
}

/** The option aria-activedescendant points to. */
function activeOption(): HTMLElement | null {
  return document.getElementById(input().getAttribute("aria-activedescendant") ?? "");
}

function optionTexts(): string[] {
  return screen.queryAllByTestId("project-option").map((option) => option.textContent ?? "");
}

describe("fold and matchOptions", () => {
  it("folds case and accents, including letters NFD does not decompose", () => {
    expect(fold("Müller & Søn")).toBe("muller & son");
    expect(fold("ÉCOLE Straße")).toBe("ecole strasse");
  });

  it("ranks matches at word starts first and counts all matches", () => {
    const keys = ["cobweb", "web shop", "spiderweb", "webinar"].map(fold);
    const result = matchOptions(keys, "web", 3);
    expect(result.indices).toEqual([1, 3, 0]);
    expect(result.total).toBe(4);
  });
});

describe("Picker", () => {
  it("finds options accent- and case-insensitively", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.click(input());
    await user.keyboard("muller");
    expect(optionTexts()).toEqual(["Müller & Søn — Website"]);

    await user.clear(input());
    await user.keyboard("SØN");
    expect(optionTexts()).toEqual(["Müller & Søn — Website"]);

    await user.clear(input());
    await user.keyboard("son web");
    expect(optionTexts()).toEqual(["Müller & Søn — Website"]);
  });

  it("requires every word to match, in any order, over label and detail", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.click(input());
    await user.keyboard("acme web");
    expect(optionTexts()).toEqual(["Acme Corp — Website relaunch"]);

    await user.clear(input());
    await user.keyboard("relaunch  acme");
    expect(optionTexts()).toEqual(["Acme Corp — Website relaunch"]);

    await user.clear(input());
    await user.keyboard("acme zzz");
    expect(optionTexts()).toEqual([]);
    expect(screen.getByTestId("project-empty").textContent).toBe("No matches");
  });

  it("lists matches at word starts first", async () => {
    const user = userEvent.setup();
    const options = [
      { id: "a", label: "Cobweb" },
      { id: "b", label: "Web shop" },
      { id: "c", label: "New website" },
    ];
    render(<Harness options={options} />);
    await user.click(input());
    await user.keyboard("web");
    expect(optionTexts()).toEqual(["Web shop", "New website", "Cobweb"]);
  });

  it("selects with ArrowDown and Enter", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Harness onChange={onChange} />);
    await user.click(input());
    expect(input().getAttribute("aria-expanded")).toBe("true");
    // Nothing selected: the first option is active; ArrowDown moves to the second.
    await user.keyboard("{ArrowDown}{Enter}");
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith("p2");
    expect(input().value).toBe("Acme Corp — Mobile app");
    expect(input().getAttribute("aria-expanded")).toBe("false");
    expect(document.activeElement).toBe(input());

    // Typing again replaces the label and reopens the list.
    await user.keyboard("stint");
    expect(input().value).toBe("stint");
    expect(optionTexts()).toEqual(["Stint — Internal tooling"]);
  });

  it("selects the active match after typing", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Harness onChange={onChange} />);
    await user.click(input());
    await user.keyboard("acme{ArrowDown}{Enter}");
    expect(onChange).toHaveBeenCalledWith("p3");
    expect(input().value).toBe("Acme Corp — Website relaunch");
  });

  it("wraps with the arrows and jumps with Home, End, PageDown and PageUp", async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 30 }, (_, i) => ({ id: `t${i}`, label: `Task ${i}` }));
    render(<Harness options={many} />);
    await user.click(input());
    const activeText = () => activeOption()?.textContent;
    expect(activeText()).toBe("Task 0");
    await user.keyboard("{ArrowUp}");
    expect(activeText()).toBe("Task 29");
    await user.keyboard("{ArrowDown}");
    expect(activeText()).toBe("Task 0");
    await user.keyboard("{PageDown}");
    expect(activeText()).toBe("Task 10");
    await user.keyboard("{PageDown}{PageDown}{PageDown}");
    expect(activeText()).toBe("Task 29");
    await user.keyboard("{PageUp}");
    expect(activeText()).toBe("Task 19");
    await user.keyboard("{Home}");
    expect(activeText()).toBe("Task 0");
    await user.keyboard("{End}");
    expect(activeText()).toBe("Task 29");
  });

  it("restores the selected label on Escape, and a second Escape clears nothing", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Harness initial="p1" onChange={onChange} />);
    expect(input().value).toBe("Müller & Søn — Website");
    await user.click(input());
    await user.keyboard("acme");
    expect(input().value).toBe("acme");
    await user.keyboard("{Escape}");
    expect(input().value).toBe("Müller & Søn — Website");
    expect(input().getAttribute("aria-expanded")).toBe("false");
    await user.keyboard("{Escape}");
    expect(input().value).toBe("Müller & Søn — Website");
    expect(onChange).not.toHaveBeenCalled();
  });

  it("opens on the selected option", async () => {
    const user = userEvent.setup();
    render(<Harness initial="p3" />);
    await user.click(input());
    expect(activeOption()?.textContent).toBe("Acme Corp — Website relaunch");
  });

  it("selects null with the allowNone option", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Harness initial="p2" allowNone="No project" onChange={onChange} />);
    await user.click(input());
    expect(optionTexts()[0]).toBe("No project");
    await user.keyboard("{Home}{Enter}");
    expect(onChange).toHaveBeenCalledWith(null);
    expect(input().value).toBe("");
    expect(input().placeholder).toBe("Choose a project");
  });

  it("selects null by clicking the allowNone option", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Harness initial="p2" allowNone="No project" onChange={onChange} />);
    await user.click(input());
    await user.click(screen.getByRole("option", { name: "No project" }));
    expect(onChange).toHaveBeenCalledWith(null);
  });

  it("selects an option by clicking it, keeping focus in the input", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Harness onChange={onChange} />);
    await user.click(input());
    await user.click(screen.getByRole("option", { name: "Stint — Internal tooling" }));
    expect(onChange).toHaveBeenCalledWith("p4");
    expect(document.activeElement).toBe(input());
    expect(input().value).toBe("Stint — Internal tooling");
    expect(input().getAttribute("aria-expanded")).toBe("false");
  });

  it("on Tab selects the active option only if the user typed, then moves on", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Harness initial="p1" onChange={onChange} />);
    await user.click(input());
    await user.tab();
    expect(onChange).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(screen.getByTestId("note"));
    expect(input().value).toBe("Müller & Søn — Website");

    await user.click(input());
    await user.keyboard("tool");
    await user.tab();
    expect(onChange).toHaveBeenCalledWith("p4");
    expect(document.activeElement).toBe(screen.getByTestId("note"));
    expect(input().value).toBe("Stint — Internal tooling");
  });

  it("restores the label when focus leaves without a choice", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Harness initial="p1" onChange={onChange} />);
    await user.click(input());
    await user.keyboard("acme");
    await user.click(screen.getByTestId("note"));
    expect(onChange).not.toHaveBeenCalled();
    expect(input().value).toBe("Müller & Søn — Website");
    expect(input().getAttribute("aria-expanded")).toBe("false");
  });

  it("does not open when disabled", async () => {
    const user = userEvent.setup();
    render(<Harness initial="p1" disabled />);
    await user.click(input());
    expect(input().disabled).toBe(true);
    expect(input().getAttribute("aria-expanded")).toBe("false");
    expect(optionTexts()).toEqual([]);
  });

  it("renders at most 50 options from 20,000 and says how many more", async () => {
    const user = userEvent.setup();
    const many: PickerOption[] = Array.from({ length: 20_000 }, (_, i) => ({
      id: `t${i}`,
      label: `Task ${i}`,
      detail: `Project ${i % 500}`,
    }));
    render(<Harness options={many} allowNone="No task" />);
    await user.click(input());
    expect(screen.getAllByRole("option").length).toBeLessThanOrEqual(51);
    expect(screen.getByTestId("project-more").textContent).toMatch(/^19,950 more — keep typing$/);

    await user.keyboard("task 1");
    const shown = screen.getAllByTestId("project-option");
    expect(shown.length).toBeLessThanOrEqual(51);
    expect(shown.length).toBe(50);
    // Every option has "task"; those with a "1" anywhere in client or label match too.
    const matching = many.filter((o) => `${o.detail} ${o.label}`.includes("1")).length;
    expect(screen.getByTestId("project-more").textContent).toBe(
      `${(matching - 50).toLocaleString()} more — keep typing`,
    );
    // Word-start matches first: "Task 1…" before "Task 21".
    expect(optionTexts().slice(0, 2)).toEqual(["Project 1 — Task 1", "Project 10 — Task 10"]);

    await user.keyboard("9999");
    expect(optionTexts()).toEqual(["Project 499 — Task 19999"]);
    expect(screen.queryByTestId("project-more")).toBeNull();
  });

  it("keeps a selected option far down the list reachable", async () => {
    const user = userEvent.setup();
    const many: PickerOption[] = Array.from({ length: 5_000 }, (_, i) => ({
      id: `p${i}`,
      label: `Project ${i}`,
    }));
    render(<Harness options={many} initial="p4321" />);
    await user.click(input());
    expect(activeOption()?.textContent).toBe("Project 4321");
    expect(screen.getAllByRole("option").length).toBe(50);
  });

  it("has combobox aria attributes", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const combobox = screen.getByRole("combobox", { name: "Project" });
    expect(combobox).toBe(input());
    expect(combobox.getAttribute("aria-expanded")).toBe("false");
    expect(combobox.getAttribute("aria-autocomplete")).toBe("list");
    const listbox = screen.getByTestId("project-list");
    expect(listbox.getAttribute("role")).toBe("listbox");
    expect(combobox.getAttribute("aria-controls")).toBe(listbox.id);
    expect(combobox.hasAttribute("aria-activedescendant")).toBe(false);

    await user.click(combobox);
    expect(combobox.getAttribute("aria-expanded")).toBe("true");
    expect(screen.getByRole("listbox", { name: "Project" })).toBe(listbox);
    const first = within(listbox).getAllByRole("option")[0];
    expect(combobox.getAttribute("aria-activedescendant")).toBe(first?.id);
    expect(first?.getAttribute("aria-selected")).toBe("true");

    await user.keyboard("{ArrowDown}");
    const active = activeOption();
    expect(active?.getAttribute("role")).toBe("option");
    expect(active?.getAttribute("aria-selected")).toBe("true");
    expect(active?.textContent).toBe("Acme Corp — Mobile app");
    const marked = within(listbox)
      .getAllByRole("option")
      .filter((o) => o.getAttribute("aria-selected") === "true");
    expect(marked).toEqual([active]);

    await user.keyboard("{Escape}");
    expect(combobox.getAttribute("aria-expanded")).toBe("false");
    expect(combobox.hasAttribute("aria-activedescendant")).toBe(false);
  });

  it("scrolls the active option into view when the browser can", async () => {
    const user = userEvent.setup();
    const scrollIntoView = vi.fn();
    const original = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = scrollIntoView;
    try {
      render(<Harness />);
      await user.click(input());
      await user.keyboard("{End}");
      expect(scrollIntoView).toHaveBeenLastCalledWith({ block: "nearest" });
      const last = scrollIntoView.mock.contexts.at(-1) as Element;
      expect(last.textContent).toBe("Stint — Internal tooling");
    } finally {
      Element.prototype.scrollIntoView = original;
    }
  });

  it("shows group headers and navigates in the order shown", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    const tasks: PickerOption[] = [
      { id: "a1", label: "Design", group: "Website" },
      { id: "b1", label: "Design review", group: "App" },
      { id: "a2", label: "Build", group: "Website" },
    ];
    render(<Harness options={tasks} onChange={onChange} />);
    await user.click(input());
    const groups = screen.getAllByRole("group");
    expect(groups).toHaveLength(2);
    const website = screen.getByRole("group", { name: "Website" });
    expect(within(website).getAllByRole("option").map((o) => o.textContent)).toEqual(["Design", "Build"]);
    expect(optionTexts()).toEqual(["Design", "Build", "Design review"]);
    await user.keyboard("{ArrowDown}{ArrowDown}{Enter}");
    expect(onChange).toHaveBeenCalledWith("b1");
  });
});

describe("Picker in German", () => {
  afterEach(() => {
    act(() => setUiLanguage("en-US"));
    setFormat({ locale: undefined, durationStyle: "clock" });
  });

  function tasks(count: number): PickerOption[] {
    return Array.from({ length: count }, (_, i) => ({ id: `t${i}`, label: `Aufgabe ${i}` }));
  }

  it("says how many more there are, one or many, in the locale's numbers", async () => {
    const user = userEvent.setup();
    act(() => setUiLanguage("de-DE"));
    setFormat({ locale: "de-DE", durationStyle: "clock" });
    const { unmount } = render(<Harness options={tasks(51)} />);
    await user.click(input());
    expect(screen.getByTestId("project-more").textContent).toBe("1 weiterer Treffer — weitertippen");
    unmount();

    render(<Harness options={tasks(1_100)} />);
    await user.click(input());
    expect(screen.getByTestId("project-more").textContent).toBe("1.050 weitere Treffer — weitertippen");
    await user.keyboard("zzz");
    expect(screen.getByTestId("project-empty").textContent).toBe("Keine Treffer");
  });

  it("says when there is nothing to choose from", async () => {
    const user = userEvent.setup();
    act(() => setUiLanguage("de-DE"));
    render(<Harness options={[]} />);
    await user.click(input());
    expect(screen.getByTestId("project-empty").textContent).toBe("Nichts zur Auswahl");
  });
});
