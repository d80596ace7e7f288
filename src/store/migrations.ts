/**
 * The schema, as migrations embedded in the binary and applied in order at
 * open. `PRAGMA user_version` records how many have run. Never edit a
 * released migration; add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    division TEXT,
    members TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    created_at INTEGER NOT NULL
  ) STRICT;

  -- Every guess, as submitted; a solve is the first correct one.
  CREATE TABLE guesses (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    puzzle TEXT NOT NULL,
    raw TEXT NOT NULL,
    normalized TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('correct', 'incorrect', 'partial')),
    extra_used INTEGER NOT NULL DEFAULT 0,
    at INTEGER NOT NULL
  ) STRICT;
  -- Covering for the boot-time totals and last activity per team (no table lookups).
  CREATE INDEX guesses_by_team_puzzle ON guesses (team_id, puzzle, result, extra_used, at);
  -- For the recent wrong guesses that still count against a guess limit.
  CREATE INDEX guesses_by_time ON guesses (at);

  CREATE TABLE solves (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    puzzle TEXT NOT NULL,
    guess_id INTEGER NOT NULL REFERENCES guesses (id),
    at INTEGER NOT NULL,
    PRIMARY KEY (team_id, puzzle)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE unlocks (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    puzzle TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (team_id, puzzle)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE hint_takes (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    puzzle TEXT NOT NULL,
    hint TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (team_id, puzzle, hint)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE checkins (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    puzzle TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (team_id, puzzle)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE adjustments (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    points INTEGER NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE extra_guesses (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    puzzle TEXT NOT NULL,
    count INTEGER NOT NULL,
    at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    at INTEGER NOT NULL
  ) STRICT;
  `,
  // 2: each team's order of each route's stops (per-team generation, issue 10).
  `
  CREATE TABLE routes (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    route TEXT NOT NULL,
    stops TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (team_id, route)
  ) STRICT, WITHOUT ROWID;
  `,
  // 3: the running hunt's scoring (puzzle points, hint costs), rewritten at every start and
  // reload, so that the final scoreboard can be computed from the database file alone.
  `
  CREATE TABLE hunt_puzzles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    round TEXT NOT NULL,
    points INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE hunt_hints (
    puzzle TEXT NOT NULL,
    hint TEXT NOT NULL,
    cost INTEGER NOT NULL,
    PRIMARY KEY (puzzle, hint)
  ) STRICT, WITHOUT ROWID;
  `,
  // 4: guesses keep no index by team. Each guess of a batch belongs to another team, so that
  // index dirtied a page per guess, which was written to the WAL, synced, and written again at
  // the next checkpoint. Boot reads the guesses in one sequential pass instead (load.ts).
  `
  DROP INDEX guesses_by_team_puzzle;
  `,
  // 5: dynamic points and first-solve bonuses (CTF mode, issue 20), for the same exports.
  `
  ALTER TABLE hunt_puzzles ADD COLUMN dynamic_initial INTEGER;
  ALTER TABLE hunt_puzzles ADD COLUMN dynamic_minimum INTEGER;
  ALTER TABLE hunt_puzzles ADD COLUMN dynamic_decay INTEGER;
  ALTER TABLE hunt_puzzles ADD COLUMN dynamic_function TEXT;
  ALTER TABLE hunt_puzzles ADD COLUMN first_solve_bonus TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE hunt_puzzles ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
  `,
  // 6: the stored answers of keyed requests (Idempotency-Key, issue 18), per team. A key is
  // kept until a day after the hunt's end (a day after it was used, for a hunt with no end).
  `
  CREATE TABLE idempotency_keys (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (team_id, key)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX idempotency_keys_by_time ON idempotency_keys (at);
  `,
  // 7: fair times for actions made offline (issue 18). A guess keeps when it arrived (`at`) and
  // when it counts (`effective_at`, null when the same); a hint take or check-in's `at` is when it
  // counts. `flag` marks one for the organizers: "clamped" or "late".
  `
  ALTER TABLE guesses ADD COLUMN effective_at INTEGER;
  ALTER TABLE guesses ADD COLUMN flag TEXT;
  ALTER TABLE hint_takes ADD COLUMN flag TEXT;
  ALTER TABLE checkins ADD COLUMN flag TEXT;
  `,
  // 8: with `submitters = "one"`, the session that alone submits for each team (issue 18).
  `
  CREATE TABLE submitters (
    team_id INTEGER PRIMARY KEY REFERENCES teams (id),
    token_hash TEXT NOT NULL,
    at INTEGER NOT NULL
  ) STRICT;
  `,
  // 9: missions (issue 21): each submission, its file by content hash (the file itself lives in
  // the folder beside the database, "<db>.files/"), and its verdict. An accepted submission is
  // the mission's solve (at accepted_at, for its points); rejected after that, it is taken back.
  `
  CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    puzzle TEXT NOT NULL,
    submit TEXT NOT NULL CHECK (submit IN ('photo', 'video', 'text')),
    file_hash TEXT,
    file_type TEXT,
    file_size INTEGER NOT NULL DEFAULT 0,
    text TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
    points INTEGER NOT NULL,
    message TEXT,
    at INTEGER NOT NULL,
    accepted_at INTEGER,
    judged_at INTEGER
  ) STRICT;
  `,
  // 10: asks (issue 21): a team's question on an ask hint, and its answer. `cost` is the points it
  // was charged and `token` whether it took a hint token; both are paid back when the ask is
  // refused or withdrawn (closed_at is then when the refund counts).
  `
  CREATE TABLE asks (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    puzzle TEXT NOT NULL,
    hint TEXT NOT NULL,
    question TEXT NOT NULL,
    cost INTEGER NOT NULL,
    token INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'refused', 'withdrawn')),
    answer TEXT,
    at INTEGER NOT NULL,
    closed_at INTEGER
  ) STRICT;
  `,
  // 11: guesses keep no index by time either (issue 16). A batch appended to it as to the table,
  // so each commit wrote its last pages to the WAL too: 7.3 pages a commit of 64 guesses with it,
  // 4.0 without (`bun bench/commit.ts --history 1000000`). Boot finds the recent wrong guesses in
  // its one pass over the guesses (load.ts), and the guesses per minute are counted in memory
  // (minutes.ts). IF EXISTS: a file whose index someone dropped by hand still opens.
  `
  DROP INDEX IF EXISTS guesses_by_time;
  `,
  // 12: a mission submission made offline is flagged for the judges as a guess is ("clamped" or
  // "late"; migration 7), and kept so after a restart.
  `
  ALTER TABLE submissions ADD COLUMN flag TEXT;
  `,
  // 13: a team hidden from the public standings by an organizer (1), or not (0). Its solves count
  // for no one else: exports rank and score without them (export.ts, scoring.ts). A banned team
  // (1) is hidden too, and can no longer log in or play.
  `
  ALTER TABLE teams ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE teams ADD COLUMN banned INTEGER NOT NULL DEFAULT 0;
  `,
];
