/**
 * Online backups: a consistent copy of the database taken while the server
 * keeps writing. The copy is the database as of one commit (`VACUUM INTO` in
 * one read transaction on Bun, SQLite's online backup in one step on Deno:
 * see driver.ts), and in WAL mode it never blocks the writer. The copy is a
 * rollback-journal database, one file, readable by its owner only. It goes to
 * a temporary file beside the target, is fsynced, then renamed over the
 * target, so a crash leaves either the old backup or the new one, never half
 * of one.
 */
import { type Connection, copyDatabase, openConnection } from "./driver.ts";
import { closeSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { quickCheck } from "./db.ts";
import { syncPath } from "./sync_path.ts";

export interface BackupResult {
  path: string;
  bytes: number;
}

/**
 * Copies `db` into the file `out` (replacing it atomically) and checks the
 * copy. `beforeRename` gets the checked copy, still under its temporary name
 * (`temp`): what must be in place before the copy takes its name (its files)
 * goes there.
 */
export async function backupDatabase(
  db: Connection,
  out: string,
  beforeRename?: (copy: Connection, temp: string) => void,
): Promise<BackupResult> {
  // A copy left by a backup that was killed (SIGTERM, SIGKILL) has the same name: this one replaces it.
  const temp = join(dirname(out), `.${basename(out)}.tmp`);
  removeCopy(temp);
  try {
    // Made empty first, for its owner only: it holds the password hashes and the contact key (the
    // database's own folder is the service's alone), whatever the umask of the one backing up.
    closeSync(openSync(temp, "wx", 0o600));
    await copyDatabase(db, temp);
    // The copy must be on disk before its name is: fsync the file, rename, fsync the folder.
    syncPath(temp);
    const copy = openConnection(temp, { readonly: true });
    try {
      const problem = quickCheck(copy);
      if (problem !== undefined) throw new Error(`the copy fails its integrity check: ${problem}`);
      beforeRename?.(copy, temp);
    } finally {
      copy.close();
    }
    renameSync(temp, out);
    syncPath(dirname(out));
  } catch (error) {
    removeCopy(temp);
    throw error;
  }
  return { path: out, bytes: statSync(out).size };
}

/** Removes a temporary copy and the files SQLite may have made beside it. */
export function removeCopy(temp: string): void {
  for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(temp + suffix, { force: true });
}
