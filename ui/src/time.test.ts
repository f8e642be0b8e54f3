import { describe, expect, it } from "vitest";

import { addDays, lineQuantity, minutesInto, parseDuration, weekOf } from "./time";

describe("time", () => {
  it("shows tracked time on an invoice line as a clock, other quantities as given", () => {
    expect(lineQuantity({ quantity: "1.6667", worth: "158.3333333334" })).toBe("1:40 h");
    expect(lineQuantity({ quantity: "0.5", worth: "47.5" })).toBe("0:30 h");
    expect(lineQuantity({ quantity: "1.0084", worth: "95.7916666667" })).toBe("1:00:30 h");
    expect(lineQuantity({ quantity: "1.6667", worth: null })).toBe("1.6667");
    expect(lineQuantity({ quantity: "2.5" })).toBe("2.5");
  });


  it("finds the week of a day from each week start", () => {
    // 2026-11-23 is a Monday.
    expect(weekOf("2026-11-25", "monday")).toEqual([
      "2026-11-23",
      "2026-11-24",
      "2026-11-25",
      "2026-11-26",
      "2026-11-27",
      "2026-11-28",
      "2026-11-29",
    ]);
    expect(weekOf("2026-11-25", "sunday")[0]).toBe("2026-11-22");
    expect(weekOf("2026-11-22", "sunday")[0]).toBe("2026-11-22");
    expect(weekOf("2026-11-25", "saturday")[0]).toBe("2026-11-21");
    expect(weekOf("2026-11-21", "saturday")[6]).toBe("2026-11-27");
  });

  it("moves days across month and year ends", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("parses the durations people type", () => {
    expect(parseDuration("1:30")).toBe(5400);
    expect(parseDuration("1h30")).toBe(5400);
    expect(parseDuration("1h 30m")).toBe(5400);
    expect(parseDuration("90m")).toBe(5400);
    expect(parseDuration("1.5")).toBe(5400);
    expect(parseDuration("1,25")).toBe(4500);
    expect(parseDuration("2h")).toBe(7200);
    expect(parseDuration("")).toBeNull();
    expect(parseDuration("h")).toBeNull();
    expect(parseDuration("1:75")).toBeNull();
    expect(parseDuration("soon")).toBeNull();
  });

  it("places instants in local minutes, across a DST change", () => {
    // Berlin, 2026-03-29: 02:00Z is 04:00 local, yet only 180 real minutes after local midnight
    // (the hour from 02:00 to 03:00 does not exist that night); minutesInto counts real minutes.
    expect(minutesInto("2026-03-29", "2026-03-29T02:00:00Z", "Europe/Berlin")).toBe(180);
    expect(minutesInto("2026-11-23", "2026-11-23T08:30:00Z", "Europe/Berlin")).toBe(570);
  });
});
