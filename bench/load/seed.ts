// Seeds a database for the HTTP load test through the real engine and store:
// teams registered (one password hash shared by all, so seeding does not
// spend minutes in argon2id), a session token each, and a spread of solves,
// so puzzle lists run from a few puzzles to a few dozen. Each team keeps two
// puzzles open, whatever the hunt's size (at least two puzzles open at the
// start): one for its wrong guesses, one for its right guess.
import { loadHunt } from "../../src/hunt/mod.ts";
import { createLogger } from "../../src/log/mod.ts";
import { hashToken, newToken } from "../../src/play/mod.ts";
import { startGame } from "../../src/server/mod.ts";
import { openDatabase, SqliteStore } from "../../src/store/mod.ts";
import type { Write } from "../../src/engine/mod.ts";

export interface SeededTeam {
  token: string;
  /** A puzzle the team has unlocked and not solved: the target of its wrong guesses. */
  puzzle: string;
  /**
   * Another such puzzle, and its answer, for the right guesses in the mix: the
   * first solves it, later ones are answered `already_solved`. Kept apart from
   * `puzzle`, so that the wrong guesses stay wrong (and stored) all run long.
   */
  solvable: { puzzle: string; answer: string };
}

/**
 * Registers `teams` teams on the hunt in `huntText`, stored in `dbPath`, then
 * adds `history` older wrong guesses spread over the teams and puzzles, so
 * that the database is as large as late in a real event.
 */
export async function seed(
  huntText: string,
  options: { dbPath: string; teams: number; password: string; history?: number },
): Promise<SeededTeam[]> {
  const { hunt, problems } = loadHunt(huntText, { file: "load.toml" });
  if (hunt === undefined) {
    throw new Error(`the load-test hunt does not load: ${problems[0]?.message}`);
  }
  const opened = SqliteStore.open(options.dbPath);
  if (opened.kind !== "ok") throw new Error(`${options.dbPath} is locked`);
  const server = startGame({
    store: opened.store,
    hunt,
    reread: () => ({ hunt, problems: [] }),
    clock: { now: () => Date.now() },
    logger: createLogger({ write: () => {} }),
    adminTokenHash: () => "",
  });
  const engine = server.game.engine;
  const passwordHash = await Bun.password.hash(options.password, {
    algorithm: "argon2id",
    memoryCost: 19456,
    timeCost: 2,
  });
  const writes: Write[] = [];
  const seeded: SeededTeam[] = [];
  for (let t = 0; t < options.teams; t++) {
    const registered = engine.register({ name: `Load team ${t}`, passwordHash });
    if (registered.kind !== "ok") throw new Error(`register: ${registered.kind}`);
    const team = registered.team;
    writes.push(...registered.writes);
    const token = newToken();
    writes.push({ kind: "session", tokenHash: hashToken(token), teamId: team.id, at: Date.now() });
    // Between 0 and 39 solves, each on the first unlocked puzzle not yet solved,
    // stopping while two are still open: one for the wrong guesses, one to solve.
    for (let s = 0; s < t % 40; s++) {
      const open = engine.unlockedPuzzles(team).filter((p) => !engine.solved(team, p));
      if (open.length <= 2) break;
      const next = open[0]!;
      const outcome = engine.guess(team, next.id, `answer ${next.index}`);
      if (outcome.kind === "judged") writes.push(...outcome.writes);
    }
    const [target, other] = engine.unlockedPuzzles(team).filter((p) => !engine.solved(team, p));
    if (target === undefined || other === undefined) {
      throw new Error(`team ${t} has fewer than two puzzles left to guess`);
    }
    seeded.push({
      token,
      puzzle: target.id,
      solvable: { puzzle: other.id, answer: `answer ${other.index}` },
    });
  }
  await opened.store.commit(writes);
  server.close();
  addHistory(options.dbPath, { teams: options.teams, guesses: options.history ?? 0, hunt });
  return seeded;
}

/**
 * Inserts old wrong guesses straight into the file (fast, unsynced): two
 * hours' worth before now, so none still counts against a guess limit.
 */
function addHistory(
  dbPath: string,
  options: { teams: number; guesses: number; hunt: { puzzles: readonly { id: string }[] } },
): void {
  if (options.guesses === 0) return;
  const db = openDatabase(dbPath);
  try {
    db.exec("PRAGMA synchronous = OFF");
    const first =
      (db.query("SELECT coalesce(max(id), 0) AS id FROM guesses").get() as { id: number })
        .id;
    const insert = db.prepare(
      "INSERT INTO guesses (id, team_id, puzzle, raw, normalized, result, at) VALUES (?, ?, ?, ?, ?, 'incorrect', ?)",
    );
    const end = Date.now() - 2 * 3_600_000;
    const puzzles = options.hunt.puzzles;
    // A fixed generator, so every run seeds the same rows.
    let state = 42;
    const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31);
    db.transaction(() => {
      for (let i = 1; i <= options.guesses; i++) {
        const team = 1 + (next() % options.teams);
        const puzzle = puzzles[next() % puzzles.length]!.id;
        const at = end - Math.floor(((options.guesses - i) / options.guesses) * 4 * 3_600_000);
        insert.run(first + i, team, puzzle, `old guess ${i}`, `OLDGUESS${i}`, at);
      }
    })();
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}
