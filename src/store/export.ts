/**
 * The results, read from the database file alone: teams, solves, guesses,
 * the final scoreboard, the route order each team was given, and what else
 * changed scores (hints taken, check-ins, adjustments), the mission
 * submissions with their verdicts, and the asks with their answers. The running server's admin route and `cairn export`
 * both read them here, so the two always agree. The scoreboard needs the
 * hunt's points and hint costs, which the server records in `hunt_puzzles`
 * and `hunt_hints` at every start and reload.
 */
import type { Connection } from "./driver.ts";
import type { Hunt } from "../engine/mod.ts";
import { SOLVE_POINTS } from "./scoring.ts";
import { exportName } from "./files.ts";

/** The tables an export holds, in the order they are written. */
export const RESULT_TABLES = [
  "teams",
  "solves",
  "guesses",
  "scoreboard",
  "routes",
  "hints",
  "checkins",
  "adjustments",
  "submissions",
  "asks",
] as const;
export type ResultTable = (typeof RESULT_TABLES)[number];
export type Results = Record<ResultTable, Record<string, unknown>[]>;

/** Each table's columns, so that an empty table still gets its CSV header. */
export const RESULT_COLUMNS: Record<ResultTable, readonly string[]> = {
  teams: ["id", "name", "division", "members", "created_at", "hidden", "banned"],
  solves: ["team", "team_name", "puzzle", "guess_id", "at"],
  guesses: ["id", "team", "team_name", "puzzle", "raw", "normalized", "result", "at"],
  scoreboard: ["rank", "team", "name", "division", "score", "solves", "last_solve_at"],
  routes: ["team", "route", "stops", "at"],
  hints: ["team", "team_name", "puzzle", "hint", "cost", "at"],
  checkins: ["team", "team_name", "puzzle", "at"],
  adjustments: ["id", "team", "team_name", "points", "reason", "at"],
  submissions: [
    "id",
    "team",
    "team_name",
    "puzzle",
    "submit",
    "status",
    "points",
    "message",
    "text",
    "file",
    "type",
    "size",
    "at",
    "accepted_at",
    "judged_at",
  ],
  asks: [
    "id",
    "team",
    "team_name",
    "puzzle",
    "hint",
    "question",
    "cost",
    "token",
    "status",
    "answer",
    "at",
    "closed_at",
  ],
};

/** Records the hunt's scoring (points, hint costs) beside the state, replacing the last one. */
export function saveScoring(db: Connection, hunt: Hunt): void {
  const puzzle = db.prepare(
    `INSERT INTO hunt_puzzles (id, title, round, points, dynamic_initial, dynamic_minimum,
       dynamic_decay, dynamic_function, first_solve_bonus, position)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const hint = db.prepare("INSERT INTO hunt_hints (puzzle, hint, cost) VALUES (?, ?, ?)");
  db.transaction(() => {
    db.exec("DELETE FROM hunt_puzzles");
    db.exec("DELETE FROM hunt_hints");
    for (const p of hunt.puzzles) {
      const d = p.dynamic;
      puzzle.run(
        p.id,
        p.title,
        p.round,
        p.points,
        d?.initial ?? null,
        d?.minimum ?? null,
        d?.decay ?? null,
        d?.function ?? null,
        JSON.stringify(p.firstSolveBonus),
        p.index,
      );
      for (const h of p.hints) hint.run(p.id, h.id, h.cost);
    }
    db.query(
      "INSERT INTO meta (key, value) VALUES ('hunt_title', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(hunt.title);
  }).immediate();
}

/**
 * Reads the results in one read transaction, so that they are consistent
 * with each other even while the server writes. The scoreboard is the
 * organizers' view: it ignores any freeze.
 */
export function readResults(db: Connection): Results {
  return readTables(db, RESULT_TABLES).results;
}

/**
 * Reads the named tables in one read transaction, and the last guess id at
 * that moment: the guesses up to it (`readGuesses`) are those the tables
 * saw, as guesses are only ever appended. So an export can read the guesses
 * a chunk at a time, and be the same as one read at once.
 */
export function readTables<T extends ResultTable>(
  db: Connection,
  tables: readonly T[],
): { results: Pick<Results, T>; lastGuessId: number } {
  return db.transaction(() => {
    const results = {} as Pick<Results, T>;
    for (const table of tables) results[table] = READ[table](db);
    const last = db.query<{ id: number | null }>("SELECT max(id) AS id FROM guesses").get();
    return { results, lastGuessId: last?.id ?? 0 };
  }).deferred();
}

/** The guesses after id `after`, up to `through`, oldest first, at most `limit` (-1: all). */
export function readGuesses(
  db: Connection,
  options: { after: number; through: number; limit: number },
): Results["guesses"] {
  return db.query<Record<string, unknown>>(
    `SELECT g.id, g.team_id AS team, t.name AS team_name, g.puzzle, g.raw, g.normalized,
       g.result, g.at
     FROM guesses g JOIN teams t ON t.id = g.team_id WHERE g.id > ? AND g.id <= ?
     ORDER BY g.id LIMIT ?`,
  ).all(options.after, options.through, options.limit).map(withIso);
}

/** How each table of the results is read. */
const READ: Record<ResultTable, (db: Connection) => Record<string, unknown>[]> = {
  teams: (db) =>
    all(
      db,
      "SELECT id, name, division, members, created_at, hidden, banned FROM teams ORDER BY id",
    ).map((row) => ({
      ...row,
      members: JSON.parse(row.members as string) as string[],
      created_at: iso(row.created_at),
      hidden: row.hidden === 1,
      banned: row.banned === 1,
    })),
  solves: (db) =>
    all(
      db,
      `SELECT s.team_id AS team, t.name AS team_name, s.puzzle, s.guess_id, s.at
       FROM solves s JOIN teams t ON t.id = s.team_id
       UNION ALL SELECT m.team_id, t.name, m.puzzle, NULL, m.accepted_at
       FROM submissions m JOIN teams t ON t.id = m.team_id WHERE m.status = 'accepted'
       ORDER BY at, guess_id`,
    ).map(withIso),
  guesses: (db) => readGuesses(db, { after: 0, through: Number.MAX_SAFE_INTEGER, limit: -1 }),
  scoreboard: (db) =>
    all(db, SCOREBOARD).map((row, i) => ({
      rank: i + 1,
      team: row.team,
      name: row.name,
      division: row.division,
      score: row.score,
      solves: row.solves,
      last_solve_at: iso(row.last_solve_at),
    })),
  routes: (db) =>
    all(db, "SELECT team_id AS team, route, stops, at FROM routes ORDER BY team_id, route").map(
      (row) => ({ ...withIso(row), stops: JSON.parse(row.stops as string) as string[] }),
    ),
  // What changed scores besides solves: hints taken (at the cost the hunt gives them now),
  // check-ins, and the organizers' adjustments.
  hints: (db) =>
    all(
      db,
      `SELECT h.team_id AS team, t.name AS team_name, h.puzzle, h.hint, c.cost, h.at
       FROM hint_takes h JOIN teams t ON t.id = h.team_id
       LEFT JOIN hunt_hints c ON c.puzzle = h.puzzle AND c.hint = h.hint
       ORDER BY h.at, h.team_id`,
    ).map(withIso),
  checkins: (db) =>
    all(
      db,
      `SELECT c.team_id AS team, t.name AS team_name, c.puzzle, c.at
       FROM checkins c JOIN teams t ON t.id = c.team_id ORDER BY c.at, c.team_id`,
    ).map(withIso),
  adjustments: (db) =>
    all(
      db,
      `SELECT a.id, a.team_id AS team, t.name AS team_name, a.points, a.reason, a.at
       FROM adjustments a JOIN teams t ON t.id = a.team_id ORDER BY a.id`,
    ).map(withIso),
  // Each mission submission and its verdict; `file` is the name `cairn export --files` gives it.
  submissions: (db) =>
    all(
      db,
      `SELECT m.id, m.team_id AS team, t.name AS team_name, m.puzzle, m.submit, m.status,
         m.points, m.message, m.text, m.file_hash, m.file_type AS type, m.file_size AS size, m.at,
         m.accepted_at, m.judged_at
       FROM submissions m JOIN teams t ON t.id = m.team_id ORDER BY m.id`,
    ).map(({ file_hash, ...row }) => ({
      ...row,
      file: typeof file_hash === "string"
        ? exportName({ hash: file_hash, type: row.type as string | null })
        : null,
      at: iso(row.at),
      accepted_at: iso(row.accepted_at),
      judged_at: iso(row.judged_at),
    })),
  // Each ask, its answer, and what it cost (paid back when refused or withdrawn).
  asks: (db) =>
    all(
      db,
      `SELECT a.id, a.team_id AS team, t.name AS team_name, a.puzzle, a.hint, a.question, a.cost,
         a.token, a.status, a.answer, a.at, a.closed_at
       FROM asks a JOIN teams t ON t.id = a.team_id ORDER BY a.id`,
    ).map((row) => ({
      ...row,
      token: row.token === 1,
      at: iso(row.at),
      closed_at: iso(row.closed_at),
    })),
};

function all(db: Connection, sql: string): Record<string, unknown>[] {
  return db.query<Record<string, unknown>>(sql).all();
}

/**
 * The ranking, as the engine ranks: the score is the points of solved puzzles
 * (a dynamic puzzle's value after all its solves, plus first-solve bonuses, and
 * accepted missions, for the points their judge gave) still in the hunt, less
 * the costs of taken hints, plus adjustments. Ties go
 * to the team whose score last changed earlier (a team whose score never
 * changed counts from its registration), then to registration order. Hidden
 * teams take no place, as on the public board.
 */
const SCOREBOARD = `
  WITH ${SOLVE_POINTS},
  changes AS (
    SELECT team_id, at, points AS delta FROM solve_points
    UNION ALL
    SELECT h.team_id, h.at, -c.cost FROM hint_takes h
      JOIN hunt_hints c ON c.puzzle = h.puzzle AND c.hint = h.hint
    UNION ALL
    SELECT a.team_id, a.at, -a.cost FROM asks a JOIN hunt_puzzles p ON p.id = a.puzzle
    UNION ALL
    SELECT a.team_id, a.closed_at, a.cost FROM asks a JOIN hunt_puzzles p ON p.id = a.puzzle
      WHERE a.status IN ('refused', 'withdrawn')
    UNION ALL
    SELECT team_id, at, points FROM adjustments
    UNION ALL
    SELECT m.team_id, m.accepted_at, m.points FROM submissions m
      JOIN hunt_puzzles p ON p.id = m.puzzle WHERE m.accepted_at IS NOT NULL
    UNION ALL
    SELECT m.team_id, m.judged_at, -m.points FROM submissions m
      JOIN hunt_puzzles p ON p.id = m.puzzle
      WHERE m.accepted_at IS NOT NULL AND m.status = 'rejected'
  ),
  scores AS (
    SELECT team_id, sum(delta) AS score, max(at) AS reached_at FROM changes
    WHERE delta != 0 GROUP BY team_id
  ),
  solved AS (
    SELECT s.team_id, count(*) AS solves, max(s.at) AS last_solve_at FROM (
      SELECT team_id, puzzle, at FROM solves
      UNION ALL
      SELECT team_id, puzzle, accepted_at FROM submissions WHERE status = 'accepted'
    ) s JOIN hunt_puzzles p ON p.id = s.puzzle GROUP BY s.team_id
  )
  SELECT t.id AS team, t.name, t.division, coalesce(sc.score, 0) AS score,
    coalesce(so.solves, 0) AS solves, so.last_solve_at
  FROM teams t
  LEFT JOIN scores sc ON sc.team_id = t.id
  LEFT JOIN solved so ON so.team_id = t.id
  WHERE t.hidden = 0
  ORDER BY score DESC, coalesce(sc.reached_at, t.created_at), t.id`;

/** Whether the database holds the hunt's scoring (a server of this version has run on it). */
export function hasScoring(db: Connection): boolean {
  return db.query("SELECT 1 FROM hunt_puzzles LIMIT 1").get() != null;
}

/**
 * RFC 4180 CSV, with a header row, after a UTF-8 byte-order mark so that
 * Excel reads "Équipe" as written. Every text cell is quoted, so no separator
 * (a comma, or a semicolon in many locales) can split it, and one a
 * spreadsheet would run as a formula gets a leading '. Numbers stay numbers;
 * a list (a team's members) is one cell, its items joined by "; ", which splits
 * back into the items as no member name holds a ";" (registration refuses it).
 */
export function toCsv(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[] = Object.keys(rows[0] ?? {}),
): string {
  return csvHeader(columns) + csvLines(rows, columns);
}

/** The start of a CSV file (`toCsv`): the byte-order mark and the header row. */
export function csvHeader(columns: readonly string[]): string {
  return "\uFEFF" + columns.join(",") + "\r\n";
}

/** CSV rows (`toCsv`), each ended by CRLF: a file's rows can come a chunk at a time. */
export function csvLines(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
): string {
  const cell = (value: unknown) => {
    if (value === null || value === undefined) return "";
    if (typeof value === "number") return String(value);
    let text = Array.isArray(value) ? value.join("; ") : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return `"${text.replace(/"/g, '""')}"`;
  };
  let lines = "";
  for (const row of rows) lines += columns.map((col) => cell(row[col])).join(",") + "\r\n";
  return lines;
}

function iso(ms: unknown): string | null {
  return typeof ms === "number" ? new Date(ms).toISOString() : null;
}

/** Turns an epoch-ms `at` column into ISO 8601. */
function withIso(row: Record<string, unknown>): Record<string, unknown> {
  return typeof row.at === "number" ? { ...row, at: iso(row.at) } : row;
}
