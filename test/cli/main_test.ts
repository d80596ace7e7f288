// The process around every command (src/main.ts), on Bun and on Deno with the permissions the
// README gives: output that cannot be written fails the command, a reader that went away does
// not, and SIGTERM stops a one-shot command at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { loadHunt } from "../../src/hunt/mod.ts";
import { openDatabase, saveScoring } from "../../src/store/mod.ts";
import { HUNT_TOML } from "../engine/_hunt.ts";
import { tempDirs } from "../_tmp.ts";
import { RUNTIME_NAME } from "../_runtime.ts";

// These tests start cairn on Bun and on Deno themselves, with Bun.spawn: under `deno task test`
// they are listed and skipped, as `bun test` already runs them against both runtimes.
const bunTest = test.skipIf(RUNTIME_NAME !== "bun");

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const ROOT = join(import.meta.dirname, "..", "..");
const MAIN = join(ROOT, "src", "main.ts");
const DENO = join(ROOT, "node_modules", ".bin", "deno");
/** The README's Deno command line. */
const DENO_RUN = [
  DENO,
  "run",
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-sys",
  "--unstable-no-legacy-abort",
];
const ENV = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
const RUNTIMES = { bun: [process.execPath, MAIN], deno: [...DENO_RUN, MAIN] };

let db = "";
beforeAll(() => {
  // A database whose export is about 1 MB: more than a pipe holds.
  db = join(dirs.make("cairn-main-"), "cairn.db");
  const conn = openDatabase(db);
  saveScoring(conn, loadHunt(HUNT_TOML, { file: "hunt.toml" }).hunt!);
  conn.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
    INSERT INTO teams (id, name, name_key, password_hash, created_at)
    SELECT i, 'Team ' || i, 'team ' || i, 'h', 0 FROM n`);
  conn.close();
});

/** Runs `cairn args…` with stdout going to `stdout` (a file descriptor), to completion. */
async function run(cmd: string[], stdout: number | "pipe" = "pipe") {
  const proc = Bun.spawn(cmd, { stdout, stderr: "pipe", env: ENV });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  return { stderr, code };
}

for (const [runtime, cairn] of Object.entries(RUNTIMES)) {
  describe(`cairn on ${runtime}`, () => {
    bunTest("output to a full disk fails the command with one line", async () => {
      const full = openSync("/dev/full", "w");
      try {
        for (const args of [["docs", "api"], ["export", "--db", db]]) {
          const { stderr, code } = await run([...cairn, ...args], full);
          expect(code).toBe(1);
          const lines = stderr.split("\n").filter((line) => line.startsWith("cairn:"));
          expect(lines).toHaveLength(1);
          expect(lines[0]).toMatch(/^cairn: cannot write the output: .*no space left on device/i);
          expect(stderr).not.toContain("    at ");
        }
      } finally {
        closeSync(full);
      }
    }, 60_000);

    bunTest("a reader that goes away (| head) ends the output quietly", async () => {
      const line = [...cairn, "export", "--db", db].map((word) => `'${word}'`).join(" ");
      const proc = Bun.spawn(
        ["bash", "-c", `${line} 2>&1 | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`],
        { stdout: "pipe", stderr: "pipe", env: ENV },
      );
      const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
      expect([code, stdout]).toEqual([0, "0\n"]);
    }, 60_000);

    bunTest("SIGTERM stops a one-shot command that waits for its reader", async () => {
      // The export goes to a pipe nobody reads (a FIFO held open, never read): it waits for the
      // pipe to drain, until SIGTERM.
      const fifo = join(dirs.make("cairn-main-"), "out");
      expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
      const unread = openSync(fifo, "r+");
      try {
        const proc = Bun.spawn([...cairn, "export", "--db", db], {
          stdout: unread,
          stderr: "ignore",
          env: ENV,
        });
        await Bun.sleep(runtime === "deno" ? 4000 : 2000);
        expect(proc.exitCode).toBeNull();
        proc.kill("SIGTERM");
        const stopped = await Promise.race([proc.exited, Bun.sleep(5000).then(() => "running")]);
        if (stopped === "running") proc.kill("SIGKILL");
        expect(stopped).toBe(143);
      } finally {
        closeSync(unread);
      }
    }, 60_000);
  });
}

bunTest(
  "export --out /dev/stdout on Bun writes the results into a pipe, and its summary to stderr",
  async () => {
    // Whether /dev/stdout is an SQLite database is asked of a pipe, which cannot be read from its start.
    const line = [...RUNTIMES.bun, "export", "--db", db, "--out", "/dev/stdout"].map((word) =>
      `'${word}'`
    ).join(" ");
    const proc = Bun.spawn(["bash", "-c", `${line} | cat; exit "\${PIPESTATUS[0]}"`], {
      stdout: "pipe",
      stderr: "pipe",
      env: ENV,
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    expect([code, stderr]).toEqual([
      0,
      "cairn export: 3000 teams, 0 solves, 0 guesses written to /dev/stdout\n",
    ]);
    // The pipe gets the results alone.
    expect(JSON.parse(stdout).teams.length).toBe(3000);
  },
  60_000,
);

describe("cairn on deno, with the README's permissions", () => {
  // Deno wants --allow-all for any path under /dev, /proc and /sys, whatever --allow-read and
  // --allow-write say: a refused path is one line, naming it, never a stack trace.
  const cases: [string, string[], string][] = [
    ["init", ["init", "/proc/cairn-nope"], "/proc/cairn-nope"],
    ["backup to /proc", ["backup", "/proc/cairn-x.db", "--db", "DB"], "/proc/cairn-x.db"],
    ["backup of /proc", ["backup", "OUT", "--db", "/proc/cairn-x.db"], "/proc/cairn-x.db"],
    // Its uploads folder, beside the database, is the first path serve looks at.
    ["serve", ["serve", "--db", "/dev/shm/cairn-x.db", "--port", "0"], "/dev/shm/cairn-x.db.files"],
    ["export", ["export", "--db", "DB", "--out", "/dev/stdout"], "/dev/stdout"],
  ];
  for (const [what, args, path] of cases) {
    bunTest(`${what}: one line naming ${path}`, async () => {
      const out = join(dirs.make("cairn-main-"), "copy.db");
      const argv = args.map((arg) => arg === "DB" ? db : arg === "OUT" ? out : arg);
      const { stderr, code } = await run([...RUNTIMES.deno, ...argv]);
      expect(code).toBe(1);
      expect(stderr).toBe(
        `cairn ${argv[0]}: Requires all access to "${path}", run again with the --allow-all flag\n`,
      );
    }, 30_000);
  }
});
