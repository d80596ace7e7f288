/**
 * The group commit on a second CPU, when asked for (`serve --commit-thread
 * on`). The SQLite store then commits on a worker thread with its own
 * connection (_commit_worker.ts), and the main thread keeps only the requests: it
 * queues each request's writes as the main-thread writer does, and sends
 * them to the thread as one JSON string (a structured clone of the same
 * records costs several times as much). While the thread commits a batch,
 * what arrives meanwhile waits and goes next, every queued request in one
 * transaction. Each waiter is still resolved only once its batch is on disk,
 * and a failed commit rejects every waiter and every write after it, exactly
 * as writer.ts does.
 *
 * The main thread can also wait for the thread without its event loop (a
 * shared counter and `Atomics.wait`): `flush` at shutdown and before a reload
 * returns once everything queued is on disk.
 *
 * It is not the default: the main thread's writer syncs the WAL off the
 * thread (writer.ts), which keeps the main thread serving during the disk's
 * wait without a hand-off, and measured faster on one CPU and on two.
 */
import { Worker } from "node:worker_threads";
import type { Write } from "../engine/mod.ts";
import {
  CHECKPOINT_MS,
  CommitError,
  type Committer,
  type Pending,
  type WriterOptions,
} from "./writer.ts";

/** The message that closes the thread's connection. */
export const CLOSE = "close";
/** Slots of the counters shared with the thread. */
export const SIGNAL = {
  /** The number of batches the thread has finished, committed or failed. */
  done: 0,
  /** The number of the first batch that failed (0: none has). */
  failed: 1,
  /** 1 once the thread's connection is closed. */
  closed: 2,
} as const;

/** The thread's first message: where the database is, and the shared counters. */
export interface CommitThreadStart {
  path: string;
  shared: SharedArrayBuffer;
  checkpointMs: number;
}

/** What the thread answers. */
export type CommitReply =
  | { kind: "ready" }
  | { kind: "refused"; message: string }
  | { kind: "committed"; seq: number; rows: number; ms: number }
  | { kind: "failed"; seq: number; message: string };

/** Whether to commit on the thread: `auto` when the process may use two CPUs or more. */
export type CommitThread = "auto" | "on" | "off";
export const COMMIT_THREAD_CHOICES: readonly CommitThread[] = ["auto", "on", "off"];

/** How long a flush or a drain waits for the thread before the store counts as failed. */
const WAIT_MS = 30_000;
/** How long closing waits for the thread to close its connection. */
const CLOSE_WAIT_MS = 5_000;
/** The error a worker whose module is not at a URL raises (Bun and Deno). */
const MODULE_MISSING = /Cannot find module|Module not found/i;

/**
 * Where the worker's module is: beside this file when run from source (and in
 * Deno's compiled binary), under `store/` from the root of Bun's compiled
 * binary, where this code runs as part of the bundle (as store/check.ts).
 */
const WORKER_URLS = [
  new URL("./_commit_worker.ts", import.meta.url),
  new URL("./store/_commit_worker.ts", import.meta.url),
];

/**
 * Whether `choice` means the thread. `auto` is the main thread, on one CPU
 * or many: since the main thread's writer syncs the WAL off the thread
 * (writer.ts), it served more durable guesses than the commit thread in
 * every setup measured (docs/performance.md); `on` asks for the thread.
 */
export function wantsCommitThread(choice: CommitThread): boolean {
  return choice === "on";
}

/**
 * Starts the commit thread on the database file at `path` (already open and
 * migrated by the main thread). Resolves with the writer, or with why the
 * thread could not start (its module missing, or the file refused).
 */
export function startCommitThread(
  path: string,
  options: WriterOptions = {},
): Promise<ThreadWriter | string> {
  return tryWorker(path, options, 0);
}

function tryWorker(
  path: string,
  options: WriterOptions,
  index: number,
): Promise<ThreadWriter | string> {
  const url = WORKER_URLS[index];
  if (url === undefined) return Promise.resolve("the commit thread's module is missing");
  let worker: Worker;
  try {
    worker = new Worker(url);
  } catch {
    return tryWorker(path, options, index + 1);
  }
  return new Promise((resolve) => {
    const shared = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
    const stop = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    const onMessage = (reply: CommitReply) => {
      stop();
      if (reply.kind === "ready") {
        resolve(new ThreadWriter(worker, new Int32Array(shared), options));
        return;
      }
      void worker.terminate();
      resolve(reply.kind === "refused" ? reply.message : `unexpected answer ${reply.kind}`);
    };
    const onError = (error: Error) => {
      stop();
      void worker.terminate();
      // Its module is not where this runtime looked: the next place. Anything else is the reason.
      if (MODULE_MISSING.test(error?.message ?? "")) {
        tryWorker(path, options, index + 1).then(resolve);
      } else resolve(`the commit thread failed to start: ${error?.message ?? String(error)}`);
    };
    const onExit = () => {
      stop();
      resolve("the commit thread stopped before it was ready");
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    const start: CommitThreadStart = {
      path,
      shared,
      checkpointMs: options.checkpointMs ?? CHECKPOINT_MS,
    };
    worker.postMessage(start);
  });
}

/** The group commit, committed by the thread. */
export class ThreadWriter implements Committer {
  private pending: Pending[] = [];
  private scheduled = false;
  /** Batches sent and not yet answered, oldest first. */
  private sent: { seq: number; batch: Pending[] }[] = [];
  private seq = 0;
  private failure: CommitError | undefined;
  private drains: (() => void)[] = [];
  private closed = false;
  /** The thread is gone, or did not answer in time: nothing more can be asked of it. */
  private gone = false;

  constructor(
    private readonly worker: Worker,
    private readonly signals: Int32Array,
    private readonly options: WriterOptions,
  ) {
    // Once closed, close() has settled everyone: late news changes nothing.
    worker.on("message", (reply: CommitReply) => {
      if (!this.closed) this.answered(reply);
    });
    worker.on("error", (error: Error) => {
      if (!this.closed) this.fail(error);
    });
    worker.on("exit", () => {
      this.gone = true;
      if (!this.closed) this.fail(new Error("the commit thread stopped"));
    });
  }

  /** As `Writer.commit`: resolves once `writes` (or, with none, everything before) is on disk. */
  commit(writes: readonly Write[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new CommitError(new Error("the store is closed")));
    if (writes.length === 0 && this.pending.length === 0 && this.sent.length === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ writes, resolve, reject });
      // While a batch is being committed, the next one waits for its answer (answered()).
      if (!this.scheduled && this.sent.length === 0) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          if (this.sent.length === 0) this.send();
        });
      }
    });
  }

  get failed(): boolean {
    return this.failure !== undefined || Atomics.load(this.signals, SIGNAL.failed) !== 0;
  }

  /** A batch is being committed: the write lock may be held by the thread, not by a stranger. */
  get busy(): boolean {
    return this.sent.length > 0;
  }

  /** Sends what is queued, and returns once the thread has committed it (or failed). */
  flush(): void {
    if (this.failure) {
      this.rejectPending();
      return;
    }
    // The thread takes batches in order, so this one may go while another is being committed.
    this.send();
    if (this.sent.length === 0 || this.gone) return;
    if (!this.waitFor(SIGNAL.done, this.seq, WAIT_MS)) this.timedOut();
  }

  drain(): Promise<void> {
    if (this.failure) return Promise.resolve();
    if (this.sent.length === 0) this.send();
    if (this.sent.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      // A thread stuck in a commit (a hung disk) must not hold a shutdown forever.
      const timer = setTimeout(() => this.timedOut(), WAIT_MS);
      this.drains.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Commits what is queued, closes the thread's connection (the main thread's
   * close then checkpoints, as the last one), and stops the thread.
   */
  close(): void {
    if (this.closed) return;
    this.flush();
    // A failure only the shared counters know of yet is reported like any other.
    if (!this.failure && Atomics.load(this.signals, SIGNAL.failed) !== 0) {
      this.fail(new Error("a commit failed on the commit thread"));
    }
    this.closed = true;
    if (!this.gone) {
      this.worker.postMessage(CLOSE);
      this.waitFor(SIGNAL.closed, 1, CLOSE_WAIT_MS);
    }
    // Their answers may never be delivered now: settle them from the shared counters.
    const done = Atomics.load(this.signals, SIGNAL.done);
    const failedAt = Atomics.load(this.signals, SIGNAL.failed) || Infinity;
    const stopped = () => this.failure ?? new CommitError(new Error("the commit thread stopped"));
    for (const { seq, batch } of this.sent) {
      for (const waiter of batch) {
        if (seq <= done && seq < failedAt) waiter.resolve();
        else waiter.reject(stopped());
      }
    }
    this.sent = [];
    this.settleDrains();
    void this.worker.terminate();
  }

  private send(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    if (this.failure) {
      for (const waiter of batch) waiter.reject(this.failure);
      return;
    }
    // Waiters with no writes of their own, behind nothing unanswered: all before them is on disk.
    if (this.sent.length === 0 && batch.every((waiter) => waiter.writes.length === 0)) {
      for (const waiter of batch) waiter.resolve();
      return;
    }
    let text = "[";
    for (let i = 0; i < batch.length; i++) {
      text += (i === 0 ? "" : ",") + JSON.stringify(batch[i]!.writes);
    }
    this.seq++;
    this.sent.push({ seq: this.seq, batch });
    this.worker.postMessage(text + "]");
  }

  private answered(reply: CommitReply): void {
    if (reply.kind === "failed") {
      this.fail(new Error(reply.message));
      return;
    }
    if (reply.kind !== "committed") return;
    // After close() settled them, late answers find nothing.
    if (this.sent[0]?.seq !== reply.seq) return;
    const { batch } = this.sent.shift()!;
    this.options.onBatch?.({ requests: batch.length, rows: reply.rows, ms: reply.ms });
    for (const waiter of batch) waiter.resolve();
    // What queued up meanwhile goes now, in one transaction.
    if (this.sent.length === 0) this.send();
    if (this.sent.length === 0) this.settleDrains();
  }

  private fail(cause: Error): void {
    if (this.failure) return;
    this.failure = new CommitError(cause);
    for (const { batch } of this.sent) {
      for (const waiter of batch) waiter.reject(this.failure);
    }
    this.sent = [];
    this.rejectPending();
    this.options.onFailure?.(this.failure);
    this.settleDrains();
  }

  private rejectPending(): void {
    const pending = this.pending;
    this.pending = [];
    for (const waiter of pending) waiter.reject(this.failure!);
  }

  private settleDrains(): void {
    const drains = this.drains;
    this.drains = [];
    for (const resolve of drains) resolve();
  }

  /** The thread did not answer in time: the store fails, and nothing more waits for it. */
  private timedOut(): void {
    this.gone = true;
    this.fail(new Error(`the commit thread did not answer within ${WAIT_MS / 1000} s`));
  }

  /** Blocks until the shared counter `slot` reaches `target`; false after `ms`. */
  private waitFor(slot: number, target: number, ms: number): boolean {
    const deadline = performance.now() + ms;
    for (;;) {
      const value = Atomics.load(this.signals, slot);
      if (value >= target) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.signals, slot, value, left);
    }
  }
}
