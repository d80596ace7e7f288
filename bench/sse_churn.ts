// SSE churn soak: for a bounded time, keep opening /api/events streams on the
// compiled binary and dropping them abruptly (a reset, a half-close, or a
// close before the response), while announcements go out, and report the
// server's RSS before, at its peak and after. A stream that the server fails
// to clean up shows as RSS that does not come back. Loopback only.
// Run ./compile.sh first.
// Usage: bun bench/sse_churn.ts [--seconds 30] [--concurrency 1000] [--warmup 2000]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { toolArgs } from "./_args.ts";
import { BINARY, freePort, waitFor } from "../test/_binary.ts";

const USAGE = `Usage: bun bench/sse_churn.ts [options]

SSE churn soak: streams opened and dropped abruptly on the compiled binary
(./compile.sh first) while announcements go out; the server's RSS before, at
its peak and after.

Options:
  --seconds S      how long (default 30)
  --concurrency N  streams at once (default 1000)
  --warmup N       streams opened first (default 2000)
  --binary PATH    the binary (default dist/cairn)
  --help           this text`;

const { values } = toolArgs(USAGE, () =>
  parseArgs({
    options: {
      seconds: { type: "string", default: "30" },
      concurrency: { type: "string", default: "1000" },
      warmup: { type: "string", default: "2000" },
      binary: { type: "string", default: BINARY },
    },
  }));
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const warmup = Number(values.warmup);
const dir = mkdtempSync(join(tmpdir(), "cairn-churn-"));
const port = freePort();
const admin = "sse-churn-admin-token";
const base = `http://127.0.0.1:${port}`;
const rss = (pid: number) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
};
const request = (token?: string) =>
  `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n${
    token === undefined ? "" : `Authorization: Bearer ${token}\r\n`
  }\r\n`;

const server = Bun.spawn([
  values.binary,
  "serve",
  ...["--host", "127.0.0.1", "--port", String(port), "--db", join(dir, "c.db")],
  ...["--admin-token", admin, "--log-level", "warn"],
], { stdout: "ignore", stderr: "inherit" });

let opened = 0;
let failed = 0;
let refused = 0;
const ways = { reset: 0, "half-close": 0, "before response": 0 };

/**
 * One stream's life: connect, ask for the events, and drop it abruptly. A
 * third are reset once the first event arrives, a third half-closed, and a
 * third closed before any response.
 */
async function cycle(n: number, tokens: string[]): Promise<void> {
  const way = n % 3;
  const token = n % 4 === 0 ? tokens[(n / 4) % tokens.length] : undefined;
  let done = () => {};
  const finished = new Promise<void>((resolve) => done = resolve);
  try {
    await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(socket) {
          socket.write(request(token));
          if (way === 2) {
            ways["before response"]++;
            socket.terminate();
            done();
          }
        },
        data(socket, chunk) {
          if (way === 2) return;
          if (chunk.indexOf("HTTP/1.1 ") === 0 && chunk.indexOf("HTTP/1.1 200") !== 0) {
            refused++;
            socket.terminate();
            done();
            return;
          }
          if (chunk.indexOf("event: scoreboard") === -1) return;
          opened++;
          if (way === 0) {
            ways.reset++;
            socket.terminate();
          } else {
            ways["half-close"]++;
            socket.end();
          }
          done();
        },
        close: () => done(),
        error() {
          failed++;
          done();
        },
      },
    });
  } catch {
    failed++;
    done();
  }
  await Promise.race([finished, Bun.sleep(5000)]);
}

/** Runs `cycle` with `concurrency` at once until `until` (a time) or `count` cycles. */
async function churn(tokens: string[], until: number, count = Infinity): Promise<number> {
  let started = 0;
  const worker = async () => {
    while (Date.now() < until && started < count) await cycle(started++, tokens);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return started;
}

try {
  await waitFor(`${base}/healthz`);
  // Teams, so that half the streams are a team's and go through its per-team set.
  const tokens: string[] = [];
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${base}/api/teams`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: `Churn ${i}`, password: "churn-password" }),
    });
    tokens.push(((await res.json()) as { token: string }).token);
  }
  const idle = rss(server.pid);
  // A warm-up round first, so the baseline includes what any server allocates
  // once it has served streams at all (JIT code, allocator arenas).
  await churn(tokens, Date.now() + 60_000, warmup);
  await Bun.sleep(2000);
  const baseline = rss(server.pid);

  let peak = baseline;
  const sampler = setInterval(() => peak = Math.max(peak, rss(server.pid)), 250);
  let announcements = 0;
  const announcer = setInterval(() => {
    announcements++;
    void fetch(`${base}/api/admin/announcements`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ text: `churn ${announcements}` }),
    });
  }, 500);
  const started = performance.now();
  const cycles = await churn(tokens, Date.now() + seconds * 1000);
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(announcer);
  clearInterval(sampler);
  const after = rss(server.pid);
  await Bun.sleep(10_000);
  const settled = rss(server.pid);
  // The server must still serve a fresh stream after all that.
  const probe = await fetch(`${base}/api/events`);
  const reader = probe.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();

  console.table([{
    seconds: Math.round(elapsed),
    "streams opened and dropped": cycles,
    "per second": Math.round(cycles / elapsed),
    ...ways,
    "failed to connect": failed,
    "refused (not 200)": refused,
    announcements,
    "RSS idle (MB)": idle,
    "RSS baseline after warm-up (MB)": baseline,
    "RSS peak (MB)": peak,
    "RSS at the end (MB)": after,
    "RSS 10 s later (MB)": settled,
    "fresh stream works": first.includes("event: scoreboard"),
  }]);
} finally {
  server.kill("SIGTERM");
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
}
