// What the shared PostgreSQL log costs: durable guesses per second for one node
// on SQLite, one node on PostgreSQL and three nodes on PostgreSQL, each as a
// ratio to a bare Hono echo measured in the same run, in alternating rounds;
// the p99 of each at half its own maximum; and how long a node takes to read
// 100,000 log rows at start.
//
// On one machine this shows overhead, not scaling: the nodes, PostgreSQL and
// the load generator share the same cores, so three nodes cannot beat one.
// Every guess is wrong on a puzzle with no guess limit, so each one is judged
// and made durable (SQLite: WAL with FULL sync; PostgreSQL: fsync on).
// Loopback only, bounded in time. Needs wrk and hey (`npm run bench:load`'s
// setup installs them) and PostgreSQL's server (`sh scripts/setup.sh`).
// Usage: bun bench/pg.ts [--rounds 3] [--seconds 3] [--connections 48] [--rows 100000]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { toolArgs } from "./_args.ts";
import { answers, type Child, describeServing, startChild, untilServing } from "./_child.ts";
import type { Write } from "../src/engine/mod.ts";
import { PgStore } from "../src/store/pg.ts";
import { freePort } from "../test/_binary.ts";
import { startPg } from "../test/_pg.ts";
import { teamWrite } from "../test/store/_writes.ts";

const USAGE = `Usage: bun bench/pg.ts [options]

What the shared PostgreSQL log costs: durable guesses per second for one node
on SQLite, one node and three nodes on PostgreSQL, each against a bare echo,
and how long a node takes to read the log at start. Needs wrk, hey and
PostgreSQL's server.

Options:
  --rounds N       alternated rounds (default 3)
  --seconds S      length of each run (default 3)
  --connections N  wrk's connections (default 48)
  --rows N         log rows a starting node reads (default 100000)
  --help           this text`;

const { values } = toolArgs(USAGE, () =>
  parseArgs({
    options: {
      rounds: { type: "string", default: "3" },
      seconds: { type: "string", default: "3" },
      connections: { type: "string", default: "48" },
      rows: { type: "string", default: "100000" },
    },
  }));
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const catchUpRows = Number(values.rows);

for (const tool of ["wrk", "hey"]) {
  if (Bun.which(tool) === null) {
    console.error(`bench/pg.ts needs ${tool}: sh scripts/setup.sh --bench installs it`);
    process.exit(1);
  }
}

const ROOT = join(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "cairn-bench-pg-"));
const hunt = join(dir, "hunt.toml");
writeFileSync(
  hunt,
  `[hunt]\ntitle = "Bench"\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nanswer = ["never guessed"]\n` +
    `guess_limit = { count = 1000000, per = "1s" }\n`,
);
const ADMIN = "bench-admin-token";
const children: Child["proc"][] = [];

/** A server that exited before it served, or never answered: the run cannot go on. */
class NotServing extends Error {}

/** Starts a process and remembers it, to stop it at the end. */
function spawn(cmd: string[]): Child {
  const child = startChild(cmd);
  children.push(child.proc);
  return child;
}

/** Waits until `child` answers `url`; throws NotServing, with one line on why, if it never does. */
async function serving(child: Child, name: string, url: string, timeoutMs: number): Promise<void> {
  const outcome = await untilServing(child, answers(url), { timeoutMs });
  if (outcome.kind !== "serving") throw new NotServing(describeServing(name, outcome));
}

/** A Cairn node on `db` (a file or a URL); resolves with its base URL once it serves. */
async function node(db: string, name: string): Promise<string> {
  const port = freePort();
  const child = spawn([
    process.execPath,
    join(ROOT, "src", "main.ts"),
    "serve",
    ...["--hunt", hunt, "--db", db, "--files", join(dir, "files"), "--host", "127.0.0.1"],
    ...["--port", String(port), "--admin-token", ADMIN, "--log-level", "error"],
  ]);
  const base = `http://127.0.0.1:${port}`;
  await serving(child, `node ${name}`, `${base}/healthz`, 30_000);
  return base;
}

/** The bare Hono echo (bench/load/bare.ts) on this runtime. */
async function echo(): Promise<string> {
  const port = freePort();
  const payloads = join(dir, "payloads.json");
  writeFileSync(payloads, JSON.stringify({ scoreboard: "{}", puzzles: {}, puzzle: {} }));
  const child = spawn([
    process.execPath,
    join(ROOT, "bench", "load", "bare.ts"),
    String(port),
    payloads,
  ]);
  const base = `http://127.0.0.1:${port}`;
  await serving(child, "the echo", `${base}/api/scoreboard`, 10_000);
  return base;
}

/** A team's session on a node, for the load. */
async function token(base: string, name: string): Promise<string> {
  const res = await fetch(`${base}/api/teams`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password: "bench-password" }),
  });
  if (res.status !== 201) throw new Error(`register on ${base}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** wrk's script: POST a wrong guess with the team's token. */
function script(session: string): string {
  const path = join(dir, `guess-${session.slice(0, 8)}.lua`);
  writeFileSync(
    path,
    `wrk.method = "POST"\nwrk.path = "/api/puzzles/p/guesses"\n` +
      `wrk.body = '{"answer":"a steady wrong guess"}'\n` +
      `wrk.headers["Content-Type"] = "application/json"\n` +
      `wrk.headers["Authorization"] = "Bearer ${session}"\n`,
  );
  return path;
}

/** Requests per second over all `bases` at once, `connections` spread over them. */
async function throughput(targets: { base: string; script: string }[]): Promise<number> {
  const each = Math.max(1, Math.floor(connections / targets.length));
  const runs = targets.map(async ({ base, script }) => {
    const proc = Bun.spawn(
      ["wrk", "-t1", `-c${each}`, `-d${seconds}s`, "-s", script, base],
      { stdout: "pipe", stderr: "pipe" },
    );
    const out = await new Response(proc.stdout).text();
    await proc.exited;
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    if (non2xx > 0) console.error(`warning: ${non2xx} non-2xx answers from ${base}`);
    return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  });
  return (await Promise.all(runs)).reduce((a, b) => a + b, 0);
}

/** The p99 (ms) of guesses sent at `rate` per second in all, spread over the targets. */
async function p99At(targets: { base: string; token: string }[], rate: number): Promise<number> {
  const workers = 8;
  const runs = targets.map(async ({ base, token }) => {
    const perWorker = Math.max(1, Math.round(rate / targets.length / workers));
    const proc = Bun.spawn([
      "hey",
      ...["-z", "8s", "-c", String(workers), "-q", String(perWorker)],
      ...["-m", "POST", "-T", "application/json", "-H", `Authorization: Bearer ${token}`],
      ...["-d", JSON.stringify({ answer: "a steady wrong guess" })],
      `${base}/api/puzzles/p/guesses`,
    ], { stdout: "pipe", stderr: "pipe" });
    const out = await new Response(proc.stdout).text();
    await proc.exited;
    return Number(/99% in ([\d.]+) secs/.exec(out)?.[1]) * 1000;
  });
  return Math.max(...await Promise.all(runs));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const pg = await startPg();
try {
  const echoBase = await echo();
  const echoScript = script("echo-no-session");
  const configs: { name: string; bases: string[] }[] = [];
  configs.push({ name: "1 node, SQLite", bases: [await node(join(dir, "cairn.db"), "sqlite")] });
  const one = await pg.createDatabase("one");
  configs.push({ name: "1 node, PostgreSQL", bases: [await node(one, "pg-1")] });
  const three = await pg.createDatabase("three");
  const bases: string[] = [];
  for (let i = 0; i < 3; i++) bases.push(await node(three, `pg-3-${i}`));
  configs.push({ name: "3 nodes, PostgreSQL", bases });

  const rows = [];
  for (const config of configs) {
    const session = await token(config.bases[0]!, `Bench ${config.name}`);
    // Every node knows the session at once: it is in the log before the answer.
    const targets = config.bases.map((base) => ({ base, script: script(session), token: session }));
    const ratios: number[] = [];
    const rates: number[] = [];
    const echoes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const e = await throughput([{ base: echoBase, script: echoScript }]);
      const t = await throughput(targets);
      echoes.push(e);
      rates.push(t);
      ratios.push(t / e);
    }
    const rate = median(rates);
    const p99 = await p99At(targets, rate / 2);
    rows.push({
      setup: config.name,
      "guesses/s": Math.round(rate),
      "echo req/s": Math.round(median(echoes)),
      ratio: median(ratios).toFixed(3),
      "p99 ms at half load": p99.toFixed(1),
    });
  }
  console.table(rows);

  // Catch-up: a log of `catchUpRows` rows (teams, then guesses), read by a starting node.
  const big = await pg.createDatabase("catchup");
  const writes: Write[] = [];
  const teams = 1_000;
  for (let id = 1; id <= teams; id++) writes.push({ ...teamWrite(id), at: 1_000 + id });
  for (let id = 1; writes.length < catchUpRows; id++) {
    writes.push({
      kind: "guess",
      id,
      teamId: 1 + (id % teams),
      puzzle: "p",
      raw: `guess ${id}`,
      normalized: `GUESS ${id}`,
      result: "incorrect",
      extraUsed: false,
      at: 10_000 + id,
    });
  }
  await PgStore.importLog(big, writes);
  const started = performance.now();
  const store = await PgStore.open(big, { filesDir: join(dir, "files") });
  const readMs = performance.now() - started;
  store.close();
  const bootStarted = performance.now();
  await node(big, "catch-up");
  const bootMs = performance.now() - bootStarted;
  console.log(
    `catch-up: ${writes.length} log rows read into memory in ${Math.round(readMs)} ms ` +
      `(${Math.round(writes.length / (readMs / 1000))} rows/s); a node started on them serves ` +
      `after ${Math.round(bootMs)} ms`,
  );
} catch (error) {
  if (!(error instanceof NotServing)) throw error;
  console.error(`bench/pg.ts: ${error.message}`);
  process.exitCode = 1;
} finally {
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((child) => child.exited));
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
