import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { DROPPED_DEFAULTS } from "../../src/metrics/mod.ts";
import { makeApp } from "../http/_app.ts";
import { RUNTIME_NAME, sleep } from "../_runtime.ts";

/** Runs `promtool check metrics` on an exposition; CI installs Debian's prometheus package. */
function promtool(text: string): { code: number; output: string } {
  const proc = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  return { code: proc.status ?? -1, output: proc.stdout + proc.stderr };
}

/** The value of one sample line, e.g. `cairn_teams` or `cairn_guesses_total{result="correct"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("GET /metrics", () => {
  test("counts requests by matched route pattern, guesses by result, commits and teams", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    await call("GET", "/api/puzzles/a", { token });
    await call("GET", "/api/puzzles/b", { token });
    await call("GET", "/api/puzzles/no-such-puzzle", { token });
    await call("GET", "/wp-login.php");
    await call("GET", "/api/admin/teams");
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "nope" } });
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });

    const reply = await call("GET", "/metrics");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    const text = reply.text;
    const requests = (labels: string) => sample(text, `cairn_http_requests_total{${labels}}`);
    // Raw paths never become labels: two puzzles and a missing one are one route.
    expect(requests('method="GET",route="/api/puzzles/:id",status="200"')).toBe(2);
    expect(requests('method="GET",route="/api/puzzles/:id",status="404"')).toBe(1);
    expect(requests('method="GET",route="unmatched",status="404"')).toBe(1);
    expect(requests('method="GET",route="/api/admin/teams",status="401"')).toBe(1);
    expect(requests('method="POST",route="/api/teams",status="201"')).toBe(1);
    expect(text).not.toContain("no-such-puzzle");
    expect(text).not.toContain("wp-login");
    expect(
      sample(
        text,
        'cairn_http_request_duration_seconds_count{method="GET",route="/api/puzzles/:id"}',
      ),
    ).toBe(3);
    // An already-solved guess is not stored, so it is not counted.
    expect(sample(text, 'cairn_guesses_total{result="correct"}')).toBe(1);
    expect(sample(text, 'cairn_guesses_total{result="incorrect"}')).toBe(1);
    expect(sample(text, 'cairn_guesses_total{result="partial"}')).toBe(0);
    expect(sample(text, "cairn_teams")).toBe(1);
    expect(sample(text, "cairn_sse_connections")).toBe(0);
    // Registration, login session, two guesses, and the already-solved answer's wait.
    expect(sample(text, "cairn_commit_batch_requests_count")).toBeGreaterThanOrEqual(3);
    expect(sample(text, "cairn_commit_rows_total")).toBeGreaterThanOrEqual(5);
    expect(sample(text, 'cairn_hunt_reloads_total{result="ok"}')).toBe(0);
    expect(
      sample(
        text,
        `cairn_build_info{version="0.1.0",${RUNTIME_NAME}="${process.versions[RUNTIME_NAME]}"}`,
      ),
    ).toBe(1);
    // Memory and the event loop, from prom-client's defaults.
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(sample(text, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
    expect(text).toContain("nodejs_eventloop_lag_p99_seconds ");
    for (const name of DROPPED_DEFAULTS) expect(text).not.toContain(`\n${name}`);
  });

  test("passes promtool's parse and lint", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const text = (await call("GET", "/metrics")).text;
    expect(promtool(text)).toEqual({ code: 0, output: "" });
    // promtool does lint: a gauge named like a counter fails it.
    const bad = "# HELP x_total A gauge.\n# TYPE x_total gauge\nx_total 1\n";
    expect(promtool(bad).code).not.toBe(0);
  });

  test("reports the event loop's lag: a blocked loop shows in the maximum", async () => {
    const { call } = makeApp();
    // The first scrape starts the runtime's metrics; each scrape resets the lag histogram.
    await call("GET", "/metrics");
    const blocked = performance.now();
    while (performance.now() - blocked < 250) {
      // Busy: nothing else runs.
    }
    await sleep(30);
    const max = sample((await call("GET", "/metrics")).text, "nodejs_eventloop_lag_max_seconds");
    expect(max).toBeGreaterThanOrEqual(0.2);
  });
});
