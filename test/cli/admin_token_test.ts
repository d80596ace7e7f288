// Recovering a lost admin link: `cairn admin-token` stores a new token's hash, and the
// server uses it from its next reload (SIGHUP) or start.
import { afterAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { fakeIo } from "../_io.ts";
import { CAIRN_COMMAND, sleep } from "../_runtime.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** Starts `cairn serve` as its own process, on the tests' runtime, on a free port; resolves once it listens. */
async function startServer(db: string) {
  const [exe, ...args] = CAIRN_COMMAND;
  const proc = spawn(exe!, [...args, "serve", "--db", db, "--host", "127.0.0.1", "--port", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CAIRN_ADMIN_TOKEN: "" },
  });
  let out = "";
  let err = "";
  proc.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => proc.once("close", resolve));
  let ended = false;
  void exited.then(() => (ended = true));
  for (let i = 0; i < 1000 && !/event=listening/.test(out) && !ended; i++) await sleep(10);
  const base = /event=listening url=(http:\/\/\S+)\//.exec(out)?.[1];
  if (base === undefined) {
    proc.kill("SIGKILL");
    await exited;
    throw new Error(`The server did not start: ${out}${err}`);
  }
  // The first start prints the link once: wait for it too.
  for (let i = 0; i < 200 && !/event=admin_link/.test(out); i++) await sleep(10);
  // process.kill, not proc.kill: on Deno, a child that was sent one signal is taken as killed,
  // and proc.kill sends it no other.
  const stop = async () => {
    process.kill(proc.pid!, "SIGTERM");
    return await exited;
  };
  const reload = async () => {
    process.kill(proc.pid!, "SIGHUP");
    for (let i = 0; i < 500 && !/event=hunt_reloaded/.test(out); i++) await sleep(10);
  };
  return { base, out: () => out, stop, reload };
}

/** The status an admin route answers with this token. */
async function adminStatus(base: string, token: string): Promise<number> {
  const res = await fetch(`${base}/api/admin/teams`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.body?.cancel();
  return res.status;
}

describe("cairn admin-token", () => {
  test(
    "replaces the admin token: the server takes the new one at its next reload or start",
    async () => {
      const db = join(dirs.make("cairn-admin-token-"), "cairn.db");
      const first = await startServer(db);
      let stopped = false;
      try {
        const lost = /admin#token=([\w-]+)/.exec(first.out())?.[1] ?? "";
        expect(lost).not.toBe("");
        expect(await adminStatus(first.base, lost)).toBe(200);

        const io = fakeIo();
        expect(await run(["admin-token", "--db", db, "--url", "http://cairn.local:8080/"], io))
          .toBe(0);
        const token = /^Token: +([\w-]+)$/m.exec(io.out())?.[1] ?? "";
        expect(token).toHaveLength(43);
        expect(io.out()).toBe(
          [
            `A new admin token is stored in ${db}; this is the only time it is shown.`,
            `Admin link: http://cairn.local:8080/admin#token=${token}`,
            `Token:      ${token}`,
            "A server is running on this database: reload it (systemctl reload cairn, or SIGHUP) to use the new token.",
            "",
          ].join("\n"),
        );
        expect(io.err()).toBe("");
        // The running server keeps the token it read at start, until it reloads.
        expect(await adminStatus(first.base, lost)).toBe(200);
        expect(await adminStatus(first.base, token)).toBe(401);
        await first.reload();
        expect(first.out()).toContain("event=admin_token_changed source=sighup");
        expect(await adminStatus(first.base, token)).toBe(200);
        expect(await adminStatus(first.base, lost)).toBe(401);
        expect(await first.stop()).toBe(0);
        stopped = true;

        const second = await startServer(db);
        try {
          expect(await adminStatus(second.base, token)).toBe(200);
          expect(await adminStatus(second.base, lost)).toBe(401);
          // A stored token is not printed again.
          expect(second.out()).not.toContain("event=admin_link");
        } finally {
          await second.stop();
        }
      } finally {
        if (!stopped) await first.stop();
      }
    },
    60_000,
  );

  test("with no server running, says to start one", async () => {
    const dir = dirs.make("cairn-admin-token-");
    const db = join(dir, "cairn.db");
    await (await startServer(db)).stop();
    const io = fakeIo();
    expect(await run(["admin-token", "--db", db], io)).toBe(0);
    expect(io.out()).toContain("\nAdmin link: http://localhost:8080/admin#token=");
    expect(io.out()).toEndWith("\nStart the server with this database, then open the link.\n");
    // Its connection was the last: SQLite removed the -wal and -shm files it made, which, made
    // by root beside a stopped service, the service's own user could not open.
    expect([existsSync(`${db}-wal`), existsSync(`${db}-shm`)]).toEqual([false, false]);
  }, 30_000);

  test(
    "refuses a --url that is no http:// or https:// address, before it changes anything",
    async () => {
      const dir = dirs.make("cairn-admin-token-");
      const db = join(dir, "cairn.db");
      await (await startServer(db)).stop();
      const before = readFileSync(db);
      for (const url of ["cairn.lan:8080", "notaurl", "ftp://cairn.lan", "http://"]) {
        const io = fakeIo();
        expect(await run(["admin-token", "--db", db, "--url", url], io)).toBe(2);
        expect(io.err()).toBe(
          `cairn admin-token: --url must be the server's address, with http:// or https:// ` +
            `(http://cairn.lan:8080), not "${url}"\n`,
        );
        expect(io.out()).toBe("");
      }
      expect(readFileSync(db)).toEqual(before);
    },
    30_000,
  );

  test("says in one line when there is no database, or it is not Cairn's", async () => {
    const dir = dirs.make("cairn-admin-token-");
    const missing = fakeIo();
    expect(await run(["admin-token", "--db", join(dir, "none.db")], missing)).toBe(1);
    expect(missing.err()).toBe(
      `cairn admin-token: there is no database at ${
        join(dir, "none.db")
      }; the server makes one on ` +
        "its first start, and prints its admin link then\n",
    );
    expect(missing.out()).toBe("");
    expect(existsSync(join(dir, "none.db.lock"))).toBe(false);

    writeFileSync(join(dir, "notes.db"), "not a database");
    const other = fakeIo();
    expect(await run(["admin-token", "--db", join(dir, "notes.db")], other)).toBe(1);
    expect(other.err()).toBe(
      `cairn admin-token: ${join(dir, "notes.db")} is not a Cairn database\n`,
    );
    expect(other.out()).toBe("");
  });
});
