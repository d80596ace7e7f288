// Runs the compiled binary as an organizer would, for the fault suite: start,
// stop, restart on the same database, and play through the HTTP API.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary, freePort, readOutput, waitFor } from "../_binary.ts";

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

export interface Server {
  proc: ReturnType<typeof Bun.spawn>;
  pid: number;
  base: string;
  port: number;
  /** Everything the server printed on stdout and stderr so far. */
  output: () => string;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number>;
  /** Resolves with the exit code when the process ends by itself. */
  exited: Promise<number>;
}

/** Starts `cairn serve` on `db` and waits until /healthz answers 200. */
export async function startServer(
  options: { hunt: string; db: string; port?: number; ready?: boolean },
): Promise<Server> {
  const binary = await buildBinary();
  const port = options.port ?? freePort();
  const proc = Bun.spawn(
    [
      binary,
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
    ],
    { stdout: "pipe", stderr: "pipe", env: {} },
  );
  let out = "";
  const reading = readOutput(proc, (text) => (out += text));
  const exited = proc.exited.then(async (code) => {
    await reading;
    return code;
  });
  const base = `http://127.0.0.1:${port}`;
  if (options.ready !== false) {
    try {
      await waitFor(`${base}/healthz`);
    } catch (error) {
      proc.kill("SIGKILL");
      await exited;
      throw new Error(`${(error as Error).message}; the server printed:\n${out}`);
    }
  }
  return {
    proc,
    pid: proc.pid,
    base,
    port,
    output: () => out,
    stop: () => {
      proc.kill("SIGTERM");
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

/** Resident memory of a process, in MB, from /proc. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
