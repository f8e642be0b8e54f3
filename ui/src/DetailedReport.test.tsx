import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { setFormat } from "./format";
import { setUiLanguage } from "./i18n";

import type { EntryView } from "./bindings/EntryView";
import { DetailedReport, passes, totals } from "./DetailedReport";
import { eventually } from "./test/eventually";
import { project, runningEntry } from "./test/fixtures";

const MEETING = "01JTAGMEETING0000000000000";

function done(
  id: string,
  options: { billable?: boolean; invoiced?: boolean; tags?: string[]; amount?: string | null; project?: string | null } = {},
): EntryView {
  const base = runningEntry("2026-11-23T08:00:00Z", `entry ${id}`);
  return {
    ...base,
    entry: {
      ...base.entry,
      id,
      project: options.project === undefined ? base.entry.project : options.project,
      time: { type: "span", start: "2026-11-23T08:00:00Z", end: "2026-11-23T09:30:00Z" },
      billable: options.billable ?? true,
      invoiced: options.invoiced ?? false,
      tags: options.tags ?? [],
    },
    seconds: 5400,
    billed_seconds: 5400,
    amount: options.amount === null ? null : { amount: options.amount ?? "142.50", currency: "EUR" },
  };
}

const eur = (n: number) => new Intl.NumberFormat(undefined, { style: "currency", currency: "EUR" }).format(n);
const all = { billable: "all", status: "all", tag: "", client: "" } as const;
const clientOf = () => project.project.client;


// These reports show durations in decimal hours, one of the two styles an organization may choose.
beforeEach(() => setFormat({ locale: undefined, durationStyle: "decimal" }));
afterEach(() => setFormat({ locale: undefined, durationStyle: "clock" }));

describe("passes", () => {
  it("keeps stopped entries by billable, invoiced, tag and client", () => {
    expect(passes(runningEntry("2026-11-23T08:00:00Z"), all, clientOf)).toBe(false);
    expect(passes(done("a"), all, clientOf)).toBe(true);
    expect(passes(done("a", { billable: false }), { ...all, billable: "billable" }, clientOf)).toBe(false);
    expect(passes(done("a", { billable: false }), { ...all, billable: "non_billable" }, clientOf)).toBe(true);
    // Unbilled: billable and on no invoice.
    expect(passes(done("a"), { ...all, status: "unbilled" }, clientOf)).toBe(true);
    expect(passes(done("a", { invoiced: true }), { ...all, status: "unbilled" }, clientOf)).toBe(false);
    expect(passes(done("a", { billable: false }), { ...all, status: "unbilled" }, clientOf)).toBe(false);
    expect(passes(done("a", { invoiced: true }), { ...all, status: "invoiced" }, clientOf)).toBe(true);
    expect(passes(done("a", { tags: [MEETING] }), { ...all, tag: MEETING }, clientOf)).toBe(true);
    expect(passes(done("a"), { ...all, tag: MEETING }, clientOf)).toBe(false);
    expect(passes(done("a"), { ...all, client: "other" }, clientOf)).toBe(false);
    expect(passes(done("a", { project: null }), { ...all, client: project.project.client }, clientOf)).toBe(false);
  });

  it("sums money exactly, per currency", () => {
    // 0.1 + 0.2 in floating point is 0.30000000000000004.
    expect(totals([done("a", { amount: "0.1" }), done("b", { amount: "0.2" })])).toBe(eur(0.3));
    expect(totals([done("a", { amount: "1000000.005" }), done("b", { amount: "-0.005" })])).toBe(eur(1000000));
  });
});

describe("DetailedReport", () => {
  it("lists every entry and narrows to unbilled time and to a tag, with totals", async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "tags") return [{ id: MEETING, name: "meeting", archived: false }];
      if (cmd === "entries") {
        asked.push(args);
        return [
          done("a", { tags: [MEETING], amount: "142.50" }),
          done("b", { invoiced: true, amount: "95.00" }),
          done("c", { billable: false, amount: null }),
        ];
      }
      throw `unexpected ${cmd}`;
    });
    const user = userEvent.setup();
    render(
      <DetailedReport
        from="2026-11-01"
        to="2026-11-30"
        member=""
        client=""
        project=""
        projects={[project]}
        timeZone="Europe/Berlin"
      />,
    );
    await eventually(() => expect(screen.getAllByTestId("detailed-row")).toHaveLength(3));
    expect(asked).toEqual([{ filter: { from: "2026-11-01", to: "2026-11-30", member: null, project: null } }]);
    const first = screen.getAllByTestId("detailed-row")[0]!;
    expect(within(first).getByText("9:00 AM – 10:30 AM")).toBeTruthy();
    expect(within(first).getByText("#meeting")).toBeTruthy();
    expect(screen.getByTestId("detailed-total-hours").textContent).toBe("4.50");
    // Non-billable time is tracked but not billed.
    expect(screen.getByTestId("detailed-total-billed").textContent).toBe("3.00");
    expect(screen.getByTestId("detailed-total-amount").textContent).toBe(eur(237.5));

    await user.selectOptions(screen.getByTestId("detailed-status"), "unbilled");
    expect(screen.getAllByTestId("detailed-row")).toHaveLength(1);
    expect(screen.getByTestId("detailed-total-amount").textContent).toBe(eur(142.5));
    await user.selectOptions(screen.getByTestId("detailed-status"), "all");
    await user.selectOptions(screen.getByTestId("detailed-billable"), "non_billable");
    expect(screen.getAllByTestId("detailed-row")).toHaveLength(1);
    await user.selectOptions(screen.getByTestId("detailed-billable"), "all");
    await user.selectOptions(screen.getByTestId("detailed-tag"), MEETING);
    expect(screen.getAllByTestId("detailed-row")).toHaveLength(1);
    await user.selectOptions(screen.getByTestId("detailed-status"), "invoiced");
    expect(screen.getByTestId("detailed-empty").textContent).toBe("No entries match in this period.");
  });

  it("exports the entries shown, as filtered, to CSV and says where", async () => {
    const exported: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "tags") return [];
      if (cmd === "entries") return [done("a"), done("b", { invoiced: true }), done("c", { billable: false, amount: null })];
      if (cmd === "save_entries_csv") {
        exported.push(args);
        return "/home/ada/Downloads/stint-entries-2026-11-23.csv";
      }
      throw `unexpected ${cmd}`;
    });
    const user = userEvent.setup();
    render(
      <DetailedReport from="2026-11-01" to="2026-11-30" member="" client="" project="" projects={[project]} timeZone="Europe/Berlin" />,
    );
    await eventually(() => expect(screen.getAllByTestId("detailed-row")).toHaveLength(3));
    await user.selectOptions(screen.getByTestId("detailed-status"), "unbilled");
    await user.click(screen.getByTestId("detailed-export"));
    expect((await screen.findByTestId("detailed-export-path")).textContent).toBe(
      "Saved to /home/ada/Downloads/stint-entries-2026-11-23.csv",
    );
    expect(exported).toEqual([{ ids: ["a"] }]);
    // Nothing shown, nothing to export.
    await user.selectOptions(screen.getByTestId("detailed-status"), "invoiced");
    await user.selectOptions(screen.getByTestId("detailed-billable"), "non_billable");
    expect((screen.getByTestId("detailed-export") as HTMLButtonElement).disabled).toBe(true);
  });
});

describe("DetailedReport in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("names its filters, columns and totals in German", async () => {
    act(() => setUiLanguage("de-DE"));
    mockIPC((cmd) => {
      if (cmd === "tags") return [];
      if (cmd === "entries") return [done("a"), done("b", { invoiced: true }), done("c", { billable: false, amount: null, project: null })];
      throw `unexpected ${cmd}`;
    });
    const user = userEvent.setup();
    render(
      <DetailedReport from="2026-11-01" to="2026-11-30" member="" client="" project="" projects={[project]} timeZone="Europe/Berlin" />,
    );
    await eventually(() => expect(screen.getAllByTestId("detailed-row")).toHaveLength(3));
    for (const name of ["Abrechenbar", "Abgerechnet", "Schlagwort"]) expect(screen.getByLabelText(name)).toBeTruthy();
    for (const name of ["Datum", "Mitglied", "Kunde", "Projekt", "Notiz", "Schlagwörter", "Uhrzeit", "Stunden", "Berechnet h", "Betrag"]) {
      expect(screen.getByRole("columnheader", { name })).toBeTruthy();
    }
    expect(screen.getByRole("rowheader", { name: "Summe, 3 Einträge" })).toBeTruthy();
    expect(screen.getByText("entry b (abgerechnet)")).toBeTruthy();
    expect(screen.getByText("Kein Projekt")).toBeTruthy();
    expect(screen.getByTestId("detailed-export").textContent).toBe("CSV exportieren");
    expect(within(screen.getByTestId("detailed-status")).getByRole("option", { name: "Nicht abgerechnet" })).toBeTruthy();

    await user.selectOptions(screen.getByTestId("detailed-status"), "unbilled");
    expect(screen.getByRole("rowheader", { name: "Summe, 1 Eintrag" })).toBeTruthy();
    await user.selectOptions(screen.getByTestId("detailed-billable"), "non_billable");
    expect(screen.getByTestId("detailed-empty").textContent).toBe("Keine passenden Einträge in diesem Zeitraum.");
  });
});
