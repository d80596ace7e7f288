// Slow clients, against the compiled binary (on Deno: src/main.ts). What must hold:
// - 500 connections sending their headers a byte a second (slowloris), and
//   500 whose bodies never finish, do not slow the other players: their
//   requests keep a p99 under 50 ms (the bound), and the server's
//   memory stays bounded;
// - an SSE client that never reads is dropped once it falls behind, not
//   buffered for without limit: 20 such clients facing ~8 MB of events each
//   leave the live streams (cairn_sse_connections), cost the server little
//   memory, and have their connections closed by the server: once read, each
//   ends with what the kernel's buffers held.
// The latency is measured in windows of LATENCY_SAMPLES sequential requests;
// on this shared 2-core machine another process can steal a window, so the
// best of up to 3 windows must meet the bound (a server that stalls behind
// slow clients fails every window).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN_TOKEN, huntFile, register, rssMb, type Server, startServer } from "./_server.ts";
import { remove } from "../_tmp.ts";
import { sleep } from "../_runtime.ts";

const SLOW_HEADERS = 500;
const SLOW_BODIES = 500;
const LATENCY_SAMPLES = 300;
const P99_BOUND_MS = 50;
const MEMORY_BOUND_MB = 64;

let dir = "";
let server: Server;
let token = "";
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cairn-slow-"));
  server = await startServer({ hunt: huntFile(dir, 5), db: join(dir, "cairn.db") });
  token = await register(server.base, "Fast Players");
}, 120_000);
afterAll(async () => {
  try {
    expect(await server.stop()).toBe(0);
  } finally {
    remove(dir);
  }
});

/** Opens a raw connection and sends `head` at once. */
function open(head: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1", () => {
      socket.write(head);
      resolve(socket);
    });
    socket.on("error", reject);
  });
}

/** Live streams the server holds now, from /metrics. */
async function openStreams(): Promise<number> {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  return Number(/^cairn_sse_connections (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** Sequential requests of a player (the puzzle list and a guess, in turn); their p99 in ms. */
async function playerP99(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const started = performance.now();
    const res = i % 2 === 0
      ? await fetch(`${server.base}/api/puzzles`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(5_000),
      })
      : await fetch(`${server.base}/api/puzzles/p1/guesses`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ answer: `fast-${i}` }),
        signal: AbortSignal.timeout(5_000),
      });
    await res.arrayBuffer();
    times.push(performance.now() - started);
    expect(res.status).toBe(200);
  }
  times.sort((a, b) => a - b);
  return times[Math.ceil(times.length * 0.99) - 1]!;
}

test(
  "500 slowloris and 500 never-ending bodies: other players keep p99 < 50 ms, memory bounded",
  async () => {
    // Warm up, then the baseline: the same player, with no slow client around.
    await playerP99();
    const baseP99 = await playerP99();
    const baseRss = rssMb(server.pid);

    const sockets: Socket[] = [];
    let closedByServer = 0;
    const track = (socket: Socket) => {
      socket.on("close", () => closedByServer++);
      socket.on("error", () => {});
      sockets.push(socket);
    };
    try {
      // Slowloris: a request line, then the headers a byte at a time, never ending them.
      for (let i = 0; i < SLOW_HEADERS; i++) {
        track(await open(`GET /api/puzzles HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `));
      }
      // Bodies that never finish: complete headers, 1 KB promised, a few bytes sent.
      for (let i = 0; i < SLOW_BODIES; i++) {
        track(
          await open(
            "POST /api/teams HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
              'Content-Length: 1000\r\n\r\n{"name":"',
          ),
        );
      }
      // One byte a second on every connection, spread over the second.
      let next = 0;
      const drip = setInterval(() => {
        for (let k = 0; k < sockets.length / 20; k++) {
          const socket = sockets[next++ % sockets.length]!;
          if (!socket.destroyed) socket.write("a");
        }
      }, 50);
      try {
        await sleep(1_500);
        const windows: number[] = [];
        for (let round = 0; round < 3; round++) {
          windows.push(await playerP99());
          if (windows.at(-1)! < P99_BOUND_MS) break;
        }
        const rss = rssMb(server.pid);
        const open = sockets.filter((socket) => !socket.destroyed).length;
        console.log(
          `slow clients: ${open} of ${sockets.length} slow connections open; player p99 ` +
            `${baseP99.toFixed(1)} ms alone, ${windows.map((ms) => ms.toFixed(1)).join(", ")} ms ` +
            `beside them; server RSS ${baseRss.toFixed(0)} → ${rss.toFixed(0)} MB`,
        );
        // Precondition: the slow clients were there all along, not shed before the measurement.
        expect(open).toBe(SLOW_HEADERS + SLOW_BODIES);
        expect(closedByServer).toBe(0);
        expect(Math.min(...windows)).toBeLessThan(P99_BOUND_MS);
        expect(rss - baseRss).toBeLessThan(MEMORY_BOUND_MB);
      } finally {
        clearInterval(drip);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  },
  60_000,
);

test("an SSE client that never reads is dropped, not buffered for without limit", async () => {
  const STUCK = 20;
  const ANNOUNCEMENTS = 4000;
  const text = "x".repeat(2000);
  let peakRss = 0;
  /** Posts ANNOUNCEMENTS announcements from 16 organizers at once, noting the server's peak RSS. */
  const announce = async () => {
    let next = 0;
    const announcer = async () => {
      while (next < ANNOUNCEMENTS) {
        next++;
        const res = await fetch(`${server.base}/api/admin/announcements`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
          body: JSON.stringify({ text }),
        });
        expect(res.status).toBe(201);
        await res.arrayBuffer();
        if (next % 200 === 0) peakRss = Math.max(peakRss, rssMb(server.pid));
      }
    };
    await Promise.all(Array.from({ length: 16 }, announcer));
    peakRss = Math.max(peakRss, rssMb(server.pid));
  };
  // The same flood first with no stream open: the server's heap grows to its working size
  // (Deno's by some 80 MB), and what the stuck clients add is measured from there.
  await announce();
  const baseRss = peakRss;

  // Clients that open the stream and then never read another byte.
  const stuck = await Promise.all(
    Array.from({ length: STUCK }, async () => {
      const socket = await open("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      socket.pause();
      const state = { socket, bytes: 0, ended: false };
      socket.on("data", (chunk: Buffer) => (state.bytes += chunk.byteLength));
      // The server closed the connection (its FIN, after the data it had sent).
      socket.on("end", () => (state.ended = true));
      socket.on("error", () => {});
      return state;
    }),
  );
  await sleep(200);
  const streamsBefore = await openStreams();
  // ~8 MB of announcements to each: more than the kernel's socket buffers hold.
  await announce();
  const sent = ANNOUNCEMENTS * text.length;

  // The server dropped them from the live streams, and holds none of their backlog: once they
  // read, they get what the kernel's buffers held, and no more.
  const streamsAfter = await openStreams();
  for (const client of stuck) client.socket.resume();
  // The server closes each dropped stream's connection (on Bun once it is idle, 2 s), not never.
  const deadline = performance.now() + 15_000;
  while (stuck.some((client) => !client.ended) && performance.now() < deadline) {
    await sleep(100);
  }
  const closedByServer = stuck.filter((client) => client.ended).length;
  for (const client of stuck) client.socket.destroy();
  const delivered = Math.max(...stuck.map((client) => client.bytes));
  console.log(
    `sse: ${STUCK} clients that never read, ${(sent / 1e6).toFixed(1)} MB of events each; ` +
      `streams ${streamsBefore} → ${streamsAfter}, ${closedByServer} closed by the server; at most ${
        (delivered / 1e6).toFixed(1)
      } MB ` +
      `delivered to one; server RSS ${baseRss.toFixed(0)} → peak ${peakRss.toFixed(0)} MB`,
  );
  expect(streamsBefore).toBe(STUCK);
  expect(streamsAfter).toBe(0);
  expect(closedByServer).toBe(STUCK);
  expect(delivered).toBeLessThan(sent);
  expect(peakRss - baseRss).toBeLessThan(MEMORY_BOUND_MB);
  // Dropping them is no error: the server printed nothing but its log lines.
  expect(server.output().split("\n").filter((line) => line !== "" && !line.startsWith("ts=")))
    .toEqual([]);
}, 60_000);
