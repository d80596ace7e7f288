// Time from exec to the first 200 from /healthz, for the compiled binary
// (run ./compile.sh first) or `bun src/main.ts`. Median of N runs.
// Usage: bun bench/startup.ts [--runs 10] [--source]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { toolArgs } from "./_args.ts";
import { BINARY, freePort, waitFor } from "../test/_binary.ts";

const USAGE = `Usage: bun bench/startup.ts [options]

Time from exec to the first 200 from /healthz, for the compiled binary
(./compile.sh first) or bun src/main.ts. Median of N runs.

Options:
  --runs N       runs (default 10)
  --source       time bun src/main.ts instead of dist/cairn
  --help         this text`;

const { values } = toolArgs(USAGE, () =>
  parseArgs({
    options: { runs: { type: "string", default: "10" }, source: { type: "boolean" } },
  }));
const runs = Number(values.runs);
const command = values.source
  ? [process.execPath, join(import.meta.dir, "..", "src", "main.ts")]
  : [BINARY];

const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), "cairn-startup-"));
  const port = freePort();
  const start = performance.now();
  const proc = Bun.spawn(
    [...command, "serve", "--host", "127.0.0.1", "--port", String(port), "--db", join(dir, "c.db")],
    { stdout: "ignore", stderr: "inherit" },
  );
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  times.push(performance.now() - start);
  proc.kill("SIGTERM");
  await proc.exited;
  rmSync(dir, { recursive: true, force: true });
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
console.log(
  `${values.source ? "bun src/main.ts" : "dist/cairn"}: start to ready, median of ${runs}: ` +
    `${median.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)})`,
);
