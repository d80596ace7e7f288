// The words an upload's refusals use for sizes and limits.
import { describe, expect, test } from "bun:test";
import { sizeText, tooLargeText } from "../../src/play/upload.ts";

describe("sizeText()", () => {
  const cases: [number, string][] = [
    [15 * 1_048_576, "15 MB"],
    [1_536 * 1_024, "1.5 MB"],
    // Rounded down: never more than there is.
    [2_097_151, "1.9 MB"],
    [1_048_576, "1 MB"],
    [1_048_575, "1023 KB"],
    [500 * 1_024, "500 KB"],
    [1_024, "1 KB"],
    [1_023, "1023 bytes"],
    [0, "0 bytes"],
    [1_073_741_824, "1 GB"],
    [1_610_612_736, "1.5 GB"],
  ];
  for (const [bytes, text] of cases) {
    test(`sizeText(${bytes}) is "${text}"`, () => expect(sizeText(bytes)).toBe(text));
  }
});

describe("tooLargeText()", () => {
  test("names the per-file cap, or what is left of the team's quota", () => {
    expect(tooLargeText(2_097_152, "cap")).toBe("The file is larger than 2 MB");
    expect(tooLargeText(1_258_291, "quota")).toBe("Your team has 1.1 MB of its upload quota left");
    expect(tooLargeText(700_000, "quota")).toBe("Your team has 683 KB of its upload quota left");
  });
});
