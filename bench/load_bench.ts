// Loading a hunt: TOML parse, schema, answers, rule compile and static
// analysis, for generated hunts of 100 and 1,000 puzzles (target: 1,000
// puzzles in under 100 ms).
import { bench, do_not_optimize, run } from "mitata";
import { loadHunt } from "../src/hunt/mod.ts";
import { generateHunt } from "./_generate.ts";

const texts = new Map([100, 1_000].map((n) => [n, generateHunt(n)]));
for (const [n, text] of texts) {
  const result = loadHunt(text, { file: "generated.toml" });
  if (!result.hunt) {
    throw new Error(`the generated ${n}-puzzle hunt does not load: ${result.problems[0]?.message}`);
  }
}

bench("loadHunt($puzzles puzzles)", function* (state: { get(name: string): number }) {
  const text = texts.get(state.get("puzzles"))!;
  yield () => do_not_optimize(loadHunt(text, { file: "generated.toml" }));
}).args("puzzles", [100, 1_000]);

// A benchmark that throws fails the suite (mitata would print the error and exit 0).
await run({ throw: true });
