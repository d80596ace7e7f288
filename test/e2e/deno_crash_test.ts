// kill -9 of `cairn serve` on Deno (node:sqlite, Deno.serve), started as `deno task start` starts
// it (deno.json's permissions): concurrent clients send keyed guesses, and the server is killed
// at set points counted in answers, not in time: at the first answer after boot, in the middle
// of a steady load, and in the middle of a burst sent all at once. After each kill the server
// restarts on Deno over the same database (SQLite recovers its WAL there), every guess is sent
// again with its key, and an acknowledged one must get the very bytes it got before; once that
// server is stopped, every acknowledged guess is in the file exactly once with its result, and
// `PRAGMA integrity_check` says ok.
import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { crashHunt, freePort, waitFor } from "../_binary.ts";
import { DENO_START_FLAGS } from "../_runtime.ts";
import { tempDirs } from "../_tmp.ts";
import { sendKeyed, type Sent } from "./_keyed.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const ROOT = join(import.meta.dir, "..", "..");
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const MAIN = join(ROOT, "src", "main.ts");
const ENV = {
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  TMPDIR: process.env.TMPDIR ?? "/tmp",
  DENO_NO_UPDATE_CHECK: "1",
  NO_COLOR: "1",
};

const TEAMS = 8;
const WORKERS = 16;
/** A team keeps its newest 1,000 keys: no round sends more than that per team. */
const PER_WORKER = 120;
const BURST = 240;

/** Where a round kills the server: after so many answers, under a steady load or one burst. */
const ROUNDS: { name: string; load: "steady" | "burst"; killAt: number }[] = [
  { name: "at the first answer after boot", load: "steady", killAt: 1 },
  { name: "mid-load", load: "steady", killAt: 400 },
  { name: "mid-burst", load: "burst", killAt: BURST / 4 },
  { name: "at the first answer after boot, again", load: "steady", killAt: 1 },
  { name: "late in a burst", load: "burst", killAt: BURST - 10 },
  { name: "mid-load, later", load: "steady", killAt: 1200 },
];

/** `cairn serve` on Deno, its commits on the main thread (`off`) or on the commit thread (`on`). */
function start(huntFile: string, db: string, commitThread: "on" | "off") {
  const port = freePort();
  const proc = Bun.spawn(
    [DENO, "run", ...DENO_START_FLAGS, MAIN, "serve", "--hunt", huntFile, "--db", db]
      .concat(["--host", "127.0.0.1", "--port", String(port), "--commit-thread", commitThread]),
    { stdout: "ignore", stderr: "inherit", env: ENV },
  );
  return { proc, base: `http://127.0.0.1:${port}` };
}

/** A guess: wrong ones on puzzles no one solves (p3–p7), a right one now and then on p0–p2. */
function guess(round: number, w: number, n: number): Sent {
  const right = n % 23 === 0;
  const puzzle = right ? `p${(w + n) % 3}` : `p${3 + (w + n) % 5}`;
  const key = `r${round}-w${w}-n${n}`;
  return { team: w % TEAMS, key, puzzle, raw: right ? `a${puzzle.slice(1)}` : key };
}

test(
  "on Deno: kill -9 loses no acknowledged guess, and a keyed retry gets the same answer",
  () => crashRounds("off"),
  120_000,
);

test(
  "the same with the commit thread (serve --commit-thread on)",
  () => crashRounds("on"),
  120_000,
);

async function crashRounds(commitThread: "on" | "off"): Promise<void> {
  const dir = dirs.make("cairn-deno-crash-");
  const huntFile = join(dir, "hunt.toml");
  const db = join(dir, "cairn.db");
  writeFileSync(huntFile, crashHunt("Crash on Deno", 8));
  const tokens: string[] = [];
  const all: Sent[] = [];
  let acknowledged = 0;

  for (const [round, { name, load, killAt }] of ROUNDS.entries()) {
    const sent: Sent[] = [];
    const { proc, base } = start(huntFile, db, commitThread);
    let answers = 0;
    const answered = (item: Sent, answer: string) => {
      if (!answer.startsWith("200 ")) return;
      item.answer = answer;
      if (++answers === killAt) proc.kill("SIGKILL");
    };
    try {
      await waitFor(`${base}/healthz`, 30_000);
      while (tokens.length < TEAMS) {
        const res = await fetch(`${base}/api/teams`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: `Team ${tokens.length}`, password: "correct horse" }),
        });
        expect(res.status).toBe(201);
        tokens.push(((await res.json()) as { token: string }).token);
      }
      const fire = async (item: Sent) => {
        sent.push(item);
        try {
          answered(item, await sendKeyed(base, tokens[item.team]!, item));
          return true;
        } catch {
          return false; // the server is gone
        }
      };
      if (load === "steady") {
        await Promise.all(Array.from({ length: WORKERS }, async (_, w) => {
          for (let n = 0; n < PER_WORKER; n++) if (!await fire(guess(round, w, n))) return;
        }));
      } else {
        await Promise.all(
          Array.from({ length: BURST }, (_, i) => fire(guess(round, i % WORKERS, i))),
        );
      }
      // Every guess answered before the kill point: the round did not reach it.
      expect([name, answers >= killAt]).toEqual([name, true]);
      await proc.exited;
      expect([name, proc.signalCode]).toEqual([name, "SIGKILL"]);
    } finally {
      proc.kill("SIGKILL");
      await proc.exited;
    }
    acknowledged += sent.filter((item) => item.answer !== undefined).length;
    all.push(...sent);

    // Back up on Deno over the same file: every guess again with its key.
    const again = start(huntFile, db, commitThread);
    try {
      await waitFor(`${again.base}/healthz`, 30_000);
      for (const item of sent) {
        const answer = await sendKeyed(again.base, tokens[item.team]!, item);
        if (item.answer !== undefined) {
          expect([item.key, answer]).toEqual([
            item.key,
            item.answer,
          ]);
        } else expect([item.key, answer.slice(0, 4)]).toEqual([item.key, "200 "]);
      }
    } finally {
      again.proc.kill("SIGTERM");
      expect(await again.proc.exited).toBe(0);
    }

    const check = new Database(db, { readonly: true });
    try {
      expect(check.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      const stored = check.query<{ n: number; result: string }, [string]>(
        "SELECT count(*) AS n, max(result) AS result FROM guesses WHERE raw = ?",
      );
      for (const item of sent) {
        if (item.raw.startsWith("a")) continue; // right answers repeat; their solves are below
        const row = stored.get(item.raw)!;
        const acked = item.answer === undefined
          ? row.result
          : (JSON.parse(item.answer.slice(4)) as { result: string }).result;
        expect([item.key, row.n, row.result]).toEqual([item.key, 1, acked]);
      }
    } finally {
      check.close();
    }
  }
  expect(acknowledged).toBeGreaterThan(1000);
  console.log(
    `deno crash (commit thread ${commitThread}): ${all.length} guesses sent, ${acknowledged} acknowledged before a kill`,
  );
}
