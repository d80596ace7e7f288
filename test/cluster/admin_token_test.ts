// The admin token of a fresh PostgreSQL event: recorded only once a node
// listens (a first start that fails keeps none), and by one node only when
// several start together, which alone prints its link.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, readOutput, waitFor } from "../_binary.ts";
import { type Pg, startPg } from "../_pg.ts";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");

let pg: Pg;
let dir: string;

beforeAll(async () => {
  pg = await startPg();
  dir = mkdtempSync(join(tmpdir(), "cairn-admin-token-"));
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const serve = (url: string, port: number) =>
  Bun.spawn(
    [
      process.execPath,
      MAIN,
      "serve",
      "--db",
      url,
      "--files",
      join(dir, "files"),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } },
  );

const storedHashes = async (database: string) =>
  (await pg.query(
    `SELECT body FROM cairn_log WHERE body LIKE '%admin_token_hash%'`,
    { database },
  )).length;

test("a first start that cannot listen stores no admin token", async () => {
  const url = await pg.createDatabase("unlistened");
  const busy = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  try {
    const proc = serve(url, busy.port!);
    const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect(code).toBe(1);
    expect(err).toContain(`port ${busy.port} is already in use on 127.0.0.1`);
    expect(await storedHashes("unlistened")).toBe(0);
  } finally {
    busy.stop(true);
  }
}, 30_000);

test(
  "of three nodes starting together, one records its token and prints it; it opens every node",
  async () => {
    const url = await pg.createDatabase("together");
    const ports = [freePort(), freePort(), freePort()];
    const procs = ports.map((port) => serve(url, port));
    let out = "";
    const reading = procs.map((proc) => readOutput(proc, (text) => (out += text)));
    const tokens = () => [...out.matchAll(/event=admin_link url="[^"]*#token=([\w-]+)"/g)];
    try {
      await Promise.all(ports.map((port) => waitFor(`http://127.0.0.1:${port}/healthz`, 20_000)));
      for (let i = 0; i < 100 && tokens().length === 0; i++) await Bun.sleep(50);
      // Past the others' next look at the log (every second) and their own tries.
      await Bun.sleep(1_500);
      expect(tokens().length).toBe(1);
      expect(await storedHashes("together")).toBe(1);
      for (const port of ports) {
        const res = await fetch(`http://127.0.0.1:${port}/api/admin/teams`, {
          headers: { authorization: `Bearer ${tokens()[0]![1]}` },
        });
        expect(res.status).toBe(200);
      }
    } finally {
      for (const proc of procs) proc.kill("SIGTERM");
      await Promise.all(reading);
    }
  },
  60_000,
);
