// The read paths behind the hottest routes, on a generated 200-puzzle hunt
// with 2,000 teams part-way through: the scoreboard update (standings, then
// the public board encoded once for every stream and GET), and one team's
// puzzle list, computed and encoded as GET /api/puzzles does.
import { bench, do_not_optimize, run, summary } from "mitata";
import { Engine } from "../src/engine/mod.ts";
import { puzzleList } from "../src/play/mod.ts";
import { loadHunt } from "../src/hunt/mod.ts";
import { publicBoard } from "../src/live/mod.ts";
import { generateHunt } from "./_generate.ts";

const { hunt } = loadHunt(generateHunt(200), { file: "generated.toml" });
if (!hunt) throw new Error("the generated hunt does not load");
const start = Date.parse("2026-11-21T09:00:00Z");
let time = start;
const engine = new Engine(hunt, { clock: { now: () => time }, startsAt: start });
// 2,000 teams with 0 to 39 solves each, made a minute apart.
for (let t = 0; t < 2_000; t++) {
  const registered = engine.register({ name: `Team ${t}`, passwordHash: "x" });
  if (registered.kind !== "ok") throw new Error("register");
  const team = registered.team;
  for (let s = 0; s < t % 40; s++) {
    time += 60_000;
    const next = engine.unlockedPuzzles(team).find((p) => !engine.solved(team, p));
    if (next !== undefined) engine.guess(team, next.id, `answer ${next.index}`);
  }
}
const teams = [...engine.teams.values()];
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
