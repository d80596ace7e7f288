/**
 * The group commit: writes from many requests share one transaction and one
 * fsync. A request's writes are queued; the first write of a batch schedules
 * a flush for after the current turn of the event loop, so everything that
 * arrived meanwhile joins it. Each waiter is resolved only once its batch is
 * committed and on disk, and all of them are rejected if it fails. After a
 * failure the writer refuses everything: the in-memory state has run ahead
 * of the disk, so the process must rebuild it from the database (the server
 * exits and its service manager restarts it).
 *
 * The sync is the commit's slow part: the disk's answer, with the thread
 * idle meanwhile. Over a database file (`walPath`), SQLite's commit only
 * writes the WAL (`synchronous = NORMAL` for the batch's transaction), and
 * the writer then syncs the WAL file itself with `fdatasync` on the
 * runtime's thread pool. The main thread goes on serving requests, and the
 * batches committed meanwhile go to disk together in the next sync. A waiter
 * is resolved only after a sync that began after its commit, so an answer
 * still means its write survives a power cut, as with SQLite's full sync.
 * (SQLite itself still syncs the WAL before each checkpoint, and when it
 * starts reusing the file.) One difference remains: SQL reads (the admin's
 * guess feed, exports, a backup taken meanwhile) see a batch from its
 * commit, before its sync ends, as the game in memory already does.
 *
 * Checkpoints (copying the WAL back into the database file) are not left to
 * the commits: SQLite's automatic one would run inside whichever commit
 * crossed its threshold and stall every request of that batch. The writer
 * runs a passive checkpoint on a timer instead, between batches, at most
 * once a `checkpointMs`; a page written by many commits meanwhile is copied
 * once. The automatic checkpoint stays as a backstop (see db.ts).
 */
import { closeSync, fdatasync, fdatasyncSync, openSync } from "node:fs";
import type { Connection } from "./driver.ts";
import type { Write } from "../engine/mod.ts";
import type { BatchStats } from "./store.ts";
import { Checkpoints, Tables } from "./tables.ts";

export interface WriterOptions {
  /** Told about every committed batch, for metrics. */
  onBatch?: (stats: BatchStats) => void;
  /** Told once, when a commit fails and the writer stops. */
  onFailure?: (error: Error) => void;
  /**
   * How long after a commit the writer runs a passive checkpoint (default
   * CHECKPOINT_MS); 0 leaves checkpoints to SQLite, inside the commits.
   */
  checkpointMs?: number;
  /**
   * The database's WAL file (`walFile`): SQLite's commits then only write it,
   * and the writer syncs it off the main thread before it resolves anyone
   * (see `Writer`). Without it, each commit syncs inside SQLite.
   */
  wal?: WalFile;
}

/** The WAL file, as the writer syncs it. */
export interface WalFile {
  /** Syncs the file off the main thread; `done` is told the outcome. */
  sync(done: (error: Error | null) => void): void;
  /** Syncs the file now, on this thread; throws if it cannot. */
  syncNow(): void;
  /** Lets go of the file. */
  close(): void;
}

/** How long after a commit the next passive checkpoint runs. */
export const CHECKPOINT_MS = 1000;

/**
 * A group commit: the main thread's (`Writer`) or the commit thread's
 * (`ThreadWriter`, commit_thread.ts). The store holds one and never asks which.
 */
export interface Committer {
  /** Makes `writes` durable; resolves once they are committed (see `Writer.commit`). */
  commit(writes: readonly Write[]): Promise<void>;
  /** Commits what is queued now, and returns once it is on disk (or failed). */
  flush(): void;
  /** Resolves once everything queued is committed, or has failed. */
  drain(): Promise<void>;
  /** Whether a commit has failed: the state in memory can no longer be trusted. */
  readonly failed: boolean;
  /** A batch is being committed elsewhere, holding the write lock (never, on the main thread). */
  readonly busy: boolean;
  /** Stops the checkpoints; call after `flush`, before the connection closes. */
  close(): void;
}

/** A request's writes and its promise. */
export interface Pending {
  writes: readonly Write[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Raised to every waiter of a failed batch, and to everyone after it. Its
 * message says the database could not be written, unless `message` says
 * otherwise.
 */
export class CommitError extends Error {
  override readonly name = "CommitError";
  /**
   * Whether a line about it was logged: the requests it refused (the app's `onError`) and the
   * server that stops or restarts for it (cli/serve.ts) all hear of it, and one failure is one line.
   */
  logged = false;
  constructor(override readonly cause: unknown, message?: string) {
    super(
      message ??
        `Cannot save to the database: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

/** A batch committed to the WAL, waiting for its sync (or resolved at once without one). */
interface Written {
  waiters: Pending[];
  rows: number;
  /** When its transaction began (performance.now()), for the commit's duration. */
  started: number;
}

/** The group commit: queues each request's writes and commits them in shared transactions. */
export class Writer implements Committer {
  private pending: Pending[] = [];
  private scheduled = false;
  private failure: CommitError | undefined;
  private readonly checkpoints: Checkpoints;
  private readonly tables: Tables;
  /** The WAL file, synced by the writer itself; undefined: SQLite syncs inside each commit. */
  private readonly wal: WalFile | undefined;
  /** The batch whose sync is in flight (none once a flush answered it). */
  private syncing: Written | undefined;
  /** Syncs started and not yet returned, answered by a flush or not: no new one starts before. */
  private syncsRunning = 0;
  private closed = false;

  constructor(private readonly db: Connection, private readonly options: WriterOptions = {}) {
    this.checkpoints = new Checkpoints(db, options.checkpointMs ?? CHECKPOINT_MS);
    this.tables = new Tables(db);
    this.wal = options.wal;
  }

  /**
   * Makes `writes` durable; resolves once they are committed and on disk.
   * With no writes, it resolves once everything queued before it is: an
   * answer that rests on earlier state (a hint already taken, a puzzle
   * already solved) waits until that state is on disk.
   */
  commit(writes: readonly Write[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (writes.length === 0 && this.pending.length === 0 && this.syncing === undefined) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ writes, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.turn());
      }
    });
  }

  /** Whether a commit has failed: the state in memory can no longer be trusted. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  drain(): Promise<void> {
    this.flush();
    return Promise.resolve();
  }

  /** Its commits run inside one turn of the event loop, so no request ever sees one in progress. */
  readonly busy = false;

  /**
   * Commits everything queued now, and returns once it is on disk, with the
   * batch whose sync was in flight. Called at boot, before a reload, at
   * shutdown and at close.
   */
  flush(): void {
    this.scheduled = false;
    const written = this.write();
    const inFlight = this.syncing;
    // Answered here: the sync in flight, when it ends, finds nothing left to settle.
    this.syncing = undefined;
    const batches = [inFlight, written].filter((batch) => batch !== undefined);
    if (batches.length === 0) return;
    if (this.wal !== undefined) {
      try {
        this.wal.syncNow();
      } catch (error) {
        this.fail(error, batches.flatMap((batch) => batch.waiters));
        return;
      }
    }
    for (const batch of batches) this.settle(batch);
  }

  /** Commits what is queued, stops the checkpoint timer and lets go of the WAL file. */
  close(): void {
    this.flush();
    this.closed = true;
    this.checkpoints.stop();
    this.wal?.close();
  }

  /**
   * The scheduled turn: commits what is queued in one transaction, then syncs
   * the WAL off the main thread. While a sync is in flight the queue grows,
   * and its end commits the lot, so a busy server's batches grow with the
   * disk's latency instead of multiplying.
   */
  private turn(): void {
    this.scheduled = false;
    if (this.syncsRunning > 0) return;
    // Answers resting on earlier writes, with none of their own: everything before is on disk.
    if (this.pending.every((waiter) => waiter.writes.length === 0)) {
      const waiters = this.pending;
      this.pending = [];
      for (const waiter of waiters) waiter.resolve();
      return;
    }
    const written = this.write();
    if (written === undefined) return;
    if (this.wal === undefined) {
      this.settle(written);
      return;
    }
    this.syncing = written;
    this.syncsRunning++;
    this.wal.sync((error) => {
      this.syncsRunning--;
      // Closing flushed everything, through the other descriptor: nothing is left to answer.
      if (this.closed) return;
      // A flush may have answered this batch already (it synced through its own descriptor).
      const mine = this.syncing === written;
      if (mine) this.syncing = undefined;
      // Any sync's error stops the writer, even a sync a flush made redundant: the disk lost
      // pages, and Linux reports that once per descriptor.
      if (error !== null) {
        this.fail(error, mine ? written.waiters : []);
        return;
      }
      if (mine) this.settle(written);
      this.turn();
    });
  }

  /** Commits the queued writes in one transaction (undefined: nothing to commit, or it failed). */
  private write(): Written | undefined {
    const waiters = this.pending;
    this.pending = [];
    if (waiters.length === 0) return undefined;
    if (this.failure) {
      for (const waiter of waiters) waiter.reject(this.failure);
      return undefined;
    }
    const started = performance.now();
    let rows: number;
    try {
      // The writer syncs the WAL itself: SQLite's commit only writes it.
      if (this.wal !== undefined) this.db.exec("PRAGMA synchronous = NORMAL");
      try {
        rows = this.tables.write(waiters.map((waiter) => waiter.writes));
      } finally {
        // Every other write on this connection (meta, checkpoints) keeps SQLite's full sync.
        if (this.wal !== undefined) this.db.exec("PRAGMA synchronous = FULL");
      }
    } catch (error) {
      this.fail(error, waiters);
      return undefined;
    }
    this.checkpoints.soon();
    return { waiters, rows, started };
  }

  /** A batch is on disk: its waiters are answered. */
  private settle({ waiters, rows, started }: Written): void {
    this.options.onBatch?.({ requests: waiters.length, rows, ms: performance.now() - started });
    for (const waiter of waiters) waiter.resolve();
  }

  /**
   * Stops the writer and rejects `waiters`, with everything queued and not
   * yet committed. A batch already committed, whose sync is in flight, is
   * still answered by that sync.
   */
  private fail(error: unknown, waiters: Pending[]): void {
    const first = this.failure === undefined;
    this.failure ??= new CommitError(error);
    this.checkpoints.stop();
    const queued = this.pending;
    this.pending = [];
    for (const waiter of [...waiters, ...queued]) waiter.reject(this.failure);
    if (first) this.options.onFailure?.(this.failure);
  }
}

/**
 * The WAL file at `path` (`<database>-wal`, the database's real path, as
 * SQLite resolves symbolic links), synced with `fdatasync`: a sync covers
 * everything SQLite wrote to the file through its own descriptor. The pool's
 * syncs and `syncNow` each go through a descriptor of their own, so a write
 * error the disk reports once per descriptor reaches both. Opened at the
 * first sync, once SQLite has made the file.
 */
export function walFile(path: string): WalFile {
  // Read and write: Windows syncs a file only through a handle that may write it.
  const pooled = lazyOpen(path);
  const direct = lazyOpen(path);
  return {
    sync(done) {
      let fd: number;
      try {
        fd = pooled.fd();
      } catch (error) {
        queueMicrotask(() => done(error as Error));
        return;
      }
      fdatasync(fd, done);
    },
    syncNow() {
      fdatasyncSync(direct.fd());
    },
    close() {
      pooled.close();
      direct.close();
    },
  };
}

/** A descriptor on `path`, opened read-write when first asked for. */
function lazyOpen(path: string): { fd: () => number; close: () => void } {
  let fd: number | undefined;
  return {
    fd: () => fd ??= openSync(path, "r+"),
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
