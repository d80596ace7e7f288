/**
 * The start-up integrity check, beside the boot instead of before it. On a
 * large event `PRAGMA quick_check` is the longest part of a start (about
 * 0.6 s at a million guesses); run in a worker thread on its own connection,
 * it overlaps the read of the snapshot on the main thread. The server waits
 * for it before its first write and before it listens, so a damaged file is
 * still refused before anything touches it.
 */
import { Worker } from "node:worker_threads";
import type { CheckReply } from "./_check_worker.ts";
import { quickCheck } from "./db.ts";
import { openConnection } from "./driver.ts";

const DAMAGED = /malformed|not a database/;

/**
 * Where the worker's module is: beside this file when run from source (and in
 * Deno's compiled binary, which keeps module paths), under `store/` from the
 * root of Bun's compiled binary, where this code runs as part of the bundle.
 */
const WORKER_URLS = [
  new URL("./_check_worker.ts", import.meta.url),
  new URL("./store/_check_worker.ts", import.meta.url),
];

/** The check's problems (one line), or undefined when the file is sound. */
export function checkBeside(path: string): Promise<string | undefined> {
  return tryWorker(path, 0);
}

/** Runs the check in the worker at `WORKER_URLS[index]`, the next one if missing, or here. */
function tryWorker(path: string, index: number): Promise<string | undefined> {
  const url = WORKER_URLS[index];
  // A runtime that cannot start the worker checks here, as before.
  if (url === undefined) return Promise.resolve().then(() => checkHere(path));
  let worker: Worker;
  try {
    worker = new Worker(url);
  } catch {
    return tryWorker(path, index + 1);
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    worker.once("message", (reply: CheckReply) => {
      answered = true;
      void worker.terminate();
      if (reply.ok) resolve(reply.problem);
      // SQLite can give up on a damaged file with an error rather than a report.
      else if (DAMAGED.test(reply.message)) resolve(reply.message);
      else reject(new Error(reply.message));
    });
    worker.once("error", (error: Error) => {
      void worker.terminate();
      if (answered) return;
      // Its module is not where this runtime looked: the next place, or the main thread.
      tryWorker(path, index + 1).then(resolve, reject);
      void error;
    });
    worker.postMessage(path);
  });
}

function checkHere(path: string): string | undefined {
  try {
    const db = openConnection(path, { create: false });
    try {
      db.exec("PRAGMA query_only = ON");
      return quickCheck(db);
    } finally {
      db.close();
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (DAMAGED.test(message)) return message;
    throw error;
  }
}
