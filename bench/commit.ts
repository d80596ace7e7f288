// Group-commit throughput on a real file (WAL, synchronous=FULL): C concurrent
// requests, each committing one guess (1 row) and waiting for it, for T
// seconds; then the same load with one transaction per request, as the
// baseline that group commit improves on.
// Usage: bun bench/commit.ts [--concurrency 64] [--seconds 5]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Write } from "../src/engine/mod.ts";
import { type BatchStats, openDatabase, Writer } from "../src/store/mod.ts";

const { values } = parseArgs({
  options: {
    concurrency: { type: "string", default: "64" },
    seconds: { type: "string", default: "5" },
  },
});
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);

async function measure(grouped: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "cairn-commit-"));
  const db = openDatabase(join(dir, "bench.db"));
  const batches: BatchStats[] = [];
  const writer = new Writer(db, { onBatch: (stats) => batches.push(stats) });
  await writer.commit([
    {
      kind: "team",
      id: 1,
      name: "T",
      nameKey: "t",
      passwordHash: "x",
      division: null,
      members: [],
      at: 0,
    },
  ]);
  batches.length = 0;
  let id = 0;
  const guess = (): Write => ({
    kind: "guess",
    id: ++id,
    teamId: 1,
    puzzle: "p",
    raw: "a wrong guess",
    normalized: "AWRONGGUESS",
    result: "incorrect",
    extraUsed: false,
    at: Date.now(),
  });
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
  const started = performance.now();
  await Promise.all(Array.from({ length: grouped ? concurrency : 1 }, worker));
  const elapsed = (performance.now() - started) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const rows = batches.reduce((sum, b) => sum + b.rows, 0);
  return {
    mode: grouped ? `group commit, ${concurrency} concurrent` : "one transaction per request",
    "requests/s": Math.round(requests / elapsed),
    "rows/s": Math.round(rows / elapsed),
    "commits/s": Math.round(batches.length / elapsed),
    "rows/commit": Number((rows / batches.length).toFixed(1)),
    "p50 ms": Number(latencies[Math.floor(latencies.length / 2)]!.toFixed(2)),
    "p99 ms": Number(latencies[Math.floor(latencies.length * 0.99)]!.toFixed(2)),
  };
}

console.table([await measure(false), await measure(true)]);
