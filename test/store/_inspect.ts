// Reads a copy of the database back, for the backup tests.
import { openConnection } from "../../src/store/mod.ts";

/** What a consistent copy must show: integrity, and a correct guess for every solve. */
export function inspect(path: string) {
  const db = openConnection(path, { readonly: true });
  const one = <T>(sql: string) => db.query(sql).get() as T;
  const result = {
    integrity: one<{ integrity_check: string }>("PRAGMA integrity_check").integrity_check,
    teams: one<{ n: number }>("SELECT count(*) AS n FROM teams").n,
    guesses: one<{ n: number }>("SELECT count(*) AS n FROM guesses").n,
    solves: one<{ n: number }>("SELECT count(*) AS n FROM solves").n,
    solvesWithoutTheirGuess: one<{ n: number }>(
      `SELECT count(*) AS n FROM solves s LEFT JOIN guesses g
       ON g.id = s.guess_id AND g.team_id = s.team_id AND g.result = 'correct'
       WHERE g.id IS NULL`,
    ).n,
    correctWithoutSolve: one<{ n: number }>(
      `SELECT count(*) AS n FROM guesses g LEFT JOIN solves s ON s.guess_id = g.id
       WHERE g.result = 'correct' AND s.guess_id IS NULL`,
    ).n,
    teamsWithoutGuess: one<{ n: number }>(
      "SELECT count(*) AS n FROM teams t WHERE NOT EXISTS (SELECT 1 FROM guesses g WHERE g.team_id = t.id)",
    ).n,
  };
  db.close();
  return result;
}

/** How many teams a database holds: a cheap read, where `inspect`'s checks would scan every guess. */
export function teamsIn(path: string): number {
  const db = openConnection(path, { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM teams").get() as { n: number }).n;
  } finally {
    db.close();
  }
}
