// `cairn serve` run in-process for the CLI tests, on a free port, and the
// first thing most of them do with it.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { fakeIo } from "../_io.ts";
import { sleep } from "../_runtime.ts";

/** The admin token the servers started here use. */
export const ADMIN_TOKEN = "cli-serve-admin-token";

/**
 * Starts `cairn serve` on `dir/cairn.db` with the hunt `dir/hunt.toml` (written
 * from `hunt` unless the file is already there); resolves once it listens.
 */
export async function startServer(dir: string, hunt: string, extra: string[] = []) {
  const io = fakeIo();
  const huntPath = join(dir, "hunt.toml");
  if (!existsSync(huntPath)) writeFileSync(huntPath, hunt);
  const db = join(dir, "cairn.db");
  const args = ["serve", "--hunt", huntPath, "--db", db, "--host", "127.0.0.1", "--port", "0"];
  const exited = run([...args, "--admin-token", ADMIN_TOKEN, ...extra], io);
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; i < 500 && !done && !/event=listening/.test(io.out()); i++) await sleep(10);
  const port = /url=http:\/\/127\.0\.0\.1:(\d+)\//.exec(io.out())?.[1];
  if (port === undefined) throw new Error(`the server did not start: ${io.out()}${io.err()}`);
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    io.stop();
    return await exited;
  };
  return { io, base, hunt: huntPath, db, stop, exited };
}

/** Registers a team over HTTP; resolves with its session token. */
export async function register(base: string, name: string): Promise<string> {
  const res = await fetch(`${base}/api/teams`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password: "correct horse" }),
  });
  return ((await res.json()) as { token: string }).token;
}
