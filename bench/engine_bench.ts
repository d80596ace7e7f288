// The engine's hot functions on a generated 200-puzzle hunt: deciding a guess
// (wrong and right), and recomputing one team's unlocks.
import { bench, do_not_optimize, run, summary } from "mitata";
import { Engine } from "../src/engine/mod.ts";
import { loadHunt } from "../src/hunt/mod.ts";
import { generateHunt } from "./_generate.ts";

const { hunt } = loadHunt(generateHunt(200), { file: "generated.toml" });
if (!hunt) throw new Error("the generated hunt does not load");
const start = Date.parse("2026-11-21T09:00:00Z");
let time = start;
// The clock moves a minute per call, so guess limits never stop the loop.
const engine = new Engine(hunt, { clock: { now: () => (time += 61_000) }, startsAt: start });
const registered = engine.register({ name: "Bench", passwordHash: "x" });
if (registered.kind !== "ok") throw new Error("register");
const team = registered.team;
const open = engine.unlockedPuzzles(team)[0]!;

summary(() => {
  bench("guess(): a wrong answer, judged and recorded", () => {
    do_not_optimize(engine.guess(team, open.id, "not the answer"));
  });
  bench("guess(): a correct answer on a fresh team (register + solve)", function* () {
    let n = 0;
    yield () => {
      const fresh = engine.register({ name: `T${n++}`, passwordHash: "x" });
      if (fresh.kind === "ok") {
        do_not_optimize(engine.guess(fresh.team, open.id, `answer ${open.index}`));
      }
    };
  });
  bench("register(): a new team, with its first unlocks", function* () {
    let n = 0;
    yield () => do_not_optimize(engine.register({ name: `R${n++}`, passwordHash: "x" }));
  });
});

bench("tick(): every locked puzzle's rule for one team (200 puzzles)", function* () {
  const one = new Engine(hunt, { clock: { now: () => (time += 61_000) }, startsAt: start });
  one.register({ name: "Only", passwordHash: "x" });
  yield () => do_not_optimize(one.tick());
});

// A benchmark that throws fails the suite (mitata would print the error and exit 0).
await run({ throw: true });
