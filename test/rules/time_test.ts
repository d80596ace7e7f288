import { describe, expect, test } from "bun:test";
import { compileRule, type Expr, type RuleScope, timeBoundaries } from "../../src/rules/mod.ts";

const START = Date.parse("2026-11-21T10:00:00Z");
const MINUTE = 60_000;
const scope: RuleScope = {
  puzzles: new Map([["a", 0]]),
  checkpoints: new Set(),
  rounds: new Map(),
  tags: new Map(),
  divisions: new Map(),
};

function rule(source: string): Expr {
  const result = compileRule(source, scope, "puzzle");
  if (result.kind !== "ok") throw new Error(`${source}: ${result.errors[0]!.message}`);
  return result.rule.expr;
}

/** The boundaries as minutes after the start, for readable expectations. */
function minutesOf(sources: string[]) {
  const times = timeBoundaries(sources.map(rule), START);
  return {
    minutes: times.boundaries.map((at) => (at - START) / MINUTE),
    everyMinute: times.everyMinute,
  };
}

describe("timeBoundaries()", () => {
  const cases: [string, string[], { minutes: number[]; everyMinute: boolean }][] = [
    ["no rules: nothing changes with time", [], { minutes: [], everyMinute: false }],
    ["a rule without the clock", ['solved("a")'], { minutes: [], everyMinute: false }],
    [
      "after(t) changes at t",
      ['after("2026-11-21T10:30:00Z")'],
      { minutes: [30], everyMinute: false },
    ],
    ["minutes() >= k changes at minute k or k + 1", ["minutes() >= 5"], {
      minutes: [5, 6],
      everyMinute: false,
    }],
    ["the constant may come first", ["10 < minutes()"], { minutes: [10, 11], everyMinute: false }],
    [
      "times from several rules, deduplicated and in order",
      ['after("2026-11-21T10:06:00Z") or minutes() > 45', "minutes() >= 5", "not (minutes() < 5)"],
      { minutes: [5, 6, 45, 46], everyMinute: false },
    ],
    [
      "a minutes() inside arithmetic has no single threshold",
      ["minutes() - solves() >= 100"],
      { minutes: [], everyMinute: true },
    ],
    [
      "thresholds under not, and and or are found; a negation without the clock adds none",
      ['not (minutes() >= 3) and (solved("a") or after("2026-11-21T11:00:00Z"))', "-solves() < 0"],
      { minutes: [3, 4, 60], everyMinute: false },
    ],
  ];
  for (const [name, sources, expected] of cases) {
    test(name, () => expect(minutesOf(sources)).toEqual(expected));
  }

  test("minutes count from the given start", () => {
    const later = START + 7 * MINUTE;
    expect(timeBoundaries([rule("minutes() >= 1")], later).boundaries).toEqual([
      later + MINUTE,
      later + 2 * MINUTE,
    ]);
  });
});
