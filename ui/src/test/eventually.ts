import { vi } from "vitest";

/** How long a test waits for the UI to settle. The 2-core CI machine may be busy, and a slow
 * render is not a failing one; Testing Library's own waits get the same (see `setup.ts`). */
export const SETTLE_MS = 10_000;

/** `vi.waitFor` with room for a busy machine: its own default gives up after one second. */
export function eventually<T>(check: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: SETTLE_MS, interval: 50 });
}
