// Compares Cairn builds side by side under one route of the HTTP load test,
// for a change's before and after in the same run. Each build is a command
// that runs Cairn (a compiled binary, or `bun /path/to/worktree/src/main.ts`); it
// gets its own copy of one seeded database (bench/load/seed.ts: the load
// test's teams, hunt and older guesses) and is pinned to CPU 0, as is the
// bare Hono baseline (bare.ts), with wrk on CPU 1. Every build and the
// baseline take turns in rounds, in an order that flips each round, so drift
// in the machine's load falls on all of them. It prints, per build, the
// median req/s, the median of the per-round ratios to the baseline, the CPU
// time per request (all threads, from /proc) and the main thread's part of it,
// and for guesses the commits' average batch (from /metrics).
//
// A build's command is split at spaces; `env VAR=value COMMAND` runs it with
// a variable set. Loopback only; every run is bounded in time.
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort, waitFor } from "../../test/_binary.ts";
import { generateHunt } from "../_generate.ts";
import {
  fetchPayloads,
  median,
  type Payloads,
  type Route,
  routeRequests,
  ROUTES,
  type Run,
  runWrk,
  writeScript,
} from "./_wrk.ts";
import { seed } from "./seed.ts";

export const USAGE = `Usage: bun bench/load/ab.ts [options] NAME=COMMAND [NAME=COMMAND ...]

Runs each COMMAND as \`COMMAND serve …\` on its own copy of one seeded
database, and alternates them with a bare Hono baseline under one route's
load. COMMAND is split at spaces: \`before=/tmp/cairn-before\`,
\`after="env MIMALLOC_PURGE_DELAY=-1 dist/cairn"\`, or from a worktree's source
\`branch="bun /path/to/worktree/src/main.ts"\` (an absolute path: every build
starts in this folder; \`bun\` is the Bun that runs this tool).

Options:
  --route R        guesses (default; the baseline is a JSON echo), puzzles,
                   puzzle or scoreboard (the baseline serves the same bytes)
  --rounds N       rounds of every build and the baseline (default 7)
  --seconds S      length of each wrk run (default 3)
  --teams N        seeded teams (default 2000)
  --history N      older guesses seeded (default 1000000)
  --connections N  wrk's connections (default 64)
  --unpinned       let the servers use every CPU (wrk stays on CPU 1)
  --baseline RT    the runtime of the bare Hono baseline: bun (default) or
                   deno, to compare Cairn on Deno with its own runtime's
                   baseline (name such a build
                   \`deno="deno run -A /path/to/src/main.ts"\`; \`deno\` is
                   node_modules' Deno)
  --help           this text`;

/** npm's pinned Deno (its native binary: the `.bin` entry is a script for Node). */
const DENO = join(import.meta.dir, "..", "..", "node_modules", "deno", "deno");

/** A build under test: its name in the report, and the command that runs Cairn. */
export interface Build {
  name: string;
  command: string[];
}

/** A mistake in the command line, reported with the usage. */
export class UsageError extends Error {}

/** The builds named on the command line (`NAME=COMMAND`). */
export function parseBuilds(args: readonly string[]): Build[] {
  if (args.length === 0) throw new UsageError("name at least one build: NAME=COMMAND");
  const builds: Build[] = [];
  for (const arg of args) {
    const eq = arg.indexOf("=");
    const name = eq === -1 ? "" : arg.slice(0, eq);
    const command = arg.slice(eq + 1).split(" ").filter(Boolean);
    if (!/^[\w.-]+$/.test(name) || command.length === 0) {
      throw new UsageError(`"${arg}" is not NAME=COMMAND (a name of letters, digits, . _ -)`);
    }
    if (name === "baseline" || builds.some((b) => b.name === name)) {
      throw new UsageError(`the name "${name}" is taken: give each build its own`);
    }
    // `bun` is this Bun, which may not be on PATH (npm's pinned Bun is in node_modules), and
    // `deno` npm's pinned Deno.
    if (command[0] === "bun") command[0] = process.execPath;
    if (command[0] === "deno") command[0] = DENO;
    builds.push({ name, command });
  }
  return builds;
}

/** The options, or a UsageError. */
export function parseOptions(argv: readonly string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        route: { type: "string", default: "guesses" },
        rounds: { type: "string", default: "7" },
        seconds: { type: "string", default: "3" },
        teams: { type: "string", default: "2000" },
        history: { type: "string", default: "1000000" },
        connections: { type: "string", default: "64" },
        unpinned: { type: "boolean", default: false },
        baseline: { type: "string", default: "bun" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const count = (name: string, min: number) => {
    const value = Number(values[name as keyof typeof values]);
    if (!Number.isInteger(value) || value < min) {
      throw new UsageError(`--${name} must be a whole number of at least ${min}`);
    }
    return value;
  };
  const route = values.route as Route;
  if (!ROUTES.includes(route)) {
    throw new UsageError(`--route must be one of ${ROUTES.join(", ")}, not "${values.route}"`);
  }
  const baseline = values.baseline as string;
  if (baseline !== "bun" && baseline !== "deno") {
    throw new UsageError(`--baseline must be bun or deno, not "${baseline}"`);
  }
  return {
    help: values.help,
    baseline: baseline as "bun" | "deno",
    route,
    rounds: count("rounds", 1),
    seconds: count("seconds", 1),
    teams: count("teams", 1),
    history: count("history", 0),
    connections: count("connections", 1),
    unpinned: values.unpinned,
    builds: values.help ? [] : parseBuilds(positionals),
  };
}

const ADMIN_TOKEN = "load-test-admin-token";

/** The commits' batches so far, from a Cairn's /metrics: how many, and their requests in all. */
async function batches(port: number): Promise<{ count: number; requests: number }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  if (!res.ok) return { count: NaN, requests: NaN };
  const text = await res.text();
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1]);
  return {
    count: value("cairn_commit_batch_requests_count"),
    requests: value("cairn_commit_batch_requests_sum"),
  };
}

/** Waits until `url` answers, or fails at once if the process exits first. */
async function started(
  proc: ReturnType<typeof Bun.spawn>,
  name: string,
  url: string,
  timeoutMs: number,
): Promise<void> {
  const exited = proc.exited.then((code) => {
    throw new Error(`${name} exited with ${code} before it answered`);
  });
  exited.catch(() => {});
  await Promise.race([waitFor(url, timeoutMs), exited]);
}

async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`ab.ts: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  for (const build of options.builds) {
    const program = build.command[0]!;
    if (Bun.which(program) === null && !existsSync(program)) {
      console.error(`ab.ts: ${build.name}: cannot find "${program}"`);
      return 2;
    }
  }
  for (const tool of ["wrk", "taskset"]) {
    if (Bun.which(tool) === null) {
      console.error(
        `bench/load/ab.ts needs ${tool}: install it with \`apt-get install -y wrk\` (taskset is in util-linux)`,
      );
      return 2;
    }
  }

  const pin = (cpu: string) => options.unpinned && cpu === "0" ? [] : ["taskset", "-c", cpu];
  const dir = mkdtempSync(join(tmpdir(), "cairn-ab-"));
  const processes: ReturnType<typeof Bun.spawn>[] = [];
  try {
    const huntPath = join(dir, "load.toml");
    const huntText = generateHunt(200, { guessLimit: '{ count = 1000000, per = "1m" }' });
    writeFileSync(huntPath, huntText);
    const seedPath = join(dir, "seed.db");
    console.log(`seeding ${options.teams} teams and ${options.history} older guesses …`);
    const seeded = await seed(huntText, {
      dbPath: seedPath,
      teams: options.teams,
      password: "load-test-password",
      history: options.history,
    });

    const targets: { name: string; port: number; pid: number; cairn: boolean }[] = [];
    for (const build of options.builds) {
      const db = join(dir, `build-${build.name}.db`);
      copyFileSync(seedPath, db);
      if (existsSync(`${seedPath}-wal`)) copyFileSync(`${seedPath}-wal`, `${db}-wal`);
      const port = freePort();
      const proc = Bun.spawn([
        ...pin("0"),
        ...build.command,
        "serve",
        ...["--hunt", huntPath, "--db", db, "--host", "127.0.0.1", "--port", String(port)],
        ...["--admin-token", ADMIN_TOKEN, "--log-level", "warn"],
      ], { stdout: "ignore", stderr: "inherit" });
      processes.push(proc);
      await started(proc, build.name, `http://127.0.0.1:${port}/healthz`, 60_000);
      targets.push({ name: build.name, port, pid: proc.pid, cairn: true });
      console.log(`started ${build.name} (pid ${proc.pid})`);
    }

    // The baseline serves the first build's bytes (the same for every build of one hunt); for
    // guesses it echoes, and needs none. Every build is asked for them, so all warm up alike.
    const payloadsPath = join(dir, "payloads.json");
    let payloads: Payloads = { scoreboard: "", puzzles: {}, puzzle: {} };
    if (options.route !== "guesses") {
      for (const t of targets) {
        const fetched = await fetchPayloads(`http://127.0.0.1:${t.port}`, seeded);
        if (t === targets[0]) payloads = fetched;
      }
    }
    writeFileSync(payloadsPath, JSON.stringify(payloads));
    const barePort = freePort();
    const bare = Bun.spawn(
      [
        ...pin("0"),
        ...(options.baseline === "deno" ? [DENO, "run", "-A"] : [process.execPath]),
        join(import.meta.dir, "bare.ts"),
        String(barePort),
        payloadsPath,
      ],
      { stdout: "ignore", stderr: "inherit" },
    );
    processes.push(bare);
    await started(bare, "the baseline", `http://127.0.0.1:${barePort}/healthz`, 30_000);
    targets.push({ name: "baseline", port: barePort, pid: bare.pid, cairn: false });

    const script = writeScript(dir, options.route, routeRequests(options.route, seeded));
    const run = (t: (typeof targets)[number], seconds: number) =>
      runWrk({
        port: t.port,
        pid: t.pid,
        script,
        seconds,
        connections: options.connections,
        pin: pin("1"),
      });
    // Short warm-ups, so that no side is measured while its JIT is cold.
    for (const t of targets) await run(t, 1);
    const before = new Map<string, { count: number; requests: number }>();
    for (const t of targets) if (t.cairn) before.set(t.name, await batches(t.port));

    const runs = new Map<string, Run[]>(targets.map((t) => [t.name, []]));
    for (let r = 0; r < options.rounds; r++) {
      const order = r % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) runs.get(t.name)!.push(await run(t, options.seconds));
      console.log(`round ${r + 1} of ${options.rounds} done`);
    }

    const baseline = runs.get("baseline")!;
    const rows = [];
    for (const t of targets) {
      const own = runs.get(t.name)!;
      let batch = "";
      if (t.cairn && options.route === "guesses") {
        const start = before.get(t.name)!;
        const end = await batches(t.port);
        const count = end.count - start.count;
        const average = (end.requests - start.requests) / count;
        batch = count > 0 && Number.isFinite(average) ? average.toFixed(1) : "-";
      }
      rows.push({
        build: t.name,
        "req/s": Math.round(median(own.map((x) => x.rps))),
        ratio: median(own.map((x, i) => x.rps / baseline[i]!.rps)).toFixed(3),
        "CPU µs/req (system)": `${median(own.map((x) => x.cpuUs)).toFixed(1)} (${
          median(own.map((x) => x.systemUs)).toFixed(1)
        })`,
        "CPU ratio": median(own.map((x, i) => baseline[i]!.cpuUs / x.cpuUs)).toFixed(3),
        "main thread µs/req": median(own.map((x) => x.mainUs)).toFixed(1),
        "CPUs busy: server, wrk": `${median(own.map((x) => x.serverBusy)).toFixed(2)}, ${
          median(own.map((x) => x.clientBusy)).toFixed(2)
        }`,
        "p99 ms": median(own.map((x) => x.p99)).toFixed(2),
        errors: own.reduce((a, x) => a + x.errors, 0),
        batch,
      });
    }
    console.log(
      `\n${options.route}: ${options.rounds} rounds of ${options.seconds} s, ${options.connections} connections, ` +
        `servers ${
          options.unpinned ? "unpinned" : "on CPU 0"
        }, wrk on CPU 1, the baseline on ${options.baseline}; medians, ratios to the baseline round by round`,
    );
    console.table(rows);
    return 0;
  } finally {
    for (const proc of processes) proc.kill("SIGTERM");
    // A server that ignores SIGTERM for 5 s is killed.
    const stuck = setTimeout(() => processes.forEach((p) => p.kill("SIGKILL")), 5000);
    await Promise.all(processes.map((p) => p.exited));
    clearTimeout(stuck);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
