// Runs `cairn serve` as an organizer would, for the fault suite: start, stop,
// restart on the same database, and play through the HTTP API. Under `bun test`
// it is the compiled binary; under `deno task test`, src/main.ts on Deno with
// `deno task start`'s permissions (CAIRN_COMMAND).
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../_binary.ts";
import { CAIRN_COMMAND, freePort, RUNTIME_NAME, sleep } from "../_runtime.ts";

export const ADMIN_TOKEN = "faults-admin-token";

/** A hunt of open puzzles with a guess limit no load reaches. */
export function huntFile(dir: string, puzzles = 5, extra = ""): string {
  let text = `[hunt]\ntitle = "Faults"\n${extra}`;
  for (let i = 1; i <= puzzles; i++) {
    text += `\n[[puzzle]]\nid = "p${i}"\ntitle = "P${i}"\npoints = ${i}\nanswer = ["a${i}"]\n` +
      'guess_limit = { count = 1000000, per = "1s" }\n';
  }
  const path = join(dir, "hunt.toml");
  writeFileSync(path, text);
  return path;
}

/**
 * `cairn` as the suite runs it, and its environment: the compiled binary with
 * none on Bun; on Deno, src/main.ts with what Deno itself needs (its cache).
 */
export async function cairnCommand(): Promise<{ cmd: string[]; env: Record<string, string> }> {
  if (RUNTIME_NAME === "bun") return { cmd: [await buildBinary()], env: {} };
  const env: Record<string, string> = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  for (const name of ["HOME", "PATH", "DENO_DIR", "TMPDIR"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { cmd: CAIRN_COMMAND, env };
}

/** Runs `cairn` with `args` to its end; resolves with its exit code and output. */
export async function cairn(...args: string[]) {
  const { cmd: [exe, ...before], env } = await cairnCommand();
  const proc = spawn(exe!, [...before, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  let stdout = "";
  let stderr = "";
  proc.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => proc.once("close", resolve));
  return { code, stdout, stderr };
}

export interface Server {
  pid: number;
  base: string;
  port: number;
  /** Everything the server printed on stdout and stderr so far. */
  output: () => string;
  /** Sends `signal` to the server, if it still runs. */
  kill: (signal: "SIGKILL" | "SIGTERM") => void;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
  /** Resolves with the exit code (null: a signal ended it) when the process ends. */
  exited: Promise<number | null>;
}

/** Polls `url` until it answers 200, or throws after `timeoutMs`. */
async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(10);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Starts `cairn serve` on `db` and waits until /healthz answers 200. */
export async function startServer(
  options: { hunt: string; db: string; port?: number; ready?: boolean },
): Promise<Server> {
  const { cmd: [exe, ...before], env } = await cairnCommand();
  const port = options.port ?? await freePort();
  const proc = spawn(exe!, [
    ...before,
    "serve",
    "--hunt",
    options.hunt,
    "--db",
    options.db,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--admin-token",
    ADMIN_TOKEN,
  ], { stdio: ["ignore", "pipe", "pipe"], env });
  let out = "";
  proc.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  let ended = false;
  // "close": the process has exited and both pipes are read to their end.
  const exited = new Promise<number | null>((resolve) => proc.once("close", resolve));
  void exited.then(() => (ended = true));
  // process.kill, not proc.kill: on Deno, a child that was sent one signal is taken as killed,
  // and proc.kill sends it no other.
  const kill = (signal: "SIGKILL" | "SIGTERM") => {
    if (ended) return;
    try {
      process.kill(proc.pid!, signal);
    } catch {
      // It exited meanwhile.
    }
  };
  const base = `http://127.0.0.1:${port}`;
  if (options.ready !== false) {
    try {
      // Deno compiles src/ at its first start in a fresh cache: give it longer.
      await waitFor(`${base}/healthz`, RUNTIME_NAME === "bun" ? 10_000 : 30_000);
    } catch (error) {
      kill("SIGKILL");
      await exited;
      throw new Error(`${(error as Error).message}; the server printed:\n${out}`);
    }
  }
  return {
    pid: proc.pid!,
    base,
    port,
    output: () => out,
    kill,
    stop: () => {
      kill("SIGTERM");
      return exited;
    },
    exited,
  };
}

/** A JSON request with an optional Bearer token; never waits longer than `timeoutMs`. */
export async function call(
  base: string,
  path: string,
  options: { method?: string; body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${base}${path}`, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text.
  }
  return { status: res.status, body };
}

/** Registers a team and returns its session token. */
export async function register(base: string, name: string): Promise<string> {
  const res = await call(base, "/api/teams", { body: { name, password: "correct horse" } });
  if (res.status !== 201) {
    throw new Error(`register ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return (res.body as { token: string }).token;
}

/**
 * Resident memory of a process, in MB, from /proc (read through `cat` on Deno, whose
 * --allow-read does not cover /proc).
 */
export function rssMb(pid: number): number {
  const path = `/proc/${pid}/status`;
  const status = RUNTIME_NAME === "bun"
    ? readFileSync(path, "utf8")
    : spawnSync("cat", [path], { encoding: "utf8" }).stdout;
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
