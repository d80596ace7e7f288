// The SSE load tool measures what it says: a small run against Cairn and both
// baselines, with the C client and with the Bun client, must see every stream
// open and every broadcast delivered on every stream.
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../_binary.ts";

const SCRIPT = join(import.meta.dir, "..", "..", "bench", "sse_load.ts");

interface Results {
  runs: {
    server: string;
    streams: number;
    failed: number;
    dropped: number;
    deliveries: number;
    expected: number;
    min: number;
    max: number;
  }[];
  ratios: Record<string, { median: number }>;
}

async function sseLoad(args: string[]): Promise<Results> {
  const dir = mkdtempSync(join(tmpdir(), "cairn-sse-load-test-"));
  try {
    const out = join(dir, "sse.json");
    const proc = Bun.spawn(
      [process.execPath, SCRIPT, "--binary", await buildBinary(), "--out", out, ...args],
      { stdout: "pipe", stderr: "pipe" },
    );
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    return JSON.parse(readFileSync(out, "utf8")) as Results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SMALL = ["--connections", "40", "--broadcasts", "3", "--interval", "0", "--rounds", "1"];

test(
  "sse_load with the C client delivers every broadcast on every stream of Cairn, bare Bun and the C floor",
  async () => {
    const results = await sseLoad([...SMALL, "--free"]);
    expect(results.runs.map((run) => run.server)).toEqual(["cairn", "bare", "floor"]);
    for (const run of results.runs) {
      const { server, streams, failed, dropped } = run;
      expect({ server, streams, failed, dropped }).toEqual({
        server,
        streams: 40,
        failed: 0,
        dropped: 0,
      });
      expect(run.deliveries).toBe(120);
      expect(run.expected).toBe(120);
      expect(run.min).toBeGreaterThanOrEqual(0);
      expect(run.max).toBeLessThan(5_000);
    }
    expect(Object.keys(results.ratios)).toEqual(["bare", "floor"]);
  },
  60_000,
);

test("sse_load with the Bun client and a sleeping client measures Cairn too", async () => {
  const results = await sseLoad([
    ...SMALL,
    "--client",
    "bun",
    "--wait",
    "epoll",
    "--servers",
    "cairn",
    "--free",
  ]);
  expect(results.runs).toHaveLength(1);
  expect(results.runs[0]).toMatchObject({ server: "cairn", streams: 40, deliveries: 120 });
}, 60_000);

test("sse_load refuses bad flags with a one-line message", async () => {
  const proc = Bun.spawn([process.execPath, SCRIPT, "--servers", "nginx"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await proc.exited).toBe(2);
  expect(await new Response(proc.stderr).text()).toBe(
    "sse_load: --servers takes a list of cairn, bare, floor\n",
  );
});
