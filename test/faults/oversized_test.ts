// Oversized bodies, against the compiled binary (on Deno: src/main.ts), with the clients people use.
// What must hold: any POST whose declared Content-Length is over 64 KiB gets
// the app's own 413 `payload_too_large` envelope, answered before the body is
// read; Bun's maxRequestBodySize is only a much higher backstop, so Node's
// fetch and curl see the envelope (not "fetch failed" or a bare 413), and the
// connection stays usable.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN_TOKEN, huntFile, register, type Server, startServer } from "./_server.ts";
import { remove } from "../_tmp.ts";
import { sleep } from "../_runtime.ts";

/** Runs a command to its end; resolves with its output and exit code. */
async function run(cmd: string[]): Promise<[string, string, number | null]> {
  const proc = spawn(cmd[0]!, cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  proc.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => proc.once("close", resolve));
  return [stdout, stderr, code];
}

const ENVELOPE = {
  error: { code: "payload_too_large", message: "The request body is larger than 64 KiB" },
};

let dir = "";
let server: Server;
let token = "";
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cairn-oversized-"));
  server = await startServer({ hunt: huntFile(dir), db: join(dir, "cairn.db") });
  token = await register(server.base, "Big Senders");
}, 120_000);
afterAll(async () => {
  try {
    expect(await server.stop()).toBe(0);
  } finally {
    remove(dir);
  }
});

/** Every POST route that reads a JSON body, with the credentials it needs to reach the body. */
const ROUTES = () => [
  { path: "/api/teams", auth: undefined },
  { path: "/api/session", auth: undefined },
  { path: "/api/puzzles/p1/guesses", auth: token },
  { path: "/api/checkins", auth: token },
  { path: "/api/admin/announcements", auth: ADMIN_TOKEN },
  { path: "/api/admin/adjustments", auth: ADMIN_TOKEN },
];

test(
  "Node's fetch gets the 413 envelope for a 2 MB body on every POST route, and the server keeps serving",
  async () => {
    const script = `
    const [base, routes] = [process.argv[1], JSON.parse(process.argv[2])];
    const body = JSON.stringify({ answer: "x".repeat(2 * 1024 * 1024) });
    const out = [];
    for (const { path, auth } of routes) {
      const headers = { "content-type": "application/json" };
      if (auth) headers.authorization = "Bearer " + auth;
      try {
        const res = await fetch(base + path, { method: "POST", headers, body });
        out.push({ path, status: res.status, body: await res.json() });
      } catch (error) {
        out.push({ path, status: 0, body: String(error) + " " + String(error.cause) });
      }
    }
    const health = await fetch(base + "/healthz");
    out.push({ path: "/healthz", status: health.status, body: await health.json() });
    console.log(JSON.stringify(out));
  `;
    const [stdout, stderr, code] = await run(
      ["node", "--input-type=module", "-e", script, server.base, JSON.stringify(ROUTES())],
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const results = JSON.parse(stdout) as { path: string; status: number; body: unknown }[];
    expect(results).toEqual([
      ...ROUTES().map(({ path }) => ({ path, status: 413, body: ENVELOPE })),
      { path: "/healthz", status: 200, body: { ok: true, db: "writable" } },
    ]);
  },
  30_000,
);

test("curl gets the 413 envelope for a 2 MB body, and for 64 KiB + 1", async () => {
  for (const size of [2 * 1024 * 1024, 64 * 1024 + 1]) {
    const file = join(dir, `body-${size}.json`);
    writeFileSync(file, JSON.stringify({ answer: "y".repeat(size) }));
    const [stdout, stderr, code] = await run([
      "curl",
      "-sS",
      "--max-time",
      "10",
      "-w",
      "\n%{http_code}",
      "-H",
      "content-type: application/json",
      "-H",
      `authorization: Bearer ${token}`,
      "--data-binary",
      `@${file}`,
      `${server.base}/api/puzzles/p1/guesses`,
    ]);
    expect({ size, code, stderr }).toEqual({ size, code: 0, stderr: "" });
    const [body, status] = stdout.split("\n");
    expect([size, status, JSON.parse(body!)]).toEqual([size, "413", ENVELOPE]);
  }
}, 30_000);

test("a declared length over 64 KiB is answered before any of the body arrives", async () => {
  // Headers only: the 100 kB the client promises never come. The answer must come anyway.
  const socket = connect(server.port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk) => (received += chunk.toString()));
  socket.write(
    [
      "POST /api/teams HTTP/1.1",
      `Host: 127.0.0.1:${server.port}`,
      "Content-Type: application/json",
      "Content-Length: 100000",
      "",
      "",
    ].join("\r\n"),
  );
  const deadline = Date.now() + 5_000;
  while (!received.includes("}}") && Date.now() < deadline) await sleep(10);
  socket.destroy();
  expect(received.split("\r\n")[0]).toBe("HTTP/1.1 413 Payload Too Large");
  expect(JSON.parse(received.slice(received.indexOf("\r\n\r\n") + 4))).toEqual(ENVELOPE);
}, 15_000);

test("a body within 64 KiB still reaches the route", async () => {
  const res = await fetch(`${server.base}/api/puzzles/p1/guesses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ answer: "a1", pad: "z".repeat(60 * 1024) }),
  });
  // Reaches validation: the unknown field is refused, not the size.
  expect(res.status).toBe(400);
  expect(await res.json()).toEqual({
    error: { code: "bad_request", message: 'Unknown field "pad"' },
  });
});
