import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import { setUiLanguage } from "./i18n";
import { LogoPanel, MAX_LOGO_BYTES } from "./LogoPanel";
import { permissionsOf } from "./test/fixtures";

const OWNER = permissionsOf("owner", () => true);

/** No logo yet; what is set is recorded. */
function fakeEngine() {
  const sent: unknown[] = [];
  mockIPC((cmd, args) => {
    switch (cmd) {
      case "logo":
        return new Uint8Array([]).buffer;
      case "set_logo":
        sent.push(args);
        return null;
      default:
        throw `unexpected ${cmd}`;
    }
  });
  return { sent };
}

describe("LogoPanel", () => {
  afterEach(() => act(() => setUiLanguage("en-US")));

  it("refuses a file larger than the engine takes, without sending it", async () => {
    const engine = fakeEngine();
    const user = userEvent.setup();
    render(<LogoPanel permissions={OWNER} />);
    expect((await screen.findByTestId("logo-none")).textContent).toBe("No logo yet.");
    await user.upload(screen.getByTestId("logo-file"), new File([new Uint8Array(MAX_LOGO_BYTES + 1)], "huge.png", { type: "image/png" }));
    expect((await screen.findByTestId("logo-error")).textContent).toBe("huge.png is larger than 512 KiB; use a smaller PNG.");
    expect(engine.sent).toEqual([]);
  });

  it("speaks German, the refusal of a file too", async () => {
    fakeEngine();
    const user = userEvent.setup();
    render(<LogoPanel permissions={OWNER} />);
    await screen.findByTestId("logo-none");
    await user.upload(screen.getByTestId("logo-file"), new File([new Uint8Array(MAX_LOGO_BYTES + 1)], "huge.png", { type: "image/png" }));
    await screen.findByTestId("logo-error");

    act(() => setUiLanguage("de-DE"));
    expect(screen.getByRole("heading", { name: "Logo" })).toBeTruthy();
    expect(screen.getByText("Wird oben auf Ihre Rechnungen gedruckt. Eine PNG-Datei bis 512 KiB.")).toBeTruthy();
    expect(screen.getByTestId("logo-none").textContent).toBe("Noch kein Logo.");
    expect(screen.getByLabelText("PNG-Datei wählen")).toBeTruthy();
    expect(screen.getByTestId("logo-error").textContent).toBe("huge.png ist größer als 512 KiB; wählen Sie eine kleinere PNG-Datei.");
  });
});
