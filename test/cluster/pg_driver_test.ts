// The PostgreSQL driver (postgres.js, pinned in package.json) under the store's pattern, with
// backends killed mid-run: 64 concurrent transactions that each take a sequence number by
// locking one head row and append a log row, beside a stream of pooled plain queries. Every
// committed transaction's number must be in the log exactly once, with no gap; a transaction
// cut by the kill must fail with an error the caller catches; and the pool must serve again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { type Pg, startPg } from "../_pg.ts";
import { sleep } from "../_runtime.ts";

let pg: Pg;

beforeAll(async () => {
  pg = await startPg();
}, 60_000);

afterAll(async () => {
  await pg?.stop();
});

const TRANSACTIONS = 64;
const APP = "driver-stress";

/** Polls until `check` holds, for at most `ms`; false when it never did. */
async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(5);
  }
  return false;
}

describe("postgres.js under a killed backend", () => {
  test(
    "64 head-locked transactions beside pooled queries: the log is gapless, each committed seq once, the failed ones catchable, the pool recovers",
    async () => {
      await pg.createDatabase("driver");
      await pg.query(
        "CREATE TABLE head (id int PRIMARY KEY, seq bigint NOT NULL);" +
          "INSERT INTO head VALUES (1, 0);" +
          "CREATE TABLE log (seq bigint NOT NULL, tx int NOT NULL)",
        { database: "driver" },
      );
      const sql = postgres(pg.urlFor("driver", { applicationName: APP }), {
        max: 10,
        onnotice: () => {},
      });
      try {
        // One transaction: the head lock gives the next number, then a short hold (so that a
        // kill finds a backend inside a transaction that holds the lock), then the log row.
        const append = (tx: number) =>
          sql.begin(async (t) => {
            const [head] = await t`UPDATE head SET seq = seq + 1 WHERE id = 1 RETURNING seq`;
            await t`SELECT pg_sleep(0.01)`;
            await t`INSERT INTO log (seq, tx) VALUES (${head!.seq}, ${tx})`;
            return Number(head!.seq);
          });

        // Plain pooled reads for as long as the transactions run; each one either answers or
        // fails with an Error (never a hang, never an unhandled rejection).
        let running = true;
        const plain = { ok: 0, failed: [] as unknown[] };
        const reader = (async () => {
          while (running) {
            await Promise.all(
              [1, 2, 3].map(() =>
                sql`SELECT count(*)::int AS n FROM log`.then(
                  () => plain.ok++,
                  (error) => plain.failed.push(error),
                )
              ),
            );
          }
        })();

        const outcomes = Array.from({ length: TRANSACTIONS }, (_, tx) =>
          append(tx).then(
            (seq) => ({ tx, seq, error: null }),
            (error: unknown) => ({ tx, seq: null, error }),
          ));

        // First kill: the backend that holds the head lock, mid-transaction.
        const holder = await until(async () => {
          const sleeping = (await pg.backends()).filter((b) =>
            b.applicationName === APP && b.inTransaction && b.waitEvent === "PgSleep"
          );
          if (sleeping.length === 0) return false;
          await pg.query(`SELECT pg_terminate_backend(${sleeping[0]!.pid})`);
          return true;
        }, 10_000);
        expect(holder).toBe(true);
        // Second kill, a little later: every backend of the pool that is inside a transaction.
        await sleep(50);
        const cut = await pg.terminate(APP, { inTransaction: true });
        expect(cut).toBeGreaterThan(0);

        const results = await Promise.all(outcomes);
        running = false;
        await reader;

        const committed = results.filter((r) => r.error === null);
        const failed = results.filter((r) => r.error !== null);
        // The kills cut at least the lock holder's transaction; the others went through.
        expect(failed.length).toBeGreaterThanOrEqual(1);
        expect(committed.length).toBeGreaterThan(0);
        for (const { error } of [...failed, ...plain.failed.map((error) => ({ error }))]) {
          expect(error).toBeInstanceOf(Error);
          // A server-side termination (57P01) or the driver's closed connection: a reason, not a crash.
          const code = String((error as { code?: string }).code);
          expect(["57P01", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED"])
            .toContain(code);
        }
        expect(plain.ok).toBeGreaterThan(0);

        // The pool serves again: a burst of plain queries, then the failed transactions retried.
        const again = await Promise.all(
          Array.from({ length: 20 }, () => sql`SELECT 1 AS one`.then((rows) => rows[0]!.one)),
        );
        expect(again).toEqual(Array(20).fill(1));
        for (const { tx } of failed) committed.push({ tx, seq: await append(tx), error: null });

        // Every transaction is now in the log exactly once, under the number it was told, and
        // the numbers run 1..64 with no gap (an aborted transaction's number is taken again).
        const rows = (await sql`SELECT seq, tx FROM log ORDER BY seq`).map((r) => [
          Number(r.seq),
          r.tx,
        ]);
        const told = committed.map((r) => [r.seq, r.tx]).sort((a, b) => a[0]! - b[0]!);
        expect(rows).toEqual(told);
        expect(rows.map(([seq]) => seq)).toEqual(
          Array.from({ length: TRANSACTIONS }, (_, i) => i + 1),
        );
        expect(new Set(rows.map(([, tx]) => tx)).size).toBe(TRANSACTIONS);
        const [head] = await sql`SELECT seq FROM head`;
        expect(Number(head!.seq)).toBe(TRANSACTIONS);
      } finally {
        await sql.end({ timeout: 1 });
      }
    },
    60_000,
  );
});
