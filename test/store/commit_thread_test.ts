// The group commit on a thread of its own (store/commit_thread.ts): the same
// promises as the main thread's writer — a waiter resolves only once its
// writes are on disk, a failure rejects everyone — with batches sent as
// strings, merged while one is being committed, and a flush that blocks until
// the thread has committed.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Write } from "../../src/engine/mod.ts";
import {
  type BatchStats,
  CommitError,
  openConnection,
  openDatabase,
  SqliteStore,
} from "../../src/store/mod.ts";
import {
  startCommitThread,
  ThreadWriter,
  wantsCommitThread,
} from "../../src/store/commit_thread.ts";
import { teamWrite } from "./_writes.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const team = teamWrite;

const guess = (id: number, teamId: number): Write => ({
  kind: "guess",
  id,
  teamId,
  puzzle: `p${id}`,
  raw: `guess ${id} ✓`,
  normalized: `GUESS ${id}`,
  result: id % 5 === 0 ? "correct" : "incorrect",
  extraUsed: false,
  at: 1000 + id,
});

/** A new, migrated database file. */
function database(): string {
  const path = join(dirs.make("cairn-thread-"), "cairn.db");
  openDatabase(path).close();
  return path;
}

async function thread(
  path: string,
  options: Parameters<typeof startCommitThread>[1] = {},
): Promise<ThreadWriter> {
  const writer = await startCommitThread(path, options);
  if (typeof writer === "string") throw new Error(writer);
  return writer;
}

/** What another connection reads from the file now. */
function count(path: string, table: string): number {
  const db = openConnection(path, { readonly: true });
  try {
    return (db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("ThreadWriter", () => {
  test("commits every request, merges what queues meanwhile, and resolves each once on disk", async () => {
    const path = database();
    const batches: BatchStats[] = [];
    const writer = await thread(path, { onBatch: (stats) => batches.push(stats) });
    await writer.commit([team(1), team(2)]);
    expect(count(path, "teams")).toBe(2);
    // 200 requests at once: the first batch goes alone, the rest queue behind it and go together.
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        writer.commit([guess(i + 1, 1 + (i % 2))]).then(() => {
          // Resolved only once the row is in the file, as another connection reads it.
          seen.push(count(path, "guesses"));
          expect(seen.at(-1)).toBeGreaterThanOrEqual(i + 1);
        })),
    );
    expect(count(path, "guesses")).toBe(200);
    expect(count(path, "solves")).toBe(40);
    const requests = batches.slice(1).map((b) => b.requests);
    expect(requests.reduce((a, b) => a + b, 0)).toBe(200);
    expect(requests.length).toBeLessThan(200);
    expect(Math.max(...requests)).toBeGreaterThan(1);
    expect(batches.slice(1).reduce((sum, b) => sum + b.rows, 0)).toBe(240);
    writer.close();
  });

  test("keeps every field of the records it sends as text", async () => {
    const path = database();
    const writer = await thread(path);
    await writer.commit([team(7), { ...guess(1, 7), effectiveAt: 900, flag: "clamped" } as Write]);
    writer.close();
    const db = openConnection(path, { readonly: true });
    expect(db.query("SELECT name, members FROM teams").get()).toEqual({
      name: "Team 7",
      members: '["Ann","Bo"]',
    });
    expect(db.query("SELECT raw, at, effective_at, flag FROM guesses").get()).toEqual({
      raw: "guess 1 ✓",
      at: 1001,
      effective_at: 900,
      flag: "clamped",
    });
    db.close();
  });

  test("a commit with no writes waits for everything queued before it", async () => {
    const path = database();
    const writer = await thread(path);
    const first = writer.commit([team(1)]);
    let firstDone = false;
    void first.then(() => (firstDone = true));
    await writer.commit([]);
    expect(firstDone).toBe(true);
    expect(count(path, "teams")).toBe(1);
    // With nothing queued, it resolves at once.
    await writer.commit([]);
    writer.close();
  });

  test("flush returns once what was queued is on disk, without the event loop", async () => {
    const path = database();
    const writer = await thread(path);
    const committed = writer.commit([team(1), team(2), team(3)]);
    writer.flush();
    expect(count(path, "teams")).toBe(3);
    await committed;
    writer.close();
  });

  test("drain resolves once everything queued is committed", async () => {
    const path = database();
    const writer = await thread(path);
    for (let i = 1; i <= 50; i++) void writer.commit([team(i)]);
    await writer.drain();
    expect(count(path, "teams")).toBe(50);
    writer.close();
  });

  test("rejects every waiter of a failed batch, then refuses all writes", async () => {
    const path = database();
    const failures: Error[] = [];
    const writer = await thread(path, { onFailure: (error) => failures.push(error) });
    await writer.commit([team(1)]);
    // The same id again violates the primary key: the whole batch rolls back.
    const results = await Promise.allSettled([
      writer.commit([team(2)]),
      writer.commit([{ ...team(1), nameKey: "other" } as Write]),
    ]);
    for (const result of results) {
      expect(result.status === "rejected" && result.reason).toBeInstanceOf(CommitError);
    }
    expect(results[1]!.status === "rejected" && (results[1].reason as Error).message).toBe(
      "Cannot save to the database: UNIQUE constraint failed: teams.id",
    );
    expect(count(path, "teams")).toBe(1);
    expect(writer.failed).toBe(true);
    expect(failures).toHaveLength(1);
    await expect(writer.commit([team(3)])).rejects.toBeInstanceOf(CommitError);
    await writer.drain();
    writer.close();
  });

  test("a flush sees a failure the thread has not reported yet", async () => {
    const path = database();
    const writer = await thread(path);
    await writer.commit([team(1)]);
    const failing = writer.commit([team(1)]).then(() => "committed", (error: unknown) => error);
    writer.flush();
    expect(writer.failed).toBe(true);
    expect(await failing).toBeInstanceOf(CommitError);
    writer.close();
  });

  test("close commits what is queued and releases the file: the last close removes the WAL", async () => {
    const path = database();
    const main = openDatabase(path);
    const writer = await thread(path);
    const committed = writer.commit([team(1)]);
    writer.close();
    await committed;
    main.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(count(path, "teams")).toBe(1);
  });

  test("refuses a commit after close instead of leaving it unanswered", async () => {
    const writer = await thread(database());
    writer.close();
    await expect(writer.commit([team(1)])).rejects.toBeInstanceOf(CommitError);
  });

  test("a thread that dies fails the store, and close does not wait for it", async () => {
    const path = database();
    const failures: Error[] = [];
    const writer = await thread(path, { onFailure: (error) => failures.push(error) });
    await writer.commit([team(1)]);
    // What a crash of the thread looks like from the main thread.
    const worker = (writer as unknown as { worker: { terminate(): Promise<unknown> } }).worker;
    await worker.terminate();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(writer.failed).toBe(true);
    expect(failures).toHaveLength(1);
    await expect(writer.commit([team(2)])).rejects.toBeInstanceOf(CommitError);
    await writer.drain();
    writer.close(); // returns at once: the test's own timeout would catch a 30 s wait
    expect(count(path, "teams")).toBe(1);
  });

  test("keeps the earliest of two unlock times, as the main thread does", async () => {
    const path = database();
    const writer = await thread(path);
    await writer.commit([team(1), { kind: "unlock", teamId: 1, puzzle: "p1", at: 500 }]);
    await writer.commit([{ kind: "unlock", teamId: 1, puzzle: "p1", at: 200 }]);
    writer.close();
    const db = openConnection(path, { readonly: true });
    expect(db.query("SELECT at FROM unlocks").get()).toEqual({ at: 200 });
    db.close();
  });

  test("says why it cannot start on a file that is not a database", async () => {
    const path = join(dirs.make("cairn-thread-"), "missing", "cairn.db");
    expect(typeof await startCommitThread(path)).toBe("string");
  });
});

describe("SqliteStore.commitOnThread", () => {
  test("moves the commits to the thread; the store reads what the thread wrote", async () => {
    const path = join(dirs.make("cairn-thread-"), "cairn.db");
    const opened = SqliteStore.open(path);
    if (opened.kind !== "ok") throw new Error("locked");
    const store = opened.store;
    expect(store.commitsOn).toBe("main");
    expect(await store.commitOnThread()).toBeUndefined();
    expect(store.commitsOn).toBe("commit");
    await store.commit([team(1), guess(1, 1)]);
    expect(await store.counts()).toEqual({ guesses: 1, solves: 0 });
    store.setMeta({ hunt_started_at: "5" });
    await store.commit([{ kind: "meta", key: "contact_key", value: "k" }]);
    expect(store.meta("hunt_started_at")).toBe("5");
    expect(store.meta("contact_key")).toBe("k");
    store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  test("the health check is not fooled by the thread's own write lock, but sees a stranger's", async () => {
    const path = join(dirs.make("cairn-thread-"), "cairn.db");
    const opened = SqliteStore.open(path);
    if (opened.kind !== "ok") throw new Error("locked");
    const store = opened.store;
    await store.commitOnThread();
    // A batch big enough to hold the write lock for a while; the check runs all along.
    const committed = store.commit(Array.from({ length: 20_000 }, (_, i) => team(i + 1)));
    await new Promise((resolve) => setImmediate(resolve));
    const problems = new Set<string | undefined>();
    const until = performance.now() + 200;
    while (performance.now() < until) problems.add(store.writeProblem());
    await committed;
    expect([...problems]).toEqual([undefined]);
    // Idle, the lock is probed: another process's transaction is reported.
    const stranger = openConnection(path);
    stranger.exec("BEGIN IMMEDIATE");
    expect(store.writeProblem()).toMatch(/cannot be locked for writing/);
    stranger.exec("ROLLBACK");
    stranger.close();
    expect(store.writeProblem()).toBeUndefined();
    store.close();
  });

  test("an in-memory database keeps its commits on the main thread", async () => {
    const store = SqliteStore.over(openDatabase(":memory:"));
    expect(typeof await store.commitOnThread()).toBe("string");
    expect(store.commitsOn).toBe("main");
    store.close();
  });
});

describe("wantsCommitThread", () => {
  test("only on asks for the thread: auto commits on the main thread, on one CPU or many", () => {
    expect(wantsCommitThread("on")).toBe(true);
    expect(wantsCommitThread("off")).toBe(false);
    expect(wantsCommitThread("auto")).toBe(false);
  });
});
