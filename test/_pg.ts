// A throwaway PostgreSQL server for tests: initdb and pg_ctl (as the postgres
// user when running as root, since PostgreSQL refuses root) in a temporary
// folder, fsync on, listening on loopback with trust authentication.
import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { freePort } from "./_runtime.ts";

export interface Pg {
  /** The URL of the `postgres` database. */
  url: string;
  /** The URL of another database on this server, with an optional application_name. */
  urlFor(database: string, options?: { applicationName?: string }): string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL (several statements allowed when there are no results to read). */
  query(sql: string, options?: { database?: string }): Promise<Record<string, unknown>[]>;
  /** The server's client backends (not this harness's own), as pg_stat_activity shows them. */
  backends(): Promise<Backend[]>;
  /**
   * Terminates every backend whose application_name starts with `name` (only those inside a
   * transaction with `inTransaction`); returns how many.
   */
  terminate(name: string, options?: { inTransaction?: boolean }): Promise<number>;
  /** Stops the server (fast shutdown) and starts it again on the same port. */
  restart(options?: { mode?: "fast" | "immediate" }): Promise<void>;
  /** Stops the server, keeping its data. */
  down(): Promise<void>;
  /** Starts the server again after `down`. */
  up(): Promise<void>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** One client connection, from pg_stat_activity. */
export interface Backend {
  pid: number;
  applicationName: string;
  /** active, idle, idle in transaction… */
  state: string;
  /** Whether a transaction is open on it. */
  inTransaction: boolean;
  /** What it waits for, when it waits: Lock, PgSleep, ClientRead… */
  waitEvent: string | null;
}

/** Where Debian puts the server's programs (initdb and pg_ctl are not on PATH). */
function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort()
    : [];
  if (versions.length === 0) {
    throw new Error(
      "PostgreSQL's server is not installed: install the Debian package `postgresql` " +
        "(sh scripts/setup.sh does)",
    );
  }
  return join(root, versions.at(-1)!, "bin");
}

/** Starts a new server. */
export async function startPg(): Promise<Pg> {
  const bin = binDir();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "cairn-pg-"));
  const data = join(dir, "data");
  const as = (args: string[]) => root ? ["runuser", "-u", "postgres", "--", ...args] : args;
  const run = async (args: string[]) => {
    const [exe, ...rest] = as(args);
    const proc = spawn(exe!, rest, { stdio: ["ignore", "pipe", "pipe"], cwd: dir });
    let out = "";
    let err = "";
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    proc.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    const code = await new Promise<number | null>((resolve) => proc.once("close", resolve));
    if (code !== 0) throw new Error(`${args.join(" ")} failed (${code}):\n${out}${err}`);
  };
  if (root) {
    // The postgres user must own the folder; find its ids rather than assume them.
    const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim();
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  const port = await freePort();
  const options =
    `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} ` +
    `-c fsync=on -c max_connections=200`;
  const start = () =>
    run([join(bin, "pg_ctl"), "-D", data, "-l", join(dir, "log"), "-o", options, "-w", "start"]);
  const stopServer = (mode: string) =>
    run([join(bin, "pg_ctl"), "-D", data, "-m", mode, "-w", "stop"]);
  try {
    await run([
      join(bin, "initdb"),
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "--no-instructions",
      "-E",
      "UTF8",
    ]);
    await start();
  } catch (error) {
    // A server that could not start leaves no folder behind, nor a half-started server.
    await stopServer("immediate").catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const urlFor = (database: string, opts: { applicationName?: string } = {}) =>
    `postgres://postgres@127.0.0.1:${port}/${database}` +
    (opts.applicationName === undefined ? "" : `?application_name=${opts.applicationName}`);
  const withSql = async <T>(database: string, use: (sql: postgres.Sql) => Promise<T>) => {
    const sql = postgres(urlFor(database), { max: 1, onnotice: () => {} });
    try {
      return await use(sql);
    } finally {
      await sql.end({ timeout: 1 });
    }
  };
  let running = true;
  return {
    url: urlFor("postgres"),
    urlFor,
    async createDatabase(name) {
      await withSql("postgres", (sql) => sql.unsafe(`CREATE DATABASE "${name}"`));
      return urlFor(name);
    },
    query: (text, opts = {}) =>
      withSql(opts.database ?? "postgres", async (sql) => [...await sql.unsafe(text)]),
    backends: () =>
      withSql("postgres", async (sql) => {
        const rows = await sql`SELECT pid, application_name, state, xact_start IS NOT NULL AS tx,
            wait_event FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY pid`;
        return rows.map((row) => ({
          pid: row.pid,
          applicationName: row.application_name,
          state: row.state,
          inTransaction: row.tx,
          waitEvent: row.wait_event,
        }));
      }),
    terminate: (name, opts = {}) =>
      withSql("postgres", async (sql) => {
        const rows = await sql`SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
          WHERE application_name LIKE ${name + "%"} AND pid <> pg_backend_pid()
            AND (${!opts.inTransaction} OR xact_start IS NOT NULL)`;
        return rows.filter((row) => row.done).length;
      }),
    async restart(opts = {}) {
      await stopServer(opts.mode ?? "fast");
      await start();
    },
    async down() {
      if (!running) return;
      running = false;
      await stopServer("fast");
    },
    async up() {
      if (running) return;
      running = true;
      await start();
    },
    async stop() {
      if (running) await stopServer("immediate").catch(() => {});
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
