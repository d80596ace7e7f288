// The restore drill of docs/operations.md, against the compiled binary (on Deno: src/main.ts):
// 1. back up under guess load (`cairn backup`); `cairn restore` is refused
// while the server runs; 2. stop the server; 3. `cairn restore` the backup;
// 4. start again. What must hold: every guess acknowledged before the backup
// began is there, the server serves, the teams' old sessions still work, and
// integrity_check is ok. Then the database the restore kept restores back,
// with every guess acknowledged.
import { afterAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { cairn, call, huntFile, register, startServer } from "./_server.ts";
import { openConnection } from "../../src/store/driver.ts";
import { sleep } from "../_runtime.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const WORKERS = 8;

/** The raw text of every guess in the database at `path`. */
function storedGuesses(path: string): Set<string> {
  const check = openConnection(path, { readonly: true });
  try {
    expect(check.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    return new Set(
      check.query<{ raw: string }>("SELECT raw FROM guesses").all().map((row) => row.raw),
    );
  } finally {
    check.close();
  }
}

test(
  "restore drill: back up under load, stop, restore, start: nothing acknowledged before the backup is lost",
  async () => {
    const dir = dirs.make("cairn-restore-");
    const hunt = huntFile(dir, 5);
    const db = join(dir, "cairn.db");
    const backup = join(dir, "backup.db");
    const first = await startServer({ hunt, db });
    const tokens = await Promise.all(
      Array.from({ length: 4 }, (_, i) => register(first.base, `Team ${i}`)),
    );

    // Guesses pour in; correct answers too, so that solves and scores are restored as well.
    const acked: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const puzzle = 1 + (n % 5);
        const raw = n === 7 + w ? `a${puzzle}` : `w${w}-n${n}`;
        const res = await call(first.base, `/api/puzzles/p${puzzle}/guesses`, {
          body: { answer: raw },
          token: tokens[w % tokens.length],
        });
        expect(res.status).toBe(200);
        if ((res.body as { result: string }).result !== "already_solved") acked.push(raw);
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
    let ackedBeforeBackup: string[];
    try {
      // Until the load is real: more than 100 guesses acknowledged (half a second's worth on an
      // idle machine; a loaded one, or Deno, takes longer).
      const loaded = Date.now() + 30_000;
      while (acked.length <= 100 && Date.now() < loaded) await sleep(20);
      // 1. Back up under load. Everything acknowledged before this moment must be in the copy.
      ackedBeforeBackup = [...acked];
      const { code, stdout, stderr } = await cairn("backup", backup, "--db", db);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout).toContain(backup);
      // Restoring under the running server is refused, and makes nothing beside the database.
      const before = readdirSync(dir).sort();
      expect(await cairn("restore", backup, "--db", db)).toEqual({
        code: 1,
        stdout: "",
        stderr:
          `cairn restore: a Cairn server is running on ${db}; stop it first (systemctl stop cairn), then run this again\n`,
      });
      expect(readdirSync(dir).sort()).toEqual(before);
      await sleep(300);
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    const ackedAfterBackup = acked.length - ackedBeforeBackup.length;

    // 2. Stop the server.
    expect(await first.stop()).toBe(0);

    // 3. Restore: the backup replaces the database, which is kept.
    const restored = await cairn("restore", backup, "--db", db);
    expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: "" });
    const kept = / is kept in (\S+) /.exec(restored.stdout)?.[1];
    expect(kept).toStartWith(`${db}.before-restore-`);

    // 4. Start again.
    const second = await startServer({ hunt, db });
    try {
      const stored = storedGuesses(db);
      console.log(
        `cairn restore: ${ackedBeforeBackup.length} guesses acknowledged before the backup, ` +
          `${ackedAfterBackup} during and after it; ${stored.size} in the restored database`,
      );
      expect(ackedBeforeBackup.length).toBeGreaterThan(100);
      expect(ackedBeforeBackup.filter((raw) => !stored.has(raw))).toEqual([]);

      // The server serves, and the teams' old sessions still work: reading and guessing.
      expect(await call(second.base, "/healthz")).toEqual({
        status: 200,
        body: { ok: true, db: "writable" },
      });
      for (const token of tokens) {
        const puzzles = await call(second.base, "/api/puzzles", { token });
        expect(puzzles.status).toBe(200);
        expect((puzzles.body as { puzzles: unknown[] }).puzzles.length).toBe(5);
        const guess = await call(second.base, "/api/puzzles/p1/guesses", {
          body: { answer: "after the restore" },
          token,
        });
        expect(guess.status).toBe(200);
      }
      const board = await call(second.base, "/api/scoreboard");
      expect((board.body as { teams: { score: number }[] }).teams.some((team) => team.score > 0))
        .toBe(true);
    } finally {
      expect(await second.stop()).toBe(0);
    }

    // Undo: the database the restore replaced goes back, with every guess acknowledged.
    const undone = await cairn("restore", join(kept!, "cairn.db"), "--db", db);
    expect({ code: undone.code, stderr: undone.stderr }).toEqual({ code: 0, stderr: "" });
    const third = await startServer({ hunt, db });
    try {
      const back = storedGuesses(db);
      expect(acked.filter((raw) => !back.has(raw))).toEqual([]);
      expect(back.has("after the restore")).toBe(false);
      expect((await call(third.base, "/healthz")).status).toBe(200);
    } finally {
      expect(await third.stop()).toBe(0);
    }
  },
  90_000,
);
