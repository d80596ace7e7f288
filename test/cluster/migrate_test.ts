// `cairn migrate --from FILE --to postgres://…`: an SQLite event moved into an
// empty PostgreSQL log gives back every row of every table, the same engine
// state, and the same export; a database that holds an event is refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import type { Engine, Write } from "../../src/engine/mod.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { bootEngine } from "../../src/server/boot.ts";
import { type Connection, MIGRATIONS, openForReading, SqliteStore } from "../../src/store/mod.ts";
import { LOG_FORMAT } from "../../src/store/log_format.ts";
import { PgStore, redactUrl } from "../../src/store/pg.ts";
import { FakeClock, HUNT_TOML, MINUTE, START } from "../engine/_hunt.ts";
import { fakeIo } from "../_io.ts";
import { type Pg, startPg } from "../_pg.ts";
import { tablesAt, writeEvent } from "../store/_old_event.ts";

const TOML = HUNT_TOML + `
[[puzzle]]
id = "statue"
title = "Statue"
round = "r2"
points = 30
submit = "photo"

[[puzzle]]
id = "song"
title = "Song"
round = "r2"
points = 20
submit = "text"
judge = "auto"

[[puzzle]]
id = "tower"
title = "Tower"
round = "r2"
points = 15
answer = ["tower"]

[[puzzle.hint]]
id = "ask"
kind = "ask"
cost = 3
`;

let pg: Pg;
let dir: string;
const file = () => join(dir, "event.db");
/** Where the event's server kept its uploads: a --files folder, not the one beside the file. */
const uploads = () => join(dir, "uploads");
const UPLOAD = "ab".repeat(32);
/** `migrate --from` the event, naming its uploads folder. */
const from = () => ["--from", file(), "--from-files", uploads()];

/**
 * Every row of every table the log carries (the hunt's scoring is each node's own, and the log's
 * format the log's own).
 */
function tables(db: Connection): Record<string, unknown[]> {
  const names = db.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'hunt_%' ORDER BY name",
  ).all().map((row) => row.name);
  const out: Record<string, unknown[]> = {};
  for (const name of names) {
    const rows = db.query<Record<string, unknown>>(`SELECT * FROM ${name}`).all();
    const filtered = name === "meta"
      ? rows.filter((row) =>
        !["hunt_title", "hunt_scoring", "log_format"].includes(String(row.key))
      )
      : rows;
    out[name] = filtered.map((row) => JSON.stringify(row)).sort();
  }
  return out;
}

function view(engine: Engine) {
  return [...engine.teams.values()].map((team) => ({
    name: team.name,
    hidden: team.hidden,
    banned: team.banned,
    score: engine.score(team),
    unlocked: [...team.state.unlockedAt],
    solved: [...team.solvedAt],
    hints: [...team.hints].sort(),
    counts: [...team.state.counts],
  }));
}

beforeAll(async () => {
  pg = await startPg();
  dir = mkdtempSync(join(tmpdir(), "cairn-migrate-"));
  // An event played on one box: teams, right and wrong guesses, hints, check-ins,
  // adjustments, announcements, judged and automatic missions, asks, sessions and keys.
  const { hunt } = loadHunt(TOML, { file: "hunt.toml" });
  const clock = new FakeClock(START + MINUTE);
  const opened = SqliteStore.open(file());
  if (opened.kind !== "ok") throw new Error("locked");
  const store = opened.store;
  store.saveScoring(hunt!);
  const { engine, writes: bootWrites } = bootEngine(store, hunt!, clock);
  await store.commit(bootWrites);
  const commit = (writes: readonly Write[]) => store.commit(writes);
  const teams = [];
  for (let i = 1; i <= 6; i++) {
    const r = engine.register({
      name: `Team ${i}`,
      passwordHash: `hash-${i}`,
      division: i % 2 ? "kids" : "adults",
    });
    if (r.kind !== "ok") throw new Error("register");
    await commit([...r.writes, {
      kind: "session",
      tokenHash: `token-${i}`,
      teamId: r.team.id,
      at: clock.now(),
    }]);
    teams.push(r.team);
  }
  // An organizer renamed a team and set its password: the rows hold the new ones, and so does the log.
  const renamed = engine.renameTeam(teams[5]!, "Harbor Seals");
  if (renamed.kind !== "ok") throw new Error("rename");
  await commit([...renamed.writes, {
    kind: "password",
    teamId: teams[5]!.id,
    passwordHash: "new",
  }]);
  // And hid another from the standings, and banned a third (hidden too): so from the start in the
  // log, before their solves.
  await commit(engine.hideTeam(teams[4]!, true).writes);
  await commit(engine.banTeam(teams[3]!, true).writes);
  for (const [n, team] of teams.entries()) {
    clock.advance(37_000);
    // Taken before the solve: a solved puzzle offers no hint.
    const h = engine.takeHint(team, "a", "free");
    if (h.kind === "ok") await commit(h.writes);
    for (const answer of ["nope", "alp", "alpha"]) {
      const g = engine.guess(team, "a", answer);
      if (g.kind === "judged") await commit(g.writes);
    }
    if (n % 2 === 0) {
      const c = engine.checkIn(team, "cp-123");
      if (c.kind === "ok") await commit(c.writes);
      const b = engine.guess(team, "b", "bravo");
      if (b.kind === "judged") await commit(b.writes);
    }
    await commit(engine.adjust(team, n - 2, `fix ${n}`).writes);
    await commit(engine.grantExtraGuesses(team, "b", 2)!.writes);
    // Some sent late from a phone's outbox: the flag moves with them.
    const s = engine.submit(
      team,
      "statue",
      {
        file: { hash: "ab".repeat(32), type: "image/jpeg", size: 100 + n },
      },
      undefined,
      n % 3 === 0 ? "late" : undefined,
    );
    if (s.kind !== "ok") throw new Error(`submit ${s.kind}`);
    await commit(s.writes);
    clock.advance(5_000);
    // Accepted, rejected, accepted then rejected, or left pending.
    if (n % 4 !== 3) {
      const j = engine.judge(
        s.submission.id,
        n % 4 === 1 ? { accept: false, message: "Blurry" } : {
          accept: true,
          points: 25,
        },
      );
      if (j.kind === "ok") await commit(j.writes);
    }
    if (n % 4 === 2) {
      clock.advance(1_000);
      const j = engine.judge(s.submission.id, { accept: false, message: "Wrong statue" });
      if (j.kind === "ok") await commit(j.writes);
    }
    const t = engine.submit(team, "song", { text: `la la ${n}` });
    if (t.kind === "ok") await commit(t.writes);
    // Asks: answered, refused, withdrawn, or left open.
    const a = engine.ask(team, "tower", "ask", `Where is it? (${n})`);
    if (a.kind !== "ok") throw new Error(`ask ${a.kind}`);
    await commit(a.writes);
    clock.advance(2_000);
    const close = [
      { kind: "answer" as const, answer: "Up" },
      { kind: "refuse" as const, message: "No" },
      { kind: "withdraw" as const, teamId: team.id },
    ][n % 4];
    if (close !== undefined) {
      const closed = engine.closeAsk(a.ask.id, close);
      if (closed.kind === "ok") await commit(closed.writes);
    }
    await commit([{
      kind: "idempotency",
      teamId: team.id,
      key: `key-${n}`,
      fingerprint: "f",
      status: 200,
      body: "{}",
      at: clock.now(),
    }]);
  }
  await commit(engine.announce("Halfway").writes);
  await commit(engine.tick().writes);
  store.setMeta({ scoreboard_frozen_at: String(clock.now()), admin_token_hash: "admin-hash" });
  store.close();
  mkdirSync(uploads());
  writeFileSync(join(uploads(), UPLOAD), "photo bytes");
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("cairn migrate", () => {
  test("copies every row of every table into an empty log, and the engine boots to the same state", async () => {
    const url = await pg.createDatabase("moved");
    const io = fakeIo();
    const code = await run(["migrate", ...from(), "--to", url], io);
    expect(io.err()).toBe("");
    expect(code).toBe(0);
    expect(io.out()).toMatch(
      new RegExp(
        "^cairn migrate: 6 teams, \\d+ guesses \\(\\d+ log rows\\) moved to postgres:.*\n" +
          `cairn migrate: 1 uploaded file left in ${uploads()}; copy it into the nodes' --files folder, ` +
          "or migrate with --files DIR\n$",
      ),
    );

    const source = openForReading(file());
    const shared = await PgStore.open(url, { filesDir: dir });
    try {
      const expected = tables(source);
      expect(expected.submissions!.length).toBe(12);
      expect(expected.submissions!.filter((row) => String(row).includes('"flag":"late"')).length)
        .toBe(2);
      expect(expected.asks!.length).toBe(6);
      expect(expected.asks!.some((row) => String(row).includes('"status":"refused"'))).toBe(true);
      expect(tables(shared.tables)).toEqual(expected);
      // The log records its format, as a node's first start does.
      expect(shared.meta("log_format")).toBe(String(LOG_FORMAT));

      const { hunt } = loadHunt(TOML, { file: "hunt.toml" });
      const clock = new FakeClock(START + 60 * MINUTE);
      // Its uploads folder is never made: nothing is uploaded.
      const fromFile = SqliteStore.over(source, { filesDir: join(dir, "over-files") });
      const a = bootEngine(fromFile, hunt!, clock).engine;
      const b = bootEngine(shared, hunt!, clock).engine;
      expect(view(b)).toEqual(view(a));
      expect(b.standings().map((s) => [s.team.name, s.score]))
        .toEqual(a.standings().map((s) => [s.team.name, s.score]));
      expect(view(b).filter((team) => team.hidden).map((team) => team.name)).toEqual([
        "Team 4",
        "Team 5",
      ]);
      expect(view(b).filter((team) => team.banned).map((team) => team.name)).toEqual(["Team 4"]);
      expect(b.standings().map((s) => s.team.name)).not.toContain("Team 5");
    } finally {
      shared.close();
      source.close();
    }
  });

  test("copies the uploads from --from-files into --files, and says how many", async () => {
    const url = await pg.createDatabase("withfiles");
    const nodes = join(dir, "nodefiles");
    const io = fakeIo();
    expect(await run(["migrate", ...from(), "--to", url, "--files", nodes], io)).toBe(0);
    expect(io.err()).toBe("");
    expect(io.out()).toEndWith(
      `cairn migrate: 1 uploaded file copied from ${uploads()} to ${nodes}\n`,
    );
    expect(readFileSync(join(nodes, UPLOAD), "utf8")).toBe("photo bytes");
  });

  test("refuses, before anything moves, a --files that is a file", async () => {
    const url = await pg.createDatabase("filesfile");
    const nodes = join(dir, "nodefiles.txt");
    writeFileSync(nodes, "mine");
    const io = fakeIo();
    expect(await run(["migrate", ...from(), "--to", url, "--files", nodes], io)).toBe(1);
    expect(io.err()).toBe(`cairn migrate: ${nodes} is a file, not a folder\n`);
    expect(io.out()).toBe("");
    expect(readFileSync(nodes, "utf8")).toBe("mine");
    expect(
      await pg.query("SELECT to_regclass('cairn_log') IS NULL AS empty", {
        database: "filesfile",
      }),
    ).toEqual([{ empty: true }]);
  });

  test("refuses, before anything moves, when the uploads the database names are not beside it", async () => {
    const url = await pg.createDatabase("nofiles");
    const nodes = join(dir, "nodefiles-none");
    const io = fakeIo();
    const argv = ["migrate", "--from", file(), "--to", url, "--files", nodes];
    expect(await run(argv, io)).toBe(1);
    expect(io.err()).toBe(
      `cairn migrate: 1 file the database names is missing from ${file()}.files: ${UPLOAD}; ` +
        "if the server ran with --files DIR (or CAIRN_FILES), give that folder as --from-files DIR\n",
    );
    expect(io.out()).toBe("");
    expect(existsSync(nodes)).toBe(false);
    expect(
      await pg.query("SELECT to_regclass('cairn_log') IS NULL AS empty", { database: "nofiles" }),
    )
      .toEqual([{ empty: true }]);
  });

  test("moves the event without the uploads a named --from-files lacks, and lists them", async () => {
    const url = await pg.createDatabase("lostfiles");
    const empty = mkdtempSync(join(dir, "empty-"));
    const io = fakeIo();
    const argv = ["migrate", "--from", file(), "--from-files", empty, "--to", url];
    expect(await run(argv, io)).toBe(0);
    expect(io.out()).toMatch(
      /^cairn migrate: 6 teams, \d+ guesses \(\d+ log rows\) moved to postgres:.*\n$/,
    );
    expect(io.err()).toBe(
      `cairn migrate: warning: 1 file the database names is missing from ${empty}: ${UPLOAD}\n`,
    );
  });

  test("counts one team and one guess in the singular", async () => {
    const one = join(dir, "one.db");
    const { hunt } = loadHunt(TOML, { file: "hunt.toml" });
    const opened = SqliteStore.open(one);
    if (opened.kind !== "ok") throw new Error("locked");
    const clock = new FakeClock(START + MINUTE);
    const { engine, writes } = bootEngine(opened.store, hunt!, clock);
    await opened.store.commit(writes);
    const r = engine.register({ name: "Solo", passwordHash: "hash" });
    if (r.kind !== "ok") throw new Error("register");
    await opened.store.commit(r.writes);
    const g = engine.guess(r.team, "a", "nope");
    if (g.kind === "judged") await opened.store.commit(g.writes);
    opened.store.close();
    const url = await pg.createDatabase("solo");
    const io = fakeIo();
    expect(await run(["migrate", "--from", one, "--to", url], io)).toBe(0);
    expect(io.out()).toMatch(/^cairn migrate: 1 team, 1 guess \(\d+ log rows\) moved to postgres:/);
  });

  test("refuses a database that already holds an event, and changes nothing", async () => {
    const url = await pg.createDatabase("twice");
    expect(await run(["migrate", ...from(), "--to", url], fakeIo())).toBe(0);
    const before = await pg.query("SELECT count(*)::int AS n FROM cairn_log", {
      database: "twice",
    });
    const io = fakeIo();
    expect(await run(["migrate", ...from(), "--to", url], io)).toBe(1);
    const prefix = `cairn migrate: cannot move the event into ${redactUrl(url)}: `;
    expect(io.err()).toStartWith(prefix);
    expect(io.err().slice(prefix.length)).toMatch(
      /^the database already holds an event \(\d+ log rows\); migrate into an empty one\n$/,
    );
    expect(await pg.query("SELECT count(*)::int AS n FROM cairn_log", { database: "twice" }))
      .toEqual(before);
  });

  test("says what is wrong, with no stack trace, for a missing file, a bad URL or no server", async () => {
    const missing = fakeIo();
    expect(await run(["migrate", "--from", join(dir, "none.db"), "--to", pg.url], missing))
      .toBe(1);
    expect(missing.err()).toBe(`cairn migrate: there is no database at ${join(dir, "none.db")}\n`);
    // A file that is not a database is refused before a lock file is made beside it.
    writeFileSync(join(dir, "empty.toml"), "");
    writeFileSync(join(dir, "hunt.toml"), TOML);
    for (const name of ["empty.toml", "hunt.toml"]) {
      const io = fakeIo();
      expect(await run(["migrate", "--from", join(dir, name), "--to", pg.url], io)).toBe(1);
      expect(io.err()).toBe(`cairn migrate: ${join(dir, name)} is not a Cairn database\n`);
      expect(existsSync(join(dir, `${name}.lock`))).toBe(false);
    }
    const notPg = fakeIo();
    expect(await run(["migrate", "--from", file(), "--to", "mysql://x"], notPg)).toBe(2);
    expect(notPg.err()).toBe(
      'cairn migrate: --to must be a postgres:// (or postgresql://) URL, not "mysql://x"\n',
    );
    const down = fakeIo();
    const code = await run([
      "migrate",
      "--from",
      file(),
      "--to",
      "postgres://nobody:secret@127.0.0.1:1/none",
    ], down);
    expect(code).toBe(1);
    expect(down.err()).toMatch(/^cairn migrate: .+\n$/);
    expect(down.err()).not.toContain("secret");
    expect(down.err()).not.toContain("    at ");
  });

  test(
    "moves an event an older Cairn wrote as the same event at this schema, and leaves the file as it was",
    async () => {
      // Schema 8: keys, flags and submitters, before missions and asks. Two databases, two migrations
      // and two stores: about 1 s alone, past bun's default 5 s at a load average of 10.
      const version = 8;
      const [oldDir, nowDir] = [join(dir, "schema-8"), join(dir, "schema-now")];
      for (const folder of [oldDir, nowDir]) mkdirSync(folder);
      const old = writeEvent(oldDir, version, tablesAt(version));
      const now = writeEvent(nowDir, MIGRATIONS.length, tablesAt(version));
      const before = readFileSync(old);
      const fromOld = await pg.createDatabase("older");
      const io = fakeIo();
      expect(await run(["migrate", "--from", old, "--to", fromOld], io)).toBe(0);
      expect(io.out()).toMatch(
        /^cairn migrate: 3 teams, 11 guesses \(\d+ log rows\) moved to postgres:/,
      );
      const fromNow = await pg.createDatabase("current");
      expect(await run(["migrate", "--from", now, "--to", fromNow], fakeIo())).toBe(0);
      expect(readFileSync(old)).toEqual(before);

      const a = await PgStore.open(fromOld, { filesDir: dir });
      const b = await PgStore.open(fromNow, { filesDir: dir });
      try {
        expect(tables(a.tables)).toEqual(tables(b.tables));
        expect(tables(a.tables).idempotency_keys!.length).toBe(3);
      } finally {
        a.close();
        b.close();
      }
    },
    30_000,
  );

  test("cairn export on a database with no event creates nothing in it", async () => {
    const url = await pg.createDatabase("blank");
    const io = fakeIo();
    expect(await run(["export", "--db", url], io)).toBe(1);
    expect(io.err()).toBe(
      `cairn export: ${redactUrl(url)} holds no Cairn event (it has no cairn_log table)\n`,
    );
    expect(
      await pg.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'", {
        database: "blank",
      }),
    ).toEqual([{ n: 0 }]);
  });

  test("cairn export right after migrate reads the same results from the log as from the file", async () => {
    const url = await pg.createDatabase("exported");
    // No node has started on the log: the hunt's scoring moved with the event.
    expect(await run(["migrate", ...from(), "--to", url], fakeIo())).toBe(0);
    const fromFile = fakeIo();
    expect(await run(["export", "--db", file()], fromFile)).toBe(0);
    const fromLog = fakeIo();
    expect(await run(["export", "--db", url], fromLog)).toBe(0);
    expect(fromLog.err()).toBe(fromFile.err());
    expect(JSON.parse(fromLog.out())).toEqual(JSON.parse(fromFile.out()));
    expect(JSON.parse(fromLog.out()).teams.length).toBe(6);
  });
});
