// CTF mode: the generated 200-puzzle hunt with every puzzle's points dynamic
// (linear decay 1 from 5,000, so every solve lowers the value for all earlier
// solvers), played by 2,000 teams with 0 to 39 solves each. It measures a
// correct guess with fixed and with dynamic points over the same play, and
// the scoreboard update (standings + public board JSON) on the dynamic board,
// live and frozen. Compare with live_bench.ts's fixed-points board.
import { bench, do_not_optimize, run, summary } from "mitata";
import { publicBoard } from "../src/live/mod.ts";
import { generateHunt, PLAY_START as start, playedHunt } from "./_generate.ts";

// The hunt played by 2,000 teams, a minute between solves, with fixed and with dynamic points.
const toml = generateHunt(200);
const fixed = playedHunt(toml).solveMs;
const dynamic = playedHunt(
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
