/**
 * Figures behind the charts, from memory: the public score history (which
 * stops at the freeze), and the organizers' per-puzzle solves, median time to
 * solve and wrong guesses. Guesses per minute come from the store.
 */
import type { Engine } from "../engine/mod.ts";

export interface HistoryLine {
  name: string;
  /** The score after each change, from 0 at registration; epoch ms. */
  points: { at: number; score: number }[];
}

/**
 * Score over time of the top `top` teams of the board as it stands at `at`
 * (the freeze time while frozen, else now). Nothing after `at` is included,
 * so a frozen board's history does not leak what happened since.
 */
export function scoreHistory(
  engine: Engine,
  at: number | undefined,
  options: { top?: number; division?: string | undefined } = {},
): HistoryLine[] {
  const rows = engine.standings({
    ...(at !== undefined && { at }),
    ...(options.division !== undefined && { division: options.division }),
  }).slice(0, options.top ?? 10);
  return rows.map(({ team }) => {
    const points = [{ at: Math.max(team.createdAt, engine.startsAt), score: 0 }];
    // The engine's history includes the falls of the dynamic puzzles the team solved.
    points.push(...engine.scoreHistory(team, at));
    return { name: team.name, points };
  });
}

export interface PuzzleStat {
  id: string;
  title: string;
  round: string;
  /** Teams that have it unlocked. */
  unlocked: number;
  solves: number;
  /** Median of solve time minus unlock time, over the teams that solved it; null without solves. */
  median_solve_seconds: number | null;
  /** Incorrect and partial guesses, all teams together. */
  wrong_guesses: number;
}

/** Per puzzle: how many teams have it, solved it, how long they took, and wrong guesses. */
export function puzzleStats(engine: Engine): PuzzleStat[] {
  const now = engine.now();
  // The time-based unlocks due by now, as a team's own pages record them when it reads.
  for (const team of engine.teams.values()) engine.catchUp(team, now);
  return engine.hunt.puzzles.map((puzzle) => {
    let unlocked = 0;
    let wrong = 0;
    const durations: number[] = [];
    for (const team of engine.teams.values()) {
      if (engine.isUnlocked(team, puzzle.index, now)) unlocked++;
      wrong += team.state.counts[engine.layout.wrongGuesses + puzzle.index]!;
      const solvedAt = team.solvedAt[puzzle.index]!;
      if (solvedAt === solvedAt) {
        durations.push(Math.max(0, solvedAt - team.state.unlockedAt[puzzle.index]!));
      }
    }
    return {
      id: puzzle.id,
      title: puzzle.title,
      round: puzzle.round,
      unlocked,
      solves: durations.length,
      median_solve_seconds: durations.length === 0 ? null : Math.round(median(durations) / 1000),
      wrong_guesses: wrong,
    };
  });
}

/** The median of `values` (not empty): the middle one, or the mean of the middle two. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
