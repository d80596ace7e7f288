/**
 * The PostgreSQL store: several nodes share one event through one ordered log.
 *
 * Every `Write` a node decides is appended to `cairn_log` with a contiguous
 * sequence number, taken by locking the one row of `cairn_log_head` in the
 * same transaction; commits are therefore serialized in sequence order, and a
 * reader that tails `seq > last` never skips a row. A node decides under that
 * lock: it takes the lock, plays the rows other nodes appended since it last
 * looked, opens a turn in which the waiting requests decide against the
 * current state (`decideTurn`), appends what they decided, commits, and only
 * then answers them.
 *
 * Each node keeps a copy of the log's tables in an in-memory SQLite database,
 * written by the same writer as the single-node store: boot, the admin's reads
 * and the export read that copy, through the same code as on one box, and the
 * hot reads stay in the engine's memory. Other nodes' rows reach the server
 * through `onFollow`. A NOTIFY per batch is only a hint: a node also polls
 * every second.
 *
 * When a batch fails before anything was decided (the database is down, or
 * the lock is held by a node frozen mid-batch until PostgreSQL ends its idle
 * transaction), its requests, and commits no batch has taken, wait and try
 * again for up to five seconds, then get 503. When it
 * fails after decisions were made, the state in memory may hold what the log
 * does not: the store fails. If the batch surely left nothing in the log (its
 * COMMIT was never sent, or PostgreSQL answered it with an error, which rolls
 * it back), the server starts again in place from the log; if its outcome is
 * unknown (the connection lost while its COMMIT was on the way), the server
 * exits for its service manager to restart it from the log. A batch the
 * database has not answered within three waits (a connection gone silent)
 * counts as failed the same way, before or after its decisions.
 *
 * A node also checks, each time it reads the log, that the log still holds
 * the last row it played, as it played it. A log put back from a dump, or a
 * PostgreSQL replaced by a standby that lagged, may end before that row, or
 * hold other rows under its number (appended since by another node): the
 * state in memory holds what the log does not, so the store fails as above,
 * and the restart reads the log as it is. Without this, the node appended
 * after its own last row, leaving a gap that every later start refused.
 *
 * A node reads only the log's formats it knows (log_format.ts): at its start
 * it records its own, and it refuses a log of a newer one. A record it cannot
 * read met while it runs (a newer node's) fails the store the same way, even
 * before anything was decided: the node must not serve another game than the
 * others, and its restart is refused.
 */
import postgres from "postgres";
import { hostname } from "node:os";
import type { Hunt, Snapshot, Write } from "../engine/mod.ts";
import { openDatabase } from "./db.ts";
import type { Connection } from "./driver.ts";
import type { Results, ResultTable } from "./export.ts";
import {
  formatProblem,
  formatRecord,
  LOG_FORMAT,
  LOG_FORMAT_KEY,
  LogFormatError,
} from "./log_format.ts";
import { SqliteStore } from "./sqlite.ts";
import type {
  Announcement,
  GuessRow,
  HeldByTeams,
  MetaKey,
  MinuteCount,
  PuzzleGuess,
  Store,
  StoredAccounts,
  StoredIdempotency,
  StoreListeners,
  TeamHistory,
  UploadSink,
  WrongGuess,
} from "./store.ts";
import { CommitError } from "./writer.ts";

/** How long a request waits for an unreachable database before its 503. */
export const WAIT_FOR_DATABASE_MS = 5_000;
/** Rows read from the log at a time, when catching up. */
const CHUNK = 5_000;
/** Rows appended per INSERT statement. */
const INSERT_CHUNK = 1_000;
/** How often a node looks at the log without a notification. */
const POLL_MS = 1_000;
/**
 * How often an idle node checks that PostgreSQL can still give the log a new
 * page (`room`): /healthz says 503 within this (and a wait) of a full disk.
 */
const ROOM_MS = 5_000;
/**
 * The errors of the room check that mean the log cannot take writes: a full
 * disk, an I/O error, a read-only server (a standby), and PostgreSQL refusing
 * commands near transaction ID wraparound. Others (a lock held by another
 * node's check) say nothing of the log.
 */
const CANNOT_WRITE = new Set(["53100", "58030", "25006", "54000"]);
/** The pause between tries while the database is unreachable. */
const RETRY_MS = 200;
/**
 * A batch or a catch-up with no answer within this many waits has lost its
 * connection without a word (a network that drops packets): TCP keepalive
 * would take minutes to say so.
 */
const SILENCE_WAITS = 3;
/** The channel of the per-batch wake-up. */
const CHANNEL = "cairn_log";
/** The advisory lock that serializes schema creation and first-start values. */
const SETUP_LOCK = 72_411_905;
/**
 * Session settings that keep one node from stopping the others' writes: a
 * node frozen (SIGSTOP, a frozen VM, a partition) inside a batch holds the
 * log's lock, so PostgreSQL ends a transaction left idle this long, and a
 * batch waiting for the lock gives up and tries again. The URL may set others
 * (`?idle_in_transaction_session_timeout=…`).
 */
const SESSION = {
  idle_in_transaction_session_timeout: 3_000,
  lock_timeout: 2_000,
} as const;
/** Seconds of silence before TCP keepalive probes begin (postgres.js waits 60). */
const KEEP_ALIVE_S = 10;
/** Seconds between tries to reconnect: 0.25, 0.5, then every second. */
const backoff = (retries: number) => Math.min(0.25 * 2 ** Math.max(retries - 1, 0), 1);

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS cairn_log_head (
    id integer PRIMARY KEY CHECK (id = 1),
    seq bigint NOT NULL
  );
  INSERT INTO cairn_log_head (id, seq) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
  CREATE TABLE IF NOT EXISTS cairn_log (
    seq bigint PRIMARY KEY,
    node text NOT NULL,
    at bigint NOT NULL,
    body text NOT NULL
  );
  CREATE TABLE IF NOT EXISTS cairn_probe (n integer);
`;

/** A URL that names a PostgreSQL database (`postgres://` or `postgresql://`). */
export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

/** The URL with its password hidden, for logs and messages (even a URL that does not parse). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    // Everything between the scheme's `//` and the last `@` may hold the password.
    const at = url.lastIndexOf("@");
    const start = url.indexOf("://");
    // Neither a scheme nor a user: a file name, with nothing to hide.
    if (start === -1 && at === -1) return url;
    if (at === -1 || start === -1 || at < start) return url.slice(0, start + 3) + "…";
    const user = url.slice(start + 3, at).split(":")[0];
    return `${url.slice(0, start + 3)}${user}:***${url.slice(at)}`;
  }
}

export interface PgOpenOptions {
  /** The folder of mission uploads, shared by every node (a network mount). */
  filesDir: string;
  /** This node's name in the log and in `pg_stat_activity` (default: host and pid). */
  node?: string;
  /**
   * Values to store if the event has none yet, chosen under a lock so that
   * nodes starting together agree on one (the hunt's start, the contact key).
   * Given by a node that starts: the log's format is recorded with them, when
   * it records an older one or none.
   */
  firstStart?: () => Partial<Record<MetaKey, string>>;
  /** How long a request waits for an unreachable database (default `WAIT_FOR_DATABASE_MS`). */
  waitMs?: number;
  /** How often the node looks at the log without a notification (default `POLL_MS`). */
  pollMs?: number;
  /** How often a following node checks that the log's disk has room (default `ROOM_MS`). */
  roomMs?: number;
  /**
   * Read the log only (`cairn export`): create no table, and refuse a database
   * that holds no event. Its sessions are read-only.
   */
  readOnly?: boolean;
  /**
   * Why the last store on this log could not write, when this one replaces it
   * (the server starting again in place after a failed append): `/healthz`
   * says so until a write goes through, or an append tried every `pollMs`
   * and rolled back does.
   */
  unwritable?: string;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  /** Set once answered, or given up on past the deadline: the loop drops it. */
  settled: boolean;
}

interface Pending extends Waiter {
  writes: readonly Write[];
}

type Sql = postgres.Sql;

/** A database that is unreachable now; the request may be tried again. */
class UnavailableError extends Error {
  // The HTTP layer answers an error of this name with 503 `unavailable`.
  override readonly name = "CommitError";
  /** Nothing was decided, and the server goes on: logged as a refused write, not a failure. */
  readonly refused = true;
}

/**
 * A batch with decisions made failed before its COMMIT was sent, or its COMMIT
 * was answered with an error: none of it is in the log, and its requests get
 * 503. The state in memory may still hold its decisions, so the store refuses
 * every later write, as after any failure; but the log holds everything this
 * node acknowledged, and nothing it did not, so a new store read from the log
 * may serve in its place at once.
 */
export class UncommittedError extends CommitError {
  /** Read by the server: it may start again in place rather than exit (cli/serve.ts). */
  readonly uncommitted = true;
}

/**
 * The log no longer holds the last row this node played, as it played it: it
 * was put back from a dump, or is a copy that lags. No try will mend that:
 * the node must restart, and read the log as it is.
 */
class LogBehindError extends Error {
  override readonly name = "LogBehindError";
}

/** A log this node cannot go on following: a record it cannot read, or a log that went back. */
const unfollowable = (error: unknown) =>
  error instanceof LogFormatError || error instanceof LogBehindError;

/** The store over a PostgreSQL log. */
export class PgStore implements Store {
  private listeners: StoreListeners = {};
  /** The last log row played into the copy (and, once the server follows, the engine). */
  private seq = 0;
  /** Who appended row `seq`, and when: the log must still hold it so (see `play`). */
  private mark = "";
  private pending: Pending[] = [];
  /** The writes of the batch being appended: decided, and not yet in the copy. */
  private inFlight: readonly Write[] = [];
  private turns: Waiter[] = [];
  private syncs: Waiter[] = [];
  private running = false;
  private failure: CommitError | undefined;
  /** Why the last try to reach the database failed, while it fails. */
  private unreachable: string | undefined;
  /** When the tries began to fail (`performance.now()`), while they fail. */
  private unreachableSince = 0;
  /** Why the log could not be written last (`PgOpenOptions.unwritable`), until it can. */
  private unwritable: string | undefined;
  /** Why PostgreSQL could not give the log a new page at the last check (`room`), if it could not. */
  private noRoom: string | undefined;
  /** When the last room check began (`performance.now()`). */
  private roomAt = -Infinity;
  private roomMs = ROOM_MS;
  /** Whether an append to learn that (`probe`), or a room check, is under way. */
  private probing = false;
  private closed = false;
  private poll: ReturnType<typeof setInterval> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private idle: (() => void)[] = [];
  /** Names this process in its wake-ups: nodes may share an application_name. */
  private readonly wakeId = crypto.randomUUID();
  /**
   * Counts the loop's tries. A try given up on for its silence may still wake
   * later: it finds the count moved on, and stops before it plays or decides.
   */
  private attempt = 0;

  private constructor(
    private readonly sql: Sql,
    /** The log's tables, copied into memory: every read is served from here. */
    private readonly copy: SqliteStore,
    private readonly node: string,
    private readonly waitMs: number,
    private readonly pollMs: number,
  ) {}

  /**
   * Connects, creates the log's tables if they are missing (unless `readOnly`),
   * and reads the whole log into memory. Throws with a clear message when it cannot.
   */
  static async open(url: string, options: PgOpenOptions): Promise<PgStore> {
    checkUrl(url);
    // The URL's application_name, when given, names the node in the log (it need not be unique).
    const named = new URL(url).searchParams.get("application_name") ?? undefined;
    const node = options.node ?? named ?? `${hostname()}:${process.pid}`;
    const sql = postgres(url, {
      max: 4,
      onnotice: () => {},
      connect_timeout: 10,
      idle_timeout: 0,
      keep_alive: KEEP_ALIVE_S,
      backoff,
      connection: {
        ...SESSION,
        ...(named === undefined && { application_name: `cairn ${node}` }),
        ...(options.readOnly && { default_transaction_read_only: true }),
      },
    });
    try {
      await checkTables(sql, url);
      if (options.readOnly) {
        const [found] = await sql<{ log: string | null }[]>`
          SELECT to_regclass('cairn_log')::text AS log`;
        if (found?.log == null) {
          throw new Error(`${redactUrl(url)} holds no Cairn event (it has no cairn_log table)`);
        }
      } else {
        await sql.begin(async (tx) => {
          await tx`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`;
          await tx.unsafe(SCHEMA);
        });
      }
      const copy = SqliteStore.over(openDatabase(":memory:"), {
        filesDir: options.filesDir,
      });
      const store = new PgStore(
        sql,
        copy,
        node,
        options.waitMs ?? WAIT_FOR_DATABASE_MS,
        options.pollMs ?? POLL_MS,
      );
      store.unwritable = options.unwritable;
      store.roomMs = options.roomMs ?? ROOM_MS;
      await store.readLog(sql, Infinity);
      if (options.firstStart !== undefined) await store.recordFirstStart(options.firstStart);
      return store;
    } catch (error) {
      await sql.end({ timeout: 1 }).catch(() => {});
      throw error;
    }
  }

  /**
   * Appends `writes` as the whole log of an empty database (`cairn migrate`),
   * after the record of its format, in one transaction. Refuses a database
   * whose log holds anything.
   */
  static async importLog(
    url: string,
    writes: readonly Write[],
    options: { node?: string } = {},
  ): Promise<{ rows: number }> {
    checkUrl(url);
    const node = options.node ?? "migrate";
    const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
    try {
      await checkTables(sql, url);
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`;
        await tx.unsafe(SCHEMA);
      });
      return await sql.begin(async (tx) => {
        const [head] = await tx<{ seq: string }[]>`
          SELECT seq::text AS seq FROM cairn_log_head WHERE id = 1 FOR UPDATE`;
        if (Number(head!.seq) > 0) {
          throw new Error(
            `the database already holds an event (${
              head!.seq
            } log rows); migrate into an empty one`,
          );
        }
        const rows = logRows([formatRecord(), ...writes], 1, node);
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          const chunk = rows.slice(i, i + INSERT_CHUNK);
          await tx`INSERT INTO cairn_log ${tx(chunk, "seq", "node", "at", "body")}`;
        }
        await tx`UPDATE cairn_log_head SET seq = ${rows.length} WHERE id = 1`;
        return { rows: rows.length };
      });
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  }

  /** The in-memory copy's connection, for the commands that read an event's tables (export). */
  get tables(): SqliteStore["db"] {
    return this.copy.db;
  }

  // ------------------------------------------------------------- writes

  /**
   * Queues writes for the next batch. A commit that no batch has taken within
   * `waitMs` is refused with a 503 error, as a turn is: nothing of it is stored.
   */
  commit(writes: readonly Write[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new CommitError(new Error("the store is closed")));
    return new Promise((resolve, reject) => {
      const entry: Pending = Object.assign(
        this.waiter(resolve, reject, () => {
          // Taken by a batch already: only that batch answers it, once it knows the outcome.
          const at = this.pending.indexOf(entry);
          if (at === -1) return "leave";
          this.pending.splice(at, 1);
          return "refuse";
        }),
        { writes },
      );
      this.pending.push(entry);
      this.kick();
    });
  }

  /**
   * The writes decided on this node and not yet in the copy, oldest first: the batch being
   * appended, then the queued commits. A reload plays them onto the engine it builds from the copy.
   */
  unsettled(): readonly Write[] {
    return [...this.inFlight, ...this.pending.flatMap((entry) => entry.writes)];
  }

  decideTurn(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.wait(this.turns, "refuse");
  }

  sync(): Promise<void> {
    if (this.failure) return Promise.resolve();
    return this.wait(this.syncs, "go on");
  }

  /**
   * Queues a waiter for the batch loop. Past `waitMs` it gives up: a turn is
   * refused (503, nothing decided), a read goes on with what this node has.
   */
  private wait(list: Waiter[], expired: "refuse" | "go on"): Promise<void> {
    return new Promise((resolve, reject) => {
      list.push(this.waiter(resolve, reject, () => expired));
      this.kick();
    });
  }

  /**
   * A waiter settled once: by the loop, or past `waitMs` by its deadline. At
   * the deadline `expired` says whether to refuse it (503), let it go on, or
   * leave it to the batch that took it: a commit in flight is answered only
   * when its outcome is known, never early.
   */
  private waiter(
    resolve: () => void,
    reject: (error: Error) => void,
    expired: () => "refuse" | "go on" | "leave",
  ): Waiter {
    const settle = (then: () => void) => {
      if (waiter.settled) return;
      waiter.settled = true;
      clearTimeout(timer);
      then();
    };
    const waiter: Waiter = {
      settled: false,
      resolve: () => settle(resolve),
      reject: (error) => settle(() => reject(error)),
    };
    const timer = setTimeout(() => {
      if (waiter.settled) return;
      const then = expired();
      if (then === "leave") return;
      if (then === "go on") {
        waiter.resolve();
        return;
      }
      // A request that waited this long says the database is not answering, for /healthz too.
      this.reached(this.unreachable ?? `no answer within ${this.waitMs} ms`);
      waiter.reject(new UnavailableError(`Cannot reach the database: ${this.unreachable}`));
    }, this.waitMs);
    return waiter;
  }

  /**
   * Resolves once nothing is queued or in flight, or after `2 × waitMs` at
   * most: a stop must not hang on a database that does not answer.
   */
  drain(): Promise<void> {
    if (!this.running && this.pending.length === 0 && this.turns.length === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 2 * this.waitMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  flush(): void {
    // Commits are asynchronous here: `drain` waits for them.
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  watch(listeners: StoreListeners): void {
    this.listeners = listeners;
    this.copy.watch({});
    if (listeners.onFollow !== undefined) this.follow();
  }

  writeProblem(): string | undefined {
    if (this.failure) return this.failure.message;
    if (this.unreachable !== undefined) {
      return `Cannot reach the database: ${this.unreachable}`;
    }
    return this.unwritable ?? this.noRoom;
  }

  /**
   * Notes that a try to reach the database failed (`reason`) or went through
   * (undefined); the server hears when the tries begin to fail, and when they
   * go through again, with how long they failed: once each, however many tries.
   */
  private reached(reason: string | undefined): void {
    const was = this.unreachable;
    this.unreachable = reason;
    if (was === undefined && reason !== undefined) {
      this.unreachableSince = performance.now();
      this.listeners.onUnreachable?.(reason);
    } else if (was !== undefined && reason === undefined) {
      this.listeners.onReachable?.(performance.now() - this.unreachableSince);
    }
  }

  /** Starts following other nodes: the wake-ups, and the poll that backs them up. */
  private follow(): void {
    if (this.poll !== undefined) return;
    const wake = () => {
      if (!this.closed) void this.sync().catch(() => {});
    };
    const tick = () => {
      wake();
      if (this.unwritable !== undefined) void this.probe();
      else if (performance.now() - this.roomAt >= this.roomMs) void this.room();
    };
    this.poll = setInterval(tick, this.pollMs);
    // Catch up at each (re)connection of the listener: notifications sent meanwhile are lost.
    this.sql.listen(CHANNEL, (from) => {
      if (from !== this.wakeId) wake();
    }, wake).then((listening) => {
      this.unlisten = listening.unlisten;
    }).catch(() => {
      // The poll goes on; the listener reconnects by itself.
    });
  }

  /**
   * Appends a row that no reader sees (a negative number, rolled back at
   * once), to learn whether the log can be written again; clears `unwritable`
   * when it can. Nothing is decided, and the log's lock is not taken.
   */
  private async probe(): Promise<void> {
    const seq = -1 - Math.floor(Math.random() * 2 ** 52);
    const outcome = await this.tryAndRollBack(async (tx) => {
      await tx`INSERT INTO cairn_log (seq, node, at, body) VALUES (${seq}, ${this.node}, 0, '')`;
    });
    if (outcome === "done") this.unwritable = undefined;
  }

  /**
   * Learns, without writing anything that stays, whether PostgreSQL can give
   * the log a new page: an append that fits in the last page tells nothing of
   * a full disk, which only a new page meets. So it empties `cairn_probe`
   * (beside the log, so on its disk: TRUNCATE gives the table a new, empty
   * file) and adds a row, which must extend that file by a page, then rolls
   * back. Sets `noRoom` when that fails for want of room (`CANNOT_WRITE`);
   * clears it when it goes through. Costs one round trip, a page written and
   * dropped, and a row version of the table's catalog entry.
   */
  private async room(): Promise<void> {
    this.roomAt = performance.now();
    const outcome = await this.tryAndRollBack(async (tx) => {
      // Pipelined: one round trip for both.
      await Promise.all([tx`TRUNCATE cairn_probe`, tx`INSERT INTO cairn_probe (n) VALUES (1)`]);
    });
    if (outcome === "done") this.noRoom = undefined;
    else if (outcome instanceof Error && CANNOT_WRITE.has(String(sqlState(outcome)))) {
      this.noRoom = `Cannot save to the database: ${outcome.message}`;
    }
  }

  /**
   * Runs `work` in a transaction that it rolls back, unless a check runs
   * already: "done" when the work went through, its error when it failed, or
   * undefined (not run, or no answer within `waitMs`).
   */
  private async tryAndRollBack(
    work: (tx: postgres.TransactionSql) => Promise<void>,
  ): Promise<"done" | Error | undefined> {
    if (this.probing || this.closed) return undefined;
    this.probing = true;
    const rollBack = new Error("rolled back");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const silence = new Promise<undefined>((resolve) =>
      timer = setTimeout(() => resolve(undefined), this.waitMs)
    );
    const tried = this.sql.begin(async (tx) => {
      await work(tx);
      throw rollBack;
    }).then(
      () => undefined,
      (error: unknown) =>
        error === rollBack ? "done" as const : error instanceof Error ? error : undefined,
    );
    try {
      return await Promise.race([tried, silence]);
    } finally {
      clearTimeout(timer);
      this.probing = false;
    }
  }

  /** Runs the batch loop unless it runs already. */
  private kick(): void {
    if (this.running || this.closed) return;
    this.running = true;
    setImmediate(() => void this.loop());
  }

  private async loop(): Promise<void> {
    while (!this.failure) {
      // Waiters given up on at their deadline leave the queue.
      this.turns = this.turns.filter(live);
      this.pending = this.pending.filter(live);
      this.syncs = this.syncs.filter(live);
      if (this.turns.length === 0 && this.pending.length === 0 && this.syncs.length === 0) break;
      const ok = this.turns.length > 0 || this.pending.length > 0
        ? await this.batch()
        : await this.catchUp();
      if (!ok && !this.failure) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    this.running = false;
    if (this.failure) this.rejectAll(this.failure);
    for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Plays other nodes' rows without taking the lock (they are committed in order). */
  private async catchUp(): Promise<boolean> {
    const syncs = this.syncs;
    this.syncs = [];
    const attempt = ++this.attempt;
    try {
      await this.answerWithin(this.readLog(this.sql, Infinity, attempt));
      this.reached(undefined);
    } catch (error) {
      this.syncs = [...syncs, ...this.syncs];
      if (unfollowable(error)) this.fail(error, []);
      else this.reached(messageOf(error));
      return false;
    }
    for (const waiter of syncs) waiter.resolve();
    return true;
  }

  /**
   * One batch: take the lock, play what others appended, let the waiting
   * requests decide, append what they and the queued commits wrote, commit.
   */
  private async batch(): Promise<boolean> {
    const turns = this.turns;
    this.turns = [];
    const syncs = this.syncs;
    this.syncs = [];
    let taken: Pending[] = [];
    let decided = false;
    const started = performance.now();
    let writes: Write[] = [];
    let appended = this.mark;
    const attempt = ++this.attempt;
    /** Set as the transaction's work ends well: only then may the driver send its COMMIT. */
    let committing = false;
    try {
      await this.answerWithin(this.sql.begin(async (tx) => {
        // Sent together: the read runs once the lock is held, and so sees every row before it.
        const [[head], first] = await Promise.all([
          tx<
            { seq: string }[]
          >`SELECT seq::text AS seq FROM cairn_log_head WHERE id = 1 FOR UPDATE`,
          tx<LogRow[]>`${this.rowsFrom(tx)} LIMIT ${CHUNK}`,
        ]);
        await this.play(first, attempt);
        await this.readLog(tx, Number(head!.seq), attempt);
        this.current(attempt);
        if (turns.length > 0) {
          // From here the state in memory may run ahead of the log.
          decided = true;
          for (const turn of turns) turn.resolve();
          // The requests decide in the microtasks that follow, and commit with no await between.
          await new Promise((resolve) => setImmediate(resolve));
          this.current(attempt);
        }
        taken = this.pending;
        this.pending = [];
        writes = taken.flatMap((p) => p.writes);
        this.inFlight = writes;
        if (writes.length === 0) {
          committing = true;
          return;
        }
        decided = true;
        const rows = logRows(writes, this.seq + 1, this.node);
        appended = markOf(rows.at(-1)!);
        // Pipelined: one round trip for the head, the rows and the wake-up.
        const statements = [
          tx`UPDATE cairn_log_head SET seq = ${this.seq + writes.length} WHERE id = 1`,
        ];
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          const chunk = rows.slice(i, i + INSERT_CHUNK);
          statements.push(tx`INSERT INTO cairn_log ${tx(chunk, "seq", "node", "at", "body")}`);
        }
        statements.push(tx`SELECT pg_notify(${CHANNEL}, ${this.wakeId})`);
        await Promise.all(statements);
        // Given up on meanwhile (its waiters have had their 503): roll back rather than commit.
        this.current(attempt);
        committing = true;
      }));
    } catch (error) {
      if (decided) {
        // Before the COMMIT went, or answered by an error that rolled it back: not in the log.
        this.fail(error, taken, !committing || rolledBack(error));
        return false;
      }
      // Nothing was decided: the requests wait, and the next try starts afresh.
      this.turns = [...turns, ...this.turns];
      this.syncs = [...syncs, ...this.syncs];
      // Unless the log holds what this node cannot read: no try will.
      if (unfollowable(error)) this.fail(error, []);
      else this.reached(messageOf(error));
      return false;
    }
    this.reached(undefined);
    for (const waiter of syncs) waiter.resolve();
    if (writes.length > 0) {
      this.unwritable = undefined;
      try {
        await this.toCopy(writes);
      } catch (error) {
        this.fail(error, taken);
        return false;
      } finally {
        this.inFlight = [];
      }
      this.seq += writes.length;
      this.mark = appended;
      this.listeners.onBatch?.({
        requests: taken.length,
        rows: writes.length,
        ms: performance.now() - started,
      });
    }
    for (const waiter of taken) waiter.resolve();
    return true;
  }

  /** Reads the log's rows after `this.seq` (up to `head`) into the copy, and on to the server. */
  private async readLog(
    sql: Sql | postgres.TransactionSql,
    head: number,
    attempt = this.attempt,
  ): Promise<void> {
    while (this.seq < head) {
      const rows = await sql<LogRow[]>`${this.rowsFrom(sql)} LIMIT ${CHUNK}`;
      await this.play(rows, attempt);
      if (rows.length < CHUNK) return;
    }
  }

  /**
   * Settles as `work` does, or rejects once the database has said nothing for
   * `SILENCE_WAITS` waits. The work goes on in the background; the loop's
   * next try makes it stop at its next step (`current`).
   */
  private answerWithin<T>(work: Promise<T>): Promise<T> {
    const ms = SILENCE_WAITS * this.waitMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.attempt++;
        reject(new Error(`no answer from the database within ${ms} ms`));
      }, ms);
    });
    work.catch(() => {}); // Its failure after the silence is nobody's to hear.
    return Promise.race([work, silence]).finally(() => clearTimeout(timer));
  }

  /** Throws when the loop gave up on `attempt` and went on without it. */
  private current(attempt: number): void {
    if (attempt !== this.attempt) throw new Error("a try given up on for its silence");
  }

  /**
   * Plays rows read from the log: from row `this.seq`, which must be the row
   * this node played last, as it played it (else a `LogBehindError`), then
   * the next ones, in order. Throws a `LogFormatError`, having played none of
   * them, when one is of a format this node cannot read.
   */
  private async play(rows: readonly LogRow[], attempt = this.attempt): Promise<void> {
    this.current(attempt);
    const fresh = this.seq === 0 ? rows : this.after(rows);
    if (fresh.length === 0) return;
    const writes = fresh.map((row) => JSON.parse(row.body) as Write);
    for (const write of writes) {
      const problem = formatProblem(write);
      if (problem !== undefined) throw new LogFormatError(problem);
    }
    const gap = fresh.findIndex((row, i) => Number(row.seq) !== this.seq + i + 1);
    if (gap !== -1) throw new Error(`the log has a gap after row ${this.seq + gap}`);
    await this.toCopy(writes);
    this.seq += fresh.length;
    this.mark = markOf(fresh.at(-1)!);
    this.listeners.onFollow?.(writes);
  }

  /**
   * The query of the log's rows from `this.seq` on, in order: the row this
   * node played last (without its body, which `after` does not need), then
   * the ones it has not played.
   */
  private rowsFrom(sql: Sql | postgres.TransactionSql): postgres.PendingQuery<LogRow[]> {
    return sql<LogRow[]>`
      SELECT seq::text AS seq, node, at::text AS at,
        CASE WHEN seq = ${this.seq} THEN '' ELSE body END AS body
      FROM cairn_log WHERE seq >= ${this.seq} ORDER BY cairn_log.seq`;
  }

  /** The rows after `this.seq`, once the first row read is checked to be that row, as played. */
  private after(rows: readonly LogRow[]): readonly LogRow[] {
    const [first] = rows;
    if (first === undefined || Number(first.seq) !== this.seq || markOf(first) !== this.mark) {
      throw new LogBehindError(
        `the log no longer holds row ${this.seq} as this node played it: it was put back from ` +
          "a backup, or replaced by a copy that lags; the node must restart to read it as it is",
      );
    }
    return rows.slice(1);
  }

  /** Writes rows into the in-memory copy, at once (the commit settles within `flush`). */
  private async toCopy(writes: readonly Write[]): Promise<void> {
    const done = this.copy.commit(writes);
    this.copy.flush();
    await done;
  }

  /**
   * Stores the first-start values the log lacks, under a lock, as meta
   * records; and this node's format, unless the log records it already (a
   * newer one was refused as the log was read).
   */
  private async recordFirstStart(
    values: () => Partial<Record<MetaKey, string>>,
  ): Promise<void> {
    const writes: Write[] = [];
    let appended = this.mark;
    await this.sql.begin(async (tx) => {
      const [head] = await tx<{ seq: string }[]>`
        SELECT seq::text AS seq FROM cairn_log_head WHERE id = 1 FOR UPDATE`;
      await this.readLog(tx, Number(head!.seq));
      if (Number(this.copy.meta(LOG_FORMAT_KEY) ?? 0) < LOG_FORMAT) writes.push(formatRecord());
      for (const [key, value] of Object.entries(values())) {
        if (this.copy.meta(key as MetaKey) === undefined && value !== undefined) {
          writes.push({ kind: "meta", key, value });
        }
      }
      if (writes.length === 0) return;
      const rows = logRows(writes, this.seq + 1, this.node);
      appended = markOf(rows.at(-1)!);
      await tx`UPDATE cairn_log_head SET seq = ${this.seq + writes.length} WHERE id = 1`;
      await tx`INSERT INTO cairn_log ${tx(rows, "seq", "node", "at", "body")}`;
    });
    if (writes.length === 0) return;
    await this.toCopy(writes);
    this.seq += writes.length;
    this.mark = appended;
  }

  /**
   * A failure with decisions made, or a record this node cannot read: every
   * waiter is refused, and the server must restart. `uncommitted`: the failed
   * batch surely left nothing in the log, as its COMMIT was never sent (a
   * statement of it failed, such as an append on a full disk, or it was given
   * up on before its end) or was answered with an error (`rolledBack`); the
   * server may then restart in place.
   */
  private fail(error: unknown, taken: Pending[], uncommitted = false): void {
    if (this.failure) return;
    this.failure = unfollowable(error)
      ? new CommitError(error, `Cannot follow the log: ${error.message}`)
      : uncommitted
      ? new UncommittedError(error)
      : new CommitError(error);
    for (const waiter of taken) waiter.reject(this.failure);
    this.rejectAll(this.failure);
    this.listeners.onFailure?.(this.failure);
  }

  private rejectAll(error: Error): void {
    for (const waiter of [...this.pending.splice(0), ...this.turns.splice(0)]) {
      waiter.reject(error);
    }
    for (const waiter of this.syncs.splice(0)) waiter.resolve();
  }

  // ------------------------------------------------------------- reads (from the copy)

  snapshot(options: { now: number; longestWindowMs: number }): Snapshot {
    return this.copy.snapshot(options);
  }

  accounts(): StoredAccounts {
    return this.copy.accounts();
  }

  submitters(): { teamId: number; tokenHash: string }[] {
    return this.copy.submitters();
  }

  idempotencyKeys(): StoredIdempotency[] {
    return this.copy.idempotencyKeys();
  }

  announcements(): Announcement[] {
    return this.copy.announcements();
  }

  held(): HeldByTeams {
    return this.copy.held();
  }

  /**
   * Keeps the hunt's scoring in the copy, and in the log when it changed, so
   * that `cairn export` can score the event from the database alone.
   */
  saveScoring(hunt: Hunt): void {
    this.copy.saveScoring(hunt);
    const scoring = scoringOf(hunt);
    if (this.copy.meta(SCORING_KEY as MetaKey) !== scoring) {
      // Nobody waits for it: a failed commit stops the store, and the next start stores it.
      void this.setMeta({ [SCORING_KEY]: scoring } as Partial<Record<MetaKey, string>>)
        .catch(() => {});
    }
  }

  /** Rebuilds the copy's scoring tables from the log's (for `cairn export`); false without. */
  restoreScoring(): boolean {
    const stored = this.copy.meta(SCORING_KEY as MetaKey);
    if (stored === undefined) return false;
    this.copy.saveScoring(JSON.parse(stored) as Hunt);
    return true;
  }

  meta(key: MetaKey): string | undefined {
    return this.copy.meta(key);
  }

  /** Appends the values to the log, for every node; resolves once they are committed. */
  setMeta(values: Partial<Record<MetaKey, string>>): Promise<void> {
    const writes: Write[] = Object.entries(values).map(([key, value]) => ({
      kind: "meta",
      key,
      value: value ?? "",
    }));
    return this.commit(writes);
  }

  guessFeed(options: { after: number; limit: number; newest?: boolean }): Promise<GuessRow[]> {
    return this.copy.guessFeed(options);
  }

  teamPuzzleGuesses(teamId: number, puzzle: string): Promise<PuzzleGuess[]> {
    return this.copy.teamPuzzleGuesses(teamId, puzzle);
  }

  teamHistory(teamId: number): Promise<TeamHistory> {
    return this.copy.teamHistory(teamId);
  }

  guessesPerMinute(now: number, minutes?: number): Promise<MinuteCount[]> {
    return this.copy.guessesPerMinute(now, minutes);
  }

  counts(): Promise<{ guesses: number; solves: number }> {
    return this.copy.counts();
  }

  results<T extends ResultTable>(
    tables: readonly T[],
  ): Promise<{ results: Pick<Results, T>; lastGuessId: number }> {
    return this.copy.results(tables);
  }

  resultGuesses(
    options: { after: number; through: number; limit: number },
  ): Promise<Results["guesses"]> {
    return this.copy.resultGuesses(options);
  }

  wrongGuesses(
    options: { after: number; through: number; limit: number },
  ): Promise<WrongGuess[]> {
    return this.copy.wrongGuesses(options);
  }

  beginUpload(): Promise<UploadSink> {
    return this.copy.beginUpload();
  }

  upload(hash: string): Blob | undefined {
    return this.copy.upload(hash);
  }

  removeUpload(hash: string): void {
    this.copy.removeUpload(hash);
  }

  cleanUploads(): number {
    // The folder is shared: another node may be between storing a file and committing it.
    return 0;
  }

  /** The last log row this node has played (for tests and the catch-up benchmark). */
  get position(): number {
    return this.seq;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.poll !== undefined) clearInterval(this.poll);
    const unlisten = this.unlisten;
    void (async () => {
      await unlisten?.().catch(() => {});
      await this.sql.end({ timeout: 2 }).catch(() => {});
    })();
    this.copy.close();
  }
}

/**
 * Throws when the URL cannot be read, with the likely cause: a password with
 * `#`, `@` or `/` must be percent-encoded (a `#` starts a fragment, which no
 * database URL has).
 */
function checkUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Said below.
  }
  if (parsed === undefined || parsed.hash !== "") {
    throw new Error(
      `${redactUrl(url)} is not a valid database URL; percent-encode special characters ` +
        "in the user name and password (# as %23, @ as %40, / as %2F, : as %3A)",
    );
  }
}

/**
 * Throws when `cairn_log` or `cairn_log_head` exists but is another program's
 * table, before anything is created beside it.
 *
 * The tables and their columns are read from the catalog in one snapshot: a
 * node starting beside this one may create the tables at any moment (under
 * the setup lock, which this check does not take). `to_regclass()` looked the
 * tables up in the catalog as it was when it ran, after the statement's
 * snapshot was taken, so it could see tables that node had just committed
 * while the columns, read in the older snapshot, were not there yet: the log
 * was refused as another program's.
 */
async function checkTables(sql: Sql, url: string): Promise<void> {
  const exists = (table: string) =>
    sql`EXISTS (SELECT 1 FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relname = ${table})`;
  const columns = (table: string, names: string[]) =>
    sql`(SELECT count(*)::int FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ${table}
        AND column_name IN ${sql(names)})`;
  const [found] = await sql<{ log: boolean; head: boolean; logs: number; heads: number }[]>`
    SELECT ${exists("cairn_log")} AS log,
      ${exists("cairn_log_head")} AS head,
      ${columns("cairn_log", ["seq", "node", "at", "body"])} AS logs,
      ${columns("cairn_log_head", ["id", "seq"])} AS heads`;
  if ((found!.log && found!.logs !== 4) || (found!.head && found!.heads !== 2)) {
    throw new Error(
      `${redactUrl(url)} holds a cairn_log table that is not a Cairn log ` +
        "(another program's?); give Cairn a database of its own",
    );
  }
}

/** The socket's and the driver's codes for a server that is not there, or went away. */
const GONE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
]);

/**
 * Whether `PgStore.open` failed because PostgreSQL cannot be reached now (down, restarting,
 * shutting down or starting up, out of connections), which waiting may mend; not for a wrong
 * password, a missing database or a log this Cairn cannot read.
 */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = String((error as Error & { code?: unknown }).code ?? "");
  if (error instanceof postgres.PostgresError) {
    // Class 08: connection exceptions; 57P01-57P03: shut down, crashed, starting up; 53300: too
    // many connections.
    return code.startsWith("08") || ["57P01", "57P02", "57P03", "53300"].includes(code);
  }
  return GONE.has(code);
}

/**
 * What an organizer should check when a command cannot open the database and the driver's words
 * name the cause but not the fix: a port where nothing listens, a host name that does not
 * resolve, a refused password, a database that does not exist. Undefined for other errors.
 */
export function openHint(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = String((error as Error & { code?: unknown }).code ?? "");
  return error instanceof postgres.PostgresError
    ? {
      "28P01": "check the user name and password in the URL",
      "3D000": "check the database name in the URL, or create it (createdb --owner USER NAME)",
    }[code]
    : {
      ECONNREFUSED: "nothing listens there: check the URL's host and port, and that PostgreSQL " +
        "runs and listens on them (its listen_addresses and port settings)",
      ENOTFOUND: "no such host: check the host name in the URL",
    }[code];
}

/** A row of the log as a node reads it. */
interface LogRow {
  seq: string;
  node: string;
  /** When it was appended (milliseconds), as text. */
  at: string;
  body: string;
}

/** Who appended a row, and when: tells it from another row under its number. */
function markOf(row: { node: string; at: string | number }): string {
  return `${row.node} ${row.at}`;
}

/** Log rows for `writes`, numbered from `first`, appended now by `node`. */
function logRows(writes: readonly Write[], first: number, node: string) {
  const at = Date.now();
  return writes.map((write, i) => ({ seq: first + i, node, at, body: JSON.stringify(write) }));
}

/** The meta key of the hunt's scoring in the log. */
const SCORING_KEY = "hunt_scoring";

/** What the export needs of the hunt to score it (see `saveScoring` in export.ts), as JSON. */
function scoringOf(hunt: Hunt): string {
  return JSON.stringify({
    title: hunt.title,
    puzzles: hunt.puzzles.map((p) => ({
      id: p.id,
      title: p.title,
      round: p.round,
      points: p.points,
      dynamic: p.dynamic,
      firstSolveBonus: p.firstSolveBonus,
      index: p.index,
      hints: p.hints.map((h) => ({ id: h.id, cost: h.cost })),
    })),
  });
}

function live(waiter: Waiter): boolean {
  return !waiter.settled;
}

/**
 * The log's record of the hunt's scoring, read from an SQLite event's scoring
 * tables (`cairn migrate`), so that `cairn export` can score the event before
 * any node has started on it. Undefined when the file holds none.
 */
export function scoringRecord(db: Connection): Write | undefined {
  type Row = Record<string, unknown>;
  const puzzles = db.query<Row>("SELECT * FROM hunt_puzzles ORDER BY position").all();
  if (puzzles.length === 0) return undefined;
  const hints = db.query<Row>("SELECT puzzle, hint, cost FROM hunt_hints").all();
  const title = db.query<Row>("SELECT value FROM meta WHERE key = 'hunt_title'").get()?.value;
  // The shape `scoringOf` gives, which `restoreScoring` reads back.
  const value = JSON.stringify({
    title: String(title ?? ""),
    puzzles: puzzles.map((p) => ({
      id: String(p.id),
      title: String(p.title),
      round: p.round,
      points: Number(p.points),
      dynamic: p.dynamic_initial === null ? undefined : {
        initial: Number(p.dynamic_initial),
        minimum: Number(p.dynamic_minimum),
        decay: Number(p.dynamic_decay),
        function: p.dynamic_function,
      },
      firstSolveBonus: JSON.parse(String(p.first_solve_bonus)),
      index: Number(p.position),
      hints: hints.filter((h) => h.puzzle === p.id).map((h) => ({
        id: String(h.hint),
        cost: Number(h.cost),
      })),
    })),
  });
  return { kind: "meta", key: SCORING_KEY, value };
}

/**
 * Whether the server said the transaction is not committed, in answer to its
 * COMMIT: an error response of severity ERROR (a deferred constraint or
 * trigger, a serialization failure, a full NOTIFY queue), or ROLLBACK for
 * COMMIT. PostgreSQL never answers ERROR once the commit is recorded (an
 * error past that point is a PANIC), and any ERROR inside a transaction
 * aborts it. A FATAL (the session ended: it may have committed first, as when
 * it is terminated while waiting for a synchronous standby), a lost
 * connection or silence leave the outcome unknown.
 */
function rolledBack(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const fields = error as Error & { severity?: unknown; code?: unknown };
  if (error instanceof postgres.PostgresError) return fields.severity === "ERROR";
  return fields.code === "TRANSACTION_ROLLED_BACK";
}

/**
 * The SQLSTATE of a PostgreSQL error, or undefined. By its class, not its `name`: the
 * compiled binary is minified, and its PostgresError is named otherwise (`Xi`).
 */
export function sqlState(error: unknown): string | undefined {
  return error instanceof postgres.PostgresError ? error.code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
