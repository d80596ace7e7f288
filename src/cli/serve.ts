import { mkdirSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { dirname, resolve } from "node:path";
import {
  Accounts,
  type Committer,
  createApp,
  dbFreeze,
  hashToken,
  newToken,
  type Runtime,
} from "../http/mod.ts";
import { type Announcement, Live } from "../live/mod.ts";
import { Metrics } from "../metrics/mod.ts";
import { formatProblem, loadHuntOrExample, sortProblems } from "../hunt/mod.ts";
import type { Write } from "../engine/mod.ts";
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from "../log/mod.ts";
import {
  type Game,
  getMeta,
  type OpenGame,
  openGame,
  reloadGame,
  type ReloadOutcome,
  setMeta,
  writeProblem,
} from "../store/mod.ts";
import type { CommandSpec, Values } from "./_args.ts";
import { EXIT, type Io } from "./_io.ts";
import { formatReport } from "./_hunt.ts";

export const DEFAULT_DB = "./cairn-data/cairn.db";

export const serveSpec: CommandSpec = {
  name: "serve",
  summary: "Start the Cairn server.",
  usage: "cairn serve [--hunt FILE] [--db FILE] [--host H] [--port P] [--admin-token T]",
  options: {
    hunt: {
      type: "string",
      value: "FILE",
      env: "CAIRN_HUNT",
      help: "Hunt file to run (default: the embedded example hunt)",
    },
    db: { type: "string", value: "FILE", env: "CAIRN_DB", default: DEFAULT_DB, help: "Database" },
    host: {
      type: "string",
      value: "H",
      env: "CAIRN_HOST",
      default: "0.0.0.0",
      help: "Address to listen on",
    },
    port: { type: "string", value: "P", env: "CAIRN_PORT", default: "8080", help: "Port (0: any)" },
    "admin-token": {
      type: "string",
      value: "T",
      env: "CAIRN_ADMIN_TOKEN",
      help: "Admin token (default: generated on first start)",
    },
    "log-level": {
      type: "string",
      value: "L",
      env: "CAIRN_LOG_LEVEL",
      default: "info",
      choices: LOG_LEVELS,
      help: "Least severe log level printed",
    },
  },
  positionals: { min: 0, max: 0, names: "" },
  notes: [
    "SIGTERM or SIGINT stops accepting, lets in-flight requests finish, and exits 0.",
    "SIGHUP re-reads the hunt file; one with errors is refused and the running hunt kept.",
  ].join("\n"),
};

/** Starts the server and runs until the process is asked to stop. */
export async function serve(values: Values, _positionals: string[], io: Io): Promise<number> {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`serve: --port must be a whole number from 0 to 65535, not "${values.port}"\n`);
    return EXIT.usage;
  }
  const logger = createLogger({
    level: values["log-level"] as LogLevel,
    write: (line) => io.stdout(line + "\n"),
  });

  // The server refuses to start on an invalid hunt, and says everything that is wrong.
  const loaded = loadHuntOrExample(values.hunt as string | undefined);
  if (loaded.hunt === undefined) {
    io.stderr(formatReport(loaded.problems));
    return EXIT.failure;
  }
  for (const problem of loaded.problems) {
    logger.warn("hunt_warning", {
      file: problem.file,
      line: problem.line,
      message: problem.message,
    });
  }

  const dbPath = resolve(values.db as string);
  try {
    mkdirSync(dirname(dbPath), { recursive: true });
  } catch (error) {
    io.stderr(`serve: cannot create the data folder for ${dbPath}: ${describe(error)}\n`);
    return EXIT.failure;
  }

  // The single-instance lock, the database, and the engine rebuilt from it.
  const metrics = new Metrics();
  let fail: (error: Error) => void = () => {};
  const fatal = new Promise<Error>((resolve) => (fail = resolve));
  let opened: OpenGame;
  try {
    opened = openGame({
      dbPath,
      hunt: loaded.hunt,
      clock: { now: () => Date.now() },
      onBatch: (stats) => {
        metrics.batch(stats);
        logger.debug("commit", { ...stats });
      },
      onFailure: (error) => fail(error),
    });
  } catch (error) {
    io.stderr(`serve: cannot open the database ${dbPath}: ${describe(error)}\n`);
    return EXIT.failure;
  }
  if (opened.kind === "locked") {
    io.stderr(`serve: another Cairn server is already running on ${dbPath}\n`);
    return EXIT.failure;
  }
  const game = opened.game;
  const freeze = dbFreeze(game.db, () => game.engine.hunt.freezeAt);
  const live = new Live({
    engine: () => game.engine,
    frozenAt: (now) => freeze.frozenAt(now),
    announcementsAfter: (id) =>
      game.db.query<Announcement, [number]>(
        "SELECT id, text, at FROM announcements WHERE id > ? ORDER BY id",
      )
        .all(id),
    lastAnnouncementId:
      game.db.query<{ id: number | null }, []>("SELECT max(id) AS id FROM announcements").get()
        ?.id ?? 0,
  });
  metrics.track({ teams: () => game.engine.teams.size, streams: () => live.connections });
  // Every commit publishes what it means once it is on disk: events never run ahead of the database.
  const writer: Committer = {
    commit: (writes) =>
      game.writer.commit(writes).then(() => {
        live.committed(writes);
        metrics.committed(writes);
      }),
  };
  const clock = runClock(game, writer, live, logger);

  /**
   * Re-reads the hunt file, for SIGHUP and the admin route alike. A valid file
   * swaps in the new rules at once; the unlocks they allow are recorded and
   * pushed to each team, with the new scoreboard. A file with errors changes
   * nothing, and every error is logged.
   */
  const reload = (source: "sighup" | "admin"): ReloadOutcome => {
    const next = loadHuntOrExample(values.hunt as string | undefined);
    const result: ReloadOutcome = next.hunt === undefined
      ? {
        kind: "error",
        errors: sortProblems(next.problems).filter((p) => p.severity === "error").map(
          formatProblem,
        ),
      }
      : reloadGame(game, next.hunt, { now: () => Date.now() });
    metrics.reloaded(result.kind === "ok");
    if (result.kind === "error") {
      logger.error("hunt_reload_failed", { source, errors: result.errors.length, kept: "old" });
      for (const message of result.errors) logger.error("hunt_reload_error", { message });
      return result;
    }
    clock.reschedule();
    live.committed(result.writes);
    // Points may have changed, so the board may have too.
    live.scoreboardChanged();
    logger.info("hunt_reloaded", {
      source,
      puzzles: result.summary.puzzles,
      added: result.summary.added.join(",") || undefined,
      removed: result.summary.removed.join(",") || undefined,
      changed: result.summary.changed.join(",") || undefined,
    });
    for (const problem of next.problems) {
      logger.warn("hunt_warning", {
        file: problem.file,
        line: problem.line,
        message: problem.message,
      });
    }
    return result;
  };

  const admin = adminToken(game.db, values["admin-token"] as string | undefined);
  const runtime: Runtime = {
    get engine() {
      return game.engine;
    },
    writer,
    accounts: Accounts.load(game.db),
    adminTokenHash: admin.hash,
    db: game.db,
    reload: () => reload("admin"),
    writeProblem: () => writeProblem(game.db, { path: dbPath, failed: game.writer.failed }),
  };
  const stopClock = clock.stop;

  const app = createApp({ logger, runtime, freeze, live, metrics });
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: values.host as string,
      port,
      fetch: app.fetch,
      // A backstop only: the app answers oversized bodies itself with a 413 envelope.
      maxRequestBodySize: 256 * 1024 * 1024, // room for photo and video uploads
    });
  } catch (error) {
    stopClock();
    game.close();
    io.stderr(`serve: cannot listen on ${values.host}:${port}: ${describe(error)}\n`);
    return EXIT.failure;
  }

  logger.info("listening", {
    url: `http://${displayHost(server.hostname ?? "localhost")}:${server.port}/`,
    hunt: loaded.file,
    puzzles: loaded.hunt.puzzles.length,
    teams: game.engine.teams.size,
    db: dbPath,
    load_ms: Math.round(game.loadMs),
    check_ms: Math.round(game.checkMs ?? 0),
  });
  for (const url of lanUrls(server.hostname ?? "", server.port ?? port)) {
    logger.info("reachable", { url });
  }
  admin.persist();
  if (admin.token !== undefined) {
    // Printed once, on the first start: only the token's hash is stored.
    const base = `http://${displayHost(server.hostname ?? "localhost")}:${server.port}`;
    logger.info("admin_link", {
      url: `${base}/admin#token=${admin.token}`,
      note: "shown once; keep it",
    });
  }

  const stopReloads = io.onReload(() => reload("sighup"));
  const stop = await Promise.race([io.shutdown, fatal]);
  stopReloads();
  if (stop instanceof Error) {
    // The state in memory ran ahead of the disk: exit, and let the service manager restart
    // the server, which rebuilds the state from the database.
    logger.error("commit_failed", { message: stop.message });
    stopClock();
    // The requests of the failed batch (and any after it) are being answered 503: let
    // them go out, for at most a second, before closing every connection.
    live.closeAll();
    await Promise.race([server.stop(), Bun.sleep(1000)]);
    await server.stop(true);
    return EXIT.failure;
  }
  logger.info("stopping", { signal: stop });
  // Live streams never finish by themselves: end them, then let in-flight requests finish.
  live.closeAll();
  // Without `true`, stop() refuses new connections and waits for in-flight requests.
  await server.stop();
  stopClock();
  game.close();
  if (game.writer.failed) {
    logger.error("commit_failed", { message: "a commit failed while stopping" });
    return EXIT.failure;
  }
  logger.info("stopped");
  return EXIT.ok;
}

/**
 * Keeps time-based unlocks current: records them at each time the engine says
 * a rule can change, and commits background writes (unlocks found on reads)
 * every second. Returns a function that stops it.
 */
function runClock(
  game: Game,
  writer: Committer,
  live: Live,
  logger: Logger,
): { stop: () => void; reschedule: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const commit = (writes: Write[]) => {
    if (writes.length > 0) {
      writer.commit(writes).catch((error) =>
        logger.error("background_commit_failed", { message: String(error) })
      );
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    const next = game.engine.nextChangeAt();
    if (next === undefined) return;
    // setTimeout holds at most about 24.8 days; a later time is reached in steps.
    timer = setTimeout(() => {
      commit(game.engine.tick().writes);
      // A time may be the freeze: the public board changes then.
      live.scoreboardChanged();
      schedule();
    }, Math.min(Math.max(0, next - Date.now()), 2 ** 31 - 1));
  };
  schedule();
  const background = setInterval(() => {
    commit(game.engine.takeBackgroundWrites());
    // After a burst of closed streams (a Wi-Fi drop takes every phone at
    // once), ask for a collection: an idle server would otherwise hold their
    // buffers until it next allocates enough to start one by itself.
    if (live.takeClosedCount() >= 1000) Bun.gc(false);
  }, 1000);
  const heartbeat = setInterval(() => live.heartbeat(), 20_000);
  return {
    reschedule: schedule,
    stop: () => {
      clearTimeout(timer);
      clearInterval(background);
      clearInterval(heartbeat);
      commit(game.engine.takeBackgroundWrites());
    },
  };
}

/**
 * The admin token's hash: from --admin-token, else the one stored, else a new
 * token generated now, stored only as its hash, and returned to print once.
 */
function adminToken(
  db: Game["db"],
  flag: string | undefined,
): { hash: string; token?: string; persist: () => void } {
  if (flag !== undefined) return { hash: hashToken(flag), persist: () => {} };
  const stored = getMeta(db, "admin_token_hash");
  if (stored !== undefined) return { hash: stored, persist: () => {} };
  const token = newToken();
  const hash = hashToken(token);
  // Stored only once the server listens and its link is printed: a failed first start
  // must not keep a hash whose token nobody ever saw.
  return { hash, token, persist: () => setMeta(db, "admin_token_hash", hash) };
}

/** The addresses players on the local network can use when listening on all interfaces. */
function lanUrls(hostname: string, port: number): string[] {
  if (hostname !== "0.0.0.0" && hostname !== "::") return [];
  const urls: string[] = [];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.internal || address.family !== "IPv4") continue;
      urls.push(`http://${address.address}:${port}/`);
    }
  }
  return urls;
}

function displayHost(hostname: string): string {
  if (hostname === "0.0.0.0" || hostname === "::") return "localhost";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
