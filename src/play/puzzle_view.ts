import type { Engine, Puzzle, Team } from "../engine/mod.ts";
import { bodyHtml, solutionHtml } from "./markdown.ts";
import { teamPoints } from "./puzzle_list.ts";

/**
 * What a team sees of a puzzle it has unlocked: its body (the team's variant)
 * and choices, and each hint's title, cost and state, with a hint's text only once taken
 * (an ask's prompt at once). Shared
 * by `GET /api/puzzles/:id` and the puzzle page, so both say the same. While
 * the board is frozen (at `frozenAt`), its points are as at the freeze. The
 * solution (`solution` in the hunt file) only once the team solved it, or
 * from the hunt's `solutions_at`.
 */
export function puzzleView(
  engine: Engine,
  team: Team,
  puzzle: Puzzle,
  now: number,
  frozenAt?: number,
) {
  const source = engine.bodySource(team, puzzle);
  const solved = engine.solved(team, puzzle);
  // Undefined until solved (or the hunt's `solutions_at`), or without one: a key JSON leaves out,
  // in an object of one shape.
  const solution = engine.solutionShown(team, puzzle, now)
    ? solutionHtml(puzzle, source)
    : undefined;
  return {
    id: puzzle.id,
    title: puzzle.title,
    round: puzzle.round,
    points: teamPoints(engine, team, puzzle, frozenAt),
    // Where the hunt shows them (`show_solves`); undefined, which JSON leaves out, elsewhere.
    solves: engine.hunt.showSolves ? engine.solvesShown(team, puzzle, frozenAt) : undefined,
    bodyHtml: bodyHtml(puzzle, source),
    // A multiple-choice puzzle's (its variant's); undefined, which JSON leaves out, elsewhere.
    choices: source.answers.spec.choices,
    solved,
    solutionHtml: solution,
    hints: puzzle.hints.map((hint) => {
      // An ask's text is the prompt above its question box: shown from the start.
      if (hint.kind === "ask") {
        return {
          id: hint.id,
          kind: "ask" as const,
          title: hint.title, // (JSON leaves it out while undefined)
          cost: hint.cost,
          available: engine.hintAvailable(team, puzzle, hint, now),
          taken: false,
          ...(hint.text !== "" && { text: hint.text }),
        };
      }
      const taken = engine.hintTaken(team, puzzle, hint);
      return {
        id: hint.id,
        title: hint.title,
        cost: hint.cost,
        available: taken || engine.hintAvailable(team, puzzle, hint, now),
        taken,
        ...(taken && { text: hint.text }),
      };
    }),
  };
}
