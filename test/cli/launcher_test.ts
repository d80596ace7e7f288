// A checkout as a newcomer uses it: `npx cairn …` runs the bin (bin/cairn) on the
// pinned Bun, and `npm start` hands signals to the server it starts.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirs } from "../_tmp.ts";
import { RUNTIME_NAME } from "../_runtime.ts";

// `npx cairn` (bin/cairn) and `npm start` run the Bun that package.json pins, whatever runs the
// tests: under `deno task test` these tests are listed and skipped.
const bunTest = test.skipIf(RUNTIME_NAME !== "bun");

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const ROOT = join(import.meta.dirname, "..", "..");

/** Runs a command in `cwd` to completion. */
async function exec(cmd: string[], cwd: string) {
  const proc = Bun.spawn(cmd, {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_UPDATE_NOTIFIER: "1" },
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { stdout, stderr, code };
}

/** A process's state letter and its parent's id, from /proc; undefined once it is gone. */
function stat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields after the command's closing parenthesis: the state, then the parent's id.
    const [state, ppid] = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/** Whether `pid` still runs (a zombie has ended). */
function alive(pid: number): boolean {
  const state = stat(pid)?.state;
  return state !== undefined && state !== "Z";
}

/** The ids of the running processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((child) => stat(child)?.ppid === pid && alive(child));
}

describe("npx cairn", () => {
  bunTest("runs a command from the repository root, with its output and exit code", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(await exec(["npx", "cairn", "version"], ROOT)).toEqual({
      stdout: `cairn ${pkg.version} (bun ${pkg.devDependencies.bun})\n`,
      stderr: "",
      code: 0,
    });
    // `engines` names the Bun that runs the code: the pinned one.
    expect(pkg.engines.bun).toBe(pkg.devDependencies.bun);

    expect(await exec(["npx", "cairn", "bogus"], ROOT)).toEqual({
      stdout: "",
      stderr: 'cairn: unknown command "bogus"; run `cairn --help` for the list\n',
      code: 2,
    });
  }, 60_000);

  bunTest("init and check a hunt from any folder, with paths relative to that folder", async () => {
    const dir = dirs.make("cairn-npx-");
    // npx finds the package from any folder inside the checkout.
    const inside = join(ROOT, "test", "cli");
    const init = await exec(["npx", "cairn", "init", join(dir, "hunt")], inside);
    expect(init.code).toBe(0);
    expect(existsSync(join(dir, "hunt", "hunt.toml"))).toBe(true);
    const check = await exec(["npx", "cairn", "check", join(dir, "hunt", "hunt.toml")], inside);
    expect(check).toMatchObject({ code: 0, stderr: "" });

    // Outside the checkout npx would look for a package on the registry; the bin runs there.
    mkdirSync(join(dir, "bad"));
    await Bun.write(join(dir, "bad", "hunt.toml"), '[hunt]\ntitle = "x"\ncolour = 1\n');
    const bad = await exec([join(ROOT, "bin", "cairn"), "check", "hunt.toml"], join(dir, "bad"));
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toContain("hunt.toml:3:1");
  }, 60_000);
});

describe("npm start", () => {
  bunTest("SIGTERM to npm stops the server: no orphan, the port closed", async () => {
    const dir = dirs.make("cairn-npm-start-");
    const npm = Bun.spawn(["npm", "start"], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        ...process.env,
        NO_UPDATE_NOTIFIER: "1",
        CAIRN_PORT: "0",
        CAIRN_HOST: "127.0.0.1",
        CAIRN_DB: join(dir, "cairn.db"),
        CAIRN_ADMIN_TOKEN: "launcher-admin-token",
      },
    });
    let out = "";
    const reading = (async () => {
      for await (const chunk of npm.stdout) out += new TextDecoder().decode(chunk);
    })();
    let url = "";
    for (let i = 0; i < 3000 && url === "" && npm.exitCode === null; i++) {
      url = /event=listening url=(\S+)/.exec(out)?.[1] ?? "";
      await Bun.sleep(10);
    }
    expect(url).toStartWith("http://127.0.0.1:");
    expect((await fetch(`${url}healthz`)).status).toBe(200);

    // npm's child is the server itself (`exec`), not a shell that would die and leave it.
    const children = childrenOf(npm.pid);
    const started = [...children, ...children.flatMap(childrenOf)];
    try {
      expect(children).toHaveLength(1);
      const server = children[0]!;
      const argv = readFileSync(`/proc/${server}/cmdline`, "utf8").split("\u0000");
      expect(argv).toContain(join(ROOT, "src", "main.ts"));

      npm.kill("SIGTERM");
      await npm.exited;
      await reading;
      // The server drained and stopped on the signal, rather than being left behind.
      for (let i = 0; i < 500 && alive(server); i++) await Bun.sleep(10);
      expect(alive(server)).toBe(false);
      expect(out).toContain("event=stopped");
      expect(await fetch(`${url}healthz`).then(() => "open", () => "closed")).toBe("closed");
    } finally {
      for (const pid of started) if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  }, 60_000);
});
