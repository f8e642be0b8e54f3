import { act, cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ExpenseView } from "./bindings/ExpenseView";
import type { NewExpense } from "./bindings/NewExpense";
import type { ProjectView } from "./bindings/ProjectView";
import type { Receipt } from "./bindings/Receipt";
import { ExpensesScreen, sumDecimals } from "./ExpensesScreen";
import { formatDate, formatDateInput, setFormat } from "./format";
import { setUiLanguage } from "./i18n";
import { project } from "./test/fixtures";
import { permissionsOf } from "./test/fixtures";
import { eventually } from "./test/eventually";

const ADMIN = permissionsOf("admin", (a) => !["delete_organization", "transfer_ownership", "manage_admins_and_owners", "edit_locked_or_invoiced", "edit_finalized_invoice"].includes(a));
const VIEWER = permissionsOf("viewer", (a) => a.startsWith("read_"));

const TODAY = "2026-11-23";
const archived: ProjectView = {
  project: { ...project.project, id: "01JPROJECTOLD0000000000000", name: "Old site", archived: true },
  client_name: project.client_name,
};

const eur = (amount: number) => new Intl.NumberFormat(undefined, { style: "currency", currency: "EUR" }).format(amount);

function expense(id: string, date: string, amount: string, receipt: Receipt | null = null, extra: Partial<ExpenseView["expense"]> = {}): ExpenseView {
  return {
    expense: {
      id,
      member: "01JMEMBER00000000000000000",
      date,
      amount: { amount, currency: "EUR" },
      category: "Travel",
      note: "",
      billable: false,
      project: null,
      receipt,
      invoiced: false,
      ...extra,
    },
    project_name: null,
    member_name: "Ada",
    locked: false,
    can_edit: true,
  };
}

const PNG: Receipt = { attachment: "01JATTACH00000000000000001", file_name: "taxi.png", media_type: "image/png", size: 3 };
const PDF: Receipt = { attachment: "01JATTACH00000000000000002", file_name: "hotel.pdf", media_type: "application/pdf", size: 2048 };

type Sent = [string, unknown];

/** The receipt file input of the add form (rows' receipt buttons share its test id). */
function fileInput(): HTMLInputElement {
  return screen.getByLabelText(/^Receipt \(image or PDF/) as HTMLInputElement;
}

/** The receipt button of the first listed expense. */
async function firstReceiptButton(): Promise<HTMLElement> {
  return within(await screen.findByTestId("expense-row")).getByTestId("expense-receipt");
}

/** Expenses behind mockIPC; every command that changes or reads a receipt is recorded in `sent`. */
function fakeEngine(options: { failAdd?: string } = {}) {
  const expenses: ExpenseView[] = [];
  const sent: Sent[] = [];
  const queries: [string | null, string | null][] = [];
  mockIPC((cmd, args) => {
    const a = args as Record<string, unknown>;
    switch (cmd) {
      case "today":
        return TODAY;
      case "organization":
        return { currency: "EUR" };
      case "projects":
        return [project, archived];
      case "expenses": {
        const from = a.from as string | null;
        const to = a.to as string | null;
        queries.push([from, to]);
        return expenses.filter((e) => (!from || e.expense.date >= from) && (!to || e.expense.date <= to));
      }
      case "add_expense": {
        sent.push([cmd, args]);
        if (options.failAdd) throw options.failAdd;
        const input = a.input as NewExpense;
        const id = `01JEXPENSE${String(expenses.length + 1).padStart(16, "0")}`;
        const receipt = input.receipt
          ? { attachment: "01JATTACH00000000000000009", file_name: input.receipt.file_name, media_type: "image/png", size: input.receipt.bytes.length }
          : null;
        expenses.push({
          ...expense(id, input.date, input.amount, receipt, {
            category: input.category,
            note: input.note,
            billable: input.billable,
            project: input.project,
          }),
          project_name: input.project === project.project.id ? project.project.name : null,
        });
        return id;
      }
      case "receipt":
        sent.push([cmd, args]);
        return [1, 2, 3];
      case "save_receipt":
        sent.push([cmd, args]);
        return "/home/ada/Downloads/hotel.pdf";
      default:
        throw `unexpected ${cmd}`;
    }
  });
  return { expenses, sent, queries };
}

describe("ExpensesScreen", () => {
  it("adds an expense with a receipt and sends exactly the expected NewExpense", async () => {
    const engine = fakeEngine();
    const user = userEvent.setup();
    render(<ExpensesScreen permissions={ADMIN} />);

    expect((await screen.findByTestId("expenses-empty")).textContent).toBe("No expenses in this month.");
    expect(engine.queries).toEqual([["2026-11-01", "2026-11-30"]]);
    expect(((await screen.findByDisplayValue(formatDateInput(TODAY))) as HTMLInputElement).dataset.testid).toBe("expense-date");
    expect(screen.queryByTestId("expenses-readonly")).toBeNull();

    // Only active projects are offered, in a type-to-search picker.
    const picker = screen.getByTestId("expense-project") as HTMLInputElement;
    expect(picker.value).toBe("");
    expect(picker.placeholder).toBe("No project");
    await user.click(picker);
    await eventually(() =>
      expect(screen.getAllByTestId("expense-project-option").map((o) => o.textContent)).toEqual([
        "No project",
        "Müller & Søn — Website",
      ]),
    );
    await user.keyboard("{Escape}");
    // The categories list offers the usual ones.
    const options = [...document.querySelectorAll("#expense-categories option")].map((o) => (o as HTMLOptionElement).value);
    expect(options).toEqual(expect.arrayContaining(["Travel", "Software", "Hardware", "Meals", "Office"]));
    // An empty currency is the organization's: the field says which.
    await eventually(() => expect((screen.getByTestId("expense-currency") as HTMLInputElement).placeholder).toBe("EUR"));

    await user.type(screen.getByLabelText("Amount"), "12.50");
    await user.type(screen.getByLabelText("Category"), "Travel");
    await user.click(picker);
    await user.keyboard("webs{Enter}");
    expect(picker.value).toBe("Müller & Søn — Website");
    await user.type(screen.getByLabelText("Note"), "Taxi to the client");
    await user.click(screen.getByLabelText("Billable"));
    const file = new File([new Uint8Array([1, 2, 3])], "taxi.png", { type: "image/png" });
    await user.upload(fileInput(), file);
    await user.click(screen.getByTestId("expense-add"));

    const row = await screen.findByTestId("expense-row");
    expect(engine.sent).toEqual([
      [
        "add_expense",
        {
          input: {
            member: null,
            date: TODAY,
            amount: "12.50",
            currency: null,
            category: "Travel",
            note: "Taxi to the client",
            billable: true,
            project: project.project.id,
            receipt: { file_name: "taxi.png", bytes: [1, 2, 3] },
          },
        },
      ],
    ]);
    expect(row.textContent).toContain(formatDate(TODAY));
    expect(row.textContent).toContain("Taxi to the client");
    expect(row.textContent).toContain("Website");
    expect(row.textContent).toContain("Ada");
    expect(row.textContent).toContain("billable");
    expect(row.textContent).toContain(eur(12.5));
    expect(within(row).getByTestId("expense-receipt")).toBeTruthy();
    expect(screen.getByTestId("expense-total").textContent).toContain(eur(12.5));

    // The form is cleared, the date back to today.
    expect((screen.getByTestId("expense-amount") as HTMLInputElement).value).toBe("");
    expect((screen.getByTestId("expense-note") as HTMLInputElement).value).toBe("");
    expect((screen.getByTestId("expense-category") as HTMLInputElement).value).toBe("");
    expect((screen.getByTestId("expense-project") as HTMLInputElement).value).toBe("");
    expect((screen.getByTestId("expense-billable") as HTMLInputElement).checked).toBe(false);
    expect(fileInput().files?.length ?? 0).toBe(0);
    expect((screen.getByTestId("expense-date") as HTMLInputElement).value).toBe(formatDateInput(TODAY));
  });

  it.each(["-5", "abc", "12.345", "0"])("refuses the amount %j without calling add_expense", async (amount) => {
    const engine = fakeEngine();
    const user = userEvent.setup();
    render(<ExpensesScreen permissions={ADMIN} />);
    await screen.findByDisplayValue(formatDateInput(TODAY));

    await user.type(screen.getByTestId("expense-amount"), amount);
    await user.type(screen.getByTestId("expense-category"), "Meals");
    await user.click(screen.getByTestId("expense-add"));

    const alert = await screen.findByTestId("expense-error");
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.textContent).toContain("positive number");
    expect(engine.sent).toEqual([]);
    expect((screen.getByTestId("expense-amount") as HTMLInputElement).value).toBe(amount);
  });

  it("refuses an invalid date without calling add_expense", async () => {
    const engine = fakeEngine();
    const user = userEvent.setup();
    render(<ExpensesScreen permissions={ADMIN} />);
    const date = await screen.findByDisplayValue(formatDateInput(TODAY));

    await user.clear(date);
    await user.type(date, "2026-02-30");
    await user.type(screen.getByTestId("expense-amount"), "5");
    await user.click(screen.getByTestId("expense-add"));

    expect((await screen.findByTestId("expense-error")).textContent).toBe("The date must be a real day, for example 11/01/2026.");
    expect(engine.sent).toEqual([]);
  });

  it("refuses a receipt over 10 MB with a clear message", async () => {
    const engine = fakeEngine();
    const user = userEvent.setup();
    render(<ExpensesScreen permissions={ADMIN} />);
    await screen.findByDisplayValue(formatDateInput(TODAY));

    const big = new File([new Uint8Array(10 * 1024 * 1024 + 1)], "scan.png", { type: "image/png" });
    await user.upload(fileInput(), big);
    expect((await screen.findByTestId("expense-error")).textContent).toContain("at most 10 MB");
    expect(fileInput().files?.length ?? 0).toBe(0);

    await user.type(screen.getByTestId("expense-amount"), "5");
    await user.click(screen.getByTestId("expense-add"));
    await eventually(() => expect(engine.sent).toHaveLength(1));
    expect((engine.sent[0]?.[1] as { input: NewExpense }).input.receipt).toBeNull();
  });

  it("shows the engine's message and keeps what was typed", async () => {
    const message = "the day 2026-11-23 is in the locked period (before 2026-12-01)";
    const engine = fakeEngine({ failAdd: message });
    const user = userEvent.setup();
    render(<ExpensesScreen permissions={ADMIN} />);
    await screen.findByDisplayValue(formatDateInput(TODAY));

    await user.type(screen.getByTestId("expense-amount"), "7");
    await user.type(screen.getByTestId("expense-currency"), "usd");
    await user.type(screen.getByTestId("expense-category"), "Software");
    await user.type(screen.getByTestId("expense-note"), "Font licence");
    await user.click(screen.getByTestId("expense-add"));

    const alert = await screen.findByTestId("expense-error");
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.textContent).toBe(message);
    expect((screen.getByTestId("expense-note") as HTMLInputElement).value).toBe("Font licence");
    expect((screen.getByTestId("expense-amount") as HTMLInputElement).value).toBe("7");
    expect((screen.getByTestId("expense-category") as HTMLInputElement).value).toBe("Software");
    expect(engine.sent).toEqual([
      [
        "add_expense",
        {
          input: {
            member: null,
            date: TODAY,
            amount: "7",
            currency: "USD",
            category: "Software",
            note: "Font licence",
            billable: false,
            project: null,
            receipt: null,
          },
        },
      ],
    ]);
    expect(screen.getByTestId("expenses-empty")).toBeTruthy();
  });

  it("for a viewer, lists expenses but renders no form", async () => {
    const engine = fakeEngine();
    engine.expenses.push(expense("01JEXPENSE0000000000000001", "2026-11-02", "30"));
    render(<ExpensesScreen permissions={VIEWER} />);

    expect(await screen.findByTestId("expense-row")).toBeTruthy();
    expect(screen.getByTestId("expenses-readonly").textContent).toContain("Your role (Viewer) does not allow this.");
    for (const id of ["expense-date", "expense-amount", "expense-currency", "expense-category", "expense-project", "expense-note", "expense-billable", "expense-receipt-file", "expense-add"]) {
      expect(screen.queryByTestId(id), id).toBeNull();
    }
    expect(screen.queryByRole("textbox")).toBeNull();
  });

  it("lists a month newest first with totals per currency, and moves between months", async () => {
    const engine = fakeEngine();
    engine.expenses.push(
      expense("01JEXPENSE0000000000000001", "2026-11-02", "10.10", null, { note: "first" }),
      expense("01JEXPENSE0000000000000002", "2026-11-20", "0.20", null, { note: "second", category: "Meals" }),
      expense("01JEXPENSE0000000000000003", "2026-11-05", "5", null, { note: "dollars", amount: { amount: "5", currency: "USD" } }),
      expense("01JEXPENSE0000000000000004", "2026-10-31", "99", null, { note: "october" }),
    );
    const user = userEvent.setup();
    render(<ExpensesScreen permissions={ADMIN} />);

    await screen.findAllByTestId("expense-row");
    const notes = () => screen.getAllByTestId("expense-row").map((r) => r.querySelector(".expense-note")?.textContent);
    expect(notes()).toEqual(["second", "dollars", "first"]);
    expect(screen.getAllByTestId("expense-row")[2]?.textContent).toContain("No project · Ada");
    const total = screen.getByTestId("expense-total").textContent ?? "";
    expect(total).toContain(eur(10.3));
    expect(total).toContain(new Intl.NumberFormat(undefined, { style: "currency", currency: "USD" }).format(5));
    expect(screen.getAllByTestId("expense-row").some((r) => within(r).queryByTestId("expense-receipt"))).toBe(false);
    const month = screen.getByTestId("expense-month").textContent;

    await user.click(screen.getByTestId("expense-prev"));
    await eventually(() => expect(notes()).toEqual(["october"]));
    expect(engine.queries.at(-1)).toEqual(["2026-10-01", "2026-10-31"]);
    expect(screen.getByTestId("expense-month").textContent).not.toBe(month);
    expect(screen.getByTestId("expense-total").textContent).toContain(eur(99));

    await user.click(screen.getByTestId("expense-next"));
    await user.click(screen.getByTestId("expense-next"));
    expect((await screen.findByTestId("expenses-empty")).textContent).toBe("No expenses in this month.");
    expect(engine.queries.at(-1)).toEqual(["2026-12-01", "2026-12-31"]);
    expect(screen.queryByTestId("expense-total")).toBeNull();
  });

  describe("receipts", () => {
    const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
    let create: ReturnType<typeof vi.fn>;
    let revoke: ReturnType<typeof vi.fn>;

    beforeEach(() => {
      create = vi.fn(() => "blob:test");
      revoke = vi.fn();
      URL.createObjectURL = create as unknown as typeof URL.createObjectURL;
      URL.revokeObjectURL = revoke as unknown as typeof URL.revokeObjectURL;
    });

    afterEach(() => {
      // Unmount first: the preview revokes its URL when it goes away.
      cleanup();
      URL.createObjectURL = original.create;
      URL.revokeObjectURL = original.revoke;
    });

    it("previews an image receipt from a blob URL and revokes it when closed", async () => {
      const engine = fakeEngine();
      engine.expenses.push(expense("01JEXPENSE0000000000000001", "2026-11-02", "30", PNG));
      const user = userEvent.setup();
      render(<ExpensesScreen permissions={ADMIN} />);

      await user.click(await firstReceiptButton());
      const preview = await screen.findByTestId("receipt-preview");
      const img = (await within(preview).findByRole("img", { name: "Receipt: taxi.png" })) as HTMLImageElement;
      expect(img.src.startsWith("blob:")).toBe(true);
      expect(create).toHaveBeenCalledTimes(1);
      const blob = create.mock.calls[0]?.[0] as Blob;
      expect(blob.type).toBe("image/png");
      expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([1, 2, 3]);
      expect(engine.sent).toEqual([["receipt", { id: "01JEXPENSE0000000000000001" }]]);
      expect(within(preview).getByTestId("receipt-save")).toBeTruthy();

      await user.click(screen.getByTestId("receipt-close"));
      expect(screen.queryByTestId("receipt-preview")).toBeNull();
      expect(revoke).toHaveBeenCalledWith("blob:test");
    });

    it("offers to save a PDF receipt and shows where it was saved", async () => {
      const engine = fakeEngine();
      engine.expenses.push(expense("01JEXPENSE0000000000000001", "2026-11-02", "120", PDF, { category: "Travel", note: "Hotel" }));
      const user = userEvent.setup();
      render(<ExpensesScreen permissions={VIEWER} />);

      await user.click(await firstReceiptButton());
      const preview = await screen.findByTestId("receipt-preview");
      expect(preview.textContent).toContain("hotel.pdf");
      expect(preview.textContent).toContain("2.0 KB");
      expect(within(preview).queryByRole("img")).toBeNull();

      await user.click(within(preview).getByTestId("receipt-save"));
      expect((await screen.findByTestId("receipt-saved")).textContent).toBe("Saved to /home/ada/Downloads/hotel.pdf");
      expect(engine.sent).toEqual([["save_receipt", { id: "01JEXPENSE0000000000000001" }]]);
      expect(create).not.toHaveBeenCalled();
    });
  });
});

describe("ExpensesScreen in German", () => {
  afterEach(() => {
    act(() => setUiLanguage("en-US"));
    setFormat({ locale: undefined, durationStyle: "clock" });
  });

  it.each([
    ["1.234,50", "1234.50"],
    ["12,5", "12.5"],
    ["12.50", "12.50"],
  ])("takes the amount %j as a German types it and sends %j", async (typed, sent) => {
    const engine = fakeEngine();
    act(() => setUiLanguage("de-DE"));
    setFormat({ locale: "de-DE", durationStyle: "clock" });
    const user = userEvent.setup();
    render(<ExpensesScreen permissions={ADMIN} />);
    await screen.findByDisplayValue(formatDateInput(TODAY));

    await user.type(screen.getByTestId("expense-amount"), typed);
    await user.click(screen.getByTestId("expense-add"));
    await eventually(() => expect(engine.sent).toHaveLength(1));
    expect((engine.sent[0]?.[1] as { input: NewExpense }).input.amount).toBe(sent);
  });

  it("speaks German: headings, rows, the total, the receipt, the form and its messages", async () => {
    const engine = fakeEngine();
    engine.expenses.push(
      expense("01JEXPENSE0000000000000001", "2026-11-02", "120", PDF, { note: "Hotel", billable: true }),
      expense("01JEXPENSE0000000000000002", "2026-11-05", "8", null, { category: "" }),
    );
    act(() => setUiLanguage("de-DE"));
    setFormat({ locale: "de-DE", durationStyle: "clock" });
    const user = userEvent.setup();
    render(<ExpensesScreen permissions={ADMIN} />);

    expect(screen.getByRole("heading", { name: "Ausgaben" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Neue Ausgabe erfassen" })).toBeTruthy();
    const rows = await screen.findAllByTestId("expense-row");
    expect(rows[0]?.textContent).toContain("Keine Kategorie");
    expect(rows[0]?.textContent).toContain("Kein Projekt · Ada");
    expect(rows[1]?.textContent).toContain("abrechenbar");
    expect(screen.getByTitle("Summe aus 2 Ausgaben").textContent).toBe("Summe");
    expect(screen.getByTestId("expense-month").textContent).toBe("November 2026");
    // The usual categories are offered in German.
    const options = [...document.querySelectorAll("#expense-categories option")].map((o) => (o as HTMLOptionElement).value);
    expect(options).toEqual(expect.arrayContaining(["Reisekosten", "Bewirtung", "Bürobedarf", "Travel"]));

    await user.click(within(rows[1]!).getByRole("button", { name: "Beleg hotel.pdf zu Travel vom 2026-11-02" }));
    const preview = await screen.findByTestId("receipt-preview");
    expect(within(preview).getByRole("heading", { name: "Beleg" })).toBeTruthy();
    expect(preview.textContent).toContain(
      "hotel.pdf (application/pdf, 2,0 KB) kann hier nicht angezeigt werden; speichern Sie die Datei, um sie zu öffnen.",
    );
    await user.click(within(preview).getByRole("button", { name: "In Downloads speichern" }));
    expect((await screen.findByTestId("receipt-saved")).textContent).toBe("Gespeichert unter /home/ada/Downloads/hotel.pdf");
    await user.click(screen.getByRole("button", { name: "Beleg schließen" }));

    await user.type(screen.getByLabelText("Betrag"), "12,505");
    await user.click(screen.getByRole("button", { name: "Ausgabe erfassen" }));
    expect((await screen.findByTestId("expense-error")).textContent).toBe(
      "Der Betrag muss eine positive Zahl mit höchstens zwei Nachkommastellen sein, zum Beispiel 12,50.",
    );
    expect(screen.getByLabelText("Abrechenbar")).toBeTruthy();
    expect((screen.getByTestId("expense-date") as HTMLInputElement).placeholder).toBe("31.12.2026");
    expect((screen.getByTestId("expense-amount") as HTMLInputElement).placeholder).toBe("12,50");

    await user.click(screen.getByRole("button", { name: "Nächster Monat" }));
    expect((await screen.findByTestId("expenses-empty")).textContent).toBe("Keine Ausgaben in diesem Monat.");
    expect(screen.getByTestId("expense-month").textContent).toBe("Dezember 2026");
    expect(engine.sent).toEqual([["save_receipt", { id: "01JEXPENSE0000000000000001" }]]);
  });
});

describe("sumDecimals", () => {
  it("adds decimal strings exactly", () => {
    expect(sumDecimals(["10.10", "0.20"])).toBe("10.30");
    expect(sumDecimals(["0.1", "0.2"])).toBe("0.3");
    expect(sumDecimals(["5", "0.05"])).toBe("5.05");
    expect(sumDecimals(["99"])).toBe("99");
    expect(sumDecimals([])).toBe("0");
  });
});
