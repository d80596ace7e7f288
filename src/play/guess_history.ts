import type { Puzzle, Team } from "../engine/mod.ts";
import type { Game } from "./game.ts";

/** One of a team's guesses on a puzzle, as its players see it. */
export interface TeamGuess {
  /** What was typed, as it was sent. */
  answer: string;
  result: "correct" | "incorrect" | "partial";
  /** A wrong guess's message as the puzzle says it now (a partial's "keep going" words). */
  message?: string;
  /** When it reached the server (epoch ms). */
  at: number;
}

/**
 * A team's guesses on one puzzle, oldest first: what every teammate tried, so
 * that nobody tries it again; with `latest`, only the latest that many, and
 * how many came before them (`earlier`), whose messages are not worked out.
 * Read from the store (the guesses' texts are not kept in memory), by the
 * puzzle page and `GET /api/puzzles/:id/guesses`, not by the hot routes. A
 * mission has none.
 */
export async function teamGuesses(
  game: Game,
  team: Team,
  puzzle: Puzzle,
  latest = Infinity,
): Promise<{ guesses: TeamGuess[]; earlier: number }> {
  if (puzzle.mission !== undefined) return { guesses: [], earlier: 0 };
  const engine = game.engine;
  const rows = await game.store.teamPuzzleGuesses(team.id, puzzle.id);
  const earlier = Math.max(0, rows.length - latest);
  const guesses = rows.slice(earlier).map(({ raw, result, at }) => {
    const message = result === "correct" ? undefined : engine.guessMessage(team, puzzle, raw);
    // (The store holds only these three results.)
    const judged = result as TeamGuess["result"];
    return { answer: raw, result: judged, ...(message !== undefined && { message }), at };
  });
  return { guesses, earlier };
}
