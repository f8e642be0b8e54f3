import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";

import { DateField } from "./DateField";
import { setFormat } from "./format";

function Holder({ initial, seen }: { initial: string; seen: string[] }) {
  const [day, setDay] = useState(initial);
  return (
    <>
      <DateField
        value={day}
        onChange={(d) => {
          seen.push(d);
          setDay(d);
        }}
        testId="day"
      />
      <button type="button" onClick={() => setDay("2026-01-31")}>
        reset
      </button>
      <output data-testid="held">{day}</output>
    </>
  );
}

afterEach(() => {
  cleanup();
  setFormat({ locale: undefined, durationStyle: "clock" });
});

describe("DateField", () => {
  it("shows the day as the organization writes it and hands the screen YYYY-MM-DD", async () => {
    setFormat({ locale: "de-DE", durationStyle: "clock" });
    const seen: string[] = [];
    const user = userEvent.setup();
    render(<Holder initial="2026-12-05" seen={seen} />);
    const field = screen.getByTestId("day") as HTMLInputElement;
    expect(field.value).toBe("05.12.2026");
    expect(field.placeholder).toBe("31.12.2026");

    await user.clear(field);
    await user.type(field, "6.12.26");
    // What is typed stays as typed while the person types; the screen holds the day.
    expect(field.value).toBe("6.12.26");
    expect(screen.getByTestId("held").textContent).toBe("2026-12-06");
    await user.tab();
    expect(field.value).toBe("06.12.2026");
    // Halfway through, the screen holds no day at all.
    expect(seen).toContain("");
  });

  it("keeps what cannot be a day on screen and gives the screen none", async () => {
    setFormat({ locale: "en-US", durationStyle: "clock" });
    const user = userEvent.setup();
    render(<Holder initial="2026-12-05" seen={[]} />);
    const field = screen.getByTestId("day") as HTMLInputElement;
    expect(field.value).toBe("12/05/2026");
    await user.clear(field);
    await user.type(field, "13/40/2026");
    await user.tab();
    expect(field.value).toBe("13/40/2026");
    expect(screen.getByTestId("held").textContent).toBe("");
  });

  it("follows a day set from outside, and reads ISO typed or pasted in any locale", async () => {
    setFormat({ locale: "en-GB", durationStyle: "clock" });
    const user = userEvent.setup();
    render(<Holder initial="" seen={[]} />);
    const field = screen.getByTestId("day") as HTMLInputElement;
    expect(field.value).toBe("");
    await user.click(screen.getByRole("button", { name: "reset" }));
    expect(field.value).toBe("31/01/2026");
    await user.clear(field);
    await user.type(field, "2026-11-20");
    expect(screen.getByTestId("held").textContent).toBe("2026-11-20");
    await user.tab();
    expect(field.value).toBe("20/11/2026");
  });
});
