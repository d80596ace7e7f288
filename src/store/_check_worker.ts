/**
 * The worker thread behind store/check.ts: SQLite's quick integrity check on
 * a connection of its own, so that the main thread reads the snapshot
 * meanwhile. It only reads (query_only), and answers once.
 */
import { parentPort } from "node:worker_threads";
import { quickCheck } from "./db.ts";
import { openConnection } from "./driver.ts";

export type CheckReply = { ok: true; problem: string | undefined } | { ok: false; message: string };

parentPort?.once("message", (path: string) => {
  let reply: CheckReply;
  try {
    const db = openConnection(path, { create: false });
    try {
      db.exec("PRAGMA query_only = ON");
      reply = { ok: true, problem: quickCheck(db) };
    } finally {
      db.close();
    }
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
