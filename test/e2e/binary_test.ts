import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary, freePort, waitFor } from "../_binary.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

let binary = "";
beforeAll(async () => {
  binary = await buildBinary();
}, 120_000);

/** Runs the binary with an empty environment, so no Node or Bun is on PATH. */
function spawnBare(args: string[], cwd: string) {
  return Bun.spawn(["env", "-i", binary, ...args], { cwd, stdout: "pipe", stderr: "pipe" });
}

/** A hunt of `count` puzzles; 20,000 make a `check --dot` graph of 1.3 MB, more than a pipe holds. */
function bigHunt(count: number): string {
  let hunt = '[hunt]\ntitle = "Big"\n';
  for (let i = 1; i <= count; i++) {
    hunt += `\n[[puzzle]]\nid = "p${i}"\ntitle = "Puzzle ${i}"\nanswer = ["a${i}"]\n`;
  }
  return hunt;
}

describe("the compiled binary", () => {
  test("serves /healthz with an empty environment and exits 0 on SIGTERM", async () => {
    const dir = dirs.make("cairn-e2e-");
    const port = freePort();
    const proc = spawnBare(["serve", "--host", "127.0.0.1", "--port", String(port)], dir);
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`);
      expect(existsSync(join(dir, "cairn-data"))).toBe(true);
    } finally {
      proc.kill("SIGTERM");
    }
    expect(await proc.exited).toBe(0);
    const out = await new Response(proc.stdout).text();
    expect(out).toContain(`event=listening url=http://127.0.0.1:${port}/`);
    expect(out).toContain("event=stopped");
  }, 30_000);

  // src/runtime.ts: Bun's allocator reads its settings only at start, so `serve` restarts itself
  // once with them. MIMALLOC_VERBOSE makes the allocator print the settings it started with.
  // It reads the served process's environment from /proc.
  describe.skipIf(process.platform !== "linux")(
    "serve restarts once, in the same process, with the allocator's settings",
    () => {
      /** Serves until /healthz answers: the environment the serving process has, and its stderr. */
      async function serveWith(vars: string[]): Promise<{ environ: string[]; stderr: string }> {
        const dir = dirs.make("cairn-e2e-");
        const port = freePort();
        const proc = Bun.spawn(
          ["env", "-i", ...vars, binary, "serve", "--host", "127.0.0.1", "--port", String(port)],
          { cwd: dir, stdout: "pipe", stderr: "pipe" },
        );
        let environ: string[] = [];
        try {
          await waitFor(`http://127.0.0.1:${port}/healthz`);
          // The process spawned is the one serving: `execve` kept its id.
          environ = readFileSync(`/proc/${proc.pid}/environ`, "utf8").split("\0");
        } finally {
          proc.kill("SIGTERM");
        }
        expect(await proc.exited).toBe(0);
        return { environ, stderr: await new Response(proc.stderr).text() };
      }

      test("by default: the allocator starts twice, the second time with them", async () => {
        const { environ, stderr } = await serveWith(["MIMALLOC_VERBOSE=1"]);
        expect(environ).toContain("MIMALLOC_PURGE_HOLES=0");
        expect(environ).toContain("MIMALLOC_PURGE_DELAY=10000");
        expect(stderr.match(/process init/g)?.length).toBe(2);
        expect(stderr).toMatch(/option 'purge_holes': 0\b/);
        expect(stderr).toMatch(/option 'purge_delay': 10000\b/);
      }, 30_000);

      test("an operator's own setting is kept, and nothing restarts", async () => {
        const { environ, stderr } = await serveWith([
          "MIMALLOC_VERBOSE=1",
          "MIMALLOC_PURGE_DELAY=250",
        ]);
        expect(environ).toContain("MIMALLOC_PURGE_DELAY=250");
        expect(environ.some((v) => v.startsWith("MIMALLOC_PURGE_HOLES="))).toBe(false);
        expect(stderr.match(/process init/g)?.length).toBe(1);
        expect(stderr).toMatch(/option 'purge_delay': 250\b/);
      }, 30_000);

      test("other commands start once", async () => {
        const proc = Bun.spawn(["env", "-i", "MIMALLOC_VERBOSE=1", binary, "version"], {
          stdout: "pipe",
          stderr: "pipe",
        });
        expect(await proc.exited).toBe(0);
        expect((await new Response(proc.stderr).text()).match(/process init/g)?.length).toBe(1);
      });
    },
  );

  test("takes its settings from CAIRN_* variables", async () => {
    const dir = dirs.make("cairn-e2e-");
    const port = freePort();
    const db = join(dir, "elsewhere", "hunt.db");
    const proc = Bun.spawn(
      [
        "env",
        "-i",
        `CAIRN_PORT=${port}`,
        `CAIRN_DB=${db}`,
        "CAIRN_HOST=127.0.0.1",
        binary,
        "serve",
      ],
      { cwd: dir, stdout: "pipe", stderr: "pipe" },
    );
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`);
      expect(existsSync(join(dir, "elsewhere"))).toBe(true);
    } finally {
      proc.kill("SIGINT");
    }
    expect(await proc.exited).toBe(0);
  }, 30_000);

  test(
    "a second server on the same database refuses to start, and the lock goes with the first",
    async () => {
      const dir = dirs.make("cairn-e2e-");
      const db = join(dir, "shared.db");
      const port = freePort();
      const first = spawnBare(
        ["serve", "--host", "127.0.0.1", "--port", String(port), "--db", db],
        dir,
      );
      try {
        await waitFor(`http://127.0.0.1:${port}/healthz`);
        const second = spawnBare([
          "serve",
          "--host",
          "127.0.0.1",
          "--port",
          String(freePort()),
          "--db",
          db,
        ], dir);
        expect(await second.exited).toBe(1);
        expect(await new Response(second.stderr).text()).toBe(
          `cairn serve: another Cairn server is already running on ${db}\n`,
        );
      } finally {
        first.kill("SIGTERM");
      }
      expect(await first.exited).toBe(0);
      // Once the first has stopped, a new server starts on the same database.
      const port3 = freePort();
      const third = spawnBare(
        ["serve", "--host", "127.0.0.1", "--port", String(port3), "--db", db],
        dir,
      );
      try {
        await waitFor(`http://127.0.0.1:${port3}/healthz`);
      } finally {
        third.kill("SIGTERM");
      }
      expect(await third.exited).toBe(0);
    },
    30_000,
  );

  test(
    "prints the admin link once, on the first start; its token opens the admin API",
    async () => {
      const dir = dirs.make("cairn-e2e-");
      const db = join(dir, "admin.db");
      const start = async () => {
        const port = freePort();
        const proc = spawnBare(
          ["serve", "--host", "127.0.0.1", "--port", String(port), "--db", db],
          dir,
        );
        await waitFor(`http://127.0.0.1:${port}/healthz`);
        return { proc, port };
      };
      const first = await start();
      first.proc.kill("SIGTERM");
      await first.proc.exited;
      const out = await new Response(first.proc.stdout).text();
      const token = /event=admin_link url="http:\/\/127\.0\.0\.1:\d+\/admin#token=([\w-]+)"/.exec(
        out,
      )?.[1];
      expect(token).toBeDefined();

      const second = await start();
      try {
        const teams = await fetch(`http://127.0.0.1:${second.port}/api/admin/teams`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(teams.status).toBe(200);
        const wrong = await fetch(`http://127.0.0.1:${second.port}/api/admin/teams`, {
          headers: { authorization: "Bearer wrong" },
        });
        expect(wrong.status).toBe(401);
      } finally {
        second.proc.kill("SIGTERM");
      }
      await second.proc.exited;
      expect(await new Response(second.proc.stdout).text()).not.toContain("admin_link");
    },
    30_000,
  );

  test(
    "a first start that cannot listen keeps no admin token, so the next one prints the link",
    async () => {
      const dir = dirs.make("cairn-e2e-");
      const db = join(dir, "busy.db");
      const busy = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
      try {
        const failed = spawnBare([
          "serve",
          "--host",
          "127.0.0.1",
          "--port",
          String(busy.port),
          "--db",
          db,
        ], dir);
        expect(await failed.exited).toBe(1);
        expect(await new Response(failed.stderr).text()).toBe(
          `cairn serve: port ${busy.port} is already in use on 127.0.0.1: stop what listens there, ` +
            "or give another --port\n",
        );
      } finally {
        busy.stop(true);
      }
      const port = freePort();
      const next = spawnBare(
        ["serve", "--host", "127.0.0.1", "--port", String(port), "--db", db],
        dir,
      );
      try {
        await waitFor(`http://127.0.0.1:${port}/healthz`);
      } finally {
        next.kill("SIGTERM");
      }
      await next.exited;
      expect(await new Response(next.stdout).text()).toContain("event=admin_link");
    },
    30_000,
  );

  test("check reports a syntax error with file:line:col", async () => {
    const dir = dirs.make("cairn-e2e-");
    writeFileSync(join(dir, "hunt.toml"), '[hunt]\ntitle = "x"\ntitle = "y"\n');
    const proc = spawnBare(["check", "hunt.toml"], dir);
    expect(await proc.exited).toBe(1);
    const err = await new Response(proc.stderr).text();
    expect(err).toStartWith(
      'hunt.toml:3:1: error: Invalid TOML: "title" is given twice in its table, here and on line 2: keep one\n',
    );
  }, 30_000);

  test(
    "output larger than a pipe's buffer all arrives, however slowly the pipe is read",
    async () => {
      const dir = dirs.make("cairn-e2e-");
      writeFileSync(join(dir, "hunt.toml"), bigHunt(20_000));
      const proc = spawnBare(["check", "--dot", "hunt.toml"], dir);
      // The reader starts late, after the whole output would have been written and the process gone.
      await Bun.sleep(1500);
      const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
      expect(code).toBe(0);
      expect(out.length).toBeGreaterThan(1_000_000);
      expect(out).toStartWith("digraph ");
      expect(out).toContain('"p20000"');
      expect(out).toEndWith("}\n");
    },
    30_000,
  );

  test("a reader that goes away ends the output quietly, without a trace or a hang", async () => {
    const dir = dirs.make("cairn-e2e-");
    writeFileSync(join(dir, "hunt.toml"), bigHunt(20_000));
    const proc = spawnBare(["check", "--dot", "hunt.toml"], dir);
    const reader = proc.stdout.getReader();
    await reader.read();
    await reader.cancel();
    expect(await proc.exited).toBe(0);
    expect(await new Response(proc.stderr).text()).toBe("");
  }, 30_000);

  test("an unknown command exits 2 with one line", async () => {
    const proc = spawnBare(["frobnicate"], tmpdir());
    expect(await proc.exited).toBe(2);
    const err = await new Response(proc.stderr).text();
    expect(err.trim().split("\n")).toHaveLength(1);
  }, 30_000);
});
