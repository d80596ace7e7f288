// HTTP load test: the compiled binary against a bare Hono baseline, and the
// same server on Deno against the same bare Hono on Deno, in one run.
//
// 1. Builds dist/cairn, generates a 200-puzzle hunt and seeds 2,000 teams
//    (sessions and a spread of solves) through the real engine and store.
// 2. Starts Cairn and the bare baseline (bench/load/bare.ts, same Bun) pinned
//    to CPU 0, and drives them with wrk pinned to CPU 1 (`taskset`). Unless
//    --skip-deno, also `cairn serve` on Deno (over a copy of the same
//    database) and bare.ts on Deno, so each runtime has its own ratio.
// 3. For each route, alternates target and baseline in short rounds, with the
//    same request bytes, and takes the median of the per-round ratios: this
//    machine is shared and noisy, so only ratios measured side by side count.
//    Beside the req/s ratio it reports a CPU ratio: the baseline's CPU time per
//    request over Cairn's (each server's every thread, from /proc), which a
//    busy neighbour moves much less than req/s.
// 4. Runs guesses at a fixed rate of half the measured maximum (`hey -q`) for
//    their p99, samples the server's RSS, prints a table and writes
//    bench/results/latest.json and latest.md.
//
// The hunt lifts the guess limit, so that every wrong guess is judged and
// stored (durable, FULL sync, group commit) instead of being answered 429.
// Nine guesses in ten are wrong, on a puzzle no guess solves; the tenth is
// right, on another puzzle, which it solves the first time round and is
// answered `already_solved` (not stored) after that.
// Loopback only; every run is bounded in time.
// Usage: bun bench/load/run.ts [--teams 2000] [--puzzles 200] [--rounds 5] [--seconds 3]
//   [--connections 64] [--history 1000000] (older guesses seeded, as late in an event)
//   [--skip-deno] [--unpinned] (the servers may use every CPU, wrk stays on CPU 1; the default
//   pins the servers to CPU 0) [--commit-thread auto|on|off] (given to serve: auto
//   and off commit on the main thread, on on the commit thread)
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildBinary, freePort, waitFor } from "../../test/_binary.ts";
import { toolArgs, wholeNumber } from "../_args.ts";
import { generateHunt } from "../_generate.ts";
import {
  fetchPayloads,
  median,
  routeRequests,
  rssOf,
  type Run,
  runWrk,
  type ScriptRequest,
  writeScript,
} from "./_wrk.ts";
import { seed, type SeededTeam } from "./seed.ts";

const USAGE = `Usage: bun bench/load/run.ts [options]   (npm run bench:load -- [options])

The HTTP load test: the compiled binary against a bare Hono baseline (and both
on Deno), route by route; writes bench/results/latest.json and latest.md.

Options:
  --teams N            seeded teams (default 2000)
  --puzzles N          the hunt's puzzles (default 200, at least 2)
  --rounds N           rounds per route (default 5)
  --seconds S          length of each wrk run (default 3)
  --connections N      wrk's connections (default 64)
  --history N          older guesses seeded, as late in an event (default 1000000)
  --skip-deno          Bun only
  --unpinned           let the servers use every CPU (wrk stays on CPU 1)
  --commit-thread M    given to serve: auto (default), on or off
  --help               this text`;

const { values, teams, puzzles, rounds, seconds, connections, history } = toolArgs(USAGE, () => {
  const { values } = parseArgs({
    options: {
      teams: { type: "string", default: "2000" },
      puzzles: { type: "string", default: "200" },
      rounds: { type: "string", default: "5" },
      seconds: { type: "string", default: "3" },
      connections: { type: "string", default: "64" },
      history: { type: "string", default: "1000000" },
      "skip-deno": { type: "boolean", default: false },
      unpinned: { type: "boolean", default: false },
      "commit-thread": { type: "string", default: "auto" },
    },
  });
  return {
    values,
    teams: wholeNumber("teams", values.teams, { min: 1 }),
    puzzles: wholeNumber("puzzles", values.puzzles, {
      min: 2,
      why: "each team needs a puzzle for its wrong guesses and another to solve",
    }),
    rounds: wholeNumber("rounds", values.rounds, { min: 1 }),
    seconds: wholeNumber("seconds", values.seconds, { min: 1 }),
    connections: wholeNumber("connections", values.connections, { min: 1 }),
    history: wholeNumber("history", values.history, { min: 0 }),
  };
});
/** `taskset` for a CPU. With --unpinned the servers may use every CPU (wrk and hey stay on CPU 1). */
const pinned = (cpu: string) => values.unpinned && cpu === "0" ? [] : ["taskset", "-c", cpu];
const withDeno = !values["skip-deno"];

for (const tool of ["wrk", "hey", "taskset"]) {
  if (Bun.which(tool) === null) {
    console.error(
      `bench/load needs ${tool}: install it with \`apt-get install -y wrk hey\` (taskset is in util-linux)`,
    );
    process.exit(2);
  }
}

const ROOT = join(import.meta.dir, "..", "..");
const DENO_RUN = [join(ROOT, "node_modules", ".bin", "deno"), "run", "-A"];
const dir = mkdtempSync(join(tmpdir(), "cairn-load-"));
const processes: ReturnType<typeof Bun.spawn>[] = [];
/** One wrk run on CPU 1 against `port`, with the CPU time the server `pid` spent meanwhile. */
function wrk(port: number, pid: number, script: string, duration: number): Promise<Run> {
  return runWrk({ port, pid, script, seconds: duration, connections, pin: pinned("1") });
}

/** A wrk script in the run's folder (`_wrk.ts`'s `writeScript`). */
function script(name: string, requests: readonly ScriptRequest[]): string {
  return writeScript(dir, name, requests);
}

function start(command: string[], name: string) {
  const proc = Bun.spawn([...pinned("0"), ...command], {
    cwd: ROOT,
    stdout: "ignore",
    stderr: "inherit",
  });
  processes.push(proc);
  console.log(`started ${name} (pid ${proc.pid}) ${values.unpinned ? "unpinned" : "on CPU 0"}`);
  return proc;
}

try {
  console.log("building dist/cairn …");
  const binary = await buildBinary();
  const huntPath = join(dir, "load.toml");
  const huntText = generateHunt(puzzles, {
    guessLimit: '{ count = 1000000, per = "1m" }',
  });
  writeFileSync(huntPath, huntText);
  const dbPath = join(dir, "load.db");
  let seededAt = performance.now();
  const seeded: SeededTeam[] = await seed(huntText, {
    dbPath,
    teams,
    password: "load-test-password",
    history,
  });
  seededAt = performance.now() - seededAt;
  console.log(
    `seeded ${seeded.length} teams and ${history} older guesses in ${
      (seededAt / 1000).toFixed(1)
    } s`,
  );
  // The server on Deno gets its own copy: one database has one server.
  const denoDbPath = join(dir, "load-deno.db");
  if (withDeno) {
    copyFileSync(dbPath, denoDbPath);
    if (existsSync(`${dbPath}-wal`)) copyFileSync(`${dbPath}-wal`, `${denoDbPath}-wal`);
  }

  const cairnPort = freePort();
  const cairn = start([
    binary,
    "serve",
    ...["--hunt", huntPath, "--db", dbPath, "--host", "127.0.0.1", "--port", String(cairnPort)],
    ...["--admin-token", "load-test-admin-token", "--log-level", "warn"],
    ...["--commit-thread", values["commit-thread"]!],
  ], "cairn");
  await waitFor(`http://127.0.0.1:${cairnPort}/healthz`);

  // The baseline serves the very bytes Cairn serves, fetched once per team.
  const payloads = await fetchPayloads(`http://127.0.0.1:${cairnPort}`, seeded);
  let listed = 0;
  for (const team of seeded) {
    listed += (JSON.parse(payloads.puzzles[team.token]!) as { puzzles: unknown[] }).puzzles.length;
  }
  const payloadsPath = join(dir, "payloads.json");
  writeFileSync(payloadsPath, JSON.stringify(payloads));
  const barePort = freePort();
  const barePid = start(
    [process.execPath, join(import.meta.dir, "bare.ts"), String(barePort), payloadsPath],
    "bare Hono",
  ).pid;
  await waitFor(`http://127.0.0.1:${barePort}/healthz`);
  const idleRss = rssOf(cairn.pid);

  // The same two on Deno: `cairn serve` (node:sqlite, Deno.serve) and bare.ts.
  const denoPort = freePort();
  const bareDenoPort = freePort();
  let denoIdleRss = NaN;
  let denoPid = 0;
  let bareDenoPid = 0;
  if (withDeno) {
    denoPid = start([
      ...DENO_RUN,
      "--unstable-no-legacy-abort",
      join(ROOT, "src", "main.ts"),
      "serve",
      ...[
        "--hunt",
        huntPath,
        "--db",
        denoDbPath,
        "--host",
        "127.0.0.1",
        "--port",
        String(denoPort),
      ],
      ...["--admin-token", "load-test-admin-token", "--log-level", "warn"],
    ], "cairn on Deno").pid;
    bareDenoPid = start(
      [...DENO_RUN, join(import.meta.dir, "bare.ts"), String(bareDenoPort), payloadsPath],
      "bare Hono on Deno",
    ).pid;
    await waitFor(`http://127.0.0.1:${denoPort}/healthz`, 30_000);
    await waitFor(`http://127.0.0.1:${bareDenoPort}/healthz`, 30_000);
    denoIdleRss = rssOf(denoPid);
  }
  const sides = [
    { runtime: "bun", target: cairnPort, targetPid: cairn.pid, bare: barePort, barePid },
    ...(withDeno
      ? [{
        runtime: "deno",
        target: denoPort,
        targetPid: denoPid,
        bare: bareDenoPort,
        barePid: bareDenoPid,
      }]
      : []),
  ];

  const scenarios = [
    {
      name: "GET /api/scoreboard",
      baseline: "the same bytes, pre-encoded",
      // The brief's targets: scoreboard ≥ 0.95, puzzle list ≥ 0.9, durable guess ≥ 0.6.
      target: 0.95,
      script: script("scoreboard", routeRequests("scoreboard", seeded)),
    },
    {
      name: "GET /api/puzzles",
      baseline: "each team's same bytes, pre-encoded",
      target: 0.9,
      script: script("puzzles", routeRequests("puzzles", seeded)),
    },
    {
      name: "GET /api/puzzles/:id",
      baseline: "each team's same bytes, pre-encoded",
      target: undefined,
      script: script("puzzle", routeRequests("puzzle", seeded)),
    },
    {
      name: "POST guesses (9 wrong : 1 right)",
      baseline: "JSON echo",
      target: 0.6,
      script: script("guesses", routeRequests("guesses", seeded)),
    },
  ];

  // Short warm-ups, so that neither side is measured while its JIT is cold.
  for (const s of scenarios) {
    for (const side of sides) {
      await wrk(side.target, side.targetPid, s.script, 1);
      await wrk(side.bare, side.barePid, s.script, 1);
    }
  }

  let peakRss = idleRss;
  const sampler = setInterval(() => peakRss = Math.max(peakRss, rssOf(cairn.pid)), 200);
  const results = [];
  let denoPeakRss = denoIdleRss;
  const denoSampler = withDeno
    ? setInterval(() => denoPeakRss = Math.max(denoPeakRss, rssOf(denoPid)), 200)
    : undefined;
  for (const s of scenarios) {
    const runs = sides.map(() => ({ cairn: [] as Run[], bare: [] as Run[] }));
    for (let r = 0; r < rounds; r++) {
      for (const [k, side] of sides.entries()) {
        const { cairn: cairnRuns, bare: bareRuns } = runs[k]!;
        // Alternate which side goes first, so drift in the machine's load hits both.
        const target = () => wrk(side.target, side.targetPid, s.script, seconds);
        const bare = () => wrk(side.bare, side.barePid, s.script, seconds);
        if (r % 2 === 0) {
          cairnRuns.push(await target());
          bareRuns.push(await bare());
        } else {
          bareRuns.push(await bare());
          cairnRuns.push(await target());
        }
      }
    }
    const { cairn: cairnRuns, bare: bareRuns } = runs[0]!;
    const ratio = median(cairnRuns.map((run, i) => run.rps / bareRuns[i]!.rps));
    const cpuRatio = median(cairnRuns.map((run, i) => bareRuns[i]!.cpuUs / run.cpuUs));
    const deno = runs[1] === undefined ? undefined : summarize(runs[1].cairn, runs[1].bare);
    const row = {
      route: s.name,
      baseline: s.baseline,
      cairn: {
        rps: median(cairnRuns.map((r) => r.rps)),
        p50: median(cairnRuns.map((r) => r.p50)),
        p99: median(cairnRuns.map((r) => r.p99)),
        cpuUs: median(cairnRuns.map((r) => r.cpuUs)),
        serverBusy: median(cairnRuns.map((r) => r.serverBusy)),
        clientBusy: median(cairnRuns.map((r) => r.clientBusy)),
        errors: cairnRuns.reduce((a, r) => a + r.errors, 0),
      },
      bare: {
        errors: bareRuns.reduce((a, r) => a + r.errors, 0),
        rps: median(bareRuns.map((r) => r.rps)),
        p50: median(bareRuns.map((r) => r.p50)),
        p99: median(bareRuns.map((r) => r.p99)),
        cpuUs: median(bareRuns.map((r) => r.cpuUs)),
        serverBusy: median(bareRuns.map((r) => r.serverBusy)),
        clientBusy: median(bareRuns.map((r) => r.clientBusy)),
      },
      ratio,
      cpuRatio,
      ratios: cairnRuns.map((run, i) => run.rps / bareRuns[i]!.rps),
      deno,
      target: s.target,
      met: s.target === undefined ? undefined : ratio >= s.target,
    };
    results.push(row);
    if (row.cairn.errors > 0 || row.bare.errors > 0) {
      console.warn(
        `warning: ${s.name} had ${row.cairn.errors} failed answers from Cairn and ${row.bare.errors} from the baseline`,
      );
    }
    console.log(
      `${s.name}: ${Math.round(row.cairn.rps)} req/s vs ${Math.round(row.bare.rps)} (ratio ${
        ratio.toFixed(2)
      }; CPU ${row.cairn.cpuUs.toFixed(1)} µs/request vs ${row.bare.cpuUs.toFixed(1)}, ratio ${
        cpuRatio.toFixed(2)
      }; CPUs busy, server and wrk: ${busy(row.cairn)} vs ${busy(row.bare)})` + (deno === undefined
        ? ""
        : `; on Deno ${Math.round(deno.cairn.rps)} req/s vs ${Math.round(deno.bare.rps)} (ratio ${
          deno.ratio.toFixed(2)
        })`),
    );
  }
  clearInterval(sampler);
  clearInterval(denoSampler);

  // Guesses at a fixed rate, half the maximum just measured, for their p99.
  const guesses = results.at(-1)!;
  const rate = Math.round(guesses.cairn.rps / 2);
  const workers = 32;
  const target = seeded[0]!;
  const hey = Bun.spawn([
    ...pinned("1"),
    "hey",
    ...["-z", "10s", "-c", String(workers), "-q", String(Math.max(1, Math.round(rate / workers)))],
    ...["-m", "POST", "-T", "application/json", "-H", `Authorization: Bearer ${target.token}`],
    ...["-d", JSON.stringify({ answer: "a steady wrong guess" })],
    `http://127.0.0.1:${cairnPort}/api/puzzles/${target.puzzle}/guesses`,
  ], { stdout: "pipe", stderr: "pipe" });
  const heyOut = await new Response(hey.stdout).text();
  await hey.exited;
  const secs = (label: string) =>
    Number(new RegExp(`${label}% in ([\\d.]+) secs`).exec(heyOut)?.[1]) * 1000;
  const fixed = {
    rate,
    achieved: Number(/Requests\/sec:\s+([\d.]+)/.exec(heyOut)?.[1]),
    p50: secs("50"),
    p99: secs("99"),
    ok: Number(/\[200\]\s+(\d+) responses/.exec(heyOut)?.[1] ?? 0),
    target: 10,
    met: secs("99") <= 10,
  };
  const loadedRss = rssOf(cairn.pid);

  const table = results.map((r) => ({
    route: r.route,
    "cairn req/s": Math.round(r.cairn.rps),
    "p50 ms": r.cairn.p50.toFixed(2),
    "p99 ms": r.cairn.p99.toFixed(2),
    "non-2xx or errors": r.cairn.errors,
    "baseline req/s": Math.round(r.bare.rps),
    baseline: r.baseline,
    ratio: r.ratio.toFixed(2),
    "cpu µs/req": r.cairn.cpuUs.toFixed(1),
    "baseline cpu µs/req": r.bare.cpuUs.toFixed(1),
    "cpu ratio": r.cpuRatio.toFixed(2),
    target: r.target === undefined ? "—" : `≥ ${r.target}`,
    met: r.met === undefined ? "—" : r.met ? "yes" : "NO",
    "deno req/s": r.deno === undefined ? "—" : Math.round(r.deno.cairn.rps),
    "deno baseline req/s": r.deno === undefined ? "—" : Math.round(r.deno.bare.rps),
    "deno ratio": r.deno === undefined ? "—" : r.deno.ratio.toFixed(2),
  }));
  console.table(table);
  console.log(
    `fixed rate ${rate} guesses/s (hey -q, ${workers} workers, 10 s): achieved ${
      Math.round(fixed.achieved)
    }/s, p50 ${fixed.p50.toFixed(2)} ms, p99 ${fixed.p99.toFixed(2)} ms (target ≤ 10 ms: ${
      fixed.met ? "met" : "NOT met"
    })`,
  );
  console.log(
    `server RSS: ${idleRss} MB idle, ${peakRss} MB peak under load, ${loadedRss} MB after; ` +
      `${teams} teams, ${(listed / seeded.length).toFixed(1)} puzzles per list on average`,
  );

  const report = {
    at: new Date().toISOString(),
    machine: {
      cpus: navigator.hardwareConcurrency,
      bun: Bun.version,
      deno: withDeno ? denoVersion() : undefined,
    },
    settings: {
      teams,
      puzzles,
      rounds,
      seconds,
      connections,
      pinned: !values.unpinned,
      commitThread: values["commit-thread"],
    },
    routes: results,
    fixedRate: fixed,
    rss: { idle: idleRss, peak: peakRss, after: loadedRss },
    denoRss: withDeno ? { idle: denoIdleRss, peak: denoPeakRss, after: rssOf(denoPid) } : undefined,
  };
  const out = join(import.meta.dir, "..", "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "latest.json"), JSON.stringify(report, null, 2) + "\n");
  const md = [
    `Load test, ${report.at}: ${teams} teams, ${report.settings.puzzles} puzzles, ` +
    `${rounds} rounds of ${seconds} s per side, ${connections} connections, ` +
    (values.unpinned ? "wrk on CPU 1, servers on every CPU." : "wrk on CPU 1, servers on CPU 0."),
    "",
    "| route | Cairn req/s | p50 ms | p99 ms | baseline | baseline req/s | ratio (median) | target " +
    "| CPU µs/request: Cairn, baseline | CPU ratio (median) " +
    "| on Deno: req/s | p99 ms | baseline req/s | ratio | CPU ratio |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...results.map((r) =>
      `| ${r.route} | ${Math.round(r.cairn.rps)} | ${r.cairn.p50.toFixed(2)} | ${
        r.cairn.p99.toFixed(2)
      } | ${r.baseline} | ${Math.round(r.bare.rps)} | ${r.ratio.toFixed(2)} | ${
        r.target === undefined ? "—" : `≥ ${r.target}: ${r.met ? "met" : "**not met**"}`
      } | ${r.cairn.cpuUs.toFixed(1)}, ${r.bare.cpuUs.toFixed(1)} | ${r.cpuRatio.toFixed(2)} | ${
        r.deno === undefined
          ? "— | — | — | — | —"
          : `${Math.round(r.deno.cairn.rps)} | ${r.deno.cairn.p99.toFixed(2)} | ${
            Math.round(r.deno.bare.rps)
          } | ${r.deno.ratio.toFixed(2)} | ${r.deno.cpuRatio.toFixed(2)}`
      } |`
    ),
    "",
    `Guesses at a fixed ${rate}/s (half the maximum): p50 ${fixed.p50.toFixed(2)} ms, p99 ${
      fixed.p99.toFixed(2)
    } ms (target ≤ 10 ms: ${fixed.met ? "met" : "**not met**"}).`,
    "",
    `Server RSS: ${idleRss} MB idle, ${peakRss} MB peak under load` +
    (report.denoRss === undefined
      ? "."
      : `; on Deno ${report.denoRss.idle} MB idle, ${report.denoRss.peak} MB peak.`),
    "",
  ].join("\n");
  writeFileSync(join(out, "latest.md"), md);
  console.log(`wrote bench/results/latest.json and latest.md`);
} finally {
  for (const proc of processes) proc.kill("SIGTERM");
  await Promise.all(processes.map((p) => p.exited));
  rmSync(dir, { recursive: true, force: true });
}

/** The median figures of one runtime's target and baseline runs, and their median ratio. */
/** The CPUs a side's server and its wrk kept busy, medians ("0.98/0.71"). */
function busy(side: { serverBusy: number; clientBusy: number }): string {
  return `${side.serverBusy.toFixed(2)}/${side.clientBusy.toFixed(2)}`;
}

function summarize(cairnRuns: Run[], bareRuns: Run[]) {
  const figures = (runs: Run[]) => ({
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuUs: median(runs.map((r) => r.cpuUs)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
  });
  return {
    cairn: figures(cairnRuns),
    bare: figures(bareRuns),
    ratio: median(cairnRuns.map((run, i) => run.rps / bareRuns[i]!.rps)),
    cpuRatio: median(cairnRuns.map((run, i) => bareRuns[i]!.cpuUs / run.cpuUs)),
  };
}

function denoVersion(): string {
  const out = Bun.spawnSync([DENO_RUN[0]!, "--version"]).stdout.toString();
  return /deno (\S+)/.exec(out)?.[1] ?? "unknown";
}
