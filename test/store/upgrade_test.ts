// Upgrading Cairn: the organizer stops an older build and starts this one on the same database
// file. For every older schema (the first N migrations), a database is written as that version's
// code wrote it, with an event in it, then opened by this version's store and server. Every row
// is kept, and the views (the scoreboard and its freeze, each session's puzzles, the admin's team
// views, the export, guess limits, keyed requests, uploads) are those of the same event written
// at the current schema, and the values the event gives.
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadHunt } from "../../src/hunt/mod.ts";
import { createLogger } from "../../src/log/mod.ts";
import { hashToken } from "../../src/play/mod.ts";
import { type Server, startGame } from "../../src/server/mod.ts";
import {
  type Connection,
  MIGRATIONS,
  openConnection,
  openDatabase,
  SqliteStore,
} from "../../src/store/mod.ts";
import { FakeClock, START } from "../engine/_hunt.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const HUNT = `
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
const PUZZLES = ["alpha", "beta", "crane", "gamma", "selfie", "story", "oracle"];
const ADMIN_TOKEN = "upgrade-admin-token";
/** "correct horse", hashed as every version hashed passwords (argon2id, 19 MiB, t=2). */
const PASSWORD_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$YmZ8Jnl7kSAAEcL2Yxj/7XQVqNDAxhnkzlKz950qGQM$zVsuDhJltLmp63qe3MFBZrUlLBusJHlAupZooiU4shU";
const PHOTO = new TextEncoder().encode("\xff\xd8 a team selfie, as stored");
/** Uploads are stored under their content's SHA-256. */
const PHOTO_HASH = createHash("sha256").update(PHOTO).digest("hex");

/** Seconds into the hunt, as epoch ms. */
const t = (seconds: number) => START + seconds * 1000;
/** The scoreboard froze here; Crabs solved alpha after it. */
const FROZEN_AT = t(240);
const NOW = t(300);

/** The session tokens, by team. */
const TOKENS = {
  Gulls: ["gulls-phone-1", "gulls-phone-2"],
  Crabs: ["crabs-phone"],
  Eels: ["eels"],
};

type Row = Record<string, string | number | null>;

/**
 * The event, as the tables hold it: each table's rows with the columns of the migration that
 * made the table (columns later migrations added keep their defaults). A version without a
 * table never wrote its rows. Keyed requests keep the fingerprints the versions that had them
 * wrote, so that a replay after the upgrade is still recognized.
 */
const EVENT: Record<string, Row[]> = {
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
function tablesAt(version: number): Set<string> {
  const db = openConnection(":memory:");
  for (const sql of MIGRATIONS.slice(0, version)) db.exec(sql);
  const tables = tablesOf(db);
  db.close();
  return tables;
}

/**
 * Writes the event's rows for `tables` into a new database at schema `version`, as that
 * version's server left it (WAL mode, `user_version` set), and its upload beside it.
 */
function writeEvent(dir: string, version: number, tables: Set<string>): string {
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
  db.close();
  if (tables.has("submissions")) {
    mkdirSync(join(dir, "cairn.db.files"));
    writeFileSync(join(dir, "cairn.db.files", PHOTO_HASH), PHOTO);
  }
  return path;
}

/** This version's server on the database in `dir`, opened (and migrated) as `serve` opens it. */
function serve(dir: string): Server & { db: Connection; store: SqliteStore } {
  const db = openDatabase(join(dir, "cairn.db"));
  const store = SqliteStore.over(db, { filesDir: join(dir, "cairn.db.files") });
  const { hunt, problems } = loadHunt(HUNT, { file: "hunt.toml" });
  if (!hunt) throw new Error(problems.map((p) => p.message).join("\n"));
  const server = startGame({
    store,
    hunt,
    reread: () => loadHunt(HUNT, { file: "hunt.toml" }),
    clock: new FakeClock(NOW),
    logger: createLogger({ write: () => {} }),
    adminTokenHash: () => store.meta("admin_token_hash") ?? "",
  });
  return Object.assign(server, { db, store });
}

/** A request to the server's app, answered as status, body and Retry-After. */
async function call(
  server: Server,
  method: string,
  path: string,
  init: { token?: string; body?: unknown; key?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.key !== undefined) headers["idempotency-key"] = init.key;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await server.app.request(`http://localhost${path}`, {
    method,
    headers,
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  return { status: res.status, text, retryAfter: res.headers.get("retry-after") };
}

/** What the server shows of the event, read only. */
async function views(server: Server & { store: SqliteStore }): Promise<Record<string, unknown>> {
  const get = async (path: string, token = ADMIN_TOKEN) => {
    const reply = await call(server, "GET", path, { token });
    return { status: reply.status, body: JSON.parse(reply.text) as unknown };
  };
  const shown: Record<string, unknown> = {
    hunt: await get("/api/hunt"),
    scoreboard: await get("/api/scoreboard"),
    kids: await get("/api/scoreboard?division=kids"),
    teams: await get("/api/admin/teams"),
    guesses: await get("/api/admin/guesses?after=0&limit=100"),
    asks: await get("/api/admin/asks?status=all"),
    export: await get("/api/admin/export?format=json"),
    announcements: server.store.announcements(),
  };
  for (const [name, tokens] of Object.entries(TOKENS)) {
    const id = EVENT.teams!.find((row) => row.name === name)!.id;
    shown[`admin ${name}`] = await get(`/api/admin/teams/${id}`);
    for (const token of tokens) shown[`list ${token}`] = await get("/api/puzzles", token);
    for (const puzzle of PUZZLES) {
      shown[`${puzzle} ${name}`] = await get(`/api/puzzles/${puzzle}`, tokens[0]);
    }
  }
  return shown;
}

/** The frozen board's rows (name, score and solves, as of the freeze) with the event's `tables`. */
function frozenBoard(tables: Set<string>) {
  const missions = tables.has("submissions");
  const asks = tables.has("asks");
  return [
    // alpha 100 + beta 50 - the nudge's 10, and the accepted selfie's 40.
    { name: "Gulls", score: 140 + (missions ? 40 : 0), solves: 2 + (missions ? 1 : 0) },
    // crane 30 + alpha 100, less the ask's 5.
    { name: "Eels", score: 130 - (asks ? 5 : 0), solves: 2 },
    // The adjustment's 25, less the open ask's 5; alpha came after the freeze.
    { name: "Crabs", score: 25 - (asks ? 5 : 0), solves: 0 },
  ];
}

const OLDER = MIGRATIONS.map((_, i) => i + 1).slice(0, -1);

describe("an event written by an older Cairn", () => {
  for (const version of OLDER) {
    test(`at schema ${version} is kept whole, and shown as at schema ${MIGRATIONS.length}`, async () => {
      const tables = tablesAt(version);
      const oldDir = dirs.make(`cairn-upgrade-${version}-`);
      writeEvent(oldDir, version, tables);
      // The same rows, written at the current schema: what the upgraded file must show.
      const newDir = dirs.make(`cairn-upgrade-now-`);
      writeEvent(newDir, MIGRATIONS.length, tables);

      const upgraded = serve(oldDir);
      const reference = serve(newDir);
      try {
        expect(upgraded.db.query("PRAGMA user_version").get()).toEqual({
          user_version: MIGRATIONS.length,
        });
        // Every row is still there, with the values it had.
        for (const [table, rows] of Object.entries(EVENT)) {
          if (!tables.has(table)) continue;
          const kept = upgraded.db.query<Row>(`SELECT * FROM ${table}`).all().map((found) =>
            JSON.stringify(Object.keys(rows[0]!).map((column) => found[column]))
          );
          const lost = rows.filter((row) => !kept.includes(JSON.stringify(Object.values(row))));
          expect({ table, lost }).toEqual({ table, lost: [] });
        }
        expect(await views(upgraded)).toEqual(await views(reference));

        // The values the event gives, for the views compared above.
        const board = JSON.parse((await call(upgraded, "GET", "/api/scoreboard")).text);
        expect(board.frozen).toBe(true);
        expect(board.teams.map(({ name, score, solves }: Row) => ({ name, score, solves })))
          .toEqual(frozenBoard(tables));
        const hunt = JSON.parse((await call(upgraded, "GET", "/api/hunt")).text);
        expect(hunt.starts_at).toBe(new Date(START).toISOString());
        // The teams' latest actions: Gulls' selfie and Eels' ask, where the schema had them.
        const admin = JSON.parse(
          (await call(upgraded, "GET", "/api/admin/teams", { token: ADMIN_TOKEN })).text,
        );
        expect(admin.teams.map((row: Row) => [row.name, row.last_activity_at])).toEqual([
          ["Gulls", new Date(tables.has("submissions") ? t(210) : t(200)).toISOString()],
          ["Crabs", new Date(t(260)).toISOString()],
          ["Eels", new Date(tables.has("asks") ? t(230) : t(190)).toISOString()],
        ]);
        for (const token of Object.values(TOKENS).flat()) {
          expect((await call(upgraded, "GET", "/api/puzzles", { token })).status).toBe(200);
        }
        if (tables.has("submissions")) {
          const file = await upgraded.app.request("http://localhost/api/submissions/1/file", {
            headers: { authorization: "Bearer gulls-phone-1" },
          });
          expect(new Uint8Array(await file.arrayBuffer())).toEqual(PHOTO);
        }
        await expectWritesAfter(upgraded, tables);
      } finally {
        upgraded.close();
        reference.close();
      }
    });
  }
});

/** What the upgraded server still holds against new writes: guess limits, keys, logins. */
async function expectWritesAfter(server: Server, tables: Set<string>): Promise<void> {
  // Crabs' three wrong guesses on gamma (at 120, 130 and 170 s: the limit's 2 an hour, then the
  // extra one granted) still count: it may guess again once only one is left in the last hour,
  // when the one at 130 s is an hour old.
  const limited = await call(server, "POST", "/api/puzzles/gamma/guesses", {
    token: "crabs-phone",
    body: { answer: "theta" },
  });
  expect([limited.status, limited.retryAfter]).toEqual([429, String(3600 + 130 - 300)]);
  if (tables.has("idempotency_keys")) {
    const replays: [string, string, string, unknown][] = [
      ["eels", "key-guess", "/api/puzzles/alpha/guesses", { answer: "polaris" }],
      ["crabs-phone", "key-hint", "/api/puzzles/gamma/hints/free", undefined],
      ["gulls-phone-1", "key-checkin", "/api/checkins", { code: "crane-7f3a" }],
    ];
    for (const [token, key, path, body] of replays) {
      const stored = String(EVENT.idempotency_keys!.find((row) => row.key === key)!.body);
      const replay = await call(server, "POST", path, { token, key, body });
      expect({ status: replay.status, body: replay.text }).toEqual({
        status: 200,
        body: stored,
      });
    }
    const other = await call(server, "POST", "/api/puzzles/alpha/guesses", {
      token: "eels",
      key: "key-guess",
      body: { answer: "vega" },
    });
    expect(other.status).toBe(422);
  }
  const login = await call(server, "POST", "/api/session", {
    body: { name: "gulls", password: "correct horse" },
  });
  expect(login.status).toBe(200);
}
