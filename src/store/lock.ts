import { existsSync, rmSync } from "node:fs";
import { type Connection, openConnection } from "./driver.ts";

export type Lock =
  | {
    kind: "held";
    release: () => void;
    /** Releases the lock and removes its file if this call made it: for an open that failed. */
    abandon: () => void;
  }
  | { kind: "busy" };

/**
 * Every lock connection held by this process. Bun closes a connection that is
 * garbage-collected, which would drop the lock while the server still runs,
 * so each stays referenced here until released.
 */
const held = new Set<Connection>();

/**
 * Takes the single-instance lock: a second SQLite file, `<db>.lock`, held in
 * `BEGIN EXCLUSIVE` for the life of the process. The operating system drops
 * the lock when its holder dies, even by kill -9, and since it is a separate
 * file, it never stops `backup` or `export` from reading the database.
 */
export function acquireLock(dbPath: string): Lock {
  const path = `${dbPath}.lock`;
  const made = !existsSync(path);
  const db = openConnection(path);
  try {
    db.exec("PRAGMA busy_timeout = 0");
    // A rollback journal (not WAL): BEGIN EXCLUSIVE then takes the file's exclusive lock at once.
    // Kept in memory: nothing is ever written here, and a journal file would sit beside the lock
    // while it is held, and stay there after a kill -9.
    db.exec("PRAGMA journal_mode = MEMORY");
    db.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    db.close();
    if (/locked|busy/i.test(error instanceof Error ? error.message : String(error))) {
      return { kind: "busy" };
    }
    throw error;
  }
  held.add(db);
  const release = () => {
    if (!held.delete(db)) return;
    db.exec("ROLLBACK");
    db.close();
  };
  return {
    kind: "held",
    release,
    // Removed while still held, so that no other process takes the lock on a file going away.
    abandon: () => {
      if (made && held.has(db)) rmSync(path, { force: true });
      release();
    },
  };
}
