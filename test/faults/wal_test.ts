// Long readers and the WAL, against the compiled binary (on Deno: src/main.ts). A reader that holds
// one read transaction (as `cairn export` does, or any tool reading the file)
// stops SQLite's checkpoints from going past its snapshot, so the WAL grows
// while guesses pour in. What must hold: once the reader ends, a checkpoint
// brings the WAL file back under a fixed bound (journal_size_limit), instead
// of keeping it at its high-water mark for the rest of the event (the
// Litestream #724 failure). The reader holds 30 s; this one holds
// at least READ_MS, and on until the WAL is well past the bound (a busy
// machine stores fewer guesses a second), so the shrink is meaningful and
// the suite stays quick.
import { afterAll, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { huntFile, register, startServer } from "./_server.ts";
import { openConnection } from "../../src/store/driver.ts";
import { sleep } from "../_runtime.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const READ_MS = 4_000;
/** The longest the reader holds, waiting for the WAL to grow past GROWN. */
const READ_MAX_MS = 30_000;
const WORKERS = 8;
const PAUSE_MS = 5;
/** What the WAL file may keep once no reader holds it: journal_size_limit in src/store/db.ts. */
const WAL_BOUND = 8 * 1024 * 1024;
/** How far past its bound the reader lets the WAL grow before it ends. */
const GROWN = WAL_BOUND + 4 * 1024 * 1024;

const mb = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;

test(
  "the WAL grows behind a long reader, and shrinks back under its bound once the reader ends",
  async () => {
    const dir = dirs.make("cairn-wal-");
    const db = join(dir, "cairn.db");
    const wal = `${db}-wal`;
    const walSize = () => (existsSync(wal) ? statSync(wal).size : 0);
    const server = await startServer({ hunt: huntFile(dir, 10), db });
    const tokens = await Promise.all(
      Array.from({ length: 8 }, (_, i) => register(server.base, `Team ${i}`)),
    );

    // Guesses pour in from WORKERS clients until told to stop; acknowledged ones are counted.
    let stop = false;
    let acked = 0;
    let refused = 0;
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const res = await fetch(`${server.base}/api/puzzles/p${1 + (n % 10)}/guesses`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${tokens[w % tokens.length]}`,
          },
          body: JSON.stringify({ answer: `w${w}-n${n}-${"x".repeat(200)}` }),
        });
        await res.arrayBuffer();
        if (res.status === 200) acked++;
        else refused++;
        // Event-like pace, not a benchmark: the WAL grows tens of MB, not hundreds.
        await sleep(PAUSE_MS);
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
    try {
      await sleep(500);

      // The long reader: one read transaction, held while the guesses keep coming, at least
      // READ_MS and until the WAL has grown well past its bound (two busy loops beside the test
      // once left it at 4.6 MB after 4 s), or READ_MAX_MS have passed.
      const reader = openConnection(db, { create: false });
      reader.exec("PRAGMA query_only = ON");
      reader.exec("BEGIN");
      const before = reader.query<{ n: number }>("SELECT count(*) AS n FROM guesses").get()!.n;
      const ackedAtStart = acked;
      let during = 0;
      const started = Date.now();
      while (
        Date.now() - started < READ_MS || (during <= GROWN && Date.now() - started < READ_MAX_MS)
      ) {
        await sleep(100);
        during = Math.max(during, walSize());
      }
      const readMs = Date.now() - started;
      // Its snapshot did not move: it really held one read transaction all along.
      expect(reader.query<{ n: number }>("SELECT count(*) AS n FROM guesses").get()!.n).toBe(
        before,
      );
      reader.exec("COMMIT");
      reader.close();
      const ackedDuringRead = acked - ackedAtStart;

      // Guesses keep coming after the reader is gone: the next checkpoints may now finish.
      const ackedAtEnd = acked;
      let after = Infinity;
      const ended = Date.now();
      const deadline = ended + 10_000;
      while (Date.now() < deadline) {
        await sleep(100);
        after = walSize();
        if (after <= WAL_BOUND && acked - ackedAtEnd > 200) break;
      }
      const shrinkMs = Date.now() - ended;
      stop = true;
      await Promise.all(workers);
      const idle = walSize();
      console.log(
        `wal: ${ackedDuringRead} guesses during a ${readMs} ms read; ` +
          `WAL peak ${mb(during)} MB during, ${mb(after)} MB ${shrinkMs} ms after, ${
            mb(idle)
          } MB idle; ` +
          `bound ${mb(WAL_BOUND)} MB`,
      );
      // Preconditions: the load was real and the reader made the WAL outgrow its bound.
      expect(refused).toBe(0);
      expect(ackedDuringRead).toBeGreaterThan(500);
      expect(during).toBeGreaterThan(WAL_BOUND);
      // The guarantee: back under the bound once the reader ended, and it stays there.
      expect(after).toBeLessThanOrEqual(WAL_BOUND);
      expect(idle).toBeLessThanOrEqual(WAL_BOUND);
    } finally {
      stop = true;
      await Promise.all(workers);
      expect(await server.stop()).toBe(0);
    }
    // Every acknowledged guess is there, and the file is sound.
    const check = openConnection(db, { readonly: true });
    expect(check.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    expect(check.query<{ n: number }>("SELECT count(*) AS n FROM guesses").get()!.n).toBe(
      acked,
    );
    check.close();
  },
  90_000,
);
