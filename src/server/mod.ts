/**
 * The composition root: the one place that assembles a server from a store
 * and a hunt. `cli/serve.ts` calls it with the database file it opened; the
 * tests call it with an in-memory one. Here a committed write reaches live
 * events and metrics, the game clock runs, and the hunt is reloaded.
 */
import { Hono } from "hono";
import type { Clock, Engine, Hunt, Write } from "../engine/mod.ts";
import { formatProblem, type LoadResult, type Problem, sortProblems } from "../hunt/mod.ts";
import {
  apiRoutes,
  errorHandler,
  type HotAnswers,
  hotAnswers,
  installFront,
  serveHot,
} from "../http/mod.ts";
import { Live } from "../live/mod.ts";
import type { Logger } from "../log/mod.ts";
import { Metrics } from "../metrics/mod.ts";
import {
  Accounts,
  ContactTokens,
  errorResponse,
  type Game,
  NO_PROXIES,
  type Play,
  play,
  type ReloadResult,
  storedFreeze,
  Submitters,
  type TrustedProxies,
  type UploadLimits,
} from "../play/mod.ts";
import type { Store, StoreListeners } from "../store/mod.ts";
import {
  adminPages,
  apiDocsPages,
  boardPages,
  pageNotFound,
  pageUnavailable,
  playerPages,
} from "../ui/mod.ts";
import { bootEngine, bootKeys, commitNow } from "./boot.ts";
import { followWrites } from "./follow.ts";
import { runClock, type Timer } from "./clock.ts";
import { huntFingerprint } from "./fingerprint.ts";
import { reloadHunt } from "./reload.ts";

export { huntStart } from "./boot.ts";
export { lostState } from "./reload.ts";
export { listen } from "./listen.ts";
export { forwarding, type Serving, unavailable } from "./forward.ts";
export type { Listener, ListenOptions } from "./listen.ts";
export type { Timer } from "./clock.ts";

export interface StartOptions {
  store: Store;
  hunt: Hunt;
  /** Reads the hunt file again, for a reload (SIGHUP or the admin's button). */
  reread: () => LoadResult;
  clock: Clock;
  logger: Logger;
  /**
   * SHA-256 of the admin token. It is read at start and again at every
   * reload, so a token replaced with `cairn admin-token` takes effect on SIGHUP.
   */
  adminTokenHash: () => string;
  /** Scoreboard pushes closer together than this are merged (ms; default 250). */
  coalesceMs?: number;
  /** What scoreboard pushes may send a second before their window grows (default 32 MiB). */
  pushBytesPerSecond?: number;
  /** `puzzle_values` pushes closer together than this are merged (ms; default `VALUES_EVERY_MS`). */
  valuesEveryMs?: number;
  /** The limits on mission uploads in flight (default `UPLOAD_LIMITS`; tests set smaller ones). */
  uploads?: Partial<UploadLimits>;
  /** The reverse proxies whose `X-Forwarded-For` names the client (default: none). */
  proxies?: TrustedProxies;
  /** The address `serve` listens on (`--host`; default `0.0.0.0`, every one), for the join links. */
  host?: string;
  /** Password checks and hashes under way at once, at most (default `PASSWORD_JOBS`). */
  passwordJobs?: number;
  /** What the clock waits for the hunt's next time with (default: setTimeout; tests fire it by hand). */
  timer?: Timer;
}

/** A started game: what `serve` listens with, and what tests drive. */
export interface Server {
  /** The app; its `fetch` answers the hot routes directly and carries them for `listen` (http/hot.ts). */
  app: Hono;
  game: Game;
  play: Play;
  live: Live;
  metrics: Metrics;
  /** Re-reads the hunt file; `source` goes to the log. */
  reload(source: "sighup" | "admin"): ReloadResult;
  /** Resolves with the error when a commit fails: the server must then stop. */
  failed: Promise<Error>;
  /** Stops the clock, commits what is queued, and closes the store. */
  close(): void;
}

/**
 * The log's lines when the database cannot be reached, and when it can again: both at warn, so
 * that a log that shows the first shows the second too.
 */
function outageLines(logger: Logger): Pick<StoreListeners, "onUnreachable" | "onReachable"> {
  return {
    onUnreachable: (reason) => logger.warn("database_unreachable", { message: reason }),
    onReachable: (awayMs) => logger.warn("database_reachable", { away_ms: Math.round(awayMs) }),
  };
}

/** Each batch the store commits: counted in the metrics, and a debug line in the log. */
function batchLine(metrics: Metrics, logger: Logger): StoreListeners["onBatch"] {
  return (stats) => {
    metrics.batch(stats);
    logger.debug("commit", { ...stats });
  };
}

/**
 * Builds the engine from what the store holds, and around it the live bus,
 * metrics, accounts, the freeze, the actions and the app.
 */
export function startGame(options: StartOptions): Server {
  const { store, clock, logger } = options;
  const metrics = new Metrics();
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  store.watch({
    onBatch: batchLine(metrics, logger),
    onFailure: (error) => fail(error),
    ...outageLines(logger),
    // Where nodes share a log: what the others decided, played here (set once `game` exists).
    onFollow: (writes) => {
      if (followed.game === undefined) return;
      const changed = followWrites(followed.game, writes);
      if (changed.adminToken) adminTokenHash = options.adminTokenHash();
      if (changed.hunt) hunts.compare("another node");
    },
  });
  const followed: { game?: Game } = {};

  store.saveScoring(options.hunt);
  const booted = bootEngine(store, options.hunt, clock);
  let engine: Engine = booted.engine;
  commitNow(store, booted.writes, { engine: () => engine });
  // A crash between storing an upload and committing its submission leaves a file nobody names.
  const orphans = store.cleanUploads();
  if (orphans > 0) logger.info("uploads_cleaned", { removed: orphans });
  let adminTokenHash = options.adminTokenHash();

  const hunts = huntWatch(store, logger, options.hunt);

  const freeze = storedFreeze(store, () => engine.hunt.freezeAt);
  const live = new Live({
    engine: () => engine,
    frozenAt: (now) => freeze.frozenAt(now),
    announcements: store.announcements(),
    ...pushTiming(options),
  });

  // Every commit publishes what it means once it is on disk: events never run ahead of the database.
  const commit = (writes: readonly Write[]) =>
    store.commit(writes).then(() => {
      live.committed(writes);
      metrics.committed(writes);
    });

  const game: Game = {
    get engine() {
      return engine;
    },
    store,
    accounts: Accounts.from(store.accounts(), {
      ...(options.passwordJobs !== undefined && { passwordJobs: options.passwordJobs }),
    }),
    idempotency: bootKeys(store),
    contacts: ContactTokens.load(store),
    submitters: Submitters.from(store.submitters()),
    get adminTokenHash() {
      return adminTokenHash;
    },
    proxies: options.proxies ?? NO_PROXIES,
    host: options.host ?? "0.0.0.0",
    freeze,
    live,
    metrics,
    logger,
    commit,
    reload: () => reload("admin"),
    huntDiffers: hunts.differs,
  };
  followed.game = game;
  const ticking = runClock({ game, logger, timer: options.timer });

  /**
   * A valid file swaps in the new rules at once; the unlocks they allow are
   * recorded and, once stored, pushed to each team; the new scoreboard goes at once. A file with
   * errors changes nothing, and every error is logged.
   */
  function reload(source: "sighup" | "admin"): ReloadResult {
    const token = options.adminTokenHash();
    if (token !== adminTokenHash) logger.info("admin_token_changed", { source });
    adminTokenHash = token;
    const next = options.reread();
    const result = next.hunt === undefined
      ? { kind: "error" as const, errors: errorsOf(next.problems) }
      : reloadHunt(store, engine, next.hunt, clock);
    metrics.reloaded(result.kind === "ok");
    if (result.kind === "error") {
      logger.error("hunt_reload_failed", { source, errors: result.errors.length, kept: "old" });
      for (const message of result.errors) logger.error("hunt_reload_error", { message });
      return result;
    }
    engine = result.engine;
    hunts.reloaded(engine.hunt);
    ticking.reschedule();
    commitNow(store, result.writes, { commit, engine: () => engine });
    // Points may have changed, so the board may have too; open pages learn moved times, and
    // puzzles whose words changed, that are gone, or that are back.
    live.reloaded(result.summary.hunt, result.updated, result.removed, result.returned);
    logReloaded(logger, source, result.summary);
    warn(logger, next.problems);
    return { kind: "ok", summary: result.summary };
  }

  const played = play(game, { uploads: options.uploads });
  trackGame(metrics, played);
  return {
    app: servedApp(played),
    game,
    play: played,
    live,
    metrics,
    reload,
    failed,
    close: () => {
      ticking.stop();
      store.close();
    },
  };
}

/** How scoreboard pushes are spaced: the options `startGame` passes on to `Live`. */
function pushTiming({ coalesceMs, pushBytesPerSecond, valuesEveryMs }: StartOptions) {
  return { coalesceMs, pushBytesPerSecond, valuesEveryMs };
}

/** The log line of a reload that swapped in a new hunt: what it added, removed and changed. */
function logReloaded(
  logger: Logger,
  source: "sighup" | "admin",
  summary: Extract<ReloadResult, { kind: "ok" }>["summary"],
): void {
  logger.info("hunt_reloaded", {
    source,
    puzzles: summary.puzzles,
    added: summary.added.join(",") || undefined,
    removed: summary.removed.join(",") || undefined,
    changed: summary.changed.join(",") || undefined,
    hunt: summary.hunt.join(",") || undefined,
  });
}

/** The gauges `/metrics` reads at each scrape, and the freeze that holds the guess counts back. */
function trackGame(metrics: Metrics, { game, missions: { uploads } }: Play): void {
  metrics.track({
    teams: () => game.engine.teams.size,
    streams: () => game.live.connections,
    frozen: () => game.freeze.frozenAt(game.engine.now()) !== undefined,
    uploads: () => uploads.inFlight,
    uploadBytes: () => uploads.held,
  });
}

/**
 * Where nodes share a log: records the hunt this node starts or reloads (a
 * fingerprint), and logs an error when the one recorded differs, at start or
 * when another node records its own. Nothing on a log of its own.
 */
function huntWatch(store: Store, logger: Logger, hunt: Hunt) {
  const shared = store.decideTurn !== undefined;
  let fingerprint = huntFingerprint(hunt);
  function compare(source: "start" | "another node"): void {
    const recorded = store.meta("hunt_fingerprint");
    if (recorded === undefined || recorded === fingerprint) return;
    logger.error("hunt_differs", {
      source,
      hunt: fingerprint,
      recorded,
      note: "every node must run the same hunt file: copy it to every node and reload them all",
    });
  }
  // The fingerprint on its way into the log: until it is there, the one recorded is older.
  let recording: string | undefined;
  function record(): void {
    if (!shared || store.meta("hunt_fingerprint") === fingerprint) return;
    const mine = fingerprint;
    recording = mine;
    // Nobody waits for it: a failed commit stops the store, and the next start records it.
    void store.setMeta({ hunt_fingerprint: mine }).catch(() => {}).finally(() => {
      if (recording === mine) recording = undefined;
    });
  }
  if (shared) compare("start");
  record();
  return {
    compare,
    /**
     * On a shared log: whether this node's hunt differs from the one recorded last (its own,
     * from the moment it starts recording it, not only once the log holds it).
     */
    differs(): boolean {
      if (!shared) return false;
      const recorded = store.meta("hunt_fingerprint");
      return recorded !== undefined && recorded !== fingerprint && recording !== fingerprint;
    },
    /** A reload swapped in `next`: record it. */
    reloaded(next: Hunt): void {
      fingerprint = huntFingerprint(next);
      record();
    },
  };
}

/**
 * The app: the front middleware and the API first, then the player, board
 * and admin pages, with one 404 (a page for browsers, the envelope for the
 * rest) and one error handler. This is Hono alone: `startGame` adds the hot
 * routes' direct path (`serveHot`) on top.
 */
export function composeApp(played: Play, answers: HotAnswers = hotAnswers(played)): Hono {
  const app = new Hono();
  installFront(app, played);
  app.route("/", apiRoutes(played, answers));
  app.route("/", playerPages(played));
  app.route("/", boardPages(played));
  app.route("/", adminPages(played));
  app.route("/", apiDocsPages(played));
  app.notFound((c) => pageNotFound(played, c) ?? errorResponse("not_found"));
  const onError = errorHandler(played.game.logger);
  // A browser's form post that could not be saved gets a page that says when to try again.
  app.onError((error, c) => {
    const answer = onError(error);
    return (answer.status === 503 && pageUnavailable(played, c, answer)) || answer;
  });
  return app;
}

/**
 * The app a server listens with: Hono (`composeApp`), whose `fetch` also
 * answers the hot routes directly and carries them for `listen` (`serveHot`).
 */
export function servedApp(played: Play): Hono {
  const answers = hotAnswers(played);
  const app = composeApp(played, answers);
  serveHot(app, { play: played, answers });
  return app;
}

/** Logs a hunt file's warnings, one line each. */
export function warn(logger: Logger, problems: readonly Problem[]): void {
  for (const problem of problems) {
    if (problem.severity !== "warning") continue;
    logger.warn("hunt_warning", {
      file: problem.file,
      line: problem.line,
      message: problem.message,
    });
  }
}

function errorsOf(problems: Problem[]): string[] {
  return sortProblems(problems).filter((p) => p.severity === "error").map(formatProblem);
}
