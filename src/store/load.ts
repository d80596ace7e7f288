import type { Database } from "bun:sqlite";
import type { Snapshot } from "../engine/mod.ts";

/**
 * Reads back everything the engine needs at boot. Guesses are the bulk, so
 * they are aggregated in SQL: totals per team and puzzle, and only the recent
 * wrong guesses that can still count against a guess limit.
 */
export function loadSnapshot(
  db: Database,
  options: { now: number; longestWindowMs: number },
): Snapshot {
  const all = <T>(sql: string, ...params: (string | number)[]) =>
    db.query<T, (string | number)[]>(sql).all(...params);
  const max = (table: string) =>
    db.query<{ id: number | null }, []>(`SELECT max(id) AS id FROM ${table}`).get()?.id ?? 0;

  const teams = all<
    { id: number; name: string; division: string | null; members: string; createdAt: number }
  >(
    "SELECT id, name, division, members, created_at AS createdAt FROM teams ORDER BY id",
  ).map((row) => ({ ...row, members: JSON.parse(row.members) as string[] }));

  return {
    teams,
    unlocks: all("SELECT team_id AS teamId, puzzle, at FROM unlocks"),
    // Solve order decides first-solve bonuses when two solves share a millisecond.
    solves: all("SELECT team_id AS teamId, puzzle, at FROM solves ORDER BY at, guess_id"),
    checkins: all("SELECT team_id AS teamId, puzzle, at FROM checkins"),
    routes: all<{ teamId: number; route: string; stops: string }>(
      "SELECT team_id AS teamId, route, stops FROM routes",
    ).map((row) => ({ ...row, stops: JSON.parse(row.stops) as string[] })),
    hints: all("SELECT team_id AS teamId, puzzle, hint, at FROM hint_takes"),
    adjustments: all("SELECT team_id AS teamId, points, at FROM adjustments ORDER BY id"),
    guessTotals: all(
      `SELECT team_id AS teamId, puzzle, sum(wrong) AS wrong, sum(granted) AS granted, sum(used) AS extraUsed
       FROM (
         SELECT team_id, puzzle, count(*) AS wrong, 0 AS granted, sum(extra_used) AS used
         FROM guesses WHERE result != 'correct' GROUP BY team_id, puzzle
         UNION ALL
         SELECT team_id, puzzle, 0, 0, sum(extra_used) FROM guesses
         WHERE result = 'correct' AND extra_used = 1 GROUP BY team_id, puzzle
         UNION ALL
         SELECT team_id, puzzle, 0, sum(count), 0 FROM extra_guesses GROUP BY team_id, puzzle
       )
       GROUP BY team_id, puzzle`,
    ),
    recentWrong: all(
      "SELECT team_id AS teamId, puzzle, at FROM guesses WHERE result != 'correct' AND at > ? ORDER BY at",
      options.now - options.longestWindowMs,
    ),
    lastActivity: all(
      `SELECT team_id AS teamId, max(at) AS at FROM (
         SELECT team_id, max(at) AS at FROM guesses GROUP BY team_id
         UNION ALL SELECT team_id, max(at) FROM hint_takes GROUP BY team_id
         UNION ALL SELECT team_id, max(at) FROM checkins GROUP BY team_id
       ) GROUP BY team_id`,
    ),
    lastGuessId: max("guesses"),
    lastAdjustmentId: max("adjustments"),
    lastAnnouncementId: max("announcements"),
  };
}
