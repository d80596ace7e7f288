// The benchmarks still run: every mitata suite in bench/ (its setup and each
// benchmark's body, a few times, with mitata replaced by bench/_smoke.ts) and
// every tool's --help. Found by listing bench/, so a new suite or tool is
// covered without being named here. What the benchmarks measure is not checked:
// docs/performance.md has the figures.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");
const BENCH = join(ROOT, "bench");
const STUB = join(BENCH, "_smoke.ts");

interface Smoke {
  exitCode: number | null;
  stderr: string;
  /** Each benchmark (one line per set of arguments) and how many times its body ran. */
  ran: { name: string; count: number }[];
  /** The count the stub prints after run(), or null when run() did not finish. */
  total: number | null;
}

/** Runs one suite under the stub and reads its report. */
async function smoke(path: string): Promise<Smoke> {
  const proc = Bun.spawn([process.execPath, "--preload", STUB, path], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill(), 90_000);
  const [exitCode, stdout, stderr] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  clearTimeout(timer);
  const ran = [...stdout.matchAll(/^bench-smoke: ran (\d+) × (.*)$/gm)].map((m) => ({
    name: m[2]!,
    count: Number(m[1]),
  }));
  const total = /^bench-smoke: (\d+) benchmarks ran$/m.exec(stdout)?.[1];
  return { exitCode, stderr, ran, total: total === undefined ? null : Number(total) };
}

const suites = readdirSync(BENCH).filter((name) => name.endsWith("_bench.ts")).sort();

describe("every mitata suite, each benchmark run a few times", () => {
  test("finds the suites", () => {
    expect(suites).toContain("request_bench.ts");
    expect(suites.length).toBeGreaterThanOrEqual(9);
  });

  for (const suite of suites) {
    test(`${suite}: its setup and every benchmark run without an error`, async () => {
      const result = await smoke(join(BENCH, suite));
      // The suite's name beside its exit code and stderr, so a failure says which and why.
      expect({ suite, exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        suite,
        exitCode: 0,
        stderr: "",
      });
      expect(result.ran.length).toBeGreaterThan(0);
      expect(result.total).toBe(result.ran.length);
      expect(result.ran.filter((r) => r.count < 1)).toEqual([]);
    }, 120_000);
  }
});

describe("the stub", () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-bench-smoke-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const suite = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, `import { bench, run, summary } from "mitata";\n${text}`);
    return path;
  };

  test("runs plain, async, generator, computed-parameter and iterator benchmarks, for each argument", async () => {
    const result = await smoke(suite(
      "kinds_bench.ts",
      `
summary(() => {
  bench("plain", () => 1);
  bench("async", async () => await Bun.sleep(0));
});
bench("gen $n $m", function* (state) {
  const n = state.get("n");
  yield () => n * 2;
}).args({ n: [1, 2], m: ["a"] });
bench("range $x", function* () {
  yield { [0]: () => [1, 2], bench: (list) => list.length };
}).range("x", 1, 64);
bench("iter", (state) => {
  for (const _ of state) 1;
});
await run();
`,
    ));
    expect(result).toEqual({
      exitCode: 0,
      stderr: "",
      ran: [
        "plain",
        "async",
        "gen 1 a",
        "gen 2 a",
        "range 1",
        "range 8",
        "range 64",
        "iter",
      ].map((name) => ({ name, count: 3 })),
      total: 8,
    });
  });

  const failures = [
    {
      what: "a benchmark that throws",
      text:
        'bench("ok", () => 1);\nbench("boom", () => { throw new Error("kaboom"); });\nawait run();',
      stderr: ['bench-smoke: "boom" failed', "kaboom"],
    },
    {
      what: "a suite whose setup throws",
      text: 'throw new Error("no hunt");\nbench("x", () => 1);\nawait run();',
      stderr: ["no hunt"],
    },
    {
      what: "a suite that never calls run()",
      text: 'bench("x", () => 1);',
      stderr: ["bench-smoke: the suite never called run()"],
    },
    {
      what: "a benchmark registered after run()",
      text: 'await run();\nbench("late", () => 1);',
      stderr: ["bench-smoke: never run: late"],
    },
    {
      what: "a generator that yields no function",
      text: 'bench("g", function* () { yield 1; });\nawait run();',
      stderr: ["expected benchmarkable yield from generator"],
    },
  ];
  for (const [i, { what, text, stderr }] of failures.entries()) {
    test(`${what} fails the suite`, async () => {
      const result = await smoke(suite(`failing${i}_bench.ts`, text));
      expect(result.exitCode).toBe(1);
      for (const part of stderr) expect(result.stderr).toContain(part);
    });
  }
});

describe("every benchmark tool", () => {
  // Not tools: the baselines other tools start, and the load test's seeding module.
  const notTools = new Set(["sse_bare.ts", "load/bare.ts", "load/seed.ts"]);
  const tools = [
    ...readdirSync(BENCH).filter((name) => name.endsWith(".ts")),
    ...readdirSync(join(BENCH, "load")).filter((name) => name.endsWith(".ts")).map((name) =>
      `load/${name}`
    ),
  ].filter((name) =>
    !name.split("/").pop()!.startsWith("_") && !name.endsWith("_bench.ts") && !notTools.has(name)
  ).sort();

  test("--help prints its usage and exits 0", async () => {
    expect(tools).toContain("sse_load.ts");
    const results = await Promise.all(tools.map(async (tool) => {
      const proc = Bun.spawn([process.execPath, join(BENCH, tool), "--help"], {
        cwd: ROOT,
        stdout: "pipe",
        stderr: "pipe",
      });
      const [exitCode, stdout] = await Promise.all([
        proc.exited,
        new Response(proc.stdout).text(),
      ]);
      return { tool, exitCode, usage: /^Usage: /.test(stdout) };
    }));
    expect(results).toEqual(tools.map((tool) => ({ tool, exitCode: 0, usage: true })));
  }, 60_000);
});
