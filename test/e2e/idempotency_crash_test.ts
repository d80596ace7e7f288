// Keyed guesses across kill -9, against the compiled binary: guesses with an
// Idempotency-Key are fired by concurrent clients and the server is killed at
// a random moment, so some guesses are committed but never answered. After a
// restart every guess is sent again with its key: an acknowledged one gets
// the very bytes it got before, and every key has exactly one stored guess.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { rng } from "../rules/_random.ts";
import { buildBinary, crashHunt, freePort, waitFor } from "../_binary.ts";
import { tempDirs } from "../_tmp.ts";
import { sendKeyed, type Sent } from "./_keyed.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const ROUNDS = 3;
const WORKERS = 12;
/**
 * Each worker is its own team, and sends at most this many guesses a round:
 * a team keeps its newest 1,000 keys, and a key forgotten for newer ones is
 * decided again on its retry. Still more than fit before the kill.
 */
const PER_ROUND = 300;

let binary = "";
beforeAll(async () => {
  binary = await buildBinary();
}, 120_000);

const HUNT = crashHunt("Keyed crash", 4);

function start(huntFile: string, db: string, port: number) {
  return Bun.spawn(
    [
      "env",
      "-i",
      binary,
      "serve",
      "--hunt",
      huntFile,
      "--db",
      db,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    { stdout: "ignore", stderr: "inherit" },
  );
}

test("a keyed guess retried after kill -9 gets the same answer and is stored once", async () => {
  const dir = dirs.make("cairn-keyed-crash-");
  const huntFile = join(dir, "hunt.toml");
  const db = join(dir, "cairn.db");
  writeFileSync(huntFile, HUNT);
  const random = rng(18);
  const tokens: string[] = [];
  let committedUnanswered = 0;
  let acknowledged = 0;

  for (let round = 0; round < ROUNDS; round++) {
    const sent: Sent[] = [];
    let port = freePort();
    let base = `http://127.0.0.1:${port}`;
    let server = start(huntFile, db, port);
    try {
      await waitFor(`${base}/healthz`);
      for (let w = tokens.length; w < WORKERS; w++) {
        const res = await fetch(`${base}/api/teams`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: `Gulls ${w}`, password: "correct horse" }),
        });
        tokens.push(((await res.json()) as { token: string }).token);
      }
      let stop = false;
      const worker = async (w: number) => {
        for (let n = 0; !stop && n < PER_ROUND; n++) {
          const item: Sent = {
            team: w,
            key: `r${round}-w${w}-n${n}`,
            puzzle: `p${(w + n) % 4}`,
            raw: `r${round}-w${w}-n${n}`,
          };
          sent.push(item);
          try {
            const answer = await sendKeyed(base, tokens[w]!, item);
            if (answer.startsWith("200 ")) item.answer = answer;
          } catch {
            return; // the server is gone
          }
        }
      };
      const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
      await Bun.sleep(200 + Math.floor(random() * 300));
      server.kill("SIGKILL");
      await server.exited;
      stop = true;
      await Promise.all(workers);

      // What the disk holds before any retry: some unanswered guesses were committed.
      const before = new Database(db, { readonly: true });
      const stored = new Set(
        before.query<{ raw: string }, []>("SELECT raw FROM guesses").all().map((r) => r.raw),
      );
      before.close();
      for (const item of sent) {
        if (item.answer === undefined && stored.has(item.raw)) committedUnanswered++;
        if (item.answer !== undefined) {
          acknowledged++;
          expect(stored.has(item.raw)).toBe(true);
        }
      }

      // Restart on the same database and send everything again, with the same keys.
      port = freePort();
      base = `http://127.0.0.1:${port}`;
      server = start(huntFile, db, port);
      await waitFor(`${base}/healthz`);
      for (const item of sent) {
        const again = await sendKeyed(base, tokens[item.team]!, item);
        if (item.answer !== undefined) expect([item.key, again]).toEqual([item.key, item.answer]);
        else expect(again).toStartWith("200 ");
      }
    } finally {
      server.kill("SIGKILL");
      await server.exited;
    }

    const check = new Database(db, { readonly: true });
    expect(check.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    const count = check.query<{ n: number }, [string]>(
      "SELECT count(*) AS n FROM guesses WHERE raw = ?",
    );
    for (const item of sent) expect([item.raw, count.get(item.raw)?.n]).toEqual([item.raw, 1]);
    check.close();
  }
  expect(acknowledged).toBeGreaterThan(ROUNDS * 10);
  console.log(
    `keyed crash: ${acknowledged} acknowledged, ${committedUnanswered} committed but unanswered at the kill`,
  );
}, 240_000);
