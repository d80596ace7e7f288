import { type Connection, scanRows } from "./driver.ts";
import type { Snapshot } from "../engine/mod.ts";
import type { GuessMinutes } from "./minutes.ts";

/** Guesses to count per minute as boot reads them: those whose id is at most `through`. */
export interface MinutesToCount {
  through: number;
  into: GuessMinutes;
}

/**
 * Reads back everything the engine needs at boot. Guesses are the bulk: they
 * are read once, in table order, and aggregated here (totals per team and
 * puzzle, each team's latest action, the recent wrong guesses that can still count
 * against a guess limit, and with `minutes` the guesses per minute), since
 * the guesses keep no index for SQL to do it cheaply (migrations 4 and 11).
 */
export function loadSnapshot(
  db: Connection,
  options: { now: number; longestWindowMs: number; minutes?: MinutesToCount },
): Snapshot {
  const all = <T>(sql: string, ...params: (string | number)[]) => db.query<T>(sql).all(...params);
  const max = (table: string) =>
    db.query<{ id: number | null }>(`SELECT max(id) AS id FROM ${table}`).get()?.id ?? 0;

  // The million rows first, while the heap is small. On Deno, once the snapshot's other rows were
  // alive, V8 let the pass's dead rows pile up in its old space: `serve` on 1M guesses held 527 MB
  // of RSS after boot, and 305 MB with the pass first (Bun, 131 MB, was unaffected).
  const guesses = guessAggregates(db, options.now - options.longestWindowMs, options.minutes);
  const teams = all<{
    id: number;
    name: string;
    division: string | null;
    members: string;
    createdAt: number;
    hidden: number;
    banned: number;
  }>(
    `SELECT id, name, division, members, created_at AS createdAt, hidden, banned FROM teams
     ORDER BY id`,
  ).map((row) => ({
    ...row,
    members: JSON.parse(row.members) as string[],
    hidden: row.hidden === 1,
    banned: row.banned === 1,
  }));

  return {
    teams,
    // Often the largest table after the guesses (a row per team and puzzle open to it).
    unlocks: [
      ...scanRows<Snapshot["unlocks"][number]>(db, {
        select: "SELECT team_id AS teamId, puzzle, at FROM unlocks",
        key: ["team_id", "puzzle"],
      }),
    ],
    // Solve order decides first-solve bonuses when two solves share a millisecond.
    solves: all("SELECT team_id AS teamId, puzzle, at FROM solves ORDER BY at, guess_id"),
    checkins: all("SELECT team_id AS teamId, puzzle, at FROM checkins"),
    routes: all<{ teamId: number; route: string; stops: string }>(
      "SELECT team_id AS teamId, route, stops FROM routes",
    ).map((row) => ({ ...row, stops: JSON.parse(row.stops) as string[] })),
    hints: all("SELECT team_id AS teamId, puzzle, hint, at FROM hint_takes"),
    adjustments: all("SELECT team_id AS teamId, points, at FROM adjustments ORDER BY id"),
    submissions: readSubmissions(db),
    asks: readAsks(db),
    ...guesses,
    lastGuessId: max("guesses"),
    lastAdjustmentId: max("adjustments"),
    lastAnnouncementId: max("announcements"),
  };
}

type GuessAggregates = Pick<Snapshot, "guessTotals" | "recentWrong" | "lastActivity">;

/**
 * One sequential pass over the guesses: per team and puzzle, the wrong guesses
 * and the extra guesses used; per team, its latest action (its latest guess,
 * hint take, check-in, mission submission or ask); the wrong guesses after
 * `recentAfter`, in table order (the engine sorts each team's, as it restores
 * them); and the guesses per minute into `minutes`. Extra guesses granted come
 * from their own small table.
 */
function guessAggregates(
  db: Connection,
  recentAfter: number,
  minutes: MinutesToCount | undefined,
): GuessAggregates {
  // Totals are kept by a numeric key (team id × 65,536 + the puzzle's number): no string per row.
  const puzzleNumbers = new Map<string, number>();
  const puzzleNames: string[] = [];
  const totals = new Map<number, { wrong: number; granted: number; extraUsed: number }>();
  const total = (teamId: number, puzzle: string) => {
    let n = puzzleNumbers.get(puzzle);
    if (n === undefined) {
      n = puzzleNames.push(puzzle) - 1;
      puzzleNumbers.set(puzzle, n);
    }
    const key = teamId * 65_536 + n;
    let row = totals.get(key);
    if (row === undefined) totals.set(key, row = { wrong: 0, granted: 0, extraUsed: 0 });
    return row;
  };
  const latest = new Map<number, number>();
  const later = (teamId: number, at: number) => {
    if (at > (latest.get(teamId) ?? -Infinity)) latest.set(teamId, at);
  };
  const recentWrong: GuessAggregates["recentWrong"] = [];
  const guesses = scanRows<
    { id: number; teamId: number; puzzle: string; correct: number; extraUsed: number; at: number }
  >(
    db,
    {
      select: `SELECT id, team_id AS teamId, puzzle, result = 'correct' AS correct,
         extra_used AS extraUsed, at FROM guesses`,
      key: ["id"],
    },
  );
  // Not as one array: a million rows at once would cost more in allocation than in reading.
  for (const guess of guesses) {
    later(guess.teamId, guess.at);
    if (minutes !== undefined && guess.id <= minutes.through) {
      minutes.into.count(guess.at, guess.correct === 1);
    }
    if (guess.correct === 1 && guess.extraUsed === 0) continue;
    const row = total(guess.teamId, guess.puzzle);
    if (guess.correct === 0) {
      row.wrong++;
      if (guess.at > recentAfter) {
        recentWrong.push({ teamId: guess.teamId, puzzle: guess.puzzle, at: guess.at });
      }
    }
    row.extraUsed += guess.extraUsed;
  }
  const granted = db.query<{ teamId: number; puzzle: string; count: number }>(
    "SELECT team_id AS teamId, puzzle, sum(count) AS count FROM extra_guesses GROUP BY team_id, puzzle",
  );
  for (const row of granted.all()) total(row.teamId, row.puzzle).granted += row.count;
  // Every action a team makes counts as its activity, as the engine counts it live.
  const others = db.query<{ teamId: number; at: number }>(
    `SELECT team_id AS teamId, max(at) AS at FROM hint_takes GROUP BY team_id
     UNION ALL SELECT team_id, max(at) FROM checkins GROUP BY team_id
     UNION ALL SELECT team_id, max(at) FROM submissions GROUP BY team_id
     UNION ALL SELECT team_id, max(at) FROM asks GROUP BY team_id`,
  );
  for (const row of others.all()) later(row.teamId, row.at);

  return {
    guessTotals: [...totals].map(([key, row]) => ({
      teamId: Math.floor(key / 65_536),
      puzzle: puzzleNames[key % 65_536]!,
      ...row,
    })),
    recentWrong,
    lastActivity: [...latest].map(([teamId, at]) => ({ teamId, at })),
  };
}

/** Every submission, oldest first, as the engine keeps them. */
export function readSubmissions(db: Connection): Snapshot["submissions"] {
  type Row = Omit<Snapshot["submissions"][number], "file"> & {
    fileHash: string | null;
    fileType: string | null;
    fileSize: number;
  };
  return db.query<Row>(
    `SELECT id, team_id AS teamId, puzzle, submit, file_hash AS fileHash, file_type AS fileType,
       file_size AS fileSize, text, status, points, message, at, accepted_at AS acceptedAt,
       judged_at AS judgedAt, flag FROM submissions ORDER BY id`,
  ).all().map(({ fileHash, fileType, fileSize, ...row }) => ({
    ...row,
    file: fileHash === null ? null : { hash: fileHash, type: fileType ?? "", size: fileSize },
  }));
}

/** Every ask, oldest first, as the engine keeps them. */
export function readAsks(db: Connection): Snapshot["asks"] {
  type Row = Omit<Snapshot["asks"][number], "token"> & { token: number };
  return db.query<Row>(
    `SELECT id, team_id AS teamId, puzzle, hint, question, cost, token, status, answer, at,
       closed_at AS closedAt FROM asks ORDER BY id`,
  ).all().map((row) => ({ ...row, token: row.token === 1 }));
}
