// The real app over an in-memory database, built by the same composition root
// as the server, with a clock tests move by hand, and helpers to call it as a
// team, as the admin, or as nobody.
import { loadHunt } from "../../src/hunt/mod.ts";
import { createLogger } from "../../src/log/mod.ts";
import { hashToken, parseTrustedProxies, type UploadLimits } from "../../src/play/mod.ts";
import { startGame, type Timer } from "../../src/server/mod.ts";
import type { Write } from "../../src/engine/mod.ts";
import {
  CommitError,
  type Connection,
  openDatabase,
  SqliteStore,
  type Store,
} from "../../src/store/mod.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock, HUNT_TOML, START } from "../engine/_hunt.ts";
import { remove } from "../_tmp.ts";
import { checkContract } from "./_contract.ts";

export const ADMIN_TOKEN = "admin-secret-token";
export const ORIGIN = "http://localhost";

// Each app's mission uploads: a folder of its own under UPLOADS, made by the first upload (most
// tests upload nothing). A test file that uploads calls `afterAll(removeUploads)`.
const UPLOADS = join(tmpdir(), `cairn-uploads-${crypto.randomUUID().slice(0, 8)}`);
let apps = 0;
const uploadsDir = () => join(UPLOADS, String(++apps));

/** Removes every app's uploads made so far. */
export function removeUploads(): void {
  remove(UPLOADS);
}

/** Makes every commit fail, as a disk that cannot be written does, until the returned function. */
export function failCommits(store: Store): () => void {
  const commit = store.commit.bind(store);
  store.commit = () => Promise.reject(new CommitError(new Error("disk I/O error")));
  return () => void (store.commit = commit);
}

/**
 * Makes `store` refuse its next commit as a shared log out of reach does after its 5 s (PgStore's
 * `UnavailableError`): a refused `CommitError`, nothing stored, the store still open; later commits
 * go through. With `until`, the refusal waits for it, and meanwhile the store lists the writes as
 * under way (`Store.unsettled`), as PgStore does. `refused()` says how many it refused.
 */
export function refuseFirstCommit(
  store: Store,
  options: { until?: Promise<void> } = {},
): { refused: () => number } {
  const commit = store.commit.bind(store);
  let refused = 0;
  let underWay: readonly Write[] = [];
  if (options.until !== undefined) Object.assign(store, { unsettled: () => underWay });
  store.commit = async (writes) => {
    if (refused > 0) return commit(writes);
    refused++;
    underWay = writes;
    await options.until;
    underWay = [];
    throw Object.assign(new Error("Cannot reach the database: connection refused"), {
      name: "CommitError",
      refused: true,
    });
  };
  return { refused: () => refused };
}

/**
 * Waits for the clock's commits (each second) to store an unlock of `puzzle`, for up to 10 s on a
 * busy machine; returns how many unlocks of it are stored.
 */
export async function unlocksStored(db: Connection, puzzle: string): Promise<number> {
  const stored = () =>
    (db.query("SELECT count(*) AS n FROM unlocks WHERE puzzle = ?").get(puzzle) as { n: number }).n;
  for (let waited = 0; stored() === 0 && waited < 10_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return stored();
}

export interface Reply {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any -- test replies are inspected field by field
  body: any;
  text: string;
}

export function makeApp(
  options: {
    toml?: string;
    clock?: FakeClock;
    coalesceMs?: number;
    pushBytesPerSecond?: number;
    valuesEveryMs?: number;
    assetsDir?: string;
    /** Receives each log line (default: none kept). */
    log?: (line: string) => void;
    /** Makes the store one that reads a shared log on an unknown session token (`Store.sync`). */
    sync?: () => Promise<void>;
    /** Writes rows into the new database before the game loads it (imported teams). */
    seed?: (db: Connection) => void;
    /** The limits on mission uploads in flight. */
    uploads?: Partial<UploadLimits>;
    /** The reverse proxies whose X-Forwarded-For names the client, as `serve --trust-proxy` takes them. */
    trustProxy?: string;
    /** Password checks and hashes under way at once, at most. */
    passwordJobs?: number;
    /** The address `serve --host` would listen on (default 0.0.0.0). */
    host?: string;
    /** What the clock waits for the hunt's next time with (default: setTimeout). */
    timer?: Timer;
  } = {},
) {
  const clock = options.clock ?? new FakeClock();
  let toml = options.toml ?? HUNT_TOML;
  const db = openDatabase(":memory:");
  options.seed?.(db);
  const store = SqliteStore.over(db, { filesDir: uploadsDir() });
  if (options.sync !== undefined) Object.assign(store, { sync: options.sync });
  store.setMeta({ hunt_started_at: String(START) });
  const load = () =>
    loadHunt(toml, {
      file: "hunt.toml",
      ...(options.assetsDir !== undefined && { assetsDir: options.assetsDir }),
    });
  const { hunt, problems } = load();
  if (!hunt) throw new Error(problems.map((p) => p.message).join("\n"));
  const proxies = options.trustProxy === undefined
    ? undefined
    : parseTrustedProxies(options.trustProxy);
  if (proxies?.kind === "invalid") throw new Error(`not a proxy address: ${proxies.entry}`);
  // The same composition root as `cairn serve`, over an in-memory database.
  const server = startGame({
    store,
    hunt,
    reread: load,
    clock,
    logger: createLogger({ write: options.log ?? (() => {}) }),
    adminTokenHash: () => hashToken(ADMIN_TOKEN),
    ...(options.coalesceMs !== undefined && { coalesceMs: options.coalesceMs }),
    ...(options.pushBytesPerSecond !== undefined &&
      { pushBytesPerSecond: options.pushBytesPerSecond }),
    ...(options.valuesEveryMs !== undefined && { valuesEveryMs: options.valuesEveryMs }),
    ...(options.uploads !== undefined && { uploads: options.uploads }),
    ...(proxies !== undefined && { proxies: proxies.proxies }),
    ...(options.passwordJobs !== undefined && { passwordJobs: options.passwordJobs }),
    ...(options.host !== undefined && { host: options.host }),
    ...(options.timer !== undefined && { timer: options.timer }),
  });
  const { app, game, live, metrics } = server;

  async function call(
    method: string,
    path: string,
    init: {
      token?: string;
      body?: unknown;
      raw?: RequestInit["body"];
      headers?: Record<string, string>;
    } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    let body: RequestInit["body"] | undefined = init.raw;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await app.request(`${ORIGIN}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body }),
    });
    // As sent: a CSV's byte-order mark is kept (text() would drop it from a streamed body).
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer());
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    checkContract(method, `${ORIGIN}${path}`, {
      status: res.status,
      headers: res.headers,
      body: parsed,
    });
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  /** Registers a team and returns its token. */
  async function register(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    const reply = await call("POST", "/api/teams", {
      body: { name, password: "correct horse", ...extra },
    });
    if (reply.status !== 201) throw new Error(`cannot register ${name}: ${reply.text}`);
    return reply.body.token;
  }

  /** Logs a team in again (another phone of it) and returns the new session's token. */
  async function login(name: string, password = "correct horse"): Promise<string> {
    const reply = await call("POST", "/api/session", { body: { name, password } });
    if (reply.status !== 200) throw new Error(`cannot log ${name} in: ${reply.text}`);
    return reply.body.token;
  }

  return {
    app,
    call,
    login,
    register,
    clock,
    db,
    store,
    game,
    server,
    live,
    metrics,
    admin: (method: string, path: string, body?: unknown) =>
      call(method, path, { token: ADMIN_TOKEN, ...(body !== undefined && { body }) }),
    setToml: (next: string) => (toml = next),
    /**
     * A second server over the same database, as after a restart: its own
     * game, booted from what is stored (the hunt file now, unless given).
     */
    restart: (
      again: {
        toml?: string;
        clock?: FakeClock;
        /** Given the new store before the game boots on it (to refuse its first commit). */
        prepare?: (store: Store) => void;
      } = {},
    ) => {
      const text = again.toml ?? toml;
      const reread = () => loadHunt(text, { file: "hunt.toml" });
      const restarted = SqliteStore.over(db, { filesDir: uploadsDir() });
      again.prepare?.(restarted);
      return startGame({
        store: restarted,
        hunt: reread().hunt!,
        reread,
        clock: again.clock ?? clock,
        logger: createLogger({ write: () => {} }),
        adminTokenHash: () => hashToken(ADMIN_TOKEN),
      });
    },
  };
}
