import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { ConflictView } from "./bindings/ConflictView";
import type { Review } from "./bindings/Review";
import { setUiLanguage } from "./i18n";
import { ReviewPanel, shown } from "./ReviewPanel";
import { text } from "./test/fixtures";


const NOTE: ConflictView = {
  number: 7,
  kind: "time entry",
  record: "0123456789abcdef0123456789abcdef",
  title: "Call with Acme",
  fields: [
    { field: "note", kept: "Call with Acme", lost: "Workshop prep" },
    { field: "billable", kept: true, lost: false },
  ],
  can_put_back: true,
  not_sent: false,
};

const NOT_SENT: ConflictView = {
  number: 8,
  kind: "client",
  record: "fedcba9876543210fedcba9876543210",
  title: null,
  fields: [{ field: "name", kept: null, lost: "Globex" }],
  can_put_back: false,
  not_sent: true,
};

/** The shell's review commands over a list that resolving shortens. */
function fakeShell(start: Review, refuse?: string) {
  const sent: [string, Record<string, unknown>][] = [];
  let review = start;
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    sent.push([cmd, a]);
    switch (cmd) {
      case "review":
        return review;
      case "resolve_conflict":
        if (refuse) throw refuse;
        review = { ...review, conflicts: review.conflicts.filter((c) => c.number !== a.number) };
        return null;
      case "forget_refused": {
        const n = review.refused.length;
        review = { ...review, refused: [] };
        return n;
      }
      default:
        throw `unexpected ${cmd}`;
    }
  });
  return { of: (cmd: string) => sent.filter(([c]) => c === cmd).map(([, a]) => a) };
}

describe("ReviewPanel", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("reads values as a person would", () => {
    expect(shown("Acme")).toBe("Acme");
    expect(shown(null)).toBe("—");
    expect(shown("")).toBe("—");
    expect(shown(false)).toBe("false");
    expect(shown({ a: 1 })).toBe('{"a":1}');
  });

  it("says when there is nothing to review", async () => {
    fakeShell({ conflicts: [], refused: [] });
    render(<ReviewPanel onChanged={() => {}} />);
    expect(text(await screen.findByTestId("review-empty"))).toContain("Nothing to review");
  });

  it("shows what each side had, and puts the other change back with one click", async () => {
    const shell = fakeShell({ conflicts: [NOTE, NOT_SENT], refused: [] });
    const changed = vi.fn();
    const user = userEvent.setup();
    render(<ReviewPanel onChanged={changed} />);
    const [first, second] = await screen.findAllByTestId("conflict");
    expect(text(first)).toContain("A time entry changed on two devices at once.");
    // Named as the person knows it; without a name, by the start of its id.
    expect(text(within(first!).getByTestId("conflict-title"))).toBe("“Call with Acme”");
    expect(within(second!).queryByTestId("conflict-title")).toBeNull();
    expect(text(second)).toContain("fedcba98");
    const rows = within(first!).getAllByTestId("conflict-field");
    expect(rows.map((r) => Array.from(r.children).map((c) => c.textContent))).toEqual([
      ["note", "Call with Acme", "Workshop prep"],
      ["billable", "true", "false"],
    ]);
    // A change never sent (the role no longer allowed it) is only read, never put back.
    expect(text(second)).toContain("A change of yours to a client was not sent.");
    expect(within(second!).queryByTestId("conflict-put-back")).toBeNull();
    expect(text(within(second!).getByTestId("conflict-keep"))).toBe("Understood");

    await user.click(within(first!).getByTestId("conflict-put-back"));
    expect(shell.of("resolve_conflict")).toEqual([{ number: 7, putBack: true }]);
    expect(changed).toHaveBeenCalled();
    await vi.waitFor(() => expect(screen.getAllByTestId("conflict")).toHaveLength(1));

    await user.click(screen.getByTestId("conflict-keep"));
    expect(shell.of("resolve_conflict").at(-1)).toEqual({ number: 8, putBack: false });
    expect(await screen.findByTestId("review-empty")).toBeTruthy();
  });

  it("keeps the conflict and says why when putting back is refused", async () => {
    fakeShell({ conflicts: [NOTE], refused: [] }, "the entry was stopped since; a stopped timer is not started again");
    const user = userEvent.setup();
    render(<ReviewPanel onChanged={() => {}} />);
    await user.click(await screen.findByTestId("conflict-put-back"));
    expect(text(await screen.findByTestId("review-error"))).toContain("a stopped timer is not started again");
    expect(screen.getAllByTestId("conflict")).toHaveLength(1);
  });

  it("lists refused records with their reason, and forgets them", async () => {
    const shell = fakeShell({
      conflicts: [],
      refused: [
        {
          org: "o1",
          seq: 41,
          record: null,
          author_device: "abcdef0123456789abcdef0123456789",
          bytes: 300,
          reason: "the signature does not verify",
          first_seen_ms: Date.UTC(2026, 11, 1),
        },
      ],
    });
    const user = userEvent.setup();
    render(<ReviewPanel onChanged={() => {}} />);
    const refused = await screen.findByTestId("review-refused");
    expect(text(refused)).toContain("1 record from the server was refused");
    expect(text(refused)).toContain("the signature does not verify");
    expect(text(refused)).toContain("from device abcdef01");
    await user.click(screen.getByTestId("refused-forget"));
    expect(shell.of("forget_refused")).toHaveLength(1);
    expect(await screen.findByTestId("review-empty")).toBeTruthy();
  });
});
