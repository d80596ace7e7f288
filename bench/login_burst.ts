// A login rush, as at the start of an event: 100 teams register at once,
// then all log in at once (argon2id, 19 MiB, t=2, on Bun's worker threads),
// against a real server on loopback, while another client polls
// GET /api/puzzles. Reports how long each burst takes, and the polled route's
// latency during the login burst against the same route with no burst.
// Usage: bun bench/login_burst.ts [--logins 100]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { toolArgs } from "./_args.ts";
import { freePort, waitFor } from "../test/_binary.ts";

const USAGE = `Usage: bun bench/login_burst.ts [options]

A login rush against a real server on loopback: teams register at once, then
log in at once, while another client polls GET /api/puzzles.

Options:
  --logins N     teams (default 100)
  --help         this text`;

const { values } = toolArgs(
  USAGE,
  () => parseArgs({ options: { logins: { type: "string", default: "100" } } }),
);
const logins = Number(values.logins);
const dir = mkdtempSync(join(tmpdir(), "cairn-logins-"));
const port = freePort();
const base = `http://127.0.0.1:${port}`;
const main = join(import.meta.dir, "..", "src", "main.ts");
const args = [
  "serve",
  "--db",
  join(dir, "c.db"),
  "--host",
  "127.0.0.1",
  "--port",
  String(port),
  "--log-level",
  "warn",
];
const server = Bun.spawn([process.execPath, main, ...args], {
  stdout: "ignore",
  stderr: "inherit",
});

const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

try {
  await waitFor(`${base}/healthz`);
  // One team per login: the per-name limit on login attempts does not come into play.
  let started = performance.now();
  const registered = await Promise.all(
    Array.from(
      { length: logins },
      (_, i) => post("/api/teams", { name: `Team ${i}`, password: "correct horse" }),
    ),
  );
  const registerMs = performance.now() - started;
  const token = ((await registered[0]!.json()) as { token: string }).token;

  const poll = async (until: () => boolean) => {
    const times: number[] = [];
    while (!until()) {
      const begun = performance.now();
      const res = await fetch(`${base}/api/puzzles`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.arrayBuffer();
      times.push(performance.now() - begun);
    }
    return times.sort((a, b) => a - b);
  };

  // The baseline: the same polling for 1 s, with no logins.
  const quietEnd = performance.now() + 1000;
  const quiet = await poll(() => performance.now() > quietEnd);

  let done = false;
  const polling = poll(() => done);
  started = performance.now();
  const results = await Promise.all(
    Array.from(
      { length: logins },
      (_, i) => post("/api/session", { name: `Team ${i}`, password: "correct horse" }),
    ),
  );
  const loginMs = performance.now() - started;
  done = true;
  const during = await polling;

  const ok = results.filter((r) => r.status === 200).length;
  console.log(
    `${logins} concurrent registrations: ${registered.filter((r) => r.status === 201).length} ok, ${
      registerMs.toFixed(0)
    } ms`,
  );
  console.log(`${logins} concurrent logins: ${ok} ok, ${loginMs.toFixed(0)} ms`);
  const line = (label: string, t: number[]) =>
    console.log(
      `GET /api/puzzles ${label}: p50 ${pct(t, 0.5).toFixed(2)} ms, p99 ${
        pct(t, 0.99).toFixed(2)
      } ms (${t.length} requests)`,
    );
  line("with no burst", quiet);
  line("during the login burst", during);
} finally {
  server.kill("SIGTERM");
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
}
