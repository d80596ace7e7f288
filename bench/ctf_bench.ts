// CTF mode: the generated 200-puzzle hunt with every puzzle's points dynamic
// (linear decay 1 from 5,000, so every solve lowers the value for all earlier
// solvers), played by 2,000 teams with 0 to 39 solves each. It measures a
// correct guess with fixed and with dynamic points over the same play, and
// the scoreboard update (standings + public board JSON) on the dynamic board,
// live and frozen. Compare with live_bench.ts's fixed-points board.
import { bench, do_not_optimize, run, summary } from "mitata";
import { Engine } from "../src/engine/mod.ts";
import { loadHunt } from "../src/hunt/mod.ts";
import { publicBoard } from "../src/live/mod.ts";
import { generateHunt } from "./_generate.ts";

const start = Date.parse("2026-11-21T09:00:00Z");
let time = start;

/** The hunt played by 2,000 teams, a minute between solves; the mean time of a correct guess. */
function played(toml: string): { engine: Engine; solveMs: number } {
  const { hunt } = loadHunt(toml, { file: "generated.toml" });
  if (!hunt) throw new Error("the generated hunt does not load");
  time = start;
  const engine = new Engine(hunt, { clock: { now: () => time }, startsAt: start });
  let solveMs = 0;
  let solves = 0;
  for (let t = 0; t < 2_000; t++) {
    const registered = engine.register({ name: `Team ${t}`, passwordHash: "x" });
    if (registered.kind !== "ok") throw new Error("register");
    const team = registered.team;
    for (let s = 0; s < t % 40; s++) {
      time += 60_000;
      const next = engine.unlockedPuzzles(team).find((p) => !engine.solved(team, p));
      if (next === undefined) continue;
      const began = performance.now();
      engine.guess(team, next.id, `answer ${next.index}`);
      solveMs += performance.now() - began;
      solves++;
    }
  }
  return { engine, solveMs: solveMs / solves };
}

const toml = generateHunt(200);
const fixed = played(toml).solveMs;
const dynamic = played(
  toml.replace(
    /^points = (\d+)$/gm,
    'points = { initial = 5000, minimum = 1, decay = 1, function = "linear" }',
  ),
);
console.log(
  `one correct guess, mean over the play: fixed points ${(fixed * 1000).toFixed(1)} µs, ` +
    `dynamic points ${(dynamic.solveMs * 1000).toFixed(1)} µs`,
);

summary(() => {
  bench("scoreboard update, dynamic points (2,000 teams)", () => {
    do_not_optimize(JSON.stringify(publicBoard(dynamic.engine, () => undefined)));
  });
  bench("scoreboard update, dynamic points, frozen (2,000 teams, board as at a time)", () => {
    do_not_optimize(JSON.stringify(publicBoard(dynamic.engine, () => start + 3_600_000)));
  });
});

// A benchmark that throws fails the suite (mitata would print the error and exit 0).
await run({ throw: true });
