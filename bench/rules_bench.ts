// Every unlock and hint rule of a generated 1,000-puzzle hunt, evaluated for
// one team: compiled closures against the two interpreters in
// bench/_interpret.ts (the syntax tree, and the checked tree), over the same
// rules and the same state.
import { bench, do_not_optimize, run, summary } from "mitata";
import { loadHunt } from "../src/hunt/mod.ts";
import { emptyState, type Node, parse, type RuleScope, stateLayout } from "../src/rules/mod.ts";
import { generateHunt } from "./_generate.ts";
import { interpret, interpretAst } from "./_interpret.ts";

const { hunt } = loadHunt(generateHunt(1_000), { file: "generated.toml" });
if (!hunt) throw new Error("the generated hunt does not load");

// Flat arrays, as an engine keeps them: the rule, and the puzzle it belongs to.
const rules = hunt.puzzles.flatMap((puzzle) => [
  ...(puzzle.unlock ? [puzzle.unlock] : []),
  ...puzzle.hints.flatMap((hint) => (hint.unlock ? [hint.unlock] : [])),
]);
const owners = hunt.puzzles.flatMap((puzzle) => [
  ...(puzzle.unlock ? [puzzle.index] : []),
  ...puzzle.hints.flatMap((hint) => (hint.unlock ? [puzzle.index] : [])),
]);
const exprs = rules.map((rule) => rule.expr);
const trees = rules.map((rule) => (parse(rule.source) as { ast: Node }).ast);
const scope: RuleScope = {
  puzzles: hunt.puzzleIndex,
  checkpoints: new Set(hunt.checkpoints.values()),
  rounds: new Map(hunt.rounds.map((name, i) => [name, i])),
  tags: new Map(hunt.tags.map((name, i) => [name, i])),
  divisions: new Map(hunt.divisions.map((name, i) => [name, i])),
};
const conditions = rules.map((rule) => rule.condition);
const shape = { puzzles: hunt.puzzles.length, rounds: hunt.rounds.length, tags: hunt.tags.length };
const layout = stateLayout(shape);
const state = emptyState(shape, Date.parse("2026-11-21T09:00:00Z"));
const c = state.counts;
// A team part-way through: a third of the puzzles solved, some unlocked a while ago.
for (let i = 0; i < hunt.puzzles.length; i += 3) {
  c[layout.solved + i] = 1;
  c[layout.solves]!++;
  c[layout.roundSolves + hunt.puzzles[i]!.roundIndex]!++;
  c[layout.tagSolves + hunt.puzzles[i]!.tagIndexes[0]!]!++;
  state.unlockedAt[i] = state.huntStart;
}
state.now = state.huntStart + 90 * 60_000;
c[layout.score] = 300;
console.log(`${rules.length} rules over ${hunt.puzzles.length} puzzles`);

summary(() => {
  bench("syntax-tree interpreter: every rule, one team", () => {
    let count = 0;
    const env = { scope, layout };
    for (let i = 0; i < trees.length; i++) {
      if (interpretAst(trees[i]!, env, state, owners[i]!)) count++;
    }
    return do_not_optimize(count);
  }).baseline();
  bench("checked-tree interpreter: every rule, one team", () => {
    let count = 0;
    for (let i = 0; i < exprs.length; i++) {
      if (interpret(exprs[i]!, layout, state, owners[i]!)) count++;
    }
    return do_not_optimize(count);
  });
  bench("closures: every rule, one team", () => {
    let count = 0;
    for (let i = 0; i < conditions.length; i++) if (conditions[i]!(state, owners[i]!)) count++;
    return do_not_optimize(count);
  });
});

// A benchmark that throws fails the suite (mitata would print the error and exit 0).
await run({ throw: true });
