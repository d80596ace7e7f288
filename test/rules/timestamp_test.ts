import { describe, expect, test } from "bun:test";
import { parseTimestamp, realDay } from "../../src/rules/timestamp.ts";

describe("parseTimestamp()", () => {
  test("reads a date-time with its offset", () => {
    expect(parseTimestamp("2026-11-21T10:00:00+01:00")).toBe(Date.UTC(2026, 10, 21, 9));
    expect(parseTimestamp("2026-11-21T10:00Z")).toBe(Date.UTC(2026, 10, 21, 10));
    expect(parseTimestamp("2024-02-29T23:59:59.5-00:30")).toBe(
      Date.UTC(2024, 2, 1, 0, 29, 59, 500),
    );
  });

  test("refuses days, hours and offsets that do not exist, instead of moving them", () => {
    for (
      const text of [
        "2026-02-30T10:00:00Z",
        "2025-02-29T10:00:00Z",
        "2026-04-31T10:00:00Z",
        "2026-13-01T10:00:00Z",
        "2026-00-10T10:00:00Z",
        "2026-01-00T10:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T10:60:00Z",
        "2026-01-01T10:00:60Z",
        "2026-01-01T10:00:00+24:00",
        "2026-01-01T10:00:00",
        "2026-01-01 10:00:00Z",
      ]
    ) {
      expect(parseTimestamp(text)).toBeUndefined();
    }
  });
});

test("realDay() knows month lengths and leap years", () => {
  expect([28, 29].map((day) => realDay(2026, 2, day))).toEqual([true, false]);
  expect([29, 30].map((day) => realDay(2024, 2, day))).toEqual([true, false]);
  expect(realDay(1900, 2, 29)).toBe(false);
  expect(realDay(2000, 2, 29)).toBe(true);
  expect([30, 31].map((day) => realDay(2026, 4, day))).toEqual([true, false]);
  expect(realDay(2026, 12, 31)).toBe(true);
});
