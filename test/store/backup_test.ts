import { afterAll, describe, expect, test } from "bun:test";
import { sleep, spawnRuntime } from "../_runtime.ts";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { backupDatabase, openDatabase, openForReading } from "../../src/store/mod.ts";
import { inspect, teamsIn } from "./_inspect.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** A database file's header bytes 18 and 19: 1, 1 for a rollback journal, 2, 2 for WAL. */
function journalBytes(path: string): number[] {
  return [...readFileSync(path).subarray(18, 20)];
}

describe("backupDatabase()", () => {
  test("takes consistent copies while another process keeps writing", async () => {
    const dir = dirs.make("cairn-backup-");
    const path = join(dir, "cairn.db");
    openDatabase(path).close();
    const child = spawnRuntime(join(import.meta.dirname, "_write_child.ts"), [path]);
    try {
      const reader = child.stdout.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain("ready");
      const source = openForReading(path);
      const copies: string[] = [];
      const teams = () =>
        (source.query("SELECT count(*) AS n FROM teams").get() as { n: number }).n;
      let before = 0;
      for (let i = 0; i < 6; i++) {
        // Each copy waits for the writer to have committed more than the last copy holds (it may
        // be slow on a busy machine), so that every copy must show more than the one before it.
        // More than the last copy, not than the count read before it: the writer may commit
        // while a copy is made, and the copy then holds more than that count.
        const deadline = Date.now() + 5000;
        do await sleep(20); while (teams() <= before && Date.now() < deadline);
        const out = join(dir, `copy-${i}.db`);
        expect((await backupDatabase(source, out)).bytes).toBeGreaterThan(0);
        copies.push(out);
        before = teamsIn(out);
      }
      source.close();
      // Each copy is one file, a rollback-journal database (header bytes 18-19: 1, 1), as on Bun:
      // nothing is left beside it, and opening it leaves nothing either.
      for (const copy of copies) expect(journalBytes(copy)).toEqual([1, 1]);
      const listed = () => readdirSync(dir).filter((name) => !name.startsWith("cairn.db")).sort();
      expect(listed()).toEqual(copies.map((copy) => basename(copy)).sort());
      let previous = 0;
      for (const copy of copies) {
        const seen = inspect(copy);
        expect(seen).toMatchObject({
          integrity: "ok",
          solvesWithoutTheirGuess: 0,
          correctWithoutSolve: 0,
          teamsWithoutGuess: 0,
        });
        // Each team's first commit holds its wrong guess; its solve may come in a later copy.
        expect(seen.guesses).toBeGreaterThanOrEqual(seen.teams);
        expect(seen.guesses).toBe(seen.teams + seen.solves);
        // The writer kept going between copies.
        expect(seen.teams).toBeGreaterThan(previous);
        previous = seen.teams;
      }
    } finally {
      child.kill("SIGKILL");
      await child.exited;
    }
    // No temporary file is left behind.
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  }, 30_000);

  test(
    "copies a large database in one step while another process writes all the time",
    async () => {
      const dir = dirs.make("cairn-backup-");
      const path = join(dir, "cairn.db");
      const db = openDatabase(path);
      // About 10,000 pages: a copy in steps of 100 pages started over at every commit of the writer.
      db.exec("CREATE TABLE padding (x BLOB); INSERT INTO padding VALUES (zeroblob(40000000))");
      db.close();
      const child = spawnRuntime(join(import.meta.dirname, "_write_child.ts"), [path]);
      try {
        const reader = child.stdout.getReader();
        expect(new TextDecoder().decode((await reader.read()).value)).toContain("ready");
        const source = openForReading(path);
        const out = join(dir, "copy.db");
        const started = Date.now();
        expect((await backupDatabase(source, out)).bytes).toBeGreaterThan(40_000_000);
        expect(Date.now() - started).toBeLessThan(5_000);
        source.close();
        expect(journalBytes(out)).toEqual([1, 1]);
        expect(inspect(out).integrity).toBe("ok");
      } finally {
        child.kill("SIGKILL");
        await child.exited;
      }
    },
    30_000,
  );

  test("replaces an existing backup, and leaves it whole when the copy fails", async () => {
    const dir = dirs.make("cairn-backup-");
    const db = openDatabase(join(dir, "cairn.db"));
    const out = join(dir, "backup.db");
    await backupDatabase(db, out);
    db.exec(
      "INSERT INTO teams (id, name, name_key, password_hash, created_at) VALUES (1, 'A', 'a', 'h', 0)",
    );
    await backupDatabase(db, out);
    expect(inspect(out).teams).toBe(1);
    // A folder that does not exist: the copy fails, the old backup is untouched.
    await expect(backupDatabase(db, join(dir, "missing", "backup.db"))).rejects.toThrow();
    expect(inspect(out)).toMatchObject({ integrity: "ok", teams: 1 });
    db.close();
  });

  test("the copy is its owner's only (0600), whatever the umask: it holds the password hashes", async () => {
    const dir = dirs.make("cairn-backup-");
    const db = openDatabase(join(dir, "cairn.db"));
    // A root crontab's umask: the copy used to be readable by every user of the machine, while
    // the database it came from (the service's, under UMask=0077) and the files folder were not.
    const umask = process.umask(0o022);
    try {
      await backupDatabase(db, join(dir, "backup.db"));
    } finally {
      process.umask(umask);
      db.close();
    }
    expect(statSync(join(dir, "backup.db")).mode & 0o777).toBe(0o600);
  });

  test("replaces the temporary copy a killed backup left, and leaves nothing else", async () => {
    const dir = dirs.make("cairn-backup-");
    const db = openDatabase(join(dir, "cairn.db"));
    // What a backup killed mid-copy leaves: half a copy, and maybe its journal.
    writeFileSync(join(dir, ".backup.db.tmp"), "SQLite format 3\0 half a copy");
    writeFileSync(join(dir, ".backup.db.tmp-journal"), "a journal");
    await backupDatabase(db, join(dir, "backup.db"));
    db.close();
    expect(readdirSync(dir).filter((name) => !name.startsWith("cairn.db")).sort()).toEqual([
      "backup.db",
    ]);
    expect(inspect(join(dir, "backup.db")).integrity).toBe("ok");
  });
});
