/**
 * The commit thread behind store/commit_thread.ts: its own connection to the
 * database file, the same statements as the main thread's writer
 * (tables.ts), and the passive checkpoints. Each message is one batch, a JSON
 * string of every request's writes, committed in one transaction; the answer
 * goes back as a message, and the shared counters let the main thread wait
 * for it without its event loop (at shutdown and before a reload).
 */
import { parentPort } from "node:worker_threads";
import { CLOSE, type CommitReply, type CommitThreadStart, SIGNAL } from "./commit_thread.ts";
import { tune } from "./db.ts";
import { type Connection, openConnection } from "./driver.ts";
import { type Batch, Checkpoints, Tables } from "./tables.ts";

let db: Connection | undefined;
let tables: Tables | undefined;
let checkpoints: Checkpoints | undefined;
let signals: Int32Array | undefined;
/** The batches seen, failed ones included: the main thread counts them the same way. */
let seq = 0;
let failure: string | undefined;

const reply = (message: CommitReply) => parentPort!.postMessage(message);

parentPort?.on("message", (message: string | CommitThreadStart) => {
  if (typeof message !== "string") start(message);
  else if (message === CLOSE) close();
  else commit(message);
});

function start(options: CommitThreadStart): void {
  signals = new Int32Array(options.shared);
  try {
    db = openConnection(options.path, { create: false });
    tune(db);
    tables = new Tables(db);
    checkpoints = new Checkpoints(db, options.checkpointMs);
  } catch (error) {
    db?.close();
    reply({ kind: "refused", message: messageOf(error) });
    return;
  }
  reply({ kind: "ready" });
}

function commit(text: string): void {
  seq++;
  const started = performance.now();
  let rows = 0;
  if (failure === undefined) {
    try {
      rows = tables!.write(JSON.parse(text) as Batch);
    } catch (error) {
      failure = messageOf(error);
      checkpoints!.stop();
      Atomics.store(signals!, SIGNAL.failed, seq);
    }
  }
  // Told twice: the counter for a main thread that waits on it, the message for one that does not.
  Atomics.store(signals!, SIGNAL.done, seq);
  Atomics.notify(signals!, SIGNAL.done);
  if (failure !== undefined) {
    reply({ kind: "failed", seq, message: failure });
    return;
  }
  reply({ kind: "committed", seq, rows, ms: performance.now() - started });
  checkpoints!.soon();
}

/**
 * Closes the connection, its statements finalized, so that it is released now:
 * the main thread's close, then the last one, checkpoints what is left.
 */
function close(): void {
  checkpoints?.stop();
  try {
    db?.close(true);
  } finally {
    db = undefined;
    Atomics.store(signals!, SIGNAL.closed, 1);
    Atomics.notify(signals!, SIGNAL.closed);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
