// scripts/setup.sh, which `npm test` and .ci/run call first: with a tool missing and
// no way to install it, it stops at once with one line naming the Debian packages.
import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const SETUP = join(import.meta.dirname, "..", "..", "scripts", "setup.sh");

/** Where `tool` is on this machine's PATH. */
function which(tool: string): string {
  const found = (process.env.PATH ?? "").split(":").map((dir) => join(dir, tool))
    .find((path) => existsSync(path));
  if (found === undefined) throw new Error(`${tool} is not on PATH`);
  return found;
}

/** Runs the setup with PATH holding only `tools`, so that everything else is missing. */
function setup(tools: string[], args: string[] = []) {
  const bin = dirs.make("cairn-setup-");
  for (const tool of tools) symlinkSync(which(tool), join(bin, tool));
  const proc = spawnSync("/bin/sh", [SETUP, ...args], { env: { PATH: bin }, encoding: "utf8" });
  return { stdout: proc.stdout, stderr: proc.stderr, code: proc.status };
}

// Without apt-get on PATH it cannot install: promtool, systemd-analyze, cc, strace and unzip are
// missing.
// (The checks by absolute path, /usr/bin/python3 and /usr/bin/chromium, pass on this machine.)
test("names the Debian packages to install in one line when it cannot install them", () => {
  const line = "setup: missing Debian packages; install them with: sudo apt-get install -y";
  const result = setup(["id", "sed"]);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe("");
  // python3-seccomp and chromium are listed too on a machine that lacks them.
  expect(result.stderr).toMatch(new RegExp(`^${line} prometheus systemd gcc( [a-z0-9-]+)*\n$`));
  expect(setup(["id", "sed"], ["--bench"]).stderr).toEndWith(" wrk hey\n");
});

test("changes nothing and says nothing when every tool is there", () => {
  const tools = ["id", "sed", "promtool", "systemd-analyze", "cc", "strace", "unzip"];
  expect(setup(tools)).toEqual({ stdout: "", stderr: "", code: 0 });
});

test("CAIRN_SETUP=skip skips it", () => {
  const proc = spawnSync("/bin/sh", [SETUP], {
    env: { PATH: "/nonexistent", CAIRN_SETUP: "skip" },
  });
  expect(proc.status).toBe(0);
});
