// Where the commit runs: the main thread or the commit thread, with the server
// pinned to one CPU or free to use every CPU, under the same durable guess
// load as bench/load/run.ts (2,000 teams, 1M older guesses, 9 wrong : 1
// right, wrk with 64 connections on CPU 1). The four setups alternate on one
// seeded database in short rounds; it prints each one's median req/s, and per
// request the CPU time of the server's main thread and of its commit thread
// (from /proc/PID/task/*/stat), with the commits' batch sizes and durations
// from /metrics.
//
// There is no bare baseline here: the four setups are each other's baseline,
// measured side by side. Loopback only; every run is bounded in time.
// Usage: bun bench/load/commit_thread.ts [--rounds 5] [--seconds 4] [--history 1000000]
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildBinary, freePort } from "../../test/_binary.ts";
import { toolArgs } from "../_args.ts";
import { generateHunt } from "../_generate.ts";
import { routeRequests, writeScript } from "./_wrk.ts";
import { seed } from "./seed.ts";

const USAGE = `Usage: bun bench/load/commit_thread.ts [options]

Where the commit runs (main thread or commit thread, one CPU or two) under the
load test's durable guesses, side by side.

Options:
  --rounds N     rounds of the four setups (default 5)
  --seconds S    length of each wrk run (default 4)
  --history N    older guesses seeded (default 1000000)
  --help         this text`;

const { values } = toolArgs(USAGE, () =>
  parseArgs({
    options: {
      rounds: { type: "string", default: "5" },
      seconds: { type: "string", default: "4" },
      history: { type: "string", default: "1000000" },
    },
  }));
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);

for (const tool of ["wrk", "taskset"]) {
  if (Bun.which(tool) === null) {
    console.error(`bench/load/commit_thread.ts needs ${tool}: apt-get install -y wrk util-linux`);
    process.exit(2);
  }
}

const SETUPS = [
  { name: "one CPU, main thread", cpus: "0", thread: "off" },
  { name: "one CPU, commit thread", cpus: "0", thread: "on" },
  { name: "two CPUs, main thread", cpus: "0,1", thread: "off" },
  { name: "two CPUs, commit thread", cpus: "0,1", thread: "on" },
] as const;

interface Round {
  rps: number;
  mainUs: number;
  commitUs: number;
  batch: number;
  commitMs: number;
}

const dir = mkdtempSync(join(tmpdir(), "cairn-commit-thread-"));
try {
  const binary = await buildBinary();
  const huntText = generateHunt(200, { guessLimit: '{ count = 1000000, per = "1m" }' });
  const huntPath = join(dir, "load.toml");
  writeFileSync(huntPath, huntText);
  const dbPath = join(dir, "load.db");
  const teams = await seed(huntText, {
    dbPath,
    teams: 2000,
    password: "load-test-password",
    history: Number(values.history),
  });
  // The load test's guess mix: each team's wrong guesses, and one right guess in ten.
  const script = writeScript(dir, "guesses", routeRequests("guesses", teams));

  const results = new Map<string, Round[]>();
  for (let round = 0; round < rounds; round++) {
    for (const setup of SETUPS) {
      const result = await measure(binary, { huntPath, dbPath, script, ...setup });
      results.set(setup.name, [...(results.get(setup.name) ?? []), result]);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const rows = [...results].map(([name, runs]) => ({
    setup: name,
    "req/s (median)": Math.round(median(runs.map((r) => r.rps))),
    "rounds": runs.map((r) => Math.round(r.rps)).join(" "),
    "main thread µs/req": Number(median(runs.map((r) => r.mainUs)).toFixed(1)),
    "commit thread µs/req": Number(median(runs.map((r) => r.commitUs)).toFixed(1)),
    "requests/commit": Number(median(runs.map((r) => r.batch)).toFixed(1)),
    "ms/commit": Number(median(runs.map((r) => r.commitMs)).toFixed(2)),
  }));
  console.log(`${rounds} rounds of ${seconds} s, ${values.history} older guesses, wrk on CPU 1`);
  console.table(rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** One setup for one round: starts the binary, loads it, reads its threads' CPU and metrics. */
async function measure(
  binary: string,
  run: { huntPath: string; dbPath: string; script: string; cpus: string; thread: string },
): Promise<Round> {
  const port = freePort();
  const server = Bun.spawn([
    ...["taskset", "-c", run.cpus, binary, "serve"],
    ...["--hunt", run.huntPath, "--db", run.dbPath, "--host", "127.0.0.1", "--port", String(port)],
    ...["--admin-token", "load-test-admin-token", "--log-level", "warn"],
    ...["--commit-thread", run.thread],
  ], { stdout: "ignore", stderr: "inherit" });
  try {
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error("the server did not start within 30 s");
      await Bun.sleep(50);
    }
    const before = threadTicks(server.pid);
    const wrk = Bun.spawn(
      ["taskset", "-c", "1", "wrk", "-t1", "-c64", `-d${seconds}s`, "-s", run.script, base],
      { stdout: "pipe", stderr: "pipe" },
    );
    const out = await new Response(wrk.stdout).text();
    const after = threadTicks(server.pid);
    const rps = Number(/Requests\/sec:\s+(\S+)/.exec(out)?.[1]);
    if (!Number.isFinite(rps)) throw new Error(`cannot read wrk's output:\n${out}`);
    const requests = rps * seconds;
    // Ticks are 10 ms of CPU; the main thread's id is the process's.
    const cpuUs = (pick: (id: string, name: string) => boolean) => {
      let ticks = 0;
      for (const [id, t] of after) {
        if (pick(id, t.name)) ticks += t.ticks - (before.get(id)?.ticks ?? 0);
      }
      return (ticks * 10_000) / requests;
    };
    const metrics = await (await fetch(`${base}/metrics`, {
      headers: { authorization: "Bearer load-test-admin-token" },
    })).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metrics)?.[1]);
    const commits = value("cairn_commit_duration_seconds_count");
    return {
      rps,
      mainUs: cpuUs((id) => id === String(server.pid)),
      commitUs: cpuUs((_, name) => name === "Worker"),
      batch: value("cairn_commit_batch_requests_sum") / commits,
      commitMs: (value("cairn_commit_duration_seconds_sum") * 1000) / commits,
    };
  } finally {
    server.kill("SIGTERM");
    await server.exited;
  }
}

/** Each thread's name and CPU ticks (user + system) so far. */
function threadTicks(pid: number): Map<string, { name: string; ticks: number }> {
  const threads = new Map<string, { name: string; ticks: number }>();
  for (const id of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${id}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const name = readFileSync(`/proc/${pid}/task/${id}/comm`, "utf8").trim();
    threads.set(id, { name, ticks: Number(fields[11]) + Number(fields[12]) });
  }
  return threads;
}
