// Generates a large, valid hunt for benchmarks: rounds of 20 puzzles, each
// round with a few open puzzles, chains, a meta counting its round, and
// hints; later rounds open from earlier metas. Every rule function appears.
// And that hunt played part-way by many teams, for the benchmarks of what they read.
import { Engine, type Team } from "../src/engine/mod.ts";
import { loadHunt } from "../src/hunt/mod.ts";

/**
 * The request benchmarks' hunt (request_bench.ts, trees_ab.ts): twenty puzzles
 * open from the start, none limited, so every guess is judged and stored.
 */
export const OPEN_HUNT = `
[hunt]
title = "Bench"
starts_at = 2026-11-21T10:00:00Z
${
  Array.from({ length: 20 }, (_, i) => `
[[puzzle]]
id = "p${i}"
title = "Puzzle ${i}"
round = "r1"
points = 10
answer = ["right${i}"]
guess_limit = { count = 1000000, per = "1m" }
`).join("")
}`;

/**
 * TOML text of a hunt with `puzzles` puzzles (a multiple of 20). With
 * `guessLimit`, every puzzle gets that `guess_limit` table (for load tests
 * that must not be answered 429).
 */
export function generateHunt(puzzles: number, options: { guessLimit?: string } = {}): string {
  const lines = [
    "[hunt]",
    'title = "Generated"',
    'divisions = ["kids", "adults"]',
    "",
  ];
  const perRound = 20;
  for (let i = 0; i < puzzles; i++) {
    const round = Math.floor(i / perRound);
    const slot = i % perRound;
    const id = `p${i}`;
    let unlock: string | undefined;
    if (slot === perRound - 1) unlock = `solves_in_round("r${round}") >= ${perRound - 5}`;
    else if (slot < 3) {
      unlock = round === 0
        ? undefined
        : `solved("p${round * perRound - 1}") or minutes() >= ${60 * round}`;
    } else if (slot % 4 === 0) unlock = `solved("p${i - 1}") and solved("p${i - 2}")`;
    else if (slot % 4 === 1) {
      unlock = `solves_with_tag("t${slot % 3}") >= 2 or score() >= ${slot * 10}`;
    } else if (slot % 4 === 2) {
      unlock = `checked_in("p${
        round * perRound + 3
      }") or (solves() - ${slot} >= 1 and not division("kids"))`;
    } else unlock = `solved("p${i - 3}") or after("2026-11-21T1${round % 6}:00:00+01:00")`;
    lines.push(
      "[[puzzle]]",
      `id = "${id}"`,
      `title = "Puzzle ${i}"`,
      `round = "r${round}"`,
      `tags = ["t${slot % 3}"]`,
      `points = ${10 + slot}`,
      `body = "Body of puzzle ${i}, with a little *markdown*."`,
      `answer = ["answer ${i}", "solution ${i}"]`,
      `partial = [{ answer = "almost ${i}", message = "Keep going" }]`,
    );
    if (slot === 3) lines.push(`checkpoint = { code = "cp-${i}" }`);
    if (options.guessLimit !== undefined) lines.push(`guess_limit = ${options.guessLimit}`);
    if (unlock) lines.push(`unlock = '${unlock}'`);
    lines.push(
      "",
      "[[puzzle.hint]]",
      'id = "h1"',
      'text = "A nudge."',
      `unlock = "minutes_since_unlock() >= ${10 + (i % 4) * 5} or wrong_guesses() >= ${
        3 + (i % 3)
      }"`,
      "cost = 5",
      "",
    );
  }
  return lines.join("\n");
}

/** When `playedHunt`'s play begins: an hour before the hunt's first after() time. */
export const PLAY_START = Date.parse("2026-11-21T09:00:00Z");

/**
 * `toml` (a generated hunt) played from `PLAY_START` by `teams` teams (default 2,000) made one after
 * another, team t with t % 40 solves, each of the first puzzle it has open and not solved, a minute
 * after the one before: the engine, its teams in order, and the mean time of a correct guess (ms).
 * The engine's clock stays where the play left it.
 */
export function playedHunt(
  toml: string,
  options: { teams?: number } = {},
): { engine: Engine; teams: Team[]; solveMs: number } {
  const { hunt } = loadHunt(toml, { file: "generated.toml" });
  if (!hunt) throw new Error("the generated hunt does not load");
  let time = PLAY_START;
  const engine = new Engine(hunt, { clock: { now: () => time }, startsAt: PLAY_START });
  let solveMs = 0;
  let solves = 0;
  for (let t = 0; t < (options.teams ?? 2_000); t++) {
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
  return {
    engine,
    teams: [...engine.teams.values()],
    solveMs: solves === 0 ? 0 : solveMs / solves,
  };
}
