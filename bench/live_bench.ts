// The read paths behind the hottest routes, on a generated 200-puzzle hunt
// with 2,000 teams part-way through: the scoreboard update (standings, then
// the public board encoded once for every stream and GET), and one team's
// puzzle list, computed and encoded as GET /api/puzzles does.
import { bench, do_not_optimize, run, summary } from "mitata";
import { puzzleList } from "../src/play/mod.ts";
import { publicBoard } from "../src/live/mod.ts";
import { generateHunt, PLAY_START as start, playedHunt } from "./_generate.ts";

// 2,000 teams with 0 to 39 solves each, made a minute apart.
const { engine, teams } = playedHunt(generateHunt(200));
const mid = teams[1_020]!;
const listed = puzzleList(engine, mid).puzzles.length;

summary(() => {
  bench("scoreboard update: standings + public board JSON (2,000 teams)", () => {
    do_not_optimize(JSON.stringify(publicBoard(engine, () => undefined)));
  });
  bench("scoreboard update, frozen (2,000 teams, board as at a time)", () => {
    do_not_optimize(JSON.stringify(publicBoard(engine, () => start + 3_600_000)));
  });
});

summary(() => {
  bench(`puzzle list: one team's ${listed} puzzles, computed and encoded`, () => {
    do_not_optimize(JSON.stringify(puzzleList(engine, mid)));
  });
});

// A benchmark that throws fails the suite (mitata would print the error and exit 0).
await run({ throw: true });
