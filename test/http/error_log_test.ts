// The error handler's log: a failure that repeats on every request (PostgreSQL down, a bug in a hot
// route) is logged once, then at most once every 10 s, each line saying how many it left out;
// every request still gets its envelope. A different failure is logged at once.
import { describe, expect, test } from "bun:test";
import { errorHandler, QUIET_MS } from "../../src/http/_json.ts";
import { createLogger } from "../../src/log/mod.ts";
import { ApiError } from "../../src/play/mod.ts";
import { CommitError } from "../../src/store/writer.ts";

/** An error handler over a logger that keeps its lines, on a clock the test moves. */
function handler() {
  const lines: string[] = [];
  let now = 1_000;
  const logger = createLogger({ write: (line) => lines.push(line.replace(/^ts=\S+ /, "")) });
  const onError = errorHandler(logger, () => now);
  return {
    lines,
    onError,
    /** The status and error code of each answer. */
    answer: async (error: Error) => {
      const res = onError(error);
      return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
    },
    advance: (ms: number) => now += ms,
  };
}

/** A refused write, as PgStore raises it while PostgreSQL cannot be reached. */
function refusedWrite(): Error {
  return Object.assign(new Error("Cannot reach the database: connect ECONNREFUSED"), {
    name: "CommitError",
    refused: true,
  });
}

describe("the error handler's log", () => {
  test("a bug on every request: one line with its stack, then one every 10 s counting the rest", async () => {
    const { lines, answer, advance } = handler();
    for (let i = 0; i < 500; i++) {
      expect(await answer(new Error("The key index broke"))).toEqual([500, "internal"]);
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith('level=error event=unhandled_error message="The key index broke"');
    expect(lines[0]).toContain(" stack=");
    advance(QUIET_MS - 1);
    await answer(new Error("The key index broke"));
    expect(lines).toHaveLength(1);
    advance(1);
    await answer(new Error("The key index broke"));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toStartWith(
      'level=error event=unhandled_error message="The key index broke" left_out=500 stack=',
    );
    // Quiet for a while: the next line has nothing left out to report.
    advance(QUIET_MS);
    await answer(new Error("The key index broke"));
    expect(lines[2]).not.toContain("left_out");
  });

  test("writes refused while the database is down: a warn line every 10 s, not one per request", async () => {
    const { lines, answer, advance } = handler();
    for (let second = 0; second < 30; second++) {
      for (let i = 0; i < 100; i++) {
        expect(await answer(refusedWrite())).toEqual([503, "unavailable"]);
      }
      advance(1_000);
    }
    expect(lines).toEqual([
      'level=warn event=write_refused message="Cannot reach the database: connect ECONNREFUSED"',
      'level=warn event=write_refused message="Cannot reach the database: connect ECONNREFUSED" left_out=999',
      'level=warn event=write_refused message="Cannot reach the database: connect ECONNREFUSED" left_out=999',
    ]);
  });

  test("each kind of failure is logged at once, whatever the others did; refusals are never logged", async () => {
    const { lines, answer } = handler();
    await answer(new Error("one"));
    await answer(new Error("one"));
    await answer(new Error("two"));
    await answer(refusedWrite());
    await answer(new CommitError(new Error("disk I/O error")));
    await answer(new CommitError(new Error("disk I/O error")));
    expect(await answer(new ApiError("not_found"))).toEqual([404, "not_found"]);
    expect(lines.map((line) => line.replace(/ stack=.*$/, ""))).toEqual([
      "level=error event=unhandled_error message=one",
      "level=error event=unhandled_error message=two",
      'level=warn event=write_refused message="Cannot reach the database: connect ECONNREFUSED"',
      'level=error event=commit_failed message="Cannot save to the database: disk I/O error"',
    ]);
  });

  test("a store's failure is one line: the requests it refused and the server share it", async () => {
    const { lines, answer, advance } = handler();
    // The server logged it first (cli/serve.ts): the requests it refused add nothing.
    const first = new CommitError(new Error("disk I/O error"));
    first.logged = true;
    expect(await answer(first)).toEqual([503, "unavailable"]);
    expect(lines).toEqual([]);
    // A request logs it first, and marks it for the server; the other requests add nothing.
    advance(QUIET_MS);
    const second = new CommitError(new Error("disk I/O error"));
    for (let i = 0; i < 3; i++) expect(await answer(second)).toEqual([503, "unavailable"]);
    expect([lines.length, second.logged]).toEqual([1, true]);
    // Left out here as logged lately: not marked, so that the server logs it.
    const third = new CommitError(new Error("disk I/O error"));
    await answer(third);
    expect([lines.length, third.logged]).toEqual([1, false]);
  });

  test("two servers' loggers keep their own counts", async () => {
    const a = handler();
    const b = handler();
    await a.answer(new Error("same"));
    await b.answer(new Error("same"));
    expect([a.lines.length, b.lines.length]).toEqual([1, 1]);
  });
});

test("every 503 says when to try again: a refused write, a failed commit, and one that sets its own wait", () => {
  const { onError } = handler();
  expect(onError(refusedWrite()).headers.get("retry-after")).toBe("5");
  expect(onError(new CommitError(new Error("disk I/O error"))).headers.get("retry-after")).toBe(
    "5",
  );
  const busy = new ApiError("unavailable", "busy", { "retry-after": "30" });
  expect(onError(busy).headers.get("retry-after")).toBe("30");
  expect(onError(new ApiError("not_found")).headers.get("retry-after")).toBeNull();
});
