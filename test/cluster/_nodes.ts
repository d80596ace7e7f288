// Cairn nodes on one PostgreSQL log, each run as `cairn serve` would be under
// a service manager: a node that exits (a failed commit, a database down at
// boot, a SIGKILL) is started again after a short pause.
import { afterAll, beforeAll } from "bun:test";
import { type ChildProcess, spawn as spawnChild } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "../_binary.ts";
import { type Pg, startPg } from "../_pg.ts";
import { DENO_START_FLAGS, RUNTIME_NAME, sleep } from "../_runtime.ts";

export const ADMIN_TOKEN = "cluster-admin-token";
const MAIN = join(import.meta.dirname, "..", "..", "src", "main.ts");
const RESTART_MS = 300;

export interface Node {
  name: string;
  base: string;
  port: number;
  /** The running process's pid. */
  pid(): number;
  /** How many times the node has exited (restarts follow unless stopped). */
  exits(): number;
  /** Everything the node printed, over all its runs. */
  output(): string;
  /** Sends a signal to the running process. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves once /healthz answers 200. */
  ready(timeoutMs?: number): Promise<void>;
  /** Stops the node for good (SIGTERM), waiting for it to exit. */
  stop(): Promise<void>;
}

/**
 * The command line of `cairn serve` as a cluster test runs a node, from source, on the tests'
 * runtime (on Deno, with `deno task start`'s permissions).
 */
export function serveCommand(
  options: { hunt: string; db: string; files: string; port: number; adminToken: string },
): string[] {
  return [
    process.execPath,
    ...(RUNTIME_NAME === "bun" ? [] : ["run", ...DENO_START_FLAGS]),
    MAIN,
    "serve",
    "--hunt",
    options.hunt,
    "--db",
    options.db,
    "--files",
    options.files,
    "--host",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--admin-token",
    options.adminToken,
    "--log-level",
    "warn",
  ];
}

/** Starts one node on `url` (its connections named after it) and keeps it running. */
export function startNode(
  options: { name: string; url: string; hunt: string; files: string; port?: number },
): Node {
  const port = options.port ?? freePort();
  const separator = options.url.includes("?") ? "&" : "?";
  const db = `${options.url}${separator}application_name=${options.name}`;
  let out = "";
  let exits = 0;
  let stopped = false;
  let proc: ChildProcess;
  let running = false;
  let exited: Promise<void> = Promise.resolve();
  const spawn = () => {
    const [exe, ...args] = serveCommand({ ...options, db, port, adminToken: ADMIN_TOKEN });
    proc = spawnChild(exe!, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    running = true;
    proc.stdout!.setEncoding("utf8").on("data", (text: string) => (out += text));
    proc.stderr!.setEncoding("utf8").on("data", (text: string) => (out += text));
    // "close": the process has exited and its output is read to the end.
    const closed = new Promise<number | null>((resolve) => proc.once("close", resolve));
    exited = closed.then(async (code) => {
      running = false;
      exits++;
      out += `\n[${options.name} exited with ${code}]\n`;
      if (stopped) return;
      await sleep(RESTART_MS);
      if (!stopped) spawn();
    });
  };
  // process.kill, not proc.kill: on Deno, a child that was sent one signal is taken as killed,
  // and proc.kill sends it no other.
  const send = (signal: NodeJS.Signals) => {
    try {
      if (running) process.kill(proc.pid!, signal);
    } catch {
      // It exited meanwhile.
    }
  };
  spawn();
  const base = `http://127.0.0.1:${port}`;
  return {
    name: options.name,
    base,
    port,
    pid: () => proc.pid!,
    exits: () => exits,
    output: () => out,
    signal: (signal) => send(signal),
    async ready(timeoutMs = 20_000) {
      try {
        await waitFor(`${base}/healthz`, timeoutMs);
      } catch (error) {
        throw new Error(`${options.name}: ${(error as Error).message}; it printed:\n${out}`);
      }
    },
    async stop() {
      stopped = true;
      send("SIGCONT");
      send("SIGTERM");
      const killer = setTimeout(() => send("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Registers a team named `name` (password "correct horse") on `node`; its session token. */
export async function registerOn(node: { base: string }, name: string): Promise<string> {
  const res = await fetch(`${node.base}/api/teams`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password: "correct horse" }),
  });
  if (res.status !== 201) {
    throw new Error(`cannot register ${name}: ${res.status} ${await res.text()}`);
  }
  return ((await res.json()) as { token: string }).token;
}

/** A test file's PostgreSQL server, its database and folder, and the nodes started on them. */
export interface Cluster {
  pg: Pg;
  /** The database's URL. */
  url: string;
  /** The folder of the hunt files and the shared uploads (`files`). */
  dir: string;
  /** Every node started, stopped after the file's tests. */
  nodes: Node[];
  /** Starts a node on the database with a hunt file of `dir`, and waits until it serves. */
  start(name: string, hunt?: string): Promise<Node>;
}

/**
 * Before the file's tests: starts PostgreSQL, creates `database`, writes the
 * hunt files into a new folder and starts `nodes` on them (each with
 * `hunt.toml`). After them: stops the nodes and the server, and removes the folder.
 */
export function clusterSuite(
  database: string,
  options: { files: Record<string, string>; nodes?: string[]; timeoutMs?: number },
): Cluster {
  const cluster: Cluster = {
    pg: undefined as unknown as Pg,
    url: "",
    dir: "",
    nodes: [],
    start(name, hunt = "hunt.toml") {
      const { url, dir } = cluster;
      const node = startNode({ name, url, hunt: join(dir, hunt), files: join(dir, "files") });
      cluster.nodes.push(node);
      return node.ready().then(() => node);
    },
  };
  beforeAll(async () => {
    cluster.pg = await startPg();
    cluster.url = await cluster.pg.createDatabase(database);
    cluster.dir = mkdtempSync(join(tmpdir(), `cairn-${database}-`));
    for (const [file, text] of Object.entries(options.files)) {
      writeFileSync(join(cluster.dir, file), text);
    }
    await Promise.all((options.nodes ?? []).map((name) => cluster.start(name)));
  }, options.timeoutMs ?? 60_000);
  afterAll(async () => {
    try {
      await Promise.all(cluster.nodes.map((node) => node.stop()));
    } finally {
      await cluster.pg?.stop();
      if (cluster.dir) rmSync(cluster.dir, { recursive: true, force: true });
    }
  });
  return cluster;
}
