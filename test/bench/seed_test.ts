// The HTTP load test's seed (bench/load/seed.ts) on generated hunts of every
// size the load test accepts, and its command line's refusal of the others.
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateHunt } from "../../bench/_generate.ts";
import { seed } from "../../bench/load/seed.ts";

const RUN = join(import.meta.dir, "..", "..", "bench", "load", "run.ts");

describe("the load test's seed", () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-seed-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // 40 teams: every number of solves the seed gives (0 to 39), on hunts too small for most.
  for (const puzzles of [2, 3, 10, 20, 41, 200]) {
    test(`seed() leaves each of 40 teams two open puzzles on a ${puzzles}-puzzle hunt`, async () => {
      const dbPath = join(dir, `seed-${puzzles}.db`);
      const huntText = generateHunt(puzzles, { guessLimit: '{ count = 1000000, per = "1m" }' });
      const teams = await seed(huntText, { dbPath, teams: 40, password: "seed-test-password" });
      expect(teams).toHaveLength(40);
      const db = new Database(dbPath, { readonly: true });
      try {
        const solved = db.query("SELECT 1 FROM solves WHERE team_id = ? AND puzzle = ?");
        for (const [i, team] of teams.entries()) {
          expect(team.puzzle).not.toBe(team.solvable.puzzle);
          expect(solved.get(i + 1, team.puzzle)).toBeNull();
          expect(solved.get(i + 1, team.solvable.puzzle)).toBeNull();
        }
        // Lists still differ from team to team: up to 39 solves where the hunt has room.
        const { most } = db.query(
          "SELECT max(n) AS most FROM (SELECT count(*) AS n FROM solves GROUP BY team_id)",
        )
          .get() as { most: number | null };
        if (puzzles === 2) expect(most).toBeNull();
        else if (puzzles === 200) expect(most).toBe(39);
        else expect(most).toBeGreaterThan(0);
      } finally {
        db.close();
      }
    });
  }

  test("run.ts refuses a hunt too small for two puzzles a team, in one line, and exits 2", () => {
    for (const puzzles of ["1", "0", "ten", "2.5"]) {
      const run = Bun.spawnSync([process.execPath, RUN, "--puzzles", puzzles], { timeout: 15_000 });
      expect(run.exitCode).toBe(2);
      const [first] = run.stderr.toString().split("\n");
      expect(first).toBe(
        "--puzzles must be a whole number of at least 2: each team needs a puzzle for its wrong guesses and another to solve",
      );
    }
  });
});
