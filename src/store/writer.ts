/**
 * The group commit: writes from many requests share one transaction and one
 * fsync. A request's writes are queued; the first write of a batch schedules
 * a flush for after the current turn of the event loop, so everything that
 * arrived meanwhile joins it. Each waiter is resolved only once its batch is
 * committed, and all of them are rejected if it fails. After a failure the
 * writer refuses everything: the in-memory state has run ahead of the disk,
 * so the process must rebuild it from the database (the server exits and its
 * service manager restarts it).
 *
 * Checkpoints (copying the WAL back into the database file) are not left to
 * the commits: SQLite's automatic one would run inside whichever commit
 * crossed its threshold and stall every request of that batch. The writer
 * runs a passive checkpoint on a timer instead, between batches, at most
 * once a `checkpointMs`; a page written by many commits meanwhile is copied
 * once. The automatic checkpoint stays as a backstop (see db.ts).
 */
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
   * Keep the earliest of two unlock times of one puzzle (default: the first
   * recorded). Nodes sharing a log may each record a time-based unlock; the
   * earliest wins whatever order they arrive in.
   */
  earliestUnlock?: boolean;
  /**
   * How long after a commit the writer runs a passive checkpoint (default
   * CHECKPOINT_MS); 0 leaves checkpoints to SQLite, inside the commits.
   */
  checkpointMs?: number;
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

/** Raised to every waiter of a failed batch, and to everyone after it. */
export class CommitError extends Error {
  override readonly name = "CommitError";
  constructor(override readonly cause: unknown) {
    super(`Cannot save to the database: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** The group commit: queues each request's writes and commits them in shared transactions. */
export class Writer implements Committer {
  private pending: Pending[] = [];
  private scheduled = false;
  private failure: CommitError | undefined;
  private readonly checkpoints: Checkpoints;
  private readonly tables: Tables;

  constructor(db: Connection, private readonly options: WriterOptions = {}) {
    this.checkpoints = new Checkpoints(db, options.checkpointMs ?? CHECKPOINT_MS);
    this.tables = new Tables(db, options.earliestUnlock);
  }

  /**
   * Makes `writes` durable; resolves once they are committed. With no writes,
   * it resolves once everything queued before it is committed: an answer
   * that rests on earlier state (a hint already taken, a puzzle already
   * solved) waits until that state is on disk.
   */
  commit(writes: readonly Write[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (writes.length === 0 && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ writes, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
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

  /** Its commits run inside `flush`, so no request ever sees one in progress. */
  readonly busy = false;

  /** Commits everything queued now. Called by the scheduler, and at shutdown. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (this.failure) {
      for (const waiter of batch) waiter.reject(this.failure);
      return;
    }
    const started = performance.now();
    let rows: number;
    try {
      rows = this.tables.write(batch.map((waiter) => waiter.writes));
    } catch (error) {
      this.failure = new CommitError(error);
      this.checkpoints.stop();
      for (const waiter of batch) waiter.reject(this.failure);
      this.options.onFailure?.(this.failure);
      return;
    }
    this.options.onBatch?.({ requests: batch.length, rows, ms: performance.now() - started });
    for (const waiter of batch) waiter.resolve();
    this.checkpoints.soon();
  }

  /** Stops the checkpoint timer; the connection's close checkpoints what is left. */
  close(): void {
    this.checkpoints.stop();
  }
}
