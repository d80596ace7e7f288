// Waiting for a benchmark's server (bench/_child.ts): a child that exits before
// it serves is reported at once, without PostgreSQL or a real server.
import { describe, expect, test } from "bun:test";
import { answers, describeServing, startChild, untilServing } from "../../bench/_child.ts";

/** A child that runs `code` on this Bun, its stderr kept out of the test's output. */
const child = (code: string) => startChild([process.execPath, "-e", code], { echo: false });
const never = () => Promise.resolve(false);

describe("untilServing()", () => {
  // The wait is a minute and the test's own limit 20 s: only noticing the exit passes.
  test("reports a child that exits before it serves, with its code and stderr", async () => {
    const dead = child("console.error('cannot open the log\\nno such database'); process.exit(3)");
    expect(await untilServing(dead, never, { timeoutMs: 60_000 })).toEqual({
      kind: "exited",
      code: 3,
      signal: null,
      stderr: "cannot open the log\nno such database\n",
    });
  }, 20_000);

  test("reports a child that exits before it serves while the check is still waiting", async () => {
    const dead = child("process.exit(4)");
    const hanging = () => new Promise<boolean>(() => {});
    expect(await untilServing(dead, hanging, { timeoutMs: 60_000 })).toMatchObject({
      kind: "exited",
      code: 4,
    });
  }, 20_000);

  test("returns once the check holds", async () => {
    const live = child("setInterval(() => {}, 1_000)");
    try {
      let checks = 0;
      const third = () => Promise.resolve(++checks === 3);
      expect(await untilServing(live, third, { timeoutMs: 60_000 })).toEqual({ kind: "serving" });
      expect(checks).toBe(3);
    } finally {
      live.proc.kill();
      await live.proc.exited;
    }
  }, 20_000);

  test("gives up after its timeout on a child that lives and never serves", async () => {
    const live = child("setInterval(() => {}, 1_000)");
    try {
      expect(await untilServing(live, never, { timeoutMs: 100 })).toEqual({
        kind: "timeout",
        timeoutMs: 100,
      });
    } finally {
      live.proc.kill();
      await live.proc.exited;
    }
  });

  test("answers() holds once the URL answers 2xx, not before", async () => {
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("ok") });
    const url = `http://127.0.0.1:${server.port}/healthz`;
    expect(await answers(url)()).toBe(true);
    await server.stop(true);
    expect(await answers(url)()).toBe(false);
  });
});

describe("describeServing()", () => {
  const cases: [string, Parameters<typeof describeServing>[1], string][] = [
    [
      "an exit code and the last lines of stderr, in one line",
      {
        kind: "exited",
        code: 1,
        signal: null,
        stderr:
          "starting\n\n/tmp/hunt.toml: error: Cannot read: No such file\n1 error, 0 warnings\n",
      },
      "node pg-1 exited with code 1 before it served: starting | /tmp/hunt.toml: error: Cannot read: No such file | 1 error, 0 warnings",
    ],
    [
      "a signal, and nothing said",
      { kind: "exited", code: null, signal: "SIGKILL", stderr: "" },
      "node pg-1 exited on SIGKILL before it served, with nothing on stderr",
    ],
    [
      "a wait that ran out",
      { kind: "timeout", timeoutMs: 30_000 },
      "node pg-1 did not serve within 30000 ms",
    ],
  ];
  for (const [name, outcome, line] of cases) {
    test(name, () => expect(describeServing("node pg-1", outcome)).toBe(line));
  }

  test("keeps the end of a long stderr, on one line", () => {
    const stderr = Array.from({ length: 50 }, (_, i) => `line ${i} ${"x".repeat(20)}`).join("\n");
    const line = describeServing("node a", { kind: "exited", code: 2, signal: null, stderr });
    expect(line).not.toContain("\n");
    expect(line).toStartWith("node a exited with code 2 before it served: …");
    expect(line).toEndWith(`line 49 ${"x".repeat(20)}`);
    expect(line.length).toBeLessThanOrEqual(400);
  });
});
