import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Client } from "./bindings/Client";
import type { Invoice } from "./bindings/Invoice";
import type { BillingProfile } from "./bindings/BillingProfile";
import type { InvoiceEdit } from "./bindings/InvoiceEdit";
import type { InvoiceFilter } from "./bindings/InvoiceFilter";
import type { InvoiceLine } from "./bindings/InvoiceLine";
import type { InvoiceView } from "./bindings/InvoiceView";
import type { NewInvoice } from "./bindings/NewInvoice";
import type { Party } from "./bindings/Party";
import type { PaymentMethod } from "./bindings/PaymentMethod";
import type { Tax } from "./bindings/Tax";
import type { Totals } from "./bindings/Totals";
import { formatDate, formatDateInput, setFormat } from "./format";
import { setUiLanguage } from "./i18n";
import { InvoicesScreen, openByCurrency } from "./InvoicesScreen";

// pdf.js needs a real canvas, which jsdom lacks: here the preview's drawing is recorded, and the
// end-to-end suite draws real pages in the real window.
const drawn = vi.hoisted(() => [] as { bytes: number[]; width: number }[]);
vi.mock("./pdfPreview", () => ({
  renderPdf: async (bytes: Uint8Array, into: HTMLElement, width: number) => {
    drawn.push({ bytes: [...bytes], width });
    const page = document.createElement("canvas");
    page.dataset.testid = "invoice-preview-page";
    into.replaceChildren(page, page.cloneNode());
    return { pages: 2 };
  },
}));
import { project } from "./test/fixtures";
import { permissionsOf } from "./test/fixtures";
import { eventually } from "./test/eventually";

const ADMIN = permissionsOf("admin", (a) => !["delete_organization", "transfer_ownership", "manage_admins_and_owners", "edit_locked_or_invoiced", "edit_finalized_invoice"].includes(a));
const MEMBER = permissionsOf("member", (a) =>
  ["read_org_profile", "list_members", "read_catalog", "read_time_entry", "edit_time_entry", "read_expense", "edit_expense", "read_time_reports", "create_own_api_token", "export_organization"].includes(a),
);
const VIEWER = permissionsOf("viewer", (a) => (a.startsWith("read_") && a !== "read_audit_log") || a === "list_members" || a === "create_own_api_token");

const TODAY = "2026-11-23";

/** A percentage as the locale of the test writes it ("19%" in en-US). */
const pct = (percent: number) => new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 2 }).format(percent / 100);

/** A day as the locale of the test writes it ("Nov 20, 2026" in en-US). */
const day = (date: string) => formatDate(date);

const eur = (amount: number) => new Intl.NumberFormat(undefined, { style: "currency", currency: "EUR" }).format(amount);

const mueller: Client = { id: project.project.client, name: "Müller & Søn", currency: null, rounding: null, note: "", archived: false };
const nordwind: Client = { id: "01JCLIENT00000000000000002", name: "Nordwind GmbH", currency: null, rounding: null, note: "", archived: false };

const SELLER: Party = {
  name: "Ada Lovelace Webdesign",
  street: "Hafenstraße 1",
  postcode: "20457",
  city: "Hamburg",
  country: "DE",
  vat_id: "DE123456789",
  email: "ada@example.com",
  contact: "Ada Lovelace",
  phone: "+49 40 123456",
};

function buyer(client: Client): Party {
  return { name: client.name, street: "Marktplatz 3", postcode: "28195", city: "Bremen", country: "DE", vat_id: null, email: null, contact: null, phone: null };
}

const VAT19: Tax = { category: "standard", percent: "19" };

function line(description: string, quantity: string, unit: InvoiceLine["unit"], unitPrice: string, source: InvoiceLine["source"], detail: string | null = null): InvoiceLine {
  return { description, detail, quantity, unit, unit_price: unitPrice, discount: null, tax: VAT19, source };
}

/** Totals of lines all taxed at 19 %, without a document discount. */
function totals19(lineNet: string[], net: string, tax: string, gross: string): Totals {
  return {
    line_net: lineNet,
    lines_net: net,
    allowance_net: "0",
    net,
    tax,
    gross,
    groups: [{ category: "standard", percent: "19", lines_net: net, allowance_net: "0", taxable: net, tax }],
  };
}

/** A draft in EUR for `client`; `changes` turn it into what the engine holds later in its life. */
function invoice(id: string, client: Client, lines: InvoiceLine[], changes: Partial<Invoice> = {}): Invoice {
  return {
    id,
    kind: { type: "invoice" },
    client: client.id,
    currency: "EUR",
    number: null,
    issue_date: null,
    payment_days: 14,
    service_period: null,
    lines,
    discount: null,
    tax_mode: "exclusive",
    tax_rounding: "per_document",
    notes: "",
    seller: null,
    buyer: null,
    payments: [],
    status: "draft",
    void_reason: null,
    language: "de",
    texts: null,
    seller_legal: null,
    locale: null,
    duration_style: null,
    ...changes,
  };
}

const NO_TEXTS = { language: "de" as const, subject: "", intro: "", closing: "" };

const PAID_ID = "01JINVOICE0000000000000001";
const OVERDUE_ID = "01JINVOICE0000000000000002";
const PARTLY_ID = "01JINVOICE0000000000000003";
const DRAFT_ID = "01JINVOICE0000000000000004";
const CREATED_ID = "01JINVOICE0000000000000005";

/** Fully paid in September. */
function paidInvoice(): InvoiceView {
  return {
    invoice: invoice(
      PAID_ID,
      mueller,
      [line("Website", "8", "hour", "125.00", { type: "time", entries: ["01JENTRY000000000000000011"] })],
      {
        number: "2026-0005",
        issue_date: "2026-09-01",
        service_period: ["2026-08-01", "2026-08-31"],
        seller: SELLER,
        buyer: buyer(mueller),
        payments: [{ date: "2026-09-10", amount: "1190.00", note: "SEPA 2026-0005", method: "bank_transfer" }],
        status: "paid",
      },
    ),
    label: "2026-0005",
    client_name: mueller.name,
    totals: totals19(["1000.00"], "1000.00", "190.00", "1190.00"),
    paid: "1190.00",
    due: "0.00",
    due_date: "2026-09-15",
    overdue: false,
    corrects: null,
    language: "de",
    texts: NO_TEXTS,
  };
}

/** Issued on 1 October, due on the 15th, nothing paid: overdue on TODAY. */
function overdueInvoice(): InvoiceView {
  return {
    invoice: invoice(OVERDUE_ID, nordwind, [line("Support retainer, October", "1", "lump_sum", "82.22", { type: "manual" })], {
      number: "2026-0006",
      issue_date: "2026-10-01",
      seller: SELLER,
      buyer: buyer(nordwind),
      status: "issued",
    }),
    label: "2026-0006",
    client_name: nordwind.name,
    totals: totals19(["82.22"], "82.22", "15.62", "97.84"),
    paid: "0",
    due: "97.84",
    due_date: "2026-10-15",
    overdue: true,
    corrects: null,
    language: "de",
    texts: NO_TEXTS,
  };
}

/** 300.00 of 500.00 paid, due in December. */
function partlyPaidInvoice(): InvoiceView {
  return {
    invoice: invoice(PARTLY_ID, mueller, [line("Shop relaunch, fixed price", "1", "lump_sum", "420.17", { type: "manual" })], {
      number: "2026-0007",
      issue_date: "2026-10-20",
      payment_days: 45,
      seller: SELLER,
      buyer: buyer(mueller),
      payments: [{ date: "2026-11-02", amount: "300.00", note: "SEPA 2026-0007", method: null }],
      status: "partially_paid",
    }),
    label: "2026-0007",
    client_name: mueller.name,
    totals: totals19(["420.17"], "420.17", "79.83", "500.00"),
    paid: "300.00",
    due: "200.00",
    due_date: "2026-12-04",
    overdue: false,
    corrects: null,
    language: "de",
    texts: NO_TEXTS,
  };
}

/** November's unbilled work of Müller & Søn: time and an expense. */
function draftInvoice(): InvoiceView {
  return {
    invoice: invoice(
      DRAFT_ID,
      mueller,
      [
        line("Website", "10", "hour", "95.00", { type: "time", entries: ["01JENTRY000000000000000021", "01JENTRY000000000000000022"] }, "Ada · 2026-11-02 – 2026-11-20"),
        line("Travel: train to Bremen", "1", "piece", "120.00", { type: "expense", expense: "01JEXPENSE0000000000000001" }),
      ],
      { service_period: ["2026-11-02", "2026-11-20"] },
    ),
    label: "draft 000004",
    client_name: mueller.name,
    totals: totals19(["950.00", "120.00"], "1070.00", "203.30", "1273.30"),
    paid: "0",
    due: "0",
    due_date: null,
    overdue: false,
    corrects: null,
    language: "de",
    texts: NO_TEXTS,
  };
}

/** What the engine makes of Nordwind's unbilled work, one line per task. */
function createdDraft(input: NewInvoice): InvoiceView {
  const client = input.client === nordwind.id ? nordwind : mueller;
  return {
    invoice: invoice(CREATED_ID, client, [
      line("Shop: checkout", "6", "hour", "90.00", { type: "time", entries: ["01JENTRY000000000000000031"] }),
      line("Shop: search", "2.5", "hour", "90.00", { type: "time", entries: ["01JENTRY000000000000000032"] }),
    ]),
    label: "draft 000005",
    client_name: client.name,
    totals: totals19(["540.00", "225.00"], "765.00", "145.35", "910.35"),
    paid: "0",
    due: "0",
    due_date: null,
    overdue: false,
    corrects: null,
    language: "de",
    texts: NO_TEXTS,
  };
}

/** Newest issue date first, drafts (not issued yet) last, as the engine lists them. */
function newestFirst(a: InvoiceView, b: InvoiceView): number {
  const x = a.invoice.issue_date ?? "";
  const y = b.invoice.issue_date ?? "";
  return x === y ? b.invoice.id.localeCompare(a.invoice.id) : y.localeCompare(x);
}

type Sent = [string, unknown];

type Options = {
  recurringMade?: InvoiceView[];
  failEdit?: string;
  failCreate?: string;
  failIssue?: string;
  pdfNote?: string;
  /** Why the preview's PDF cannot be made. */
  failPdf?: string;
  /** The billing profile; without one, asking for it fails as for a role that may not read it. */
  profile?: BillingProfile;
  /** Stopped time without a project, by the period asked for ("from/to"). */
  unassigned?: (from: string | null, to: string | null) => { entries: number; seconds: number };
};

/** Invoices behind mockIPC; every command is recorded in `calls`, every filter in `filters`, every
 * change or file in `sent`. */
function fakeEngine(invoices: InvoiceView[], options: Options = {}) {
  const store = [...invoices];
  const calls: string[] = [];
  const filters: InvoiceFilter[] = [];
  const sent: Sent[] = [];
  const previews: unknown[] = [];
  const replace = (view: InvoiceView) => {
    store.splice(
      store.findIndex((v) => v.invoice.id === view.invoice.id),
      1,
      view,
    );
    return view;
  };
  const find = (id: unknown) => {
    const view = store.find((v) => v.invoice.id === id);
    if (!view) throw `no invoice ${String(id)}`;
    return view;
  };
  mockIPC((cmd, args) => {
    const a = args as Record<string, unknown>;
    calls.push(cmd);
    switch (cmd) {
      case "clients":
        return [mueller, nordwind];
      case "unassigned_time":
        return (options.unassigned ?? (() => ({ entries: 0, seconds: 0 })))(
          a.from as string | null,
          a.to as string | null,
        );
      case "billing_profile":
        if (!options.profile) throw "not allowed";
        return options.profile;
      case "invoices": {
        const filter = a.filter as InvoiceFilter;
        filters.push(filter);
        return store
          .filter((v) => (filter.status === null || v.invoice.status === filter.status) && (!filter.overdue || v.overdue))
          .sort(newestFirst)
          // Over IPC every answer is a fresh copy.
          .map((v) => structuredClone(v));
      }
      case "create_invoice": {
        sent.push([cmd, args]);
        if (options.failCreate) throw options.failCreate;
        const view = createdDraft(a.input as NewInvoice);
        store.push(view);
        return view;
      }
      case "issue_invoice": {
        sent.push([cmd, args]);
        if (options.failIssue) throw options.failIssue;
        const draft = find(a.id);
        const client = draft.invoice.client === nordwind.id ? nordwind : mueller;
        return replace({
          ...draft,
          invoice: { ...draft.invoice, number: "2026-0008", issue_date: TODAY, seller: SELLER, buyer: buyer(client), status: "issued" },
          label: "2026-0008",
          due: draft.totals.gross,
          due_date: "2026-12-07",
        });
      }
      case "record_payment": {
        sent.push([cmd, args]);
        const view = find(a.id);
        const amount = a.amount as string;
        const paid = (Number(view.paid) + Number(amount)).toFixed(2);
        const due = (Number(view.totals.gross) - Number(paid)).toFixed(2);
        return replace({
          ...view,
          invoice: {
            ...view.invoice,
            payments: [
              ...view.invoice.payments,
              { date: (a.date as string | null) ?? TODAY, amount, note: a.note as string, method: (a.method as PaymentMethod | null) ?? null },
            ],
            status: Number(due) === 0 ? "paid" : "partially_paid",
          },
          paid,
          due,
          overdue: Number(due) !== 0 && view.overdue,
        });
      }
      case "today":
        return TODAY;
      case "add_recurring":
        sent.push([cmd, args]);
        return "01JRECURRING00000000000001";
      case "run_recurring": {
        const made = options.recurringMade ?? [];
        store.push(...made);
        return made;
      }
      case "edit_invoice": {
        sent.push([cmd, args]);
        if (options.failEdit) throw options.failEdit;
        const view = find(a.id);
        // Like the engine: lines from outside are typed lines, added as manual ones.
        const edit = a.edit as InvoiceEdit;
        const added = edit.add_lines.map((l): InvoiceLine => ({ ...l, source: { type: "manual" } }));
        // Like the engine: the texts are the invoice's own, else the organization's (none here).
        const language = edit.language ?? view.language;
        const own = edit.default_texts ? null : edit.texts ? { ...edit.texts, language } : view.invoice.texts;
        return replace({
          ...view,
          language,
          texts: own ?? { ...NO_TEXTS, language },
          invoice: { ...view.invoice, lines: [...view.invoice.lines, ...added], language, texts: own },
        });
      }
      case "invoice_pdf":
        previews.push(args);
        if (options.failPdf) throw options.failPdf;
        return new Uint8Array([0x25, 0x50, 0x44, 0x46]).buffer;
      case "save_invoice_file": {
        sent.push([cmd, args]);
        const view = find(a.id);
        return { path: `/home/ada/Downloads/${view.label.replace(" ", "-")}.pdf`, note: options.pdfNote ?? null };
      }
      default:
        throw `unexpected ${cmd}`;
    }
  });
  return { calls, filters, sent, previews };
}

const ALL: InvoiceFilter = { status: null, overdue: false, client: null };

/** The listed row whose first cell reads `label`. */
async function row(label: string): Promise<HTMLElement> {
  const rows = await screen.findAllByTestId("invoice-row");
  const found = rows.find((r) => within(r).getByTestId("invoice-open").textContent === label);
  if (!found) throw new Error(`no row ${label}`);
  return found;
}

/** Opens the invoice `label` from the list and returns its detail panel. */
async function open(user: ReturnType<typeof userEvent.setup>, label: string): Promise<HTMLElement> {
  await user.click(within(await row(label)).getByTestId("invoice-open"));
  return screen.findByTestId("invoice-detail");
}

function cells(tableRow: HTMLElement): (string | null)[] {
  return within(tableRow)
    .getAllByRole("cell")
    .map((c) => c.textContent);
}

function badges(element: HTMLElement): (string | null)[] {
  return [...element.querySelectorAll(".badge")].map((b) => b.textContent);
}

describe("InvoicesScreen", () => {
  it("lists number, client, dates, status, total and open amount per invoice, and what is open in all", async () => {
    const engine = fakeEngine([draftInvoice(), overdueInvoice(), paidInvoice(), partlyPaidInvoice()]);
    render(<InvoicesScreen permissions={ADMIN} />);

    const list = await screen.findByTestId("invoice-list");
    expect(engine.filters).toEqual([ALL]);
    const rows = within(list).getAllByTestId("invoice-row");
    expect(rows.map((r) => within(r).getByTestId("invoice-open").textContent)).toEqual(["2026-0007", "2026-0006", "2026-0005", "draft 000004"]);

    const [partly, overdue, paid, draft] = rows;
    expect(cells(partly!)).toEqual(["2026-0007", "Müller & Søn", day("2026-10-20"), day("2026-12-04"), "Partially paid", eur(500), eur(200)]);
    expect(badges(partly!)).toEqual(["Partially paid"]);
    expect(cells(overdue!)).toEqual(["2026-0006", "Nordwind GmbH", day("2026-10-01"), day("2026-10-15"), "Issuedoverdue", eur(97.84), eur(97.84)]);
    expect(badges(overdue!)).toEqual(["Issued", "overdue"]);
    expect(cells(paid!)).toEqual(["2026-0005", "Müller & Søn", day("2026-09-01"), day("2026-09-15"), "Paid", eur(1190), eur(0)]);
    expect(badges(paid!)).toEqual(["Paid"]);
    expect(cells(draft!)).toEqual(["draft 000004", "Müller & Søn", "—", "—", "Draft", eur(1273.3), "—"]);
    expect(badges(draft!)).toEqual(["Draft"]);

    // 97.84 + 200.00; the draft and the paid invoice owe nothing.
    expect(screen.getByTestId("invoice-open-total").textContent).toBe(`Open${eur(297.84)}`);
    expect(screen.queryByTestId("invoice-detail")).toBeNull();
  });

  it("asks the engine for the chosen status or for overdue invoices, and says when none match", async () => {
    const engine = fakeEngine([draftInvoice(), overdueInvoice(), paidInvoice(), partlyPaidInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);
    await screen.findByTestId("invoice-list");
    const labels = () => screen.queryAllByTestId("invoice-open").map((b) => b.textContent);

    await user.selectOptions(screen.getByTestId("invoice-filter"), "paid");
    await eventually(() => expect(labels()).toEqual(["2026-0005"]));
    expect(engine.filters.at(-1)).toEqual({ status: "paid", overdue: false, client: null });
    expect(screen.queryByTestId("invoice-open-total")).toBeNull();

    await user.selectOptions(screen.getByTestId("invoice-filter"), "overdue");
    await eventually(() => expect(labels()).toEqual(["2026-0006"]));
    expect(engine.filters.at(-1)).toEqual({ status: null, overdue: true, client: null });
    expect(screen.getByTestId("invoice-open-total").textContent).toBe(`Open${eur(97.84)}`);

    await user.selectOptions(screen.getByTestId("invoice-filter"), "void");
    expect((await screen.findByTestId("invoices-empty")).textContent).toBe("No invoices with this status.");
    expect(engine.filters.at(-1)).toEqual({ status: "void", overdue: false, client: null });
    expect(screen.queryByTestId("invoice-list")).toBeNull();
    expect(engine.filters).toHaveLength(4);
  });

  it("creates a draft from a client's unbilled work and opens it", async () => {
    const engine = fakeEngine([]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    expect((await screen.findByTestId("invoices-empty")).textContent).toBe("No invoices yet.");
    const select = screen.getByTestId("invoice-client") as HTMLSelectElement;
    await within(select).findByRole("option", { name: "Nordwind GmbH" });
    expect([...select.options].map((o) => o.textContent)).toEqual(["Müller & Søn", "Nordwind GmbH"]);
    expect(select.value).toBe(mueller.id);

    await user.selectOptions(select, nordwind.id);
    await user.selectOptions(screen.getByTestId("invoice-grouping"), "task");
    await user.selectOptions(screen.getByTestId("invoice-detail-choice"), "notes");
    await user.click(screen.getByLabelText("Billable expenses"));
    await user.click(screen.getByTestId("invoice-create"));

    const detail = await screen.findByTestId("invoice-detail");
    expect(engine.sent).toEqual([
      [
        "create_invoice",
        {
          input: {
            client: nordwind.id,
            from: null,
            to: null,
            grouping: "task",
            detail: "notes",
            include_time: true,
            include_expenses: false,
            lines: [],
          },
        },
      ],
    ]);
    expect(within(detail).getByRole("heading", { level: 2 }).textContent).toBe("Invoice draft 000005");
    expect(within(detail).getByTestId("invoice-status").textContent).toBe("Draft");
    const lines = within(within(detail).getByTestId("invoice-lines")).getAllByTestId("invoice-line");
    expect(cells(lines[0]!)).toEqual(["Shop: checkout", "6", "90.00", pct(19), eur(540), "Remove"]);
    expect(cells(lines[1]!)).toEqual(["Shop: search", "2.5", "90.00", pct(19), eur(225), "Remove"]);
    expect(within(detail).getByTestId("invoice-gross").textContent).toBe(eur(910.35));
    expect(within(detail).getByTestId("invoice-issue")).toBeTruthy();
    // The list is read again and holds the new draft.
    expect(cells(await row("draft 000005"))).toEqual(["draft 000005", "Nordwind GmbH", "—", "—", "Draft", eur(910.35), "—"]);
    expect(screen.queryByTestId("invoice-new-error")).toBeNull();
  });

  it("says how much time has no project and so is not on the invoice, for the period chosen", async () => {
    fakeEngine([], {
      unassigned: (from) => (from === "2026-11-20" ? { entries: 0, seconds: 0 } : { entries: 2, seconds: 4500 }),
    });
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);
    const note = await screen.findByTestId("invoice-unassigned");
    expect(note.textContent).toBe(
      "2 entries (1:15 h) have no project, so no client: they are not on this invoice. Assign a project under Track first.",
    );
    // From a day after that time, there is none to say.
    await user.type(screen.getByTestId("invoice-from"), "2026-11-20");
    await eventually(() => expect(screen.queryByTestId("invoice-unassigned")).toBeNull());
  });

  it("shows the engine's refusal to create a draft and keeps the chosen client", async () => {
    const message = "nothing to invoice: no unbilled billable work or expenses for this client in the period, and no lines given";
    const engine = fakeEngine([], { failCreate: message });
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);
    // With no invoices yet, the form for the first one stands open.
    const select = (await screen.findByTestId("invoice-client")) as HTMLSelectElement;
    await within(select).findByRole("option", { name: "Nordwind GmbH" });

    await user.selectOptions(select, nordwind.id);
    await user.click(screen.getByTestId("invoice-create"));

    const alert = await screen.findByTestId("invoice-new-error");
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.textContent).toBe(message);
    expect(engine.sent).toHaveLength(1);
    expect((engine.sent[0]?.[1] as { input: NewInvoice }).input.client).toBe(nordwind.id);
    expect(select.value).toBe(nordwind.id);
    expect((screen.getByTestId("invoice-create") as HTMLButtonElement).disabled).toBe(false);
    expect(screen.queryByTestId("invoice-detail")).toBeNull();
  });

  it("names the one day of a day's work, not a period from it to itself", async () => {
    const oneDay = draftInvoice();
    oneDay.invoice.service_period = ["2026-11-20", "2026-11-20"];
    fakeEngine([oneDay]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);
    const detail = await open(user, "draft 000004");
    expect(within(detail).getByText(new RegExp(`work on ${day("2026-11-20")}`))).toBeTruthy();
    expect(within(detail).queryByText(new RegExp(`work ${day("2026-11-20")} –`))).toBeNull();
  });

  it("shows tracked time as hours and minutes, with the amount the time is worth", async () => {
    // 1 h 20 min + 20 min at 95/h: worth 158.33; 1.6667 × 95 would be 158.34.
    const worked = draftInvoice();
    worked.invoice.lines[0] = {
      ...line("Website", "1.6667", "hour", "95.00", { type: "time", entries: ["01JENTRY000000000000000021", "01JENTRY000000000000000022"] }),
      worth: "158.3333333334",
    };
    worked.totals = totals19(["158.33", "120.00"], "278.33", "52.88", "331.21");
    fakeEngine([worked]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);
    const detail = await open(user, "draft 000004");
    const lines = within(within(detail).getByTestId("invoice-lines")).getAllByTestId("invoice-line");
    expect(cells(lines[0]!).slice(0, 5)).toEqual(["Website", "1:40 h", "95.00", pct(19), eur(158.33)]);
    // A typed line keeps the quantity as typed.
    expect(cells(lines[1]!)[1]).toBe("1");
  });

  it("shows a period of work from its first day to its last", async () => {
    fakeEngine([draftInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);
    const detail = await open(user, "draft 000004");
    expect(within(detail).getByText(new RegExp(`work ${day("2026-11-02")} – ${day("2026-11-20")}`))).toBeTruthy();
  });

  it("issues the selected draft and shows it as issued", async () => {
    const engine = fakeEngine([draftInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    const detail = await open(user, "draft 000004");
    expect(within(detail).getByTestId("invoice-status").textContent).toBe("Draft");
    await user.click(within(detail).getByTestId("invoice-issue"));

    await eventually(() => expect(within(detail).getByTestId("invoice-status").textContent).toBe("Issued"));
    expect(engine.sent).toEqual([["issue_invoice", { id: DRAFT_ID, date: null }]]);
    expect(within(detail).getByRole("heading", { level: 2 }).textContent).toBe("Invoice 2026-0008");
    expect(within(detail).queryByTestId("invoice-issue")).toBeNull();
    expect(within(detail).queryByTestId("invoice-delete")).toBeNull();
    expect(within(detail).getByTestId("invoice-pay")).toBeTruthy();
    expect(within(detail).getByTestId("invoice-save-xrechnung")).toBeTruthy();
    expect(screen.queryByTestId("invoice-error")).toBeNull();
    await eventually(async () =>
      expect(cells(await row("2026-0008"))).toEqual(["2026-0008", "Müller & Søn", day(TODAY), day("2026-12-07"), "Issued", eur(1273.3), eur(1273.3)]),
    );
    expect(screen.getByTestId("invoice-open-total").textContent).toBe(`Open${eur(1273.3)}`);
  });

  it("after issuing, prefills the payment with the new amount due", async () => {
    fakeEngine([draftInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    const detail = await open(user, "draft 000004");
    await user.click(within(detail).getByTestId("invoice-issue"));

    // The draft owed nothing; the issued invoice owes its total, which the engine returned as `due`.
    const payment = (await within(detail).findByTestId("invoice-payment")) as HTMLInputElement;
    expect(payment.value).toBe("1273.30");
  });

  it("shows the engine's refusal to issue and leaves the draft as it was", async () => {
    const message = "set up the billing profile (your address, numbering) before issuing: `stint billing set`";
    const engine = fakeEngine([draftInvoice()], { failIssue: message });
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    const detail = await open(user, "draft 000004");
    await user.click(within(detail).getByTestId("invoice-issue"));

    const alert = await within(detail).findByTestId("invoice-error");
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.textContent).toBe(message);
    expect(engine.sent).toEqual([["issue_invoice", { id: DRAFT_ID, date: null }]]);
    expect(within(detail).getByTestId("invoice-status").textContent).toBe("Draft");
    expect((within(detail).getByTestId("invoice-issue") as HTMLButtonElement).disabled).toBe(false);
    expect(within(detail).queryByTestId("invoice-pay")).toBeNull();
  });

  it("records a payment of the amount due, prefilled, and shows the invoice paid", async () => {
    const engine = fakeEngine([overdueInvoice(), partlyPaidInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    const detail = await open(user, "2026-0006");
    expect((within(detail).getByTestId("invoice-payment") as HTMLInputElement).value).toBe("97.84");
    await user.click(within(detail).getByTestId("invoice-pay"));

    await eventually(() => expect(within(detail).getByTestId("invoice-status").textContent).toBe("Paid"));
    expect(engine.sent).toEqual([["record_payment", { id: OVERDUE_ID, amount: "97.84", date: null, method: "bank_transfer", note: "" }]]);
    expect(within(detail).getByTestId("invoice-due").textContent).toBe(eur(0));
    expect(within(detail).queryByTestId("invoice-payment")).toBeNull();
    expect(within(detail).queryByTestId("invoice-pay")).toBeNull();
    // The list is read again: only the partly paid invoice is still open.
    await eventually(() => expect(screen.getByTestId("invoice-open-total").textContent).toBe(`Open${eur(200)}`));
    expect(badges(await row("2026-0006"))).toEqual(["Paid"]);
    // The preview was drawn for the invoice as opened and once more as paid; the list's reload,
    // which hands over an equal invoice, draws nothing new.
    expect(engine.previews).toHaveLength(2);
  });

  it("records a payment with its day and how it was made, and lists it", async () => {
    const engine = fakeEngine([overdueInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    const detail = await open(user, "2026-0006");
    const on = within(detail).getByTestId("invoice-payment-date") as HTMLInputElement;
    await user.type(on, "2026-11-20");
    await user.selectOptions(within(detail).getByTestId("invoice-payment-method"), "cash");
    await user.click(within(detail).getByTestId("invoice-pay"));

    await eventually(() => expect(within(detail).getByTestId("invoice-status").textContent).toBe("Paid"));
    expect(engine.sent).toEqual([["record_payment", { id: OVERDUE_ID, amount: "97.84", date: "2026-11-20", method: "cash", note: "" }]]);
    expect(within(detail).getByTestId("invoice-payments").textContent).toBe(`Paid ${eur(97.84)} on ${day("2026-11-20")} by cash`);
  });

  it("records a partial payment as typed, without surrounding spaces", async () => {
    const engine = fakeEngine([partlyPaidInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    const detail = await open(user, "2026-0007");
    const payment = within(detail).getByTestId("invoice-payment") as HTMLInputElement;
    expect(payment.value).toBe("200.00");
    expect(within(detail).getByTestId("invoice-due").textContent).toBe(eur(200));
    await user.clear(payment);
    await user.type(payment, " 50.50 ");
    await user.click(within(detail).getByTestId("invoice-pay"));

    await eventually(() => expect(within(detail).getByTestId("invoice-due").textContent).toBe(eur(149.5)));
    expect(engine.sent).toEqual([["record_payment", { id: PARTLY_ID, amount: "50.50", date: null, method: "bank_transfer", note: "" }]]);
    expect(within(detail).getByTestId("invoice-status").textContent).toBe("Partially paid");
  });

  it("reads a payment typed the organization's way: 150,50 in German", async () => {
    const engine = fakeEngine([partlyPaidInvoice()]);
    setFormat({ locale: "de-DE", durationStyle: "clock" });
    try {
      const user = userEvent.setup();
      render(<InvoicesScreen permissions={ADMIN} />);

      const detail = await open(user, "2026-0007");
      const payment = within(detail).getByTestId("invoice-payment") as HTMLInputElement;
      await user.clear(payment);
      await user.type(payment, "150,50");
      await user.click(within(detail).getByTestId("invoice-pay"));

      await eventually(() => expect(engine.sent).toHaveLength(1));
      expect(engine.sent[0]).toEqual(["record_payment", { id: PARTLY_ID, amount: "150.50", date: null, method: "bank_transfer", note: "" }]);
    } finally {
      setFormat({ locale: undefined, durationStyle: "clock" });
    }
  });

  it("for a member, shows nothing of invoices and never asks the engine for them", async () => {
    const engine = fakeEngine([draftInvoice(), overdueInvoice()]);
    render(<InvoicesScreen permissions={MEMBER} />);

    const hidden = await screen.findByTestId("invoices-hidden");
    expect(hidden.textContent).toBe("Invoices are visible to Owners, Admins and Viewers. Your role (Member) does not allow this.");
    // Commands reach mockIPC synchronously, so a request made on mount would be recorded by now.
    expect(engine.calls).toEqual([]);
    expect(screen.queryByTestId("invoices-screen")).toBeNull();
    expect(screen.queryByTestId("invoice-filter")).toBeNull();
    expect(screen.queryByTestId("invoice-new")).toBeNull();
  });

  it("for a viewer, lists invoices and offers their files but no way to change them", async () => {
    const engine = fakeEngine([draftInvoice(), overdueInvoice(), paidInvoice(), partlyPaidInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={VIEWER} />);

    expect(await screen.findAllByTestId("invoice-row")).toHaveLength(4);
    expect(screen.getByTestId("invoice-open-total").textContent).toBe(`Open${eur(297.84)}`);
    expect(screen.getByTestId("invoices-readonly").textContent).toBe("Invoices are read-only here. Your role (Viewer) does not allow this.");
    for (const id of ["invoice-new", "invoice-client", "invoice-grouping", "invoice-create"]) {
      expect(screen.queryByTestId(id), id).toBeNull();
    }

    let detail = await open(user, "2026-0006");
    expect(within(detail).getByTestId("invoice-save-pdf")).toBeTruthy();
    expect(within(detail).getByTestId("invoice-save-xrechnung")).toBeTruthy();
    for (const id of ["invoice-issue", "invoice-delete", "invoice-credit", "invoice-payment", "invoice-pay", "invoice-void-reason", "invoice-void"]) {
      expect(within(detail).queryByTestId(id), id).toBeNull();
    }

    detail = await open(user, "draft 000004");
    expect(within(detail).getByRole("heading", { level: 2 }).textContent).toBe("Invoice draft 000004");
    expect(within(detail).getByTestId("invoice-save-pdf")).toBeTruthy();
    expect(within(detail).queryByTestId("invoice-issue")).toBeNull();
    expect(within(detail).queryByTestId("invoice-delete")).toBeNull();
    expect(within(detail).queryByRole("button", { name: /^Remove line/ })).toBeNull();
    expect(screen.queryByRole("textbox")).toBeNull();
    expect(engine.calls).not.toContain("clients");
    expect(engine.sent).toEqual([]);
  });

  it("saves the PDF and shows where", async () => {
    const engine = fakeEngine([overdueInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={VIEWER} />);

    const detail = await open(user, "2026-0006");
    await user.click(within(detail).getByTestId("invoice-save-pdf"));

    const saved = await within(detail).findByTestId("invoice-saved");
    expect(saved.getAttribute("role")).toBe("status");
    expect(saved.textContent).toBe("Saved /home/ada/Downloads/2026-0006.pdf");
    expect(engine.sent).toEqual([["save_invoice_file", { id: OVERDUE_ID, format: "pdf", paper: "a4" }]]);
    expect(screen.queryByTestId("invoice-error")).toBeNull();
  });

  it("previews the real PDF and follows the paper size", async () => {
    const engine = fakeEngine([overdueInvoice()]);
    const user = userEvent.setup();
    drawn.length = 0;
    render(<InvoicesScreen permissions={VIEWER} />);

    const detail = await open(user, "2026-0006");
    const status = within(detail).getByTestId("invoice-preview-status");
    await eventually(() => expect(status.textContent).toBe("Preview of the PDF · 2 pages"));
    expect(within(detail).getAllByTestId("invoice-preview-page")).toHaveLength(2);
    expect(engine.previews).toEqual([{ id: OVERDUE_ID, paper: "a4" }]);
    expect(drawn).toEqual([{ bytes: [0x25, 0x50, 0x44, 0x46], width: 560 }]);

    await user.selectOptions(within(detail).getByTestId("invoice-paper"), "letter");
    await eventually(() => expect(engine.previews).toContainEqual({ id: OVERDUE_ID, paper: "letter" }));
    await eventually(() => expect(drawn).toHaveLength(2));

    // Zooming draws the same PDF larger or smaller, without asking for it again.
    await user.click(within(detail).getByTestId("preview-zoom-in"));
    await eventually(() => expect(drawn).toHaveLength(3));
    expect(drawn[2]!.width).toBe(700);
    expect(within(detail).getByTestId("preview-zoom").textContent).toBe("125 %");
    await user.click(within(detail).getByTestId("preview-zoom-out"));
    await user.click(within(detail).getByTestId("preview-zoom-out"));
    await eventually(() => expect(drawn.at(-1)!.width).toBe(420));
    expect((within(detail).getByTestId("preview-zoom-out") as HTMLButtonElement).disabled).toBe(true);
    await user.click(within(detail).getByTestId("preview-zoom"));
    await eventually(() => expect(drawn.at(-1)!.width).toBe(560));
    expect(engine.previews).toHaveLength(2);
    // Looking is not changing: nothing was sent.
    expect(engine.sent).toEqual([]);
  });

  it("says why there is no preview", async () => {
    fakeEngine([overdueInvoice()], { failPdf: "the seller's billing profile is missing" });
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={VIEWER} />);

    const detail = await open(user, "2026-0006");
    const status = within(detail).getByTestId("invoice-preview-status");
    await eventually(() => expect(status.textContent).toBe("No preview: the seller's billing profile is missing"));
    expect(within(detail).queryByTestId("invoice-preview-page")).toBeNull();
  });

  it("saves on Letter paper when chosen", async () => {
    const engine = fakeEngine([overdueInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={VIEWER} />);

    const detail = await open(user, "2026-0006");
    await user.selectOptions(within(detail).getByTestId("invoice-paper"), "letter");
    await user.click(within(detail).getByTestId("invoice-save-pdf"));

    await within(detail).findByTestId("invoice-saved");
    expect(engine.sent).toEqual([["save_invoice_file", { id: OVERDUE_ID, format: "pdf", paper: "letter" }]]);
  });

  it("says why a saved PDF has no e-invoice inside", async () => {
    const note = "the e-invoice cannot be made: BT-50 buyer street is missing (BR-10)";
    const engine = fakeEngine([overdueInvoice()], { pdfNote: note });
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    const detail = await open(user, "2026-0006");
    await user.click(within(detail).getByTestId("invoice-save-pdf"));

    expect((await within(detail).findByTestId("invoice-saved")).textContent).toBe(`Saved /home/ada/Downloads/2026-0006.pdf (without e-invoice: ${note})`);
    expect(engine.sent).toEqual([["save_invoice_file", { id: OVERDUE_ID, format: "pdf", paper: "a4" }]]);
  });
});

describe("InvoicesScreen new invoices and actions", () => {
  it("opens the new-invoice form from the header once there are invoices, and closes it", async () => {
    fakeEngine([paidInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    await screen.findByTestId("invoice-list");
    expect(screen.queryByTestId("invoice-new")).toBeNull();
    const open = screen.getByTestId("invoice-new-open");
    expect(open.textContent).toBe("New invoice from unbilled time");
    expect(open.className).toBe("primary");
    await user.click(open);
    expect(screen.getByTestId("invoice-new")).toBeTruthy();
    expect(open.getAttribute("aria-expanded")).toBe("true");
    await user.click(screen.getByTestId("invoice-new-cancel"));
    expect(screen.queryByTestId("invoice-new")).toBeNull();
  });

  it("puts Issue first, as the one primary action, and Delete at the far end", async () => {
    fakeEngine([draftInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    const detail = await open(user, "draft 000004");
    const actions = within(detail).getAllByRole("button").filter((b) => b.closest(".invoice-actions"));
    expect(actions[0]!.dataset.testid).toBe("invoice-issue");
    expect(actions[0]!.className).toBe("primary");
    expect(actions.at(-1)!.dataset.testid).toBe("invoice-delete");
    expect(actions.at(-1)!.className).toContain("danger");
    expect(actions.filter((b) => b.className.includes("primary"))).toHaveLength(1);
  });

  it("writes a draft in another language and with texts of its own, and goes back to the organization's", async () => {
    const engine = fakeEngine([draftInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    const detail = await open(user, "draft 000004");
    expect(within(detail).getByTestId("invoice-texts-source").textContent).toContain("organization's texts");
    await user.selectOptions(within(detail).getByTestId("invoice-language"), "fr");
    await eventually(() => expect(engine.sent).toHaveLength(1));
    expect(engine.sent[0]).toEqual([
      "edit_invoice",
      { id: DRAFT_ID, edit: { add_lines: [], remove_lines: [], clear_discount: false, default_texts: false, language: "fr" } },
    ]);
    await eventually(() => expect((within(detail).getByTestId("invoice-language") as HTMLSelectElement).value).toBe("fr"));

    const save = within(detail).getByTestId("invoice-texts-save") as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await user.type(within(detail).getByTestId("invoice-subject"), "Refonte du site");
    await user.type(within(detail).getByTestId("invoice-closing"), "Cordialement");
    await user.click(save);
    await eventually(() => expect(engine.sent).toHaveLength(2));
    expect(engine.sent[1]).toEqual([
      "edit_invoice",
      {
        id: DRAFT_ID,
        edit: {
          add_lines: [],
          remove_lines: [],
          clear_discount: false,
          default_texts: false,
          texts: { language: "fr", subject: "Refonte du site", intro: "", closing: "Cordialement" },
        },
      },
    ]);
    await eventually(() => expect(within(detail).getByTestId("invoice-texts-source").textContent).toBe("This invoice's own texts."));
    await user.click(within(detail).getByTestId("invoice-texts-default"));
    await eventually(() => expect(engine.sent).toHaveLength(3));
    expect(engine.sent[2]).toEqual([
      "edit_invoice",
      { id: DRAFT_ID, edit: { add_lines: [], remove_lines: [], clear_discount: false, default_texts: true } },
    ]);
    await eventually(() => expect((within(detail).getByTestId("invoice-subject") as HTMLInputElement).value).toBe(""));
  });
});

describe("InvoicesScreen draft editor", () => {
  it("adds a typed line with its VAT and sets a percent discount", async () => {
    const engine = fakeEngine([draftInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);
    const detail = await open(user, "draft 000004");

    await user.type(within(detail).getByTestId("line-description"), "Hosting, November");
    await user.type(within(detail).getByTestId("line-price"), "20");
    await user.click(within(detail).getByTestId("line-add"));
    await eventually(() => expect(within(detail).getAllByTestId("invoice-line")).toHaveLength(3));
    expect(engine.sent[0]).toEqual([
      "edit_invoice",
      {
        id: DRAFT_ID,
        edit: {
          add_lines: [
            {
              description: "Hosting, November",
              detail: null,
              quantity: "1",
              unit: "piece",
              unit_price: "20",
              discount: null,
              tax: { category: "standard", percent: "19" },
            },
          ],
          remove_lines: [],
          clear_discount: false,
          default_texts: false,
        },
      },
    ]);
    expect((within(detail).getByTestId("line-description") as HTMLInputElement).value).toBe("");

    await user.type(within(detail).getByTestId("invoice-discount"), "10%");
    await user.click(within(detail).getByTestId("invoice-discount-save"));
    await eventually(() => expect(engine.sent).toHaveLength(2));
    expect(engine.sent[1]).toEqual([
      "edit_invoice",
      { id: DRAFT_ID, edit: { add_lines: [], remove_lines: [], clear_discount: false, default_texts: false, discount: { type: "percent", value: "10" } } },
    ]);
  });

  it("offers the profile's named tax rates and sends a line discount", async () => {
    const profile: BillingProfile = {
      id: "01JBILLING0000000000000000",
      seller: SELLER,
      bank: null,
      numbering: { pattern: "{YYYY}-{SEQ:4}", yearly_reset: true, per_client: false },
      legal: { tax_number: null, register_court: null, register_number: null, managing_directors: null, seat: null, website: null, small_business: false },
      texts: [],
      payment_days: 14,
      default_tax: { category: "standard", percent: "19" },
      tax_mode: "exclusive",
      tax_rounding: "per_document",
      tax_rates: [
        { name: "Reduced", tax: { category: "standard", percent: "7" } },
        { name: "Reverse charge", tax: { category: "reverse_charge", percent: "0" } },
      ],
    };
    const engine = fakeEngine([draftInvoice()], { profile });
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);
    const detail = await open(user, "draft 000004");

    const tax = (await within(detail).findByTestId("line-tax")) as HTMLSelectElement;
    expect([...tax.options].map((o) => o.textContent)).toEqual([
      `${pct(19)} (as the first line)`,
      `Reduced — ${pct(7)}`,
      "Reverse charge — Reverse charge (AE)",
      "Other VAT %…",
    ]);
    expect(within(detail).queryByTestId("line-vat")).toBeNull();
    await user.type(within(detail).getByTestId("line-description"), "Books");
    await user.type(within(detail).getByTestId("line-price"), "40");
    await user.selectOptions(tax, `Reduced — ${pct(7)}`);
    await user.type(within(detail).getByTestId("line-discount"), "ten");
    await user.click(within(detail).getByTestId("line-add"));
    expect((await within(detail).findByTestId("line-error")).textContent).toContain("10% or an amount");
    expect(engine.sent).toEqual([]);

    await user.clear(within(detail).getByTestId("line-discount"));
    await user.type(within(detail).getByTestId("line-discount"), "10%");
    await user.click(within(detail).getByTestId("line-add"));
    await eventually(() => expect(engine.sent).toHaveLength(1));
    expect(engine.sent[0]).toMatchObject([
      "edit_invoice",
      {
        edit: {
          add_lines: [
            { description: "Books", unit_price: "40", discount: { type: "percent", value: "10" }, tax: { category: "standard", percent: "7" } },
          ],
        },
      },
    ]);
    expect(await within(detail).findByTestId("line-discount-shown")).toBeTruthy();
    expect(within(detail).queryByTestId("line-error")).toBeNull();

    await user.selectOptions(tax, "Other VAT %…");
    expect(within(detail).getByTestId("line-vat")).toBeTruthy();
  });

  it("shows the engine's refusal of a line and keeps what was typed", async () => {
    fakeEngine([draftInvoice()], { failEdit: 'line "Hosting": the quantity must be greater than 0 and at most 1000000' });
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);
    const detail = await open(user, "draft 000004");

    await user.type(within(detail).getByTestId("line-description"), "Hosting");
    await user.clear(within(detail).getByTestId("line-quantity"));
    await user.type(within(detail).getByTestId("line-quantity"), "0");
    await user.type(within(detail).getByTestId("line-price"), "20");
    await user.click(within(detail).getByTestId("line-add"));

    expect((await screen.findByTestId("invoice-error")).textContent).toContain("the quantity must be greater than 0");
    expect((within(detail).getByTestId("line-description") as HTMLInputElement).value).toBe("Hosting");
    expect((within(detail).getByTestId("line-price") as HTMLInputElement).value).toBe("20");
    expect(within(detail).getAllByTestId("invoice-line")).toHaveLength(2);
  });
});

describe("InvoicesScreen recurring invoices", () => {
  it("makes the drafts recurring invoices owe when the screen opens, and says so", async () => {
    const made = createdDraft({ client: nordwind.id } as NewInvoice);
    const engine = fakeEngine([paidInvoice()], { recurringMade: [made] });
    render(<InvoicesScreen permissions={ADMIN} />);
    expect((await screen.findByTestId("recurring-made")).textContent).toBe(
      "Made 1 draft from recurring invoices: Nordwind GmbH.",
    );
    await row("draft 000005");
    expect(engine.calls.filter((c) => c === "run_recurring")).toHaveLength(1);
  });

  it("starts a monthly series from the form and then makes what is due", async () => {
    const engine = fakeEngine([]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);
    const form = await screen.findByTestId("recurring-form");
    // Today, as the locale writes a day (en-US here).
    await eventually(() => expect((within(form).getByTestId("recurring-start") as HTMLInputElement).value).toBe(formatDateInput(TODAY)));
    await user.type(within(form).getByTestId("recurring-description"), "Maintenance retainer");
    await user.type(within(form).getByTestId("recurring-price"), "400");
    await user.click(within(form).getByTestId("recurring-add"));
    expect(await within(form).findByTestId("recurring-started")).toBeTruthy();
    expect(engine.sent).toContainEqual([
      "add_recurring",
      {
        input: {
          client: mueller.id,
          every: { unit: "months", count: 1 },
          start: TODAY,
          until: null,
          lines: [
            {
              description: "Maintenance retainer",
              detail: null,
              quantity: "1",
              unit: "lump_sum",
              unit_price: "400",
              discount: null,
              tax: { category: "standard", percent: "19" },
            },
          ],
        },
      },
    ]);
    await eventually(() => expect(engine.calls.filter((c) => c === "run_recurring")).toHaveLength(2));
  });

  it("a viewer's visit makes no drafts", async () => {
    const engine = fakeEngine([paidInvoice()]);
    render(<InvoicesScreen permissions={VIEWER} />);
    await row("2026-0005");
    expect(engine.calls).not.toContain("run_recurring");
  });
});

describe("openByCurrency", () => {
  it("adds what is still owed per currency exactly, skipping what owes nothing", () => {
    const usd = (due: string): InvoiceView => ({ ...overdueInvoice(), invoice: { ...overdueInvoice().invoice, currency: "USD" }, due });
    const eurDue = (due: string): InvoiceView => ({ ...partlyPaidInvoice(), due });

    expect(openByCurrency([draftInvoice(), overdueInvoice(), paidInvoice(), partlyPaidInvoice()])).toEqual([{ currency: "EUR", amount: "297.84" }]);
    expect(openByCurrency([eurDue("0.10"), usd("5"), eurDue("0.20"), usd("0.00"), usd("0.05")])).toEqual([
      { currency: "EUR", amount: "0.30" },
      { currency: "USD", amount: "5.05" },
    ]);
    expect(openByCurrency([paidInvoice(), draftInvoice()])).toEqual([]);
  });
});

describe("InvoicesScreen in German", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("says everything in German, with the words the PDF uses", async () => {
    act(() => setUiLanguage("de-DE"));
    const made = createdDraft({ client: nordwind.id } as NewInvoice);
    fakeEngine([], { recurringMade: [made], unassigned: () => ({ entries: 2, seconds: 4500 }) });
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    expect(await screen.findByRole("heading", { level: 2, name: "Rechnungen" })).toBeTruthy();
    // The recurring draft is listed, so the new-invoice form opens on demand.
    // A draft is called a draft in the UI's language, whatever the engine calls it.
    expect(badges(await row("Entwurf 000005"))).toEqual(["Entwurf"]);
    expect(screen.getByTestId("invoice-new-open").textContent).toBe("Rechnung aus nicht abgerechneter Zeit");
    await user.click(screen.getByTestId("invoice-new-open"));
    expect(screen.getByTestId("billing-toggle").textContent).toBe("Rechnungseinstellungen");
    expect(await screen.findByRole("heading", { level: 3, name: "Neue Rechnung aus nicht abgerechneter Zeit" })).toBeTruthy();
    expect(screen.getByRole("heading", { level: 3, name: "Wiederkehrende Rechnung" })).toBeTruthy();
    expect(screen.getByTestId("invoice-create").textContent).toBe("Entwurf erstellen");
    expect(screen.getByLabelText("Abrechenbare Ausgaben")).toBeTruthy();
    expect([...(screen.getByTestId("invoice-filter") as HTMLSelectElement).options].map((o) => o.textContent)).toEqual([
      "Alle",
      "Entwürfe",
      "Ausgestellt",
      "Teilweise bezahlt",
      "Bezahlt",
      "Storniert",
      "Überfällig",
    ]);
    expect([...(screen.getByTestId("recurring-every") as HTMLSelectElement).options].map((o) => o.textContent)).toEqual([
      "wöchentlich",
      "monatlich",
      "vierteljährlich",
      "jährlich",
    ]);
    // Plurals: two entries without a project, one draft made.
    expect((await screen.findByTestId("invoice-unassigned")).textContent).toBe(
      "2 Einträge (1:15 h) haben kein Projekt und damit keinen Kunden: Sie stehen nicht auf dieser Rechnung. " +
        "Weisen Sie ihnen zuerst unter Erfassen ein Projekt zu.",
    );
    expect((await screen.findByTestId("recurring-made")).textContent).toBe(
      "1 Entwurf aus wiederkehrenden Rechnungen erstellt: Nordwind GmbH.",
    );
  });

  it("says when there are no invoices, and no invoices of a status", async () => {
    fakeEngine([]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={VIEWER} />);
    expect((await screen.findByTestId("invoices-empty")).textContent).toBe("No invoices yet.");
    act(() => setUiLanguage("de-DE"));
    expect(screen.getByTestId("invoices-empty").textContent).toBe("Noch keine Rechnungen.");
    expect(screen.getByTestId("invoices-readonly").textContent).toMatch(/^Rechnungen können hier nur gelesen werden\. /);
    await user.selectOptions(screen.getByTestId("invoice-filter"), "void");
    await eventually(() => expect(screen.getByTestId("invoices-empty").textContent).toBe("Keine Rechnungen mit diesem Status."));
  });

  it("shows an invoice, its totals, payments and preview in German", async () => {
    act(() => setUiLanguage("de-DE"));
    fakeEngine([draftInvoice(), partlyPaidInvoice()]);
    const user = userEvent.setup();
    render(<InvoicesScreen permissions={ADMIN} />);

    const list = await screen.findByTestId("invoice-list");
    expect(within(list).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Nummer",
      "Kunde",
      "Rechnungsdatum",
      "Fällig am",
      "Status",
      "Gesamtbetrag",
      "Offen",
    ]);
    expect(badges(await row("2026-0007"))).toEqual(["Teilweise bezahlt"]);

    let detail = await open(user, "Entwurf 000004");
    expect(within(detail).getByRole("heading", { level: 2 }).textContent).toBe("Rechnung Entwurf 000004");
    expect(within(detail).getByTestId("invoice-status").textContent).toBe("Entwurf");
    expect(within(detail).getByText(new RegExp(`Leistungszeitraum ${day("2026-11-02")} – ${day("2026-11-20")}`))).toBeTruthy();
    expect(within(detail).getByTestId("invoice-issue").textContent).toBe("Ausstellen");
    expect(within(detail).getByTestId("invoice-delete").textContent).toBe("Entwurf löschen");
    expect(within(detail).getByTestId("line-add").textContent).toBe("Position hinzufügen");
    expect(within(detail).getAllByRole("button", { name: /^Position \d entfernen$/ })).toHaveLength(2);
    expect(within(detail).getByTestId("invoice-texts-source").textContent).toBe(
      "Die Texte der Organisation für diese Sprache (Rechnungseinstellungen).",
    );
    // Each language is named in its own words.
    expect([...(within(detail).getByTestId("invoice-language") as HTMLSelectElement).options].map((o) => o.textContent)).toEqual([
      "English",
      "Deutsch",
      "Français",
    ]);
    await eventually(() => expect(within(detail).getByTestId("invoice-preview-status").textContent).toBe("Vorschau des PDFs · 2 Seiten"));

    detail = await open(user, "2026-0007");
    const totals = within(detail).getByTestId("invoice-totals");
    expect([...totals.querySelectorAll("dt")].map((d) => d.textContent)).toEqual([
      "Nettobetrag",
      `USt. ${pct(19)} auf ${eur(420.17)}`,
      "Gesamtbetrag",
      "Bereits bezahlt",
      "Zahlbetrag",
    ]);
    expect(within(detail).getByTestId("invoice-payments").textContent).toBe(`Bezahlt: ${eur(300)} am ${day("2026-11-02")} · SEPA 2026-0007`);
    expect(within(detail).getByTestId("invoice-pay").textContent).toBe("Zahlung erfassen");
    expect([...(within(detail).getByTestId("invoice-payment-method") as HTMLSelectElement).options].map((o) => o.textContent)).toEqual([
      "Überweisung",
      "Lastschrift",
      "Karte",
      "Bar",
      "PayPal",
      "Sonstige",
      "Keine Angabe",
    ]);
  });
});
