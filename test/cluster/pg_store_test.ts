// PgStore against a real PostgreSQL: the log, turns, following, first-start
// values, an unreachable database, a node frozen holding the lock, a failed
// commit and records of a format the store cannot read.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { Write } from "../../src/engine/mod.ts";
import { LOG_FORMAT } from "../../src/store/log_format.ts";
import { run } from "../../src/cli/mod.ts";
import { isUnreachable, PgStore, redactUrl, sqlState } from "../../src/store/pg.ts";
import { fakeIo } from "../_io.ts";
import { type Pg, startPg } from "../_pg.ts";
import { freePort, RUNTIME_NAME, sleep } from "../_runtime.ts";
import { startSilentProxy } from "../_silent_proxy.ts";

let pg: Pg;
let files: string;

beforeAll(async () => {
  pg = await startPg();
  files = mkdtempSync(join(tmpdir(), "cairn-pg-files-"));
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  if (files) rmSync(files, { recursive: true, force: true });
});

/**
 * Whether process `pid` is stopped (by SIGSTOP): its state in /proc/PID/stat is T (read through
 * `cat` on Deno, whose --allow-read does not cover /proc).
 */
function isStopped(pid: number): boolean {
  const path = `/proc/${pid}/stat`;
  let stat: string;
  try {
    stat = RUNTIME_NAME === "bun"
      ? readFileSync(path, "utf8")
      : spawnSync("cat", [path], { encoding: "utf8" }).stdout;
  } catch {
    return false; // Gone.
  }
  return stat.includes(")") && stat.slice(stat.lastIndexOf(")") + 2).startsWith("T");
}

const team = (id: number, name = `Team ${id}`): Write => ({
  kind: "team",
  id,
  name,
  nameKey: `team ${id}`,
  passwordHash: "hash",
  division: null,
  members: [],
  at: 1_000 + id,
});

describe("PgStore", () => {
  test("two stores on one log: a turn's writes reach the other through onFollow and its reads", async () => {
    const url = await pg.createDatabase("two");
    const a = await PgStore.open(url, { filesDir: files, node: "a" });
    const b = await PgStore.open(url, { filesDir: files, node: "b" });
    const followed: Write[] = [];
    a.watch({});
    b.watch({ onFollow: (writes) => followed.push(...writes) });
    try {
      await a.decideTurn();
      const committed = a.commit([team(1), team(2)]);
      await committed;
      await b.sync();
      expect(followed.map((w) => w.kind)).toEqual(["team", "team"]);
      expect(b.snapshot({ now: 5_000, longestWindowMs: 0 }).teams.map((t) => t.name))
        .toEqual(["Team 1", "Team 2"]);
      // b decides next, after a's rows: its sequence continues the log's.
      await b.decideTurn();
      await b.commit([team(3)]);
      const rows = await pg.query("SELECT seq, node FROM cairn_log ORDER BY seq", {
        database: "two",
      }) as { seq: string; node: string }[];
      expect(rows.map((r) => [Number(r.seq), r.node])).toEqual([[1, "a"], [2, "a"], [3, "b"]]);
      // A reader that boots now gets all three.
      const c = await PgStore.open(url, { filesDir: files, node: "c" });
      expect(c.snapshot({ now: 5_000, longestWindowMs: 0 }).teams.length).toBe(3);
      expect(c.position).toBe(3);
      c.close();
    } finally {
      a.close();
      b.close();
    }
  });

  test("two nodes with one name still wake each other at once, not at the next poll", async () => {
    const url = await pg.createDatabase("same");
    // One shared URL with ?application_name=node gives every node the same name. Their polls
    // are a minute apart, so within the test only a wake-up makes b follow.
    const a = await PgStore.open(url, { filesDir: files, node: "node", pollMs: 60_000 });
    const b = await PgStore.open(url, { filesDir: files, node: "node", pollMs: 60_000 });
    let followed = 0;
    a.watch({});
    b.watch({ onFollow: (writes) => (followed += writes.length) });
    try {
      // b listens: its LISTEN is done. On a busy machine that took 170 ms of the 300 ms slept
      // here before; a commit made before it is followed only once the LISTEN is done, late.
      for (let i = 0;; i++) {
        const rows = await pg.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = 'same' AND state = 'idle' AND query ILIKE 'listen %'`,
        );
        if (Number(rows[0]!.n) > 0) break;
        if (i === 100) throw new Error("node b never listened");
        await sleep(25);
      }
      for (let i = 1; i <= 3; i++) {
        await a.decideTurn();
        await a.commit([team(i)]);
        const committed = Date.now();
        // Bounded well under the poll's minute, and far over a wake-up's milliseconds.
        while (followed < i && Date.now() - committed < 10_000) await sleep(5);
        expect(followed).toBe(i);
      }
    } finally {
      a.close();
      b.close();
    }
  }, 30_000);

  test("nodes starting together agree on one set of first-start values", async () => {
    const url = await pg.createDatabase("first");
    const stores = await Promise.all(
      ["x", "y", "z"].map((node) =>
        PgStore.open(url, {
          filesDir: files,
          node,
          firstStart: () => ({ hunt_started_at: node, contact_key: `key-${node}` }),
        })
      ),
    );
    try {
      const starts = stores.map((store) => store.meta("hunt_started_at"));
      expect(new Set(starts).size).toBe(1);
      expect(stores[0]!.meta("contact_key")).toBe(`key-${starts[0]}`);
    } finally {
      for (const store of stores) store.close();
    }
  });

  test(
    "while the database is down a turn waits, then is refused with a 503 error; nothing is decided",
    async () => {
      const url = await pg.createDatabase("down");
      const store = await PgStore.open(url, { filesDir: files, node: "d", waitMs: 1_500 });
      store.watch({});
      try {
        await pg.down();
        const started = Date.now();
        let decided = false;
        const turn = store.decideTurn().then(() => (decided = true));
        await expect(turn).rejects.toThrow(/Cannot reach the database/);
        expect(decided).toBe(false);
        expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
        expect(store.writeProblem()).toMatch(/Cannot reach the database/);
        expect(store.failed).toBe(false);
        // Down 12 s longer, with requests trying meanwhile: the driver's pauses must not grow.
        for (let i = 0; i < 8; i++) await store.decideTurn().catch(() => {});
        await pg.up();
        // Back up: a turn goes through, the pool trying again every second at most.
        const back = Date.now();
        for (let attempt = 1;; attempt++) {
          try {
            await store.decideTurn();
            break;
          } catch (error) {
            if (attempt === 10) throw error;
          }
        }
        expect(Date.now() - back).toBeLessThan(3_000);
        await store.commit([team(1)]);
        expect(store.writeProblem()).toBeUndefined();
      } finally {
        await pg.up();
        store.close();
      }
    },
    60_000,
  );

  test(
    "a node frozen holding the lock stops the others' writes only until its transaction times out",
    async () => {
      const url = await pg.createDatabase("frozen");
      // The child runs on the tests' runtime (on Deno, with every permission).
      const script = join(import.meta.dirname, "_frozen_child.ts");
      const child = spawn(
        process.execPath,
        [...(RUNTIME_NAME === "bun" ? [] : ["run", "-A"]), script, url, join(files, "frozen")],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
      let exitCode: number | null = null;
      const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
      void exited.then((code) => exitCode = code ?? -1);
      // process.kill, not child.kill: on Deno, a child sent one signal is taken as killed.
      const signal = (name: "SIGCONT" | "SIGKILL") => {
        try {
          if (exitCode === null) process.kill(child.pid!, name);
        } catch {
          // It exited meanwhile.
        }
      };
      const other = await PgStore.open(url, { filesDir: files, node: "other", waitMs: 10_000 });
      other.watch({});
      try {
        // The child stops itself inside its batch: its session sits idle in a transaction. Waits
        // for the child to be stopped first: each store's setup transaction is idle in a
        // transaction between its statements too, and a test that went on then sent its SIGCONT
        // before the child stopped itself, which it then did for good.
        const deadline = Date.now() + 20_000;
        for (;;) {
          if (exitCode !== null) {
            throw new Error(`the child exited (${exitCode}) before it froze:\n${err}`);
          }
          if (isStopped(child.pid!)) {
            const backends = await pg.backends();
            const frozen = backends.filter((b) => b.applicationName === "cairn frozen");
            if (frozen.some((b) => b.state === "idle in transaction")) break;
          }
          if (Date.now() > deadline) throw new Error("the child never froze in its transaction");
          await sleep(20);
        }
        const started = Date.now();
        await other.decideTurn();
        await other.commit([team(2)]);
        // Freed by PostgreSQL after the idle timeout (3 s), well before the turn's deadline.
        expect(Date.now() - started).toBeLessThan(8_000);
        expect(other.failed).toBe(false);
        // Woken, the frozen node finds its transaction gone: its commit fails, and so does it.
        signal("SIGCONT");
        const code = await exited;
        expect(code).toBe(0);
        expect(JSON.parse(out)).toEqual({ committed: false, error: "CommitError", failed: true });
        const rows = await pg.query("SELECT body FROM cairn_log ORDER BY seq", {
          database: "frozen",
        }) as { body: string }[];
        expect(rows.map((r) => (JSON.parse(r.body) as { name: string }).name)).toEqual([
          "Team 2",
        ]);
      } finally {
        signal("SIGCONT");
        signal("SIGKILL");
        other.close();
      }
    },
    30_000,
  );

  test(
    "while the database is down a commit outside a turn (a login) is refused after the wait, and drain ends",
    async () => {
      const url = await pg.createDatabase("login");
      const store = await PgStore.open(url, { filesDir: files, node: "l", waitMs: 1_500 });
      store.watch({});
      try {
        await pg.down();
        const started = Date.now();
        await expect(store.commit([team(1)])).rejects.toThrow(/Cannot reach the database/);
        expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
        expect(store.writeProblem()).toMatch(/Cannot reach the database/);
        expect(store.failed).toBe(false);
        // A stop waits for nothing more: the refused commit left the queue.
        const stopping = Date.now();
        await store.drain();
        expect(Date.now() - stopping).toBeLessThan(1_000);
      } finally {
        await pg.up();
        store.close();
      }
      const rows = await pg.query("SELECT count(*)::int AS n FROM cairn_log", {
        database: "login",
      }) as { n: number }[];
      expect(rows[0]!.n).toBe(0);
    },
    30_000,
  );

  test(
    "a commit whose batch outlasts the wait is answered only by its outcome: never early",
    async () => {
      const url = await pg.createDatabase("slow");
      const store = await PgStore.open(url, { filesDir: files, node: "w", waitMs: 300 });
      let failure: Error | undefined;
      store.watch({ onFailure: (error) => (failure = error) });
      // Another session holds the log table: the batch's append waits behind it.
      const holder = postgres(url, { max: 1, onnotice: () => {} });
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked = () => {};
      const holding = new Promise<void>((resolve) => (locked = resolve));
      const held = holder.begin(async (tx) => {
        await tx`LOCK TABLE cairn_log IN EXCLUSIVE MODE`;
        locked();
        await released;
      });
      try {
        await holding;
        await store.decideTurn();
        // Its append waits for the table past the commit's 300 ms deadline, until the lock wait or
        // the silence bound ends it: refused then, as it was not stored, and never answered before.
        const outcome = await store.commit([team(1)]).then(
          () => "committed",
          (error: Error) => `refused: ${error.name}`,
        );
        expect(outcome).toBe("refused: CommitError");
        expect(store.failed).toBe(true);
        expect(failure?.name).toBe("CommitError");
      } finally {
        release();
        await held.catch(() => {});
        await holder.end({ timeout: 1 });
        store.close();
      }
      const rows = await pg.query("SELECT count(*)::int AS n FROM cairn_log", {
        database: "slow",
      }) as { n: number }[];
      expect(rows[0]!.n).toBe(0);
    },
    30_000,
  );

  /** A store reaching `database` through a proxy whose connections can be silenced. */
  async function behindProxy(database: string, node: string) {
    const url = new URL(await pg.createDatabase(database));
    const proxy = await startSilentProxy({ host: url.hostname, port: Number(url.port) });
    url.port = String(proxy.port);
    const store = await PgStore.open(url.toString(), { filesDir: files, node, waitMs: 300 });
    return { store, proxy };
  }

  test(
    "a batch whose connection goes silent mid-commit fails the store after three waits, not at TCP's pace",
    async () => {
      const { store, proxy } = await behindProxy("silent", "s");
      let failure: Error | undefined;
      store.watch({ onFailure: (error) => (failure = error) });
      try {
        await store.commit([team(1)]);
        await store.decideTurn();
        // Inside the turn: the batch holds the lock, and its appends go into the silence.
        expect(proxy.silence()).toBeGreaterThan(0);
        const outcome = await store.commit([team(2)]).then(
          () => "committed",
          (error: Error) => error.message,
        );
        expect(outcome).toMatch(/no answer from the database within 900 ms/);
        expect(store.failed).toBe(true);
        expect(failure?.name).toBe("CommitError");
      } finally {
        store.close();
        await proxy.close();
      }
    },
    30_000,
  );

  test(
    "a turn whose connection went silent before it decided is tried again on another",
    async () => {
      const { store, proxy } = await behindProxy("silent2", "t");
      store.watch({});
      try {
        await store.commit([team(1)]);
        expect(proxy.silence()).toBeGreaterThan(0);
        // The next batch takes the silent connection: refused at the wait, until it is given up.
        for (let refused = 0;; refused++) {
          try {
            await store.decideTurn();
            break;
          } catch (error) {
            expect((error as Error).message).toMatch(/Cannot reach the database/);
            if (refused === 10) throw error;
          }
        }
        await store.commit([team(2)]);
        expect(store.failed).toBe(false);
        expect(store.writeProblem()).toBeUndefined();
      } finally {
        store.close();
        await proxy.close();
      }
      const rows = await pg.query("SELECT count(*)::int AS n FROM cairn_log", {
        database: "silent2",
      }) as { n: number }[];
      expect(rows[0]!.n).toBe(2);
    },
    30_000,
  );

  test("a URL whose password holds an unencoded # is refused with the hint, its password hidden", async () => {
    const url = pg.urlFor("hashed").replace("postgres@", "postgres:pa#ss@");
    const opened = PgStore.open(url, { filesDir: files });
    await expect(opened).rejects.toThrow(
      /^postgres:\/\/postgres:\*\*\*@.* is not a valid database URL; percent-encode special characters in the user name and password \(# as %23, @ as %40/,
    );
    await expect(PgStore.open(url, { filesDir: files })).rejects.not.toThrow(/pa#ss/);
  });

  test("PostgreSQL's errors are told by their class, not their name, which the minified binary changes", () => {
    // dist/cairn is built with --minify: postgres.js's PostgresError is named after its
    // minified class (`Xi`), so a test of `error.name === "PostgresError"` never held there.
    const shutdown = Object.assign(
      new postgres.PostgresError("terminating connection due to administrator command"),
      { code: "57P01", severity: "FATAL" },
    );
    const full = Object.assign(new postgres.PostgresError("could not extend file"), {
      code: "53100",
      severity: "ERROR",
    });
    for (const error of [shutdown, full]) (error as Error).name = "Xi";
    expect(isUnreachable(shutdown)).toBe(true);
    expect(sqlState(full)).toBe("53100");
    expect(isUnreachable(full)).toBe(false);
    expect(sqlState(new Error("not PostgreSQL's"))).toBeUndefined();
  });

  test("a first connection that fails says what to check, at serve too", async () => {
    const serve = async (url: string) => {
      const io = fakeIo();
      const args = ["--db", url, "--files", files, "--host", "127.0.0.1", "--port", "0"];
      expect(await run(["serve", ...args], io)).toBe(1);
      return io.err();
    };
    const nowhere = `postgres://postgres@127.0.0.1:${await freePort()}/cairn`;
    expect(await serve(nowhere)).toMatch(
      /^cairn serve: cannot open the database postgres:\/\/postgres@127\.0\.0\.1:\d+\/cairn: connect ECONNREFUSED 127\.0\.0\.1:\d+: nothing listens there: check the URL's host and port, and that PostgreSQL runs and listens on them/,
    );
    const missing = pg.urlFor("no_such_event");
    expect(await serve(missing)).toBe(
      `cairn serve: cannot open the database ${missing}: database "no_such_event" does not ` +
        "exist: check the database name in the URL, or create it (createdb --owner USER NAME)\n",
    );
  });

  test("another program's cairn_log table is refused as not a Cairn log, and nothing is created", async () => {
    const url = await pg.createDatabase("foreign");
    await pg.query("CREATE TABLE cairn_log (id serial PRIMARY KEY, line text)", {
      database: "foreign",
    });
    for (const readOnly of [false, true]) {
      await expect(PgStore.open(url, { filesDir: files, readOnly })).rejects.toThrow(
        /holds a cairn_log table that is not a Cairn log \(another program's\?\); give Cairn a database of its own$/,
      );
    }
    await expect(PgStore.importLog(url, [team(1)])).rejects.toThrow(/not a Cairn log/);
    // The commands say it in one line that names the database once.
    const said = `${redactUrl(url)} holds a cairn_log table that is not a Cairn log ` +
      "(another program's?); give Cairn a database of its own\n";
    const serve = ["serve", "--db", url, "--port", "0", "--admin-token", "pg-admin-token-16"];
    for (const [argv, name] of [[serve, "serve"], [["export", "--db", url], "export"]] as const) {
      const io = fakeIo();
      expect(await run([...argv], io)).toBe(1);
      expect(io.err()).toBe(`cairn ${name}: ${said}`);
    }
    const made = await pg.query("SELECT to_regclass('cairn_log_head') IS NULL AS none", {
      database: "foreign",
    }) as { none: boolean }[];
    expect(made[0]!.none).toBe(true);
  });

  test.each([
    [
      "a newer format",
      "turnnewer",
      { kind: "meta", key: "log_format", value: `${LOG_FORMAT + 1}` },
      /the log is of format \d+ and this Cairn reads format \d+ at most/,
    ],
    [
      "a record kind it does not know",
      "turnunknown",
      { kind: "puzzle_renamed", puzzle: "p" },
      /kind puzzle_renamed, which this Cairn \(log format \d+\) does not know/,
    ],
  ])(
    "a turn that meets %s in the log fails the store, decides nothing, and plays none of it",
    async (_, database, record, problem) => {
      const url = await pg.createDatabase(database);
      const store = await PgStore.open(url, { filesDir: files, node: "old" });
      let failure: Error | undefined;
      store.watch({ onFailure: (error) => (failure = error) });
      try {
        await store.decideTurn();
        await store.commit([team(1)]);
        // A newer node appends its record; this node meets it in its next turn, under the lock.
        const body = JSON.stringify(record).replaceAll("'", "''");
        await pg.query(
          `UPDATE cairn_log_head SET seq = seq + 1 WHERE id = 1;
           INSERT INTO cairn_log (seq, node, at, body)
             SELECT seq, 'newer', 0, '${body}' FROM cairn_log_head WHERE id = 1;`,
          { database },
        );
        await expect(store.decideTurn()).rejects.toThrow(problem);
        expect(store.failed).toBe(true);
        expect(failure?.name).toBe("CommitError");
        expect(failure?.message).toMatch(/^Cannot follow the log: /);
        expect(store.position).toBe(1);
        await expect(store.commit([team(2)])).rejects.toThrow(problem);
        // Nor does a read-only reader (`cairn export`) read such a log.
        await expect(PgStore.open(url, { filesDir: files, readOnly: true })).rejects.toThrow(
          problem,
        );
      } finally {
        store.close();
      }
    },
  );

  /** Puts the log back to its first `rows` rows, as restoring an older dump of it does. */
  const putBack = (database: string, rows: number) =>
    pg.query(
      `DELETE FROM cairn_log WHERE seq > ${rows}; UPDATE cairn_log_head SET seq = ${rows} WHERE id = 1;`,
      { database },
    );

  test(
    "a log put back from an older dump fails the store at its next turn, and nothing is appended past the log's end",
    async () => {
      const url = await pg.createDatabase("putback");
      const store = await PgStore.open(url, { filesDir: files, node: "a" });
      let failure: Error | undefined;
      store.watch({ onFailure: (error) => (failure = error) });
      try {
        await store.decideTurn();
        await store.commit([team(1), team(2), team(3)]);
        await putBack("putback", 1);
        await expect(store.decideTurn()).rejects.toThrow(
          /^Cannot follow the log: the log no longer holds row 3 as this node played it: it was put back from a backup/,
        );
        expect(store.failed).toBe(true);
        expect(failure?.message).toMatch(/^Cannot follow the log: the log no longer holds row 3/);
        await expect(store.commit([team(4)])).rejects.toThrow(/no longer holds row 3/);
      } finally {
        store.close();
      }
      // Before, the node appended team 4 as row 4: the log had a gap, which every start refused.
      const rows = await pg.query("SELECT seq FROM cairn_log ORDER BY seq", {
        database: "putback",
      }) as { seq: string }[];
      expect(rows.map((row) => Number(row.seq))).toEqual([1]);
      // Its restart reads the log as it is, and goes on after it.
      const again = await PgStore.open(url, { filesDir: files, node: "a" });
      again.watch({});
      try {
        expect(again.position).toBe(1);
        await again.decideTurn();
        await again.commit([team(4)]);
        expect(again.position).toBe(2);
      } finally {
        again.close();
      }
    },
  );

  test(
    "a log put back, then written past this node's last row by another node, fails the store too",
    async () => {
      const url = await pg.createDatabase("putbackahead");
      const store = await PgStore.open(url, { filesDir: files, node: "a" });
      store.watch({});
      try {
        await store.decideTurn();
        await store.commit([team(1), team(2)]);
        await putBack("putbackahead", 1);
        // A node started on the restored log appends three rows: rows 2 and 3 are not this node's.
        const other = await PgStore.open(url, { filesDir: files, node: "b" });
        other.watch({});
        try {
          await other.decideTurn();
          await other.commit([team(5, "Other 5"), team(6, "Other 6"), team(7, "Other 7")]);
        } finally {
          other.close();
        }
        // Before, this node played row 3 on top of its own row 2: two games, and no error.
        await expect(store.decideTurn()).rejects.toThrow(/no longer holds row 2 as this node/);
        expect(store.failed).toBe(true);
      } finally {
        store.close();
      }
    },
  );

  test("an idle node meets a log put back when it next looks, and fails", async () => {
    const url = await pg.createDatabase("putbackidle");
    const store = await PgStore.open(url, { filesDir: files, node: "i", pollMs: 100 });
    let failure: Error | undefined;
    store.watch({ onFollow: () => {}, onFailure: (error) => (failure = error) });
    try {
      await store.decideTurn();
      await store.commit([team(1), team(2)]);
      await putBack("putbackidle", 1);
      for (let i = 0; failure === undefined; i++) {
        if (i === 200) throw new Error("the idle node never noticed the log went back");
        await sleep(25);
      }
      expect(failure.message).toMatch(/^Cannot follow the log: the log no longer holds row 2/);
    } finally {
      store.close();
    }
  }, 30_000);

  test("a log with a gap is refused, naming the row the gap follows", async () => {
    const url = await pg.createDatabase("gap");
    const store = await PgStore.open(url, { filesDir: files, node: "g" });
    store.watch({});
    try {
      await store.decideTurn();
      await store.commit([team(1), team(2), team(3)]);
    } finally {
      store.close();
    }
    await pg.query(
      "UPDATE cairn_log SET seq = 5 WHERE seq = 3; UPDATE cairn_log_head SET seq = 5",
      {
        database: "gap",
      },
    );
    await expect(PgStore.open(url, { filesDir: files, node: "g" })).rejects.toThrow(
      /^the log has a gap after row 2$/,
    );
  });

  /**
   * A store on a new database whose log refuses, with `message`, a row naming a team "Refused":
   * through `trigger` (SQL that makes the trigger `refuse` run the function `refuse()`).
   */
  async function refusingStore(database: string, message: string, trigger: string) {
    const url = await pg.createDatabase(database);
    const store = await PgStore.open(url, { filesDir: files, node: "f" });
    const watched: { failure?: Error } = {};
    store.watch({ onFailure: (error) => (watched.failure = error) });
    await pg.query(
      `CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN
         IF NEW.body LIKE '%Refused%' THEN RAISE EXCEPTION '${message}'; END IF;
         RETURN NEW; END $$ LANGUAGE plpgsql; ${trigger}`,
      { database },
    );
    return { store, watched };
  }

  test("a commit that fails after a decision fails the store, and every waiter with it", async () => {
    // A trigger refuses one row: the append fails inside the batch's transaction.
    const { store, watched } = await refusingStore(
      "fail",
      "refused row",
      "CREATE TRIGGER refuse BEFORE INSERT ON cairn_log FOR EACH ROW EXECUTE FUNCTION refuse();",
    );
    try {
      const failure = () => watched.failure;
      await store.decideTurn();
      const bad = store.commit([team(1, "Refused")]);
      await expect(bad).rejects.toThrow(/refused row/);
      expect(store.failed).toBe(true);
      expect(failure()?.name).toBe("CommitError");
      // Its COMMIT was never sent: the server may start again in place (cli/serve.ts).
      expect((failure() as { uncommitted?: boolean }).uncommitted).toBe(true);
      await expect(store.commit([team(2)])).rejects.toThrow();
      const rows = await pg.query("SELECT count(*)::int AS n FROM cairn_log", {
        database: "fail",
      }) as { n: number }[];
      expect(rows[0]!.n).toBe(0);
    } finally {
      store.close();
    }
  });

  /** Polls `check` every 20 ms until it holds, for `ms` at most; whether it did. */
  async function within(ms: number, check: () => boolean): Promise<boolean> {
    for (let waited = 0; waited <= ms; waited += 20) {
      if (check()) return true;
      await sleep(20);
    }
    return check();
  }

  test("an idle node learns the log's disk has no room by its room check, and that it has again", async () => {
    const url = await pg.createDatabase("room");
    const store = await PgStore.open(url, { filesDir: files, node: "r", pollMs: 50, roomMs: 100 });
    store.watch({ onFollow: () => {} });
    try {
      await sleep(300);
      expect(store.writeProblem()).toBeUndefined();
      // PostgreSQL refusing the check's new page as on a full disk (SQLSTATE 53100).
      await pg.query(
        `CREATE FUNCTION full_disk() RETURNS trigger AS $$ BEGIN
           RAISE EXCEPTION 'could not extend file: No space left on device'
             USING ERRCODE = 'disk_full';
         END $$ LANGUAGE plpgsql;
         CREATE TRIGGER full_disk BEFORE INSERT ON cairn_probe
           FOR EACH ROW EXECUTE FUNCTION full_disk();`,
        { database: "room" },
      );
      // Nothing written: the check alone finds it, within a poll and its period.
      expect(await within(2_000, () => store.writeProblem() !== undefined)).toBe(true);
      expect(store.writeProblem()).toBe(
        "Cannot save to the database: could not extend file: No space left on device",
      );
      expect(store.failed).toBe(false);
      // An error that says nothing of room (another code) leaves the last finding as it was.
      await pg.query(
        `CREATE OR REPLACE FUNCTION full_disk() RETURNS trigger AS $$ BEGIN
           RAISE EXCEPTION 'something else'; END $$ LANGUAGE plpgsql;`,
        { database: "room" },
      );
      await sleep(400);
      expect(store.writeProblem()).toMatch(/No space left on device/);
      await pg.query("DROP TRIGGER full_disk ON cairn_probe", { database: "room" });
      expect(await within(2_000, () => store.writeProblem() === undefined)).toBe(true);
      // The check left nothing behind, and wrote nothing to the log.
      const rows = await pg.query(
        "SELECT (SELECT count(*)::int FROM cairn_probe) AS probe, (SELECT count(*)::int FROM cairn_log) AS log",
        { database: "room" },
      ) as { probe: number; log: number }[];
      expect(rows[0]).toEqual({ probe: 0, log: store.position });
    } finally {
      store.close();
    }
  });

  test("a COMMIT answered with an error is known not committed: the store fails as uncommitted", async () => {
    // A deferred trigger refuses the row only at COMMIT: PostgreSQL answers the COMMIT with an
    // ERROR, which rolls the transaction back.
    const { store, watched } = await refusingStore(
      "fail_at_commit",
      "refused at commit",
      `CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON cairn_log DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW EXECUTE FUNCTION refuse();`,
    );
    try {
      await store.commit([team(1)]);
      await store.decideTurn();
      // Another request's write, in the same batch: refused with it.
      const waiting = store.commit([team(3)]).then(() => "committed", (e: Error) => e.message);
      await expect(store.commit([team(2, "Refused")])).rejects.toThrow(/refused at commit/);
      expect(await waiting).toMatch(/refused at commit/);
      expect(watched.failure?.name).toBe("CommitError");
      // The server starts again in place (cli/serve.ts), as for a batch whose COMMIT never went.
      expect((watched.failure as { uncommitted?: boolean }).uncommitted).toBe(true);
      const rows = await pg.query("SELECT count(*)::int AS n FROM cairn_log", {
        database: "fail_at_commit",
      }) as { n: number }[];
      expect(rows[0]!.n).toBe(store.position);
    } finally {
      store.close();
    }
  });

  test("a COMMIT answered with FATAL (the session ended) leaves the outcome unknown: the server exits", async () => {
    // The deferred trigger ends its own session at COMMIT. PostgreSQL cannot say whether a
    // session that ended at COMMIT committed first (terminated while waiting for a standby).
    const { store, watched } = await refusingStore(
      "fatal_at_commit",
      "unused",
      `CREATE FUNCTION terminate() RETURNS trigger AS $$ BEGIN
         IF NEW.body LIKE '%Refused%' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
         RETURN NEW; END $$ LANGUAGE plpgsql;
       CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON cairn_log DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW EXECUTE FUNCTION terminate();`,
    );
    try {
      await store.decideTurn();
      await expect(store.commit([team(1, "Refused")])).rejects.toThrow(/CONNECTION_CLOSED/);
      expect(watched.failure?.name).toBe("CommitError");
      expect((watched.failure as { uncommitted?: boolean }).uncommitted).toBeUndefined();
    } finally {
      store.close();
    }
  });
});
