import { describe, expect, test } from "bun:test";
import { compileRule, emptyState } from "../../src/rules/mod.ts";
import { interpret } from "../../bench/_interpret.ts";
import {
  HUNT_START,
  LAYOUT,
  PUZZLES,
  randomRule,
  randomState,
  rng,
  SCOPE,
  SHAPE,
} from "./_random.ts";

describe("compiled closures", () => {
  test("agree with the interpreter on 2,000 random rules × 25 random states", () => {
    const random = rng(20261121);
    let evaluations = 0;
    let trues = 0;
    for (let i = 0; i < 2_000; i++) {
      const source = randomRule(random, "bool");
      const result = compileRule(source, SCOPE, "hint");
      if (result.kind !== "ok") throw new Error(`${source}: ${result.errors[0]!.message}`);
      for (let j = 0; j < 25; j++) {
        const state = randomState(random);
        const puzzle = Math.floor(random() * PUZZLES.length);
        const expected = interpret(result.rule.expr, LAYOUT, state, puzzle);
        const actual = result.rule.condition(state, puzzle);
        if (actual !== expected) {
          throw new Error(
            `${source} gave ${actual}, interpreter ${expected}, state ${JSON.stringify(state)}`,
          );
        }
        evaluations++;
        if (actual) trues++;
      }
    }
    expect(evaluations).toBe(50_000);
    // Both outcomes occur often, so the agreement says something.
    expect(trues / evaluations).toBeGreaterThan(0.2);
    expect(trues / evaluations).toBeLessThan(0.8);
  });

  const state = emptyState(SHAPE, HUNT_START);
  const c = state.counts;
  state.now = HUNT_START + 25 * 60_000 + 59_000;
  c[LAYOUT.solved + 1] = 1;
  c[LAYOUT.solves] = 1;
  c[LAYOUT.roundSolves + 1] = 1;
  c[LAYOUT.tagSolves + 1] = 1;
  c[LAYOUT.score] = 40;
  c[LAYOUT.checkedIn + 2] = 1;
  c[LAYOUT.division] = 0;
  state.unlockedAt[3] = HUNT_START + 5 * 60_000;
  c[LAYOUT.wrongGuesses + 3] = 4;

  const cases: [string, boolean][] = [
    ['solved("p1")', true],
    ['solved("p0")', false],
    ["solves() == 1", true],
    ['solves_in_round("r1") >= 1', true],
    ['solves_in_round("r0") >= 1', false],
    ['solves_with_tag("t1") == 1', true],
    ["score() > 39 and score() < 41", true],
    ['checked_in("p2")', true],
    ['checked_in("p0")', false],
    ['after("2026-11-21T10:25:00Z")', true],
    ['after("2026-11-21T10:26:00Z")', false],
    ["minutes() == 25", true],
    ['division("kids")', true],
    ['division("adults")', false],
    ["minutes_since_unlock() == 20", true],
    ["wrong_guesses() >= 4", true],
    ["-score() == 0 - 40", true],
  ];
  for (const [source, expected] of cases) {
    test(`${source} is ${expected} for the fixed state`, () => {
      const result = compileRule(source, SCOPE, "hint");
      if (result.kind !== "ok") throw new Error(result.errors[0]!.message);
      expect(result.rule.condition(state, 3)).toBe(expected);
    });
  }

  test("minutes_since_unlock() is never true while the puzzle is locked", () => {
    const result = compileRule("minutes_since_unlock() >= 0", SCOPE, "hint");
    if (result.kind !== "ok") throw new Error("compile");
    expect(result.rule.condition(state, 0)).toBe(false);
    expect(result.rule.condition(state, 3)).toBe(true);
  });

  test("a team with no division matches no division() rule", () => {
    const result = compileRule('division("kids") or division("adults")', SCOPE, "puzzle");
    if (result.kind !== "ok") throw new Error("compile");
    const counts = state.counts.slice();
    counts[LAYOUT.division] = -1;
    expect(result.rule.condition({ ...state, counts }, 0)).toBe(false);
  });
});
