// The crash test's child: the real engine and store, firing concurrent
// guesses, printing `ack <id> <team> <puzzle> <result> <raw>` for each guess
// only once it is committed. The parent kills it with SIGKILL at random.
// Usage: _crash_child.ts DB [main|thread]: commits on the main thread, or on
// the commit thread (store/commit_thread.ts).
import { realpathSync, writeSync } from "node:fs";
import { Engine, type Write } from "../../src/engine/mod.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import {
  type Committer,
  getMeta,
  loadSnapshot,
  openDatabase,
  setMeta,
  walFile,
  Writer,
} from "../../src/store/mod.ts";
import { startCommitThread } from "../../src/store/commit_thread.ts";

const PUZZLES = 20;
/** Right answers go only to the first few puzzles; wrong ones only to the rest. */
const SOLVABLE = 5;
const TEAMS = 8;
const WORKERS = 32;

const toml = [
  '[hunt]\ntitle = "Crash"\n',
  ...Array.from(
    { length: PUZZLES },
    (_, i) =>
      `[[puzzle]]\nid = "p${i}"\ntitle = "P${i}"\nanswer = "a${i}"\nguess_limit = { count = 1000000, per = "1s" }\n`,
  ),
].join("\n");
const { hunt } = loadHunt(toml, { file: "crash.toml" });
if (!hunt) throw new Error("the crash hunt does not load");

const db = openDatabase(process.argv[2]!);
let startsAt = Number(getMeta(db, "hunt_started_at"));
if (!startsAt) {
  startsAt = Date.now();
  setMeta(db, "hunt_started_at", String(startsAt));
}
const engine = new Engine(hunt, { clock: { now: () => Date.now() }, startsAt });
engine.restore(loadSnapshot(db, { now: Date.now(), longestWindowMs: engine.longestGuessWindow() }));
const onFailure = () => process.exit(3);
// On the main thread, as `SqliteStore` does: the writer syncs the WAL itself.
let writer: Committer = new Writer(db, {
  onFailure,
  wal: walFile(`${realpathSync(process.argv[2]!)}-wal`),
});
if (process.argv[3] === "thread") {
  const thread = await startCommitThread(process.argv[2]!, { onFailure });
  if (typeof thread === "string") throw new Error(`no commit thread: ${thread}`);
  writer = thread;
}

const pending: Write[] = [];
for (let i = 0; i < TEAMS; i++) {
  if (engine.teamByName(`team${i}`)) continue;
  const result = engine.register({ name: `team${i}`, passwordHash: "x" });
  if (result.kind === "ok") pending.push(...result.writes);
}
await writer.commit(pending);
const teams = [...engine.teams.values()];
// Acks are written synchronously: once printed, the parent has them, even if a kill follows.
const say = (line: string) => writeSync(1, `${line}\n`);
say("ready");

async function worker(seed: number): Promise<never> {
  for (let n = seed;; n++) {
    const team = teams[n % teams.length]!;
    // The wrong guesses go to puzzles no one solves, so they never run out: every restart still
    // has guesses to acknowledge. A right answer now and then solves one of the others.
    const right = n % 61 === 0;
    const puzzle = right
      ? `p${(n / 61 + seed) % SOLVABLE}`
      : `p${SOLVABLE + (n * 7 + seed) % (PUZZLES - SOLVABLE)}`;
    const raw = right ? `a${puzzle.slice(1)}` : `guess-${seed}-${n}`;
    const outcome = engine.guess(team, puzzle, raw);
    if (outcome.kind !== "judged") {
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    await writer.commit(outcome.writes);
    say(`ack ${outcome.guessId} ${team.id} ${puzzle} ${outcome.result} ${raw}`);
  }
}
await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i * 1000)));
