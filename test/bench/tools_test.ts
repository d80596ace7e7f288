// The benchmark tools' command lines (every one's --help and mistakes, and the
// A/B tool's builds) and the load tests' shared parts (bench/load/_wrk.ts). A
// real run needs wrk and minutes of CPU, so it is not part of the suite;
// docs/performance.md has the figures.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBuilds, parseOptions, UsageError } from "../../bench/load/ab.ts";
import { cpuTimesUs, ms, parseWrk, routeRequests, writeScript } from "../../bench/load/_wrk.ts";
import type { SeededTeam } from "../../bench/load/seed.ts";
import * as trees from "../../bench/trees_ab.ts";

const AB = join(import.meta.dir, "..", "..", "bench", "load", "ab.ts");
const ROOT = join(import.meta.dir, "..", "..");
const TREES_AB = join(ROOT, "bench", "trees_ab.ts");

const teams: SeededTeam[] = [
  { token: "tok-a", puzzle: "p1", solvable: { puzzle: "p2", answer: "TWO" } },
  { token: "tok-b", puzzle: "p3", solvable: { puzzle: "p4", answer: "FOUR" } },
];

describe("trees_ab.ts", () => {
  test("options have defaults; bad values and trees that are not Cairn's are refused", () => {
    expect(trees.parseOptions([ROOT, ROOT])).toEqual({
      help: false,
      routes: ["list", "puzzle"],
      rounds: 60,
      batch: 2000,
      trees: [ROOT, ROOT],
    });
    expect(trees.parseOptions(["--route", "guess,scoreboard", ROOT, ROOT]).routes).toEqual([
      "guess",
      "scoreboard",
    ]);
    expect(trees.parseOptions(["--help"]).help).toBe(true);
    expect(() => trees.parseOptions([ROOT])).toThrow(/two source trees/);
    expect(() => trees.parseOptions(["--route", "board", ROOT, ROOT])).toThrow(/--route must be/);
    expect(() => trees.parseOptions(["--rounds", "0", ROOT, ROOT])).toThrow(/--rounds/);
    expect(() => trees.parseOptions(["--batch", "x", ROOT, ROOT])).toThrow(/--batch/);
    expect(() => trees.parseOptions([ROOT, "/tmp"])).toThrow(/not a Cairn source tree/);
  });

  test("compares a tree with itself: a line a route, with times and their ratio", async () => {
    const lines = await trees.compare({
      routes: ["list", "guess", "page"],
      rounds: 2,
      batch: 5,
      trees: [ROOT, ROOT],
    });
    expect(lines).toHaveLength(6);
    expect(lines[3]).toMatch(
      /^list: BEFORE [\d.]+ µs, AFTER [\d.]+ µs a request; AFTER\/BEFORE [\d.]+ \(middle half/,
    );
    expect(lines[4]).toMatch(/^guess: BEFORE [\d.]+ µs/);
    expect(lines[5]).toMatch(/^page: BEFORE [\d.]+ µs/);
  });

  test("--help prints the usage; a mistake prints it on stderr and exits 2", () => {
    const help = Bun.spawnSync([process.execPath, TREES_AB, "--help"], { timeout: 15_000 });
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toContain("Usage: bun bench/trees_ab.ts");
    const wrong = Bun.spawnSync([process.execPath, TREES_AB, ROOT], { timeout: 15_000 });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr.toString()).toContain("name two source trees");
  });
});

describe("ab.ts's command line", () => {
  test("each build is NAME=COMMAND, its command split at spaces", () => {
    expect(parseBuilds(["before=/tmp/cairn-a", "after=env X=1 dist/cairn"])).toEqual([
      { name: "before", command: ["/tmp/cairn-a"] },
      { name: "after", command: ["env", "X=1", "dist/cairn"] },
    ]);
    // `bun` is the Bun running the tool, which need not be on PATH.
    expect(parseBuilds(["src=bun /w/src/main.ts"])).toEqual([
      { name: "src", command: [process.execPath, "/w/src/main.ts"] },
    ]);
    // `deno` is npm's pinned Deno, by its native binary.
    const [deno] = parseBuilds(["d=deno run -A /w/src/main.ts"]);
    expect(deno!.command[0]).toMatch(/node_modules\/deno\/deno$/);
    expect(existsSync(deno!.command[0]!)).toBe(true);
  });

  test("a build without a name or a command, or with a name taken, is refused", () => {
    expect(() => parseBuilds([])).toThrow(UsageError);
    expect(() => parseBuilds(["/tmp/cairn"])).toThrow(/not NAME=COMMAND/);
    expect(() => parseBuilds(["a="])).toThrow(/not NAME=COMMAND/);
    expect(() => parseBuilds(["a b=x"])).toThrow(/not NAME=COMMAND/);
    expect(() => parseBuilds(["a=x", "a=y"])).toThrow(/taken/);
    expect(() => parseBuilds(["baseline=x"])).toThrow(/taken/);
  });

  test("options have defaults, and bad values are refused", () => {
    const options = parseOptions(["a=x"]);
    expect(options).toMatchObject({
      route: "guesses",
      rounds: 7,
      seconds: 3,
      teams: 2000,
      history: 1000000,
      connections: 64,
      unpinned: false,
      baseline: "bun",
      help: false,
    });
    expect(parseOptions(["--baseline", "deno", "a=x"]).baseline).toBe("deno");
    expect(() => parseOptions(["--baseline", "node", "a=x"])).toThrow(/--baseline must be/);
    expect(parseOptions(["--route", "puzzles", "--rounds", "3", "a=x"]).route).toBe("puzzles");
    expect(parseOptions(["--help"]).help).toBe(true);
    expect(() => parseOptions(["--route", "list", "a=x"])).toThrow(/--route must be one of/);
    expect(() => parseOptions(["--rounds", "0", "a=x"])).toThrow(/--rounds/);
    expect(() => parseOptions(["--seconds", "1.5", "a=x"])).toThrow(/--seconds/);
    expect(() => parseOptions(["--nope", "a=x"])).toThrow(UsageError);
  });

  test("--help prints the usage; a mistake prints it on stderr and exits 2", () => {
    const help = Bun.spawnSync([process.execPath, AB, "--help"], { timeout: 15_000 });
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toContain("Usage: bun bench/load/ab.ts");
    const wrong = Bun.spawnSync([process.execPath, AB], { timeout: 15_000 });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr.toString()).toContain("name at least one build");
    const missing = Bun.spawnSync([process.execPath, AB, "x=/no/such/cairn"], { timeout: 15_000 });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.toString()).toContain('x: cannot find "/no/such/cairn"');
  });
});

describe("every benchmark tool's --help", () => {
  const tools = [
    "load/run.ts",
    "load/commit_thread.ts",
    "load/ab.ts",
    "boot.ts",
    "commit.ts",
    "login_burst.ts",
    "pg.ts",
    "sse_board.ts",
    "sse_churn.ts",
    "startup.ts",
  ];
  for (const tool of tools) {
    test(`${tool}: --help prints its usage; an unknown option exits 2 with it`, () => {
      const path = join(import.meta.dir, "..", "..", "bench", tool);
      const help = Bun.spawnSync([process.execPath, path, "--help"], { timeout: 15_000 });
      expect(help.exitCode).toBe(0);
      expect(help.stdout.toString()).toStartWith(`Usage: bun bench/${tool}`);
      const wrong = Bun.spawnSync([process.execPath, path, "--bogus"], { timeout: 15_000 });
      expect(wrong.exitCode).toBe(2);
      expect(wrong.stderr.toString()).toContain("--bogus");
      expect(wrong.stderr.toString()).toContain("Usage:");
    });
  }

  test("npm run bench: --help names the suites; an unknown one exits 2", () => {
    const path = join(import.meta.dir, "..", "..", "bench", "run.ts");
    const help = Bun.spawnSync([process.execPath, path, "--help"], { timeout: 15_000 });
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toContain("normalize");
    const wrong = Bun.spawnSync([process.execPath, path, "nosuchsuite"], { timeout: 15_000 });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr.toString()).toContain("no suite named nosuchsuite");
  });
});

describe("the load tests' shared parts", () => {
  test("wrk's durations read in ms", () => {
    expect(ms("812.00us")).toBeCloseTo(0.812);
    expect(ms("1.23ms")).toBeCloseTo(1.23);
    expect(ms("2.01s")).toBeCloseTo(2010);
    expect(ms("1.00m")).toBe(60_000);
    expect(ms("fast")).toBeNaN();
  });

  test("the main thread's CPU time leaves out the other threads'", async () => {
    const before = { all: cpuTimesUs(process.pid), main: cpuTimesUs(process.pid, process.pid) };
    // A thread that spins for 400 ms while this one waits for its message.
    const worker = new Worker(
      URL.createObjectURL(
        new Blob([
          "const end = Date.now() + 400; while (Date.now() < end) {} postMessage('done');",
        ]),
      ),
    );
    await new Promise((resolve) => worker.addEventListener("message", resolve));
    worker.terminate();
    const all = cpuTimesUs(process.pid).total - before.all.total;
    const main = cpuTimesUs(process.pid, process.pid).total - before.main.total;
    // /proc counts in clock ticks (10 ms); the spinning thread had at least a share of a CPU.
    expect(all - main).toBeGreaterThan(50_000);
    expect(main).toBeLessThan(all);
  });

  test("wrk's output: the rate, p50 and p99, and failed answers", () => {
    const out = `Running 3s test @ http://127.0.0.1:18101
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.41ms    1.10ms  20.33ms   88.12%
  Latency Distribution
     50%    2.04ms
     75%    2.60ms
     90%    3.41ms
     99%    6.97ms
  84435 requests in 3.00s, 19.01MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  28145.02
Transfer/sec:      6.34MB
`;
    expect(parseWrk(out)).toEqual({ rps: 28145.02, p50: 2.04, p99: 6.97, errors: 7 });
    expect(() => parseWrk("wrk: connection refused")).toThrow(/cannot read wrk's output/);
  });

  test("the guess mix: nine wrong guesses per team on its open puzzle, then one right", () => {
    const requests = routeRequests("guesses", teams);
    expect(requests).toHaveLength(20);
    const right = requests.filter((r) => !r.body!.includes("wrong"));
    expect(right).toEqual([
      {
        method: "POST",
        path: "/api/puzzles/p2/guesses",
        token: "tok-a",
        body: JSON.stringify({ answer: "TWO" }),
      },
      {
        method: "POST",
        path: "/api/puzzles/p4/guesses",
        token: "tok-b",
        body: JSON.stringify({ answer: "FOUR" }),
      },
    ]);
    const wrong = requests.filter((r) => r.body!.includes("wrong"));
    expect(wrong).toHaveLength(18);
    expect(new Set(wrong.map((r) => r.body)).size).toBe(18);
    expect(
      wrong.every((r) => r.path === `/api/puzzles/${r.token === "tok-a" ? "p1" : "p3"}/guesses`),
    )
      .toBe(true);
    expect(routeRequests("puzzles", teams).map((r) => [r.path, r.token])).toEqual([
      ["/api/puzzles", "tok-a"],
      ["/api/puzzles", "tok-b"],
    ]);
    expect(routeRequests("scoreboard", teams)).toEqual([{
      method: "GET",
      path: "/api/scoreboard",
    }]);
  });

  test("a wrk script holds every request, with its Host, token and body", () => {
    const dir = mkdtempSync(join(tmpdir(), "cairn-wrk-"));
    try {
      const path = writeScript(dir, "mix", [
        { method: "GET", path: "/api/puzzles", token: "tok-a" },
        { method: "POST", path: "/api/puzzles/p1/guesses", token: "tok-b", body: '{"answer":"x"}' },
      ]);
      const text = readFileSync(path, "utf8");
      const lines = text.split("\n").filter((line) => line.startsWith("requests[#requests + 1]"));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toContain('["Host"] = "127.0.0.1"');
      expect(lines[0]).toContain("[==[Bearer tok-a]==]");
      expect(lines[0]).toEndWith("nil)");
      expect(lines[1]).toContain('["Content-Type"] = "application/json"');
      expect(lines[1]).toContain('[==[{"answer":"x"}]==]');
      expect(text).toContain("request = function()");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
