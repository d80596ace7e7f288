import { afterAll, describe, expect, test } from "bun:test";
import { sleep, spawnRuntime } from "../_runtime.ts";
import {
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { Engine, type Write } from "../../src/engine/mod.ts";
import {
  acquireLock,
  type BatchStats,
  CommitError,
  getMeta,
  loadSnapshot,
  MIGRATIONS,
  openConnection,
  openDatabase,
  openForReading,
  setMeta,
  SqliteStore,
  type WalFile,
  walFile,
  Writer,
} from "../../src/store/mod.ts";
import { FakeClock, makeEngine, MINUTE, START } from "../engine/_hunt.ts";
import { teamWrite } from "./_writes.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const tempDb = () => join(dirs.make("cairn-store-"), "cairn.db");

describe("openDatabase()", () => {
  test("applies every migration once, in WAL mode with full sync", () => {
    const path = tempDb();
    const db = openDatabase(path);
    expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: MIGRATIONS.length });
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(db.query("PRAGMA synchronous").get()).toEqual({ synchronous: 2 });
    setMeta(db, "k", "v1");
    setMeta(db, "k", "v2");
    db.close();
    const again = openDatabase(path);
    expect(getMeta(again, "k")).toBe("v2");
    again.close();
  });

  test("keeps no index of guesses: a batch of guesses appends to the table alone, and dirties few pages", () => {
    const db = openDatabase(":memory:");
    const indexes = db.query<{ name: string }>("PRAGMA index_list(guesses)").all()
      .map((row) => row.name).filter((name) => !name.startsWith("sqlite_autoindex"));
    expect(indexes).toEqual([]);
    db.close();
  });

  test("refuses a database from a newer version with a clear message", () => {
    const path = tempDb();
    const db = openConnection(path);
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openDatabase(path)).toThrow(
      `The database was written by a newer Cairn (schema ${
        MIGRATIONS.length + 1
      }; this one knows ${MIGRATIONS.length})`,
    );
  });
});

describe("openDatabase() on another program's file", () => {
  const foreign: [string, (path: string) => void, string][] = [
    [
      "user_version 0, with tables",
      (path) => {
        const db = openConnection(path);
        db.exec("CREATE TABLE posts (id INTEGER PRIMARY KEY); CREATE TABLE users (name TEXT)");
        db.close();
      },
      "it holds other tables: posts, users",
    ],
    [
      "user_version 3, with tables",
      (path) => {
        const db = openConnection(path);
        db.exec("CREATE TABLE posts (id INTEGER PRIMARY KEY); PRAGMA user_version = 3");
        db.close();
      },
      "it holds other tables: posts",
    ],
  ];
  for (const [name, make, why] of foreign) {
    test(`refuses a database with ${name}, and leaves it as it was`, () => {
      const path = tempDb();
      make(path);
      const before = readFileSync(path);
      expect(() => openDatabase(path)).toThrow(
        `The file is not a Cairn database (${why}); give Cairn a file of its own`,
      );
      expect(() => openForReading(path)).toThrow(`${path} is not a Cairn database`);
      expect(readFileSync(path)).toEqual(before);
      expect(existsSync(`${path}-wal`)).toBe(false);
    });
  }

  test("refuses a file that is not SQLite's, without calling it a damaged database", () => {
    const path = tempDb();
    writeFileSync(path, '[hunt]\ntitle = "Not a database"\n');
    expect(() => openDatabase(path)).toThrow(
      "The file is not a Cairn database: it is not an SQLite file (if it was the event's " +
        "database, it is damaged: restore it from a backup)",
    );
    expect(readFileSync(path, "utf8")).toBe('[hunt]\ntitle = "Not a database"\n');
  });

  const fresh: [string, (path: string) => void][] = [
    ["an empty file", (path) => writeFileSync(path, "")],
    ["an SQLite file with no tables", (path) => {
      const db = openConnection(path);
      db.exec("CREATE TABLE gone (x); DROP TABLE gone");
      db.close();
    }],
  ];
  for (const [name, make] of fresh) {
    test(`takes ${name} as a new database`, () => {
      const path = tempDb();
      make(path);
      const db = openDatabase(path);
      expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: MIGRATIONS.length });
      db.close();
    });
  }
});

describe("Writer", () => {
  test("commits concurrent requests in one transaction and resolves each after it", async () => {
    const db = openDatabase(":memory:");
    const batches: BatchStats[] = [];
    const writer = new Writer(db, { onBatch: (stats) => batches.push(stats) });
    const { engine } = makeEngine();
    const registrations = ["A", "B", "C"].map((name) =>
      engine.register({ name, passwordHash: "h" })
    );
    const commits = registrations.map((r) => writer.commit(r.kind === "ok" ? r.writes : []));
    // Nothing is written before the flush.
    expect(db.query("SELECT count(*) AS n FROM teams").get()).toEqual({ n: 0 });
    await Promise.all(commits);
    expect(db.query("SELECT count(*) AS n FROM teams").get()).toEqual({ n: 3 });
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ requests: 3, rows: 9 });
  });

  test("rejects every waiter of a failed batch, then refuses all writes", async () => {
    const db = openDatabase(":memory:");
    const failures: Error[] = [];
    const writer = new Writer(db, { onFailure: (error) => failures.push(error) });
    const team = teamWrite(1);
    const ok = writer.commit([team]);
    // The same id again violates the primary key: the whole batch rolls back.
    const bad = writer.commit([{ ...team, nameKey: "b" }]);
    const [okResult, badResult] = await Promise.allSettled([ok, bad]);
    expect(okResult.status === "rejected" && okResult.reason).toBeInstanceOf(CommitError);
    expect(badResult.status === "rejected" && (badResult.reason as Error).message).toBe(
      "Cannot save to the database: UNIQUE constraint failed: teams.id",
    );
    expect(db.query("SELECT count(*) AS n FROM teams").get()).toEqual({ n: 0 });
    expect(writer.failed).toBe(true);
    expect(failures).toHaveLength(1);
    await expect(writer.commit([{ ...team, id: 2 }])).rejects.toBeInstanceOf(CommitError);
  });
});

/** A WAL file whose syncs the test ends by hand: `end()` finishes the oldest one in flight. */
function heldWal() {
  const inFlight: ((error: Error | null) => void)[] = [];
  const calls: string[] = [];
  const wal: WalFile = {
    sync: (done) => {
      calls.push("sync");
      inFlight.push(done);
    },
    syncNow: () => calls.push("syncNow"),
    close: () => calls.push("close"),
  };
  return { wal, calls, end: (error: Error | null = null) => inFlight.shift()!(error) };
}

/** Whether a promise has settled, after the turns that could settle it. */
async function settled(promise: Promise<unknown>): Promise<"resolved" | "rejected" | "waiting"> {
  let state: "resolved" | "rejected" | "waiting" = "waiting";
  promise.then(() => state = "resolved", () => state = "rejected");
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  return state;
}

const team = teamWrite;

describe("a batch's guesses", () => {
  test("go in as decided, across requests, with each solve after its guess", async () => {
    const db = openDatabase(":memory:");
    const writer = new Writer(db);
    await writer.commit([team(1), team(2)]);
    const guess = (id: number, result: "correct" | "incorrect"): Write => ({
      kind: "guess",
      id,
      teamId: 1 + (id % 2),
      puzzle: `p${id}`,
      raw: `guess ${id}`,
      normalized: `GUESS${id}`,
      result,
      extraUsed: id === 5,
      at: START + id,
      ...(id === 7 && { effectiveAt: START, flag: "late" as const }),
    });
    const range = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => from + i);
    // Three requests in one batch: 40 guesses, two of them solves, and an unlock between.
    const done = Promise.all([
      writer.commit(range(1, 20).map((id) => guess(id, id === 20 ? "correct" : "incorrect"))),
      writer.commit([
        { kind: "unlock", teamId: 2, puzzle: "p99", at: START },
        ...range(21, 37).map((id) => guess(id, id === 37 ? "correct" : "incorrect")),
      ]),
      writer.commit(range(38, 40).map((id) => guess(id, "incorrect"))),
    ]);
    writer.flush();
    await done;
    const rows = db.query<
      { id: number; team_id: number; raw: string; result: string; extra_used: number }
    >("SELECT id, team_id, raw, result, extra_used FROM guesses ORDER BY id").all();
    expect(rows).toEqual(
      range(1, 40).map((id) => ({
        id,
        team_id: 1 + (id % 2),
        raw: `guess ${id}`,
        result: id === 20 || id === 37 ? "correct" : "incorrect",
        extra_used: id === 5 ? 1 : 0,
      })),
    );
    expect(db.query("SELECT effective_at, flag FROM guesses WHERE id = 7").get()).toEqual({
      effective_at: START,
      flag: "late",
    });
    expect(db.query("SELECT guess_id FROM solves ORDER BY guess_id").all()).toEqual([
      { guess_id: 20 },
      { guess_id: 37 },
    ]);
    expect(db.query("SELECT count(*) AS n FROM unlocks").get()).toEqual({ n: 1 });
  });

  test("a batch with a bad guess writes none of its guesses", async () => {
    const path = tempDb();
    const db = openDatabase(path);
    const writer = new Writer(db);
    await writer.commit([team(1)]);
    // No team 9: the foreign key fails the whole batch, the good guess with it.
    const bad: Write[] = [guessOf(1, 1), guessOf(2, 9)];
    const failed = writer.commit(bad);
    writer.flush();
    await expect(failed).rejects.toBeInstanceOf(CommitError);
    expect(db.query("SELECT count(*) AS n FROM guesses").get()).toEqual({ n: 0 });
  });
});

/** A wrong guess `id` by `teamId`. */
function guessOf(id: number, teamId: number): Extract<Write, { kind: "guess" }> {
  return {
    kind: "guess",
    id,
    teamId,
    puzzle: "p1",
    raw: "x",
    normalized: "X",
    result: "incorrect",
    extraUsed: false,
    at: START,
  };
}

describe("Writer over a WAL file it syncs itself", () => {
  test("answers a commit only after a sync that began after it, and commits what queued meanwhile next", async () => {
    const db = openDatabase(":memory:");
    const { wal, calls, end } = heldWal();
    const batches: BatchStats[] = [];
    const writer = new Writer(db, { wal, onBatch: (stats) => batches.push(stats) });
    const count = () => db.query<{ n: number }>("SELECT count(*) AS n FROM teams").get()!.n;
    const first = writer.commit([team(1)]);
    // Committed to the WAL, and waiting for the disk.
    expect(await settled(first)).toBe("waiting");
    expect(count()).toBe(1);
    expect(calls).toEqual(["sync"]);
    // Every other write on the connection keeps SQLite's full sync.
    expect(db.query("PRAGMA synchronous").get()).toEqual({ synchronous: 2 });
    // While that sync runs, new writes wait in the queue, uncommitted, as do answers resting on them.
    const second = writer.commit([team(2)]);
    const third = writer.commit([team(3)]);
    const resting = writer.commit([]);
    expect(await settled(second)).toBe("waiting");
    expect(count()).toBe(1);
    expect(calls).toEqual(["sync"]);
    end();
    expect(await settled(first)).toBe("resolved");
    // The sync's end committed the queue in one transaction, and synced it in turn.
    expect(count()).toBe(3);
    expect(calls).toEqual(["sync", "sync"]);
    expect(await settled(second)).toBe("waiting");
    expect(await settled(resting)).toBe("waiting");
    end();
    await Promise.all([second, third, resting]);
    expect(batches.map((batch) => batch.requests)).toEqual([1, 3]);
    // With nothing queued or in flight, an answer resting on the past is answered at once.
    expect(await settled(writer.commit([]))).toBe("resolved");
    expect(calls).toEqual(["sync", "sync"]);
  });

  test("a failed sync rejects its batch and stops the writer; a batch whose sync is in flight still gets it", async () => {
    const db = openDatabase(":memory:");
    const { wal, end } = heldWal();
    const failures: Error[] = [];
    const writer = new Writer(db, { wal, onFailure: (error) => failures.push(error) });
    const first = writer.commit([team(1)]);
    expect(await settled(first)).toBe("waiting");
    const queued = writer.commit([team(2)]);
    // Its turn has come and gone: it waits, uncommitted, for the sync's end.
    expect(await settled(queued)).toBe("waiting");
    end(new Error("EIO: i/o error, fdatasync"));
    await expect(first).rejects.toThrow("Cannot save to the database: EIO: i/o error, fdatasync");
    await expect(queued).rejects.toBeInstanceOf(CommitError);
    expect(writer.failed).toBe(true);
    expect(failures).toHaveLength(1);
    await expect(writer.commit([team(3)])).rejects.toBeInstanceOf(CommitError);

    // A transaction that fails while another batch's sync is in flight.
    const other = heldWal();
    const second = new Writer(openDatabase(":memory:"), { wal: other.wal });
    const ok = second.commit([team(1)]);
    expect(await settled(ok)).toBe("waiting");
    const duplicate = second.commit([team(1)]);
    second.flush(); // commits the duplicate now: it fails, and the sync in flight is answered
    await expect(duplicate).rejects.toThrow("UNIQUE constraint failed: teams.id");
    expect(await settled(ok)).toBe("resolved");
    expect(other.calls).toEqual(["sync", "syncNow"]);
  });

  test("an answer resting on earlier writes waits for the sync in flight, and no other", async () => {
    const db = openDatabase(":memory:");
    const { wal, calls, end } = heldWal();
    const writer = new Writer(db, { wal });
    const first = writer.commit([team(1)]);
    const resting = writer.commit([]);
    expect(await settled(first)).toBe("waiting");
    const later = writer.commit([]);
    expect(await settled(later)).toBe("waiting");
    end();
    expect(await settled(resting)).toBe("resolved");
    expect(await settled(later)).toBe("resolved");
    expect(calls).toEqual(["sync"]);
  });

  test("a sync a flush made redundant still stops the writer if it fails, and holds new syncs until it ends", async () => {
    const db = openDatabase(":memory:");
    const { wal, calls, end } = heldWal();
    const failures: Error[] = [];
    const writer = new Writer(db, { wal, onFailure: (error) => failures.push(error) });
    const first = writer.commit([team(1)]);
    expect(await settled(first)).toBe("waiting");
    writer.flush();
    expect(await settled(first)).toBe("resolved");
    // A write after the flush waits, uncommitted, for the first sync to come back.
    const next = writer.commit([team(2)]);
    expect(await settled(next)).toBe("waiting");
    expect(calls).toEqual(["sync", "syncNow"]);
    expect(db.query("SELECT count(*) AS n FROM teams").get()).toEqual({ n: 1 });
    // The disk lost pages: whichever sync hears of it, the writer stops.
    end(new Error("EIO: i/o error, fdatasync"));
    await expect(next).rejects.toBeInstanceOf(CommitError);
    expect(writer.failed).toBe(true);
    expect(failures).toHaveLength(1);
    expect(db.query("SELECT count(*) AS n FROM teams").get()).toEqual({ n: 1 });
  });

  test("flush() syncs on the spot, answering the batch in flight too; close() lets go of the file", async () => {
    const db = openDatabase(":memory:");
    const { wal, calls, end } = heldWal();
    const writer = new Writer(db, { wal });
    const first = writer.commit([team(1)]);
    expect(await settled(first)).toBe("waiting");
    const second = writer.commit([team(2)]);
    writer.flush();
    expect(calls).toEqual(["sync", "syncNow"]);
    expect(await settled(first)).toBe("resolved");
    expect(await settled(second)).toBe("resolved");
    // The sync that was in flight ends later, and finds nothing to answer or to start.
    end();
    await settled(first);
    expect(calls).toEqual(["sync", "syncNow"]);
    expect(writer.failed).toBe(false);
    writer.close();
    expect(calls).toEqual(["sync", "syncNow", "close"]);
  });

  test("over a database file, syncs the real WAL: a commit is answered, and the file is let go at close", async () => {
    const path = tempDb();
    const db = openDatabase(path);
    const writer = new Writer(db, { wal: walFile(`${path}-wal`) });
    await Promise.all([writer.commit([team(1)]), writer.commit([team(2)])]);
    await writer.commit([team(3)]);
    const other = openConnection(path);
    expect(other.query("SELECT count(*) AS n FROM teams").get()).toEqual({ n: 3 });
    other.close();
    // This process's open descriptors on the WAL, where /proc lists them (Linux; Deno asks
    // for every permission to read it, so there the count is skipped).
    const walDescriptors = (): number | undefined => {
      let fds: string[];
      try {
        fds = readdirSync("/proc/self/fd");
      } catch {
        return undefined;
      }
      return fds.filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === `${path}-wal`;
        } catch {
          return false; // the descriptor readdir itself used, closed since
        }
      }).length;
    };
    const before = walDescriptors();
    writer.close();
    if (before !== undefined) expect(walDescriptors()).toBe(before - 1);
    db.close(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});

describe("SqliteStore over a database file", () => {
  test("opened through a symbolic link, syncs the WAL SQLite writes: the target's", async () => {
    const real = tempDb();
    openDatabase(real).close();
    const link = join(dirs.make("cairn-link-"), "cairn.db");
    symlinkSync(real, link);
    const opened = SqliteStore.open(link);
    if (opened.kind !== "ok") throw new Error("locked");
    await opened.store.commit([team(1)]);
    await opened.store.commit([team(2)]);
    expect(opened.store.failed).toBe(false);
    opened.store.close();
    const db = openConnection(real);
    expect(db.query("SELECT count(*) AS n FROM teams").get()).toEqual({ n: 2 });
    db.close();
  });
});

describe("SqliteStore over an in-memory database, with no uploads folder given", () => {
  /** Runs `body` with TMPDIR (read by os.tmpdir() at each call) set to a new empty folder. */
  async function inTmpdir(body: (tmp: string) => Promise<void>): Promise<void> {
    const tmp = dirs.make("cairn-tmpdir-");
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      await body(tmp);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
  }

  test("makes no folder until its first upload, and removes the one it made at close", async () => {
    await inTmpdir(async (tmp) => {
      // A store that never uploads (most tests', a shared log's copy) leaves nothing, closed or not.
      const idle = SqliteStore.over(openDatabase(":memory:"));
      expect(idle.upload("0".repeat(64))).toBeUndefined();
      idle.removeUpload("0".repeat(64));
      expect(idle.cleanUploads()).toBe(0);
      expect(readdirSync(tmp)).toEqual([]);
      idle.close();

      const store = SqliteStore.over(openDatabase(":memory:"));
      expect(readdirSync(tmp)).toEqual([]);
      const sink = await store.beginUpload();
      await sink.write(new TextEncoder().encode("a photo"));
      const { hash } = await sink.finish();
      const made = readdirSync(tmp);
      expect(made).toEqual([expect.stringMatching(/^cairn-files-/)]);
      expect(readdirSync(join(tmp, made[0]!))).toEqual([hash]);
      expect(await store.upload(hash)?.text()).toBe("a photo");
      store.close();
      expect(readdirSync(tmp)).toEqual([]);
    });
  });
});

describe("Writer checkpoints", () => {
  /** Commits 300 registrations, then says whether the database file grew within 300 ms. */
  async function fileGrows(checkpointMs: number): Promise<{ inCommit: boolean; later: boolean }> {
    const path = tempDb();
    const db = openDatabase(path);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const size = () => statSync(path).size;
    const before = size();
    const writer = new Writer(db, { checkpointMs });
    const teams = Array.from({ length: 300 }, (_, i) => ({
      ...teamWrite(i + 1),
      name: `Team ${i} ${"x".repeat(100)}`,
      nameKey: `team ${i}`,
    }));
    await writer.commit(teams);
    // The commit itself wrote only to the WAL: the automatic checkpoint is far off.
    const inCommit = size() > before;
    await sleep(300);
    const later = size() > before;
    writer.close();
    db.close();
    return { inCommit, later };
  }

  test("copy the WAL into the database file on a timer, after the commit, not inside it", async () => {
    expect(await fileGrows(20)).toEqual({ inCommit: false, later: true });
  });

  test("with checkpointMs 0, are left to SQLite's automatic checkpoint", async () => {
    expect(await fileGrows(0)).toEqual({ inCommit: false, later: false });
  });
});

describe("Writer.commit() with no writes", () => {
  test("resolves only once what was queued before it is committed", async () => {
    const db = openDatabase(":memory:");
    const writer = new Writer(db);
    const team = teamWrite(1);
    void writer.commit([team]);
    const rows = await writer.commit([]).then(() =>
      db.query("SELECT count(*) AS n FROM teams").get()
    );
    expect(rows).toEqual({ n: 1 });
    // With nothing queued, it resolves at once.
    await writer.commit([]);
  });
});

describe("loadSnapshot() and Engine.restore()", () => {
  test("a restarted engine has the same state as the one that wrote it", async () => {
    const path = tempDb();
    const db = openDatabase(path);
    const writer = new Writer(db);
    const clock = new FakeClock();
    const { engine, hunt } = makeEngine(clock);
    const commit = (writes: readonly import("../../src/engine/mod.ts").Write[]) =>
      writer.commit(writes);

    const one = engine.register({ name: "One", passwordHash: "h", division: "kids" });
    const two = engine.register({ name: "Two", passwordHash: "h", members: ["x", "y"] });
    if (one.kind !== "ok" || two.kind !== "ok") throw new Error("register");
    await commit([...one.writes, ...two.writes]);
    const play = async (outcome: object) => {
      await commit("writes" in outcome ? (outcome.writes as readonly Write[]) : []);
    };
    clock.advance(MINUTE);
    await play(engine.guess(one.team, "a", "alpha"));
    await play(engine.guess(two.team, "a", "nope1"));
    await play(engine.guess(two.team, "a", "alp"));
    await play(engine.guess(two.team, "a", "nope3"));
    await play(engine.grantExtraGuesses(two.team, "a", 2)!);
    await play(engine.guess(two.team, "a", "nope4"));
    await play(engine.checkIn(two.team, "cp-123"));
    await play(engine.takeHint(two.team, "a", "late"));
    await play(engine.adjust(one.team, 5, "bonus"));
    await commit(engine.takeBackgroundWrites());
    db.close();

    const reopened = openDatabase(path);
    const restored = new Engine(hunt, { clock, startsAt: START });
    restored.restore(
      loadSnapshot(reopened, { now: clock.now(), longestWindowMs: restored.longestGuessWindow() }),
    );
    const view = (e: Engine) =>
      e.standings().map((row) => ({
        name: row.team.name,
        score: row.score,
        solves: row.solves,
        unlocked: e.unlockedPuzzles(row.team).map((
          p,
        ) => [p.id, row.team.state.unlockedAt[p.index]]),
        counts: [...row.team.state.counts],
        hints: [...row.team.hints],
        extra: [...row.team.extraGuesses],
        recent: [...row.team.recentWrong],
        lastActivityAt: row.team.lastActivityAt,
      }));
    expect(view(restored)).toEqual(view(engine));
    // The guess limit survives the restart: 4 wrong in the window, 1 extra guess left.
    const twoAgain = restored.teamByName("two")!;
    expect(restored.guess(twoAgain, "a", "nope5")).toMatchObject({ kind: "judged" });
    expect(restored.guess(twoAgain, "a", "nope6")).toMatchObject({ kind: "rate_limited" });
    // New ids continue after the stored ones.
    const next = restored.guess(restored.teamByName("ONE")!, "b", "bravo");
    expect(next.kind === "judged" && next.guessId).toBe(7);
    reopened.close();
  });
});

describe("guesses per minute", () => {
  /** A guess of team 1, stored at `at` (each right one on a puzzle of its own). */
  const guessAt = (
    id: number,
    at: number,
    result: "correct" | "incorrect" = "incorrect",
  ): Write => ({
    kind: "guess",
    id,
    teamId: 1,
    puzzle: `p${id}`,
    raw: `g${id}`,
    normalized: `G${id}`,
    result,
    extraUsed: false,
    at,
  });
  const T = 1_000 * MINUTE; // the start of a minute
  /** What SQL counts in the file, for the same minutes: the counts must agree with the table. */
  const inFile = (store: SqliteStore, minutes: number[]) =>
    minutes.map((minute) => {
      const row = store.db.query<{ n: number; c: number }>(
        "SELECT count(*) AS n, coalesce(sum(result = 'correct'), 0) AS c FROM guesses WHERE at / 60000 = ?",
      ).get(minute)!;
      return { at: minute * MINUTE, guesses: row.n, correct: row.c };
    });

  test("count the guesses on file when the store opened, once, and every guess committed after", async () => {
    const path = tempDb();
    const first = SqliteStore.open(path);
    if (first.kind !== "ok") throw new Error("locked");
    await first.store.commit([team(1), guessAt(1, T + 5), guessAt(2, T + 59_999, "correct")]);
    await first.store.commit([guessAt(3, T + MINUTE)]);
    expect(await first.store.guessesPerMinute(T + MINUTE, 3)).toEqual([
      { at: T - MINUTE, guesses: 0, correct: 0 },
      { at: T, guesses: 2, correct: 1 },
      { at: T + MINUTE, guesses: 1, correct: 0 },
    ]);
    first.store.close();

    // Booted: the snapshot's pass counts what was on file, and a chart asked for later does not
    // count it again.
    const booted = SqliteStore.open(path);
    if (booted.kind !== "ok") throw new Error("locked");
    booted.store.snapshot({ now: T + MINUTE, longestWindowMs: MINUTE });
    const pending = booted.store.commit([guessAt(4, T + MINUTE + 1, "correct")]);
    // Counted as soon as it is handed to the store, before its commit ends.
    const minutes = await booted.store.guessesPerMinute(T + 2 * MINUTE, 3);
    expect(minutes).toEqual([
      { at: T, guesses: 2, correct: 1 },
      { at: T + MINUTE, guesses: 2, correct: 1 },
      { at: T + 2 * MINUTE, guesses: 0, correct: 0 },
    ]);
    await pending;
    expect(minutes).toEqual(inFile(booted.store, [1_000, 1_001, 1_002]));
    expect(await booted.store.counts()).toEqual({ guesses: 4, solves: 2 });
    booted.store.close();

    // Never booted (a command, a test): the first chart counts what is on file by itself.
    const plain = SqliteStore.open(path);
    if (plain.kind !== "ok") throw new Error("locked");
    await plain.store.commit([guessAt(5, T + 2 * MINUTE)]);
    const later = await plain.store.guessesPerMinute(T + 2 * MINUTE, 3);
    expect(later).toEqual(inFile(plain.store, [1_000, 1_001, 1_002]));
    expect(later.map((minute) => minute.guesses)).toEqual([2, 2, 1]);
    expect(await plain.store.counts()).toEqual({ guesses: 5, solves: 2 });
    // A snapshot read after that does not count them again.
    plain.store.snapshot({ now: T + 2 * MINUTE, longestWindowMs: MINUTE });
    expect(await plain.store.guessesPerMinute(T + 2 * MINUTE, 3)).toEqual(later);
    plain.store.close();
  });

  test("a failed writer's refused commits are not counted", async () => {
    const opened = SqliteStore.open(tempDb());
    if (opened.kind !== "ok") throw new Error("locked");
    const { store } = opened;
    await store.commit([team(1), guessAt(1, T)]);
    // The same guess id again: the commit fails, and the writer refuses everything after.
    await expect(store.commit([guessAt(1, T)])).rejects.toBeInstanceOf(CommitError);
    const before = (await store.counts()).guesses;
    await expect(store.commit([guessAt(2, T)])).rejects.toBeInstanceOf(CommitError);
    expect((await store.counts()).guesses).toBe(before);
    expect((await store.guessesPerMinute(T, 1))[0]!.guesses).toBe(before);
    store.close();
  });
});

describe("a team's guesses, for the organizers", () => {
  const guess = (id: number, teamId: number, puzzle: string): Write => ({
    kind: "guess",
    id,
    teamId,
    puzzle,
    raw: `g${id}`,
    normalized: `G${id}`,
    result: "incorrect",
    extraUsed: false,
    at: id,
  });
  /** Guesses 1–60 of teams 1–3 in turn, on puzzles a, b and c in turn of every three. */
  const writes = [
    team(1),
    team(2),
    team(3),
    ...Array.from(
      { length: 60 },
      (_, i) => guess(i + 1, 1 + (i % 3), "abc"[Math.floor(i / 3) % 3]!),
    ),
  ];
  /** What SQL says the team's guesses are, by a scan. */
  const scanned = (store: SqliteStore, teamId: number, puzzle?: string) =>
    store.db.query<{ id: number }>(
      "SELECT id FROM guesses WHERE team_id = ? AND (? IS NULL OR puzzle = ?) ORDER BY id",
    ).all(teamId, puzzle ?? null, puzzle ?? null).map((row) => row.id);

  /**
   * The query plan of every statement the store prepares while `read` runs:
   * the guesses table keeps no index by team (migration 4), so a team's
   * guesses must be looked up by id, never found by a scan of the table.
   */
  async function plans(store: SqliteStore, read: () => Promise<unknown>): Promise<string[]> {
    const db = store.db;
    const prepare = db.prepare.bind(db);
    const sqls: string[] = [];
    Object.assign(db, {
      prepare: (sql: string) => {
        sqls.push(sql);
        return prepare(sql);
      },
    });
    try {
      await read();
    } finally {
      Object.assign(db, { prepare });
    }
    return sqls.flatMap((sql) =>
      db.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all().map((row) => row.detail)
    );
  }

  test("teamHistory() and teamPuzzleGuesses() look the team's guesses up by id, with no scan", async () => {
    const store = SqliteStore.over(openDatabase(":memory:"));
    await store.commit(writes);
    store.snapshot({ now: 100, longestWindowMs: MINUTE });
    const plan = await plans(store, async () => {
      const history = await store.teamHistory(2);
      expect(history.guesses.map((g) => g.id)).toEqual(scanned(store, 2));
      expect(history.guesses[0]).toEqual({
        id: 2,
        puzzle: "a",
        raw: "g2",
        normalized: "G2",
        result: "incorrect",
        at: 2,
        effective_at: null,
        flag: null,
      });
      const onB = await store.teamPuzzleGuesses(3, "b");
      expect(onB.map((g) => g.id)).toEqual(scanned(store, 3, "b"));
      expect(onB.map((g) => g.id)).toEqual([6, 15, 24, 33, 42, 51, 60]);
      expect(await store.teamPuzzleGuesses(3, "nowhere")).toEqual([]);
    });
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.filter((detail) => /^SCAN (guesses|g)\b/.test(detail))).toEqual([]);
    store.close();
  });

  test("notes the guesses when a team's are first asked for, then only those stored since, once each", async () => {
    const path = tempDb();
    const first = SqliteStore.open(path);
    if (first.kind !== "ok") throw new Error("locked");
    await first.store.commit(writes.slice(0, 33));
    first.store.close();

    // Booted: the first read notes those on file and those committed since.
    const booted = SqliteStore.open(path);
    if (booted.kind !== "ok") throw new Error("locked");
    booted.store.snapshot({ now: 100, longestWindowMs: MINUTE });
    await booted.store.commit(writes.slice(33, 48));
    const ids = async (store: SqliteStore) => (await store.teamHistory(1)).guesses.map((g) => g.id);
    expect(await ids(booted.store)).toEqual(scanned(booted.store, 1));
    expect(await ids(booted.store)).toHaveLength(15);
    booted.store.close();

    // Never booted (a command): the same, and a snapshot after the first read notes nothing again.
    const plain = SqliteStore.open(path);
    if (plain.kind !== "ok") throw new Error("locked");
    await plain.store.commit(writes.slice(48));
    expect(await ids(plain.store)).toEqual(scanned(plain.store, 1));
    plain.store.snapshot({ now: 100, longestWindowMs: MINUTE });
    expect(await ids(plain.store)).toEqual(scanned(plain.store, 1));
    expect(await ids(plain.store)).toHaveLength(20);
    plain.store.close();
  });
});

describe("SqliteStore.open() on a file it cannot open", () => {
  test("leaves no lock file it made, and keeps one that was there", () => {
    const path = tempDb();
    const db = openConnection(path);
    db.exec("CREATE TABLE posts (id INTEGER PRIMARY KEY)");
    db.close();
    expect(() => SqliteStore.open(path)).toThrow("The file is not a Cairn database");
    expect(existsSync(`${path}.lock`)).toBe(false);
    writeFileSync(`${path}.lock`, "");
    expect(() => SqliteStore.open(path)).toThrow("The file is not a Cairn database");
    expect(existsSync(`${path}.lock`)).toBe(true);
  });
});

describe("acquireLock()", () => {
  test("refuses a second holder until the first releases", () => {
    const path = tempDb();
    const first = acquireLock(path);
    expect(first.kind).toBe("held");
    expect(acquireLock(path).kind).toBe("busy");
    if (first.kind === "held") first.release();
    const again = acquireLock(path);
    expect(again.kind).toBe("held");
    if (again.kind === "held") again.release();
  });

  test("holds across processes, through garbage collection, until its holder is killed with SIGKILL", async () => {
    const path = tempDb();
    // The holder drops its own reference to the lock and forces collections:
    // the lock must survive them (Bun closes collected databases).
    const holder = spawnRuntime({
      eval: `import { acquireLock } from ${
        JSON.stringify(join(import.meta.dirname, "../../src/store/lock.ts"))
      };
       console.log(acquireLock(${JSON.stringify(path)}).kind);
       setInterval(() => globalThis.Bun?.gc(true), 20);`,
    });
    try {
      const reader = holder.stdout.getReader();
      const { value } = await reader.read();
      expect(new TextDecoder().decode(value).trim()).toBe("held");
      await sleep(200);
      expect(acquireLock(path).kind).toBe("busy");
      // The lock is one file: no journal beside it, held or after the kill.
      expect(readdirSync(dirname(path))).toEqual(["cairn.db.lock"]);
    } finally {
      holder.kill("SIGKILL");
    }
    await holder.exited;
    expect(readdirSync(dirname(path))).toEqual(["cairn.db.lock"]);
    const after = acquireLock(path);
    expect(after.kind).toBe("held");
    if (after.kind === "held") after.release();
  });
});

describe("wrongGuesses(), for the hunt's stats", () => {
  test("reads the incorrect and partial guesses after `after`, through `through`, at most `limit`, with what the stats count", async () => {
    const store = SqliteStore.over(openDatabase(":memory:"));
    const results = [
      "incorrect",
      "correct",
      "partial",
      "incorrect",
      "correct",
      "incorrect",
    ] as const;
    await store.commit([
      team(1),
      team(2),
      ...results.map((result, i): Write => ({
        kind: "guess",
        id: i + 1,
        teamId: 1 + (i % 2),
        puzzle: "ab"[i % 2]!,
        raw: `g${i + 1}`,
        normalized: `G${i + 1}`,
        result,
        extraUsed: false,
        at: i + 1,
      })),
    ]);
    const read = (after: number, through: number, limit: number) =>
      store.wrongGuesses({ after, through, limit }).then((rows) => rows.map((row) => row.id));
    expect(await store.wrongGuesses({ after: 0, through: 3, limit: 10 })).toEqual([
      { id: 1, team: 1, puzzle: "a", normalized: "G1" },
      { id: 3, team: 1, puzzle: "a", normalized: "G3" },
    ]);
    expect(await read(0, 6, 10)).toEqual([1, 3, 4, 6]);
    expect(await read(1, 6, 2)).toEqual([3, 4]);
    expect(await read(4, 5, 10)).toEqual([]);
    store.close();
  });
});
