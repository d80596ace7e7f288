/**
 * What each stored solve is worth, in SQL, so that exports made from the
 * database file alone score as the engine does: a fixed puzzle's points, or a
 * dynamic puzzle's value after all its solves (the engine's `dynamicValue`,
 * written again here), plus the first-solve bonus for the solve's place. A
 * hidden team's solves count for no one else, as in the engine: the value and
 * the places count the visible teams' solves only, and a hidden team's solve
 * is worth the value they hold, with no bonus.
 */
import type { Connection } from "./driver.ts";

/**
 * Common table expressions ending in `solve_points (team_id, puzzle, at,
 * points)`: one row per solve of a puzzle the hunt still has. Start a query
 * with `WITH ${SOLVE_POINTS}`.
 */
export const SOLVE_POINTS = `
  solve_places AS (
    SELECT s.team_id, s.puzzle, s.at,
      CASE WHEN t.hidden = 0 THEN
        row_number() OVER (PARTITION BY s.puzzle, t.hidden ORDER BY s.at, s.guess_id) - 1
      END AS place,
      sum(1 - t.hidden) OVER (PARTITION BY s.puzzle) AS solvers
    FROM solves s JOIN teams t ON t.id = s.team_id
  ),
  solve_raw AS (
    SELECT s.team_id, s.puzzle, s.at, s.place, p.points, p.first_solve_bonus,
      p.dynamic_minimum AS minimum,
      CASE p.dynamic_function
        -- No visible solver (a hidden team's solve alone) counts as one: the initial value.
        WHEN 'linear' THEN p.dynamic_initial - p.dynamic_decay * max(s.solvers - 1, 0)
        WHEN 'logarithmic' THEN
          ((p.dynamic_minimum - p.dynamic_initial) * 1.0 /
            (max(p.dynamic_decay, 1) * max(p.dynamic_decay, 1))) *
          (max(s.solvers - 1, 0) * max(s.solvers - 1, 0)) + p.dynamic_initial
      END AS raw
    FROM solve_places s JOIN hunt_puzzles p ON p.id = s.puzzle
  ),
  solve_points AS (
    SELECT team_id, puzzle, at,
      CASE WHEN raw IS NULL THEN points
        -- Rounded up (without SQLite's optional math functions), never below the minimum.
        ELSE max(minimum, CAST(raw AS INTEGER) + (raw > CAST(raw AS INTEGER)))
      END + coalesce(json_extract(first_solve_bonus, '$[' || place || ']'), 0) AS points
    FROM solve_raw
  )`;

/** The puzzles and every solve with its points, for CTFtime's feed made from the database. */
export function readSolvePoints(db: Connection): {
  puzzles: { id: string; title: string }[];
  solves: { team: number; puzzle: string; points: number; at: number }[];
} {
  return db.transaction(() => ({
    puzzles: db.query<{ id: string; title: string }>(
      "SELECT id, title FROM hunt_puzzles ORDER BY position, id",
    ).all(),
    solves: db.query<{ team: number; puzzle: string; points: number; at: number }>(
      `WITH ${SOLVE_POINTS}
       SELECT team_id AS team, puzzle, points, at FROM solve_points ORDER BY at`,
    ).all(),
  })).deferred();
}
