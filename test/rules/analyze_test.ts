import { describe, expect, test } from "bun:test";
import { type AnalysisPuzzle, analyze, compileRule, type RuleScope } from "../../src/rules/mod.ts";

/** Builds an analysis input from `id: round: rule` lines. */
function hunt(lines: string[], times: { startsAt?: string; endsAt?: string } = {}) {
  const specs = lines.map((line) => {
    const [id, round, ...rest] = line.split(":").map((part) => part.trim());
    return { id: id!, round: round!, rule: rest.join(":").trim() };
  });
  const rounds = [...new Set(specs.map((s) => s.round))];
  const scope: RuleScope = {
    puzzles: new Map(specs.map((s, i) => [s.id, i])),
    checkpoints: new Set(),
    rounds: new Map(rounds.map((r, i) => [r, i])),
    tags: new Map([["t", 0]]),
    divisions: new Map(),
  };
  const puzzles: AnalysisPuzzle[] = specs.map((spec, i) => {
    const base = { id: spec.id, round: rounds.indexOf(spec.round), tags: i % 2 === 0 ? [0] : [] };
    if (spec.rule === "") return base;
    const result = compileRule(spec.rule, scope, "puzzle");
    if (result.kind !== "ok") throw new Error(`${spec.rule}: ${result.errors[0]!.message}`);
    return { ...base, unlock: result.rule.expr };
  });
  const analysis = analyze({
    puzzles,
    rounds,
    tags: ["t"],
    ...(times.startsAt && { startsAt: Date.parse(times.startsAt) }),
    ...(times.endsAt && { endsAt: Date.parse(times.endsAt) }),
  });
  return analysis.blocked.map((b) => `${specs[b.puzzle]!.id}: ${b.message}`);
}

describe("analyze()", () => {
  test("finds nothing wrong in a hunt that can be played through", () => {
    expect(hunt([
      "a: r: ",
      'b: r: solved("a")',
      'meta: r: solves_in_round("r") >= 2',
      'final: s: solved("meta") and solves() >= 3',
    ])).toEqual([]);
  });

  test("reports a cycle once, with its path", () => {
    expect(hunt(['a: r: solved("b")', 'b: r: solved("c")', 'c: r: solved("a")', "d: r: "])).toEqual(
      [
        "a: Unlock cycle: a → b → c → a, and no way through the rule avoids it",
      ],
    );
  });

  test("reports a puzzle that requires itself", () => {
    expect(hunt(['a: r: solved("a")', "b: r: "])).toEqual([
      "a: Unlock cycle: a → a, and no way through the rule avoids it",
    ]);
  });

  test("accepts a cycle that another path through the rule avoids", () => {
    expect(hunt(['a: r: solved("b") or solves() >= 1', 'b: r: solved("a")', "c: r: "])).toEqual([]);
  });

  test("blames a puzzle that needs a blocked one for that, not for a cycle", () => {
    expect(hunt(['a: r: solved("b")', 'b: r: solved("a")', 'c: r: solved("a") and solves() >= 0']))
      .toEqual([
        "a: Unlock cycle: a → b → a, and no way through the rule avoids it",
        'c: Can never unlock: it needs puzzle "a", which can never unlock',
      ]);
  });

  test("counts only the other puzzles of the round, and only reachable ones", () => {
    expect(hunt(["a: r: ", "b: r: ", 'meta: r: solves_in_round("r") >= 2'])).toEqual([]);
    expect(hunt(["a: r: ", "b: r: ", 'meta: r: solves_in_round("r") >= 3'])).toEqual([
      'meta: Can never unlock: it needs more solves in round "r" than the other puzzles there can give (at most 2)',
    ]);
    expect(hunt(["a: r: ", 'b: r: solved("b")', 'meta: r: solves_in_round("r") >= 2'])).toEqual([
      "b: Unlock cycle: b → b, and no way through the rule avoids it",
      'meta: Can never unlock: it needs more solves in round "r" than the other puzzles there can give (at most 1)',
    ]);
  });

  test("counts tags and total solves the same way", () => {
    expect(hunt(["a: r: ", "b: r: ", 'c: r: solves_with_tag("t") >= 2'])).toEqual([
      'c: Can never unlock: it needs more solves with tag "t" than the other puzzles with it can give (at most 1)',
    ]);
    expect(hunt(["a: r: ", "b: r: solves() > 1"])).toEqual([
      "b: Can never unlock: it needs more solves than the other puzzles can give (at most 1)",
    ]);
  });

  test("reports an after() at or past the end, and a rule that is always false", () => {
    const times = { startsAt: "2026-11-21T10:00:00Z", endsAt: "2026-11-21T16:00:00Z" };
    expect(hunt([
      "a: r: ",
      'b: r: after("2026-11-21T16:00:00Z")',
      'c: r: after("2026-11-21T15:59:00Z")',
      "d: r: false",
      "e: r: minutes() > 360",
      // 360 minutes in is 16:00, the end, as after("…16:00:00Z") is.
      "f: r: minutes() >= 360",
      "g: r: minutes() >= 359",
    ], times)).toEqual([
      "b: Can never unlock: this time is not before the hunt's end (ends_at 2026-11-21T16:00:00.000Z)",
      "d: Can never unlock: the rule is always false",
      "e: Can never unlock: minutes() is at most 359 before the hunt ends",
      "f: Can never unlock: minutes() is at most 359 before the hunt ends",
    ]);
  });

  test("treats score() as unbounded, since organizers can adjust it", () => {
    expect(hunt(["a: r: score() > 100000"])).toEqual([]);
  });
});
