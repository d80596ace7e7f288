// The start-up integrity check beside the boot: a worker thread's quick_check
// on its own connection, while the main thread reads the snapshot.
import { afterAll, describe, expect, test } from "bun:test";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { openDatabase, SqliteStore } from "../../src/store/mod.ts";
import { checkBeside } from "../../src/store/check.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** A database with enough guesses to span many pages, checkpointed into the file. */
function database(): string {
  const path = join(dirs.make("cairn-check-"), "cairn.db");
  const db = openDatabase(path);
  db.exec("PRAGMA foreign_keys = OFF");
  const insert = db.prepare(
    "INSERT INTO guesses (team_id, puzzle, raw, normalized, result, at) VALUES (1, 'p', ?, ?, 'incorrect', 0)",
  );
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`guess ${i}`, `GUESS ${i}`);
  })();
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return path;
}

/** Scribbles over a page in the middle of the file. */
function damage(path: string): void {
  const size = readFileSync(path).length;
  const fd = openSync(path, "r+");
  writeSync(fd, new Uint8Array(4096).fill(0x5a), 0, 4096, Math.floor(size / 8192) * 4096);
  closeSync(fd);
}

describe("checkBeside", () => {
  test("finds nothing wrong with a sound file", async () => {
    expect(await checkBeside(database())).toBeUndefined();
  });

  test("reports a damaged file, in one line", async () => {
    const path = database();
    damage(path);
    const problem = await checkBeside(path);
    expect(typeof problem).toBe("string");
    expect(problem!.includes("\n")).toBe(false);
  });

  test("the store checks beside the boot only for a file that exists and needs no migration", async () => {
    const path = database();
    const current = SqliteStore.open(path, {}, undefined, "beside");
    if (current.kind !== "ok") throw new Error("locked");
    expect(current.checked).toBeInstanceOf(Promise);
    // Its worker is done before the file's folder is removed (afterAll).
    expect(await current.checked).toBeUndefined();
    current.store.close();
    // A new file is made and migrated, which writes: then nothing runs beside (and a new file
    // has nothing to check).
    const fresh = join(dirs.make("cairn-check-"), "new.db");
    const made = SqliteStore.open(fresh, {}, undefined, "beside");
    if (made.kind !== "ok") throw new Error("locked");
    expect(made.checked).toBeUndefined();
    made.store.close();
  });
});
