// Boot time: loading the state of 10,000 teams and 1,000,000 guesses (on a
// 200-puzzle hunt) from SQLite into the engine, as `serve` does at start.
// The database is generated first (not timed). Usage: bun bench/boot.ts
// [--teams 10000] [--guesses 1000000]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { toolArgs } from "./_args.ts";
import { longestGuessWindow } from "../src/engine/mod.ts";
import { loadHunt } from "../src/hunt/mod.ts";
import { createLogger } from "../src/log/mod.ts";
import { startGame } from "../src/server/mod.ts";
import { openDatabase, SqliteStore } from "../src/store/mod.ts";
import { generateHunt } from "./_generate.ts";

const USAGE = `Usage: bun bench/boot.ts [options]

Boot time: loading a generated database's teams and guesses into the engine,
as serve does at start.

Options:
  --teams N      teams (default 10000)
  --guesses N    older guesses (default 1000000)
  --help         this text`;

const { values } = toolArgs(USAGE, () =>
  parseArgs({
    options: {
      teams: { type: "string", default: "10000" },
      guesses: { type: "string", default: "1000000" },
    },
  }));
const teams = Number(values.teams);
const guesses = Number(values.guesses);
const { hunt } = loadHunt(generateHunt(200), { file: "generated.toml" });
if (!hunt) throw new Error("the generated hunt does not load");

const dir = mkdtempSync(join(tmpdir(), "cairn-boot-"));
const path = join(dir, "boot.db");
const db = openDatabase(path);
db.exec("PRAGMA synchronous = OFF");
const now = Date.now();
const start = now - 3 * 3_600_000;
let generated = performance.now();
db.transaction(() => {
  const team = db.prepare(
    "INSERT INTO teams (id, name, name_key, password_hash, created_at) VALUES (?, ?, ?, 'x', ?)",
  );
  const unlock = db.prepare("INSERT INTO unlocks (team_id, puzzle, at) VALUES (?, ?, ?)");
  for (let t = 1; t <= teams; t++) {
    team.run(t, `Team ${t}`, `team ${t}`, start);
    for (let p = 0; p < 20; p++) unlock.run(t, hunt.puzzles[p]!.id, start);
  }
  const guess = db.prepare(
    "INSERT INTO guesses (id, team_id, puzzle, raw, normalized, result, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const solve = db.prepare(
    "INSERT OR IGNORE INTO solves (team_id, puzzle, guess_id, at) VALUES (?, ?, ?, ?)",
  );
  for (let g = 1; g <= guesses; g++) {
    const t = (g % teams) + 1;
    const puzzle = hunt.puzzles[g % 20]!.id;
    const correct = g % 10 === 0;
    const at = start + Math.floor((g / guesses) * 3 * 3_600_000);
    guess.run(g, t, puzzle, "raw guess", "RAWGUESS", correct ? "correct" : "incorrect", at);
    if (correct) solve.run(t, puzzle, g, at);
  }
})();
db.exec("INSERT INTO meta (key, value) VALUES ('hunt_started_at', '" + start + "')");
db.close();
generated = performance.now() - generated;
console.log(
  `generated ${teams} teams and ${guesses} guesses in ${(generated / 1000).toFixed(1)} s`,
);

/**
 * One boot as `serve` makes it: "first" checks the file before reading it (as
 * before), "beside" reads the snapshot while the check runs in a worker.
 */
async function boot(check: "first" | "beside"): Promise<number> {
  const started = performance.now();
  const opened = SqliteStore.open(path, {}, undefined, check);
  if (opened.kind !== "ok") throw new Error("locked");
  if (opened.checked !== undefined) {
    opened.store.preload({ now, longestWindowMs: longestGuessWindow(hunt!) });
    if ((await opened.checked) !== undefined) throw new Error("the check failed");
  }
  const server = startGame({
    store: opened.store,
    hunt: hunt!,
    reread: () => ({ hunt: hunt!, problems: [] }),
    clock: { now: () => now },
    logger: createLogger({ write: () => {} }),
    adminTokenHash: () => "",
  });
  const total = performance.now() - started;
  if (server.game.engine.teams.size !== teams) throw new Error("not every team was restored");
  server.close();
  return total;
}

// Alternated, so that both ways meet the same machine.
const runs = { first: [] as number[], beside: [] as number[] };
for (let i = 0; i < 3; i++) {
  for (const check of ["first", "beside"] as const) {
    const ms = await boot(check);
    runs[check].push(ms);
    console.log(`boot ${i + 1}, check ${check}: ${ms.toFixed(0)} ms`);
  }
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!.toFixed(0);
console.log(
  `boot, median of 3: ${median(runs.beside)} ms with the check beside the read ` +
    `(${median(runs.first)} ms with the check first); ${teams} teams, ${guesses} guesses`,
);
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
else console.log(path);
