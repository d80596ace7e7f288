// What the load tests share (bench/load/run.ts and bench/load/ab.ts): the
// request mix of each route over the seeded teams, wrk scripts built from it,
// one wrk run with the server's CPU time per request, and the medians.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SeededTeam } from "./seed.ts";

/** wrk's figures from its text output (with --latency), and the server's CPU time per request. */
export interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /**
   * The server's CPU time (every thread, user and system) per request, in µs.
   * Steadier than req/s on a shared machine: a neighbour that takes the CPU
   * slows a run, but leaves each request's cost about the same.
   */
  cpuUs: number;
  /** The system (kernel) part of `cpuUs`, in µs. */
  systemUs: number;
  /**
   * The main thread's part of `cpuUs` (user and system), in µs. Unpinned, the
   * other threads (the sync pool, the collector's) may run on the second CPU,
   * and this is the part that one CPU must still do alone.
   */
  mainUs: number;
  /**
   * The CPUs the server and wrk kept busy (CPU seconds a second of the run): a
   * server pinned to one CPU near 1 was the bound; well under 1, with wrk near
   * 1, the client was, and the req/s of that server say how fast wrk went.
   */
  serverBusy: number;
  clientBusy: number;
}

/** One request of a wrk script. */
export interface ScriptRequest {
  method: string;
  path: string;
  token?: string;
  body?: string;
}

/** The load test's routes: each one's request mix over the seeded teams. */
export type Route = "scoreboard" | "puzzles" | "puzzle" | "guesses";

export const ROUTES: readonly Route[] = ["scoreboard", "puzzles", "puzzle", "guesses"];

/**
 * The requests of a route, in the order wrk cycles through them: every team's
 * list, every team's open puzzle, and for guesses nine wrong guesses per team
 * on its open puzzle, then one right one on another (which solves it once, and
 * is answered `already_solved` after that).
 */
export function routeRequests(route: Route, seeded: readonly SeededTeam[]): ScriptRequest[] {
  switch (route) {
    case "scoreboard":
      return [{ method: "GET", path: "/api/scoreboard" }];
    case "puzzles":
      return seeded.map((t) => ({ method: "GET", path: "/api/puzzles", token: t.token }));
    case "puzzle":
      return seeded.map((t) => ({
        method: "GET",
        path: `/api/puzzles/${t.puzzle}`,
        token: t.token,
      }));
    case "guesses":
      return Array.from({ length: 10 }, (_, j) =>
        seeded.map((t, i) => ({
          method: "POST",
          path: `/api/puzzles/${j === 9 ? t.solvable.puzzle : t.puzzle}/guesses`,
          token: t.token,
          body: j === 9
            ? JSON.stringify({ answer: t.solvable.answer })
            : JSON.stringify({ answer: `wrong ${i} ${j}` }),
        }))).flat();
  }
}

/** What the baseline (bare.ts) serves: Cairn's own answers, fetched once per team. */
export interface Payloads {
  scoreboard: string;
  /** Per session token: that team's puzzle list, and its target puzzle. */
  puzzles: Record<string, string>;
  puzzle: Record<string, string>;
}

/** Fetches from the Cairn at `base` the bytes the baseline serves in its place. */
export async function fetchPayloads(
  base: string,
  seeded: readonly SeededTeam[],
): Promise<Payloads> {
  const fetchText = async (path: string, token?: string) => {
    const res = await fetch(`${base}${path}`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.text();
  };
  const payloads: Payloads = {
    scoreboard: await fetchText("/api/scoreboard"),
    puzzles: {},
    puzzle: {},
  };
  for (const team of seeded) {
    payloads.puzzles[team.token] = await fetchText("/api/puzzles", team.token);
    payloads.puzzle[team.token] = await fetchText(`/api/puzzles/${team.puzzle}`, team.token);
  }
  return payloads;
}

/** A Lua string literal for any text without `]==]`. */
const lua = (text: string) => `[==[${text}]==]`;

/**
 * Writes a wrk script that cycles through fixed requests, built once at
 * start-up so that wrk spends nothing per request but a table lookup, and
 * returns its path.
 */
export function writeScript(dir: string, name: string, requests: readonly ScriptRequest[]): string {
  const lines = ["local requests = {}"];
  for (const r of requests) {
    // wrk.format() at load time knows no Host header yet, and a request without one is
    // refused: every request names it.
    const headers = [
      `["Host"] = "127.0.0.1"`,
      r.token === undefined ? "" : `["Authorization"] = ${lua(`Bearer ${r.token}`)}`,
      r.body === undefined ? "" : `["Content-Type"] = "application/json"`,
    ].filter(Boolean).join(", ");
    lines.push(
      `requests[#requests + 1] = wrk.format(${lua(r.method)}, ${lua(r.path)}, { ${headers} }, ${
        r.body === undefined ? "nil" : lua(r.body)
      })`,
    );
  }
  lines.push(
    "local i = 0",
    "request = function()",
    "  i = i % #requests + 1",
    "  return requests[i]",
    "end",
  );
  const path = join(dir, `${name}.lua`);
  writeFileSync(path, lines.join("\n"));
  return path;
}

export const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Clock ticks per second, the unit of /proc/PID/stat's CPU times. */
const CLOCK_TICKS = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;

/**
 * A process's CPU time so far (every thread), in µs, from /proc: user and
 * system, and system. With `thread`, one thread's instead (the main thread's
 * id is the process's).
 */
export function cpuTimesUs(pid: number, thread?: number): { total: number; system: number } {
  const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const stat = readFileSync(path, "utf8");
  // The fields after the command name, which may hold spaces: utime and stime are 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const system = (Number(fields[12]) * 1e6) / CLOCK_TICKS;
  return { total: (Number(fields[11]) * 1e6) / CLOCK_TICKS + system, system };
}

/** A process's resident memory, in MB. */
export function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

/** A duration such as `812.00us`, `1.23ms` or `2.01s`, in ms. */
export function ms(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) return NaN;
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as "us" | "ms" | "s" | "m"];
  return Number(match[1]) * scale;
}

/** wrk's rate, latencies and failed answers, from its text output (run with --latency). */
export function parseWrk(
  out: string,
): Omit<Run, "cpuUs" | "systemUs" | "mainUs" | "serverBusy" | "clientBusy"> {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = ms(/\s50%\s+(\S+)/.exec(out)?.[1] ?? "");
  const p99 = ms(/\s99%\s+(\S+)/.exec(out)?.[1] ?? "");
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  if (!Number.isFinite(rps)) throw new Error(`cannot read wrk's output:\n${out}`);
  return { rps, p50, p99, errors };
}

/**
 * Runs wrk (one thread, `connections` connections, with `pin` in front, such
 * as `taskset -c 1`) against `port` with a Lua script, for `seconds`, and
 * reads the CPU time the server `pid` spent meanwhile.
 */
export async function runWrk(options: {
  port: number;
  pid: number;
  script: string;
  seconds: number;
  connections: number;
  pin: readonly string[];
}): Promise<Run> {
  const before = cpuTimesUs(options.pid);
  const mainBefore = cpuTimesUs(options.pid, options.pid);
  const started = performance.now();
  const proc = Bun.spawn([
    ...options.pin,
    "wrk",
    "-t1",
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--latency",
    "-s",
    options.script,
    `http://127.0.0.1:${options.port}`,
  ], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) {
    throw new Error(`wrk failed: ${await new Response(proc.stderr).text()}`);
  }
  const after = cpuTimesUs(options.pid);
  const mainAfter = cpuTimesUs(options.pid, options.pid);
  const wallUs = (performance.now() - started) * 1000;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  return {
    ...parseWrk(out),
    cpuUs: (after.total - before.total) / requests,
    systemUs: (after.system - before.system) / requests,
    mainUs: (mainAfter.total - mainBefore.total) / requests,
    serverBusy: (after.total - before.total) / wallUs,
    clientBusy: Number(proc.resourceUsage()?.cpuTime.total ?? NaN) / wallUs,
  };
}
