// Group-commit throughput on a real file (WAL, synchronous=FULL): C concurrent
// requests, each committing one wrong guess (1 row) for a random team and
// puzzle and waiting for it, for T seconds; then the same load with one
// transaction per request, as the baseline that group commit improves on.
// With --history N the file first holds N older guesses, as late in an event,
// which is where the cost of each index shows. Besides time, it counts the
// pages each commit writes to the WAL (automatic checkpoints are off while it
// measures), a figure that does not depend on how busy the machine is. A
// third run commits as the server does on its main thread, with its
// checkpoints and the WAL synced by the writer off the main thread
// (store/writer.ts), for the p99 and the rows per second that a served event
// sees (its page count is not shown: checkpoints restart the WAL; its time
// per row runs until the sync ends), and a fourth commits on the commit
// thread (store/commit_thread.ts, `serve --commit-thread on`).
// Usage: bun bench/commit.ts [--concurrency 64] [--seconds 5] [--history 1000000] [--teams 2000]
import { mkdtempSync, realpathSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { toolArgs } from "./_args.ts";
import type { Write } from "../src/engine/mod.ts";
import {
  type BatchStats,
  type Committer,
  openDatabase,
  walFile,
  Writer,
} from "../src/store/mod.ts";
import { startCommitThread } from "../src/store/commit_thread.ts";

const USAGE = `Usage: bun bench/commit.ts [options]

Group-commit throughput on a real file: concurrent requests each committing
one wrong guess, against one transaction per request, the server's writer and
the commit thread.

Options:
  --concurrency N  concurrent requests (default 64)
  --seconds S      length of each run (default 5)
  --history N      older guesses on file first (default 0)
  --teams N        teams (default 2000)
  --help           this text`;

const { values } = toolArgs(USAGE, () =>
  parseArgs({
    options: {
      concurrency: { type: "string", default: "64" },
      seconds: { type: "string", default: "5" },
      history: { type: "string", default: "0" },
      teams: { type: "string", default: "2000" },
    },
  }));
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
const history = Number(values.history);
const teams = Number(values.teams);
const PUZZLES = 200;

/** A database with `teams` teams and `history` older guesses, built unsynced. */
function prepare(path: string): void {
  const db = openDatabase(path);
  db.exec("PRAGMA synchronous = OFF");
  const team = db.prepare(
    "INSERT INTO teams (id, name, name_key, password_hash, created_at) VALUES (?, ?, ?, 'x', 0)",
  );
  const guess = db.prepare(
    "INSERT INTO guesses (id, team_id, puzzle, raw, normalized, result, at) VALUES (?, ?, ?, 'old', 'OLD', 'incorrect', ?)",
  );
  db.transaction(() => {
    for (let t = 1; t <= teams; t++) team.run(t, `Team ${t}`, `team ${t}`);
    let state = 7;
    for (let i = 1; i <= history; i++) {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      guess.run(i, 1 + (state % teams), `p${state % PUZZLES}`, i);
    }
  })();
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}

async function measure(grouped: boolean, served = false, thread = false) {
  const dir = mkdtempSync(join(tmpdir(), "cairn-commit-"));
  const path = join(dir, "bench.db");
  prepare(path);
  const db = openDatabase(path);
  const pageSize = (db.query("PRAGMA page_size").get() as { page_size: number }).page_size;
  if (!served) db.exec("PRAGMA wal_autocheckpoint = 0");
  const batches: BatchStats[] = [];
  const options = { onBatch: (stats: BatchStats) => batches.push(stats) };
  const started = thread ? await startCommitThread(path, options) : undefined;
  if (typeof started === "string") throw new Error(`no commit thread: ${started}`);
  const writer: Committer = started ??
    new Writer(db, {
      ...options,
      ...(!served && { checkpointMs: 0 }),
      // As served: the writer syncs the WAL itself (SqliteStore does the same).
      ...(served && { wal: walFile(`${realpathSync(path)}-wal`) }),
    });
  let id = history;
  let state = 11;
  const guess = (): Write => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return {
      kind: "guess",
      id: ++id,
      teamId: 1 + (state % teams),
      puzzle: `p${state % PUZZLES}`,
      raw: "a wrong guess",
      normalized: "AWRONGGUESS",
      result: "incorrect",
      extraUsed: false,
      at: Date.now(),
    };
  };
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let requests = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const done = writer.commit([guess()]);
      // Without grouping, each request's transaction is committed on its own, at once.
      if (!grouped) writer.flush();
      await done;
      latencies.push(performance.now() - started);
      requests++;
    }
  };
  const begun = performance.now();
  await Promise.all(Array.from({ length: grouped ? concurrency : 1 }, worker));
  const elapsed = (performance.now() - begun) / 1000;
  // Each WAL frame is one page plus a 24-byte header, after the file's 32-byte header.
  const frames = (statSync(`${path}-wal`).size - 32) / (pageSize + 24);
  writer.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const rows = batches.reduce((sum, b) => sum + b.rows, 0);
  const inTransaction = batches.reduce((sum, b) => sum + b.ms, 0);
  return {
    mode: thread
      ? `commit thread, ${concurrency} concurrent, checkpoints as served`
      : served
      ? `group commit, ${concurrency} concurrent, as served (WAL synced off the main thread)`
      : grouped
      ? `group commit, ${concurrency} concurrent`
      : "one transaction per request",
    "requests/s": Math.round(requests / elapsed),
    "rows/s": Math.round(rows / elapsed),
    "commits/s": Math.round(batches.length / elapsed),
    "rows/commit": Number((rows / batches.length).toFixed(1)),
    "µs/row in commit": Math.round((inTransaction * 1000) / rows),
    "WAL pages/commit": served ? "-" : Number((frames / batches.length).toFixed(1)),
    "p50 ms": Number(latencies[Math.floor(latencies.length / 2)]!.toFixed(2)),
    "p99 ms": Number(latencies[Math.floor(latencies.length * 0.99)]!.toFixed(2)),
  };
}

console.log(`${history} older guesses, ${teams} teams, ${PUZZLES} puzzles`);
console.table([
  await measure(false),
  await measure(true),
  await measure(true, true),
  await measure(true, true, true),
]);
