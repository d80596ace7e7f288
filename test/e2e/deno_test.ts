// The same server on Deno, driven over HTTP as players and organizers drive
// it: `cairn serve` on Deno (node:sqlite, Deno.serve, argon2id in workers)
// serves the example hunt and SSE, holds the single-instance lock against a
// Bun server and the other way round, stops cleanly on SIGTERM, and a
// database moves from Bun to Deno and back with its teams' logins and state.
// The HTTP, live and store suites themselves run on Deno in `deno task test`.
// `compile.sh --deno` cannot build here (no denort download): it must say so
// in one line.
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { freePort, waitFor } from "../_binary.ts";
import { open } from "../_sse.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const ROOT = join(import.meta.dir, "..", "..");
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const MAIN = join(ROOT, "src", "main.ts");
const DENO_RUN = [DENO, "run", "-A", "--unstable-no-legacy-abort"];
const ENV = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };

type Runtime = "bun" | "deno";

/** Starts `cairn serve` on `runtime` over `db`; collects what it prints. */
async function start(runtime: Runtime, db: string) {
  const port = freePort();
  const cmd = runtime === "bun" ? [process.execPath, MAIN] : [...DENO_RUN, MAIN];
  const proc = Bun.spawn(
    [...cmd, "serve", "--db", db, "--host", "127.0.0.1", "--port", String(port)],
    { stdout: "pipe", stderr: "pipe", env: { ...ENV, CAIRN_ADMIN_TOKEN: "deno-e2e-admin-token" } },
  );
  let out = "";
  const reading = (async () => {
    for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk);
  })();
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`, 20_000);
  return {
    base,
    proc,
    output: () => out,
    /** SIGTERM: drains, flushes, exits; returns the exit code. */
    async stop(): Promise<number> {
      proc.kill("SIGTERM");
      const code = await proc.exited;
      await reading;
      return code;
    },
  };
}

/** Runs a command to completion. */
async function run(cmd: string[]) {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", env: ENV });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { stdout, stderr, code };
}

async function post(base: string, path: string, body: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function login(base: string, name: string, password: string) {
  return await post(base, "/api/session", { name, password });
}

async function puzzles(base: string, token: string) {
  const res = await fetch(`${base}/api/puzzles`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { puzzles: { id: string; solved: boolean }[] }).puzzles;
}

describe("cairn serve on Deno", () => {
  test("serves the example hunt, SSE included, and stops on SIGTERM with exit 0", async () => {
    const dir = dirs.make("cairn-deno-");
    const server = await start("deno", join(dir, "cairn.db"));
    try {
      expect(server.output()).toContain("event=listening");
      const hunt = await (await fetch(`${server.base}/api/hunt`)).json();
      expect(hunt).toMatchObject({ title: "The Lantern Trail", running: true });
      const page = await fetch(`${server.base}/`);
      expect(page.headers.get("content-security-policy")).toContain("default-src");

      const registered = await post(server.base, "/api/teams", {
        name: "Gulls",
        password: "correct horse",
      });
      expect(registered.status).toBe(201);
      const token = registered.body.token as string;

      // The team's stream, and an anonymous one: the first bytes at once, then the events.
      const team = await open(server.base, { authorization: `Bearer ${token}` });
      const anonymous = await open(server.base);
      expect(team.res.headers.get("content-type")).toBe("text/event-stream");
      await team.wait((e) => e.event === "scoreboard");
      await anonymous.wait((e) => e.event === "scoreboard");

      const guess = await post(server.base, "/api/puzzles/lighthouse/guesses", {
        answer: "Polaris",
      }, token);
      expect(guess).toMatchObject({ status: 200, body: { result: "correct" } });
      const solve = await team.wait((e) => e.event === "solve");
      expect(JSON.parse(solve.data!)).toMatchObject({ puzzle: "lighthouse" });
      const board = await anonymous.wait((e) =>
        e.event === "scoreboard" && JSON.parse(e.data!).teams[0]?.score === 100
      );
      expect(JSON.parse(board.data!).teams[0]).toMatchObject({ name: "Gulls", solves: 1 });
      // Anonymous clients never see a team's own events.
      expect(anonymous.events.some((e) => e.event === "solve")).toBe(false);

      const admin = await fetch(`${server.base}/api/admin/announcements`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: "Bearer deno-e2e-admin-token",
        },
        body: JSON.stringify({ text: "Soup at noon" }),
      });
      expect(admin.status).toBe(201);
      await anonymous.wait((e) => e.event === "announcement" && e.data!.includes("Soup at noon"));

      const metrics = await (await fetch(`${server.base}/metrics`)).text();
      expect(metrics).toMatch(/cairn_build_info\{version="[^"]+",deno="\d+\.\d+\.\d+"\} 1/);
      await team.close();
      await anonymous.close();
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.output()).toContain("event=stopped");
  }, 60_000);

  test(
    "the lock holds between runtimes: a second server refuses in one line, either way",
    async () => {
      const dir = dirs.make("cairn-deno-lock-");
      const db = join(dir, "cairn.db");
      for (const [holder, second] of [["deno", "bun"], ["bun", "deno"]] as const) {
        const server = await start(holder, db);
        try {
          const cmd = second === "bun" ? [process.execPath, MAIN] : [...DENO_RUN, MAIN];
          const refused = await run([...cmd, "serve", "--db", db, "--port", "0"]);
          expect([second, refused.code, refused.stderr]).toEqual([
            second,
            1,
            `cairn serve: another Cairn server is already running on ${db}\n`,
          ]);
        } finally {
          expect(await server.stop()).toBe(0);
        }
      }
    },
    90_000,
  );

  test("a database moves from Bun to Deno and back, logins and state included", async () => {
    const dir = dirs.make("cairn-deno-move-");
    const db = join(dir, "cairn.db");

    // On Bun: a team registers (Bun.password's argon2id) and solves a puzzle.
    const bun = await start("bun", db);
    const gulls = (await post(bun.base, "/api/teams", { name: "Gulls", password: "bun pass 1" }))
      .body.token as string;
    expect(
      (await post(bun.base, "/api/puzzles/lighthouse/guesses", { answer: "polaris" }, gulls))
        .body,
    ).toMatchObject({ result: "correct" });
    expect(await bun.stop()).toBe(0);

    // On Deno: the Bun-written hash verifies (hash-wasm), the session and the solve are there,
    // and a second team registers with a hash written on Deno.
    const deno = await start("deno", db);
    expect((await login(deno.base, "Gulls", "bun pass 1")).status).toBe(200);
    expect((await login(deno.base, "Gulls", "wrong pass")).status).toBe(401);
    expect((await puzzles(deno.base, gulls)).find((p) => p.id === "lighthouse")?.solved).toBe(true);
    const terns = await post(deno.base, "/api/teams", { name: "Terns", password: "deno pass 2" });
    expect(terns.status).toBe(201);
    expect((await post(deno.base, "/api/puzzles/knots/guesses", { answer: "bowline" }, gulls)).body)
      .toMatchObject({ result: "correct" });
    expect(await deno.stop()).toBe(0);

    // Back on Bun: the Deno-written hash verifies too, and both solves are there.
    const again = await start("bun", db);
    try {
      expect((await login(again.base, "Terns", "deno pass 2")).status).toBe(200);
      expect((await login(again.base, "Terns", "bun pass 1")).status).toBe(401);
      expect((await login(again.base, "Gulls", "bun pass 1")).status).toBe(200);
      const solved = (await puzzles(again.base, gulls)).filter((p) => p.solved).map((p) => p.id);
      expect(solved.sort()).toEqual(["knots", "lighthouse"]);
      const board = (await (await fetch(`${again.base}/api/scoreboard`)).json()) as {
        teams: { name: string }[];
      };
      expect(board.teams.map((t) => t.name)).toEqual(["Gulls", "Terns"]);
    } finally {
      expect(await again.stop()).toBe(0);
    }
    const check = await run([process.execPath, MAIN, "export", "--db", db, "--format", "json"]);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout).teams).toHaveLength(2);
  }, 120_000);

  test("cairn version and --help name the runtime and answer on Deno", async () => {
    const version = await run([...DENO_RUN, MAIN, "version"]);
    expect(version.stdout).toMatch(/^cairn \d+\.\d+\.\d+ \(deno \d+\.\d+\.\d+\)\n$/);
    const help = await run([...DENO_RUN, MAIN, "serve", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("cairn serve [--hunt FILE]");
    const wrong = await run([...DENO_RUN, MAIN, "frob"]);
    expect([wrong.code, wrong.stderr]).toEqual([
      2,
      'cairn: unknown command "frob"; run `cairn --help` for the list\n',
    ]);
  }, 60_000);
});

describe("argon2id across runtimes", () => {
  test(
    "a hash written by Bun.password verifies on Deno, and one written on Deno verifies on Bun",
    async () => {
      const { hashPassword, verifyPassword } = await import("../../src/play/mod.ts");
      const fromBun = await hashPassword("tide and time");
      expect(fromBun).toStartWith("$argon2id$v=19$m=19456,t=2,p=1$");
      const script = `
      import { hashPassword, verifyPassword } from ${JSON.stringify(join(ROOT, "src/play/mod.ts"))};
      const [hash, password] = Deno.args;
      console.log(JSON.stringify({
        right: await verifyPassword(password, hash),
        wrong: await verifyPassword(password + "!", hash),
        fromDeno: await hashPassword(password),
      }));`;
      const ran = await run([DENO, "eval", script, fromBun, "tide and time"]);
      expect(ran.stderr).toBe("");
      const seen = JSON.parse(ran.stdout) as { right: boolean; wrong: boolean; fromDeno: string };
      expect([seen.right, seen.wrong]).toEqual([true, false]);
      expect(seen.fromDeno).toStartWith("$argon2id$v=19$m=19456,t=2,p=1$");
      expect(await verifyPassword("tide and time", seen.fromDeno)).toBe(true);
      expect(await verifyPassword("tide and tim", seen.fromDeno)).toBe(false);
    },
    30_000,
  );
});

describe("compile.sh --deno", () => {
  test(
    "says in one line that deno compile needs to download denort, and leaves no file",
    async () => {
      // A fresh DENO_DIR holds no cached denort, and the proxy refuses, so this fails on any host.
      const denoDir = dirs.make("cairn-deno-dir-");
      const proc = Bun.spawn(["bash", join(ROOT, "compile.sh"), "--deno"], {
        stdout: "pipe",
        stderr: "pipe",
        env: { ...ENV, DENO_DIR: denoDir, HTTPS_PROXY: "http://127.0.0.1:9", DENORT_BIN: "" },
      });
      const [stdout, stderr, code] = await Promise.all([
        new Response(proc.stdout).text(),
        new Response(proc.stderr).text(),
        proc.exited,
      ]);
      expect([code, stdout]).toEqual([1, ""]);
      expect(stderr).toBe(
        "compile.sh: deno compile cannot download its runtime (denort) from dl.deno.land; " +
          "build on a host with internet, or set DENORT_BIN to a denort binary for the target\n",
      );
      expect(readdirSync(join(ROOT, "dist")).filter((name) => name.startsWith("cairn-deno")))
        .toEqual([]);
    },
    60_000,
  );

  test("refuses an unknown target in one line, before any download", async () => {
    const result = await run(["bash", join(ROOT, "compile.sh"), "--deno", "--target", "pdp-11"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toStartWith("compile.sh: unknown --target pdp-11: one of x86_64-");
    expect(result.stderr.split("\n")).toHaveLength(2);
  });
});
