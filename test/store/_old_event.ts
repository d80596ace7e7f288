// An event as an older Cairn left it in its database: the tables of the first N migrations, with
// the rows that version's code wrote. test/store/upgrade_test.ts opens it with this version's
// server; the CLI tests run this version's commands on it.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashToken } from "../../src/play/mod.ts";
import { type Connection, MIGRATIONS, openConnection } from "../../src/store/mod.ts";
import { START } from "../engine/_hunt.ts";

/** Every older schema: the first N migrations, for N below the current count. */
export const OLDER = MIGRATIONS.map((_, i) => i + 1).slice(0, -1);

export const HUNT = `
[hunt]
title = "Upgrade Hunt"
divisions = ["kids", "adults"]

[[puzzle]]
id = "alpha"
title = "Alpha"
round = "r1"
points = 100
answer = ["polaris"]
partial = [{ answer = "star", message = "Which star?" }]
guess_limit = { count = 5, per = "10m" }

[[puzzle.hint]]
id = "nudge"
text = "Look up at night."
cost = 10

[[puzzle]]
id = "beta"
title = "Beta"
round = "r1"
points = 50
unlock = 'solved("alpha")'
answer = ["anchor"]

[[puzzle]]
id = "crane"
title = "The Crane"
points = 30
checkpoint = { code = "crane-7f3a" }
unlock = 'checked_in("crane")'
answer = ["hook"]

[[puzzle]]
id = "gamma"
title = "Gamma"
points = 70
answer = ["gamma"]
guess_limit = { count = 2, per = "1h" }

[[puzzle.hint]]
id = "free"
text = "It is a Greek letter."

[[puzzle]]
id = "selfie"
title = "Team selfie"
points = 40
submit = "photo"

[[puzzle]]
id = "story"
title = "A story"
points = 20
submit = "text"

[[puzzle]]
id = "oracle"
title = "Oracle"
points = 60
answer = ["oracle"]

[[puzzle.hint]]
id = "ask"
kind = "ask"
text = "Ask us anything."
cost = 5
`;
export const PUZZLES = ["alpha", "beta", "crane", "gamma", "selfie", "story", "oracle"];
export const ADMIN_TOKEN = "upgrade-admin-token";
/** "correct horse", hashed as every version hashed passwords (argon2id, 19 MiB, t=2). */
const PASSWORD_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$YmZ8Jnl7kSAAEcL2Yxj/7XQVqNDAxhnkzlKz950qGQM$zVsuDhJltLmp63qe3MFBZrUlLBusJHlAupZooiU4shU";
export const PHOTO = new TextEncoder().encode("\xff\xd8 a team selfie, as stored");
/** Uploads are stored under their content's SHA-256. */
export const PHOTO_HASH = createHash("sha256").update(PHOTO).digest("hex");

/** Seconds into the hunt, as epoch ms. */
export const t = (seconds: number) => START + seconds * 1000;
/** The scoreboard froze here; Crabs solved alpha after it. */
export const FROZEN_AT = t(240);
export const NOW = t(300);

/** The session tokens, by team. */
export const TOKENS = {
  Gulls: ["gulls-phone-1", "gulls-phone-2"],
  Crabs: ["crabs-phone"],
  Eels: ["eels"],
};

export type Row = Record<string, string | number | null>;

/**
 * The event, as the tables hold it: each table's rows with the columns of the migration that
 * made the table (columns later migrations added keep their defaults). A version without a
 * table never wrote its rows. Keyed requests keep the fingerprints the versions that had them
 * wrote, so that a replay after the upgrade is still recognized.
 */
export const EVENT: Record<string, Row[]> = {
  meta: [
    { key: "hunt_started_at", value: String(START) },
    { key: "admin_token_hash", value: hashToken(ADMIN_TOKEN) },
    { key: "scoreboard_frozen_at", value: String(FROZEN_AT) },
    { key: "scoreboard_revealed_at", value: "" },
  ],
  teams: [
    team(1, "Gulls", "adults", ["Ann", "Bob"], t(10)),
    team(2, "Crabs", "kids", [], t(20)),
    team(3, "Eels", null, [], t(30)),
  ],
  sessions: [
    { token_hash: hashToken("gulls-phone-1"), team_id: 1, created_at: t(10) },
    { token_hash: hashToken("gulls-phone-2"), team_id: 1, created_at: t(40) },
    { token_hash: hashToken("crabs-phone"), team_id: 2, created_at: t(20) },
    { token_hash: hashToken("eels"), team_id: 3, created_at: t(30) },
  ],
  guesses: [
    guess(1, 1, "alpha", "sirius", "incorrect", t(60)),
    guess(2, 1, "alpha", "vega", "incorrect", t(70)),
    guess(3, 1, "alpha", "star", "partial", t(80)),
    guess(4, 1, "alpha", "Polaris!", "correct", t(100)),
    guess(5, 1, "beta", "anchor", "correct", t(110)),
    guess(6, 2, "gamma", "delta", "incorrect", t(120)),
    guess(7, 2, "gamma", "epsilon", "incorrect", t(130)),
    guess(8, 3, "crane", "hook", "correct", t(150)),
    // Past gamma's limit, on the extra guess granted at 160 s.
    { ...guess(9, 2, "gamma", "eta", "incorrect", t(170)), extra_used: 1 },
    guess(10, 3, "alpha", "polaris", "correct", t(190)),
    guess(11, 2, "alpha", "polaris", "correct", t(260)),
  ],
  solves: [
    { team_id: 1, puzzle: "alpha", guess_id: 4, at: t(100) },
    { team_id: 1, puzzle: "beta", guess_id: 5, at: t(110) },
    { team_id: 3, puzzle: "crane", guess_id: 8, at: t(150) },
    { team_id: 3, puzzle: "alpha", guess_id: 10, at: t(190) },
    { team_id: 2, puzzle: "alpha", guess_id: 11, at: t(260) },
  ],
  unlocks: [
    ...[1, 2, 3].flatMap((team) =>
      ["alpha", "gamma", "selfie", "story", "oracle"].map((puzzle) => ({
        team_id: team,
        puzzle,
        at: t(team * 10),
      }))
    ),
    { team_id: 1, puzzle: "beta", at: t(100) },
    { team_id: 3, puzzle: "crane", at: t(140) },
    { team_id: 3, puzzle: "beta", at: t(190) },
    { team_id: 1, puzzle: "crane", at: t(200) },
    { team_id: 2, puzzle: "beta", at: t(260) },
  ],
  hint_takes: [
    { team_id: 1, puzzle: "alpha", hint: "nudge", at: t(90) },
    { team_id: 3, puzzle: "gamma", hint: "free", at: t(155) },
    { team_id: 2, puzzle: "gamma", hint: "free", at: t(195) },
  ],
  checkins: [
    { team_id: 3, puzzle: "crane", at: t(140) },
    { team_id: 1, puzzle: "crane", at: t(200) },
  ],
  adjustments: [{ id: 1, team_id: 2, points: 25, reason: "Helped clean up", at: t(165) }],
  extra_guesses: [{ id: 1, team_id: 2, puzzle: "gamma", count: 1, at: t(160) }],
  announcements: [{ id: 1, text: "Welcome to the upgrade hunt", at: t(50) }],
  // The running hunt's scoring, which a server records at every start (for `cairn export`).
  hunt_puzzles: [
    { id: "alpha", title: "Alpha", round: "r1", points: 100 },
    { id: "beta", title: "Beta", round: "r1", points: 50 },
    { id: "crane", title: "The Crane", round: "main", points: 30 },
    { id: "gamma", title: "Gamma", round: "main", points: 70 },
    { id: "selfie", title: "Team selfie", round: "main", points: 40 },
    { id: "story", title: "A story", round: "main", points: 20 },
    { id: "oracle", title: "Oracle", round: "main", points: 60 },
  ],
  hunt_hints: [
    { puzzle: "alpha", hint: "nudge", cost: 10 },
    { puzzle: "gamma", hint: "free", cost: 0 },
    { puzzle: "oracle", hint: "ask", cost: 5 },
  ],
  idempotency_keys: [
    keyed(3, "key-guess", "2A0nRVyIglR6FfRVVsGDpuLDrFSLC122rKEWCOtwhGU", t(190), {
      result: "correct",
      unlocked: ["beta"],
    }),
    keyed(2, "key-hint", "29L_ngdaudDpxEmbNDY_NHknuDMBa6Q-8boTYjXO4Ps", t(195), {
      hint: { id: "free", text: "It is a Greek letter.", cost: 0 },
    }),
    keyed(1, "key-checkin", "cSzvq3U3R5umcge6XUOUnVdBHntpj-RrB-UACHyazJY", t(200), {
      puzzle: "crane",
      unlocked: ["crane"],
    }),
  ],
  submissions: [
    {
      id: 1,
      team_id: 1,
      puzzle: "selfie",
      submit: "photo",
      file_hash: PHOTO_HASH,
      file_type: "image/jpeg",
      file_size: PHOTO.length,
      text: null,
      status: "accepted",
      points: 40,
      message: null,
      at: t(210),
      accepted_at: t(215),
      judged_at: t(215),
    },
    {
      id: 2,
      team_id: 2,
      puzzle: "story",
      submit: "text",
      file_hash: null,
      file_type: null,
      file_size: 0,
      text: "Once upon a time",
      status: "pending",
      points: 20,
      message: null,
      at: t(220),
      accepted_at: null,
      judged_at: null,
    },
  ],
  asks: [
    ask(1, 3, "Is it Delphi?", "answered", "Think about it.", t(230), t(232)),
    ask(2, 2, "Second?", "open", null, t(235), null),
  ],
};

function team(id: number, name: string, division: string | null, members: string[], at: number) {
  return {
    id,
    name,
    name_key: name.toLowerCase(),
    password_hash: PASSWORD_HASH,
    division,
    members: JSON.stringify(members),
    created_at: at,
  };
}

function guess(
  id: number,
  teamId: number,
  puzzle: string,
  raw: string,
  result: string,
  at: number,
) {
  const normalized = raw.toUpperCase().replace(/[^A-Z]/g, "");
  return { id, team_id: teamId, puzzle, raw, normalized, result, extra_used: 0, at };
}

function keyed(teamId: number, key: string, fingerprint: string, at: number, body: unknown) {
  return { team_id: teamId, key, fingerprint, status: 200, body: JSON.stringify(body), at };
}

function ask(
  id: number,
  teamId: number,
  question: string,
  status: string,
  answer: string | null,
  at: number,
  closedAt: number | null,
) {
  return {
    id,
    team_id: teamId,
    puzzle: "oracle",
    hint: "ask",
    question,
    cost: 5,
    token: 0,
    status,
    answer,
    at,
    closed_at: closedAt,
  };
}

/** The tables a database has. */
function tablesOf(db: Connection): Set<string> {
  const rows = db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'");
  return new Set(rows.all().map((row) => row.name));
}

/** The tables of the first `version` migrations. */
export function tablesAt(version: number): Set<string> {
  const db = openConnection(":memory:");
  for (const sql of MIGRATIONS.slice(0, version)) db.exec(sql);
  const tables = tablesOf(db);
  db.close(true);
  return tables;
}

/**
 * Writes the event's rows for `tables` into a new database at schema `version`, as that
 * version's server left it (WAL mode, `user_version` set), and its upload beside it.
 */
export function writeEvent(dir: string, version: number, tables: Set<string>): string {
  const path = join(dir, "cairn.db");
  const db = openConnection(path);
  db.exec("PRAGMA journal_mode = WAL");
  for (const sql of MIGRATIONS.slice(0, version)) db.exec(sql);
  db.exec(`PRAGMA user_version = ${version}`);
  for (const [table, rows] of Object.entries(EVENT)) {
    if (!tables.has(table)) continue;
    const columns = db.query<{ name: string }>(`PRAGMA table_info(${table})`).all()
      .map((column) => column.name);
    for (const row of rows) {
      const names = Object.keys(row);
      const missing = names.filter((name) => !columns.includes(name));
      if (missing.length > 0) throw new Error(`${table} has no ${missing} at schema ${version}`);
      db.prepare(`INSERT INTO ${table} (${names}) VALUES (${names.map(() => "?")})`)
        .run(...Object.values(row));
    }
  }
  db.close(true);
  if (tables.has("submissions")) {
    mkdirSync(join(dir, "cairn.db.files"));
    writeFileSync(join(dir, "cairn.db.files", PHOTO_HASH), PHOTO);
  }
  return path;
}
