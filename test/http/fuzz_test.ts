// Fuzzing the edge: 10,000 malformed requests through the real app (random
// JSON, wrong types, unknown fields, huge bodies, bad UTF-8, wrong methods
// and paths), then raw-socket requests to a real server for what only a
// socket can send (conflicting lengths, lying chunked bodies, unknown
// methods, garbage). Where a request reaches the app it must get a 4xx with
// the envelope; where the runtime's parser (Bun's or Deno's) refuses it first, a
// bare 400 or a closed connection is fine. Never a 5xx, and the server must be
// alive afterwards.
import { expect, test } from "bun:test";
import { createConnection } from "node:net";
import { listen } from "../../src/server/mod.ts";
import { rng } from "../rules/_random.ts";
import { makeApp } from "./_app.ts";

const PATHS = [
  "/api/teams",
  "/api/session",
  "/api/puzzles",
  "/api/puzzles/a",
  "/api/puzzles/a/guesses",
  "/api/puzzles/a/hints/free",
  "/api/puzzles/%E0%A4%A/guesses",
  "/api/puzzles/" + "x".repeat(3000),
  "/api/checkins",
  "/api/scoreboard?division=%00",
  "/api/hunt",
  "/api/admin/teams/abc",
  "/api/admin/guesses?after=-1&limit=NaN",
  "/api/admin/adjustments",
  "/api/admin/reload",
  "/api/admin/export?format=%FF",
  "/c/%2e%2e%2f",
  "/%",
  "/api/../api/hunt",
];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];
const FIELDS = [
  "name",
  "password",
  "division",
  "members",
  "code",
  "answer",
  "text",
  "team",
  "points",
  "reason",
  "count",
  "puzzle",
  "frozen",
  "__proto__",
  "constructor",
];

function randomValue(random: () => number, depth = 0): unknown {
  const r = random();
  if (depth > 4 || r < 0.25) {
    return [
      null,
      true,
      false,
      0,
      -1,
      1e308,
      1.5,
      NaN,
      "",
      "x",
      "é🦉\u0000\u202e",
      "9".repeat(400),
    ][Math.floor(random() * 12)];
  }
  if (r < 0.5) {
    return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  }
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 5); i > 0; i--) {
    object[FIELDS[Math.floor(random() * FIELDS.length)]!] = randomValue(random, depth + 1);
  }
  return object;
}

function randomBody(random: () => number): string | Uint8Array | undefined {
  const r = random();
  if (r < 0.1) return undefined;
  if (r < 0.55) return JSON.stringify(randomValue(random));
  if (r < 0.65) {
    return new Uint8Array(
      Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)),
    );
  }
  if (r < 0.72) return '{"name": "' + "A".repeat(70_000) + '"}';
  if (r < 0.78) return "[".repeat(5000) + "]".repeat(5000);
  if (r < 0.85) return '{"answer": "' + "é".repeat(600) + '"}';
  if (r < 0.9) return '{"name":"x","password":"12345678",}';
  return JSON.stringify(randomValue(random)).slice(0, Math.floor(random() * 20));
}

test("10,000 malformed requests: never a 5xx, always the envelope", async () => {
  const { app, register } = makeApp();
  const token = await register("Fuzzers");
  const random = rng(1234);
  const statuses = new Map<number, number>();
  for (let i = 0; i < 10_000; i++) {
    const method = METHODS[Math.floor(random() * METHODS.length)]!;
    const path = PATHS[Math.floor(random() * PATHS.length)]!;
    const headers: Record<string, string> = {};
    const choice = random();
    if (choice < 0.3) headers.authorization = `Bearer ${token}`;
    else if (choice < 0.4) headers.authorization = "Bearer \u00ff garbage";
    else if (choice < 0.5) headers.cookie = "cairn_session=" + "%".repeat(20);
    if (random() < 0.5) {
      headers["content-type"] = random() < 0.5 ? "application/json" : "text/plain; charset=latin1";
    }
    if (random() < 0.1) headers.origin = "http://evil.example";
    const body = method === "GET" || method === "HEAD" ? undefined : randomBody(random);
    const res = await app.request(`http://localhost${path}`, {
      method,
      headers,
      ...(body !== undefined && { body }),
    });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    expect([res.status < 500, method, path]).toEqual([true, method, path]);
    if (res.status >= 400 && method !== "HEAD") {
      const text = await res.text();
      let parsed: { error?: { code?: unknown; message?: unknown } } | undefined;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      expect([
        typeof parsed?.error?.code,
        typeof parsed?.error?.message,
        method,
        path,
        text.slice(0, 80),
      ])
        .toEqual(["string", "string", method, path, text.slice(0, 80)]);
    } else {
      await res.arrayBuffer();
    }
  }
  // The fuzz reached the app's checks, not just one status.
  for (const status of [400, 401, 404, 413]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
}, 120_000);

/** Sends raw bytes and returns the status line's code, or 0 when the connection closed without one. */
async function raw(port: number, request: string | Uint8Array): Promise<number> {
  return await new Promise<number>((resolve) => {
    let received = "";
    let done = false;
    const finish = (code: number) => {
      if (!done) {
        done = true;
        resolve(code);
      }
    };
    const timer = setTimeout(() => finish(0), 2000);
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write(request));
    socket.on("data", (data: Uint8Array) => {
      received += new TextDecoder().decode(data);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      if (match) {
        clearTimeout(timer);
        finish(Number(match[1]));
        socket.destroy();
      }
    });
    for (const event of ["close", "error"]) {
      socket.on(event, () => {
        clearTimeout(timer);
        finish(0);
      });
    }
  });
}

test("raw-socket abuse gets a 4xx or a closed connection, and the server stays up", async () => {
  const { app } = makeApp();
  // The same listener as `cairn serve`: Bun.serve on Bun, Deno.serve on Deno.
  const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.fetch });
  try {
    const port = server.port;
    const json = '{"name":"x","password":"12345678"}';
    const cases: (string | Uint8Array)[] = [
      `POST /api/teams HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\n${json}`,
      `POST /api/teams HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
      `POST /api/teams HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
      `POST /api/teams HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${
        "1000\r\n" + "a".repeat(4096) + "\r\n"
      }`.repeat(1) +
      "0\r\n\r\n",
      `POST /api/teams HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
      `POST /api/teams HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n`,
      `FROB /api/hunt HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /api/hunt HTTP/9.9\r\nHost: x\r\n\r\n`,
      `GET /api/hunt\r\n\r\n`,
      `\x00\x01\x02garbage\r\n\r\n`,
      `GET /${"a".repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /api/hunt HTTP/1.1\r\nHost: x\r\n${"X-Big: " + "b".repeat(20_000)}\r\n\r\n`,
      `POST /api/puzzles/a/guesses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6`,
      new Uint8Array([
        0x50,
        0x4f,
        0x53,
        0x54,
        0x20,
        0x2f,
        0xff,
        0xfe,
        0x20,
        0x48,
        0x54,
        0x54,
        0x50,
        0x2f,
        0x31,
        0x2e,
        0x31,
        0x0d,
        0x0a,
        0x0d,
        0x0a,
      ]),
    ];
    const codes: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (const request of cases) {
        const code = await raw(port, request);
        codes.push(code);
        // The one 5xx allowed: the runtime's own parser answers 505 to a request line with no
        // supported HTTP version, before the app sees it (the protocol's answer, not a failure).
        const firstLine = String(request).split("\r\n")[0]!;
        const allowed = code < 500 || (code === 505 && !/ HTTP\/1\.[01]$/.test(firstLine));
        expect([allowed, code, String(request).slice(0, 60)]).toEqual([
          true,
          code,
          String(request).slice(0, 60),
        ]);
      }
    }
    expect(codes).toHaveLength(cases.length * 20);
    // Still alive and serving.
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toMatchObject({ ok: true });
  } finally {
    await server.stop(true);
  }
}, 120_000);

test(
  "a malformed Host header never gets a 5xx, on the API, the hot routes or the pages",
  async () => {
    const { app } = makeApp();
    const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.fetch });
    try {
      const port = server.port;
      const json = (body: string) =>
        `Content-Type: application/json\r\nContent-Length: ${
          Buffer.byteLength(body)
        }\r\n\r\n${body}`;
      const team = '{"name":"Hosts","password":"12345678"}';
      const requests = (host: string, n: number) => [
        // With an Origin: the same-origin check reads the URL the runtime built from the Host.
        `POST /api/session HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://x\r\n${json(team)}`,
        `POST /api/puzzles/a/guesses HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://x\r\n${
          json('{"answer":"x"}')
        }`,
        // Without: a registration sets its cookie, Secure or not from that URL.
        `POST /api/teams HTTP/1.1\r\nHost: ${host}\r\n${
          json(`{"name":"Hosts ${n}","password":"12345678"}`)
        }`,
        // The projector's join link names the address the page was loaded from.
        `GET /scoreboard HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
      ];
      const hosts = ["a b", "[", "x:99999", "évil", "a/b", "a\\b", ""];
      const codes: string[] = [];
      let n = 0;
      for (const host of hosts) {
        for (const request of requests(host, n++)) {
          const code = await raw(port, request);
          if (code >= 500) {
            codes.push(
              `${code} for Host ${JSON.stringify(host)}: ${request.split("\r\n")[0]}`,
            );
          }
        }
      }
      expect(codes).toEqual([]);
    } finally {
      await server.stop(true);
    }
  },
  60_000,
);
