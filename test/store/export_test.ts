import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  backupDatabase,
  openConnection,
  openDatabase,
  openForReading,
  readResults,
  RESULT_COLUMNS,
  toCsv,
} from "../../src/store/mod.ts";
import { MINUTE } from "../engine/_hunt.ts";
import { HUNT_TOML } from "../engine/_hunt.ts";
import { makeApp } from "../http/_app.ts";
import { tempDirs } from "../_tmp.ts";
import { safeName, teamFolders } from "../../src/store/files.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** The engine's own ranking, in the export's shape. */
function engineBoard(made: ReturnType<typeof makeApp>) {
  return made.game.engine.standings().map((row) => ({
    rank: row.rank,
    team: row.team.id,
    name: row.team.name,
    division: row.team.division,
    score: row.score,
    solves: row.solves,
    last_solve_at: row.lastSolveAt === null ? null : new Date(row.lastSolveAt).toISOString(),
  }));
}

describe("readResults()", () => {
  test("ranks from the database alone exactly as the engine ranks, before and after a reload", async () => {
    const made = makeApp();
    const { register, call, admin, clock, db } = made;
    const names = ["Early", "Tied", "Hinted", "Adjusted", "Idle", "Zero"];
    const tokens: Record<string, string> = {};
    for (const name of names) tokens[name] = await register(name);
    const guess = (team: string, puzzle: string, answer: string) =>
      call("POST", `/api/puzzles/${puzzle}/guesses`, { token: tokens[team]!, body: { answer } });

    // Equal scores rank by who reached them first, not by registration: Adjusted (4th to
    // register) gets to 10 first, then Tied (2nd), then Early (1st).
    clock.advance(MINUTE);
    await guess("Adjusted", "b", "bravo");
    expect(
      (await admin("POST", "/api/admin/adjustments", { team: 4, points: -10, reason: "r" }))
        .status,
    ).toBe(201);
    clock.advance(MINUTE);
    await guess("Tied", "a", "alpha");
    clock.advance(MINUTE);
    await guess("Early", "a", "alpha");
    await guess("Hinted", "a", "wrong");
    await guess("Hinted", "a", "still wrong");
    // A hint that costs nothing changes no score; one that costs 4 does.
    expect((await call("POST", "/api/puzzles/a/hints/free", { token: tokens.Hinted! })).status)
      .toBe(200);
    expect((await call("POST", "/api/puzzles/a/hints/late", { token: tokens.Hinted! })).status)
      .toBe(200);
    await guess("Hinted", "a", "alpha");
    // A puzzle worth 0 points is a solve, but not a score change.
    await guess("Hinted", "after-a", "x");
    expect(
      (await admin("POST", "/api/admin/adjustments", { team: 6, points: 0, reason: "r" }))
        .status,
    ).toBe(201);

    const board = readResults(db).scoreboard;
    expect(board).toEqual(engineBoard(made));
    expect(board.map((row) => [row.name, row.score, row.solves])).toEqual([
      ["Adjusted", 10, 1],
      ["Tied", 10, 1],
      ["Early", 10, 1],
      ["Hinted", 6, 2],
      ["Idle", 0, 0],
      ["Zero", 0, 0],
    ]);

    // New points and a new hint cost: the database's record of the hunt follows the reload.
    made.setToml(HUNT_TOML.replace("points = 10", "points = 30").replace("cost = 4", "cost = 25"));
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    const reloaded = readResults(db).scoreboard;
    expect(reloaded).toEqual(engineBoard(made));
    expect(reloaded.map((row) => [row.name, row.score])).toEqual([
      ["Tied", 30],
      ["Early", 30],
      ["Adjusted", 10],
      ["Hinted", 5],
      ["Idle", 0],
      ["Zero", 0],
    ]);
  });

  test("gives teams with their members as a list, and solves and guesses in order", async () => {
    const { register, call, db } = makeApp();
    const token = await register("Gulls", { members: ["Ann", "Bo"], division: "kids" });
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "nope" } });
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const results = readResults(db);
    expect(Object.keys(results)).toEqual([
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
    ]);
    expect(results.teams).toEqual([{
      id: 1,
      name: "Gulls",
      division: "kids",
      members: ["Ann", "Bo"],
      created_at: "2026-11-21T10:00:00.000Z",
      hidden: false,
      banned: false,
    }]);
    expect(results.solves).toEqual([
      { team: 1, team_name: "Gulls", puzzle: "a", guess_id: 2, at: "2026-11-21T10:00:00.000Z" },
    ]);
    expect(results.guesses.map((g) => [g.id, g.result])).toEqual([[1, "incorrect"], [
      2,
      "correct",
    ]]);
    expect(toCsv(results.teams, RESULT_COLUMNS.teams)).toBe(
      '\uFEFFid,name,division,members,created_at,hidden,banned\r\n1,"Gulls","kids","Ann; Bo","2026-11-21T10:00:00.000Z","false","false"\r\n',
    );
  });
});

describe("toCsv()", () => {
  test("writes the header of an empty table", () => {
    expect(toCsv([], RESULT_COLUMNS.solves)).toBe("\uFEFFteam,team_name,puzzle,guess_id,at\r\n");
  });
});

describe("openForReading()", () => {
  const dir = dirs.make("cairn-read-");
  const cases: [string, () => string, string][] = [
    ["a missing file", () => join(dir, "missing.db"), "there is no database at "],
    ["a file that is not SQLite", () => {
      const path = join(dir, "text.db");
      writeFileSync(path, "hello, this is not a database at all; ".repeat(40));
      return path;
    }, " is not a Cairn database"],
    ["an SQLite file that is not Cairn's", () => {
      const path = join(dir, "other.db");
      openConnection(path).exec("CREATE TABLE t (x)");
      return path;
    }, " is not a Cairn database"],
    ["a database from a newer Cairn", () => {
      const path = join(dir, "newer.db");
      const db = openDatabase(path);
      db.exec("PRAGMA user_version = 999");
      db.close();
      return path;
    }, "The database was written by a newer Cairn (schema 999;"],
  ];
  for (const [what, make, message] of cases) {
    test(`refuses ${what} with one line`, () => {
      const path = make();
      expect(() => openForReading(path)).toThrow(message);
    });
  }

  test("never writes, and leaves no -wal or -shm file behind on a stopped server's database", async () => {
    const path = join(dir, "ok.db");
    openDatabase(path).close();
    const db = openForReading(path);
    expect(() => db.exec("DELETE FROM teams")).toThrow("attempt to write a readonly database");
    readResults(db);
    await backupDatabase(db, join(dir, "ok-copy.db"));
    db.close();
    // Files left by root beside a stopped service would belong to root, not to the service.
    expect(readdirSync(dir).filter((name) => name.startsWith("ok.db"))).toEqual(["ok.db"]);
  });
});

describe("a team's folder for its exported files", () => {
  test("safeName keeps a name a file system takes, and mends the rest", () => {
    const cases: [string, string][] = [
      ["Gulls", "Gulls"],
      ["Les Goélands 🐦", "Les Goélands 🐦"],
      ["a/b\\c", "a_b_c"],
      ['Why? "Because": <yes> | no*', "Why_ _Because__ _yes_ _ no_"],
      ["tab\there\u0000", "tab_here_"],
      ["  dots and spaces. . ", "dots and spaces"],
      ["..", "team 7"],
      // Not hidden, as a name starting with a dot is in Finder and ls.
      [".Gulls", "_Gulls"],
      ["../Terns", "__Terns"],
      [".", "team 7"],
      ["   ", "team 7"],
      ["CON", "CON_"],
      ["nul.txt", "nul.txt_"],
      ["Console", "Console"],
      // Composed, as macOS would otherwise show one name two ways.
      ["Cafe\u0301", "Caf\u00e9"],
    ];
    for (const [name, folder] of cases) {
      expect({ name, folder: safeName(name, "team 7") }).toEqual({ name, folder });
    }
    // At most 120 bytes of UTF-8, cut between characters.
    const long = safeName("é".repeat(100), "x");
    expect(long).toBe("é".repeat(60));
    const emoji = safeName("🐦".repeat(40), "x");
    expect(emoji).toBe("🐦".repeat(30));
  });

  test("teamFolders gives teams whose folders would be one, ignoring case, their ids too", () => {
    const folders = teamFolders([
      { id: 1, name: "Gulls" },
      { id: 2, name: "gulls?" },
      { id: 3, name: "gulls*" },
      { id: 4, name: "Terns" },
      { id: 5, name: "" },
    ]);
    expect(Object.fromEntries(folders)).toEqual({
      1: "Gulls",
      2: "gulls_ (team 2)",
      3: "gulls_ (team 3)",
      4: "Terns",
      5: "team 5",
    });
  });

  test("teamFolders never gives two teams one folder, nor a team the zip's MISSING.txt", () => {
    const folders = teamFolders([
      { id: 2, name: "Gulls?" },
      { id: 3, name: "Gulls*" },
      // Its own name is the folder the second of the two above is given.
      { id: 4, name: "Gulls_ (team 3)" },
      // Cairn tells these names apart (teamNameKey); macOS and Windows do not.
      { id: 5, name: "ΟΔΟΣ" },
      { id: 6, name: "οδοσ" },
      { id: 7, name: "missing.TXT" },
    ]);
    expect(Object.fromEntries(folders)).toEqual({
      2: "Gulls_ (team 2)",
      3: "Gulls_ (team 3, 2)",
      4: "Gulls_ (team 3)",
      5: "ΟΔΟΣ (team 5)",
      6: "οδοσ (team 6)",
      7: "missing.TXT (team 7)",
    });
    const keys = [...folders.values()].map((folder) => folder.toUpperCase());
    expect(new Set(keys).size).toBe(keys.length);
  });
});
