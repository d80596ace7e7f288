import { describe, expect, test } from "bun:test";
import { sleep, spawnRuntime } from "../_runtime.ts";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupDatabase, openDatabase, openForReading } from "../../src/store/mod.ts";
import { inspect } from "./_inspect.ts";

describe("backupDatabase()", () => {
  test("takes consistent copies while another process keeps writing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cairn-backup-"));
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
        // Each copy waits for the writer to have committed more since the last one (it may be
        // slow on a busy machine), so that every copy must show more than the one before it.
        const deadline = Date.now() + 5000;
        do await sleep(20); while (teams() <= before && Date.now() < deadline);
        before = teams();
        const out = join(dir, `copy-${i}.db`);
        expect((await backupDatabase(source, out)).bytes).toBeGreaterThan(0);
        copies.push(out);
      }
      source.close();
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

  test("replaces an existing backup, and leaves it whole when the copy fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cairn-backup-"));
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
});
