// The files a command writes (export, backup, init --force, tls) are renamed into
// place, and their folders then synced: the syscalls, as strace sees them, on the runtime the
// tests run on.
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadHunt } from "../../src/hunt/mod.ts";
import { openDatabase, saveScoring } from "../../src/store/mod.ts";
import { CAIRN_COMMAND } from "../_runtime.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());
const HUNT = `[hunt]\ntitle = "T"\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nanswer = ["a"]\n`;
const ROOT = resolve(import.meta.dirname, "../..");

/** The calls of `cairn args…` that rename a file or sync one, each with its paths (`strace -y`). */
function tracedCalls(args: string[], dir: string): string[] {
  if (spawnSync("strace", ["-V"]).error !== undefined) {
    throw new Error("strace is not installed: install the Debian package `strace`");
  }
  const log = join(dir, "strace.log");
  const [exe, ...cairn] = CAIRN_COMMAND;
  const traced = spawnSync(
    "strace",
    [
      ...["-f", "-y", "-o", log, "-e", "trace=fsync,fdatasync,rename,renameat,renameat2"],
      ...[exe!, ...cairn, ...args],
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
  expect(traced.status, traced.stderr).toBe(0);
  return readFileSync(log, "utf8").split("\n").filter((line) =>
    /\b(f(data)?sync|rename)/.test(line)
  );
}

/** Whether `folder` is synced after the last rename onto `file`. */
function syncedAfterRename(calls: string[], file: string, folder: string): boolean {
  const renamed = calls.findLastIndex((line) => line.includes(`"${file}"`) && /rename/.test(line));
  if (renamed === -1) throw new Error(`No rename onto ${file} in:\n${calls.join("\n")}`);
  return calls.slice(renamed + 1).some((line) =>
    line.includes(`sync(`) && line.includes(`<${folder}>`)
  );
}

describe("a command's output files: renamed into place, then their folder synced", () => {
  const cases: [string, (dir: string) => string[], (dir: string) => string[]][] = [
    [
      "export --out FILE",
      (dir) => ["export", "--db", join(dir, "cairn.db"), "--out", join(dir, "out", "results.json")],
      (dir) => [join(dir, "out", "results.json")],
    ],
    [
      "export --format csv",
      (
        dir,
      ) => ["export", "--db", join(dir, "cairn.db"), "--format", "csv", "--out", join(dir, "out")],
      (dir) => [join(dir, "out", "teams.csv"), join(dir, "out", "guesses.csv")],
    ],
    [
      "backup",
      (dir) => ["backup", join(dir, "out", "copy.db"), "--db", join(dir, "cairn.db")],
      (dir) => [join(dir, "out", "copy.db")],
    ],
    [
      "init --force",
      (dir) => ["init", "--force", join(dir, "out")],
      (dir) => [join(dir, "out", "hunt.toml")],
    ],
    [
      "tls",
      (dir) => ["tls", "--out", join(dir, "out")],
      (dir) => [join(dir, "out", "server.key"), join(dir, "out", "server.crt")],
    ],
  ];
  for (const [name, args, files] of cases) {
    test(name, () => {
      const dir = dirs.make("cairn-write-");
      const conn = openDatabase(join(dir, "cairn.db"));
      saveScoring(conn, loadHunt(HUNT, { file: "hunt.toml" }).hunt!);
      conn.close();
      mkdirSync(join(dir, "out"));
      // Files already there, so that each is replaced, not made (a backup replaces only a database).
      for (const file of files(dir)) {
        if (name === "backup") copyFileSync(join(dir, "cairn.db"), file);
        else writeFileSync(file, "earlier");
      }
      const calls = tracedCalls(args(dir), dir);
      for (const file of files(dir)) {
        expect(readFileSync(file, "utf8")).not.toBe("earlier");
        expect(syncedAfterRename(calls, file, join(dir, "out"))).toBe(true);
      }
      // A binary run under strace: on a busy machine it outlasts the default 5 s.
    }, 30_000);
  }
});
