// The kill -9 crash test through HTTP, against the compiled binary and against
// the server on Deno: guesses fired by concurrent clients, the server killed at
// random moments; every guess answered 2xx must be in the database after the
// crash, and SQLite's integrity check must say ok. Each round restarts the
// server on the same database, so boot after a crash is exercised too.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { rng } from "../rules/_random.ts";
import { buildBinary, crashHunt, freePort, waitFor } from "../_binary.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const ROUNDS = 10;
const WORKERS = 16;

let binary = "";
beforeAll(async () => {
  binary = await buildBinary();
}, 120_000);

const HUNT = crashHunt("Crash over HTTP", 10);

const DENO = join(import.meta.dir, "..", "..", "node_modules", ".bin", "deno");
const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");

/** The command that runs `cairn serve`, from the binary or on Deno, and its environment. */
function serverCommand(runtime: "binary" | "deno"): { cmd: string[]; env: Record<string, string> } {
  if (runtime === "binary") return { cmd: ["env", "-i", binary], env: {} };
  return {
    cmd: [DENO, "run", "-A", "--unstable-no-legacy-abort", MAIN],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DENO_NO_UPDATE_CHECK: "1" },
  };
}

test("every guess answered 2xx survives kill -9, at 10 random points", async () => {
  await crashRounds("binary");
}, 180_000);

test(
  "on Deno (node:sqlite): every guess answered 2xx survives kill -9, at 10 random points",
  async () => {
    await crashRounds("deno");
  },
  180_000,
);

async function crashRounds(runtime: "binary" | "deno"): Promise<void> {
  const { cmd, env } = serverCommand(runtime);
  const dir = dirs.make("cairn-http-crash-");
  const huntFile = join(dir, "hunt.toml");
  const db = join(dir, "cairn.db");
  writeFileSync(huntFile, HUNT);
  const random = rng(7);
  const acked: { raw: string; result: string }[] = [];
  let tokens: string[] = [];

  for (let round = 0; round < ROUNDS; round++) {
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = Bun.spawn(
      [
        ...cmd,
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
      { stdout: "ignore", stderr: "inherit", env },
    );
    try {
      await waitFor(`${base}/healthz`);
      if (round === 0) {
        tokens = await Promise.all(["A", "B", "C", "D"].map(async (name) => {
          const res = await fetch(`${base}/api/teams`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: `Team ${name}`, password: "correct horse" }),
          });
          expect(res.status).toBe(201);
          return ((await res.json()) as { token: string }).token;
        }));
      }
      let stop = false;
      const worker = async (w: number) => {
        for (let n = 0; !stop; n++) {
          // Wrong guesses go to puzzles no one solves (p3–p9), so every round still has guesses
          // to acknowledge (a guess on a solved puzzle is answered `already_solved`, unstored);
          // a right answer now and then solves one of p0–p2.
          const right = n % 17 === 0;
          const puzzle = right ? `p${(w + n) % 3}` : `p${3 + (w + n) % 7}`;
          const raw = right ? `a${puzzle.slice(1)}` : `r${round}-w${w}-n${n}`;
          try {
            const res = await fetch(`${base}/api/puzzles/${puzzle}/guesses`, {
              method: "POST",
              headers: {
                "content-type": "application/json",
                authorization: `Bearer ${tokens[w % tokens.length]}`,
              },
              body: JSON.stringify({ answer: raw }),
            });
            const body = (await res.json()) as { result: string };
            if (res.status === 200 && body.result !== "already_solved") {
              acked.push({ raw, result: body.result });
            }
          } catch {
            return; // the server is gone
          }
        }
      };
      const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
      await Bun.sleep(150 + Math.floor(random() * 400));
      server.kill("SIGKILL");
      await server.exited;
      stop = true;
      await Promise.all(workers);
      expect(server.signalCode).toBe("SIGKILL");
    } finally {
      server.kill("SIGKILL");
    }

    const check = new Database(db, { readonly: true });
    expect(check.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    const find = check.query<{ result: string }, [string]>(
      "SELECT result FROM guesses WHERE raw = ?",
    );
    for (const ack of acked) {
      if (ack.raw.startsWith("a")) continue; // correct answers repeat across teams; checked through solves
      expect([ack.raw, find.get(ack.raw)?.result]).toEqual([ack.raw, ack.result]);
    }
    check.close();
  }
  expect(acked.length).toBeGreaterThan(ROUNDS * 20);
}
