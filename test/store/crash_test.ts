// kill -9 under guess load, at 12 random moments: after each, every guess the
// child acknowledged must be in the database as acknowledged, and SQLite's
// integrity check must say ok. Each restart boots from the crashed database.
//
// What this can and cannot show: a killed process's completed write() calls
// survive in the kernel's page cache, so kill -9 exposes rows that were never
// written and a corrupted file (a writer that drops 2% of rows fails here),
// but not a missing fsync: only a power cut shows that. What guards against
// it is the acknowledgement after the sync: the writer's fdatasync of the WAL
// on the main thread, SQLite's full sync on the commit thread
// (test/store/store_test.ts holds the writer's syncs by hand).
import { afterAll, expect, test } from "bun:test";
import { openConnection } from "../../src/store/mod.ts";
import { sleep, spawnRuntime } from "../_runtime.ts";
import { join } from "node:path";
import { rng } from "../rules/_random.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const CHILD = join(import.meta.dirname, "_crash_child.ts");
const ROUNDS = 12;
/** Guesses the child must have acknowledged before the random wait for the kill begins. */
const ACKS_FIRST = 12;

interface Ack {
  id: number;
  team: number;
  puzzle: string;
  result: string;
  raw: string;
}

/** Runs the child until it has acknowledged some guesses, then kills it at a random moment. */
async function runAndKill(
  dbPath: string,
  delayMs: number,
  commits: "main" | "thread",
): Promise<{ acks: Ack[]; signal: string | null }> {
  const child = spawnRuntime(CHILD, [dbPath, commits]);
  const acks: Ack[] = [];
  let buffered = "";
  let ready = false;
  const decoder = new TextDecoder();
  const reading = (async () => {
    for await (const chunk of child.stdout) {
      buffered += decoder.decode(chunk);
      let newline: number;
      while ((newline = buffered.indexOf("\n")) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line === "ready") ready = true;
        const [kind, id, team, puzzle, result, raw] = line.split(" ");
        if (kind === "ack") {
          acks.push({
            id: Number(id),
            team: Number(team),
            puzzle: puzzle!,
            result: result!,
            raw: raw!,
          });
        }
      }
    }
  })();
  try {
    const deadline = Date.now() + 20_000;
    while (!ready && Date.now() < deadline) await sleep(5);
    expect(ready).toBe(true);
    // Real work first, however slow a loaded machine makes the child; then a random moment.
    while (acks.length < ACKS_FIRST && Date.now() < deadline) await sleep(2);
    expect(acks.length).toBeGreaterThanOrEqual(ACKS_FIRST);
    await sleep(delayMs);
  } finally {
    // Killed even when a check above fails, so that no child outlives the test.
    child.kill("SIGKILL");
  }
  await child.exited;
  await reading;
  return { acks, signal: child.signal() };
}

for (const commits of ["main", "thread"] as const) {
  test(
    `committing on the ${
      commits === "main" ? "main" : "commit"
    } thread: no acknowledged guess is lost at any of 12 kill -9 points, and the database stays intact`,
    async () => {
      const dbPath = join(dirs.make("cairn-crash-"), "cairn.db");
      const random = rng(42);
      const all: Ack[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const { acks, signal } = await runAndKill(
          dbPath,
          40 + Math.floor(random() * 300),
          commits,
        );
        expect(signal).toBe("SIGKILL"); // killed, not exited by itself
        all.push(...acks);

        const db = openConnection(dbPath, { readonly: true });
        expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
        const find = db.query<{ team_id: number; puzzle: string; result: string; raw: string }>(
          "SELECT team_id, puzzle, result, raw FROM guesses WHERE id = ?",
        );
        for (const ack of all) {
          expect(find.get(ack.id)).toEqual({
            team_id: ack.team,
            puzzle: ack.puzzle,
            result: ack.result,
            raw: ack.raw,
          });
        }
        // A solve exists for every acknowledged correct guess.
        const solve = db.query("SELECT 1 AS ok FROM solves WHERE team_id = ? AND puzzle = ?");
        for (const ack of all.filter((a) => a.result === "correct")) {
          expect(solve.get(ack.team, ack.puzzle)).toEqual({ ok: 1 });
        }
        db.close();
      }
      // The test means something only if the child got real work done before each kill.
      expect(all.length).toBeGreaterThan(ROUNDS * 10);
    },
    120_000,
  );
}
