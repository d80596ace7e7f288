// Nodes of two versions on one log: a node refuses to start on a log of a
// newer format, records its own format on an older log, and a running node
// that meets a newer format or a record kind it does not know while following
// the log stops (exit 1, for its service manager to restart it), and its
// restart is refused (exit 3, which the node's unit does not restart). The newer node is simulated by appending its records to
// the log directly.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, readStream, waitFor } from "../_binary.ts";
import { type Pg, startPg } from "../_pg.ts";
import { serveCommand } from "./_nodes.ts";
import { LOG_FORMAT } from "../../src/store/log_format.ts";
import { redactUrl } from "../../src/store/pg.ts";
import { run } from "../../src/cli/mod.ts";
import { fakeIo } from "../_io.ts";

const HUNT = `[hunt]\ntitle = "Formats"\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nanswer = ["a"]\n`;
/** How long a node gets to exit, or to serve, before the test gives up on it. */
const WAIT_MS = 15_000;
const NEWER = LOG_FORMAT + 1;
const UPGRADE = "run the newer Cairn on every node";
const TOO_NEW =
  `the log is of format ${NEWER} and this Cairn reads format ${LOG_FORMAT} at most: ${UPGRADE}`;
const UNKNOWN =
  `the log holds a record of kind puzzle_renamed, which this Cairn (log format ${LOG_FORMAT}) ` +
  `does not know: ${UPGRADE}`;

let pg: Pg;
let dir: string;

beforeAll(async () => {
  pg = await startPg();
  dir = mkdtempSync(join(tmpdir(), "cairn-log-format-"));
  writeFileSync(join(dir, "hunt.toml"), HUNT);
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A `cairn serve` node on `url`, and everything it prints. */
function serve(url: string) {
  const port = freePort();
  const proc = Bun.spawn(
    serveCommand({
      hunt: join(dir, "hunt.toml"),
      db: url,
      files: join(dir, "files"),
      port,
      adminToken: "log-format-admin-token",
    }),
    { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } },
  );
  let out = "";
  let err = "";
  const reading = Promise.all([
    readStream(proc.stdout, (text) => (out += text)),
    readStream(proc.stderr, (text) => (err += text)),
  ]);
  return {
    base: `http://127.0.0.1:${port}`,
    out: () => out,
    err: () => err,
    /** The exit code once the node exits by itself, or "running" (it is then killed) after `WAIT_MS`. */
    async exit(): Promise<number | "running"> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"running">((resolve) => {
        timer = setTimeout(() => resolve("running"), WAIT_MS);
      });
      const code = await Promise.race([proc.exited, late]);
      clearTimeout(timer);
      if (code === "running") proc.kill("SIGKILL");
      await proc.exited;
      await reading;
      return code;
    },
    async stop(): Promise<number> {
      proc.kill("SIGTERM");
      const code = await proc.exited;
      await reading;
      return code;
    },
  };
}

/** A log record, as JSON. */
type Row = Record<string, unknown>;

/** The log's tables as a node of an older version left them, with `records` in it. */
async function olderLog(database: string, records: Row[]): Promise<string> {
  const url = await pg.createDatabase(database);
  await pg.query(
    `CREATE TABLE cairn_log_head (id integer PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL);
     INSERT INTO cairn_log_head (id, seq) VALUES (1, 0);
     CREATE TABLE cairn_log (seq bigint PRIMARY KEY, node text NOT NULL, at bigint NOT NULL,
       body text NOT NULL);`,
    { database },
  );
  await append(database, records, "older");
  return url;
}

/** Appends records as another node does: under the head's lock, with the wake-up. */
async function append(database: string, records: Row[], node = "newer"): Promise<void> {
  for (const record of records) {
    const body = JSON.stringify(record).replaceAll("'", "''");
    await pg.query(
      `UPDATE cairn_log_head SET seq = seq + 1 WHERE id = 1;
       INSERT INTO cairn_log (seq, node, at, body)
         SELECT seq, '${node}', 0, '${body}' FROM cairn_log_head WHERE id = 1;
       NOTIFY cairn_log, '${node}';`,
      { database },
    );
  }
}

/** The log's records, in order. */
async function records(database: string): Promise<Row[]> {
  const rows = await pg.query("SELECT body FROM cairn_log ORDER BY seq", { database });
  return rows.map((row) => JSON.parse(String(row.body)));
}

const format = (value: number): Row => ({ kind: "meta", key: "log_format", value: `${value}` });
const formats = (list: Row[]) => list.filter((record) => record.key === "log_format");
const team: Row = {
  kind: "team",
  id: 1,
  name: "Owls",
  nameKey: "OWLS",
  passwordHash: "hash",
  division: null,
  members: [],
  at: 1_000,
};
/** A record of a kind this version does not have. */
const renamed: Row = { kind: "puzzle_renamed", puzzle: "p", title: "Q" };

describe("the log's format", () => {
  test(
    "a node refuses to start on a log of a newer format, and says to run the newer Cairn on every node",
    async () => {
      const url = await olderLog("newer", [team, format(NEWER)]);
      const node = serve(url);
      // 3, not 1: its service manager has no reason to start it again (cairn-node@.service).
      expect(await node.exit()).toBe(3);
      expect(node.err()).toBe(
        `cairn serve: cannot open the database ${redactUrl(url)}: ${TOO_NEW}\n`,
      );
      expect(node.out()).toBe("");
      // It wrote nothing.
      expect(await records("newer")).toEqual([team, format(NEWER)]);
      // An export by this version is refused the same way.
      const io = fakeIo();
      expect(await run(["export", "--db", url], io)).toBe(3);
      expect(io.err()).toBe(
        `cairn export: cannot open the database ${redactUrl(url)}: ${TOO_NEW}\n`,
      );
      expect(io.out()).toBe("");
    },
    30_000,
  );

  test.each<[string, string, Row[]]>([
    ["no format", "unrecorded", [team]],
    ["an older format", "older", [team, format(LOG_FORMAT - 1)]],
  ])(
    "a log with %s gets this node's format recorded, and the node serves it",
    async (_, database, before) => {
      const url = await olderLog(database, before);
      const node = serve(url);
      try {
        await waitFor(`${node.base}/healthz`, WAIT_MS);
        const board = await (await fetch(`${node.base}/api/scoreboard`)).text();
        expect(board).toContain("Owls");
      } finally {
        expect(await node.stop()).toBe(0);
      }
      const after = await records(database);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(formats(after.slice(before.length))).toEqual([format(LOG_FORMAT)]);
      // Recorded once: the next start finds it.
      const again = serve(url);
      try {
        await waitFor(`${again.base}/healthz`, WAIT_MS);
      } finally {
        expect(await again.stop()).toBe(0);
      }
      expect(formats(await records(database)).length).toBe(formats(before).length + 1);
    },
    60_000,
  );

  test.each<[string, string, Row, string]>([
    ["a newer format", "follownewer", format(NEWER), TOO_NEW],
    ["a record kind it does not know", "followunknown", renamed, UNKNOWN],
  ])(
    "a running node that follows %s stops, says why, and its restart is refused",
    async (_, database, record, problem) => {
      const url = await pg.createDatabase(database);
      const node = serve(url);
      try {
        await waitFor(`${node.base}/healthz`, WAIT_MS);
      } catch (error) {
        await node.stop();
        throw error;
      }
      await append(database, [record]);
      expect(await node.exit()).toBe(1);
      expect(node.out()).toContain(
        `level=error event=commit_failed message="Cannot follow the log: ${problem}"`,
      );
      expect(node.out() + node.err()).not.toMatch(/^\s+at /m);
      // Restarted by its service manager, it refuses to start, and says why.
      const restarted = serve(url);
      expect(await restarted.exit()).toBe(3);
      expect(restarted.err()).toBe(
        `cairn serve: cannot open the database ${redactUrl(url)}: ${problem}\n`,
      );
    },
    60_000,
  );
});
