// Seeded generators of random rules and team states, for property tests.
import { emptyState, type RuleScope, type RuleState, stateLayout } from "../../src/rules/mod.ts";

/** A small, fast, seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const PUZZLES = ["p0", "p1", "p2", "p3", "p4", "p5"];
export const ROUNDS = ["r0", "r1"];
export const TAGS = ["t0", "t1", "t2"];
export const DIVISIONS = ["kids", "adults"];
export const HUNT_START = Date.parse("2026-11-21T10:00:00Z");

export const SHAPE = { puzzles: PUZZLES.length, rounds: ROUNDS.length, tags: TAGS.length };
export const LAYOUT = stateLayout(SHAPE);

export const SCOPE: RuleScope = {
  puzzles: new Map(PUZZLES.map((id, i) => [id, i])),
  checkpoints: new Set([0, 2, 4]),
  rounds: new Map(ROUNDS.map((id, i) => [id, i])),
  tags: new Map(TAGS.map((id, i) => [id, i])),
  divisions: new Map(DIVISIONS.map((id, i) => [id, i])),
};

/** Random rule source text of the given type, well-typed by construction. */
export function randomRule(random: () => number, type: "bool" | "int", depth = 0): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const leaf = depth >= 4 || random() < 0.3;
  if (type === "int") {
    if (leaf) {
      return pick([
        () => String(Math.floor(random() * 8)),
        () => "solves()",
        () => `solves_in_round("${pick(ROUNDS)}")`,
        () => `solves_with_tag("${pick(TAGS)}")`,
        () => "score()",
        () => "minutes()",
        () => "minutes_since_unlock()",
        () => "wrong_guesses()",
      ])();
    }
    return pick([
      () => `${randomRule(random, "int", depth + 1)} + ${randomRule(random, "int", depth + 1)}`,
      () => `${randomRule(random, "int", depth + 1)} - (${randomRule(random, "int", depth + 1)})`,
      () => `-(${randomRule(random, "int", depth + 1)})`,
      () => `(${randomRule(random, "int", depth + 1)})`,
    ])();
  }
  if (leaf) {
    return pick([
      () => `solved("${pick(PUZZLES)}")`,
      () => `checked_in("${pick(["p0", "p2", "p4"])}")`,
      () => `after("2026-11-21T1${Math.floor(random() * 6)}:00:00Z")`,
      () => `division("${pick(DIVISIONS)}")`,
      () => pick(["true", "false"]),
    ])();
  }
  return pick([
    () => `${randomRule(random, "bool", depth + 1)} and ${randomRule(random, "bool", depth + 1)}`,
    () => `${randomRule(random, "bool", depth + 1)} or ${randomRule(random, "bool", depth + 1)}`,
    () => `not ${randomRule(random, "bool", depth + 1)}`,
    () => `(${randomRule(random, "bool", depth + 1)})`,
    () =>
      `${randomRule(random, "int", depth + 1)} ${pick(["==", "!=", "<", "<=", ">", ">="])} ${
        randomRule(random, "int", depth + 1)
      }`,
    () =>
      `(${randomRule(random, "bool", depth + 1)}) ${pick(["==", "!="])} (${
        randomRule(random, "bool", depth + 1)
      })`,
  ])();
}

/** A random but self-consistent team state. */
export function randomState(random: () => number): RuleState {
  const state = emptyState(SHAPE, HUNT_START);
  const c = state.counts;
  state.now = HUNT_START + Math.floor(random() * 6 * 3_600_000);
  PUZZLES.forEach((_, i) => {
    if (random() < 0.5) {
      c[LAYOUT.solved + i] = 1;
      c[LAYOUT.solves]!++;
      c[LAYOUT.roundSolves + (i % ROUNDS.length)]!++;
      c[LAYOUT.tagSolves + (i % TAGS.length)]!++;
    }
    if (random() < 0.4) c[LAYOUT.checkedIn + i] = 1;
    if (random() < 0.7) state.unlockedAt[i] = HUNT_START + Math.floor(random() * 3_600_000);
    c[LAYOUT.wrongGuesses + i] = Math.floor(random() * 6);
  });
  c[LAYOUT.score] = Math.floor(random() * 400) - 50;
  c[LAYOUT.division] = Math.floor(random() * 3) - 1;
  return state;
}
