import { describe, expect, test } from "bun:test";
import { checkRule, explainRule, parse } from "../../src/rules/mod.ts";
import { SCOPE } from "./_random.ts";

function explain(source: string) {
  const parsed = parse(source);
  if (parsed.kind === "error") throw new Error(parsed.error.message);
  const checked = checkRule(parsed.ast, SCOPE, "hint");
  if (checked.kind === "error") throw new Error(checked.errors[0]!.message);
  return explainRule(checked.expr);
}

describe("explainRule()", () => {
  const cases: [string, unknown][] = [
    [
      "minutes_since_unlock() >= 20",
      { kind: "at_least", fn: "minutes_since_unlock", arg: 0, count: 20 },
    ],
    ["wrong_guesses() > 2", { kind: "at_least", fn: "wrong_guesses", arg: 0, count: 3 }],
    ["3 <= wrong_guesses()", { kind: "at_least", fn: "wrong_guesses", arg: 0, count: 3 }],
    ['solved("p1")', { kind: "done", fn: "solved", arg: 1 }],
    ['checked_in("p2")', { kind: "done", fn: "checked_in", arg: 2 }],
    ['after("2026-11-21T13:00:00Z")', { kind: "time", at: Date.parse("2026-11-21T13:00:00Z") }],
    [
      'minutes_since_unlock() >= 20 or wrong_guesses() >= 3 or solved("p0")',
      {
        kind: "any",
        parts: [
          { kind: "at_least", fn: "minutes_since_unlock", arg: 0, count: 20 },
          { kind: "at_least", fn: "wrong_guesses", arg: 0, count: 3 },
          { kind: "done", fn: "solved", arg: 0 },
        ],
      },
    ],
    [
      '(solved("p0") and solves() >= 2) or minutes() >= 90',
      {
        kind: "any",
        parts: [
          {
            kind: "all",
            parts: [
              { kind: "done", fn: "solved", arg: 0 },
              { kind: "at_least", fn: "solves", arg: 0, count: 2 },
            ],
          },
          { kind: "at_least", fn: "minutes", arg: 0, count: 90 },
        ],
      },
    ],
  ];
  for (const [source, expected] of cases) {
    test(`explains ${source}`, () => expect(explain(source)).toEqual(expected as never));
  }

  // What a player cannot wait for, or what would mislead, is not explained.
  for (
    const source of [
      'not solved("p0")',
      "minutes_since_unlock() < 20",
      "wrong_guesses() == 3",
      "score() - 10 >= 5",
      'division("kids")',
      'solved("p0") or division("kids")',
      "true",
    ]
  ) {
    test(`does not explain ${source}`, () => expect(explain(source)).toBeUndefined());
  }
});
