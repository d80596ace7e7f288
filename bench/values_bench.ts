// What the live `puzzle_values` event costs a push, on a generated 200-puzzle hunt that shows
// each puzzle's solves (`show_solves`), with 2,000 teams part-way through, each with one stream
// open as a phone on the puzzle list holds it (`?scoreboard=team`): a change to the board that
// moves no puzzle's count, against one that moves a puzzle every team has unlocked (as a solve
// does), which sends every team its new count. Then what the other way would cost: every phone
// asking for its list again (GET /api/puzzles's body, computed and encoded, for 2,000 teams).
import { bench, do_not_optimize, run, summary } from "mitata";
import { Live } from "../src/live/mod.ts";
import { puzzleList } from "../src/play/mod.ts";
import { generateHunt, playedHunt } from "./_generate.ts";

const toml = generateHunt(200).replace(
  'title = "Generated"',
  'title = "Generated"\nshow_solves = true',
);
// 2,000 teams with 0 to 39 solves each, made a minute apart.
const { engine, teams } = playedHunt(toml);

// Every push goes out at once, the values with it: no coalescing window, no bound on bytes, all
// streams in one slice.
const live = new Live({
  engine: () => engine,
  frozenAt: () => undefined,
  announcements: [],
  coalesceMs: 0,
  pushBytesPerSecond: Infinity,
  valuesEveryMs: 0,
  valuesSlice: Infinity,
});
let bytes = 0;
let writes = 0;
for (const team of teams) {
  live.connect(
    team.id,
    {
      write: (chunk) => {
        bytes += chunk.length;
        writes++;
      },
      closed: false,
    },
    undefined,
    { view: "team" },
  );
}

// Team 0 has no solve: hiding it (or showing it again) moves the board, and no puzzle's count.
// Team 1 has one, of a puzzle open to all: hiding it moves that count, as another solve would.
const [quiet, solver] = [teams[0]!, teams[1]!];
if (engine.solveCount(quiet) !== 0 || engine.solveCount(solver) !== 1) throw new Error("setup");
const toggle = (team: (typeof teams)[number]) => {
  engine.hideTeam(team, !team.hidden);
  live.scoreboardChanged();
};

for (const [what, team] of [["no count moved", quiet], ["one count moved", solver]] as const) {
  bytes = writes = 0;
  toggle(team);
  toggle(team);
  console.log(
    `a push, ${what}: ${writes / 2} writes, ${Math.round(bytes / 2)} bytes to 2,000 streams`,
  );
}

summary(() => {
  bench("a board push to 2,000 teams' streams, no puzzle's count moved", () => toggle(quiet));
  bench("the same, one puzzle's count moved: puzzle_values to 2,000 teams", () => toggle(solver));
});

summary(() => {
  bench("2,000 teams' puzzle lists computed and encoded (every phone asking again)", () => {
    for (const team of teams) do_not_optimize(JSON.stringify(puzzleList(engine, team)));
  });
});

// A benchmark that throws fails the suite (mitata would print the error and exit 0).
await run({ throw: true });
