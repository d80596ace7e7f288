/**
 * The hunt's stats for everyone, once it has published its solutions
 * (`solutions_at`): per puzzle, how many teams had it and solved it, the first
 * solve, the median time to solve, the wrong guesses and the wrong answers
 * tried most, as puzzle hunts publish after the event. Hidden teams count for
 * nothing. Built once, by reading every wrong guess a chunk at a time (the
 * server answers others between chunks), and kept until a guess, a solve or a
 * team's visibility changes, or a reload; built again then from the wrong
 * answers already counted, reading only the guesses since (all of them again
 * when a team is hidden or shown).
 */
import type { Engine } from "../engine/mod.ts";
import type { Game } from "./game.ts";
import { median } from "./stats.ts";

/** How many of a puzzle's most tried wrong answers the stats list. */
export const COMMON_WRONG = 5;
const CHUNK = 2_000;

export interface PublicPuzzleStat {
  id: string;
  title: string;
  round: string;
  /** Visible teams that had it unlocked. */
  unlocked: number;
  solves: number;
  first_solve: { team: string; at: string } | null;
  /** Median of solve time minus unlock time over the solvers; null without solves. */
  median_solve_seconds: number | null;
  /** Incorrect and partial guesses of visible teams. */
  wrong_guesses: number;
  /** The wrong answers tried most (as compared, normalized), with how many guesses gave each. */
  common_wrong: { answer: string; count: number }[];
}

export interface HuntStats {
  puzzles: PublicPuzzleStat[];
}

/** Why there are no stats yet (403 from the API, and the page). */
export const STATS_CLOSED =
  "The hunt's stats are published with its solutions, from its solutions_at";

/** Whether the stats are public at `now`: from the hunt's `solutions_at`. */
export function statsOpen(engine: Engine, now: number): boolean {
  const at = engine.hunt.solutionsAt;
  return at !== undefined && now >= at;
}

/**
 * The stats, built at most once for each state of the hunt (`HuntStats`). The
 * wrong answers counted are kept from one state to the next: a state with
 * more guesses reads only those, and one with no new guess reads none.
 */
export function huntStats(game: Game): () => Promise<HuntStats> {
  let key: { engine: Engine; state: string } | undefined;
  let built: Promise<HuntStats> | undefined;
  let tally: Promise<Tally> | undefined;
  return async () => {
    const engine = game.engine;
    const { lastGuessId } = await game.store.results([]);
    const state = `${lastGuessId}|${teamsState(engine)}`;
    if (built === undefined || key?.engine !== engine || key.state !== state) {
      key = { engine, state };
      // Counted after the tally before it (one at a time), from it when it counted for the same
      // teams; a failed one is not kept, and the next counts from the first guess.
      tally = counted(game, engine, lastGuessId, tally?.catch(() => undefined));
      built = tally.then((done) => build(engine, done.counts));
      // A failed build is not kept: the next request tries again.
      built.catch(() => (built = undefined));
    }
    return built;
  };
}

/**
 * Each puzzle's wrong answers (normalized), and how often visible teams gave
 * them, through guess id `through`, with the teams they counted for (`teams`:
 * their number, and the hidden ones). A stored guess never changes: for the
 * same teams, a tally through an id holds for good, and another guess adds to it.
 */
interface Tally {
  teams: string;
  through: number;
  counts: Map<string, Map<string, number>>;
}

/** The teams a tally counts for: all of them, but the hidden. */
function tallied(engine: Engine): string {
  const hidden: number[] = [];
  for (const team of engine.teams.values()) if (team.hidden) hidden.push(team.id);
  return `${engine.teams.size}|${hidden.join(",")}`;
}

/** `before` brought up to guess `through`, when it counted for the same teams; else a new tally. */
async function counted(
  game: Game,
  engine: Engine,
  through: number,
  before: Promise<Tally | undefined> | undefined,
): Promise<Tally> {
  const kept = await before;
  const teams = tallied(engine);
  const tally = kept !== undefined && kept.teams === teams && kept.through <= through
    ? kept
    : { teams, through: 0, counts: new Map() };
  await countWrong(game, engine, tally, through);
  return tally;
}

/**
 * What the stats depend on besides the guesses, cheaply: the teams, what they
 * unlocked and solved (each team's version counts both), and which are hidden.
 */
function teamsState(engine: Engine): string {
  let versions = 0;
  const hidden: number[] = [];
  for (const team of engine.teams.values()) {
    versions += team.version;
    if (team.hidden) hidden.push(team.id);
  }
  return `${engine.teams.size}|${versions}|${hidden.join(",")}`;
}

function build(engine: Engine, wrong: Tally["counts"]): HuntStats {
  const now = engine.now();
  const puzzles: PublicPuzzleStat[] = [];
  for (const puzzle of engine.hunt.puzzles) {
    let unlocked = 0;
    let wrongGuesses = 0;
    let first: { team: string; at: number } | undefined;
    const durations: number[] = [];
    for (const team of engine.teams.values()) {
      if (team.hidden || !engine.isUnlocked(team, puzzle.index, now)) continue;
      unlocked++;
      wrongGuesses += team.state.counts[engine.layout.wrongGuesses + puzzle.index]!;
      const solvedAt = team.solvedAt[puzzle.index]!;
      if (solvedAt !== solvedAt) continue; // NaN: not solved
      durations.push(Math.max(0, solvedAt - team.state.unlockedAt[puzzle.index]!));
      if (first === undefined || solvedAt < first.at) first = { team: team.name, at: solvedAt };
    }
    // A puzzle no visible team ever had stays out, as it stayed out of every team's list.
    if (unlocked === 0) continue;
    const tried = mostTried(wrong.get(puzzle.id));
    puzzles.push({
      id: puzzle.id,
      title: puzzle.title,
      round: puzzle.round,
      unlocked,
      solves: durations.length,
      first_solve: first === undefined
        ? null
        : { team: first.team, at: new Date(first.at).toISOString() },
      median_solve_seconds: durations.length === 0 ? null : Math.round(median(durations) / 1000),
      wrong_guesses: wrongGuesses,
      common_wrong: tried.map(([answer, count]) => ({ answer, count })),
    });
  }
  return { puzzles };
}

/**
 * The `COMMON_WRONG` answers given most, most first (ties in text order), in
 * one pass: a late event's puzzle holds thousands of different wrong answers,
 * and sorting them all, for every puzzle, held the server for 200 ms.
 */
function mostTried(counts: Map<string, number> | undefined): [string, number][] {
  const top: [string, number][] = [];
  const before = (a: [string, number], b: [string, number]) =>
    a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]);
  for (const entry of counts ?? []) {
    if (top.length === COMMON_WRONG && !before(entry, top[COMMON_WRONG - 1]!)) continue;
    let at = top.length === COMMON_WRONG ? COMMON_WRONG - 1 : top.length;
    while (at > 0 && before(entry, top[at - 1]!)) {
      top[at] = top[at - 1]!;
      at--;
    }
    top[at] = entry;
  }
  return top;
}

/** Adds the wrong guesses of visible teams after `tally.through`, up to `through`, to `tally`. */
async function countWrong(
  game: Game,
  engine: Engine,
  tally: Tally,
  through: number,
): Promise<void> {
  const { counts } = tally;
  while (tally.through < through) {
    // The event loop runs between chunks: players and organizers are answered meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const rows = await game.store.wrongGuesses({ after: tally.through, through, limit: CHUNK });
    for (const row of rows) {
      if (engine.teams.get(row.team)?.hidden !== false) continue;
      let puzzle = counts.get(row.puzzle);
      if (puzzle === undefined) counts.set(row.puzzle, puzzle = new Map());
      puzzle.set(row.normalized, (puzzle.get(row.normalized) ?? 0) + 1);
    }
    // Counted through the last row read, or, once a chunk comes short (no wrong guess after it),
    // through `through`.
    tally.through = rows.length < CHUNK ? through : rows[rows.length - 1]!.id;
  }
}
