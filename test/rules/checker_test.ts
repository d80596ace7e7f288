import { describe, expect, test } from "bun:test";
import { caret, checkRule, compileRule, parse } from "../../src/rules/mod.ts";
import { SCOPE } from "./_random.ts";

function errorsOf(source: string, context: "puzzle" | "hint" = "puzzle"): string[] {
  const parsed = parse(source);
  if (parsed.kind === "error") throw new Error(`cannot parse ${source}: ${parsed.error.message}`);
  const checked = checkRule(parsed.ast, SCOPE, context);
  return checked.kind === "ok"
    ? []
    : checked.errors.map((e) => `${e.message}\n${caret(source, e.span)}`);
}

describe("checkRule()", () => {
  const valid = [
    'solved("p0")',
    'solves() >= 2 and not solved("p1")',
    'solves_in_round("r0") + solves_with_tag("t1") > 3',
    "score() - 10 >= -5",
    'checked_in("p2") or after("2026-11-21T13:00:00+01:00")',
    'division("kids") == true',
    'after("2026-11-21T13:00:00Z")',
    "minutes() >= 30",
  ];
  for (const source of valid) {
    test(`accepts ${source}`, () => expect(errorsOf(source)).toEqual([]));
  }

  test("accepts hint-only functions in a hint rule", () => {
    expect(errorsOf("minutes_since_unlock() >= 20 or wrong_guesses() > 4", "hint")).toEqual([]);
  });

  const invalid: [string, string[]][] = [
    ['solve("p0")', ['Unknown function "solve" (did you mean "solved"?)\nsolve("p0")\n^^^^^']],
    ['solved("p9")', ['Unknown puzzle "p9"\nsolved("p9")\n       ^^^^']],
    ['solved("lighthouse")', [
      'Unknown puzzle "lighthouse"\nsolved("lighthouse")\n       ^^^^^^^^^^^^',
    ]],
    ['solves_in_round("r7") > 1', [
      'Unknown round "r7"\nsolves_in_round("r7") > 1\n                ^^^^',
    ]],
    ['solves_with_tag("outdoor") > 1', [
      'Unknown tag "outdoor"\nsolves_with_tag("outdoor") > 1\n                ^^^^^^^^^',
    ]],
    ['division("kid")', [
      'Unknown division "kid" (did you mean "kids"?)\ndivision("kid")\n         ^^^^^',
    ]],
    ['checked_in("p1")', ['Puzzle "p1" has no checkpoint\nchecked_in("p1")\n           ^^^^']],
    ["solved(3)", ["The argument of solved() must be a puzzle id in quotes\nsolved(3)\n       ^"]],
    ['solved("p0", "p1")', [
      'solved() takes 1 argument (a puzzle id), not 2\nsolved("p0", "p1")\n^^^^^^^^^^^^^^^^^^',
    ]],
    ['solves("r0") > 1', ['solves() takes no arguments, not 1\nsolves("r0") > 1\n^^^^^^^^^^^^']],
    ['after("13:00")', [
      'Invalid time "13:00": write a date, time and offset, e.g. "2026-11-21T13:00:00+01:00"\nafter("13:00")\n      ^^^^^^^',
    ]],
    ['after("2026-11-21T13:00:00")', [
      'Invalid time "2026-11-21T13:00:00": write a date, time and offset, e.g. "2026-11-21T13:00:00+01:00"\nafter("2026-11-21T13:00:00")\n      ^^^^^^^^^^^^^^^^^^^^^',
    ]],
    ["solves()", [
      "The rule must be a condition (true or false), but this is a number\nsolves()\n^^^^^^^^",
    ]],
    ['solved("p0") + 1 > 0', [
      '"+" needs a number, not a condition (true or false)\nsolved("p0") + 1 > 0\n^^^^^^^^^^^^',
    ]],
    ["not 3", ['"not" needs a condition (true or false), not a number\nnot 3\n    ^']],
    ["solves() == true", [
      "Cannot compare a number with a condition (true or false)\nsolves() == true\n^^^^^^^^^^^^^^^^",
    ]],
    ['"p0"', ['A string can only be the argument of a function\n"p0"\n^^^^']],
    ['solves() >= "2"', ['Write the number 2 without quotes\nsolves() >= "2"\n            ^^^']],
    ["minutes_since_unlock() > 5", [
      "minutes_since_unlock() can only be used in a hint's rule\nminutes_since_unlock() > 5\n^^^^^^^^^^^^^^^^^^^^^^",
    ]],
    ["wrong_guesses() > 5", [
      "wrong_guesses() can only be used in a hint's rule\nwrong_guesses() > 5\n^^^^^^^^^^^^^^^",
    ]],
    // Every error in a rule is reported, not just the first.
    ['solved("x1") or solves_in_round("nope") > true', [
      'Unknown puzzle "x1"\nsolved("x1") or solves_in_round("nope") > true\n       ^^^^',
      'Unknown round "nope"\nsolved("x1") or solves_in_round("nope") > true\n                                ^^^^^^',
      '">" needs a number, not a condition (true or false)\nsolved("x1") or solves_in_round("nope") > true\n                                          ^^^^',
    ]],
  ];
  for (const [source, expected] of invalid) {
    test(`rejects ${source}`, () => expect(errorsOf(source)).toEqual(expected));
  }

  test("a division rule in a hunt without divisions says so", () => {
    const parsed = parse('division("kids")');
    if (parsed.kind !== "ok") throw new Error("parse");
    const checked = checkRule(parsed.ast, { ...SCOPE, divisions: new Map() }, "puzzle");
    expect(checked.kind === "error" && checked.errors[0]!.message).toBe(
      'Unknown division "kids": the hunt defines no divisions',
    );
  });
});

test("compileRule() returns parse errors as data", () => {
  expect(compileRule("solves() >=", SCOPE, "puzzle")).toEqual({
    kind: "error",
    errors: [{
      message: 'Expected a value, a function call or "(", found the end of the rule',
      span: { start: 11, end: 11 },
    }],
  });
});
